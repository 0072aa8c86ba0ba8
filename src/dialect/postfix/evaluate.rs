//! The relay decision for one smtpd service, against the attacker: any
//! untrusted client address, no SASL login, no client certificate, HELO and
//! MAIL FROM of his choice, a recipient in a foreign domain (also written
//! with sender-specified routing through a relay domain).
//!
//! Lists run as smtpd_check_rcpt runs them: client, helo, sender, then relay
//! and recipient (order by `smtpd_relay_before_recipient_restrictions`).
//! Inside a list: first PERMIT/REJECT/DEFER wins, the end of a list permits,
//! a PERMIT does not skip later lists. The attacker relays when some choice
//! of his gets through every list without a reject or a deferral.
//!
//! This module decides; it never formats findings.

use super::config::{ServiceConfig, Value, ValueOrigin};
use super::defaults::Version;
use super::matchlist::{self, attacker_name_pattern, Hit, MatchResult};
use super::restrictions::{items, Item, ATTACKER_PASSES, REQUIRED};
use super::store::{Store, TableState};
use super::table::{parse_ref, Entry, Pattern, Table, TableKind};
use super::text::Token;
use crate::net::IpSet;
use crate::source::Span;
use foldhash::HashMap;
use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;

/// One step of a witness: what the daemon did, where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Where, if written in a file.
    pub span: Option<Span>,
    /// What happened there (lowercase, self-contained).
    pub message: String,
    /// What the attacker sent to get here, when the step depends on it.
    pub choice: Option<Choice>,
}

/// An input the attacker chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The HELO name.
    Helo(String),
    /// The MAIL FROM address (`""` for the null sender).
    Sender(String),
}

impl Step {
    fn new(span: Option<Span>, message: impl Into<String>) -> Step {
        Step {
            span,
            message: message.into(),
            choice: None,
        }
    }
}

/// A restriction list of the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// smtpd_client_restrictions
    Client,
    /// smtpd_helo_restrictions
    Helo,
    /// smtpd_sender_restrictions
    Sender,
    /// smtpd_relay_restrictions
    Relay,
    /// smtpd_recipient_restrictions
    Recipient,
}

impl ListKind {
    /// The parameter holding the list.
    pub fn param(self) -> &'static str {
        match self {
            ListKind::Client => "smtpd_client_restrictions",
            ListKind::Helo => "smtpd_helo_restrictions",
            ListKind::Sender => "smtpd_sender_restrictions",
            ListKind::Relay => "smtpd_relay_restrictions",
            ListKind::Recipient => "smtpd_recipient_restrictions",
        }
    }
}

/// What the attacker sends as recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// `local@domain` in a domain this server does not serve.
    Foreign {
        /// Local part (`victim`, or one an access table names).
        local: String,
        /// The foreign domain.
        domain: String,
    },
    /// `victim%example.net@D` with D a relay domain.
    Routed {
        /// The relay domain.
        domain: String,
        /// Where it is listed.
        hit: Hit,
    },
}

impl Witness {
    /// The HELO name the witness needs, if any.
    pub fn helo(&self) -> Option<&str> {
        self.steps().find_map(|s| match &s.choice {
            Some(Choice::Helo(h)) => Some(h.as_str()),
            _ => None,
        })
    }

    /// The sender the witness needs, if any.
    pub fn sender(&self) -> Option<&str> {
        self.steps().find_map(|s| match &s.choice {
            Some(Choice::Sender(f)) => Some(f.as_str()),
            _ => None,
        })
    }

    fn steps(&self) -> impl Iterator<Item = &Step> {
        self.lists.iter().flat_map(|p| p.steps.iter())
    }
}

impl Recipient {
    /// The address as sent.
    pub fn address(&self) -> String {
        match self {
            Recipient::Foreign { local, domain } => format!("{local}@{domain}"),
            Recipient::Routed { domain, .. } => format!("victim%example.net@{domain}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Permit,
    Reject,
    Dunno,
}

#[derive(Clone, Debug)]
struct Alt {
    outcome: Outcome,
    steps: Vec<Step>,
    dip: bool,
    /// Index in `steps` of the step that decided a Permit.
    decisive: Option<usize>,
}

impl Alt {
    fn new(outcome: Outcome, steps: Vec<Step>) -> Alt {
        let decisive = if outcome == Outcome::Dunno {
            None
        } else {
            steps.len().checked_sub(1)
        };
        Alt {
            outcome,
            steps,
            dip: false,
            decisive,
        }
    }
}

/// Why a list stopped the attacker (for explanations).
#[derive(Clone, Debug)]
pub struct Block {
    /// The list.
    pub list: ListKind,
    /// Steps up to and including the reject.
    pub steps: Vec<Step>,
}

/// The path through one list that let the attacker through.
#[derive(Clone, Debug)]
pub struct ListPass {
    /// The list.
    pub list: ListKind,
    /// Its effective value.
    pub value: Value,
    /// Witness steps in this list.
    pub steps: Vec<Step>,
    /// The decisive step in `steps`.
    pub decisive: Option<usize>,
    /// True when the list holds the relay check (a required restriction).
    pub holds_relay_check: bool,
}

/// A witness of an open relay.
#[derive(Clone, Debug)]
pub struct Witness {
    /// The client address used.
    pub client: IpAddr,
    /// The recipient used.
    pub recipient: Recipient,
    /// The lists passed, in evaluation order.
    pub lists: Vec<ListPass>,
}

/// Why smtpd would not start for this service.
#[derive(Clone, Debug)]
pub struct StartupFailure {
    /// What Postfix logs, paraphrased.
    pub reason: String,
    /// Where the problem is.
    pub spans: Vec<Step>,
}

/// The verdict for one service.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// The attacker relays.
    Open(Witness),
    /// The attacker is stopped; the first block found, when any.
    Closed(Option<Block>),
    /// smtpd exits at startup.
    RefusesToStart(StartupFailure),
}

/// Everything the evaluation needs beyond the config.
pub struct Context<'a> {
    /// The service configuration.
    pub cfg: &'a ServiceConfig<'a>,
    /// Tables and files.
    pub store: &'a Store,
    /// The attacker's address space.
    pub attacker: &'a IpSet,
    /// Names of master.cf's `unix` services, when the unit has a master.cf
    /// (a policy server at `unix:private/NAME` must be one of them).
    pub unix_services: Option<&'a [String]>,
    /// True when the client is one of the host's own addresses (a proxy on
    /// the same machine connecting out): a `mynetworks` derived from
    /// `mynetworks_style` covers it, whatever the style.
    pub host_client: bool,
    /// What the unit's services share.
    pub cache: &'a UnitCache,
}

/// Work shared by every service and attacker of one unit.
#[derive(Default)]
pub struct UnitCache {
    forged: ForgedMatches,
}

struct Eval<'a> {
    ctx: &'a Context<'a>,
    client: IpAddr,
    rcpt: Recipient,
    classes: &'a [String],
    forged: &'a ForgedMatches,
    version: Option<Version>,
    tls: bool,
    allow_untrusted_routing: bool,
}

