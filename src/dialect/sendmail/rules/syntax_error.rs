//! RL001 syntax-error for sendmail.cf: each line sendmail's reader does not
//! know.

use super::super::model::Origin;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports RL001, once per unknown line.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
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
