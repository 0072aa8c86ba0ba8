//! SM007 sendmail-outdated-version: the `.cf` was built by an m4 tree
//! older than 8.18.1 (`DZ`), the release that fixed SMTP smuggling
//! (CVE-2023-51765). The cf version follows the installed package, so an
//! old one means an old sendmail.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

fn parse(v: &str) -> Option<Vec<u32>> {
    let nums: Vec<u32> = v
        .trim()
        .split(['.', '/', '-', ' '])
        .take(4)
        .map_while(|p| p.parse().ok())
        .collect();
    (nums.len() >= 2).then_some(nums)
}

/// Reports SM007.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(v) = &a.model.version else { return };
    let Some(nums) = parse(&v.text) else { return };
    if nums.as_slice() >= [8, 18, 1].as_slice() {
        return;
    }
    out.push(
        Diagnostic::new(
            "SM007",
            format!("sendmail.cf comes from Sendmail {}, older than 8.18.1", v.text.trim()),
            v.span,
            "cf version (`$Z`)",
        )
        .with_note("8.18.1 stopped SMTP smuggling (CVE-2023-51765): older versions accept a bare LF before `.` and let a sender inject a second message")
        .with_help("upgrade sendmail to 8.18.1 or later and rebuild sendmail.cf from its m4 tree"),
    );
}
