//! Postfix: `main.cf` + `master.cf` + the tables they name, evaluated per
//! smtpd listener against the attacker.
//!
//! The pipeline inside: [`main_cf`] / [`master_cf`] / [`table`] parse,
//! [`config`] resolves a service's effective values ([`defaults`], [`expand`]),
//! [`listener`] finds what listens, [`evaluate`] decides, [`rules`] report.

pub mod config;
pub mod defaults;
pub mod evaluate;
pub mod expand;
pub mod listener;
pub mod main_cf;
pub mod master_cf;
pub mod matchlist;
pub mod net_index;
pub mod restrictions;
pub mod rules;
pub mod services;
pub mod store;
pub mod table;
pub mod text;

use crate::diagnostic::Diagnostic;
use crate::dialect::read_into;
pub use crate::dialect::Source;
use crate::load::Limits;
use crate::net::IpSet;
use crate::source::{FileId, SourceDb, Span};
use config::ServiceConfig;
use defaults::Version;
use evaluate::{Context, Verdict};
use listener::{Exposure, Listener};
use main_cf::MainCf;
use master_cf::MasterCf;
use std::path::Path;
use store::Store;

/// One listener with its verdict.
pub struct ListenerResult<'a> {
    /// The listener.
    pub listener: Listener<'a>,
    /// Where it accepts connections.
    pub exposure: Exposure,
    /// The relay verdict.
    pub verdict: Verdict,
}

/// Everything the rules look at.
pub struct Analysis<'a> {
    /// main.cf (empty when the unit has none).
    pub main: &'a MainCf,
    /// master.cf, when present.
    pub master: Option<&'a MasterCf>,
    /// Files and tables.
    pub store: &'a Store,
    /// `mail_version` when the file is a `postconf` dump.
    pub version: Option<Version>,
    /// Listeners and verdicts.
    pub listeners: Vec<ListenerResult<'a>>,
    /// The attacker's address space.
    pub attacker: &'a IpSet,
    /// A span to hang instance-wide findings on (start of main.cf or master.cf).
    pub anchor: Span,
}

impl<'a> Analysis<'a> {
    /// The configuration a listener's smtpd runs with.
    pub fn config(&self, l: &Listener<'a>) -> ServiceConfig<'a> {
        ServiceConfig::new(
            self.main,
            l.policy.map(|s| s.overrides.as_slice()).unwrap_or(&[]),
            self.version,
        )
    }

    /// main.cf's view, then every listener's: the configurations a
    /// setting-level rule looks at (it reports each definition once).
    pub fn all_configs(&self) -> Vec<ServiceConfig<'a>> {
        let mut v = vec![self.main_config()];
        v.extend(self.listeners.iter().map(|l| self.config(&l.listener)));
        v
    }

    /// The words of `inet_interfaces` (main.cf's view: master.cf cannot
    /// override it).
    pub fn inet_interfaces(&self) -> Vec<String> {
        self.main_config()
            .get("inet_interfaces")
            .tokens()
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    /// main.cf's own view (no overrides).
    pub fn main_config(&self) -> ServiceConfig<'a> {
        ServiceConfig::new(self.main, &[], self.version)
    }
}

/// The files of a Postfix unit.
pub struct Inputs<'p> {
    /// main.cf path, or text read from stdin.
    pub main: Option<Source<'p>>,
    /// master.cf path.
    pub master: Option<&'p Path>,
    /// The sysroot.
    pub sysroot: &'p Path,
}

/// Reports main.cf values whose `$name` expansion fails as Postfix's would.
/// Prefixes of the parameters Postfix itself defines: a self-reference in
/// one of them stops Postfix, while an unknown parameter is only warned about.
const KNOWN_PREFIXES: &[&str] = &[
    "smtpd_",
    "smtp_",
    "lmtp_",
    "virtual_",
    "relay",
    "my",
    "inet_",
    "alias_",
    "local_",
    "transport_",
    "postscreen_",
    "milter_",
    "non_smtpd_",
    "content_filter",
    "queue_",
    "mail_",
    "default_",
    "tls_",
    "message_",
    "recipient_",
    "sender_",
    "header_",
    "body_",
    "proxy_",
    "address_",
    "append_",
    "canonical_",
    "masquerade_",
    "disable_",
    "unknown_",
    "maximal_",
    "minimal_",
    "delay_",
    "bounce_",
    "notify_",
    "home_mailbox",
    "mailbox_",
    "soft_bounce",
    "compatibility_level",
    "permit_mx_backup_networks",
    "qmqpd_",
    "parent_domain",
    "allow_",
    "resolve_",
    "swap_bangpath",
    "propagate_",
    "command_",
    "daemon_",
    "data_",
    "config_",
    "meta_",
    "master_",
];