const MAX_DEPTH: usize = 16;

/// The entries of an access table that a value the attacker forges (HELO,
/// sender, client name) can hit, and how the witness shows each, per table
/// and lookup: the same for every service, client address and recipient,
/// so worked out once per unit.
type ForgedMatches = RefCell<HashMap<(String, &'static str, bool), Rc<ForgedEntries>>>;

/// Indices into the table's entries with how the witness shows each, in
/// file order; `catch_all` when the last one matches every value.
struct ForgedEntries {
    hits: Vec<(usize, Shown)>,
    catch_all: bool,
}

/// How the witness describes the forged value that hits an entry. Only the
/// first entry of each action becomes an alternative, so the text is
/// written then, not for every entry of the table.
#[derive(Clone, Copy)]
enum Shown {
    /// A forged HELO name or sender (`what`) that the entry matches.
    Forged(&'static str),
    /// A client without reverse DNS: its name is `unknown`.
    NoReverseDns,
    /// A client name under a domain the attacker can hold.
    AttackerName,
}

impl Shown {
    fn render(self, e: &Entry) -> String {
        match self {
            Shown::Forged(what) => forged_description(e, what),
            Shown::NoReverseDns => "a client without reverse DNS (name `unknown`)".to_string(),
            Shown::AttackerName => {
                let key = match &e.pattern {
                    Pattern::Key(k) => k,
                    _ => &e.key_text,
                };
                format!("an attacker-controlled client name under `{key}`")
            }
        }
    }
}

/// Who hit an access-table entry: said outright, or a forged value
/// described when needed.
enum Who {
    Said(String),
    Hit(Shown),
}

/// Evaluates one service.
pub fn evaluate(ctx: &Context) -> Verdict {
    let cfg = ctx.cfg;
    let classes: Vec<String> = cfg
        .get("smtpd_restriction_classes")
        .tokens()
        .into_iter()
        .map(|t| t.text)
        .collect();
    for class in &classes {
        if cfg.get(class).text.s.trim().is_empty() {
            let span = cfg
                .get("smtpd_restriction_classes")
                .text
                .tokens()
                .into_iter()
                .find(|t| &t.text == class)
                .and_then(|t| t.span);
            return Verdict::RefusesToStart(StartupFailure {
                reason: format!("restriction class `{class}` needs a definition"),
                spans: vec![Step::new(span, "declared here, never defined")],
            });
        }
    }
    if let Some(f) = startup_check(cfg, &classes) {
        return Verdict::RefusesToStart(f);
    }
    let level = cfg.level();
    let relay_first = cfg
        .get("smtpd_relay_before_recipient_restrictions")
        .is_yes();
    let mut order = vec![ListKind::Client, ListKind::Helo, ListKind::Sender];
    if relay_first {
        order.extend([ListKind::Relay, ListKind::Recipient]);
    } else {
        order.extend([ListKind::Recipient, ListKind::Relay]);
    }
    let _ = level;
    let tls = {
        let lvl = cfg
            .get("smtpd_tls_security_level")
            .text
            .s
            .trim()
            .to_ascii_lowercase();
        matches!(lvl.as_str(), "may" | "encrypt")
            || cfg.get("smtpd_use_tls").is_yes()
            || cfg.get("smtpd_enforce_tls").is_yes()
    };
    let allow_untrusted_routing = cfg.get("allow_untrusted_routing").is_yes();
    // Walked by several of the questions below: split once.
    let lists = restriction_lists(cfg, &order, &classes);
    let mut recipients = foreign_recipients(ctx, &lists);
    if let Some(hit) = first_plain_domain(cfg) {
        recipients.push(Recipient::Routed {
            domain: hit.text.clone(),
            hit,
        });
    }
    let clients = distinct_clients(ctx, &lists, candidate_clients(ctx, &lists));
    let mut first_block = None;
    for rcpt in &recipients {
        for &client in &clients {
            let ev = Eval {
                ctx,
                client,
                rcpt: rcpt.clone(),
                classes: &classes,
                forged: &ctx.cache.forged,
                version: cfg.version,
                tls,
                allow_untrusted_routing,
            };
            match ev.chain(&order) {
                Ok(lists) => {
                    return Verdict::Open(Witness {
                        client,
                        recipient: rcpt.clone(),
                        lists,
                    })
                }
                Err(block) => {
                    if first_block.is_none() {
                        first_block = Some(block);
                    }
                }
            }
        }
    }
    Verdict::Closed(first_block)
}

/// A relay domain that is not also local: routing through a local domain
/// is undone by the resolver (`user%victim@local` becomes `user@victim`).
fn first_plain_domain(cfg: &ServiceConfig) -> Option<Hit> {
    let (tokens, _) = matchlist::list_tokens(&cfg.get("relay_domains").text);
    let local: Vec<String> = cfg
        .get("mydestination")
        .tokens()
        .into_iter()
        .map(|t| t.text.to_ascii_lowercase())
        .collect();
    tokens
        .into_iter()
        .find(|t| {
            !t.text.contains([':', '/', '!'])
                && !t.text.starts_with('.')
                && t.text.contains('.')
                && !local.contains(&t.text.to_ascii_lowercase())
        })
        .map(|t| Hit {
            text: t.text.trim_start_matches('.').to_string(),
            span: t.span,
        })
}

/// True when the list (classes expanded) holds a required restriction before
/// any `permit`, skipping the entry after `warn_if_reject`.
fn has_required(cfg: &ServiceConfig, tokens: &[Token], classes: &[String], depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let list = items(tokens);
    let mut skip = false;
    for item in &list {
        if skip {
            skip = false;
            continue;
        }
        if item.name == "permit" {
            return false;
        }
        if item.name == "warn_if_reject" {
            skip = true;
            continue;
        }
        if REQUIRED.contains(&item.name.as_str()) {
            return true;
        }
        if classes.contains(&item.token.text)
            && has_required(cfg, &cfg.get(&item.token.text).tokens(), classes, depth + 1)
        {
            return true;
        }
    }
    false
}

/// The class the startup check would enter again while looking for a
/// required restriction (Postfix has no depth limit there: smtpd crashes).
fn class_cycle(
    cfg: &ServiceConfig,
    tokens: &[Token],
    classes: &[String],
    stack: &mut Vec<String>,
) -> Option<(String, Option<Span>)> {
    let mut skip = false;
    for item in items(tokens) {
        if skip {
            skip = false;
            continue;
        }
        if item.name == "permit" || REQUIRED.contains(&item.name.as_str()) {
            return None;
        }
        if item.name == "warn_if_reject" {
            skip = true;
            continue;
        }
        let name = &item.token.text;
        if classes.contains(name) {
            if stack.contains(name) {
                return Some((name.clone(), item.token.span));
            }
            stack.push(name.clone());
            let found = class_cycle(cfg, &cfg.get(name).tokens(), classes, stack);
            stack.pop();
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

fn startup_check(cfg: &ServiceConfig, classes: &[String]) -> Option<StartupFailure> {
    // smtpd opens every `type:name` word of every restriction list when it
    // starts; a word with an empty type or name (`was:` or `TODO:` from a
    // trailing comment) is fatal.
    let lists = [
        "smtpd_client_restrictions",
        "smtpd_helo_restrictions",
        "smtpd_sender_restrictions",
        "smtpd_relay_restrictions",
        "smtpd_recipient_restrictions",
        "smtpd_data_restrictions",
        "smtpd_end_of_data_restrictions",
        "smtpd_etrn_restrictions",
    ];
    for name in lists
        .iter()
        .copied()
        .chain(classes.iter().map(String::as_str))
    {
        for tok in cfg.get(name).tokens() {
            if tok.text.starts_with('[') {
                continue;
            }
            if let Some((ty, rest)) = tok.text.split_once(':') {
                if ty.is_empty() || rest.is_empty() {
                    return Some(StartupFailure {
                        reason: format!("`{}` in `{name}` is not a `type:name` table: smtpd stops with \"expecting type:name form\"", tok.text),
                        spans: vec![Step::new(tok.span, "smtpd cannot open this as a table")],
                    });
                }
            }
        }
    }
    let relay = cfg.get("smtpd_relay_restrictions");
    let rcpt = cfg.get("smtpd_recipient_restrictions");
    for list in [&relay, &rcpt] {
        if let Some((class, span)) = class_cycle(cfg, &list.tokens(), classes, &mut Vec::new()) {
            return Some(StartupFailure {
                reason: format!("restriction class `{class}` contains itself: smtpd's startup check recurses until it crashes"),
                spans: vec![Step::new(span, "this class leads back to itself")],
            });
        }
        if has_required(cfg, &list.tokens(), classes, 0) {
            break;
        }
    }
    if has_required(cfg, &relay.tokens(), classes, 0)
        || has_required(cfg, &rcpt.tokens(), classes, 0)
    {
        return None;
    }
    let mut spans = Vec::new();
    for (name, v) in [
        ("smtpd_relay_restrictions", &relay),
        ("smtpd_recipient_restrictions", &rcpt),
    ] {
        let text = v.text.s.trim();
        let msg = if text.is_empty() {
            format!("`{name}` is empty")
        } else if let Some(p) = v
            .tokens()
            .iter()
            .find(|t| t.text.eq_ignore_ascii_case("permit"))
        {
            spans.push(Step::new(
                p.span,
                "the startup check stops at this `permit`",
            ));
            continue;
        } else {
            format!("`{name}` has no `reject_unauth_destination` or equivalent")
        };
        spans.push(Step::new(v.origin_span(), msg));
    }
    Some(StartupFailure {
        reason: "neither `smtpd_relay_restrictions` nor `smtpd_recipient_restrictions` holds a working `reject_unauth_destination`, `defer_unauth_destination`, `reject`, `defer`, `defer_if_permit` or `check_relay_domains`".into(),
        spans,
    })
}

/// Addresses to try: one untrusted address outside every network the
/// config names, then one inside each such network.
fn candidate_clients(ctx: &Context, lists: &[Vec<Token>]) -> Vec<IpAddr> {
    let cfg = ctx.cfg;
    let attacker = ctx.attacker.intersect(&client_families(cfg));
    // One address (a client on the host itself): it is its own only
    // candidate, whatever the networks below.
    if let Some(ip) = attacker.single() {
        return vec![ip];
    }
    let mut nets = Vec::new();
    let (mn, _) = matchlist::list_tokens(&cfg.get("mynetworks").text);
    matchlist::networks(&mn, ctx.store, 0, &mut nets);
    for toks in lists {
        for item in items(toks) {
            if item.name.starts_with("check_client")
                || item.name == "check_reverse_client_hostname_access"
            {
                if let Some(arg) = &item.arg {
                    if let Some(r) = parse_ref(arg) {
                        if let TableState::Loaded(t) = &*ctx.store.table(&r) {
                            matchlist::table_networks(t, &mut nets);
                        }
                    }
                }
            }
        }
    }
    // Large networks first, so that a catch-all is never cut off by the
    // cap below when hundreds of host entries precede it.
    nets.sort_by_key(|n| n.prefix_len());
    let mut out = Vec::new();
    if let Some(ip) = attacker.subtract(&IpSet::from_nets(&nets)).sample() {
        out.push(ip);
    }
    // A set beside the list: up to 256 candidates, each checked against
    // the others, was quadratic.
    let mut seen: foldhash::HashSet<IpAddr> = out.iter().copied().collect();
    for n in &nets {
        if let Some(ip) = attacker.sample_within(n) {
            if seen.insert(ip) {
                out.push(ip);
            }
        }
        if out.len() >= 256 {
            break;
        }
    }
    out
}

/// Clients of the address families smtpd listens on (`inet_protocols`;
/// `all` unless set otherwise).
fn client_families(cfg: &ServiceConfig) -> IpSet {
    let protocols = cfg.get("inet_protocols").text.s.to_ascii_lowercase();
    let v4 = protocols.trim().is_empty() || protocols.contains("all") || protocols.contains("ipv4");
    let v6 = protocols.trim().is_empty() || protocols.contains("all") || protocols.contains("ipv6");
    IpSet::from_nets(
        &[(v4, "0.0.0.0/0"), (v6, "::/0")]
            .iter()
            .filter(|(on, _)| *on)
            .filter_map(|(_, n)| n.parse().ok())
            .collect::<Vec<ipnet::IpNet>>(),
    )
}

fn describe_origin(v: &Value) -> &'static str {
    match v.origin {
        ValueOrigin::Override(_) => "master.cf override",
        ValueOrigin::Main(_) => "main.cf",
        ValueOrigin::Default => "default",
    }
}

impl Eval<'_> {
    fn cfg(&self) -> &ServiceConfig<'_> {
        self.ctx.cfg
    }

    /// The [`ForgedEntries`] cached under `key`, worked out by `compute` the
    /// first time.
    fn forged_entries_of(
        &self,
        key: (String, &'static str, bool),
        compute: impl FnOnce() -> ForgedEntries,
    ) -> Rc<ForgedEntries> {
        if let Some(f) = self.forged.borrow().get(&key) {
            return f.clone();
        }
        let f = Rc::new(compute());
        self.forged.borrow_mut().insert(key, f.clone());
        f
    }

    fn chain(&self, order: &[ListKind]) -> Result<Vec<ListPass>, Block> {
        let mut passes = Vec::new();
        for &kind in order {
            let value = self.cfg().get(kind.param());
            let tokens = value.tokens();
            if tokens.is_empty() {
                continue;
            }
            let classes = &self.classes;
            let holds = has_required(self.cfg(), &tokens, classes, 0);
            let alts = self.list(&tokens, kind, 0, true);
            let pass = alts
                .iter()
                .filter(|a| a.outcome == Outcome::Permit && !a.dip)
                .min_by_key(|a| a.steps.len());
            match pass {
                Some(a) => passes.push(ListPass {
                    list: kind,
                    value: value.clone(),
                    steps: a.steps.clone(),
                    decisive: a.decisive,
                    holds_relay_check: holds,
                }),
                None => {
                    let steps = alts
                        .into_iter()
                        .find(|a| a.outcome != Outcome::Permit)
                        .map(|a| a.steps)
                        .unwrap_or_default();
                    return Err(Block { list: kind, steps });
                }
            }
            let _ = describe_origin(&value);
        }
        Ok(passes)
    }

    /// All outcomes of a list. `top` lists end in PERMIT; classes and
    /// access-table restriction lists end in DUNNO.
    fn list(&self, tokens: &[Token], kind: ListKind, depth: usize, top: bool) -> Vec<Alt> {
        let mut done: Vec<Alt> = Vec::new();
        let mut live: Vec<Alt> = vec![Alt::new(Outcome::Dunno, Vec::new())];
        if depth > MAX_DEPTH {
            return vec![Alt::new(
                Outcome::Reject,
                vec![Step::new(
                    None,
                    "restriction nesting too deep: server error",
                )],
            )];
        }
        let list = items(tokens);
        let mut warn_next = false;
        for item in &list {
            if live.is_empty() {
                break;
            }
            if item.name == "warn_if_reject" {
                warn_next = true;
                continue;
            }
            let mut alts = self.item(item, kind, depth);
            if warn_next {
                for a in &mut alts {
                    // A warned `defer_if_permit` is only logged.
                    a.dip = false;
                    if a.outcome == Outcome::Reject {
                        a.outcome = Outcome::Dunno;
                        a.decisive = None;
                        a.steps.push(Step::new(
                            item.token.span,
                            format!(
                                "`warn_if_reject` turns `{}` into a logged warning",
                                item.token.text
                            ),
                        ));
                    }
                }
                warn_next = false;
            }
            let mut next_live: Vec<Alt> = Vec::new();
            for path in &live {
                for a in &alts {
                    // Only the first path of each outcome is kept: decide
                    // before building its steps.
                    let dip = path.dip || a.dip;
                    let kept = match a.outcome {
                        Outcome::Dunno => !next_live.iter().any(|l| l.dip == dip),
                        _ => !done.iter().any(|d| d.outcome == a.outcome && d.dip == dip),
                    };
                    if !kept {
                        continue;
                    }
                    let mut steps = path.steps.clone();
                    let base = steps.len();
                    steps.extend(a.steps.iter().cloned());
                    let merged = Alt {
                        outcome: a.outcome,
                        dip,
                        decisive: a.decisive.map(|d| base + d).or(path.decisive),
                        steps,
                    };
                    match a.outcome {
                        Outcome::Dunno => next_live.push(merged),
                        _ => done.push(merged),
                    }
                }
            }
            live = next_live;
        }
        for mut path in live {
            if top {
                path.outcome = Outcome::Permit;
                path.decisive = path.decisive.or(path.steps.len().checked_sub(1));
            }
            done.push(path);
        }
        done
    }

    /// True when `parent_domain_matches_subdomains` lists `what`: then a
    /// bare `example.com` also matches its subdomains.
    fn parent_matches(&self, what: &str) -> bool {
        self.cfg().parent_matches(what)
    }

    /// True when the recipient table of an address class accepts
    /// `local@domain`: the table is empty (no check), or it has a catch-all
    /// or an entry for that address. Networked tables and the password
    /// file do not know the attacker's made-up recipient.
    fn recipient_listed(&self, maps: &str, local: &str, domain: &str) -> bool {
        let cfg = self.cfg();
        if !cfg
            .get("smtpd_reject_unlisted_recipient")
            .text
            .s
            .trim()
            .is_empty()
            && !cfg.get("smtpd_reject_unlisted_recipient").is_yes()
        {
            return true;
        }
        let tokens = cfg.get(maps).tokens();
        if tokens.is_empty() {
            return true;
        }
        let addr = format!("{local}@{domain}").to_ascii_lowercase();
        let keys = [
            addr.clone(),
            local.to_ascii_lowercase(),
            format!("@{}", domain.to_ascii_lowercase()),
        ];
        tokens
            .iter()
            .filter_map(parse_ref)
            .any(|r| match &*self.ctx.store.table(&r) {
                TableState::Loaded(t) => t.entries.iter().any(|e| match &e.pattern {
                    Pattern::Key(k) => keys.iter().any(|x| x.as_str() == &**k),
                    Pattern::Any => true,
                    Pattern::Regex(_) => e.matches(&addr, None),
                    Pattern::Net(_) => false,
                }),
                _ => false,
            })
    }

    fn authorized(&self) -> Option<Vec<Step>> {
        let cfg = self.cfg();
        match &self.rcpt {
            Recipient::Routed { domain, hit } => {
                let (relay, _) = matchlist::list_tokens(&cfg.get("relay_domains").text);
                let listed = matchlist::match_domain(
                    &relay,
                    domain,
                    self.parent_matches("relay_domains"),
                    self.ctx.store,
                    0,
                )
                .is_match();
                if self.allow_untrusted_routing && listed {
                    let origin = cfg.get("allow_untrusted_routing").origin_span();
                    Some(vec![
                        Step::new(hit.span, format!("`{domain}` is a relay domain")),
                        Step::new(
                            origin,
                            format!(
                                "`allow_untrusted_routing = yes` accepts `{}`",
                                self.rcpt.address()
                            ),
                        ),
                    ])
                } else {
                    None
                }
            }
            Recipient::Foreign { local, domain } => {
                // The address class, in trivial-rewrite's order; the first
                // class that takes the domain also decides which table must
                // know the recipient (smtpd_reject_unlisted_recipient).
                for (param, subdomains, maps) in [
                    ("mydestination", false, "local_recipient_maps"),
                    ("virtual_alias_domains", false, "virtual_alias_maps"),
                    ("virtual_mailbox_domains", false, "virtual_mailbox_maps"),
                    (
                        "relay_domains",
                        self.parent_matches("relay_domains"),
                        "relay_recipient_maps",
                    ),
                ] {
                    let (tokens, _) = matchlist::list_tokens(&cfg.get(param).text);
                    if let MatchResult::Match {
                        hit,
                        negated: false,
                    } = matchlist::match_domain(&tokens, domain, subdomains, self.ctx.store, 0)
                    {
                        if !self.recipient_listed(maps, local, domain) {
                            return None;
                        }
                        return Some(vec![Step::new(
                            hit.span,
                            format!("`{}` in `{param}` accepts `{domain}`", hit.text),
                        )]);
                    }
                }
                None
            }
        }
    }

    /// True when `inet_interfaces` names `addr` (an address of the host),
    /// or every interface.
    fn listens_on(&self, addr: IpAddr) -> bool {
        let tokens = self.cfg().get("inet_interfaces").tokens();
        tokens.is_empty()
            || tokens.iter().any(|t| {
                let t = t.text.as_str();
                t.eq_ignore_ascii_case("all")
                    || (addr.is_loopback() && super::listener::is_loopback(t))
                    || t.trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<IpAddr>()
                        == Ok(addr)
            })
    }

    fn item(&self, item: &Item, kind: ListKind, depth: usize) -> Vec<Alt> {
        let span = item.token.span;
        let name = item.name.as_str();
        let t = &item.token.text;
        let one = |o: Outcome, msg: String| vec![Alt::new(o, vec![Step::new(span, msg)])];
        let dunno = || vec![Alt::new(Outcome::Dunno, Vec::new())];
        match name {
            "permit" => one(Outcome::Permit, format!("`{t}` lets every client through")),
            "reject" | "defer" => one(Outcome::Reject, format!("`{t}` stops the attacker")),
            "reject_unauth_destination"
            | "defer_unauth_destination"
            | "permit_auth_destination" => match self.authorized() {
                Some(mut steps) => {
                    let o = if name == "permit_auth_destination" {
                        Outcome::Permit
                    } else {
                        Outcome::Dunno
                    };
                    steps.push(Step::new(
                        span,
                        format!("`{t}` lets `{}` through", self.rcpt.address()),
                    ));
                    let mut a = Alt::new(o, steps);
                    if o == Outcome::Dunno {
                        a.decisive = a.steps.len().checked_sub(1);
                    }
                    vec![a]
                }
                None if name == "permit_auth_destination" => dunno(),
                None => one(
                    Outcome::Reject,
                    format!("`{t}` rejects `{}`", self.rcpt.address()),
                ),
            },
            "permit_mynetworks" => {
                let mynetworks = self.cfg().get("mynetworks");
                // Unset, `mynetworks` comes from `mynetworks_style` over the
                // addresses Postfix listens on (`inet_interfaces`); each
                // style (host, subnet, class) covers those addresses. Only a
                // client on the host itself is decided this way.
                if mynetworks.origin_span().is_none()
                    && self.ctx.host_client
                    && self.listens_on(self.client)
                {
                    return vec![Alt::new(
                        Outcome::Permit,
                        vec![Step::new(
                            span,
                            format!(
                                "`{t}` permits {}: `mynetworks` is not set, and the one Postfix derives from `mynetworks_style` covers the addresses it listens on",
                                if self.client.is_loopback() {
                                    format!("`{}`", self.client)
                                } else {
                                    "the host's own address".to_string()
                                }
                            ),
                        )],
                    )];
                }
                let (tokens, _) = matchlist::list_tokens(&mynetworks.text);
                match matchlist::match_client(&tokens, self.client, self.ctx.store, 0) {
                    MatchResult::Match {
                        hit,
                        negated: false,
                    } => vec![Alt::new(
                        Outcome::Permit,
                        vec![
                            Step::new(
                                hit.span,
                                format!(
                                    "`{}` puts the attacker's address `{}` in `mynetworks`",
                                    hit.text, self.client
                                ),
                            ),
                            Step::new(span, format!("`{t}` permits `{}`", self.client)),
                        ],
                    )],
                    MatchResult::Error(hit) => vec![Alt::new(
                        Outcome::Reject,
                        vec![Step::new(
                            hit.span,
                            format!(
                                "`{}` gives a lookup error: every client gets a temporary failure",
                                hit.text
                            ),
                        )],
                    )],
                    _ => dunno(),
                }
            }
            "permit_naked_ip_address" => {
                if self.version.is_some_and(|v| v >= Version(3, 9, 0)) {
                    one(
                        Outcome::Reject,
                        format!("`{t}` was removed in Postfix 3.9: server error"),
                    )
                } else {
                    one(
                        Outcome::Permit,
                        format!("`{t}` permits any client that sends `HELO [192.0.2.1]`"),
                    )
                }
            }
            "check_relay_domains" => {
                if self.version.is_some_and(|v| v >= Version(3, 9, 0)) {
                    one(
                        Outcome::Reject,
                        format!("`{t}` was removed in Postfix 3.9: server error"),
                    )
                } else if let Some(mut steps) = self.authorized() {
                    steps.push(Step::new(
                        span,
                        format!("`{t}` permits `{}`", self.rcpt.address()),
                    ));
                    vec![Alt::new(Outcome::Permit, steps)]
                } else {
                    one(
                        Outcome::Reject,
                        format!("`{t}` rejects `{}`", self.rcpt.address()),
                    )
                }
            }
            "permit_tls_all_clientcerts" => {
                let cfg = self.cfg();
                let ask = cfg.get("smtpd_tls_ask_ccert").is_yes();
                let public_ca = cfg.get("tls_append_default_CA").is_yes()
                    || ["smtpd_tls_CApath", "smtpd_tls_CAfile"].iter().any(|p| {
                        let v = cfg.get(p).text.s;
                        v.contains("/etc/ssl/certs")
                            || v.contains("ca-certificates")
                            || v.contains("ca-bundle")
                    });
                if ask && public_ca {
                    one(
                        Outcome::Permit,
                        format!("`{t}` permits any client certificate signed by a public CA"),
                    )
                } else {
                    dunno()
                }
            }
            "reject_plaintext_session" => {
                if self.tls {
                    dunno()
                } else {
                    one(
                        Outcome::Reject,
                        format!("`{t}` rejects every session: TLS is not offered"),
                    )
                }
            }
            "defer_if_permit" => {
                let mut a = Alt::new(
                    Outcome::Dunno,
                    vec![Step::new(
                        span,
                        format!("`{t}` turns any later permit into a deferral"),
                    )],
                );
                a.dip = true;
                vec![a]
            }
            "check_policy_service" => {
                let target = item.arg.as_ref().map(|a| a.text.as_str()).unwrap_or("");
                let local = target.strip_prefix("unix:").unwrap_or(target);
                let missing = match (local.strip_prefix("private/"), self.ctx.unix_services) {
                    (Some(name), Some(services)) if !target.starts_with("inet:") => {
                        !services.iter().any(|s| s == name)
                    }
                    _ => false,
                };
                if missing {
                    one(Outcome::Reject, format!("`{target}` is not a service in master.cf: the policy lookup fails with a 451"))
                } else {
                    vec![Alt::new(
                        Outcome::Dunno,
                        vec![Step::new(span, "the policy server's answer is unknown; relaylint assumes it says DUNNO")],
                    )]
                }
            }
            _ if name.starts_with("reject_rbl_client")
                || name.starts_with("reject_rhsbl_")
                || name == "permit_dnswl_client"
                || name == "permit_rhswl_client"
                || name == "sleep" =>
            {
                dunno()
            }
            _ if name.starts_with("check_") && name.ends_with("_access") => {
                self.access(item, kind, depth)
            }
            _ if ATTACKER_PASSES.contains(&name) => dunno(),
            _ if self.classes.contains(t) => {
                let value = self.cfg().get(t);
                let mut alts = self.list(&value.tokens(), kind, depth + 1, false);
                for a in &mut alts {
                    if a.outcome == Outcome::Permit {
                        a.steps
                            .insert(0, Step::new(span, format!("restriction class `{t}`")));
                        a.decisive = a.decisive.map(|d| d + 1);
                    }
                }
                alts
            }
            _ if t.contains(':') && !t.starts_with('[') => {
                let default = match kind {
                    ListKind::Client => "check_client_access",
                    ListKind::Helo => "check_helo_access",
                    ListKind::Sender => "check_sender_access",
                    ListKind::Relay | ListKind::Recipient => "check_recipient_access",
                };
                let implied = Item {
                    name: default.into(),
                    token: item.token.clone(),
                    arg: Some(item.token.clone()),
                };
                self.access(&implied, kind, depth)
            }
            _ => one(
                Outcome::Reject,
                format!("unknown restriction `{t}`: every recipient gets a 451 server error"),
            ),
        }
    }

    fn access(&self, item: &Item, kind: ListKind, depth: usize) -> Vec<Alt> {
        let span = item.token.span;
        let Some(arg) = &item.arg else {
            return vec![Alt::new(
                Outcome::Reject,
                vec![Step::new(
                    span,
                    format!("`{}` without a table: server error", item.token.text),
                )],
            )];
        };
        let Some(r) = parse_ref(arg) else {
            return vec![Alt::new(
                Outcome::Reject,
                vec![Step::new(
                    arg.span,
                    format!("`{}` is not a table: server error", arg.text),
                )],
            )];
        };
        let state = self.ctx.store.table(&r);
        let t = match &*state {
            TableState::Loaded(t) => t,
            TableState::Missing => {
                return vec![Alt::new(
                    Outcome::Reject,
                    vec![Step::new(
                        arg.span,
                        format!(
                            "`{}` cannot be read: lookups fail with a temporary error",
                            r.display()
                        ),
                    )],
                )]
            }
            TableState::External => return vec![Alt::new(Outcome::Dunno, Vec::new())],
        };
        let name = item.name.as_str();
        // check_*_{a,mx,ns}_access may not return OK (server error), and
        // depend on DNS the attacker controls: treat them as passing.
        if name.ends_with("_a_access")
            || name.ends_with("_mx_access")
            || name.ends_with("_ns_access")
            || name == "check_ccert_access"
            || name == "check_sasl_access"
        {
            return vec![Alt::new(Outcome::Dunno, Vec::new())];
        }
        let what = if name.starts_with("check_helo") {
            "HELO"
        } else if name.starts_with("check_sender") {
            "sender"
        } else if name.starts_with("check_recipient") {
            "recipient"
        } else {
            "client"
        };
        let mut matched: Vec<(&Entry, Who)> = Vec::new();
        let mut unmatched_possible = true;
        match what {
            "HELO" | "sender" => {
                let bare_parents = self.parent_matches("smtpd_access_maps");
                let found = self.forged_entries_of((r.display(), what, bare_parents), || {
                    forged_entries(t, what, bare_parents)
                });
                for &(i, shown) in &found.hits {
                    if let Some(e) = t.entries.get(i) {
                        if !matched.iter().any(|(m, _)| m.value == e.value) {
                            matched.push((e, Who::Hit(shown)));
                        }
                    }
                }
                if found.catch_all {
                    unmatched_possible = false;
                }
            }
            "recipient" => {
                let addr = self.rcpt.address();
                let (local, domain) = match &self.rcpt {
                    Recipient::Foreign { local, domain } => (local.clone(), domain.clone()),
                    Recipient::Routed { domain, .. } => {
                        ("victim%example.net".to_string(), domain.clone())
                    }
                };
                // Indexed tables: full address, then the domain and its
                // parents, then `local@`. Pattern tables: first match.
                let found = if r.kind == TableKind::Indexed || r.kind == TableKind::Inline {
                    let key_is = |k: &str| t.entry_for_key(k);
                    let mut parents = vec![domain.to_ascii_lowercase()];
                    let mut d = domain.to_ascii_lowercase();
                    let bare_parents = self.parent_matches("smtpd_access_maps");
                    while let Some((_, rest)) = d.split_once('.') {
                        if bare_parents {
                            parents.push(rest.to_string());
                        } else {
                            parents.push(format!(".{rest}"));
                        }
                        d = rest.to_string();
                    }
                    key_is(&addr.to_ascii_lowercase())
                        .or_else(|| parents.iter().find_map(|p| key_is(p)))
                        .or_else(|| key_is(&format!("{}@", local.to_ascii_lowercase())))
                } else {
                    t.entries.iter().find(|e| e.matches(&addr, None))
                };
                if let Some(e) = found {
                    matched.push((e, Who::Said(format!("recipient `{addr}`"))));
                    unmatched_possible = false;
                }
            }
            _ => {
                if let Some(e) = client_entry(t, r.kind, self.client) {
                    matched.push((
                        e,
                        Who::Said(format!("the attacker's address `{}`", self.client)),
                    ));
                    unmatched_possible = false;
                }
                // Without reverse DNS the client name is `unknown`, and
                // the name is looked up before the address; the attacker
                // also controls names under its own domains. Neither
                // depends on the client address: worked out once per table.
                let names = self
                    .forged_entries_of((r.display(), "client", false), || client_name_entries(t));
                for &(i, shown) in &names.hits {
                    if let Some(e) = t.entries.get(i) {
                        matched.push((e, Who::Hit(shown)));
                    }
                }
            }
        }
        let mut alts = Vec::new();
        if unmatched_possible {
            alts.push(Alt::new(Outcome::Dunno, Vec::new()));
        }
        // Entries with the same action give the same outcomes; `list` keeps
        // the first alternative of each outcome, so later ones only cost.
        let mut actions: Vec<&str> = Vec::new();
        for (e, who) in matched {
            if actions.contains(&e.value.as_str()) {
                continue;
            }
            actions.push(&e.value);
            let who = match who {
                Who::Said(text) => text,
                Who::Hit(shown) => shown.render(e),
            };
            let mut entry_step = Step::new(
                e.span,
                format!("{who} matches `{}` → `{}`", e.key_text, e.value),
            );
            let concrete = match &e.pattern {
                Pattern::Key(_) | Pattern::Any => Some(example_key(e, what)),
                Pattern::Regex(_) => regex_example(e, what),
                // A HELO of a bare address inside the network.
                Pattern::Net(n) if !e.negated => crate::net::IpSet::from_net(n)
                    .sample()
                    .map(|ip| ip.to_string()),
                Pattern::Net(_) => None,
            };
            if let Some(value) = concrete {
                entry_step.choice = match what {
                    "HELO" => Some(Choice::Helo(value)),
                    "sender" => Some(Choice::Sender(value)),
                    _ => None,
                };
            }
            let answer = if e.value.trim().is_empty() {
                "OK"
            } else {
                e.value.trim()
            };
            let item_step = Step::new(
                span,
                format!("`{}` answers `{answer}` for {who}", item.token.text),
            );
            for mut a in self.value_alts(&e.value, kind, depth) {
                let routed_ok = matches!(self.rcpt, Recipient::Routed { .. })
                    && what == "recipient"
                    && !self.allow_untrusted_routing;
                if routed_ok && a.outcome == Outcome::Permit {
                    a.outcome = Outcome::Dunno;
                    a.decisive = None;
                }
                let mut steps = vec![entry_step.clone()];
                steps.append(&mut a.steps);
                steps.push(item_step.clone());
                let decisive = if a.outcome == Outcome::Permit {
                    Some(steps.len() - 1)
                } else {
                    None
                };
                alts.push(Alt {
                    outcome: a.outcome,
                    steps,
                    dip: a.dip,
                    decisive,
                });
            }
        }
        alts
    }

    fn value_alts(&self, value: &str, kind: ListKind, depth: usize) -> Vec<Alt> {
        let v = value.trim();
        let word = v
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let simple = |o| vec![Alt::new(o, Vec::new())];
        // An empty result is a lookup error for smtpd (451).
        if v.is_empty() {
            return simple(Outcome::Reject);
        }
        // A value of digits only (a pop-before-smtp timestamp) means OK.
        if v.bytes().all(|b| b.is_ascii_digit())
            || word == "OK"
            || word == "RELAY"
            || word == "DISCARD"
        {
            return simple(Outcome::Permit);
        }
        // `4NN text` / `5NN text` reject; any other number is read as a
        // restriction name below (and is unknown: 451).
        let is_code = word.len() == 3
            && word.bytes().all(|b| b.is_ascii_digit())
            && (word.starts_with('4') || word.starts_with('5'));
        if word == "REJECT" || word == "DEFER" || is_code {
            return simple(Outcome::Reject);
        }
        if word == "DEFER_IF_PERMIT" {
            let mut a = Alt::new(Outcome::Dunno, Vec::new());
            a.dip = true;
            return vec![a];
        }
        if matches!(
            word.as_str(),
            "DUNNO"
                | "DEFER_IF_REJECT"
                | "FILTER"
                | "HOLD"
                | "REDIRECT"
                | "BCC"
                | "PREPEND"
                | "INFO"
                | "WARN"
        ) {
            return simple(Outcome::Dunno);
        }
        // Anything else is a restriction list, evaluated in place.
        let tokens = super::text::Text::builtin(v).tokens();
        if tokens.iter().any(|t| parse_ref(t).is_some()) {
            return simple(Outcome::Reject);
        }
        self.list(&tokens, kind, depth + 1, false)
    }
}

/// The recipients to try: a victim in each foreign domain worth probing,
/// and the local parts that recipient access tables single out (`postmaster@`).
fn foreign_recipients(ctx: &Context, lists: &[Vec<Token>]) -> Vec<Recipient> {
    let cfg = ctx.cfg;
    let mut keys = Vec::new();
    for param in [
        "relay_domains",
        "mydestination",
        "virtual_alias_domains",
        "virtual_mailbox_domains",
    ] {
        let (tokens, _) = matchlist::list_tokens(&cfg.get(param).text);
        matchlist::domain_keys(&tokens, ctx.store, 0, &mut keys);
    }
    let mut locals = vec!["victim".to_string()];
    for toks in lists {
        for item in items(toks) {
            let table = if item.name.starts_with("check_recipient") {
                item.arg.clone()
            } else if item.token.text.contains(':') && !item.token.text.starts_with('[') {
                Some(item.token.clone())
            } else {
                None
            };
            let Some(r) = table.as_ref().and_then(parse_ref) else {
                continue;
            };
            if let TableState::Loaded(t) = &*ctx.store.table(&r) {
                for e in &t.entries {
                    if let Pattern::Key(k) = &e.pattern {
                        match k.strip_suffix('@') {
                            Some(user) if !user.is_empty() && !user.contains('@') => {
                                locals.push(user.to_string())
                            }
                            _ => keys.push(k.to_string()),
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for domain in matchlist::foreign_candidates(&keys) {
        out.push(Recipient::Foreign {
            local: "victim".into(),
            domain: domain.clone(),
        });
    }
    for local in locals.into_iter().skip(1) {
        let r = Recipient::Foreign {
            local,
            domain: "example.net".into(),
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// The tokens of every restriction list the chain walks (in `order`) and of
/// every restriction class.
fn restriction_lists(
    cfg: &ServiceConfig,
    order: &[ListKind],
    classes: &[String],
) -> Vec<Vec<Token>> {
    order
        .iter()
        .map(|k| cfg.get(k.param()).tokens())
        .chain(classes.iter().map(|c| cfg.get(c).tokens()))
        .collect()
}

/// The entry a client address finds in a client access table. Fixed-key
/// tables: the address, then its shorter octet prefixes; the first key
/// found decides (DUNNO included). Pattern tables: the first entry in file
/// order.
fn client_entry(t: &Table, kind: TableKind, client: IpAddr) -> Option<&Entry> {
    if matches!(kind, TableKind::Indexed | TableKind::Inline) {
        // The address, then (IPv4) its three, two and one leading octets:
        // the octet prefixes are the address text cut at its dots.
        let full = client.to_string();
        if let Some(e) = t.entry_for_key(&full) {
            return Some(e);
        }
        if !client.is_ipv4() {
            return None;
        }
        full.rmatch_indices('.')
            .find_map(|(cut, _)| full.get(..cut).and_then(|k| t.entry_for_key(k)))
    } else if let Some(found) = t.first_covering(client) {
        found
    } else {
        let key = client.to_string();
        t.entries.iter().find(|e| e.matches(&key, Some(client)))
    }
}

/// Keeps, of `clients`, the first of each group that the service's
/// client-dependent lookups answer alike: whether `mynetworks` matches,
/// and the value (the action) each client access table named in the
/// restriction lists and classes gives. Only the witness text differs
/// within a group, so the verdicts are the same; the order is kept, so the
/// first open client (the witness) is the one a walk over all of them
/// finds. A table value that names further lookups could reach ones not
/// covered here: then every client is kept.
fn distinct_clients(ctx: &Context, lists: &[Vec<Token>], clients: Vec<IpAddr>) -> Vec<IpAddr> {
    // A client on the host itself also depends on the addresses Postfix
    // listens on; those questions ask about one client anyway.
    if ctx.host_client || clients.len() < 2 {
        return clients;
    }
    let cfg = ctx.cfg;
    let mut tables = Vec::new();
    for toks in lists {
        for item in items(toks) {
            let Some(r) = item.arg.as_ref().and_then(parse_ref) else {
                continue;
            };
            let state = ctx.store.table(&r);
            let TableState::Loaded(t) = &*state else {
                continue;
            };
            if t.names_lookups() {
                return clients;
            }
            if item.name.starts_with("check_client")
                || item.name == "check_reverse_client_hostname_access"
            {
                tables.push(r);
            }
        }
    }
    let (mynetworks, _) = matchlist::list_tokens(&cfg.get("mynetworks").text);
    let plain_mynetworks =
        matchlist::plain_networks(&mynetworks, ctx.store, 0).map(|nets| IpSet::from_nets(&nets));
    let states: Vec<(TableKind, Rc<TableState>)> = tables
        .iter()
        .map(|r| (r.kind, ctx.store.table(r)))
        .collect();
    // A set, not a list: with a few hundred candidates and a table giving
    // each its own action, a list scan per client was quadratic.
    let mut seen: foldhash::HashSet<(&str, Vec<Option<&str>>)> = foldhash::HashSet::default();
    let mut out = Vec::new();
    for client in clients {
        let membership = match &plain_mynetworks {
            Some(set) if set.contains(client) => "in mynetworks",
            Some(_) => "",
            None => match matchlist::match_client(&mynetworks, client, ctx.store, 0) {
                MatchResult::Match { negated: false, .. } => "in mynetworks",
                MatchResult::Error(_) => "lookup error",
                _ => "",
            },
        };
        let actions: Vec<Option<&str>> = states
            .iter()
            .map(|(kind, state)| match &**state {
                TableState::Loaded(t) => client_entry(t, *kind, client).map(|e| e.value.as_str()),
                _ => None,
            })
            .collect();
        if seen.insert((membership, actions)) {
            out.push(client);
        }
    }
    out
}

/// The entries of a client table that match a client name the attacker
/// has: `unknown` (no reverse DNS) first, then names under domains it
/// controls.
fn client_name_entries(t: &Table) -> ForgedEntries {
    let mut hits = Vec::new();
    let unknown = t.entries.iter().position(|e| match &e.pattern {
        Pattern::Key(k) => &**k == "unknown",
        Pattern::Regex(_) => e.matches("unknown", None),
        _ => false,
    });
    if let Some(i) = unknown {
        hits.push((i, Shown::NoReverseDns));
    }
    for (i, e) in t.entries.iter().enumerate() {
        if let Pattern::Key(k) = &e.pattern {
            if attacker_name_pattern(k) {
                hits.push((i, Shown::AttackerName));
            }
        }
    }
    ForgedEntries {
        hits,
        catch_all: false,
    }
}

/// Works out [`ForgedEntries`] for a HELO or sender table.
fn forged_entries(t: &Table, what: &'static str, bare_parents: bool) -> ForgedEntries {
    let mut hits = Vec::new();
    for (i, e) in t.entries.iter().enumerate() {
        if e.negated && matches!(e.pattern, Pattern::Any) {
            continue;
        }
        // Senders are never looked up as addresses; `.domain` keys are only
        // looked up without parent matching.
        let unreachable = match &e.pattern {
            Pattern::Net(_) => what == "sender",
            Pattern::Key(k) => k.starts_with('.') && bare_parents,
            _ => false,
        };
        if unreachable {
            continue;
        }
        hits.push((i, Shown::Forged(what)));
        if matches!(e.pattern, Pattern::Any) && e.conditions.is_empty() {
            return ForgedEntries {
                hits,
                catch_all: true,
            };
        }
    }
    ForgedEntries {
        hits,
        catch_all: false,
    }
}

/// How the witness shows a forged HELO name or sender (`what`) that hits
/// entry `e`.
fn forged_description(e: &Entry, what: &str) -> String {
    match &e.pattern {
        Pattern::Regex(_) => match regex_example(e, what) {
            Some(x) => format!("a forged {what} `{x}`"),
            None => format!("a forged {what} matching `/{}/`", e.key_text),
        },
        Pattern::Net(n) => match crate::net::IpSet::from_net(n).sample() {
            Some(ip) if !e.negated => format!("a forged {what} `{ip}`"),
            _ => format!("a forged {what} outside `{}`", e.key_text),
        },
        _ => match example_key(e, what) {
            k if k.is_empty() => "the null sender `<>`".to_string(),
            k => format!("a forged {what} `{k}`"),
        },
    }
}

fn example_key(e: &Entry, what: &str) -> String {
    match &e.pattern {
        Pattern::Key(k) if what == "sender" => {
            if &**k == "<>" {
                String::new()
            } else if let Some(user) = k.strip_suffix('@') {
                format!("{user}@example.org")
            } else if !k.contains('@') {
                format!("someone@{k}")
            } else {
                k.to_string()
            }
        }
        Pattern::Key(k) => k.to_string(),
        Pattern::Any if what == "sender" => "someone@example.org".into(),
        Pattern::Any => "client.example.org".into(),
        _ => e.key_text.to_string(),
    }
}

/// A string a simple regexp entry matches (`/\.example\.org$/` gives
/// `mail.example.org`), checked against the regexp itself. Names that
/// usually exist come first: HELO checks such as
/// `reject_unknown_helo_hostname` want a name with DNS records, and the
/// attacker may borrow any existing one.
fn regex_example(e: &Entry, what: &str) -> Option<String> {
    let body = e
        .key_text
        .trim_start_matches('^')
        .trim_end_matches('$')
        .replace("\\.", ".")
        .replace("\\@", "@");
    if body.contains(['*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '\\']) {
        return None;
    }
    let apex = body.trim_start_matches(['.', '@']).to_string();
    let whole = if body.starts_with(['.', '@']) {
        apex.clone()
    } else {
        body.clone()
    };
    let names = [
        whole,
        apex.clone(),
        format!("mail.{apex}"),
        format!("www.{apex}"),
        format!("host.{apex}"),
    ];
    names
        .into_iter()
        .map(|n| {
            if what == "sender" && !n.contains('@') {
                format!("someone@{n}")
            } else {
                n
            }
        })
        .find(|n| e.matches(n, None))
}
