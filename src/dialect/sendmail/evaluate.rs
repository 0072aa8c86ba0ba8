//! Plays sendmail's `check_rcpt` for the attacker: an untrusted client
//! address without a forward-confirmed host name, no AUTH, any envelope
//! sender it likes, and a recipient in a domain the server does not serve
//! (also written with the routing tricks: `%`, quotes, `!`).
//!
//! The order is the m4 tree's: `Local_check_rcpt`, then `Rcpt_ok` (the
//! recipient: class `w`, class `R` and `To:` RELAY, with `ParseRecipient`
//! re-checking routed local parts unless `loose_relay_check`), then
//! `Relay_ok` (the client: class `R` and `Connect:` RELAY by octet prefix,
//! then the sender for `relay_local_from` / `relay_mail_from`). Never
//! formats findings.

use super::model::Model;
use super::tables::{AccessEntry, Tag};
use crate::dialect::postfix::matchlist::attacker_name_pattern;
use crate::net::IpSet;
use crate::source::Span;
use std::net::IpAddr;

/// The kind of hole, for the message and help of SM001.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hole {
    /// `Local_check_rcpt` or `Local_Relay_Auth` accepts everything.
    LocalRuleset,
    /// A `.cf` without `check_rcpt`: nothing refuses relaying.
    NoRcptChecks,
    /// FEATURE(`promiscuous_relay').
    Promiscuous,
    /// A class R / access entry that covers a whole top-level domain.
    BroadRecipient,
    /// FEATURE(`relay_entire_domain') with `$m` a top-level domain.
    EntireDomain,
    /// A relayable domain accepts routed local parts (`loose_relay_check`,
    /// `nopercenthack`/`nouucp` with `nospecial`).
    RoutedViaRelayDomain,
    /// A class R or access Connect: entry covers attacker addresses.
    ClientAddress,
    /// FEATURE(`relay_local_from'): a forged local sender.
    LocalSender,
    /// FEATURE(`relay_mail_from'): a forged sender in the access map.
    MailFrom,
}

/// The attacker that gets through, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// Which hole.
    pub hole: Hole,
    /// Client address.
    pub client: IpAddr,
    /// Envelope sender.
    pub mail_from: String,
    /// Envelope recipient that is relayed.
    pub rcpt_to: String,
    /// The decisive span and what it says.
    pub decisive: (Span, String),
    /// Other steps, in the order sendmail walks them.
    pub steps: Vec<(Span, String)>,
}

/// The verdict for the attacker (the same for every daemon: the rulesets
/// do not depend on the port unless `M=a` is set).
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    /// `Some` when the attacker can relay.
    pub open: Option<Witness>,
}

const VICTIM: &str = "victim@example.net";
const DEFAULT_SENDER: &str = "attacker@example.org";

/// The client address used when any untrusted address will do: a
/// documentation address when the attacker space has it, and one the
/// access map does not turn away at connect time (`check_relay`).
fn any_client(m: &Model, attacker: &IpSet) -> Option<IpAddr> {
    let candidates = [
        [203, 0, 113, 66],
        [192, 0, 2, 66],
        [198, 51, 100, 66],
        [8, 8, 4, 66],
        [45, 33, 32, 66],
        [151, 101, 1, 66],
    ];
    candidates
        .iter()
        .map(|o| IpAddr::V4(std::net::Ipv4Addr::new(o[0], o[1], o[2], o[3])))
        .chain(attacker.sample())
        .find(|ip| attacker.contains(*ip) && !refused_at_connect(m, *ip))
}

/// True when `check_relay` rejects the client by its address: an access
/// `Connect:` (or untagged) entry that is neither OK, RELAY nor SKIP.
fn refused_at_connect(m: &Model, ip: IpAddr) -> bool {
    if m.access_map.is_none() {
        return false;
    }
    let key = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let g: Vec<String> = v6.segments().iter().map(|x| format!("{x:x}")).collect();
            format!("ipv6:{}", g.join(":"))
        }
    };
    lookup_address(m, &key).is_some_and(|e| {
        let v = e.value.trim().to_ascii_uppercase();
        // SKIP is special only with FEATURE(`access_db', ..., `skip');
        // otherwise it is read as an error text.
        !(v == "OK" || v == "RELAY" || (v == "SKIP" && access_option(m, "skip")) || v.is_empty())
    })
}

