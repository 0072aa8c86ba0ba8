//! Dante: `sockd.conf` / `danted.conf`, evaluated per `internal:` address
//! against the attacker.
//!
//! The pipeline inside: [`scan`] and [`syntax`] parse (with [`address`] for
//! address and port tokens), [`evaluate`] plays Dante's client-rule, method
//! negotiation and socks-rule steps for the attacker, [`rules`] report.

pub mod address;
pub mod evaluate;
pub mod rules;
pub mod scan;
pub mod services;
pub mod syntax;

use crate::diagnostic::Diagnostic;
use crate::dialect::read_source;
pub use crate::dialect::Source;
use crate::load::Limits;
use crate::net::IpSet;
use crate::source::{FileId, SourceDb, Span};
use evaluate::{Evaluator, InternalVerdict};
use std::path::Path;
use syntax::Config;

/// The files of a unit.
pub struct Inputs<'p> {
    /// The main configuration file, or text read from stdin.
    pub conf: Source<'p>,
    /// The folder standing for `/` when the config names absolute paths.
    pub sysroot: &'p Path,
}

/// Everything the rules look at.
pub struct Analysis<'a> {
    /// The parsed file.
    pub cfg: &'a Config,
    /// One verdict per `internal:` line (empty when danted would not start).
    pub internals: Vec<InternalVerdict>,
    /// The evaluator, for rules that ask their own questions.
    pub eval: Evaluator<'a>,
    /// A span for file-wide findings.
    pub anchor: Span,
    /// The file's text.
    pub text: &'a str,
}

impl Analysis<'_> {
    /// The text under a span (empty when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// True when danted would start with this file.
    pub fn starts(&self) -> bool {
        self.cfg.problems.is_empty()
    }
}

/// Analyses one unit: returns its files and findings.
pub fn analyse(inputs: &Inputs, limits: Limits, attacker: &IpSet) -> (SourceDb, Vec<Diagnostic>) {
    let mut db = SourceDb::new();
    let mut diags = Vec::new();
    let Some(file) = read_source(&mut db, &mut diags, &inputs.conf, inputs.sysroot, limits) else {
        return (db, diags);
    };
    diags.extend(check_text(file, db.text(file), attacker));
    (db, diags)
}

/// Parses, evaluates and runs every Dante rule on one file's text.
pub fn check_text(file: FileId, text: &str, attacker: &IpSet) -> Vec<Diagnostic> {
    let cfg = syntax::parse(file, text);
    let eval = Evaluator::new(&cfg, attacker);
    let internals = if cfg.problems.is_empty() {
        eval.internals()
    } else {
        Vec::new()
    };
    let a = Analysis {
        cfg: &cfg,
        internals,
        eval,
        anchor: cfg.anchor.unwrap_or(Span::new(file, 0..0)),
        text,
    };
    let mut out = Vec::new();
    rules::run(&a, &mut out);
    out
}
