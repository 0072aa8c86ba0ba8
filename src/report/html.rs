//! `--format html`: one self-contained page for auditors. No network: the
//! CSS and the script are inline, the charts are SVG drawn here, and a
//! Content-Security-Policy forbids loading anything else.
//!
//! Configurations are hostile input, so every piece of text that comes from
//! a scanned file (messages quote it, excerpts show it, host names are
//! folder names) goes through [`escape`]; the summary handed to the script
//! is JSON with `<`, `>` and `&` written as `\u` escapes, so that no string
//! can close its `<script>` element.
//!
//! The script only fills the summary counters from that JSON (so a browser
//! test can compare what it rendered with the JSON report) and sorts the
//! hosts table when a header is clicked (`#sort=<column>` or
//! `#sort=<column>-desc` in the address sorts on load).

use super::summary::{self, Summary};
use super::Report;
use crate::diagnostic::Severity;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls other than tab and newline have no business in a page.
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// JSON that may sit inside a `<script>` element.
fn script_json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#1d1d1f;background:#fff}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
dl.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(11em,1fr));gap:.6em}
dl.counts div{border:1px solid #ddd;border-radius:6px;padding:.5em .8em}
dl.counts dt{color:#555;font-size:.85em}dl.counts dd{margin:0;font-size:1.6em;font-weight:600}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:.3em .6em;text-align:left}
th{cursor:pointer;user-select:none;background:#f6f6f6}th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td{overflow-wrap:anywhere}td.num,th.num{text-align:right}.yes{color:#b00020;font-weight:600}
pre{background:#f7f7f9;border:1px solid #e1e1e8;padding:.6em;overflow-x:auto;white-space:pre}
.finding{margin:1.2em 0}.finding h3{font-size:1em;margin:0}.sev{display:inline-block;border-radius:3px;padding:0 .4em;color:#fff;font-size:.85em}
.sev-error{background:#b00020}.sev-warning{background:#b26a00}.sev-info{background:#00639b}
svg text{font:12px system-ui,sans-serif}
"#;

const SCRIPT: &str = r#"
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("relaylint-summary").textContent);
  document.querySelectorAll("[data-summary]").forEach(function (el) {
    var v = data[el.getAttribute("data-summary")];
    el.textContent = (v === undefined || v === null) ? "0" : String(v);
  });
  var table = document.getElementById("host-table");
  if (!table) { return; }
  var heads = table.tHead.rows[0].cells;
  function sortBy(col, desc) {
    var body = table.tBodies[0];
    var numeric = heads[col].classList.contains("num");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute("data-value"), y = b.cells[col].getAttribute("data-value");
      var c = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
      if (c === 0) { c = a.cells[0].getAttribute("data-value") < b.cells[0].getAttribute("data-value") ? -1 : 1; }
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    heads[col].setAttribute("aria-sort", desc ? "descending" : "ascending");
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      sortBy(col, th.getAttribute("aria-sort") === "ascending");
    });
  });
  var m = /^#sort=([a-z_]+?)(-desc)?$/.exec(location.hash);
  if (m) {
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getAttribute("data-key") === m[1]) { sortBy(i, !!m[2]); }
    }
  }
})();
"#;

/// Horizontal bars, one per (label, value, colour), drawn as inline SVG.
fn bars(title: &str, rows: &[(String, usize, &str)]) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 90;
    const WIDTH: usize = 320;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = ROW * rows.len().max(1) + 4;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure><figcaption>{}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" width="{}" height="{height}" aria-label="{}">"#,
        escape(title),
        LABEL + WIDTH + 60,
        escape(title)
    );
    for (i, (label, value, colour)) in rows.iter().enumerate() {
        let y = i * ROW + 2;
        let w = value * WIDTH / max;
        let _ = write!(
            s,
            r#"<g class="bar" data-label="{l}" data-value="{value}"><text x="0" y="{ty}">{l}</text><rect x="{LABEL}" y="{y}" width="{w}" height="{h}" fill="{colour}"></rect><text x="{tx}" y="{ty}">{value}</text></g>"#,
            l = escape(label),
            ty = y + 14,
            h = ROW - 6,
            tx = LABEL + w + 6,
        );
    }
    s.push_str("</svg></figure>");
    s
}

fn severity_colour(s: &str) -> &'static str {
    match s {
        "error" => "#b00020",
        "warning" => "#b26a00",
        _ => "#00639b",
    }
}

