//! The character-level scanner under the sockd.conf parser. It knows what
//! Dante's lexer treats as blank (spaces, tabs, carriage returns, `#`
//! comments, backslash-newline) and where a line ends, because a newline
//! ends method, user, log and command lists and the port qualifier of an
//! address. It never decides what a word means: [`super::syntax`] does.

use crate::source::{FileId, Span};

/// A cursor over one file's text.
pub struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    file: FileId,
}

/// Characters a keyword is made of (`timeout.negotiate`, `user.privileged`).
fn is_keyword_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// Characters that end a value word.
fn ends_value(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'}' | b'#')
}

impl<'t> Scanner<'t> {
    /// A scanner at the start of `text`.
    pub fn new(file: FileId, text: &'t str) -> Scanner<'t> {
        Scanner { text, pos: 0, file }
    }

    fn byte_at(&self, i: usize) -> Option<u8> {
        self.text.as_bytes().get(i).copied()
    }

    /// The next byte, if any.
    pub fn peek(&self) -> Option<u8> {
        self.byte_at(self.pos)
    }

    /// True at the end of the text.
    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Moves the cursor back (or forward) to `pos` (the parser's one-word
    /// look-ahead); clamped to the text.
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.text.len());
    }

    /// The current byte offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// A span from `start` to the current position.
    pub fn span_from(&self, start: usize) -> Span {
        Span::new(self.file, start..self.pos)
    }

    /// A span over `range`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start..end)
    }

    /// The text of `start..end` (empty when out of range).
    pub fn slice(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or("")
    }

    /// Skips blanks, comments and escaped newlines; also newlines when
    /// `lines` is true. Returns true when a newline was crossed (or, with
    /// `lines` false, when the scanner now stands on one).
    pub fn skip(&mut self, lines: bool) -> bool {
        let mut crossed = false;
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'#' => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                b'\\' if self.byte_at(self.pos + 1) == Some(b'\n') => self.pos += 2,
                b'\\'
                    if self.byte_at(self.pos + 1) == Some(b'\r')
                        && self.byte_at(self.pos + 2) == Some(b'\n') =>
                {
                    self.pos += 3
                }
                b'\n' => {
                    crossed = true;
                    if !lines {
                        return true;
                    }
                    self.pos += 1;
                }
                _ => break,
            }
        }
        crossed
    }

    /// True when only blanks stand between the start of the current line
    /// and the cursor (Dante anchors rule starters at the start of a line).
    pub fn at_line_start(&self, at: usize) -> bool {
        let head = self.text.get(..at).unwrap_or("");
        let line = head.rsplit('\n').next().unwrap_or("");
        line.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
    }

    /// Reads a keyword (`[A-Za-z0-9._-]+`); empty when none starts here.
    pub fn keyword(&mut self) -> (&'t str, Span) {
        let start = self.pos;
        while self.peek().is_some_and(is_keyword_byte) {
            self.pos += 1;
        }
        (self.slice(start, self.pos), self.span_from(start))
    }

    /// Reads a value word: everything up to a blank, a brace or a comment.
    pub fn value(&mut self) -> (&'t str, Span) {
        let start = self.pos;
        while self.peek().is_some_and(|b| !ends_value(b)) {
            // A multi-byte character is skipped whole, so slices stay on
            // character boundaries.
            self.pos += 1;
            while self.pos < self.text.len() && !self.text.is_char_boundary(self.pos) {
                self.pos += 1;
            }
        }
        (self.slice(start, self.pos), self.span_from(start))
    }

    /// Consumes `b` if it is next.
    pub fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The span of the next character (or an empty span at the end).
    pub fn here(&self) -> Span {
        let mut end = self.pos + usize::from(!self.at_end());
        while end < self.text.len() && !self.text.is_char_boundary(end) {
            end += 1;
        }
        Span::new(self.file, self.pos..end.min(self.text.len()))
    }

    /// Moves to the end of the current line (not past the newline).
    pub fn skip_line(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'\n' {
                break;
            }
            self.pos += 1;
        }
    }

    /// Moves past the next `}` (or to the end).
    pub fn skip_block(&mut self) {
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'}' {
                break;
            }
        }
    }

    /// Reads words up to the end of the line or a `}` (not consumed when
    /// `brace_ends` is true): the shape of a list option.
    pub fn list(&mut self, brace_ends: bool) -> Vec<(&'t str, Span)> {
        let mut words = Vec::new();
        loop {
            if self.skip(false) || self.at_end() {
                break;
            }
            if brace_ends && self.peek() == Some(b'}') {
                break;
            }
            let (w, s) = if brace_ends {
                self.value()
            } else {
                self.word_with_braces()
            };
            if w.is_empty() {
                // a lone `{` (or `}` when it does not end the list)
                let start = self.pos;
                self.pos += 1;
                words.push((self.slice(start, self.pos), self.span_from(start)));
                continue;
            }
            words.push((w, s));
        }
        words
    }

    /// A word that may contain braces (user names: Dante's lexer reads a
    /// `}` on the same line as one more name).
    fn word_with_braces(&mut self) -> (&'t str, Span) {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'#'))
        {
            self.pos += 1;
            while self.pos < self.text.len() && !self.text.is_char_boundary(self.pos) {
                self.pos += 1;
            }
        }
        (self.slice(start, self.pos), self.span_from(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_continuations_are_blank() {
        let mut s = Scanner::new(FileId(0), "  # c\n \\\n x");
        assert!(s.skip(true));
        assert_eq!(s.keyword().0, "x");
        let mut s = Scanner::new(FileId(0), "a \\\nb\nc");
        s.keyword();
        assert!(!s.skip(false));
        assert_eq!(s.keyword().0, "b");
        assert!(s.skip(false));
    }

    #[test]
    fn lists_end_at_the_line_or_the_brace() {
        let mut s = Scanner::new(FileId(0), " none username }\n");
        let l: Vec<&str> = s.list(true).into_iter().map(|w| w.0).collect();
        assert_eq!(l, ["none", "username"]);
        let mut s = Scanner::new(FileId(0), " alice }\n");
        let l: Vec<&str> = s.list(false).into_iter().map(|w| w.0).collect();
        assert_eq!(l, ["alice", "}"]);
    }

    #[test]
    fn multibyte_text_never_splits_a_character() {
        let mut s = Scanner::new(FileId(0), "é{ü");
        assert_eq!(s.value().0, "é");
        assert!(s.eat(b'{'));
        assert_eq!(s.here().range(), 3..5);
    }
}
