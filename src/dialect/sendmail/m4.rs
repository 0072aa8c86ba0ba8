//! Reads a `sendmail.mc` the way m4 does: a stream of characters, not of
//! lines. Quotes are `` ` `` … `'` (nested, one layer removed per
//! evaluation), `dnl` deletes through the newline, `define`d macros are
//! expanded and rescanned, `ifdef`/`ifelse` pick a branch, `divert` routes
//! output. Before `cf.m4` is included, `#` starts an m4 comment (macros in it
//! stay unexpanded) and the Sendmail macros do not exist yet; once `cf.m4`
//! has run `changecom()`, `#` is ordinary text, so `# FEATURE(...)` is live.
//!
//! The Sendmail macros (`FEATURE`, `RELAY_DOMAIN`, `DAEMON_OPTIONS`...) are
//! not expanded from the m4 tree (relaylint does not ship it): each call is
//! recorded, with its arguments and span, for `model.rs` to interpret. Text
//! that m4 would copy into the `.cf` (`LOCAL_CONFIG`, `LOCAL_RULESETS`)
//! is kept per diversion with a map back to the `.mc`, for `cf.rs`.
//!
//! This module never opens files and never fails: conditions that stop the
//! real m4 build become [`BuildProblem`]s.

use crate::source::{FileId, Span};
use std::collections::BTreeMap;

/// One call of a Sendmail macro, after m4 has expanded its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// `FEATURE`, `RELAY_DOMAIN`...
    pub name: String,
    /// The arguments with one layer of quotes removed.
    pub args: Vec<String>,
    /// The whole call in the `.mc` (or the macro use that produced it).
    pub span: Span,
}

impl Call {
    /// The `i`th argument, or `""`.
    pub fn arg(&self, i: usize) -> &str {
        self.args.get(i).map(String::as_str).unwrap_or("")
    }
}

/// A condition that makes the m4 build fail (m4 exits with an error, or
/// the m4 tree prints `*** ERROR`), so no `.cf` is produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildProblem {
    /// What m4 says, in relaylint's words.
    pub message: String,
    /// Where.
    pub span: Span,
    /// The label text.
    pub label: String,
}

/// Text m4 would write to the `.cf`, with where each piece came from.
#[derive(Clone, Debug, Default)]
pub struct Output {
    /// The text.
    pub text: String,
    /// `(output offset, source span, literal)`: from this output offset on,
    /// text comes from the span (byte for byte when `literal`).
    map: Vec<(usize, Span, bool)>,
}

impl Output {
    fn push(&mut self, s: &str, origin: Span, literal: bool) {
        if s.is_empty() {
            return;
        }
        self.map.push((self.text.len(), origin, literal));
        self.text.push_str(s);
    }

    /// The `.mc` span of an output range (the macro call when the text came
    /// from an expansion).
    pub fn span_of(&self, start: usize, end: usize) -> Option<Span> {
        let i = self.map.partition_point(|(o, _, _)| *o <= start);
        let (o, span, literal) = *self.map.get(i.checked_sub(1)?)?;
        if !literal {
            return Some(span);
        }
        let from = span.start as usize + (start - o);
        let to = (from + end.saturating_sub(start)).min(span.end as usize);
        Some(Span::new(span.file, from..to.max(from)))
    }
}

/// Everything read from an `.mc`.
#[derive(Clone, Debug, Default)]
pub struct McText {
    /// Sendmail macro calls, in order.
    pub calls: Vec<Call>,
    /// m4 `define`s left at the end (name → value, span of the define).
    pub defines: BTreeMap<String, (String, Span)>,
    /// Output per diversion number (negative diversions are discarded).
    pub diversions: BTreeMap<i32, Output>,
    /// Build failures.
    pub problems: Vec<BuildProblem>,
    /// `*** ERROR` lines the m4 tree prints while still building the `.cf`.
    pub printed_errors: Vec<BuildProblem>,
    /// True when the file includes `cf.m4` itself (otherwise the m4 tree is
    /// loaded before it, as `m4 cf.m4 file.mc` does).
    pub includes_cf_m4: bool,
}

