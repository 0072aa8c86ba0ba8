//! Inline suppressions: `# relaylint: disable=PF002,SQ004 -- reason` in a
//! configuration file silences those codes on the next logical line (or on
//! its own line when the comment trails a statement), and
//! `disable-file=CODE` silences a code in the whole file.
//!
//! Suppressions are applied to a unit's diagnostics after every check has
//! run, from the texts in the unit's [`SourceDb`], so they work the same for
//! every dialect. What counts as a comment and as a continued line is the
//! daemon's own notion, chosen per unit ([`Style`]): a suppression must sit
//! where the daemon sees a comment, never inside a value.
//!
//! This module never opens files and never decides severities: it only
//! removes diagnostics and adds RL009 (a malformed suppression) and RL010 (a
//! suppression that silences nothing).

use crate::classify;
use crate::diagnostic::Diagnostic;
use crate::dialect::kind::Dialect;
use crate::registry;
use crate::source::{FileId, SourceDb, Span};

/// Code of a malformed suppression comment.
pub const INVALID: &str = "RL009";
/// Code of a suppression that silences nothing.
pub const UNUSED: &str = "RL010";

/// How lines continue in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Continuation {
    /// Every physical line stands alone.
    None,
    /// A line that starts with whitespace continues the previous one
    /// (Postfix main.cf, master.cf and lookup tables).
    LeadingWhitespace,
    /// A line that ends with `\` continues on the next (Squid).
    Backslash,
}

/// The comment syntax and line structure of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// `dnl` (m4, Sendmail `.mc`) rather than `#`.
    pub dnl: bool,
    /// True when the daemon also ends a statement at a `#` after it on the
    /// same line (Dante); elsewhere only a whole-line comment is a comment.
    pub trailing: bool,
    /// Continued lines.
    pub continuation: Continuation,
}

impl Style {
    /// The style of a dialect's files.
    pub fn of(dialect: Option<Dialect>) -> Style {
        let (trailing, continuation) = match dialect {
            Some(Dialect::PostfixMain | Dialect::PostfixMaster | Dialect::PostfixTable) => {
                (false, Continuation::LeadingWhitespace)
            }
            Some(Dialect::Squid) => (false, Continuation::Backslash),
            Some(Dialect::Dante) => (true, Continuation::None),
            Some(Dialect::SendmailMc) => (true, Continuation::None),
            _ => (false, Continuation::None),
        };
        Style {
            dnl: dialect == Some(Dialect::SendmailMc),
            trailing,
            continuation,
        }
    }

    /// The style of the files of one unit: the dialect of its first file
    /// that tells one (by name, then by content). Lookup tables and include
    /// files follow the unit's daemon, except `.mc` files, which are m4.
    pub fn of_unit(db: &SourceDb) -> Style {
        let dialect = (0..db.len()).find_map(|i| {
            let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
            file_dialect(db.display(id), db.text(id))
        });
        Style::of(dialect)
    }
}

fn file_dialect(display: &str, text: &str) -> Option<Dialect> {
    let name = display.rsplit(['/', '\\']).next().unwrap_or(display);
    classify::by_name(name).or_else(|| {
        let head = text
            .get(..classify::SNIFF_BYTES.min(text.len()))
            .unwrap_or(text);
        classify::by_content(head)
    })
}

/// Where a suppression applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Physical lines `first..=last` (0-based).
    Lines {
        /// First line.
        first: usize,
        /// Last line.
        last: usize,
    },
    /// The whole file.
    File,
}

/// One code named in a suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// As written (a code, a family prefix or a rule name).
    pub selector: String,
    /// Where it is written.
    pub span: Span,
}

/// One `relaylint:` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// What it covers.
    pub scope: Scope,
    /// The codes it silences.
    pub targets: Vec<Target>,
    /// The text after ` -- `, if any.
    pub reason: Option<String>,
    /// The whole directive, from `relaylint:` to the end of the comment.
    pub span: Span,
}

/// A line of a file, with its byte range (line break excluded).
struct Line<'t> {
    start: usize,
    text: &'t str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let body = piece.trim_end_matches(['\n', '\r']);
        out.push(Line { start, text: body });
        start += piece.len();
    }
    out
}

fn is_comment_line(line: &str, style: Style) -> bool {
    let t = line.trim_start();
    if style.dnl {
        t.starts_with("dnl") && t[3..].chars().next().is_none_or(char::is_whitespace)
            || t.starts_with('#')
    } else {
        t.starts_with('#')
    }
}

