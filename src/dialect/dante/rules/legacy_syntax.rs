//! DN009 dante-legacy-syntax: pre-1.4 spellings (`method:`, bare `pass` /
//! `block`, `user.notprivileged`, `connecttimeout`...). Dante 1.4 still
//! reads them, but they date the file (and often the install). One
//! finding per file, every spelling labelled.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports DN009.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some((first, what)) = a.cfg.legacy.first() else {
        return;
    };
    let mut d = Diagnostic::new(
        "DN009",
        "the file uses Dante 1.2/1.3 syntax",
        *first,
        what.clone(),
    );
    for (s, w) in a.cfg.legacy.iter().skip(1) {
        d = d.with_label(*s, w.clone());
    }
    out.push(
        d.with_note("a file last edited for Dante 1.2/1.3 often runs on an old, unpatched server")
            .with_help("write `socks pass`/`socks block`, `socksmethod:`/`clientmethod:`, `user.unprivileged:` and `timeout.*`, and check the installed Dante version"),
    );
}
