//! Resolved options: what `scan()` needs, with every default settled.
//! The command line (`cli.rs`) produces these; `scan()` never sees clap.

use crate::dialect::kind::Dialect;
use crate::diagnostic::Severity;
use crate::load::Limits;
use crate::registry;
use ipnet::IpNet;
use std::path::PathBuf;

/// Scan options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Worker threads (`None`: all cores).
    pub jobs: Option<usize>,
    /// `--dialect` for explicit files and stdin.
    pub dialect: Option<Dialect>,
    /// `--root`.
    pub root: Option<PathBuf>,
    /// File size cap.
    pub limits: Limits,
    /// `--select` (empty: everything).
    pub select: Vec<String>,
    /// `--ignore`.
    pub ignore: Vec<String>,
    /// Extra trusted networks.
    pub trusted: Vec<IpNet>,
    /// Render human text with ANSI colours.
    pub color: bool,
}

impl Options {
    /// True when a finding with this code is reported.
    pub fn is_selected(&self, code: &str) -> bool {
        let Some(meta) = registry::lookup(code) else { return true };
        let selected = self.select.is_empty() || self.select.iter().any(|s| registry::selects(s, meta));
        selected && !self.ignore.iter().any(|s| registry::selects(s, meta))
    }

    /// Severity of a code (from its YAML).
    pub fn severity(&self, code: &str) -> Severity {
        registry::lookup(code).map(|m| m.default_severity()).unwrap_or(Severity::Warning)
    }
}
