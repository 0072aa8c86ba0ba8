//! Addresses and port qualifiers of sockd.conf, and what they match.
//!
//! Dante decides per token: `0/0` (every IPv4 and IPv6 address), an IPv4 or
//! IPv6 literal with a prefix length, a `.domain`, a host name, or the name
//! of an interface on the machine. relaylint has no machine to ask, so a
//! token without a dot that looks like a network interface (`eth0`, `lo`,
//! `ens3`) is read as one, anything else with letters as a host name.

use crate::net::IpSet;
use ipnet::IpNet;
use std::net::IpAddr;

/// The address part of `from:`, `to:`, `internal:` and friends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addr {
    /// `0/0`: both families.
    Any,
    /// An address with a prefix length.
    Net(IpNet),
    /// An address without a prefix length (only valid in `internal:` /
    /// `external:`; in rules danted refuses it).
    Host(IpAddr),
    /// An interface name.
    Interface(String),
    /// A host name (`proxy.example.com`) or a domain (`.example.com`).
    Name(String),
}

/// Why an address token was refused, as danted words it.
pub type AddrError = String;

/// True when `name` reads as a network interface rather than a host name.
pub fn looks_like_interface(name: &str) -> bool {
    let Some(first) = name.bytes().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && !name.contains('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
        && (name == "lo" || name.bytes().any(|b| b.is_ascii_digit()))
}

/// True for loopback interface names.
pub fn is_loopback_interface(name: &str) -> bool {
    name == "lo"
        || name
            .strip_prefix("lo")
            .is_some_and(|r| r.parse::<u32>().is_ok())
}

/// Parses an address token. `need_prefix`: rules demand a prefix length.
pub fn parse_addr(token: &str, need_prefix: bool) -> Result<Addr, AddrError> {
    if token == "0/0" {
        return Ok(Addr::Any);
    }
    if let Some((ip, len)) = token.split_once('/') {
        if ip.is_empty() {
            // danted's lexer takes this for a name (checked with `danted -V`)
            return Ok(Addr::Name(token.to_string()));
        }
        let Ok(ip) = ip.parse::<IpAddr>() else {
            return Err(format!(
                "`{token}` is not an IP address with a prefix length"
            ));
        };
        if let IpAddr::V6(v6) = ip {
            if v6.to_ipv4_mapped().is_some() {
                return Err(format!(
                    "IPv4-mapped IPv6 address `{token}` is not accepted"
                ));
            }
        }
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let Ok(len) = len.parse::<u8>() else {
            return Err(format!(
                "bad netmask `{len}`: only a prefix length between 0 and {max} is accepted"
            ));
        };
        if len > max {
            return Err(format!("bad netmask `{len}`: the legal range is 0 - {max}"));
        }
        return IpNet::new(ip, len)
            .map(Addr::Net)
            .map_err(|_| format!("bad prefix length in `{token}`"));
    }
    if let Ok(ip) = token.parse::<IpAddr>() {
        if need_prefix {
            return Err(format!(
                "no netmask given for `{token}`: addresses in rules need a prefix length, e.g. `{token}/{}`",
                if ip.is_ipv4() { 32 } else { 128 }
            ));
        }
        return Ok(Addr::Host(ip));
    }
    let numeric = token
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b':');
    if !need_prefix && numeric && token.contains('.') {
        // `internal: 0.0.0`: resolved by the system at startup, which
        // accepts such short forms
        return Ok(Addr::Name(token.to_string()));
    }
    if token.is_empty() || numeric {
        return Err(format!("`{token}` is not a valid address"));
    }
    if looks_like_interface(token) {
        return Ok(Addr::Interface(token.to_string()));
    }
    if token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Ok(Addr::Name(token.to_ascii_lowercase()));
    }
    Err(format!("`{token}` is not a valid address"))
}

impl Addr {
    /// The IP addresses the token stands for, when it names addresses
    /// (`None` for interfaces and names).
    pub fn ip_set(&self) -> Option<IpSet> {
        match self {
            Addr::Any => Some(IpSet::everything()),
            Addr::Net(n) => Some(IpSet::from_net(&n.trunc())),
            Addr::Host(ip) => Some(IpSet::from_net(&IpNet::from(*ip))),
            Addr::Interface(_) | Addr::Name(_) => None,
        }
    }

    /// Addresses the token matches in the role of a remote peer (a client
    /// address or a destination): interfaces and names match none of the
    /// attacker's choosing (an interface carries the proxy host's own
    /// addresses; a name matches only what it resolves to, and the attacker
    /// can pick an address outside it).
    pub fn peer_set(&self) -> IpSet {
        self.ip_set().unwrap_or_default()
    }

