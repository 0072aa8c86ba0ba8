//! DN001 dante-open-proxy: a client on an untrusted network opens SOCKS
//! connections through an exposed `internal:` address without
//! authenticating. One finding per exposed `internal:` line.

use super::super::evaluate::{InternalVerdict, Witness};
use super::super::syntax::{Command, Method};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// The witness as one note the differential suite can replay.
pub(crate) fn witness_note(w: &Witness) -> String {
    let q = &w.request;
    let cmd = match q.command {
        Command::Connect => "CONNECT",
        Command::Bind => "BIND",
        Command::UdpAssociate => "UDP ASSOCIATE",
        Command::BindReply => "BIND reply",
        Command::UdpReply => "UDP reply",
    };
    format!(
        "witness: client {}, SOCKS{}, method {}, {} destination {} port {}",
        q.source,
        q.version,
        q.method.name(),
        cmd,
        q.dest,
        q.port
    )
}

/// Secondary labels shared by DN001 and DN004: client rule, method entry,
/// internal line.
pub(crate) fn witness_labels(
    a: &Analysis,
    v: &InternalVerdict,
    w: &Witness,
    mut d: Diagnostic,
) -> Diagnostic {
    if let Some(c) = a.cfg.rules.get(w.client_rule) {
        d = d.with_label(
            c.head,
            format!(
                "`{}` lets the connection from {} in",
                c.describe(),
                w.request.source
            ),
        );
    }
    if let Some(s) = w.method_entry {
        let text = if w.request.method == Method::Rfc931 {
            "`rfc931`: the client's own identd names the user"
        } else {
            "`none`: no authentication"
        };
        d = d.with_label(s, text);
    }
    if let Some((_, line)) = a.cfg.internals.get(v.index) {
        d = d.with_label(*line, "reachable from untrusted networks");
    }
    d
}

/// Reports DN001.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for v in &a.internals {
        let Some(w) = &v.open else { continue };
        let Some(rule) = a.cfg.rules.get(w.socks_rule) else {
            continue;
        };
        let Some((ep, _)) = a.cfg.internals.get(v.index) else {
            continue;
        };
        let what = if w.request.port == 25 {
            "to port 25 (SMTP) and elsewhere"
        } else {
            "to foreign hosts"
        };
        let label = if w.request.port == 25 {
            format!(
                "first match for an unauthenticated SOCKS{} CONNECT to port 25: pass",
                w.request.version
            )
        } else {
            format!(
                "first match for an unauthenticated SOCKS{} CONNECT to port {}: pass",
                w.request.version, w.request.port
            )
        };
        let mut d = Diagnostic::new(
            "DN001",
            format!(
                "untrusted clients can open SOCKS connections {what} through `internal: {}` without authenticating",
                a.slice(ep.span)
            ),
            rule.head,
            label,
        );
        d = witness_labels(a, v, w, d);
        d = d.with_note(witness_note(w));
        if w.v4_bypass {
            d = d.with_note("SOCKS5 negotiation refuses this client, but the SOCKS4 request is checked only against the socks rule (CVE-2024-54662, Dante before 1.4.4)");
        }
        if w.request.method == Method::Rfc931 {
            d = d.with_note("rfc931 asks the client's own host who the user is: the attacker runs an identd that answers with any name");
        }
        let help = if w.v4_bypass {
            "require the method in the socks rule (`socksmethod: username` inside `socks pass`), or add `proxyprotocol: socks_v5` to it; upgrade to Dante 1.4.4"
        } else if w.request.method == Method::Rfc931 {
            "replace `rfc931` with `username` (or another method that checks a secret) in `socksmethod:`"
        } else {
            "remove `none` from `socksmethod:` (e.g. `socksmethod: username`), or limit `from:` of the client and socks pass rules to networks you trust"
        };
        out.push(d.with_help(help));
    }
}
