//! SQ001 squid-open-proxy: an untrusted client without credentials gets a
//! foreign URL or a CONNECT tunnel through an `http_port`. One finding per
//! exposed listener.

use super::super::acl::Leaf;
use super::super::evaluate::{Decision, Kind, Via, Witness};
use super::super::model::{Config, ListKind};
use super::super::time;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

fn list_name(k: ListKind) -> &'static str {
    match k {
        ListKind::Http => "http_access",
        ListKind::Miss => "miss_access",
        ListKind::FollowXff => "follow_x_forwarded_for",
        ListKind::ProxyProtocol => "proxy_protocol_access",
        ListKind::Icp => "icp_access",
        ListKind::Htcp => "htcp_access",
        ListKind::Snmp => "snmp_access",
        ListKind::Other => "access list",
    }
}

fn acl_label(cfg: &Config, i: usize, w: &Witness) -> String {
    let Some(a) = cfg.acls.get(i) else {
        return String::new();
    };
    match &a.leaf {
        Leaf::Src(_) => format!("`{}` matches client `{}`", a.name, w.request.src),
        Leaf::Dst(_) => format!("`{}` matches `{}`", a.name, w.request.dst_ip),
        Leaf::DstDomain(_) | Leaf::Regex(..) => {
            format!(
                "`{}` matches `{}`",
                a.name,
                w.request.kind.describe(&w.request.host)
            )
        }
        Leaf::Method(_) | Leaf::Port(_) | Leaf::Proto(_) => {
            format!(
                "`{}` matches `{}`",
                a.name,
                w.request.kind.describe(&w.request.host)
            )
        }
        Leaf::Free => format!("`{}` ({}) can be made to match", a.name, a.type_name),
        Leaf::Time(_) => match w.moment {
            Some(m) => format!("`{}` matches on {}", a.name, time::describe(m)),
            None => format!("`{}` matches at some moment", a.name),
        },
        Leaf::Always => format!("`{}` matches without a real login", a.name),
        _ => format!("`{}` matches", a.name),
    }
}

/// Decisive span and its label for the http_access step.
fn decisive(cfg: &Config, w: &Witness) -> Option<(Span, String)> {
    let step = w.steps.iter().find(|s| s.list == ListKind::Http)?;
    match step.decision {
        Decision::Line(i) => {
            let line = cfg.list(ListKind::Http).get(i)?;
            Some((
                line.span,
                "first `http_access` line that matches the attacker: `allow`".into(),
            ))
        }
        Decision::Default(i) => {
            let line = cfg.list(ListKind::Http).get(i)?;
            Some((
                line.span,
                "the last `http_access` line is a `deny`: requests no line matches are allowed"
                    .into(),
            ))
        }
        Decision::Empty => None,
    }
}

fn help(cfg: &Config, w: &Witness, kinds: &[Kind]) -> String {
    if w.request.via == Via::Xff {
        return "trust X-Forwarded-For only from your own front-end proxies: `follow_x_forwarded_for allow frontends` then `follow_x_forwarded_for deny all`".into();
    }
    if w.request.via == Via::ProxyHeader {
        return "allow PROXY protocol headers only from your load balancers in `proxy_protocol_access`".into();
    }
    let step = w.steps.iter().find(|s| s.list == ListKind::Http);
    if let Some(s) = step {
        if let Decision::Default(_) = s.decision {
            return "end the `http_access` rules with `http_access deny all`".into();
        }
        if let Decision::Line(i) = s.decision {
            let all_only = cfg.list(ListKind::Http).get(i).is_some_and(|l| {
                l.acls.iter().all(|r| {
                    cfg.acls.get(r.acl).is_some_and(
                        |a| matches!(&a.leaf, Leaf::Src(x) if x.v4_count() == 1u64 << 32),
                    )
                })
            });
            if all_only {
                return "allow only your own networks (`http_access allow localnet`) and end with `http_access deny all`".into();
            }
        }
    }
    if kinds == [Kind::Connect25] || kinds == [Kind::Connect25, Kind::Get25] {
        return "put `http_access deny CONNECT !SSL_ports` and `http_access deny !Safe_ports` before the first `allow`".into();
    }
    "limit the `allow` rule to trusted source networks, and end with `http_access deny all`".into()
}

