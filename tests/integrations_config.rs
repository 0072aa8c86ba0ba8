//! relaylint.toml: where it is found, every key, what the command line
//! overrides, and how mistakes in it are reported (RL011 on stderr, exit 2).

use assert_cmd::Command;
use std::path::Path;

fn relaylint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("relaylint").expect("binary");
    c.env_remove("NO_COLOR").current_dir(dir);
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Open relay for the attacker at 198.51.100.1 (PF001 and PF002), PF011
/// (info) on the implicit listener.
const PARTNER: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 127.0.0.0/8, 198.51.100.0/24\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
/// Only PF011 (info).
const CLOSED: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";

struct Run {
    code: i32,
    codes: Vec<String>,
    severities: Vec<String>,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = relaylint(dir)
        .args(["check", "--format", "json", "--color", "never"])
        .args(args)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let (codes, severities) = if out.stdout.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let list = v["findings"].as_array().cloned().unwrap_or_default();
        (
            list.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect(),
            list.iter()
                .map(|f| f["severity"].as_str().unwrap_or("").to_string())
                .collect(),
        )
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        codes,
        severities,
        stderr,
    }
}

#[test]
fn without_a_settings_file_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", PARTNER);
    let r = run(dir.path(), &["."]);
    assert_eq!(r.codes, ["PF011", "PF002", "PF001"]);
    assert_eq!(r.code, 1);
}

#[test]
fn relaylint_toml_in_the_working_folder_is_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", PARTNER);
    write(
        dir.path(),
        "relaylint.toml",
        "ignore = [\"PF011\", \"postfix-mynetworks-untrusted\"]\n",
    );
    assert_eq!(run(dir.path(), &["."]).codes, ["PF001"]);
    // --no-config ignores it; --ignore replaces the file's list.
    assert_eq!(run(dir.path(), &["--no-config", "."]).codes.len(), 3);
    assert_eq!(
        run(dir.path(), &["--ignore", "PF001", "."]).codes,
        ["PF011", "PF002"]
    );
}

#[test]
fn dot_relaylint_toml_is_found_in_a_parent_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hosts/mx/etc/postfix/main.cf", PARTNER);
    write(dir.path(), ".relaylint.toml", "select = [\"PF001\"]\n");
    let sub = dir.path().join("hosts");
    assert_eq!(run(&sub, &["mx"]).codes, ["PF001"]);
    // relaylint.toml wins over .relaylint.toml in the same folder, and the
    // nearest folder wins.
    write(dir.path(), "relaylint.toml", "select = [\"PF002\"]\n");
    assert_eq!(run(&sub, &["mx"]).codes, ["PF002"]);
    write(dir.path(), "hosts/relaylint.toml", "select = [\"PF011\"]\n");
    assert_eq!(run(&sub, &["mx"]).codes, ["PF011"]);
}

#[test]
fn config_flag_names_the_file_and_select_on_the_command_line_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", PARTNER);
    write(dir.path(), "ci/strict.toml", "select = [\"PF002\"]\n");
    assert_eq!(
        run(dir.path(), &["--config", "ci/strict.toml", "."]).codes,
        ["PF002"]
    );
    assert_eq!(
        run(
            dir.path(),
            &["--config", "ci/strict.toml", "--select", "PF", "."]
        )
        .codes,
        ["PF011", "PF002", "PF001"]
    );
    let missing = run(dir.path(), &["--config", "ci/none.toml", "."]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("ci/none.toml"),
        "{}",
        missing.stderr
    );
    let both = run(
        dir.path(),
        &["--config", "ci/strict.toml", "--no-config", "."],
    );
    assert_eq!(both.code, 2);
}

#[test]
fn fail_on_from_the_file_and_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", PARTNER);
    write(dir.path(), "relaylint.toml", "fail-on = \"never\"\n");
    assert_eq!(run(dir.path(), &["."]).code, 0);
    assert_eq!(run(dir.path(), &["--fail-on", "error", "."]).code, 1);
    let closed = tempfile::tempdir().unwrap();
    write(closed.path(), "etc/postfix/main.cf", CLOSED);
    assert_eq!(
        run(closed.path(), &["."]).code,
        0,
        "info only: below warning"
    );
    write(closed.path(), "relaylint.toml", "fail-on = \"info\"\n");
    assert_eq!(run(closed.path(), &["."]).code, 1);
    assert_eq!(run(closed.path(), &["--fail-on", "warning", "."]).code, 0);
}

