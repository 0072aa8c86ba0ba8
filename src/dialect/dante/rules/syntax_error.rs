//! RL001 syntax-error for sockd.conf: each line danted's parser rejects.
//! DN002 gives the verdict (danted does not start); this marks every such
//! line, as relaylint does for every dialect.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports RL001, once per syntax error.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for p in &a.cfg.problems {
        let Some(what) = p.message.strip_prefix("syntax error: ") else {
            continue;
        };
        out.push(
            Diagnostic::new(
                "RL001",
                format!("danted's parser rejects this: {what}"),
                p.span,
                p.label.clone(),
            )
            .with_help("check the file with `danted -V -f FILE` after the edit"),
        );
    }
}
