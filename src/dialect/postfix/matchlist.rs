//! Postfix "match lists" (`mynetworks`, `relay_domains`, `mydestination`,
//! `permit_mx_backup_networks`...): tokens matched left to right, first match
//! wins, `!` negates, `/file` inlines a file, `type:table` matches when a key
//! exists. Answers questions about the attacker: does this client address
//! match, can a foreign domain match?

use super::store::{Store, TableState};
use super::table::{parse_net, parse_ref, parse_ref_text, Pattern, Table, TableKind, TableRef};
use super::text::{Text, Token};
use crate::net::IpSet;
use crate::source::Span;
use ipnet::IpNet;
use std::net::IpAddr;

/// A decisive list entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The entry as written.
    pub text: String,
    /// Where, if written in a file.
    pub span: Option<Span>,
}

/// The result of matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchResult {
    /// An entry matched (`negated` when it was a `!` entry, i.e. "no").
    Match {
        /// The entry.
        hit: Hit,
        /// True for a `!` entry: the answer is "not in the list".
        negated: bool,
    },
    /// Nothing matched.
    NoMatch,
    /// Postfix would get a lookup error (temporary failure).
    Error(Hit),
}

impl MatchResult {
    /// True for a positive match.
    pub fn is_match(&self) -> bool {
        matches!(self, MatchResult::Match { negated: false, .. })
    }
}

/// Generic top-level domains where anyone can register a name. Two-letter
/// labels are country-code domains and count as public too; any other single
/// label (`lan`, `corp`, `office`...) is taken for a private name.
const PUBLIC_GENERIC_TLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "info",
    "biz",
    "name",
    "pro",
    "mobi",
    "app",
    "dev",
    "xyz",
    "online",
    "site",
    "top",
    "shop",
    "store",
    "tech",
    "cloud",
    "club",
    "live",
    "life",
    "link",
    "email",
    "space",
    "website",
    "blog",
    "news",
    "world",
    "today",
    "agency",
    "digital",
    "network",
    "systems",
    "services",
    "solutions",
    "company",
    "center",
    "group",
    "media",
    "support",
    "host",
    "icu",
    "vip",
    "work",
    "asia",
    "tel",
    "travel",
    "jobs",
    "cat",
    "coop",
    "aero",
    "museum",
    "int",
    "edu",
    "gov",
    "mil",
    "arpa",
];

