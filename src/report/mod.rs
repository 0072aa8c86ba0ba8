//! Report writers. Each only renders a finished [`Report`]; none decides or
//! filters.

pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod sarif;
pub mod summary;

use crate::finding::Finding;
use std::collections::BTreeSet;

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
    /// Counts kept while the findings were streamed out; when set, the
    /// summary and the statistics come from it, not from `findings`.
    pub tally: Option<summary::Tally>,
}
