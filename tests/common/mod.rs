//! Helpers shared by the integration tests that compare relaylint's verdict
//! with the real daemon's: reading a case folder and turning findings into
//! a verdict the way the differential suite does.

#![allow(dead_code)]

use relaylint::options::Options;
use relaylint::report::Report;
use std::path::{Path, PathBuf};

/// The sub-folders of `dir`, sorted.
pub fn case_dirs(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The `verdict` of a case's `case.toml`: what the real daemon did.
pub fn daemon_verdict(case: &Path) -> String {
    let text = std::fs::read_to_string(case.join("case.toml"))
        .unwrap_or_else(|e| panic!("{}: case.toml: {e}", case.display()));
    text.lines()
        .find_map(|l| {
            l.trim().strip_prefix("verdict").map(|r| {
                r.trim()
                    .trim_start_matches('=')
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
        })
        .unwrap_or_else(|| panic!("{}: case.toml has no verdict", case.display()))
}

/// relaylint's verdict: `open` when a dialect's open-relay/open-proxy rule
/// fired (PF001, SQ001, DN001, SM001), else `refuses-to-start` when a
/// dialect's refuses-to-start rule fired (PF003, SQ002, DN002, SM002), else
/// `closed`.
pub fn verdict(report: &Report) -> &'static str {
    let has = |codes: &[&str]| {
        report
            .findings
            .iter()
            .any(|f| codes.contains(&f.code.as_str()))
    };
    if has(&["PF001", "SQ001", "DN001", "SM001"]) {
        "open"
    } else if has(&["PF003", "SQ002", "DN002", "SM002"]) {
        "refuses-to-start"
    } else {
        "closed"
    }
}

/// Scans paths with default options.
pub fn scan(paths: &[PathBuf]) -> Report {
    relaylint::scan(paths, &Options::default(), None).expect("scan")
}

/// The codes of a report, in order.
pub fn codes(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Checks every case folder of `dir` (at least `at_least` of them):
/// relaylint's verdict must equal the daemon's recorded in `case.toml`.
/// All disagreements are listed at once.
pub fn check_corner_cases(dir: &str, at_least: usize) {
    let cases = case_dirs(dir);
    assert!(
        cases.len() >= at_least,
        "expected at least {at_least} corner cases in {dir}, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let report = scan(std::slice::from_ref(case));
        let got = verdict(&report);
        let want = daemon_verdict(case);
        if got != want {
            failures.push(format!(
                "{}: daemon {want}, relaylint {got} ({:?})",
                case.display(),
                codes(&report)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
