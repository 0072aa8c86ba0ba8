//! Report writers. Each renders a finished [`Report`], and all but HTML
//! also write it in pieces as the findings arrive; none decides or filters.

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

/// A finding as writers get them, for the writers' tests: PF001 with a
/// secondary label.
#[cfg(test)]
pub(crate) fn sample_finding() -> crate::finding::Finding {
    let mut db = crate::source::SourceDb::new();
    let file = db.add(
        "h/etc/postfix/main.cf".into(),
        "mynetworks = 0/0\nrelayhost = x\n".into(),
        false,
    );
    let d = crate::diagnostic::Diagnostic::new(
        "PF001",
        "open",
        crate::source::Span::new(file, 0..10),
        "here",
    )
    .with_label(crate::source::Span::new(file, 17..26), "and here");
    crate::finding::resolve(&db, &d, crate::diagnostic::Severity::Error, false)
}
