//! Postfix lookup tables: references (`type:name`) and the source text of the
//! types relaylint can read (indexed tables such as `hash:` and `lmdb:`,
//! `texthash:`, `cidr:`, `regexp:`, `pcre:`, `inline:`, `static:`). Networked
//! tables (`ldap:`, `mysql:`, `tcp:`...) are external: their answers are unknown.
//!
//! This module never opens files: the caller hands it the text.

use super::main_cf::logical_lines;
use super::net_index::NetIndex;
use super::text::Token;
use crate::source::{FileId, Span};
use foldhash::{HashMap, HashMapExt};
use ipnet::IpNet;
use nom::branch::alt;
use nom::bytes::complete::{tag_no_case, take_till, take_till1};
use nom::character::complete::{char, space0, space1};
use nom::combinator::{all_consuming, map, opt, rest};
use nom::sequence::{delimited, pair, preceded, terminated};
use nom::{IResult, Parser};
use std::net::IpAddr;
use std::rc::Rc;

/// What kind of table a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// `hash`, `btree`, `lmdb`, `cdb`, `dbm`, `sdbm`, `texthash`: exact keys.
    Indexed,
    /// `cidr`: networks, first match.
    Cidr,
    /// `regexp` / `pcre`: patterns, first match.
    Regexp,
    /// `inline:{k=v, ...}`.
    Inline,
    /// `static:value`: matches everything.
    Static,
    /// Anything relaylint cannot read (networked tables, pipemap...).
    External,
}

/// A `type:name` reference as written in a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    /// The type as written (`hash`, `cidr`...), `proxy:` removed.
    pub type_name: String,
    /// Its kind.
    pub kind: TableKind,
    /// The name part (a path, or the inline body, or the static value).
    pub name: String,
    /// Where the reference is written.
    pub span: Option<Span>,
}

impl TableRef {
    /// True for `cidr:{ {rule}, ... }` and `regexp:{...}`/`pcre:{...}`
    /// (Postfix 3.7+): the rules are written in the reference itself.
    pub fn is_inline(&self) -> bool {
        matches!(self.kind, TableKind::Cidr | TableKind::Regexp)
            && self.name.trim_start().starts_with('{')
    }

    /// The reference as Postfix prints it.
    pub fn display(&self) -> String {
        format!("{}:{}", self.type_name, self.name)
    }

    /// True for kinds whose source is a file.
    pub fn has_file(&self) -> bool {
        !self.is_inline()
            && matches!(
                self.kind,
                TableKind::Indexed | TableKind::Cidr | TableKind::Regexp
            )
    }
}

/// Parses a list token as a table reference (`type:name`); `None` when the
/// token is not one (no `:`, or an IPv6 literal in brackets).
pub fn parse_ref(token: &Token) -> Option<TableRef> {
    parse_ref_text(&token.text, token.span)
}

/// [`parse_ref`] for a piece of a token (after `!` negations, say).
pub fn parse_ref_text(t: &str, span: Option<Span>) -> Option<TableRef> {
    // The type is a non-empty word of letters, digits, `_` and `-` before
    // the first `:`; most tokens of a list (addresses, restriction names)
    // hold no `:` at all.
    let colon = t.bytes().position(|b| b == b':')?;
    let (mut ty, mut name) = (t.get(..colon)?, t.get(colon + 1..)?);
    if ty.is_empty()
        || !ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    while ty == "proxy" {
        (ty, name) = name.split_once(':')?;
    }
    let kind = match ty {
        "hash" | "btree" | "lmdb" | "cdb" | "dbm" | "sdbm" | "texthash" => TableKind::Indexed,
        "cidr" => TableKind::Cidr,
        "regexp" | "pcre" => TableKind::Regexp,
        "inline" => TableKind::Inline,
        "static" => TableKind::Static,
        _ => TableKind::External,
    };
    Some(TableRef {
        type_name: ty.to_string(),
        kind,
        name: name.to_string(),
        span,
    })
}

