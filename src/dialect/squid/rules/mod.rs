//! Squid rules: each file is one rule, a small function over the
//! [`Analysis`]. Codes, names and severities live in `rules/<CODE>.yaml`.

use super::Analysis;
use crate::diagnostic::Diagnostic;

mod access_log_disabled;
mod anonymising_headers;
mod cache_manager_exposed;
mod connect_unsafe_ports;
mod dropped_line;
mod icp_htcp_snmp_open;
mod missing_final_deny;
mod open_proxy;
mod outdated_syntax;
mod refuses_to_start;
mod spoofable_client;
mod src_acl_untrusted;

/// Runs every Squid rule. When Squid would not start, only the reasons
/// (and hygiene of the text) are reported: there is no running policy.
pub fn run(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let refuses = refuses_to_start::check(a, out);
    dropped_line::check(a, out);
    outdated_syntax::check(a, out);
    if refuses {
        return;
    }
    open_proxy::check(a, out);
    connect_unsafe_ports::check(a, out);
    src_acl_untrusted::check(a, out);
    missing_final_deny::check(a, out);
    spoofable_client::check(a, out);
    cache_manager_exposed::check(a, out);
    icp_htcp_snmp_open::check(a, out);
    access_log_disabled::check(a, out);
    anonymising_headers::check(a, out);
}
