//! Dante rules: each file is one rule, a small function over the
//! [`Analysis`]. Codes, names and severities live in `rules/<CODE>.yaml`.

use super::Analysis;
use crate::diagnostic::Diagnostic;

mod bind_udp_open;
mod client_rule_socksmethod;
mod colon_port;
mod ipv4_only_wildcard;
mod legacy_syntax;
mod listens_on_public;
mod no_connection_log;
mod open_proxy;
mod open_proxy_limited;
mod refuses_to_start;
mod rfc931_authentication;
mod smtp_reachable;
mod syntax_error;

/// Runs every Dante rule.
pub fn run(a: &Analysis, out: &mut Vec<Diagnostic>) {
    open_proxy::check(a, out);
    open_proxy_limited::check(a, out);
    refuses_to_start::check(a, out);
    syntax_error::check(a, out);
    smtp_reachable::check(a, out);
    bind_udp_open::check(a, out);
    colon_port::check(a, out);
    ipv4_only_wildcard::check(a, out);
    listens_on_public::check(a, out);
    no_connection_log::check(a, out);
    legacy_syntax::check(a, out);
    client_rule_socksmethod::check(a, out);
    rfc931_authentication::check(a, out);
}
