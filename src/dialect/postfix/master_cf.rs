//! `master.cf` syntax: one service per logical line, eight fields, then the
//! command's arguments with `-o name=value` and `-o { name = value }`
//! overrides. Arguments that make the daemon exit at startup (`-o name = value`,
//! a value with spaces, stray words) are recorded as startup problems of that
//! service, because Postfix starts the other services anyway.

use super::main_cf::logical_lines;
use super::main_cf::Piece;
use super::services::is_known_tcp_service;
use super::text::{word_ranges, Text};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// One `-o` override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// Parameter name.
    pub name: String,
    /// The value, unexpanded.
    pub value: Text,
    /// The whole `-o ...` argument.
    pub span: Span,
}

/// One service line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// `[host:]port` for inet services, else a name.
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// `inet`, `unix`, `pass`...
    pub kind: String,
    /// The command (`smtpd`, `postscreen`...).
    pub command: String,
    /// Where the command is.
    pub command_span: Span,
    /// The whole logical line.
    pub line_span: Span,
    /// Overrides, in order (a later one wins).
    pub overrides: Vec<Override>,
    /// Arguments that make this service exit at startup.
    pub startup_problems: Vec<(Span, String)>,
}

impl Service {
    /// The effective override of `name` (the last one).
    pub fn override_of(&self, name: &str) -> Option<&Override> {
        self.overrides.iter().rev().find(|o| o.name == name)
    }
}

/// A parsed `master.cf`.
#[derive(Clone, Debug, Default)]
pub struct MasterCf {
    /// Effective services: for a repeated name and type, the last line wins.
    pub services: Vec<Service>,
    /// Lines that stop the whole master process.
    pub fatal: Vec<Span>,
}

/// Daemon options that take an argument (single_server/multi_server getopt).
const OPTS_WITH_ARG: &[u8] = b"imnorst";

/// A word of a service line, borrowed from the joined line.
struct Word<'a> {
    text: &'a str,
    /// Where it was written, when all of it is in the file (a word that
    /// runs to the end of the line inside an unclosed `{` is not).
    span: Option<Span>,
}

/// A logical line as Postfix joins it: each physical piece followed by one
/// space, with where each piece starts in the file. One buffer serves every
/// line of a file.
#[derive(Default)]
struct JoinedLine {
    text: String,
    /// (offset in `text`, offset in the file, length) of each piece.
    pieces: Vec<(usize, usize, usize)>,
}

impl JoinedLine {
    fn join(&mut self, src: &str, pieces: &[Piece]) {
        self.text.clear();
        self.pieces.clear();
        for &(s, e) in pieces {
            let piece = src.get(s..e).unwrap_or("");
            self.pieces.push((self.text.len(), s, piece.len()));
            self.text.push_str(piece);
            self.text.push(' ');
        }
    }

    /// The file offset of byte `i`; `None` for a joining space.
    fn origin(&self, i: usize) -> Option<usize> {
        // Most lines are one piece: no search.
        if let [(_, start, len)] = self.pieces[..] {
            return (i < len).then_some(start + i);
        }
        let k = self.pieces.partition_point(|p| p.0 <= i).checked_sub(1)?;
        let &(at, start, len) = self.pieces.get(k)?;
        (i - at < len).then(|| start + (i - at))
    }

    /// Whitespace-separated words, `{ ... }` groups kept whole, each with
    /// its span (from its first to its last byte, across pieces).
    fn words(&self, file: FileId) -> Vec<Word<'_>> {
        // Room for a service line's eight fields and a few arguments.
        let mut words = Vec::with_capacity(16);
        words.extend(
            word_ranges(self.text.as_bytes(), |b| b.is_ascii_whitespace()).filter_map(|r| {
                let text = self.text.get(r.clone())?;
                let first = self.origin(r.start);
                let last = r.end.checked_sub(1).and_then(|l| self.origin(l));
                let span = match (first, last) {
                    (Some(a), Some(b)) if b >= a => Some(Span::new(file, a..b + 1)),
                    _ => None,
                };
                Some(Word { text, span })
            }),
        );
        words
    }
}

/// The name of every logical line whose second word is `inet`, read
/// without parsing the rest: the inet services [`parse`] keeps are among
/// them.
pub fn inet_service_names(src: &str) -> Vec<String> {
    let (logical, _) = logical_lines(src);
    let mut line = JoinedLine::default();
    let mut names = Vec::new();
    for pieces in logical.iter() {
        line.join(src, pieces);
        let bytes = line.text.as_bytes();
        let mut words = word_ranges(bytes, |b| b.is_ascii_whitespace());
        if let (Some(name), Some(kind)) = (words.next(), words.next()) {
            if line.text.get(kind) == Some("inet") {
                names.extend(line.text.get(name).map(str::to_string));
            }
        }
    }
    names
}

