//! Which services accept SMTP connections from the network: `inet` services
//! running `smtpd`, and `postscreen`, which hands clients to the `pass`
//! service named by `smtpd_service_name`. Without a master.cf, Postfix's
//! stock one applies: a single `smtp inet ... smtpd` on all interfaces.

use super::master_cf::{MasterCf, Service};
use crate::source::Span;
use std::net::IpAddr;

/// Where a listener accepts connections from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Every interface.
    AllInterfaces,
    /// Specific addresses, at least one not loopback.
    SomeInterfaces,
    /// Loopback only: out of the attacker's reach.
    LoopbackOnly,
}

/// One network listener of an instance.
#[derive(Clone, Debug)]
pub struct Listener<'a> {
    /// The inet service (`None`: the stock `smtp` service).
    pub inet: Option<&'a Service>,
    /// The service whose settings decide relaying (the inet service itself,
    /// or postscreen's `pass` service). `None`: main.cf alone decides.
    pub policy: Option<&'a Service>,
    /// True when postscreen fronts the listener.
    pub postscreen: bool,
    /// Host part of the service name, if any.
    pub host: Option<String>,
    /// Port as written (`smtp`, `2525`...).
    pub port: String,
}

impl Listener<'_> {
    /// `smtpd` on `smtp` (port 25), for messages.
    pub fn describe(&self) -> String {
        let name = self.inet.map(|s| s.name.as_str()).unwrap_or("smtp");
        let number = port_number(&self.port);
        let via = if self.postscreen {
            "`postscreen` + `smtpd`"
        } else {
            "`smtpd`"
        };
        match number {
            Some(n) if n.to_string() != self.port => format!("{via} on `{name}` (port {n})"),
            _ => format!("{via} on `{name}`"),
        }
    }

    /// The port as a number when known.
    pub fn port_number(&self) -> Option<u16> {
        port_number(&self.port)
    }

    /// The service name in master.cf, if any (labels point at it rather
    /// than at a whole multi-line service entry).
    pub fn line_span(&self) -> Option<Span> {
        self.inet.map(|s| s.name_span)
    }
}

/// Well-known service names.
pub fn port_number(port: &str) -> Option<u16> {
    match port {
        "smtp" => Some(25),
        "submission" => Some(587),
        "submissions" | "smtps" | "urd" => Some(465),
        "qmqp" => Some(628),
        p => p.parse().ok(),
    }
}

fn split_host(name: &str) -> (Option<String>, String) {
    if let Some(rest) = name.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once("]:") {
            return (Some(h.to_string()), p.to_string());
        }
    }
    match name.rsplit_once(':') {
        Some((h, p)) => (Some(h.to_string()), p.to_string()),
        None => (None, name.to_string()),
    }
}

/// True for a loopback host name or address.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    let h = h
        .strip_prefix("::ffff:")
        .or_else(|| h.strip_prefix("::FFFF:"))
        .unwrap_or(h);
    h == "localhost"
        || h == "loopback-only"
        || h.starts_with("127.")
        || h == "::1"
        || h.eq_ignore_ascii_case("localhost.localdomain")
}

/// The network listeners of an instance.
pub fn listeners<'a>(master: Option<&'a MasterCf>, smtpd_service_name: &str) -> Vec<Listener<'a>> {
    let Some(master) = master else {
        return vec![Listener {
            inet: None,
            policy: None,
            postscreen: false,
            host: None,
            port: "smtp".into(),
        }];
    };
    let mut out = Vec::new();
    for s in &master.services {
        if s.kind != "inet" {
            continue;
        }
        let (host, port) = split_host(&s.name);
        match s.command.as_str() {
            "smtpd" => out.push(Listener {
                inet: Some(s),
                policy: Some(s),
                postscreen: false,
                host,
                port,
            }),
            "postscreen" => {
                let own = s
                    .override_of("smtpd_service_name")
                    .map(|o| o.value.s.trim().to_string());
                let smtpd_service_name = own.as_deref().unwrap_or(smtpd_service_name);
                let pass = master.services.iter().find(|p| {
                    p.kind == "pass" && p.name == smtpd_service_name && p.command == "smtpd"
                });
                if let Some(pass) = pass {
                    out.push(Listener {
                        inet: Some(s),
                        policy: Some(pass),
                        postscreen: true,
                        host,
                        port,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// A listener on each of `names` (the names of master.cf's inet services,
/// see [`super::master_cf::inet_service_names`]; without a master.cf, the
/// stock `smtp` one), whatever its command: the ports of [`listeners`] are
/// among theirs, and they need neither file parsed.
pub fn inet_candidates(names: Option<&[String]>) -> Vec<Listener<'static>> {
    let Some(names) = names else {
        return listeners(None, "");
    };
    names
        .iter()
        .map(|name| {
            let (host, port) = split_host(name);
            Listener {
                inet: None,
                policy: None,
                postscreen: false,
                host,
                port,
            }
        })
        .collect()
}

/// Where a listener accepts connections, given `inet_interfaces` tokens.
pub fn exposure(listener: &Listener, inet_interfaces: &[String]) -> Exposure {
    if let Some(h) = &listener.host {
        return if is_loopback(h) {
            Exposure::LoopbackOnly
        } else {
            Exposure::SomeInterfaces
        };
    }
    if inet_interfaces.is_empty()
        || inet_interfaces
            .iter()
            .any(|i| i.eq_ignore_ascii_case("all"))
    {
        return Exposure::AllInterfaces;
    }
    if inet_interfaces.iter().all(|i| is_loopback(i)) {
        Exposure::LoopbackOnly
    } else {
        Exposure::SomeInterfaces
    }
}

/// True when a client on the host itself can connect to the listener at
/// `dest`: bound to it, or bound to no address while `inet_interfaces` is
/// `all` or names it (`loopback-only` and loopback names for 127.0.0.1).
pub fn reachable_at(listener: &Listener, inet_interfaces: &[String], dest: IpAddr) -> bool {
    let names = |h: &str| {
        if dest.is_loopback() {
            is_loopback(h) && (dest.is_ipv6() == h.contains(':'))
        } else {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                == Ok(dest)
        }
    };
    match &listener.host {
        Some(h) => names(h),
        None => {
            inet_interfaces.is_empty()
                || inet_interfaces
                    .iter()
                    .any(|i| i.eq_ignore_ascii_case("all") || names(i))
        }
    }
}

/// True when `master_service_disable` turns the service off: a list of
/// types (`inet`) or `name/type` (older releases: `name.type`), first match
/// wins, `!` excludes.
pub fn is_disabled(s: &Service, disabled: &[String]) -> bool {
    for entry in disabled {
        let (negated, pattern) = match entry.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, entry.as_str()),
        };
        let hit = if let Some((name, kind)) = pattern
            .split_once(['/', '.'])
            .filter(|(_, k)| matches!(*k, "inet" | "unix" | "unix-dgram" | "fifo" | "pass"))
        {
            name == s.name && kind == s.kind
        } else {
            pattern == s.kind
        };
        if hit {
            return !negated;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_ports() {
        assert_eq!(
            split_host("127.0.0.1:smtp"),
            (Some("127.0.0.1".into()), "smtp".into())
        );
        assert_eq!(split_host("[::1]:25"), (Some("::1".into()), "25".into()));
        assert_eq!(split_host("2525"), (None, "2525".into()));
        assert_eq!(port_number("submission"), Some(587));
    }
}
