//! Text with provenance: every byte of a (possibly expanded) value remembers
//! which file byte it came from, so that a token found after `$name`
//! expansion still points at the line that wrote it.

use crate::source::{FileId, Span};

/// Where one byte came from: a file offset, or nowhere (a built-in default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file, or `None` for built-in text.
    pub file: Option<FileId>,
    /// Byte offset in that file.
    pub offset: u32,
}

/// A string and the origin of each of its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    /// The text.
    pub s: String,
    /// One entry per byte of `s`.
    pub origin: Vec<Origin>,
}

/// A token of a list value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The token text.
    pub text: String,
    /// Where it was written, when it was written in a file.
    pub span: Option<Span>,
}

impl Text {
    /// Text read from a file at `start`.
    pub fn from_file(file: FileId, start: usize, s: &str) -> Text {
        let origin = (0..s.len())
            .map(|i| Origin {
                file: Some(file),
                offset: u32::try_from(start + i).unwrap_or(u32::MAX),
            })
            .collect();
        Text {
            s: s.to_string(),
            origin,
        }
    }

    /// Built-in text.
    pub fn builtin(s: &str) -> Text {
        Text {
            s: s.to_string(),
            origin: vec![
                Origin {
                    file: None,
                    offset: 0
                };
                s.len()
            ],
        }
    }

    /// Appends another text.
    pub fn push_text(&mut self, other: &Text) {
        self.s.push_str(&other.s);
        self.origin.extend_from_slice(&other.origin);
    }

    /// Appends a slice of another text (byte range, on char boundaries).
    pub fn push_slice(&mut self, other: &Text, range: std::ops::Range<usize>) {
        if let Some(s) = other.s.get(range.clone()) {
            self.s.push_str(s);
            self.origin
                .extend_from_slice(other.origin.get(range).unwrap_or(&[]));
        }
    }

    /// The span of a byte range, when all of it comes from one file.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Option<Span> {
        let first = self.origin.get(range.start)?;
        let last = self.origin.get(range.end.checked_sub(1)?)?;
        let file = first.file?;
        if last.file != Some(file) || last.offset < first.offset {
            return None;
        }
        Some(Span {
            file,
            start: first.offset,
            end: last.offset + 1,
        })
    }

    /// The span of the whole text, if it was written in one file.
    pub fn span(&self) -> Option<Span> {
        self.span_of(0..self.s.len())
    }

    /// Splits on commas and whitespace, the separators of every Postfix list.
    /// Braces group: `{ a b }` is one token (Postfix 3.0 and later), and so is
    /// `inline:{ a=b, c=d }`.
    pub fn tokens(&self) -> Vec<Token> {
        self.split(|b| b == b',' || b.is_ascii_whitespace())
    }

    /// Splits on whitespace only (master.cf fields and arguments), with the
    /// same brace grouping as [`Text::tokens`].
    pub fn words(&self) -> Vec<Token> {
        self.split(|b| b.is_ascii_whitespace())
    }

    fn split(&self, is_sep: impl Fn(u8) -> bool) -> Vec<Token> {
        let bytes = self.s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if is_sep(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && !is_sep(bytes[i]) {
                i = if bytes[i] == b'{' {
                    after_group(bytes, i)
                } else {
                    i + 1
                };
            }
            let end = i.min(bytes.len());
            if let Some(text) = self.s.get(start..end) {
                out.push(Token {
                    text: text.to_string(),
                    span: self.span_of(start..end),
                });
            }
        }
        out
    }
}

/// The index just past the `}` that closes the `{` at `open` (or the end).
fn after_group(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_their_spans() {
        let t = Text::from_file(FileId(0), 10, "permit_mynetworks,  reject");
        let toks = t.tokens();
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[1].text, "reject");
        assert_eq!(
            toks[1].span,
            Some(Span {
                file: FileId(0),
                start: 30,
                end: 36
            })
        );
    }

    #[test]
    fn inline_tables_are_one_token() {
        let t = Text::builtin("inline:{ a=b, c=d }, permit");
        let toks: Vec<_> = t.tokens().into_iter().map(|t| t.text).collect();
        assert_eq!(toks, ["inline:{ a=b, c=d }", "permit"]);
    }
}
