//! Host naming for dumps collected from many machines.
//!
//! Auditors gather configuration trees in a few shapes, and relaylint names
//! each unit's host from the shape it recognises:
//!
//! * `dump/<host>/etc/...`: the sysroot (the folder holding `etc/`) is the
//!   host, named after its last component;
//! * `<host>/postfix/main.cf`, `<host>/squid/squid.conf`: a daemon folder
//!   without `etc/` above it; the folder above the daemon folder is the host;
//! * flat files `<host>-main.cf`, `<host>_squid.conf`, `<host>.sockd.conf`:
//!   the prefix before the daemon's file name is the host.
//!
//! Names are labels only: which files a unit reads is decided by its
//! sysroot (`discover.rs`), never by its host name.

use crate::discover::UnitPlan;
use std::path::{Component, Path};

/// File names a daemon reads, which a flat dump prefixes with the host.
const CONFIG_NAMES: &[&str] = &[
    "main.cf",
    "master.cf",
    "squid.conf",
    "sockd.conf",
    "danted.conf",
    "sendmail.mc",
    "sendmail.cf",
];

/// Folders that hold one daemon's configuration, not a host.
const DAEMON_DIRS: &[&str] = &[
    "postfix", "squid", "squid3", "squid4", "dante", "danted", "sockd", "mail", "sendmail",
];

/// The host a unit belongs to, with the path of each of its files relative
/// to the host's root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostTag {
    /// The host's name.
    pub name: String,
    /// The folder the unit's relative paths start from.
    root: String,
    /// The host prefix of flat dump file names (`mx1` in `mx1-main.cf`).
    flat_prefix: Option<String>,
}

fn last_name(p: &Path) -> Option<String> {
    p.components().rev().find_map(|c| match c {
        // Escaped like every displayed path: a folder name is hostile input
        // that must not carry terminal escapes into the report.
        Component::Normal(n) => Some(crate::discover::display(Path::new(n))),
        _ => None,
    })
}

/// The host prefix of a flat dump file name, if it has one.
fn flat_prefix(file: &Path) -> Option<String> {
    let original = crate::discover::display(Path::new(file.file_name()?));
    // ASCII lowercasing keeps every byte offset, so the prefix's length
    // cuts the original name at the same place.
    let name = original.to_ascii_lowercase();
    CONFIG_NAMES.iter().find_map(|base| {
        let head = name.strip_suffix(base)?;
        let prefix = head.strip_suffix(['-', '_', '.'])?;
        original
            .get(..prefix.len())
            .filter(|p| !p.is_empty())
            .map(str::to_string)
    })
}

/// The name of `dir`, resolving `.` and `/` to something readable.
fn folder_name(dir: &Path) -> String {
    if let Some(n) = last_name(dir) {
        if n != "." {
            return n;
        }
    }
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        if let Some(n) = std::env::current_dir().ok().as_deref().and_then(last_name) {
            return n;
        }
    }
    "localhost".to_string()
}

/// Names the host of a configuration file analysed with `sysroot` as `/`.
/// The name comes from the dump's shape around the file, so that `--root`
/// (one sysroot for every unit) does not rename every host after it.
pub fn tag(sysroot: &Path, config: &Path) -> HostTag {
    let root = crate::discover::display(sysroot);
    let sysroot = crate::discover::detect_sysroot(config);
    let sysroot = sysroot.as_path();
    if let Some(prefix) = flat_prefix(config) {
        return HostTag {
            name: prefix.clone(),
            root,
            flat_prefix: Some(prefix),
        };
    }
    let under_etc = config
        .strip_prefix(sysroot)
        .ok()
        .and_then(|rel| rel.components().next())
        .is_some_and(|c| c.as_os_str() == "etc");
    let name = if under_etc || config.parent() != Some(sysroot) {
        folder_name(sysroot)
    } else {
        // `<host>/postfix/main.cf`: the daemon folder is not the host.
        let dir = config.parent().unwrap_or(Path::new(""));
        let is_daemon_dir = last_name(dir).is_some_and(|n| DAEMON_DIRS.contains(&n.as_str()));
        match dir.parent() {
            Some(up) if is_daemon_dir && last_name(up).is_some() => folder_name(up),
            _ => folder_name(dir),
        }
    };
    HostTag {
        name,
        root,
        flat_prefix: None,
    }
}

