//! Replays the fuzz corpora that are kept in the repository — every file in
//! `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/` — through the same
//! calls as the `cargo fuzz` targets in `fuzz/fuzz_targets/`, on the stable
//! toolchain and without libFuzzer. A panic fails the test; an input that
//! made a target hang shows up as this test taking long.
//!
//! Keep each harness here in step with its `fuzz/fuzz_targets/<target>.rs`.

use relaylint::diagnostic::Severity;
use relaylint::dialect::postfix::expand::{expand, Lookup};
use relaylint::dialect::postfix::text::{Text, Token};
use relaylint::dialect::postfix::{analyse, main_cf, master_cf, table, Inputs, Source};
use relaylint::load::Limits;
use relaylint::source::FileId;
use std::path::{Path, PathBuf};

/// The inputs of one target, sorted by path (dot-files such as `.gitkeep`
/// are skipped). Panics when the target has no input at all, so that a
/// renamed folder cannot turn the test into a no-op.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for kind in ["seeds", "regressions"] {
        let dir = root.join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.expect("readable directory entry").path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if path.is_file() && !hidden {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        !files.is_empty(),
        "no seeds or regressions for fuzz target `{target}`"
    );
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

/// Runs `f` on every input of `target`, naming the input when it panics.
fn replay(target: &str, f: impl Fn(&[u8])) {
    for (path, data) in inputs(target) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&data)));
        if let Err(e) = result {
            let msg = e
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| e.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string panic)");
            panic!("fuzz target `{target}` panics on {}: {msg}", path.display());
        }
    }
}

// --- the harnesses, as in fuzz/fuzz_targets/ -------------------------------

fn postfix_main_cf(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (cf, _diags) = main_cf::parse(FileId(0), &text);
    for p in &cf.params {
        let _ = p.value.tokens();
        let _ = p.value.span();
    }
    let _ = cf.get("mynetworks");
}

fn postfix_master_cf(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (cf, _diags) = master_cf::parse(FileId(0), &text);
    for s in &cf.services {
        let _ = s.override_of("smtpd_recipient_restrictions");
        for o in &s.overrides {
            let _ = o.value.tokens();
        }
    }
}

const TABLE_TYPES: [&str; 5] = ["hash", "cidr", "regexp", "pcre", "texthash"];

fn postfix_table(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let ty = TABLE_TYPES[sel as usize % TABLE_TYPES.len()];
    let text = String::from_utf8_lossy(rest);
    let tok = Token {
        text: format!("{ty}:/etc/postfix/t"),
        span: None,
    };
    let reference = table::parse_ref(&tok).expect("a type:name token is a table reference");
    let t = table::parse(reference, FileId(0), &text);
    for e in &t.entries {
        let _ = e
            .pattern
            .matches("client.example", "192.0.2.1".parse().ok());
    }
    for r in [
        format!("inline:{{{text}}}"),
        format!("static:{text}"),
        format!("{ty}:{text}"),
    ] {
        if let Some(reference) = table::parse_ref(&Token {
            text: r,
            span: None,
        }) {
            let _ = reference.display();
            let t = table::fileless(reference);
            for e in &t.entries {
                let _ = e.pattern.matches("client.example", None);
            }
        }
    }
}

struct Params<'a> {
    input: &'a str,
}

impl Lookup for Params<'_> {
    fn raw(&self, name: &str) -> Option<Text> {
        match name {
            "a" => Some(Text::builtin("192.0.2.0/24 $b")),
            "b" => Some(Text::builtin("${c?{[::1]/128}:{no}} $$literal")),
            "c" => Some(Text::builtin("3.6")),
            "empty" => Some(Text::builtin("")),
            "self" => Some(Text::builtin(self.input)),
            _ => None,
        }
    }
}

fn postfix_expand(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lookup = Params { input: &text };
    let (out, _errors) = expand(&Text::builtin(&text), &lookup);
    assert!(
        (0..out.s.len()).all(|i| out.origin(i).is_some()) && out.origin(out.s.len()).is_none(),
        "one origin per byte"
    );
    let _ = out.tokens();
}

fn squid_conf(data: &[u8]) {
    let attacker = relaylint::net::untrusted_space();
    let text = String::from_utf8_lossy(data);
    let inputs = relaylint::dialect::squid::Inputs {
        conf: Source::Text(&text),
        sysroot: Path::new("/nonexistent-relaylint-fuzz-root"),
    };
    let (db, diags) = relaylint::dialect::squid::analyse(&inputs, Limits::default(), &attacker);
    for d in &diags {
        let f = relaylint::finding::resolve(&db, d, Severity::Error, false);
        let _ = f.rendered.len();
    }
}

