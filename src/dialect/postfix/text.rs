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

/// Bytes of a [`Text`] from `at` up to the next run that came from
/// consecutive bytes of one file starting at `offset` (or from no file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    at: usize,
    file: Option<FileId>,
    offset: u32,
}

/// A string and the origin of each of its bytes, kept as runs of bytes
/// that came from consecutive bytes of one file: a value is most often one
/// run, so provenance costs a few words, not one entry per byte. Runs are
/// canonical (a run never continues the one before it), so two texts are
/// equal exactly when their strings and per-byte origins are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    /// The text.
    pub s: String,
    runs: Vec<Run>,
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
        let mut t = Text::default();
        t.push_run(0, Some(file), u32::try_from(start).unwrap_or(u32::MAX));
        t.s.push_str(s);
        t.drop_empty_tail();
        t
    }

    /// Built-in text.
    pub fn builtin(s: &str) -> Text {
        let mut t = Text::default();
        t.push_run(0, None, 0);
        t.s.push_str(s);
        t.drop_empty_tail();
        t
    }

    /// Adds a run starting at byte `at` (the current end of `s`), unless it
    /// continues the last run.
    fn push_run(&mut self, at: usize, file: Option<FileId>, offset: u32) {
        let offset = if file.is_some() { offset } else { 0 };
        if let Some(last) = self.runs.last() {
            let continues = last.file == file
                && (file.is_none()
                    || u32::try_from(at - last.at)
                        .ok()
                        .and_then(|d| last.offset.checked_add(d))
                        == Some(offset));
            if continues {
                return;
            }
            if last.at == at {
                self.runs.pop();
                return self.push_run(at, file, offset);
            }
        }
        self.runs.push(Run { at, file, offset });
    }

    /// Removes a run that covers no byte (added before an empty string).
    fn drop_empty_tail(&mut self) {
        if self.runs.last().is_some_and(|r| r.at >= self.s.len()) {
            self.runs.pop();
        }
    }

    /// The end of run `i`.
    fn run_end(&self, i: usize) -> usize {
        self.runs.get(i + 1).map_or(self.s.len(), |r| r.at)
    }

    /// Appends another text.
    pub fn push_text(&mut self, other: &Text) {
        self.push_slice(other, 0..other.s.len());
    }

    /// Appends a slice of another text (byte range, on char boundaries).
    pub fn push_slice(&mut self, other: &Text, range: std::ops::Range<usize>) {
        let Some(piece) = other.s.get(range.clone()) else {
            return;
        };
        let base = self.s.len();
        for (i, run) in other.runs.iter().enumerate() {
            let start = run.at.max(range.start);
            let end = other.run_end(i).min(range.end);
            if start >= end {
                continue;
            }
            let skipped = u32::try_from(start - run.at).unwrap_or(u32::MAX);
            self.push_run(
                base + (start - range.start),
                run.file,
                run.offset.saturating_add(skipped),
            );
        }
        self.s.push_str(piece);
    }

    /// Keeps the first `len` bytes (on a char boundary).
    pub fn truncate(&mut self, len: usize) {
        self.s.truncate(len);
        let len = self.s.len();
        self.runs.retain(|r| r.at < len);
    }

    /// Where byte `i` came from.
    pub fn origin(&self, i: usize) -> Option<Origin> {
        if i >= self.s.len() {
            return None;
        }
        let run = self
            .runs
            .get(self.runs.partition_point(|r| r.at <= i).checked_sub(1)?)?;
        let offset = match run.file {
            Some(_) => run
                .offset
                .saturating_add(u32::try_from(i - run.at).unwrap_or(u32::MAX)),
            None => 0,
        };
        Some(Origin {
            file: run.file,
            offset,
        })
    }

    /// The span of a byte range, when all of it comes from one file.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Option<Span> {
        let first = self.origin(range.start)?;
        let last = self.origin(range.end.checked_sub(1)?)?;
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
        word_ranges(self.s.as_bytes(), is_sep)
            .filter_map(|r| {
                let text = self.s.get(r.clone())?;
                Some(Token {
                    text: text.to_string(),
                    span: self.span_of(r),
                })
            })
            .collect()
    }
}

/// Byte ranges of the words of `bytes` between separators, a `{ ... }`
/// group counting as part of its word (the splitting of [`Text::tokens`]
/// and [`Text::words`], for callers that hold the bytes elsewhere).
pub fn word_ranges<'a>(
    bytes: &'a [u8],
    is_sep: impl Fn(u8) -> bool + 'a,
) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && is_sep(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && !is_sep(bytes[i]) {
            i = if bytes[i] == b'{' {
                after_group(bytes, i)
            } else {
                i + 1
            };
        }
        Some(start..i.min(bytes.len()))
    })
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

    /// Per-byte origins, as the runs stand for them.
    fn origins(t: &Text) -> Vec<Option<Origin>> {
        (0..t.s.len()).map(|i| t.origin(i)).collect()
    }

    #[test]
    fn runs_keep_every_bytes_origin() {
        let a = Text::from_file(FileId(0), 100, "abc");
        let b = Text::from_file(FileId(0), 103, "def");
        let c = Text::from_file(FileId(1), 7, "gh");
        let mut t = a.clone();
        t.push_text(&b);
        t.push_text(&Text::builtin(" "));
        t.push_text(&c);
        // abc and def are consecutive bytes of one file: one run.
        assert_eq!(t, {
            let mut one = Text::from_file(FileId(0), 100, "abcdef");
            one.push_text(&Text::builtin(" "));
            one.push_text(&c);
            one
        });
        let o = origins(&t);
        assert_eq!(
            o[4],
            Some(Origin {
                file: Some(FileId(0)),
                offset: 104
            })
        );
        assert_eq!(
            o[6],
            Some(Origin {
                file: None,
                offset: 0
            })
        );
        assert_eq!(
            o[8],
            Some(Origin {
                file: Some(FileId(1)),
                offset: 8
            })
        );
        assert_eq!(
            t.span_of(1..5),
            Some(Span {
                file: FileId(0),
                start: 101,
                end: 105
            })
        );
        assert_eq!(t.span_of(5..8), None, "the range leaves the file");
        let mut slice = Text::builtin("x");
        slice.push_slice(&t, 4..9);
        assert_eq!(slice.s, "xef gh");
        assert_eq!(origins(&slice)[1..], o[4..9]);
        let mut cut = t.clone();
        cut.truncate(7);
        assert_eq!(cut.s, "abcdef ");
        assert_eq!(origins(&cut), o[..7]);
        assert_eq!(cut.origin(7), None);
        assert_eq!(Text::from_file(FileId(0), 5, ""), Text::default());
    }

    #[test]
    fn inline_tables_are_one_token() {
        let t = Text::builtin("inline:{ a=b, c=d }, permit");
        let toks: Vec<_> = t.tokens().into_iter().map(|t| t.text).collect();
        assert_eq!(toks, ["inline:{ a=b, c=d }", "permit"]);
    }
}
