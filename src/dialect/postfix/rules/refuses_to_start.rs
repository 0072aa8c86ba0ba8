//! PF003 postfix-smtpd-refuses-to-start: smtpd would exit at startup for a
//! listener; the listener is down, not open.

use super::super::evaluate::Verdict;
use super::super::Analysis;
use super::first_span;
use crate::diagnostic::Diagnostic;

/// Reports PF003, once per listener.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for lr in &a.listeners {
        let Verdict::RefusesToStart(f) = &lr.verdict else {
            continue;
        };
        let primary = first_span(
            a,
            f.spans
                .iter()
                .map(|s| s.span)
                .chain([lr.listener.line_span()]),
        );
        let label = f
            .spans
            .iter()
            .find(|s| s.span == Some(primary))
            .map(|s| s.message.clone())
            .unwrap_or_else(|| "smtpd exits at startup".into());
        let mut d = Diagnostic::new(
            "PF003",
            format!("{} would refuse to start", lr.listener.describe()),
            primary,
            label,
        );
        for s in &f.spans {
            if let Some(sp) = s.span {
                if sp != primary {
                    d = d.with_label(sp, s.message.clone());
                }
            }
        }
        if let Some(line) = lr.listener.line_span() {
            if line != primary {
                d = d.with_label(line, "this listener");
            }
        }
        let help = if f.reason.contains("-o") || f.reason.contains("stray argument") {
            "write overrides as `-o name=value` without spaces, or `-o { name = value }`"
        } else if f.reason.contains("syntax error") {
            "fix the syntax error: Postfix reads all of main.cf before starting anything"
        } else if f.reason.contains("mydomain") {
            "set `mydomain` explicitly, or write `myhostname` without `$mydomain`"
        } else if f.reason.contains("compatibility_level")
            || f.reason.contains("compatibility level")
        {
            "write `compatibility_level` as a release number Postfix knows, e.g. `3.6`"
        } else if f.reason.contains("expand") || f.reason.contains("macro") {
            "define the value without referring back to itself, and check its `$` syntax"
        } else if f.reason.contains("unknown service") {
            "use a port number or a service name from /etc/services (`smtp`, `submission`, `submissions`)"
        } else if f.reason.contains("restriction class") {
            "define the restriction class as a main.cf parameter, or remove it from `smtpd_restriction_classes`"
        } else {
            "add `reject_unauth_destination` to `smtpd_relay_restrictions`, before any `permit`"
        };
        out.push(
            d.with_note(format!(
                "smtpd logs a fatal error: {}; clients get no greeting on this port",
                f.reason
            ))
            .with_help(help),
        );
    }
}
