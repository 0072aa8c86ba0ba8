//! Resolved options: what `scan()` needs, with every default settled.
//! The command line (`cli.rs`) produces these; `scan()` never sees clap.

use crate::diagnostic::Severity;
use crate::dialect::kind::Dialect;
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
    /// Leave each finding's rendered text empty: the report format does
    /// not show it.
    pub unrendered: bool,
    /// `[severity]` of relaylint.toml: selector → severity, in file order.
    pub severity_overrides: Vec<(String, Severity)>,
    /// `exclude` and `[dialects]` of relaylint.toml.
    pub paths: crate::config_file::PathRules,
}

impl Options {
    /// True when a finding with this code is reported.
    pub fn is_selected(&self, code: &str) -> bool {
        let name = registry::lookup(code)
            .map(|m| m.name.as_str())
            .unwrap_or("");
        let hit = |s: &String| registry::selects(s, code, name);
        (self.select.is_empty() || self.select.iter().any(hit)) && !self.ignore.iter().any(hit)
    }

    /// Severity of a code: an override naming the code or the rule wins
    /// over one naming its family (the longest prefix), which wins over the
    /// rule's YAML.
    pub fn severity(&self, code: &str) -> Severity {
        let meta = registry::lookup(code);
        let name = meta.map(|m| m.name.as_str()).unwrap_or("");
        let exact = self
            .severity_overrides
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(code) || s == name);
        let by_family = || {
            self.severity_overrides
                .iter()
                .filter(|(s, _)| registry::selects(s, code, name))
                .max_by_key(|(s, _)| s.len())
        };
        exact
            .or_else(by_family)
            .map(|(_, sev)| *sev)
            .or_else(|| meta.map(|m| m.default_severity()))
            .unwrap_or(Severity::Warning)
    }
}
