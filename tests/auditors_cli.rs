//! Auditors scanning dumps of many hosts: host names in every dump shape,
//! one host's absolute paths never reaching another host's files, the fleet
//! summary, `--statistics`, baselines (with expiry and broken files), the
//! HTML page's structure and escaping, and a silent stderr when piped.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn relaylint() -> Command {
    let mut c = Command::cargo_bin("relaylint").expect("binary");
    c.env_remove("NO_COLOR").env_remove("RELAYLINT_TODAY");
    c.args(["check", "--no-config", "--color", "never"]);
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

const OPEN: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
const CLOSED: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 127.0.0.0/8\ninet_interfaces = loopback-only\n";
const OPEN_PROXY: &str = "http_port 3128\nhttp_access allow all\n";

/// Five hosts in the three dump shapes: mx1 (etc tree, open relay), mx2
/// (`<host>/postfix/`, open relay), mx3 (flat file, open relay), px (etc
/// tree, open proxy), quiet (etc tree, closed).
fn fleet(dir: &Path) {
    write(dir, "dump/mx1/etc/postfix/main.cf", OPEN);
    write(dir, "dump/mx2/postfix/main.cf", OPEN);
    write(dir, "flat/mx3-main.cf", OPEN);
    write(dir, "dump/px/etc/squid/squid.conf", OPEN_PROXY);
    write(dir, "dump/quiet/etc/postfix/main.cf", CLOSED);
}

fn run_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = relaylint()
        .current_dir(dir)
        .args(["--format", "json", "dump", "flat"])
        .args(extra)
        .output()
        .expect("run");
    let v = serde_json::from_slice(&out.stdout).expect("JSON report");
    (out.status.code().unwrap_or(-1), v)
}

fn hosts_of(v: &Value, code: &str) -> Vec<String> {
    let mut h: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["host"].as_str().expect("host").to_string())
        .collect();
    h.sort();
    h.dedup();
    h
}

#[test]
fn every_dump_shape_names_its_host_and_the_summary_counts_hosts() {
    let dir = tempfile::tempdir().expect("tmp");
    fleet(dir.path());
    let (code, v) = run_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(hosts_of(&v, "PF001"), ["mx1", "mx2", "mx3"]);
    assert_eq!(hosts_of(&v, "SQ001"), ["px"]);
    let s = &v["summary"];
    for key in ["files", "units", "findings", "by_severity", "by_rule"] {
        assert!(s.get(key).is_some(), "contract key {key} kept");
    }
    assert_eq!(s["hosts"], 5);
    assert_eq!(s["hosts_open_relay"], 3);
    assert_eq!(s["hosts_open_proxy"], 1);
    assert_eq!(
        s["open_relay_hosts"],
        serde_json::json!(["mx1", "mx2", "mx3"])
    );
    assert_eq!(s["open_proxy_hosts"], serde_json::json!(["px"]));
    assert_eq!(s["by_host"]["quiet"]["findings"], 0);
    assert_eq!(s["by_host"]["px"]["open_proxy"], true);
    assert!(s.get("baseline_hidden").is_none(), "no baseline, no count");
    assert!(v.get("statistics").is_none(), "statistics only when asked");
    let per_host: u64 = s["by_host"]
        .as_object()
        .expect("by_host")
        .values()
        .map(|h| h["findings"].as_u64().expect("count"))
        .sum();
    assert_eq!(Some(per_host), s["findings"].as_u64());

    let human = relaylint()
        .current_dir(dir.path())
        .args(["dump", "flat"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("relaylint: 5 host(s) scanned, 3 with an open relay, 1 with an open proxy"),
        "{text}"
    );
    assert!(
        text.contains("relaylint: open relay: mx1, mx2, mx3"),
        "{text}"
    );
    assert!(text.contains("relaylint: by rule: "), "{text}");

    let sarif = relaylint()
        .current_dir(dir.path())
        .args(["--format", "sarif", "dump/px"])
        .output()
        .expect("run");
    let log: Value = serde_json::from_slice(&sarif.stdout).expect("SARIF");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["properties"]["host"] == "px"));
}

