//! The sockd.conf / danted.conf parser (Dante 1.4, plus the 1.2/1.3 forms
//! 1.4 still reads: `method:` and bare `pass` / `block`).
//!
//! Text in, [`Config`] out, with a span on every value. Everything danted
//! itself refuses at startup becomes a [`Problem`]; parsing goes on after
//! one (at the next line or the end of the rule) so that later findings
//! still describe the rest of the file. This module never opens files and
//! never evaluates anything.

use super::address::{parse_addr, parse_operator, service_port, Addr, PortOp};
use super::scan::Scanner;
use crate::source::{FileId, Span};

/// An authentication method name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// No authentication.
    None,
    /// RFC 1929 user name and password.
    Username,
    /// GSS-API.
    Gssapi,
    /// Ident: the client's own host names the user.
    Rfc931,
    /// PAM without a user name.
    PamAny,
    /// PAM on the client address.
    PamAddress,
    /// PAM with a user name and password (also the old `pam`).
    PamUsername,
    /// BSD authentication.
    Bsdauth,
}

impl Method {
    fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "none" => Method::None,
            "username" => Method::Username,
            "gssapi" => Method::Gssapi,
            "rfc931" => Method::Rfc931,
            "pam.any" => Method::PamAny,
            "pam.address" => Method::PamAddress,
            "pam" | "pam.username" => Method::PamUsername,
            "bsdauth" => Method::Bsdauth,
            _ => return None,
        })
    }

    /// The name danted uses.
    pub fn name(self) -> &'static str {
        match self {
            Method::None => "none",
            Method::Username => "username",
            Method::Gssapi => "gssapi",
            Method::Rfc931 => "rfc931",
            Method::PamAny => "pam.any",
            Method::PamAddress => "pam.address",
            Method::PamUsername => "pam.username",
            Method::Bsdauth => "bsdauth",
        }
    }

    /// Methods usable before SOCKS negotiation (`clientmethod`).
    pub fn valid_for_client(self) -> bool {
        matches!(
            self,
            Method::None | Method::Rfc931 | Method::PamAny | Method::PamAddress
        )
    }

    /// Methods that can name a user (kept by a rule with `user:`/`group:`).
    pub fn supplies_user(self) -> bool {
        !matches!(self, Method::None | Method::PamAny)
    }
}

/// A method list (`socksmethod:`, `clientmethod:` or the old `method:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodList {
    /// The keyword.
    pub keyword: Span,
    /// The whole line, keyword to last method.
    pub span: Span,
    /// Methods in order, each with its span.
    pub methods: Vec<(Method, Span)>,
    /// Written with the pre-1.4 keyword `method:`.
    pub legacy: bool,
}

impl MethodList {
    /// True when `m` is in the list.
    pub fn has(&self, m: Method) -> bool {
        self.methods.iter().any(|(x, _)| *x == m)
    }

    /// The span of `m` in the list.
    pub fn span_of(&self, m: Method) -> Option<Span> {
        self.methods.iter().find(|(x, _)| *x == m).map(|(_, s)| *s)
    }
}

/// An address with its optional port qualifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The address.
    pub addr: Addr,
    /// Its token.
    pub span: Span,
    /// The port qualifier, if any.
    pub port: Option<Port>,
}

/// A port qualifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// What it compares (`None` when the service name is unknown to relaylint).
    pub op: Option<PortOp>,
    /// `port` to the last number.
    pub span: Span,
}

impl Endpoint {
    /// True when the qualifier lets `port` through (no qualifier: every port).
    pub fn port_matches(&self, port: u16) -> bool {
        match &self.port {
            None => true,
            Some(Port { op: Some(op), .. }) => op.matches(port),
            Some(Port { op: None, .. }) => false,
        }
    }
}

/// `client`, `socks` or `hostid` rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// `client pass|block`: checked when the TCP connection arrives.
    Client,
    /// `socks pass|block` (or the old bare `pass|block`): checked per request.
    Socks,
    /// `hostid pass|block`.
    Hostid,
}

/// A SOCKS command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// CONNECT.
    Connect,
    /// BIND.
    Bind,
    /// UDP ASSOCIATE.
    UdpAssociate,
    /// The reply to a BIND.
    BindReply,
    /// A UDP reply.
    UdpReply,
}

/// One rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Client, socks or hostid.
    pub kind: RuleKind,
    /// `pass` (true) or `block`.
    pub pass: bool,
    /// `client pass`, `socks block`, `pass`...
    pub head: Span,
    /// Head to closing brace.
    pub span: Span,
    /// Written as bare `pass` / `block` (pre-1.4).
    pub legacy: bool,
    /// `from:`.
    pub from: Option<Endpoint>,
    /// `to:`.
    pub to: Option<Endpoint>,
    /// `command:` (`None`: every command).
    pub commands: Option<(Vec<Command>, Span)>,
    /// `protocol:` tcp, udp (`None`: both).
    pub protocols: Option<(bool, bool, Span)>,
    /// `proxyprotocol:` socks_v4, socks_v5 (`None`: both).
    pub proxyprotocols: Option<(bool, bool, Span)>,
    /// `socksmethod:` (or `method:` in a socks rule).
    pub socksmethod: Option<MethodList>,
    /// `clientmethod:` (or `method:` in a client rule).
    pub clientmethod: Option<MethodList>,
    /// `user:` names.
    pub users: Option<(Vec<String>, Span)>,
    /// `group:`.
    pub groups: Option<Span>,
    /// `log:`.
    pub log: Option<Span>,
}

impl Rule {
    /// True when the rule applies to `cmd`.
    pub fn has_command(&self, cmd: Command) -> bool {
        let udp_cmd = matches!(cmd, Command::UdpAssociate | Command::UdpReply);
        let proto_ok = match &self.protocols {
            None => true,
            Some((tcp, udp, _)) => {
                if udp_cmd {
                    *udp
                } else {
                    *tcp
                }
            }
        };
        proto_ok
            && match &self.commands {
                None => true,
                Some((v, _)) => v.contains(&cmd),
            }
    }