/// Byte offset (in `line`) just after the comment marker that starts a
/// comment, and whether the comment is the whole line.
fn comment_start(line: &str, style: Style) -> Option<(usize, bool)> {
    let lead = line.len() - line.trim_start().len();
    let rest = &line[lead..];
    if style.dnl {
        if rest.starts_with("dnl") && rest[3..].chars().next().is_none_or(char::is_whitespace) {
            return Some((lead + 3, true));
        }
    } else if rest.starts_with('#') {
        return Some((lead + 1, true));
    }
    if !style.trailing {
        return None;
    }
    let marker = if style.dnl { "dnl" } else { "#" };
    let mut from = 0;
    while let Some(i) = line.get(from..).and_then(|s| s.find(marker)) {
        let at = from + i;
        let before_ok = line[..at].ends_with([' ', '\t']);
        let after = &line[at + marker.len()..];
        let after_ok = !style.dnl || after.chars().next().is_none_or(char::is_whitespace);
        if before_ok && after_ok {
            return Some((at + marker.len(), false));
        }
        from = at + marker.len();
    }
    None
}

/// The last physical line of the logical line that starts at `first`.
fn logical_end(lines: &[Line], first: usize, style: Style) -> usize {
    let mut last = first;
    match style.continuation {
        Continuation::None => {}
        Continuation::Backslash => {
            while lines.get(last).is_some_and(|l| l.text.ends_with('\\')) && last + 1 < lines.len()
            {
                last += 1;
            }
        }
        Continuation::LeadingWhitespace => {
            // Comment and blank lines inside a continued value neither end
            // it nor belong to it (Postfix skips them).
            let mut i = first + 1;
            while let Some(l) = lines.get(i) {
                if l.text.trim().is_empty() || is_comment_line(l.text, style) {
                    i += 1;
                    continue;
                }
                if l.text.starts_with([' ', '\t']) {
                    last = i;
                    i += 1;
                } else {
                    break;
                }
            }
        }
    }
    last
}

/// The first physical line of the logical line holding `line`.
fn logical_start(lines: &[Line], line: usize, style: Style) -> usize {
    let mut first = line;
    match style.continuation {
        Continuation::None => {}
        Continuation::Backslash => {
            while first > 0 && lines.get(first - 1).is_some_and(|l| l.text.ends_with('\\')) {
                first -= 1;
            }
        }
        Continuation::LeadingWhitespace => {
            let mut i = line;
            while lines
                .get(i)
                .is_some_and(|l| l.text.starts_with([' ', '\t']) && !l.text.trim().is_empty())
                && i > 0
            {
                i -= 1;
                match lines.get(i) {
                    Some(l) if l.text.trim().is_empty() || is_comment_line(l.text, style) => {}
                    Some(_) => first = i,
                    None => break,
                }
            }
        }
    }
    first
}

