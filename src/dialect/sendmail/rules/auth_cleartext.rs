//! SM010 sendmail-auth-cleartext: PLAIN or LOGIN is offered for SMTP AUTH
//! and `AuthOptions` lacks `p`, so passwords can cross the network in
//! clear text on a session without STARTTLS.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM010.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(mechs) = &a.model.auth_mechanisms else {
        return;
    };
    let clear: Vec<&str> = mechs
        .text
        .split_whitespace()
        .filter(|m| m.eq_ignore_ascii_case("PLAIN") || m.eq_ignore_ascii_case("LOGIN"))
        .collect();
    if clear.is_empty() {
        return;
    }
    let protected = a
        .model
        .auth_options
        .as_ref()
        .is_some_and(|o| o.text.split([' ', ',']).any(|f| f == "p"));
    if protected || !super::exposed(a) {
        return;
    }
    let mut d = Diagnostic::new(
        "SM010",
        format!(
            "SMTP AUTH offers `{}` without requiring TLS first",
            clear.join("`, `")
        ),
        mechs.span,
        "plain-text mechanisms",
    );
    if let Some(o) = &a.model.auth_options {
        d = d.with_label(o.span, "no `p` among the AuthOptions");
    }
    out.push(
        d.with_note("without `p`, sendmail offers these mechanisms before STARTTLS: the password crosses the network readable")
            .with_help("define(`confAUTH_OPTIONS', `A p y')"),
    );
}