    /// True when the rule applies to SOCKS version `v` (4 or 5).
    pub fn has_version(&self, v: u8) -> bool {
        match &self.proxyprotocols {
            None => true,
            Some((v4, v5, _)) => {
                if v == 4 {
                    *v4
                } else {
                    *v5
                }
            }
        }
    }

    /// `client pass`, `socks block`... as written.
    pub fn describe(&self) -> String {
        let verdict = if self.pass { "pass" } else { "block" };
        match (self.kind, self.legacy) {
            (_, true) => verdict.to_string(),
            (RuleKind::Client, _) => format!("client {verdict}"),
            (RuleKind::Socks, _) => format!("socks {verdict}"),
            (RuleKind::Hostid, _) => format!("hostid {verdict}"),
        }
    }
}

/// A line or construct danted would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub span: Span,
    /// What danted objects to (lowercase, no final period).
    pub message: String,
    /// Short label text.
    pub label: String,
}

/// A server setting line, `keyword: value...`.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The keyword as written.
    pub name: String,
    /// The keyword.
    pub keyword: Span,
    /// Keyword to end of value.
    pub span: Span,
    /// The value words.
    pub values: Vec<(String, Span)>,
}

/// The parsed file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Every setting line, in order.
    pub settings: Vec<Setting>,
    /// `internal:` addresses, in order.
    pub internals: Vec<(Endpoint, Span)>,
    /// `external:` lines.
    pub externals: Vec<Span>,
    /// The effective global `socksmethod:` (the last line wins).
    pub socksmethod: Option<MethodList>,
    /// The effective global `clientmethod:`.
    pub clientmethod: Option<MethodList>,
    /// Rules in file order.
    pub rules: Vec<Rule>,
    /// `route` blocks.
    pub routes: Vec<Span>,
    /// What danted refuses, in file order.
    pub problems: Vec<Problem>,
    /// Pre-1.4 spellings that 1.4 still reads: span and what it is.
    pub legacy: Vec<(Span, String)>,
    /// The span of the first byte (for file-wide findings).
    pub anchor: Option<Span>,
}

impl Config {
    /// The setting named `name` (the last one).
    pub fn setting(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| s.name == name)
    }
}

/// Settings danted 1.4.2 (Debian's build) accepts, with the values it
/// accepts when it checks them (`None`: any value). Checked one by one with
/// `danted -V -f`.
const SETTINGS: &[(&str, Option<&[&str]>)] = &[
    ("logoutput", None),
    ("errorlog", None),
    ("debug", None),
    (
        "srchost",
        Some(&["nodnsmismatch", "nodnsunknown", "checkreplyauth"]),
    ),
    ("compatibility", Some(&["sameport", "draft-5.05"])),
    ("extension", Some(&["bind"])),
    ("external.rotation", Some(&["none", "route", "same-same"])),
    ("internal.protocol", Some(&["ipv4", "ipv6"])),
    ("external.protocol", Some(&["ipv4", "ipv6"])),
    ("libwrap.hosts_access", Some(&["yes", "no"])),
    ("udp.connectdst", Some(&["yes", "no"])),
    ("resolveprotocol", Some(&["udp", "tcp", "fake"])),
    ("timeout.negotiate", None),
    ("timeout.io", None),
    ("timeout.io.tcp", None),
    ("timeout.io.udp", None),
    ("timeout.connect", None),
    ("timeout.tcp_fin_wait", None),
    ("child.maxidle", None),
    ("child.maxrequests", None),
    ("user.privileged", None),
    ("user.unprivileged", None),
    ("user.notprivileged", None),
    ("user.libwrap", None),
    ("connecttimeout", None),
    ("iotimeout", None),
    ("localdomain", None),
];
/// Families whose members relaylint does not check one by one: CPU
/// scheduling and socket options (`internal.tcp.tcp_nodelay`).
const SETTING_FAMILIES: &[&str] = &["cpu.", "internal.", "external."];
const OLD_SETTINGS: &[&str] = &[
    "connecttimeout",
    "iotimeout",
    "localdomain",
    "child.maxidle",
    "user.notprivileged",
];

/// Rule options that take a value on the rest of the line and that
/// relaylint does not evaluate.
const RULE_OPTIONS: &[&str] = &[
    "libwrap",
    "redirect",
    "udp.portrange",
    "pam.servicename",
    "session.max",
    "session.throttle",
    "timeout.negotiate",
    "timeout.io",
    "timeout.io.tcp",
    "timeout.io.udp",
    "timeout.connect",
    "timeout.tcp_fin_wait",
];
const RULE_OPTION_FAMILIES: &[&str] = &["session.state."];
/// Options that need libraries Debian's danted is built without.
const UNBUILT_OPTIONS: &[&str] = &["gssapi.", "bsdauth.", "ldap.", "bandwidth", "hostid"];

struct Parser<'t> {
    sc: Scanner<'t>,
    cfg: Config,
}

/// Parses a whole file.
pub fn parse(file: FileId, text: &str) -> Config {
    let mut p = Parser {
        sc: Scanner::new(file, text),
        cfg: Config::default(),
    };
    p.cfg.anchor = Some(Span::new(file, 0..text.len().min(1)));
    p.file();
    p.cfg
}

impl<'t> Parser<'t> {
    fn problem(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        self.cfg.problems.push(Problem {
            span,
            message: message.into(),
            label: label.into(),
        });
    }

