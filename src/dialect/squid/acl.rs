//! Squid acl types: parsing their values as Squid 5.7 does, and what each
//! type can match for the attacker's request.
//!
//! The attacker controls its source address (within the untrusted space),
//! the URL, host, port and method, its own headers, identd and connection
//! count; it does not control the time of day, cannot pass real
//! authentication, is not on the proxy's LAN (no `arp`) and has no reverse
//! DNS name. Types it can steer either way are [`Leaf::Free`]: the search
//! in `evaluate.rs` tries both answers, keeping them consistent per acl.

use super::time::WeekMinutes;
use crate::net::IpSet;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use regex::{Regex, RegexBuilder};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What an acl tests, with its parsed values.
#[derive(Clone, Debug)]
pub enum Leaf {
    /// `src`: the (indirect) client address.
    Src(IpSet),
    /// `dst`: the address of the requested host.
    Dst(IpSet),
    /// `localip`/`myip`: the proxy address the client reached.
    LocalIp(IpSet),
    /// `port`: the requested port.
    Port(Vec<(u32, u32)>),
    /// `localport`/`myport`: the proxy port the client reached.
    LocalPort(Vec<(u32, u32)>),
    /// `myportname`: the `name=` of the listener.
    PortName(Vec<String>),
    /// `method` (upper-cased values).
    Method(Vec<String>),
    /// `proto` (upper-cased values).
    Proto(Vec<String>),
    /// `dstdomain` (lower-cased values).
    DstDomain(Vec<String>),
    /// `srcdomain`: the client's reverse DNS name (the attacker has none).
    SrcDomain(Vec<String>),
    /// A regular expression over part of the request.
    Regex(RegexTarget, Vec<Regex>),
    /// `proxy_auth`, `proxy_auth_regex`, `max_user_ip` and external helpers
    /// that need a login: the client must authenticate first.
    Auth {
        /// `REQUIRED` or the user list, for messages.
        what: String,
    },
    /// `time`: the minutes of the week it matches. The attacker picks the
    /// moment it sends its request.
    Time(WeekMinutes),
    /// Anything the attacker can make match or not (headers, connections,
    /// ident).
    Free,
    /// Never true for the attacker's request.
    Never,
    /// Always true (annotation acls).
    Always,
    /// The built-in `manager`: cache manager URLs.
    Manager,
    /// `any-of`: true when one member is.
    AnyOf(Vec<usize>),
    /// `all-of`: each line is a group whose members must all be true; the
    /// acl is true when one group is.
    AllOf(Vec<Vec<usize>>),
}

/// What a regular-expression acl looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegexTarget {
    /// `dstdom_regex`: the host name.
    Host,
    /// `url_regex`: the whole URL.
    Url,
    /// `urlpath_regex`: the path and query.
    Path,
    /// `srcdom_regex`: the client's name (`none` for the attacker).
    SrcName,
}

/// What parsing one value gave.
pub enum IpValue {
    /// A set of addresses (`all` is every address).
    Set(IpSet),
    /// A name Squid resolves when it starts; relaylint cannot.
    Name,
}

/// Family of an acl type, as Squid 5.7 (Debian build) knows them.
pub fn kind_of(type_name: &str) -> Option<TypeKind> {
    use TypeKind::*;
    Some(match type_name {
        "src" => Ip,
        "dst" => Ip,
        "localip" => Ip,
        "port" | "localport" => Ports,
        "myportname" | "method" | "proto" | "dstdomain" | "srcdomain" => Words,
        "dstdom_regex" | "url_regex" | "urlpath_regex" | "srcdom_regex" | "browser"
        | "referer_regex" | "proxy_auth_regex" | "ident_regex" | "peername_regex"
        | "ext_user_regex" | "rep_mime_type" | "req_mime_type" => Regexes,
        "proxy_auth" | "ident" | "ext_user" => Words,
        "req_header" | "rep_header" => Header,
        "external" => External,
        "any-of" | "all-of" => Group,
        "time" => Time,
        "maxconn"
        | "max_user_ip"
        | "random"
        | "arp"
        | "eui64"
        | "http_status"
        | "hier_code"
        | "peername"
        | "snmp_community"
        | "src_as"
        | "dst_as"
        | "user_cert"
        | "ca_cert"
        | "tag"
        | "note"
        | "has"
        | "adaptation_service"
        | "annotate_client"
        | "annotate_transaction"
        | "client_connection_mark"
        | "clientside_mark"
        | "transaction_initiator"
        | "connections_encrypted"
        | "squid_error"
        | "urllogin" => Opaque,
        _ => return None,
    })
}

