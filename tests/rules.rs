//! The rule registry and its YAML: every file parses, every field is
//! filled, every example behaves (`bad` raises the rule, `good` does not),
//! every code the sources emit has a YAML, and the README lists every rule.

use relaylint::registry;
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn every_rule_file_parses_and_is_complete() {
    assert!(
        registry::broken().is_empty(),
        "broken rule files: {:?}",
        registry::broken()
    );
    assert_eq!(registry::all().len(), registry::sources().len());
    for (stem, _) in registry::sources() {
        let r = registry::lookup(stem)
            .unwrap_or_else(|| panic!("{stem}.yaml: code does not match the file name"));
        assert_eq!(&r.code, stem);
        for (field, value) in [
            ("name", &r.name),
            ("dialect", &r.dialect),
            ("summary", &r.summary),
            ("rationale", &r.rationale),
            ("fix", &r.fix),
        ] {
            assert!(!value.trim().is_empty(), "{stem}: empty {field}");
        }
        assert!(
            ["error", "warning", "info"].contains(&r.severity.as_str()),
            "{stem}: severity {}",
            r.severity
        );
        assert!(
            r.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{stem}: name must be kebab-case"
        );
        assert!(
            !r.summary.ends_with('.'),
            "{stem}: summary ends with a period"
        );
        assert!(!r.references.is_empty(), "{stem}: no references");
        for link in &r.references {
            assert!(
                link.starts_with("https://"),
                "{stem}: reference is not https: {link}"
            );
        }
        assert!(!r.examples.is_empty(), "{stem}: no examples");
    }
    let names: BTreeSet<&str> = registry::all().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names.len(),
        registry::all().len(),
        "rule names must be unique"
    );
}

fn codes_in(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = entry.path();
        if p.is_dir() {
            codes_in(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&p).expect("read");
            let bytes = text.as_bytes();
            for i in 0..bytes.len().saturating_sub(6) {
                let w = &bytes[i..i + 7];
                if w[0] == b'"'
                    && w[1].is_ascii_uppercase()
                    && w[2].is_ascii_uppercase()
                    && w[3..6].iter().all(u8::is_ascii_digit)
                    && w[6] == b'"'
                {
                    out.insert(String::from_utf8_lossy(&w[1..6]).into_owned());
                }
            }
        }
    }
}

#[test]
fn every_emitted_code_has_a_rule_file() {
    let mut codes = BTreeSet::new();
    codes_in(Path::new("src"), &mut codes);
    for code in &codes {
        assert!(
            registry::lookup(code).is_some(),
            "src emits {code} but rules/{code}.yaml is missing"
        );
    }
}

#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    for r in registry::all() {
        assert!(
            readme.contains(&format!("| {} | {} |", r.code, r.name)),
            "README.md rule table lacks `| {} | {} |`",
            r.code,
            r.name
        );
    }
}

fn codes_for(case: &registry::Case) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in &case.files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    for (path, what) in &case.special {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        if what == "fifo" {
            assert!(std::process::Command::new("mkfifo")
                .arg(&p)
                .status()
                .expect("mkfifo")
                .success());
        } else if let Some(target) = what.strip_prefix("symlink:") {
            std::os::unix::fs::symlink(target, &p).expect("symlink");
        } else if let Some(hex) = what.strip_prefix("bytes:") {
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
                .collect();
            std::fs::write(&p, bytes).expect("write");
        } else {
            panic!("unknown special file kind `{what}` for {path}");
        }
    }
    let mut cmd = assert_cmd::Command::cargo_bin("relaylint").expect("binary");
    cmd.current_dir(dir.path())
        .args(["check", "--format", "json", "--fail-on", "never"])
        .args(&case.args);
    if case.paths.is_empty() {
        cmd.arg(".");
    } else {
        cmd.args(&case.paths);
    }
    let out = cmd
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .expect("run relaylint");
    // A broken settings file stops the run (exit 2) with its diagnostics,
    // rendered, on stderr: their codes are read from there.
    if out.status.code() == Some(2) && out.stdout.is_empty() {
        let err = String::from_utf8_lossy(&out.stderr);
        return err
            .split("error[")
            .skip(1)
            .filter_map(|s| s.split_once(']').map(|(code, _)| code.to_string()))
            .collect();
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_example_behaves() {
    let mut failures = Vec::new();
    for r in registry::all() {
        for (i, ex) in r.examples.iter().enumerate() {
            let bad = codes_for(&ex.bad.case());
            if !bad.contains(&r.code) {
                failures.push(format!(
                    "{} example {}: `bad` does not raise it (got {bad:?})",
                    r.code,
                    i + 1
                ));
            }
            let good = codes_for(&ex.good.case());
            if good.contains(&r.code) {
                failures.push(format!("{} example {}: `good` raises it", r.code, i + 1));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
