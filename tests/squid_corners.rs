//! Small Squid configurations under `tests/squid_corners/`, one behaviour
//! each (syntax, acl values, access-list defaults, listeners). Each
//! `case.toml` holds the verdict the real Squid 5.7 gave when the oracle
//! probed it from an untrusted address; relaylint's verdict must equal it.

mod common;

use common::{case_dirs, codes, daemon_verdict, scan, verdict};

#[test]
fn squid_corner_cases_match_the_daemon() {
    let cases = case_dirs("tests/squid_corners");
    assert!(
        cases.len() >= 60,
        "expected the Squid corner-case corpus, found {}",
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