/// True when FEATURE(`access_db') has this option among its arguments
/// (`skip`, `lookupdotdomain`, `relaytofulladdress`).
fn access_option(m: &Model, option: &str) -> bool {
    m.feature("access_db").is_some_and(|f| {
        f.args
            .iter()
            .skip(1)
            .any(|a| a.trim().eq_ignore_ascii_case(option))
    }) || (option == "lookupdotdomain" && m.has("lookupdotdomain"))
}

/// Evaluates the model for the attacker.
pub fn evaluate(m: &Model, attacker: &IpSet) -> Verdict {
    if !m.builds() {
        return Verdict::default();
    }
    let Some(client) = any_client(m, attacker) else {
        return Verdict::default();
    };
    let plain = |hole, decisive: (Span, String), rcpt: String, from: &str| Witness {
        hole,
        client,
        mail_from: from.to_string(),
        rcpt_to: rcpt,
        decisive,
        steps: Vec::new(),
    };
    if let Some(span) = local_ruleset_accepts(m) {
        let w = plain(
            Hole::LocalRuleset,
            (
                span,
                "accepts every recipient before the relay checks".into(),
            ),
            VICTIM.into(),
            DEFAULT_SENDER,
        );
        return Verdict { open: Some(w) };
    }
    if !m.has_rcpt_checks {
        let span = m.version.as_ref().map_or(m.anchor, |v| v.span);
        let w = plain(
            Hole::NoRcptChecks,
            (
                span,
                "no `check_rcpt` ruleset: nothing refuses relaying".into(),
            ),
            VICTIM.into(),
            DEFAULT_SENDER,
        );
        return Verdict { open: Some(w) };
    }
    if let Some(f) = m.feature("promiscuous_relay") {
        let w = plain(
            Hole::Promiscuous,
            (f.span, "relays for any client to any domain".into()),
            VICTIM.into(),
            DEFAULT_SENDER,
        );
        return Verdict { open: Some(w) };
    }
    let checks = [
        broad_recipient(m),
        routed_via_relay_domain(m),
        client_address(m, attacker),
        local_sender(m),
        mail_from(m),
    ];
    if let Some(found) = checks.into_iter().flatten().next() {
        let (hole, decisive, steps, rcpt, from, who) = found;
        return Verdict {
            open: Some(Witness {
                hole,
                client: who.unwrap_or(client),
                mail_from: from,
                rcpt_to: rcpt,
                decisive,
                steps,
            }),
        };
    }
    Verdict::default()
}

type Found = (
    Hole,
    (Span, String),
    Vec<(Span, String)>,
    String,
    String,
    Option<IpAddr>,
);

/// True for a word that names an address prefix rather than a domain.
fn is_address_key(word: &str) -> bool {
    word.starts_with("ipv6:")
        || word.starts_with('[')
        || (!word.is_empty() && word.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// A domain `word` covers through `$* $=R` (suffix on label boundaries).
fn domain_covers(entry: &str, domain: &str) -> bool {
    domain == entry
        || domain
            .strip_suffix(entry)
            .is_some_and(|head| head.ends_with('.'))
}

fn in_class_w(m: &Model, domain: &str) -> bool {
    m.class_w.iter().any(|w| w.word == domain)
}

/// The access lookup of the `D` ruleset: at each level the tagged key,
/// then (with the `+` mark) the bare key; then the parent domain.
fn lookup_domain<'a>(m: &'a Model, tag: Tag, domain: &str, plus: bool) -> Option<&'a AccessEntry> {
    let dot = access_option(m, "lookupdotdomain");
    let mut d = domain;
    loop {
        if let Some(e) = m.access.get(tag, d) {
            return Some(e);
        }
        if plus {
            if let Some(e) = m.access.get(Tag::Untagged, d) {
                return Some(e);
            }
        }
        // lookupdotdomain: `.rest` for `first.rest`.
        if let Some((_, rest)) = d.split_once('.').filter(|_| dot) {
            let key = format!(".{rest}");
            if let Some(e) = m.access.get(tag, &key) {
                return Some(e);
            }
            if plus {
                if let Some(e) = m.access.get(Tag::Untagged, &key) {
                    return Some(e);
                }
            }
        }
        match d.split_once('.') {
            Some((_, rest)) if !rest.is_empty() => d = rest,
            _ => return None,
        }
    }
}

