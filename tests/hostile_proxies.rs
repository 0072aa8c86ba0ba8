//! Hostile input for the proxy dialects (Squid and Dante), as
//! `tests/hostile.rs` does for Postfix: each test runs the real binary on a
//! tree that also holds an ordinary open Squid in a sibling host
//! (`h0-open`), and checks
//!
//! - that the hostile file gets a clear diagnostic naming it,
//! - that the rest of the scan is intact (the sibling's SQ001 is reported),
//! - that the exit code follows the contract (`--fail-on warning`),
//! - that the run ends within a bound far above its normal time (debug
//!   build) yet far below what a quadratic blow-up on these sizes costs.

use assert_cmd::Command;
use serde_json::Value;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Kills a run that hangs.
const KILL_AFTER: Duration = Duration::from_secs(60);

const OPEN_SQUID: &str = "http_port 3128\nhttp_access allow all\n";

fn write(root: &Path, rel: impl AsRef<Path>, bytes: &[u8]) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, bytes).expect("write");
    p
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "h0-open/etc/squid/squid.conf",
        OPEN_SQUID.as_bytes(),
    );
    dir
}

struct Scan {
    code: i32,
    json: Value,
    took: Duration,
}

fn code_of(f: &Value) -> &str {
    f["code"].as_str().unwrap_or("")
}

fn path_of(f: &Value) -> &str {
    f["path"].as_str().unwrap_or("")
}

/// True when the finding's path holds `needle` from the start of a path
/// component (`h1/` must not match a temporary folder that ends in `h1`).
fn in_scan(f: &Value, needle: &str) -> bool {
    path_of(f).contains(&format!("/{needle}"))
}

impl Scan {
    fn findings(&self) -> &[Value] {
        self.json["findings"].as_array().expect("findings array")
    }

    fn with(&self, code: &str, needle: &str) -> Vec<&Value> {
        self.findings()
            .iter()
            .filter(|f| code_of(f) == code && in_scan(f, needle))
            .collect()
    }

    fn summary(&self) -> String {
        let mut lines: Vec<String> = self
            .findings()
            .iter()
            .take(40)
            .map(|f| {
                format!(
                    "{} {}:{} {}",
                    code_of(f),
                    path_of(f),
                    f["line"],
                    f["message"].as_str().unwrap_or("")
                )
            })
            .collect();
        if self.findings().len() > 40 {
            lines.push(format!("… {} findings in all", self.findings().len()));
        }
        lines.join("\n")
    }

    fn assert_sibling_intact(&self) {
        assert!(
            !self.with("SQ001", "h0-open").is_empty(),
            "the open Squid in the sibling host must still be reported:\n{}",
            self.summary()
        );
    }

    fn assert_exit_contract(&self) {
        let failing = self
            .findings()
            .iter()
            .any(|f| f["severity"] == "error" || f["severity"] == "warning");
        assert_eq!(
            self.code,
            i32::from(failing),
            "exit code must follow --fail-on warning\n{}",
            self.summary()
        );
    }

    fn assert_within(&self, bound: Duration) {
        assert!(
            self.took < bound,
            "the scan took {:?}, more than {bound:?}: a blow-up?",
            self.took
        );
    }
}

fn scan(path: &Path) -> Scan {
    let mut cmd = Command::cargo_bin("relaylint").expect("binary");
    cmd.timeout(KILL_AFTER)
        .args(["check", "--format", "json", "--jobs", "2"])
        .arg(path);
    let t0 = Instant::now();
    let out = cmd.output().expect("relaylint ran");
    let took = t0.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("relaylint was killed (hang or crash)\nstderr: {stderr}"));
    assert!(
        !stderr.contains("panicked"),
        "relaylint panicked:\n{stderr}"
    );
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("stdout is not the JSON report ({e}), exit {code}\nstderr: {stderr}")
    });
    Scan { code, json, took }
}

fn noise(n: usize, mut x: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        v.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    v.truncate(n);
    v
}

// --- Squid -------------------------------------------------------------------