    /// True for `0.0.0.0/0` (every IPv4 address, no IPv6).
    pub fn is_ipv4_wildcard(&self) -> bool {
        matches!(self, Addr::Net(IpNet::V4(n)) if n.prefix_len() == 0)
    }
}

/// A port comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortOp {
    /// `port: N`: danted stores the number but no operator, so every port matches.
    ColonAny(u16),
    /// `eq` / `=`.
    Eq(u16),
    /// `ne` / `!=`.
    Neq(u16),
    /// `ge` / `>=`.
    Ge(u16),
    /// `le` / `<=`.
    Le(u16),
    /// `gt` / `>`.
    Gt(u16),
    /// `lt` / `<`.
    Lt(u16),
    /// `port A-B` / `port A - B`.
    Range(u16, u16),
}

impl PortOp {
    /// True when `port` satisfies the qualifier.
    pub fn matches(self, port: u16) -> bool {
        match self {
            PortOp::ColonAny(_) => true,
            PortOp::Eq(n) => port == n,
            PortOp::Neq(n) => port != n,
            PortOp::Ge(n) => port >= n,
            PortOp::Le(n) => port <= n,
            PortOp::Gt(n) => port > n,
            PortOp::Lt(n) => port < n,
            PortOp::Range(a, b) => a <= port && port <= b,
        }
    }

    /// Ports worth trying as witnesses: the numbers the qualifier names and
    /// their neighbours.
    pub fn boundaries(self) -> Vec<u16> {
        let around = |n: u16| [n.saturating_sub(1).max(1), n, n.saturating_add(1)];
        match self {
            PortOp::ColonAny(n)
            | PortOp::Eq(n)
            | PortOp::Neq(n)
            | PortOp::Ge(n)
            | PortOp::Le(n)
            | PortOp::Gt(n)
            | PortOp::Lt(n) => around(n).to_vec(),
            PortOp::Range(a, b) => {
                let mut v = around(a).to_vec();
                v.extend(around(b));
                v
            }
        }
    }
}

/// The port of a TCP service name, as danted finds it in /etc/services.
pub fn service_port(name: &str) -> Option<u16> {
    let list = super::services::SERVICES;
    list.binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .and_then(|i| list.get(i))
        .map(|(_, p)| *p)
}

/// Parses an operator token.
pub fn parse_operator(op: &str) -> Option<fn(u16) -> PortOp> {
    Some(match op {
        "eq" | "=" => PortOp::Eq,
        // danted's lexer knows `ne`, not the `neq` of its manual page
        "ne" | "!=" => PortOp::Neq,
        "ge" | ">=" => PortOp::Ge,
        "le" | "<=" => PortOp::Le,
        "gt" | ">" => PortOp::Gt,
        "lt" | "<" => PortOp::Lt,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_forms() {
        assert_eq!(parse_addr("0/0", true), Ok(Addr::Any));
        assert!(parse_addr("0.0.0.0/0", true).unwrap().is_ipv4_wildcard());
        assert!(parse_addr("10.0.0.1", true).is_err());
        assert!(matches!(parse_addr("10.0.0.1", false), Ok(Addr::Host(_))));
        assert!(parse_addr("10.0.0.0/255.0.0.0", true).is_err());
        assert!(parse_addr("10.0.0.0/33", true).is_err());
        assert!(matches!(parse_addr("::/0", true), Ok(Addr::Net(_))));
        assert!(matches!(parse_addr("eth0", true), Ok(Addr::Interface(_))));
        assert!(matches!(parse_addr("lo", true), Ok(Addr::Interface(_))));
        assert!(matches!(
            parse_addr(".example.com", true),
            Ok(Addr::Name(_))
        ));
        assert!(matches!(parse_addr("proxy", true), Ok(Addr::Name(_))));
        assert!(parse_addr("::ffff:1.2.3.4/128", true).is_err());
    }

    #[test]
    fn families_differ() {
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(Addr::Any.peer_set().contains(v6));
        assert!(!parse_addr("0.0.0.0/0", true)
            .unwrap()
            .peer_set()
            .contains(v6));
        let host_bits = parse_addr("10.1.2.3/8", true).unwrap();
        assert!(host_bits.peer_set().contains("10.9.9.9".parse().unwrap()));
    }

    #[test]
    fn ports() {
        assert!(PortOp::ColonAny(25).matches(80));
        assert!(PortOp::Lt(100).matches(25));
        assert!(!PortOp::Neq(25).matches(25));
        assert!(PortOp::Range(1, 1024).matches(25));
        assert_eq!(service_port("smtp"), Some(25));
    }
}
