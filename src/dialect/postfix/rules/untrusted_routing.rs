//! PF005 postfix-untrusted-routing: sender-specified routing
//! (`user%victim@relaydomain`, quoted local parts) passes the relay check.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Reports PF005 for `allow_untrusted_routing = yes` and
/// `resolve_dequoted_address = no`, once per definition.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Span> = Vec::new();
    for cfg in a.all_configs() {
        let routing = cfg.get("allow_untrusted_routing");
        if routing.is_yes() {
            if let Some(sp) = routing.text.span().or(routing.origin_span()) {
                if !seen.contains(&sp) {
                    seen.push(sp);
                    out.push(
                        Diagnostic::new("PF005", "`allow_untrusted_routing = yes` lets sender-routed recipients through the relay check", sp, "routed addresses such as `victim%example.net@relay.domain` are accepted")
                            .with_note("mail for a relay domain written with `%`, `!` or a second `@` is forwarded to that domain's server, which may relay it on")
                            .with_help("remove the line: the default `no` is safe"),
                    );
                }
            }
        }
        let dequote = cfg.get("resolve_dequoted_address");
        if !dequote.text.s.trim().is_empty() && !dequote.is_yes() {
            if let Some(sp) = dequote.text.span().or(dequote.origin_span()) {
                if !seen.contains(&sp) {
                    seen.push(sp);
                    out.push(
                        Diagnostic::new("PF005", "`resolve_dequoted_address = no` hides routing inside quoted local parts", sp, "`\"victim@example.net\"@relay.domain` is not recognised as routed")
                            .with_help("remove the line: the default `yes` is safe"),
                    );
                }
            }
        }
    }
}
