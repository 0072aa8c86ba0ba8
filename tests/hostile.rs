//! Hostile input: one test per kind of file a dump of `/etc` can
//! throw at a folder scan. Each test runs the real binary on a tree that also
//! holds an ordinary open relay in a sibling host (`h0-open`), and checks
//!
//! - that the hostile file gets a clear RL diagnostic naming it,
//! - that the rest of the scan is intact (the sibling's PF001 is reported),
//! - that the exit code follows the contract (0 nothing at or above
//!   `--fail-on`, 1 findings at or above it, 2 only for usage errors and
//!   input paths that do not exist or cannot be read),
//! - that the run ends (every run has a generous kill timeout; there are no
//!   timing assertions).

use assert_cmd::Command;
use serde_json::Value;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[allow(dead_code)]
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;

/// Kills a run that hangs; far above what any of these inputs should take.
const KILL_AFTER: Duration = Duration::from_secs(60);

const OPEN: &str = "compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n";

fn relaylint() -> Command {
    let mut c = Command::cargo_bin("relaylint").expect("binary");
    c.env_remove("NO_COLOR");
    c.timeout(KILL_AFTER);
    c
}

fn write(root: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, bytes).expect("write");
    p
}

/// A tree with the ordinary open relay in `h0-open`; the test adds its
/// hostile host beside it.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "h0-open/etc/postfix/main.cf", OPEN.as_bytes());
    dir
}

struct Scan {
    code: i32,
    json: Value,
    stderr: String,
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

    /// Findings with `code` whose path contains `needle`.
    fn with(&self, code: &str, needle: &str) -> Vec<&Value> {
        self.findings()
            .iter()
            .filter(|f| f["code"] == code && in_scan(f, needle))
            .collect()
    }

    /// RL findings whose path contains `needle`.
    fn rl(&self, needle: &str) -> Vec<&Value> {
        self.findings()
            .iter()
            .filter(|f| code_of(f).starts_with("RL") && in_scan(f, needle))
            .collect()
    }

