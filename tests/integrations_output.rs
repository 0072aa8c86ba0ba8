//! `--format sarif` and `--format github`: the shape consumers rely on,
//! agreement with the JSON report, escaping, exit codes, and a snapshot of
//! one SARIF log.

use assert_cmd::Command;
use relaylint::options::Options;
use relaylint::report::{github, sarif};
use serde_json::Value;
use std::path::{Path, PathBuf};

const FIXTURE: &str = "fixtures/postfix/02-office-mynetworks-everything";

fn relaylint() -> Command {
    let mut c = Command::cargo_bin("relaylint").expect("binary");
    c.env_remove("NO_COLOR");
    c
}

fn output(args: &[&str]) -> (i32, String) {
    let out = relaylint()
        .args(["check", "--no-config"])
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn sarif_log_matches_the_json_report() {
    let (code, text) = output(&["--format", "sarif", FIXTURE]);
    assert_eq!(code, 1, "findings at or above warning: exit 1");
    let log: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let (_, json) = output(&["--format", "json", FIXTURE]);
    let report: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let cwd = std::env::current_dir().expect("cwd");
    let root = run["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .expect("SRCROOT");
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    assert!(root.contains(cwd.file_name().and_then(|n| n.to_str()).unwrap_or("")));
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "relaylint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap_or("")
        .starts_with("https://"));
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), relaylint::registry::all().len());
    for r in rules {
        let id = r["id"].as_str().expect("id");
        assert_eq!(
            r["helpUri"],
            format!("https://github.com/relaylint/relaylint/blob/main/rules/{id}.yaml")
        );
        for field in ["name", "shortDescription", "fullDescription", "help"] {
            assert!(!r[field].is_null(), "{id}: {field}");
        }
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().unwrap_or("")));
    }
    let results = run["results"].as_array().expect("results");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(results.len(), findings.len());
    assert!(!results.is_empty());
    for (res, f) in results.iter().zip(findings) {
        assert_eq!(res["ruleId"], f["code"]);
        let idx = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], f["code"]);
        let level = match f["severity"].as_str() {
            Some("info") => "note",
            Some(s) => s,
            None => "",
        };
        assert_eq!(res["level"], level);
        assert!(res["message"]["text"]
            .as_str()
            .unwrap_or("")
            .starts_with(f["message"].as_str().unwrap_or("?")));
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
        assert_eq!(loc["artifactLocation"]["uri"], f["path"]);
        assert_eq!(loc["region"]["startLine"], f["line"]);
        assert_eq!(loc["region"]["startColumn"], f["column"]);
        assert_eq!(loc["region"]["endLine"], f["end_line"]);
        assert_eq!(loc["region"]["endColumn"], f["end_column"]);
        assert_eq!(res["partialFingerprints"]["relaylint/v1"], f["fingerprint"]);
        let secondary = f["labels"].as_array().map_or(0, |l| l.len() - 1);
        assert_eq!(
            res["relatedLocations"].as_array().map_or(0, Vec::len),
            secondary
        );
    }
}

#[test]
fn sarif_fingerprints_are_stable_across_runs_and_jobs() {
    let (_, a) = output(&["--format", "sarif", "-j", "1", "fixtures/postfix"]);
    let (_, b) = output(&["--format", "sarif", "-j", "2", "fixtures/postfix"]);
    assert_eq!(a, b);
}

#[test]
fn sarif_writes_to_output_file_and_a_clean_run_has_no_results() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("etc/postfix/main.cf");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(
        &p,
        "compatibility_level = 3.6\ninet_interfaces = loopback-only\n",
    )
    .unwrap();
    let out = relaylint()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-config",
            "--format",
            "sarif",
            "--output",
            "r.sarif",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let log: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.sarif")).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0));
}

#[test]
fn sarif_snapshot_of_one_fixture() {
    let report =
        relaylint::scan(&[PathBuf::from(FIXTURE)], &Options::default(), None).expect("scan");
    let mut buf = Vec::new();
    sarif::write(&report, &sarif::SarifOptions { src_root: None }, &mut buf).expect("sarif");
    let mut log: Value = serde_json::from_slice(&buf).expect("JSON");
    // The rule catalogue is the registry (tested above); the snapshot keeps
    // the results and the run's shape readable.
    let rules = &mut log["runs"][0]["tool"]["driver"]["rules"];
    let count = rules.as_array().map_or(0, Vec::len);
    *rules = Value::String(format!("<{count} rules>"));
    log["runs"][0]["tool"]["driver"]["version"] = Value::String("<version>".into());
    log["runs"][0]["tool"]["driver"]["semanticVersion"] = Value::String("<version>".into());
    insta::with_settings!({snapshot_path => "snapshots/integrations", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("02-office-mynetworks-everything.sarif", serde_json::to_string_pretty(&log).expect("pretty"));
    });
}

#[test]
fn github_annotations_one_per_finding() {
    let (code, text) = output(&["--format", "github", FIXTURE]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = text.lines().collect();
    let (_, json) = output(&["--format", "json", FIXTURE]);
    let report: Value = serde_json::from_str(&json).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(lines.len(), findings.len());
    for (line, f) in lines.iter().zip(findings) {
        let cmd = match f["severity"].as_str() {
            Some("error") => "error",
            Some("warning") => "warning",
            _ => "notice",
        };
        let want = format!(
            "::{cmd} file={},line={},col={},endLine={},endColumn={},title={} {}::{}",
            f["path"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["end_line"],
            f["end_column"],
            f["code"].as_str().unwrap(),
            f["name"].as_str().unwrap(),
            github::escape_data(f["message"].as_str().unwrap())
        );
        assert_eq!(*line, want);
    }
    assert!(lines.iter().any(|l| l.starts_with("::error ")));
    assert!(lines.iter().any(|l| l.starts_with("::warning ")));
    assert!(lines.iter().any(|l| l.starts_with("::notice ")));
}

#[test]
fn github_properties_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let rel = "site,a:b%/etc/postfix/main.cf";
    let p = dir.path().join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, "compatibility_level = 3.6\nmynetworks = 0.0.0.0/0\n").unwrap();
    let out = relaylint()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-config",
            "--format",
            "github",
            "--select",
            "PF002",
            ".",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("::warning file=site%2Ca%3Ab%25/etc/postfix/main.cf,line=2,"),
        "{text}"
    );
    assert!(
        text.contains(",title=PF002 postfix-mynetworks-untrusted::"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
    // Nothing at all for a clean run.
    let clean = relaylint()
        .current_dir(dir.path())
        .args([
            "check",
            "--no-config",
            "--format",
            "github",
            "--select",
            "PF015",
            ".",
        ])
        .output()
        .unwrap();
    assert!(clean.stdout.is_empty());
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn exit_codes_for_every_format() {
    for format in ["human", "json", "sarif", "github"] {
        assert_eq!(output(&["--format", format, FIXTURE]).0, 1, "{format}");
        assert_eq!(
            output(&["--format", format, "--fail-on", "never", FIXTURE]).0,
            0,
            "{format}"
        );
        assert_eq!(
            output(&["--format", format, "no/such/path"]).0,
            2,
            "{format}"
        );
    }
    assert_eq!(output(&["--format", "xml", FIXTURE]).0, 2);
    let rules = relaylint()
        .args(["rules", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(
        rules.status.code(),
        Some(2),
        "rules has only human and json"
    );
    assert!(Path::new(FIXTURE).is_dir());
}
