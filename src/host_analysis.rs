//! Host-level analysis: units that share a sysroot run on one machine, so a
//! proxy there can hand strangers a connection from the machine itself.
//!
//! The question asked here: does a Squid on the host let an untrusted client
//! open a CONNECT tunnel to 127.0.0.1 on a port where the host's Postfix
//! relays for a client at 127.0.0.1 without a login? Then the host is an
//! open relay through the proxy (SQ013), whatever each unit looks like on its
//! own. Each dialect answers a narrow question
//! ([`postfix::loopback_relays`], [`squid::loopback_connect`]); this module
//! only joins the answers and writes the finding.

use crate::diagnostic::Diagnostic;
use crate::dialect::postfix::{self, LoopbackRelay};
use crate::dialect::squid::evaluate::Decision;
use crate::dialect::squid::model::{Config, ListKind};
use crate::dialect::squid::{self, LoopbackReach};
use crate::load::Limits;
use crate::net::IpSet;
use crate::source::{SourceDb, Span};

/// Checks one host (a Postfix unit and a Squid unit with the same sysroot).
/// Returns the files of both and the host-level findings only.
pub fn squid_to_postfix(
    postfix: &postfix::Inputs,
    squid: &squid::Inputs,
    limits: Limits,
    attacker: &IpSet,
) -> (SourceDb, Vec<Diagnostic>) {
    let (mut db, relays) = postfix::loopback_relays(postfix, limits);
    let mut tried: Vec<u16> = Vec::new();
    for relay in &relays {
        if tried.contains(&relay.port) {
            continue;
        }
        tried.push(relay.port);
        if let Some(reach) = squid::loopback_connect(squid, limits, attacker, relay.port, &mut db) {
            let d = squid_finding(&reach, relay);
            return (db, vec![d]);
        }
    }
    (db, Vec::new())
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

fn squid_finding(reach: &LoopbackReach, relay: &LoopbackRelay) -> Diagnostic {
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
    let tunnel = format!("CONNECT {}:{}", req.host, relay.port);
    let mut d = Diagnostic::new(
        "SQ013",
        format!(
            "untrusted clients can tunnel through `http_port {port_spec}` to the local mail server on port {} ({}), which relays for 127.0.0.1: the host is an open mail relay",
            relay.port, relay.listener
        ),
        primary,
        label,
    );
    let mut seen = vec![primary];
    let mut add = |d: Diagnostic, span: Span, msg: String| {
        if seen.contains(&span) {
            return d;
        }
        seen.push(span);
        d.with_label(span, msg)
    };
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
            d = add(
                d,
                g.span,
                "this `to_localhost` deny does not match the tunnel as written".into(),
            );
        }
        None => {
            d = d.with_note(
                "no `http_access deny to_localhost` line: Squid connects to its own host like to any other",
            );
        }
    }
    if let Some(s) = relay.listener_span {
        d = add(
            d,
            s,
            format!("{} accepts connections on 127.0.0.1", relay.listener),
        );
    }
    for pass in &relay.witness.lists {
        for step in &pass.steps {
            if let Some(s) = step.span {
                d = add(d, s, step.message.clone());
            }
        }
    }
    d.with_note(format!(
        "attacker: client {} sends `{tunnel}` to `http_port {port_spec}`; the mail server sees a client at 127.0.0.1 and accepts RCPT TO:<{}> without a login",
        req.src,
        relay.witness.recipient.address()
    ))
    .with_help(
        "put `http_access deny to_localhost` before the first `allow` line, keep port 25 out of `SSL_ports`, and do not trust loopback blindly in `mynetworks` on a host that runs a proxy",
    )
}
