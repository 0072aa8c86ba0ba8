//! The effective Squid configuration: acls, access lists, listeners and the
//! settings the rules look at, built from the preprocessed directive lines
//! in order, with every error Squid stops on recorded as a [`Fatal`].
//!
//! Value files (`"file"` in acls) are read through [`FileAccess`]; nothing
//! here touches the file system directly.

use super::acl::{self, IpValue, Leaf, RegexTarget, TypeKind};
use super::directives;
use super::include::{Directive, Fatal, FileAccess};
use super::syntax::{self, Token};
use super::time::{self, WeekMinutes};
use crate::net::{IpSet, IpSetBuilder};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};
use std::net::IpAddr;

/// Squid refuses acl names this long or longer.
pub const ACL_NAME_MAX: usize = 64;

/// One acl with all its definition lines.
#[derive(Clone, Debug)]
pub struct AclDef {
    /// The name as first written.
    pub name: String,
    /// The type (`myip`/`myport` already renamed).
    pub type_name: String,
    /// What it matches.
    pub leaf: Leaf,
    /// The definition lines (empty for a built-in never redefined).
    pub defs: Vec<Span>,
    /// Built into Squid.
    pub builtin: bool,
    /// Values that cover every address (`all`, `0.0.0.0/0`...), with spans.
    pub match_all_values: Vec<Span>,
}

/// An acl named on an access line.
#[derive(Clone, Debug)]
pub struct AclRef {
    /// Written with `!`.
    pub negated: bool,
    /// Index into [`Config::acls`].
    pub acl: usize,
    /// Where it is named.
    pub span: Span,
}

/// One `*_access` line Squid kept.
#[derive(Clone, Debug)]
pub struct AccessLine {
    /// `allow` (true) or `deny`.
    pub allow: bool,
    /// ANDed acls.
    pub acls: Vec<AclRef>,
    /// The whole line.
    pub span: Span,
}

/// How a listener treats requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortMode {
    /// A forward proxy.
    Forward,
    /// `intercept`/`transparent`/`tproxy`: only NATed traffic works.
    Intercept(String),
    /// `accel`: a reverse proxy; `allow-direct` lets it forward anywhere.
    Accel {
        /// `allow-direct` is set.
        allow_direct: bool,
    },
}

/// An `http_port` line.
#[derive(Clone, Debug)]
pub struct Port {
    /// The address part, if any (`127.0.0.1`, `[::1]`, `localhost`...).
    pub host: Option<String>,
    /// The port number.
    pub port: u32,
    /// The port's name for `myportname` (`name=` or the spec as written).
    pub name: String,
    /// Mode.
    pub mode: PortMode,
    /// `require-proxy-header`.
    pub proxy_header: bool,
    /// The whole line.
    pub span: Span,
    /// The spec (`3128`, `0.0.0.0:3128`).
    pub spec: String,
}

impl Port {
    /// True when the port listens on loopback only.
    pub fn loopback_only(&self) -> bool {
        match &self.host {
            None => false,
            Some(h) => {
                let h = h.trim_start_matches('[').trim_end_matches(']');
                h.eq_ignore_ascii_case("localhost")
                    || h.parse::<IpAddr>().is_ok_and(|a| a.is_loopback())
            }
        }
    }
}

/// A single-valued setting as last written.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The arguments, joined by one blank.
    pub value: String,
    /// The directive line.
    pub span: Span,
}

/// A line Squid drops with only a log message.
#[derive(Clone, Debug)]
pub struct Dropped {
    /// The line.
    pub span: Span,
    /// The offending word.
    pub word: Span,
    /// Why Squid drops it.
    pub reason: String,
}

/// A configured `auth_param` scheme.
#[derive(Clone, Debug)]
pub struct AuthScheme {
    /// `basic`, `digest`...
    pub scheme: String,
    /// The helper program line, if set.
    pub program: Option<(String, Span)>,
}

impl AuthScheme {
    /// True when the helper accepts any password.
    pub fn fake(&self) -> bool {
        self.program.as_ref().is_some_and(|(p, _)| {
            let bin = p.rsplit('/').next().unwrap_or(p);
            bin == "basic_fake_auth" || bin == "ntlm_fake_auth"
        })
    }
}

