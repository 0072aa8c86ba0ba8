//! SQ005 squid-missing-final-deny: the last `http_access` line is a `deny`
//! of something narrower than `all`, so every request no line matches is
//! allowed (Squid does the opposite of the last line).

use super::super::acl::Leaf;
use super::super::model::ListKind;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ005 once.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    let cfg = &k.config;
    let Some(last) = cfg.list(ListKind::Http).last() else {
        return;
    };
    if last.allow {
        return;
    }
    let denies_all = last.acls.iter().all(|r| {
        !r.negated
            && cfg
                .acls
                .get(r.acl)
                .is_some_and(|x| matches!(&x.leaf, Leaf::Src(s) if s.v4_count() == 1u64 << 32))
    });
    if denies_all {
        return;
    }
    out.push(
        Diagnostic::new(
            "SQ005",
            "the last `http_access` line is a narrow `deny`: requests no line matches are allowed",
            last.span,
            "Squid answers the opposite of this line when nothing matches",
        )
        .with_help("end the `http_access` rules with `http_access deny all`"),
    );
}