    fn file(&mut self) {
        let mut seen_rule: Option<Span> = None;
        loop {
            self.sc.skip(true);
            if self.sc.at_end() {
                break;
            }
            let start = self.sc.pos();
            let (kw, kspan) = self.sc.keyword();
            if kw.is_empty() {
                let here = self.sc.here();
                self.problem(
                    here,
                    "syntax error: a setting or a rule must start here",
                    "unexpected character",
                );
                self.sc.skip_line();
                continue;
            }
            match kw {
                "client" | "socks" | "hostid" | "pass" | "block" => {
                    if !self.sc.at_line_start(start) {
                        self.problem(
                            kspan,
                            format!(
                                "syntax error: `{kw}` starts a rule, and a rule must begin a line"
                            ),
                            "rule starter in the middle of a line",
                        );
                    }
                    seen_rule.get_or_insert(kspan);
                    self.rule(kw, kspan);
                }
                "route" => {
                    seen_rule.get_or_insert(kspan);
                    self.sc.skip(true);
                    if !self.sc.eat(b'{') {
                        let here = self.sc.here();
                        self.problem(
                            here,
                            "syntax error: `route` needs a `{ ... }` block",
                            "expected `{`",
                        );
                        self.sc.skip_line();
                        continue;
                    }
                    self.sc.skip_block();
                    let span = self.sc.span_from(start);
                    self.cfg.routes.push(span);
                }
                "monitor" => {
                    seen_rule.get_or_insert(kspan);
                    self.sc.skip(true);
                    if self.sc.eat(b'{') {
                        self.sc.skip_block();
                    } else {
                        let here = self.sc.here();
                        self.problem(
                            here,
                            "syntax error: `monitor` needs a `{ ... }` block",
                            "expected `{`",
                        );
                        self.sc.skip_line();
                    }
                }
                _ => {
                    if seen_rule.is_some() {
                        self.problem(
                            kspan,
                            format!("syntax error: server setting `{kw}` after the first rule (settings must come before rules since Dante 1.3.0)"),
                            "setting after the rules",
                        );
                        self.sc.skip_line();
                        continue;
                    }
                    self.setting(kw, kspan);
                }
            }
        }
        self.check_globals();
    }

    fn expect_colon(&mut self, kw: &str) -> bool {
        self.sc.skip(false);
        if self.sc.eat(b':') {
            true
        } else {
            let here = self.sc.here();
            self.problem(
                here,
                format!("syntax error: `{kw}` must be followed by `:`"),
                "expected `:`",
            );
            false
        }
    }

    /// After `from:`, `to:`, `internal:` or `external:` danted's lexer needs
    /// a blank: `from:0/0` is read as one bad token.
    fn colon_needs_blank(&mut self, kw: &str) -> bool {
        match self.sc.peek() {
            Some(b' ' | b'\t') => true,
            _ => {
                let here = self.sc.here();
                self.problem(
                    here,
                    format!(
                        "syntax error: danted reads `{kw}:` glued to its address as one bad token"
                    ),
                    "put a blank after the colon",
                );
                false
            }
        }
    }

    fn setting(&mut self, kw: &'t str, kspan: Span) {
        let checked = SETTINGS.iter().find(|(n, _)| *n == kw).map(|(_, v)| *v);
        let known = checked.is_some()
            || matches!(
                kw,
                "internal" | "external" | "socksmethod" | "clientmethod" | "method"
            )
            || SETTING_FAMILIES.iter().any(|f| {
                kw.starts_with(f)
                    && kw.len() > f.len()
                    && (*f == "cpu." || kw.matches('.').count() >= 2)
            });
        if !known {
            self.problem(
                kspan,
                format!("syntax error: `{kw}` is not a danted setting (keywords are lowercase)"),
                "unknown keyword",
            );
            self.sc.skip_line();
            return;
        }
        if OLD_SETTINGS.contains(&kw) {
            self.cfg
                .legacy
                .push((kspan, format!("`{kw}` is a pre-1.4 setting")));
        }
        if !self.expect_colon(kw) {
            self.sc.skip_line();
            return;
        }
        match kw {
            "internal" | "external" => {
                if !self.colon_needs_blank(kw) {
                    self.sc.skip_line();
                    return;
                }
                let Some(ep) = self.endpoint(false) else {
                    self.sc.skip_line();
                    return;
                };
                if matches!(ep.addr, Addr::Net(_) | Addr::Any) {
                    self.problem(ep.span, format!("a netmask is given for the `{kw}:` address, but danted wants a plain address here"), "no prefix length here");
                }
                let span = Span::new(kspan.file, kspan.start as usize..ep_end(&ep));
                if kw == "internal" {
                    self.cfg.internals.push((ep, span));
                } else {
                    self.cfg.externals.push(span);
                }
            }
            "socksmethod" | "clientmethod" | "method" => {
                let Some(list) = self.methods(kw, kspan, false) else {
                    return;
                };
                if kw == "method" {
                    self.cfg.legacy.push((
                        kspan,
                        "`method:` is the pre-1.4 name of `socksmethod:`".into(),
                    ));
                }
                if kw == "clientmethod" {
                    for (m, s) in &list.methods {
                        if !m.valid_for_client() {
                            let s = *s;
                            self.problem(s, format!("method `{}` is not a valid method for `clientmethod` (only none, rfc931, pam.any and pam.address are)", m.name()), "not a client method");
                        }
                    }
                    self.cfg.clientmethod = Some(list);
                } else {
                    self.cfg.socksmethod = Some(list);
                }
            }
            _ => {
                let words = self.sc.list(false);
                if words.is_empty() {
                    let here = self.sc.here();
                    self.problem(
                        here,
                        format!("syntax error: `{kw}:` needs a value"),
                        "value missing",
                    );
                }
                if let Some(Some(allowed)) = checked {
                    if let Some((w, sp)) = words.iter().find(|(w, _)| !allowed.contains(w)) {
                        let sp = *sp;
                        self.problem(
                            sp,
                            format!(
                                "syntax error: `{w}` is not a value of `{kw}:` (danted accepts {})",
                                allowed.join(", ")
                            ),
                            "unknown value",
                        );
                    }
                }
                if matches!(kw, "internal.protocol" | "external.protocol") {
                    let side = kw.trim_end_matches(".protocol");
                    let after = if side == "internal" {
                        !self.cfg.internals.is_empty()
                    } else {
                        !self.cfg.externals.is_empty()
                    };
                    if after {
                        self.problem(
                            kspan,
                            format!("`{kw}:` must come before the first `{side}:` line"),
                            format!("after `{side}:`"),
                        );
                    }
                }
                let listed = through_last(kspan, &words);
                self.cfg.settings.push(Setting {
                    name: kw.to_string(),
                    keyword: kspan,
                    span: listed,
                    values: words.iter().map(|(w, s)| (w.to_string(), *s)).collect(),
                });
                return;
            }
        }
        let end = self.sc.pos();
        self.cfg.settings.push(Setting {
            name: kw.to_string(),
            keyword: kspan,
            span: Span::new(kspan.file, kspan.start as usize..end),
            values: Vec::new(),
        });
    }

