//! DN003 dante-smtp-reachable: some client (even a trusted or an
//! authenticated one) may CONNECT to port 25 of foreign hosts. A stolen
//! password or an infected office PC is then a spam source with the
//! proxy's address. Not reported when DN001 already shows port 25 open.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports DN003.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    if !a.starts() {
        return;
    }
    let smtp_open = a
        .internals
        .iter()
        .any(|v| v.open.as_ref().is_some_and(|w| w.request.port == 25));
    if smtp_open {
        return;
    }
    let Some((rule_ix, client_ix, dest)) = a.eval.smtp_for_anyone() else {
        return;
    };
    let Some(rule) = a.cfg.rules.get(rule_ix) else {
        return;
    };
    let primary = rule
        .to
        .as_ref()
        .map(|t| t.port.as_ref().map(|p| p.span).unwrap_or(t.span))
        .unwrap_or(rule.head);
    let label = match rule.to.as_ref().and_then(|t| t.port.as_ref()) {
        Some(_) => "this port qualifier includes 25",
        None => "no port qualifier: every port, 25 included",
    };
    let mut d = Diagnostic::new(
        "DN003",
        format!(
            "`{}` lets its clients CONNECT to port 25 (SMTP) of foreign hosts",
            rule.describe()
        ),
        primary,
        label,
    )
    .with_label(rule.head, "the first socks rule such a request meets");
    if let Some(c) = client_ix.and_then(|i| a.cfg.rules.get(i)) {
        d = d.with_label(c.head, "client rule that admits such clients");
    }
    out.push(
        d.with_note(format!("e.g. a CONNECT to {dest} port 25 from a client this rule accepts"))
            .with_help("add `socks block { from: 0/0 to: 0/0 port = 25 log: connect error }` before the pass rules"),
    );
}
