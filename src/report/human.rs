//! Human output: rustc-style diagnostics (rendered per unit by
//! codespan-reporting), then the summary: counts by severity, hosts with an
//! open relay or proxy, findings by rule, what a baseline hid, and with
//! `--statistics` the findings shared by several hosts.

use super::summary::{self, Summary};
use super::Report;
use crate::finding::Finding;
use std::io::{self, Write};

fn host_list(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}

fn write_summary(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let count = |k: &str| s.by_severity.get(k).copied().unwrap_or(0);
    if s.findings == 0 {
        writeln!(
            out,
            "relaylint: no findings in {} file(s), {} unit(s)",
            s.files, s.units
        )?;
    } else {
        writeln!(
            out,
            "relaylint: {} finding(s) in {} file(s), {} unit(s): {} error(s), {} warning(s), {} info",
            s.findings,
            s.files,
            s.units,
            count("error"),
            count("warning"),
            count("info")
        )?;
        let rules: Vec<String> = s.by_rule.iter().map(|(c, n)| format!("{c} {n}")).collect();
        writeln!(out, "relaylint: by rule: {}", rules.join(", "))?;
    }
    write!(
        out,
        "relaylint: {} host(s) scanned, {} with an open relay, {} with an open proxy",
        s.hosts, s.hosts_open_relay, s.hosts_open_proxy
    )?;
    writeln!(out)?;
    if !s.open_relay_hosts.is_empty() {
        writeln!(
            out,
            "relaylint: open relay: {}",
            host_list(&s.open_relay_hosts)
        )?;
    }
    if !s.open_proxy_hosts.is_empty() {
        writeln!(
            out,
            "relaylint: open proxy: {}",
            host_list(&s.open_proxy_hosts)
        )?;
    }
    if let Some(n) = s.baseline_hidden {
        writeln!(out, "relaylint: the baseline hid {n} finding(s)")?;
    }
    Ok(())
}

/// One finding, as soon as it is known.
pub fn write_finding(f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(f.rendered.as_bytes())
}

/// Writes the report.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        write_finding(f, out)?;
    }
    write_end(report, out)
}

/// What follows the findings: `--statistics` and the summary.
pub fn write_end(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.statistics {
        let groups = summary::statistics(report);
        writeln!(
            out,
            "relaylint: statistics: {} distinct finding(s) (same code, path under the host's root and decisive line)",
            groups.len()
        )?;
        for g in &groups {
            writeln!(
                out,
                "  {:>4} x {} {} `{}` [{}] on {} host(s): {}",
                g.count,
                g.code,
                g.path,
                g.line,
                g.fingerprint,
                g.hosts.len(),
                host_list(&g.hosts)
            )?;
        }
    }
    write_summary(&summary::summarise(report), out)
}
