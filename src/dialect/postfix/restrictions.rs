//! smtpd restriction lists: tokens grouped into restrictions with their
//! arguments, and the restriction names Postfix knows.

use super::text::Token;

/// One restriction as written: a name and, for those that take one, its
/// argument (a table, a policy server, a DNSBL domain...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The name, lowercased (Postfix compares restriction names
    /// case-insensitively).
    pub name: String,
    /// The token as written.
    pub token: Token,
    /// The argument, when the restriction takes one.
    pub arg: Option<Token>,
}

/// True for restrictions that take the next token as their argument.
pub fn takes_argument(name: &str) -> bool {
    (name.starts_with("check_") && name.ends_with("_access"))
        || name == "check_policy_service"
        || name == "reject_rbl_client"
        || name.starts_with("reject_rhsbl_")
        || name == "permit_dnswl_client"
        || name == "permit_rhswl_client"
        || name == "sleep"
}

/// Groups list tokens into restrictions.
pub fn items(tokens: &[Token]) -> Vec<Item> {
    let mut out = Vec::new();
    let mut it = tokens.iter().peekable();
    while let Some(tok) = it.next() {
        let name = tok.text.to_ascii_lowercase();
        let arg = if takes_argument(&name) {
            it.next().cloned()
        } else {
            None
        };
        out.push(Item {
            name,
            token: tok.clone(),
            arg,
        });
    }
    out
}

/// Restrictions Postfix knows that take no argument and that relaylint's
/// attacker always gets past (he chooses his HELO, sender, DNS and timing,
/// and is not on a block list until he is caught).
pub const ATTACKER_PASSES: &[&str] = &[
    "reject_unauth_pipelining",
    "reject_unknown_client_hostname",
    "reject_unknown_client",
    "reject_unknown_reverse_client_hostname",
    "reject_unknown_helo_hostname",
    "reject_unknown_hostname",
    "reject_invalid_helo_hostname",
    "reject_invalid_hostname",
    "reject_non_fqdn_helo_hostname",
    "reject_non_fqdn_hostname",
    "reject_non_fqdn_sender",
    "reject_non_fqdn_recipient",
    "reject_unknown_sender_domain",
    "reject_unknown_recipient_domain",
    "reject_unlisted_sender",
    "reject_unlisted_recipient",
    "reject_unverified_sender",
    "reject_unverified_recipient",
    "reject_sender_login_mismatch",
    "reject_authenticated_sender_login_mismatch",
    "reject_known_sender_login_mismatch",
    "reject_unauthenticated_sender_login_mismatch",
    "reject_multi_recipient_bounce",
    "reject_maps_rbl",
    "permit_sasl_authenticated",
    "permit_tls_clientcerts",
    "permit_inet_interfaces",
    "permit_mx_backup",
    "defer_if_reject",
];

/// The restrictions that satisfy smtpd's startup check.
pub const REQUIRED: &[&str] = &[
    "reject_unauth_destination",
    "defer_unauth_destination",
    "reject",
    "defer",
    "defer_if_permit",
    "check_relay_domains",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::postfix::text::Text;

    #[test]
    fn arguments_are_consumed() {
        let toks = Text::builtin(
            "permit_mynetworks, check_sender_access hash:/x, reject_rbl_client zen.example, reject",
        )
        .tokens();
        let it = items(&toks);
        assert_eq!(it.len(), 4);
        assert_eq!(it[1].arg.as_ref().unwrap().text, "hash:/x");
        assert_eq!(it[3].name, "reject");
    }
}
