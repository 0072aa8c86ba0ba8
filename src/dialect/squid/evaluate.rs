//! Walks Squid's access lists for the attacker's requests, per listener:
//! `follow_x_forwarded_for` (who may name another client), then
//! `http_access` and `miss_access`, each first-match with the implicit
//! default (the opposite of the last line; its own default when empty).
//!
//! The attacker is a set of choices: its source address (one sample per
//! region the config's `src` acls tell apart, largest first), the target
//! host, and every acl it can steer ([`Leaf::Free`]). The walk tries both
//! answers of such an acl the first time it matters and keeps that answer
//! for the rest of the request, so a witness is always one consistent
//! request. Authentication challenges end the walk: the attacker cannot log
//! in. This module never formats diagnostics.

use super::acl::{domain_matches, Leaf, RegexTarget};
use super::model::{AccessLine, Config, ListKind, Port, PortMode};
use super::time::WeekMinutes;
use crate::net::IpSet;
use std::net::{IpAddr, Ipv4Addr};

/// The kinds of request that make a proxy open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `GET http://HOST/`.
    Get,
    /// `CONNECT HOST:443`.
    Connect443,
    /// `CONNECT HOST:25`.
    Connect25,
    /// `GET http://HOST:25/` (HTTP smuggled to a mail server).
    Get25,
    /// `GET cache_object://HOST/info` (the cache manager).
    Manager,
}

impl Kind {
    /// All kinds, the most common first.
    pub const ALL: [Kind; 4] = [Kind::Get, Kind::Connect443, Kind::Connect25, Kind::Get25];

    fn port(self) -> u32 {
        match self {
            Kind::Get => 80,
            Kind::Connect443 => 443,
            Kind::Connect25 | Kind::Get25 => 25,
            Kind::Manager => 3128,
        }
    }

    fn connect(self) -> bool {
        matches!(self, Kind::Connect443 | Kind::Connect25)
    }

    /// How the request reads (`CONNECT example.net:25`).
    pub fn describe(self, host: &str) -> String {
        match self {
            Kind::Get => format!("GET http://{host}/"),
            Kind::Get25 => format!("GET http://{host}:25/"),
            Kind::Connect443 => format!("CONNECT {host}:443"),
            Kind::Connect25 => format!("CONNECT {host}:25"),
            Kind::Manager => format!("GET cache_object://{host}/info"),
        }
    }

    /// A short name (`CONNECT to port 25`).
    pub fn short(self) -> &'static str {
        match self {
            Kind::Get => "GET",
            Kind::Get25 => "HTTP to port 25",
            Kind::Connect443 => "CONNECT to port 443",
            Kind::Connect25 => "CONNECT to port 25",
            Kind::Manager => "cache manager",
        }
    }
}

/// One request of the attacker.
#[derive(Clone, Debug)]
pub struct Request {
    /// What it asks for.
    pub kind: Kind,
    /// The address Squid's `src` acls see.
    pub src: IpAddr,
    /// The TCP peer (differs from `src` when an X-Forwarded-For or PROXY
    /// header is trusted).
    pub direct: IpAddr,
    /// The target host name.
    pub host: String,
    /// The address the host resolves to.
    pub dst_ip: IpAddr,
    /// The name a reverse lookup of `dst_ip` gives, when the host is
    /// written as an address: Squid matches `dstdomain` and `dstdom_regex`
    /// against it too.
    pub reverse_name: Option<String>,
    /// The destination port (the kind's usual one unless a caller names
    /// another, as the host pass does for the local MTA's port).
    pub dst_port: u32,
    /// The listener's port number.
    pub local_port: u32,
    /// The listener's name.
    pub port_name: String,
    /// The listener's own address when it is bound to one.
    pub local_ip: Option<IpAddr>,
    /// How `src` was chosen.
    pub via: Via,
}

/// How the attacker's `src` came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// Its own address.
    Direct,
    /// Named in X-Forwarded-For.
    Xff,
    /// Named in a PROXY protocol header.
    ProxyHeader,
}