/// Reports main.cf values whose `$name` expansion fails as Postfix's would.
/// Returns the first one that stops Postfix (a self-reference in a
/// parameter Postfix knows).
fn report_expansion_errors(a: &Analysis, out: &mut Vec<Diagnostic>) -> Option<Span> {
    let cfg = a.main_config();
    let mut fatal = None;
    for p in &a.main.params {
        // A value naming no parameter expands without error.
        if !p.value.s.contains('$') || !a.main.is_effective(p) {
            continue;
        }
        for e in cfg.value(&p.name).1 {
            let (message, label) = match e {
                expand::ExpandError::Recursion(name) => {
                    if fatal.is_none() && KNOWN_PREFIXES.iter().any(|k| p.name.starts_with(k)) {
                        fatal = Some(p.name_span);
                    }
                    (
                        format!("`{}` refers to itself through `${name}`", p.name),
                        "Postfix stops with \"unreasonable macro call nesting\"",
                    )
                }
                expand::ExpandError::Syntax(what) => {
                    if fatal.is_none() && KNOWN_PREFIXES.iter().any(|k| p.name.starts_with(k)) {
                        fatal = Some(p.name_span);
                    }
                    (
                        format!("`{}` holds a macro Postfix cannot parse: {what}", p.name),
                        "Postfix stops with \"macro processing error\"",
                    )
                }
                // relaylint's own limit, not a Postfix error: the value is
                // evaluated as far as it was expanded.
                expand::ExpandError::TooLarge => continue,
            };
            out.push(
                Diagnostic::new("RL001", message, p.name_span, label)
                    .with_help("define the value without referring back to itself"),
            );
        }
    }
    fatal
}

/// Boolean parameters smtpd reads: a value other than `yes` or `no` stops it
/// ("bad boolean configuration").
const SMTPD_BOOLEANS: &[&str] = &[
    "allow_untrusted_routing",
    "smtpd_sasl_auth_enable",
    "smtpd_tls_auth_only",
    "smtpd_use_tls",
    "smtpd_enforce_tls",
    "smtpd_tls_ask_ccert",
    "smtpd_tls_wrappermode",
    "smtpd_delay_reject",
    "smtpd_relay_before_recipient_restrictions",
    "smtpd_helo_required",
    "disable_vrfy_command",
    "strict_rfc821_envelopes",
    "broken_sasl_auth_clients",
    "soft_bounce",
    "smtputf8_enable",
];

fn bad_boolean(cfg: &config::ServiceConfig) -> Option<(Option<Span>, String)> {
    SMTPD_BOOLEANS.iter().find_map(|name| {
        let v = cfg.get(name);
        let text = v.text.s.trim();
        (v.origin_span().is_some() && !text.eq_ignore_ascii_case("yes") && !text.eq_ignore_ascii_case("no"))
            .then(|| (v.origin_span(), format!("`{name} = {text}` is not `yes` or `no`: smtpd stops with \"bad boolean configuration\"")))
    })
}

/// Analyses one Postfix unit: returns its files and findings.
pub fn analyse(inputs: &Inputs, limits: Limits, attacker: &IpSet) -> (SourceDb, Vec<Diagnostic>) {
    let (db, mut diags, per_attacker) = with_analysis(
        inputs,
        limits,
        SourceDb::new(),
        &[attacker],
        false,
        &mut |_| true,
        |a| {
            let mut found = Vec::new();
            rules::run(a, &mut found);
            found
        },
    );
    diags.extend(per_attacker.into_iter().flatten().flatten());
    (db, diags)
}