#[test]
fn severity_overrides_change_level_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", CLOSED);
    write(
        dir.path(),
        "relaylint.toml",
        "[severity]\npostfix-listens-on-all-interfaces = \"error\"\n",
    );
    let r = run(dir.path(), &["--fail-on", "error", "."]);
    assert_eq!(r.codes, ["PF011"]);
    assert_eq!(r.severities, ["error"]);
    assert_eq!(r.code, 1);
    // An exact code wins over a family prefix, whatever the order.
    write(
        dir.path(),
        "relaylint.toml",
        "[severity]\nPF011 = \"warning\"\nPF = \"error\"\n",
    );
    assert_eq!(run(dir.path(), &["."]).severities, ["warning"]);
    write(dir.path(), "relaylint.toml", "[severity]\nPF = \"error\"\n");
    assert_eq!(run(dir.path(), &["."]).severities, ["error"]);
}

#[test]
fn trusted_networks_leave_the_attacker_space() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", PARTNER);
    write(
        dir.path(),
        "relaylint.toml",
        "[networks]\ntrusted = [\"198.51.100.0/24\"]\n",
    );
    let r = run(dir.path(), &["."]);
    assert!(!r.codes.contains(&"PF001".to_string()), "{:?}", r.codes);
    // Half of the partner network is still untrusted: still open.
    write(
        dir.path(),
        "relaylint.toml",
        "[networks]\ntrusted = [\"198.51.100.0/25\", \"2001:db8::/32\"]\n",
    );
    assert!(run(dir.path(), &["."]).codes.contains(&"PF001".to_string()));
}

#[test]
fn exclude_leaves_out_folders_and_named_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hosts/mx/etc/postfix/main.cf", PARTNER);
    write(dir.path(), "hosts/old/etc/postfix/main.cf", PARTNER);
    write(dir.path(), "relaylint.toml", "exclude = [\"hosts/old\"]\n");
    let r = run(dir.path(), &["."]);
    assert_eq!(r.codes, ["PF011", "PF002", "PF001"]);
    let named = run(dir.path(), &["hosts/old/etc/postfix/main.cf"]);
    assert!(named.codes.is_empty(), "{:?}", named.codes);
    assert_eq!(named.code, 0);
    // A name without `/` matches at any depth.
    write(dir.path(), "relaylint.toml", "exclude = [\"mx\"]\n");
    assert_eq!(run(dir.path(), &["."]).codes.len(), 3);
    // Globs are anchored at the settings file, not the working folder.
    write(
        dir.path(),
        "relaylint.toml",
        "exclude = [\"hosts/*/etc\"]\n",
    );
    assert!(run(&dir.path().join("hosts"), &["."]).codes.is_empty());
}

#[test]
fn dialects_name_files_whose_names_say_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // One well-known parameter is too little to recognise main.cf by content.
    write(
        dir.path(),
        "salt/postfix/hardening.cf",
        "mynetworks = 127.0.0.0/8, 198.51.100.0/24\nsmtpd_helo_required = yes\n",
    );
    assert_eq!(
        run(dir.path(), &["salt/postfix/hardening.cf"]).codes,
        ["RL008"]
    );
    write(
        dir.path(),
        "relaylint.toml",
        "[dialects]\n\"salt/**/*.cf\" = \"postfix-main\"\n",
    );
    let r = run(dir.path(), &["salt/postfix/hardening.cf"]);
    assert!(r.codes.contains(&"PF002".to_string()), "{:?}", r.codes);
    // Folder scans use the mapping too (without it they skip the file).
    let r = run(dir.path(), &["salt"]);
    assert!(r.codes.contains(&"PF002".to_string()), "{:?}", r.codes);
    assert!(run(dir.path(), &["--no-config", "salt"]).codes.is_empty());
}