fn pipeline(data: &[u8]) {
    let attacker = relaylint::net::untrusted_space();
    let text = String::from_utf8_lossy(data);
    let inputs = Inputs {
        main: Some(Source::Text(&text)),
        master: None,
        sysroot: Path::new("/nonexistent-relaylint-fuzz-root"),
    };
    let (db, diags) = analyse(&inputs, Limits::default(), &attacker);
    for d in &diags {
        let f = relaylint::finding::resolve(&db, d, Severity::Error, false);
        let _ = f.rendered.len();
    }
}

fn dante_conf(data: &[u8]) {
    let attacker = relaylint::net::untrusted_space();
    let text = String::from_utf8_lossy(data);
    let inputs = relaylint::dialect::dante::Inputs {
        conf: relaylint::dialect::dante::Source::Text(&text),
        sysroot: Path::new("/nonexistent-relaylint-fuzz-root"),
    };
    let (db, diags) = relaylint::dialect::dante::analyse(&inputs, Limits::default(), &attacker);
    for d in &diags {
        let f = relaylint::finding::resolve(&db, d, Severity::Error, false);
        let _ = f.rendered.len();
    }
}

fn scan(data: &[u8]) {
    use relaylint::dialect::kind::Dialect;
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let dialect = [
        Dialect::PostfixMain,
        Dialect::Squid,
        Dialect::Dante,
        Dialect::SendmailMc,
        Dialect::SendmailCf,
        Dialect::SendmailAccess,
    ][sel as usize % 6];
    let opts = relaylint::options::Options {
        // The global rayon pool: a pool of its own per input would start a
        // thread per run.
        jobs: None,
        dialect: Some(dialect),
        root: Some(PathBuf::from("/nonexistent-relaylint-fuzz-root")),
        ..Default::default()
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let Ok(report) = relaylint::scan(&[PathBuf::from("-")], &opts, Some(text)) else {
        return;
    };
    let mut out = Vec::new();
    let _ = relaylint::report::human::write(&report, &mut out);
    let _ = relaylint::report::json::write(&report, &mut out);
    let sarif = relaylint::report::sarif::SarifOptions { src_root: None };
    let _ = relaylint::report::sarif::write(&report, &sarif, &mut out);
    let _ = relaylint::report::github::write(&report, &mut out);
}

// --- one test per target ---------------------------------------------------

#[test]
fn fuzz_postfix_main_cf() {
    replay("postfix_main_cf", postfix_main_cf);
}

#[test]
fn fuzz_postfix_master_cf() {
    replay("postfix_master_cf", postfix_master_cf);
}

#[test]
fn fuzz_postfix_table() {
    replay("postfix_table", postfix_table);
}

#[test]
fn fuzz_postfix_expand() {
    replay("postfix_expand", postfix_expand);
}

#[test]
fn fuzz_squid_conf() {
    replay("squid_conf", squid_conf);
}

#[test]
fn fuzz_pipeline() {
    replay("pipeline", pipeline);
}

#[test]
fn fuzz_dante_conf() {
    replay("dante_conf", dante_conf);
}

#[test]
fn fuzz_scan() {
    replay("scan", scan);
}

fn sendmail(data: &[u8], kind: relaylint::dialect::sendmail::Kind) {
    let attacker = relaylint::net::untrusted_space();
    let text = String::from_utf8_lossy(data);
    let inputs = relaylint::dialect::sendmail::Inputs {
        conf: relaylint::dialect::sendmail::Source::Text(&text),
        kind,
        sysroot: Path::new("/nonexistent-relaylint-fuzz-root"),
    };
    let (db, diags) = relaylint::dialect::sendmail::analyse(&inputs, Limits::default(), &attacker);
    for d in &diags {
        let f = relaylint::finding::resolve(&db, d, Severity::Error, false);
        let _ = f.rendered.len();
    }
}

#[test]
fn fuzz_sendmail_mc() {
    replay("sendmail_mc", |d| {
        sendmail(d, relaylint::dialect::sendmail::Kind::Mc)
    });
}

#[test]
fn fuzz_sendmail_cf() {
    replay("sendmail_cf", |d| {
        sendmail(d, relaylint::dialect::sendmail::Kind::Cf)
    });
}
