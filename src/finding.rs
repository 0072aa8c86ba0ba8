//! Findings as users see them: a [`Diagnostic`] resolved against its unit's
//! files into paths, lines and columns, with severity and name from the
//! registry, a stable fingerprint, and (for human output) rendered text.

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry;
use crate::source::{SourceDb, Span};
use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::term;
use serde::Serialize;

/// A resolved label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabelOut {
    /// Path as the user named it.
    pub path: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, Unicode scalar values.
    pub column: u32,
    /// 1-based.
    pub end_line: u32,
    /// 1-based, exclusive end column.
    pub end_column: u32,
    /// Text.
    pub message: String,
    /// True for the primary label.
    pub primary: bool,
}

/// One finding, ready for every output format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule code.
    pub code: String,
    /// Rule name.
    pub name: String,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// Primary path.
    pub path: String,
    /// Primary start line.
    pub line: u32,
    /// Primary start column.
    pub column: u32,
    /// Primary end line.
    pub end_line: u32,
    /// Primary end column.
    pub end_column: u32,
    /// Every label, primary first.
    pub labels: Vec<LabelOut>,
    /// Notes.
    pub notes: Vec<String>,
    /// Help line.
    pub help: Option<String>,
    /// Stable identity: code + path + normalised text of the decisive line.
    pub fingerprint: String,
    /// The host the finding belongs to (named after its sysroot; see
    /// `host.rs`).
    pub host: String,
    /// The primary path relative to the host's sysroot, with a flat dump's
    /// host prefix taken off the file name (for grouping across hosts).
    #[serde(skip)]
    pub host_path: String,
    /// The decisive line with its blanks normalised (part of the fingerprint).
    #[serde(skip)]
    pub line_key: String,
    /// Rendered human text (no trailing newline handling needed).
    #[serde(skip)]
    pub rendered: String,
}

fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl Finding {
    /// The identity of a finding across hosts: code + path under the host's
    /// sysroot + normalised decisive line, so that the same mistake copied
    /// onto many hosts groups together.
    pub fn fleet_fingerprint(&self) -> String {
        fnv1a(&[&self.code, &self.host_path, &self.line_key])
    }
}

fn label_out(db: &SourceDb, span: Span, message: &str, primary: bool) -> LabelOut {
    let start = db.line_col(span.file, span.start);
    let end = db.line_col(span.file, span.end);
    LabelOut {
        path: db.display(span.file).to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        message: message.to_string(),
        primary,
    }
}

/// Resolves a diagnostic; `color` selects ANSI colours in the rendered text.
pub fn resolve(db: &SourceDb, d: &Diagnostic, severity: Severity, color: bool) -> Finding {
    Finding {
        rendered: render(db, d, severity, color),
        ..resolve_unrendered(db, d, severity)
    }
}

/// [`resolve`] without the rendered text, for reports that do not show it
/// (JSON, SARIF, GitHub annotations): rendering is most of the cost.
pub fn resolve_unrendered(db: &SourceDb, d: &Diagnostic, severity: Severity) -> Finding {
    let meta = registry::lookup(d.code);
    let name = meta.map(|m| m.name.clone()).unwrap_or_default();
    let primary = label_out(db, d.primary.span, &d.primary.message, true);
    let mut labels = vec![primary.clone()];
    labels.extend(
        d.secondary
            .iter()
            .map(|l| label_out(db, l.span, &l.message, false)),
    );
    let line_text: String = db
        .line_text(d.primary.span.file, d.primary.span.start)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let fingerprint = fnv1a(&[d.code, &primary.path, &line_text]);
    Finding {
        code: d.code.to_string(),
        name,
        severity,
        message: d.message.clone(),
        path: primary.path.clone(),
        line: primary.line,
        column: primary.column,
        end_line: primary.end_line,
        end_column: primary.end_column,
        labels,
        notes: d.notes.clone(),
        help: d.help.clone(),
        fingerprint,
        host: String::new(),
        host_path: String::new(),
        line_key: line_text,
        rendered: String::new(),
    }
}

fn render(db: &SourceDb, d: &Diagnostic, severity: Severity, color: bool) -> String {
    let cs_sev = match severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let mut labels = vec![
        CsLabel::primary(d.primary.span.file, d.primary.span.range())
            .with_message(&d.primary.message),
    ];
    labels.extend(
        d.secondary
            .iter()
            .map(|l| CsLabel::secondary(l.span.file, l.span.range()).with_message(&l.message)),
    );
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    let diag = CsDiagnostic::new(cs_sev)
        .with_code(d.code)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes);
    let config = term::Config::default();
    if color {
        let mut buf = term::termcolor::Ansi::new(Vec::new());
        let styles = term::Styles::default();
        let mut w = term::StylesWriter::new(&mut buf, &styles);
        if term::emit_to_write_style(&mut w, &config, db, &diag).is_ok() {
            return String::from_utf8_lossy(&buf.into_inner()).into_owned();
        }
    }
    term::emit_into_string(&config, db, &diag)
        .unwrap_or_else(|_| format!("{}[{}]: {}\n", severity.as_str(), d.code, d.message))
}
