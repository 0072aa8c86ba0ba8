//! DN005 dante-port-colon-matches-all: `port: N` (with a colon) is read by
//! danted without a comparison, so the rule matches every port.

use super::super::address::PortOp;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports DN005, once per qualifier.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for r in &a.cfg.rules {
        for ep in [&r.from, &r.to].into_iter().flatten() {
            let Some(port) = &ep.port else { continue };
            let Some(PortOp::ColonAny(n)) = port.op else {
                continue;
            };
            let effect = if r.pass {
                "this pass rule lets every port through"
            } else {
                "this block rule blocks every port"
            };
            out.push(
                Diagnostic::new(
                    "DN005",
                    format!("`port: {n}` matches every port, not only {n}"),
                    port.span,
                    "colon form: no comparison is stored",
                )
                .with_label(r.head, effect)
                .with_help(format!("write `port = {n}`")),
            );
        }
    }
}