/// An smtpd listener that a client on the host itself (no login) can reach
/// on one of the host's addresses and relay through to a foreign domain.
#[derive(Clone)]
pub struct LoopbackRelay {
    /// The listener's port number.
    pub port: u16,
    /// How the listener reads (`smtpd` on `smtp`).
    pub listener: String,
    /// Where the listener is named (master.cf), if anywhere.
    pub listener_span: Option<Span>,
    /// How the relay goes.
    pub witness: evaluate::Witness,
}

/// Asks the host-level question: which smtpd listeners accept connections on
/// `dest` (an address of the host: loopback, or one of its own) and relay,
/// without a login, for a client at each of `clients` (addresses of the host
/// itself, where a proxy on it connects from). A listener counts when it
/// relays for every one of them (they stand for one address relaylint cannot
/// pin down). One answer per query, from one reading of the unit into `db`;
/// only files are returned (its per-unit findings are the business of
/// [`analyse`]). Listeners on a port for which `port_matters` says no are
/// not evaluated (the proxy lets nobody reach it) and are never answered.
pub fn local_relays(
    inputs: &Inputs,
    limits: Limits,
    queries: &[(std::net::IpAddr, Vec<std::net::IpAddr>)],
    db: SourceDb,
    port_matters: &mut dyn FnMut(u16) -> bool,
) -> (SourceDb, Vec<Vec<LoopbackRelay>>) {
    // Each distinct client is one attacker; every query reads its clients'
    // results.
    let mut clients: Vec<std::net::IpAddr> = Vec::new();
    for (_, cs) in queries {
        for c in cs {
            if !clients.contains(c) {
                clients.push(*c);
            }
        }
    }
    let sets: Vec<IpSet> = clients
        .iter()
        .map(|c| IpSet::from_net(&ipnet::IpNet::from(*c)))
        .collect();
    let attackers: Vec<&IpSet> = sets.iter().collect();
    let mut listener_matters =
        |l: &listener::Listener| l.port_number().is_some_and(&mut *port_matters);
    let (db, _, per_client) = with_analysis(
        inputs,
        limits,
        db,
        &attackers,
        true,
        &mut listener_matters,
        |a| {
            let inet_interfaces = a.inet_interfaces();
            a.listeners
                .iter()
                .filter_map(|l| match &l.verdict {
                    Verdict::Open(w) => Some((
                        LoopbackRelay {
                            port: l.listener.port_number()?,
                            listener: l.listener.describe(),
                            listener_span: l.listener.line_span(),
                            witness: w.clone(),
                        },
                        // Which queries' destinations this listener accepts.
                        queries
                            .iter()
                            .map(|(dest, _)| {
                                listener::reachable_at(&l.listener, &inet_interfaces, *dest)
                            })
                            .collect::<Vec<bool>>(),
                    )),
                    _ => None,
                })
                .collect::<Vec<_>>()
        },
    );
    let per_client = per_client.unwrap_or_default();
    let answers = queries
        .iter()
        .enumerate()
        .map(|(q, (_, cs))| {
            let mut kept: Option<Vec<LoopbackRelay>> = None;
            for c in cs {
                let found: Vec<&LoopbackRelay> = clients
                    .iter()
                    .position(|x| x == c)
                    .and_then(|i| per_client.get(i))
                    .into_iter()
                    .flatten()
                    .filter(|(_, at)| at.get(q).copied().unwrap_or(false))
                    .map(|(r, _)| r)
                    .collect();
                kept = Some(match kept {
                    // The first client's witnesses are the ones shown.
                    None => found.into_iter().cloned().collect(),
                    Some(prev) => prev
                        .into_iter()
                        .filter(|r| found.iter().any(|f| f.port == r.port))
                        .collect(),
                });
            }
            kept.unwrap_or_default()
        })
        .collect();
    (db, answers)
}

