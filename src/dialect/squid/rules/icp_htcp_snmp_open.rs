//! SQ009 squid-icp-htcp-snmp-open: an enabled ICP, HTCP or SNMP port
//! answers untrusted clients (cache probing, amplification, statistics).

use super::super::evaluate::{evaluate_for, Kind};
use super::super::model::{ListKind, Port, PortMode};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ009 once per open protocol.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    let cfg = &k.config;
    for (port_dir, list, name) in [
        ("icp_port", ListKind::Icp, "icp_access"),
        ("htcp_port", ListKind::Htcp, "htcp_access"),
        ("snmp_port", ListKind::Snmp, "snmp_access"),
    ] {
        let Some(setting) = cfg.settings.get(port_dir) else {
            continue;
        };
        let number = setting.value.split_whitespace().next().unwrap_or("0");
        if number.parse::<u32>().map_or(true, |n| n == 0) {
            continue;
        }
        // Ask the list alone, as if it were http_access on a plain port.
        let probe = super::super::model::Config::probe_list(cfg, list);
        let fake = Port {
            host: None,
            port: 3128,
            name: String::new(),
            mode: PortMode::Forward,
            proxy_header: false,
            span: setting.span,
            spec: String::new(),
        };
        let mut probe = probe;
        probe.ports = vec![fake];
        let open = evaluate_for(&probe, a.attacker, &[Kind::Get])
            .iter()
            .any(|v| !v.open.is_empty());
        if !open {
            continue;
        }
        let span = cfg
            .list(list)
            .first()
            .map(|l| l.span)
            .unwrap_or(setting.span);
        out.push(
            Diagnostic::new(
                "SQ009",
                format!("`{name}` answers untrusted clients on `{port_dir} {number}`"),
                span,
                "lets untrusted clients in",
            )
            .with_label(setting.span, "the port is enabled")
            .with_help(format!("allow only your peers in `{name}`, then `{name} deny all`, or disable `{port_dir}`")),
        );
    }
}
