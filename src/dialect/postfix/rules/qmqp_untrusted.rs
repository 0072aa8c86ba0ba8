//! PF015 postfix-qmqp-untrusted: QMQP relays to any destination for the
//! clients in `qmqpd_authorized_clients`, with no restriction lists at all.

use super::super::listener::{exposure, is_loopback, Exposure, Listener};
use super::super::matchlist::{accepted_space, list_tokens};
use super::super::Analysis;
use super::first_span;
use crate::diagnostic::Diagnostic;

/// Reports PF015 for every exposed `qmqpd` service.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(master) = a.master else { return };
    let cfg = a.main_config();
    let inet: Vec<String> = cfg
        .get("inet_interfaces")
        .tokens()
        .into_iter()
        .map(|t| t.text)
        .collect();
    for s in master
        .services
        .iter()
        .filter(|s| s.kind == "inet" && s.command == "qmqpd")
    {
        let (host, port) = match s.name.rsplit_once(':') {
            Some((h, p)) => (Some(h.to_string()), p.to_string()),
            None => (None, s.name.clone()),
        };
        let l = Listener {
            inet: Some(s),
            policy: Some(s),
            postscreen: false,
            host: host.clone(),
            port,
        };
        if exposure(&l, &inet) == Exposure::LoopbackOnly || host.as_deref().is_some_and(is_loopback)
        {
            continue;
        }
        let svc = a.config(&l);
        let clients = svc.get("qmqpd_authorized_clients");
        let (tokens, _) = list_tokens(&clients.text);
        let (space, hits) = accepted_space(&tokens, a.attacker, a.store);
        if space.is_empty() {
            continue;
        }
        let primary = first_span(a, [hits.iter().find_map(|h| h.span), clients.origin_span()]);
        let mut d = Diagnostic::new(
            "PF015",
            format!(
                "`qmqpd` on `{}` relays for {}",
                s.name,
                space.describe_size()
            ),
            primary,
            "QMQP clients listed here may send to any destination",
        );
        if s.name_span != primary {
            d = d.with_label(
                s.name_span,
                "this QMQP listener accepts connections from the internet",
            );
        }
        out.push(d.with_note("QMQP has no relay restrictions: `qmqpd_authorized_clients` alone decides").with_help("limit `qmqpd_authorized_clients` to your own hosts, or bind `qmqpd` to loopback"));
    }
}