/// How an entry matches.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// Exact key (lowercased for indexed tables), shared with the entry's
    /// `key_text` and the table's key map: one allocation per entry.
    Key(Rc<str>),
    /// A network (cidr tables).
    Net(IpNet),
    /// A regular expression; `None` when relaylint's engine cannot compile
    /// it (then it is treated as able to match anything).
    Regex(Option<regex::bytes::Regex>),
    /// Matches every key (`static:`).
    Any,
}

/// A chain of enclosing `if` conditions (pattern, negated), shared between
/// the entries of a block so that a long block costs no copies.
#[derive(Clone, Debug, Default)]
pub struct Conditions(Option<Rc<Condition>>);

/// One `if` condition and the ones around it.
#[derive(Debug)]
pub struct Condition {
    pattern: Pattern,
    negated: bool,
    outer: Conditions,
}

impl Conditions {
    /// True when there is no enclosing `if`.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    fn push(&self, pattern: Pattern, negated: bool) -> Conditions {
        Conditions(Some(Rc::new(Condition {
            pattern,
            negated,
            outer: self.clone(),
        })))
    }

    fn pop(&self) -> Conditions {
        self.0.as_ref().map(|c| c.outer.clone()).unwrap_or_default()
    }

    fn all_match(&self, key: &str, ip: Option<IpAddr>) -> bool {
        let mut cur = &self.0;
        while let Some(c) = cur {
            if c.pattern.matches(key, ip) == c.negated {
                return false;
            }
            cur = &c.outer.0;
        }
        true
    }
}

/// Deepest `if` nesting relaylint follows; deeper `if` lines are ignored
/// (their entries then match more often, never less).
const MAX_IF_DEPTH: usize = 64;

/// One table entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// How it matches.
    pub pattern: Pattern,
    /// `!pattern`: matches when the pattern does not.
    pub negated: bool,
    /// Enclosing `if` conditions, innermost first.
    pub conditions: Conditions,
    /// The result.
    pub value: String,
    /// The key as written.
    pub key_text: Rc<str>,
    /// The whole entry.
    pub span: Option<Span>,
}

/// A table with its entries.
#[derive(Clone, Debug)]
pub struct Table {
    /// The reference.
    pub reference: TableRef,
    /// Entries in file order (duplicates of indexed tables dropped: the
    /// first one wins, as with postmap).
    pub entries: Vec<Entry>,
    /// True when the daemon cannot use the table at all (every lookup is
    /// an error), e.g. a texthash table with a duplicate key.
    pub broken: bool,
    /// Fixed keys to the first entry holding them: the evaluation looks up
    /// several keys per candidate client.
    keys: HashMap<Rc<str>, usize>,
    /// When every entry is a plain network: the first entry covering each
    /// address, for the many client addresses the evaluation tries.
    nets: Option<NetIndex>,
    /// Whether a result names a further lookup (`check_...`).
    names_lookups: bool,
}

impl Table {
    fn new(reference: TableRef, entries: Vec<Entry>, broken: bool) -> Table {
        let mut keys = HashMap::default();
        for (i, e) in entries.iter().enumerate() {
            if let Pattern::Key(k) = &e.pattern {
                keys.entry(Rc::clone(k)).or_insert(i);
            }
        }
        Table::with_keys(reference, entries, broken, keys)
    }

    /// A table whose fixed keys are already mapped to their first entry.
    fn with_keys(
        reference: TableRef,
        entries: Vec<Entry>,
        broken: bool,
        keys: HashMap<Rc<str>, usize>,
    ) -> Table {
        let nets = NetIndex::build(entries.iter().map(|e| match &e.pattern {
            Pattern::Net(n) if !e.negated && e.conditions.is_empty() => Some(*n),
            _ => None,
        }));
        // Most results hold no `_`: a byte search skips setting up a
        // substring searcher for them.
        let names_lookups = entries
            .iter()
            .any(|e| e.value.as_bytes().contains(&b'_') && e.value.contains("check_"));
        Table {
            reference,
            entries,
            broken,
            keys,
            nets,
            names_lookups,
        }
    }

    /// Whether some entry's result names a further lookup (`check_...`),
    /// which can reach tables the entry itself does not show.
    pub fn names_lookups(&self) -> bool {
        self.names_lookups
    }