impl Request {
    fn url(&self) -> String {
        match self.kind {
            Kind::Get => format!("http://{}/", self.host),
            Kind::Get25 => format!("http://{}:{}/", self.host, self.dst_port),
            Kind::Connect443 | Kind::Connect25 => format!("{}:{}", self.host, self.dst_port),
            Kind::Manager => format!("cache_object://{}/info", self.host),
        }
    }
}

/// What decided one list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// This line matched.
    Line(usize),
    /// No line matched: the opposite of the last line (its index).
    Default(usize),
    /// The list is empty: its own default.
    Empty,
}

/// A list's answer in a witness.
#[derive(Clone, Debug)]
pub struct ListStep {
    /// The list.
    pub list: ListKind,
    /// What decided it.
    pub decision: Decision,
    /// Acls of the deciding line that matched, in order.
    pub matched: Vec<usize>,
}

/// A request that gets through, with why.
#[derive(Clone, Debug)]
pub struct Witness {
    /// The request.
    pub request: Request,
    /// The lists in the order Squid asked them.
    pub steps: Vec<ListStep>,
    /// Acls the attacker (or the clock) made true or false.
    pub assumed: Vec<(usize, bool)>,
    /// The minute of the week (Sunday 00:00 = 0, the proxy's local time) at
    /// which the assumed `time` acls answer as assumed, when any was.
    pub moment: Option<usize>,
}

/// A listener's verdict.
#[derive(Clone, Debug)]
pub struct PortVerdict {
    /// Index into [`Config::ports`].
    pub port: usize,
    /// One witness per request kind that gets through.
    pub open: Vec<Witness>,
    /// Why the listener is not usable at all, when it is not.
    pub unusable: Option<String>,
}

enum Stop {
    Need(usize),
    Auth,
}

struct Search<'c> {
    cfg: &'c Config,
    budget: u32,
}

const BUDGET: u32 = 200_000;

