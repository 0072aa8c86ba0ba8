//! Host-level analysis: units that share a sysroot run on one machine, so a
//! proxy there can hand strangers a connection from the machine itself.
//!
//! The question asked here: does a proxy on the host (Squid, Dante) let an
//! untrusted client open a tunnel to the host itself (127.0.0.1, or one of
//! its own addresses) on a port where the host's Postfix relays, without a
//! login, for the address the proxy connects from? Then the host is an open
//! relay through the proxy (SQ013, DN013), whatever each unit looks like on
//! its own. Each dialect answers a narrow question
//! ([`postfix::local_relays`], [`squid::local_connect`],
//! [`dante::HostView::local_connect`]); this module only joins the answers and writes
//! the finding.
//!
//! Where the proxy connects from was measured with the real daemons: Squid
//! reaches an address of its host from that address (127.0.0.1 for
//! loopback), danted from its `external:` address even for loopback
//! targets.

use crate::diagnostic::Diagnostic;
use crate::dialect::dante;
use crate::dialect::postfix::{self, LoopbackRelay};
use crate::dialect::squid::evaluate::Decision;
use crate::dialect::squid::model::{Config, ListKind};
use crate::dialect::squid::{self, LoopbackReach};
use crate::load::Limits;
use crate::net::IpSet;
use crate::source::{SourceDb, Span};
use std::net::{IpAddr, Ipv4Addr};

/// Two unrelated documentation addresses that stand together for one
/// address of the host relaylint does not know: a verdict must hold for both.
const UNKNOWN_OWN: [[u8; 4]; 2] = [[192, 0, 2, 1], [203, 0, 113, 201]];

fn unknown_own() -> Vec<IpAddr> {
    UNKNOWN_OWN.iter().map(|a| IpAddr::from(*a)).collect()
}

fn loopback() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

/// What a host pass found: the proxy's witness, Postfix's, the address the
/// attacker aimed at.
struct Hit<R> {
    reach: R,
    relay: LoopbackRelay,
    dest: IpAddr,
}

/// Walks `groups` of destinations (each group: alternatives standing for one
/// address of the host, all of which must work) and asks Postfix which
/// listeners there relay for `clients(dest)`, then the proxy (`ask`) whether
/// the attacker reaches that port. Postfix's files are read into `db`, which
/// is returned, so that the spans of the finding resolve.
fn search<R>(
    postfix: &postfix::Inputs,
    limits: Limits,
    db: SourceDb,
    groups: &[Vec<IpAddr>],
    clients: impl Fn(IpAddr) -> Vec<IpAddr>,
    mut ask: impl FnMut(IpAddr, u16, &mut SourceDb) -> Option<R>,
) -> (SourceDb, Option<Hit<R>>) {
    // Every destination of every group, asked of Postfix in one reading.
    let queries: Vec<(IpAddr, Vec<IpAddr>)> =
        groups.iter().flatten().map(|d| (*d, clients(*d))).collect();
    // A port the proxy lets the attacker reach at no destination cannot
    // make a hit: Postfix's listeners there need no evaluation. Asked once
    // per port.
    let mut asked: Vec<(u16, bool)> = Vec::new();
    let mut port_matters = |port: u16| {
        if let Some(&(_, answer)) = asked.iter().find(|(p, _)| *p == port) {
            return answer;
        }
        let answer = groups
            .iter()
            .flatten()
            .any(|d| ask(*d, port, &mut SourceDb::new()).is_some());
        asked.push((port, answer));
        answer
    };
    let (mut db, mut answers) =
        postfix::local_relays(postfix, limits, &queries, db, &mut port_matters);
    let mut at = 0;
    for group in groups {
        let Some((&first, others)) = group.split_first() else {
            continue;
        };
        let relays = answers.get_mut(at).map(std::mem::take).unwrap_or_default();
        let other_ports: Vec<Vec<u16>> = (at + 1..at + group.len())
            .map(|i| {
                answers
                    .get(i)
                    .map(|rs| rs.iter().map(|r| r.port).collect())
                    .unwrap_or_default()
            })
            .collect();
        at += group.len();
        let mut tried: Vec<u16> = Vec::new();
        for relay in relays {
            if tried.contains(&relay.port) || !other_ports.iter().all(|p| p.contains(&relay.port)) {
                continue;
            }
            tried.push(relay.port);
            let Some(reach) = ask(first, relay.port, &mut db) else {
                continue;
            };
            let all = others
                .iter()
                .all(|d| ask(*d, relay.port, &mut SourceDb::new()).is_some());
            if all {
                let hit = Hit {
                    reach,
                    relay,
                    dest: first,
                };
                return (db, Some(hit));
            }
        }
    }
    (db, None)
}

