//! Small corner-case configurations under `tests/corners/`, one Postfix
//! behaviour each (syntax, compatibility levels, master.cf, access results,
//! match lists). Each `case.toml` holds the verdict the real Postfix gave;
//! `.ci/run` starts the daemon on them again with the differential suite.
//! Here relaylint's verdict must equal it.

mod common;

#[test]
fn corner_cases_match_the_daemon() {
    common::check_corner_cases("tests/corners", 100);
}