impl Search<'_> {
    fn eval(&mut self, i: usize, req: &Request, assign: &[Option<bool>]) -> Result<bool, Stop> {
        self.budget = self.budget.saturating_sub(1);
        let Some(a) = self.cfg.acls.get(i) else {
            return Ok(false);
        };
        let connect = req.kind.connect();
        Ok(match &a.leaf {
            Leaf::Src(s) => s.contains(req.src),
            Leaf::Dst(s) => s.contains(req.dst_ip),
            Leaf::LocalIp(s) => match req.local_ip {
                Some(ip) => s.contains(ip),
                None => return assign.get(i).copied().flatten().ok_or(Stop::Need(i)),
            },
            Leaf::Port(r) => {
                let p = req.dst_port;
                r.iter().any(|(lo, hi)| *lo <= p && p <= *hi)
            }
            Leaf::LocalPort(r) => r
                .iter()
                .any(|(lo, hi)| *lo <= req.local_port && req.local_port <= *hi),
            Leaf::PortName(v) => v.contains(&req.port_name),
            Leaf::Method(v) => {
                let m = if connect { "CONNECT" } else { "GET" };
                v.iter().any(|x| x == m)
            }
            Leaf::Proto(v) => {
                let p = match req.kind {
                    Kind::Manager => "CACHE_OBJECT",
                    _ if connect => "NONE",
                    _ => "HTTP",
                };
                v.iter().any(|x| x == p)
            }
            Leaf::DstDomain(v) => v.iter().any(|d| {
                domain_matches(&req.host, d)
                    || req
                        .reverse_name
                        .as_deref()
                        .is_some_and(|r| domain_matches(r, d))
            }),
            Leaf::SrcDomain(v) => v.iter().any(|d| d == "none"),
            Leaf::Regex(t, res) => {
                let subject = match t {
                    RegexTarget::Host => req.host.clone(),
                    RegexTarget::Url => req.url(),
                    RegexTarget::Path => {
                        if connect {
                            String::new()
                        } else {
                            "/".into()
                        }
                    }
                    RegexTarget::SrcName => "none".into(),
                };
                let reverse = match (t, req.reverse_name.as_deref()) {
                    (RegexTarget::Host, Some(r)) => res.iter().any(|x| x.is_match(r)),
                    _ => false,
                };
                reverse || res.iter().any(|r| r.is_match(&subject))
            }
            Leaf::Auth { .. } => return Err(Stop::Auth),
            Leaf::Free | Leaf::Time(_) => {
                return assign.get(i).copied().flatten().ok_or(Stop::Need(i))
            }
            Leaf::Never => false,
            Leaf::Always => true,
            Leaf::Manager => req.kind == Kind::Manager,
            Leaf::AnyOf(members) => {
                for m in members.clone() {
                    if m != i && self.eval(m, req, assign)? {
                        return Ok(true);
                    }
                }
                false
            }
            Leaf::AllOf(groups) => {
                'groups: for g in groups.clone() {
                    for m in g {
                        if m == i || !self.eval(m, req, assign)? {
                            continue 'groups;
                        }
                    }
                    return Ok(true);
                }
                false
            }
        })
    }

    /// Walks `lists` from list `li`, line `from`, with the attacker's
    /// choices so far; returns a witness when the request gets through all.
    fn walk(
        &mut self,
        lists: &[(ListKind, bool)],
        li: usize,
        from: usize,
        req: &Request,
        assign: &mut Vec<Option<bool>>,
        steps: &mut Vec<ListStep>,
    ) -> Option<Witness> {
        let Some(&(kind, empty_allows)) = lists.get(li) else {
            let assumed: Vec<(usize, bool)> = assign
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|b| (i, b)))
                .collect();
            let moment = if assumed
                .iter()
                .any(|(i, _)| matches!(self.cfg.acls.get(*i).map(|a| &a.leaf), Some(Leaf::Time(_))))
            {
                self.moments(assign).first()
            } else {
                None
            };
            return Some(Witness {
                request: req.clone(),
                steps: steps.clone(),
                assumed,
                moment,
            });
        };
        if self.budget == 0 {
            return None;
        }
        let lines: &[AccessLine] = self.cfg.list(kind);
        if lines.is_empty() {
            if !empty_allows {
                return None;
            }
            steps.push(ListStep {
                list: kind,
                decision: Decision::Empty,
                matched: Vec::new(),
            });
            let w = self.walk(lists, li + 1, 0, req, assign, steps);
            steps.pop();
            return w;
        }
        for (idx, line) in lines.iter().enumerate().skip(from) {
            let mut matched = Vec::new();
            let mut all = true;
            for r in &line.acls {
                match self.eval(r.acl, req, assign) {
                    Ok(v) => {
                        if v == r.negated {
                            all = false;
                            break;
                        }
                        matched.push(r.acl);
                    }
                    Err(Stop::Need(v)) => {
                        for b in [true, false] {
                            if let Some(slot) = assign.get_mut(v) {
                                *slot = Some(b);
                            }
                            // One request has one moment: the `time` acls
                            // assumed so far must agree on some minute.
                            if self.moments(assign).is_empty() {
                                continue;
                            }
                            let w = self.walk(lists, li, idx, req, assign, steps);
                            if w.is_some() {
                                if let Some(slot) = assign.get_mut(v) {
                                    *slot = None;
                                }
                                return w;
                            }
                        }
                        if let Some(slot) = assign.get_mut(v) {
                            *slot = None;
                        }
                        return None;
                    }
                    // A login is asked for: the attacker has none.
                    Err(Stop::Auth) => return None,
                }
            }
            if all {
                if !line.allow {
                    return None;
                }
                steps.push(ListStep {
                    list: kind,
                    decision: Decision::Line(idx),
                    matched,
                });
                let w = self.walk(lists, li + 1, 0, req, assign, steps);
                steps.pop();
                return w;
            }
        }
        let last = lines.len() - 1;
        if lines.last().is_some_and(|l| l.allow) {
            return None;
        }
        steps.push(ListStep {
            list: kind,
            decision: Decision::Default(last),
            matched: Vec::new(),
        });
        let w = self.walk(lists, li + 1, 0, req, assign, steps);
        steps.pop();
        w
    }

    /// The minutes of the week at which every assumed `time` acl answers as
    /// assumed.
    fn moments(&self, assign: &[Option<bool>]) -> WeekMinutes {
        let mut at = WeekMinutes::all();
        for (acl, answer) in self.cfg.acls.iter().zip(assign) {
            if let (Leaf::Time(w), Some(b)) = (&acl.leaf, answer) {
                at = if *b {
                    at.intersect(w)
                } else {
                    at.intersect(&w.complement())
                };
            }
        }
        at
    }

    fn passes(&mut self, lists: &[(ListKind, bool)], req: &Request) -> Option<Witness> {
        let mut assign = vec![None; self.cfg.acls.len()];
        let mut steps = Vec::new();
        self.walk(lists, 0, 0, req, &mut assign, &mut steps)
    }
}