/// Outdated syntax Squid still accepts.
#[derive(Clone, Debug)]
pub struct Legacy {
    /// Where.
    pub span: Span,
    /// What it is.
    pub message: String,
}

/// The access lists relaylint evaluates or reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListKind {
    /// `http_access`.
    Http,
    /// `miss_access`.
    Miss,
    /// `follow_x_forwarded_for`.
    FollowXff,
    /// `proxy_protocol_access`.
    ProxyProtocol,
    /// `icp_access`.
    Icp,
    /// `htcp_access`.
    Htcp,
    /// `snmp_access`.
    Snmp,
    /// Any other `*_access` list.
    Other,
}

fn list_kind(name: &str) -> Option<ListKind> {
    Some(match name {
        "http_access" => ListKind::Http,
        "miss_access" => ListKind::Miss,
        "follow_x_forwarded_for" => ListKind::FollowXff,
        "proxy_protocol_access" => ListKind::ProxyProtocol,
        "icp_access" => ListKind::Icp,
        "htcp_access" => ListKind::Htcp,
        "snmp_access" => ListKind::Snmp,
        "adapted_http_access"
        | "http_access2"
        | "http_reply_access"
        | "htcp_clr_access"
        | "always_direct"
        | "never_direct"
        | "cache"
        | "no_cache"
        | "url_rewrite_access"
        | "redirector_access"
        | "store_id_access"
        | "ssl_bump"
        | "reply_body_max_size"
        | "cache_peer_access"
        | "icap_access"
        | "adaptation_access"
        | "log_access"
        | "ident_lookup_access"
        | "delay_access"
        | "ssl_bump_peek"
        | "sslproxy_cert_error"
        | "sslproxy_cert_sign"
        | "sslproxy_cert_adapt"
        | "http_upgrade_request_protocols"
        | "request_header_access"
        | "reply_header_access"
        | "note"
        | "on_unsupported_protocol"
        | "spoof_client_ip"
        | "host_verify_strict"
        | "reply_header_add"
        | "request_header_add"
        | "collapsed_forwarding_access"
        | "request_start_timeout" => ListKind::Other,
        _ => return None,
    })
}

/// The effective configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// Every acl, built-ins first.
    pub acls: Vec<AclDef>,
    names: HashMap<String, usize>,
    /// Access lists that relaylint evaluates, in file order.
    pub lists: HashMap<ListKind, Vec<AccessLine>>,
    /// The `http_port` listeners.
    pub ports: Vec<Port>,
    /// Single-valued settings (last one wins).
    pub settings: HashMap<String, Setting>,
    /// `access_log` lines (arguments and line span).
    pub access_logs: Vec<(Vec<String>, Span)>,
    /// `auth_param` schemes.
    pub auth: Vec<AuthScheme>,
    /// `external_acl_type` classes: name → needs a login.
    pub external: HashMap<String, bool>,
    /// `cachemgr_passwd` lines.
    pub cachemgr_passwd: Vec<(String, Span)>,
    /// Errors that stop Squid, in order.
    pub fatal: Vec<Fatal>,
    /// Lines Squid drops.
    pub dropped: Vec<Dropped>,
    /// Obsolete directives (name span, name).
    pub obsolete: Vec<(Span, String)>,
    /// Outdated syntax.
    pub legacy: Vec<Legacy>,
    /// Values Squid ignores because they overlap earlier ones (value span, acl).
    pub ignored_values: Vec<(Span, String)>,
    /// Host names in address acls that Squid resolves at start.
    pub unresolved: Vec<Span>,
    /// Names that had to be checked against directives at all.
    pub directive_count: usize,
}

impl Config {
    /// The acl with this name (case-insensitive).
    pub fn acl(&self, name: &str) -> Option<usize> {
        self.names.get(&name.to_ascii_lowercase()).copied()
    }

    /// An access list (empty when absent).
    pub fn list(&self, k: ListKind) -> &[AccessLine] {
        self.lists.get(&k).map(Vec::as_slice).unwrap_or(&[])
    }

    /// True when a list has at least one line (dropped lines do not count).
    pub fn has_list(&self, k: ListKind) -> bool {
        self.lists.get(&k).is_some_and(|v| !v.is_empty())
    }

    /// A boolean setting with its default.
    pub fn flag(&self, name: &str, default: bool) -> bool {
        match self.settings.get(name) {
            Some(s) => s.value == "on",
            None => default,
        }
    }

