//! Dialects: one folder per daemon, each turning a unit's files into
//! diagnostics with the same shape of entry point,
//! `analyse(inputs, limits, attacker) -> (SourceDb, Vec<Diagnostic>)`.
//! Reading a unit's files goes through [`read_into`], so every dialect
//! reports unreadable, oversized, non-UTF-8 and binary files alike.

pub mod dante;
pub mod kind;
pub mod postfix;
pub mod sendmail;
pub mod squid;

use crate::diagnostic::Diagnostic;
use crate::load::{read_confined, Limits};
use crate::source::{FileId, SourceDb, Span};
use std::path::Path;

/// Where a config's text comes from.
pub enum Source<'p> {
    /// A file.
    Path(&'p Path),
    /// Standard input.
    Text(&'p str),
}

/// Reads a file of a unit (confined to its sysroot) into `db`. A file that
/// cannot be read becomes a diagnostic and `None`; invalid UTF-8 and NUL
/// bytes are reported once and the text is analysed anyway.
pub fn read_into(
    db: &mut SourceDb,
    diags: &mut Vec<Diagnostic>,
    path: &Path,
    root: &Path,
    limits: Limits,
) -> Option<FileId> {
    let shown = crate::discover::display(path);
    match read_confined(path, root, limits) {
        Ok(l) => {
            let lossy = l.lossy;
            let id = db.add(shown.clone(), l.text, lossy);
            if lossy {
                diags.push(Diagnostic::new(
                    "RL006",
                    format!("`{shown}` is not valid UTF-8"),
                    db.first_invalid(id),
                    "the first invalid bytes, replaced while reading",
                ));
            }
            if let Some(at) = memchr::memchr(0, db.text(id).as_bytes()) {
                diags.push(Diagnostic::new(
                    "RL006",
                    format!("`{shown}` holds NUL bytes: it is not a text file"),
                    Span::new(id, at..at + 1),
                    "first NUL byte",
                ));
            }
            Some(id)
        }
        Err(e) => {
            let id = db.add(shown.clone(), String::new(), false);
            diags.push(Diagnostic::new(
                e.code(),
                format!("`{shown}` was not analysed: {}", e.describe()),
                Span::new(id, 0..0),
                "this file",
            ));
            None
        }
    }
}

/// Reads the one main file of a unit (a path, or text from standard input).
pub fn read_source(
    db: &mut SourceDb,
    diags: &mut Vec<Diagnostic>,
    source: &Source,
    root: &Path,
    limits: Limits,
) -> Option<FileId> {
    match source {
        Source::Path(p) => read_into(db, diags, p, root, limits),
        Source::Text(t) => Some(db.add("-".into(), (*t).to_string(), false)),
    }
}