/// Parses the unit once, then evaluates it for the clients in each of
/// `attackers` in turn and hands each analysis to `body`. No answers when a
/// file of the unit cannot be read.
fn with_analysis<R>(
    inputs: &Inputs,
    limits: Limits,
    mut db: SourceDb,
    attackers: &[&IpSet],
    host_client: bool,
    listener_matters: &mut dyn FnMut(&listener::Listener) -> bool,
    mut body: impl FnMut(&Analysis) -> R,
) -> (SourceDb, Vec<Diagnostic>, Option<Vec<R>>) {
    let no_one = IpSet::empty();
    let mut diags = Vec::new();
    let read_main = |db: &mut SourceDb, diags: &mut Vec<Diagnostic>| match &inputs.main {
        Some(Source::Path(p)) => read_into(db, diags, p, inputs.sysroot, limits),
        Some(Source::Text(t)) => Some(db.add("-".into(), (*t).to_string(), false)),
        None => None,
    };
    let read_master = |db: &mut SourceDb, diags: &mut Vec<Diagnostic>| {
        inputs
            .master
            .and_then(|p| read_into(db, diags, p, inputs.sysroot, limits))
    };
    let (main_id, master_id) = if host_client {
        // A question about the host asks only about listeners a proxy lets
        // the attacker reach: when no inet service's port is one of them,
        // nothing relays for it, and main.cf need not be read nor either
        // file parsed.
        let master_id = read_master(&mut db, &mut diags);
        if inputs.master.is_some() && master_id.is_none() {
            return (db, diags, None);
        }
        let names = master_id.map(|id| master_cf::inet_service_names(db.text(id)));
        if !listener::inet_candidates(names.as_deref())
            .iter()
            .any(&mut *listener_matters)
        {
            return (db, diags, Some(Vec::new()));
        }
        (read_main(&mut db, &mut diags), master_id)
    } else {
        let main_id = read_main(&mut db, &mut diags);
        (main_id, read_master(&mut db, &mut diags))
    };
    if inputs.main.is_some() && main_id.is_none() || inputs.master.is_some() && master_id.is_none()
    {
        // A file of the unit could not be read: a verdict would be a guess.
        return (db, diags, None);
    }
    let (main, d) = match main_id {
        Some(id) => main_cf::parse(id, db.text(id)),
        None => (MainCf::default(), Vec::new()),
    };
    diags.extend(d);
    let master = master_id.map(|id| {
        let (m, d) = master_cf::parse(id, db.text(id));
        diags.extend(d);
        m
    });
    let config_dir = match (&inputs.main, inputs.master) {
        (Some(Source::Path(p)), _) => p.parent().unwrap_or(Path::new(".")).to_path_buf(),
        (_, Some(p)) => p.parent().unwrap_or(Path::new(".")).to_path_buf(),
        _ => inputs.sysroot.join("etc/postfix"),
    };
    let anchor_file = main_id.or(master_id).unwrap_or(FileId(0));
    let store = Store::new(db, inputs.sysroot, &config_dir, limits);
    let version = main
        .get("mail_version")
        .and_then(|p| Version::parse(&p.value.s));
    let mut analysis = Analysis {
        main: &main,
        master: master.as_ref(),
        store: &store,
        version,
        listeners: Vec::new(),
        attacker: attackers.first().copied().unwrap_or(&no_one),
        anchor: Span::new(anchor_file, 0..0),
    };
    let smtpd_service_name = analysis
        .main_config()
        .get("smtpd_service_name")
        .text
        .s
        .trim()
        .to_string();
    let inet_interfaces = analysis.inet_interfaces();
    let expansion_fatal = report_expansion_errors(&analysis, &mut diags);
    let main_cfg = analysis.main_config();
    let instance_failure: Option<(Option<Span>, String, String)> = if let Some(span) = main
        .fatal
        .first()
        .or_else(|| master.as_ref().and_then(|m| m.fatal.first()))
    {
        Some((
            Some(*span),
            "a syntax error stops Postfix before any service starts".into(),
            "Postfix refuses this line".into(),
        ))
    } else if main_cfg.mydomain_derivation_fails() {
        Some((
            main.get("myhostname").map(|p| p.name_span),
            "`myhostname` names `$mydomain`, which is unset: Postfix derives an empty `mydomain` from it and stops (\"bad string length 0 < 1: mydomain = \")".into(),
            "set `mydomain` explicitly, or write `myhostname` without `$mydomain`".into(),
        ))
    } else if let Some(problem) = main_cfg.level_problem() {
        Some((
            main_cfg.level_span(),
            problem,
            "Postfix refuses this level".into(),
        ))
    } else {
        expansion_fatal.map(|span| {
            (
                Some(span),
                "a parameter Postfix cannot expand stops it (\"macro processing error\")".into(),
                "Postfix cannot expand this value".into(),
            )
        })
    };
    // Without a master.cf, the stock one's unix services.
    let unix_services: Option<Vec<String>> = Some(match master.as_ref() {
        Some(m) => m
            .services
            .iter()
            .filter(|s| s.kind == "unix")
            .map(|s| s.name.clone())
            .collect(),
        None => [
            "pickup",
            "cleanup",
            "qmgr",
            "tlsmgr",
            "rewrite",
            "bounce",
            "defer",
            "trace",
            "verify",
            "flush",
            "proxymap",
            "proxywrite",
            "smtp",
            "relay",
            "showq",
            "error",
            "retry",
            "discard",
            "local",
            "virtual",
            "lmtp",
            "anvil",
            "scache",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    });
    let disabled: Vec<String> = main_cfg
        .get("master_service_disable")
        .tokens()
        .into_iter()
        .map(|t| t.text)
        .collect();
    let cache = evaluate::UnitCache::default();
    let mut results = Vec::with_capacity(attackers.len());
    for &attacker in attackers {
        analysis.attacker = attacker;
        analysis.listeners.clear();
        // Listeners without `-o` overrides run main.cf's configuration
        // alone: one evaluation answers for all of them.
        let mut plain_verdict: Option<Verdict> = None;
        for l in listener::listeners(master.as_ref(), &smtpd_service_name) {
            if l.inet.is_some_and(|s| listener::is_disabled(s, &disabled)) || !listener_matters(&l)
            {
                continue;
            }
            let exposure = listener::exposure(&l, &inet_interfaces);
            let level_problem = analysis.config(&l).level_problem().map(|p| (analysis.config(&l).level_span(), p)).or_else(|| bad_boolean(&analysis.config(&l))).or_else(|| {
            // A `-o` value that refers to itself stops smtpd, like one in main.cf.
            let cfg = analysis.config(&l);
            l.policy?.overrides.iter().find_map(|o| {
                cfg.value(&o.name)
                    .1
                    .iter()
                    .any(|e| matches!(e, expand::ExpandError::Recursion(_) | expand::ExpandError::Syntax(_)))
                    .then(|| (Some(o.span), format!("`-o {}` cannot be expanded: smtpd stops with \"macro processing error\"", o.name)))
            })
        });
            let verdict = if let Some((span, reason, label)) = &instance_failure {
                Verdict::RefusesToStart(evaluate::StartupFailure {
                    reason: reason.clone(),
                    spans: vec![evaluate::Step {
                        choice: None,
                        span: *span,
                        message: label.clone(),
                    }],
                })
            } else if let Some((span, reason)) = level_problem {
                Verdict::RefusesToStart(evaluate::StartupFailure {
                    reason,
                    spans: vec![evaluate::Step {
                        choice: None,
                        span,
                        message: "smtpd refuses this level".into(),
                    }],
                })
            } else if let Some(problem) = l.policy.and_then(|s| s.startup_problems.first()) {
                Verdict::RefusesToStart(evaluate::StartupFailure {
                    reason: problem.1.clone(),
                    spans: vec![evaluate::Step {
                        choice: None,
                        span: Some(problem.0),
                        message: "smtpd exits on this argument".into(),
                    }],
                })
            } else {
                let cfg = analysis.config(&l);
                let plain = cfg.overrides.is_empty();
                match &plain_verdict {
                    Some(v) if plain => v.clone(),
                    _ => {
                        let v = evaluate::evaluate(&Context {
                            cfg: &cfg,
                            store: &store,
                            attacker,
                            unix_services: unix_services.as_deref(),
                            host_client,
                            cache: &cache,
                        });
                        if plain {
                            plain_verdict = Some(v.clone());
                        }
                        v
                    }
                }
            };
            analysis.listeners.push(ListenerResult {
                listener: l,
                exposure,
                verdict,
            });
        }
        results.push(body(&analysis));
    }
    diags.extend(store.diags.borrow_mut().drain(..));
    drop(analysis);
    (store.db.into_inner(), diags, Some(results))
}