fn counters(s: &Summary) -> String {
    let mut out = String::from(r#"<dl class="counts">"#);
    let items: [(&str, &str); 9] = [
        ("hosts", "Hosts scanned"),
        ("hosts_open_relay", "Hosts with an open relay"),
        ("hosts_open_proxy", "Hosts with an open proxy"),
        ("findings", "Findings"),
        ("errors", "Errors"),
        ("warnings", "Warnings"),
        ("infos", "Info"),
        ("units", "Units"),
        ("files", "Files"),
    ];
    for (key, label) in items {
        let _ = write!(
            out,
            r#"<div><dt>{label}</dt><dd id="n-{key}" data-summary="{key}"></dd></div>"#
        );
    }
    if s.baseline_hidden.is_some() {
        out.push_str(r#"<div><dt>Hidden by the baseline</dt><dd id="n-baseline_hidden" data-summary="baseline_hidden"></dd></div>"#);
    }
    out.push_str("</dl>");
    out
}

fn hosts_table(s: &Summary) -> String {
    let mut out = String::from(
        r#"<table id="host-table"><thead><tr><th data-key="host">Host</th><th class="num" data-key="findings">Findings</th><th class="num" data-key="error">Errors</th><th class="num" data-key="warning">Warnings</th><th class="num" data-key="info">Info</th><th data-key="open_relay">Open relay</th><th data-key="open_proxy">Open proxy</th></tr></thead><tbody>"#,
    );
    let yes_no = |b: bool| {
        if b {
            r#"<td class="yes" data-value="1">yes</td>"#
        } else {
            r#"<td data-value="0">no</td>"#
        }
    };
    for (name, h) in &s.by_host {
        let n = escape(name);
        let _ = write!(
            out,
            r#"<tr><td data-value="{n}">{n}</td><td class="num" data-value="{f}">{f}</td><td class="num" data-value="{e}">{e}</td><td class="num" data-value="{w}">{w}</td><td class="num" data-value="{i}">{i}</td>{r}{p}</tr>"#,
            f = h.findings,
            e = h.error,
            w = h.warning,
            i = h.info,
            r = yes_no(h.open_relay),
            p = yes_no(h.open_proxy),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn statistics(report: &Report) -> String {
    let mut out = String::from(
        r#"<h2>Identical findings across hosts</h2><table id="statistics"><thead><tr><th>Code</th><th>Path under the host</th><th>Decisive line</th><th class="num">Findings</th><th>Hosts</th></tr></thead><tbody>"#,
    );
    for g in summary::statistics(report) {
        let _ = write!(
            out,
            r#"<tr data-fingerprint="{}"><td>{}</td><td>{}</td><td><code>{}</code></td><td class="num">{}</td><td>{}</td></tr>"#,
            escape(&g.fingerprint),
            escape(&g.code),
            escape(&g.path),
            escape(&g.line),
            g.count,
            escape(&g.hosts.join(", "))
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn findings(report: &Report) -> String {
    let mut out = String::from(r#"<h2>Findings</h2><div id="findings">"#);
    if report.findings.is_empty() {
        out.push_str("<p>No findings.</p>");
    }
    for f in &report.findings {
        let sev = f.severity.as_str();
        let _ = write!(
            out,
            r#"<article class="finding" data-code="{code}" data-host="{host}" data-severity="{sev}"><h3><span class="sev sev-{sev}">{sev}</span> {code} {name}: {msg}</h3><p>host <b>{host}</b>, <code>{path}:{line}:{col}</code></p><pre>{text}</pre></article>"#,
            code = escape(&f.code),
            host = escape(&f.host),
            name = escape(&f.name),
            msg = escape(&f.message),
            path = escape(&f.path),
            line = f.line,
            col = f.column,
            text = escape(f.rendered.trim_end()),
        );
    }
    out.push_str("</div>");
    out
}

/// The values the script shows, keyed by the counters' `data-summary`.
fn script_summary(s: &Summary) -> serde_json::Value {
    let sev = |k: &str| s.by_severity.get(k).copied().unwrap_or(0);
    serde_json::json!({
        "hosts": s.hosts,
        "hosts_open_relay": s.hosts_open_relay,
        "hosts_open_proxy": s.hosts_open_proxy,
        "findings": s.findings,
        "errors": sev("error"),
        "warnings": sev("warning"),
        "infos": sev("info"),
        "units": s.units,
        "files": s.files,
        "baseline_hidden": s.baseline_hidden,
    })
}

/// Writes the report as one HTML page.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = summary::summarise(report);
    let severities: Vec<(String, usize, &str)> =
        [Severity::Error, Severity::Warning, Severity::Info]
            .iter()
            .map(|sev| {
                let k = sev.as_str();
                (
                    k.to_string(),
                    s.by_severity.get(k).copied().unwrap_or(0),
                    severity_colour(k),
                )
            })
            .collect();
    let rules: Vec<(String, usize, &str)> = s
        .by_rule
        .iter()
        .map(|(c, n)| (c.clone(), *n, "#4a5d7e"))
        .collect();
    let mut page = String::new();
    page.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>relaylint report</title><style>"
    ));
    page.push_str(STYLE);
    let _ = write!(
        page,
        r#"</style></head><body><h1>relaylint report</h1><p>relaylint {}</p><h2>Summary</h2>"#,
        env!("CARGO_PKG_VERSION")
    );
    page.push_str(&counters(&s));
    page.push_str(r#"<h2>Findings per severity and rule</h2><div id="charts">"#);
    page.push_str(&bars("Findings per severity", &severities));
    page.push_str(&bars("Findings per rule", &rules));
    page.push_str(r#"</div><h2>Hosts</h2><p>Click a header to sort.</p>"#);
    page.push_str(&hosts_table(&s));
    if report.statistics {
        page.push_str(&statistics(report));
    }
    page.push_str(&findings(report));
    let _ = write!(
        page,
        r#"<script type="application/json" id="relaylint-summary">{}</script><script>{SCRIPT}</script></body></html>"#,
        script_json(&script_summary(&s))
    );
    page.push('\n');
    out.write_all(page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_script_closers_are_escaped() {
        assert_eq!(
            escape(r#"<script>a&'b"</script>"#),
            "&lt;script&gt;a&amp;&#39;b&quot;&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{1b}[31mb"), "a\\x1b[31mb");
        let j = script_json(&serde_json::json!({"h": "</script><b>&"}));
        assert!(
            !j.contains('<') && !j.contains('>') && !j.contains('&'),
            "{j}"
        );
        let back: serde_json::Value = serde_json::from_str(&j).expect("still JSON");
        assert_eq!(back["h"], "</script><b>&");
    }
}
