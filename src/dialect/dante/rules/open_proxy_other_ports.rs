//! DN012 dante-open-proxy-other-ports: no unauthenticated CONNECT reaches
//! ports 25 or 80 of a foreign host, but another port does (HTTPS only,
//! ports above 1023...). Strangers still tunnel through the proxy.

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
        let d = Diagnostic::new(
            "DN012",
            format!(
                "untrusted clients can open SOCKS connections to port {} of foreign hosts without authenticating",
                w.request.port
            ),
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
