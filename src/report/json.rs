//! `--format json`: the JSON report contract of DESIGN.md.
//!
//! ```text
//! { "tool": "relaylint", "version": "0.1.0",
//!   "summary": { "files", "units", "findings", "by_severity": {error, warning, info}, "by_rule": {CODE: n} },
//!   "findings": [ { "code", "name", "severity", "message", "path", "line", "column",
//!                   "end_line", "end_column", "labels": [ {path, line, column, end_line,
//!                   end_column, message, primary} ], "notes", "help", "fingerprint" } ] }
//! ```
//! Lines and columns are 1-based; columns count Unicode scalar values.

use super::Report;
use crate::finding::Finding;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Serialize)]
struct Summary<'a> {
    files: usize,
    units: usize,
    findings: usize,
    by_severity: BTreeMap<&'a str, usize>,
    by_rule: BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct Wire<'a> {
    tool: &'a str,
    version: &'a str,
    summary: Summary<'a>,
    findings: &'a [Finding],
}

/// Writes the report as one pretty-printed JSON document.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let wire = Wire {
        tool: "relaylint",
        version: env!("CARGO_PKG_VERSION"),
        summary: Summary {
            files: report.files,
            units: report.units,
            findings: report.findings.len(),
            by_severity: report.by_severity(),
            by_rule: report.by_rule(),
        },
        findings: &report.findings,
    };
    serde_json::to_writer_pretty(&mut *out, &wire).map_err(io::Error::other)?;
    writeln!(out)
}
