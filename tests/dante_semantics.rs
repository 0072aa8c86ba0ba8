//! Small Dante configurations, one semantic point each: relaylint's verdict
//! and, when open, its witness. Unless a case says otherwise, the expected
//! verdict is the one the real danted 1.4.2 gave (the shared oracle: client
//! 203.0.113.66 offering SOCKS5 "no authentication" and SOCKS4, identd on
//! the client answering `nobody`, CONNECT to a foreign host's ports 25 and
//! 80). Realistic trees live in `fixtures/dante/`.

use relaylint::dialect::dante::check_text;
use relaylint::net::untrusted_space;
use relaylint::source::FileId;

const HEAD: &str = "logoutput: syslog\ninternal: 0.0.0.0 port = 1080\nexternal: eth0\n";

/// `(verdict, codes, DN001 witness notes)`.
fn run(body: &str) -> (&'static str, Vec<&'static str>, String) {
    let text = format!("{HEAD}{body}\n");
    let diags = check_text(FileId(0), &text, &untrusted_space());
    let codes: Vec<&'static str> = diags.iter().map(|d| d.code).collect();
    let witness = diags
        .iter()
        .filter(|d| d.code == "DN001")
        .flat_map(|d| d.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    let verdict = if codes.contains(&"DN001") {
        "open"
    } else if codes.contains(&"DN002") {
        "refuses-to-start"
    } else {
        "closed"
    };
    (verdict, codes, witness)
}

fn assert_case(body: &str, expected: &str, witness_has: &str) {
    let (verdict, codes, witness) = run(body);
    assert_eq!(
        verdict, expected,
        "config:\n{body}\nfindings: {codes:?}\n{witness}"
    );
    assert!(
        witness.contains(witness_has),
        "witness lacks `{witness_has}`:\n{witness}"
    );
}

#[test]
fn pam_any_alone_refuses_the_attacker() {
    assert_case(
        "socksmethod: pam.any\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }",
        "closed",
        "",
    );
}

#[test]
fn pam_any_before_none_still_lets_none_in() {
    assert_case("socksmethod: pam.any none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }", "open", "method none");
}

#[test]
fn rfc931_with_a_user_list_is_open_to_an_identd_that_names_the_user() {
    assert_case("socksmethod: rfc931\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0\nuser: nobody\n}", "open", "method rfc931");
}

#[test]
fn rfc931_with_a_group_is_open_to_an_identd_that_names_a_member() {
    assert_case("socksmethod: rfc931\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0\ngroup: nogroup\n}", "open", "method rfc931");
}

#[test]
fn a_user_list_drops_none_inherited_from_the_global_list() {
    assert_case("socksmethod: username none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0\nuser: nobody\n}", "closed", "");
}

#[test]
fn none_in_the_socks_rule_is_open() {
    assert_case("socksmethod: username none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 socksmethod: none }", "open", "SOCKS5, method none");
}

#[test]
fn legacy_method_in_a_socks_rule_is_its_socksmethod() {
    let (verdict, codes, _) = run("socksmethod: username none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 method: none }");
    assert_eq!(verdict, "open");
    assert!(codes.contains(&"DN009"), "{codes:?}");
}

#[test]
fn username_in_the_socks_rule_is_closed_for_both_versions() {
    assert_case("socksmethod: username none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 socksmethod: username }", "closed", "");
}

#[test]
fn a_socks_v4_only_pass_rule_is_open_through_socks4() {
    assert_case("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 proxyprotocol: socks_v4 }", "open", "SOCKS4");
}

#[test]
fn client_rule_to_a_private_range_does_not_match_a_public_listener() {
    assert_case("socksmethod: none\nclient pass { from: 0/0 to: 10.0.0.0/8 }\nsocks pass { from: 0/0 to: 0/0 }", "closed", "");
}

#[test]
fn no_global_socksmethod_blocks_every_request() {
    assert_case(
        "client pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }",
        "closed",
        "",
    );
}

#[test]
fn global_clientmethod_rfc931_admits_the_attacker() {
    assert_case("socksmethod: none\nclientmethod: rfc931\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }", "open", "port 25");
}

#[test]
fn neq_is_not_an_operator_danted_knows() {
    assert_case("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 port neq 25 }", "refuses-to-start", "");
}

#[test]
fn ne_blocks_every_port_but_one() {
    assert_case("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks block { from: 0/0 to: 0/0 port ne 80 }\nsocks pass { from: 0/0 to: 0/0 }", "open", "port 80");
}

#[test]
fn udp_only_and_reply_only_rules_do_not_pass_connect() {
    assert_case("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 protocol: udp }", "closed", "");
    assert_case("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 command: bindreply udpreply }", "closed", "");
}

#[test]
fn a_source_port_range_in_a_client_rule_matches_ordinary_clients() {
    assert_case("socksmethod: none\nclient pass { from: 0/0 port 1-65535 to: 0/0 }\nclient block { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }", "open", "port 25");
}

// A pass rule that reaches only a network it names is a limited proxy
// (DN012), not an open one. The oracle says OPEN for 198.51.100.0/24 only
// because its foreign host sits there; for 192.0.2.0/24 and 44.0.0.0/8 it
// says CLOSED.
#[test]
fn a_pass_to_one_named_network_is_limited_not_open() {
    for net in ["198.51.100.0/24", "192.0.2.0/24", "44.0.0.0/8"] {
        let (verdict, codes, _) = run(&format!("socksmethod: none\nclient pass {{ from: 0/0 to: 0/0 }}\nsocks pass {{ from: 0/0 to: {net} port = 25 }}"));
        assert_eq!(verdict, "closed", "{net}");
        assert!(codes.contains(&"DN012"), "{net}: {codes:?}");
    }
    assert_case("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks block { from: 0/0 to: 44.0.0.0/8 }\nsocks pass { from: 0/0 to: 0/0 port = 25 }", "open", "port 25");
}

// Blocking the privileged ports closes 25 and 80 (the oracle: closed), but
// the high ports stay open to strangers: DN012, with a witness the
// differential suite can replay.
#[test]
fn blocking_privileged_ports_leaves_the_others_open() {
    let body = "socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks block { from: 0/0 to: 0/0 port lt 1024 }\nsocks pass { from: 0/0 to: 0/0 }";
    assert_case(body, "closed", "");
    let text = format!("{HEAD}{body}\n");
    let diags = check_text(FileId(0), &text, &untrusted_space());
    let other = diags.iter().find(|d| d.code == "DN012").expect("DN012");
    assert!(
        other.notes.iter().any(|n| n.ends_with("port 1024")),
        "{:?}",
        other.notes
    );
}

// Web-only: not DN001's ports, still a tunnel for strangers.
#[test]
fn an_https_only_proxy_for_anyone_is_dn012() {
    let (verdict, codes, _) = run("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 port = 443 }");
    assert_eq!(verdict, "closed");
    assert!(codes.contains(&"DN012"), "{codes:?}");
}

// Not observable with the oracle's single client address: the attacker
// picks an address outside the blocked range.
#[test]
fn blocking_one_public_range_leaves_the_rest_of_the_internet() {
    let (verdict, _, witness) = run("socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks block { from: 203.0.113.0/24 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }");
    assert_eq!(verdict, "open");
    assert!(!witness.contains("client 203.0.113."), "{witness}");
}

// IPv6: `0.0.0.0` listens on IPv4 only, an interface on both families.
#[test]
fn ipv4_only_blocks_leave_ipv6_clients_of_an_interface_open() {
    let body = "socksmethod: none\nclient pass { from: 0/0 to: 0/0 }\nsocks block { from: 0.0.0.0/0 to: 0/0 }\nsocks pass { from: 0/0 to: 0/0 }";
    assert_case(body, "closed", "");
    let text = format!("logoutput: syslog\ninternal: eth0 port = 1080\nexternal: eth0\n{body}\n");
    let diags = check_text(FileId(0), &text, &untrusted_space());
    let dn001 = diags
        .iter()
        .find(|d| d.code == "DN001")
        .expect("open over IPv6");
    assert!(
        dn001.notes.iter().any(|n| n.contains("client 2")),
        "{:?}",
        dn001.notes
    );
    assert!(diags.iter().any(|d| d.code == "DN006"));
}

#[test]
fn any_bytes_yield_diagnostics_without_panicking() {
    for text in [
        "",
        "\u{feff}",
        "client",
        "client pass",
        "client pass {",
        "socks pass { from: 0/0 to: 0/0 port",
        "internal: ::",
        "internal: 0.0.0.0 port = 99999",
        "socks pass { from: 0/0 to: 0/0 port 5 -",
        "é { } # \\\n",
    ] {
        let _ = check_text(FileId(0), text, &untrusted_space());
    }
}
