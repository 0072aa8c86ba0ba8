//! The command-line contract: subcommands, formats, selection, exit codes,
//! and the files a dump may hold that must never stop a scan.

use assert_cmd::Command;
use std::path::Path;

fn relaylint() -> Command {
    let mut c = Command::cargo_bin("relaylint").expect("binary");
    c.env_remove("NO_COLOR");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

const OPEN: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
const CLOSED: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 127.0.0.0/8\ninet_interfaces = loopback-only\n";

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("valid JSON")
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The JSON report of `relaylint check --format json [extra...] PATH`,
/// which must exit with `code`.
fn report_of(path: &Path, extra: &[&str], code: i32) -> serde_json::Value {
    let out = relaylint()
        .args(["check", "--format", "json"])
        .args(extra)
        .arg(path)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    json(&out)
}

/// A field of every finding with `code`.
fn field_of<'v>(v: &'v serde_json::Value, code: &str, field: &str) -> Vec<&'v str> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == code)
        .filter_map(|f| f[field].as_str())
        .collect()
}

#[test]
fn open_relay_exits_1_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", OPEN);
    let out = relaylint()
        .args(["check", "--color", "never"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains(
            "error[PF001]: untrusted clients can relay mail through `smtpd` on `smtp` (port 25)"
        ),
        "{text}"
    );
    assert!(text.contains("mynetworks = 0.0.0.0/0"), "{text}");
    assert!(text.contains("help:"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour with --color never");
}

#[test]
fn json_contract() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", OPEN);
    let out = relaylint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["tool"], "relaylint");
    assert_eq!(v["summary"]["units"], 1);
    assert_eq!(v["summary"]["by_rule"]["PF001"], 1);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PF001")
        .unwrap();
    assert_eq!(f["name"], "postfix-open-relay");
    assert_eq!(f["severity"], "error");
    // Primary label: the `permit_mynetworks` that lets the attacker through.
    assert_eq!(f["line"], 4);
    assert_eq!(f["column"], 28);
    assert_eq!(f["end_column"], 45);
    let secondary: Vec<_> = f["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["primary"] == false)
        .collect();
    assert!(
        secondary
            .iter()
            .any(|l| l["line"] == 3 && l["column"] == 14),
        "mynetworks entry is a secondary label"
    );
    assert!(f["path"].as_str().unwrap().ends_with("etc/postfix/main.cf"));
    assert!(f["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["primary"] == true));
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", CLOSED);
    relaylint()
        .args(["check", "--fail-on", "warning"])
        .arg(dir.path())
        .assert()
        .code(0);
    let open = tempfile::tempdir().unwrap();
    write(open.path(), "etc/postfix/main.cf", OPEN);
    relaylint()
        .args(["check", "--fail-on", "never"])
        .arg(open.path())
        .assert()
        .code(0);
    relaylint()
        .args(["check", "--fail-on", "error"])
        .arg(open.path())
        .assert()
        .code(1);
    relaylint()
        .args(["check", "--fail-on", "bogus"])
        .arg(open.path())
        .assert()
        .code(2);
    relaylint()
        .args(["check", "does/not/exist"])
        .assert()
        .code(2);
}

#[test]
fn select_and_ignore_by_code_prefix_and_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", OPEN);
    let run = |args: &[&str]| {
        let out = relaylint()
            .args(["check", "--format", "json", "--fail-on", "never"])
            .args(args)
            .arg(dir.path())
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        codes(&json(&out))
    };
    assert_eq!(run(&["--select", "PF001"]), ["PF001"]);
    assert!(run(&["--ignore", "postfix-open-relay"])
        .iter()
        .all(|c| c != "PF001"));
    assert!(run(&["--select", "PF"]).iter().all(|c| c.starts_with("PF")));
    relaylint()
        .args(["check", "--select", "XX999"])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn stdin_needs_a_dialect() {
    relaylint()
        .args(["check", "-"])
        .write_stdin(OPEN)
        .assert()
        .code(2);
    let out = relaylint()
        .args([
            "check",
            "--dialect",
            "postfix-main",
            "--format",
            "json",
            "-",
        ])
        .write_stdin(OPEN)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(codes(&json(&out)).contains(&"PF001".to_string()));
    relaylint()
        .args(["check", "--dialect", "nonsense", "-"])
        .write_stdin(OPEN)
        .assert()
        .code(2);
}

#[test]
fn flat_dumps_are_recognised_by_name_and_content() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "host1-main.cf", OPEN);
    write(dir.path(), "postconf-n.txt", OPEN);
    write(dir.path(), "notes.txt", "nothing to see\n");
    let out = relaylint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["summary"]["units"], 2);
    assert_eq!(codes(&v).iter().filter(|c| *c == "PF001").count(), 2);
}

/// Postfix reads only main.cf and master.cf in its folder: a file beside
/// them that looks like main.cf (a saved `postconf -n`, an edited copy) is
/// not an instance of its own, whether the scan starts at the host, at
/// `etc` or at the folder itself. The same file elsewhere is still
/// recognised by its content.
#[test]
fn files_beside_a_daemons_own_config_are_not_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mx1/etc/postfix/main.cf", CLOSED);
    write(dir.path(), "mx1/etc/postfix/main.cf.custom", OPEN);
    write(dir.path(), "mx1/etc/postfix/saved/postconf.txt", OPEN);
    write(
        dir.path(),
        "mx1/etc/squid/squid.conf",
        "http_port 3128\nhttp_access deny all\n",
    );
    write(dir.path(), "mx1/etc/squid/conf.d/postconf.txt", OPEN);
    write(dir.path(), "mx1/root/postconf-n.txt", OPEN);
    for start in ["", "mx1", "mx1/etc", "mx1/etc/postfix"] {
        let v = report_of(&dir.path().join(start), &["--fail-on", "never"], 0);
        let paths = field_of(&v, "PF001", "path");
        let expected: &[&str] = if start.starts_with("mx1/etc") {
            &[]
        } else {
            &["postconf-n.txt"]
        };
        assert_eq!(paths.len(), expected.len(), "{start}: {paths:?}");
        for (p, e) in paths.iter().zip(expected) {
            assert!(p.ends_with(e), "{start}: {p}");
        }
    }
}

