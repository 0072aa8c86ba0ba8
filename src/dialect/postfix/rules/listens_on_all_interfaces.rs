//! PF011 postfix-listens-on-all-interfaces: a listener binds every
//! interface, so any network the host is on can reach it.

use super::super::listener::Exposure;
use super::super::Analysis;
use super::first_span;
use crate::diagnostic::Diagnostic;

/// Reports PF011, once per listener.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let cfg = a.main_config();
    let ifaces = cfg.get("inet_interfaces");
    for lr in &a.listeners {
        if lr.exposure != Exposure::AllInterfaces {
            continue;
        }
        let primary = first_span(a, [lr.listener.line_span(), ifaces.text.span()]);
        let mut d = Diagnostic::new(
            "PF011",
            format!("{} listens on all interfaces", lr.listener.describe()),
            primary,
            "bound to every address of the host",
        );
        if let Some(sp) = ifaces.text.span() {
            if sp != primary {
                d = d.with_label(sp, "`inet_interfaces` allows every interface");
            }
        }
        out.push(d.with_help("bind to the addresses that must receive mail, e.g. `inet_interfaces = 192.0.2.10, 127.0.0.1`, or `127.0.0.1:smtp` in master.cf"));
    }
}
