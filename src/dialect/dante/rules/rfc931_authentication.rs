//! DN011 dante-rfc931-authentication: `rfc931` (ident) is used as if it
//! were authentication. The user name comes from an identd on the client's
//! own host, which an attacker runs and answers as it likes.

use super::super::syntax::{Method, MethodList};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

fn report(list: &MethodList, out: &mut Vec<Diagnostic>) {
    let Some(span) = list.span_of(Method::Rfc931) else {
        return;
    };
    out.push(
        Diagnostic::new(
            "DN011",
            "`rfc931` takes the user name from the client's own identd",
            span,
            "not authentication: the client's host answers",
        )
        .with_help("use `username`, `gssapi` or `pam.username` for clients outside your control"),
    );
}

/// Reports DN011, once per method list that holds `rfc931`.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for l in [&a.cfg.socksmethod, &a.cfg.clientmethod]
        .into_iter()
        .flatten()
    {
        report(l, out);
    }
    for r in &a.cfg.rules {
        for l in [&r.socksmethod, &r.clientmethod].into_iter().flatten() {
            report(l, out);
        }
    }
}