/// Checks one host (a Postfix unit and a Squid unit with the same sysroot):
/// `view` is Squid's, read into `db` (see [`squid::analyse_with_view`]).
/// Returns `db` with Postfix's files added, and the host-level findings only.
pub fn squid_to_postfix(
    postfix: &postfix::Inputs,
    view: &squid::HostView,
    db: SourceDb,
    limits: Limits,
    attacker: &IpSet,
) -> (SourceDb, Vec<Diagnostic>) {
    // Squid reaches an address of its own host from that same address
    // unless `tcp_outgoing_address` binds another: that is the client the
    // mail server sees.
    let groups = [vec![loopback()], unknown_own()];
    let (db, hit) = search(
        postfix,
        limits,
        db,
        &groups,
        |dest| squid::outgoing_sources(view, dest),
        |dest, port, _| squid::local_connect(view, attacker, dest, port),
    );
    let diags = hit
        .map(|h| vec![squid_finding(&h.reach, &h.relay, h.dest)])
        .unwrap_or_default();
    (db, diags)
}

/// Checks one host with a Postfix unit and a Dante unit: can the attacker
/// CONNECT through danted to a port of the host where Postfix relays for
/// danted's outgoing address (DN013)?
pub fn dante_to_postfix(
    postfix: &postfix::Inputs,
    dante: &dante::Inputs,
    limits: Limits,
    attacker: &IpSet,
) -> (SourceDb, Vec<Diagnostic>) {
    // danted connects out from its `external:` address, loopback targets
    // included: that is the client Postfix sees.
    // danted's file is read first, once, for every question asked of it.
    let mut db = SourceDb::new();
    let view = dante::host_view(dante, limits, &mut db);
    let outgoing = view.outgoing_addresses();
    let named_external = outgoing.len() == 1;
    let mut groups = vec![vec![loopback()]];
    if named_external {
        groups.push(outgoing.clone());
    }
    groups.push(unknown_own());
    let (db, hit) = search(
        postfix,
        limits,
        db,
        &groups,
        |_| outgoing.clone(),
        |dest, port, _| view.local_connect(attacker, dest, port),
    );
    let diags = hit
        .map(|h| vec![dante_finding(&h.reach, &h.relay, h.dest, named_external)])
        .unwrap_or_default();
    (db, diags)
}

/// How the finding names the destination.
fn dest_text(dest: IpAddr) -> String {
    if dest.is_loopback() || !UNKNOWN_OWN.iter().any(|a| IpAddr::from(*a) == dest) {
        dest.to_string()
    } else {
        "HOST-ADDRESS".to_string()
    }
}

/// Adds labels without repeating a span.
struct Labels {
    seen: Vec<Span>,
}

impl Labels {
    fn add(&mut self, d: Diagnostic, span: Span, msg: String) -> Diagnostic {
        if self.seen.contains(&span) {
            return d;
        }
        self.seen.push(span);
        d.with_label(span, msg)
    }

    /// Postfix's side of the witness: the listener, then every step of the
    /// restriction lists that let the loopback client relay.
    fn postfix(&mut self, mut d: Diagnostic, relay: &LoopbackRelay) -> Diagnostic {
        if let Some(s) = relay.listener_span {
            d = self.add(
                d,
                s,
                format!("{} accepts connections there", relay.listener),
            );
        }
        let mut unwritten = Vec::new();
        for pass in &relay.witness.lists {
            for step in &pass.steps {
                match step.span {
                    Some(s) => d = self.add(d, s, step.message.clone()),
                    // Built-in defaults have no line to point at.
                    None => unwritten.push(step.message.clone()),
                }
            }
        }
        if unwritten.is_empty() {
            d
        } else {
            d.with_note(format!(
                "Postfix, by its defaults: {}",
                unwritten.join("; ")
            ))
        }
    }
}

