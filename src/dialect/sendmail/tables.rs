//! The text files a Sendmail unit reads besides its configuration: the
//! `access` map source (`makemap hash access < access`), and class files
//! (`relay-domains`, `local-host-names`).
//!
//! makemap folds keys to lower case and keeps the first of duplicate keys;
//! a class file contributes the first word of each line. Never opens files.

use crate::source::{FileId, Span};
use foldhash::HashMap;

/// The tag of an access key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// `Connect:` (client address or name).
    Connect,
    /// `From:` (envelope sender).
    From,
    /// `To:` (envelope recipient).
    To,
    /// No tag: a fallback wherever the rules look up with the `+` mark.
    Untagged,
    /// Any other tag (`Spam:`, `CertIssuer:`...).
    Other,
}

/// One `key value` line of the access file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    /// The tag.
    pub tag: Tag,
    /// The key without its tag, lower case.
    pub key: String,
    /// The value (`RELAY`, `OK`, `REJECT`, `ERROR:...`).
    pub value: String,
    /// The whole line.
    pub span: Span,
}

impl AccessEntry {
    /// True for `RELAY`.
    pub fn is_relay(&self) -> bool {
        self.value.eq_ignore_ascii_case("RELAY")
    }

    /// The line as written, for labels: `Connect:203 RELAY`.
    pub fn describe(&self) -> String {
        let tag = match self.tag {
            Tag::Connect => "Connect:",
            Tag::From => "From:",
            Tag::To => "To:",
            Tag::Untagged | Tag::Other => "",
        };
        format!("{tag}{} {}", self.key, self.value)
    }
}

/// The parsed access file: entries in file order, duplicates dropped (the
/// first one wins, as makemap keeps it).
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// Entries.
    pub entries: Vec<AccessEntry>,
    /// `(tag, key)` → index in `entries`: lookups stay constant-time on
    /// access files of many thousand lines.
    index: HashMap<(Tag, String), usize>,
}

impl Access {
    /// The entry for a tag and key (an exact lookup in the map).
    pub fn get(&self, tag: Tag, key: &str) -> Option<&AccessEntry> {
        let i = *self.index.get(&(tag, key.to_string()))?;
        self.entries.get(i)
    }
}

/// Parses access map source text.
pub fn parse_access(file: FileId, text: &str) -> Access {
    let mut out = Access::default();
    for (at, t) in content_lines(text) {
        let (key, value) = match t.split_once([' ', '\t']) {
            Some((k, v)) => (k, v.trim()),
            None => (t, ""),
        };
        let lower = key.to_ascii_lowercase();
        let (tag, bare) = split_tag(&lower);
        let span = Span::new(file, at..at + t.len());
        if out.get(tag, bare).is_some() {
            continue;
        }
        out.index.insert((tag, bare.to_string()), out.entries.len());
        out.entries.push(AccessEntry {
            tag,
            key: bare.to_string(),
            value: value.to_string(),
            span,
        });
    }
    out
}

/// The lines of a map or class file that are neither blank nor `#`
/// comments, without their leading blanks and line ends, each with the byte
/// offset where it starts.
fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0usize;
    text.split_inclusive('\n').filter_map(move |raw| {
        let start = pos;
        pos += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let t = line.trim_start();
        (!t.is_empty() && !t.starts_with('#')).then(|| (start + line.len() - t.len(), t))
    })
}

fn split_tag(key: &str) -> (Tag, &str) {
    for (prefix, tag) in [
        ("connect:", Tag::Connect),
        ("from:", Tag::From),
        ("to:", Tag::To),
    ] {
        if let Some(rest) = key.strip_prefix(prefix) {
            return (tag, rest);
        }
    }
    // `ipv6:` starts an address, not a tag.
    match key.split_once(':') {
        Some((t, _))
            if !t.is_empty()
                && t != "ipv6"
                && t.bytes().all(|b| b.is_ascii_alphabetic())
                && !key.starts_with('[') =>
        {
            (Tag::Other, key)
        }
        _ => (Tag::Untagged, key),
    }
}

/// One word of a class file, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassWord {
    /// The word.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// Reads a class file: the first word of each line that is not blank or a
/// `#` comment, or with `whole_line` (a `%[^#]` format) every word before
/// `#`.
pub fn parse_class_file(file: FileId, text: &str, whole_line: bool) -> Vec<ClassWord> {
    let mut out = Vec::new();
    for (at, t) in content_lines(text) {
        let body = if whole_line {
            t.split('#').next().unwrap_or("")
        } else {
            t.split_whitespace().next().unwrap_or("")
        };
        let mut off = 0usize;
        for w in body.split([' ', '\t']) {
            if !w.is_empty() {
                out.push(ClassWord {
                    text: w.to_string(),
                    span: Span::new(file, at + off..at + off + w.len()),
                });
            }
            off += w.len() + 1;
        }
    }
    out
}

/// The names an aliases file defines (`name: targets`, continuation lines
/// start with white space), lower case.
pub fn alias_names(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t', '#']))
        .filter_map(|l| l.split_once(':'))
        .map(|(name, _)| name.trim().trim_matches('"').to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tags_case_and_duplicates() {
        let a = parse_access(
            FileId(0),
            "# c\nConnect:203\tRELAY\nTo:Example.COM RELAY\nconnect:203 REJECT\nIPv6:2001:db8 OK\nuntagged.example RELAY\n",
        );
        assert_eq!(a.entries.len(), 4);
        assert_eq!(a.get(Tag::Connect, "203").map(|e| e.is_relay()), Some(true));
        assert!(a.get(Tag::To, "example.com").is_some());
        assert!(a.get(Tag::Untagged, "ipv6:2001:db8").is_some());
        assert!(a.get(Tag::Untagged, "untagged.example").is_some());
    }

    #[test]
    fn class_files_take_the_first_word() {
        let text = "a.example b.example\n# x\n\n  c.example # t\n";
        let w = parse_class_file(FileId(0), text, false);
        let words: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["a.example", "c.example"]);
        let w = parse_class_file(FileId(0), text, true);
        let words: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["a.example", "b.example", "c.example"]);
        assert_eq!(&text[w[1].span.range()], "b.example");
    }
}
