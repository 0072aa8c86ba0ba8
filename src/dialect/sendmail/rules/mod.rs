//! Sendmail rules: each file is one rule, a small function over the
//! [`Analysis`]. Codes, names and severities live in `rules/<CODE>.yaml`.

use super::Analysis;
use crate::diagnostic::Diagnostic;

mod missing_file;
mod open_relay;
mod refuses_to_start;
mod syntax_error;

/// Runs every Sendmail rule.
pub fn run(a: &Analysis, out: &mut Vec<Diagnostic>) {
    open_relay::check(a, out);
    refuses_to_start::check(a, out);
    syntax_error::check(a, out);
    missing_file::check(a, out);
}