/// How the values of a type are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// Addresses, networks, ranges.
    Ip,
    /// Port numbers and ranges.
    Ports,
    /// Plain words.
    Words,
    /// Regular expressions (with `-i`/`+i`).
    Regexes,
    /// A header name then regular expressions.
    Header,
    /// A helper class then arguments.
    External,
    /// Names of other acls.
    Group,
    /// Days and time ranges.
    Time,
    /// Values relaylint only checks loosely.
    Opaque,
}

/// Strings Squid rewrites to `all` (with a security notice).
pub const MATCH_ALL_SPELLINGS: &[&str] = &[
    "0/0",
    "0.0.0.0/0",
    "0.0.0.0/0.0.0.0",
    "0.0.0.0-255.255.255.255",
    "0.0.0.0-0.0.0.0/0",
];

fn v4_range(lo: u32, hi: u32) -> IpSet {
    let mut nets = Vec::new();
    let mut cur = u64::from(lo);
    let end = u64::from(hi);
    while cur <= end {
        let mut len = 32u8;
        while len > 0 {
            let size = 1u64 << (32 - (len - 1));
            if cur % size != 0 || cur + size - 1 > end {
                break;
            }
            len -= 1;
        }
        let net = Ipv4Net::new(Ipv4Addr::from(cur as u32), len).map(IpNet::V4);
        if let Ok(n) = net {
            nets.push(n);
        }
        cur += 1u64 << (32 - len);
    }
    IpSet::from_nets(&nets)
}

fn v6_range(lo: u128, hi: u128) -> IpSet {
    let mut nets = Vec::new();
    let mut cur = lo;
    loop {
        let mut len = 128u8;
        while len > 0 {
            let bits = 128 - (u32::from(len) - 1);
            let size_m1 = if bits >= 128 {
                u128::MAX
            } else {
                (1u128 << bits) - 1
            };
            if cur & size_m1 != 0 || cur.checked_add(size_m1).is_none_or(|e| e > hi) {
                break;
            }
            len -= 1;
        }
        if let Ok(n) = Ipv6Net::new(Ipv6Addr::from(cur), len) {
            nets.push(IpNet::V6(n));
        }
        let bits = 128 - u32::from(len);
        let step_m1 = if bits >= 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        match cur.checked_add(step_m1) {
            Some(last) if last < hi => cur = last + 1,
            _ => break,
        }
    }
    IpSet::from_nets(&nets)
}

/// Parses a mask: a prefix length or a dotted netmask. Squid turns a zero
/// length into an exact-host mask.
fn mask_len(mask: &str, v6: bool) -> Option<u8> {
    let max = if v6 { 128 } else { 32 };
    if let Ok(n) = mask.parse::<u8>() {
        if n > max {
            return None;
        }
        return Some(if n == 0 { max } else { n });
    }
    let m: Ipv4Addr = mask.parse().ok()?;
    let bits = u32::from(m);
    let len = bits.leading_ones() as u8;
    Some(if len == 0 { max } else { len })
}

fn parse_addr(s: &str) -> Option<IpAddr> {
    let s = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    s.parse().ok()
}

