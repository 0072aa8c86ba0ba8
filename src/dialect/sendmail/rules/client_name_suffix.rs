//! SM015 sendmail-client-name-suffix: a `Connect:` (or untagged) RELAY
//! entry, or a class R entry, that names a public suffix (`com`,
//! `co.uk`). Relay_ok compares it with the end of the client's host name,
//! which comes from the PTR record of the client's own address: anyone who
//! holds a domain under that suffix names his address `x.attacker.com`,
//! resolves it forward, and relays.

use super::super::evaluate::is_public_suffix;
use super::super::tables::Tag;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Reports SM015.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    if a.model.has("relay_hosts_only") || !super::exposed(a) {
        return;
    }
    let mut hits: Vec<(String, Span)> = a
        .model
        .access
        .entries
        .iter()
        .filter(|e| e.tag == Tag::Connect && e.is_relay() && is_public_suffix(&e.key))
        .map(|e| (e.describe(), e.span))
        .collect();
    // Untagged and class R entries also relay *to* the suffix: SM001
    // reports those; only name them here when SM001 is silent.
    if a.verdict.open.is_none() {
        hits.extend(
            a.model
                .access
                .entries
                .iter()
                .filter(|e| e.tag == Tag::Untagged && e.is_relay() && is_public_suffix(&e.key))
                .map(|e| (e.describe(), e.span)),
        );
    }
    for (what, span) in hits {
        out.push(
            Diagnostic::new(
                "SM015",
                format!("`{what}` lets every client named under a public suffix relay"),
                span,
                "matched against the end of the client's host name",
            )
            .with_note("the client's host name comes from the PTR record of its own address, which its owner writes; sendmail only checks that the name resolves back")
            .with_help("name the hosts or networks that may relay (`Connect:mail.example.com`, `Connect:192.0.2`), not a top-level domain"),
        );
    }
}
