//! The effective Sendmail configuration for relay questions, built from an
//! `.mc` (what m4 would produce) or from a compiled `.cf` (what runs): the
//! FEATUREs in use, classes `R` and `w`, the access map, trusted AUTH
//! mechanisms, daemons, version, and the local rulesets that can grant
//! relaying. Every value keeps the span it came from.
//!
//! Never opens files: class files and the access map are added by `mod.rs`.

use super::cf::{self, CfText, Item, Ruleset};
use super::m4::{BuildProblem, McText};
use super::tables::Access;
use crate::source::Span;

/// A FEATURE in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feature {
    /// `promiscuous_relay`...
    pub name: String,
    /// Its arguments after the name.
    pub args: Vec<String>,
    /// The `FEATURE(...)` call, or the `.cf` line that shows it.
    pub span: Span,
}

/// A class entry: a word of class `R` or `w`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassEntry {
    /// The word, lower case.
    pub word: String,
    /// Where it was written.
    pub span: Span,
}

/// A listening socket (`DaemonPortOptions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Daemon {
    /// `Name=`.
    pub name: String,
    /// `Port=` as a number (25 when unset or `smtp`).
    pub port: u16,
    /// `Addr=`, when set.
    pub addr: Option<String>,
    /// `Family=` (`inet` when unset).
    pub family: String,
    /// `M=` letters.
    pub modifiers: String,
    /// The `DAEMON_OPTIONS` call or `O` line; `None` for the default daemons.
    pub span: Option<Span>,
}

impl Daemon {
    /// True when only the host itself can connect (loopback address, or a
    /// local socket).
    pub fn loopback_only(&self) -> bool {
        let fam = self.family.to_ascii_lowercase();
        if fam == "local" || fam == "unix" {
            return true;
        }
        self.addr.as_deref().is_some_and(|a| {
            let a = a.trim().trim_start_matches('[').trim_end_matches(']');
            a.starts_with("127.") || a == "::1" || a.eq_ignore_ascii_case("localhost")
        })
    }

    /// True when every client must authenticate (`M=a`).
    pub fn requires_auth(&self) -> bool {
        self.modifiers.contains('a')
    }

    fn parse(value: &str, span: Option<Span>) -> Daemon {
        let mut d = Daemon {
            name: "MTA".into(),
            port: 25,
            addr: None,
            family: "inet".into(),
            modifiers: String::new(),
            span,
        };
        for part in value.split(',') {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            let v = v.trim();
            match k.trim() {
                "Name" | "N" => d.name = v.to_string(),
                "Port" | "P" => d.port = port_number(v).unwrap_or(0),
                "Addr" | "A" => d.addr = Some(v.to_string()),
                "Family" | "F" => d.family = v.to_string(),
                "Modifier" | "M" => d.modifiers = v.to_string(),
                _ => {}
            }
        }
        d
    }
}

fn port_number(v: &str) -> Option<u16> {
    match v {
        "smtp" | "" => Some(25),
        "submission" => Some(587),
        "smtps" | "submissions" => Some(465),
        _ => v.parse().ok(),
    }
}

/// Where the configuration came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An `.mc`: what m4 would build.
    Mc,
    /// A compiled `.cf`: what runs.
    Cf,
}

/// The effective configuration.
#[derive(Clone, Debug)]
pub struct Model {
    /// `.mc` or `.cf`.
    pub origin: Origin,
    /// FEATUREs in use.
    pub features: Vec<Feature>,
    /// Class `R` words from the configuration (class files are added later).
    pub class_r: Vec<ClassEntry>,
    /// Class `w` words.
    pub class_w: Vec<ClassEntry>,
    /// `F` lines for classes `R` and `w`.
    pub class_files: Vec<cf::ClassFile>,
    /// `C{TrustAuthMech}` words.
    pub trust_auth: Vec<Item>,
    /// `AuthMechanisms` value.
    pub auth_mechanisms: Option<Item>,
    /// `AuthOptions` value.
    pub auth_options: Option<Item>,
    /// `AliasFile`, when set.
    pub alias_file: Option<Item>,
    /// `SmtpGreetingMessage`, when set.
    pub greeting: Option<Item>,
    /// Daemons.
    pub daemons: Vec<Daemon>,
    /// `DZ` (the cf version).
    pub version: Option<Item>,
    /// `Dj` (the canonical host name), when set.
    pub host_name: Option<Item>,
    /// `Dm` (the local domain), when set; otherwise sendmail takes it from
    /// the host's own name at startup, which no file tells.
    pub host_domain: Option<Item>,
    /// The access map's file (`Kaccess ... /etc/mail/access`) and its span.
    pub access_map: Option<Item>,
    /// The access map is optional (`-o`).
    pub access_optional: bool,
    /// The access map's text, when read.
    pub access: Access,
    /// Local rulesets that run before the relay checks.
    pub local_rulesets: Vec<Ruleset>,
    /// False for a `.cf` without `check_rcpt` (before 8.9 nothing refused
    /// relaying).
    pub has_rcpt_checks: bool,
    /// m4 build failures, and what stops sendmail at startup.
    pub build_problems: Vec<BuildProblem>,
    /// Errors m4 prints while still building the `.cf`.
    pub printed_errors: Vec<BuildProblem>,
    /// `.cf` lines sendmail does not accept.
    pub line_problems: Vec<cf::LineProblem>,
    /// Where file-wide findings point.
    pub anchor: Span,
}

