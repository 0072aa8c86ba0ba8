//! PF014 postfix-spoofable-client-address: clients that may rewrite their
//! own address for access control — XCLIENT from `smtpd_authorized_xclient_hosts`,
//! or a HAProxy PROXY header on a listener that accepts it from anyone —
//! can claim an address in `mynetworks` and pass `permit_mynetworks`.

use super::super::listener::Exposure;
use super::super::matchlist::{accepted_space, list_tokens};
use super::super::Analysis;
use super::first_span;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Reports PF014, once per definition.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Span> = Vec::new();
    for lr in &a.listeners {
        if lr.exposure == Exposure::LoopbackOnly {
            continue;
        }
        let cfg = a.config(&lr.listener);
        let xclient = cfg.get("smtpd_authorized_xclient_hosts");
        let (tokens, _) = list_tokens(&xclient.text);
        let (space, hits) = accepted_space(&tokens, a.attacker, a.store);
        if !space.is_empty() {
            let primary = first_span(a, [hits.iter().find_map(|h| h.span), xclient.origin_span()]);
            if !seen.contains(&primary) {
                seen.push(primary);
                out.push(
                    Diagnostic::new(
                        "PF014",
                        format!("{} accepts XCLIENT from {}", lr.listener.describe(), space.describe_size()),
                        primary,
                        "these clients may claim any client address, `127.0.0.1` included",
                    )
                    .with_note("with XCLIENT a client replaces the address that `permit_mynetworks` and `check_client_access` look at")
                    .with_help("list only your own content filters and proxies in `smtpd_authorized_xclient_hosts`"),
                );
            }
        }
        let proxy = cfg.get("smtpd_upstream_proxy_protocol");
        if proxy.text.s.trim().eq_ignore_ascii_case("haproxy") {
            let primary = first_span(
                a,
                [
                    proxy.text.span(),
                    proxy.origin_span(),
                    lr.listener.line_span(),
                ],
            );
            if !seen.contains(&primary) {
                seen.push(primary);
                out.push(
                    Diagnostic::new(
                        "PF014",
                        format!("{} takes the client address from a PROXY header any client can send", lr.listener.describe()),
                        primary,
                        "the listener is reachable without going through the proxy",
                    )
                    .with_note("a client that connects directly can claim any address, one in `mynetworks` included")
                    .with_help("bind the listener to an address only the proxy can reach, or firewall it to the proxy"),
                );
            }
        }
    }
}
