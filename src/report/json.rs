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

/// The document's pretty layout (two spaces per level) for a value that
/// starts `depth` levels deep: its own lines are indented as if the whole
/// report were pretty-printed at once. Values are serialised straight to
/// the output, so the summary of a large dump (one entry per host) is
/// never held as text, and a finding needs no second pass to indent it.
pub(super) struct Nested {
    depth: usize,
    /// Whether the innermost open array or object has a value yet (its
    /// closing bracket then goes on a line of its own).
    has_value: bool,
}

impl Nested {
    pub(super) fn at(depth: usize) -> Nested {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.new_line(out)?;
        }
        out.write_all(bracket)
    }

    fn new_line<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(b"\n")?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    pub(super) fn item<W: ?Sized + Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        self.new_line(out)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Pretty-prints `value` into `out` as a value `depth` levels deep.
pub(super) fn write_nested<W: Write>(
    out: W,
    depth: usize,
    value: &impl serde::Serialize,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Nested::at(depth));
    value.serialize(&mut ser).map_err(io::Error::other)
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
    // A finding is small: laid out in a buffer, written in one call.
    let mut text = Vec::with_capacity(2048);
    // The findings array's own separator and line, at the finding's depth.
    Nested::at(2).item(&mut text, index == 0)?;
    write_nested(&mut text, 2, f)?;
    out.write_all(&text)
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
        write_nested(&mut *out, 1, &summary::statistics(report))?;
    }
    write!(out, ",\n  \"summary\": ")?;
    write_nested(&mut *out, 1, &summary::summarise(report))?;
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

    /// A value laid out `depth` levels deep reads as serde_json's pretty
    /// printer's output with every line but the first indented by that
    /// many levels: empty and nested arrays and objects, strings holding
    /// escaped line breaks.
    #[test]
    fn nested_layout_is_the_pretty_layout_indented() {
        let values = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!({"a": [], "b": {}, "c": [1, [2, []], {"d": "x\ny"}], "e": null}),
            serde_json::json!([{"k": [{"m": {}}]}, "s", 3.5, true]),
        ];
        for value in &values {
            for depth in 0..3 {
                let mut out = Vec::new();
                write_nested(&mut out, depth, value).expect("write");
                let pad = "  ".repeat(depth);
                let expected = serde_json::to_string_pretty(value)
                    .expect("pretty")
                    .replace('\n', &format!("\n{pad}"));
                assert_eq!(String::from_utf8(out).expect("utf-8"), expected);
            }
        }
    }

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
        let f = super::super::sample_finding();
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
