//! DN007 dante-listens-on-all-addresses: `internal:` is every address
//! (`0.0.0.0`, `::`), an interface or a public address: the proxy is
//! reachable from the internet and only the rules keep strangers out.

use super::super::evaluate::{reach, Reach};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::net::untrusted_space;

/// Reports DN007, once per such line.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let public = untrusted_space();
    for (ep, line) in &a.cfg.internals {
        let what = match reach(&ep.addr) {
            Reach::Wildcard { .. } => "every address of the host",
            Reach::Interface(_) => "an interface, which may carry a public address",
            Reach::Address(ip) if public.contains(ip) => "a public address",
            _ => continue,
        };
        out.push(
            Diagnostic::new(
                "DN007",
                format!("the proxy listens on {what} (`{}`)", a.slice(*line)),
                ep.span,
                "reachable from other networks",
            )
            .with_help("bind `internal:` to the address of the network your clients are on"),
        );
    }
}
