//! Squid rules: each file is one rule, a small function over the
//! [`Analysis`]. Codes, names and severities live in `rules/<CODE>.yaml`.

use super::Analysis;
use crate::diagnostic::Diagnostic;

mod open_proxy;
mod refuses_to_start;

/// Runs every Squid rule.
pub fn run(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let refuses = refuses_to_start::check(a, out);
    if !refuses {
        open_proxy::check(a, out);
    }
}