/// Splits `space` into regions no `src` acl tells apart, largest first.
fn src_regions(cfg: &Config, space: &IpSet) -> Vec<IpSet> {
    const MAX_REGIONS: usize = 512;
    let mut atoms = vec![space.clone()];
    for a in &cfg.acls {
        let Leaf::Src(s) = &a.leaf else { continue };
        let mut next = Vec::with_capacity(atoms.len() * 2);
        for at in &atoms {
            let inside = at.intersect(s);
            let outside = at.subtract(s);
            for part in [inside, outside] {
                if !part.is_empty() {
                    next.push(part);
                }
            }
        }
        atoms = next;
        if atoms.len() > MAX_REGIONS {
            atoms.truncate(MAX_REGIONS);
            break;
        }
    }
    atoms.sort_by(|a, b| {
        b.v4_count()
            .cmp(&a.v4_count())
            .then(b.v6_count().cmp(&a.v6_count()))
    });
    atoms
}

/// Host names the attacker targets: the usual test target first, then one
/// no `dstdomain` or `dstdom_regex` value names (arbitrary means any host).
fn target_hosts(cfg: &Config) -> Vec<(String, IpAddr)> {
    let oracle_ip = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 25));
    let mut dsts = IpSet::empty();
    for a in &cfg.acls {
        if let Leaf::Dst(s) = &a.leaf {
            if s.v4_count() < 1u64 << 31 {
                dsts = dsts.union(s);
            }
        }
    }
    let fresh_ip = crate::net::untrusted_space()
        .subtract(&dsts)
        .sample()
        .unwrap_or(oracle_ip);
    let named = |h: &str| {
        cfg.acls.iter().any(|a| match &a.leaf {
            Leaf::DstDomain(v) => v.iter().any(|d| domain_matches(h, d)),
            Leaf::Regex(RegexTarget::Host, r) => r.iter().any(|r| r.is_match(h)),
            _ => false,
        })
    };
    let mut out = vec![("example.net".to_string(), oracle_ip)];
    let fresh = [
        "foreign.example",
        "www.relay-target.test",
        "host.invalid",
        "a1.b2.example.org",
    ]
    .iter()
    .find(|h| !named(h))
    .unwrap_or(&"foreign.example");
    out.push((fresh.to_string(), fresh_ip));
    out
}

/// The lists a request goes through: cache manager pages are answered by
/// Squid itself, so `miss_access` does not apply to them.
fn lists_for(kind: Kind) -> &'static [(ListKind, bool)] {
    match kind {
        Kind::Manager => &[(ListKind::Http, false)],
        _ => &[(ListKind::Http, false), (ListKind::Miss, true)],
    }
}

/// Why a port cannot be used as a forward proxy by the attacker.
fn unusable(p: &Port) -> Option<String> {
    if p.loopback_only() {
        return Some("it listens on loopback only".into());
    }
    match &p.mode {
        PortMode::Intercept(m) => Some(format!(
            "`{m}` ports only serve traffic redirected by the firewall"
        )),
        PortMode::Accel {
            allow_direct: false,
        } => Some("`accel` ports without `allow-direct` do not forward to other hosts".into()),
        _ => None,
    }
}