    fn summary(&self) -> String {
        self.findings()
            .iter()
            .map(|f| {
                format!(
                    "{} {}:{} {}",
                    code_of(f),
                    path_of(f),
                    f["line"],
                    f["message"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The sibling open relay is still reported: the hostile host did not
    /// stop or swallow the scan.
    fn assert_sibling_intact(&self) {
        assert!(
            !self.with("PF001", "h0-open").is_empty(),
            "the open relay in the sibling host must still be reported:\n{}",
            self.summary()
        );
    }

    /// The exit code is the one the findings call for (`--fail-on warning`).
    fn assert_exit_contract(&self) {
        let failing = self
            .findings()
            .iter()
            .any(|f| f["severity"] == "error" || f["severity"] == "warning");
        let expected = i32::from(failing);
        assert_eq!(
            self.code,
            expected,
            "exit code must follow --fail-on warning\nstderr: {}\n{}",
            self.stderr,
            self.summary()
        );
    }
}

fn code_of(f: &Value) -> &str {
    f["code"].as_str().unwrap_or("")
}

fn path_of(f: &Value) -> &str {
    f["path"].as_str().unwrap_or("")
}

/// `relaylint check --format json ARGS... PATH`.
fn scan_with(path: &Path, args: &[&str]) -> Scan {
    let out = relaylint()
        .args(["check", "--format", "json"])
        .args(args)
        .arg(path)
        .output()
        .expect("relaylint ran");
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "relaylint was killed (hang or crash): {:?}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "relaylint panicked:\n{stderr}"
    );
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the JSON report ({e}), exit {code}\nstderr: {stderr}\nstdout: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    Scan { code, json, stderr }
}

fn scan(path: &Path) -> Scan {
    scan_with(path, &[])
}

/// The hostile host on its own, with `--fail-on never`: a bad file inside a
/// folder is a finding, never exit 2.
fn assert_alone_exits_0(host: &Path) {
    let s = scan_with(host, &["--fail-on", "never"]);
    assert_eq!(
        s.code,
        0,
        "--fail-on never: exit 0\nstderr: {}\n{}",
        s.stderr,
        s.summary()
    );
}

/// Deterministic pseudo-random bytes (xorshift64*).
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

#[test]
fn binary_file_named_main_cf() {
    let dir = tree();
    // 64 KiB of noise: invalid UTF-8, NULs, control bytes, no line structure.
    write(
        dir.path(),
        "h1/etc/postfix/main.cf",
        &noise(64 * 1024, 0x9E37_79B9),
    );
    let s = scan(dir.path());
    assert!(
        !s.with("RL006", "h1/etc/postfix/main.cf").is_empty(),
        "a binary main.cf is reported as not text:\n{}",
        s.summary()
    );
    assert!(
        s.with("PF001", "h1/").is_empty(),
        "no relay verdict from binary noise:\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
    assert_alone_exits_0(&dir.path().join("h1"));
}

#[test]
fn nul_bytes_in_main_cf() {
    let dir = tree();
    // Postfix ends each line at its first NUL (postconf -n on this file
    // prints `mynetworks = 127.0.0.0/8`): the host is closed. Whatever
    // relaylint makes of the NUL, it must say so and must not call the host
    // open because of the text after it.
    write(
        dir.path(),
        "h1/etc/postfix/main.cf",
        b"compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\0 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n",
    );
    let s = scan(dir.path());
    assert!(
        !s.rl("h1/etc/postfix/main.cf").is_empty(),
        "NUL bytes in main.cf get an RL diagnostic:\n{}",
        s.summary()
    );
    assert!(
        s.with("PF001", "h1/").is_empty(),
        "Postfix stops reading the line at the NUL, so `0.0.0.0/0` is not in mynetworks:\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
}

/// True when this file system updates atime on read for files whose atime
/// is older than their mtime (relatime): then a read can be detected.
fn atime_detects_reads(dir: &Path) -> bool {
    let probe = write(dir, "atime-probe", b"x");
    set_old_atime(&probe);
    let before = atime(&probe);
    let _ = std::fs::read(&probe);
    atime(&probe) != before
}

fn set_old_atime(p: &Path) {
    let f = std::fs::File::options().write(true).open(p).expect("open");
    let old = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    f.set_times(std::fs::FileTimes::new().set_accessed(old))
        .expect("set atime");
}

fn atime(p: &Path) -> std::time::SystemTime {
    std::fs::metadata(p)
        .expect("stat")
        .accessed()
        .expect("atime")
}

#[test]
fn sparse_1_gib_main_cf_is_refused_by_size() {
    let dir = tree();
    let big = dir.path().join("h1/etc/postfix/main.cf");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(1 << 30).unwrap(); // sparse: never written
    drop(f);
    let watch_reads = atime_detects_reads(dir.path());
    if watch_reads {
        set_old_atime(&big);
    }
    let before = atime(&big);
    let s = scan(dir.path());
    let rl003 = s.with("RL003", "h1/etc/postfix/main.cf");
    assert!(
        !rl003.is_empty(),
        "a 1 GiB main.cf is skipped with RL003:\n{}",
        s.summary()
    );
    assert!(
        rl003[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("1073741824"),
        "the message gives the size: {}",
        rl003[0]["message"]
    );
    if watch_reads {
        assert_eq!(
            atime(&big),
            before,
            "the oversized file must be refused by its size, without reading it"
        );
    }
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
}

#[test]
fn continuation_of_100_000_lines() {
    let dir = tree();
    // mynetworks continued over 100,000 lines; the last entry opens it.
    let mut text = String::from(
        "compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\nmynetworks = 127.0.0.0/8\n",
    );
    for i in 0..99_999u32 {
        text.push_str(&format!("    10.{}.{}.0/24\n", (i >> 8) & 255, i & 255));
    }
    text.push_str("    0.0.0.0/0\n");
    write(dir.path(), "h1/etc/postfix/main.cf", text.as_bytes());
    let s = scan(dir.path());
    assert!(
        !s.with("PF001", "h1/etc/postfix/main.cf").is_empty(),
        "the 0.0.0.0/0 on line 100,003 opens the relay:\n{}",
        s.summary()
    );
    assert!(
        !s.with("PF002", "h1/etc/postfix/main.cf").is_empty(),
        "{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
}

#[test]
fn non_utf8_file_names() {
    let dir = tree();
    // Two hosts whose folder names are not UTF-8 and differ only in those
    // bytes, and a table whose file name is not UTF-8.
    for name in [&b"h\xff"[..], &b"h\xfe"[..]] {
        let host = dir.path().join(OsStr::from_bytes(name));
        write(&host, "etc/postfix/main.cf", OPEN.as_bytes());
        // Latin-1 file names beside it, as an old dump holds them.
        std::fs::write(
            host.join(OsStr::from_bytes(b"etc/postfix/notes-\xe9t\xe9.txt")),
            b"mynetworks = 0.0.0.0/0 was a mistake\n",
        )
        .unwrap();
    }
    let junk = dir
        .path()
        .join(OsStr::from_bytes(b"h\xff/etc/postfix/acc\xe8s"));
    std::fs::write(&junk, b"0.0.0.0/0 OK\n").unwrap();
    let s = scan(dir.path());
    let open: Vec<&str> = s
        .findings()
        .iter()
        .filter(|f| f["code"] == "PF001" && !path_of(f).contains("h0-open"))
        .map(path_of)
        .collect();
    assert_eq!(
        open.len(),
        2,
        "both non-UTF-8 hosts are analysed:\n{}",
        s.summary()
    );
    assert_ne!(
        open[0], open[1],
        "two different files must not be reported under the same path \
         (lossy decoding maps both \\xff and \\xfe to U+FFFD)"
    );
    let prints: Vec<&Value> = s
        .findings()
        .iter()
        .filter(|f| f["code"] == "PF001" && !path_of(f).contains("h0-open"))
        .map(|f| &f["fingerprint"])
        .collect();
    assert_ne!(
        prints[0], prints[1],
        "findings in different files must not share a fingerprint"
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
    // The human report renders them too.
    relaylint()
        .args(["check", "--color", "never"])
        .arg(dir.path())
        .assert()
        .code(1);
}

/// Runs `relaylint` as `nobody` (uid 65534) through setpriv, when we are
/// root and setpriv exists; `None` otherwise.
fn as_nobody(args: &[&OsStr]) -> Option<std::process::Output> {
    let bin = assert_cmd::cargo::cargo_bin("relaylint");
    let probe = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .arg("--version")
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let mut cmd = std::process::Command::new("timeout");
    cmd.arg(KILL_AFTER.as_secs().to_string())
        .args([
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ])
        .arg(&bin)
        .args(args);
    cmd.output().ok()
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn unreadable_file() {
    let dir = tree();
    let main = write(dir.path(), "h1/etc/postfix/main.cf", OPEN.as_bytes());
    chmod(&main, 0o000);
    // Root (tests run as root here) reads a mode-000 file anyway.
    let permissions_enforced = std::fs::File::open(&main).is_err();
    let s = scan(dir.path());
    if permissions_enforced {
        let rl002 = s.with("RL002", "h1/etc/postfix/main.cf");
        assert!(
            !rl002.is_empty(),
            "unreadable main.cf: RL002\n{}",
            s.summary()
        );
        assert!(
            s.with("PF001", "h1/").is_empty(),
            "no verdict on a file that was not read:\n{}",
            s.summary()
        );
    } else {
        // What actually happens as root: the file is read and analysed like
        // any other.
        assert!(
            !s.with("PF001", "h1/etc/postfix/main.cf").is_empty(),
            "as root the mode-000 file is readable and analysed:\n{}",
            s.summary()
        );
        assert!(s.with("RL002", "h1/").is_empty(), "{}", s.summary());
    }
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);

    // As root, also check the unprivileged path for real, as `nobody`.
    if !permissions_enforced {
        chmod(dir.path(), 0o755);
        let root = dir.path().as_os_str();
        let Some(out) = as_nobody(&[
            OsStr::new("check"),
            OsStr::new("--format"),
            OsStr::new("json"),
            root,
        ]) else {
            eprintln!("setpriv unavailable: the unprivileged case was not run");
            return;
        };
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "JSON report as nobody ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let as_nobody_scan = Scan {
            code: out.status.code().expect("exit code"),
            json: v,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        let rl002 = as_nobody_scan.with("RL002", "h1/etc/postfix/main.cf");
        assert!(
            !rl002.is_empty(),
            "as nobody: RL002\n{}",
            as_nobody_scan.summary()
        );
        assert!(
            rl002[0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("Permission denied"),
            "{}",
            rl002[0]["message"]
        );
        assert!(as_nobody_scan.with("PF001", "h1/").is_empty());
        as_nobody_scan.assert_sibling_intact();
        as_nobody_scan.assert_exit_contract();
        // Named explicitly, an input path that cannot be read is exit 2
        // (README: "2 usage error, or an input path that does not exist or
        // cannot be read").
        let out = as_nobody(&[OsStr::new("check"), main.as_os_str()]).expect("setpriv ran");
        assert_eq!(
            out.status.code(),
            Some(2),
            "explicit unreadable input path: exit 2\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn socket_in_the_tree() {
    let dir = tree();
    let main = dir.path().join("h1/etc/postfix/main.cf");
    std::fs::create_dir_all(main.parent().unwrap()).unwrap();
    let _l1 = std::os::unix::net::UnixListener::bind(&main).expect("bind main.cf socket");
    std::fs::create_dir_all(dir.path().join("h1/etc/postfix/private")).unwrap();
    let _l2 =
        std::os::unix::net::UnixListener::bind(dir.path().join("h1/etc/postfix/private/smtp"))
            .expect("bind private/smtp socket");
    let s = scan(dir.path());
    for needle in ["h1/etc/postfix/main.cf", "h1/etc/postfix/private/smtp"] {
        let rl007 = s.with("RL007", needle);
        assert!(!rl007.is_empty(), "socket {needle}: RL007\n{}", s.summary());
        assert!(
            rl007[0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("socket"),
            "{}",
            rl007[0]["message"]
        );
    }
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
    assert_alone_exits_0(&dir.path().join("h1"));
}

#[test]
fn directory_named_main_cf() {
    let dir = tree();
    write(
        dir.path(),
        "h1/etc/postfix/main.cf/README",
        b"not a config\n",
    );
    write(
        dir.path(),
        "h1/etc/postfix/master.cf",
        b"smtp      inet  n       -       y       -       -       smtpd\n",
    );
    let s = scan(dir.path());
    assert!(
        !s.rl("h1/etc/postfix/main.cf").is_empty(),
        "a directory where main.cf should be gets an RL diagnostic (RL002: it is a directory, not a file):\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
}

#[test]
fn symlink_to_dev_zero_named_main_cf() {
    let dir = tree();
    let main = dir.path().join("h1/etc/postfix/main.cf");
    std::fs::create_dir_all(main.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &main).unwrap();
    let s = scan(dir.path());
    let diag: Vec<&Value> = s
        .rl("h1/etc/postfix/main.cf")
        .into_iter()
        .filter(|f| matches!(code_of(f), "RL005" | "RL007"))
        .collect();
    assert!(
        !diag.is_empty(),
        "a main.cf that is a symlink to /dev/zero (outside the root, a device) gets RL005 or RL007:\n{}",
        s.summary()
    );
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
    // Named explicitly: a device, never opened.
    let s = scan(&main);
    assert!(
        !s.with("RL007", "h1/etc/postfix/main.cf").is_empty(),
        "{}",
        s.summary()
    );
    s.assert_exit_contract();
}

#[test]
fn dot_dot_table_paths_stay_inside_the_root() {
    let top = tempfile::tempdir().unwrap();
    // Outside the scanned folder: a table that would open the relay if it
    // were read.
    write(top.path(), "outside", b"0.0.0.0/0 OK\n");
    let root = top.path().join("scan");
    write(&root, "h0-open/etc/postfix/main.cf", OPEN.as_bytes());
    write(
        &root,
        "h1/etc/postfix/main.cf",
        b"compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions =\n    permit_mynetworks,\n    check_client_access hash:/../../../etc/passwd,\n    check_client_access cidr:../../outside,\n    check_client_access cidr:../../../../outside,\n    reject_unauth_destination\n",
    );
    let s = scan(&root);
    let rl005: Vec<String> = s
        .with("RL005", "h1/etc/postfix/main.cf")
        .iter()
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect();
    for named in [
        "/../../../etc/passwd",
        "../../outside",
        "../../../../outside",
    ] {
        assert!(
            rl005.iter().any(|m| m.contains(&format!("`{named}`"))),
            "`{named}` leaves the root: RL005\n{}",
            s.summary()
        );
    }
    assert!(
        s.with("PF001", "h1/").is_empty(),
        "the table outside the root was read (it says 0.0.0.0/0 OK):\n{}",
        s.summary()
    );
    let outside = top.path().join("outside").to_string_lossy().into_owned();
    for f in s.findings() {
        assert!(
            !path_of(f).starts_with("/etc/") && path_of(f) != outside,
            "a finding points into a file outside the root: {}",
            path_of(f)
        );
        for l in f["labels"].as_array().into_iter().flatten() {
            let p = l["path"].as_str().unwrap_or("");
            assert!(
                !p.starts_with("/etc/") && p != outside,
                "a label points into a file outside the root: {p}"
            );
        }
    }
    s.assert_sibling_intact();
    s.assert_exit_contract();
    assert_eq!(s.code, 1);
}

#[test]
fn jobs_1_and_jobs_8_give_byte_identical_json() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A realistic dump (the benchmark's generator), plus hostile files.
    gen_corpus::generate(&root.join("dump"), 24, 7, None).expect("corpus");
    write(root, "h-open/etc/postfix/main.cf", OPEN.as_bytes());
    write(
        root,
        "h-latin1/etc/postfix/main.cf",
        b"# caf\xe9\nmynetworks = 0.0.0.0/0\ncompatibility_level = 3.6\n",
    );
    write(root, "h-binary/etc/postfix/main.cf", &noise(8192, 42));
    write(
        root,
        "h-big/etc/postfix/main.cf",
        OPEN.repeat(800).as_bytes(),
    );
    std::fs::create_dir_all(root.join("h-sock/etc/postfix")).unwrap();
    let _sock =
        std::os::unix::net::UnixListener::bind(root.join("h-sock/etc/postfix/main.cf")).unwrap();
    std::os::unix::fs::symlink("loop-b", root.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", root.join("loop-b")).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/postfix");
    let run = |jobs: &str| {
        relaylint()
            .args(["check", "--format", "json", "--fail-on", "never"])
            .args(["--max-file-size", "65536", "--jobs", jobs])
            .arg(root)
            .arg(&fixtures)
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone()
    };
    let one = run("1");
    let eight = run("8");
    let v: Value = serde_json::from_slice(&one).expect("JSON");
    assert!(
        v["summary"]["units"].as_u64().unwrap_or(0) > 100,
        "the dump was scanned: {}",
        v["summary"]
    );
    if one != eight {
        let a = String::from_utf8_lossy(&one);
        let b = String::from_utf8_lossy(&eight);
        let first = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "--jobs 1 and --jobs 8 differ from line {}:\n{}\nvs\n{}",
            first + 1,
            a.lines().nth(first).unwrap_or(""),
            b.lines().nth(first).unwrap_or("")
        );
    }
    assert_eq!(run("8"), one, "two --jobs 8 runs differ");
}

/// Terminal escapes written in a lookup table never reach the terminal:
/// table keys and values end up in messages (the witness quotes the forged
/// sender), and they are read with control characters replaced as every
/// other file is.
#[test]
fn control_characters_in_a_table_stay_out_of_messages() {
    let dir = tree();
    write(
        dir.path(),
        "h1/etc/postfix/main.cf",
        b"smtpd_recipient_restrictions = check_sender_access hash:/etc/postfix/sender_access, reject_unauth_destination\nsmtpd_relay_restrictions =\n",
    );
    write(
        dir.path(),
        "h1/etc/postfix/sender_access",
        b"evil\x1b]0;pwned\x07\x1b[31m@example.com OK\n",
    );
    let s = scan_with(dir.path(), &["--fail-on", "never"]);
    let quoted: Vec<&Value> = s.json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| in_scan(f, "h1/") && f.to_string().contains("evil"))
        .collect();
    assert!(
        !quoted.is_empty(),
        "the table entry is quoted: {}",
        s.summary()
    );
    for f in quoted {
        let text = f.to_string();
        assert!(
            !text.contains("\\u001b") && !text.contains("\\u0007"),
            "a control character reached a message: {text}"
        );
    }
    let human = relaylint()
        .args(["check", "--color", "never", "--fail-on", "never"])
        .arg(dir.path().join("h1"))
        .output()
        .expect("relaylint ran");
    assert!(
        !human.stdout.iter().any(|b| *b == 0x1b || *b == 0x07),
        "raw escapes in the text report"
    );
}
