//! Every fixture tree under `fixtures/<dialect>/`: relaylint's verdict must be
//! the one the real daemon gave (recorded in `case.toml` and re-checked by
//! the differential suite), and the findings users see are snapshots
//! (human text without colour, and JSON).

mod common;

use common::{case_dirs, codes, daemon_verdict, scan, verdict};
use relaylint::options::Options;
use std::path::PathBuf;

/// Checks every case of `fixtures/<dialect>/` against the daemon's verdict
/// and the snapshots in `tests/snapshots/<dialect>/`.
fn check_fixtures(dialect: &str, at_least: usize) {
    let dir = format!("fixtures/{dialect}");
    let cases = case_dirs(&dir);
    assert!(
        cases.len() >= at_least,
        "expected at least {at_least} fixtures in {dir}, found {}",
        cases.len()
    );
    let mut open = 0;
    for case in &cases {
        let report = scan(std::slice::from_ref(case));
        let codes = codes(&report);
        let expected = daemon_verdict(case);
        assert_eq!(
            verdict(&report),
            expected,
            "{}: relaylint disagrees with the daemon; findings: {codes:?}",
            case.display()
        );
        if expected == "open" {
            open += 1;
        }
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("case")
            .to_string();
        let mut human = Vec::new();
        relaylint::report::human::write(&report, &mut human).expect("human");
        let mut json = Vec::new();
        relaylint::report::json::write(&report, &mut json).expect("json");
        let snapshots = format!("snapshots/{dialect}");
        insta::with_settings!({snapshot_path => snapshots, prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{name}.human"), String::from_utf8_lossy(&human));
            insta::assert_snapshot!(format!("{name}.json"), String::from_utf8_lossy(&json));
        });
    }
    assert!(
        open * 3 >= cases.len(),
        "a third of the {dialect} fixtures should be open ({open} of {})",
        cases.len()
    );
}

#[test]
fn postfix_fixtures_match_the_daemon_and_snapshots() {
    check_fixtures("postfix", 25);
}

#[test]
fn dante_fixtures_match_the_daemon_and_snapshots() {
    check_fixtures("dante", 20);
}

#[test]
fn sendmail_fixtures_match_the_daemon_and_snapshots() {
    check_fixtures("sendmail", 18);
}

#[test]
fn output_is_identical_for_any_number_of_jobs() {
    let roots = vec![PathBuf::from("fixtures/postfix")];
    let one = relaylint::scan(
        &roots,
        &Options {
            jobs: Some(1),
            ..Options::default()
        },
        None,
    )
    .expect("scan");
    let many = relaylint::scan(
        &roots,
        &Options {
            jobs: Some(8),
            ..Options::default()
        },
        None,
    )
    .expect("scan");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    relaylint::report::json::write(&one, &mut a).expect("json");
    relaylint::report::json::write(&many, &mut b).expect("json");
    assert_eq!(a, b);
    assert!(one.units >= 25);
}

#[test]
fn squid_fixtures_match_the_daemon_and_snapshots() {
    check_fixtures("squid", 30);
}