impl Model {
    /// The feature with this name, if used.
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.name == name)
    }

    /// True when the feature is used.
    pub fn has(&self, name: &str) -> bool {
        self.feature(name).is_some()
    }

    /// True when the daemons would start (m4 built a `.cf`).
    pub fn builds(&self) -> bool {
        self.build_problems.is_empty()
    }

    fn empty(origin: Origin, anchor: Span) -> Model {
        Model {
            origin,
            features: Vec::new(),
            class_r: Vec::new(),
            class_w: Vec::new(),
            class_files: Vec::new(),
            trust_auth: Vec::new(),
            auth_mechanisms: None,
            auth_options: None,
            alias_file: None,
            greeting: None,
            daemons: Vec::new(),
            version: None,
            host_name: None,
            host_domain: None,
            access_map: None,
            access_optional: false,
            access: Access::default(),
            local_rulesets: Vec::new(),
            has_rcpt_checks: true,
            build_problems: Vec::new(),
            printed_errors: Vec::new(),
            line_problems: Vec::new(),
            anchor,
        }
    }

    /// Adds what raw `.cf` lines say (for both sources).
    fn absorb_cf(&mut self, t: &CfText) {
        for c in &t.classes {
            let target = match c.class.as_str() {
                "R" => &mut self.class_r,
                "w" => &mut self.class_w,
                "TrustAuthMech" => {
                    self.trust_auth.extend(c.words.iter().cloned());
                    continue;
                }
                _ => continue,
            };
            target.extend(c.words.iter().map(|w| ClassEntry {
                word: w.text.to_ascii_lowercase(),
                span: w.span,
            }));
        }
        self.class_files.extend(
            t.class_files
                .iter()
                .filter(|f| f.class == "R" || f.class == "w")
                .cloned(),
        );
        for m in &t.maps {
            if m.name == "access" {
                // sendmail adds `.db` to a hash map's file name itself.
                let path = m
                    .args
                    .split_whitespace()
                    .rfind(|w| !w.starts_with('-'))
                    .unwrap_or("");
                let path = path.strip_suffix(".db").unwrap_or(path).to_string();
                self.access_optional = m.args.split_whitespace().any(|w| w == "-o");
                self.access_map = Some(Item {
                    text: path,
                    span: m.span,
                });
            }
        }
        for o in &t.options {
            let item = Item {
                text: o.value.clone(),
                span: o.span,
            };
            match o.name.as_str() {
                "DaemonPortOptions" => self.daemons.push(Daemon::parse(&o.value, Some(o.span))),
                "AuthMechanisms" => self.auth_mechanisms = Some(item),
                "AuthOptions" => self.auth_options = Some(item),
                "SmtpGreetingMessage" => self.greeting = Some(item),
                "AliasFile" => self.alias_file = Some(item),
                _ => {}
            }
        }
        for (name, value) in &t.macros {
            match name.as_str() {
                "Z" => self.version = Some(value.clone()),
                "j" => self.host_name = Some(value.clone()),
                "m" => self.host_domain = Some(value.clone()),
                "e" if self.greeting.is_none() => self.greeting = Some(value.clone()),
                _ => {}
            }
        }
        for rs in &t.rulesets {
            if LOCAL_RULESETS.contains(&rs.name.as_str()) {
                match self.local_rulesets.iter_mut().find(|r| r.name == rs.name) {
                    Some(r) => r.rules.extend(rs.rules.iter().cloned()),
                    None => self.local_rulesets.push(rs.clone()),
                }
            }
        }
        self.line_problems.extend(t.problems.iter().cloned());
    }

    /// The local ruleset with this name.
    pub fn local_ruleset(&self, name: &str) -> Option<&Ruleset> {
        self.local_rulesets.iter().find(|r| r.name == name)
    }
}

