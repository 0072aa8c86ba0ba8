//! Source text and positions: every file relaylint reads lives in a
//! [`SourceDb`], and every position in the model is a [`Span`] (a file and a
//! byte range). Lines and columns are computed here and nowhere else, so that
//! the human, JSON and (later) SARIF writers always agree.
//!
//! This module never opens files; `load.rs` does.

use codespan_reporting::files::{Error as FilesError, Files};
use std::ops::Range;

/// Index of a file inside one unit's [`SourceDb`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span over `range` in `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: clamp_u32(range.start),
            end: clamp_u32(range.end.max(range.start)),
        }
    }

    /// The byte range as `usize`.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both (they must be in the same file;
    /// otherwise `self` is returned).
    pub fn to(&self, other: Span) -> Span {
        if self.file != other.file {
            return *self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

fn is_control(b: u8) -> bool {
    matches!(b, 0x01..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f)
}

/// Whether any byte is a terminal control character. Checks 64 bytes at a
/// time without an early exit inside a block, which the compiler turns into
/// vector instructions: this runs over every byte of every file.
fn has_control(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(64);
    // Branch-free form of `is_control`, so that a block compiles to vector
    // compares: 0x01..=0x1f except tab, line feed and carriage return, and DEL.
    let control = |b: u8| {
        u8::from(b.wrapping_sub(1) < 0x1f)
            & u8::from(b != b'\t')
            & u8::from(b != b'\n')
            & u8::from(b != b'\r')
            | u8::from(b == 0x7f)
    };
    let found = blocks
        .by_ref()
        .any(|block| block.iter().fold(0u8, |acc, &b| acc | control(b)) != 0);
    found || blocks.remainder().iter().any(|&b| is_control(b))
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

/// One file as relaylint read it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user would write it (relative stays relative).
    pub display: String,
    /// The text; invalid UTF-8 was replaced, see [`SourceFile::lossy`].
    pub text: String,
    /// Byte offset of the start of every line, worked out the first time
    /// a position in the file is asked for: most files read for a scan
    /// never get a finding.
    line_starts: std::sync::OnceLock<Vec<u32>>,
    /// True when the bytes were not valid UTF-8 and were read lossily.
    pub lossy: bool,
}

impl SourceFile {
    /// Byte offset of the start of every line.
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0u32];
            starts
                .extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| clamp_u32(i + 1)));
            starts
        })
    }
}

/// The byte range of every line of `text`, its line break left out (the
/// `\n` and a `\r` right before it); a final line break ends no extra line,
/// as with `str::lines`. The breaks are found with memchr's vectorised
/// search, which the standard library's line iterators do not use.
pub fn line_ranges(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0;
    let breaks = memchr::memchr_iter(b'\n', bytes).map(Some);
    breaks.chain(std::iter::once(None)).filter_map(move |nl| {
        let line = match nl {
            Some(i) => {
                let end = if i > start && bytes.get(i - 1) == Some(&b'\r') {
                    i - 1
                } else {
                    i
                };
                start..end
            }
            None if start < bytes.len() => start..bytes.len(),
            None => return None,
        };
        start = nl.map_or(bytes.len(), |i| i + 1);
        Some(line)
    })
}

/// 1-based line and column (columns count Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in Unicode scalar values.
    pub column: u32,
}