/// The access lookup of the `A` ruleset for a client address.
fn lookup_address<'a>(m: &'a Model, addr: &str) -> Option<&'a AccessEntry> {
    let mut key = addr.to_string();
    loop {
        if let Some(e) = m
            .access
            .get(Tag::Connect, &key)
            .or_else(|| m.access.get(Tag::Untagged, &key))
        {
            return Some(e);
        }
        let cut = if key.starts_with("ipv6:") {
            key.rfind(':').filter(|&i| i > 4)
        } else {
            key.rfind('.')
        }?;
        key.truncate(cut);
    }
}

/// Would `Rcpt_ok` answer RELAY for a recipient in `domain` (no routing)?
fn recipient_relays(m: &Model, domain: &str) -> Option<(Span, String)> {
    if in_class_w(m, domain) {
        return None;
    }
    let hosts_only = m.has("relay_hosts_only");
    if let Some(f) = m.feature("relay_entire_domain") {
        if let Some(mdom) = own_domain(m) {
            if domain_covers(&mdom.0, domain) {
                let from = if m.host_domain.is_some() {
                    "`Dm`"
                } else {
                    "the host name in `confDOMAIN_NAME`"
                };
                return Some((
                    f.span,
                    format!(
                        "relays to every host in the local domain `{}` (`$m`, from {from})",
                        mdom.0
                    ),
                ));
            }
        }
    }
    for r in &m.class_r {
        if is_address_key(&r.word) {
            continue;
        }
        let hit = if hosts_only {
            r.word == domain
        } else {
            domain_covers(&r.word, domain)
        };
        if hit {
            return Some((
                r.span,
                format!("`{}` in class R: relaying to it is allowed", r.word),
            ));
        }
    }
    if m.access_map.is_some() {
        let e = if hosts_only {
            m.access
                .get(Tag::To, domain)
                .or_else(|| m.access.get(Tag::Untagged, domain))
        } else {
            lookup_domain(m, Tag::To, domain, true)
        };
        if let Some(e) = e.filter(|e| e.is_relay()) {
            return Some((
                e.span,
                format!("`{}`: relaying to it is allowed", e.describe()),
            ));
        }
    }
    None
}

/// `$m`: `Dm` when the configuration sets it. Otherwise sendmail derives it
/// from the host's own name at startup; a host is normally named what
/// `confDOMAIN_NAME` (`Dj`) says, so its domain part stands in.
fn own_domain(m: &Model) -> Option<(String, Span)> {
    if let Some(d) = &m.host_domain {
        let name = d.text.trim().trim_end_matches('.').to_ascii_lowercase();
        return (!name.contains('$') && !name.is_empty()).then_some((name, d.span));
    }
    let j = m.host_name.as_ref()?;
    let name = j.text.trim().trim_end_matches('.').to_ascii_lowercase();
    if name.contains('$') {
        return None;
    }
    let (_, dom) = name.split_once('.')?;
    (!dom.is_empty()).then(|| (dom.to_string(), j.span))
}

/// Second-level names under which anyone registers domains.
const PUBLIC_SECOND_LEVEL: &[&str] = &[
    "co.uk", "org.uk", "me.uk", "ac.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp",
    "or.jp", "com.br", "net.br", "com.cn", "net.cn", "co.in", "co.za", "com.mx", "com.tr", "co.kr",
    "com.ar", "com.tw", "co.il", "com.sg", "com.hk",
];

/// True for a public top-level domain (`net`, `de`) or a public
/// second-level one (`co.uk`): it holds domains of many owners, so an
/// attacker can name a foreign domain under it. `lan` or `localdomain` do
/// not.
pub(crate) fn is_public_suffix(name: &str) -> bool {
    let n = name.trim_start_matches('.').to_ascii_lowercase();
    attacker_name_pattern(&n) || PUBLIC_SECOND_LEVEL.contains(&n.as_str())
}

