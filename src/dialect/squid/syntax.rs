//! squid.conf lexical layer: physical lines to logical lines (comments,
//! backslash continuations, `\r` cuts, macros) and logical lines to tokens.
//!
//! Squid reads a line, cuts it at the first `\r`, drops leading blanks,
//! skips it when it is blank or starts with `#`, and joins it to the next
//! line when it ends with a backslash: the backslash goes, nothing is put in
//! its place, and the next line loses its leading blanks. A token that
//! starts with `#` ends the line; a `#` inside a token is part of it.
//!
//! This module never opens files and never decides what a directive means.

use crate::source::{FileId, Span};
use std::ops::Range;

/// A stretch of a logical line and where it came from.
#[derive(Clone, Debug)]
struct Seg {
    /// Offset in the logical text.
    at: u32,
    /// Offset in the file.
    src: u32,
    /// Length in the logical text.
    len: u32,
    /// Length in the file (differs from `len` for a substituted macro).
    src_len: u32,
}

/// One logical line: the text Squid hands to its directive parser, with a
/// map back to the file for spans.
#[derive(Clone, Debug)]
pub struct Line {
    /// The file it was read from.
    pub file: FileId,
    /// The joined text (continuations resolved, macros substituted).
    pub text: String,
    segs: Vec<Seg>,
    /// True when it was joined from several physical lines.
    pub continued: bool,
}

impl Line {
    /// The file span of a byte range of [`Line::text`].
    pub fn span_of(&self, range: Range<usize>) -> Span {
        let map = |pos: usize, end: bool| -> u32 {
            let pos = u32::try_from(pos).unwrap_or(u32::MAX);
            // Segments are in text order (`at` never decreases): the last
            // one starting at or before `pos` (before, for an end), found
            // by bisection so that a line continued over 100,000 physical
            // lines does not cost a scan per token.
            let after = self
                .segs
                .partition_point(|s| if end { s.at < pos } else { s.at <= pos });
            let seg = after
                .checked_sub(1)
                .and_then(|i| self.segs.get(i))
                .or_else(|| self.segs.first());
            match seg {
                Some(s) if s.len == s.src_len => s.src + pos.saturating_sub(s.at).min(s.len),
                Some(s) => {
                    if end {
                        s.src + s.src_len
                    } else {
                        s.src
                    }
                }
                None => 0,
            }
        };
        let start = map(range.start, false);
        let end = map(range.end, true).max(start);
        Span {
            file: self.file,
            start,
            end,
        }
    }

    /// The span of the whole line.
    pub fn span(&self) -> Span {
        self.span_of(0..self.text.len())
    }
}

/// Problems found while joining lines (not fatal for Squid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineIssue {
    /// A backslash followed by blanks: it does not continue the line.
    BlankAfterBackslash(Span),
    /// A continuation glued two words (no blank before the backslash and
    /// none kept from the next line).
    GluedContinuation(Span),
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c')
}

