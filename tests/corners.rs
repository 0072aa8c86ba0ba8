//! Small corner-case configurations under `tests/corners/`, one Postfix
//! behaviour each (syntax, compatibility levels, master.cf, access results,
//! match lists). Each `case.toml` holds the verdict the real Postfix gave;
//! `.ci/run` starts the daemon on them again with the differential suite.
//! Here relaylint's verdict must equal it.

use relaylint::options::Options;
use std::path::{Path, PathBuf};

fn verdict_of(case: &Path) -> String {
    let text = std::fs::read_to_string(case.join("case.toml"))
        .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
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
        .unwrap_or_else(|| panic!("{}: no verdict", case.display()))
}

#[test]
fn corner_cases_match_the_daemon() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir("tests/corners")
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    assert!(
        cases.len() >= 100,
        "expected the corner-case corpus, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let report =
            relaylint::scan(std::slice::from_ref(case), &Options::default(), None).expect("scan");
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
        let got = if codes.contains(&"PF001") {
            "open"
        } else if codes.contains(&"PF003") {
            "refuses-to-start"
        } else {
            "closed"
        };
        let want = verdict_of(case);
        if got != want {
            failures.push(format!(
                "{}: daemon {want}, relaylint {got} ({codes:?})",
                case.display()
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