/// Parses one `src`/`dst`/`localip` value. `Err` is a value Squid refuses.
pub fn parse_ip(value: &str) -> Result<IpValue, String> {
    if value == "all" || MATCH_ALL_SPELLINGS.contains(&value) {
        return Ok(IpValue::Set(IpSet::everything()));
    }
    if value == "ipv4" {
        // Matched nothing before Squid 7.
        return Ok(IpValue::Set(IpSet::empty()));
    }
    if value == "ipv6" {
        return Ok(IpValue::Set(v6_range(
            0x2000u128 << 112,
            (0x4000u128 << 112) - 1,
        )));
    }
    // Squid reads the address and ignores what follows it (`10.0.0.0/8#x`).
    let head_end = value
        .find(|c: char| !(c.is_ascii_hexdigit() || ".:/-[]".contains(c)))
        .unwrap_or(value.len());
    let head = &value[..head_end];
    match parse_ip_strict(head) {
        Some(set) => Ok(IpValue::Set(set)),
        None => {
            let looks_like_name = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
                && value.chars().any(|c| c.is_ascii_alphabetic());
            if value == "localhost" {
                Ok(IpValue::Set(
                    single(IpAddr::V4(Ipv4Addr::LOCALHOST))
                        .union(&single(IpAddr::V6(Ipv6Addr::LOCALHOST))),
                ))
            } else if looks_like_name {
                Ok(IpValue::Name)
            } else {
                Err(format!("`{value}` is not an address Squid understands"))
            }
        }
    }
}

fn single(a: IpAddr) -> IpSet {
    IpSet::from_net(&IpNet::from(a))
}

fn masked(a: IpAddr, len: u8) -> Option<IpSet> {
    let n = IpNet::new(a, len).ok()?.trunc();
    Some(IpSet::from_net(&n))
}

fn parse_ip_strict(s: &str) -> Option<IpSet> {
    if s.is_empty() {
        return None;
    }
    let (body, mask) = match s.rsplit_once('/') {
        Some((b, m)) => (b, Some(m)),
        None => (s, None),
    };
    if let Some((lo, hi)) = split_range(body) {
        let lo = parse_addr(lo)?;
        let hi = parse_addr(hi)?;
        return match (lo, hi) {
            (IpAddr::V4(a), IpAddr::V4(b)) if u32::from(a) <= u32::from(b) => {
                Some(v4_range(u32::from(a), u32::from(b)))
            }
            (IpAddr::V6(a), IpAddr::V6(b)) if u128::from(a) <= u128::from(b) => {
                Some(v6_range(u128::from(a), u128::from(b)))
            }
            _ => None,
        };
    }
    let a = parse_addr(body)?;
    match mask {
        None => Some(single(a)),
        Some(m) => masked(a, mask_len(m, a.is_ipv6())?),
    }
}

/// `a-b` where both sides hold an address (IPv6 has no `-`).
fn split_range(s: &str) -> Option<(&str, &str)> {
    let (a, b) = s.split_once('-')?;
    if a.is_empty() || b.is_empty() {
        return None;
    }
    Some((a, b))
}

/// Parses a `port`/`localport` value (`80`, `1025-65535`).
pub fn parse_port(value: &str) -> Result<(u32, u32), String> {
    let num = |s: &str| -> Option<u32> {
        let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            return None;
        }
        digits.parse::<u32>().ok()
    };
    let bad = || format!("`{value}` is not a port or port range");
    match value.split_once('-') {
        Some((a, b)) => {
            let lo = num(a).ok_or_else(bad)?;
            let hi = num(b).ok_or_else(bad)?;
            Ok((lo, hi))
        }
        None => {
            let p = num(value).ok_or_else(bad)?;
            Ok((p, p))
        }
    }
}

