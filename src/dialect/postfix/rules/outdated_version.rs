//! PF009 postfix-outdated-version: the release line no longer gets fixes.

use super::super::defaults::Version;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// The oldest release line upstream still supports (stable 3.11 and the
/// three lines before it).
pub const OLDEST_SUPPORTED: Version = Version(3, 8, 0);

/// Reports PF009 when `mail_version` is known and older.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(v) = a.version else { return };
    if v >= OLDEST_SUPPORTED {
        return;
    }
    let Some(p) = a.main.get("mail_version") else {
        return;
    };
    out.push(
        Diagnostic::new(
            "PF009",
            format!("Postfix {v} is past the end of upstream support"),
            p.value.span().unwrap_or(p.line_span),
            "this release line gets no more fixes",
        )
        .with_note("supported lines: 3.8, 3.9, 3.10 and 3.11")
        .with_help("upgrade to a supported Postfix release line"),
    );
}
