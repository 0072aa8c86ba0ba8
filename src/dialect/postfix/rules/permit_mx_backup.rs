//! PF006 postfix-permit-mx-backup: `permit_mx_backup` relays for any domain
//! whose MX records name this server, and anyone can publish such records.

use super::super::evaluate::ListKind;
use super::super::listener::Exposure;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Reports PF006, once per token.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Span> = Vec::new();
    for lr in &a.listeners {
        if lr.exposure == Exposure::LoopbackOnly {
            continue;
        }
        let cfg = a.config(&lr.listener);
        let networks_set = !cfg
            .get("permit_mx_backup_networks")
            .text
            .s
            .trim()
            .is_empty();
        for kind in [ListKind::Relay, ListKind::Recipient] {
            for tok in cfg.get(kind.param()).tokens() {
                if !tok.text.eq_ignore_ascii_case("permit_mx_backup") {
                    continue;
                }
                let Some(sp) = tok.span else { continue };
                if seen.contains(&sp) {
                    continue;
                }
                seen.push(sp);
                let mut d = Diagnostic::new(
                    "PF006",
                    "`permit_mx_backup` relays for any domain whose MX points at this server",
                    sp,
                    "anyone can publish an MX record naming this host",
                );
                if !networks_set {
                    d = d.with_note(
                        "`permit_mx_backup_networks` is empty: the primary MX may be anywhere",
                    );
                }
                out.push(d.with_help(
                    "list the backup domains in `relay_domains` and remove `permit_mx_backup`",
                ));
            }
        }
    }
}
