//! Reads `sendmail.cf` text (the compiled file, or the raw `.cf` lines an
//! `.mc` copies through `LOCAL_CONFIG` / `LOCAL_RULESETS`): one statement
//! per line, its kind told by the first character; a line starting with a
//! space or tab continues the previous one; `#` lines are comments except
//! the `$Id: <file>.m4` lines the m4 build leaves, which tell which FEATUREs
//! were used.
//!
//! Never opens files, never fails: a line sendmail would not understand is a
//! [`LineProblem`].

use crate::source::{FileId, Span};

/// A value with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The text.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// `O Name=value` (or the one-letter `Oxvalue`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionLine {
    /// Long name (one-letter names are translated where relaylint cares).
    pub name: String,
    /// The value.
    pub value: String,
    /// The whole line.
    pub span: Span,
}

/// `Cx word...` / `C{name}word...`: the words, each with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassLine {
    /// `R`, `w`, `TrustAuthMech`...
    pub class: String,
    /// The words.
    pub words: Vec<Item>,
    /// The whole line.
    pub span: Span,
}

/// `Fx[-o] path`: a class read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassFile {
    /// `R`, `w`...
    pub class: String,
    /// The path (or `|program`, or a map spec).
    pub path: String,
    /// `-o`: a missing file is not an error.
    pub optional: bool,
    /// A scanf format (`%[^#]`) follows the path: every word of a line
    /// up to `#` counts, not only the first.
    pub whole_line: bool,
    /// The whole line.
    pub span: Span,
}

/// `Kname class args`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapLine {
    /// `access`, `mxserved`...
    pub name: String,
    /// `hash`, `bestmx`...
    pub class: String,
    /// Flags and the file, as written.
    pub args: String,
    /// The whole line.
    pub span: Span,
}

/// `Rlhs<TAB>rhs<TAB>comment`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleLine {
    /// Left-hand side (trimmed).
    pub lhs: String,
    /// Right-hand side (trimmed).
    pub rhs: String,
    /// The whole line.
    pub span: Span,
}

/// `Sname` and its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ruleset {
    /// The name (without `=N`).
    pub name: String,
    /// The `S` line.
    pub span: Span,
    /// The rules, in order.
    pub rules: Vec<RuleLine>,
}

/// A line sendmail does not accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// sendmail exits on it (rather than reporting it and going on).
    pub fatal: bool,
    /// The line.
    pub line: String,
}

/// Everything read from `.cf` text.
#[derive(Clone, Debug, Default)]
pub struct CfText {
    /// `O` lines.
    pub options: Vec<OptionLine>,
    /// `D` lines: macro name and value.
    pub macros: Vec<(String, Item)>,
    /// `C` lines.
    pub classes: Vec<ClassLine>,
    /// `F` lines.
    pub class_files: Vec<ClassFile>,
    /// `K` lines.
    pub maps: Vec<MapLine>,
    /// `S` rulesets (a name started again continues the same ruleset).
    pub rulesets: Vec<Ruleset>,
    /// `$Id: name.m4,v ...` comments: the m4 file name without `.m4`.
    pub m4_ids: Vec<Item>,
    /// Lines sendmail does not accept.
    pub problems: Vec<LineProblem>,
    /// Number of statement lines (not comments or blanks).
    pub statements: usize,
}

impl CfText {
    /// The ruleset with this name.
    pub fn ruleset(&self, name: &str) -> Option<&Ruleset> {
        self.rulesets.iter().find(|r| r.name == name)
    }
}

/// Long names of the one-letter options relaylint reads.
fn long_option(letter: char) -> Option<&'static str> {
    Some(match letter {
        'O' => "DaemonPortOptions",
        'p' => "PrivacyOptions",
        'A' => "AliasFile",
        _ => return None,
    })
}

/// Maps a span inside `text` to the file span (identity offset here; the
/// `.mc` reader supplies its own mapping).
pub type SpanOf<'a> = &'a dyn Fn(usize, usize) -> Span;

/// Parses `.cf` text from a file.
pub fn parse(file: FileId, text: &str) -> CfText {
    parse_with(text, &|a, b| Span::new(file, a..b))
}