/// Rulesets a site writes that the relay decision calls.
const LOCAL_RULESETS: &[&str] = &["Local_check_rcpt", "Local_Relay_Auth"];

/// FEATUREs the m4 tree has (others make m4 stop: no such file).
const KNOWN_FEATURES: &[&str] = &[
    "accept_unqualified_senders",
    "accept_unresolvable_domains",
    "access_db",
    "allmasquerade",
    "always_add_domain",
    "authinfo",
    "badmx",
    "bcc",
    "bestmx_is_local",
    "bitdomain",
    "blacklist_recipients",
    "block_bad_helo",
    "blocklist_recipients",
    "check_cert_altnames",
    "check_other",
    "compat_check",
    "conncontrol",
    "delay_checks",
    "dnsbl",
    "domainmap",
    "domaintable",
    "drac",
    "enhdnsbl",
    "generics_entire_domain",
    "genericstable",
    "greet_pause",
    "ldap_routing",
    "limited_masquerade",
    "local_lmtp",
    "local_no_masquerade",
    "local_procmail",
    "lookupdotdomain",
    "loose_relay_check",
    "mailertable",
    "masquerade_entire_domain",
    "masquerade_envelope",
    "msp",
    "mtamark",
    "no_default_msa",
    "nocanonify",
    "nopercenthack",
    "notsticky",
    "nouucp",
    "nullclient",
    "prefixmod",
    "preserve_local_plus_detail",
    "preserve_luser_host",
    "promiscuous_relay",
    "queuegroup",
    "ratecontrol",
    "redirect",
    "relay_based_on_MX",
    "relay_entire_domain",
    "relay_hosts_only",
    "relay_local_from",
    "relay_mail_from",
    "require_rdns",
    "rhsbl",
    "smrsh",
    "stickyhost",
    "sts",
    "tls_failures",
    "tls_session_features",
    "use_client_ptr",
    "use_ct_file",
    "use_cw_file",
    "uucpdomain",
    "virtuser_entire_domain",
    "virtusertable",
    "vnet",
];

const KNOWN_OSTYPES: &[&str] = &[
    "a-ux",
    "aix3",
    "aix4",
    "aix5",
    "altos",
    "amdahl-uts",
    "bsd4.3",
    "bsd4.4",
    "bsdi",
    "bsdi1.0",
    "bsdi2.0",
    "darwin",
    "debian",
    "dgux",
    "domainos",
    "dragonfly",
    "dynix3.2",
    "freebsd4",
    "freebsd5",
    "freebsd6",
    "gnu",
    "hpux10",
    "hpux11",
    "hpux9",
    "irix4",
    "irix5",
    "irix6",
    "isc4.1",
    "linux",
    "maxion",
    "mklinux",
    "mpeix",
    "nextstep",
    "openbsd",
    "osf1",
    "powerux",
    "ptx2",
    "qnx",
    "riscos4.5",
    "sco-uw-2.1",
    "sco3.2",
    "sinix",
    "solaris11",
    "solaris2",
    "solaris2.ml",
    "solaris2.pre5",
    "solaris8",
    "sunos3.5",
    "sunos4.1",
    "svr4",
    "ultrix4",
    "unicos",
    "unicosmk",
    "unicosmp",
    "unixware7",
    "unknown",
    "uxpds",
];

const KNOWN_DOMAINS: &[&str] = &[
    "Berkeley.EDU",
    "CS.Berkeley.EDU",
    "EECS.Berkeley.EDU",
    "S2K.Berkeley.EDU",
    "berkeley-only",
    "debian-msp",
    "debian-mta",
    "generic",
];

const KNOWN_MAILERS: &[&str] = &[
    "cyrus", "cyrusv2", "fax", "local", "mail11", "phquery", "pop", "procmail", "qpage", "smtp",
    "ssh", "usenet", "uucp", "xagent",
];

