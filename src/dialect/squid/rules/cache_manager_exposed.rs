//! SQ008 squid-cache-manager-exposed: untrusted clients reach the cache
//! manager (`cache_object://` and `/squid-internal-mgr/` URLs), which shows
//! clients, peers and configuration, and with `cachemgr_passwd none` more.

use super::super::evaluate::{evaluate_for, Decision, Kind};
use super::super::model::ListKind;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ008 once per listener.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    let cfg = &k.config;
    for v in evaluate_for(cfg, a.attacker, &[Kind::Manager]) {
        let (Some(w), Some(port)) = (v.open.first(), cfg.ports.get(v.port)) else {
            continue;
        };
        let line = w
            .steps
            .iter()
            .find(|s| s.list == ListKind::Http)
            .and_then(|s| match s.decision {
                Decision::Line(i) | Decision::Default(i) => cfg.list(ListKind::Http).get(i),
                Decision::Empty => None,
            });
        let mut d = Diagnostic::new(
            "SQ008",
            format!(
                "untrusted clients can open the cache manager on `http_port {}`",
                port.spec
            ),
            line.map(|l| l.span).unwrap_or(port.span),
            format!("client `{}` is let through here", w.request.src),
        )
        .with_label(port.span, "this listener");
        if let Some((v, sp)) = cfg
            .cachemgr_passwd
            .iter()
            .find(|(v, _)| v.starts_with("none"))
        {
            d = d.with_label(*sp, format!("`cachemgr_passwd {v}` needs no password"));
        }
        out.push(d.with_help("keep `http_access allow localhost manager` and `http_access deny manager` before any other `allow`"));
    }
}
