//! Small Postfix configurations, one semantic point each: relaylint's
//! verdict (open / closed / refuses-to-start) and, for open relays, the
//! witness it gives. Realistic multi-file trees, checked against the real
//! daemon, live in `fixtures/postfix/`; these pin the evaluator's corners.

use relaylint::options::Options;

const HEAD: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmydomain = example.com\nmydestination = $myhostname, localhost, $mydomain\nmynetworks = 127.0.0.0/8\n";

fn run(main: &str, extra: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let etc = dir.path().join("etc/postfix");
    std::fs::create_dir_all(&etc).expect("mkdir");
    std::fs::write(etc.join("main.cf"), format!("{HEAD}{main}")).expect("write");
    for (name, text) in extra {
        std::fs::write(etc.join(name), text).expect("write");
    }
    let report =
        relaylint::scan(&[dir.path().to_path_buf()], &Options::default(), None).expect("scan");
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    let verdict = if codes.contains(&"PF001") {
        "open"
    } else if codes.contains(&"PF003") {
        "refuses-to-start"
    } else {
        "closed"
    };
    let witness = report
        .findings
        .iter()
        .filter(|f| f.code == "PF001")
        .flat_map(|f| f.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    (verdict.to_string(), witness)
}

fn assert_verdict(main: &str, extra: &[(&str, &str)], expected: &str, witness_has: &str) {
    let (verdict, witness) = run(main, extra);
    assert_eq!(verdict, expected, "config:\n{main}\nwitness: {witness}");
    assert!(
        witness.contains(witness_has),
        "witness lacks `{witness_has}`:\n{witness}"
    );
}

#[test]
fn relay_domains_tld_relays_for_the_whole_tld() {
    assert_verdict("relay_domains = com\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n", &[], "open", "relaylint-victim.com");
}

#[test]
fn relay_domains_of_our_own_are_not_open() {
    assert_verdict("relay_domains = example.com, customer.example.org\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n", &[], "closed", "");
}

#[test]
fn negated_entry_before_a_catch_all_still_leaves_other_domains_open() {
    assert_verdict("relay_domains = !example.net, static:all\nsmtpd_relay_restrictions = reject_unauth_destination\n", &[], "open", "relaylint-victim.com");
}

#[test]
fn recipient_access_local_part_key_relays_to_that_user_anywhere() {
    assert_verdict(
        "smtpd_relay_restrictions = check_recipient_access hash:/etc/postfix/rcpt, reject_unauth_destination\n",
        &[("rcpt", "postmaster@ OK\n")],
        "open",
        "postmaster@example.net",
    );
}

#[test]
fn recipient_access_for_our_domain_only_is_closed() {
    assert_verdict(
        "smtpd_relay_restrictions = check_recipient_access hash:/etc/postfix/rcpt, reject_unauth_destination\n",
        &[("rcpt", "example.com OK\n")],
        "closed",
        "",
    );
}

#[test]
fn recipient_regexp_catch_all_is_open() {
    assert_verdict(
        "smtpd_relay_restrictions = check_recipient_access regexp:/etc/postfix/rcpt.re, reject_unauth_destination\n",
        &[("rcpt.re", "/@.*\\.net$/ OK\n")],
        "open",
        "victim@example.net",
    );
}

#[test]
fn helo_and_sender_witnesses_are_concrete() {
    assert_verdict(
        "smtpd_relay_restrictions = check_helo_access hash:/etc/postfix/helo, reject_unauth_destination\n",
        &[("helo", "partner.example.org OK\n")],
        "open",
        "HELO partner.example.org",
    );
    assert_verdict(
        "smtpd_relay_restrictions = check_sender_access hash:/etc/postfix/senders, reject_unauth_destination\n",
        &[("senders", "<> OK\n")],
        "open",
        "MAIL FROM:<>",
    );
}

#[test]
fn permit_in_one_list_does_not_skip_the_next() {
    assert_verdict(
        "smtpd_client_restrictions = permit\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn defer_if_permit_turns_the_final_permit_into_a_deferral() {
    assert_verdict("smtpd_client_restrictions = defer_if_permit\nsmtpd_relay_restrictions = permit, reject\nsmtpd_recipient_restrictions = reject_unauth_destination, permit\n", &[], "closed", "");
}

#[test]
fn warn_if_reject_neutralises_the_relay_check() {
    assert_verdict(
        "smtpd_relay_restrictions = warn_if_reject reject_unauth_destination, reject_unauth_destination\nsmtpd_recipient_restrictions =\n",
        &[],
        "closed",
        "",
    );
    assert_verdict(
        "smtpd_relay_restrictions = warn_if_reject reject_unauth_destination, defer_if_permit\nsmtpd_recipient_restrictions =\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn public_range_in_mynetworks_is_open_from_inside_it() {
    assert_verdict("mynetworks = 168.100.189.0/28, 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n", &[], "open", "client `168.100.189.1`");
}

#[test]
fn host_bits_in_mynetworks_fail_closed() {
    assert_verdict("mynetworks = 0.0.0.1/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n", &[], "closed", "");
}

#[test]
fn missing_access_table_fails_closed() {
    assert_verdict(
        "smtpd_relay_restrictions = check_client_access hash:/etc/postfix/missing, permit, reject_unauth_destination\nsmtpd_recipient_restrictions = reject_unauth_destination\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn startup_check_looks_inside_classes() {
    assert_verdict(
        "smtpd_restriction_classes = strict\nstrict = reject_unauth_destination\nsmtpd_relay_restrictions = permit_mynetworks, strict\n",
        &[],
        "closed",
        "",
    );
    assert_verdict("smtpd_restriction_classes = strict\nsmtpd_relay_restrictions = permit_mynetworks, strict\n", &[], "refuses-to-start", "");
}

#[test]
fn compatibility_level_zero_uses_the_recipient_list_alone() {
    let main = "compatibility_level = 0\nsmtpd_recipient_restrictions = permit_mynetworks, check_sender_access hash:/etc/postfix/s, reject_unauth_destination\n";
    assert_verdict(
        main,
        &[("s", "example.com OK\n")],
        "open",
        "MAIL FROM:<someone@example.com>",
    );
}

#[test]
fn routed_recipients_need_allow_untrusted_routing() {
    let main = "relay_domains = backup.example.org\nsmtpd_relay_restrictions = reject_unauth_destination\n";
    assert_verdict(main, &[], "closed", "");
    assert_verdict(
        &format!("{main}allow_untrusted_routing = yes\n"),
        &[],
        "open",
        "victim%example.net@backup.example.org",
    );
}

#[test]
fn permit_naked_ip_address_depends_on_the_version() {
    let main = "smtpd_relay_restrictions = permit_naked_ip_address, reject_unauth_destination\n";
    assert_verdict(main, &[], "open", "");
    assert_verdict(&format!("{main}mail_version = 3.9.1\n"), &[], "closed", "");
}

#[test]
fn loopback_only_listeners_are_not_exposed() {
    assert_verdict(
        "inet_interfaces = loopback-only\nmynetworks = 0.0.0.0/0\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn ipv6_everything_does_not_trust_ipv4_clients_and_needs_ipv6() {
    let main = "mynetworks = [::]/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
    let (verdict, witness) = run(main, &[]);
    assert_eq!(verdict, "open");
    assert!(witness.contains("client `2"), "an IPv6 witness: {witness}");
    assert_verdict(&format!("{main}inet_protocols = ipv4\n"), &[], "closed", "");
}
