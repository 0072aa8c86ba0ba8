//! `--format sarif`: SARIF 2.1.0 for code-scanning services (GitHub code
//! scanning and any other SARIF consumer).
//!
//! One run. `tool.driver.rules` lists every rule of the registry (sorted by
//! code, so that `ruleIndex` is stable for a given release), each with its
//! summary, rationale, fix, default level and a `helpUri` pointing at its
//! YAML in the repository (`https://github.com/relaylint/relaylint/blob/main/rules/<CODE>.yaml`).
//! Each finding is a result with its effective level, its primary span as
//! the location, its secondary labels as related locations, and its
//! fingerprint as `partialFingerprints["relaylint/v1"]`.
//!
//! Paths: a relative path (as the user named it) becomes a relative URI
//! with `uriBaseId: "SRCROOT"`, which `originalUriBaseIds` maps to the
//! working folder when it is known; an absolute path becomes a `file://`
//! URI. Columns count Unicode scalar values, which the run declares with
//! `columnKind: "unicodeCodePoints"`; `endColumn` is exclusive, as in SARIF.

use super::Report;
use crate::diagnostic::Severity;
use crate::finding::{Finding, LabelOut};
use crate::registry::{self, RuleMeta};
use serde_json::{json, Map, Value};
use std::io::{self, Write};
use std::path::Path;

/// Where rule documentation lives; `<CODE>.yaml` is appended.
pub const RULE_DOC_BASE: &str = "https://github.com/relaylint/relaylint/blob/main/rules/";

/// The project's home page.
pub const INFORMATION_URI: &str = "https://github.com/relaylint/relaylint";

/// The `uriBaseId` of relative paths.
pub const SRC_ROOT: &str = "SRCROOT";

/// What the SARIF writer needs beyond the report.
#[derive(Clone, Copy, Debug, Default)]
pub struct SarifOptions<'a> {
    /// The folder relative paths start from (the working folder); when
    /// `None`, `originalUriBaseIds` is left out and consumers supply it.
    pub src_root: Option<&'a Path>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes what may not appear in a URI path.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The artifact location of a path as the user named it.
fn artifact(path: &str) -> Value {
    if let Some(abs) = path.strip_prefix('/') {
        return json!({ "uri": format!("file:///{}", encode_path(abs)) });
    }
    // `:` is always encoded, so a first segment never reads as a scheme.
    let rel = path.strip_prefix("./").unwrap_or(path);
    json!({ "uri": encode_path(rel), "uriBaseId": SRC_ROOT })
}

fn region(line: u32, column: u32, end_line: u32, end_column: u32) -> Value {
    json!({
        "startLine": line.max(1),
        "startColumn": column.max(1),
        "endLine": end_line.max(line).max(1),
        "endColumn": end_column.max(1),
    })
}

fn physical(path: &str, region: Value) -> Value {
    json!({ "physicalLocation": { "artifactLocation": artifact(path), "region": region } })
}

fn rule(meta: &RuleMeta) -> Value {
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": meta.rationale.trim() },
        "help": { "text": meta.fix.trim() },
        "helpUri": format!("{RULE_DOC_BASE}{}.yaml", meta.code),
        "defaultConfiguration": { "level": level(meta.default_severity()) },
        "properties": { "dialect": meta.dialect },
    })
}

fn related(id: usize, l: &LabelOut) -> Value {
    let mut loc = physical(&l.path, region(l.line, l.column, l.end_line, l.end_column));
    if let Some(obj) = loc.as_object_mut() {
        obj.insert("id".into(), json!(id));
        obj.insert("message".into(), json!({ "text": l.message }));
    }
    loc
}

fn result(f: &Finding, rules: &[RuleMeta]) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.code));
    if let Some(i) = rules.iter().position(|m| m.code == f.code) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(f.severity)));
    let mut text = f.message.clone();
    for n in &f.notes {
        text.push_str(&format!("\nnote: {n}"));
    }
    if let Some(h) = &f.help {
        text.push_str(&format!("\nhelp: {h}"));
    }
    r.insert("message".into(), json!({ "text": text }));
    let mut primary = physical(&f.path, region(f.line, f.column, f.end_line, f.end_column));
    if let (Some(obj), Some(label)) = (primary.as_object_mut(), f.labels.iter().find(|l| l.primary))
    {
        obj.insert("message".into(), json!({ "text": label.message }));
    }
    r.insert("locations".into(), json!([primary]));
    let secondary: Vec<Value> = f
        .labels
        .iter()
        .filter(|l| !l.primary)
        .enumerate()
        .map(|(i, l)| related(i + 1, l))
        .collect();
    if !secondary.is_empty() {
        r.insert("relatedLocations".into(), Value::Array(secondary));
    }
    r.insert(
        "partialFingerprints".into(),
        json!({ "relaylint/v1": f.fingerprint }),
    );
    if !f.host.is_empty() {
        r.insert("properties".into(), json!({ "host": f.host }));
    }
    Value::Object(r)
}