/// Parses `master.cf` text.
pub fn parse(file: FileId, src: &str) -> (MasterCf, Vec<Diagnostic>) {
    let mut cf = MasterCf::default();
    let mut diags = Vec::new();
    let (logical, orphans) = logical_lines(src);
    // Services in line order; a slot empties when a later line redefines
    // its service. `slot_of` finds a service's slot by its identity.
    let mut slots: Vec<Option<Service>> = Vec::new();
    let mut slot_of: foldhash::HashMap<(String, String), usize> = foldhash::HashMap::default();
    for (s, e) in orphans {
        diags.push(Diagnostic::new(
            "RL001",
            "logical line must not start with whitespace",
            Span::new(file, s..e),
            "Postfix discards this line",
        ));
    }
    let mut line = JoinedLine::default();
    for pieces in logical.iter() {
        line.join(src, pieces);
        let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
            continue;
        };
        let line_span = Span::new(file, first.0..last.1);
        let w = line.words(file);
        if w.len() < 8 {
            diags.push(
                Diagnostic::new(
                    "RL001",
                    format!("service line has {} fields, master.cf needs at least 8", w.len()),
                    line_span,
                    "the Postfix master process refuses this file",
                )
                .with_help("write `service type private unpriv chroot wakeup maxproc command`, using `-` for defaults"),
            );
            cf.fatal.push(line_span);
            continue;
        }
        let span_of = |t: &Word| t.span.unwrap_or(line_span);
        let mut service = Service {
            name: w[0].text.to_string(),
            name_span: span_of(&w[0]),
            kind: w[1].text.to_string(),
            command: w[7].text.to_string(),
            command_span: span_of(&w[7]),
            line_span,
            overrides: Vec::new(),
            startup_problems: Vec::new(),
        };
        if let Some((span, problem)) = field_problem(&w, line_span) {
            diags.push(
                Diagnostic::new(
                    "RL001",
                    problem,
                    span,
                    "the Postfix master process refuses this line",
                )
                .with_help("see master(5) for the values each field takes"),
            );
            cf.fatal.push(span);
            continue;
        }
        parse_args(&w[8..], &mut service, line_span, src);
        // The last line for the same service and type wins; `smtp` and `25`
        // name the same inet service.
        if let Some(earlier) = slot_of.insert(identity(&service), slots.len()) {
            if let Some(slot) = slots.get_mut(earlier) {
                *slot = None;
            }
        }
        slots.push(Some(service));
    }
    cf.services = slots.into_iter().flatten().collect();
    (cf, diags)
}

/// The identity master uses for "the same service": type plus name, with
/// inet port names turned into numbers.
fn identity(s: &Service) -> (String, String) {
    if s.kind != "inet" {
        return (s.kind.clone(), s.name.clone());
    }
    let (host, port) = match s.name.rsplit_once(':') {
        Some((h, p)) => (h.to_ascii_lowercase(), p),
        None => (String::new(), s.name.as_str()),
    };
    let port = super::listener::port_number(port)
        .map(|n| n.to_string())
        .unwrap_or_else(|| port.to_string());
    (s.kind.clone(), format!("{host}:{port}"))
}

/// A field value the master process refuses, per master(5).
fn field_problem(w: &[Word], line_span: Span) -> Option<(Span, String)> {
    let field = |i: usize| w.get(i).map(|t| (t.text, t.span.unwrap_or(line_span)));
    let (kind, kind_span) = field(1)?;
    if !matches!(kind, "inet" | "unix" | "unix-dgram" | "fifo" | "pass") {
        return Some((kind_span, format!("unknown service type `{kind}`")));
    }
    for (i, name) in [(2, "private"), (3, "unprivileged"), (4, "chroot")] {
        let (v, sp) = field(i)?;
        if !matches!(v, "y" | "n" | "-") {
            return Some((
                sp,
                format!("invalid {name} field `{v}` (use `y`, `n` or `-`)"),
            ));
        }
    }
    if let Some(("y", sp)) = field(2) {
        if kind == "inet" {
            return Some((sp, "an inet service cannot be private".into()));
        }
    }
    if kind == "inet" {
        // master resolves the port at startup; an unknown name stops it.
        let (name, sp) = field(0)?;
        let port = name.rsplit_once(':').map_or(name, |(_, p)| p);
        if !port.bytes().all(|b| b.is_ascii_digit()) && !is_known_tcp_service(port) {
            return Some((
                sp,
                format!("unknown service `{port}/tcp`: master cannot resolve this port name"),
            ));
        }
    }
    let (wake, sp) = field(5)?;
    if wake != "-"
        && !wake
            .trim_end_matches('?')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return Some((sp, format!("invalid wakeup field `{wake}`")));
    }
    let (maxproc, sp) = field(6)?;
    if maxproc != "-" && !maxproc.bytes().all(|b| b.is_ascii_digit()) {
        return Some((sp, format!("invalid process limit field `{maxproc}`")));
    }
    None
}

