//! Streaming: findings reach the writer while later units are still being
//! analysed, in an order that does not depend on `--jobs`.

use relaylint::options::Options;
use relaylint::progress::Progress;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

const OPEN_PROXY: &str = "http_port 3128\nhttp_access allow all\n";

/// Holds the second unit back until the first finding has been delivered
/// (or ten seconds have passed, so that a non-streaming scan fails the test
/// instead of hanging).
struct Gate {
    done: AtomicUsize,
    seen: Mutex<bool>,
    wake: Condvar,
}

impl Progress for Gate {
    fn start(&self, _: usize) {}
    fn unit_done(&self) {
        if self.done.fetch_add(1, Ordering::SeqCst) == 1 {
            let seen = self.seen.lock().expect("lock");
            let _ = self
                .wake
                .wait_timeout_while(seen, Duration::from_secs(10), |s| !*s);
        }
    }
    fn finish(&self) {}
}

#[test]
fn the_first_unit_is_reported_before_the_last_one_is_analysed() {
    let dir = tempfile::tempdir().expect("tmp");
    for h in ["a", "b", "c", "d"] {
        write(
            dir.path(),
            &format!("dump/{h}/etc/squid/squid.conf"),
            OPEN_PROXY,
        );
    }
    let gate = Gate {
        done: AtomicUsize::new(0),
        seen: Mutex::new(false),
        wake: Condvar::new(),
    };
    let opts = Options {
        jobs: Some(1),
        ..Options::default()
    };
    let mut delivered: Vec<(String, usize)> = Vec::new();
    let report =
        relaylint::scan_streaming(&[dir.path().join("dump")], &opts, None, &gate, &mut |f| {
            delivered.push((f.host.clone(), gate.done.load(Ordering::SeqCst)));
            *gate.seen.lock().expect("lock") = true;
            gate.wake.notify_all();
        })
        .expect("scan");
    assert_eq!(report.units, 4);
    let (first_host, units_done) = delivered.first().cloned().expect("findings");
    assert_eq!(first_host, "a");
    assert!(
        units_done < 4,
        "the first finding waited for every unit ({units_done} done)"
    );
    let hosts: Vec<&str> = delivered.iter().map(|(h, _)| h.as_str()).collect();
    let mut sorted = hosts.clone();
    sorted.sort();
    assert_eq!(hosts, sorted, "units in path order");
}

#[test]
fn the_order_does_not_depend_on_jobs() {
    let dir = tempfile::tempdir().expect("tmp");
    for i in 0..24 {
        write(
            dir.path(),
            &format!("dump/h{i:02}/etc/squid/squid.conf"),
            OPEN_PROXY,
        );
        write(
            dir.path(),
            &format!("dump/h{i:02}/etc/postfix/main.cf"),
            "mynetworks = 0.0.0.0/0\n",
        );
    }
    let inputs: Vec<PathBuf> = vec![dir.path().join("dump")];
    let run = |jobs: usize| {
        let opts = Options {
            jobs: Some(jobs),
            ..Options::default()
        };
        let report = relaylint::scan(&inputs, &opts, None).expect("scan");
        let mut json = Vec::new();
        relaylint::report::json::write(&report, &mut json).expect("json");
        json
    };
    let one = run(1);
    assert!(!one.is_empty());
    for jobs in [2, 4] {
        assert_eq!(run(jobs), one, "-j {jobs}");
    }
}

/// A dump is discovered a batch of top-level folders at a time; the report
/// keeps the order of the paths even where a folder's name is the start of
/// another's (`h1/…` sorts after `h1-old/…` and `h1.bak/…`: `-` and `.`
/// come before `/`), and a problem at the top sits in its place.
#[test]
fn a_dump_read_folder_by_folder_keeps_path_order() {
    let dir = tempfile::tempdir().expect("tmp");
    let dump = dir.path().join("dump");
    // Hundreds of folders, so that the dump is read in several batches and
    // some batch boundary falls inside a group of look-alike names.
    for i in 0..150 {
        for h in [
            format!("h{i:03}"),
            format!("h{i:03}-old"),
            format!("h{i:03}.bak"),
        ] {
            write(&dump, &format!("{h}/etc/squid/squid.conf"), OPEN_PROXY);
        }
    }
    for h in ["h1", "h10", "g"] {
        write(&dump, &format!("{h}/etc/squid/squid.conf"), OPEN_PROXY);
    }
    // A folder named like a configuration file: a problem, in path order.
    std::fs::create_dir_all(dump.join("h1-squid.conf")).expect("mkdir");
    std::fs::create_dir_all(dump.join("h1/etc/squid/conf.d")).expect("mkdir");
    let opts = Options {
        jobs: Some(2),
        ..Options::default()
    };
    let report = relaylint::scan(std::slice::from_ref(&dump), &opts, None).expect("scan");
    let paths: Vec<String> = report.findings.iter().map(|f| f.path.clone()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "findings in path order");
    for h in ["g", "h1", "h10", "h000", "h042-old", "h149.bak"] {
        assert!(
            paths
                .iter()
                .any(|p| p.contains(&format!("/{h}/etc/squid/squid.conf"))),
            "{h} missing from {paths:?}"
        );
    }
    assert!(
        paths.iter().any(|p| p.ends_with("h1-squid.conf")),
        "the folder named like a config is reported: {paths:?}"
    );
    assert_eq!(report.units, 453);
    assert_eq!(report.hosts.len(), 453);
}

/// A configuration file directly in the scanned folder makes the folder a
/// host of its own, which may pair with units below it: then the folder is
/// read as a whole. Its Squid and Postfix meet in the host pass either way:
/// scanned as a host, or as a folder of a dump.
#[test]
fn a_folder_that_is_a_host_is_read_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    let host = dir.path().join("dump/host");
    write(
        &host,
        "main.cf",
        "compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n",
    );
    write(&host, "etc/squid/squid.conf", OPEN_PROXY);
    for input in [host, dir.path().join("dump")] {
        let report =
            relaylint::scan(std::slice::from_ref(&input), &Options::default(), None).expect("scan");
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
        assert!(
            codes.contains(&"SQ013"),
            "{}: the proxy reaches the loopback relay: {codes:?}",
            input.display()
        );
    }
}
