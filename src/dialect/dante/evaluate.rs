//! Dante's decision procedure, played for the attacker.
//!
//! For one `internal:` address: the client rules are walked when the TCP
//! connection arrives (first match; no match = block), then SOCKS5 method
//! negotiation picks the first method of the matching client rule's
//! `socksmethod` list that the client can use, then the socks rules are
//! walked per request (first match; no match = block). SOCKS4 requests
//! carry no authentication and, in Dante before 1.4.4, skip the client
//! rule's method list (CVE-2024-54662).
//!
//! The attacker connects from any untrusted address, offers only "no
//! authentication" and answers ident queries on its own host with any user
//! name it likes (so `rfc931` grants it access). `pam.*` methods depend on
//! a PAM stack outside the file: relaylint assumes they refuse the attacker.
//!
//! Sources and destinations are tried per cell of the partition the rules'
//! address sets make of the attacker's space (largest cell first), so a
//! first-match walk on one sample per cell is exact for address matching.
//! This module never formats findings.

use super::address::Addr;
use super::syntax::{Command, Config, Method, MethodList, Rule, RuleKind};
use crate::net::{untrusted_space, IpSet};
use crate::source::Span;
use ipnet::IpNet;
use std::net::IpAddr;

/// Destination ports of the open-proxy question: SMTP, then HTTP.
pub const WITNESS_PORTS: [u16; 2] = [25, 80];

/// The attacker's source port: an ordinary ephemeral port.
pub const SOURCE_PORT: u16 = 40000;

/// Where an `internal:` line listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Loopback only: out of the attacker's reach.
    Loopback,
    /// Every address of one family (`0.0.0.0`, `::`).
    Wildcard {
        /// IPv6 (`::`) or IPv4 (`0.0.0.0`).
        v6: bool,
    },
    /// One address.
    Address(IpAddr),
    /// An interface, assumed to carry a public address.
    Interface(String),
    /// A host name, assumed to resolve to a public address.
    Name(String),
}

impl Reach {
    /// The attacker addresses that can connect.
    fn sources(&self, attacker: &IpSet) -> IpSet {
        match self {
            Reach::Loopback => IpSet::empty(),
            Reach::Wildcard { v6 } => attacker.intersect(&family(*v6)),
            Reach::Address(ip) => attacker.intersect(&family(ip.is_ipv6())),
            Reach::Interface(_) | Reach::Name(_) => attacker.clone(),
        }
    }

    /// True when the internal address is loopback.
    pub fn is_loopback(&self) -> bool {
        *self == Reach::Loopback
    }

    /// True when it listens on every address of a family.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, Reach::Wildcard { .. })
    }
}

/// How an internal address is reached.
pub fn reach(addr: &Addr) -> Reach {
    match addr {
        Addr::Host(ip) => {
            if ip.is_loopback() || is_mapped_loopback(*ip) {
                Reach::Loopback
            } else if ip.is_unspecified() {
                Reach::Wildcard { v6: ip.is_ipv6() }
            } else {
                Reach::Address(*ip)
            }
        }
        Addr::Net(n) => reach(&Addr::Host(n.addr())),
        Addr::Any => Reach::Wildcard { v6: false },
        Addr::Interface(name) => {
            if super::address::is_loopback_interface(name) {
                Reach::Loopback
            } else {
                Reach::Interface(name.clone())
            }
        }
        Addr::Name(name) => {
            if name == "localhost" || name.starts_with("localhost.") {
                Reach::Loopback
            } else {
                Reach::Name(name.clone())
            }
        }
    }
}

/// The port an `internal:` line listens on (`socks` from /etc/services,
/// 1080, when none is given).
pub fn listen_port(ep: &super::syntax::Endpoint) -> u16 {
    match ep.port.as_ref().and_then(|p| p.op) {
        Some(super::address::PortOp::Eq(n) | super::address::PortOp::ColonAny(n)) => n,
        _ => 1080,
    }
}

fn is_mapped_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
        IpAddr::V4(_) => false,
    }
}

fn family(v6: bool) -> IpSet {
    let net: IpNet = if v6 {
        IpNet::V6(ipnet::Ipv6Net::default())
    } else {
        IpNet::V4(ipnet::Ipv4Net::default())
    };
    IpSet::from_net(&net)
}

