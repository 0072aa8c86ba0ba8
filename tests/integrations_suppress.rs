//! Inline suppressions, dialect by dialect: where a comment applies
//! (its line, the next logical line with its continuation lines, the whole
//! file), the comment syntax of each daemon, and the RL009/RL010 reports.
//! Squid, Dante and Sendmail texts go through `suppress::apply` with
//! hand-made diagnostics, since suppression needs no analysis.

use assert_cmd::Command;
use relaylint::diagnostic::Diagnostic;
use relaylint::source::{SourceDb, Span};
use relaylint::suppress;
use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// The findings of `relaylint check --format json ARGS .` run in `dir`.
fn findings(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = Command::cargo_bin("relaylint")
        .expect("binary")
        .current_dir(dir)
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .args(args)
        .arg(".")
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["findings"].as_array().expect("findings").clone()
}

/// `(code, line)` of every finding of a scan of `main.cf`.
fn postfix(main_cf: &str, args: &[&str]) -> Vec<(String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", main_cf);
    findings(dir.path(), args)
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn has(found: &[(String, u64)], code: &str, line: u64) -> bool {
    found.iter().any(|(c, l)| c == code && *l == line)
}

const HEAD: &str =
    "compatibility_level = 3.6\nmyhostname = mx.example.com\nmydomain = example.com\n";

#[test]
fn a_comment_above_silences_the_next_line_only() {
    let bare = format!("{HEAD}mynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n");
    let before = postfix(&bare, &[]);
    assert!(has(&before, "PF002", 4), "{before:?}");
    assert!(has(&before, "PF001", 5), "{before:?}");
    let text = format!("{HEAD}# relaylint: disable=PF002 -- lab network, firewalled\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n");
    let after = postfix(&text, &[]);
    assert!(!after.iter().any(|(c, _)| c == "PF002"), "{after:?}");
    assert!(has(&after, "PF001", 6), "the next line only: {after:?}");
    assert!(!after.iter().any(|(c, _)| c.starts_with("RL")), "{after:?}");
    // A blank after a comma is fine.
    let spaced = postfix(&text.replace("PF002 --", "PF002, PF001 --"), &[]);
    assert!(!spaced.iter().any(|(c, _)| c == "PF002"), "{spaced:?}");
}

#[test]
fn names_and_families_work_and_stacked_comments_reach_the_line() {
    let text = format!("{HEAD}# relaylint: disable=postfix-mynetworks-untrusted -- lab\n# relaylint: disable=PF -- lab\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n");
    let found = postfix(&text, &[]);
    // The family comment covers the mynetworks line (PF002), so it is used;
    // PF001 sits on the next line and stays.
    assert!(!found.iter().any(|(c, _)| c == "PF002"), "{found:?}");
    assert!(has(&found, "PF001", 7), "{found:?}");
}

#[test]
fn continuation_lines_belong_to_the_logical_line() {
    // The offending network is on the third physical line of the value.
    let text = format!("{HEAD}# relaylint: disable=PF002 -- partner network\nmynetworks = 127.0.0.0/8,\n    10.0.0.0/8,\n    0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n");
    let bare = postfix(
        &text.replace("# relaylint: disable=PF002 -- partner network\n", ""),
        &[],
    );
    assert!(has(&bare, "PF002", 6), "{bare:?}");
    let found = postfix(&text, &[]);
    assert!(!found.iter().any(|(c, _)| c == "PF002"), "{found:?}");
    assert!(!found.iter().any(|(c, _)| c == "RL010"), "{found:?}");
}

#[test]
fn disable_file_silences_a_code_everywhere_in_the_file() {
    let text = format!("{HEAD}mynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n# relaylint: disable-file=PF001,PF002 -- honeypot, relaying is the point\n");
    let found = postfix(&text, &[]);
    assert_eq!(found, [("PF011".to_string(), 1)]);
}

#[test]
fn a_missing_reason_is_reported_and_the_suppression_still_applies() {
    let text = format!("{HEAD}# relaylint: disable=PF002\nmynetworks = 0.0.0.0/0\n");
    let found = postfix(&text, &[]);
    assert!(has(&found, "RL009", 4), "{found:?}");
    assert!(!found.iter().any(|(c, _)| c == "PF002"), "{found:?}");
    let empty = postfix(
        &format!("{HEAD}# relaylint: disable=PF002 --\nmynetworks = 0.0.0.0/0\n"),
        &[],
    );
    assert!(has(&empty, "RL009", 4), "an empty reason: {empty:?}");
}

#[test]
fn unknown_codes_and_malformed_comments_are_rl009() {
    for comment in [
        "# relaylint: disable=PF999 -- typo",
        "# relaylint: disable=PF002 PF001 -- no comma",
        "# relaylint: enable=PF002 -- wrong verb",
        "# relaylint: disable= -- nothing",
    ] {
        let found = postfix(&format!("{HEAD}{comment}\nmynetworks = 127.0.0.0/8\n"), &[]);
        assert!(has(&found, "RL009", 4), "{comment}: {found:?}");
    }
}

#[test]
fn a_suppression_that_silences_nothing_is_rl010() {
    let text = format!(
        "{HEAD}# relaylint: disable=PF002,PF008 -- partner network\nmynetworks = 0.0.0.0/0\n"
    );
    let found = postfix(&text, &[]);
    assert_eq!(
        found.iter().filter(|(c, _)| c == "RL010").count(),
        1,
        "PF008 silenced nothing, PF002 did: {found:?}"
    );
    // Selection does not make a suppression look unused, and RL010 can be
    // left out like any rule.
    let selected = postfix(&text, &["--select", "PF008,RL010"]);
    assert!(has(&selected, "RL010", 4), "{selected:?}");
    let only_pf = postfix(&text, &["--select", "PF"]);
    assert!(!only_pf.iter().any(|(c, _)| c == "RL010"), "{only_pf:?}");
    let ignored = postfix(&text, &["--ignore", "RL010"]);
    assert!(!ignored.iter().any(|(c, _)| c == "RL010"), "{ignored:?}");
}

#[test]
fn a_trailing_comment_is_not_a_comment_in_main_cf() {
    // Postfix reads `# ...` after a value as part of the value: it cannot
    // suppress anything there.
    let text = format!("{HEAD}mynetworks = 0.0.0.0/0 # relaylint: disable=PF002 -- lab\n");
    let found = postfix(&text, &[]);
    assert!(found.iter().any(|(c, _)| c == "PF002"), "{found:?}");
}

/// Applies suppressions to one fake diagnostic per `(code, line)` in a
/// one-file unit; returns what is left as `(code, line)`.
fn apply(file: &str, text: &str, findings: &[(&'static str, usize)]) -> Vec<(String, u32)> {
    let mut db = SourceDb::new();
    let id = db.add(file.into(), text.into(), false);
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let diags = findings
        .iter()
        .map(|(code, line)| {
            let at = starts[line - 1];
            Diagnostic::new(code, "finding", Span::new(id, at..at + 1), "here")
        })
        .collect();
    suppress::apply(&db, diags)
        .into_iter()
        .map(|d| {
            (
                d.code.to_string(),
                db.line_col(d.primary.span.file, d.primary.span.start).line,
            )
        })
        .collect()
}

#[test]
fn squid_backslash_continuations() {
    let conf = "http_port 3128\n# relaylint: disable=RL001 -- checked by hand\nacl lan src \\\n  10.0.0.0/8 \\\n  192.168.0.0/16\nhttp_access allow lan\n";
    assert_eq!(
        apply("etc/squid/squid.conf", conf, &[("RL001", 5), ("RL001", 6)]),
        [("RL001".to_string(), 6)]
    );
    // Indented lines do not continue a Squid line.
    let indented =
        "# relaylint: disable=RL001 -- checked\nacl lan src 10.0.0.0/8\n  http_access allow lan\n";
    assert_eq!(
        apply("squid.conf", indented, &[("RL001", 3)]).len(),
        2,
        "RL001 stays, RL010 added"
    );
}

#[test]
fn dante_trailing_comments_cover_their_line() {
    let conf = "logoutput: syslog\ninternal: eth0 port = 1080\nclient pass {\n  from: 0.0.0.0/0 to: 0.0.0.0/0 # relaylint: disable=RL001 -- lab proxy\n}\n";
    assert!(apply("etc/danted.conf", conf, &[("RL001", 4)]).is_empty());
    let above = "internal: eth0 port = 1080\nclient pass {\n  # relaylint: disable=RL001 -- lab proxy\n  from: 0.0.0.0/0 to: 0.0.0.0/0\n}\n";
    assert!(apply("sockd.conf", above, &[("RL001", 4)]).is_empty());
    assert_eq!(apply("sockd.conf", above, &[("RL001", 5)]).len(), 2);
}

#[test]
fn sendmail_mc_uses_dnl() {
    let mc = "VERSIONID(`x')dnl\nOSTYPE(`linux')dnl\ndnl relaylint: disable=RL001 -- migration\nFEATURE(`promiscuous_relay')dnl\n";
    assert!(apply("etc/mail/sendmail.mc", mc, &[("RL001", 4)]).is_empty());
    // `#` is not how a suppression is written in an .mc file.
    let hash = mc.replace("dnl relaylint", "# relaylint");
    assert_eq!(
        apply("etc/mail/sendmail.mc", &hash, &[("RL001", 4)]).len(),
        1
    );
}

#[test]
fn suppression_codes_cannot_silence_themselves() {
    let text = "# relaylint: disable-file=RL010,RL009 -- no\n";
    let left = apply("etc/postfix/main.cf", text, &[]);
    assert_eq!(
        left.iter().filter(|(c, _)| c == "RL010").count(),
        2,
        "{left:?}"
    );
}

#[test]
fn any_text_is_safe() {
    for text in [
        "# relaylint:",
        "# relaylint: disable=",
        "# relaylint: disable=,,, -- x",
        "#relaylint:disable=PF001 --",
        "dnl relaylint: disable=PF001 -- ü\\",
        "  \\\n\\\n# relaylint: disable=PF001 -- r\n\\",
        "\u{feff}# relaylint: disable-file=PF -- é",
    ] {
        for name in ["main.cf", "squid.conf", "sockd.conf", "x.mc", "-"] {
            let _ = apply(name, text, &[("PF001", 1)]);
        }
    }
}

/// `(code, file name, line)` of every finding of a scan of a copy of the
/// host fixture `case`, after `edit` changed the copy.
fn host_case(case: &str, edit: impl Fn(&Path)) -> Vec<(String, String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/host")
        .join(case);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(&from).expect("inside");
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            write(dir.path(), &rel.to_string_lossy(), &text);
        }
    }
    edit(dir.path());
    findings(dir.path(), &[])
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("");
            let name = path.rsplit('/').next().unwrap_or("").to_string();
            (
                f["code"].as_str().unwrap_or("").to_string(),
                name,
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// Puts `comment` on a line of its own before line `line` of `rel`.
fn comment_before(dir: &Path, rel: &str, line: usize, comment: &str) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(line - 1, comment);
    std::fs::write(&p, lines.join("\n") + "\n").expect("write");
}

fn count(found: &[(String, String, u64)], code: &str) -> usize {
    found.iter().filter(|(c, _, _)| c == code).count()
}

#[test]
fn a_host_finding_is_silenced_in_the_proxy_file_and_the_suppression_counts_as_used() {
    // Each fixture's host finding, in the proxy's file.
    for (case, proxy_file, code, line) in [
        (
            "01-allow-all-ssl-ports-with-25",
            "etc/squid/squid.conf",
            "SQ013",
            6,
        ),
        ("18-dante-block-lo-first", "etc/danted.conf", "DN013", 18),
    ] {
        let name = proxy_file.rsplit('/').next().unwrap_or("");
        let plain = host_case(case, |_| {});
        assert!(
            plain
                .iter()
                .any(|(c, f, l)| c == code && f == name && *l == line),
            "{case}: {plain:?}"
        );
        let comment = format!("# relaylint: disable={code} -- reviewed");
        let silenced = host_case(case, |dir| {
            comment_before(dir, proxy_file, line as usize, &comment)
        });
        assert_eq!(count(&silenced, code), 0, "{case}: {silenced:?}");
        assert_eq!(
            count(&silenced, "RL010"),
            0,
            "{case}, used by the host pass: {silenced:?}"
        );
    }
}

#[test]
fn suppression_problems_of_a_host_are_reported_once() {
    // A malformed suppression in every file of a host with a proxy: the
    // host passes read them again, but each is reported by its own unit.
    for (case, proxy_file) in [
        ("01-allow-all-ssl-ports-with-25", "etc/squid/squid.conf"),
        ("18-dante-block-lo-first", "etc/danted.conf"),
    ] {
        let found = host_case(case, |dir| {
            comment_before(dir, proxy_file, 1, "# relaylint: nonsense");
            comment_before(dir, "etc/postfix/main.cf", 1, "# relaylint: nonsense");
            comment_before(dir, proxy_file, 2, "# relaylint: disable=PF001 -- unused");
        });
        assert_eq!(count(&found, "RL009"), 2, "{case}: {found:?}");
        assert_eq!(count(&found, "RL010"), 1, "{case}: {found:?}");
    }
}
