//! `--format json`: the JSON report contract of DESIGN.md.
//!
//! ```text
//! { "tool": "relaylint", "version": "0.1.0",
//!   "summary": { "files", "units", "findings", "by_severity": {error, warning, info}, "by_rule": {CODE: n},
//!                "hosts", "hosts_open_relay", "hosts_open_proxy", "open_relay_hosts", "open_proxy_hosts",
//!                "baseline_hidden" (with --baseline), "by_host": {HOST: {findings, error, warning, info,
//!                open_relay, open_proxy}} },
//!   "statistics": [ {fingerprint, code, path, line, count, hosts} ]   (with --statistics)
//!   "findings": [ { "code", "name", "severity", "message", "path", "line", "column",
//!                   "end_line", "end_column", "labels": [ {path, line, column, end_line,
//!                   end_column, message, primary} ], "notes", "help", "fingerprint", "host" } ] }
//! ```
//! Lines and columns are 1-based; columns count Unicode scalar values.

use super::summary::{self, Group, Summary};
use super::Report;
use crate::finding::Finding;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Wire<'a> {
    tool: &'a str,
    version: &'a str,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<Vec<Group>>,
    findings: &'a [Finding],
}

/// Writes the report as one pretty-printed JSON document.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let wire = Wire {
        tool: "relaylint",
        version: env!("CARGO_PKG_VERSION"),
        summary: summary::summarise(report),
        statistics: report.statistics.then(|| summary::statistics(report)),
        findings: &report.findings,
    };
    serde_json::to_writer_pretty(&mut *out, &wire).map_err(io::Error::other)?;
    writeln!(out)
}
