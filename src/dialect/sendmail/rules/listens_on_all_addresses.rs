//! SM009 sendmail-listens-on-all-addresses: a daemon without `Addr=`
//! listens on every address of the host. Often intended for an MX; worth
//! knowing for a host that only sends.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM009.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for d in &a.model.daemons {
        let all = match d.addr.as_deref().map(str::trim) {
            None => true,
            Some(a) => a == "0.0.0.0" || a == "::" || a == "0:0:0:0:0:0:0:0",
        };
        if !all || d.loopback_only() || d.port == 0 {
            continue;
        }
        let (span, label) = match d.span {
            Some(s) => (s, "no `Addr=`: every address".to_string()),
            None => (
                a.model.anchor,
                format!(
                    "no `DAEMON_OPTIONS`: the default `{}` daemon listens everywhere",
                    d.name
                ),
            ),
        };
        out.push(
            Diagnostic::new(
                "SM009",
                format!("sendmail daemon `{}` listens on every address, port {}", d.name, d.port),
                span,
                label,
            )
            .with_help("if only this host sends mail, bind the daemon to loopback: DAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1')"),
        );
    }
}