/// Class R or To:/untagged RELAY entries for a whole public suffix: they
/// cover foreign domains.
fn broad_recipient(m: &Model) -> Option<Found> {
    let mut tlds: Vec<String> = Vec::new();
    if !m.has("relay_hosts_only") {
        tlds.extend(
            m.class_r
                .iter()
                .filter(|r| !is_address_key(&r.word) && is_public_suffix(&r.word))
                .map(|r| r.word.clone()),
        );
    }
    if m.access_map.is_some() {
        tlds.extend(
            m.access
                .entries
                .iter()
                .filter(|e| matches!(e.tag, Tag::To | Tag::Untagged) && e.is_relay())
                .map(|e| e.key.strip_prefix('.').unwrap_or(&e.key))
                .filter(|k| !is_address_key(k) && is_public_suffix(k))
                .map(str::to_string),
        );
    }
    if m.has("relay_entire_domain") {
        if let Some((d, _)) = own_domain(m) {
            if is_public_suffix(&d) {
                tlds.push(d);
            }
        }
    }
    // Only a public top-level domain holds foreign domains an attacker can
    // name (`lan` or `localdomain` do not).
    for tld in tlds {
        let domain = format!("example.{tld}");
        if let Some(decisive) = recipient_relays(m, &domain) {
            let entire = m
                .feature("relay_entire_domain")
                .is_some_and(|f| f.span == decisive.0);
            return Some((
                if entire {
                    Hole::EntireDomain
                } else {
                    Hole::BroadRecipient
                },
                decisive,
                Vec::new(),
                format!("victim@{domain}"),
                DEFAULT_SENDER.into(),
                None,
            ));
        }
    }
    None
}

/// The `nopercenthack` / `nouucp` mode: `r` (reject), `n` (nospecial) or
/// unset.
fn routing_mode(m: &Model, feature: &str) -> Option<char> {
    let f = m.feature(feature)?;
    f.args.first().and_then(|a| a.trim().chars().next())
}

/// A recipient routed through a relayable domain: `victim%example.net@D`
/// (or the quoted / bang form) that sendmail accepts for D and hands to D
/// with the route intact.
fn routed_via_relay_domain(m: &Model) -> Option<Found> {
    let loose = m.feature("loose_relay_check");
    let pct = routing_mode(m, "nopercenthack");
    let bang = routing_mode(m, "nouucp");
    // Without loose_relay_check, ParseRecipient re-checks local parts that
    // hold a routing character; `nospecial` takes `%` or `!` out of that set.
    let (user, how): (&str, Option<(Span, String)>) = if let Some(f) = loose {
        let user = if pct == Some('r') {
            "\"victim@example.net\""
        } else {
            "victim%example.net"
        };
        (
            user,
            Some((
                f.span,
                "`loose_relay_check`: routed local parts are not re-checked".into(),
            )),
        )
    } else if pct == Some('n') {
        let f = m.feature("nopercenthack")?;
        (
            "victim%example.net",
            Some((
                f.span,
                "`%` is no routing character here, so it is not re-checked".into(),
            )),
        )
    } else if bang == Some('n') {
        let f = m.feature("nouucp")?;
        (
            "example.net!victim",
            Some((
                f.span,
                "`!` is no routing character here, so it is not re-checked".into(),
            )),
        )
    } else {
        (VICTIM, None)
    };
    let how = how?;
    let mut domains: Vec<String> = m
        .class_r
        .iter()
        .filter(|r| !is_address_key(&r.word) && r.word.contains('.'))
        .map(|r| r.word.clone())
        .collect();
    if m.access_map.is_some() {
        domains.extend(
            m.access
                .entries
                .iter()
                .filter(|e| matches!(e.tag, Tag::To | Tag::Untagged) && e.is_relay())
                .filter(|e| !is_address_key(&e.key) && e.key.contains('.') && !e.key.contains('@'))
                .map(|e| e.key.clone()),
        );
    }
    if m.has("relay_entire_domain") {
        if let Some((d, _)) = own_domain(m) {
            domains.push(d);
        }
    }
    for d in domains {
        let d = d.trim_start_matches('.').to_string();
        if let Some(decisive) = recipient_relays(m, &d) {
            return Some((
                Hole::RoutedViaRelayDomain,
                decisive,
                vec![how],
                format!("{user}@{d}"),
                DEFAULT_SENDER.into(),
                None,
            ));
        }
    }
    None
}