    /// True when some configured auth scheme accepts any password.
    pub fn fake_auth(&self) -> Option<Span> {
        self.auth
            .iter()
            .filter(|a| a.fake())
            .find_map(|a| a.program.as_ref().map(|p| p.1))
    }

    /// A copy whose `http_access` is list `k` and whose `miss_access` is
    /// empty: asks "would this list let the attacker in".
    pub fn probe_list(&self, k: ListKind) -> Config {
        let mut lists = HashMap::new();
        lists.insert(ListKind::Http, self.list(k).to_vec());
        Config {
            acls: self.acls.clone(),
            names: self.names.clone(),
            lists,
            settings: self.settings.clone(),
            ..Config::default()
        }
    }

    fn add_builtin(&mut self, name: &str, type_name: &str, leaf: Leaf) {
        let idx = self.acls.len();
        self.acls.push(AclDef {
            name: name.into(),
            type_name: type_name.into(),
            leaf,
            defs: Vec::new(),
            builtin: true,
            match_all_values: Vec::new(),
        });
        self.names.insert(name.to_ascii_lowercase(), idx);
    }
}

fn ip_builtin(values: &[&str]) -> Leaf {
    let mut s = IpSet::empty();
    for v in values {
        if let Ok(IpValue::Set(x)) = acl::parse_ip(v) {
            s = s.union(&x);
        }
    }
    Leaf::Src(s)
}

/// Builds the configuration from directive lines.
pub fn build(directives: &[Directive], fs: &mut dyn FileAccess) -> Config {
    let mut cfg = Config::default();
    cfg.add_builtin("all", "src", Leaf::Src(IpSet::everything()));
    cfg.add_builtin("manager", "url_regex", Leaf::Manager);
    cfg.add_builtin("localhost", "src", ip_builtin(&["127.0.0.1", "::1"]));
    let to_local = match ip_builtin(&["127.0.0.0/8", "0.0.0.0/32", "::1/128", "::/128"]) {
        Leaf::Src(s) => Leaf::Dst(s),
        other => other,
    };
    cfg.add_builtin("to_localhost", "dst", to_local);
    cfg.add_builtin("CONNECT", "method", Leaf::Method(vec!["CONNECT".into()]));
    let mut b = Builder {
        cfg,
        quoted: false,
        fs,
        ip_values: HashMap::new(),
    };
    for d in directives {
        b.directive(d);
    }
    // Address acls get their values once every line is read.
    for (idx, values) in &b.ip_values {
        if let Some(a) = b.cfg.acls.get_mut(*idx) {
            if let Leaf::Src(x) | Leaf::Dst(x) | Leaf::LocalIp(x) = &mut a.leaf {
                *x = values.build();
            }
        }
    }
    let mut cfg = b.cfg;
    // With interception ports only, Squid 5.7 finds no port for its own
    // internal URLs and stops while loading its icons.
    if !cfg.ports.is_empty()
        && cfg
            .ports
            .iter()
            .all(|p| matches!(p.mode, PortMode::Intercept(_)))
        && !cfg.settings.contains_key("https_port")
    {
        if let Some(p) = cfg.ports.first() {
            let span = p.span;
            cfg.fatal.push(Fatal {
                span,
                message: "every `http_port` is an interception port: Squid finds no forward-proxy port for its internal URLs".into(),
            });
        }
    }
    cfg
}

struct Builder<'f> {
    cfg: Config,
    quoted: bool,
    fs: &'f mut dyn FileAccess,
    /// Address values kept so far per acl (for Squid's overlap rule).
    ip_values: HashMap<usize, IpSetBuilder>,
}

/// A value with the span that names it (the `"file"` word for file values).
struct Value {
    text: String,
    span: Span,
}