/// Parses every `relaylint:` comment of one file. Malformed ones become
/// RL009 diagnostics; a directive with a missing reason still applies.
pub fn parse_file(db: &SourceDb, file: FileId, style: Style) -> (Vec<Directive>, Vec<Diagnostic>) {
    let text = db.text(file);
    // Nearly every file has no suppression: one substring search skips the
    // line-by-line comment parsing.
    if memchr::memmem::find(text.as_bytes(), b"relaylint:").is_none() {
        return (Vec::new(), Vec::new());
    }
    let lines = lines(text);
    let mut directives = Vec::new();
    let mut diags = Vec::new();
    for (idx, line) in lines.iter().enumerate() {
        let Some((after_marker, whole_line)) = comment_start(line.text, style) else {
            continue;
        };
        let body = &line.text[after_marker..];
        let lead = body.len() - body.trim_start().len();
        let Some(rest) = body[lead..].strip_prefix("relaylint:") else {
            continue;
        };
        let dir_start = line.start + after_marker + lead;
        let dir_span = Span::new(file, dir_start..line.start + line.text.len());
        let rest_off = line.start + after_marker + lead + "relaylint:".len();
        let ws = rest.len() - rest.trim_start().len();
        let words = &rest[ws..];
        let (file_wide, list) = if let Some(l) = words.strip_prefix("disable-file=") {
            (true, l)
        } else if let Some(l) = words.strip_prefix("disable=") {
            (false, l)
        } else {
            diags.push(
                Diagnostic::new(
                    INVALID,
                    "a `relaylint:` comment must say `disable=CODES` or `disable-file=CODES`",
                    dir_span,
                    "not a suppression relaylint understands",
                )
                .with_help("write `relaylint: disable=CODE -- reason`"),
            );
            continue;
        };
        let list_off = rest_off + ws + (words.len() - list.len());
        let (codes_text, reason) = match list.find(" -- ") {
            Some(i) => (&list[..i], Some(list[i + 4..].trim())),
            None => match list.strip_suffix(" --") {
                Some(c) => (c, Some("")),
                None => (list, None),
            },
        };
        let mut targets = Vec::new();
        let mut offset = 0;
        let mut bad = false;
        for part in codes_text.split(',') {
            let lead = part.len() - part.trim_start().len();
            let sel = part.trim();
            let at = list_off + offset + lead;
            offset += part.len() + 1;
            let span = Span::new(file, at..at + sel.len());
            if sel.is_empty() || sel.contains(char::is_whitespace) {
                bad = true;
                diags.push(
                    Diagnostic::new(
                        INVALID,
                        "a suppression lists its codes separated by commas",
                        if sel.is_empty() { dir_span } else { span },
                        "cannot read this list of codes",
                    )
                    .with_help("write `disable=PF002,PF005 -- reason`"),
                );
                break;
            }
            if !registry::is_known_selector(sel) {
                bad = true;
                diags.push(
                    Diagnostic::new(
                        INVALID,
                        format!("`{sel}` is not a relaylint rule code or name"),
                        span,
                        "unknown rule",
                    )
                    .with_help("`relaylint rules` lists every code and name"),
                );
                continue;
            }
            targets.push(Target {
                selector: sel.to_string(),
                span,
            });
        }
        match reason {
            Some(r) if !r.is_empty() => {}
            _ => diags.push(
                Diagnostic::new(
                    INVALID,
                    "a suppression must give its reason after ` -- `",
                    dir_span,
                    "no reason given",
                )
                .with_note("the suppression still applies")
                .with_help("append ` -- ` and why the finding does not apply here"),
            ),
        }
        if targets.is_empty() && !bad {
            continue;
        }
        let scope = if file_wide {
            Scope::File
        } else if whole_line {
            // The next line that is not itself a comment (so that stacked
            // suppressions work), with every line it continues onto.
            let mut next = idx + 1;
            while lines
                .get(next)
                .is_some_and(|l| is_comment_line(l.text, style))
            {
                next += 1;
            }
            if next >= lines.len() {
                Scope::Lines {
                    first: idx,
                    last: idx,
                }
            } else {
                Scope::Lines {
                    first: next,
                    last: logical_end(&lines, next, style),
                }
            }
        } else {
            let first = logical_start(&lines, idx, style);
            Scope::Lines {
                first,
                last: logical_end(&lines, first, style),
            }
        };
        directives.push(Directive {
            scope,
            targets,
            reason: reason.filter(|r| !r.is_empty()).map(str::to_string),
            span: dir_span,
        });
    }
    (directives, diags)
}

/// Removes the diagnostics that a suppression in the unit's files silences,
/// and adds RL009 for malformed suppressions and RL010 for suppressions
/// that silence nothing. RL009 and RL010 themselves cannot be suppressed.
pub fn apply(db: &SourceDb, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut suppressions = Suppressions::read(db, db.len());
    let mut kept = suppressions.silence(db, diags);
    kept.extend(suppressions.finish());
    kept
}

/// The suppressions of a unit's own files, applied to the diagnostics of
/// one or more passes over them (a proxy unit's own analysis, then its host
/// passes, whose findings sit in the proxy's file too), and reported once:
/// RL009 for the malformed ones, RL010 for those no pass used.
pub struct Suppressions {
    per_file: Vec<(FileId, Vec<Directive>)>,
    /// used[file][directive][target]
    used: Vec<Vec<Vec<bool>>>,
    /// RL009 for the directives that could not be read.
    malformed: Vec<Diagnostic>,
}