/// Squid's `matchDomainName`: `.example.com` matches the domain and its
/// subdomains, `example.com` only itself (both case-insensitive).
pub fn domain_matches(host: &str, value: &str) -> bool {
    let host = host.trim_end_matches('.');
    match value.strip_prefix('.') {
        Some(bare) => {
            host.eq_ignore_ascii_case(bare)
                || (host.len() > value.len()
                    && host
                        .get(host.len() - value.len()..)
                        .is_some_and(|t| t.eq_ignore_ascii_case(value)))
        }
        None => host.eq_ignore_ascii_case(value),
    }
}

/// How Squid 5.7 takes a new `dstdomain` value next to one it already has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainClash {
    /// No overlap: kept.
    None,
    /// Same value, or inside an earlier `.domain`: dropped with a warning.
    Dropped,
    /// `.domain` next to `domain`, or a `.domain` covering an earlier
    /// value: Squid stops.
    Fatal,
}

/// Compares a new value with an earlier one of the same acl.
pub fn domain_clash(earlier: &str, new: &str) -> DomainClash {
    let e = earlier.to_ascii_lowercase();
    let n = new.to_ascii_lowercase();
    if e == n {
        return DomainClash::Dropped;
    }
    let (eb, nb) = (e.trim_start_matches('.'), n.trim_start_matches('.'));
    if eb == nb {
        return DomainClash::Fatal;
    }
    if e.starts_with('.') && domain_matches(&n, &e) {
        return DomainClash::Dropped;
    }
    if n.starts_with('.') && domain_matches(&e, &n) {
        return DomainClash::Fatal;
    }
    DomainClash::None
}

/// The values an acl has kept so far, indexed so that a new value is only
/// compared ([`domain_clash`]) with the ones it can overlap: those whose
/// name, leading and trailing dots aside, is the new name or a parent of
/// it, or one of its children. Same answers as comparing with every kept
/// value in order, without the quadratic cost on long domain lists.
#[derive(Default)]
pub struct DomainIndex {
    kept: Vec<String>,
    by_name: foldhash::HashMap<String, Vec<usize>>,
    by_parent: foldhash::HashMap<String, Vec<usize>>,
}

fn bare_name(value: &str) -> String {
    value
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The name and each name after one of its dots (`a.b.c`, `b.c`, `c`).
fn parents(name: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(name), |s| s.find('.').map(|i| &s[i + 1..]))
}

impl DomainIndex {
    /// Keeps `value` (already lower-case).
    pub fn push(&mut self, value: String) {
        let i = self.kept.len();
        let name = bare_name(&value);
        for p in parents(&name).skip(1) {
            self.by_parent.entry(p.to_string()).or_default().push(i);
        }
        self.by_name.entry(name).or_default().push(i);
        self.kept.push(value);
    }

    /// The first kept value that `new` clashes with, and how.
    pub fn clash(&self, new: &str) -> Option<(&str, DomainClash)> {
        let name = bare_name(new);
        let mut candidates: Vec<usize> = parents(&name)
            .filter_map(|p| self.by_name.get(p))
            .chain(self.by_parent.get(&name))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates.into_iter().find_map(|i| {
            let earlier = self.kept.get(i)?;
            match domain_clash(earlier, new) {
                DomainClash::None => None,
                c => Some((earlier.as_str(), c)),
            }
        })
    }

    /// The kept values, in order.
    pub fn into_values(self) -> Vec<String> {
        self.kept
    }
}

