//! PF002 postfix-mynetworks-untrusted: `mynetworks` covers addresses outside
//! the internal ranges; `permit_mynetworks` then trusts strangers.

use super::super::matchlist::{accepted_space, list_tokens};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Reports PF002, once per definition of `mynetworks`.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Option<Span>> = Vec::new();
    for cfg in a.all_configs() {
        let value = cfg.get("mynetworks");
        let origin = value.origin_span();
        if seen.contains(&origin) {
            continue;
        }
        seen.push(origin);
        let (tokens, _) = list_tokens(&value.text);
        let (space, hits) = accepted_space(&tokens, a.attacker, a.store);
        if space.is_empty() {
            continue;
        }
        let primary = hits
            .iter()
            .find_map(|h| h.span)
            .or(origin)
            .unwrap_or(a.anchor);
        let mut d = Diagnostic::new(
            "PF002",
            format!("`mynetworks` trusts {}", space.describe_size()),
            primary,
            "reaches outside loopback and private networks",
        );
        for h in &hits {
            if let Some(sp) = h.span {
                if sp != primary {
                    d = d.with_label(sp, format!("`{}` is also untrusted space", h.text));
                }
            }
        }
        if let Some(o) = origin {
            if o != primary {
                d = d.with_label(o, "`mynetworks` is set here");
            }
        }
        out.push(d.with_help(
            "list only your own networks, e.g. `mynetworks = 127.0.0.0/8 [::1]/128 192.168.0.0/16`",
        ));
    }
}
