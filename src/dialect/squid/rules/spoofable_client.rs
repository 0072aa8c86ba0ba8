//! SQ007 squid-spoofable-client-address: untrusted clients may name another
//! client address in X-Forwarded-For (`follow_x_forwarded_for`) or a PROXY
//! protocol header (`proxy_protocol_access`), and `src` acls believe it.

use super::super::evaluate::{evaluate_for, Kind, Via};
use super::super::model::ListKind;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ007 once per list that trusts untrusted clients.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    let cfg = &k.config;
    let mut xff = false;
    let mut proxy = false;
    // A trusting list shows up as a request whose src differs from the peer.
    for v in evaluate_for(cfg, a.attacker, &[Kind::Get]) {
        for w in &v.open {
            xff |= w.request.via == Via::Xff;
            proxy |= w.request.via == Via::ProxyHeader;
        }
    }
    for (on, list, what) in [
        (xff, ListKind::FollowXff, "X-Forwarded-For"),
        (proxy, ListKind::ProxyProtocol, "PROXY protocol"),
    ] {
        if !on {
            continue;
        }
        let Some(first) = cfg.list(list).first() else {
            continue;
        };
        out.push(
            Diagnostic::new(
                "SQ007",
                format!("untrusted clients can choose the client address Squid's acls see ({what})"),
                first.span,
                "trusts headers from untrusted addresses",
            )
            .with_note("with `acl_uses_indirect_client on` (the default) every `src` acl checks the address the header names")
            .with_help("trust these headers only from your own load balancers or front-end proxies, then `deny all`"),
        );
    }
}