#[test]
fn a_host_never_reads_another_hosts_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let names_file = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = /etc/postfix/nets\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
    // Host a trusts loopback only; host b's file of the same name trusts
    // everything; host c has no such file at all.
    write(d, "dump/a/etc/postfix/main.cf", names_file);
    write(d, "dump/a/etc/postfix/nets", "127.0.0.0/8\n");
    write(d, "dump/b/etc/postfix/main.cf", names_file);
    write(d, "dump/b/etc/postfix/nets", "0.0.0.0/0\n");
    write(d, "dump/c/etc/postfix/main.cf", names_file);
    let out = relaylint()
        .current_dir(d)
        .args(["--format", "json", "dump"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(hosts_of(&v, "PF001"), ["b"], "only b's own file opens b");
    for f in v["findings"].as_array().expect("findings") {
        let host = f["host"].as_str().expect("host");
        for l in f["labels"].as_array().expect("labels") {
            let p = l["path"].as_str().expect("path");
            assert!(
                p.starts_with(&format!("dump/{host}/")),
                "{host}'s finding points into {p}"
            );
        }
    }
    // c reports its missing file (under its own root), never b's or a's.
    let c: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["host"] == "c")
        .collect();
    assert!(
        c.iter()
            .any(|f| f["message"].as_str().unwrap_or("").contains("nets")),
        "{c:?}"
    );
}

