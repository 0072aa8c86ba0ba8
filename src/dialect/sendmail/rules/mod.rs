//! Sendmail rules: each file is one rule, a small function over the
//! [`Analysis`]. Codes, names and severities live in `rules/<CODE>.yaml`.

use super::Analysis;
use crate::diagnostic::Diagnostic;

mod abuse_alias;
mod access_trailing_comment;
mod auth_cleartext;
mod banner_version;
mod client_name_suffix;
mod key_matches_nothing;
mod listens_on_all_addresses;
mod loose_relay_check;
mod mc_differs;
mod missing_file;
mod open_relay;
mod outdated_version;
mod refuses_to_start;
mod relay_based_on_mx;
mod spoofable_relay_feature;
mod syntax_error;
mod trust_auth_mech;

/// True when some daemon untrusted clients reach serves without AUTH.
pub(crate) fn exposed(a: &Analysis) -> bool {
    a.model
        .daemons
        .iter()
        .any(|d| !d.loopback_only() && !d.requires_auth() && d.port != 0)
}

/// Runs every Sendmail rule.
pub fn run(a: &Analysis, out: &mut Vec<Diagnostic>) {
    open_relay::check(a, out);
    refuses_to_start::check(a, out);
    syntax_error::check(a, out);
    missing_file::check(a, out);
    if !a.model.builds() {
        return;
    }
    relay_based_on_mx::check(a, out);
    spoofable_relay_feature::check(a, out);
    loose_relay_check::check(a, out);
    key_matches_nothing::check(a, out);
    outdated_version::check(a, out);
    banner_version::check(a, out);
    listens_on_all_addresses::check(a, out);
    auth_cleartext::check(a, out);
    trust_auth_mech::check(a, out);
    abuse_alias::check(a, out);
    mc_differs::check(a, out);
    access_trailing_comment::check(a, out);
    client_name_suffix::check(a, out);
}
