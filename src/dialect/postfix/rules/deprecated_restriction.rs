//! PF013 postfix-deprecated-restriction: restrictions that let attacker
//! input through (`permit_naked_ip_address`) or that newer Postfix removed.

use super::super::Analysis;
use crate::diagnostic::Diagnostic;

const DEPRECATED: &[(&str, &str, &str)] = &[
    (
        "permit_naked_ip_address",
        "permits any client that sends an IP address as HELO (removed in Postfix 3.9)",
        "remove it; use `permit_mynetworks` or SASL for your own clients",
    ),
    (
        "check_relay_domains",
        "permits clients by their host name and was removed in Postfix 3.9",
        "use `reject_unauth_destination`",
    ),
    (
        "reject_maps_rbl",
        "was removed from Postfix",
        "use `reject_rbl_client` with a named list",
    ),
];

/// Reports PF013 for every use in main.cf or master.cf overrides.
pub fn check(a: &Analysis, out: &mut Vec<Diagnostic>) {
    let mut values: Vec<&super::super::text::Text> = a
        .main
        .params
        .iter()
        .filter(|p| a.main.is_effective(p))
        .map(|p| &p.value)
        .collect();
    if let Some(m) = a.master {
        values.extend(
            m.services
                .iter()
                .flat_map(|s| s.overrides.iter().map(|o| &o.value)),
        );
    }
    for v in values {
        // Nearly no value names one: looked for in the text before it is
        // split into tokens.
        if !DEPRECATED
            .iter()
            .any(|(name, _, _)| contains_ignoring_case(&v.s, name))
        {
            continue;
        }
        for tok in v.tokens() {
            let lower = tok.text.to_ascii_lowercase();
            let Some((name, what, help)) = DEPRECATED.iter().find(|(n, _, _)| *n == lower) else {
                continue;
            };
            let Some(sp) = tok.span else { continue };
            out.push(
                Diagnostic::new("PF013", format!("`{name}` is deprecated"), sp, *what)
                    .with_help(*help),
            );
        }
    }
}

/// True when `text` holds `word` (lowercase ASCII) in any letter case.
fn contains_ignoring_case(text: &str, word: &str) -> bool {
    let Some(&first) = word.as_bytes().first() else {
        return true;
    };
    // The first byte decides most windows before a whole comparison.
    text.as_bytes()
        .windows(word.len())
        .any(|w| w[0].eq_ignore_ascii_case(&first) && w.eq_ignore_ascii_case(word.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::contains_ignoring_case;

    #[test]
    fn names_are_found_in_any_case_and_place() {
        for text in [
            "permit_naked_ip_address",
            "permit_mynetworks, PERMIT_Naked_IP_Address",
            "x,permit_naked_ip_address,y",
        ] {
            assert!(
                contains_ignoring_case(text, "permit_naked_ip_address"),
                "{text}"
            );
        }
        for text in ["", "permit_naked_ip", "permit_mynetworks, reject"] {
            assert!(
                !contains_ignoring_case(text, "permit_naked_ip_address"),
                "{text}"
            );
        }
    }
}