    /// For a table of plain networks, the first entry covering `ip` (what
    /// a walk over the entries in file order finds); `None` for other
    /// tables, which must be walked.
    pub fn first_covering(&self, ip: IpAddr) -> Option<Option<&Entry>> {
        self.nets
            .as_ref()
            .map(|idx| idx.first(ip).and_then(|i| self.entries.get(i)))
    }

    /// The first entry whose fixed key is exactly `key` (as an indexed
    /// table's lookup: keys are stored lowercased).
    pub fn entry_for_key(&self, key: &str) -> Option<&Entry> {
        self.keys.get(key).and_then(|&i| self.entries.get(i))
    }
}

/// `str::trim`, answered at once for the usual text that starts and ends
/// with a visible ASCII character (nothing to trim).
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Longest pattern relaylint compiles; longer ones are assumed to match.
const MAX_PATTERN: usize = 4096;

fn compile_regex(body: &str, flags: &str, pcre: bool) -> Option<regex::bytes::Regex> {
    if body.len() > MAX_PATTERN {
        return None;
    }
    // regexp: tables are POSIX: the `x` flag selects basic syntax (not
    // modelled) and `\d` is a plain `d` to glibc.
    if !pcre && flags.contains('x') {
        return None;
    }
    let posix;
    let body = if pcre {
        body
    } else {
        posix = body.replace("\\d", "d");
        posix.as_str()
    };
    // Postfix matches bytes (POSIX regex / PCRE without UTF mode) and
    // case-insensitively unless the `i` flag toggles it off.
    let insensitive = !flags.contains('i');
    regex::bytes::RegexBuilder::new(body)
        .unicode(false)
        .case_insensitive(insensitive)
        .ignore_whitespace(pcre && flags.contains('x'))
        .multi_line(flags.contains('m'))
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .ok()
}

