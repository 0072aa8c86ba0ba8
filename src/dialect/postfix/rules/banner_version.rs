//! PF008 postfix-banner-discloses-version: the SMTP greeting tells scanners
//! which release to attack.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

fn looks_like_version(s: &str) -> bool {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|w| {
            w.split('.')
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .count()
                >= 2
                && w.matches('.').count() >= 1
        })
}

/// Reports PF008, once per definition of `smtpd_banner`.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Span> = Vec::new();
    for cfg in a.all_configs() {
        let banner = cfg.get("smtpd_banner");
        let Some(origin) = banner.origin_span() else {
            continue;
        };
        if seen.contains(&origin) {
            continue;
        }
        seen.push(origin);
        let raw = match cfg.main.get("smtpd_banner") {
            Some(p) if banner.origin_span() == Some(p.name_span) => p.value.clone(),
            _ => cfg
                .overrides
                .iter()
                .rev()
                .find(|o| o.name == "smtpd_banner")
                .map(|o| o.value.clone())
                .unwrap_or_default(),
        };
        if raw.s.contains("mail_version") || looks_like_version(&raw.s) {
            let sp = raw.span().unwrap_or(origin);
            out.push(
                Diagnostic::new(
                    "PF008",
                    "`smtpd_banner` discloses the Postfix version",
                    sp,
                    "every client sees this greeting",
                )
                .with_help("use `smtpd_banner = $myhostname ESMTP`"),
            );
        }
    }
}
