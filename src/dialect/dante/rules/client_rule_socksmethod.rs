//! DN010 dante-client-rule-socksmethod: authentication is required only by
//! `socksmethod:` in a client rule, while the socks rules still accept
//! `none`. Dante before 1.4.4 does not apply the client rule's list to
//! SOCKS4 requests (CVE-2024-54662): SOCKS4 clients skip the login. The
//! version is not in the file, so this is reported as a risk pattern.

use super::super::evaluate::effective_socksmethods;
use super::super::syntax::{Method, RuleKind};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports DN010, once per client rule.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for c in &a.cfg.rules {
        if c.kind != RuleKind::Client || !c.pass {
            continue;
        }
        let Some(list) = &c.socksmethod else { continue };
        if list.has(Method::None) {
            continue;
        }
        let weak = a.cfg.rules.iter().find(|s| {
            s.kind == RuleKind::Socks
                && s.pass
                && s.has_version(4)
                && effective_socksmethods(a.cfg, s)
                    .iter()
                    .any(|(m, _)| *m == Method::None)
        });
        let Some(s) = weak else { continue };
        out.push(
            Diagnostic::new(
                "DN010",
                format!("`socksmethod:` in `{}` does not bind SOCKS4 requests before Dante 1.4.4", c.describe()),
                list.span,
                "enforced for SOCKS5 negotiation only",
            )
            .with_label(s.head, "this socks rule still accepts method `none`, which every SOCKS4 request has")
            .with_note("CVE-2024-54662: Dante 1.4.0 to 1.4.3 check SOCKS4 requests against the socks rules only")
            .with_help("put the method in the socks rules (`socksmethod: username` inside `socks pass`) and upgrade to Dante 1.4.4"),
        );
    }
}
