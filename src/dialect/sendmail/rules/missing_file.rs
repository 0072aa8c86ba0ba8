//! RL004 missing-referenced-file for Sendmail: the access map's text source
//! or a class file the configuration names is not in the scanned tree. An
//! optional class file (`F -o`) is silent, as it is for sendmail.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports RL004.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    for m in a.missing.iter().filter(|m| !m.optional) {
        let (message, help) = if m.only_db {
            (
                format!("only the compiled `{}.db` is in the tree: relaylint cannot read a hash map, so its entries were not analysed", m.named),
                "include the text source (`makemap hash access < access` builds the .db from it) in the scanned tree",
            )
        } else {
            (
                format!("`{}` named by the configuration is not in the scanned tree", m.named),
                "include the file in the scanned tree (or point `--root` at the folder that holds `etc/`)",
            )
        };
        out.push(
            Diagnostic::new("RL004", message, m.span, "named here")
                .with_note("relaylint decided without its entries")
                .with_help(help),
        );
    }
}