/// One request of the attacker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Client address.
    pub source: IpAddr,
    /// 4 or 5.
    pub version: u8,
    /// The method the request ends up with (`none` or `rfc931`).
    pub method: Method,
    /// Destination.
    pub dest: IpAddr,
    /// Destination port.
    pub port: u16,
    /// SOCKS command.
    pub command: Command,
}

/// Why the attacker got through.
#[derive(Clone, Debug)]
pub struct Witness {
    /// The request.
    pub request: Request,
    /// Index of the client rule that let the connection in.
    pub client_rule: usize,
    /// Index of the socks rule that passed the request.
    pub socks_rule: usize,
    /// The method-list entry that admitted the attacker (the list it is
    /// in, and the entry).
    pub method_entry: Option<Span>,
    /// True when SOCKS5 negotiation refused the attacker and SOCKS4 got
    /// through: the CVE-2024-54662 bypass.
    pub v4_bypass: bool,
}

/// The verdicts of one `internal:` line.
#[derive(Clone, Debug)]
pub struct InternalVerdict {
    /// Index in [`Config::internals`].
    pub index: usize,
    /// Where it listens.
    pub reach: Reach,
    /// An unauthenticated CONNECT the attacker can make to port 25 or 80
    /// (25 preferred): the open-proxy question.
    pub open: Option<Witness>,
    /// An unauthenticated BIND or UDP ASSOCIATE.
    pub bind_udp: Option<Witness>,
    /// When `open` is `None`: an unauthenticated CONNECT to another port or
    /// only to networks the file names (HTTPS only, high ports, a partner
    /// network).
    pub open_other: Option<Witness>,
}

/// A socks rule that a request can match, destination aside.
struct Candidate {
    index: usize,
    pass: bool,
    entry: Option<Span>,
}

/// Destination checks one search may make before it gives up (a file with
/// thousands of port-specific blocks would otherwise take seconds).
const WORK_BUDGET: usize = 4_000_000;

/// Evaluation context: the file and the attacker.
pub struct Evaluator<'c> {
    cfg: &'c Config,
    attacker: &'c IpSet,
    foreign: IpSet,
    /// Per rule: the addresses its `from:` and `to:` match as peers
    /// (computed once; a walk looks at them for every request).
    peers: Vec<(IpSet, IpSet)>,
}

/// Caps that keep the search polynomial on pathological files: cells of the
/// address partitions and candidate ports.
const MAX_CELLS: usize = 32;
const MAX_PORTS: usize = 96;

/// Candidate destination ports, in the order witnesses are preferred:
/// 25 and 80, then a port of every socks pass rule (a witness must match
/// one), then the edges of the other qualifiers (to slip past blocks).
fn candidate_ports(cfg: &Config) -> Vec<u16> {
    let mut v = vec![25u16, 80, 443];
    let add = |p: u16, v: &mut Vec<u16>| {
        if v.len() < MAX_PORTS && p != 0 && !v.contains(&p) {
            v.push(p);
        }
    };
    for pass in [true, false] {
        for r in cfg.rules.iter().filter(|r| r.pass == pass) {
            if let Some(op) =
                r.to.as_ref()
                    .and_then(|t| t.port.as_ref())
                    .and_then(|p| p.op)
            {
                for p in op.boundaries() {
                    if op.matches(p) || !pass {
                        add(p, &mut v);
                    }
                }
            }
        }
    }
    v
}

/// Splits `space` by every set in `by` (one sample per cell decides a
/// first-match walk exactly), largest cells first, IPv4 before IPv6.
fn cells(space: &IpSet, by: &[IpSet]) -> Vec<IpSet> {
    let mut out = vec![space.clone()];
    for s in by {
        if out.len() >= MAX_CELLS {
            break;
        }
        let mut next = Vec::with_capacity(out.len() * 2);
        for c in &out {
            let inside = c.intersect(s);
            let outside = c.subtract(s);
            if !inside.is_empty() {
                next.push(inside);
            }
            if !outside.is_empty() {
                next.push(outside);
            }
        }
        out = next;
    }
    out.sort_by(|a, b| {
        let key = |c: &IpSet| {
            (
                c.v4_count() == 0,
                u64::MAX - c.v4_count(),
                u128::MAX - c.v6_count(),
            )
        };
        key(a).cmp(&key(b))
    });
    out
}

