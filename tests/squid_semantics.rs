//! Small Squid configurations, one semantic point each: relaylint's verdict
//! and, for open proxies, the witness it gives. Every verdict was checked
//! against Squid 5.7 with the oracle (`oracle.py squid FILE`, client
//! 203.0.113.66); where the oracle's client cannot do what a real attacker
//! can (send credentials to a fake helper, set its User-Agent, send a PROXY
//! header), the test says so and pins relaylint's attacker model instead.
//! Cases that agree with the oracle as they are live in `tests/squid_corners/`.

mod common;

fn run(conf: &str, extra: &[(&str, &str)]) -> (String, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let etc = dir.path().join("etc/squid");
    std::fs::create_dir_all(&etc).expect("mkdir");
    std::fs::write(etc.join("squid.conf"), conf).expect("write");
    for (name, text) in extra {
        let p = etc.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    let report = common::scan(&[dir.path().to_path_buf()]);
    let mut lines = Vec::new();
    for f in &report.findings {
        lines.push(format!("{}: {}", f.code, f.message));
        lines.extend(f.notes.iter().map(|n| format!("note: {n}")));
        lines.extend(f.labels.iter().map(|l| format!("label: {}", l.message)));
    }
    (common::verdict(&report).to_string(), lines)
}

fn assert_verdict(conf: &str, extra: &[(&str, &str)], expected: &str, witness_has: &str) {
    let (verdict, lines) = run(conf, extra);
    let all = lines.join("\n");
    assert_eq!(verdict, expected, "config:\n{conf}\nfindings:\n{all}");
    assert!(
        all.contains(witness_has),
        "findings lack `{witness_has}`:\n{all}"
    );
}

#[test]
fn allow_all_is_open_with_a_get_witness() {
    // Oracle: OPEN open_via=GET,CONNECT:25,CONNECT:443.
    assert_verdict(
        "http_port 3128\nhttp_access allow all\n",
        &[],
        "open",
        "sends `GET http://example.net/`",
    );
}

#[test]
fn implicit_default_points_at_the_last_deny() {
    // Oracle: OPEN (c_lastdeny).
    assert_verdict(
        "http_port 3128\nacl foo src 10.0.0.0/8\nhttp_access deny foo\n",
        &[],
        "open",
        "the last `http_access` line is a `deny`",
    );
}

#[test]
fn xff_witness_names_the_spoofed_client() {
    // Oracle: OPEN open_via=GET+XFF.
    assert_verdict(
        "http_port 3128\nacl localnet src 10.0.0.0/8\nfollow_x_forwarded_for allow all\nhttp_access allow localnet\nhttp_access deny all\n",
        &[],
        "open",
        "X-Forwarded-For: 10.",
    );
}

#[test]
fn connect_to_port_25_is_reported_when_ssl_ports_has_it() {
    // Oracle: OPEN open_via=GET,CONNECT:25,CONNECT:443.
    assert_verdict(
        "acl SSL_ports port 443 25\nacl Safe_ports port 80 443 25\nhttp_access deny !Safe_ports\nhttp_access deny CONNECT !SSL_ports\nhttp_access allow all\nhttp_port 3128\n",
        &[],
        "open",
        "CONNECT to port 25",
    );
}

#[test]
fn fake_auth_helper_counts_as_no_authentication() {
    // Oracle: CLOSED (407), because its client sends no credentials; with
    // basic_fake_auth any user name and password are accepted, so an
    // attacker that sends `Proxy-Authorization` gets through.
    assert_verdict(
        "http_port 3128\nauth_param basic program /usr/lib/squid/basic_fake_auth\nacl authed proxy_auth REQUIRED\nhttp_access allow authed\nhttp_access deny all\n",
        &[],
        "open",
        "without a real login",
    );
}

#[test]
fn real_auth_helper_is_closed() {
    // Oracle: CLOSED (407).
    assert_verdict(
        "http_port 3128\nauth_param basic program /usr/lib/squid/basic_ncsa_auth /etc/squid/passwd\nacl authed proxy_auth REQUIRED\nhttp_access allow authed\nhttp_access deny all\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn user_agent_allow_is_open_to_an_attacker_who_sets_it() {
    // Oracle: CLOSED, its client sends no Mozilla User-Agent; any client
    // can send one.
    assert_verdict(
        "http_port 3128\nacl b browser Mozilla\nhttp_access allow b\nhttp_access deny all\n",
        &[],
        "open",
        "assumes `b` (browser) matches",
    );
}

#[test]
fn kid_dependent_allow_is_open_in_that_kid() {
    // Oracle: CLOSED, it runs `squid -N` (kid 0); a service started without
    // -N runs its worker as kid 1, where the allow applies.
    assert_verdict(
        "http_port 3128\nif ${process_number} = 1\nhttp_access allow all\nendif\nhttp_access deny all\n",
        &[],
        "open",
        "in kid 1",
    );
}

#[test]
fn proxy_protocol_from_anyone_spoofs_the_client() {
    // Oracle: CLOSED (no answer), its client sends no PROXY header; one
    // naming a 10.x source gets the LAN's rights.
    assert_verdict(
        "http_port 3128 require-proxy-header\nproxy_protocol_access allow all\nacl localnet src 10.0.0.0/8\nhttp_access allow localnet\nhttp_access deny all\n",
        &[],
        "open",
        "PROXY protocol header naming",
    );
}

#[test]
fn proxy_protocol_without_access_lines_refuses_everyone() {
    assert_verdict(
        "http_port 3128 require-proxy-header\nhttp_access allow all\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn one_listed_public_address_is_an_untrusted_client_that_gets_in() {
    // Oracle: OPEN when its client is that address. A partner's public
    // address is untrusted until the user declares it trusted in
    // relaylint.toml, as with a public host in Postfix's mynetworks.
    assert_verdict(
        "http_port 3128\nacl partner src 198.51.100.7\nhttp_access allow partner\nhttp_access deny all\n",
        &[],
        "open",
        "198.51.100.7",
    );
}

#[test]
fn accel_with_allow_direct_forwards_gets_only() {
    // Reference [TEST]: accel allow-direct forwarded a GET to the requested
    // host, CONNECT got 405.
    let (v, lines) = run(
        "http_port 3128 accel allow-direct\nhttp_access allow all\n",
        &[],
    );
    assert_eq!(v, "open");
    let all = lines.join("\n");
    assert!(all.contains("(GET, HTTP to port 25)"), "{all}");
}

#[test]
fn accel_without_allow_direct_is_closed() {
    assert_verdict(
        "http_port 3128 accel\nhttp_access allow all\n",
        &[],
        "closed",
        "",
    );
}

#[test]
fn missing_include_glob_stops_squid_with_the_span() {
    assert_verdict(
        "include /etc/squid/conf.d/*.conf\nhttp_access allow all\nhttp_port 3128\n",
        &[],
        "refuses-to-start",
        "matches no file",
    );
}

#[test]
fn include_glob_reads_matches_in_sorted_order() {
    // b.conf's deny comes after a.conf's allow: the allow decides.
    assert_verdict(
        "include /etc/squid/conf.d/*.conf\nhttp_port 3128\n",
        &[
            ("conf.d/b.conf", "http_access deny all\n"),
            ("conf.d/a.conf", "http_access allow all\n"),
        ],
        "open",
        "first `http_access` line",
    );
}

#[test]
fn absolute_acl_files_resolve_under_the_sysroot() {
    assert_verdict(
        "acl ok src \"/etc/squid/ok.txt\"\nhttp_access allow ok\nhttp_access deny all\nhttp_port 3128\n",
        &[("ok.txt", "0.0.0.0/1\n128.0.0.0/1\n")],
        "open",
        "`ok` matches client",
    );
}

#[test]
fn relative_includes_resolve_from_the_root_directory() {
    // Oracle: ERROR "Unable to find configuration file: conf.d/x.conf":
    // Squid opens relative names from its working directory, not /etc/squid.
    assert_verdict(
        "include conf.d/x.conf\nhttp_port 3128\n",
        &[("conf.d/x.conf", "http_access allow all\n")],
        "refuses-to-start",
        "matches no file",
    );
}

#[test]
fn parameters_files_in_quoted_mode() {
    assert_verdict(
        "configuration_includes_quoted_values on\nacl ok src parameters(\"/etc/squid/ok.txt\")\nhttp_access allow ok\nhttp_access deny all\nhttp_port 3128\n",
        &[("ok.txt", "0.0.0.0/1\n128.0.0.0/1\n")],
        "open",
        "",
    );
}

#[test]
fn unknown_directive_stops_squid() {
    // Oracle: ERROR (httpd_accel_host unrecognized).
    assert_verdict(
        "httpd_accel_host virtual\nhttp_access allow all\nhttp_port 3128\n",
        &[],
        "refuses-to-start",
        "not a directive Squid 5.7 knows",
    );
}

#[test]
fn dstdomain_dot_and_bare_twins_stop_squid() {
    // squid -k parse: FATAL after "'.example.com' is a subdomain of 'example.com'".
    assert_verdict(
        "acl a dstdomain .example.com example.com\nhttp_access deny all\nhttp_port 3128\n",
        &[],
        "refuses-to-start",
        "overlaps",
    );
}

#[test]
fn default_debian_policy_is_closed() {
    let conf = "acl localnet src 10.0.0.0/8\nacl SSL_ports port 443\nacl Safe_ports port 80\nacl Safe_ports port 443\nacl Safe_ports port 1025-65535\nhttp_access deny !Safe_ports\nhttp_access deny CONNECT !SSL_ports\nhttp_access allow localhost manager\nhttp_access deny manager\nhttp_access allow localhost\nhttp_access deny all\nhttp_port 3128\n";
    assert_verdict(conf, &[], "closed", "");
}

#[test]
fn hostile_bytes_never_panic() {
    for conf in [
        "\\\n\\\n\\",
        "if\nif 1 =\nendif\nelse",
        "acl \u{0} src \u{fffd}\nhttp_access allow \u{0}",
        "acl a src 1.2.3.4-1.2.3.0\nacl b src ::/129\nacl c port 99999999999999999999",
        "http_port :\nhttp_port []:x\nhttp_port [::1]:3128 name=\n",
        "acl a all-of a\nacl g any-of\nhttp_access allow g",
        "configuration_includes_quoted_values on\nacl a dstdomain \"unterminated\nacl b src parameters(\n",
        "include /../../etc/passwd\ninclude [\ninclude *\n",
        "acl x src ${process_number}\nif ${process_number} = ${process_number}\nendif\n",
    ] {
        let _ = run(conf, &[]);
    }
}