/// Splits a file into Squid's logical lines. Comment and blank lines are
/// dropped; a continuation that runs to the end of the file ends there.
pub fn logical_lines(file: FileId, src: &str) -> (Vec<Line>, Vec<LineIssue>) {
    let bytes = src.as_bytes();
    let mut lines = Vec::new();
    let mut issues = Vec::new();
    let mut pos = 0usize;
    let mut cur: Option<Line> = None;
    while pos < bytes.len() {
        let rest = bytes.get(pos..).unwrap_or_default();
        let nl = memchr::memchr(b'\n', rest).map_or(bytes.len(), |i| pos + i);
        let next = nl + 1;
        let mut start = pos;
        while start < nl && is_blank(bytes[start]) {
            start += 1;
        }
        pos = next;
        // The line ends at the first `\r` (and at a NUL, where C strings
        // end): blank lines and comments are known before looking for them.
        if start == nl || matches!(bytes[start], b'#' | b'\r' | 0) {
            continue;
        }
        let end = memchr::memchr2(b'\r', 0, &bytes[start..nl]).map_or(nl, |i| start + i);
        let continues = bytes[end - 1] == b'\\';
        let content_end = if continues { end - 1 } else { end };
        if !continues {
            let mut t = end;
            while t > start && is_blank(bytes[t - 1]) {
                t -= 1;
            }
            if t < end && t > start && bytes[t - 1] == b'\\' {
                issues.push(LineIssue::BlankAfterBackslash(Span::new(file, t - 1..end)));
            }
        }
        let piece = src.get(start..content_end).unwrap_or("");
        let line = cur.get_or_insert_with(|| Line {
            file,
            text: String::new(),
            segs: Vec::new(),
            continued: false,
        });
        if !line.text.is_empty() {
            line.continued = true;
            let glued = line.text.as_bytes().last().is_some_and(|b| !is_blank(*b))
                && piece.as_bytes().first().is_some_and(|b| !is_blank(*b));
            if glued {
                issues.push(LineIssue::GluedContinuation(Span::new(file, start..end)));
            }
        }
        let at = u32::try_from(line.text.len()).unwrap_or(u32::MAX);
        let len = u32::try_from(piece.len()).unwrap_or(u32::MAX);
        line.segs.push(Seg {
            at,
            src: u32::try_from(start).unwrap_or(u32::MAX),
            len,
            src_len: len,
        });
        line.text.push_str(piece);
        if !continues {
            if let Some(l) = cur.take() {
                lines.push(l);
            }
        }
    }
    if let Some(l) = cur.take() {
        if !l.text.is_empty() {
            lines.push(l);
        }
    }
    (lines, issues)
}

/// Values of the preprocessor macros for one Squid process.
#[derive(Clone, Debug)]
pub struct Macros {
    /// `${service_name}` (`-n`, `squid` by default).
    pub service_name: String,
    /// `${process_number}`: the kid number.
    pub process_number: u32,
}

impl Macros {
    fn value(&self, name: &str) -> Option<String> {
        match name {
            "service_name" => Some(self.service_name.clone()),
            "process_name" => Some(if self.process_number == 0 {
                self.service_name.clone()
            } else {
                format!("{}{}", self.service_name, self.process_number)
            }),
            "process_number" => Some(self.process_number.to_string()),
            _ => None,
        }
    }
}

/// True when the line names a macro whose value depends on the kid.
pub fn uses_kid_macro(text: &str) -> bool {
    text.contains("${process_number}") || text.contains("${process_name}")
}

/// Replaces the preprocessor macros of a line in place (spans of a
/// substituted macro point at the macro).
pub fn substitute(line: &mut Line, macros: &Macros) {
    if !line.text.contains("${") {
        return;
    }
    let mut out = String::with_capacity(line.text.len());
    let mut segs: Vec<Seg> = Vec::new();
    let text = std::mem::take(&mut line.text);
    let mut i = 0usize;
    let mut lit_start = 0usize;
    let push_lit = |out: &mut String, segs: &mut Vec<Seg>, r: Range<usize>, line: &Line| {
        if r.is_empty() {
            return;
        }
        // Map the literal range through the old segments, piece by piece,
        // starting at the first one that reaches into the range (segments
        // are in text order and end where the next begins).
        let first = line
            .segs
            .partition_point(|s| (s.at as usize + s.len as usize) <= r.start);
        for s in line.segs.get(first..).unwrap_or_default() {
            let s_start = s.at as usize;
            let s_end = s_start + s.len as usize;
            if s_start >= r.end {
                break;
            }
            let lo = r.start.max(s_start);
            let hi = r.end.min(s_end);
            if lo >= hi {
                continue;
            }
            let at = u32::try_from(out.len()).unwrap_or(u32::MAX);
            let len = u32::try_from(hi - lo).unwrap_or(u32::MAX);
            let (src, src_len) = if s.len == s.src_len {
                (s.src + u32::try_from(lo - s_start).unwrap_or(0), len)
            } else {
                (s.src, s.src_len)
            };
            segs.push(Seg {
                at,
                src,
                len,
                src_len,
            });
            out.push_str(text.get(lo..hi).unwrap_or(""));
        }
    };
    while let Some(rel) = text.get(i..).and_then(|t| t.find("${")) {
        let open = i + rel;
        let Some(close_rel) = text.get(open..).and_then(|t| t.find('}')) else {
            break;
        };
        let close = open + close_rel;
        let name = text.get(open + 2..close).unwrap_or("");
        if let Some(v) = macros.value(name) {
            push_lit(&mut out, &mut segs, lit_start..open, line);
            let src = line.span_of(open..close + 1);
            segs.push(Seg {
                at: u32::try_from(out.len()).unwrap_or(u32::MAX),
                src: src.start,
                len: u32::try_from(v.len()).unwrap_or(0),
                src_len: src.end - src.start,
            });
            out.push_str(&v);
            lit_start = close + 1;
        }
        i = close + 1;
    }
    push_lit(&mut out, &mut segs, lit_start..text.len(), line);
    line.text = out;
    if segs.is_empty() {
        segs.push(Seg {
            at: 0,
            src: line.segs.first().map_or(0, |s| s.src),
            len: 0,
            src_len: 0,
        });
    }
    line.segs = segs;
}

