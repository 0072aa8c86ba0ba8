//! SQ004 squid-src-acl-untrusted: a `src` acl holds a large block of public
//! address space (or every address), so a rule meant for "our clients"
//! admits strangers.

use super::super::acl::Leaf;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ004 once per acl.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    for acl in &k.config.acls {
        if acl.builtin || acl.name.eq_ignore_ascii_case("all") {
            continue;
        }
        let Leaf::Src(s) = &acl.leaf else { continue };
        let public = s.intersect(a.attacker);
        if public.v4_count() < 1 << 16 && public.v6_count() < 1u128 << 80 {
            continue;
        }
        let span = acl
            .match_all_values
            .first()
            .copied()
            .or_else(|| acl.defs.first().copied())
            .unwrap_or(a.anchor());
        let mut d = Diagnostic::new(
            "SQ004",
            format!(
                "acl `{}` covers untrusted addresses: {}",
                acl.name,
                public.describe_size()
            ),
            span,
            "public address space",
        );
        for def in acl.defs.iter().skip(1).take(4) {
            d = d.with_label(*def, "also defines it");
        }
        out.push(d.with_help("list only the networks of your own clients in `src` acls"));
    }
}
