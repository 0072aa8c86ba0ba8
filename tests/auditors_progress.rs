//! The progress bar: drawn on stderr when it is a terminal and the scan is
//! long, never with `--no-progress`, never into a pipe (the pipe case is in
//! `auditors_cli.rs`). The terminal is a pseudo-terminal from util-linux
//! `script`; the test is skipped (with a message) where `script` is missing.

use std::path::Path;
use std::process::Command;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

const CLOSED: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 127.0.0.0/8\ninet_interfaces = loopback-only\n";

/// Runs relaylint with its stdout and stderr on a pseudo-terminal; the
/// report goes to a file, so everything captured is what stderr drew.
fn on_terminal(dir: &Path, extra: &str) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("relaylint");
    let cmd = format!(
        "{} check --no-config --output report.json --format json {extra} dump",
        bin.display()
    );
    let out = Command::new("script")
        .current_dir(dir)
        .args(["-qec", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .ok()?;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_long_scan_on_a_terminal_shows_the_bar_unless_told_not_to() {
    let dir = tempfile::tempdir().expect("tmp");
    let units = relaylint::progress::MANY_UNITS + 1;
    for i in 0..units {
        write(
            dir.path(),
            &format!("dump/h{i:03}/etc/postfix/main.cf"),
            CLOSED,
        );
    }
    let Some(drawn) = on_terminal(dir.path(), "") else {
        eprintln!("skipped: util-linux `script` is not available");
        return;
    };
    assert!(
        drawn.contains(&format!("/{units} units")),
        "no bar on the terminal: {drawn:?}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).expect("report"))
            .expect("JSON");
    assert_eq!(report["summary"]["units"].as_u64(), Some(units as u64));

    let quiet = on_terminal(dir.path(), "--no-progress").expect("script ran before");
    assert!(!quiet.contains("units"), "{quiet:?}");
}

#[test]
fn a_short_scan_on_a_terminal_draws_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "dump/h1/etc/postfix/main.cf", CLOSED);
    let Some(drawn) = on_terminal(dir.path(), "") else {
        eprintln!("skipped: util-linux `script` is not available");
        return;
    };
    assert!(!drawn.contains("units"), "{drawn:?}");
}