/// True for a hostname pattern an attacker can satisfy with a name in a zone
/// he controls: a bare public top-level domain (parent-domain matching makes
/// `com` match `host.attacker.com`).
pub fn attacker_name_pattern(p: &str) -> bool {
    let p = p.trim_start_matches('.').to_ascii_lowercase();
    if p.is_empty() || p.contains('.') {
        return false;
    }
    (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
        || PUBLIC_GENERIC_TLDS.contains(&p.as_str())
}

/// The tokens of a list up to a `#` word: Postfix 3.7 ignores the rest of
/// the line from a `#` in match lists (with a warning).
pub fn list_tokens(text: &Text) -> (Vec<Token>, Option<Token>) {
    let mut out = Vec::new();
    for t in text.tokens() {
        if t.text.starts_with('#') {
            return (out, Some(t));
        }
        out.push(t);
    }
    (out, None)
}

const MAX_FILE_DEPTH: usize = 8;

/// What one list entry says about the subject being matched.
enum EntryMatch {
    /// It matches; the hit to report (defaults to the entry itself).
    Yes(Option<Hit>),
    /// It does not.
    No,
    /// Postfix would get an error (temporary failure).
    Error,
}

/// The walk every match list shares: left to right, first match wins, `!`
/// toggles, `/file` inlines a file, `type:table` asks `table`, anything else
/// asks `plain`. A table that cannot be read is a lookup error; a networked
/// one is skipped (its answers are unknown).
fn first_match(
    tokens: &[Token],
    store: &Store,
    depth: usize,
    table: &dyn Fn(&TableRef, &Table, &Token) -> EntryMatch,
    plain: &dyn Fn(&str) -> EntryMatch,
) -> MatchResult {
    for tok in tokens {
        let mut negated = false;
        let mut s = tok.text.as_str();
        while let Some(rest) = s.strip_prefix('!') {
            negated = !negated;
            s = rest;
        }
        // Built only for an answer: most entries do not match.
        let hit = || Hit {
            text: tok.text.clone(),
            span: tok.span,
        };
        let answer = if s.starts_with('/') && depth < MAX_FILE_DEPTH {
            let Some(list) = store.list(s, tok.span) else {
                return MatchResult::Error(hit());
            };
            match first_match(&list, store, depth + 1, table, plain) {
                MatchResult::NoMatch => continue,
                MatchResult::Match { hit, negated: n } => {
                    return MatchResult::Match {
                        hit,
                        negated: n != negated,
                    }
                }
                e => return e,
            }
        } else {
            match parse_ref_text(s, tok.span) {
                Some(r) => match &*store.table(&r) {
                    TableState::Loaded(t) => table(&r, t, tok),
                    TableState::Missing => EntryMatch::Error,
                    TableState::External => EntryMatch::No,
                },
                None => plain(s),
            }
        };
        match answer {
            EntryMatch::Yes(h) => {
                return MatchResult::Match {
                    hit: h.unwrap_or_else(hit),
                    negated,
                }
            }
            EntryMatch::No => continue,
            EntryMatch::Error => return MatchResult::Error(hit()),
        }
    }
    MatchResult::NoMatch
}

/// Matches a client address against a match list of addresses/hostnames.
pub fn match_client(tokens: &[Token], ip: IpAddr, store: &Store, depth: usize) -> MatchResult {
    // The address as text, for tables that must be walked (written once,
    // and only then: most lists are networks, or tables indexed by network).
    let key_text = std::cell::OnceCell::new();
    let table = |r: &TableRef, t: &Table, _: &Token| {
        let found = if let Some(first) = t.first_covering(ip) {
            first.is_some()
        } else {
            let key = key_text.get_or_init(|| ip.to_string());
            t.entries.iter().any(|e| match (&e.pattern, r.kind) {
                (Pattern::Net(n), _) => e.matches(key, Some(ip)) && (n.contains(&ip) || e.negated),
                // Without reverse DNS the client name is `unknown`, and the
                // name is matched too.
                (Pattern::Key(k), TableKind::Indexed | TableKind::Inline) => {
                    &**k == key || &**k == "unknown" || attacker_name_pattern(k)
                }
                (Pattern::Regex(_), _) => e.matches(key, Some(ip)) || e.matches("unknown", None),
                _ => e.matches(key, Some(ip)),
            })
        };
        if found {
            EntryMatch::Yes(None)
        } else {
            EntryMatch::No
        }
    };
    let plain = |s: &str| match store.net(s) {
        Some(Ok(net)) if net.contains(&ip) => EntryMatch::Yes(None),
        Some(Ok(_)) => EntryMatch::No,
        // Postfix skips a pattern of the other address family before
        // checking its host bits.
        Some(Err(())) if s.contains(':') != ip.is_ipv6() => EntryMatch::No,
        Some(Err(())) => EntryMatch::Error,
        None if attacker_name_pattern(s) || s.eq_ignore_ascii_case("unknown") => {
            EntryMatch::Yes(None)
        }
        None => EntryMatch::No,
    };
    first_match(tokens, store, depth, &table, &plain)
}

/// The networks of a client match list made only of plain networks
/// (directly or through `/file` lists): no `!`, tables, host names or
/// malformed entries. For such a list, [`match_client`] matches exactly
/// the addresses inside one of them, so a caller asking about many
/// clients can test membership instead of walking the list for each.
pub fn plain_networks(tokens: &[Token], store: &Store, depth: usize) -> Option<Vec<IpNet>> {
    let mut nets = Vec::new();
    for tok in tokens {
        let s = tok.text.as_str();
        if s.starts_with('!') {
            return None;
        }
        if s.starts_with('/') {
            if depth >= MAX_FILE_DEPTH {
                return None;
            }
            nets.extend(plain_networks(&store.list(s, tok.span)?, store, depth + 1)?);
            continue;
        }
        if parse_ref_text(s, tok.span).is_some() {
            return None;
        }
        nets.push(store.net(s)?.ok()?);
    }
    Some(nets)
}

/// Tokens of a `/file` list: its logical lines, each a list.
pub fn file_tokens(id: crate::source::FileId, text: &str) -> Vec<Token> {
    let (logical, _) = super::main_cf::logical_lines(text);
    let mut out = Vec::new();
    for pieces in logical.iter() {
        let mut line = Text::default();
        for &(s, e) in pieces {
            line.push_text(&Text::from_file(id, s, text.get(s..e).unwrap_or("")));
            line.push_text(&Text::builtin(" "));
        }
        out.extend(list_tokens(&line).0);
    }
    out
}

/// Every network a client match list names (for choosing attacker addresses).
pub fn networks(tokens: &[Token], store: &Store, depth: usize, out: &mut Vec<IpNet>) {
    for tok in tokens {
        let s = tok.text.trim_start_matches('!');
        if s.starts_with('/') && depth < MAX_FILE_DEPTH {
            if let Some(list) = store.list(s, tok.span) {
                networks(&list, store, depth + 1, out);
            }
            continue;
        }
        let sub = Token {
            text: s.to_string(),
            span: tok.span,
        };
        if let Some(r) = parse_ref(&sub) {
            if let TableState::Loaded(t) = &*store.table(&r) {
                table_networks(t, out);
            }
            continue;
        }
        if let Some(Ok(n)) = parse_net(s) {
            out.push(n);
        }
    }
}

/// Networks named by the keys of a table (cidr entries, IP and octet-prefix keys).
pub fn table_networks(t: &super::table::Table, out: &mut Vec<IpNet>) {
    for e in &t.entries {
        match &e.pattern {
            Pattern::Net(n) => out.push(*n),
            Pattern::Key(k) => {
                if let Some(n) = octet_prefix(k) {
                    out.push(n);
                }
            }
            Pattern::Regex(_) => {
                if let Some(ip) = regex_address_hint(&e.key_text) {
                    if let Ok(n) = IpNet::new(ip, 32) {
                        out.push(n);
                    }
                }
            }
            _ => {}
        }
    }
}

/// An IPv4 address that an address regexp such as `^203\.0\.113\.6` is
/// written to match: its leading literal digits and dots, completed with
/// `1`s. The caller still runs the regexp on it.
pub fn regex_address_hint(body: &str) -> Option<IpAddr> {
    // The leading literal: `\.` is a dot, blanks (the `x` flag) and group
    // openings are skipped, the first alternative of a group is taken.
    let unescaped = body
        .trim_start_matches('^')
        .replace("\\.", ".")
        .replace("[.]", ".");
    let literal: String = unescaped
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(')
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Vec<&str> = literal.split('.').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() || parts.len() > 4 || parts.iter().any(|p| p.len() > 3) {
        return None;
    }
    let mut octets = [1u8; 4];
    for (i, p) in parts.iter().enumerate() {
        octets[i] = p.parse().ok()?;
    }
    Some(IpAddr::from(octets))
}

/// `1.2.3` (access-table prefix key) as `1.2.3.0/24`; full addresses too.
pub fn octet_prefix(k: &str) -> Option<IpNet> {
    if let Ok(ip) = k.parse::<IpAddr>() {
        return IpNet::new(ip, if ip.is_ipv4() { 32 } else { 128 }).ok();
    }
    let parts: Vec<&str> = k.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut octets = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        octets[i] = p.parse().ok()?;
    }
    IpNet::new(IpAddr::from(octets), u8::try_from(parts.len() * 8).ok()?).ok()
}

/// The part of `space` that a client match list accepts (approximation used
/// for sizing findings: hostname entries that an attacker can satisfy count
/// as every address).
pub fn accepted_space(tokens: &[Token], space: &IpSet, store: &Store) -> (IpSet, Vec<Hit>) {
    let mut nets = Vec::new();
    networks(tokens, store, 0, &mut nets);
    let mut accepted = IpSet::empty();
    let mut hits = Vec::new();
    let mut candidates: Vec<IpAddr> = nets.iter().filter_map(|n| space.sample_within(n)).collect();
    candidates.sort();
    candidates.dedup();
    for ip in candidates {
        if let MatchResult::Match {
            hit,
            negated: false,
        } = match_client(tokens, ip, store, 0)
        {
            let covered = match parse_net(hit.text.trim_start_matches('!')) {
                Some(Ok(n)) => IpSet::from_net(&n).intersect(space),
                _ => IpSet::from_nets(nets.iter().filter(|n| n.contains(&ip))).intersect(space),
            };
            accepted = accepted.union(&covered);
            if !hits.contains(&hit) {
                hits.push(hit);
            }
        }
    }
    // Names an attacker can satisfy, or catch-all tables.
    if let Some(ip) = space.subtract(&IpSet::from_nets(&nets)).sample() {
        if let MatchResult::Match {
            hit,
            negated: false,
        } = match_client(tokens, ip, store, 0)
        {
            accepted = space.clone();
            hits.push(hit);
        }
    }
    (accepted, hits)
}

/// True when `domain` is `key` or, with parent matching, a subdomain of
/// it; a `.key` entry matches subdomains only.
pub fn domain_matches(domain: &str, key: &str, subdomains: bool) -> bool {
    // `domain` is a name under `parent` (ends with `.parent`), ignoring
    // ASCII case as Postfix does.
    let under = |parent: &str| {
        let (d, p) = (domain.as_bytes(), parent.as_bytes());
        d.len() > p.len()
            && d[d.len() - p.len()..].eq_ignore_ascii_case(p)
            && d[d.len() - p.len() - 1] == b'.'
    };
    if let Some(parent) = key.strip_prefix('.') {
        // `.domain` is the subdomain form of lists that do not match parent
        // domains; with parent matching Postfix never looks it up.
        return !subdomains && under(parent);
    }
    domain.eq_ignore_ascii_case(key) || (subdomains && under(key))
}

/// Matches a concrete domain against a domain match list (`relay_domains`,
/// `mydestination`, virtual domains): tables match on key existence.
pub fn match_domain(
    tokens: &[Token],
    domain: &str,
    subdomains: bool,
    store: &Store,
    depth: usize,
) -> MatchResult {
    let table = |_: &TableRef, t: &Table, tok: &Token| {
        let found = t.entries.iter().find(|e| match &e.pattern {
            Pattern::Any => true,
            Pattern::Key(k) => domain_matches(domain, k, subdomains),
            Pattern::Regex(_) => e.matches(domain, None),
            Pattern::Net(_) => false,
        });
        match found {
            Some(e) => EntryMatch::Yes(Some(Hit {
                text: if matches!(e.pattern, Pattern::Any) {
                    tok.text.clone()
                } else {
                    e.key_text.to_string()
                },
                span: e.span.or(tok.span),
            })),
            None => EntryMatch::No,
        }
    };
    let plain = |s: &str| {
        if domain_matches(domain, s, subdomains) {
            EntryMatch::Yes(None)
        } else {
            EntryMatch::No
        }
    };
    first_match(tokens, store, depth, &table, &plain)
}

/// Every domain-like key of a list (tokens, `/file` contents, table keys):
/// used to choose foreign domains to probe and to avoid the config's own.
pub fn domain_keys(tokens: &[Token], store: &Store, depth: usize, out: &mut Vec<String>) {
    for tok in tokens {
        let s = tok.text.trim_start_matches('!');
        if s.starts_with('/') && depth < MAX_FILE_DEPTH {
            if let Some(list) = store.list(s, tok.span) {
                domain_keys(&list, store, depth + 1, out);
            }
            continue;
        }
        let sub = Token {
            text: s.to_string(),
            span: tok.span,
        };
        if let Some(r) = parse_ref(&sub) {
            if let TableState::Loaded(t) = &*store.table(&r) {
                for e in &t.entries {
                    if let Pattern::Key(k) = &e.pattern {
                        out.push(k.to_ascii_lowercase());
                    }
                }
            }
            continue;
        }
        out.push(s.to_ascii_lowercase());
    }
}

/// Foreign domains every evaluation tries (the first is the one the
/// differential suite's foreign host answers for).
pub const PROBE_DOMAINS: &[&str] = &[
    "example.net",
    "relaylint-victim.com",
    "relaylint-victim.org",
];

/// Foreign domains worth probing: `example.net`, and a name under every
/// public top-level domain the keys name (`com` in `relay_domains` relays
/// for all of `.com`), skipping any domain the config names as its own.
pub fn foreign_candidates(keys: &[String]) -> Vec<String> {
    let mut out: Vec<String> = PROBE_DOMAINS.iter().map(|d| d.to_string()).collect();
    for k in keys {
        let k = k.trim_start_matches('.').trim_end_matches('@');
        if attacker_name_pattern(k) {
            out.push(format!("relaylint-victim.{k}"));
        }
    }
    out.retain(|d| {
        !keys
            .iter()
            .any(|k| k.contains('.') && !k.starts_with('.') && domain_matches(d, k, true))
    });
    let mut seen = Vec::new();
    out.retain(|d| {
        let fresh = !seen.contains(d);
        seen.push(d.clone());
        fresh
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The comparison without copies answers as lowercasing both names and
    /// comparing the strings does.
    #[test]
    fn domain_matches_as_lowercased_strings_do() {
        let plain = |domain: &str, key: &str, subdomains: bool| {
            let d = domain.to_ascii_lowercase();
            let k = key.to_ascii_lowercase();
            if let Some(parent) = k.strip_prefix('.') {
                return !subdomains && d.ends_with(&format!(".{parent}"));
            }
            d == k || (subdomains && d.ends_with(&format!(".{k}")))
        };
        let parts = ["a", "B", ".", "é", "x", ""];
        let mut next = crate::test_sequence::sequence(13);
        for i in 0..20_000u32 {
            let domain = crate::test_sequence::text_of(&mut next, &parts, i % 7);
            let key = crate::test_sequence::text_of(&mut next, &parts, i % 5);
            for subdomains in [false, true] {
                assert_eq!(
                    domain_matches(&domain, &key, subdomains),
                    plain(&domain, &key, subdomains),
                    "{domain:?} {key:?} {subdomains}"
                );
            }
        }
    }

    #[test]
    fn tld_patterns() {
        assert!(attacker_name_pattern("com"));
        assert!(attacker_name_pattern(".net"));
        assert!(!attacker_name_pattern("example.com"));
        assert!(!attacker_name_pattern("localhost"));
        assert!(
            !attacker_name_pattern("office"),
            "a private single-label domain"
        );
        assert!(attacker_name_pattern("de"));
    }

    /// A store over a temporary sysroot holding `files`.
    fn store_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tmp");
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let store = Store::new(
            crate::source::SourceDb::new(),
            dir.path(),
            &dir.path().join("etc/postfix"),
            crate::load::Limits::default(),
        );
        (dir, store)
    }

    #[test]
    fn plain_networks_match_as_the_list_does() {
        let (_dir, store) = store_with(&[(
            "etc/postfix/nets",
            "192.0.2.0/25\n[2001:db8::]/32 10.0.0.0/8\n",
        )]);
        let (tokens, _) = list_tokens(&Text::builtin(
            "127.0.0.0/8 /etc/postfix/nets [::1]/128 198.51.100.7",
        ));
        let nets = plain_networks(&tokens, &store, 0).expect("plain");
        let set = IpSet::from_nets(&nets);
        for ip in [
            "127.0.0.1",
            "192.0.2.1",
            "192.0.2.200",
            "10.9.9.9",
            "198.51.100.7",
            "198.51.100.8",
            "2001:db8::1",
            "::1",
            "::2",
            "203.0.113.1",
        ] {
            let ip: IpAddr = ip.parse().expect("address");
            let walked = matches!(
                match_client(&tokens, ip, &store, 0),
                MatchResult::Match { negated: false, .. }
            );
            assert_eq!(set.contains(ip), walked, "{ip}");
        }
    }

    #[test]
    fn lists_that_are_not_plain_networks_are_walked() {
        let (_dir, store) = store_with(&[]);
        for list in [
            "!10.0.0.0/8 0.0.0.0/0",
            "cidr:/etc/postfix/nets",
            "10.0.0.0/8 mail.example.com",
            "10.1.2.3/8",
            "/etc/postfix/missing",
        ] {
            let (tokens, _) = list_tokens(&Text::builtin(list));
            assert!(plain_networks(&tokens, &store, 0).is_none(), "{list}");
        }
    }

    #[test]
    fn octet_prefixes() {
        assert_eq!(
            octet_prefix("192.0.2"),
            Some("192.0.2.0/24".parse().unwrap())
        );
        assert_eq!(octet_prefix("10"), Some("10.0.0.0/8".parse().unwrap()));
        assert_eq!(octet_prefix("example.com"), None);
    }
}