impl Builder<'_> {
    fn fatal(&mut self, span: Span, message: impl Into<String>) {
        self.cfg.fatal.push(Fatal {
            span,
            message: message.into(),
        });
    }

    fn directive(&mut self, d: &Directive) {
        self.cfg.directive_count += 1;
        let name = d.name.as_str();
        let (toks, err) = syntax::tokens(&d.line.text, d.args_at, self.quoted);
        if let Some(e) = err {
            self.fatal(d.line.span_of(e.range), e.message);
            return;
        }
        let span = d.line.span();
        let tspan = |t: &Token| d.line.span_of(t.range.clone());
        if directives::OBSOLETE.binary_search(&name).is_ok() {
            self.cfg.obsolete.push((d.name_span(), name.to_string()));
            return;
        }
        if directives::KNOWN.binary_search(&name).is_err() {
            self.fatal(
                d.name_span(),
                format!("`{name}` is not a directive Squid 5.7 knows"),
            );
            return;
        }
        if let Some(kind) = list_kind(name) {
            self.access(kind, name, d, &toks, span);
            return;
        }
        match name {
            "acl" => self.acl(d, &toks, span),
            "http_port" | "ascii_port" => self.port(d, &toks, span),
            "configuration_includes_quoted_values" => {
                if self.boolean(name, &toks, span) {
                    self.quoted = toks.first().is_some_and(|t| t.text == "on");
                }
            }
            "via"
            | "acl_uses_indirect_client"
            | "log_uses_indirect_client"
            | "delay_pool_uses_indirect_client"
            | "tproxy_uses_indirect_client" => {
                self.boolean(name, &toks, span);
            }
            "forwarded_for" => {
                let v = toks.first().map(|t| t.text.as_str()).unwrap_or("");
                if matches!(v, "on" | "off" | "transparent" | "truncate" | "delete") {
                    self.set(name, &toks, span);
                } else {
                    self.fatal(
                        span,
                        format!("`forwarded_for` takes on, off, transparent, truncate or delete, not `{v}`"),
                    );
                }
            }
            "access_log" | "cache_access_log" => {
                self.cfg
                    .access_logs
                    .push((toks.iter().map(|t| t.text.clone()).collect(), span));
            }
            "auth_param" => self.auth_param(&toks, span),
            "external_acl_type" => {
                if let Some(n) = toks.first() {
                    let login = toks
                        .iter()
                        .skip(1)
                        .any(|t| t.text.contains("%LOGIN") || t.text.contains("%ul"));
                    self.cfg.external.insert(n.text.clone(), login);
                }
            }
            "cachemgr_passwd" => {
                let v = toks
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                self.cfg.cachemgr_passwd.push((v, span));
            }
            _ => {
                self.set(name, &toks, span);
            }
        }
        let _ = tspan;
    }

    fn set(&mut self, name: &str, toks: &[Token], span: Span) {
        let value = toks
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        self.cfg
            .settings
            .insert(name.to_string(), Setting { value, span });
    }

    fn boolean(&mut self, name: &str, toks: &[Token], span: Span) -> bool {
        let v = toks.first().map(|t| t.text.as_str()).unwrap_or("");
        if v == "on" || v == "off" {
            self.set(name, toks, span);
            true
        } else {
            self.fatal(span, format!("`{name}` takes `on` or `off`, not `{v}`"));
            false
        }
    }

    fn auth_param(&mut self, toks: &[Token], _span: Span) {
        let (Some(scheme), Some(param)) = (toks.first(), toks.get(1)) else {
            return;
        };
        let idx = match self.cfg.auth.iter().position(|a| a.scheme == scheme.text) {
            Some(i) => i,
            None => {
                self.cfg.auth.push(AuthScheme {
                    scheme: scheme.text.clone(),
                    program: None,
                });
                self.cfg.auth.len() - 1
            }
        };
        if param.text == "program" {
            if let (Some(p), Some(a)) = (toks.get(2), self.cfg.auth.get_mut(idx)) {
                let sp = Span {
                    file: _span.file,
                    start: _span.start,
                    end: _span.end,
                };
                a.program = Some((p.text.clone(), sp));
            }
        }
    }

    fn port(&mut self, d: &Directive, toks: &[Token], span: Span) {
        let Some(spec) = toks.first() else {
            self.fatal(span, "`http_port` needs a port");
            return;
        };
        let (host, port_text) = match spec.text.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() => (Some(h.to_string()), p),
            _ => (None, spec.text.as_str()),
        };
        let Some(port) = port_text.parse::<u32>().ok().filter(|p| *p <= 65535) else {
            self.fatal(
                d.line.span_of(spec.range.clone()),
                format!("`{}` is not a valid port", spec.text),
            );
            return;
        };
        let mut mode = PortMode::Forward;
        let mut allow_direct = false;
        let mut proxy_header = false;
        let mut name = spec.text.clone();
        for t in &toks[1..] {
            match t.text.as_str() {
                "intercept" | "transparent" | "tproxy" => {
                    mode = PortMode::Intercept(t.text.clone())
                }
                "accel" | "vhost" | "vport" => {
                    if !matches!(mode, PortMode::Intercept(_)) {
                        mode = PortMode::Accel {
                            allow_direct: false,
                        };
                    }
                }
                "allow-direct" => allow_direct = true,
                "require-proxy-header" => proxy_header = true,
                s => {
                    if let Some(n) = s.strip_prefix("name=") {
                        name = n.to_string();
                    }
                    if (s.starts_with("vport=") || s.starts_with("defaultsite="))
                        && !matches!(mode, PortMode::Intercept(_))
                    {
                        mode = PortMode::Accel {
                            allow_direct: false,
                        };
                    }
                }
            }
        }
        if let PortMode::Accel { .. } = mode {
            mode = PortMode::Accel { allow_direct };
        }
        self.cfg.ports.push(Port {
            host,
            port,
            name,
            mode,
            proxy_header,
            span,
            spec: spec.text.clone(),
        });
    }

    fn access(&mut self, kind: ListKind, name: &str, d: &Directive, toks: &[Token], span: Span) {
        let Some(action) = toks.first() else {
            self.cfg.dropped.push(Dropped {
                span,
                word: d.name_span(),
                reason: format!("`{name}` without `allow` or `deny`"),
            });
            return;
        };
        let allow = match action.text.as_str() {
            "allow" => true,
            "deny" => false,
            other => {
                // Only lists whose values are allow/deny drop the line;
                // others (header rules, notes...) take different words.
                if kind != ListKind::Other {
                    self.cfg.dropped.push(Dropped {
                        span,
                        word: d.line.span_of(action.range.clone()),
                        reason: format!("Squid expects `allow` or `deny`, not `{other}`"),
                    });
                }
                return;
            }
        };
        let mut acls = Vec::new();
        for t in &toks[1..] {
            let (neg, n) = match t.text.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, t.text.as_str()),
            };
            match self.cfg.acl(n) {
                Some(i) => acls.push(AclRef {
                    negated: neg,
                    acl: i,
                    span: d.line.span_of(t.range.clone()),
                }),
                None => {
                    self.fatal(
                        d.line.span_of(t.range.clone()),
                        if n.is_empty() {
                            "`!` must be written right before an acl name".to_string()
                        } else {
                            format!("acl `{n}` is not defined before this line")
                        },
                    );
                    return;
                }
            }
        }
        if acls.is_empty() {
            if kind != ListKind::Other {
                self.cfg.dropped.push(Dropped {
                    span,
                    word: d.line.span_of(action.range.clone()),
                    reason: "an access line without acls is ignored".into(),
                });
            }
            return;
        }
        if kind != ListKind::Other {
            self.cfg
                .lists
                .entry(kind)
                .or_default()
                .push(AccessLine { allow, acls, span });
        }
    }

    /// The values of an acl line: words, `"file"` contents (mode off) or
    /// `parameters("file")` contents (mode on). `first_word_only` keeps the
    /// first word of each file line (address types).
    fn values(&mut self, d: &Directive, toks: &[Token], first_word_only: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for t in toks {
            let span = d.line.span_of(t.range.clone());
            let is_file = (t.quoted && !self.quoted) || t.parameters;
            if !is_file {
                out.push(Value {
                    text: t.text.clone(),
                    span,
                });
                continue;
            }
            let Some(id) = self.fs.read(&t.text, span) else {
                continue;
            };
            let text = self.fs.text(id).to_string();
            for raw in text.lines() {
                let raw = raw.split('\r').next().unwrap_or("");
                let l = raw.trim_start();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                // A `#` after a blank starts a comment.
                let mut end = l.len();
                let lb = l.as_bytes();
                for i in 1..lb.len() {
                    if lb[i] == b'#' && (lb[i - 1] == b' ' || lb[i - 1] == b'\t') {
                        end = i;
                        break;
                    }
                }
                let v = l[..end].trim_end();
                let v = if first_word_only {
                    v.split_whitespace().next().unwrap_or("")
                } else {
                    v
                };
                if !v.is_empty() {
                    out.push(Value {
                        text: v.to_string(),
                        span,
                    });
                }
            }
        }
        out
    }

    fn acl(&mut self, d: &Directive, toks: &[Token], span: Span) {
        let (Some(name_t), Some(type_t)) = (toks.first(), toks.get(1)) else {
            self.fatal(span, "`acl` needs a name and a type");
            return;
        };
        let name = name_t.text.as_str();
        let name_span = d.line.span_of(name_t.range.clone());
        if name.len() >= ACL_NAME_MAX {
            self.fatal(
                name_span,
                format!("acl names are limited to {} characters", ACL_NAME_MAX - 1),
            );
            return;
        }
        let mut type_name = type_t.text.clone();
        if type_name == "myip" {
            type_name = "localip".into();
        } else if type_name == "myport" {
            type_name = "localport".into();
        }
        let Some(kind) = acl::kind_of(&type_name) else {
            self.fatal(
                d.line.span_of(type_t.range.clone()),
                format!("`{}` is not an acl type Squid 5.7 knows", type_t.text),
            );
            return;
        };
        let existing = self.cfg.acl(name);
        if let Some(i) = existing {
            let old = self
                .cfg
                .acls
                .get(i)
                .map(|a| a.type_name.clone())
                .unwrap_or_default();
            if old != type_name {
                if name.eq_ignore_ascii_case("manager") && type_name == "proto" {
                    self.cfg.legacy.push(Legacy {
                        span,
                        message: "`acl manager proto cache_object` is ignored: `manager` is built in since Squid 3.2".into(),
                    });
                    return;
                }
                self.fatal(
                    d.line.span_of(type_t.range.clone()),
                    format!("acl `{name}` already exists with type `{old}`"),
                );
                return;
            }
        }
        if name.eq_ignore_ascii_case("all") && type_name == "src" {
            self.cfg.legacy.push(Legacy {
                span,
                message: "`all` is built in since Squid 3.0: this definition is redundant".into(),
            });
        }
        let idx = match existing {
            Some(i) => i,
            None => {
                let i = self.cfg.acls.len();
                self.cfg.acls.push(AclDef {
                    name: name.to_string(),
                    type_name: type_name.clone(),
                    leaf: initial_leaf(&type_name),
                    defs: Vec::new(),
                    builtin: false,
                    match_all_values: Vec::new(),
                });
                self.cfg.names.insert(name.to_ascii_lowercase(), i);
                i
            }
        };
        if let Some(a) = self.cfg.acls.get_mut(idx) {
            a.defs.push(span);
        }
        // Options come first.
        let mut rest = &toks[2..];
        let mut case_insensitive = false;
        while let Some(t) = rest.first() {
            match t.text.as_str() {
                "-i" => case_insensitive = true,
                "+i" => case_insensitive = false,
                "-n" | "-m" | "--" => {}
                s if s.starts_with("-m=") => {}
                _ => break,
            }
            rest = &rest[1..];
            if t.text == "--" {
                break;
            }
        }
        match kind {
            TypeKind::Ip => self.ip_values(d, idx, rest),
            TypeKind::Ports => {
                let vals = self.values(d, rest, true);
                let mut ranges = Vec::new();
                for v in vals {
                    match acl::parse_port(&v.text) {
                        Ok(r) => ranges.push(r),
                        Err(e) => {
                            self.fatal(v.span, e);
                            return;
                        }
                    }
                }
                if let Some(a) = self.cfg.acls.get_mut(idx) {
                    if let Leaf::Port(p) | Leaf::LocalPort(p) = &mut a.leaf {
                        p.extend(ranges);
                    }
                }
            }
            TypeKind::Words => self.word_values(d, idx, &type_name, rest),
            TypeKind::Regexes | TypeKind::Header => {
                let rest = if kind == TypeKind::Header && !rest.is_empty() {
                    &rest[1..]
                } else {
                    rest
                };
                let mut ci = case_insensitive;
                let mut compiled = Vec::new();
                for t in rest {
                    match t.text.as_str() {
                        "-i" => {
                            ci = true;
                            continue;
                        }
                        "+i" => {
                            ci = false;
                            continue;
                        }
                        _ => {}
                    }
                    for v in self.values(d, std::slice::from_ref(t), false) {
                        if let Some(r) = acl::compile(&v.text, ci) {
                            compiled.push(r);
                        }
                    }
                }
                if let Some(a) = self.cfg.acls.get_mut(idx) {
                    if let Leaf::Regex(_, v) = &mut a.leaf {
                        v.extend(compiled);
                    }
                }
            }
            TypeKind::External => {
                let Some(class) = rest.first() else {
                    self.fatal(span, "`external` needs a helper class");
                    return;
                };
                match self.cfg.external.get(&class.text) {
                    Some(true) => {
                        if let Some(a) = self.cfg.acls.get_mut(idx) {
                            a.leaf = Leaf::Auth {
                                what: format!("external `{}` (needs a login)", class.text),
                            };
                        }
                    }
                    Some(false) => {}
                    None => self.fatal(
                        d.line.span_of(class.range.clone()),
                        format!("external acl class `{}` is not defined", class.text),
                    ),
                }
            }
            TypeKind::Group => {
                let mut members = Vec::new();
                for t in rest {
                    match self.cfg.acl(&t.text) {
                        Some(i) => members.push(i),
                        None => {
                            self.fatal(
                                d.line.span_of(t.range.clone()),
                                format!("acl `{}` is not defined before this line", t.text),
                            );
                            return;
                        }
                    }
                }
                if let Some(a) = self.cfg.acls.get_mut(idx) {
                    match &mut a.leaf {
                        Leaf::AnyOf(v) => v.extend(members),
                        Leaf::AllOf(g) => g.push(members),
                        _ => {}
                    }
                }
            }
            TypeKind::Time => self.time_values(d, idx, rest),
            TypeKind::Opaque => {
                if type_name == "max_user_ip" {
                    self.need_auth(span, d, idx);
                }
            }
        }
    }

    fn need_auth(&mut self, span: Span, d: &Directive, idx: usize) {
        let configured = self.cfg.auth.iter().any(|a| a.program.is_some());
        if !configured {
            self.fatal(
                span,
                format!(
                    "`{}` needs an `auth_param` scheme with a `program` defined before it",
                    d.line
                        .text
                        .split_whitespace()
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            );
            return;
        }
        if self.cfg.fake_auth().is_some() {
            if let Some(a) = self.cfg.acls.get_mut(idx) {
                a.leaf = Leaf::Always;
            }
        }
    }

    fn word_values(&mut self, d: &Directive, idx: usize, type_name: &str, rest: &[Token]) {
        let vals = self.values(d, rest, false);
        match type_name {
            "proxy_auth" => {
                self.need_auth(d.line.span(), d, idx);
                if let Some(a) = self.cfg.acls.get_mut(idx) {
                    if let Leaf::Auth { what } = &mut a.leaf {
                        let v: Vec<&str> = vals.iter().map(|v| v.text.as_str()).collect();
                        *what = format!("proxy_auth {}", v.join(" "));
                    }
                }
                return;
            }
            "dstdomain" | "srcdomain" => {
                let mut checked = acl::DomainIndex::default();
                if let Some(Leaf::DstDomain(v) | Leaf::SrcDomain(v)) =
                    self.cfg.acls.get(idx).map(|a| &a.leaf)
                {
                    for s in v {
                        checked.push(s.clone());
                    }
                }
                for v in &vals {
                    let low = v.text.to_ascii_lowercase();
                    match checked.clash(&low) {
                        None => checked.push(low),
                        Some((_, acl::DomainClash::Dropped | acl::DomainClash::None)) => {}
                        Some((other, acl::DomainClash::Fatal)) => {
                            let message = format!(
                                "`{}` overlaps `{other}` in the same acl: Squid 5.7 stops on this",
                                v.text
                            );
                            self.fatal(v.span, message);
                            return;
                        }
                    }
                }
                if let Some(a) = self.cfg.acls.get_mut(idx) {
                    if let Leaf::DstDomain(x) | Leaf::SrcDomain(x) = &mut a.leaf {
                        *x = checked.into_values();
                    }
                }
                return;
            }
            _ => {}
        }
        if let Some(a) = self.cfg.acls.get_mut(idx) {
            match &mut a.leaf {
                Leaf::Method(x) | Leaf::Proto(x) => {
                    x.extend(vals.iter().map(|v| v.text.to_ascii_uppercase()))
                }
                Leaf::PortName(x) => x.extend(vals.iter().map(|v| v.text.clone())),
                _ => {}
            }
        }
    }

    fn time_values(&mut self, d: &Directive, idx: usize, rest: &[Token]) {
        let vals = self.values(d, rest, true);
        let words: Vec<&str> = vals.iter().map(|v| v.text.as_str()).collect();
        match time::parse_time_values(&words) {
            Ok(minutes) => {
                if let Some(Leaf::Time(w)) = self.cfg.acls.get_mut(idx).map(|a| &mut a.leaf) {
                    *w = w.union(&minutes);
                }
            }
            Err((i, message)) => {
                let span = vals.get(i).map_or(d.line.span(), |v| v.span);
                self.fatal(span, message);
            }
        }
    }

    fn ip_values(&mut self, d: &Directive, idx: usize, rest: &[Token]) {
        let vals = self.values(d, rest, true);
        // The acl's values so far, and this line's: a line Squid refuses
        // leaves the values of the lines before it.
        let mut acc = self.ip_values.remove(&idx).unwrap_or_default();
        let mut line = IpSetBuilder::default();
        let acl_name = self
            .cfg
            .acls
            .get(idx)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        if let Some(a) = self.cfg.acls.get(idx) {
            if a.builtin && acc.is_empty() {
                if let Leaf::Src(s) | Leaf::Dst(s) = &a.leaf {
                    acc = IpSetBuilder::of(s);
                }
            }
        }
        for v in vals {
            match acl::parse_ip(&v.text) {
                Err(e) => {
                    self.fatal(v.span, e);
                    self.ip_values.insert(idx, acc);
                    return;
                }
                Ok(IpValue::Name) => self.cfg.unresolved.push(v.span),
                Ok(IpValue::Set(s)) => {
                    if acc.overlaps(&s) || line.overlaps(&s) {
                        self.cfg.ignored_values.push((v.span, acl_name.clone()));
                        continue;
                    }
                    if s.v4_count() == 1u64 << 32 {
                        if let Some(a) = self.cfg.acls.get_mut(idx) {
                            a.match_all_values.push(v.span);
                        }
                        if v.text != "all" {
                            self.cfg.legacy.push(Legacy {
                                span: v.span,
                                message: format!(
                                    "`{}` is rewritten to `all` by Squid 3.0 and later",
                                    v.text
                                ),
                            });
                        }
                    }
                    line.insert(&s);
                }
            }
        }
        acc.absorb(line);
        self.ip_values.insert(idx, acc);
    }
}

