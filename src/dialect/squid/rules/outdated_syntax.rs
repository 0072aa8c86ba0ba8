//! SQ012 squid-outdated-syntax: lines written for old Squid versions that
//! 5.7 accepts with a warning or ignores (obsolete directives, 2.x acl
//! definitions, match-all spellings).

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ012 per outdated line.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    for (span, name) in &k.config.obsolete {
        out.push(
            Diagnostic::new(
                "SQ012",
                format!("`{name}` is obsolete: Squid 5.7 ignores it"),
                *span,
                "obsolete directive",
            )
            .with_help("remove the line"),
        );
    }
    for l in &k.config.legacy {
        out.push(
            Diagnostic::new("SQ012", l.message.clone(), l.span, "outdated syntax")
                .with_help("remove the line or write `all`; Squid defines `all`, `manager`, `localhost`, `to_localhost` and `CONNECT` itself"),
        );
    }
    for (span, acl) in &k.config.ignored_values {
        out.push(
            Diagnostic::new(
                "SQ012",
                format!("Squid ignores this value of acl `{acl}`: it overlaps an earlier one"),
                *span,
                "dropped by Squid 5.x and 6.x (merged by 7.x)",
            )
            .with_help("remove overlapping values so that every Squid version reads the acl alike"),
        );
    }
}
