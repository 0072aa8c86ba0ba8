//! SM001 sendmail-open-relay: an untrusted client without AUTH gets a
//! recipient in a foreign domain accepted. One finding per exposed daemon
//! (`DaemonPortOptions` not bound to loopback, no `M=a`).

use super::super::evaluate::{Hole, Witness};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// The witness as notes the differential suite replays.
pub(crate) fn witness_note(w: &Witness, port: u16) -> String {
    format!(
        "witness: client `{}`, port {port}, `MAIL FROM:<{}>`, `RCPT TO:<{}>`",
        w.client, w.mail_from, w.rcpt_to
    )
}

fn help(hole: Hole) -> &'static str {
    match hole {
        Hole::LocalRuleset => "make the local ruleset return `$#OK`/`$#RELAY` only for the clients or recipients it is meant for",
        Hole::NoRcptChecks => "rebuild sendmail.cf from an .mc with a current m4 tree (`m4 sendmail.mc > sendmail.cf`): since 8.9 it refuses relaying by default",
        Hole::Promiscuous => "remove `FEATURE(`promiscuous_relay')`; list the networks that may relay as `Connect:` RELAY entries in the access map",
        Hole::BroadRecipient => "list the domains you relay for by full name (`backup.example.com`), never a top-level domain",
        Hole::EntireDomain => "remove `FEATURE(`relay_entire_domain')`, or set `$m` to a domain of your own (`define(`confDOMAIN_NAME', `mail.example.com')` names the host)",
        Hole::RoutedViaRelayDomain => "remove `FEATURE(`loose_relay_check')` (and the `nospecial` argument of `nopercenthack`/`nouucp`), so that routed local parts are checked again",
        Hole::ClientAddress => "narrow the entry to the networks you trust, written as octet prefixes (`Connect:192.0.2 RELAY`)",
        Hole::LocalSender => "remove `FEATURE(`relay_local_from')`; let your users relay with SMTP AUTH (`TRUST_AUTH_MECH`) instead",
        Hole::MailFrom => "remove `FEATURE(`relay_mail_from')` or its `From:` RELAY entries; let those senders relay with SMTP AUTH instead",
    }
}

/// Reports SM001.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(w) = &a.verdict.open else { return };
    for d in a
        .model
        .daemons
        .iter()
        .filter(|d| !d.loopback_only() && !d.requires_auth() && d.port != 0)
    {
        let mut diag = Diagnostic::new(
            "SM001",
            format!(
                "untrusted clients can relay mail through sendmail on port {} (`{}`)",
                d.port, d.name
            ),
            w.decisive.0,
            w.decisive.1.clone(),
        );
        for (span, label) in &w.steps {
            diag = diag.with_label(*span, label.clone());
        }
        match d.span {
            Some(s) => {
                diag = diag.with_label(s, "listens on an address untrusted clients reach");
            }
            None => {
                diag = diag.with_note(format!(
                    "no `DAEMON_OPTIONS`: the default daemon `{}` listens on every address, port {}",
                    d.name, d.port
                ));
            }
        }
        diag = diag
            .with_note("attacker: any untrusted address, no AUTH, any envelope sender")
            .with_note(witness_note(w, d.port));
        out.push(diag.with_help(help(w.hole)));
    }
}