/// The files of one unit.
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    /// An empty database.
    pub fn new() -> SourceDb {
        SourceDb::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, display: String, text: String, lossy: bool) -> FileId {
        // Terminal control characters from scanned files must never reach a
        // terminal: each becomes `?` (same byte length, so offsets hold).
        // Tab, line breaks and NUL (lines end there) are kept.
        let text = if has_control(text.as_bytes()) {
            // ASCII bytes never occur inside a multi-byte UTF-8 sequence,
            // so replacing them byte by byte keeps the text valid.
            let mut bytes = text.into_bytes();
            // Block by block, as `has_control` scans: only the few blocks
            // holding a control character are walked byte by byte.
            for block in bytes.chunks_mut(64) {
                if has_control(block) {
                    for b in block.iter_mut().filter(|b| is_control(**b)) {
                        *b = b'?';
                    }
                }
            }
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        } else {
            text
        };
        let id = FileId(clamp_u32(self.files.len()));
        self.files.push(SourceFile {
            display,
            text,
            line_starts: std::sync::OnceLock::new(),
            lossy,
        });
        id
    }

    /// Forgets the files added after the first `len` (their ids become
    /// unknown).
    pub fn truncate(&mut self, len: usize) {
        self.files.truncate(len);
    }

    /// The file behind `id`. Ids come from [`SourceDb::add`] on this database.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Text of a file, empty for an unknown id.
    pub fn text(&self, id: FileId) -> &str {
        self.file(id).map(|f| f.text.as_str()).unwrap_or("")
    }

    /// Display path of a file, empty for an unknown id.
    pub fn display(&self, id: FileId) -> &str {
        self.file(id).map(|f| f.display.as_str()).unwrap_or("")
    }

    /// The text a span covers (empty when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text(span.file).get(span.range()).unwrap_or("")
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Line and column of a byte offset (clamped to the file).
    pub fn line_col(&self, id: FileId, byte: u32) -> LineCol {
        let Some(file) = self.file(id) else {
            return LineCol { line: 1, column: 1 };
        };
        let byte = (byte as usize).min(file.text.len());
        let line_idx = match file.line_starts().binary_search(&clamp_u32(byte)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = file.line_starts().get(line_idx).copied().unwrap_or(0) as usize;
        let column = file
            .text
            .get(line_start..byte)
            .map(|s| s.chars().count())
            .unwrap_or_else(|| {
                // `byte` fell inside a multi-byte character: count up to it.
                file.text[line_start..]
                    .char_indices()
                    .take_while(|(i, _)| line_start + i < byte)
                    .count()
            });
        LineCol {
            line: clamp_u32(line_idx + 1),
            column: clamp_u32(column + 1),
        }
    }

    /// The first replacement character of a lossily read file (where its
    /// invalid bytes start), or the start of the file.
    pub fn first_invalid(&self, id: FileId) -> Span {
        let at = self.text(id).find('\u{fffd}');
        match at {
            Some(i) => Span::new(id, i..i + '\u{fffd}'.len_utf8()),
            None => Span::new(id, 0..0),
        }
    }

    /// The text of the whole line holding `byte`, without its line break.
    pub fn line_text(&self, id: FileId, byte: u32) -> &str {
        let Some(file) = self.file(id) else {
            return "";
        };
        let lc = self.line_col(id, byte);
        let idx = (lc.line - 1) as usize;
        let start = file.line_starts().get(idx).copied().unwrap_or(0) as usize;
        let end = file
            .line_starts()
            .get(idx + 1)
            .map(|e| *e as usize)
            .unwrap_or(file.text.len());
        file.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

impl<'a> Files<'a> for SourceDb {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.file(id)
            .map(|f| f.display.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.file(id)
            .map(|f| f.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.file(id).ok_or(FilesError::FileMissing)?;
        Ok(
            match file.line_starts().binary_search(&clamp_u32(byte_index)) {
                Ok(i) => i,
                Err(i) => i.saturating_sub(1),
            },
        )
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.file(id).ok_or(FilesError::FileMissing)?;
        let start = *file
            .line_starts()
            .get(line_index)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: file.line_starts().len().saturating_sub(1),
            })? as usize;
        let end = file
            .line_starts()
            .get(line_index + 1)
            .map(|e| *e as usize)
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_are_found_in_blocks_and_in_the_tail() {
        for b in 0..=255u8 {
            let block = [b; 64];
            assert_eq!(has_control(&block), is_control(b), "byte {b:#x}");
        }
        for len in [0, 1, 63, 64, 65, 200] {
            let clean = vec![b'a'; len];
            assert!(!has_control(&clean));
            for at in 0..len {
                let mut dirty = clean.clone();
                dirty[at] = 0x1b;
                assert!(has_control(&dirty), "len {len} at {at}");
            }
        }
        assert!(!has_control(b"tab\tnew\nline\r\n\0"));
    }

    /// `line_ranges` gives the lines `str::lines` gives, around every kind
    /// of break.
    #[test]
    fn line_ranges_split_as_str_lines() {
        let alphabet = ["a", "\n", "\r", "\r\n", " ", "é"];
        let mut next = crate::test_sequence::sequence(9);
        for _ in 0..5000 {
            let len = next() % 10;
            let text = crate::test_sequence::text_of(&mut next, &alphabet, len);
            let fast: Vec<&str> = line_ranges(&text).map(|r| &text[r]).collect();
            let plain: Vec<&str> = text.lines().collect();
            assert_eq!(fast, plain, "{text:?}");
        }
    }

    /// Every control byte becomes `?`, wherever its block lies, and nothing
    /// else changes (multi-byte characters across block edges included).
    #[test]
    fn added_text_has_its_control_bytes_replaced() {
        let mut text = "é".repeat(100);
        // The escape sits at byte 62: its sequence crosses the first block's end.
        text.insert_str(62, "\u{1b}[31m");
        text.push_str("tab\there\u{7}\r\n\0end\u{7f}");
        let want = text.replace(['\u{1b}', '\u{7}', '\u{7f}'], "?");
        let mut db = SourceDb::new();
        let id = db.add("f".into(), text, false);
        assert_eq!(db.text(id), want);
        assert_eq!(db.text(id).get(62..67), Some("?[31m"));
    }

    #[test]
    fn line_and_column_count_scalar_values() {
        let mut db = SourceDb::new();
        let id = db.add("f".into(), "ab\nçé x\n".into(), false);
        assert_eq!(db.line_col(id, 0), LineCol { line: 1, column: 1 });
        assert_eq!(db.line_col(id, 3), LineCol { line: 2, column: 1 });
        // "çé " is 5 bytes, 3 characters: `x` is column 4.
        assert_eq!(db.line_col(id, 8), LineCol { line: 2, column: 4 });
        assert_eq!(db.line_text(id, 8), "çé x");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let mut db = SourceDb::new();
        let id = db.add("f".into(), "a".into(), false);
        assert_eq!(db.line_col(id, 99), LineCol { line: 1, column: 2 });
        assert_eq!(db.line_col(FileId(7), 0), LineCol { line: 1, column: 1 });
    }
}