/// Reports SQ001.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<Span> = Vec::new();
    for k in &a.kids {
        let cfg = &k.config;
        for v in &k.verdicts {
            let Some(port) = cfg.ports.get(v.port) else {
                continue;
            };
            let Some(w) = v.open.first() else { continue };
            if reported.contains(&port.span) {
                continue;
            }
            reported.push(port.span);
            let kinds: Vec<Kind> = v.open.iter().map(|w| w.request.kind).collect();
            let what = kinds
                .iter()
                .map(|k| k.short())
                .collect::<Vec<_>>()
                .join(", ");
            let (primary, label) = decisive(cfg, w)
                .unwrap_or((port.span, "this listener lets the attacker through".into()));
            let mut d = Diagnostic::new(
                "SQ001",
                format!(
                    "untrusted clients can use `http_port {}` as an open proxy ({what})",
                    port.spec
                ),
                primary,
                label,
            );
            let mut seen = vec![primary];
            let add = |d: Diagnostic, sp: Span, msg: String, seen: &mut Vec<Span>| {
                if seen.contains(&sp) {
                    d
                } else {
                    seen.push(sp);
                    d.with_label(sp, msg)
                }
            };
            d = add(
                d,
                port.span,
                "this listener accepts connections from the internet".into(),
                &mut seen,
            );
            for s in &w.steps {
                for &i in &s.matched {
                    if let Some(def) = cfg.acls.get(i).and_then(|x| x.defs.first()) {
                        d = add(d, *def, acl_label(cfg, i, w), &mut seen);
                    }
                }
                if s.list != ListKind::Http {
                    if let Decision::Line(i) = s.decision {
                        if let Some(l) = cfg.list(s.list).get(i) {
                            d = add(
                                d,
                                l.span,
                                format!("`{}` allows the request", list_name(s.list)),
                                &mut seen,
                            );
                        }
                    }
                }
            }
            if w.request.via == Via::Xff {
                if let Some(l) = cfg.list(ListKind::FollowXff).first() {
                    d = add(
                        d,
                        l.span,
                        format!(
                            "the attacker's own address `{}` may name another client in X-Forwarded-For",
                            w.request.direct
                        ),
                        &mut seen,
                    );
                }
            }
            let spoof = match w.request.via {
                Via::Direct => String::new(),
                Via::Xff => format!(
                    " with `X-Forwarded-For: {}` (connecting from `{}`)",
                    w.request.src, w.request.direct
                ),
                Via::ProxyHeader => format!(
                    " behind a PROXY protocol header naming `{}` (connecting from `{}`)",
                    w.request.src, w.request.direct
                ),
            };
            // A fake helper says yes to any user name and password: the
            // attacker simply sends some.
            let login = if cfg.fake_auth().is_some() {
                "any user name and password, which the fake auth helper accepts"
            } else {
                "no login"
            };
            d = d.with_note(format!(
                "attacker: client `{}` (untrusted, {login}) sends `{}`{spoof}",
                w.request.direct,
                w.request.kind.describe(&w.request.host)
            ));
            for (i, b) in &w.assumed {
                if let Some(acl) = cfg.acls.get(*i) {
                    let decides = if matches!(acl.leaf, Leaf::Time(_)) {
                        "which the moment of the request decides"
                    } else {
                        "which the attacker decides"
                    };
                    d = d.with_note(format!(
                        "assumes `{}` ({}) {}, {decides}",
                        acl.name,
                        acl.type_name,
                        if *b { "matches" } else { "does not match" }
                    ));
                }
            }
            if let Some(minute) = w.moment {
                d = d.with_note(format!(
                    "the request is sent on {} (the proxy's local time)",
                    time::describe(minute)
                ));
            }
            if k.kid > 0 {
                d = d.with_note(format!(
                    "in kid {} (`${{process_number}}` = {})",
                    k.kid, k.kid
                ));
            }
            d = d.with_note(format!(
                "confirm from an outside address with `curl -x http://YOUR-SERVER:{} {}`: any answer other than 403/407 means the proxy forwards",
                port.port,
                if w.request.kind == Kind::Get {
                    format!("http://{}/", w.request.host)
                } else {
                    format!("-p https://{}/", w.request.host)
                }
            ));
            d = d.with_help(help(cfg, w, &kinds));
            out.push(d);
        }
    }
}