/// Splits `/re/flags rest` (any non-alphanumeric delimiter); returns the
/// pattern, flags and the rest of the line.
fn split_regex(s: &str) -> Option<(String, String, &str)> {
    let mut chars = s.char_indices();
    let (_, delim) = chars.next()?;
    if delim.is_alphanumeric() || delim.is_whitespace() {
        return None;
    }
    let mut body = String::new();
    let mut end = None;
    let mut escaped = false;
    for (i, c) in chars {
        if escaped {
            if c != delim {
                body.push('\\');
            }
            body.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == delim {
            end = Some(i + c.len_utf8());
            break;
        } else {
            body.push(c);
        }
    }
    let end = end?;
    let rest = s.get(end..)?;
    let flags_len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let flags = rest.get(..flags_len)?.to_string();
    Some((body, flags, rest.get(flags_len..)?.trim()))
}

/// Parses a network the way cidr tables and mynetworks write them:
/// `a.b.c.d`, `a.b.c.d/n`, `[v6]`, `[v6]/n`, `v6/n`. Returns `Err(())` for a
/// network with host bits set.
pub fn parse_net(s: &str) -> Option<Result<IpNet, ()>> {
    let s = trim(s);
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr = addr.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len: u8 = match len {
        Some(l) => l.parse().ok().filter(|n| *n <= max)?,
        None => max,
    };
    let net = IpNet::new(ip, len).ok()?;
    Some(if net.network() == ip {
        Ok(net)
    } else {
        Err(())
    })
}

/// Parses the source text of a table.
pub fn parse(reference: TableRef, file: FileId, src: &str) -> Table {
    let (logical, _) = logical_lines(src);
    // At most one entry per logical line.
    let mut entries: Vec<Entry> = Vec::with_capacity(logical.len());
    let mut conditions = Conditions::default();
    let mut ignored_ifs = 0usize;
    let mut depth = 0usize;
    // Indexed tables: each key's entry, built while reading (duplicates are
    // found by the same map).
    let mut keys: HashMap<Rc<str>, usize> = HashMap::new();
    let mut broken = false;
    for pieces in logical.iter() {
        let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
            continue;
        };
        // Most entries are one physical line: read it in place.
        let joined: std::borrow::Cow<str> = match pieces {
            [(s, e)] => std::borrow::Cow::Borrowed(src.get(*s..*e).unwrap_or("")),
            _ => {
                let mut line = String::new();
                for &(s, e) in pieces {
                    line.push_str(src.get(s..e).unwrap_or(""));
                    line.push(' ');
                }
                std::borrow::Cow::Owned(line)
            }
        };
        let line = trim(&joined);
        let span = Some(Span::new(file, first.0..last.1));
        match reference.kind {
            TableKind::Indexed => {
                // postmap keeps quotes as part of the key and drops a line
                // without a value.
                let (key, value) = match line.find(char::is_whitespace) {
                    Some(p) => (&line[..p], trim(&line[p..])),
                    None => (line, ""),
                };
                if value.is_empty() {
                    continue;
                }
                let key: Rc<str> = if key.bytes().any(|b| b.is_ascii_uppercase()) {
                    key.to_ascii_lowercase().into()
                } else {
                    key.into()
                };
                if keys.contains_key(&key) {
                    // texthash tables with a duplicate key are unusable in smtpd.
                    if reference.type_name == "texthash" {
                        broken = true;
                    }
                    continue;
                }
                keys.insert(Rc::clone(&key), entries.len());
                entries.push(Entry {
                    key_text: Rc::clone(&key),
                    pattern: Pattern::Key(key),
                    negated: false,
                    conditions: Conditions::default(),
                    value: value.to_string(),
                    span,
                });
            }
            TableKind::Cidr | TableKind::Regexp => {
                let (negated, rest, is_if) = match line_head(line) {
                    Head::Endif => {
                        if ignored_ifs > 0 {
                            ignored_ifs -= 1;
                        } else {
                            conditions = conditions.pop();
                            depth = depth.saturating_sub(1);
                        }
                        continue;
                    }
                    Head::If { negated, rest } => (negated, rest, true),
                    Head::Rule { negated, rest } => (negated, rest, false),
                };
                let parsed = if reference.kind == TableKind::Cidr {
                    match key_value(rest) {
                        Some((key, value)) => match parse_net(key) {
                            Some(Ok(net)) => Some((Pattern::Net(net), value, Rc::from(key))),
                            // Host bits set, or not an address: Postfix skips the rule.
                            _ => None,
                        },
                        None => None,
                    }
                } else {
                    split_regex(rest).map(|(body, flags, value)| {
                        (
                            Pattern::Regex(compile_regex(
                                &body,
                                &flags,
                                reference.type_name == "pcre",
                            )),
                            value,
                            Rc::from(body),
                        )
                    })
                };
                if is_if {
                    if depth >= MAX_IF_DEPTH {
                        ignored_ifs += 1;
                    } else {
                        // A skipped `if` still needs its `endif`: it holds a
                        // condition that never matches.
                        let (pattern, negated) = match parsed {
                            Some((pattern, _, _)) => (pattern, negated),
                            None => (Pattern::Any, true),
                        };
                        conditions = conditions.push(pattern, negated);
                        depth += 1;
                    }
                    continue;
                }
                let Some((pattern, value, key_text)) = parsed else {
                    continue;
                };
                entries.push(Entry {
                    pattern,
                    negated,
                    conditions: conditions.clone(),
                    value: value.to_string(),
                    key_text,
                    span,
                });
            }
            _ => {}
        }
    }
    Table::with_keys(reference, entries, broken, keys)
}

/// The head of a cidr/regexp table line.
#[derive(Debug, PartialEq, Eq)]
enum Head<'a> {
    /// `endif`.
    Endif,
    /// `if [!]pattern`.
    If { negated: bool, rest: &'a str },
    /// `[!]pattern result`.
    Rule { negated: bool, rest: &'a str },
}

fn negation(input: &str) -> IResult<&str, bool> {
    map(opt(terminated(char('!'), space0)), |n| n.is_some()).parse(input)
}

/// Classifies a logical line of a cidr/regexp table (keywords are
/// case-insensitive, as in Postfix).
fn line_head(line: &str) -> Head<'_> {
    // Most lines are plain rules: only `if`, `endif` and `!` need parsing.
    if !line.starts_with(['e', 'E', 'i', 'I', '!']) {
        return Head::Rule {
            negated: false,
            rest: line,
        };
    }
    let endif = map(
        all_consuming(terminated(tag_no_case("endif"), space0)),
        |_| Head::Endif,
    );
    let if_clause = map(
        preceded(pair(tag_no_case("if"), space1), pair(negation, rest)),
        |(negated, rest)| Head::If { negated, rest },
    );
    let rule = map(pair(negation, rest), |(negated, rest)| Head::Rule {
        negated,
        rest,
    });
    match alt((endif, if_clause, rule)).parse(line) {
        Ok((_, head)) => head,
        Err(_) => Head::Rule {
            negated: false,
            rest: line,
        },
    }
}

