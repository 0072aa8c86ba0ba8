//! The first entry of a table of networks that covers an address, found by
//! binary search instead of a walk over every entry.
//!
//! The evaluation asks a client table the same question for hundreds of
//! candidate clients; for a table made only of plain networks (a `cidr:`
//! table without `!` or `if`, the common case) the answer for every address
//! is worked out once, as sorted disjoint ranges, each with the index of
//! the first entry (in file order) that covers it.

use crate::net::CheckedSucc;
use ipnet::IpNet;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::IpAddr;

/// Ranges of addresses, each with the first entry covering it.
#[derive(Clone, Debug, Default)]
pub struct NetIndex {
    v4: Vec<(u32, u32, usize)>,
    v6: Vec<(u128, u128, usize)>,
}

impl NetIndex {
    /// The index of `nets` (in file order), or `None` when an entry is not
    /// a plain network.
    pub fn build(nets: impl Iterator<Item = Option<IpNet>>) -> Option<NetIndex> {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for (i, net) in nets.enumerate() {
            match net? {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()), i)),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()), i)),
            }
        }
        Some(NetIndex {
            v4: first_cover(v4),
            v6: first_cover(v6),
        })
    }

    /// The index of the first entry covering `ip`.
    pub fn first(&self, ip: IpAddr) -> Option<usize> {
        match ip {
            IpAddr::V4(a) => lookup(&self.v4, u32::from(a)),
            IpAddr::V6(a) => lookup(&self.v6, u128::from(a)),
        }
    }
}

fn lookup<T: Copy + Ord>(ranges: &[(T, T, usize)], a: T) -> Option<usize> {
    // The last range starting at or before `a`.
    let after = ranges.partition_point(|&(lo, _, _)| lo <= a);
    let &(_, hi, i) = ranges.get(after.checked_sub(1)?)?;
    (a <= hi).then_some(i)
}

