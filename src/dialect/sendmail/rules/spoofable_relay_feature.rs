//! SM004 sendmail-spoofable-relay-feature: `relay_local_from` or
//! `relay_mail_from` grants relaying by envelope sender, which any client
//! writes as it likes. Reported when SM001 does not already report it (a
//! daemon only local clients reach, no `From:` RELAY entry yet).

use super::super::evaluate::Hole;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM004.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let reported = a
        .verdict
        .open
        .as_ref()
        .is_some_and(|w| matches!(w.hole, Hole::LocalSender | Hole::MailFrom))
        && super::exposed(a);
    if reported {
        return;
    }
    for name in ["relay_local_from", "relay_mail_from"] {
        let Some(f) = a.model.feature(name) else {
            continue;
        };
        let what = if name == "relay_local_from" {
            "a sender in a local domain"
        } else {
            "a sender marked RELAY under `From:` in the access map"
        };
        out.push(
            Diagnostic::new(
                "SM004",
                format!("`{name}` lets {what} relay, and the sender is written by the client"),
                f.span,
                format!("`{name}`: relaying decided by a forgeable address"),
            )
            .with_note("MAIL FROM is not authenticated: whoever knows a sender that may relay can relay")
            .with_help(format!("remove `FEATURE(`{name}')`; let your users relay with SMTP AUTH (`TRUST_AUTH_MECH`) over TLS")),
        );
    }
}
