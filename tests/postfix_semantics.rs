//! Small Postfix configurations, one semantic point each: relaylint's
//! verdict (open / closed / refuses-to-start) and, for open relays, the
//! witness it gives. Realistic multi-file trees, checked against the real
//! daemon, live in `fixtures/postfix/`; these pin the evaluator's corners.

mod common;

const HEAD: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmydomain = example.com\nmydestination = $myhostname, localhost, $mydomain\nmynetworks = 127.0.0.0/8\n";

fn run(main: &str, extra: &[(&str, &str)]) -> (String, String) {
    run_tree(main, None, extra)
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

fn run_with_master(main: &str, master: &str) -> String {
    run_tree(main, Some(master), &[]).0
}

/// relaylint's verdict on a tree made of `HEAD` + `main`, an optional
/// master.cf and extra files in etc/postfix, and the notes of its PF001
/// findings (the witness).
fn run_tree(main: &str, master: Option<&str>, extra: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let etc = dir.path().join("etc/postfix");
    std::fs::create_dir_all(&etc).expect("mkdir");
    std::fs::write(etc.join("main.cf"), format!("{HEAD}{main}")).expect("write");
    if let Some(m) = master {
        std::fs::write(etc.join("master.cf"), m).expect("write");
    }
    for (name, text) in extra {
        std::fs::write(etc.join(name), text).expect("write");
    }
    let report = common::scan(&[dir.path().to_path_buf()]);
    let witness = report
        .findings
        .iter()
        .filter(|f| f.code == "PF001")
        .flat_map(|f| f.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    (common::verdict(&report).to_string(), witness)
}

const SMTP: &str = "smtp inet n - y - - smtpd\n";

#[test]
fn malformed_compatibility_levels_stop_postfix() {
    for level in ["", "3.6 # fresh install", "latest"] {
        let (v, _) = run_tree(
            &format!("compatibility_level = {level}\nmynetworks = 0.0.0.0/0\n"),
            None,
            &[],
        );
        assert_eq!(v, "refuses-to-start", "level `{level}`");
    }
}

#[test]
fn a_known_parameter_that_refers_to_itself_stops_postfix() {
    let (v, _) = run_tree("mynetworks = $mynetworks 0.0.0.0/0\n", None, &[]);
    assert_eq!(v, "refuses-to-start");
    let master = format!("{SMTP}2525 inet n - y - - smtpd\n  -o smtpd_relay_restrictions=$smtpd_relay_restrictions,permit\n");
    assert_eq!(
        run_with_master(
            "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n",
            &master
        ),
        "refuses-to-start"
    );
}

#[test]
fn compatibility_level_follows_overrides_of_the_names_it_uses() {
    let main = "compatibility_level = $lvl\nlvl = 3.6\n";
    let master = format!("{SMTP}2525 inet n - y - - smtpd\n  -o lvl=0\n");
    assert_eq!(
        run_with_master(main, &master),
        "refuses-to-start",
        "level 0 on 2525: both lists empty"
    );
}

#[test]
fn master_cf_corners() {
    let open = "-o mynetworks=0.0.0.0/0";
    let rr = "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
    // `-o{...}` glued to -o is not the long form: smtpd runs without it.
    assert_eq!(
        run_with_master(
            rr,
            &format!("{SMTP}2525 inet n - y - - smtpd -o{{mynetworks=0.0.0.0/0}}\n")
        ),
        "closed"
    );
    // A `#` word is a stray argument: smtpd exits.
    assert_eq!(
        run_with_master(
            rr,
            &format!("{SMTP}2525 inet n - y - - smtpd {open} # temp\n")
        ),
        "refuses-to-start"
    );
    // Long form without blanks around a nested macro.
    let main = format!("{rr}mua_relay = permit_mynetworks, reject_unauth_destination\n");
    assert_eq!(run_with_master(&main, &format!("{SMTP}2525 inet n - y - - smtpd\n  -o {{smtpd_relay_restrictions=${{mua_relay}}}}\n  {open}\n")), "open");
    // `smtp` and `25` are the same inet service: the last line wins.
    assert_eq!(
        run_with_master(
            rr,
            &format!("smtp inet n - y - - smtpd\n  {open}\n25 inet n - y - - smtpd\n")
        ),
        "closed"
    );
    // master_service_disable turns a listener off.
    assert_eq!(
        run_with_master(
            &format!("{rr}master_service_disable = 2525/inet\n"),
            &format!("{SMTP}2525 inet n - y - - smtpd {open}\n")
        ),
        "closed"
    );
    // An IPv4-mapped loopback host is loopback.
    assert_eq!(
        run_with_master(
            rr,
            &format!("{SMTP}[::ffff:127.0.0.1]:2525 inet n - y - - smtpd {open}\n")
        ),
        "closed"
    );
    // postscreen hands clients to the pass service its own -o names.
    let ps = "smtp inet n - y - 1 postscreen\n  -o smtpd_service_name=smtpd_ext\nsmtpd pass - - y - - smtpd\nsmtpd_ext pass - - y - - smtpd\n  -o mynetworks=0.0.0.0/0\n";
    assert_eq!(run_with_master(rr, ps), "open");
    // Field values the master process refuses stop everything.
    assert_eq!(
        run_with_master(rr, &format!("{SMTP}2525 inet y - y - - smtpd {open}\n")),
        "refuses-to-start"
    );
    assert_eq!(
        run_with_master(rr, &format!("{SMTP}2525 inet n yes y - - smtpd {open}\n")),
        "refuses-to-start"
    );
}

#[test]
fn relational_operands_keep_their_blanks() {
    let main = "role = edge\nmynetworks = 127.0.0.0/8 ${{$role} == { edge } ? {} : {203.0.113.0/24}}\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";
    assert_verdict(main, &[], "open", "203.0.113");
}

/// A client table of many networks with the same action, then one that
/// lets clients relay: the clients its entries stand for are grouped by the
/// action they get, and the one open group still gives the first such
/// client as the witness.
#[test]
fn many_client_entries_with_one_action_do_not_hide_the_open_one() {
    let mut table: String = (1..=200)
        .map(|i| format!("198.18.{i}.0/24 REJECT\n"))
        .collect();
    table.push_str("203.0.113.0/24 OK\n");
    table.push_str("203.0.113.7/32 REJECT\n");
    let main = "smtpd_relay_restrictions = check_client_access cidr:/etc/postfix/clients, reject_unauth_destination\n";
    assert_verdict(main, &[("clients", &table)], "open", "client `203.0.113.");
    // The same entries, every one of them refusing: closed.
    let closed = table.replace("203.0.113.0/24 OK", "203.0.113.0/24 REJECT");
    assert_verdict(main, &[("clients", &closed)], "closed", "");
}

/// Clients that get the same action are told apart by `mynetworks` when
/// the action consults it.
#[test]
fn client_entries_with_one_action_still_differ_by_mynetworks() {
    let table =
        "203.0.113.0/25 permit_mynetworks, reject\n203.0.113.128/25 permit_mynetworks, reject\n";
    let main = "mynetworks = 127.0.0.0/8, 203.0.113.200\nsmtpd_relay_restrictions = check_client_access cidr:/etc/postfix/clients, reject_unauth_destination\n";
    assert_verdict(main, &[("clients", table)], "open", "203.0.113.200");
}
