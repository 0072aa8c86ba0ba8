//! `relaylint rules` and `relaylint explain`: printed from the same YAML the
//! registry embeds.

use relaylint::registry;
use std::io::Write;
use std::process::ExitCode;

fn print(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

/// Lists every rule.
pub fn rules(json: bool) -> ExitCode {
    if json {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            code: &'a str,
            name: &'a str,
            dialect: &'a str,
            severity: &'a str,
            summary: &'a str,
        }
        let rows: Vec<Row> = registry::all()
            .iter()
            .map(|r| Row {
                code: &r.code,
                name: &r.name,
                dialect: &r.dialect,
                severity: &r.severity,
                summary: &r.summary,
            })
            .collect();
        return match serde_json::to_string_pretty(&rows) {
            Ok(s) => print(&format!("{s}\n")),
            Err(_) => ExitCode::from(2),
        };
    }
    let mut s = String::new();
    for r in registry::all() {
        s.push_str(&format!(
            "{:<6} {:<36} {:<9} {:<8} {}\n",
            r.code, r.name, r.dialect, r.severity, r.summary
        ));
    }
    print(&s)
}

/// Explains one rule.
pub fn explain(code: &str) -> ExitCode {
    let Some(r) = registry::lookup(code) else {
        eprintln!("relaylint: error: unknown rule `{code}` (see `relaylint rules`)");
        return ExitCode::from(2);
    };
    let mut s = format!(
        "{} {} ({}, {})\n\n{}\n\n",
        r.code, r.name, r.dialect, r.severity, r.summary
    );
    s.push_str("Why it matters\n\n");
    s.push_str(r.rationale.trim_end());
    s.push_str("\n\nHow to fix it\n\n");
    s.push_str(r.fix.trim_end());
    s.push('\n');
    for (i, ex) in r.examples.iter().enumerate() {
        for (label, side) in [("bad", &ex.bad), ("good", &ex.good)] {
            let case = side.case();
            s.push_str(&format!("\nExample {}: {label}\n", i + 1));
            if !case.args.is_empty() || !case.paths.is_empty() {
                s.push_str(&format!(
                    "\n  $ relaylint check {} {}\n",
                    case.args.join(" "),
                    if case.paths.is_empty() {
                        ".".to_string()
                    } else {
                        case.paths.join(" ")
                    }
                ));
            }
            for (path, text) in &case.files {
                s.push_str(&format!("\n  # {path}\n"));
                for line in text.lines() {
                    s.push_str(&format!("  {line}\n"));
                }
            }
            for (path, what) in &case.special {
                s.push_str(&format!("\n  # {path}: {what}\n"));
            }
        }
    }
    if !r.references.is_empty() {
        s.push_str("\nReferences\n\n");
        for link in &r.references {
            s.push_str(&format!("  {link}\n"));
        }
    }
    print(&s)
}
