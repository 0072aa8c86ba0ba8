//! PF004 postfix-spoofable-access-permit: an access-table entry that an
//! attacker can satisfy answers `OK` (or `RELAY`, `PERMIT`, a number) in a
//! list before its relay check.

use super::super::evaluate::{ListKind, Verdict};
use super::super::listener::Exposure;
use super::super::matchlist::attacker_name_pattern;
use super::super::restrictions::{items, REQUIRED};
use super::super::store::TableState;
use super::super::table::{parse_ref, Pattern};
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::net::IpSet;
use crate::source::Span;

fn permits(value: &str) -> bool {
    let w = value
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    w.is_empty()
        || w == "OK"
        || w == "RELAY"
        || w == "PERMIT"
        || w.bytes().all(|b| b.is_ascii_digit()) && w.len() != 3
}

/// Reports PF004, once per table entry.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Span> = Vec::new();
    for lr in &a.listeners {
        if lr.exposure == Exposure::LoopbackOnly || matches!(lr.verdict, Verdict::RefusesToStart(_))
        {
            continue;
        }
        let cfg = a.config(&lr.listener);
        for kind in [ListKind::Relay, ListKind::Recipient] {
            let value = cfg.get(kind.param());
            for item in items(&value.tokens()) {
                if REQUIRED.contains(&item.name.as_str()) || item.name == "permit" {
                    break;
                }
                let (what, table_tok) =
                    if item.name.starts_with("check_") && item.name.ends_with("_access") {
                        (item.name.clone(), item.arg.clone())
                    } else if item.token.text.contains(':') && !item.token.text.starts_with('[') {
                        (
                            "check_recipient_access".to_string(),
                            Some(item.token.clone()),
                        )
                    } else {
                        continue;
                    };
                if ["_a_access", "_mx_access", "_ns_access"]
                    .iter()
                    .any(|s| what.ends_with(s))
                {
                    continue;
                }
                let Some(tok) = table_tok else { continue };
                let Some(r) = parse_ref(&tok) else { continue };
                let state = a.store.table(&r);
                let TableState::Loaded(t) = &*state else {
                    continue;
                };
                for e in &t.entries {
                    if !permits(&e.value) {
                        continue;
                    }
                    let how = if what.starts_with("check_helo") {
                        Some(format!("any client can send `HELO {}`", e.key_text))
                    } else if what.starts_with("check_sender") {
                        Some(format!(
                            "any client can send `MAIL FROM` with `{}`",
                            e.key_text
                        ))
                    } else if what.starts_with("check_recipient") {
                        let catch_all = match &e.pattern {
                            Pattern::Any => true,
                            Pattern::Key(k) => {
                                attacker_name_pattern(k) || (k.ends_with('@') && k.len() > 1)
                            }
                            Pattern::Regex(_) => super::super::matchlist::PROBE_DOMAINS
                                .iter()
                                .any(|d| e.matches(&format!("victim@{d}"), None)),
                            Pattern::Net(_) => false,
                        };
                        catch_all.then(|| {
                            format!("`{}` matches recipients in foreign domains", e.key_text)
                        })
                    } else {
                        let public = match &e.pattern {
                            Pattern::Net(n) => !IpSet::from_net(n).intersect(a.attacker).is_empty(),
                            Pattern::Key(k) => {
                                attacker_name_pattern(k)
                                    || &**k == "unknown"
                                    || super::super::matchlist::octet_prefix(k).is_some_and(|n| {
                                        !IpSet::from_net(&n).intersect(a.attacker).is_empty()
                                    })
                            }
                            Pattern::Regex(_) | Pattern::Any => true,
                        };
                        public
                            .then(|| format!("`{}` covers untrusted client addresses", e.key_text))
                    };
                    let (Some(how), Some(span)) = (how, e.span) else {
                        continue;
                    };
                    if seen.contains(&span) {
                        continue;
                    }
                    seen.push(span);
                    let mut d = Diagnostic::new(
                        "PF004",
                        format!(
                            "an attacker can make `{} {}` answer `{}` before the relay check",
                            what,
                            r.display(),
                            e.value
                        ),
                        span,
                        how,
                    );
                    if let Some(sp) = item.token.span {
                        d = d.with_label(
                            sp,
                            format!(
                                "looked up in `{}` before `reject_unauth_destination`",
                                kind.param()
                            ),
                        );
                    }
                    out.push(d.with_help("move this check after `reject_unauth_destination`, or answer `DUNNO` instead of `OK`"));
                }
            }
        }
    }
}
