//! Built-in defaults of the parameters relaylint evaluates, by
//! `compatibility_level` and, where it matters and is known, by version.
//! Values as `postconf -d` / `postconf -x` print them for Postfix 3.7+.

use super::expand::compare_levels;
use std::cmp::Ordering;

/// A Postfix release, `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Parses `3.7.11` (snapshots like `3.12-20260423` give `3.12.0`).
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let core = s.split(['-', ' ']).next()?;
        let mut it = core.split('.').map(|p| p.parse::<u32>());
        let major = it.next()?.ok()?;
        let minor = it.next().unwrap_or(Ok(0)).ok()?;
        let patch = it.next().unwrap_or(Ok(0)).unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// True when `level` is below `than` (compared as `<level` does).
pub fn level_below(level: &str, than: &str) -> bool {
    compare_levels(level, than) == Ordering::Less
}

/// The default relay restrictions before compatibility level 1.
pub const RELAY_RESTRICTIONS_COMPAT1: &str =
    "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination";

/// The built-in default of `name` at `level`, for a known or unknown version.
pub fn default_raw(name: &str, level: &str, version: Option<Version>) -> Option<&'static str> {
    let pre_2_10 = version.is_some_and(|v| v < Version(2, 10, 0));
    Some(match name {
        "smtpd_relay_restrictions" => {
            if pre_2_10 {
                return None;
            }
            // Empty below level 1 since 3.3; the three-item list in 2.10-3.2.
            let old = version.is_some_and(|v| v < Version(3, 3, 0));
            if level_below(level, "1") && !old {
                ""
            } else {
                RELAY_RESTRICTIONS_COMPAT1
            }
        }
        "smtpd_recipient_restrictions" => {
            if pre_2_10 {
                "permit_mynetworks, reject_unauth_destination"
            } else {
                ""
            }
        }
        "smtpd_client_restrictions" | "smtpd_helo_restrictions" | "smtpd_sender_restrictions" | "smtpd_data_restrictions" => "",
        "smtpd_relay_before_recipient_restrictions" => {
            if level_below(level, "3.6") {
                "no"
            } else {
                "yes"
            }
        }
        "mynetworks_style" => {
            if level_below(level, "2") {
                "subnet"
            } else {
                "host"
            }
        }
        "relay_domains" => {
            if level_below(level, "2") {
                "$mydestination"
            } else {
                ""
            }
        }
        "mydestination" => "$myhostname, localhost.$mydomain, localhost",
        "inet_interfaces" => "all",
        "inet_protocols" => "all",
        "proxy_interfaces" => "",
        "allow_untrusted_routing" => "no",
        "resolve_dequoted_address" => "yes",
        "allow_percent_hack" => "yes",
        "swap_bangpath" => "yes",
        "smtpd_sasl_auth_enable" => "no",
        "smtpd_tls_auth_only" => "no",
        "smtpd_tls_security_level" => "",
        "smtpd_use_tls" => "no",
        "smtpd_enforce_tls" => "no",
        "smtpd_tls_ask_ccert" => "no",
        "tls_append_default_CA" => "no",
        "smtpd_banner" => "$myhostname ESMTP $mail_name",
        "mail_name" => "Postfix",
        "alias_maps" => "hash:/etc/aliases, nis:mail.aliases",
        "virtual_alias_domains" => "$virtual_alias_maps",
        "virtual_mailbox_domains" => "$virtual_mailbox_maps",
        "virtual_alias_maps" => "$virtual_maps",
        "local_recipient_maps" => "proxy:unix:passwd.byname $alias_maps",
        "virtual_mailbox_maps" => "",
        "relay_recipient_maps" => "",
        "smtpd_reject_unlisted_recipient" => "yes",
        "smtpd_restriction_classes" => "",
        "permit_mx_backup_networks" => "",
        "smtpd_delay_reject" => "yes",
        "smtpd_authorized_xclient_hosts" => "",
        "smtpd_upstream_proxy_protocol" => "",
        "qmqpd_authorized_clients" => "",
        "smtpd_service_name" => "smtpd",
        "myhostname" => "mail.example.invalid",
        "mydomain" => "example.invalid",
        "parent_domain_matches_subdomains" => {
            "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,relay_domains,smtpd_access_maps"
        }
        _ => return None,
    })
}
