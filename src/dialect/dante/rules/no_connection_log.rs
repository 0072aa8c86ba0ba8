//! DN008 dante-no-connection-log: a pass rule without `log:`, or no
//! `logoutput:` at all: abuse through the proxy leaves no trace.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports DN008: once for a missing `logoutput:`, else once per pass rule
/// without `log:`.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    if a.cfg.setting("logoutput").is_none() {
        out.push(
            Diagnostic::new(
                "DN008",
                "no `logoutput:`: danted logs nothing",
                a.anchor,
                "this file",
            )
            .with_help("add `logoutput: syslog` before the rules"),
        );
        return;
    }
    for r in &a.cfg.rules {
        if r.pass && r.log.is_none() {
            out.push(
                Diagnostic::new(
                    "DN008",
                    format!("`{}` does not log the connections it passes", r.describe()),
                    r.head,
                    "no `log:` in this rule",
                )
                .with_help("add `log: connect disconnect error` to the rule"),
            );
        }
    }
}