#[test]
fn statistics_group_the_same_mistake_across_hosts() {
    let dir = tempfile::tempdir().expect("tmp");
    fleet(dir.path());
    write(dir.path(), "dump/mx4/etc/postfix/main.cf", OPEN);
    let (_, v) = run_json(dir.path(), &["--statistics"]);
    let groups = v["statistics"].as_array().expect("statistics");
    let pf001: Vec<&Value> = groups.iter().filter(|g| g["code"] == "PF001").collect();
    // mx1 and mx4 share etc/postfix/main.cf; mx2 (`mx2/postfix/main.cf`) and
    // the flat mx3-main.cf both sit at main.cf under their host's root.
    assert_eq!(pf001.len(), 2, "{pf001:?}");
    let by_path = |p: &str| {
        pf001
            .iter()
            .find(|g| g["path"] == p)
            .copied()
            .unwrap_or_else(|| panic!("no group for {p}: {pf001:?}"))
    };
    assert_eq!(
        by_path("etc/postfix/main.cf")["hosts"],
        serde_json::json!(["mx1", "mx4"])
    );
    assert_eq!(by_path("etc/postfix/main.cf")["count"], 2);
    assert_eq!(
        by_path("main.cf")["hosts"],
        serde_json::json!(["mx2", "mx3"])
    );
    assert_eq!(
        by_path("main.cf")["line"],
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination"
    );
    let total: u64 = groups
        .iter()
        .map(|g| g["count"].as_u64().expect("count"))
        .sum();
    assert_eq!(Some(total), v["summary"]["findings"].as_u64());
    // Most widespread first.
    let widths: Vec<usize> = groups
        .iter()
        .map(|g| g["hosts"].as_array().map_or(0, Vec::len))
        .collect();
    assert!(widths.windows(2).all(|w| w[0] >= w[1]), "{widths:?}");

    let human = relaylint()
        .current_dir(dir.path())
        .args(["--statistics", "dump", "flat"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("PF001 etc/postfix/main.cf `smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination`"),
        "{text}"
    );
    assert!(text.contains("on 2 host(s): mx1, mx4"), "{text}");
}

#[test]
fn a_baseline_hides_known_findings_until_it_expires() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    fleet(d);
    let base = d.join("baseline.json");
    let (_, all) = run_json(d, &["--write-baseline", base.to_str().expect("utf8")]);
    let n = all["summary"]["findings"].as_u64().expect("n");
    assert!(n > 0);
    let file: Value =
        serde_json::from_slice(&std::fs::read(&base).expect("baseline written")).expect("JSON");
    assert_eq!(file["version"], 1);
    let entries = file["findings"].as_array().expect("entries");
    assert!(entries.iter().all(|e| e["code"].is_string()
        && e["path"].is_string()
        && e["fingerprint"].is_string()
        && e.get("expires").is_none()));

    // Everything known: nothing reported, exit 0, the count says so.
    let (code, v) = run_json(d, &["--baseline", "baseline.json"]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["findings"], 0);
    assert_eq!(v["summary"]["baseline_hidden"].as_u64(), Some(n));

    // A new host shows up alone.
    write(d, "dump/new/etc/squid/squid.conf", OPEN_PROXY);
    let (code, v) = run_json(d, &["--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(hosts_of(&v, "SQ001"), ["new"]);
    assert!(v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["host"] == "new"));
    let human = relaylint()
        .current_dir(d)
        .args(["--baseline", "baseline.json", "dump", "flat"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&human.stdout)
        .contains(&format!("relaylint: the baseline hid {n} finding(s)")));

    // Expiry: the entry of px's SQ001 hides through its last day only.
    let mut dated = file.clone();
    for e in dated["findings"].as_array_mut().expect("entries") {
        if e["code"] == "SQ001" {
            e["expires"] = Value::from("2026-03-31");
        }
    }
    std::fs::write(&base, serde_json::to_vec(&dated).expect("json")).expect("write");
    std::fs::remove_dir_all(d.join("dump/new")).expect("rm");
    let on = |day: &str| {
        let out = relaylint()
            .current_dir(d)
            .env("RELAYLINT_TODAY", day)
            .args([
                "--format",
                "json",
                "--baseline",
                "baseline.json",
                "dump",
                "flat",
            ])
            .output()
            .expect("run");
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        (out.status.code(), hosts_of(&v, "SQ001"))
    };
    assert_eq!(on("2026-03-31"), (Some(0), vec![]));
    assert_eq!(on("2026-04-01"), (Some(1), vec!["px".to_string()]));
}

#[test]
fn a_broken_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    fleet(d);
    let cases: [(&str, &str); 4] = [
        ("{ not json", "is broken"),
        (r#"{"version": 9, "findings": []}"#, "version 9"),
        (
            r#"{"version":1,"findings":[{"code":"PF001","path":"m","fingerprint":"f","expires":"next week"}]}"#,
            "next week",
        ),
        (
            r#"{"version":1,"findings":[{"code":"PF001"}]}"#,
            "is broken",
        ),
    ];
    for (text, says) in cases {
        std::fs::write(d.join("b.json"), text).expect("write");
        let out = relaylint()
            .current_dir(d)
            .args(["--baseline", "b.json", "dump"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(out.stdout.is_empty(), "no report with a broken baseline");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("relaylint: error: ") && err.contains(says),
            "{err}"
        );
    }
    let missing = relaylint()
        .current_dir(d)
        .args(["--baseline", "nowhere.json", "dump"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the baseline"));

    std::fs::write(d.join("b.json"), r#"{"version":1,"findings":[]}"#).expect("write");
    let bad_day = relaylint()
        .current_dir(d)
        .env("RELAYLINT_TODAY", "tomorrow")
        .args(["--baseline", "b.json", "dump"])
        .output()
        .expect("run");
    assert_eq!(bad_day.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_day.stderr).contains("RELAYLINT_TODAY"));

    let unwritable = relaylint()
        .current_dir(d)
        .args(["--write-baseline", "no/such/dir/b.json", "dump"])
        .output()
        .expect("run");
    assert_eq!(unwritable.status.code(), Some(2));
}

#[test]
fn piped_stderr_stays_silent_on_a_long_scan() {
    let dir = tempfile::tempdir().expect("tmp");
    for i in 0..(relaylint::progress::MANY_UNITS + 5) {
        write(
            dir.path(),
            &format!("dump/h{i:03}/etc/postfix/main.cf"),
            CLOSED,
        );
    }
    let out = relaylint()
        .current_dir(dir.path())
        .args(["--format", "json", "dump"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["summary"]["hosts"].as_u64(),
        Some(relaylint::progress::MANY_UNITS as u64 + 5)
    );
}

const HOSTILE: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 0.0.0.0/0 <script>document.body.setAttribute(\"data-pwned\",\"1\")</script><img src=x onerror=alert(1)>\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";

#[test]
fn the_html_page_is_self_contained_escaped_and_agrees_with_json() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    fleet(d);
    write(d, "dump/evil/etc/postfix/main.cf", HOSTILE);
    let html = relaylint()
        .current_dir(d)
        .args(["--format", "html", "--statistics", "dump", "flat"])
        .output()
        .expect("run");
    assert_eq!(html.status.code(), Some(1));
    let page = String::from_utf8(html.stdout).expect("UTF-8");
    let (_, v) = run_json(d, &["--statistics"]);

    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    // Exactly the page's own two scripts; the config's tags are text.
    assert_eq!(
        page.matches("<script").count(),
        2,
        "only the page's scripts"
    );
    assert!(!page.contains("<img"), "no markup from the config");
    assert!(page.contains("&lt;script&gt;document.body.setAttribute"));
    // Nothing loads from anywhere: no tag of the page names a resource
    // (the config's own `src=` is escaped text, outside any tag).
    for tag in page.split('<').skip(1).filter_map(|t| t.split('>').next()) {
        for needle in ["src=", "href=", "url(", "@import"] {
            assert!(!tag.contains(needle), "`{needle}` in <{tag}>");
        }
        assert!(
            !tag.starts_with("link") && !tag.starts_with("iframe"),
            "<{tag}>"
        );
    }
    assert!(page.contains("default-src 'none'"));

    // The hosts table has one row per host, with the JSON's numbers.
    let table = page
        .split("<table id=\"host-table\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("host table");
    let rows = table.matches("<tr>").count() - 1;
    assert_eq!(Some(rows as u64), v["summary"]["hosts"].as_u64());
    for (host, h) in v["summary"]["by_host"].as_object().expect("by_host") {
        let cell = format!(
            "<td data-value=\"{host}\">{host}</td><td class=\"num\" data-value=\"{n}\">{n}</td>",
            n = h["findings"]
        );
        assert!(table.contains(&cell), "{cell}");
    }
    // The counters the script fills in read the same numbers as JSON.
    let blob = page
        .split("<script type=\"application/json\" id=\"relaylint-summary\">")
        .nth(1)
        .and_then(|t| t.split("</script>").next())
        .expect("summary blob");
    let data: Value = serde_json::from_str(blob).expect("blob is JSON");
    for key in [
        "hosts",
        "hosts_open_relay",
        "hosts_open_proxy",
        "findings",
        "units",
        "files",
    ] {
        assert_eq!(data[key], v["summary"][key], "{key}");
        assert!(page.contains(&format!("data-summary=\"{key}\"")), "{key}");
    }
    assert_eq!(data["errors"], v["summary"]["by_severity"]["error"]);
    // One bar per rule and per severity, one article per finding.
    for (rule, n) in v["summary"]["by_rule"].as_object().expect("by_rule") {
        assert!(
            page.contains(&format!("data-label=\"{rule}\" data-value=\"{n}\"")),
            "{rule}"
        );
    }
    assert_eq!(
        Some(page.matches("<article class=\"finding\"").count() as u64),
        v["summary"]["findings"].as_u64()
    );
    assert!(page.contains("<table id=\"statistics\">"));
}

#[test]
fn html_goes_to_the_output_file_with_the_usual_exit_code() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    write(d, "dump/quiet/etc/postfix/main.cf", CLOSED);
    let clean = relaylint()
        .current_dir(d)
        .args(["--format", "html", "--output", "clean.html", "dump"])
        .output()
        .expect("run");
    assert_eq!(clean.status.code(), Some(0));
    assert!(clean.stdout.is_empty());
    let page = std::fs::read_to_string(d.join("clean.html")).expect("page written");
    assert!(page.contains("<p>No findings.</p>"));
    fleet(d);
    let open = relaylint()
        .current_dir(d)
        .args(["--format", "html", "--output", "open.html", "dump", "flat"])
        .output()
        .expect("run");
    assert_eq!(open.status.code(), Some(1));
    // A scan that cannot start leaves no report file behind.
    let missing = relaylint()
        .current_dir(d)
        .args(["--format", "json", "--output", "none.json", "no-such-dir"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    assert!(!d.join("none.json").exists());
}

#[test]
fn writing_a_baseline_records_what_an_older_baseline_hides() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    fleet(d);
    let (_, first) = run_json(d, &["--write-baseline", "b1.json"]);
    let n = first["summary"]["findings"].as_u64().expect("n");
    // With both options the new file still holds every current finding,
    // while the report hides the old ones.
    let (code, v) = run_json(d, &["--baseline", "b1.json", "--write-baseline", "b2.json"]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["findings"], 0);
    let b1 = std::fs::read_to_string(d.join("b1.json")).expect("b1");
    let b2 = std::fs::read_to_string(d.join("b2.json")).expect("b2");
    assert_eq!(b1, b2);
    let entries: Value = serde_json::from_str(&b2).expect("JSON");
    assert_eq!(
        entries["findings"].as_array().map(|a| a.len() as u64),
        Some(n),
        "one entry per finding of this fleet (no two share a fingerprint)"
    );
}