fn parse_args(args: &[Word], service: &mut Service, line_span: Span, src: &str) {
    let checks_strays = matches!(service.command.as_str(), "smtpd" | "postscreen" | "qmqpd");
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let span = w.span.unwrap_or(line_span);
        if w.text == "-o" || (w.text.starts_with("-o") && w.text.len() > 2) {
            let (arg, arg_span, used) = if w.text == "-o" {
                match args.get(i + 1) {
                    Some(a) => (
                        a.text.to_string(),
                        a.span.map(|s| span.to(s)).unwrap_or(span),
                        2,
                    ),
                    None => {
                        service
                            .startup_problems
                            .push((span, "`-o` without a value".into()));
                        break;
                    }
                }
            } else {
                (w.text[2..].to_string(), span, 1)
            };
            let value_start_in_arg;
            // The long form is a separate `{ ... }` argument; glued to `-o`
            // (`-o{a=b}`) the braces stay part of the name: smtpd sets an
            // unknown parameter `{a` and runs without the override.
            if used == 1 && arg.starts_with('{') {
                i += used;
                continue;
            }
            let long_form = used == 2 && arg.starts_with('{') && arg.ends_with('}');
            let parsed = if long_form {
                // Long form: `{ name = value }`; whitespace inside the value is kept.
                let inner = arg
                    .strip_prefix('{')
                    .and_then(|a| a.strip_suffix('}'))
                    .unwrap_or(&arg);
                value_start_in_arg = inner.find('=').map(|eq| {
                    let after = &inner[eq + 1..];
                    1 + eq + 1 + (after.len() - after.trim_start().len())
                });
                inner
                    .split_once('=')
                    .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            } else {
                value_start_in_arg = arg.find('=').map(|p| p + 1);
                arg.split_once('=')
                    .map(|(n, v)| (n.to_string(), v.to_string()))
            };
            match parsed {
                Some((name, value))
                    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
                {
                    // Point the value at the file when its bytes are there as
                    // parsed (a dropped comment line inside a continued
                    // long form would shift them: then it stays unanchored).
                    let value_text = match (value_start_in_arg, args.get(i + used - 1).and_then(|t| t.span)) {
                        (Some(off), Some(sp))
                            if !value.is_empty()
                                && src.get(sp.start as usize + off..sp.start as usize + off + value.len()).is_some_and(|f| {
                                    f.bytes().zip(value.bytes()).all(|(a, b)| a == b || (a == b'\n' && b == b' '))
                                }) =>
                        {
                            Text::from_file(sp.file, sp.start as usize + off, &value)
                        }
                        _ => Text::builtin(&value),
                    };
                    service.overrides.push(Override {
                        name,
                        value: value_text,
                        span: arg_span,
                    });
                }
                _ => service.startup_problems.push((
                    arg_span,
                    format!("`-o {arg}` is not `name=value`: the daemon exits with \"invalid \\\"-o ...\\\" option value\""),
                )),
            }
            i += used;
            continue;
        }
        if let Some(flag) = w.text.strip_prefix('-') {
            let takes_arg = flag.len() == 1
                && flag
                    .bytes()
                    .next()
                    .is_some_and(|c| OPTS_WITH_ARG.contains(&c));
            i += if takes_arg { 2 } else { 1 };
            continue;
        }
        if checks_strays {
            service.startup_problems.push((
                span,
                format!("stray argument `{}`: the daemon exits with \"unexpected command-line argument\"", w.text),
            ));
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_both_forms() {
        let src = "smtp inet n - y - - smtpd\n  -o smtpd_relay_restrictions=permit\n  -o { mynetworks = 10.0.0.0/8 192.0.2.0/24 }\n";
        let (cf, d) = parse(FileId(0), src);
        assert!(d.is_empty());
        let s = &cf.services[0];
        assert_eq!(
            s.override_of("smtpd_relay_restrictions").unwrap().value.s,
            "permit"
        );
        assert_eq!(
            s.override_of("mynetworks").unwrap().value.s,
            "10.0.0.0/8 192.0.2.0/24"
        );
        assert!(s.startup_problems.is_empty());
        let v = &s.override_of("smtpd_relay_restrictions").unwrap().value;
        assert_eq!(&src[v.span().unwrap().range()], "permit");
    }

    #[test]
    fn spaces_around_equals_kill_the_service() {
        let (cf, _) = parse(
            FileId(0),
            "2525 inet n - n - - smtpd -o mynetworks = 0.0.0.0/0\n",
        );
        assert_eq!(
            cf.services[0].startup_problems.len(),
            1 + 2,
            "bad -o, then two stray words"
        );
    }

    /// The joined line splits and locates words as a [`Text`] built from
    /// the same pieces does, across continuation lines and unclosed groups.
    #[test]
    fn joined_words_match_text_words() {
        let src = "smtp inet n - y - - smtpd -o { a = b\n  c } -o x=y\n  -o z=1\n\
                   2525 inet n - y - - smtpd -o { open\n  group\n";
        let (logical, _) = logical_lines(src);
        assert_eq!(logical.len(), 2);
        let mut joined = JoinedLine::default();
        for pieces in logical.iter() {
            let mut text = Text::default();
            for &(s, e) in pieces {
                text.push_text(&Text::from_file(FileId(3), s, &src[s..e]));
                text.push_text(&Text::builtin(" "));
            }
            joined.join(src, pieces);
            let got: Vec<(&str, Option<Span>)> = joined
                .words(FileId(3))
                .into_iter()
                .map(|w| (w.text, w.span))
                .collect();
            let want = text.words();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!((g.0, g.1), (w.text.as_str(), w.span));
            }
        }
        let last = joined.words(FileId(3)).pop().map(|w| (w.text, w.span));
        assert_eq!(
            last,
            Some(("{ open   group ", None)),
            "an unclosed group runs to the end"
        );
    }

    /// Every inet service `parse` keeps is named by the quick scan the host
    /// pass uses to skip a Postfix no proxy reaches.
    #[test]
    fn inet_service_names_cover_the_parsed_inet_services() {
        let mut next = crate::test_sequence::sequence(5);
        let mut pick = |options: &[&'static str]| options[next() as usize % options.len()];
        let mut inet_seen = 0;
        for _ in 0..2000 {
            let mut src = String::new();
            for _ in 0..(1 + pick(&["1", "2", "3", "4"]).len() * 2) {
                if pick(&["line", "line", "line", "comment"]) == "comment" {
                    src.push_str("# a comment\n");
                    continue;
                }
                let mut fields = vec![
                    pick(&[
                        "smtp",
                        "2525",
                        "127.0.0.1:25",
                        "[::1]:25",
                        "submission",
                        "bad:port",
                    ]),
                    pick(&["inet", "inet", "unix", "pass", "fifo"]),
                ];
                for _ in 0..3 {
                    fields.push(pick(&["n", "-", "y"]));
                }
                for _ in 0..2 {
                    fields.push(pick(&["-", "60", "1"]));
                }
                fields.push(pick(&["smtpd", "postscreen", "pickup"]));
                for _ in 0..pick(&["", "a", "ab"]).len() {
                    fields.push(pick(&["-o", "a=b", "{", "}", "x"]));
                }
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        src.push_str(pick(&[" ", "\t", "\n  ", "\n\t", " "]));
                    }
                    src.push_str(f);
                }
                src.push('\n');
            }
            let names = inet_service_names(&src);
            let (cf, _) = parse(FileId(0), &src);
            for s in cf.services.iter().filter(|s| s.kind == "inet") {
                inet_seen += 1;
                assert!(names.contains(&s.name), "{:?} missing for {src:?}", s.name);
            }
        }
        assert!(
            inet_seen > 1000,
            "the generator makes inet services: {inet_seen}"
        );
        let debian = "smtp      inet  n       -       y       -       -       smtpd\n\
                      submission inet n       -       y       -       -       smtpd\n  -o a=b\n\
                      pickup    unix  n       -       y       60      1       pickup\n";
        assert_eq!(inet_service_names(debian), ["smtp", "submission"]);
    }

    #[test]
    fn last_line_wins_and_short_lines_are_fatal() {
        let (cf, d) = parse(
            FileId(0),
            "smtp inet n - y - - smtpd\nsmtp inet n - y - - postscreen\nbad line\n",
        );
        assert_eq!(cf.services.len(), 1);
        assert_eq!(cf.services[0].command, "postscreen");
        assert_eq!(d.len(), 1);
        assert_eq!(cf.fatal.len(), 1);
        // The redefined service takes the place of its last line.
        let (cf, _) = parse(
            FileId(0),
            "smtp inet n - y - - smtpd\npickup unix n - y 60 1 pickup\n25 inet n - y - - postscreen\n",
        );
        let order: Vec<&str> = cf.services.iter().map(|s| s.command.as_str()).collect();
        assert_eq!(order, ["pickup", "postscreen"]);
    }
}
