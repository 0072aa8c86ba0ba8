//! SM008 sendmail-banner-version: the SMTP greeting shows the version
//! (`$v` is the binary's, `$Z` the cf's). The m4 default is
//! `$j Sendmail $v/$Z; $b`; sendmail's own default, `$j Sendmail $v ready
//! at $b`, shows it too.

use super::super::model::Origin;
use super::super::Analysis;
use crate::diagnostic::Diagnostic;

/// Reports SM008.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let m = a.model;
    let (span, label) = match &m.greeting {
        Some(g) if g.text.contains("$v") || g.text.contains("$Z") => {
            (g.span, "the greeting names `$v`/`$Z`".to_string())
        }
        Some(_) => return,
        None => {
            let what = if m.origin == Origin::Mc {
                "no `confSMTP_LOGIN_MSG`: the m4 default `$j Sendmail $v/$Z; $b` applies"
            } else {
                "no `SmtpGreetingMessage`: the default `$j Sendmail $v ready at $b` applies"
            };
            (m.anchor, what.to_string())
        }
    };
    out.push(
        Diagnostic::new(
            "SM008",
            "the SMTP greeting tells every client the Sendmail version",
            span,
            label,
        )
        .with_help("define(`confSMTP_LOGIN_MSG', `$j ESMTP') (or `O SmtpGreetingMessage=$j ESMTP` in sendmail.cf)"),
    );
}
