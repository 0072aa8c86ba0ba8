//! SQ003 squid-connect-to-unsafe-ports: some client, trusted ones included,
//! may open a CONNECT tunnel or send HTTP to port 25. A compromised LAN
//! machine (or a local web application) then sends spam through the proxy.

use super::super::evaluate::{evaluate_for, Decision, Kind};
use super::super::model::ListKind;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::net::IpSet;

/// Reports SQ003 once per listener that SQ001 does not already cover.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    let cfg = &k.config;
    let anyone = evaluate_for(cfg, &IpSet::everything(), &[Kind::Connect25, Kind::Get25]);
    for v in &anyone {
        let Some(w) = v.open.first() else { continue };
        let Some(port) = cfg.ports.get(v.port) else {
            continue;
        };
        let attacker_has_it = k
            .verdicts
            .iter()
            .find(|x| x.port == v.port)
            .is_some_and(|x| x.open.iter().any(|o| o.request.kind == w.request.kind));
        if attacker_has_it {
            continue;
        }
        let step = w.steps.iter().find(|s| s.list == ListKind::Http);
        let line = step.and_then(|s| match s.decision {
            Decision::Line(i) | Decision::Default(i) => cfg.list(ListKind::Http).get(i),
            Decision::Empty => None,
        });
        let span = line.map(|l| l.span).unwrap_or(port.span);
        out.push(
            Diagnostic::new(
                "SQ003",
                format!(
                    "clients allowed by `http_access` can send `{}` through `http_port {}`",
                    w.request.kind.describe(&w.request.host),
                    port.spec
                ),
                span,
                format!("client `{}` gets through here", w.request.src),
            )
            .with_label(port.span, "this listener")
            .with_note("port 25 is SMTP: a tunnel to it lets any machine that may use the proxy send mail as this host")
            .with_help("put `http_access deny !Safe_ports` and `http_access deny CONNECT !SSL_ports` first, with 25 in neither list"),
        );
    }
}
