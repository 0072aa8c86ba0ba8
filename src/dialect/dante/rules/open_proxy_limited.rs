//! DN012 dante-open-proxy-limited: no unauthenticated CONNECT reaches ports
//! 25 or 80 of an arbitrary foreign host, but another port does (HTTPS
//! only, ports above 1023...), or a network the file names does. Strangers
//! still tunnel through the proxy.

use super::super::Analysis;
use super::open_proxy::{witness_labels, witness_note};
use crate::diagnostic::Diagnostic;

/// Reports DN012, once per exposed `internal:` line.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for v in &a.internals {
        let Some(w) = &v.open_other else { continue };
        let Some(rule) = a.cfg.rules.get(w.socks_rule) else {
            continue;
        };
        let what = if super::super::evaluate::WITNESS_PORTS.contains(&w.request.port) {
            format!(
                "to port {} of hosts in networks the rules name",
                w.request.port
            )
        } else {
            format!("to port {} of foreign hosts", w.request.port)
        };
        let d = Diagnostic::new(
            "DN012",
            format!("untrusted clients can open SOCKS connections {what} without authenticating"),
            rule.head,
            format!(
                "first match for an unauthenticated SOCKS{} CONNECT to port {}: pass",
                w.request.version, w.request.port
            ),
        );
        let d = witness_labels(a, v, w, d).with_note(witness_note(w));
        out.push(d.with_help(
            "require authentication in the socks pass rules (`socksmethod: username`), or limit their `from:` to networks you trust",
        ));
    }
}