/// The name Squid's reverse lookup finds for a host written as an address:
/// only loopback is known (`/etc/hosts` names it `localhost` on every
/// system relaylint meets); other addresses are taken to have none.
fn reverse_name(host: &str, ip: IpAddr) -> Option<String> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    (literal.parse::<IpAddr>().is_ok() && ip.is_loopback()).then(|| "localhost".to_string())
}

/// Evaluates every listener for the attacker.
pub fn evaluate(cfg: &Config, attacker: &IpSet) -> Vec<PortVerdict> {
    evaluate_for(cfg, attacker, &Kind::ALL)
}

/// Evaluates every listener for clients in `space`.
pub fn evaluate_for(cfg: &Config, space: &IpSet, kinds: &[Kind]) -> Vec<PortVerdict> {
    evaluate_targets(cfg, space, kinds, &target_hosts(cfg), None)
}

/// Evaluates every listener for clients in `space` asking for the given
/// targets (host name as written in the request, the address it resolves
/// to), on `port` instead of each kind's usual port when one is given.
pub fn evaluate_targets(
    cfg: &Config,
    space: &IpSet,
    kinds: &[Kind],
    hosts: &[(String, IpAddr)],
    port: Option<u32>,
) -> Vec<PortVerdict> {
    let attacker = space;
    // Every untrusted address counts, a partner's public address listed in
    // a `src` acl included: "untrusted" is whatever the user has not
    // declared trusted (relaylint.toml), as for every dialect.
    let direct_regions = src_regions(cfg, attacker);
    let any_regions = src_regions(cfg, &IpSet::everything());
    let indirect_on = cfg.flag("acl_uses_indirect_client", true);
    let mut out = Vec::new();
    for (pi, p) in cfg.ports.iter().enumerate() {
        let mut v = PortVerdict {
            port: pi,
            open: Vec::new(),
            unusable: unusable(p),
        };
        if v.unusable.is_some() {
            out.push(v);
            continue;
        }
        let get_only = matches!(p.mode, PortMode::Accel { .. });
        let local_ip = p
            .host
            .as_deref()
            .and_then(|h| h.trim_start_matches('[').trim_end_matches(']').parse().ok());
        let mut search = Search {
            cfg,
            budget: BUDGET,
        };
        'kinds: for &kind in kinds {
            if get_only && kind.connect() {
                continue;
            }
            for (host, dst_ip) in hosts {
                let base = |src: IpAddr, direct: IpAddr, via: Via| Request {
                    kind,
                    src,
                    direct,
                    host: host.clone(),
                    dst_ip: *dst_ip,
                    dst_port: port.unwrap_or(kind.port()),
                    reverse_name: reverse_name(host, *dst_ip),
                    local_port: p.port,
                    port_name: p.name.clone(),
                    local_ip,
                    via,
                };
                // Who may hand Squid another client address.
                let mut spoofer: Option<(IpAddr, Via)> = None;
                for region in &direct_regions {
                    let Some(a) = region.sample() else { continue };
                    if p.proxy_header {
                        let r = base(a, a, Via::ProxyHeader);
                        if search
                            .passes(&[(ListKind::ProxyProtocol, false)], &r)
                            .is_none()
                        {
                            continue;
                        }
                        if spoofer.is_none() {
                            spoofer = Some((a, Via::ProxyHeader));
                        }
                    } else if indirect_on && cfg.has_list(ListKind::FollowXff) && spoofer.is_none()
                    {
                        let r = base(a, a, Via::Xff);
                        if search.passes(&[(ListKind::FollowXff, false)], &r).is_some() {
                            spoofer = Some((a, Via::Xff));
                        }
                    }
                    if p.proxy_header {
                        break;
                    }
                    let r = base(a, a, Via::Direct);
                    if let Some(w) = search.passes(lists_for(kind), &r) {
                        v.open.push(w);
                        continue 'kinds;
                    }
                }
                if let Some((direct, via)) = spoofer {
                    for region in &any_regions {
                        let Some(a) = region.sample() else { continue };
                        let r = base(a, direct, via);
                        if let Some(w) = search.passes(lists_for(kind), &r) {
                            v.open.push(w);
                            continue 'kinds;
                        }
                    }
                }
            }
        }
        out.push(v);
    }
    out
}