impl Suppressions {
    /// The suppressions in the first `own` files of `db` (the unit's own;
    /// later files belong to other units, which report on them).
    pub fn read(db: &SourceDb, own: usize) -> Suppressions {
        let style = Style::of_unit(db);
        let mut per_file: Vec<(FileId, Vec<Directive>)> = Vec::new();
        let mut malformed = Vec::new();
        for i in 0..own.min(db.len()) {
            let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
            let shown = db.display(id).to_ascii_lowercase();
            // m4 files are m4 whatever the unit; the other files of a Sendmail
            // `.mc` unit (access, relay-domains, aliases) use `#`.
            let file_style = if shown.ends_with(".mc") || shown.ends_with(".m4") {
                Style::of(Some(Dialect::SendmailMc))
            } else if style.dnl {
                Style::of(Some(Dialect::SendmailCf))
            } else {
                style
            };
            let (directives, problems) = parse_file(db, id, file_style);
            malformed.extend(problems);
            if !directives.is_empty() {
                per_file.push((id, directives));
            }
        }
        let used = per_file
            .iter()
            .map(|(_, ds)| ds.iter().map(|d| vec![false; d.targets.len()]).collect())
            .collect();
        Suppressions {
            per_file,
            used,
            malformed,
        }
    }

    /// The diagnostics no suppression silences. `db` holds the unit's own
    /// files first, as [`Suppressions::read`] saw them.
    pub fn silence(&mut self, db: &SourceDb, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if self.per_file.is_empty() {
            return diags;
        }
        let mut kept = Vec::with_capacity(diags.len());
        for d in diags {
            let span = d.primary.span;
            let line = (db.line_col(span.file, span.start).line as usize).saturating_sub(1);
            let name = registry::lookup(d.code)
                .map(|m| m.name.as_str())
                .unwrap_or("");
            let mut silenced = false;
            for (fi, (file, directives)) in self.per_file.iter().enumerate() {
                if *file != span.file {
                    continue;
                }
                for (di, dir) in directives.iter().enumerate() {
                    let covers = match dir.scope {
                        Scope::File => true,
                        Scope::Lines { first, last } => (first..=last).contains(&line),
                    };
                    if !covers {
                        continue;
                    }
                    for (ti, t) in dir.targets.iter().enumerate() {
                        if registry::selects(&t.selector, d.code, name) {
                            silenced = true;
                            if let Some(u) = self
                                .used
                                .get_mut(fi)
                                .and_then(|f| f.get_mut(di))
                                .and_then(|d| d.get_mut(ti))
                            {
                                *u = true;
                            }
                        }
                    }
                }
            }
            if !silenced {
                kept.push(d);
            }
        }
        kept
    }

    /// RL009 for every malformed suppression, RL010 for every target that
    /// silenced nothing in any pass.
    pub fn finish(self) -> Vec<Diagnostic> {
        let mut meta = self.malformed;
        for ((_, directives), used) in self.per_file.iter().zip(&self.used) {
            for (dir, used) in directives.iter().zip(used) {
                for (t, u) in dir.targets.iter().zip(used) {
                    if !u {
                        let what = match dir.scope {
                            Scope::File => "in this file",
                            Scope::Lines { .. } => "on the line it covers",
                        };
                        meta.push(
                            Diagnostic::new(
                                UNUSED,
                                format!("suppression of `{}` silences nothing", t.selector),
                                t.span,
                                format!("no `{}` finding {what}", t.selector),
                            )
                            .with_help(format!("remove `{}` from this suppression", t.selector)),
                        );
                    }
                }
            }
        }
        meta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random texts built from the tokens the parser looks at:
    /// nothing may panic, and every span must lie inside its file.
    #[test]
    fn token_soup_never_panics() {
        const TOKENS: [&str; 16] = [
            "#",
            "dnl",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\\",
            "relaylint:",
            "disable=",
            "disable-file=",
            "PF002",
            ",",
            " -- ",
            "--",
            "é",
            "x",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..3000 {
            let mut text = String::new();
            for _ in 0..(round % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(TOKENS[(seed % TOKENS.len() as u64) as usize]);
            }
            for name in ["main.cf", "squid.conf", "sockd.conf", "a.mc", "-"] {
                let mut db = SourceDb::new();
                let id = db.add(name.into(), text.clone(), false);
                let d = Diagnostic::new("PF002", "m", Span::new(id, 0..text.len()), "l");
                for out in apply(&db, vec![d]) {
                    assert!(out.primary.span.end as usize <= text.len(), "{text:?}");
                    assert!(
                        db.text(id).get(out.primary.span.range()).is_some(),
                        "{text:?}"
                    );
                }
            }
        }
    }
}