/// The host of a unit; `stdin` for text read from standard input.
pub fn of_unit(plan: &UnitPlan) -> HostTag {
    let (sysroot, config) = match plan {
        UnitPlan::Postfix {
            main,
            master,
            sysroot,
        } => match main.as_deref().or(master.as_deref()) {
            Some(c) => (sysroot.as_path(), c),
            None => (sysroot.as_path(), sysroot.as_path()),
        },
        UnitPlan::Squid { conf, sysroot }
        | UnitPlan::Dante { conf, sysroot }
        | UnitPlan::Sendmail { conf, sysroot, .. } => (sysroot.as_path(), conf.as_path()),
        UnitPlan::Stdin { .. } => {
            return HostTag {
                name: "stdin".into(),
                root: String::new(),
                flat_prefix: None,
            }
        }
    };
    tag(sysroot, config)
}

impl HostTag {
    /// `path` (as displayed in findings) relative to the host's root, with
    /// the flat dump prefix taken off the file name, so that `mx1-main.cf`
    /// and `mx2-main.cf` compare equal.
    pub fn relative(&self, path: &str) -> String {
        let rel = if self.root.is_empty() || self.root == "." {
            path.strip_prefix("./").unwrap_or(path)
        } else {
            path.strip_prefix(self.root.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(path)
        };
        let Some(prefix) = &self.flat_prefix else {
            return rel.to_string();
        };
        let (dir, file) = match rel.rfind('/') {
            Some(i) => (&rel[..=i], &rel[i + 1..]),
            None => ("", rel),
        };
        match file
            .strip_prefix(prefix.as_str())
            .and_then(|f| f.strip_prefix(['-', '_', '.']))
        {
            Some(base) => format!("{dir}{base}"),
            None => rel.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::detect_sysroot;

    fn name(file: &str) -> String {
        let p = Path::new(file);
        tag(&detect_sysroot(p), p).name
    }

    #[test]
    fn every_dump_shape_names_its_host() {
        assert_eq!(name("dump/mx1/etc/postfix/main.cf"), "mx1");
        assert_eq!(name("dump/proxy-7/etc/squid/squid.conf"), "proxy-7");
        assert_eq!(name("dump/mx2/postfix/main.cf"), "mx2");
        assert_eq!(name("dump/gw/sockd.conf"), "gw");
        assert_eq!(name("flat/mx3-main.cf"), "mx3");
        assert_eq!(name("flat/cache_a.squid.conf"), "cache_a");
        assert_eq!(name("flat/GW.sockd.conf"), "GW");
        assert_eq!(name("/srv/dump/edge/etc/danted.conf"), "edge");
        assert_eq!(name("/etc/squid/squid.conf"), "localhost");
        assert_eq!(name("d/\u{1b}[2Jx/etc/squid/squid.conf"), "\\x1b[2Jx");
        assert_eq!(name("flat/\u{1b}]0;x-main.cf"), "\\x1b]0;x");
        assert_eq!(name("flat/é-Main.cf"), "é");
        let under_root = tag(
            Path::new("dump/mx1"),
            Path::new("dump/mx2/etc/postfix/main.cf"),
        );
        assert_eq!(under_root.name, "mx2", "--root does not rename hosts");
    }

    #[test]
    fn paths_compare_across_hosts() {
        let a = tag(Path::new("d/mx1"), Path::new("d/mx1/etc/postfix/main.cf"));
        assert_eq!(
            a.relative("d/mx1/etc/postfix/main.cf"),
            "etc/postfix/main.cf"
        );
        let f = tag(Path::new("flat"), Path::new("flat/mx1-main.cf"));
        assert_eq!(f.relative("flat/mx1-main.cf"), "main.cf");
        assert_eq!(f.relative("flat/other.cidr"), "other.cidr");
        let g = tag(Path::new("flat"), Path::new("flat/mx2-main.cf"));
        assert_eq!(
            g.relative("flat/mx2-main.cf"),
            f.relative("flat/mx1-main.cf")
        );
    }
}
