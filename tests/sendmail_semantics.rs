//! Small Sendmail configurations, one semantic point each: relaylint's
//! verdict and, when open, its witness. Each verdict in a comment is the one
//! the real sendmail 8.17.1.9 gave (the shared oracle: the .mc built with
//! the Debian m4 tree, client 203.0.113.66 without a PTR record, probes
//! `MAIL FROM:<a@example.org>` / a local sender, `RCPT TO:<victim@example.net>`
//! and the routing tricks). Where the oracle's own probe could not reach the
//! hole, the comment says how the witness was checked (`ORACLE_CLIENT_IP`,
//! or `sendmail -bt` running `check_rcpt` for the witness).

use relaylint::dialect::sendmail::{analyse, Inputs, Kind, Source};
use relaylint::load::Limits;
use relaylint::net::untrusted_space;

const HEAD: &str =
    "divert(-1)\ndivert(0)dnl\ninclude(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nOSTYPE(`linux')dnl\n";
const TAIL: &str = "MAILER(`local')dnl\nMAILER(`smtp')dnl\n";

/// `(verdict, codes, SM001 notes)` for a tree with `etc/mail/<name>` files;
/// the main file is `etc/mail/sendmail.mc` (or `.cf`).
fn run_tree(
    main: &str,
    kind: Kind,
    files: &[(&str, &str)],
) -> (&'static str, Vec<&'static str>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mail = dir.path().join("etc/mail");
    std::fs::create_dir_all(&mail).expect("mkdir");
    let name = if kind == Kind::Cf {
        "sendmail.cf"
    } else {
        "sendmail.mc"
    };
    std::fs::write(mail.join(name), main).expect("write");
    for (n, t) in files {
        std::fs::write(mail.join(n), t).expect("write");
    }
    let conf = mail.join(name);
    let inputs = Inputs {
        conf: Source::Path(&conf),
        kind,
        sysroot: dir.path(),
    };
    let (_, diags) = analyse(&inputs, Limits::default(), &untrusted_space());
    let codes: Vec<&'static str> = diags.iter().map(|d| d.code).collect();
    let notes = diags
        .iter()
        .filter(|d| d.code == "SM001")
        .flat_map(|d| d.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    let verdict = if codes.contains(&"SM001") {
        "open"
    } else if codes.contains(&"SM002") {
        "refuses-to-start"
    } else {
        "closed"
    };
    (verdict, codes, notes)
}

fn assert_mc(body: &str, files: &[(&str, &str)], expected: &str, witness_has: &str) {
    let mc = format!("{HEAD}{body}{TAIL}");
    assert_full(&mc, files, expected, witness_has);
}

fn assert_full(mc: &str, files: &[(&str, &str)], expected: &str, witness_has: &str) {
    let (verdict, codes, notes) = run_tree(mc, Kind::Mc, files);
    assert_eq!(verdict, expected, "mc:\n{mc}\nfindings: {codes:?}\n{notes}");
    assert!(
        notes.contains(witness_has),
        "witness lacks `{witness_has}`:\n{notes}"
    );
}

const ACCESS_DB: &str = "FEATURE(`access_db')dnl\n";

#[test]
fn default_rules_refuse_relaying() {
    // oracle: CLOSED
    assert_mc("", &[], "closed", "");
}

#[test]
fn promiscuous_relay_is_open() {
    // oracle: OPEN
    assert_mc(
        "FEATURE(`promiscuous_relay')dnl\n",
        &[],
        "open",
        "RCPT TO:<victim@example.net>",
    );
}

#[test]
fn hash_does_not_comment_out_a_macro_after_cf_m4() {
    // oracle: OPEN
    assert_mc(
        "# FEATURE(`promiscuous_relay')\n",
        &[],
        "open",
        "client `203.0.113.66`",
    );
}

#[test]
fn dnl_comments_out_a_macro() {
    // oracle: CLOSED
    assert_mc("dnl FEATURE(`promiscuous_relay')\n", &[], "closed", "");
}

#[test]
fn divert_minus_one_discards_output_not_features() {
    // oracle: OPEN
    assert_mc(
        "divert(-1)\nFEATURE(`promiscuous_relay')\ndivert(0)dnl\n",
        &[],
        "open",
        "",
    );
}

#[test]
fn hash_is_a_comment_before_cf_m4_is_included() {
    // oracle: CLOSED
    let mc = format!(
        "# FEATURE(`promiscuous_relay')\n{}OSTYPE(`linux')dnl\nMAILER(`smtp')dnl\n",
        "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\n"
    );
    assert_full(&mc, &[], "closed", "");
}

#[test]
fn defined_macros_and_ifdef_are_expanded() {
    // oracle: OPEN, OPEN, CLOSED
    assert_mc(
        "define(`OPENUP', `FEATURE(`promiscuous_relay')')dnl\nOPENUP\n",
        &[],
        "open",
        "",
    );
    assert_mc(
        "define(`YES', `1')dnl\nifdef(`YES', `FEATURE(`promiscuous_relay')', `dnl')\n",
        &[],
        "open",
        "",
    );
    assert_mc(
        "ifdef(`NOPE', `FEATURE(`promiscuous_relay')', `dnl')\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn relay_entire_domain_on_a_top_level_domain() {
    // sendmail takes $m from the host's name. The differential suite names
    // its host as confDOMAIN_NAME says (mailhost.net) and gets OPEN; the
    // oracle's host is mail.oracle.test whatever the .mc says (CLOSED), so
    // relaylint reads the host's name from confDOMAIN_NAME. With Dm set:
    // oracle OPEN. A private single-label domain holds no foreign domains.
    assert_mc(
        "define(`confDOMAIN_NAME', `mail.net')dnl\nFEATURE(`relay_entire_domain')dnl\n",
        &[],
        "open",
        "victim@example.net",
    );
    assert_mc(
        "define(`confDOMAIN_NAME', `mail.example.com')dnl\nFEATURE(`relay_entire_domain')dnl\n",
        &[],
        "closed",
        "",
    );
    assert_mc("RELAY_DOMAIN(`lan')dnl\n", &[], "closed", "");
    assert_mc(
        "FEATURE(`relay_entire_domain')dnl\nLOCAL_CONFIG\nDmnet\n",
        &[],
        "open",
        "victim@example.net",
    );
}

#[test]
fn class_r_top_level_domain_relays_to_the_world_unless_hosts_only() {
    // oracle: OPEN, CLOSED
    assert_mc(
        "RELAY_DOMAIN(`net')dnl\n",
        &[],
        "open",
        "RCPT TO:<victim@example.net>",
    );
    assert_mc(
        "FEATURE(`relay_hosts_only')dnl\nRELAY_DOMAIN(`net')dnl\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn class_r_address_prefixes_match_whole_octets() {
    // oracle: OPEN, OPEN, and for 203.0.11: CLOSED from 203.0.113.66 but
    // OPEN with ORACLE_CLIENT_IP=203.0.11.66 (the witness)
    assert_mc(
        "RELAY_DOMAIN(`203')dnl\n",
        &[],
        "open",
        "client `203.0.113.66`",
    );
    assert_mc(
        "RELAY_DOMAIN(`203.0.113')dnl\n",
        &[],
        "open",
        "client `203.0.113.66`",
    );
    assert_mc(
        "RELAY_DOMAIN(`203.0.11')dnl\n",
        &[],
        "open",
        "client `203.0.11.66`",
    );
}

#[test]
fn access_connect_entries() {
    // oracle: CLOSED (no CIDR), CLOSED (OK is not RELAY), OPEN (untagged
    // covers Connect:), OPEN (exact address)
    assert_mc(
        ACCESS_DB,
        &[("access", "Connect:203.0.113.0/24 RELAY\n")],
        "closed",
        "",
    );
    assert_mc(
        ACCESS_DB,
        &[("access", "Connect:203.0.113 OK\n")],
        "closed",
        "",
    );
    assert_mc(
        ACCESS_DB,
        &[("access", "203.0 RELAY\n")],
        "open",
        "client `203.0.113.66`",
    );
    assert_mc(
        ACCESS_DB,
        &[("access", "Connect:203.0.113.66\tRELAY\n")],
        "open",
        "client `203.0.113.66`",
    );
}

#[test]
fn a_more_specific_access_entry_decides_first() {
    // oracle: CLOSED from 203.0.113.66; OPEN with ORACLE_CLIENT_IP=203.1.1.1
    assert_mc(
        ACCESS_DB,
        &[("access", "Connect:203 RELAY\nConnect:203.0.113 OK\n")],
        "open",
        "client `203.1.1.1`",
    );
}

#[test]
fn access_to_entries_for_a_top_level_domain() {
    // oracle: OPEN, OPEN, CLOSED (From: grants nothing without relay_mail_from)
    assert_mc(
        ACCESS_DB,
        &[("access", "To:net RELAY\n")],
        "open",
        "victim@example.net",
    );
    assert_mc(
        ACCESS_DB,
        &[("access", "net RELAY\n")],
        "open",
        "victim@example.net",
    );
    assert_mc(
        ACCESS_DB,
        &[("access", "From:example.org RELAY\n")],
        "closed",
        "",
    );
}

#[test]
fn spoofable_sender_features_are_open() {
    // oracle: OPEN; the witness sender checked with sendmail -bt (RELAY)
    assert_mc(
        "FEATURE(`relay_local_from')dnl\n",
        &[],
        "open",
        "MAIL FROM:<postmaster@localhost>",
    );
    // sendmail -bt: check_rcpt returns RELAY for both witnesses
    assert_mc(
        "FEATURE(`access_db')dnl\nFEATURE(`relay_mail_from')dnl\n",
        &[("access", "From:friend@partner.example RELAY\n")],
        "open",
        "MAIL FROM:<friend@partner.example>",
    );
    assert_mc(
        "FEATURE(`access_db')dnl\nFEATURE(`relay_mail_from', `domain')dnl\n",
        &[("access", "From:partner2.example RELAY\n")],
        "open",
        "MAIL FROM:<postmaster@partner2.example>",
    );
}

#[test]
fn relay_based_on_mx_is_not_open() {
    // oracle: CLOSED
    assert_mc("FEATURE(`relay_based_on_MX')dnl\n", &[], "closed", "");
}

#[test]
fn routed_local_parts_through_a_relay_domain() {
    // oracle: CLOSED (no relay domain), OPEN (routing via relay domain)
    assert_mc("FEATURE(`loose_relay_check')dnl\n", &[], "closed", "");
    assert_mc(
        "FEATURE(`loose_relay_check')dnl\nRELAY_DOMAIN(`backup.test')dnl\n",
        &[],
        "open",
        "RCPT TO:<victim%example.net@backup.test>",
    );
    // oracle: CLOSED (its probes only try class w/R domains); sendmail -bt:
    // check_rcpt RELAY, /parse: esmtp to backup.test
    assert_mc(
        "FEATURE(`access_db')dnl\nFEATURE(`loose_relay_check')dnl\n",
        &[("access", "To:backup.test RELAY\n")],
        "open",
        "RCPT TO:<victim%example.net@backup.test>",
    );
    // oracle: OPEN, OPEN, OPEN (quoted form)
    assert_mc(
        "FEATURE(`nopercenthack', `nospecial')dnl\nRELAY_DOMAIN(`backup.test')dnl\n",
        &[],
        "open",
        "RCPT TO:<victim%example.net@backup.test>",
    );
    assert_mc(
        "FEATURE(`nouucp', `nospecial')dnl\nRELAY_DOMAIN(`backup.test')dnl\n",
        &[],
        "open",
        "RCPT TO:<example.net!victim@backup.test>",
    );
    assert_mc(
        "FEATURE(`nopercenthack', `reject')dnl\nFEATURE(`loose_relay_check')dnl\nRELAY_DOMAIN(`backup.test')dnl\n",
        &[],
        "open",
        "RCPT TO:<\"victim@example.net\"@backup.test>",
    );
}

#[test]
fn raw_cf_text_in_the_mc_counts() {
    // oracle: OPEN, OPEN, CLOSED (AUTH alone grants nothing to the attacker)
    assert_mc(
        "LOCAL_RULESETS\nSLocal_check_rcpt\nR$*\t$#OK\n",
        &[],
        "open",
        "",
    );
    assert_mc(
        "LOCAL_CONFIG\nCR203\n",
        &[],
        "open",
        "client `203.0.113.66`",
    );
    assert_mc("TRUST_AUTH_MECH(`PLAIN LOGIN')dnl\n", &[], "closed", "");
}

#[test]
fn relay_domains_file_takes_the_first_word() {
    // oracle: OPEN, CLOSED, OPEN
    assert_mc(
        "",
        &[("relay-domains", "net\n")],
        "open",
        "victim@example.net",
    );
    assert_mc("", &[("relay-domains", "a.example net\n")], "closed", "");
    assert_mc("", &[("relay-domains", "# c\n203.0.113\n")], "open", "");
}

#[test]
fn m4_build_failures() {
    // m4 exits with an error (an unclosed quote; an include of a FEATURE,
    // OSTYPE or file that does not exist): oracle ERROR, and the
    // differential suite's daemon refuses to start
    assert_mc("FEATURE(`access_db)dnl\n", &[], "refuses-to-start", "");
    assert_mc("FEATURE(`no_such_thing')dnl\n", &[], "refuses-to-start", "");
    assert_full(
        "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nOSTYPE(`no_such_os')dnl\nMAILER(`smtp')dnl\n",
        &[],
        "refuses-to-start",
        "",
    );
    assert_mc(
        "include(`/etc/mail/m4/missing.m4')dnl\n",
        &[],
        "refuses-to-start",
        "",
    );
}

#[test]
fn m4_errors_that_still_build_a_cf() {
    // m4 prints `*** ERROR` but exits 0 and the .cf runs (the oracle
    // answers ERROR on any printed error; the differential suite's daemon:
    // open, closed; sendmail -bt reads the .cf built without OSTYPE)
    assert_mc(
        "MAILER(`smtp')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[],
        "open",
        "",
    );
    assert_mc("FEATURE(`relay_mail_from')dnl\n", &[], "closed", "");
    assert_full(
        "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nFEATURE(`promiscuous_relay')dnl\nMAILER(`smtp')dnl\n",
        &[],
        "open",
        "",
    );
}

#[test]
fn debian_reads_class_files_up_to_the_hash() {
    // the differential suite's daemon: open (`partner.example net`: both
    // words are in class R under OSTYPE(`debian')); upstream OSTYPE takes
    // the first word only (oracle: CLOSED)
    let mc =
        "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nOSTYPE(`debian')dnl\nMAILER(`smtp')dnl\n";
    assert_full(
        mc,
        &[("relay-domains", "partner.example net # both\n")],
        "open",
        "victim@example.net",
    );
    assert_mc(
        "",
        &[("relay-domains", "partner.example net\n")],
        "closed",
        "",
    );
}

#[test]
fn a_missing_class_file_without_dash_o_stops_sendmail() {
    // the differential suite's daemon: sendmail exits 71, `fileclass: cannot
    // open '/etc/mail/local-host-names'` (the folder is the host's: it
    // holds its aliases)
    assert_mc(
        "FEATURE(`use_cw_file')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[("aliases", "postmaster: root\n")],
        "refuses-to-start",
        "",
    );
    assert_mc(
        "FEATURE(`use_cw_file')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[("local-host-names", "mail.example.com\n")],
        "open",
        "",
    );
}

fn assert_cf(cf: &str, files: &[(&str, &str)], expected: &str, witness_has: &str) {
    let (verdict, codes, notes) = run_tree(cf, Kind::Cf, files);
    assert_eq!(verdict, expected, "cf:\n{cf}\nfindings: {codes:?}\n{notes}");
    assert!(
        notes.contains(witness_has),
        "witness lacks `{witness_has}`:\n{notes}"
    );
}

/// The lines of a compiled .cf that relaylint reads, from the Debian m4
/// tree's output; the oracle verdicts below are for the whole file built
/// from the same .mc, with and without its `#` comments.
const CF_RULESETS: &str = "V10/Berkeley\nDZ8.17.1.9\nCwlocalhost\nFR-o /etc/mail/relay-domains\n\
O DaemonPortOptions=Name=MTA\nO DaemonPortOptions=Port=587, Name=MSA, M=E\n\
SLocal_check_rcpt\nScheck_rcpt\nR$*\t\t\t$: $1 $| $>\"Local_check_rcpt\" $1\n\
SBasic_check_rcpt\nR<>\t\t\t$#error $@ nouser $: \"553 User address required\"\n";

#[test]
fn compiled_cf_default_is_closed() {
    // oracle: CLOSED
    let cf = format!("{CF_RULESETS}SRcpt_ok\nR$*\t\t\t$: $>ParseRecipient $1\t\tstrip relayable hosts\nSRelay_ok\nR$*\t\t\t$: $&{{client_addr}}\n");
    assert_cf(&cf, &[], "closed", "");
}

#[test]
fn compiled_cf_features_by_comment_or_by_rule() {
    // oracle: OPEN (promiscuous_relay: no Relay_ok ruleset)
    let cf = format!("#####  $Id: promiscuous_relay.m4,v 8.13 2013-11-22 20:51:11 ca Exp $  #####\n{CF_RULESETS}SRcpt_ok\nR$*\t\t\t$: $>ParseRecipient $1\n");
    assert_cf(&cf, &[], "open", "RCPT TO:<victim@example.net>");
    let stripped = format!("{CF_RULESETS}SRcpt_ok\nR$*\t\t\t$: $>ParseRecipient $1\n");
    assert_cf(&stripped, &[], "open", "");
    // oracle: OPEN (relay_local_from, comments stripped)
    let local_from = format!("{CF_RULESETS}SRcpt_ok\nR$*\t\t\t$: $>ParseRecipient $1\nSRelay_ok\nR<?> $+ < @ $=w >\t$@ RELAY\t\tFROM local\n");
    assert_cf(&local_from, &[], "open", "MAIL FROM:<postmaster@localhost>");
    // oracle: OPEN (loose_relay_check + RELAY_DOMAIN, comments stripped)
    let loose = format!("{CF_RULESETS}CRbackup.test\nSRcpt_ok\nR$*\t\t\t$: $>CanonAddr $1\nSRelay_ok\nR$*\t\t\t$: $&{{client_addr}}\n");
    assert_cf(
        &loose,
        &[],
        "open",
        "RCPT TO:<victim%example.net@backup.test>",
    );
}

#[test]
fn compiled_cf_access_map() {
    // oracle: OPEN, CLOSED
    let cf = format!("{CF_RULESETS}Kaccess hash -T<TMPF> -o /etc/mail/access\nSRcpt_ok\nR$*\t\t\t$: $>ParseRecipient $1\nSRelay_ok\nR$*\t\t\t$: $&{{client_addr}}\n");
    assert_cf(
        &cf,
        &[("access", "Connect:203 RELAY\n")],
        "open",
        "client `203.0.113.66`",
    );
    assert_cf(&cf, &[("access", "Connect:203 OK\n")], "closed", "");
}

#[test]
fn compiled_cf_without_check_rcpt_relays_everything() {
    // oracle: OPEN (check_rcpt and Basic_check_rcpt renamed away)
    let cf = "V10/Berkeley\nDZ8.17.1.9\nO DaemonPortOptions=Name=MTA\nSRcpt_ok\nR$*\t$@ OK\n";
    assert_cf(cf, &[], "open", "");
}

#[test]
fn unknown_cf_lines_stop_sendmail() {
    // oracle: ERROR (`unknown configuration line`, exit 70), in a .cf and
    // in an .mc's LOCAL_CONFIG; an m4 macro relaylint does not expand is
    // not such a line (oracle: CLOSED)
    let cf = format!("{CF_RULESETS}ZZjunk\nSRcpt_ok\nSRelay_ok\n");
    assert_cf(&cf, &[], "refuses-to-start", "");
    assert_mc(
        "LOCAL_CONFIG\nkaccess hash /etc/mail/access\n",
        &[],
        "refuses-to-start",
        "",
    );
    assert_mc(
        "MODIFY_MAILER_FLAGS(`LOCAL', `+S')dnl\nSMART_HOST(`relay.example')dnl\n",
        &[],
        "closed",
        "",
    );
}

fn cli(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Vec<(String, String)> {
    let mut cmd = assert_cmd::Command::cargo_bin("relaylint").expect("binary");
    cmd.current_dir(dir)
        .args(["check", "--format", "json", "--fail-on", "never"])
        .args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap_or("").to_string(),
                        f["path"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_cf_runs_its_mc_is_compared_and_the_msp_is_no_listener() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mail = dir.path().join("etc/mail");
    std::fs::create_dir_all(&mail).expect("mkdir");
    let open = format!("{HEAD}FEATURE(`promiscuous_relay')dnl\n{TAIL}");
    std::fs::write(mail.join("sendmail.mc"), &open).expect("write");
    std::fs::write(mail.join("submit.mc"), &open).expect("write");
    let cf = format!("{CF_RULESETS}SRcpt_ok\nR$*\t\t\t$: $>ParseRecipient $1\nSRelay_ok\nR$*\t\t\t$: $&{{client_addr}}\n");
    std::fs::write(mail.join("sendmail.cf"), cf).expect("write");
    let found = cli(dir.path(), &["."], None);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert!(!codes.contains(&"SM001"), "{found:?}");
    assert!(codes.contains(&"SM013"), "{found:?}");
    assert!(
        found.iter().all(|(_, p)| !p.contains("submit")),
        "{found:?}"
    );
    // Without the .cf, the .mc is what would run.
    std::fs::remove_file(mail.join("sendmail.cf")).expect("rm");
    let found = cli(dir.path(), &["."], None);
    assert!(
        found
            .iter()
            .any(|(c, p)| c == "SM001" && p.ends_with("sendmail.mc")),
        "{found:?}"
    );
}

#[test]
fn standard_input_dialects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let access = cli(
        dir.path(),
        &["--dialect", "sendmail-access", "-"],
        Some("Connect:203 RELAY\n"),
    );
    assert!(access.iter().any(|(c, _)| c == "SM001"), "{access:?}");
    let ok = cli(
        dir.path(),
        &["--dialect", "sendmail-access", "-"],
        Some("Connect:10 RELAY\n"),
    );
    assert!(!ok.iter().any(|(c, _)| c == "SM001"), "{ok:?}");
    let mc = format!("{HEAD}FEATURE(`promiscuous_relay')dnl\n{TAIL}");
    let found = cli(dir.path(), &["--dialect", "sendmail-mc", "-"], Some(&mc));
    assert!(found.iter().any(|(c, _)| c == "SM001"), "{found:?}");
    let found = cli(
        dir.path(),
        &["--dialect", "sendmail-cf", "-"],
        Some("V10/Berkeley\nDZ8.18.1\nZZjunk\n"),
    );
    assert!(found.iter().any(|(c, _)| c == "SM002"), "{found:?}");
}

#[test]
fn clients_the_access_map_turns_away_are_no_witness() {
    // oracle: CLOSED from 203.0.113.66 (550 Access denied at MAIL), OPEN
    // with ORACLE_CLIENT_IP=192.0.2.66 (the witness)
    assert_mc(
        "FEATURE(`access_db')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[("access", "Connect:203 REJECT\n")],
        "open",
        "client `192.0.2.66`",
    );
    // oracle: CLOSED from 203.0.113.66: without the `skip` option, SKIP is
    // an error text (553 5.3.0 SKIP)
    assert_mc(
        "FEATURE(`access_db')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[("access", "Connect:203 SKIP\n")],
        "open",
        "client `192.0.2.66`",
    );
}

#[test]
fn access_lookups_with_options_and_other_features() {
    // oracle: OPEN (relay_hosts_only leaves address prefixes alone), OPEN,
    // OPEN (delay_checks), CLOSED (compressed IPv6 key), OPEN
    // (lookupdotdomain `.net`), OPEN (own map path)
    let a = "FEATURE(`access_db')dnl\n";
    assert_mc(
        &format!("{a}FEATURE(`relay_hosts_only')dnl\n"),
        &[("access", "Connect:203 RELAY\n")],
        "open",
        "",
    );
    assert_mc(
        "FEATURE(`relay_hosts_only')dnl\nRELAY_DOMAIN(`203')dnl\n",
        &[],
        "open",
        "",
    );
    assert_mc(
        &format!("{a}FEATURE(`delay_checks')dnl\n"),
        &[("access", "Connect:203.0.113 RELAY\n")],
        "open",
        "",
    );
    assert_mc(
        a,
        &[("access", "Connect:IPv6:2001:db8:: RELAY\n")],
        "closed",
        "",
    );
    assert_mc(
        "FEATURE(`access_db', `hash -T<TMPF> /etc/mail/access', `lookupdotdomain')dnl\n",
        &[("access", ".net RELAY\n")],
        "open",
        "victim@example.net",
    );
    assert_mc(
        "FEATURE(`access_db', `hash -T<TMPF> -o /etc/mail/myaccess')dnl\n",
        &[("myaccess", "Connect:203 RELAY\n")],
        "open",
        "",
    );
}

#[test]
fn local_rulesets() {
    // oracle: OPEN (Local_Relay_Auth returns RELAY for the empty auth
    // type), CLOSED (Local_check_rcpt rejects first), OPEN (a loopback-only
    // MTA, but the default MSA on port 587 listens everywhere), CLOSED
    // (M=a on the only daemon)
    assert_mc(
        "LOCAL_RULESETS\nSLocal_Relay_Auth\nR$*\t$# RELAY\n",
        &[],
        "open",
        "",
    );
    assert_mc(
        "LOCAL_RULESETS\nSLocal_check_rcpt\nR$*\t$#error $: 550 no\n",
        &[],
        "closed",
        "",
    );
    assert_mc(
        "FEATURE(`promiscuous_relay')dnl\nDAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl\n",
        &[],
        "open",
        "port 587",
    );
    assert_mc(
        "FEATURE(`no_default_msa')dnl\nDAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port=smtp, M=a')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn loopback_only_daemons_are_out_of_reach() {
    // Not an oracle verdict: the oracle moves every daemon to its own
    // address (it answers OPEN here). sendmail itself binds 127.0.0.1 only,
    // so no untrusted client reaches it.
    assert_mc(
        "FEATURE(`no_default_msa')dnl\nDAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn the_clients_address_in_class_w_counts_as_local() {
    // oracle: OPEN
    assert_mc(
        "LOCAL_DOMAIN(`[203.0.113.66]')dnl\n",
        &[],
        "open",
        "client `203.0.113.66`",
    );
    // oracle: CLOSED (a domain in class w is local, not relayed)
    assert_mc("LOCAL_DOMAIN(`net')dnl\n", &[], "closed", "");
}

#[test]
fn feature_msp_listens_on_loopback_only() {
    // oracle: ERROR only because m4 prints `MAILER(local) already included`
    // (FEATURE(`msp') declares its mailers) while still building a .cf
    // whose one daemon, `NoMTA`, listens on 127.0.0.1 (msp.m4)
    assert_mc(
        "FEATURE(`msp')dnl\nFEATURE(`promiscuous_relay')dnl\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn access_values_and_tags() {
    // oracle: CLOSED (the value is `RELAY # office`, not RELAY), OPEN
    // (values are matched without case), OPEN (tags too), ERROR (a
    // RELAY_DOMAIN_FILE that does not exist stops sendmail), OPEN
    let a = "FEATURE(`access_db')dnl\n";
    assert_mc(
        a,
        &[("access", "Connect:203 RELAY # office\n")],
        "closed",
        "",
    );
    assert_mc(a, &[("access", "Connect:203 relay\n")], "open", "");
    assert_mc(a, &[("access", "CONNECT:203 RELAY\n")], "open", "");
    assert_mc(
        "RELAY_DOMAIN_FILE(`/etc/mail/partners')dnl\n",
        &[("aliases", "postmaster: root\n")],
        "refuses-to-start",
        "",
    );
    assert_mc(
        "RELAY_DOMAIN_FILE(`/etc/mail/partners')dnl\n",
        &[("partners", "net\n")],
        "open",
        "victim@example.net",
    );
}

#[test]
fn a_public_second_level_domain_in_class_r() {
    // oracle: CLOSED for its probe to example.net; sendmail -bt:
    // check_rcpt <victim@example.co.uk> returns RELAY (the witness)
    assert_mc(
        "RELAY_DOMAIN(`co.uk')dnl\n",
        &[],
        "open",
        "RCPT TO:<victim@example.co.uk>",
    );
}

#[test]
fn only_the_compiled_access_map_is_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mail = dir.path().join("etc/mail");
    std::fs::create_dir_all(&mail).expect("mkdir");
    std::fs::write(
        mail.join("sendmail.mc"),
        format!("{HEAD}FEATURE(`access_db')dnl\n{TAIL}"),
    )
    .expect("write");
    std::fs::write(mail.join("access.db"), [0u8, 1, 2, 3]).expect("write");
    let conf = mail.join("sendmail.mc");
    let inputs = Inputs {
        conf: Source::Path(&conf),
        kind: Kind::Mc,
        sysroot: dir.path(),
    };
    let (_, diags) = analyse(&inputs, Limits::default(), &untrusted_space());
    assert!(
        diags
            .iter()
            .any(|d| d.code == "RL004" && d.message.contains("access.db")),
        "{diags:?}"
    );
}

#[test]
fn a_configuration_dumped_alone_says_nothing_about_missing_class_files() {
    // A folder with sendmail.mc only: local-host-names may exist on the
    // host; relaylint reports the file as missing (RL004), not a refusal.
    let (verdict, codes, _) = run_tree(
        &format!("{HEAD}FEATURE(`use_cw_file')dnl\nFEATURE(`promiscuous_relay')dnl\n{TAIL}"),
        Kind::Mc,
        &[],
    );
    assert_eq!(verdict, "open", "{codes:?}");
    assert!(codes.contains(&"RL004"), "{codes:?}");
}

#[test]
fn suppressions_in_the_mc_and_in_the_access_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mail = dir.path().join("etc/mail");
    std::fs::create_dir_all(&mail).expect("mkdir");
    std::fs::write(
        mail.join("sendmail.mc"),
        format!("{HEAD}FEATURE(`access_db')dnl\n{TAIL}"),
    )
    .expect("write");
    std::fs::write(mail.join("access"), "Connect:203 RELAY\n").expect("write");
    let found = cli(dir.path(), &["."], None);
    assert!(found.iter().any(|(c, _)| c == "SM001"), "{found:?}");
    // `#` in the access file, although the unit is an .mc
    std::fs::write(
        mail.join("access"),
        "# relaylint: disable=SM001 -- partner network\nConnect:203 RELAY\n",
    )
    .expect("write");
    let found = cli(dir.path(), &["."], None);
    assert!(!found.iter().any(|(c, _)| c == "SM001"), "{found:?}");
    // `dnl` in the .mc
    std::fs::write(mail.join("access"), "Connect:10 RELAY\n").expect("write");
    std::fs::write(
        mail.join("sendmail.mc"),
        format!("{HEAD}dnl relaylint: disable=SM001 -- test host\nFEATURE(`promiscuous_relay')dnl\n{TAIL}"),
    )
    .expect("write");
    let found = cli(dir.path(), &["."], None);
    assert!(!found.iter().any(|(c, _)| c == "SM001"), "{found:?}");
}

#[test]
fn compiled_cf_routing_characters_from_class_o() {
    // oracle: OPEN for the comment-stripped .cf of FEATURE(`nouucp',
    // `nospecial') + RELAY_DOMAIN(`backup.test'): class O lacks `!`
    let cf = format!("{CF_RULESETS}CO @ %\nCRbackup.test\nSRcpt_ok\nR$*\t\t\t$: $>ParseRecipient $1\nSRelay_ok\nR$*\t\t\t$: $&{{client_addr}}\n");
    assert_cf(&cf, &[], "open", "RCPT TO:<example.net!victim@backup.test>");
    // the stock class O: closed (oracle: CLOSED for the base .cf with a
    // relay domain)
    let stock = cf.replace("CO @ %", "CO @ % !");
    assert_cf(&stock, &[], "closed", "");
}

#[test]
fn a_hand_written_check_rcpt_is_not_judged_by_what_it_lacks() {
    // Not an oracle verdict: an old-style .cf with its own check_rcpt (no
    // Basic_check_rcpt, no Relay_ok) gets no claim either way.
    let cf = "V10/Berkeley\nDZ8.8.8\nO DaemonPortOptions=Name=MTA\nScheck_rcpt\nR$* <@ $=w >\t$@ OK\nR$*\t$#error $: \"550 Relaying denied\"\n";
    assert_cf(cf, &[], "closed", "");
}

#[test]
fn a_connect_entry_for_a_public_suffix_is_a_warning() {
    // oracle: CLOSED for its client without a PTR record; OPEN with
    // ORACLE_CLIENT_PTR=relay.attacker.com. relaylint warns (SM015): its
    // witnesses carry no PTR record.
    let (verdict, codes, _) = run_tree(
        &format!("{HEAD}FEATURE(`access_db')dnl\n{TAIL}"),
        Kind::Mc,
        &[("access", "Connect:com RELAY\n")],
    );
    assert_eq!(verdict, "closed", "{codes:?}");
    assert!(codes.contains(&"SM015"), "{codes:?}");
}
