//! `master.cf` syntax: one service per logical line, eight fields, then the
//! command's arguments with `-o name=value` and `-o { name = value }`
//! overrides. Arguments that make the daemon exit at startup (`-o name = value`,
//! a value with spaces, stray words) are recorded as startup problems of that
//! service, because Postfix starts the other services anyway.

use super::main_cf::logical_lines;
use super::services::is_known_tcp_service;
use super::text::{Text, Token};
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

/// Parses `master.cf` text.
pub fn parse(file: FileId, src: &str) -> (MasterCf, Vec<Diagnostic>) {
    let mut cf = MasterCf::default();
    let mut diags = Vec::new();
    let (logical, orphans) = logical_lines(src);
    // The identity of each service in `cf.services`, worked out once.
    let mut identities: Vec<(String, String)> = Vec::new();
    for (s, e) in orphans {
        diags.push(Diagnostic::new(
            "RL001",
            "logical line must not start with whitespace",
            Span::new(file, s..e),
            "Postfix discards this line",
        ));
    }
    for pieces in logical {
        let mut line = Text::default();
        for &(s, e) in &pieces {
            line.push_text(&Text::from_file(file, s, src.get(s..e).unwrap_or("")));
            line.push_text(&Text::builtin(" "));
        }
        let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
            continue;
        };
        let line_span = Span::new(file, first.0..last.1);
        let w = line.words();
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
        let span_of = |t: &Token| t.span.unwrap_or(line_span);
        let mut service = Service {
            name: w[0].text.clone(),
            name_span: span_of(&w[0]),
            kind: w[1].text.clone(),
            command: w[7].text.clone(),
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
        let key = identity(&service);
        if let Some(i) = identities.iter().position(|k| *k == key) {
            identities.remove(i);
            cf.services.remove(i);
        }
        identities.push(key);
        cf.services.push(service);
    }
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
fn field_problem(w: &[Token], line_span: Span) -> Option<(Span, String)> {
    let field = |i: usize| {
        w.get(i)
            .map(|t| (t.text.as_str(), t.span.unwrap_or(line_span)))
    };
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

fn parse_args(args: &[Token], service: &mut Service, line_span: Span, src: &str) {
    let checks_strays = matches!(service.command.as_str(), "smtpd" | "postscreen" | "qmqpd");
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let span = w.span.unwrap_or(line_span);
        if w.text == "-o" || (w.text.starts_with("-o") && w.text.len() > 2) {
            let (arg, arg_span, used) = if w.text == "-o" {
                match args.get(i + 1) {
                    Some(a) => (
                        a.text.clone(),
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
    }
}
