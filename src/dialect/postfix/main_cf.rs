//! `main.cf` syntax: logical lines of `name = value`.
//!
//! As Postfix reads it: a line whose first non-blank is `#` is a comment
//! (also inside a continued value), a line starting with whitespace continues
//! the previous one (its leading whitespace is kept, the line break is not),
//! there are no trailing comments (`x = y # z` keeps `# z`), and a line
//! without `=` is fatal for Postfix. This module never opens files and never
//! expands `$name`.

use super::text::Text;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use foldhash::HashMap;

/// One `name = value` definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// Parameter name (case-sensitive).
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// The raw value, continuation lines joined.
    pub value: Text,
    /// The whole logical line.
    pub line_span: Span,
}

/// A parsed `main.cf`.
#[derive(Clone, Debug, Default)]
pub struct MainCf {
    /// Every definition in file order (duplicates included).
    pub params: Vec<Param>,
    /// Lines Postfix refuses (each is fatal for the whole instance).
    pub fatal: Vec<Span>,
    /// Index in `params` of the last definition of each name.
    last: HashMap<String, usize>,
}

impl MainCf {
    /// The effective (last) definition of `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.last.get(name).and_then(|i| self.params.get(*i))
    }

    /// True when `p` is the effective definition of its name.
    pub fn is_effective(&self, p: &Param) -> bool {
        self.get(&p.name).is_some_and(|last| std::ptr::eq(last, p))
    }
}

/// A physical line: its byte range without the line break.
struct Physical {
    start: usize,
    end: usize,
}

/// The physical lines of `src`, each without its line break (and its `\r`),
/// cut at a NUL: Postfix reads lines as C strings.
fn physical_lines(src: &str) -> impl Iterator<Item = Physical> + '_ {
    let bytes = src.as_bytes();
    let has_nul = memchr::memchr(0, bytes).is_some();
    crate::source::line_ranges(src).map(move |line| {
        let end = match has_nul {
            true => bytes
                .get(line.clone())
                .and_then(|t| memchr::memchr(0, t))
                .map_or(line.end, |p| line.start + p),
            false => line.end,
        };
        Physical {
            start: line.start,
            end,
        }
    })
}

/// A byte range `(start, end)` of one physical line.
pub type Piece = (usize, usize);
/// The logical lines of a file, each the physical pieces that make it up,
/// kept in one list (a file of many one-line entries costs no list per line).
#[derive(Debug, Default)]
pub struct LogicalLines {
    pieces: Vec<Piece>,
    /// Where each logical line's pieces end in `pieces`.
    ends: Vec<usize>,
}

impl LogicalLines {
    /// The pieces of each logical line, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &[Piece]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(s, e)| self.pieces.get(s..e).unwrap_or(&[]))
    }

    /// Number of logical lines.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the file has no logical line.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Logical lines of a Postfix file (main.cf, master.cf and table sources
