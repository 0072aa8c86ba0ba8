//! `--format github`: one GitHub Actions workflow command per finding, so
//! that findings show up as annotations on the changed lines of a pull
//! request:
//!
//! ```text
//! ::error file=etc/postfix/main.cf,line=5,col=14,endLine=5,endColumn=23,title=PF001 postfix-open-relay::message
//! ```
//!
//! `error`, `warning` and `notice` follow the finding's severity. Values are
//! escaped the way the runner unescapes them: in the message `%`, CR and LF;
//! in properties also `:` and `,`.

use super::Report;
use crate::diagnostic::Severity;
use crate::finding::Finding;
use std::io::{self, Write};

/// Escapes the data part of a workflow command.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Writes one workflow command per finding (nothing for a clean report).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        write_finding(f, out)?;
    }
    Ok(())
}

/// Writes the workflow command of one finding.
pub fn write_finding(f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    // The runner resolves `file` against the workspace: `./` adds nothing.
    let path = f.path.strip_prefix("./").unwrap_or(&f.path);
    let title = if f.name.is_empty() {
        f.code.clone()
    } else {
        format!("{} {}", f.code, f.name)
    };
    writeln!(
        out,
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(path),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        escape_property(&title),
        escape_data(&f.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
        assert_eq!(escape_data("%0A"), "%250A");
    }
}