/// Parses `.cf` text whose spans come from `span_of` (for text copied out
/// of an `.mc`).
pub fn parse_with(text: &str, span_of: SpanOf) -> CfText {
    let mut out = CfText::default();
    // Logical lines: a line starting with space or tab continues the last.
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for range in crate::source::line_ranges(text) {
        let start = range.start;
        let body = text.get(range).unwrap_or("").trim_end_matches('\r');
        let end = start + body.len();
        if body.starts_with([' ', '\t']) && !body.trim().is_empty() {
            if let Some(last) = lines.last_mut() {
                last.1 = end;
                continue;
            }
        }
        lines.push((start, end));
    }
    let mut current: Option<usize> = None;
    for (start, end) in lines {
        let line = text.get(start..end).unwrap_or("");
        let span = span_of(start, end);
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first == '#' {
            if let Some(name) = m4_id(line) {
                out.m4_ids.push(Item {
                    text: name.to_string(),
                    span,
                });
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        out.statements += 1;
        let rest = line.get(first.len_utf8()..).unwrap_or("");
        match first {
            'O' => option(rest, span, &mut out),
            'D' => {
                let (name, value) = macro_name(rest);
                out.macros.push((
                    name,
                    Item {
                        text: value.to_string(),
                        span,
                    },
                ));
            }
            'C' => {
                let (class, words_at) = class_name(rest);
                let base = start + 1 + words_at;
                let mut words = Vec::new();
                let body = rest.get(words_at..).unwrap_or("");
                let mut off = 0usize;
                for w in body.split([' ', '\t', '\n', '\r']) {
                    if !w.is_empty() {
                        words.push(Item {
                            text: w.to_string(),
                            span: span_of(base + off, base + off + w.len()),
                        });
                    }
                    off += w.len() + 1;
                }
                out.classes.push(ClassLine { class, words, span });
            }
            'F' => {
                let (class, at) = class_name(rest);
                let mut spec = rest.get(at..).unwrap_or("").trim();
                let mut optional = false;
                if let Some(r) = spec.strip_prefix("-o") {
                    optional = true;
                    spec = r.trim_start();
                }
                let mut words = spec.split_whitespace();
                out.class_files.push(ClassFile {
                    class,
                    path: words.next().unwrap_or("").to_string(),
                    optional,
                    whole_line: words.next().is_some_and(|f| f.contains('%')),
                    span,
                });
            }
            'K' => {
                let mut words = rest.split_whitespace();
                let name = words.next().unwrap_or("").to_string();
                let class = words.next().unwrap_or("").to_string();
                let args: Vec<&str> = words.collect();
                out.maps.push(MapLine {
                    name,
                    class,
                    args: args.join(" "),
                    span,
                });
            }
            'S' => {
                let name = rest
                    .trim()
                    .split(['=', ' ', '\t'])
                    .next()
                    .unwrap_or("")
                    .trim_matches('"')
                    .to_string();
                current = match out.rulesets.iter().position(|r| r.name == name) {
                    Some(i) => Some(i),
                    None => {
                        out.rulesets.push(Ruleset {
                            name,
                            span,
                            rules: Vec::new(),
                        });
                        Some(out.rulesets.len() - 1)
                    }
                };
            }
            'R' => {
                let mut fields = rest.split('\t').filter(|f| !f.trim().is_empty());
                let lhs = fields.next().unwrap_or("").trim().to_string();
                let rhs = fields.next().unwrap_or("").trim().to_string();
                let rule = RuleLine { lhs, rhs, span };
                match current.and_then(|i| out.rulesets.get_mut(i)) {
                    Some(rs) => rs.rules.push(rule),
                    None => out.problems.push(LineProblem {
                        message: "a rule before any `S` line".into(),
                        span,
                        fatal: false,
                        line: line.to_string(),
                    }),
                }
            }
            // Known line kinds relaylint does not need.
            'V' | 'M' | 'H' | 'P' | 'T' | 'E' | 'L' | 'Q' | 'X' | 'G' => {}
            _ => out.problems.push(LineProblem {
                message: format!("unknown configuration line `{}`", line.trim_end()),
                span,
                fatal: true,
                line: line.to_string(),
            }),
        }
    }
    out
}

fn option(rest: &str, span: Span, out: &mut CfText) {
    if let Some(long) = rest.strip_prefix(' ') {
        let long = long.trim_start();
        let (name, value) = long.split_once('=').unwrap_or((long, ""));
        out.options.push(OptionLine {
            name: name.trim().to_string(),
            value: value.trim().to_string(),
            span,
        });
    } else if let Some(letter) = rest.chars().next() {
        if let Some(name) = long_option(letter) {
            out.options.push(OptionLine {
                name: name.to_string(),
                value: rest
                    .get(letter.len_utf8()..)
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                span,
            });
        }
    }
}

/// `x` or `{name}` at the start of `rest`: the name and where the rest begins.
fn class_name(rest: &str) -> (String, usize) {
    if let Some(inner) = rest.strip_prefix('{') {
        if let Some(close) = inner.find('}') {
            return (inner.get(..close).unwrap_or("").to_string(), close + 2);
        }
    }
    match rest.chars().next() {
        Some(c) => (c.to_string(), c.len_utf8()),
        None => (String::new(), 0),
    }
}

fn macro_name(rest: &str) -> (String, &str) {
    let (name, at) = class_name(rest);
    (name, rest.get(at..).unwrap_or(""))
}

/// `#####  $Id: relay_local_from.m4,v 8.16 ... $  #####` → `relay_local_from`.
fn m4_id(line: &str) -> Option<&str> {
    // Most comment lines hold no `$`: no substring search there.
    let dollar = memchr::memchr(b'$', line.as_bytes())?;
    let after = line.get(dollar..)?.split_once("$Id: ")?.1;
    let file = after.split([',', ' ']).next()?;
    file.strip_suffix(".m4")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_by_kind() {
        let cf = "#####  $Id: promiscuous_relay.m4,v 8.13 2013-11-22 20:51:11 ca Exp $  #####\n\
                  DZ8.17.1.9\nCRrelay.example other.example\nFR-o /etc/mail/relay-domains\n\
                  Kaccess hash -T<TMPF> -o /etc/mail/access\nO DaemonPortOptions=Port=smtp, Name=MTA\n\
                  SLocal_check_rcpt\nR$*\t$#OK\n";
        let t = parse(FileId(0), cf);
        assert_eq!(t.m4_ids[0].text, "promiscuous_relay");
        assert_eq!(t.macros[0].0, "Z");
        assert_eq!(t.macros[0].1.text, "8.17.1.9");
        assert_eq!(t.classes[0].words.len(), 2);
        assert_eq!(&cf[t.classes[0].words[1].span.range()], "other.example");
        assert!(t.class_files[0].optional);
        assert_eq!(t.maps[0].name, "access");
        assert_eq!(t.options[0].name, "DaemonPortOptions");
        let rs = t.ruleset("Local_check_rcpt").expect("ruleset");
        assert_eq!(rs.rules[0].rhs, "$#OK");
    }
}
