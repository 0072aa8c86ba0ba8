//! Human output: rustc-style diagnostics (rendered per unit by
//! codespan-reporting), then a one-line summary.

use super::Report;
use std::io::{self, Write};

/// Writes the report.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        out.write_all(f.rendered.as_bytes())?;
    }
    let sev = report.by_severity();
    let n = report.findings.len();
    if n == 0 {
        writeln!(
            out,
            "relaylint: no findings in {} file(s), {} unit(s)",
            report.files, report.units
        )
    } else {
        writeln!(
            out,
            "relaylint: {n} finding(s) in {} file(s), {} unit(s): {} error(s), {} warning(s), {} info",
            report.files,
            report.units,
            sev.get("error").copied().unwrap_or(0),
            sev.get("warning").copied().unwrap_or(0),
            sev.get("info").copied().unwrap_or(0)
        )
    }
}
