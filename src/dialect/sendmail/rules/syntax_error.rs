//! RL001 syntax-error for Sendmail: each line of a sendmail.cf that
//! sendmail's reader does not know, and each `*** ERROR` the m4 tree prints
//! for an .mc while it still builds the .cf.

use super::super::model::Origin;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports RL001, once per unknown line.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for p in &a.model.printed_errors {
        out.push(
            Diagnostic::new("RL001", p.message.clone(), p.span, p.label.clone())
                .with_note(
                    "m4 still writes sendmail.cf (exit status 0), with the macro as it stands",
                )
                .with_help("move or fix the line so that the m4 build prints no error"),
        );
    }
    if a.model.origin != Origin::Cf {
        return;
    }
    for p in &a.model.line_problems {
        out.push(
            Diagnostic::new(
                "RL001",
                format!("sendmail does not read this line: {}", p.message),
                p.span,
                "sendmail reports this line at startup and ignores it",
            )
            .with_help("start the line with a known letter (`C`, `D`, `F`, `K`, `O`, `R`, `S`...) or make it a `#` comment"),
        );
    }
}
