//! SQ010 squid-access-log-disabled: `access_log none` stops recording
//! requests, so abuse of the proxy leaves no trace.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SQ010 per `access_log none` line.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(k) = a.primary() else { return };
    for (args, span) in &k.config.access_logs {
        if args.first().map(String::as_str) != Some("none") {
            continue;
        }
        let scope = if args.len() > 1 {
            format!("for requests matching `{}`", args[1..].join(" "))
        } else {
            "for every request".to_string()
        };
        out.push(
            Diagnostic::new(
                "SQ010",
                format!("access logging is turned off {scope}"),
                *span,
                "no record of these requests",
            )
            .with_help("log to a file, e.g. `access_log daemon:/var/log/squid/access.log squid`"),
        );
    }
}
