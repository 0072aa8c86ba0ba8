//! Small Squid configurations under `tests/squid_corners/`, one behaviour
//! each (syntax, acl values, access-list defaults, listeners). Each
//! `case.toml` holds the verdict the real Squid 5.7 gave when the oracle
//! probed it from an untrusted address; relaylint's verdict must equal it.

mod common;

#[test]
fn squid_corner_cases_match_the_daemon() {
    common::check_corner_cases("tests/squid_corners", 60);
}
