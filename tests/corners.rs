//! Small corner-case configurations under `tests/corners/`, one Postfix
//! behaviour each (syntax, compatibility levels, master.cf, access results,
//! match lists). Each `case.toml` holds the verdict the real Postfix gave;
//! `.ci/run` starts the daemon on them again with the differential suite.
//! Here relaylint's verdict must equal it.

mod common;

use common::{case_dirs, codes, daemon_verdict, scan, verdict};

#[test]
fn corner_cases_match_the_daemon() {
    let cases = case_dirs("tests/corners");
    assert!(
        cases.len() >= 100,
        "expected the corner-case corpus, found {}",
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
