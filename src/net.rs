//! Address sets and the attacker's address space.
//!
//! "Untrusted" is every address outside loopback, RFC 1918, RFC 6598
//! (CGNAT), link-local and IPv6 ULA, minus what the user declares trusted.
//! IPv4-mapped IPv6 addresses (`::ffff:0:0/96`) are left out of the IPv6
//! side: daemons see such clients as IPv4 clients.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A set of IPv4 and IPv6 addresses as sorted, disjoint, inclusive intervals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

fn normalise<T: Copy + Ord + CheckedSucc>(mut v: Vec<(T, T)>) -> Vec<(T, T)> {
    v.sort();
    let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
    for (lo, hi) in v {
        if let Some(last) = out.last_mut() {
            let touches = match last.1.checked_succ() {
                Some(next) => lo <= next,
                None => true,
            };
            if touches {
                if hi > last.1 {
                    last.1 = hi;
                }
                continue;
            }
        }
        out.push((lo, hi));
    }
    out
}

/// The next and previous address, where there is one.
pub(crate) trait CheckedSucc: Sized {
    fn checked_succ(self) -> Option<Self>;
    fn checked_pred(self) -> Option<Self>;
}
impl CheckedSucc for u32 {
    fn checked_succ(self) -> Option<u32> {
        self.checked_add(1)
    }
    fn checked_pred(self) -> Option<u32> {
        self.checked_sub(1)
    }
}
impl CheckedSucc for u128 {
    fn checked_succ(self) -> Option<u128> {
        self.checked_add(1)
    }
    fn checked_pred(self) -> Option<u128> {
        self.checked_sub(1)
    }
}