/// Splits `key value` (the key may be double-quoted, Postfix 3.2+).
fn key_value(line: &str) -> Option<(&str, &str)> {
    let quoted = delimited(char('"'), take_till(|c| c == '"'), char('"'));
    let bare = take_till1(|c: char| c.is_whitespace());
    let parsed: IResult<&str, (&str, &str)> =
        pair(alt((quoted, bare)), preceded(space0, rest)).parse(line);
    parsed.ok().map(|(_, (k, v))| (k, trim(v)))
}

/// A table that needs no file: `inline:{...}`, `static:value`, and the
/// inline forms of `cidr:`, `regexp:` and `pcre:`.
pub fn fileless(reference: TableRef) -> Table {
    let mut entries = Vec::new();
    if reference.is_inline() {
        let body = reference.name.trim();
        let body = body
            .strip_prefix('{')
            .and_then(|b| b.strip_suffix('}'))
            .unwrap_or(body);
        let mut src = String::new();
        for item in split_inline(body) {
            let item = item.trim();
            let rule = item
                .strip_prefix('{')
                .and_then(|i| i.strip_suffix('}'))
                .unwrap_or(item);
            src.push_str(rule.trim());
            src.push('\n');
        }
        let mut t = parse(reference.clone(), FileId(u32::MAX), &src);
        // The rules live in the reference: point every entry at it.
        for e in &mut t.entries {
            e.span = reference.span;
        }
        return t;
    }
    match reference.kind {
        TableKind::Static => entries.push(Entry {
            pattern: Pattern::Any,
            negated: false,
            conditions: Conditions::default(),
            value: reference.name.clone(),
            key_text: "*".into(),
            span: reference.span,
        }),
        TableKind::Inline => {
            let body = reference
                .name
                .trim()
                .trim_start_matches('{')
                .trim_end_matches('}');
            for item in split_inline(body) {
                let item = item.trim().trim_start_matches('{').trim_end_matches('}');
                if let Some((k, v)) = item.split_once('=') {
                    let key: Rc<str> = k.trim().to_ascii_lowercase().into();
                    // In an inline table a later duplicate replaces the earlier one.
                    entries.retain(|e: &Entry| e.key_text != key);
                    entries.push(Entry {
                        key_text: Rc::clone(&key),
                        pattern: Pattern::Key(key),
                        negated: false,
                        conditions: Conditions::default(),
                        value: v.trim().to_string(),
                        span: reference.span,
                    });
                }
            }
        }
        _ => {}
    }
    Table::new(reference, entries, false)
}

fn split_inline(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&body[start..]);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

impl Pattern {
    /// True when this pattern matches `key` (a string key or an address).
    pub fn matches(&self, key: &str, ip: Option<IpAddr>) -> bool {
        match self {
            Pattern::Key(k) => k.eq_ignore_ascii_case(key),
            Pattern::Net(n) => ip.is_some_and(|a| n.contains(&a)),
            Pattern::Regex(Some(re)) => re.is_match(key.as_bytes()),
            Pattern::Regex(None) | Pattern::Any => true,
        }
    }
}

