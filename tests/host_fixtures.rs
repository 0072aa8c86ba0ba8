//! Host fixtures (`fixtures/host/<case>/`: a Postfix and a Squid or Dante on
//! one machine): relaylint reports SQ013/DN013 exactly where the real
//! daemons, started side by side by `tests/differential/host.py`, relayed a
//! stranger's mail through a proxy tunnel to the local MTA (`verdict` in
//! `case.toml`).

mod common;

use common::{case_dirs, codes, daemon_verdict, scan};

#[test]
fn host_verdicts_match_the_daemons() {
    let cases = case_dirs("fixtures/host");
    assert!(
        cases.len() >= 20,
        "expected at least 8 host fixtures, found {}",
        cases.len()
    );
    let (mut open, mut closed, mut dante) = (0, 0, 0);
    for case in &cases {
        let report = scan(std::slice::from_ref(case));
        let codes = codes(&report);
        let expected = daemon_verdict(case);
        let found = if codes.contains(&"SQ013") || codes.contains(&"DN013") {
            "open"
        } else {
            "closed"
        };
        assert_eq!(
            found,
            expected,
            "{}: relaylint's host verdict disagrees with the daemons; findings: {codes:?}",
            case.display()
        );
        dante += usize::from(case.join("etc/danted.conf").is_file());
        match found {
            "open" => open += 1,
            _ => closed += 1,
        }
    }
    // Both sides of the question are exercised.
    assert!(open >= 3 && closed >= 3, "open {open}, closed {closed}");
    assert!(dante >= 6, "Dante host fixtures: {dante}");
}

/// The finding is proved in both files: the proxy line that lets the tunnel
/// through (primary), and Postfix's trust of loopback (secondary).
#[test]
fn host_finding_has_labels_in_both_files() {
    let report = scan(&["fixtures/host/04-to-localhost-denied-too-late".into()]);
    let f = report
        .findings
        .iter()
        .find(|f| f.code == "SQ013")
        .expect("SQ013 on fixture 04");
    assert!(f.path.ends_with("etc/squid/squid.conf"), "{}", f.path);
    assert_eq!(f.line, 6, "primary label on `http_access allow all`");
    let json = serde_json::to_string(f).expect("json");
    assert!(json.contains("etc/postfix/main.cf"), "{json}");
    assert!(json.contains("to_localhost` deny comes after"), "{json}");
    assert!(json.contains("permit_mynetworks"), "{json}");
}

/// A host pass needs both daemons: either config alone yields no SQ013.
#[test]
fn one_daemon_alone_is_not_a_host_finding() {
    for sub in ["etc/squid", "etc/postfix"] {
        let report = scan(&[format!("fixtures/host/01-allow-all-ssl-ports-with-25/{sub}").into()]);
        assert!(
            !codes(&report).contains(&"SQ013"),
            "{sub}: {:?}",
            codes(&report)
        );
    }
}

/// danted's finding: primary on the socks pass rule, Postfix's trust of
/// danted's outgoing address as a secondary label, the late block called out.
#[test]
fn dante_host_finding_points_at_pass_rule_and_mynetworks() {
    let report = scan(&["fixtures/host/19-dante-block-loopback-after-pass".into()]);
    let f = report
        .findings
        .iter()
        .find(|f| f.code == "DN013")
        .expect("DN013 on fixture 19");
    assert!(f.path.ends_with("etc/danted.conf"), "{}", f.path);
    let json = serde_json::to_string(f).expect("json");
    assert!(json.contains("socks rule that matches"), "{json}");
    assert!(json.contains("comes after the `pass`"), "{json}");
    assert!(json.contains("mynetworks_style"), "{json}");
}

/// Postfix on loopback that trusts only 127.0.0.0/8 is not reached through
/// danted: danted connects from its external address (the daemons agree,
/// fixture 17), while the same Postfix behind Squid is (fixture 01).
#[test]
fn dante_connects_from_its_external_address() {
    let dante = scan(&["fixtures/host/17-dante-open-socks".into()]);
    assert!(!codes(&dante).contains(&"DN013"), "{:?}", codes(&dante));
    let squid = scan(&["fixtures/host/01-allow-all-ssl-ports-with-25".into()]);
    assert!(codes(&squid).contains(&"SQ013"), "{:?}", codes(&squid));
}

/// Garbage in every file of a host gives findings, never a panic, and no
/// host finding (nothing there lets anyone through).
#[test]
fn hostile_host_files_do_not_panic() {
    let root = std::env::temp_dir().join(format!("relaylint-hostile-host-{}", std::process::id()));
    let junk: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (path, extra) in [
        (
            "etc/postfix/main.cf",
            &b"mynetworks = 127.0.0.0/8\n\xff\x00{\n"[..],
        ),
        (
            "etc/postfix/master.cf",
            &b"smtp inet n - y - - smtpd -o\n"[..],
        ),
        (
            "etc/squid/squid.conf",
            &b"http_port [::1\ninclude /etc/squid/*\n"[..],
        ),
        (
            "etc/danted.conf",
            &b"internal: lo port = \nsocks pass {\n"[..],
        ),
    ] {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        let mut bytes = extra.to_vec();
        bytes.extend_from_slice(&junk);
        std::fs::write(&file, bytes).expect("write");
    }
    let report = scan(std::slice::from_ref(&root));
    let found = codes(&report);
    let _ = std::fs::remove_dir_all(&root);
    assert!(!found.is_empty());
    assert!(
        !found.contains(&"SQ013") && !found.contains(&"DN013"),
        "{found:?}"
    );
}
