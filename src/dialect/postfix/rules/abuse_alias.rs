//! PF010 postfix-missing-abuse-alias: nobody reads `abuse@` or
//! `postmaster@`, so complaints about abuse go nowhere.

use super::super::main_cf::logical_lines;
use super::super::table::{parse_ref, TableKind};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Reports PF010 when the unit's alias file lacks `abuse` or `postmaster`.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let cfg = a.main_config();
    let value = cfg.get("alias_maps");
    let explicit = value.origin_span().is_some();
    let Some(r) = value
        .tokens()
        .iter()
        .filter_map(parse_ref)
        .find(|r| r.kind == TableKind::Indexed)
    else {
        return;
    };
    // Dumps often leave the alias file out: its absence is not worth a finding.
    let Some((id, text)) = a.store.text(&r.name, None) else {
        return;
    };
    let (lines, _) = logical_lines(&text);
    let mut names = Vec::new();
    for pieces in lines.iter() {
        let Some(&(s, e)) = pieces.first() else {
            continue;
        };
        if let Some((k, _)) = text.get(s..e).unwrap_or("").split_once(':') {
            names.push(k.trim().trim_matches('"').to_ascii_lowercase());
        }
    }
    let missing: Vec<&str> = ["abuse", "postmaster"]
        .into_iter()
        .filter(|n| !names.iter().any(|k| k == n))
        .collect();
    if missing.is_empty() {
        return;
    }
    let first_line = text.find('\n').unwrap_or(text.len());
    let list = missing
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let mut d = Diagnostic::new(
        "PF010",
        format!("the alias file has no {list} alias"),
        Span::new(id, 0..first_line),
        "abuse reports to this domain have no reader",
    );
    if let Some(sp) = r.span.filter(|_| explicit) {
        d = d.with_label(sp, "alias file named here");
    }
    out.push(d.with_help(format!(
            "add {} (for example `abuse: root`) and run `newaliases`",
            missing
                .iter()
                .map(|m| format!("`{m}: root`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
}