/// Builds the model of what m4 would produce from an `.mc`.
pub fn from_mc(mc: &McText, anchor: Span) -> Model {
    let mut m = Model::empty(Origin::Mc, anchor);
    m.build_problems = mc.problems.clone();
    m.printed_errors = mc.printed_errors.clone();
    let mut ostype = false;
    let mut debian = false;
    let mut daemons_set = false;
    for c in &mc.calls {
        match c.name.as_str() {
            "FEATURE" => {
                let name = c.arg(0).trim().to_string();
                if !KNOWN_FEATURES.contains(&name.as_str()) {
                    m.build_problems.push(BuildProblem {
                        message: format!("the m4 build stops: there is no FEATURE `{name}`"),
                        span: c.span,
                        label: format!("no file `feature/{name}.m4` in the m4 tree"),
                    });
                    continue;
                }
                m.features.push(Feature {
                    name,
                    args: c.args.iter().skip(1).cloned().collect(),
                    span: c.span,
                });
            }
            "OSTYPE" | "DOMAIN" => {
                let name = c.arg(0).trim();
                let (dir, known) = if c.name == "OSTYPE" {
                    ostype = true;
                    debian |= name == "debian";
                    ("ostype", KNOWN_OSTYPES)
                } else {
                    ("domain", KNOWN_DOMAINS)
                };
                if !known.contains(&name) {
                    m.build_problems.push(BuildProblem {
                        message: format!("the m4 build stops: there is no {} `{name}`", c.name),
                        span: c.span,
                        label: format!("no file `{dir}/{name}.m4` in the m4 tree"),
                    });
                }
            }
            "MAILER" => {
                let name = c.arg(0).trim();
                if !KNOWN_MAILERS.contains(&name) {
                    m.build_problems.push(BuildProblem {
                        message: format!("the m4 build stops: there is no MAILER `{name}`"),
                        span: c.span,
                        label: format!("no file `mailer/{name}.m4` in the m4 tree"),
                    });
                }
            }
            "RELAY_DOMAIN" | "LOCAL_DOMAIN" => {
                let target = if c.name == "RELAY_DOMAIN" {
                    &mut m.class_r
                } else {
                    &mut m.class_w
                };
                for w in c.arg(0).split_whitespace() {
                    target.push(ClassEntry {
                        word: w.to_ascii_lowercase(),
                        span: c.span,
                    });
                }
            }
            "RELAY_DOMAIN_FILE" => m.class_files.push(class_file("R", c.arg(0), c.span)),
            "TRUST_AUTH_MECH" => {
                for w in c.arg(0).split_whitespace() {
                    m.trust_auth.push(Item {
                        text: w.to_string(),
                        span: c.span,
                    });
                }
            }
            "DAEMON_OPTIONS" => {
                daemons_set = true;
                m.daemons.push(Daemon::parse(c.arg(0), Some(c.span)));
            }
            _ => {}
        }
    }
    if !ostype {
        m.printed_errors.push(BuildProblem {
            message: "m4 prints `*** ERROR: No system type defined (use OSTYPE macro)`".into(),
            span: anchor,
            label: "no `OSTYPE()`: the .cf is built without system settings".into(),
        });
    }
    if m.has("relay_mail_from") && !m.has("access_db") {
        if let Some(f) = m.feature("relay_mail_from") {
            let span = f.span;
            m.printed_errors.push(BuildProblem {
                message: "m4 prints `*** ERROR: FEATURE(`relay_mail_from') requires FEATURE(`access_db')`".into(),
                span,
                label: "without `access_db` this feature does nothing".into(),
            });
        }
    }
    let define = |name: &str| mc.defines.get(name).map(|(v, s)| (v.clone(), *s));
    // Classes from files: defaults of the m4 tree unless redefined.
    // Debian's OSTYPE reads class files line by line up to `#` (a scanf
    // format), not only their first word.
    let format = if debian { " %[^\\#]" } else { "" };
    let (cr, cr_span) = define("confCR_FILE")
        .unwrap_or_else(|| (format!("-o /etc/mail/relay-domains{format}"), anchor));
    m.class_files.push(class_file("R", &cr, cr_span));
    if m.has("use_cw_file") {
        let (cw, span) = define("confCW_FILE")
            .unwrap_or_else(|| (format!("/etc/mail/local-host-names{format}"), anchor));
        m.class_files.push(class_file("w", &cw, span));
    }
    m.class_w.push(ClassEntry {
        word: "localhost".into(),
        span: anchor,
    });
    if let Some((v, s)) = define("ALIAS_FILE") {
        m.alias_file = Some(Item { text: v, span: s });
    }
    if let Some((v, s)) = define("confDOMAIN_NAME") {
        m.host_name = Some(Item { text: v, span: s });
    }
    for (conf, slot) in [
        ("confAUTH_MECHANISMS", 0),
        ("confAUTH_OPTIONS", 1),
        ("confSMTP_LOGIN_MSG", 2),
    ] {
        if let Some((v, s)) = define(conf) {
            let item = Some(Item { text: v, span: s });
            match slot {
                0 => m.auth_mechanisms = item,
                1 => m.auth_options = item,
                _ => m.greeting = item,
            }
        }
    }
    if let Some(f) = m.feature("access_db").cloned() {
        let spec = f.args.first().cloned().unwrap_or_default();
        let path = spec
            .split_whitespace()
            .rfind(|w| !w.starts_with('-'))
            .filter(|w| !w.eq_ignore_ascii_case("hash") || spec.split_whitespace().count() > 1)
            .map(str::to_string)
            .filter(|w| w.contains('/'))
            .unwrap_or_else(|| "/etc/mail/access".into());
        m.access_optional = spec.split_whitespace().any(|w| w == "-o");
        m.access_map = Some(Item {
            text: path,
            span: f.span,
        });
    }
    for (n, out) in &mc.diversions {
        let t = cf::parse_with(&out.text, &|a, b| out.span_of(a, b).unwrap_or(anchor));
        let problems = std::mem::take(&mut m.line_problems);
        m.absorb_cf(&t);
        m.line_problems = problems;
        // Raw `.cf` lines the `.mc` copies (LOCAL_CONFIG, LOCAL_RULESETS...)
        // reach sendmail as written; a line it does not know stops it. Text
        // that looks like a macro call of the m4 tree that relaylint does
        // not expand is left alone.
        if *n > 0 {
            for p in t
                .problems
                .iter()
                .filter(|p| p.fatal && !looks_like_macro(&p.line))
            {
                m.build_problems.push(BuildProblem {
                    message: format!("sendmail exits at startup: {}", p.message),
                    span: p.span,
                    label: "copied into sendmail.cf as written".into(),
                });
            }
        }
    }
    // The first DAEMON_OPTIONS replaces the default MTA; the MSA on port
    // 587 stays unless FEATURE(`no_default_msa').
    // FEATURE(`msp') (a submit.mc under another name) listens on loopback
    // only, without the MSA.
    let msp = m.feature("msp").map(|f| f.span);
    if let (Some(span), false) = (msp, daemons_set) {
        m.daemons
            .push(Daemon::parse("Name=NoMTA, Addr=127.0.0.1, M=E", Some(span)));
    } else if !daemons_set {
        m.daemons.insert(0, Daemon::parse("Name=MTA", None));
    }
    if !m.has("no_default_msa") && msp.is_none() {
        m.daemons
            .push(Daemon::parse("Port=587, Name=MSA, M=E", None));
    }
    m
}