/// Compiles one regular expression value.
pub fn compile(pattern: &str, case_insensitive: bool) -> Option<Regex> {
    RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(1 << 20)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &str) -> IpSet {
        match parse_ip(v) {
            Ok(IpValue::Set(s)) => s,
            _ => panic!("{v}"),
        }
    }

    #[test]
    fn zero_length_mask_is_one_host() {
        let s = set("10.0.0.0/0");
        assert_eq!(s.v4_count(), 1);
        assert!(set("0.0.0.0/0").contains("203.0.113.66".parse().unwrap()));
        assert_eq!(set("::/0").v6_count(), 1);
    }

    #[test]
    fn forms() {
        assert_eq!(set("192.168.0.0/255.255.0.0").v4_count(), 65536);
        assert_eq!(set("10.0.0.1-10.0.0.10").v4_count(), 10);
        assert_eq!(set("0.0.0.0/1").v4_count(), 1 << 31);
        assert_eq!(set("192.0.2.2/32#LAN").v4_count(), 1);
        assert_eq!(set("10.1.2.3/8"), set("10.0.0.0/8"));
        assert!(set("ipv4").is_empty());
        assert!(parse_ip("10.0.0.310.0.0.4").is_err());
        assert!(parse_ip("\\").is_err());
        assert!(matches!(parse_ip("proxy.example"), Ok(IpValue::Name)));
    }

    #[test]
    fn ports_and_domains() {
        assert_eq!(parse_port("1025-65535"), Ok((1025, 65535)));
        assert!(parse_port("foo").is_err());
        assert!(domain_matches("www.example.com", ".example.com"));
        assert!(domain_matches("example.com", ".example.com"));
        assert!(!domain_matches("badexample.com", ".example.com"));
        assert_eq!(
            domain_clash(".example.com", "example.com"),
            DomainClash::Fatal
        );
        assert_eq!(
            domain_clash("example.com", ".example.com"),
            DomainClash::Fatal
        );
        assert_eq!(
            domain_clash(".example.com", "www.example.com"),
            DomainClash::Dropped
        );
        assert_eq!(
            domain_clash("www.example.com", ".example.com"),
            DomainClash::Fatal
        );
        assert_eq!(domain_clash("a.com", "a.com"), DomainClash::Dropped);
        assert_eq!(
            domain_clash(".example.com", ".example.org"),
            DomainClash::None
        );
    }

    #[test]
    fn indexed_clashes_match_the_pairwise_walk() {
        let values = [
            ".example.com",
            "www.example.com",
            "example.com",
            "a.b.example.org",
            ".b.example.org",
            "x.y.",
            ".Y",
            "y",
            "..z.net",
            "q.z.net",
            "com",
            ".",
            "..",
            "a..b",
            "B",
            ".a..b",
            "example.com.",
            ".example.com.",
        ];
        for order in 0..values.len() {
            let mut rotated: Vec<String> = values[order..].iter().map(|v| v.to_string()).collect();
            rotated.extend(values[..order].iter().map(|v| v.to_string()));
            assert_index_agrees(&rotated);
        }
    }

    /// Feeds `values` to a [`DomainIndex`] and to the walk over every kept
    /// value; both must name the same first clash each time.
    fn assert_index_agrees(values: &[String]) {
        let mut index = DomainIndex::default();
        let mut naive: Vec<String> = Vec::new();
        for v in values {
            let low = v.to_ascii_lowercase();
            let walked = naive.iter().find_map(|e| match domain_clash(e, &low) {
                DomainClash::None => None,
                c => Some((e.clone(), c)),
            });
            let indexed = index.clash(&low).map(|(e, c)| (e.to_string(), c));
            assert_eq!(walked, indexed, "{v} after {naive:?}");
            if walked.is_none() {
                naive.push(low.clone());
                index.push(low);
            }
        }
    }

    #[test]
    fn indexed_clashes_match_the_pairwise_walk_on_random_lists() {
        // A fixed linear congruential sequence: reproducible, no dependency.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        for _ in 0..200 {
            let values: Vec<String> = (0..30)
                .map(|_| {
                    (0..=next(4))
                        .map(|_| ["a", "b", "B", ".", "..", "c."][next(6) as usize])
                        .collect()
                })
                .collect();
            assert_index_agrees(&values);
        }
    }

    #[test]
    fn wide_ranges() {
        assert_eq!(v4_range(0, u32::MAX).v4_count(), 1 << 32);
        assert_eq!(v6_range(0, u128::MAX).v6_count(), u128::MAX);
    }
}
