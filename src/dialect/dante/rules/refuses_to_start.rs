//! DN002 dante-refuses-to-start: danted exits at startup with this file
//! (a syntax error, a missing `internal:`/`external:`, an address without
//! prefix length, a rule method missing from the global list...). The
//! proxy is down, not open: one finding at the first problem, the others
//! as secondary labels.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports DN002.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(first) = a.cfg.problems.first() else {
        return;
    };
    let mut d = Diagnostic::new(
        "DN002",
        format!("danted would refuse to start: {}", first.message),
        first.span,
        first.label.clone(),
    );
    for p in a.cfg.problems.iter().skip(1).take(8) {
        d = d.with_label(p.span, format!("also refused: {}", p.label));
    }
    let more = a.cfg.problems.len().saturating_sub(9);
    if more > 0 {
        d = d.with_note(format!("{more} more problems are not shown"));
    }
    let help = if first.message.contains("internal") && first.message.contains("no `") {
        "add `internal: ADDRESS port = 1080` and `external: INTERFACE` before the rules"
    } else if first.message.contains("external") && first.message.contains("no `") {
        "add `external: INTERFACE` (the address outgoing connections use)"
    } else if first.message.contains("netmask") {
        "write addresses in rules with a prefix length, e.g. `192.0.2.10/32`"
    } else if first.message.contains("after the first rule") {
        "move server settings above the first rule"
    } else if first.message.contains("global") {
        "add the method to the global `socksmethod:`/`clientmethod:` line, or remove it from the rule"
    } else {
        "fix the line, then check the file with `danted -V -f FILE`"
    };
    out.push(
        d.with_note(
            "danted stops at the first error it meets; no client is served while it is down",
        )
        .with_help(help),
    );
}