    /// A method list up to the end of the line (or a `}` in a rule).
    fn methods(&mut self, kw: &str, kspan: Span, in_rule: bool) -> Option<MethodList> {
        let words = self.sc.list(in_rule);
        if words.is_empty() {
            let here = self.sc.here();
            self.problem(
                here,
                format!("syntax error: `{kw}:` needs at least one method"),
                "method list missing",
            );
            return None;
        }
        let mut methods = Vec::new();
        let mut bad = false;
        for (w, s) in &words {
            match Method::parse(w) {
                Some(m @ (Method::Gssapi | Method::Bsdauth)) => {
                    self.problem(
                        *s,
                        format!("method `{w}` needs a library Debian's danted is built without"),
                        "not built in",
                    );
                    methods.push((m, *s));
                }
                Some(m) => methods.push((m, *s)),
                None => {
                    self.problem(
                        *s,
                        format!("syntax error: `{w}` is not an authentication method"),
                        "unknown method",
                    );
                    bad = true;
                }
            }
        }
        if bad {
            return None;
        }
        let listed = through_last(kspan, &words);
        Some(MethodList {
            keyword: kspan,
            span: listed,
            methods,
            legacy: kw == "method",
        })
    }

    /// An address and an optional `port` qualifier on the same line.
    fn endpoint(&mut self, in_rule: bool) -> Option<Endpoint> {
        self.sc.skip(false);
        let start = self.sc.pos();
        let (mut tok, mut span) = self.sc.value();
        if tok.is_empty() {
            let here = self.sc.here();
            self.problem(
                here,
                "syntax error: an address must follow",
                "address missing",
            );
            return None;
        }
        // `0/0port = 25`: danted's lexer ends an address with a prefix
        // length at the digits, so a keyword may follow without a blank.
        if tok.ends_with('/') {
            // `0.0.0.0/ 0`: blanks may stand between the slash and the length
            let save = self.sc.pos();
            let nl = self.sc.skip(false);
            let digits = self.digits();
            if nl || digits.0.is_empty() {
                self.sc.set_pos(save);
            } else {
                tok = self.sc.slice(start, self.sc.pos());
                span = self.sc.span(start, self.sc.pos());
                let joined: String = tok.split_whitespace().collect();
                return self.endpoint_rest(&joined, span, in_rule);
            }
        }
        if let Some(at) = glued_port(tok) {
            self.sc.set_pos(start + at);
            tok = self.sc.slice(start, start + at);
            span = self.sc.span(start, start + at);
        }
        let tok = tok.to_string();
        self.endpoint_rest(&tok, span, in_rule)
    }

    /// The address `tok` (already read, at `span`) and its port qualifier.
    fn endpoint_rest(&mut self, tok: &str, span: Span, in_rule: bool) -> Option<Endpoint> {
        let addr = match parse_addr(tok, in_rule) {
            Ok(a) => a,
            Err(e) => {
                self.problem(span, e, "refused by danted");
                return None;
            }
        };
        let save = self.sc.pos();
        if self.sc.skip(false) {
            return Some(Endpoint {
                addr,
                span,
                port: None,
            });
        }
        let pstart = self.sc.pos();
        let (kw, kspan) = self.sc.keyword();
        // `port=25` and `port>=1024` glue the operator to the keyword.
        let is_port = kw == "port" || (kw.starts_with("port") && kw.len() == 4);
        if !is_port {
            // not a qualifier: leave the word for the caller
            self.sc.set_pos(save);
            return Some(Endpoint {
                addr,
                span,
                port: None,
            });
        }
        let port = self.port(kspan)?;
        let pspan = Span::new(span.file, pstart..port.1);
        Some(Endpoint {
            addr,
            span,
            port: Some(Port {
                op: port.0,
                span: pspan,
            }),
        })
    }

