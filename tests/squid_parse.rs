//! The real Squid's own parser against relaylint, on every fixture under
//! `fixtures/squid/`: `squid -k parse` rejects a configuration exactly when
//! relaylint says the daemon refuses to start (SQ002), and a configuration
//! Squid accepts gets neither SQ002 nor a syntax error (RL001).
//!
//! Each fixture is copied to a temporary directory and its `/etc/squid/`
//! paths are pointed at the copy (as the differential suite does), so
//! includes and acl files resolve to the fixture's own files, never to this
//! machine's `/etc/squid`.
//!
//! Squid must be installed (`.ci/install-daemons.sh`). Without it the test
//! fails when `CI` is set and is skipped, with a message, otherwise.

mod common;

use common::{case_dirs, codes, scan};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `squid` binary: on `PATH`, or where Debian puts it.
fn find_squid() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("squid"))
        .find(|p| p.is_file())
}

/// Copies `from` into `to`, replacing `/etc/squid/` in every file under
/// `etc/squid` with the copy's own `etc/squid/`.
fn copy_rewritten(from: &Path, to: &Path, etc_squid: &str) {
    std::fs::create_dir_all(to).expect("create copy directory");
    for entry in std::fs::read_dir(from).expect("read fixture directory") {
        let entry = entry.expect("fixture directory entry");
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if src.is_dir() {
            copy_rewritten(&src, &dst, etc_squid);
        } else {
            let bytes = std::fs::read(&src).expect("read fixture file");
            let text = String::from_utf8_lossy(&bytes);
            let rewritten = if text.contains("/etc/squid/") {
                text.replace("/etc/squid/", etc_squid).into_bytes()
            } else {
                bytes
            };
            std::fs::write(&dst, rewritten).expect("write copy");
        }
    }
}

/// `Ok(())` when Squid accepts the configuration, `Err(its complaint)` when
/// `squid -k parse` exits non-zero or reports a FATAL error.
fn squid_parse(squid: &Path, case: &Path) -> Result<(), String> {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let root = tmp.path().join("root");
    let etc_squid = format!("{}/etc/squid/", root.display());
    copy_rewritten(case, &root, &etc_squid);
    let conf = root.join("etc/squid/squid.conf");
    let out = Command::new(squid)
        .arg("-k")
        .arg("parse")
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", squid.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let fatal: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("FATAL") || l.contains("Bungled") || l.contains("unrecognized"))
        .collect();
    if out.status.success() && fatal.is_empty() {
        Ok(())
    } else {
        Err(format!("{} {}", out.status, fatal.join(" | ")).replace(&etc_squid, "/etc/squid/"))
    }
}

#[test]
fn squid_parse_agrees_with_relaylint_on_every_fixture() {
    let Some(squid) = find_squid() else {
        let why = "squid is not installed (run .ci/install-daemons.sh as root)";
        if std::env::var_os("CI").is_some() {
            panic!("{why}; CI is set, so this test must not be skipped");
        }
        eprintln!("skipping squid_parse: {why}");
        return;
    };
    let cases = case_dirs("fixtures/squid");
    assert!(
        cases.len() >= 30,
        "expected at least 30 fixtures in fixtures/squid, found {}",
        cases.len()
    );
    let mut disagreements = Vec::new();
    let mut rejected = 0;
    for case in &cases {
        let daemon = squid_parse(&squid, case);
        let report = scan(std::slice::from_ref(case));
        let codes = codes(&report);
        let refuses = codes.contains(&"SQ002");
        let syntax = codes.contains(&"RL001");
        match &daemon {
            Err(why) => {
                rejected += 1;
                if !refuses {
                    disagreements.push(format!(
                        "{}: squid -k parse rejects it ({why}) but relaylint reports no SQ002; findings: {codes:?}",
                        case.display()
                    ));
                }
            }
            Ok(()) => {
                if refuses || syntax {
                    disagreements.push(format!(
                        "{}: squid -k parse accepts it but relaylint reports {}; findings: {codes:?}",
                        case.display(),
                        if refuses { "SQ002" } else { "RL001" }
                    ));
                }
            }
        }
    }
    assert!(
        rejected > 0 && rejected < cases.len(),
        "expected some fixtures squid accepts and some it rejects, got {rejected} rejected of {}",
        cases.len()
    );
    assert!(
        disagreements.is_empty(),
        "squid -k parse and relaylint disagree on {} of {} fixtures:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}
