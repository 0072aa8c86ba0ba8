//! SM011 sendmail-trust-auth-mech: `TRUST_AUTH_MECH` (class
//! `{TrustAuthMech}`) grants relaying to clients that authenticate with a
//! listed mechanism. `ANONYMOUS` there, without `y` in `AuthOptions`, lets
//! anyone authenticate and relay; a mechanism never offered in
//! `AuthMechanisms` grants nothing (a likely mistake).

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM011.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let m = a.model;
    let no_anonymous = m
        .auth_options
        .as_ref()
        .is_some_and(|o| o.text.split([' ', ',']).any(|f| f == "y"));
    for t in &m.trust_auth {
        if t.text.eq_ignore_ascii_case("ANONYMOUS") && !no_anonymous {
            out.push(
                Diagnostic::new(
                    "SM011",
                    "`TRUST_AUTH_MECH` trusts `ANONYMOUS`: anyone who authenticates anonymously may relay",
                    t.span,
                    "ANONYMOUS needs no password",
                )
                .with_note("when the SASL library offers ANONYMOUS, any client authenticates with it")
                .with_help("remove `ANONYMOUS` from `TRUST_AUTH_MECH` and add `y` to `confAUTH_OPTIONS`"),
            );
            continue;
        }
        if let Some(offered) = &m.auth_mechanisms {
            if !t.text.starts_with('$')
                && !offered
                    .text
                    .split_whitespace()
                    .any(|o| o.eq_ignore_ascii_case(&t.text))
            {
                out.push(
                    Diagnostic::new(
                        "SM011",
                        format!(
                            "`TRUST_AUTH_MECH` trusts `{}`, which `AuthMechanisms` does not offer",
                            t.text
                        ),
                        t.span,
                        "never offered, so it never grants relaying",
                    )
                    .with_label(offered.span, "the mechanisms offered")
                    .with_help(format!(
                        "add `{}` to `confAUTH_MECHANISMS`, or remove it from `TRUST_AUTH_MECH`",
                        t.text
                    )),
                );
            }
        }
    }
}