    /// The part after `port`: an operator and a number, a range, or the
    /// colon form. Returns the comparison and the end offset.
    fn port(&mut self, kspan: Span) -> Option<(Option<PortOp>, usize)> {
        if self.sc.skip(false) {
            self.problem(
                kspan,
                "syntax error: `port` needs an operator and a number on the same line",
                "incomplete port",
            );
            return None;
        }
        if self.sc.eat(b':') {
            // The colon form takes a plain number only.
            self.sc.skip(false);
            let (n, nspan) = self.sc.keyword();
            let n = self.number(n, nspan)?;
            if self.range_dash_follows() {
                let here = self.sc.here();
                self.problem(
                    here,
                    "syntax error: `port:` takes one number, not a range",
                    "range after `port:`",
                );
                return None;
            }
            return Some((Some(PortOp::ColonAny(n)), nspan.end as usize));
        }
        // operator: a word (`eq`) or symbols (`=`, `>=`, `!=`)
        let op_start = self.sc.pos();
        let mut sym_end = op_start;
        while matches!(self.sc.slice(sym_end, sym_end + 1), "=" | "!" | "<" | ">") {
            sym_end += 1;
        }
        let (op_text, op_span) = if sym_end > op_start {
            self.sc.set_pos(sym_end);
            (
                self.sc.slice(op_start, sym_end),
                self.sc.span(op_start, sym_end),
            )
        } else if self.sc.peek().is_some_and(|b| b.is_ascii_digit()) {
            ("", self.sc.here())
        } else {
            let start = self.sc.pos();
            let mut end = start;
            while self
                .sc
                .slice(end, end + 1)
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
            {
                end += 1;
            }
            self.sc.set_pos(end);
            (self.sc.slice(start, end), self.sc.span(start, end))
        };
        if op_text.is_empty() {
            // `port A-B` / `port A - B`
            let (a, aspan) = self.digits();
            let a = self.number(a, aspan)?;
            if !self.range_dash_follows() {
                self.problem(
                    aspan,
                    "syntax error: `port N` needs an operator (`port = N`) or a range (`port A-B`)",
                    "operator missing",
                );
                return None;
            }
            self.sc.skip(false);
            self.sc.eat(b'-');
            self.sc.skip(false);
            let (b, bspan) = self.digits();
            let b = self.number(b, bspan)?;
            if b < a {
                self.problem(
                    bspan,
                    format!("end port ({b}) is below the start port ({a})"),
                    "reversed range",
                );
                return None;
            }
            return Some((Some(PortOp::Range(a, b)), bspan.end as usize));
        }
        let Some(make) = parse_operator(op_text) else {
            self.problem(
                op_span,
                format!("syntax error: `{op_text}` is not a port operator"),
                "unknown operator",
            );
            return None;
        };
        if self.sc.skip(false) {
            self.problem(
                op_span,
                "syntax error: the port number must follow on the same line",
                "number missing",
            );
            return None;
        }
        let save = self.sc.pos();
        let (w, wspan) = self.sc.keyword();
        if w.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
            let Some(port) = service_port(w) else {
                self.problem(
                    wspan,
                    format!("unknown tcp/udp service `{w}`"),
                    "not in /etc/services",
                );
                return None;
            };
            return Some((Some(make(port)), wspan.end as usize));
        }
        self.sc.set_pos(save);
        let (n, nspan) = self.digits();
        let n = self.number(n, nspan)?;
        if self.range_dash_follows() {
            let here = self.sc.here();
            self.problem(
                here,
                "syntax error: an operator and a range cannot be combined",
                "range after an operator",
            );
            return None;
        }
        Some((Some(make(n)), nspan.end as usize))
    }

    fn digits(&mut self) -> (&'t str, Span) {
        let start = self.sc.pos();
        let mut end = start;
        while self
            .sc
            .slice(end, end + 1)
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit())
        {
            end += 1;
        }
        self.sc.set_pos(end);
        (self.sc.slice(start, end), self.sc.span(start, end))
    }

    fn range_dash_follows(&mut self) -> bool {
        let save = self.sc.pos();
        let nl = self.sc.skip(false);
        let dash = !nl && self.sc.peek() == Some(b'-');
        self.sc.set_pos(save);
        dash
    }

    fn number(&mut self, n: &str, span: Span) -> Option<u16> {
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            self.problem(
                span,
                "syntax error: a port number is expected here",
                "not a number",
            );
            return None;
        }
        match n.parse::<u32>() {
            Ok(v) if v <= 65535 => Some(v as u16),
            _ => {
                self.problem(
                    span,
                    format!("number {n} is too large: the maximum port is 65535"),
                    "too large",
                );
                None
            }
        }
    }

    fn rule(&mut self, first: &'t str, fspan: Span) {
        let (kind, verdict_word, legacy) = match first {
            "pass" | "block" => (RuleKind::Socks, first, true),
            _ => {
                let kind = match first {
                    "client" => RuleKind::Client,
                    "hostid" => RuleKind::Hostid,
                    _ => RuleKind::Socks,
                };
                let gap_start = self.sc.pos();
                if self.sc.skip(false) {
                    self.problem(fspan, format!("syntax error: `{first}` must be followed by `pass` or `block` on the same line"), "verdict missing");
                    return;
                }
                let gap = self.sc.slice(gap_start, self.sc.pos());
                if gap.is_empty() || gap.bytes().any(|b| b != b' ') {
                    let span = self.sc.span(gap_start, self.sc.pos());
                    self.problem(span, format!("syntax error: danted reads `{first}` and its verdict only when spaces separate them"), "not plain spaces");
                }
                let (v, vspan) = self.sc.keyword();
                if v != "pass" && v != "block" {
                    let span = if v.is_empty() { self.sc.here() } else { vspan };
                    self.problem(
                        span,
                        format!("syntax error: `{first}` must be followed by `pass` or `block`"),
                        "not a verdict",
                    );
                    self.sc.skip_line();
                    return;
                }
                (kind, v, false)
            }
        };
        let head = Span::new(fspan.file, fspan.start as usize..self.sc.pos());
        if kind == RuleKind::Hostid {
            self.problem(head, "hostid is not supported on this system: Linux has no TCP hostid option, and danted refuses `hostid` rules", "hostid rule");
        }
        if legacy {
            self.cfg.legacy.push((
                head,
                format!("bare `{first}` is the pre-1.4 form of `socks {first}`"),
            ));
        }
        self.sc.skip(true);
        if !self.sc.eat(b'{') {
            let here = self.sc.here();
            self.problem(
                here,
                "syntax error: a rule body `{ ... }` must follow",
                "expected `{`",
            );
            self.sc.skip_line();
            return;
        }
        let mut rule = Rule {
            kind,
            pass: verdict_word == "pass",
            head,
            span: head,
            legacy,
            from: None,
            to: None,
            commands: None,
            protocols: None,
            proxyprotocols: None,
            socksmethod: None,
            clientmethod: None,
            users: None,
            groups: None,
            log: None,
        };
        let ok = self.body(&mut rule);
        rule.span = Span::new(head.file, head.start as usize..self.sc.pos());
        if ok && (rule.from.is_none() || rule.to.is_none()) {
            let end = Span::new(head.file, self.sc.pos().saturating_sub(1)..self.sc.pos());
            self.problem(
                end,
                format!(
                    "syntax error: `{}` needs `from:` and `to:`",
                    rule.describe()
                ),
                "rule without `from:`/`to:`",
            );
        }
        self.cfg.rules.push(rule);
    }

    /// The rule body after `{`. Returns false when it stopped on an error
    /// (the rest of the block is skipped).
    fn body(&mut self, rule: &mut Rule) -> bool {
        loop {
            self.sc.skip(true);
            if self.sc.at_end() {
                let here = self.sc.here();
                self.problem(
                    here,
                    "syntax error: the rule is not closed with `}`",
                    "end of file inside a rule",
                );
                return false;
            }
            if self.sc.eat(b'}') {
                return true;
            }
            let (kw, kspan) = self.sc.keyword();
            if kw.is_empty() {
                let here = self.sc.here();
                self.problem(
                    here,
                    "syntax error: a rule option must start here",
                    "unexpected character",
                );
                self.sc.skip_block();
                return false;
            }
            if !self.option(rule, kw, kspan) {
                self.sc.skip_block();
                return false;
            }
        }
    }

    fn option(&mut self, rule: &mut Rule, kw: &'t str, kspan: Span) -> bool {
        let client = rule.kind != RuleKind::Socks;
        match kw {
            "from" => {
                if rule.from.is_some() {
                    self.problem(
                        kspan,
                        "syntax error: a second `from:` in one rule",
                        "duplicate `from:`",
                    );
                    return false;
                }
                if !self.expect_colon(kw) || !self.colon_needs_blank(kw) {
                    return false;
                }
                let Some(from) = self.endpoint(true) else {
                    return false;
                };
                rule.from = Some(from);
                // `to:` must follow right away
                self.sc.skip(true);
                let (to, tspan) = self.sc.keyword();
                if to != "to" {
                    let span = if to.is_empty() { self.sc.here() } else { tspan };
                    self.problem(
                        span,
                        "syntax error: `to:` must come right after `from:`",
                        "expected `to:`",
                    );
                    return false;
                }
                if !self.expect_colon("to") || !self.colon_needs_blank("to") {
                    return false;
                }
                let Some(to) = self.endpoint(true) else {
                    return false;
                };
                rule.to = Some(to);
                true
            }
            "to" => {
                self.problem(
                    kspan,
                    "syntax error: `from:` must come before `to:`",
                    "`to:` before `from:`",
                );
                false
            }
            "command" | "protocol" | "proxyprotocol" if client => {
                let msg = if kw == "command" {
                    "syntax error: `command:` is not allowed in a client rule"
                } else {
                    "unsupported option in a client rule"
                };
                self.problem(kspan, format!("{msg} (`{kw}:`)"), "socks-rule option");
                false
            }
            "command" => {
                if !self.expect_colon(kw) {
                    return false;
                }
                let words = self.sc.list(true);
                let mut cmds = Vec::new();
                for (w, s) in &words {
                    let c = match *w {
                        "connect" => Command::Connect,
                        "bind" => Command::Bind,
                        "udpassociate" => Command::UdpAssociate,
                        "bindreply" => Command::BindReply,
                        "udpreply" => Command::UdpReply,
                        _ => {
                            self.problem(
                                *s,
                                format!("syntax error: `{w}` is not a SOCKS command"),
                                "unknown command",
                            );
                            return false;
                        }
                    };
                    cmds.push(c);
                }
                if cmds.is_empty() {
                    self.problem(
                        kspan,
                        "syntax error: `command:` needs at least one command",
                        "empty list",
                    );
                    return false;
                }
                let listed = through_last(kspan, &words);
                rule.commands = Some((cmds, listed));
                true
            }
            "protocol" | "proxyprotocol" => {
                if !self.expect_colon(kw) {
                    return false;
                }
                let words = self.sc.list(true);
                let (mut a, mut b) = (false, false);
                let (wa, wb) = if kw == "protocol" {
                    ("tcp", "udp")
                } else {
                    ("socks_v4", "socks_v5")
                };
                for (w, s) in &words {
                    if *w == wa {
                        a = true;
                    } else if *w == wb {
                        b = true;
                    } else if kw == "proxyprotocol" && matches!(*w, "http" | "http_v1.0" | "upnp") {
                        // other proxy protocols: the rule matches neither SOCKS version
                    } else {
                        self.problem(
                            *s,
                            format!("syntax error: `{w}` is not valid for `{kw}:`"),
                            "unknown value",
                        );
                        return false;
                    }
                }
                if words.is_empty() {
                    self.problem(
                        kspan,
                        format!("syntax error: `{kw}:` needs a value"),
                        "empty list",
                    );
                    return false;
                }
                let span = through_last(kspan, &words);
                if kw == "protocol" {
                    rule.protocols = Some((a, b, span));
                } else {
                    rule.proxyprotocols = Some((a, b, span));
                }
                true
            }
            "socksmethod" | "clientmethod" | "method" => {
                if !self.expect_colon(kw) {
                    return false;
                }
                let Some(list) = self.methods(kw, kspan, true) else {
                    return false;
                };
                let as_client = kw == "clientmethod" || (kw == "method" && client);
                if kw == "method" {
                    self.cfg.legacy.push((
                        kspan,
                        format!(
                            "`method:` in a rule is the pre-1.4 name of `{}:`",
                            if as_client {
                                "clientmethod"
                            } else {
                                "socksmethod"
                            }
                        ),
                    ));
                }
                if as_client {
                    rule.clientmethod = Some(list);
                } else {
                    rule.socksmethod = Some(list);
                }
                true
            }
            "user" | "group" => {
                if !self.expect_colon(kw) {
                    return false;
                }
                let words = self.sc.list(false);
                if let Some((_, s)) = words
                    .iter()
                    .find(|(w, _)| w.contains('}') || w.contains('{') || w.contains(':'))
                {
                    self.problem(*s, format!("syntax error: the `{kw}:` list runs to the end of the line, and a brace or a colon in it is read as part of a name"), "brace or colon inside the name list");
                    return false;
                }
                if words.is_empty() {
                    self.problem(
                        kspan,
                        format!("syntax error: `{kw}:` needs at least one name"),
                        "empty list",
                    );
                    return false;
                }
                let span = through_last(kspan, &words);
                if kw == "user" {
                    rule.users = Some((words.iter().map(|w| w.0.to_string()).collect(), span));
                } else {
                    rule.groups = Some(span);
                }
                true
            }
            "log" => {
                if !self.expect_colon(kw) {
                    return false;
                }
                let words = self.sc.list(true);
                for (w, s) in &words {
                    if !matches!(
                        *w,
                        "connect"
                            | "disconnect"
                            | "data"
                            | "error"
                            | "iooperation"
                            | "ioop"
                            | "tcpinfo"
                    ) {
                        self.problem(
                            *s,
                            format!("syntax error: `{w}` is not a log keyword"),
                            "unknown log keyword",
                        );
                        return false;
                    }
                }
                let listed = through_last(kspan, &words);
                rule.log = Some(listed);
                true
            }
            _ if UNBUILT_OPTIONS.iter().any(|u| kw.starts_with(u)) => {
                let msg = if kw.starts_with("hostid") {
                    "hostid is not supported on this system (Linux has no TCP hostid option)"
                        .to_string()
                } else {
                    format!("`{kw}:` needs a library or licence Debian's danted is built without")
                };
                self.problem(kspan, msg, "not available in danted 1.4.2 on Debian");
                false
            }
            _ if RULE_OPTIONS.contains(&kw)
                || RULE_OPTION_FAMILIES
                    .iter()
                    .any(|f| kw.starts_with(f) && kw.len() > f.len()) =>
            {
                if !self.expect_colon(kw) {
                    return false;
                }
                // free-form value: the rest of the line (libwrap's includes any brace)
                let words = self.sc.list(kw != "libwrap");
                if words.is_empty() {
                    self.problem(
                        kspan,
                        format!("syntax error: `{kw}:` needs a value"),
                        "value missing",
                    );
                    return false;
                }
                true
            }
            _ => {
                self.problem(
                    kspan,
                    format!("syntax error: `{kw}` is not a rule option (keywords are lowercase)"),
                    "unknown keyword",
                );
                false
            }
        }
    }

    /// Checks that need the whole file: mandatory settings and rule
    /// methods that must appear in the global lists.
    fn check_globals(&mut self) {
        let anchor = self.cfg.anchor.unwrap_or(Span::new(FileId(0), 0..0));
        if self.cfg.internals.is_empty() {
            self.problem(
                anchor,
                "no `internal:` address is given: danted has nothing to listen on and exits",
                "no `internal:` line in this file",
            );
        }
        if self.cfg.externals.is_empty() {
            self.problem(
                anchor,
                "no `external:` address is given: danted exits at startup",
                "no `external:` line in this file",
            );
        }
        let global_socks: Vec<Method> = self
            .cfg
            .socksmethod
            .as_ref()
            .map(|l| l.methods.iter().map(|m| m.0).collect())
            .unwrap_or_default();
        let global_client: Vec<Method> = self
            .cfg
            .clientmethod
            .as_ref()
            .map(|l| l.methods.iter().map(|m| m.0).collect())
            .unwrap_or_else(|| vec![Method::None]);
        let mut found = Vec::new();
        for r in &self.cfg.rules {
            if let Some(l) = &r.socksmethod {
                for (m, s) in &l.methods {
                    if !global_socks.contains(m) {
                        found.push(Problem {
                            span: *s,
                            message: format!("method `{}` is set in the rule but not in the global `socksmethod:` list: danted refuses the file", m.name()),
                            label: "not in the global list".into(),
                        });
                    }
                }
            }
            if let Some(l) = &r.clientmethod {
                for (m, s) in &l.methods {
                    if !m.valid_for_client() {
                        found.push(Problem {
                            span: *s,
                            message: format!(
                                "method `{}` is not a valid method for `clientmethod`",
                                m.name()
                            ),
                            label: "not a client method".into(),
                        });
                    } else if !global_client.contains(m) {
                        found.push(Problem {
                            span: *s,
                            message: format!("clientmethod `{}` is set in the rule but not in the global `clientmethod:` list: danted refuses the file", m.name()),
                            label: "not in the global list".into(),
                        });
                    }
                }
            }
        }
        self.cfg.problems.extend(found);
        self.cfg
            .problems
            .sort_by_key(|p| (p.span.start, p.span.end));
    }
}