#[test]
fn squid_binary_file() {
    let dir = tree();
    write(
        dir.path(),
        "h1/etc/squid/squid.conf",
        &noise(64 * 1024, 0xD1CE),
    );
    let s = scan(dir.path());
    assert!(
        !s.with("RL006", "h1/etc/squid/squid.conf").is_empty(),
        "binary squid.conf: RL006\n{}",
        s.summary()
    );
    assert!(s.with("SQ001", "h1/").is_empty(), "{}", s.summary());
    s.assert_sibling_intact();
    s.assert_exit_contract();
}

#[test]
fn squid_invalid_utf8_and_nul_bytes() {
    let dir = tree();
    // A Latin-1 comment does not change what Squid reads: still open.
    write(
        dir.path(),
        "h1/etc/squid/squid.conf",
        b"# proxy f\xfcr das B\xfcro\nhttp_port 3128\nhttp_access allow all\n",
    );
    // Squid reads a line as a C string: it ends at the NUL, so the
    // `allow all` after it is not there and the proxy stays closed.
    write(
        dir.path(),
        "h2/etc/squid/squid.conf",
        b"http_port 3128\nhttp_access deny all\0 http_access allow all\n",
    );
    let s = scan(dir.path());
    assert!(
        !s.with("RL006", "h1/etc/squid/squid.conf").is_empty(),
        "{}",
        s.summary()
    );
    assert!(
        !s.with("SQ001", "h1/etc/squid/squid.conf").is_empty(),
        "a Latin-1 comment leaves the verdict alone:\n{}",
        s.summary()
    );
    assert!(
        !s.with("RL006", "h2/etc/squid/squid.conf").is_empty(),
        "NUL bytes are reported:\n{}",
        s.summary()
    );
    assert!(s.with("SQ001", "h2/").is_empty(), "{}", s.summary());
    s.assert_sibling_intact();
    s.assert_exit_contract();
}

#[test]
fn squid_sparse_1_gib_file_is_refused_by_size() {
    let dir = tree();
    let big = dir.path().join("h1/etc/squid/squid.conf");
    std::fs::create_dir_all(big.parent().expect("parent")).expect("mkdir");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(1 << 30))
        .expect("sparse file");
    let s = scan(dir.path());
    assert!(
        !s.with("RL003", "h1/etc/squid/squid.conf").is_empty(),
        "{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    s.assert_within(Duration::from_secs(10));
}

/// `acl office src \` continued over `n` lines of distinct private
/// addresses, the last value a public /24.
fn squid_long_continuation(n: u32) -> String {
    let mut t = String::from("http_port 3128\nacl office src \\\n");
    for i in 0..n - 1 {
        t.push_str(&format!(
            "  10.{}.{}.{} \\\n",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        ));
    }
    t.push_str("  198.51.100.0/24\nhttp_access allow office\nhttp_access deny all\n");
    t
}