fn dante_finding(
    reach: &dante::LoopbackReach,
    relay: &LoopbackRelay,
    dest: IpAddr,
    named_external: bool,
) -> Diagnostic {
    let target = format!("{}:{}", dest_text(dest), relay.port);
    let cfg = &reach.cfg;
    let w = &reach.witness;
    let internal = cfg.internals.get(reach.internal).map(|(_, s)| *s);
    let socks = cfg.rules.get(w.socks_rule);
    let client = cfg.rules.get(w.client_rule);
    let fallback = internal
        .or(cfg.anchor)
        .unwrap_or(Span::new(crate::source::FileId(0), 0..0));
    let primary = socks.map(|r| r.span).unwrap_or(fallback);
    let mut d = Diagnostic::new(
        "DN013",
        format!(
            "untrusted clients can CONNECT through danted to the local mail server on port {} ({}), which relays for danted's own outgoing address: the host is an open mail relay",
            relay.port, relay.listener
        ),
        primary,
        format!(
            "first socks rule that matches `CONNECT {target}`: `pass`"
        ),
    );
    let mut labels = Labels {
        seen: vec![primary],
    };
    if let Some(s) = internal {
        d = labels.add(d, s, "the attacker connects to this address".into());
    }
    if let Some(r) = client {
        d = labels.add(
            d,
            r.span,
            format!("this client rule admits `{}`", w.request.source),
        );
    }
    // Blocks of the loopback destination: dead when placed after the pass,
    // beside the point when the tunnel goes to another address of the host.
    let loopback_block = |r: &dante::syntax::Rule| {
        r.kind == dante::syntax::RuleKind::Socks
            && !r.pass
            && r.to.as_ref().is_some_and(|t| match &t.addr {
                dante::address::Addr::Interface(n) => dante::address::is_loopback_interface(n),
                a => a.peer_set().contains(loopback()),
            })
    };
    let before = cfg
        .rules
        .iter()
        .take(w.socks_rule)
        .find(|r| loopback_block(r));
    let after = cfg
        .rules
        .iter()
        .skip(w.socks_rule + 1)
        .find(|r| loopback_block(r));
    match (dest.is_loopback(), before, after) {
        (false, Some(r), _) => {
            d = labels.add(
                d,
                r.span,
                "this block covers loopback only: the host's own address is another way in".into(),
            );
        }
        (_, _, Some(r)) => {
            d = labels.add(
                d,
                r.span,
                "this block of the loopback destination comes after the `pass`: never reached"
                    .into(),
            );
        }
        (true, _, None) => {
            d = d.with_note(
                "no `socks block { from: 0.0.0.0/0 to: lo }` (or `to: 127.0.0.0/8`) before the pass rule: danted connects to its own host like to any other",
            );
        }
        (false, None, None) => {
            d = d.with_note(
                "no socks block of the host's own addresses or of the mail ports before the pass rule",
            );
        }
    }
    d = labels.postfix(d, relay);
    d.with_note(format!(
        "attacker: client {} sends SOCKS{} `CONNECT {target}` without authentication; danted connects from its `external:` address{}, and the mail server accepts RCPT TO:<{}> from it",
        w.request.source,
        w.request.version,
        if named_external {
            format!(" {}", relay.witness.client)
        } else {
            " (an address of this host)".to_string()
        },
        relay.witness.recipient.address()
    ))
    .with_help(if dest.is_loopback() {
        "put `socks block { from: 0.0.0.0/0 to: lo log: connect error }` (and `to: 127.0.0.0/8`) before the first `socks pass`, and require authentication for clients outside your networks"
    } else {
        "block the mail ports before the first `socks pass` (`socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 port = 25 }`, and 465, 587; `to: lo` covers loopback only), and keep danted's `external:` address out of `mynetworks`"
    })
}

/// The `http_access` line that decided, with what it means.
fn decisive(cfg: &Config, reach: &LoopbackReach) -> Option<(Span, &'static str, Option<usize>)> {
    let step = reach
        .witness
        .steps
        .iter()
        .find(|s| s.list == ListKind::Http)?;
    let lines = cfg.list(ListKind::Http);
    match step.decision {
        Decision::Line(i) => Some((
            lines.get(i)?.span,
            "first `http_access` line that matches the tunnel: `allow`",
            Some(i),
        )),
        Decision::Default(i) => Some((
            lines.get(i)?.span,
            "the last `http_access` line is a `deny`: a request no line matches is allowed",
            Some(i),
        )),
        Decision::Empty => None,
    }
}