/// True when a line is an m4 macro call (`NAME(...)` or a bare upper-case
/// name) rather than `.cf` text.
fn looks_like_macro(line: &str) -> bool {
    let t = line.trim();
    let name_end = t
        .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(t.len());
    name_end > 1
        && t.get(name_end..)
            .is_none_or(|rest| rest.is_empty() || rest.starts_with('('))
}

fn class_file(class: &str, spec: &str, span: Span) -> cf::ClassFile {
    let mut spec = spec.trim();
    let mut optional = false;
    if let Some(r) = spec.strip_prefix("-o") {
        optional = true;
        spec = r.trim_start();
    }
    let mut words = spec.split_whitespace();
    cf::ClassFile {
        class: class.into(),
        path: words.next().unwrap_or("").to_string(),
        optional,
        whole_line: words.next().is_some_and(|f| f.contains('%')),
        span,
    }
}

/// Builds the model of a compiled `.cf`: FEATUREs from the m4 build's
/// `$Id:` comments, or from the rules they leave when comments are gone.
pub fn from_cf(t: &CfText, anchor: Span) -> Model {
    let mut m = Model::empty(Origin::Cf, anchor);
    m.absorb_cf(t);
    m.line_problems = t.problems.clone();
    m.build_problems = t
        .problems
        .iter()
        .filter(|p| p.fatal)
        .map(|p| BuildProblem {
            message: format!("sendmail exits at startup: {}", p.message),
            span: p.span,
            label: "sendmail does not know this line".into(),
        })
        .collect();
    for id in &t.m4_ids {
        if KNOWN_FEATURES.contains(&id.text.as_str()) && !m.has(&id.text) {
            m.features.push(Feature {
                name: id.text.clone(),
                args: Vec::new(),
                span: id.span,
            });
        }
    }
    for (name, span) in signatures(t) {
        if !m.has(name) {
            m.features.push(Feature {
                name: name.to_string(),
                args: Vec::new(),
                span,
            });
        }
    }
    // nouucp / nopercenthack take `!` / `%` out of class O (the routing
    // characters); `reject` also adds BANG_PATH / PERCENT_HACK rules.
    if let Some(o) = t.classes.iter().find(|c| c.class == "O") {
        let rules_text = |marker: &str| {
            t.ruleset("Rcpt_ok")
                .is_some_and(|rs| rs.rules.iter().any(|r| r.rhs.contains(marker)))
        };
        for (ch, name, marker) in [
            ("!", "nouucp", "BANG_PATH"),
            ("%", "nopercenthack", "PERCENT_HACK"),
        ] {
            if !o.words.iter().any(|w| w.text.contains(ch)) && !m.has(name) {
                let mode = if rules_text(marker) {
                    "reject"
                } else {
                    "nospecial"
                };
                m.features.push(Feature {
                    name: name.into(),
                    args: vec![mode.into()],
                    span: o.span,
                });
            }
        }
    }
    // Arguments the `$Id:` comment does not carry.
    for (name, marker) in [("nouucp", "BANG_PATH"), ("nopercenthack", "PERCENT_HACK")] {
        let reject = t
            .ruleset("Rcpt_ok")
            .is_some_and(|rs| rs.rules.iter().any(|r| r.rhs.contains(marker)));
        if let Some(f) = m
            .features
            .iter_mut()
            .find(|f| f.name == name && f.args.is_empty())
        {
            f.args = vec![if reject { "reject" } else { "nospecial" }.into()];
        }
    }
    // The `domain` argument of relay_mail_from shows as a `<D:` lookup.
    if let Some(rs) = t.ruleset("Relay_ok") {
        if rs
            .rules
            .iter()
            .any(|r| r.rhs.contains("<! From>") && r.rhs.contains("<D:"))
        {
            if let Some(f) = m.features.iter_mut().find(|f| f.name == "relay_mail_from") {
                f.args = vec!["domain".into()];
            }
        }
    }
    m.has_rcpt_checks =
        t.ruleset("check_rcpt").is_some() || t.ruleset("Basic_check_rcpt").is_some();
    // A .cf of the 8.10+ m4 tree (Basic_check_rcpt) without Relay_ok is
    // promiscuous_relay's. A hand-written check_rcpt of older days is not
    // judged from its absence.
    if t.ruleset("Relay_ok").is_none() && !m.has("promiscuous_relay") {
        if let Some(rs) = t.ruleset("Basic_check_rcpt") {
            m.features.push(Feature {
                name: "promiscuous_relay".into(),
                args: Vec::new(),
                span: rs.span,
            });
        }
    }
    if m.daemons.is_empty() {
        m.daemons.push(Daemon::parse("Name=MTA", None));
    }
    m
}