/// A word of a directive line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The value (quotes removed when the word was quoted).
    pub text: String,
    /// Byte range in the logical line.
    pub range: Range<usize>,
    /// The word was written in quotes.
    pub quoted: bool,
    /// Written as `parameters("file")` (quoted-values mode).
    pub parameters: bool,
}

/// A word Squid rejects in quoted-values mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError {
    /// Where.
    pub range: Range<usize>,
    /// Why.
    pub message: String,
}

/// Splits the arguments of a directive (text after the name, starting at
/// `from`). With `quoted_values` off, a word is a run of non-blanks and a
/// `"file"` word keeps its quotes off; with it on, quotes and escapes are
/// honoured and unquoted words are checked as Squid does.
pub fn tokens(text: &str, from: usize, quoted_values: bool) -> (Vec<Token>, Option<TokenError>) {
    split_words(text, from, quoted_values, quoted_values)
}

/// The paths of an `include` line: quotes are honoured, but Squid's strict
/// character check for unquoted words does not apply (globs hold `*`).
pub fn include_paths(text: &str, from: usize) -> Vec<Token> {
    split_words(text, from, true, false).0
}

fn split_words(
    text: &str,
    from: usize,
    quoted_values: bool,
    strict: bool,
) -> (Vec<Token>, Option<TokenError>) {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from.min(b.len());
    loop {
        while i < b.len() && (is_blank(b[i]) || b[i] == b'\n') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'#' {
            return (out, None);
        }
        let start = i;
        if quoted_values && (b[i] == b'"' || b[i] == b'\'') {
            let q = b[i];
            let mut val = String::new();
            i += 1;
            let mut closed = false;
            while i < b.len() {
                if b[i] == q {
                    closed = true;
                    i += 1;
                    break;
                }
                if b[i] == b'\\' && i + 1 < b.len() {
                    let c = b[i + 1];
                    match c {
                        b'r' => val.push('\r'),
                        b'n' => val.push('\n'),
                        b't' => val.push('\t'),
                        _ => {
                            let ch = text.get(i + 1..).and_then(|t| t.chars().next());
                            if let Some(ch) = ch {
                                val.push(ch);
                                i += ch.len_utf8() - 1;
                            }
                        }
                    }
                    i += 2;
                    continue;
                }
                let ch = text.get(i..).and_then(|t| t.chars().next()).unwrap_or('?');
                val.push(ch);
                i += ch.len_utf8().max(1);
            }
            if !closed {
                return (
                    out,
                    Some(TokenError {
                        range: start..b.len(),
                        message: "unterminated quoted value".into(),
                    }),
                );
            }
            if i < b.len() && !is_blank(b[i]) && !matches!(b[i], b'(' | b')' | b'#') {
                return (
                    out,
                    Some(TokenError {
                        range: start..i,
                        message: "a quoted value must be followed by a blank".into(),
                    }),
                );
            }
            out.push(Token {
                text: val,
                range: start..i,
                quoted: true,
                parameters: false,
            });
            continue;
        }
        while i < b.len() && !is_blank(b[i]) && b[i] != b'\n' {
            i += 1;
        }
        let word = text.get(start..i).unwrap_or("");
        if quoted_values {
            if let Some(inner) = word
                .strip_prefix("parameters(")
                .and_then(|r| r.strip_suffix(')'))
            {
                let name = inner.trim_matches(|c| c == '"' || c == '\'');
                out.push(Token {
                    text: name.to_string(),
                    range: start..i,
                    quoted: false,
                    parameters: true,
                });
                continue;
            }
            let ok = !strict
                || word.char_indices().all(|(k, c)| {
                    c.is_ascii_alphanumeric()
                        || ".,()-=_/:+".contains(c)
                        || (c == '%' && k + 1 == word.len())
                });
            if !ok {
                return (
                    out,
                    Some(TokenError {
                        range: start..i,
                        message: format!(
                            "`{word}` holds characters Squid refuses unquoted when `configuration_includes_quoted_values` is on"
                        ),
                    }),
                );
            }
            out.push(Token {
                text: word.to_string(),
                range: start..i,
                quoted: false,
                parameters: false,
            });
        } else {
            let quoted = word.len() >= 2
                && ((word.starts_with('"') && word.ends_with('"'))
                    || (word.starts_with('\'') && word.ends_with('\'')));
            let text_value = if quoted {
                word.get(1..word.len() - 1).unwrap_or("")
            } else {
                word
            };
            out.push(Token {
                text: text_value.to_string(),
                range: start..i,
                quoted,
                parameters: false,
            });
        }
    }
}

