//! DN004 dante-bind-udp-open: an untrusted client can BIND or UDP
//! ASSOCIATE without authenticating: strangers receive inbound connections
//! or relay UDP traffic with the proxy's address.

use super::super::Analysis;
use super::open_proxy::{witness_labels, witness_note};
use crate::diagnostic::Diagnostic;

/// Reports DN004, once per exposed `internal:` line.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for v in &a.internals {
        let Some(w) = &v.bind_udp else { continue };
        let Some(rule) = a.cfg.rules.get(w.socks_rule) else {
            continue;
        };
        let primary = rule.commands.as_ref().map(|c| c.1).unwrap_or(rule.head);
        let label = if rule.commands.is_some() {
            "`bind`/`udpassociate` listed here"
        } else {
            "no `command:`: bind and udpassociate pass too"
        };
        let mut d = Diagnostic::new(
            "DN004",
            format!(
                "untrusted clients can use `{}` for BIND or UDP ASSOCIATE without authenticating",
                rule.describe()
            ),
            primary,
            label,
        );
        if rule.commands.is_some() {
            d = d.with_label(rule.head, "first match for the request: pass");
        }
        let d = witness_labels(a, v, w, d).with_note(witness_note(w));
        out.push(d.with_help(
            "add `command: connect` to the pass rules, or `socks block { from: 0/0 to: 0/0 command: bind udpassociate }` before them",
        ));
    }
}