/// Octets (or IPv6 groups) of a prefix key, and whether it is IPv6.
fn prefix_parts(word: &str) -> Option<(Vec<u16>, bool)> {
    if let Some(v6) = word.strip_prefix("ipv6:") {
        if v6.contains("::") || v6.is_empty() {
            return None;
        }
        let groups: Option<Vec<u16>> = v6
            .split(':')
            .map(|g| u16::from_str_radix(g, 16).ok())
            .collect();
        return groups.filter(|g| g.len() <= 8).map(|g| (g, true));
    }
    if word.is_empty() || word.ends_with('.') {
        return None;
    }
    let octets: Option<Vec<u16>> = word
        .split('.')
        .map(|o| o.parse::<u8>().ok().map(u16::from))
        .collect();
    octets.filter(|o| o.len() <= 4).map(|o| (o, false))
}

/// Client addresses inside a prefix, with the groups (IPv6) or octets
/// (IPv4) that make each up.
fn prefix_addresses(word: &str) -> Vec<(Vec<u16>, IpAddr)> {
    let Some((parts, v6)) = prefix_parts(word) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if v6 {
        for tail in [5u16, 0x66, 1] {
            let mut g = parts.clone();
            while g.len() < 8 {
                g.push(if g.len() == 7 { tail } else { 0 });
            }
            let a = std::net::Ipv6Addr::new(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
            out.push((g, IpAddr::V6(a)));
        }
    } else {
        for fill in [[0u16, 113, 66], [1, 1, 1], [200, 200, 200], [254, 254, 254]] {
            let mut o = parts.clone();
            let mut k = 3 - (4 - o.len()).min(3);
            while o.len() < 4 {
                o.push(fill.get(k).copied().unwrap_or(1));
                k += 1;
            }
            let b: Vec<u8> = o.iter().map(|&x| u8::try_from(x).unwrap_or(0)).collect();
            if let [a, b2, c, d] = b[..] {
                out.push((o, IpAddr::V4(std::net::Ipv4Addr::new(a, b2, c, d))));
            }
        }
    }
    out
}

/// Client addresses inside a prefix, in sendmail's `${client_addr}` form
/// and as addresses.
#[cfg(test)]
fn fill_prefix(word: &str) -> Vec<(String, IpAddr)> {
    prefix_addresses(word)
        .into_iter()
        .map(|(groups, ip)| (client_addr_text(&groups, ip), ip))
        .collect()
}

/// An address of [`prefix_addresses`] in sendmail's `${client_addr}` form.
fn client_addr_text(groups: &[u16], ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(_) => {
            let hex: Vec<String> = groups.iter().map(|x| format!("{x:x}")).collect();
            format!("ipv6:{}", hex.join(":"))
        }
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// A client address the attacker can have that `Relay_ok` lets relay:
/// class R by token prefix (`R$=R $*`), then the access map.
fn client_address(m: &Model, attacker: &IpSet) -> Option<Found> {
    // An IPv4 witness first: it is the one most networks can replay.
    client_address_of(m, attacker, false).or_else(|| client_address_of(m, attacker, true))
}

fn client_address_of(m: &Model, attacker: &IpSet, v6: bool) -> Option<Found> {
    let usable =
        |ip: IpAddr| ip.is_ipv6() == v6 && attacker.contains(ip) && !refused_at_connect(m, ip);
    for r in m.class_r.iter().filter(|r| is_address_key(&r.word)) {
        for (_, ip) in prefix_addresses(&r.word) {
            if usable(ip) {
                return Some((
                    Hole::ClientAddress,
                    (
                        r.span,
                        format!("`{}` in class R: clients in this prefix may relay", r.word),
                    ),
                    Vec::new(),
                    VICTIM.into(),
                    DEFAULT_SENDER.into(),
                    Some(ip),
                ));
            }
        }
    }
    // `[addr]` of the client in class w: "originated locally".
    for w in &m.class_w {
        let Some(ip) = w
            .word
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|a| a.trim_start_matches("ipv6:").parse::<IpAddr>().ok())
        else {
            continue;
        };
        if usable(ip) {
            return Some((
                Hole::ClientAddress,
                (
                    w.span,
                    format!(
                        "`{}` in class w: this client counts as the host itself",
                        w.word
                    ),
                ),
                Vec::new(),
                VICTIM.into(),
                DEFAULT_SENDER.into(),
                Some(ip),
            ));
        }
    }
    m.access_map.as_ref()?;
    for e in m.access.entries.iter().filter(|e| {
        matches!(e.tag, Tag::Connect | Tag::Untagged) && e.is_relay() && is_address_key(&e.key)
    }) {
        for (groups, ip) in prefix_addresses(&e.key) {
            if !usable(ip) {
                continue;
            }
            // A more specific entry decides first.
            let text = client_addr_text(&groups, ip);
            if let Some(hit) = lookup_address(m, &text).filter(|h| h.is_relay()) {
                return Some((
                    Hole::ClientAddress,
                    (
                        hit.span,
                        format!("`{}`: clients in this prefix may relay", hit.describe()),
                    ),
                    Vec::new(),
                    VICTIM.into(),
                    DEFAULT_SENDER.into(),
                    Some(ip),
                ));
            }
        }
    }
    None
}

/// FEATURE(`relay_local_from'): a sender in class w relays, and the
/// attacker writes any sender.
fn local_sender(m: &Model) -> Option<Found> {
    let f = m.feature("relay_local_from")?;
    let domain = m
        .class_w
        .iter()
        .find(|w| w.word.contains('.') && !is_address_key(&w.word))
        .map(|w| w.word.clone())
        .or_else(|| {
            m.host_name
                .as_ref()
                .map(|j| j.text.trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|j| !j.contains('$') && !j.is_empty())
        })
        .unwrap_or_else(|| "localhost".into());
    Some((
        Hole::LocalSender,
        (
            f.span,
            "`relay_local_from`: a sender in a local domain may relay, and senders are forged at will"
                .into(),
        ),
        Vec::new(),
        VICTIM.into(),
        format!("postmaster@{domain}"),
        None,
    ))
}

/// FEATURE(`relay_mail_from'): a `From:` RELAY entry relays for that
/// (forgeable) sender.
fn mail_from(m: &Model) -> Option<Found> {
    let f = m.feature("relay_mail_from")?;
    m.access_map.as_ref()?;
    let with_domain = f.args.iter().any(|a| a.trim() == "domain");
    for e in m
        .access
        .entries
        .iter()
        .filter(|e| e.tag == Tag::From && e.is_relay())
    {
        let sender = if e.key.contains('@') && !e.key.ends_with('@') && !e.key.starts_with('@') {
            e.key.clone()
        } else if with_domain && !e.key.contains('@') && !is_address_key(&e.key) {
            format!("postmaster@{}", e.key)
        } else {
            continue;
        };
        return Some((
            Hole::MailFrom,
            (
                e.span,
                format!(
                    "`{}`: this sender may relay, and senders are forged at will",
                    e.describe()
                ),
            ),
            vec![(f.span, "`relay_mail_from` consults `From:` entries".into())],
            VICTIM.into(),
            sender,
            None,
        ));
    }
    None
}

/// The first rule of `Local_check_rcpt` (or `Local_Relay_Auth`, called
/// with the empty `${auth_type}`) when it matches any input and ends the
/// checks with `$#OK` or `$#RELAY`; rules relaylint cannot follow stop the
/// search (no claim).
fn local_ruleset_accepts(m: &Model) -> Option<Span> {
    for name in ["Local_check_rcpt", "Local_Relay_Auth"] {
        let Some(rs) = m.local_ruleset(name) else {
            continue;
        };
        let Some(rule) = rs.rules.first() else {
            continue;
        };
        let lhs: String = rule.lhs.split_whitespace().collect();
        let universal = lhs == "$*" || (name == "Local_check_rcpt" && lhs == "$+");
        if !universal {
            continue;
        }
        let rhs: String = rule.rhs.split_whitespace().collect();
        let target = rhs.strip_prefix("$#").unwrap_or("");
        let mailer = target.split('$').next().unwrap_or("");
        if mailer.eq_ignore_ascii_case("OK") || mailer.eq_ignore_ascii_case("RELAY") {
            return Some(rule.span);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_fill_to_addresses() {
        let f = fill_prefix("203");
        assert_eq!(f[0].0, "203.0.113.66");
        let f = fill_prefix("192.168");
        assert_eq!(f[0].0, "192.168.113.66");
        assert!(fill_prefix("10.0.0.0/8").is_empty());
        let f = fill_prefix("ipv6:2001:db8:1");
        assert_eq!(f[0].0, "ipv6:2001:db8:1:0:0:0:0:5");
    }

    #[test]
    fn suffixes_on_label_boundaries() {
        assert!(domain_covers("net", "example.net"));
        assert!(domain_covers("example.net", "example.net"));
        assert!(!domain_covers("ample.net", "example.net"));
    }
}