/// share these rules): each is the list of `(start, end)` byte ranges of the
/// physical pieces that make it up, comment and blank lines dropped.
/// Returns also the ranges of lines that started with whitespace with no
/// line to continue.
pub fn logical_lines(src: &str) -> (LogicalLines, Vec<Piece>) {
    let mut logical = LogicalLines::default();
    let mut orphans = Vec::new();
    for line in physical_lines(src) {
        let text = src.get(line.start..line.end).unwrap_or("");
        // Most lines start with a visible ASCII character: nothing to trim.
        let trimmed = match text.as_bytes().first() {
            Some(b) if b.is_ascii_graphic() => text,
            _ => text.trim_start(),
        };
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let continues = text.starts_with([' ', '\t']);
        if continues {
            match logical.ends.last_mut() {
                Some(end) => {
                    logical.pieces.push((line.start, line.end));
                    *end = logical.pieces.len();
                }
                None => orphans.push((line.start, line.end)),
            }
        } else {
            logical.pieces.push((line.start, line.end));
            logical.ends.push(logical.pieces.len());
        }
    }
    (logical, orphans)
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// Parses `main.cf` text.
pub fn parse(file: FileId, src: &str) -> (MainCf, Vec<Diagnostic>) {
    let mut cf = MainCf::default();
    let mut diags = Vec::new();
    let (logical, orphans) = logical_lines(src);
    for (start, end) in orphans {
        let span = Span::new(file, start..end);
        diags.push(
            Diagnostic::new(
                "RL001",
                "logical line must not start with whitespace",
                span,
                "Postfix discards this line",
            )
            .with_help("remove the leading whitespace, or join the line to a definition above it"),
        );
    }
    for pieces in logical.iter() {
        let Some(&(first_start, first_end)) = pieces.first() else {
            continue;
        };
        let last_end = pieces.last().map(|p| p.1).unwrap_or(first_end);
        let line_span = Span::new(file, first_start..last_end);
        let first = src.get(first_start..first_end).unwrap_or("");
        let Some(eq) = first.find('=') else {
            let name_end = first
                .find(|c: char| c.is_whitespace())
                .unwrap_or(first.len());
            let span = Span::new(file, first_start..first_start + name_end);
            diags.push(
                Diagnostic::new(
                    "RL001",
                    "missing `=` after parameter name",
                    span,
                    "Postfix stops here and refuses to start",
                )
                .with_help("write `name = value`, or comment the line out with `#` at its start"),
            );
            cf.fatal.push(span);
            continue;
        };
        let name_raw = &first[..eq];
        let name = name_raw.trim_end();
        if let Some(blank) = name.find(char::is_whitespace) {
            let span = Span::new(file, first_start..first_start + blank);
            diags.push(
                Diagnostic::new(
                    "RL001",
                    "missing `=` after parameter name",
                    span,
                    "Postfix reads the name up to the blank and stops here",
                )
                .with_help("parameter names have no blanks: write `name = value`"),
            );
            cf.fatal.push(span);
            continue;
        }
        if name.is_empty() {
            let span = Span::new(file, first_start..first_start + eq + 1);
            diags.push(
                Diagnostic::new(
                    "RL001",
                    "missing parameter name before `=`",
                    span,
                    "Postfix stops here and refuses to start",
                )
                .with_help("write `name = value`"),
            );
            cf.fatal.push(span);
            continue;
        }
        let name_span = Span::new(file, first_start..first_start + name.len());
        // The value: rest of the first piece after `=` (leading blanks
        // dropped), then every continuation piece whole.
        let mut value = Text::default();
        let bytes = src.as_bytes();
        let mut vstart = first_start + eq + 1;
        while vstart < first_end && bytes.get(vstart).copied().is_some_and(is_blank) {
            vstart += 1;
        }
        value.push_text(&Text::from_file(
            file,
            vstart,
            src.get(vstart..first_end).unwrap_or(""),
        ));
        for &(s, e) in pieces.iter().skip(1) {
            value.push_text(&Text::from_file(file, s, src.get(s..e).unwrap_or("")));
        }
        // Trailing whitespace of the logical line is not part of the value.
        let keep = value.s.trim_end().len();
        value.truncate(keep);
        cf.params.push(Param {
            name: name.to_string(),
            name_span,
            value,
            line_span,
        });
    }
    for (i, p) in cf.params.iter().enumerate() {
        cf.last.insert(p.name.clone(), i);
    }
    (cf, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed physical lines equal a plain split: at `\n`, one `\r`
    /// dropped before it, no line after a final break, each cut at a NUL.
    #[test]
    fn physical_lines_split_break_return_and_nul() {
        let plain = |src: &str| {
            let bytes = src.as_bytes();
            let mut out = Vec::new();
            let mut start = 0;
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'\n' {
                    let end = if i > start && bytes[i - 1] == b'\r' {
                        i - 1
                    } else {
                        i
                    };
                    out.push((start, end));
                    start = i + 1;
                }
            }
            if start < bytes.len() {
                out.push((start, bytes.len()));
            }
            for l in &mut out {
                if let Some(p) = bytes[l.0..l.1].iter().position(|b| *b == 0) {
                    l.1 = l.0 + p;
                }
            }
            out
        };
        let alphabet = ["a", " ", "#", "\n", "\r", "\0", "\r\n"];
        let mut next = crate::test_sequence::sequence(11);
        for _ in 0..3000 {
            let len = next() % 16;
            let src = crate::test_sequence::text_of(&mut next, &alphabet, len);
            let streamed: Vec<(usize, usize)> =
                physical_lines(&src).map(|l| (l.start, l.end)).collect();
            assert_eq!(streamed, plain(&src), "{src:?}");
        }
    }

    fn parse_ok(src: &str) -> MainCf {
        let (cf, d) = parse(FileId(0), src);
        assert!(d.is_empty(), "{d:?}");
        cf
    }

    #[test]
    fn continuation_and_comments() {
        let cf =
            parse_ok("relay_domains =\n    example.com,\n  # indented comment\n    example.net\n");
        assert_eq!(
            cf.get("relay_domains").unwrap().value.s,
            "    example.com,    example.net"
        );
    }

    #[test]
    fn no_trailing_comments() {
        let cf = parse_ok("mynetworks = 127.0.0.0/8 # trusted\n");
        assert_eq!(
            cf.get("mynetworks").unwrap().value.s,
            "127.0.0.0/8 # trusted"
        );
    }

    #[test]
    fn last_definition_wins() {
        let cf = parse_ok("a = 1\na = 2\n");
        assert_eq!(cf.get("a").unwrap().value.s, "2");
        assert_eq!(cf.params.len(), 2);
    }

    #[test]
    fn missing_equals_is_fatal() {
        let (cf, d) = parse(FileId(0), "mynetworks 10.0.0.0/8\nx = y\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "RL001");
        assert_eq!(cf.fatal.len(), 1);
        assert_eq!(cf.get("x").unwrap().value.s, "y");
    }

    #[test]
    fn value_spans_point_into_the_file() {
        let src = "mynetworks = 0.0.0.0/0\n";
        let cf = parse_ok(src);
        let v = &cf.get("mynetworks").unwrap().value;
        let sp = v.span().unwrap();
        assert_eq!(&src[sp.range()], "0.0.0.0/0");
    }

    #[test]
    fn leading_whitespace_on_first_line() {
        let (_, d) = parse(FileId(0), "  x = y\nz = 1\n");
        assert_eq!(d.len(), 1);
    }
}