/// The Sendmail macros recorded as [`Call`]s, and the diversion they switch
/// to (if any).
const SENDMAIL_MACROS: &[(&str, Option<i32>)] = &[
    ("FEATURE", None),
    ("HACK", None),
    ("OSTYPE", None),
    ("DOMAIN", None),
    ("MAILER", None),
    ("VERSIONID", None),
    ("RELAY_DOMAIN", None),
    ("RELAY_DOMAIN_FILE", None),
    ("LOCAL_DOMAIN", None),
    ("TRUST_AUTH_MECH", None),
    ("DAEMON_OPTIONS", None),
    ("CLIENT_OPTIONS", None),
    ("MASQUERADE_AS", None),
    ("MASQUERADE_DOMAIN", None),
    ("EXPOSED_USER", None),
    ("INPUT_MAIL_FILTER", None),
    ("MAIL_FILTER", None),
    ("LOCAL_CONFIG", Some(6)),
    ("LOCAL_RULESETS", Some(9)),
    ("LOCAL_RULE_0", Some(3)),
    ("LOCAL_RULE_1", Some(9)),
    ("LOCAL_RULE_2", Some(9)),
    ("LOCAL_RULE_3", Some(2)),
    ("LOCAL_NET_CONFIG", Some(1)),
    ("MAILER_DEFINITIONS", Some(7)),
    ("LOCAL_DNSBL", Some(8)),
    ("LOCAL_SRV_FEATURES", Some(9)),
    ("LOCAL_CLT_FEATURES", Some(9)),
    ("LOCAL_TRY_TLS", Some(9)),
    ("LOCAL_TLS_RCPT", Some(9)),
    ("LOCAL_TLS_CLIENT", Some(9)),
    ("LOCAL_TLS_SERVER", Some(9)),
];

const BUILTINS: &[&str] = &[
    "dnl",
    "define",
    "undefine",
    "pushdef",
    "popdef",
    "ifdef",
    "ifelse",
    "divert",
    "include",
    "sinclude",
    "changecom",
    "errprint",
    "defn",
    "m4wrap",
];

/// How deep macro expansions may nest, and how much text all expansions
/// together may produce, before relaylint gives up (m4 itself would loop
/// or exhaust memory on such input).
const MAX_DEPTH: usize = 64;
const MAX_WORK: usize = 4 << 20;

struct Reader<'o> {
    open: Opener<'o>,
    includes: usize,
    out: McText,
    divert: i32,
    comments: bool,
    cf_loaded: bool,
    mailer_seen: bool,
    work: usize,
    gave_up: bool,
}

/// Where the text being scanned comes from: the file at an offset, or an
/// expansion of the macro call at a span.
#[derive(Clone, Copy)]
enum Origin {
    File(FileId, usize),
    Expansion(Span),
}

