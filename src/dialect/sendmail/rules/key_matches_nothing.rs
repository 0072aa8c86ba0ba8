//! SM006 sendmail-key-matches-nothing: an access key or class R entry
//! written as a CIDR network (`10.0.0.0/8`) or a compressed IPv6 address
//! (`IPv6:2001:db8::`). Sendmail matches addresses by leading octets or
//! groups of the uncompressed form, so such an entry never matches: the
//! clients it was meant for cannot relay (or are not blocked).

use super::super::tables::Tag;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

fn problem(key: &str) -> Option<&'static str> {
    let k = key.to_ascii_lowercase();
    if k.contains('/')
        && k.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == 'i')
    {
        return Some("sendmail has no CIDR notation: this key matches no address");
    }
    // `IPv6:::1` sits beside the uncompressed loopback key in stock access
    // files for older versions; harmless.
    if k.starts_with("ipv6:") && k.contains("::") && k != "ipv6:::1" {
        return Some("sendmail writes client addresses uncompressed (since 8.15): a key with `::` matches no address");
    }
    None
}

fn help(key: &str) -> String {
    if let Some((net, len)) = key.split_once('/') {
        let octets = len.parse::<usize>().map(|l| l / 8).unwrap_or(0);
        let prefix: Vec<&str> = net.split('.').take(octets.clamp(1, 4)).collect();
        return format!(
            "write the network as its leading octets, e.g. `{}` for `{key}`",
            prefix.join(".")
        );
    }
    "write every group of the prefix without `::`, e.g. `IPv6:2001:db8:0:0` (or set `confUSE_COMPRESSED_IPV6_ADDRESSES`)".into()
}

/// Reports SM006.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(String, Span, &str)> = Vec::new();
    for e in &a.model.access.entries {
        if matches!(e.tag, Tag::Connect | Tag::Untagged) {
            seen.push((e.key.clone(), e.span, "access"));
        }
    }
    for r in &a.model.class_r {
        seen.push((r.word.clone(), r.span, "class R"));
    }
    for (key, span, where_) in seen {
        let Some(why) = problem(&key) else { continue };
        out.push(
            Diagnostic::new(
                "SM006",
                format!("the {where_} entry `{key}` matches no client address"),
                span,
                why,
            )
            .with_help(help(&key)),
        );
    }
}
