//! `--format json`: the JSON report contract of DESIGN.md.
//!
//! ```text
//! { "tool": "relaylint", "version": "0.1.0",
//!   "findings": [ { "code", "name", "severity", "message", "path", "line", "column",
//!                   "end_line", "end_column", "labels": [ {path, line, column, end_line,
//!                   end_column, message, primary} ], "notes", "help", "fingerprint", "host" } ],
//!   "statistics": [ {fingerprint, code, path, line, count, hosts} ]   (with --statistics)
//!   "summary": { "files", "units", "findings", "by_severity": {error, warning, info}, "by_rule": {CODE: n},
//!                "hosts", "hosts_open_relay", "hosts_open_proxy", "open_relay_hosts", "open_proxy_hosts",
//!                "baseline_hidden" (with --baseline), "by_host": {HOST: {findings, error, warning, info,
//!                open_relay, open_proxy}} } }
//! ```
//! Lines and columns are 1-based; columns count Unicode scalar values.
//! `findings` comes before `summary` so that findings can be written as
//! units finish and the summary once the scan is over; the document is the
//! same as pretty-printing the whole report at once.

use super::summary;
use super::Report;
use crate::finding::Finding;
use std::io::{self, Write};

/// Writes through to `out`, indenting every line but the first by `pad`,
/// so that a value pretty-printed into it nests in the document. Values
/// are serialised straight to the output: the summary of a large dump
/// (one entry per host) is never held as text.
struct Nested<'a> {
    out: &'a mut dyn Write,
    pad: &'static [u8],
}

impl Write for Nested<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            let (line, after) = rest.split_at(i + 1);
            self.out.write_all(line)?;
            self.out.write_all(self.pad)?;
            rest = after;
        }
        self.out.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Pretty-prints `value` into `out`, nested by `pad`.
fn write_nested(
    out: &mut dyn Write,
    pad: &'static [u8],
    value: &impl serde::Serialize,
) -> io::Result<()> {
    serde_json::to_writer_pretty(Nested { out, pad }, value).map_err(io::Error::other)
}

/// The document up to the findings array; findings follow as they come.
pub fn write_start(out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        "{{\n  \"tool\": \"relaylint\",\n  \"version\": \"{}\",\n  \"findings\": [",
        env!("CARGO_PKG_VERSION")
    )
}

/// One finding; `index` counts the findings written before it.
pub fn write_finding(index: usize, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    // A finding is small: printed whole, then indented in one pass.
    let text = serde_json::to_string_pretty(f).map_err(io::Error::other)?;
    let sep = if index == 0 { "" } else { "," };
    write!(out, "{sep}\n    {}", text.replace('\n', "\n    "))
}

/// Closes the findings array (`written` findings in it) and writes
/// `statistics` (with `--statistics`) and `summary`.
pub fn write_end(report: &Report, written: usize, out: &mut dyn Write) -> io::Result<()> {
    if written > 0 {
        write!(out, "\n  ")?;
    }
    write!(out, "]")?;
    if report.statistics {
        write!(out, ",\n  \"statistics\": ")?;
        write_nested(out, b"  ", &summary::statistics(report))?;
    }
    write!(out, ",\n  \"summary\": ")?;
    write_nested(out, b"  ", &summary::summarise(report))?;
    writeln!(out, "\n}}")
}

/// Writes the report as one pretty-printed JSON document.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_start(out)?;
    for (i, f) in report.findings.iter().enumerate() {
        write_finding(i, f, out)?;
    }
    write_end(report, report.findings.len(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole document as serde would pretty-print it in one go.
    fn at_once(report: &Report) -> String {
        #[derive(serde::Serialize)]
        struct Wire<'a> {
            tool: &'a str,
            version: &'a str,
            findings: &'a [Finding],
            #[serde(skip_serializing_if = "Option::is_none")]
            statistics: Option<Vec<summary::Group>>,
            summary: summary::Summary,
        }
        let wire = Wire {
            tool: "relaylint",
            version: env!("CARGO_PKG_VERSION"),
            findings: &report.findings,
            statistics: report.statistics.then(|| summary::statistics(report)),
            summary: summary::summarise(report),
        };
        format!("{}\n", serde_json::to_string_pretty(&wire).expect("pretty"))
    }

    #[test]
    fn the_streamed_document_is_the_pretty_printed_one() {
        let mut db = crate::source::SourceDb::new();
        let file = db.add(
            "h/etc/postfix/main.cf".into(),
            "mynetworks = 0/0\n".into(),
            false,
        );
        let d = crate::diagnostic::Diagnostic::new(
            "PF001",
            "open",
            crate::source::Span::new(file, 0..10),
            "here",
        );
        let f = crate::finding::resolve(&db, &d, crate::diagnostic::Severity::Error, false);
        for (findings, statistics) in [(0, false), (0, true), (1, false), (2, true)] {
            let report = Report {
                findings: vec![f.clone(); findings],
                statistics,
                ..Report::default()
            };
            let mut streamed = Vec::new();
            write(&report, &mut streamed).expect("write");
            assert_eq!(String::from_utf8_lossy(&streamed), at_once(&report));
        }
    }
}