/// FEATUREs told by the rules they add, for a `.cf` without its comments.
fn signatures(t: &CfText) -> Vec<(&'static str, Span)> {
    let mut out = Vec::new();
    let in_set = |set: &str, test: &dyn Fn(&cf::RuleLine) -> bool| {
        t.ruleset(set)
            .and_then(|rs| rs.rules.iter().find(|r| test(r)))
            .map(|r| r.span)
    };
    if let Some(s) = in_set("Rcpt_ok", &|r| {
        r.lhs.contains("$=m >") && r.rhs.starts_with("$@ RELAY")
    }) {
        out.push(("relay_entire_domain", s));
    }
    if let Some(s) = in_set("Rcpt_ok", &|r| r.lhs.replace(' ', "") == "$+<@$=R>") {
        out.push(("relay_hosts_only", s));
    }
    if let Some(m) = t.maps.iter().find(|m| m.name == "mxserved") {
        out.push(("relay_based_on_MX", m.span));
    }
    if let Some(s) = in_set("Relay_ok", &|r| {
        r.lhs.replace(' ', "") == "<?>$+<@$=w>" && r.rhs.starts_with("$@ RELAY")
    }) {
        out.push(("relay_local_from", s));
    }
    if let Some(s) = in_set("Relay_ok", &|r| r.rhs.contains("<! From>")) {
        out.push(("relay_mail_from", s));
    }
    if let Some(rs) = t.ruleset("Rcpt_ok") {
        if let Some(first) = rs.rules.first() {
            if first.rhs.contains("$>CanonAddr") {
                out.push(("loose_relay_check", first.span));
            }
        }
    }
    if let Some(m) = t.maps.iter().find(|m| m.name == "access") {
        out.push(("access_db", m.span));
    }
    out
}