impl Origin {
    fn span(self, from: usize, to: usize) -> Span {
        match self {
            Origin::File(file, base) => Span::new(file, base + from..base + to),
            Origin::Expansion(s) => s,
        }
    }
    fn literal(self) -> bool {
        matches!(self, Origin::File(..))
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Index just past the quote that closes the one opened before `from`, or
/// `None` when the text ends first.
fn quote_end(s: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while let Some(&b) = s.get(i) {
        match b {
            b'`' => depth += 1,
            b'\'' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reads an `.mc` file's text; `include`d files other than the m4 tree's
/// come from `open` (`None`: the file does not exist).
pub fn read(file: FileId, text: &str) -> McText {
    read_with(file, text, &mut |_| None)
}

/// Opens a file an `.mc` includes: its id and text.
pub type Opener<'a> = &'a mut dyn FnMut(&str) -> Option<(FileId, String)>;

/// [`read`] with includes opened by `open`.
pub fn read_with(file: FileId, text: &str, open: Opener) -> McText {
    let includes_cf_m4 = mentions_cf_m4(text);
    let mut r = Reader {
        out: McText {
            includes_cf_m4,
            ..McText::default()
        },
        divert: 0,
        comments: includes_cf_m4,
        cf_loaded: !includes_cf_m4,
        mailer_seen: false,
        work: 0,
        gave_up: false,
        open,
        includes: 0,
    };
    let mut sink = Sink::Divert;
    r.scan(text, Origin::File(file, 0), 0, &mut sink);
    r.out
}

/// True when the text includes the m4 tree's `cf.m4` itself (Debian and
/// most distributions' `.mc` files do; others are built with
/// `m4 cf.m4 file.mc`).
fn mentions_cf_m4(text: &str) -> bool {
    text.lines().any(|l| {
        l.trim_start()
            .strip_prefix("include(")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('`'))
            .and_then(|r| r.split('\'').next())
            .is_some_and(|target| target.ends_with("cf.m4"))
    })
}

/// Where scanned text goes: the current diversion, or a string (an
/// argument being expanded).
enum Sink {
    Divert,
    Text(String),
}

impl Reader<'_> {
    fn emit(&mut self, sink: &mut Sink, s: &str, origin: Span, literal: bool) {
        match sink {
            Sink::Text(t) => t.push_str(s),
            Sink::Divert => {
                if self.divert >= 0 {
                    self.out
                        .diversions
                        .entry(self.divert)
                        .or_default()
                        .push(s, origin, literal);
                }
            }
        }
    }

    fn problem(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        if self.out.problems.len() < 64 {
            self.out.problems.push(BuildProblem {
                message: message.into(),
                span,
                label: label.into(),
            });
        }
    }

    fn is_macro(&self, name: &str) -> bool {
        self.out.defines.contains_key(name)
            || BUILTINS.contains(&name)
            || (self.cf_loaded && SENDMAIL_MACROS.iter().any(|(n, _)| *n == name))
    }

    /// Scans `text`, expanding macros; returns the number of bytes consumed
    /// (all of them).
    fn scan(&mut self, text: &str, origin: Origin, depth: usize, sink: &mut Sink) {
        let s = text.as_bytes();
        let mut i = 0usize;
        let mut plain_from = 0usize;
        while i < s.len() {
            if self.gave_up {
                return;
            }
            let b = s.get(i).copied().unwrap_or(0);
            if b == b'#' && self.comments {
                let end = s
                    .get(i..)
                    .and_then(|r| r.iter().position(|&c| c == b'\n'))
                    .map_or(s.len(), |p| i + p + 1);
                i = end;
                continue;
            }
            if b == b'`' {
                self.flush(text, plain_from, i, origin, sink);
                match quote_end(s, i + 1) {
                    Some(end) => {
                        let inner = text.get(i + 1..end - 1).unwrap_or("");
                        let span = origin.span(i + 1, end - 1);
                        self.emit(sink, inner, span, origin.literal());
                        i = end;
                    }
                    None => {
                        let span = origin.span(i, i + 1);
                        self.problem(
                            span,
                            "m4 stops: end of file inside a quoted string",
                            "this quote is never closed with `'`",
                        );
                        i = s.len();
                    }
                }
                plain_from = i;
                continue;
            }
            if is_ident_start(b) && (i == 0 || !s.get(i - 1).copied().is_some_and(is_ident)) {
                let start = i;
                while s.get(i).copied().is_some_and(is_ident) {
                    i += 1;
                }
                let name = text.get(start..i).unwrap_or("");
                if !self.is_macro(name) {
                    continue;
                }
                self.flush(text, plain_from, start, origin, sink);
                if name == "dnl" {
                    i = s
                        .get(i..)
                        .and_then(|r| r.iter().position(|&c| c == b'\n'))
                        .map_or(s.len(), |p| i + p + 1);
                    plain_from = i;
                    continue;
                }
                let (args, end) = if s.get(i) == Some(&b'(') {
                    match self.collect_args(text, i + 1) {
                        Some((raw, end)) => (Some(raw), end),
                        None => {
                            let span = origin.span(start, i + 1);
                            self.problem(
                                span,
                                format!("m4 stops: end of file inside the arguments of `{name}`"),
                                "this `(` is never closed",
                            );
                            i = s.len();
                            plain_from = i;
                            continue;
                        }
                    }
                } else {
                    (None, i)
                };
                let call_span = origin.span(start, end);
                let expanded: Vec<String> = args
                    .unwrap_or_default()
                    .iter()
                    .map(|(a, off)| {
                        let o = match origin {
                            Origin::File(f, base) => Origin::File(f, base + off),
                            e => e,
                        };
                        self.expand_arg(a, o, depth + 1)
                    })
                    .collect();
                i = end;
                plain_from = i;
                let name = name.to_string();
                self.call(&name, expanded, call_span, depth, sink);
                continue;
            }
            i += 1;
        }
        self.flush(text, plain_from, s.len(), origin, sink);
    }

    fn flush(&mut self, text: &str, from: usize, to: usize, origin: Origin, sink: &mut Sink) {
        if from < to {
            let piece = text.get(from..to).unwrap_or("");
            let span = origin.span(from, to);
            self.emit(sink, piece, span, origin.literal());
        }
    }

    /// Collects the raw arguments after `(` at `from`: `(text, offset)`
    /// pairs and the index past `)`. Leading unquoted whitespace of each
    /// argument is dropped, as m4 does.
    fn collect_args(&mut self, text: &str, from: usize) -> Option<(Vec<(String, usize)>, usize)> {
        let s = text.as_bytes();
        let mut args = Vec::new();
        let mut depth = 0usize;
        let mut i = from;
        let mut arg_start = from;
        loop {
            let b = *s.get(i)?;
            match b {
                b'`' => {
                    i = quote_end(s, i + 1)?;
                    continue;
                }
                b'#' if self.comments => {
                    let p = s.get(i..)?.iter().position(|&c| c == b'\n')?;
                    i += p + 1;
                    continue;
                }
                b'(' => depth += 1,
                b')' if depth == 0 => {
                    args.push(trimmed_arg(text, arg_start, i));
                    return Some((args, i + 1));
                }
                b')' => depth -= 1,
                b',' if depth == 0 => {
                    args.push(trimmed_arg(text, arg_start, i));
                    arg_start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
    }

    fn expand_arg(&mut self, raw: &str, origin: Origin, depth: usize) -> String {
        if depth > MAX_DEPTH {
            self.give_up(origin);
            return String::new();
        }
        let mut sink = Sink::Text(String::new());
        self.scan(raw, origin, depth, &mut sink);
        match sink {
            Sink::Text(t) => t,
            Sink::Divert => String::new(),
        }
    }

    fn give_up(&mut self, origin: Origin) {
        if !self.gave_up {
            let span = origin.span(0, 0);
            self.problem(
                span,
                "m4 stops: macro expansion does not end",
                "this expansion recurses without end",
            );
            self.gave_up = true;
        }
    }

    /// Expands and rescans a macro body in place of the call.
    fn rescan(&mut self, body: &str, span: Span, depth: usize, sink: &mut Sink) {
        self.work += body.len();
        if depth >= MAX_DEPTH || self.work > MAX_WORK {
            self.give_up(Origin::Expansion(span));
            return;
        }
        self.scan(body, Origin::Expansion(span), depth + 1, sink);
    }

    fn call(&mut self, name: &str, args: Vec<String>, span: Span, depth: usize, sink: &mut Sink) {
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        match name {
            "define" | "pushdef" => {
                if !args.is_empty() {
                    self.out.defines.insert(arg(0), (arg(1), span));
                }
                // `define(`confX', ...)` is recorded for the model too.
                self.out.calls.push(Call {
                    name: "define".into(),
                    args: args.clone(),
                    span,
                });
            }
            "undefine" | "popdef" => {
                self.out.defines.remove(&arg(0));
                self.out.calls.push(Call {
                    name: "undefine".into(),
                    args: args.clone(),
                    span,
                });
            }
            "ifdef" => {
                let known = self.is_defined(&arg(0));
                let pick = if known { arg(1) } else { arg(2) };
                self.rescan(&pick, span, depth, sink);
            }
            "ifelse" => {
                let mut k = 0;
                loop {
                    if args.len() <= k + 1 {
                        // A lone trailing argument is the default branch.
                        let rest = arg(k);
                        if args.len() == k + 1 && k > 0 {
                            self.rescan(&rest, span, depth, sink);
                        }
                        break;
                    }
                    if args.len() == k + 2 {
                        break;
                    }
                    if arg(k) == arg(k + 1) {
                        self.rescan(&arg(k + 2), span, depth, sink);
                        break;
                    }
                    k += 3;
                }
            }
            "divert" => {
                let n = arg(0).trim().parse::<i32>().unwrap_or(0);
                if matches!(sink, Sink::Divert) {
                    self.divert = n;
                }
            }
            "include" | "sinclude" => {
                let target = arg(0);
                if target.ends_with("cf.m4") {
                    self.cf_loaded = true;
                    self.comments = false;
                } else if !target.starts_with("/usr/share/") && !target.contains("_CF_DIR_") {
                    self.include(&target, name == "sinclude", span, depth, sink);
                }
                self.out.calls.push(Call {
                    name: name.into(),
                    args: args.clone(),
                    span,
                });
            }
            "changecom" => {
                self.comments = !args.is_empty() && !arg(0).is_empty();
            }
            "errprint" | "m4wrap" => {}
            "defn" => {
                if let Some((v, _)) = self.out.defines.get(&arg(0)) {
                    let v = v.clone();
                    self.emit(sink, &v, span, false);
                }
            }
            _ => {
                if let Some((body, _)) = self.out.defines.get(name).cloned() {
                    let body = substitute(&body, name, &args);
                    self.rescan(&body, span, depth, sink);
                    return;
                }
                self.sendmail_macro(name, args, span, sink);
            }
        }
    }

    /// Reads an included file in place of the call; a missing file stops
    /// m4 (`include`) or is skipped (`sinclude`).
    fn include(&mut self, target: &str, silent: bool, span: Span, depth: usize, sink: &mut Sink) {
        self.includes += 1;
        if self.includes > 32 || depth >= MAX_DEPTH {
            self.give_up(Origin::Expansion(span));
            return;
        }
        match (self.open)(target) {
            Some((id, text)) => self.scan(&text, Origin::File(id, 0), depth + 1, sink),
            None if silent => {}
            None => self.problem(
                span,
                format!("m4 stops: cannot open the included file `{target}`"),
                "this file does not exist",
            ),
        }
    }

    fn is_defined(&self, name: &str) -> bool {
        self.out.defines.contains_key(name)
            || (self.cf_loaded && SENDMAIL_MACROS.iter().any(|(n, _)| *n == name))
            || BUILTINS.contains(&name)
            || self.feature_defines(name)
    }

    /// Internal names the m4 tree defines once a FEATURE is used, which
    /// `.mc` files test with `ifdef` (`_ACCESS_TABLE_`...).
    fn feature_defines(&self, name: &str) -> bool {
        let feature = match name {
            "_ACCESS_TABLE_" => "access_db",
            "_PROMISCUOUS_RELAY_" => "promiscuous_relay",
            "_RELAY_ENTIRE_DOMAIN_" => "relay_entire_domain",
            "_RELAY_HOSTS_ONLY_" => "relay_hosts_only",
            "_RELAY_LOCAL_FROM_" => "relay_local_from",
            "_RELAY_MX_SERVED_" => "relay_based_on_MX",
            "_LOOSE_RELAY_CHECK_" => "loose_relay_check",
            "_DELAY_CHECKS_" => "delay_checks",
            "_USE_AUTH_" => return self.out.calls.iter().any(|c| c.name == "TRUST_AUTH_MECH"),
            _ => return false,
        };
        self.out
            .calls
            .iter()
            .any(|c| c.name == "FEATURE" && c.arg(0) == feature)
    }

    fn sendmail_macro(&mut self, name: &str, args: Vec<String>, span: Span, sink: &mut Sink) {
        let Some((_, divert)) = SENDMAIL_MACROS.iter().find(|(n, _)| *n == name) else {
            return;
        };
        if name == "FEATURE" && self.mailer_seen {
            self.out.printed_errors.push(BuildProblem {
                message: "m4 prints `*** ERROR: FEATURE() should be before MAILER()`".into(),
                span,
                label: "`FEATURE()` after `MAILER()`: still used, but m4 reports an error".into(),
            });
        }
        if name == "MAILER" {
            self.mailer_seen = true;
        }
        if let Some(d) = divert {
            if matches!(sink, Sink::Divert) {
                self.divert = *d;
            }
            if name == "LOCAL_RULE_1" {
                self.emit(sink, "\nSsender=1\n", span, false);
            } else if name == "LOCAL_RULE_2" {
                self.emit(sink, "\nSrecipient=2\n", span, false);
            }
        }
        self.out.calls.push(Call {
            name: name.to_string(),
            args,
            span,
        });
    }
}

/// An argument's text from `from` to `to`, without leading whitespace, and
/// its offset.
fn trimmed_arg(text: &str, from: usize, to: usize) -> (String, usize) {
    let raw = text.get(from..to).unwrap_or("");
    let trimmed = raw.trim_start_matches([' ', '\t', '\n', '\r']);
    let off = from + (raw.len() - trimmed.len());
    (trimmed.to_string(), off)
}

/// A macro body with `$0`…`$9`, `$#`, `$*` and `$@` replaced.
fn substitute(body: &str, name: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().map(|(_, n)| *n) {
            Some(d @ '0'..='9') => {
                chars.next();
                let n = d as usize - '0' as usize;
                if n == 0 {
                    out.push_str(name);
                } else if let Some(a) = args.get(n - 1) {
                    out.push_str(a);
                }
            }
            Some('#') => {
                chars.next();
                out.push_str(&args.len().to_string());
            }
            Some('*') => {
                chars.next();
                out.push_str(&args.join(","));
            }
            Some('@') => {
                chars.next();
                let quoted: Vec<String> = args.iter().map(|a| format!("`{a}'")).collect();
                out.push_str(&quoted.join(","));
            }
            _ => out.push('$'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(text: &str) -> Vec<(String, Vec<String>)> {
        read(FileId(0), text)
            .calls
            .into_iter()
            .filter(|c| c.name != "include")
            .map(|c| (c.name, c.args))
            .collect()
    }

    #[test]
    fn quotes_dnl_and_hash() {
        let mc = "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\n\
                  dnl FEATURE(`nope')\n\
                  # FEATURE(`promiscuous_relay')\n\
                  FEATURE(`access_db', `hash -T<TMPF> -o /etc/mail/access')dnl\n";
        assert_eq!(
            calls(mc),
            vec![
                ("FEATURE".into(), vec!["promiscuous_relay".into()]),
                (
                    "FEATURE".into(),
                    vec![
                        "access_db".into(),
                        "hash -T<TMPF> -o /etc/mail/access".into()
                    ]
                ),
            ]
        );
    }

    #[test]
    fn hash_is_a_comment_before_cf_m4_and_macros_do_not_exist_yet() {
        let mc = "divert(-1)\n# FEATURE(`promiscuous_relay')\nFEATURE(`relay_local_from')\ndivert(0)\ninclude(`cf.m4')\n";
        assert!(calls(mc).is_empty());
    }

    #[test]
    fn define_and_ifdef() {
        let mc = "define(`RELAYING', `FEATURE(`promiscuous_relay')')dnl\nifdef(`RELAYING', `RELAYING', `')dnl\n";
        assert!(calls(mc)
            .iter()
            .any(|(n, a)| n == "FEATURE" && a == &vec!["promiscuous_relay".to_string()]));
    }

    #[test]
    fn unterminated_quote_stops_m4() {
        let t = read(FileId(0), "FEATURE(`access_db)\n");
        assert!(!t.problems.is_empty());
    }

    #[test]
    fn local_config_text_is_kept_with_spans() {
        let mc = "LOCAL_CONFIG\nCRrelay.example\n";
        let t = read(FileId(0), mc);
        let out = t.diversions.get(&6).expect("divert 6");
        assert!(out.text.contains("CRrelay.example"));
        let at = out.text.find("CR").unwrap_or(0);
        let span = out.span_of(at, at + 2).expect("span");
        assert_eq!(&mc[span.range()], "CR");
    }
}