#[test]
fn squid_continuation_of_100_000_lines() {
    let dir = tree();
    write(
        dir.path(),
        "h1/etc/squid/squid.conf",
        squid_long_continuation(100_000).as_bytes(),
    );
    let s = scan(dir.path());
    let open = s.with("SQ001", "h1/etc/squid/squid.conf");
    assert!(
        !open.is_empty(),
        "the public /24 on line 100,002 makes `office` match strangers:\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    // Linear: well under a second in release, a few in debug. A scan per
    // token over the line's 100,000 segments took minutes in debug.
    s.assert_within(Duration::from_secs(20));
}

#[test]
fn squid_include_cycles_and_deep_nesting() {
    let dir = tree();
    // A file that includes itself.
    write(
        dir.path(),
        "h1/etc/squid/squid.conf",
        b"http_port 3128\ninclude /etc/squid/squid.conf\nhttp_access allow all\n",
    );
    // Three files that include their own folder: 3^16 expansions if every
    // branch were followed to the depth limit.
    write(
        dir.path(),
        "h2/etc/squid/squid.conf",
        b"http_port 3128\ninclude /etc/squid/d/*.conf\nhttp_access allow all\n",
    );
    for n in ["a", "b", "c"] {
        write(
            dir.path(),
            format!("h2/etc/squid/d/{n}.conf"),
            b"include /etc/squid/d/*.conf\n",
        );
    }
    // A chain 20 files deep, no cycle.
    write(
        dir.path(),
        "h3/etc/squid/squid.conf",
        b"http_port 3128\ninclude /etc/squid/chain/1.conf\nhttp_access allow all\n",
    );
    for i in 1..=20 {
        write(
            dir.path(),
            format!("h3/etc/squid/chain/{i}.conf"),
            format!("include /etc/squid/chain/{}.conf\n", i + 1).as_bytes(),
        );
    }
    write(
        dir.path(),
        "h3/etc/squid/chain/21.conf",
        b"acl x src 10.0.0.0/8\n",
    );
    let s = scan(dir.path());
    for host in ["h1/", "h2/", "h3/"] {
        let refuses = s.with("SQ002", host);
        assert!(
            refuses.iter().any(|f| f["message"]
                .as_str()
                .unwrap_or("")
                .contains("nested more than 16 deep")),
            "{host}: Squid refuses includes nested more than 16 deep (FATAL, as squid -k parse says):\n{}",
            s.summary()
        );
        assert!(s.with("SQ001", host).is_empty(), "{}", s.summary());
    }
    s.assert_sibling_intact();
    s.assert_exit_contract();
    s.assert_within(Duration::from_secs(20));
}

#[test]
fn squid_include_glob_matching_100_000_files() {
    let dir = tree();
    write(
        dir.path(),
        "h1/etc/squid/squid.conf",
        b"http_port 3128\ninclude /etc/squid/conf.d/*.conf\nhttp_access deny all\n",
    );
    let confd = dir.path().join("h1/etc/squid/conf.d");
    std::fs::create_dir_all(&confd).expect("mkdir");
    for i in 0..100_000u32 {
        std::fs::write(confd.join(format!("{i:06}.conf")), b"# empty\n").expect("write");
    }
    let s = scan(dir.path());
    // Squid reads all of them and starts; relaylint stops at its cap of
    // files per configuration and says it gives no verdict.
    assert!(
        s.with("RL002", "h1/etc/squid/squid.conf")
            .iter()
            .any(|f| f["message"].as_str().unwrap_or("").contains("no verdict")),
        "a glob over 100,000 files: RL002, no verdict\n{}",
        s.summary()
    );
    assert!(
        s.with("SQ002", "h1/").is_empty(),
        "relaylint's own cap is not a reason for Squid to refuse to start:\n{}",
        s.summary()
    );
    assert!(s.with("SQ001", "h1/").is_empty(), "{}", s.summary());
    s.assert_sibling_intact();
    s.assert_exit_contract();
    s.assert_within(Duration::from_secs(40));
}

#[test]
fn squid_include_with_a_non_utf8_name_is_read() {
    let dir = tree();
    write(
        dir.path(),
        "h1/etc/squid/squid.conf",
        b"http_port 3128\ninclude /etc/squid/conf.d/*.conf\nhttp_access deny all\n",
    );
    // glob(3) returns this name like any other: Squid reads it.
    let confd = dir.path().join("h1/etc/squid/conf.d");
    std::fs::create_dir_all(&confd).expect("mkdir");
    std::fs::write(
        confd.join(OsStr::from_bytes(b"caf\xe9.conf")),
        b"http_access allow all\n",
    )
    .expect("write");
    let s = scan(dir.path());
    let open = s.with("SQ001", "h1/etc/squid/conf.d/caf");
    assert!(
        !open.is_empty(),
        "the `http_access allow all` in conf.d/caf\\xe9.conf opens the proxy:\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
}

#[test]
fn squid_symlink_loops_fifos_and_paths_leaving_the_root() {
    let top = tempfile::tempdir().expect("tempdir");
    // Outside the scanned folder: files that would open the proxy.
    write(top.path(), "outside.conf", b"http_access allow all\n");
    write(top.path(), "outside-nets.txt", b"0.0.0.0/0\n");
    let root = top.path().join("scan");
    write(&root, "h0-open/etc/squid/squid.conf", OPEN_SQUID.as_bytes());
    write(
        &root,
        "h1/etc/squid/squid.conf",
        b"http_port 3128\n\
          include /etc/squid/loop/*.conf\n\
          include ../../outside.conf\n\
          include /../../../outside.conf\n\
          acl partners src \"../../outside-nets.txt\"\n\
          http_access allow partners\n\
          include /etc/squid/fifo.conf\n\
          include /etc/squid/escape.conf\n\
          http_access deny all\n",
    );
    let loop_dir = root.join("h1/etc/squid/loop");
    std::fs::create_dir_all(&loop_dir).expect("mkdir");
    std::os::unix::fs::symlink("b.conf", loop_dir.join("a.conf")).expect("symlink");
    std::os::unix::fs::symlink("a.conf", loop_dir.join("b.conf")).expect("symlink");
    std::os::unix::fs::symlink(
        top.path().join("outside.conf"),
        root.join("h1/etc/squid/escape.conf"),
    )
    .expect("symlink");
    let fifo = root.join("h1/etc/squid/fifo.conf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo");
    let s = scan(&root);
    assert!(
        s.with("SQ001", "h1/").is_empty(),
        "nothing outside the root (or behind a FIFO) was read:\n{}",
        s.summary()
    );
    let rl005: Vec<String> = s
        .with("RL005", "h1/etc/squid/")
        .iter()
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect();
    for named in ["../../outside.conf", "/../../../outside.conf"] {
        assert!(
            rl005.iter().any(|m| m.contains(named)),
            "`{named}` leaves the root: RL005\n{}",
            s.summary()
        );
    }
    assert!(
        !s.with("RL005", "h1/etc/squid/escape.conf").is_empty()
            || rl005.iter().any(|m| m.contains("escape.conf")),
        "a symlink leaving the root: RL005\n{}",
        s.summary()
    );
    assert!(
        !s.with("RL007", "h1/etc/squid/fifo.conf").is_empty(),
        "a FIFO is never opened: RL007\n{}",
        s.summary()
    );
    assert!(
        s.findings()
            .iter()
            .any(|f| path_of(f).contains("h1/etc/squid/loop/")
                || f["message"].as_str().unwrap_or("").contains("loop/")),
        "the symlink loop is reported:\n{}",
        s.summary()
    );
    for f in s.findings() {
        assert!(
            !path_of(f).contains("outside"),
            "a finding points into a file outside the root: {}",
            path_of(f)
        );
    }
    s.assert_sibling_intact();
    s.assert_exit_contract();
    s.assert_within(Duration::from_secs(20));
}

// --- Dante -------------------------------------------------------------------

#[test]
fn dante_hostile_files() {
    let dir = tree();
    write(dir.path(), "h1/etc/danted.conf", &noise(32 * 1024, 0xDA17E));
    let big = dir.path().join("h2/etc/danted.conf");
    std::fs::create_dir_all(big.parent().expect("parent")).expect("mkdir");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(1 << 30))
        .expect("sparse file");
    // A 100,000-line backslash continuation.
    let mut long = String::from("logoutput: stderr\ninternal: 0.0.0.0 port = 1080\nexternal: eth0\nsocksmethod: none\nclient pass {\n  from: \\\n");
    for i in 0..100_000u32 {
        long.push_str(&format!("  10.{}.{}.0/24 \\\n", (i >> 8) & 255, i & 255));
    }
    long.push_str("  10.0.0.0/8 to: 0.0.0.0/0\n}\n");
    write(dir.path(), "h3/etc/danted.conf", long.as_bytes());
    let fifo = dir.path().join("h4/etc/sockd.conf");
    std::fs::create_dir_all(fifo.parent().expect("parent")).expect("mkdir");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo");
    std::os::unix::fs::symlink("/etc/danted.conf", dir.path().join("h5-danted.conf"))
        .expect("symlink");
    let s = scan(dir.path());
    assert!(
        !s.with("RL006", "h1/etc/danted.conf").is_empty(),
        "binary danted.conf: RL006\n{}",
        s.summary()
    );
    assert!(
        !s.with("RL003", "h2/etc/danted.conf").is_empty(),
        "1 GiB danted.conf: RL003\n{}",
        s.summary()
    );
    assert!(
        !s.with("RL007", "h4/etc/sockd.conf").is_empty(),
        "a FIFO named sockd.conf is never opened: RL007\n{}",
        s.summary()
    );
    assert!(
        s.findings()
            .iter()
            .any(|f| code_of(f) == "RL005" && path_of(f).contains("h5-danted.conf")),
        "a symlink to the host's /etc/danted.conf leaves the root: RL005\n{}",
        s.summary()
    );
    assert!(
        s.findings().iter().all(|f| !path_of(f).contains("h3/")
            || !code_of(f).starts_with("RL00")
            || code_of(f) == "RL001"),
        // danted joins the lines and then refuses a list after `from:`
        // (RL001/DN002, as `danted -V` does); nothing about reading it.
        "the long continuation is read as ordinary text:\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    s.assert_within(Duration::from_secs(20));
}

// --- determinism ---------------------------------------------------------------

/// Every fixture folder of every dialect, in one run: JSON and SARIF are
/// byte-identical for `--jobs 1` and `--jobs 8`.
#[test]
fn jobs_1_and_jobs_8_give_byte_identical_json_and_sarif_over_all_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let run = |format: &str, jobs: &str| {
        Command::cargo_bin("relaylint")
            .expect("binary")
            .timeout(KILL_AFTER)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", "--no-config", "--fail-on", "never"])
            .args(["--format", format, "--jobs", jobs])
            .arg(&fixtures)
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone()
    };
    for format in ["json", "sarif"] {
        let one = run(format, "1");
        let eight = run(format, "8");
        assert!(one.len() > 10_000, "{format}: the fixtures were scanned");
        if one != eight {
            let a = String::from_utf8_lossy(&one);
            let b = String::from_utf8_lossy(&eight);
            let first = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "{format}: --jobs 1 and --jobs 8 differ from line {}:\n{}\nvs\n{}",
                first + 1,
                a.lines().nth(first).unwrap_or(""),
                b.lines().nth(first).unwrap_or("")
            );
        }
    }
    let v: Value = serde_json::from_slice(&run("json", "8")).expect("JSON");
    let dialects: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| path_of(f).split("fixtures/").nth(1))
        .filter_map(|p| p.split('/').next())
        .collect();
    for d in ["postfix", "squid"] {
        assert!(
            dialects.contains(d),
            "findings from fixtures/{d}: {dialects:?}"
        );
    }
}

