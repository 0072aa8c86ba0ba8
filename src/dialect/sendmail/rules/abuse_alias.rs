//! SM012 sendmail-abuse-alias: the aliases file has no `postmaster` or no
//! `abuse`. RFC 5321 requires postmaster; abuse is where other operators
//! report spam coming from this host (RFC 2142).

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM012.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(aliases) = &a.aliases else { return };
    let missing: Vec<&str> = ["postmaster", "abuse"]
        .into_iter()
        .filter(|n| !aliases.names.iter().any(|a| a == n))
        .collect();
    if missing.is_empty() {
        return;
    }
    out.push(
        Diagnostic::new(
            "SM012",
            format!("the aliases file has no `{}`", missing.join("` or `")),
            aliases.span,
            "aliases read by sendmail",
        )
        .with_help(format!(
            "add `{}: root` (or a mailbox someone reads) and run `newaliases`",
            missing.join(": root` and `")
        )),
    );
}