impl Entry {
    /// True when the entry (with its `!` and enclosing `if`s) matches.
    pub fn matches(&self, key: &str, ip: Option<IpAddr>) -> bool {
        self.conditions.all_match(key, ip) && self.pattern.matches(key, ip) != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tref(s: &str) -> TableRef {
        parse_ref(&Token {
            text: s.into(),
            span: None,
        })
        .unwrap()
    }

    #[test]
    fn references() {
        assert_eq!(tref("hash:/etc/postfix/access").kind, TableKind::Indexed);
        assert_eq!(tref("proxy:mysql:/etc/x").kind, TableKind::External);
        assert_eq!(tref("cidr:/etc/x").kind, TableKind::Cidr);
        assert!(parse_ref(&Token {
            text: "[::1]/128".into(),
            span: None
        })
        .is_none());
        assert!(parse_ref(&Token {
            text: "10.0.0.0/8".into(),
            span: None
        })
        .is_none());
    }

    #[test]
    fn indexed_first_duplicate_wins() {
        let t = parse(
            tref("hash:/x"),
            FileId(0),
            "# c\nExample.COM OK\nexample.com REJECT\nfoo\n  DUNNO\n",
        );
        assert_eq!(t.entries.len(), 2);
        assert_eq!(t.entries[0].value, "OK");
        assert_eq!(t.entries[1].value, "DUNNO");
    }

    #[test]
    fn cidr_first_match_and_host_bits() {
        let t = parse(
            tref("cidr:/x"),
            FileId(0),
            "10.1.2.3/16 OK\n10.0.0.0/8 REJECT\n!192.0.2.0/24 DUNNO\n",
        );
        assert_eq!(t.entries.len(), 2, "host bits set: skipped");
        let ip: IpAddr = "10.9.9.9".parse().unwrap();
        assert!(t.entries[0].matches("10.9.9.9", Some(ip)));
        assert!(t.entries[1].matches("10.9.9.9", Some(ip)), "negated entry");
    }

    #[test]
    fn regexp_entries() {
        let t = parse(
            tref("regexp:/x"),
            FileId(0),
            "/^mail\\.example\\.com$/ OK\nif /example/\n!/^x/ REJECT\nendif\n",
        );
        assert_eq!(t.entries.len(), 2);
        assert!(
            t.entries[0].matches("MAIL.example.com", None),
            "case-insensitive by default"
        );
        assert!(t.entries[1].matches("a.example", None));
        assert!(!t.entries[1].matches("a.other", None));
    }

    #[test]
    fn inline_and_static() {
        let t = fileless(tref("inline:{ a=OK, {b = REJECT x} }"));
        assert_eq!(t.entries.len(), 2);
        assert_eq!(t.entries[1].value, "REJECT x");
        let s = fileless(tref("static:all"));
        assert!(s.entries[0].matches("anything", None));
    }

    #[test]
    fn line_heads() {
        assert_eq!(line_head("ENDIF "), Head::Endif);
        assert_eq!(
            line_head("if !/x/"),
            Head::If {
                negated: true,
                rest: "/x/"
            }
        );
        assert_eq!(
            line_head("! 10.0.0.0/8 OK"),
            Head::Rule {
                negated: true,
                rest: "10.0.0.0/8 OK"
            }
        );
        assert_eq!(
            line_head("endiffy OK"),
            Head::Rule {
                negated: false,
                rest: "endiffy OK"
            }
        );
        assert_eq!(key_value("\"a b\" OK  x"), Some(("a b", "OK  x")));
        assert_eq!(key_value("key"), Some(("key", "")));
    }

    #[test]
    fn skipped_if_still_pairs_with_its_endif() {
        let t = parse(
            tref("cidr:/x"),
            FileId(0),
            "if 10.1.2.3/8\n10.0.0.0/8 A\nendif\n0.0.0.0/0 B\n",
        );
        let ip: IpAddr = "10.9.9.9".parse().unwrap();
        let first = t
            .entries
            .iter()
            .find(|e| e.matches("10.9.9.9", Some(ip)))
            .unwrap();
        assert_eq!(
            first.value, "B",
            "the block of a skipped `if` never matches; what follows it does"
        );
    }

    #[test]
    fn nets() {
        assert!(matches!(parse_net("[::1]/128"), Some(Ok(_))));
        assert!(matches!(parse_net("10.1.2.3/16"), Some(Err(()))));
        assert!(parse_net("mail.example.com").is_none());
    }
}
