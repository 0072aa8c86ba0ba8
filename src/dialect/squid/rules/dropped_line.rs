//! SQ006 squid-dropped-line: a line Squid ignores with only a log message
//! (a miscased `Allow`/`Deny`, an access line without acls) or a backslash
//! continuation that does not do what it looks like.

use super::super::syntax::LineIssue;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ006 per dropped line or broken continuation.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    for dl in &k.config.dropped {
        let mut d = Diagnostic::new(
            "SQ006",
            format!("Squid ignores this line: {}", dl.reason),
            dl.word,
            "the line is dropped",
        );
        if dl.span != dl.word {
            d = d.with_label(dl.span, "this rule never applies");
        }
        out.push(
            d.with_help("write `allow` or `deny` in lower case, followed by at least one acl name"),
        );
    }
    for issue in &k.pre.issues {
        let (span, msg, help) = match issue {
            LineIssue::BlankAfterBackslash(s) => (
                *s,
                "a backslash followed by blanks does not continue the line",
                "remove the blanks after the backslash",
            ),
            LineIssue::GluedContinuation(s) => (
                *s,
                "this continuation line is glued to the previous word (Squid inserts no blank)",
                "put a blank before the backslash that ends the previous line",
            ),
        };
        out.push(Diagnostic::new("SQ006", msg, span, "continuation").with_help(help));
    }
}
