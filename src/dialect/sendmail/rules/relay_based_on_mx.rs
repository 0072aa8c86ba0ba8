//! SM003 sendmail-relay-based-on-mx: `FEATURE(`relay_based_on_MX')` relays
//! for any domain whose MX record names this host. Anyone who controls a
//! domain's DNS can point its MX here and relay to that domain: not an open
//! relay for the world's domains, but a relay the server's owner does not
//! choose.

use super::super::Analysis;
use super::exposed;
use crate::diagnostic::Diagnostic;

/// Reports SM003.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let Some(f) = a.model.feature("relay_based_on_MX") else {
        return;
    };
    if a.verdict.open.is_some() || !exposed(a) {
        return;
    }
    out.push(
        Diagnostic::new(
            "SM003",
            "sendmail relays for every domain whose MX record points at it",
            f.span,
            "`relay_based_on_MX`: the domain's owner, not this server, decides",
        )
        .with_note("an outsider publishes `MX 10 <this host>` for a domain of their own and relays through this server to it; a DNS failure answers `450 Can not check MX records`")
        .with_help("remove `FEATURE(`relay_based_on_MX')` and list the domains you are backup MX for with `RELAY_DOMAIN` or `To:` RELAY entries"),
    );
}