/// A destination from a cell: a documentation address when the cell holds
/// one (it reads as "some foreign host" and is what the differential suite
/// runs its foreign host on), else any address of the cell.
fn pick_destination(cell: &IpSet) -> Option<IpAddr> {
    ["198.51.100.25", "2001:db8::25"]
        .iter()
        .filter_map(|s| s.parse::<IpAddr>().ok())
        .find(|ip| cell.contains(*ip))
        .or_else(|| cell.sample())
}

/// The socksmethod list a rule checks: its own, else the global one; a
/// socks rule with `user:`/`group:` keeps only methods that name a user.
pub fn effective_socksmethods(cfg: &Config, r: &Rule) -> Vec<(Method, Option<Span>)> {
    if let Some(l) = &r.socksmethod {
        return l.methods.iter().map(|(m, s)| (*m, Some(*s))).collect();
    }
    let global: Vec<(Method, Option<Span>)> = cfg
        .socksmethod
        .as_ref()
        .map(|l| l.methods.iter().map(|(m, s)| (*m, Some(*s))).collect())
        .unwrap_or_default();
    if r.kind == RuleKind::Socks && (r.users.is_some() || r.groups.is_some()) {
        global
            .into_iter()
            .filter(|(m, _)| m.supplies_user())
            .collect()
    } else {
        global
    }
}

/// The list SOCKS5 negotiation follows: the matching client rule's
/// `socksmethod:`, else the global one.
fn negotiation_list(cfg: &Config, client: &Rule) -> Vec<(Method, Option<Span>)> {
    client
        .socksmethod
        .as_ref()
        .or(cfg.socksmethod.as_ref())
        .map(|l: &MethodList| l.methods.iter().map(|(m, s)| (*m, Some(*s))).collect())
        .unwrap_or_default()
}

/// The clientmethod list a rule checks.
fn effective_clientmethods(cfg: &Config, r: &Rule) -> Vec<(Method, Option<Span>)> {
    match (&r.clientmethod, &cfg.clientmethod) {
        (Some(l), _) | (None, Some(l)) => l.methods.iter().map(|(m, s)| (*m, Some(*s))).collect(),
        (None, None) => vec![(Method::None, None)],
    }
}

/// True when the attacker passes a clientmethod list (no authentication, or
/// ident from its own host).
fn client_method_ok(list: &[(Method, Option<Span>)]) -> bool {
    list.iter()
        .any(|(m, _)| matches!(m, Method::None | Method::Rfc931))
}

/// The method SOCKS5 negotiation ends with for a client that offers only
/// "no authentication": `none` or `rfc931` when the list holds one. `pam.*`
/// entries travel as the same wire method but PAM decides; relaylint
/// assumes PAM refuses the attacker, and danted then goes on to the next
/// entry (checked: `pam.any none` lets the client in, `pam.any` alone not).
fn negotiate(list: &[(Method, Option<Span>)]) -> Option<Method> {
    list.iter()
        .map(|(m, _)| *m)
        .find(|m| matches!(m, Method::None | Method::Rfc931))
}