fn initial_leaf(type_name: &str) -> Leaf {
    match type_name {
        "src" => Leaf::Src(IpSet::empty()),
        "dst" => Leaf::Dst(IpSet::empty()),
        "localip" => Leaf::LocalIp(IpSet::empty()),
        "port" => Leaf::Port(Vec::new()),
        "localport" => Leaf::LocalPort(Vec::new()),
        "myportname" => Leaf::PortName(Vec::new()),
        "method" => Leaf::Method(Vec::new()),
        "proto" => Leaf::Proto(Vec::new()),
        "dstdomain" => Leaf::DstDomain(Vec::new()),
        "srcdomain" => Leaf::SrcDomain(Vec::new()),
        "dstdom_regex" => Leaf::Regex(RegexTarget::Host, Vec::new()),
        "url_regex" => Leaf::Regex(RegexTarget::Url, Vec::new()),
        "urlpath_regex" => Leaf::Regex(RegexTarget::Path, Vec::new()),
        "srcdom_regex" => Leaf::Regex(RegexTarget::SrcName, Vec::new()),
        "proxy_auth" | "proxy_auth_regex" | "max_user_ip" => Leaf::Auth {
            what: type_name.to_string(),
        },
        "any-of" => Leaf::AnyOf(Vec::new()),
        "all-of" => Leaf::AllOf(Vec::new()),
        "annotate_client" | "annotate_transaction" => Leaf::Always,
        "time" => Leaf::Time(WeekMinutes::none()),
        "maxconn" | "browser" | "req_header" | "referer_regex" | "random" | "req_mime_type"
        | "urllogin" => Leaf::Free,
        _ => Leaf::Never,
    }
}
