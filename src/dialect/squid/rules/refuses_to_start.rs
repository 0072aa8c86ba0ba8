//! SQ002 squid-refuses-to-start: a line Squid stops on (unknown directive,
//! bad value, undefined acl, include glob matching nothing...). The proxy
//! is down, not open.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ002 once for the unit; returns true when it did.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) -> bool {
    for k in &a.kids {
        let mut fatal = k.pre.fatal.iter().chain(k.config.fatal.iter());
        let Some(first) = fatal.next() else {
            continue;
        };
        let mut d = Diagnostic::new(
            "SQ002",
            format!("squid would refuse to start: {}", first.message),
            first.span,
            "Squid stops here",
        );
        for f in fatal.take(8) {
            d = d.with_label(f.span, f.message.clone());
        }
        if k.kid > 0 {
            d = d.with_note(format!(
                "this line is read by kid {} (`${{process_number}}` = {})",
                k.kid, k.kid
            ));
        }
        d = d
            .with_note("`squid -k parse` reports the same error and exits with a failure status")
            .with_help("fix this line; check the whole file with `squid -k parse -f squid.conf`");
        out.push(d);
        return true;
    }
    false
}