impl<'c> Evaluator<'c> {
    /// An evaluator for `cfg` against `attacker`.
    pub fn new(cfg: &'c Config, attacker: &'c IpSet) -> Evaluator<'c> {
        let peers = cfg
            .rules
            .iter()
            .map(|r| {
                let side = |e: &Option<super::syntax::Endpoint>| {
                    e.as_ref().map(|e| e.addr.peer_set()).unwrap_or_default()
                };
                (side(&r.from), side(&r.to))
            })
            .collect();
        Evaluator {
            cfg,
            attacker,
            foreign: untrusted_space(),
            peers,
        }
    }

    /// Does a client rule's `to:` (the local address) match a connection
    /// that arrived on `reach`?
    fn local_matches(&self, r: &Rule, reach: &Reach, listen_port: u16, v6_client: bool) -> bool {
        let Some(to) = &r.to else { return false };
        if !to.port_matches(listen_port) {
            return false;
        }
        // The address a connection arrives on is known only when
        // `internal:` names one. Otherwise (`0.0.0.0`, an interface) the
        // host's address is unknown, and only a `to:` that covers the
        // client's whole family or names an interface is taken to match: a
        // range matches only if it happens to hold the host's address, which
        // the file does not say (the real daemon, run on a public test
        // address, agrees for every range that does not hold it).
        let whole = |v6: bool| match &to.addr {
            Addr::Any => true,
            Addr::Interface(n) => !super::address::is_loopback_interface(n),
            Addr::Net(n) => n.prefix_len() == 0 && n.addr().is_ipv6() == v6,
            Addr::Host(_) | Addr::Name(_) => false,
        };
        match reach {
            Reach::Address(ip) => match &to.addr {
                Addr::Interface(n) => !super::address::is_loopback_interface(n),
                a => a.peer_set().contains(*ip),
            },
            Reach::Wildcard { v6 } => whole(*v6),
            Reach::Interface(_) | Reach::Name(_) => whole(v6_client),
            Reach::Loopback => false,
        }
    }

    /// The first client rule matching `source` on `reach`, if it passes.
    fn client_rule(&self, source: IpAddr, reach: &Reach, listen_port: u16) -> Option<usize> {
        for (i, r) in self.cfg.rules.iter().enumerate() {
            if r.kind != RuleKind::Client {
                continue;
            }
            let Some(from) = &r.from else { continue };
            let Some((from_set, _)) = self.peers.get(i) else {
                continue;
            };
            if !from_set.contains(source) || !from.port_matches(SOURCE_PORT) {
                continue;
            }
            if !self.local_matches(r, reach, listen_port, source.is_ipv6()) {
                continue;
            }
            if !client_method_ok(&effective_clientmethods(self.cfg, r)) {
                continue;
            }
            return r.pass.then_some(i);
        }
        None
    }

    /// The socks rules a request from `source` can match, whatever its
    /// destination: version, command, `from:`, and the method checks. A walk
    /// over destinations then only compares `to:`.
    fn candidates(
        &self,
        source: IpAddr,
        version: u8,
        method: Method,
        command: Command,
    ) -> Vec<Candidate> {
        let mut out = Vec::new();
        for (i, r) in self.cfg.rules.iter().enumerate() {
            if r.kind != RuleKind::Socks || !r.has_version(version) || !r.has_command(command) {
                continue;
            }
            let (Some(from), Some(_)) = (&r.from, &r.to) else {
                continue;
            };
            let Some((from_set, _)) = self.peers.get(i) else {
                continue;
            };
            if !from_set.contains(source) || !from.port_matches(SOURCE_PORT) {
                continue;
            }
            if !client_method_ok(&effective_clientmethods(self.cfg, r)) {
                continue;
            }
            let reply_only = r.commands.as_ref().is_some_and(|(c, _)| {
                c.iter()
                    .all(|c| matches!(c, Command::BindReply | Command::UdpReply))
            });
            if reply_only {
                // replies skip method checks (no srchost checkreplyauth)
                out.push(Candidate {
                    index: i,
                    pass: r.pass,
                    entry: None,
                });
                continue;
            }
            let list = effective_socksmethods(self.cfg, r);
            let entry = list
                .iter()
                .find(|(m, _)| *m == method)
                .or_else(|| list.iter().find(|(m, _)| *m == Method::Rfc931));
            let Some((method, span)) = entry else {
                continue;
            };
            // With rfc931 the attacker's identd names whoever it likes: a
            // listed user, or a member of a listed group (checked with
            // `group: nogroup` and ident `nobody`).
            if (r.users.is_some() || r.groups.is_some()) && *method != Method::Rfc931 {
                continue;
            }
            out.push(Candidate {
                index: i,
                pass: r.pass,
                entry: *span,
            });
        }
        out
    }

    /// The first candidate whose `to:` matches; `None`: no rule (block).
    fn first_match<'a>(
        &self,
        cands: &'a [Candidate],
        dest: IpAddr,
        port: u16,
    ) -> Option<&'a Candidate> {
        cands.iter().find(|c| {
            let to_ok = self
                .peers
                .get(c.index)
                .is_some_and(|(_, t)| t.contains(dest));
            to_ok
                && self
                    .cfg
                    .rules
                    .get(c.index)
                    .and_then(|r| r.to.as_ref())
                    .is_some_and(|t| t.port_matches(port))
        })
    }

    /// Foreign hosts the file does not single out: every foreign address
    /// outside the networks socks rules name in `to:` (anything narrower
    /// than a whole family). A proxy that lets strangers reach only a named
    /// network is limited (DN012), not open to arbitrary hosts.
    fn generic_destinations(&self) -> IpSet {
        let mut named = IpSet::empty();
        for (r, (_, to_set)) in self.cfg.rules.iter().zip(&self.peers) {
            let small = r.to.as_ref().is_some_and(|t| match &t.addr {
                Addr::Net(n) => n.prefix_len() > 0,
                _ => false,
            });
            if r.kind == RuleKind::Socks && small {
                named = named.union(to_set);
            }
        }
        let generic = self.foreign.subtract(&named);
        if generic.is_empty() {
            self.foreign.clone()
        } else {
            generic
        }
    }

    /// True when some socks pass rule could take `command` to `port` (a
    /// cheap filter before walking the rules for every source and destination).
    fn some_pass_allows(&self, command: Command, port: u16) -> bool {
        self.cfg.rules.iter().any(|r| {
            r.kind == RuleKind::Socks
                && r.pass
                && r.has_command(command)
                && r.to.as_ref().is_some_and(|t| t.port_matches(port))
        })
    }

    /// The socks rules' destination sets and the source sets of all rules.
    fn partitions(&self) -> (Vec<IpSet>, Vec<IpSet>) {
        let mut src = Vec::new();
        let mut dst = Vec::new();
        for (r, (f, t)) in self.cfg.rules.iter().zip(&self.peers) {
            if r.from.is_some() {
                src.push(f.clone());
            }
            if r.kind == RuleKind::Socks && r.to.is_some() {
                dst.push(t.clone());
            }
        }
        (src, dst)
    }

    /// Looks for a request the attacker gets through `reach` (listening on
    /// `listen_port`) with one of `commands`, port 25 first.
    fn find(
        &self,
        reach: &Reach,
        listen_port: u16,
        commands: &[Command],
        ports: &[u16],
        generic_only: bool,
    ) -> Option<Witness> {
        let sources = reach.sources(self.attacker);
        if sources.is_empty() {
            return None;
        }
        let (src_sets, dst_sets) = self.partitions();
        let src_cells = cells(&sources, &src_sets);
        let targets = if generic_only {
            self.generic_destinations()
        } else {
            self.foreign.clone()
        };
        let dst_cells = cells(&targets, &dst_sets);
        let mut work = 0usize;
        // Port 25 first across every source, then any port.
        for want_smtp in [true, false] {
            for cell in &src_cells {
                let Some(source) = cell.sample() else {
                    continue;
                };
                let Some(crule) = self.client_rule(source, reach, listen_port) else {
                    continue;
                };
                let Some(client) = self.cfg.rules.get(crule) else {
                    continue;
                };
                let neg_list = negotiation_list(self.cfg, client);
                let v5 = negotiate(&neg_list);
                for &command in commands {
                    for version in [5u8, 4] {
                        let method = if version == 5 {
                            match v5 {
                                Some(m) => m,
                                None => continue,
                            }
                        } else {
                            if matches!(command, Command::UdpAssociate) {
                                continue;
                            }
                            Method::None
                        };
                        let cands = self.candidates(source, version, method, command);
                        if !cands.iter().any(|c| c.pass) {
                            continue;
                        }
                        for &port in ports {
                            if want_smtp != (port == 25) || !self.some_pass_allows(command, port) {
                                continue;
                            }
                            for dcell in &dst_cells {
                                let dcell = if version == 4 {
                                    dcell.intersect(&family(false))
                                } else {
                                    dcell.clone()
                                };
                                let Some(dest) = pick_destination(&dcell) else {
                                    continue;
                                };
                                work += cands.len();
                                if work > WORK_BUDGET {
                                    return None;
                                }
                                if let Some(c) = self.first_match(&cands, dest, port) {
                                    if !c.pass {
                                        continue;
                                    }
                                    let request = Request {
                                        source,
                                        version,
                                        method,
                                        dest,
                                        port,
                                        command,
                                    };
                                    return Some(Witness {
                                        request,
                                        client_rule: crule,
                                        socks_rule: c.index,
                                        method_entry: c.entry,
                                        v4_bypass: version == 4 && v5.is_none(),
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// The host-level question: an unauthenticated CONNECT from the attacker
    /// to `port` on `dest`, an address of the host itself, through any
    /// `internal:` line (its index and the witness). A socks rule's `to:`
    /// naming the loopback interface (`lo`) or `localhost` stands for
    /// loopback; naming another interface, for the host's other addresses.
    pub fn connect_to_host(&self, dest: IpAddr, port: u16) -> Option<(usize, Witness)> {
        let (src_sets, _) = self.partitions();
        let to_matches = |i: usize| {
            let Some(to) = self.cfg.rules.get(i).and_then(|r| r.to.as_ref()) else {
                return false;
            };
            let addr_ok = match &to.addr {
                Addr::Interface(n) => {
                    super::address::is_loopback_interface(n) == dest.is_loopback()
                }
                Addr::Name(n) => n == "localhost" && dest.is_loopback(),
                a => a.peer_set().contains(dest),
            };
            addr_ok && to.port_matches(port)
        };
        for (index, (ep, _)) in self.cfg.internals.iter().enumerate() {
            let reach = reach(&ep.addr);
            let listen = listen_port(ep);
            for cell in cells(&reach.sources(self.attacker), &src_sets) {
                let Some(source) = cell.sample() else {
                    continue;
                };
                let Some(crule) = self.client_rule(source, &reach, listen) else {
                    continue;
                };
                let Some(client) = self.cfg.rules.get(crule) else {
                    continue;
                };
                let v5 = negotiate(&negotiation_list(self.cfg, client));
                for version in [5u8, 4] {
                    let method = match (version, v5) {
                        (5, Some(m)) => m,
                        (5, None) => continue,
                        _ => Method::None,
                    };
                    let cands = self.candidates(source, version, method, Command::Connect);
                    let Some(c) = cands.iter().find(|c| to_matches(c.index)) else {
                        continue;
                    };
                    if !c.pass {
                        continue;
                    }
                    let request = Request {
                        source,
                        version,
                        method,
                        dest,
                        port,
                        command: Command::Connect,
                    };
                    return Some((
                        index,
                        Witness {
                            request,
                            client_rule: crule,
                            socks_rule: c.index,
                            method_entry: c.entry,
                            v4_bypass: version == 4 && v5.is_none(),
                        },
                    ));
                }
            }
        }
        None
    }

    /// The verdicts of every `internal:` line.
    pub fn internals(&self) -> Vec<InternalVerdict> {
        self.cfg
            .internals
            .iter()
            .enumerate()
            .map(|(index, (ep, _))| {
                let reach = reach(&ep.addr);
                let port = listen_port(ep);
                let all = candidate_ports(self.cfg);
                let open = self.find(&reach, port, &[Command::Connect], &WITNESS_PORTS, true);
                let open_other = if open.is_none() {
                    self.find(&reach, port, &[Command::Connect], &all, false)
                } else {
                    None
                };
                let bind_udp = self.find(
                    &reach,
                    port,
                    &[Command::Bind, Command::UdpAssociate],
                    &all,
                    false,
                );
                InternalVerdict {
                    index,
                    reach,
                    open,
                    open_other,
                    bind_udp,
                }
            })
            .collect()
    }

    /// A socks pass rule that lets some client (trusted or authenticated:
    /// any address, any method) CONNECT to port 25 of a foreign host, and
    /// the client rule that admits such a client.
    pub fn smtp_for_anyone(&self) -> Option<(usize, Option<usize>, IpAddr)> {
        for (i, r) in self.cfg.rules.iter().enumerate() {
            if r.kind != RuleKind::Socks || !r.pass || !r.has_command(Command::Connect) {
                continue;
            }
            let (Some(from), Some(to)) = (&r.from, &r.to) else {
                continue;
            };
            if !to.port_matches(25) || !from.port_matches(SOURCE_PORT) {
                continue;
            }
            let Some(dest) = to.addr.peer_set().intersect(&self.foreign).sample() else {
                continue;
            };
            let Some(source) = from.addr.peer_set().sample() else {
                continue;
            };
            let version = if r.has_version(5) { 5 } else { 4 };
            // The first socks rule this request meets, methods aside (such a
            // client can use whatever method a rule asks for).
            let first = self.cfg.rules.iter().position(|b| {
                b.kind == RuleKind::Socks
                    && b.has_version(version)
                    && b.has_command(Command::Connect)
                    && b.from.as_ref().is_some_and(|f| {
                        f.addr.peer_set().contains(source) && f.port_matches(SOURCE_PORT)
                    })
                    && b.to
                        .as_ref()
                        .is_some_and(|t| t.addr.peer_set().contains(dest) && t.port_matches(25))
            });
            if first != Some(i) {
                continue;
            }
            let client = self.cfg.rules.iter().position(|c| {
                c.kind == RuleKind::Client
                    && c.from
                        .as_ref()
                        .is_some_and(|f| f.addr.peer_set().contains(source))
            });
            // No client rule for such a client means the default block.
            let Some(client) = client.filter(|c| self.cfg.rules.get(*c).is_some_and(|c| c.pass))
            else {
                continue;
            };
            return Some((i, Some(client), dest));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::syntax::parse;
    use super::*;
    use crate::net::untrusted_space;
    use crate::source::FileId;

    fn verdict(text: &str) -> Vec<InternalVerdict> {
        let cfg = parse(FileId(0), text);
        assert!(cfg.problems.is_empty(), "{:?}", cfg.problems);
        let a = untrusted_space();
        Evaluator::new(&cfg, &a).internals()
    }

    const HEAD: &str = "internal: 0.0.0.0 port = 1080\nexternal: eth0\n";

    #[test]
    fn none_in_the_list_is_open_and_prefers_port_25() {
        let v = verdict(&format!("{HEAD}socksmethod: username none\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks pass {{ from: 0/0 to: 0/0 }}\n"));
        let w = v[0].open.as_ref().expect("open");
        assert_eq!(w.request.port, 25);
        assert_eq!(w.request.version, 5);
        assert!(w.request.source.is_ipv4(), "0.0.0.0 listens on IPv4 only");
    }

    #[test]
    fn username_only_is_closed() {
        let v = verdict(&format!("{HEAD}socksmethod: username\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks pass {{ from: 0/0 to: 0/0 }}\n"));
        assert!(v[0].open.is_none());
    }

    #[test]
    fn client_rule_socksmethod_is_bypassed_by_socks4() {
        let v = verdict(&format!("{HEAD}socksmethod: username none\nclient pass {{ from: 0/0 to: 0/0 socksmethod: username }}\nsocks pass {{ from: 0/0 to: 0/0 }}\n"));
        let w = v[0].open.as_ref().expect("open via SOCKS4");
        assert_eq!(w.request.version, 4);
        assert!(w.v4_bypass);
    }

    #[test]
    fn user_lists_drop_none_but_not_rfc931() {
        let closed = verdict(&format!("{HEAD}socksmethod: username none\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks pass {{ from: 0/0 to: 0/0\nuser: alice\n}}\n"));
        assert!(closed[0].open.is_none());
        let open = verdict(&format!("{HEAD}socksmethod: username rfc931\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks pass {{ from: 0/0 to: 0/0\nuser: alice\n}}\n"));
        assert!(open[0].open.is_some(), "the attacker's identd says `alice`");
    }

    #[test]
    fn ipv4_blocks_leave_ipv6_open_on_interfaces() {
        let text = "internal: eth0 port = 1080\nexternal: eth0\nsocksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks block { from: 0.0.0.0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }\n";
        let w = verdict(text)[0].open.clone().expect("IPv6 clients pass");
        assert!(w.request.source.is_ipv6());
        let v4only = text.replace("eth0 port", "0.0.0.0 port");
        assert!(verdict(&v4only)[0].open.is_none());
    }

    #[test]
    fn loopback_internal_is_out_of_reach() {
        let v = verdict("internal: 127.0.0.1 port = 1080\nexternal: eth0\nsocksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }\n");
        assert!(v[0].reach.is_loopback());
        assert!(v[0].open.is_none());
    }

    #[test]
    fn colon_port_and_first_match() {
        let blocked = verdict(&format!("{HEAD}socksmethod: none\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks block {{ from: 0/0 to: 0/0 port: 25 }}\nsocks pass {{ from: 0/0 to: 0/0 }}\n"));
        assert!(blocked[0].open.is_none());
        let web = verdict(&format!("{HEAD}socksmethod: none\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks block {{ from: 0/0 to: 0/0 port = 25 }}\nsocks pass {{ from: 0/0 to: 0/0 }}\n"));
        assert_eq!(web[0].open.as_ref().map(|w| w.request.port), Some(80));
    }

    #[test]
    fn bind_only_rules_open_bind_not_connect() {
        let v = verdict(&format!("{HEAD}socksmethod: none\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks pass {{ from: 0/0 to: 0/0 command: bind udpassociate }}\n"));
        assert!(v[0].open.is_none());
        assert!(v[0].bind_udp.is_some());
    }
}