/// The folders of other software inside an `etc` (`ssl`, `default`,
/// `cron.d`...) are not walked: a file there that looks like main.cf is not
/// a Postfix instance. The same file in another folder is; naming the
/// folder, or mapping paths with `[dialects]`, still reads it.
#[test]
fn other_softwares_folders_in_etc_are_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let open = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
    write(dir.path(), "host/etc/default/relay.conf", open);
    write(dir.path(), "host/etc/ssl/private/relay.conf", open);
    write(dir.path(), "host/etc/cron.d/relay.conf", open);
    let pf001 = |r: &Run| r.codes.iter().filter(|c| *c == "PF001").count();
    for start in [".", "host", "host/etc"] {
        assert_eq!(pf001(&run(dir.path(), &[start])), 0, "{start}");
    }
    assert_eq!(pf001(&run(dir.path(), &["host/etc/default"])), 1);
    // The same file where other software does not live.
    write(dir.path(), "host/etc/relays/relay.conf", open);
    assert_eq!(pf001(&run(dir.path(), &["host"])), 1);
    // A folder named like one outside an `etc` is walked.
    write(dir.path(), "dump/default/relay.conf", open);
    assert_eq!(pf001(&run(dir.path(), &["dump"])), 1);
    write(
        dir.path(),
        "relaylint.toml",
        "[dialects]\n\"host/etc/default/*.conf\" = \"postfix-main\"\n",
    );
    assert_eq!(pf001(&run(dir.path(), &["host"])), 4);
}

fn broken(toml: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "etc/postfix/main.cf", PARTNER);
    write(dir.path(), "relaylint.toml", toml);
    run(dir.path(), &["."])
}

#[test]
fn mistakes_are_rl011_on_stderr_with_exit_2() {
    for (toml, at, words) in [
        ("select = [\"PF\"\n", "relaylint.toml:1:", "not valid"),
        ("selekt = [\"PF\"]\n", "relaylint.toml:1:1", "selekt"),
        (
            "ignore = [\"PF001\", \"ZZ9\"]\n",
            "relaylint.toml:1:20",
            "`ZZ9`",
        ),
        (
            "fail-on = \"sometimes\"\n",
            "relaylint.toml:1:11",
            "sometimes",
        ),
        (
            "[severity]\nPF001 = \"fatal\"\n",
            "relaylint.toml:2:9",
            "fatal",
        ),
        (
            "[networks]\ntrusted = [\"10.0.0.0/8\", \"300.1.2.3/8\"]\n",
            "relaylint.toml:2:26",
            "300.1.2.3/8",
        ),
        ("[networks]\ntrusts = []\n", "relaylint.toml:2:1", "trusts"),
        ("exclude = [\"a/[b\"]\n", "relaylint.toml:1:12", "glob"),
        (
            "[dialects]\n\"*.cf\" = \"exim\"\n",
            "relaylint.toml:2:10",
            "exim",
        ),
    ] {
        let r = broken(toml);
        assert_eq!(r.code, 2, "{toml}: {}", r.stderr);
        assert!(r.codes.is_empty(), "{toml}: no report on stdout");
        assert!(r.stderr.contains("error[RL011]"), "{toml}: {}", r.stderr);
        assert!(r.stderr.contains(at), "{toml}: want {at} in {}", r.stderr);
        assert!(
            r.stderr.contains(words),
            "{toml}: want {words} in {}",
            r.stderr
        );
    }
}

#[test]
fn every_mistake_is_reported_at_once() {
    let r = broken("select = [\"QQ\"]\n[networks]\ntrusted = [\"nope\"]\n");
    assert_eq!(r.stderr.matches("error[RL011]").count(), 2, "{}", r.stderr);
    assert!(r.stderr.contains("2 mistake(s)"), "{}", r.stderr);
}

#[test]
fn scan_hosts_judges_a_changed_file_with_its_host() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hosts/mx/etc/postfix/main.cf", PARTNER);
    write(
        dir.path(),
        "hosts/mx/etc/postfix/master.cf",
        "smtp      inet  n       -       y       -       -       smtpd\n",
    );
    write(
        dir.path(),
        "hosts/mx/etc/postfix/access",
        "192.0.2.7 REJECT\n",
    );
    write(dir.path(), "hosts/lab/etc/postfix/main.cf", PARTNER);
    // Named alone, master.cf is judged against Postfix's defaults.
    let alone = run(dir.path(), &["hosts/mx/etc/postfix/master.cf"]);
    assert!(
        !alone.codes.contains(&"PF001".to_string()),
        "{:?}",
        alone.codes
    );
    for changed in [
        "hosts/mx/etc/postfix/master.cf",
        "hosts/mx/etc/postfix/access",
    ] {
        let r = run(dir.path(), &["--scan-hosts", changed]);
        assert_eq!(r.codes, ["PF002", "PF001", "PF011"], "{changed}");
    }
    // Two files of one host: one scan; other hosts are left alone.
    let both = run(
        dir.path(),
        &[
            "--scan-hosts",
            "hosts/mx/etc/postfix/main.cf",
            "hosts/mx/etc/postfix/access",
        ],
    );
    assert_eq!(both.codes.len(), 3);
}