fn intersect<T: Copy + Ord>(a: &[(T, T)], b: &[(T, T)]) -> Vec<(T, T)> {
    let (mut i, mut j) = (0, 0);
    // Each step keeps at most one range and moves past one of either list.
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if lo <= hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn subtract<T: Copy + Ord + CheckedSucc>(a: &[(T, T)], b: &[(T, T)]) -> Vec<(T, T)> {
    // Every range of `b` splits at most one range of `a` in two.
    let mut out = Vec::with_capacity(a.len() + b.len());
    // Both lists are sorted and disjoint: one sweep, the ranges of `b`
    // wholly below the current range of `a` skipped for good.
    let mut first = 0;
    for &(lo, hi) in a {
        while b.get(first).is_some_and(|&(_, bhi)| bhi < lo) {
            first += 1;
        }
        let mut cur = Some(lo);
        for &(blo, bhi) in b.get(first..).unwrap_or_default() {
            let Some(c) = cur else { break };
            if blo > hi {
                break;
            }
            if bhi < c {
                continue;
            }
            if blo > c {
                if let Some(p) = blo.checked_pred() {
                    out.push((c, p));
                }
            }
            cur = bhi.checked_succ().filter(|n| *n <= hi);
        }
        if let Some(c) = cur {
            out.push((c, hi));
        }
    }
    out
}

/// Disjoint ranges by their first address; touching ranges are merged.
type Ranges<T> = std::collections::BTreeMap<T, T>;

fn ranges_overlap<T: Copy + Ord>(m: &Ranges<T>, lo: T, hi: T) -> bool {
    // Ranges are disjoint and sorted: the last one starting at or before
    // `hi` reaches furthest.
    m.range(..=hi)
        .next_back()
        .is_some_and(|(_, &end)| end >= lo)
}

fn ranges_insert<T: Copy + Ord + CheckedSucc>(m: &mut Ranges<T>, mut lo: T, mut hi: T) {
    // Absorb every range that overlaps or touches [lo, hi].
    let reach = hi.checked_succ().unwrap_or(hi);
    while let Some((&start, &end)) = m.range(..=reach).next_back() {
        let touches = end >= lo || end.checked_succ() == Some(lo);
        if !touches {
            break;
        }
        m.remove(&start);
        lo = lo.min(start);
        hi = hi.max(end);
    }
    m.insert(lo, hi);
}

/// An [`IpSet`] built value by value: overlap tests and insertions in
/// logarithmic time, so that an acl file of 100,000 scattered addresses is
/// not quadratic.
#[derive(Clone, Debug, Default)]
pub struct IpSetBuilder {
    v4: Ranges<u32>,
    v6: Ranges<u128>,
}

impl IpSetBuilder {
    /// A builder holding `set`.
    pub fn of(set: &IpSet) -> IpSetBuilder {
        let mut b = IpSetBuilder::default();
        b.insert(set);
        b
    }

    /// True when nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// True when `set` shares an address with what was inserted.
    pub fn overlaps(&self, set: &IpSet) -> bool {
        set.v4
            .iter()
            .any(|&(lo, hi)| ranges_overlap(&self.v4, lo, hi))
            || set
                .v6
                .iter()
                .any(|&(lo, hi)| ranges_overlap(&self.v6, lo, hi))
    }

    /// Adds `set`.
    pub fn insert(&mut self, set: &IpSet) {
        for &(lo, hi) in &set.v4 {
            ranges_insert(&mut self.v4, lo, hi);
        }
        for &(lo, hi) in &set.v6 {
            ranges_insert(&mut self.v6, lo, hi);
        }
    }

    /// Adds everything `other` holds.
    pub fn absorb(&mut self, other: IpSetBuilder) {
        for (lo, hi) in other.v4 {
            ranges_insert(&mut self.v4, lo, hi);
        }
        for (lo, hi) in other.v6 {
            ranges_insert(&mut self.v6, lo, hi);
        }
    }

    /// The set.
    pub fn build(&self) -> IpSet {
        IpSet {
            v4: self.v4.iter().map(|(&lo, &hi)| (lo, hi)).collect(),
            v6: self.v6.iter().map(|(&lo, &hi)| (lo, hi)).collect(),
        }
    }
}

fn v4_bounds(n: &Ipv4Net) -> (u32, u32) {
    (u32::from(n.network()), u32::from(n.broadcast()))
}

fn v6_bounds(n: &Ipv6Net) -> (u128, u128) {
    (u128::from(n.network()), u128::from(n.broadcast()))
}

impl IpSet {
    /// The empty set.
    pub fn empty() -> IpSet {
        IpSet::default()
    }

    /// Every IPv4 and IPv6 address.
    pub fn everything() -> IpSet {
        IpSet {
            v4: vec![(0, u32::MAX)],
            v6: vec![(0, u128::MAX)],
        }
    }

    /// The addresses of one network.
    pub fn from_net(net: &IpNet) -> IpSet {
        match net {
            IpNet::V4(n) => IpSet {
                v4: vec![v4_bounds(n)],
                v6: Vec::new(),
            },
            IpNet::V6(n) => IpSet {
                v4: Vec::new(),
                v6: vec![v6_bounds(n)],
            },
        }
    }

    /// A set of networks.
    pub fn from_nets<'a>(nets: impl IntoIterator<Item = &'a IpNet>) -> IpSet {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for net in nets {
            match net {
                IpNet::V4(n) => v4.push(v4_bounds(n)),
                IpNet::V6(n) => v6.push(v6_bounds(n)),
            }
        }
        IpSet {
            v4: normalise(v4),
            v6: normalise(v6),
        }
    }

    /// True when no address is in the set.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Union.
    pub fn union(&self, other: &IpSet) -> IpSet {
        IpSet {
            v4: normalise(self.v4.iter().chain(&other.v4).copied().collect()),
            v6: normalise(self.v6.iter().chain(&other.v6).copied().collect()),
        }
    }

    /// Intersection.
    pub fn intersect(&self, other: &IpSet) -> IpSet {
        IpSet {
            v4: intersect(&self.v4, &other.v4),
            v6: intersect(&self.v6, &other.v6),
        }
    }

    /// Difference.
    pub fn subtract(&self, other: &IpSet) -> IpSet {
        IpSet {
            v4: subtract(&self.v4, &other.v4),
            v6: subtract(&self.v6, &other.v6),
        }
    }

    /// `IpSet::from_net(net).intersect(self).sample()`, without building
    /// either set: the candidate-client search asks it of every network a
    /// configuration names.
    pub fn sample_within(&self, net: &IpNet) -> Option<IpAddr> {
        fn first<T: Copy + Ord + CheckedSucc>(set: &[(T, T)], (lo, hi): (T, T)) -> Option<T> {
            let (a, b) = set
                .iter()
                .map(|&(s, e)| (s.max(lo), e.min(hi)))
                .find(|(s, e)| s <= e)?;
            Some(if b > a {
                a.checked_succ().unwrap_or(a)
            } else {
                a
            })
        }
        match net {
            IpNet::V4(n) => first(&self.v4, v4_bounds(n)).map(|a| IpAddr::V4(Ipv4Addr::from(a))),
            IpNet::V6(n) => first(&self.v6, v6_bounds(n)).map(|a| IpAddr::V6(Ipv6Addr::from(a))),
        }
    }

    /// The address, when the set holds exactly one.
    pub fn single(&self) -> Option<IpAddr> {
        match (self.v4.as_slice(), self.v6.as_slice()) {
            ([(lo, hi)], []) if lo == hi => Some(IpAddr::V4(Ipv4Addr::from(*lo))),
            ([], [(lo, hi)]) if lo == hi => Some(IpAddr::V6(Ipv6Addr::from(*lo))),
            _ => None,
        }
    }

    /// Membership.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                self.v4.iter().any(|(lo, hi)| *lo <= a && a <= *hi)
            }
            IpAddr::V6(a) => {
                let a = u128::from(a);
                self.v6.iter().any(|(lo, hi)| *lo <= a && a <= *hi)
            }
        }
    }

    /// Number of IPv4 addresses.
    pub fn v4_count(&self) -> u64 {
        self.v4.iter().map(|(lo, hi)| u64::from(hi - lo) + 1).sum()
    }

    /// Number of IPv6 addresses (saturating).
    pub fn v6_count(&self) -> u128 {
        self.v6.iter().fold(0u128, |acc, (lo, hi)| {
            acc.saturating_add((hi - lo).saturating_add(1))
        })
    }

    /// One address of the set, preferring IPv4 and an address that is not
    /// the first of its interval (a network address reads badly in a witness).
    pub fn sample(&self) -> Option<IpAddr> {
        if let Some((lo, hi)) = self.v4.first() {
            let a = if hi > lo { lo + 1 } else { *lo };
            return Some(IpAddr::V4(Ipv4Addr::from(a)));
        }
        self.v6.first().map(|(lo, hi)| {
            let a = if hi > lo { lo + 1 } else { *lo };
            IpAddr::V6(Ipv6Addr::from(a))
        })
    }

    /// A short human description of the size: "every IPv4 address",
    /// "16777216 IPv4 addresses (0.4% of the public IPv4 space)", "a /32 of IPv6"...
    pub fn describe_size(&self) -> String {
        let mut parts = Vec::new();
        let n4 = self.v4_count();
        if n4 > 0 {
            let public = untrusted_space().v4_count().max(1);
            let pct = n4 as f64 * 100.0 / public as f64;
            parts.push(if n4 >= public {
                "every public IPv4 address".to_string()
            } else if n4 == 1 {
                "1 public IPv4 address".to_string()
            } else if pct >= 0.1 {
                format!("{n4} public IPv4 addresses ({pct:.1}% of the public IPv4 space)")
            } else {
                format!("{n4} public IPv4 addresses")
            });
        }
        let n6 = self.v6_count();
        if n6 > 0 {
            let bits = 128 - n6.leading_zeros() - 1 + u32::from(!n6.is_power_of_two());
            let prefix = 128u32.saturating_sub(bits);
            parts.push(if prefix <= 3 {
                "every public IPv6 address".to_string()
            } else {
                format!("about a /{prefix} of public IPv6 space")
            });
        }
        if parts.is_empty() {
            "no public address".to_string()
        } else {
            parts.join(" and ")
        }
    }
}

