//! PF007 postfix-sasl-without-tls: AUTH offered before TLS on a listener
//! reachable from untrusted networks; passwords cross the network in clear.

use super::super::listener::Exposure;
use super::super::Analysis;
use super::first_span;
use crate::diagnostic::Diagnostic;

/// Reports PF007, once per listener.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for lr in &a.listeners {
        if lr.exposure == Exposure::LoopbackOnly {
            continue;
        }
        let cfg = a.config(&lr.listener);
        let sasl = cfg.get("smtpd_sasl_auth_enable");
        if !sasl.is_yes() {
            continue;
        }
        let level = cfg
            .get("smtpd_tls_security_level")
            .text
            .s
            .trim()
            .to_ascii_lowercase();
        if cfg.get("smtpd_tls_auth_only").is_yes()
            || level == "encrypt"
            || cfg.get("smtpd_tls_wrappermode").is_yes()
            || cfg.get("smtpd_enforce_tls").is_yes()
        {
            continue;
        }
        let primary = first_span(
            a,
            [
                sasl.text.span(),
                sasl.origin_span(),
                lr.listener.line_span(),
            ],
        );
        let mut d = Diagnostic::new(
            "PF007",
            format!("{} offers SASL AUTH before TLS", lr.listener.describe()),
            primary,
            "AUTH is offered on unencrypted sessions",
        );
        if let Some(line) = lr.listener.line_span() {
            if line != primary {
                d = d.with_label(line, "reachable from untrusted networks");
            }
        }
        out.push(d.with_help(
            "set `smtpd_tls_auth_only = yes` (or `-o smtpd_tls_auth_only=yes` on this service)",
        ));
    }
}