/// The first word of a logical line and where the rest starts.
pub fn directive_name(text: &str) -> (&str, usize) {
    let end = text
        .bytes()
        .position(|b| is_blank(b) || b == b'\n')
        .unwrap_or(text.len());
    (text.get(..end).unwrap_or(""), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        logical_lines(FileId(0), src)
            .0
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn continuation_joins_without_separator() {
        assert_eq!(
            texts("acl a src 10.0.0.1 \\\n    10.0.0.2\n"),
            vec!["acl a src 10.0.0.1 10.0.0.2"]
        );
        assert_eq!(
            texts("acl b src 10.0.0.3\\\n  10.0.0.4\n"),
            vec!["acl b src 10.0.0.310.0.0.4"]
        );
    }

    #[test]
    fn comments_and_blanks_inside_a_continuation_are_skipped() {
        assert_eq!(
            texts("acl a src 1.1.1.1 \\\n# note\n\n  2.2.2.2\nhttp_access deny all\n"),
            vec!["acl a src 1.1.1.1 2.2.2.2", "http_access deny all"]
        );
    }

    #[test]
    fn backslash_then_blank_does_not_continue() {
        let (l, issues) = logical_lines(FileId(0), "acl a src 1.1.1.1 \\ \nhttp_access deny all\n");
        assert_eq!(l.len(), 2);
        assert!(matches!(issues[0], LineIssue::BlankAfterBackslash(_)));
    }

    #[test]
    fn lines_end_at_carriage_return() {
        assert_eq!(
            texts("http_access deny all\r allow\n"),
            vec!["http_access deny all"]
        );
    }

    #[test]
    fn comment_only_at_token_start() {
        let (t, _) = tokens("acl x src 10.0.0.0/8#LAN # c", 6, false);
        let v: Vec<_> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(v, vec!["src", "10.0.0.0/8#LAN"]);
    }

    #[test]
    fn spans_map_through_continuations() {
        let src = "acl a src 1.1.1.1 \\\n  2.2.2.2\n";
        let (l, _) = logical_lines(FileId(0), src);
        let line = &l[0];
        let at = line.text.find("2.2.2.2").unwrap();
        let sp = line.span_of(at..at + 7);
        assert_eq!(&src[sp.range()], "2.2.2.2");
    }

    #[test]
    fn macros_are_substituted() {
        let (mut l, _) = logical_lines(FileId(0), "if ${process_number} = 1\n");
        let m = Macros {
            service_name: "squid".into(),
            process_number: 1,
        };
        substitute(&mut l[0], &m);
        assert_eq!(l[0].text, "if 1 = 1");
        let sp = l[0].span_of(3..4);
        assert_eq!(sp.start, 3);
    }

    #[test]
    fn quoted_mode_tokens() {
        let (t, e) = tokens(r#"x "a b" parameters("/f") c"#, 1, true);
        assert!(e.is_none());
        assert_eq!(t[0].text, "a b");
        assert!(t[1].parameters);
        let (_, e) = tokens("x a;b", 1, true);
        assert!(e.is_some());
    }
}
