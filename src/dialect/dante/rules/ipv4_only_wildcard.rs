//! DN006 dante-ipv4-only-wildcard: a block rule written with `0.0.0.0/0`
//! covers IPv4 only, while a later pass rule with `0/0` or an IPv6 range
//! also matches IPv6: IPv6 clients or destinations skip the block.

use super::super::address::Addr;
use super::super::syntax::{Endpoint, RuleKind};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

fn covers_v6(ep: &Option<Endpoint>) -> bool {
    ep.as_ref().is_some_and(|e| match &e.addr {
        Addr::Any | Addr::Interface(_) | Addr::Name(_) => true,
        Addr::Net(n) => n.addr().is_ipv6(),
        Addr::Host(_) => false,
    })
}

/// Reports DN006.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for (i, block) in a.cfg.rules.iter().enumerate() {
        if block.pass || block.kind == RuleKind::Hostid {
            continue;
        }
        for (side, ep) in [("from", &block.from), ("to", &block.to)] {
            let Some(e) = ep else { continue };
            if !e.addr.is_ipv4_wildcard() {
                continue;
            }
            let later = a.cfg.rules.iter().skip(i + 1).find(|p| {
                p.pass
                    && p.kind == block.kind
                    && if side == "from" {
                        covers_v6(&p.from)
                    } else {
                        covers_v6(&p.to)
                    }
            });
            let Some(pass) = later else { continue };
            out.push(
                Diagnostic::new(
                    "DN006",
                    format!(
                        "`{side}: 0.0.0.0/0` in `{}` matches IPv4 only",
                        block.describe()
                    ),
                    e.span,
                    "IPv4 addresses only",
                )
                .with_label(pass.head, "this later pass rule also matches IPv6")
                .with_help(format!(
                    "write `{side}: 0/0` to block both address families"
                )),
            );
        }
    }
}
