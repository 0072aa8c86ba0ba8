//! PF012 postfix-trailing-comment: `#` after a value is not a comment in
//! main.cf or master.cf; it becomes part of the value.

use super::super::evaluate::ListKind;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Reports PF012 for every definition whose value holds a `#` word.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut values: Vec<(&str, &super::super::text::Text)> = Vec::new();
    for p in &a.main.params {
        values.push((&p.name, &p.value));
    }
    if let Some(m) = a.master {
        for s in &m.services {
            for o in &s.overrides {
                values.push((&o.name, &o.value));
            }
        }
    }
    let mut seen: Vec<Span> = Vec::new();
    for (name, value) in values {
        // Only a value holding `#` can have a `#` word.
        if !value.s.contains('#') {
            continue;
        }
        let tokens = value.tokens();
        let Some(pos) = tokens.iter().position(|t| t.text.starts_with('#')) else {
            continue;
        };
        let (Some(first), Some(last)) = (
            tokens.get(pos).and_then(|t| t.span),
            tokens.last().and_then(|t| t.span),
        ) else {
            continue;
        };
        let span = first.to(last);
        if seen.contains(&span) {
            continue;
        }
        seen.push(span);
        let restriction_list = name.ends_with("_restrictions")
            || [ListKind::Relay, ListKind::Recipient]
                .iter()
                .any(|k| k.param() == name);
        let effect = if restriction_list {
            "these words are read as unknown restrictions: every recipient gets a 451 server error"
        } else {
            "Postfix does not treat this as a comment"
        };
        out.push(
            Diagnostic::new(
                "PF012",
                format!("`#` after the value of `{name}` is not a comment"),
                span,
                effect,
            )
            .with_help("move the comment to a line of its own that starts with `#`"),
        );
    }
}
