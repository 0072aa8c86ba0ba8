//! SM005 sendmail-loose-relay-check: `FEATURE(`loose_relay_check')` stops
//! sendmail from re-checking `user%host@relaydomain`. With any relay domain
//! that is an open route (SM001); without one yet, the first
//! `RELAY_DOMAIN` or `To:` RELAY entry makes it one.

use super::super::evaluate::Hole;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM005.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(f) = a.model.feature("loose_relay_check") else {
        return;
    };
    if a.verdict
        .open
        .as_ref()
        .is_some_and(|w| w.hole == Hole::RoutedViaRelayDomain)
        && super::exposed(a)
    {
        return;
    }
    out.push(
        Diagnostic::new(
            "SM005",
            "`loose_relay_check` accepts `user%victim@relaydomain` without checking `victim`",
            f.span,
            "routed local parts are not checked again",
        )
        .with_note("with a domain in class R or a `To:` RELAY entry, `victim%example.net@that.domain` is accepted and sent on to that domain, which resolves the `%`")
        .with_help("remove `FEATURE(`loose_relay_check')`"),
    );
}
