//! SM013 sendmail-mc-differs: the `sendmail.mc` beside the running
//! `sendmail.cf` would build a different relay policy (other relay
//! FEATUREs, other class R entries, or another verdict for the attacker).
//! The daemon runs the `.cf`; the next rebuild (often a package upgrade)
//! runs the `.mc`.

use super::super::model::Model;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::collections::BTreeSet;

const RELAY_FEATURES: &[&str] = &[
    "promiscuous_relay",
    "relay_entire_domain",
    "relay_hosts_only",
    "relay_based_on_MX",
    "relay_local_from",
    "relay_mail_from",
    "loose_relay_check",
    "access_db",
    "nopercenthack",
    "nouucp",
];

fn features(m: &Model) -> BTreeSet<&str> {
    m.features
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| RELAY_FEATURES.contains(n))
        .collect()
}

fn class_r(m: &Model) -> BTreeSet<&str> {
    m.class_r.iter().map(|r| r.word.as_str()).collect()
}

/// Reports SM013.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(mc) = &a.source_mc else { return };
    let cf = a.model;
    let mut notes = Vec::new();
    let mut first: Option<Span> = None;
    let (fm, fc) = (features(mc), features(cf));
    for name in fm.difference(&fc) {
        notes.push(format!("only sendmail.mc uses FEATURE(`{name}')"));
        first = first.or(mc.feature(name).map(|f| f.span));
    }
    for name in fc.difference(&fm) {
        notes.push(format!("only sendmail.cf uses FEATURE(`{name}')"));
        first = first.or(cf.feature(name).map(|f| f.span));
    }
    let (rm, rc) = (class_r(mc), class_r(cf));
    for w in rm.difference(&rc) {
        notes.push(format!("only sendmail.mc puts `{w}` in class R"));
        first = first.or(mc.class_r.iter().find(|r| r.word == *w).map(|r| r.span));
    }
    for w in rc.difference(&rm) {
        notes.push(format!("only sendmail.cf puts `{w}` in class R"));
        first = first.or(cf.class_r.iter().find(|r| r.word == *w).map(|r| r.span));
    }
    if notes.is_empty() {
        return;
    }
    let mut d = Diagnostic::new(
        "SM013",
        "sendmail.mc would build a different relay policy than the sendmail.cf that runs",
        first.unwrap_or(mc.anchor),
        "differs from the other file",
    )
    .with_label(cf.anchor, "the configuration sendmail runs");
    for n in notes.into_iter().take(8) {
        d = d.with_note(n);
    }
    out.push(d.with_help("rebuild sendmail.cf from sendmail.mc (`make -C /etc/mail` or `m4 ... sendmail.mc > sendmail.cf`) after checking which of the two is meant"));
}