fn net(s: &str) -> IpNet {
    // The literals below are fixed and valid; a failure would be a typo here,
    // caught by the tests, so fall back to an empty-ish host route.
    s.parse().unwrap_or(IpNet::V4(
        Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 32).unwrap_or_default(),
    ))
}

/// Addresses relaylint always treats as trusted (internal).
pub fn internal_space() -> IpSet {
    IpSet::from_nets(
        [
            "127.0.0.0/8",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "169.254.0.0/16",
            "::1/128",
            "fe80::/10",
            "fc00::/7",
            "::ffff:0:0/96",
        ]
        .iter()
        .map(|s| net(s))
        .collect::<Vec<_>>()
        .iter(),
    )
}

/// Addresses no internet client can have: "this network", multicast,
/// reserved, and IPv6 outside global unicast.
pub fn unroutable_space() -> IpSet {
    IpSet::from_nets(
        // IPv6: only global unicast (2000::/3) is handed out to hosts.
        ["0.0.0.0/8", "224.0.0.0/3", "::/3", "4000::/2", "8000::/1"]
            .iter()
            .map(|s| net(s))
            .collect::<Vec<_>>()
            .iter(),
    )
}

/// Every address an attacker on the internet may connect from.
pub fn untrusted_space() -> IpSet {
    // A constant, asked by many rules of every unit: worked out once.
    static UNTRUSTED: std::sync::LazyLock<IpSet> = std::sync::LazyLock::new(|| {
        IpSet::everything()
            .subtract(&internal_space())
            .subtract(&unroutable_space())
    });
    UNTRUSTED.clone()
}