/// Where a keyword glued to an address with a prefix length starts
/// (`0/0port`, `0/0log:`), if one does.
fn glued_port(tok: &str) -> Option<usize> {
    let slash = tok.find('/')?;
    let digits = tok
        .get(slash + 1..)?
        .bytes()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let at = slash + 1 + digits;
    let next = tok.get(at..)?.bytes().next()?;
    (digits > 0 && next.is_ascii_alphabetic()).then_some(at)
}

fn ep_end(ep: &Endpoint) -> usize {
    ep.port.as_ref().map(|p| p.span.end).unwrap_or(ep.span.end) as usize
}

/// The span from a keyword through the last word of its value list (the
/// keyword alone when the list is empty).
fn through_last(keyword: Span, words: &[(&str, Span)]) -> Span {
    words.last().map_or(keyword, |(_, last)| keyword.to(*last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(body: &str) -> Config {
        let text = format!("logoutput: stderr\ninternal: 0.0.0.0 port = 1080\nexternal: eth0\nsocksmethod: none rfc931\n{body}\n");
        parse(FileId(0), &text)
    }

    fn ok(body: &str) -> Config {
        let c = cfg(body);
        assert!(c.problems.is_empty(), "{body}: {:?}", c.problems);
        c
    }

    fn refused(body: &str) {
        assert!(!cfg(body).problems.is_empty(), "danted refuses: {body}");
    }

    // Each case below was checked with `danted -V -f` (Dante 1.4.2).
    #[test]
    fn forms_danted_accepts() {
        ok("client pass { from: 0/0 to: 0/0 log: connect }");
        ok("client pass { from: 0/0 to: 0/0\nsocksmethod: none }");
        ok("client pass { from : 0/0 to : 0/0 }");
        ok("client pass {\nfrom: 0/0\nto: 0/0 }");
        ok("socks pass { from: 0/0 to: 0/0 port>=1024 }");
        ok("socks pass { from: 0/0 to: 0/0 port != 25 command: connect }");
        ok("socks pass { from: 0/0 to: 0/0 port eq smtp }");
        ok("socks pass { from: 0/0 to: 0/0 port 1 - 1024 }");
        ok("socks pass { from: 0/0 to: 0/0 command: connect\n }");
        ok("socks pass { from: ::/0 to: 2001:db8::/32 }");
        ok("socks pass { from: 0/0 to: .example.com port = http }");
        ok("socks pass { from: 0/0 to: eth0 }");
        ok("socks pass { from: 0/0 to: 0/0 } # c");
        ok("socks pass { from: 0/0 \\\n to: 0/0 }");
        ok("socks pass {from: 0/0 to: 0/0}");
        ok("socks pass { from: 0/0 to: 0/0 proxyprotocol: socks_v4 socks_v5 }");
        ok("socks pass { from: 0/0 to: 0/0 command: connect bind udpassociate }");
        ok("route { from: 0/0 to: 0/0 via: direct }");
        ok("socks pass { from: 0/0 to: 0/0 method: none }");
        ok("socks pass { from: 10.1.2.3/8 to: 0/0 }");
        ok("socks pass { from: 0/0 to: 0/0 log:connect }");
        ok("socks pass { from: 0/0 to: 0/0 socksmethod:none }");
        ok("socks pass { from: 0/0 to: 0/0 port =25 }");
        ok("socks pass { from: 0/0 to: 0/0 port= 25 }");
        ok("socks pass { from: 0/0 to: 0/0 port eq25 }");
        ok("client pass { from: 0/0 to: 0/0 method: none }");
        ok("socks pass { from: 0/0 to: 0/0 socksmethod: rfc931 }");
        ok("socks pass { from: 0/0 to: 0/0 port: 25 }");
        ok("socks pass { from: 0/0 to: 0/0 port:25 }");
        ok("socks pass { from: 0/0 to: 0/0 port : 25 }");
        ok("client pass { from: 0/0 port 1-65535 to: 0/0 }");
    }

    #[test]
    fn forms_danted_refuses() {
        refused("client pass { from: 0/0 to: 0/0 user: alice }");
        refused("client pass { from:0/0 to:0/0 }");
        refused("client pass { from: 0/0 port=1-65535 to: 0/0 }");
        refused("client pass { from: 0/0 to: 0/0 } client pass { from: 0/0 to: 0/0 }");
        refused("socks pass { from: 0/0 to: 0/0 port 25 }");
        refused("socks pass { log: connect from: 0/0 to: 0/0 }");
        refused("socks pass { from: 0/0 log: connect to: 0/0 }");
        refused("socks pass { to: 0/0 from: 0/0 }");
        refused("socks pass { from: 10.0.0.0/255.0.0.0 to: 0/0 }");
        refused("socks pass { from: 10.0.0.0/33 to: 0/0 }");
        refused("socks deny { from: 0/0 to: 0/0 }");
        refused("client pass { from: 0/0 to: 0/0 protocol: tcp }");
        refused("client pass { from: 0/0 to: 0/0 command: connect }");
        refused("socks pass { from: 0/0 to: 0/0 port = 25 port = 80 }");
        refused("socks pass { from: 0/0 to: 0/0 port = 70000 }");
        refused("socks pass { from: 0/0 to: 0/0 socksmethod: none username }");
        refused("socks pass { from: 0/0 to: 0/0 group: staff }");
        refused("socks pass { from: 1.2.3.4/32 to: 0/0 }\nsocks\npass { from: 0/0 to: 0/0 }");
        refused("socks pass { from: 0/0 to: 0/0 }}");
        refused("socks pass { from: 0/0 to: 0/0 ");
        refused("socks pass { from: 0/0 to: 0.0.0.0 }");
        refused("client pass { }");
        refused("socks pass { from: 0/0 to: 0/0 from: 0/0 to: 0/0 }");
        refused("socks pass { from: 0/0 to: 0/0 socksmethod: foo }");
        refused("socks pass { from: 0/0 to: 0/0 socksmethod: pam }");
        refused("client pass { from: 0/0 to: 0/0 clientmethod: rfc931 }");
        refused("socks pass { from: 0/0 to: 0/0 port: 25 - 30 }");
        refused("socks pass { from: 0/0 to: 0/0 port: smtp }");
        refused("Client Pass { from: 0/0 to: 0/0 }");
        refused("hostid pass { from: 0/0 to: 0/0 }");
        refused("socks pass { from: 0/0 to: 0/0 }\nsocksmethod: none");
    }

    #[test]
    fn globals() {
        let c = parse(FileId(0), "internal:127.0.0.1\nexternal: lo\n");
        assert!(!c.problems.is_empty());
        let c = parse(FileId(0), "internal: 127.0.0.1 port=1080\nexternal: lo\nsocksmethod: none\nsocksmethod: username\n");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(
            !c.socksmethod.as_ref().unwrap().has(Method::None),
            "last line wins"
        );
        let c = parse(
            FileId(0),
            "internal: 127.0.0.1\nexternal: lo\nsocksmethod: \n",
        );
        assert!(!c.problems.is_empty(), "empty method list");
        let c = parse(FileId(0), "internal: 127.0.0.1\nexternal: lo\nfoo: bar\n");
        assert!(!c.problems.is_empty());
        let c = parse(
            FileId(0),
            "internal: 127.0.0.1\nexternal: lo\nclientmethod: username\n",
        );
        assert!(!c.problems.is_empty());
        let c = parse(FileId(0), "logoutput: stderr\r\ninternal: 127.0.0.1 port = 1080\r\nexternal: 127.0.0.1\r\nsocksmethod: none\r\nsocks pass { from: 0/0 to: 0/0 }\r\n");
        assert!(c.problems.is_empty(), "CRLF: {:?}", c.problems);
        assert!(parse(FileId(0), "").problems.len() == 2);
    }

    // Found by mutating the fixtures and asking `danted -V` (1.4.2).
    #[test]
    fn forms_found_by_mutation() {
        let c = parse(
            FileId(0),
            "internal: 127.0.0.1 port = 108external: 127.0.0.1\n",
        );
        assert!(
            c.problems.is_empty(),
            "a setting may follow a port: {:?}",
            c.problems
        );
        assert_eq!(c.externals.len(), 1);
        let c = ok("socks pass { from: 0/0port = 25 to: 0/0 }");
        assert!(c.rules[0].from.as_ref().unwrap().port.is_some());
        ok("socks pass { from: 0/0 to: 0/0log: connect }");
        ok("client pass { from: 0.0.0.0/ 0 to: 0/0 }");
        refused("client pass { from: 0/0 to: 0/0\nuser: nobody      log: error\n}");
        refused("client pass { from: 0 to: 0/0 }");
    }

    #[test]
    fn colon_port_is_kept_apart() {
        let c = ok("socks block { from: 0/0 to: 0/0 port: 25 }");
        let to = c.rules[0].to.as_ref().unwrap();
        assert_eq!(to.port.as_ref().unwrap().op, Some(PortOp::ColonAny(25)));
        assert!(to.port_matches(80));
    }
}