#[test]
fn squid_acls_of_100_000_scattered_addresses() {
    // Blocklists and allowlists from feeds are this long; every address
    // is its own range (nothing merges), which made set building and
    // subtraction quadratic (tens of seconds in release).
    let dir = tree();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as u32
    };
    let mut addr = || {
        format!(
            "{}.{}.{}.{}",
            11 + next() % 89,
            next() % 256,
            next() % 256,
            1 + next() % 254
        )
    };
    let mut nets = String::from("93.184.216.34\n");
    for _ in 0..100_000 {
        nets.push_str(&addr());
        nets.push('\n');
    }
    let mut lines = String::from("acl many src 93.184.216.34\n");
    for _ in 0..30_000 {
        lines.push_str(&format!("acl many src {}\n", addr()));
    }
    write(dir.path(), "h1/etc/squid/nets.txt", nets.as_bytes());
    write(dir.path(), "h1/etc/squid/many.conf", lines.as_bytes());
    write(
        dir.path(),
        "h1/etc/squid/squid.conf",
        b"http_port 3128\n\
          acl nets src \"/etc/squid/nets.txt\"\n\
          include /etc/squid/many.conf\n\
          http_access allow nets many\n\
          http_access deny all\n",
    );
    let s = scan(dir.path());
    assert!(
        !s.with("SQ001", "h1/etc/squid/squid.conf").is_empty(),
        "93.184.216.34 is in both lists: open\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    s.assert_within(Duration::from_secs(60));
}