/// The attacker's space given extra trusted networks from the user.
pub fn attacker_space(extra_trusted: &[IpNet]) -> IpSet {
    untrusted_space().subtract(&IpSet::from_nets(extra_trusted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtraction_agrees_with_membership() {
        let a = set(&[
            "10.0.0.0/8",
            "192.0.2.0/24",
            "198.51.100.0/24",
            "2001:db8::/32",
        ]);
        let b = set(&[
            "9.0.0.0/8",
            "10.1.0.0/16",
            "10.3.0.0/16",
            "10.3.1.0/24",
            "192.0.2.128/25",
            "198.0.0.0/8",
            "2001:db8:1::/48",
        ]);
        let d = a.subtract(&b);
        for ip in [
            "10.0.0.1",
            "10.1.2.3",
            "10.2.0.0",
            "10.3.1.1",
            "10.255.255.255",
            "192.0.2.1",
            "192.0.2.200",
            "198.51.100.7",
            "9.1.1.1",
            "2001:db8::1",
            "2001:db8:1::1",
            "2001:db8:2::1",
        ] {
            let ip: IpAddr = ip.parse().expect("address");
            assert_eq!(d.contains(ip), a.contains(ip) && !b.contains(ip), "{ip}");
        }
    }

    #[test]
    fn the_builder_agrees_with_set_algebra() {
        // A fixed pseudo-random sequence of small networks, many touching
        // or overlapping.
        let mut next = crate::test_sequence::sequence(0x9e37_79b9_7f4a_7c15);
        let mut acc = IpSet::empty();
        let mut b = IpSetBuilder::default();
        for i in 0..2000 {
            let net = if i % 7 == 0 {
                format!("2001:db8::{:x}/{}", next() % 4096, 116 + next() % 13)
            } else {
                format!("10.0.{}.{}/{}", next() % 16, next() % 256, 26 + next() % 7)
            };
            let s = IpSet::from_net(&net.parse::<IpNet>().expect("net"));
            assert_eq!(b.overlaps(&s), !acc.intersect(&s).is_empty(), "{net}");
            acc = acc.union(&s);
            b.insert(&s);
            assert_eq!(b.build(), acc, "after {net}");
        }
        let edges = set(&["0.0.0.0/32", "255.255.255.255/32", "::/128"]);
        let mut e = IpSetBuilder::of(&edges);
        e.insert(&set(&["0.0.0.1/32", "255.255.255.254/32"]));
        assert_eq!(
            e.build(),
            edges.union(&set(&["0.0.0.1/32", "255.255.255.254/32"]))
        );
    }

    #[test]
    fn sample_within_is_the_sample_of_the_intersection() {
        let spaces = [
            untrusted_space(),
            attacker_space(&[]),
            set(&["192.0.2.7/32"]),
            set(&["10.0.0.0/8", "192.0.2.0/25", "2001:db8::/32"]),
            IpSet::empty(),
        ];
        for space in &spaces {
            for net in [
                "0.0.0.0/0",
                "10.1.0.0/16",
                "192.0.2.0/24",
                "192.0.2.7/32",
                "192.0.2.128/25",
                "198.51.100.0/24",
                "127.0.0.0/8",
                "::/0",
                "2001:db8::/48",
                "fe80::/10",
            ] {
                let n: IpNet = net.parse().expect("net");
                assert_eq!(
                    space.sample_within(&n),
                    IpSet::from_net(&n).intersect(space).sample(),
                    "{net}"
                );
            }
        }
    }

    fn set(nets: &[&str]) -> IpSet {
        let v: Vec<IpNet> = nets.iter().map(|s| s.parse().unwrap()).collect();
        IpSet::from_nets(&v)
    }

    #[test]
    fn private_ranges_are_not_untrusted() {
        let u = untrusted_space();
        assert!(!u.contains("10.1.2.3".parse().unwrap()));
        assert!(!u.contains("127.0.0.1".parse().unwrap()));
        assert!(!u.contains("100.64.0.1".parse().unwrap()));
        assert!(!u.contains("fd00::1".parse().unwrap()));
        assert!(u.contains("203.0.113.66".parse().unwrap()));
        assert!(u.contains("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn set_algebra() {
        let a = set(&["10.0.0.0/8", "11.0.0.0/8"]);
        assert_eq!(a.v4.len(), 1, "adjacent intervals merge");
        let b = a.subtract(&set(&["10.0.0.0/8"]));
        assert_eq!(b, set(&["11.0.0.0/8"]));
        assert_eq!(a.intersect(&set(&["11.2.0.0/16"])), set(&["11.2.0.0/16"]));
        assert_eq!(
            set(&["0.0.0.0/0"]).intersect(&untrusted_space()).v4_count(),
            untrusted_space().v4_count()
        );
    }

    #[test]
    fn sizes_read_well() {
        let u = untrusted_space();
        let all = set(&["0.0.0.0/0"]).intersect(&u);
        assert_eq!(all.describe_size(), "every public IPv4 address");
        let a8 = set(&["44.0.0.0/8"]).intersect(&u);
        assert!(a8
            .describe_size()
            .starts_with("16777216 public IPv4 addresses"));
        assert_eq!(
            set(&["2001:db8::/32"]).describe_size(),
            "about a /32 of public IPv6 space"
        );
        assert_eq!(a8.sample(), Some("44.0.0.1".parse().unwrap()));
    }
}
