//! SM014 sendmail-access-trailing-comment: an access map value followed by
//! `# ...`. makemap keeps the rest of the line as the value, so
//! `Connect:10.1 RELAY # office` stores `RELAY # office`: not RELAY (no
//! relaying), and read as an error text, which turns the client away.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM014.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for e in &a.model.access.entries {
        let Some((value, _)) = e.value.split_once('#') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty()
            || value.starts_with('"')
            || value.to_ascii_uppercase().starts_with("ERROR")
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                "SM014",
                format!("the access value is `{}`, comment included, not `{value}`", e.value),
                e.span,
                "makemap keeps the rest of the line as the value",
            )
            .with_note("sendmail compares the whole value: it is neither OK nor RELAY, and counts as an error text")
            .with_help("put the comment on a line of its own, starting with `#`"),
        );
    }
}
