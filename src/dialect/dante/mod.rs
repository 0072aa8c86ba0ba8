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
use std::rc::Rc;
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

/// A way through danted to a port on the host itself.
pub struct LoopbackReach {
    /// The parsed file, for the witness's rules and spans.
    pub cfg: Rc<Config>,
    /// Index in [`Config::internals`]: where the attacker connects.
    pub internal: usize,
    /// The request that gets through.
    pub witness: evaluate::Witness,
}

/// danted's file read once for the host-level questions (a host pass asks
/// about several destinations and ports).
pub struct HostView {
    /// The parsed file; `None` when it cannot be read.
    cfg: Option<Rc<Config>>,
    /// See [`HostView::outgoing_addresses`].
    outgoing: Vec<std::net::IpAddr>,
}

/// Reads the unit's file into `db` for [`HostView::local_connect`] and
/// [`HostView::outgoing_addresses`].
pub fn host_view(inputs: &Inputs, limits: Limits, db: &mut SourceDb) -> HostView {
    let mut diags = Vec::new();
    let Some(file) = read_source(db, &mut diags, &inputs.conf, inputs.sysroot, limits) else {
        return HostView {
            cfg: None,
            outgoing: Vec::new(),
        };
    };
    let text = db.text(file);
    let cfg = syntax::parse(file, text);
    let named = cfg.externals.first().and_then(|span| {
        let line = text.get(span.range())?;
        let value = line.split_once(':')?.1;
        value
            .split_whitespace()
            .next()?
            .parse::<std::net::IpAddr>()
            .ok()
    });
    let outgoing = match named {
        Some(ip) => vec![ip],
        None => ["192.0.2.1", "203.0.113.201"]
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
    };
    HostView {
        cfg: Some(Rc::new(cfg)),
        outgoing,
    }
}

impl HostView {
    /// The addresses danted's outgoing connections leave from: the first
    /// `external:` line's address when it names one; otherwise (an
    /// interface or a name) an address of the host relaylint does not know,
    /// stood for by two unrelated documentation addresses, so that a
    /// verdict holds for either. Empty when the file cannot be read.
    pub fn outgoing_addresses(&self) -> Vec<std::net::IpAddr> {
        self.outgoing.clone()
    }

    /// Asks the host-level question: can a client in `attacker` CONNECT to
    /// `port` on `dest` (an address of the host) through this danted
    /// without authentication? Per-unit findings are left to [`analyse`].
    /// `None` also when danted would not start.
    pub fn local_connect(
        &self,
        attacker: &IpSet,
        dest: std::net::IpAddr,
        port: u16,
    ) -> Option<LoopbackReach> {
        let cfg = self.cfg.as_ref()?;
        if !cfg.problems.is_empty() {
            return None;
        }
        let (internal, witness) = Evaluator::new(cfg, attacker).connect_to_host(dest, port)?;
        Some(LoopbackReach {
            cfg: Rc::clone(cfg),
            internal,
            witness,
        })
    }
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
