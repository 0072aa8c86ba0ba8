//! Postfix rules: each file is one rule, a small function over the
//! [`Analysis`]. Codes, names and severities live in `rules/<CODE>.yaml`.

use super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

mod abuse_alias;
mod banner_version;
mod deprecated_restriction;
mod listens_on_all_interfaces;
mod mynetworks_untrusted;
mod open_relay;
mod outdated_version;
mod permit_mx_backup;
mod qmqp_untrusted;
mod refuses_to_start;
mod sasl_without_tls;
mod spoofable_access_permit;
mod spoofable_client_address;
mod trailing_comment;
mod untrusted_routing;

/// Runs every Postfix rule.
pub fn run(a: &Analysis, out: &mut Vec<Diagnostic>) {
    open_relay::check(a, out);
    mynetworks_untrusted::check(a, out);
    refuses_to_start::check(a, out);
    spoofable_access_permit::check(a, out);
    untrusted_routing::check(a, out);
    permit_mx_backup::check(a, out);
    sasl_without_tls::check(a, out);
    banner_version::check(a, out);
    outdated_version::check(a, out);
    abuse_alias::check(a, out);
    listens_on_all_interfaces::check(a, out);
    trailing_comment::check(a, out);
    deprecated_restriction::check(a, out);
    spoofable_client_address::check(a, out);
    qmqp_untrusted::check(a, out);
}

/// The first span of `candidates`, else the unit's anchor.
pub(crate) fn first_span(a: &Analysis, candidates: impl IntoIterator<Item = Option<Span>>) -> Span {
    candidates.into_iter().flatten().next().unwrap_or(a.anchor)
}
