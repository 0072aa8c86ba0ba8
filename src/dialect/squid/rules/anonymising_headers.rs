//! SQ011 squid-anonymising-headers: `via off` or `forwarded_for` set to
//! hide the client: typical of proxies meant to be anonymous, and a reason
//! why abuse reports cannot name the real client.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ011 per anonymising setting.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    let cfg = &k.config;
    if let Some(s) = cfg.settings.get("via") {
        if s.value == "off" {
            out.push(
                Diagnostic::new(
                    "SQ011",
                    "`via off` hides that requests pass through this proxy",
                    s.span,
                    "no `Via` header",
                )
                .with_help("remove `via off` unless the proxy must stay invisible"),
            );
        }
    }
    if let Some(s) = cfg.settings.get("forwarded_for") {
        if matches!(s.value.as_str(), "off" | "delete" | "transparent") {
            out.push(
                Diagnostic::new(
                    "SQ011",
                    format!("`forwarded_for {}` hides the client address from the servers it reaches", s.value),
                    s.span,
                    "client address not passed on",
                )
                .with_help("use `forwarded_for on` (the default) so that abuse can be traced to the client"),
            );
        }
    }
}
