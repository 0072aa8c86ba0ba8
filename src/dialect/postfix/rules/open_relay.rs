//! PF001 postfix-open-relay: an untrusted client without SASL relays to a
//! foreign domain through an smtpd listener. One finding per listener.

use super::super::evaluate::{ListPass, Recipient, Step, Verdict, Witness};
use super::super::listener::{Exposure, Listener};
use super::super::Analysis;
use super::first_span;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// The step that decided, in the list that holds the relay check.
fn decisive(w: &Witness) -> Option<(&ListPass, &Step)> {
    let pass = w
        .lists
        .iter()
        .find(|p| p.holds_relay_check)
        .or(w.lists.last())?;
    let step = pass
        .decisive
        .and_then(|i| pass.steps.get(i))
        .filter(|s| s.span.is_some())
        .or_else(|| pass.steps.iter().rev().find(|s| s.span.is_some()))?;
    Some((pass, step))
}

/// `(list, domain)` when a step says a domain list accepts the foreign domain.
fn accepting_list(s: &Step) -> Option<(&str, &str)> {
    let rest = s.message.split("` in `").nth(1)?;
    let (param, rest) = rest.split_once('`')?;
    let domain = rest.strip_prefix(" accepts `")?.strip_suffix('`')?;
    Some((param, domain))
}

fn help_for(step: &Step, all: &[&Step]) -> String {
    let text = |needle: &str| all.iter().any(|s| s.message.contains(needle));
    if text("allow_untrusted_routing") {
        "set `allow_untrusted_routing = no` (the default)".into()
    } else if text("in `mynetworks`") {
        "limit `mynetworks` to networks you trust, e.g. `127.0.0.0/8 [::1]/128`".into()
    } else if all.iter().any(|s| accepting_list(s).is_some()) {
        "list only the domains this server relays for in `relay_domains`".into()
    } else if step.message.contains(" matches `") || text(" matches `") {
        "place access checks that can answer `OK` after `reject_unauth_destination`, or make them answer `DUNNO`".into()
    } else if text("HELO [") {
        "remove `permit_naked_ip_address`".into()
    } else if text("client certificate") {
        "use `permit_tls_clientcerts` with `relay_clientcerts` instead of `permit_tls_all_clientcerts`".into()
    } else {
        "put `reject_unauth_destination` before any restriction an untrusted client can satisfy"
            .into()
    }
}

fn swaks(l: &Listener, w: &Witness) -> String {
    let port = l
        .port_number()
        .map(|p| p.to_string())
        .unwrap_or_else(|| l.port.clone());
    let server = l
        .host
        .clone()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "YOUR-SERVER".into());
    let helo = w
        .helo()
        .map(|h| format!(" --helo '{h}'"))
        .unwrap_or_default();
    let from = w.sender().unwrap_or("a@example.org");
    format!(
        "confirm with `swaks --server {server} --port {port}{helo} --from '{from}' --to '{}' --quit-after RCPT` from an outside address: a `250` answer to `RCPT TO` means relaying",
        w.recipient.address()
    )
}

/// Reports PF001.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for lr in &a.listeners {
        if lr.exposure == Exposure::LoopbackOnly {
            continue;
        }
        let Verdict::Open(w) = &lr.verdict else {
            continue;
        };
        let all: Vec<&Step> = w.lists.iter().flat_map(|p| p.steps.iter()).collect();
        // Values written in no file (defaults) leave a witness without spans:
        // the listener then carries the finding.
        let fallback;
        let (pass, step) = match decisive(w) {
            Some(x) => x,
            None => {
                let Some(pass) = w
                    .lists
                    .iter()
                    .find(|p| p.holds_relay_check)
                    .or(w.lists.last())
                else {
                    continue;
                };
                fallback = pass
                    .decisive
                    .and_then(|i| pass.steps.get(i))
                    .or(pass.steps.last())
                    .cloned()
                    .unwrap_or(Step {
                        span: None,
                        message: "the relay check lets the attacker through".into(),
                        choice: None,
                    });
                (pass, &fallback)
            }
        };
        let primary = first_span(a, [step.span, lr.listener.line_span()]);
        let via = match &w.recipient {
            Recipient::Routed { .. } => " with a sender-routed recipient".to_string(),
            Recipient::Foreign { .. } if all.iter().any(|s| accepting_list(s).is_some()) => all
                .iter()
                .find_map(|s| accepting_list(s))
                .map(|(param, domain)| format!(": `{param}` accepts `{domain}`"))
                .unwrap_or_default(),
            Recipient::Foreign { .. } => pass
                .decisive
                .and_then(|i| pass.steps.get(i))
                .unwrap_or(step)
                .message
                .split('`')
                .nth(1)
                .map(|t| format!(" via `{t}`"))
                .unwrap_or_default(),
        };
        let mut d = Diagnostic::new(
            "PF001",
            format!(
                "untrusted clients can relay mail through {}{via}",
                lr.listener.describe()
            ),
            primary,
            step.message.clone(),
        );
        let mut seen: Vec<Span> = vec![primary];
        if let Some(line) = lr.listener.line_span() {
            if !seen.contains(&line) {
                d = d.with_label(line, "this listener accepts connections from the internet");
                seen.push(line);
            }
        }
        for s in &all {
            if let Some(sp) = s.span {
                if !seen.contains(&sp) {
                    seen.push(sp);
                    d = d.with_label(sp, s.message.clone());
                }
            }
        }
        d = d.with_note(format!(
            "attacker: client `{}` (untrusted, no SASL login), `HELO {}`, `MAIL FROM:<{}>`, `RCPT TO:<{}>`",
            w.client,
            w.helo().unwrap_or("client.example.org"),
            w.sender().unwrap_or("a@example.org"),
            w.recipient.address()
        ));
        let cfg = a.config(&lr.listener);
        for p in &w.lists {
            if p.value.origin_span().is_none() && p.holds_relay_check {
                d = d.with_note(format!(
                    "`{}` is not set: Postfix's default for compatibility_level {} applies: `{}`",
                    p.list.param(),
                    cfg.level(),
                    p.value.text.s.trim()
                ));
                match cfg.level_span() {
                    Some(sp) if !seen.contains(&sp) => {
                        seen.push(sp);
                        d = d.with_label(sp, "this level decides the default restrictions");
                    }
                    Some(_) => {}
                    None => d = d.with_note("`compatibility_level` is not set, so it is 0"),
                }
            }
        }
        d = d.with_note(swaks(&lr.listener, w));
        d = d.with_help(help_for(step, &all));
        out.push(d);
    }
}