fn squid_finding(reach: &LoopbackReach, relay: &LoopbackRelay, dest: IpAddr) -> Diagnostic {
    let cfg = &reach.config;
    let req = &reach.witness.request;
    let port_spec = cfg
        .ports
        .get(reach.port)
        .map(|p| p.spec.clone())
        .unwrap_or_default();
    let port_span = cfg.ports.get(reach.port).map(|p| p.span);
    let (primary, label, line) = match decisive(cfg, reach) {
        Some(d) => d,
        None => match port_span {
            Some(s) => (s, "this listener lets the tunnel through", None),
            None => (
                Span::new(crate::source::FileId(0), 0..0),
                "this configuration lets the tunnel through",
                None,
            ),
        },
    };
    let host = if req.dst_ip == dest && !dest.is_loopback() {
        dest_text(dest)
    } else {
        req.host.clone()
    };
    let tunnel = format!("CONNECT {host}:{}", relay.port);
    let mut d = Diagnostic::new(
        "SQ013",
        format!(
            "untrusted clients can tunnel through `http_port {port_spec}` to the local mail server on port {} ({}), which relays for the host's own address: the host is an open mail relay",
            relay.port, relay.listener
        ),
        primary,
        label,
    );
    let mut labels = Labels {
        seen: vec![primary],
    };
    let mut add = |d: Diagnostic, span: Span, msg: String| labels.add(d, span, msg);
    if let Some(s) = port_span {
        d = add(
            d,
            s,
            format!("the attacker sends `{tunnel}` to this listener"),
        );
    }
    if let (Some(i), Some(step)) = (
        line,
        reach
            .witness
            .steps
            .iter()
            .find(|s| s.list == ListKind::Http),
    ) {
        if let Some(l) = cfg.list(ListKind::Http).get(i) {
            for r in &l.acls {
                if step.matched.contains(&r.acl) {
                    if let Some(a) = cfg.acls.get(r.acl) {
                        let neg = if r.negated { "!" } else { "" };
                        d = add(d, r.span, format!("`{neg}{}` holds for `{tunnel}`", a.name));
                    }
                }
            }
        }
    }
    // Squid's own guard against tunnels to the host: `to_localhost`.
    let guard = cfg.list(ListKind::Http).iter().enumerate().find(|(_, l)| {
        !l.allow
            && l.acls.iter().any(|r| {
                !r.negated
                    && cfg
                        .acls
                        .get(r.acl)
                        .is_some_and(|a| a.name.eq_ignore_ascii_case("to_localhost"))
            })
    });
    match guard {
        Some((gi, g)) if line.is_some_and(|li| gi > li) => {
            d = add(
                d,
                g.span,
                "this `to_localhost` deny comes after the line that decides: it is never reached"
                    .into(),
            );
        }
        Some((_, g)) => {
            let why = if dest.is_loopback() {
                "this `to_localhost` deny does not match the tunnel as written"
            } else {
                "`to_localhost` covers loopback only, not the host's other addresses"
            };
            d = add(d, g.span, why.into());
        }
        None if dest.is_loopback() => {
            d = d.with_note(
                "no `http_access deny to_localhost` line: Squid connects to its own host like to any other",
            );
        }
        None => {
            d = d.with_note(
                "the tunnel goes to the host's own public address, which `to_localhost` does not cover",
            );
        }
    }
    d = labels.postfix(d, relay);
    d.with_note(format!(
        "attacker: client {} sends `{tunnel}` to `http_port {port_spec}`; the mail server sees a client at {} and accepts RCPT TO:<{}> without a login",
        req.src,
        if relay.witness.client == dest {
            format!("{} (Squid connects from the address it reaches)", dest_text(dest))
        } else {
            format!("{} (`tcp_outgoing_address`)", relay.witness.client)
        },
        relay.witness.recipient.address()
    ))
    .with_help(if dest.is_loopback() {
        "put `http_access deny to_localhost` before the first `allow` line, keep port 25 out of `SSL_ports`, and do not trust loopback blindly in `mynetworks` on a host that runs a proxy"
    } else {
        "deny CONNECT to the mail ports before the first `allow` (`acl mail_ports port 25 465 587`, `http_access deny mail_ports`; `to_localhost` covers loopback only), and set `mynetworks = 127.0.0.0/8` explicitly"
    })
}