/// Every smtpd listener gets its own verdict: the ones without `-o`
/// overrides share main.cf's (worked out once), one with overrides between
/// them is judged on its own.
#[test]
fn listeners_with_and_without_overrides_get_their_own_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", OPEN);
    write(
        dir.path(),
        "etc/postfix/master.cf",
        "smtp      inet  n       -       y       -       -       smtpd\n\
         2525      inet  n       -       y       -       -       smtpd\n  -o mynetworks=127.0.0.0/8\n\
         2626      inet  n       -       y       -       -       smtpd\n",
    );
    let v = report_of(dir.path(), &[], 1);
    let open = field_of(&v, "PF001", "message");
    assert_eq!(open.len(), 2, "{open:?}");
    assert!(open.iter().any(|m| m.contains("`2626`")), "{open:?}");
    assert!(open.iter().any(|m| m.contains("`smtp`")), "{open:?}");
    assert!(!open.iter().any(|m| m.contains("2525")), "{open:?}");
}

#[test]
fn explicit_file_of_unknown_dialect_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", "nothing to see\n");
    let out = relaylint()
        .args(["check", "--format", "json"])
        .arg(dir.path().join("notes.txt"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(codes(&json(&out)), ["RL008"]);
    // In a folder, the same file is skipped silently.
    relaylint().args(["check"]).arg(dir.path()).assert().code(0);
}

#[test]
fn hostile_files_do_not_stop_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "h1/etc/postfix/main.cf", OPEN);
    // Invalid UTF-8 in a unit of its own.
    let bad = root.join("h2/etc/postfix/main.cf");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, b"# caf\xe9 \xff\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\ncompatibility_level = 3.6\n").unwrap();
    // A table that points outside the root through a symlink.
    write(root, "h3/etc/postfix/main.cf", "compatibility_level = 3.6\nsmtpd_relay_restrictions = check_client_access cidr:/etc/postfix/clients, reject_unauth_destination\n");
    std::os::unix::fs::symlink("/etc/passwd", root.join("h3/etc/postfix/clients")).unwrap();
    // A FIFO named like a config: never opened.
    let fifo = root.join("h4/etc/postfix/main.cf");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // A symlink loop.
    std::os::unix::fs::symlink("loop-b", root.join("h5-loop-a")).unwrap();
    std::os::unix::fs::symlink("h5-loop-a", root.join("loop-b")).unwrap();
    // An oversized file.
    write(root, "h6/etc/postfix/main.cf", &OPEN.repeat(100));

    let out = relaylint()
        .args(["check", "--format", "json", "--max-file-size", "2000"])
        .arg(root)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    let c = codes(&v);
    let paths = |code: &str| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(paths("PF001").iter().any(|p| p.contains("h1")), "{c:?}");
    assert!(paths("RL006").iter().any(|p| p.contains("h2")), "{c:?}");
    assert!(
        paths("PF001").iter().any(|p| p.contains("h2")),
        "lossy file still analysed: {c:?}"
    );
    assert!(
        c.contains(&"RL005".to_string()),
        "symlink leaving the root: {c:?}"
    );
    assert!(paths("RL007").iter().any(|p| p.contains("h4")), "{c:?}");
    assert!(paths("RL003").iter().any(|p| p.contains("h6")), "{c:?}");
    assert!(
        paths("RL002").iter().any(|p| p.contains("loop")),
        "symlink loop: {c:?}"
    );
}

#[test]
fn rules_and_explain() {
    let out = relaylint()
        .args(["rules", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "PF001" && r["name"] == "postfix-open-relay"));
    let text = relaylint()
        .args(["rules"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&text).contains("PF001"));
    let ex = relaylint()
        .args(["explain", "postfix-open-relay"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let ex = String::from_utf8_lossy(&ex);
    assert!(ex.starts_with("PF001 postfix-open-relay"), "{ex}");
    assert!(ex.contains("Example 1: bad"));
    relaylint().args(["explain", "XX000"]).assert().code(2);
}

#[test]
fn output_file_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", OPEN);
    let report = dir.path().join("report.json");
    relaylint()
        .args(["check", "--format", "json", "--output"])
        .arg(&report)
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout("");
    assert!(
        json(&std::fs::read(&report).unwrap())["summary"]["findings"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let out = relaylint()
        .args(["check", "--color", "always"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(out.contains(&0x1b), "ANSI colours with --color always");
}

#[test]
fn backups_and_prototypes_are_not_units() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", CLOSED);
    write(dir.path(), "etc/postfix/main.cf.dpkg-old", OPEN);
    write(dir.path(), "etc/postfix/main.cf.proto", OPEN);
    write(dir.path(), "etc/postfix/main.cf~", OPEN);
    let out = relaylint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["summary"]["units"], 1);
    // Named explicitly, a copy is analysed.
    relaylint()
        .args(["check", "--dialect", "postfix-main"])
        .arg(dir.path().join("etc/postfix/main.cf.dpkg-old"))
        .assert()
        .code(1);
}