/// The file URI of a folder, with the trailing `/` SARIF requires.
fn folder_uri(dir: &Path) -> Option<String> {
    let s = dir.to_str()?;
    let abs = s.strip_prefix('/')?;
    let mut uri = format!("file:///{}", encode_path(abs));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

/// Stands for the results while the rest of the log is laid out.
const RESULTS_MARK: &str = "relaylint:results";

/// Depth of a result in the pretty-printed log: the log, `runs`, the run,
/// `results`.
const RESULT_DEPTH: usize = 4;

/// The log without its results, pretty-printed and cut where they go:
/// `head` ends with the results array's `[`, `tail` starts with the line
/// break before its `]`. The results are then written one at a time, so
/// that a scan of thousands of hosts never holds them all. Laid out once
/// per log: it lists every rule.
pub struct Frame {
    head: String,
    tail: String,
}

/// The log, with `results` as the run's results.
fn log(opts: &SarifOptions, results: Value) -> Value {
    let rules = registry::all();
    let mut run = Map::new();
    run.insert(
        "tool".into(),
        json!({ "driver": {
            "name": "relaylint",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": INFORMATION_URI,
            "rules": rules.iter().map(rule).collect::<Vec<_>>(),
        }}),
    );
    if let Some(uri) = opts.src_root.and_then(folder_uri) {
        run.insert(
            "originalUriBaseIds".into(),
            json!({ SRC_ROOT: { "uri": uri } }),
        );
    }
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    run.insert("results".into(), results);
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [Value::Object(run)],
    })
}

impl Frame {
    /// The frame of the log `opts` describe.
    pub fn new(opts: &SarifOptions) -> io::Result<Frame> {
        let log = log(opts, json!([RESULTS_MARK]));
        let text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
        let mark = format!("\n{}\"{RESULTS_MARK}\"", "  ".repeat(RESULT_DEPTH));
        let at = text
            .find(&mark)
            .ok_or_else(|| io::Error::other("SARIF layout: no place for the results"))?;
        Ok(Frame {
            head: text[..at].to_string(),
            tail: text[at + mark.len()..].to_string(),
        })
    }

    /// The log up to its results; results follow as they come
    /// ([`write_result`]).
    pub fn write_start(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.head.as_bytes())
    }

    /// Closes the results (`written` of them) and the log.
    pub fn write_end(&self, written: usize, out: &mut dyn Write) -> io::Result<()> {
        // An empty array is printed `[]`, on the line that opens it.
        let tail = if written == 0 {
            self.tail.trim_start_matches(['\n', ' '])
        } else {
            &self.tail
        };
        out.write_all(tail.as_bytes())?;
        writeln!(out)
    }
}

/// One result; `index` counts the results written before it.
pub fn write_result(index: usize, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::with_capacity(4096);
    super::json::Nested::at(RESULT_DEPTH).item(&mut text, index == 0)?;
    super::json::write_nested(&mut text, RESULT_DEPTH, &result(f, registry::all()))?;
    out.write_all(&text)
}

/// Writes the report as one SARIF 2.1.0 log.
pub fn write(report: &Report, opts: &SarifOptions, out: &mut dyn Write) -> io::Result<()> {
    let frame = Frame::new(opts)?;
    frame.write_start(out)?;
    for (i, f) in report.findings.iter().enumerate() {
        write_result(i, f, out)?;
    }
    frame.write_end(report.findings.len(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log as serde would pretty-print it in one go.
    fn at_once(findings: &[Finding], opts: &SarifOptions) -> String {
        let results = findings
            .iter()
            .map(|f| result(f, registry::all()))
            .collect();
        let log = log(opts, Value::Array(results));
        format!("{}\n", serde_json::to_string_pretty(&log).expect("pretty"))
    }

    #[test]
    fn the_streamed_log_is_the_pretty_printed_one() {
        let f = super::super::sample_finding();
        let root = Path::new("/work/x y");
        for src_root in [None, Some(root)] {
            let opts = SarifOptions { src_root };
            for n in 0..3 {
                let report = Report {
                    findings: vec![f.clone(); n],
                    ..Report::default()
                };
                let mut streamed = Vec::new();
                write(&report, &opts, &mut streamed).expect("write");
                assert_eq!(
                    String::from_utf8_lossy(&streamed),
                    at_once(&report.findings, &opts)
                );
            }
        }
    }

    #[test]
    fn paths_become_uris() {
        assert_eq!(
            artifact("./etc/postfix/main.cf"),
            json!({"uri": "etc/postfix/main.cf", "uriBaseId": "SRCROOT"})
        );
        assert_eq!(
            artifact("a b/ç#1"),
            json!({"uri": "a%20b/%C3%A7%231", "uriBaseId": "SRCROOT"})
        );
        assert_eq!(
            artifact("/etc/main.cf"),
            json!({"uri": "file:///etc/main.cf"})
        );
        assert_eq!(
            artifact("c:x/main.cf"),
            json!({"uri": "c%3Ax/main.cf", "uriBaseId": "SRCROOT"})
        );
        assert_eq!(
            folder_uri(Path::new("/work/x y")).as_deref(),
            Some("file:///work/x%20y/")
        );
    }
}