/// Sweeps the ranges `(lo, hi, index)` from low to high addresses, keeping
/// the ranges open at each point in a heap by index: the smallest open
/// index owns the addresses up to the next point where a range opens or
/// closes.
fn first_cover<T: Copy + Ord + CheckedSucc>(mut ranges: Vec<(T, T, usize)>) -> Vec<(T, T, usize)> {
    // The ranges come in index order: a stable sort by start keeps it
    // among ranges with the same start.
    ranges.sort_by_key(|&(lo, _, _)| lo);
    // Most tables (mynetworks lists) hold networks that do not overlap:
    // each one owns itself.
    if ranges.windows(2).all(|w| w[0].1 < w[1].0) {
        return ranges;
    }
    // Every point where the owner can change: starts, and the address after
    // each end.
    let mut points: Vec<T> = ranges
        .iter()
        .flat_map(|&(lo, hi, _)| [Some(lo), hi.checked_succ()])
        .flatten()
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut out: Vec<(T, T, usize)> = Vec::new();
    let mut open: BinaryHeap<Reverse<(usize, T)>> = BinaryHeap::new();
    let mut next = ranges.iter().peekable();
    for (k, &p) in points.iter().enumerate() {
        while let Some(&&(lo, hi, i)) = next.peek() {
            if lo > p {
                break;
            }
            open.push(Reverse((i, hi)));
            next.next();
        }
        while open.peek().is_some_and(|Reverse((_, hi))| *hi < p) {
            open.pop();
        }
        let Some(&Reverse((owner, _))) = open.peek() else {
            continue;
        };
        // This segment ends just before the next point (or at the top of
        // the address space).
        let end = match points.get(k + 1) {
            Some(&q) => match q.checked_pred() {
                Some(e) => e,
                None => continue,
            },
            None => match open.iter().map(|Reverse((_, hi))| *hi).max() {
                Some(hi) => hi,
                None => continue,
            },
        };
        match out.last_mut() {
            Some(last) if last.2 == owner && last.1.checked_succ() == Some(p) => last.1 = end,
            _ => out.push((p, end, owner)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(nets: &[&str]) -> NetIndex {
        NetIndex::build(nets.iter().map(|n| n.parse().ok())).expect("plain networks")
    }

    /// The answer of a walk over the entries in file order.
    fn walk(nets: &[&str], ip: IpAddr) -> Option<usize> {
        nets.iter()
            .position(|n| n.parse::<IpNet>().is_ok_and(|n| n.contains(&ip)))
    }

    fn assert_agrees_with_a_walk(nets: &[&str], ips: &[&str]) {
        let idx = index(nets);
        for ip in ips {
            let ip: IpAddr = ip.parse().expect("address");
            assert_eq!(idx.first(ip), walk(nets, ip), "{ip}");
        }
    }

    #[test]
    fn agrees_with_a_walk_in_file_order() {
        let nets = [
            "10.0.0.0/8",
            "10.1.0.0/16",
            "192.0.2.0/24",
            "0.0.0.0/1",
            "192.0.2.128/25",
            "255.255.255.255/32",
            "0.0.0.0/0",
            "2001:db8::/32",
            "::/0",
            "2001:db8::/48",
        ];
        assert_agrees_with_a_walk(
            &nets,
            &[
                "10.1.2.3",
                "10.2.0.1",
                "9.255.255.255",
                "11.0.0.0",
                "127.0.0.1",
                "128.0.0.0",
                "192.0.2.200",
                "192.0.2.1",
                "255.255.255.254",
                "255.255.255.255",
                "0.0.0.0",
                "2001:db8::1",
                "2001:db9::1",
                "::",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            ],
        );
    }

    #[test]
    fn later_entries_fill_gaps_only() {
        let nets = ["192.0.2.64/26", "192.0.2.0/24", "192.0.2.64/26"];
        let idx = index(&nets);
        let at = |s: &str| idx.first(s.parse().expect("address"));
        assert_eq!(at("192.0.2.1"), Some(1));
        assert_eq!(at("192.0.2.64"), Some(0));
        assert_eq!(at("192.0.2.127"), Some(0));
        assert_eq!(at("192.0.2.128"), Some(1));
        assert_eq!(at("192.0.3.0"), None);
    }

    #[test]
    fn agrees_with_a_walk_on_many_overlapping_networks() {
        // A fixed pseudo-random sequence: networks clustered in a small
        // space so that they overlap often.
        let mut next = crate::test_sequence::sequence(0x2545_f491_4f6c_dd1d);
        let nets: Vec<String> = (0..300)
            .map(|_| {
                let len = 20 + next() % 13;
                let addr = std::net::Ipv4Addr::from(0x0a00_0000 | (next() & 0x000f_ffff));
                format!(
                    "{}",
                    ipnet::Ipv4Net::new(addr, len as u8).expect("net").trunc()
                )
            })
            .collect();
        let refs: Vec<&str> = nets.iter().map(String::as_str).collect();
        let idx = index(&refs);
        for _ in 0..5000 {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(
                0x0a00_0000 | (next() & 0x001f_ffff),
            ));
            assert_eq!(idx.first(ip), walk(&refs, ip), "{ip}");
        }
    }

    #[test]
    fn networks_that_do_not_overlap_own_themselves() {
        // Out of address order, one right after another, and v6 beside v4.
        let nets = [
            "192.0.2.128/25",
            "10.0.0.0/8",
            "192.0.2.0/25",
            "11.0.0.0/8",
            "2001:db8::/32",
            "0.0.0.0/32",
            "255.255.255.255/32",
        ];
        assert_agrees_with_a_walk(
            &nets,
            &[
                "192.0.2.127",
                "192.0.2.128",
                "192.0.2.255",
                "192.0.3.0",
                "10.255.255.255",
                "11.0.0.0",
                "12.0.0.0",
                "0.0.0.0",
                "0.0.0.1",
                "255.255.255.255",
                "2001:db8::1",
                "2001:db9::",
            ],
        );
    }

    #[test]
    fn a_repeated_single_address_keeps_its_first_entry() {
        // Two ranges that meet in one address overlap there.
        assert_agrees_with_a_walk(
            &["192.0.2.9/32", "10.0.0.0/8", "192.0.2.9/32"],
            &["192.0.2.9", "192.0.2.8", "10.0.0.1"],
        );
    }

    #[test]
    fn any_other_entry_means_no_index() {
        assert!(
            NetIndex::build([Some("10.0.0.0/8".parse().expect("net")), None].into_iter()).is_none()
        );
    }
}
