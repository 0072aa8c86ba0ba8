//! SM002 sendmail-refuses-to-start: the m4 build of the `.mc` stops (an
//! unclosed quote or argument list, an unknown FEATURE or MAILER, no
//! `OSTYPE`, `FEATURE()` after `MAILER()`...), so no `sendmail.cf` comes
//! out of it; or sendmail exits reading `sendmail.cf` (a line it does not
//! know). Not an open relay; not a running server either.

use super::super::model::Origin;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM002.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(first) = a.model.build_problems.first() else {
        return;
    };
    let mut d = Diagnostic::new(
        "SM002",
        first.message.clone(),
        first.span,
        first.label.clone(),
    );
    for p in a.model.build_problems.iter().skip(1).take(8) {
        d = d.with_label(p.span, format!("also: {}", p.label));
    }
    let built = first.message.starts_with("sendmail exits");
    let (note, help) = if a.model.origin == Origin::Cf || built {
        (
            "sendmail stops reading its configuration and exits (status 70): no daemon listens",
            "fix or remove the line (in the .mc, the `LOCAL_CONFIG`/`LOCAL_RULESETS` text), then test with `sendmail -C FILE -bt </dev/null`",
        )
    } else {
        (
            "m4 prints the error and no sendmail.cf is built; the daemon keeps running the old one, or none",
            "fix the line, then rebuild with `m4 /usr/share/sendmail/cf/m4/cf.m4 sendmail.mc > sendmail.cf` and check its messages",
        )
    };
    out.push(d.with_note(note).with_help(help));
}
