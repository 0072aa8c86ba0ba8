//! Report writers. Each only renders a finished [`Report`]; none decides or
//! filters.

pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod sarif;
pub mod summary;

use crate::diagnostic::Severity;
use crate::finding::Finding;
use std::collections::{BTreeMap, BTreeSet};

/// The result of a scan.
#[derive(Debug, Default)]
pub struct Report {
    /// Files read.
    pub files: usize,
    /// Units analysed.
    pub units: usize,
    /// Findings, sorted by path, line, column, code.
    pub findings: Vec<Finding>,
    /// Every host scanned (see `host.rs`), with or without findings.
    pub hosts: BTreeSet<String>,
    /// Findings a `--baseline` hid (`None` without a baseline).
    pub baseline_hidden: Option<usize>,
    /// `--statistics`: writers add identical findings grouped across hosts.
    pub statistics: bool,
}

impl Report {
    /// Counts by severity (every severity present, zero included).
    pub fn by_severity(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for s in [Severity::Error, Severity::Warning, Severity::Info] {
            m.insert(
                s.as_str(),
                self.findings.iter().filter(|f| f.severity == s).count(),
            );
        }
        m
    }

    /// Counts by rule code.
    pub fn by_rule(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.code.clone()).or_insert(0) += 1;
        }
        m
    }
}
