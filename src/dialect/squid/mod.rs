//! Squid: `squid.conf` with its includes and acl files, evaluated per
//! `http_port` against the attacker.
//!
//! The pipeline inside: [`syntax`] makes logical lines and tokens,
//! [`include`] expands includes and conditionals, [`model`] builds acls,
//! access lists and listeners ([`acl`] parses values), [`evaluate`] walks
//! the lists for the attacker, [`rules`] report. This file only reaches the
//! file system for them, confined to the sysroot.

pub mod acl;
pub mod directives;
pub mod evaluate;
pub mod include;
pub mod model;
pub mod rules;
pub mod syntax;
pub mod time;

use crate::diagnostic::Diagnostic;
use crate::dialect::{read_into, read_source, Source};
use crate::load::{under_sysroot, Limits};
use crate::net::IpSet;
use crate::source::{FileId, SourceDb, Span};
use foldhash::{HashMap, HashMapExt};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The files of a unit.
pub struct Inputs<'p> {
    /// The main configuration file, or text read from stdin.
    pub conf: Source<'p>,
    /// The folder standing for `/` when the config names absolute paths.
    pub sysroot: &'p Path,
}

/// The configuration as one Squid process (kid) sees it.
pub struct KidView {
    /// `${process_number}`.
    pub kid: u32,
    /// Preprocessed lines.
    pub pre: include::Preprocessed,
    /// The configuration.
    pub config: model::Config,
    /// Listener verdicts (empty when Squid would not start).
    pub verdicts: Vec<evaluate::PortVerdict>,
}

/// Everything the rules look at.
pub struct Analysis<'a> {
    /// One view per kid that can differ (kid 0 first).
    pub kids: Vec<KidView>,
    /// The attacker's address space.
    pub attacker: &'a IpSet,
    /// The main file.
    pub main: FileId,
    /// The file texts.
    pub db: &'a SourceDb,
}

impl Analysis<'_> {
    /// The first view (kid 0, as `squid -k parse` sees it).
    pub fn primary(&self) -> Option<&KidView> {
        self.kids.first()
    }

    /// A span at the start of the main file.
    pub fn anchor(&self) -> Span {
        Span::new(self.main, 0..0)
    }
}

/// File access for one unit: paths Squid names map under the sysroot.
struct Fs<'a> {
    db: &'a mut SourceDb,
    diags: &'a mut Vec<Diagnostic>,
    sysroot: &'a Path,
    config_dir: PathBuf,
    limits: Limits,
    cache: HashMap<PathBuf, Option<FileId>>,
    files_read: usize,
    /// Files a glob matched whose names are not UTF-8: Squid's name for
    /// them (invalid bytes written `\xNN`) → the file under the sysroot.
    /// `glob(3)` returns such names like any other, so Squid reads them.
    raw_names: HashMap<String, PathBuf>,
}

impl<'a> Fs<'a> {
    /// Reading for one unit: relative names resolve from the sysroot, as
    /// from `/` for a Squid started by init or systemd.
    fn new(
        db: &'a mut SourceDb,
        diags: &'a mut Vec<Diagnostic>,
        sysroot: &'a Path,
        limits: Limits,
    ) -> Fs<'a> {
        Fs {
            db,
            diags,
            sysroot,
            config_dir: sysroot.to_path_buf(),
            limits,
            cache: HashMap::new(),
            files_read: 0,
            raw_names: HashMap::new(),
        }
    }
}

const MAX_FILES: usize = 4096;

impl Fs<'_> {
    fn host_path(&self, name: &str) -> Option<PathBuf> {
        if let Some(raw) = self.raw_names.get(name) {
            return Some(raw.clone());
        }
        under_sysroot(self.sysroot, &self.config_dir, name)
    }
}

/// A file name as text: UTF-8 as is, any other byte as `\xNN`, so that two
/// names differing in invalid bytes stay two names.
fn escaped_name(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// `fnmatch` without flags: `*`, `?` and `[...]` (a leading `.` must be
/// matched literally, as `glob(3)` does).
fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pattern.first() != Some(&b'.') {
        return false;
    }
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                n += 1;
                continue;
            }
            Some(b'[') => {
                if let Some((matched, len)) = class(&pattern[p..], name[n]) {
                    if matched {
                        p += len;
                        n += 1;
                        continue;
                    }
                } else if name[n] == b'[' {
                    p += 1;
                    n += 1;
                    continue;
                }
            }
            Some(c) if *c == name[n] => {
                p += 1;
                n += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, sn)) => {
                p = sp + 1;
                n = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|c| *c == b'*')
}

/// Matches a `[...]` class at the start of `pat`: (matched, class length).
fn class(pat: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pat.get(1), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while let Some(&b) = pat.get(i) {
        if b == b']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if pat.get(i + 1) == Some(&b'-') && pat.get(i + 2).is_some_and(|e| *e != b']') {
            let e = pat.get(i + 2).copied().unwrap_or(b);
            if b <= c && c <= e {
                hit = true;
            }
            i += 3;
        } else {
            if b == c {
                hit = true;
            }
            i += 1;
        }
    }
    None
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

impl include::FileAccess for Fs<'_> {
    fn glob(&mut self, pattern: &str) -> Vec<String> {
        if !has_wildcard(pattern) {
            return match self.host_path(pattern) {
                Some(p) if p.exists() => vec![pattern.to_string()],
                // A name that leaves the root: `read` reports it (RL005) at
                // the include that names it, rather than "matches no file".
                None => vec![pattern.to_string()],
                Some(_) => Vec::new(),
            };
        }
        // Expand component by component, keeping Squid's view of each name.
        let absolute = pattern.starts_with('/');
        let mut found: Vec<String> = vec![if absolute { "/".into() } else { String::new() }];
        for comp in pattern.split('/').filter(|c| !c.is_empty()) {
            let mut next = Vec::new();
            for base in &found {
                let joined = |n: &str| {
                    if base.is_empty() || base.ends_with('/') {
                        format!("{base}{n}")
                    } else {
                        format!("{base}/{n}")
                    }
                };
                if !has_wildcard(comp) {
                    next.push(joined(comp));
                    continue;
                }
                let dir = if base.is_empty() { "." } else { base.as_str() };
                let Some(host) = self.host_path(dir) else {
                    continue;
                };
                let Ok(rd) = std::fs::read_dir(&host) else {
                    continue;
                };
                let mut names: Vec<std::ffi::OsString> = rd
                    .filter_map(Result::ok)
                    .map(|e| e.file_name())
                    .filter(|n| wildcard(comp.as_bytes(), n.as_bytes()))
                    .collect();
                // glob(3) sorts bytewise in the C locale.
                names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
                for n in names {
                    match n.to_str() {
                        Some(utf8) => next.push(joined(utf8)),
                        None => {
                            let shown = joined(&escaped_name(n.as_bytes()));
                            self.raw_names.insert(shown.clone(), host.join(&n));
                            next.push(shown);
                        }
                    }
                }
                if next.len() > MAX_FILES {
                    break;
                }
            }
            found = next;
        }
        found.retain(|n| self.host_path(n).is_some_and(|p| p.exists()));
        found
    }

    fn read(&mut self, name: &str, named_at: Span) -> Option<FileId> {
        let Some(path) = self.host_path(name) else {
            self.diags.push(Diagnostic::new(
                "RL005",
                format!("`{name}` leads outside the scanned root"),
                named_at,
                "named here",
            ));
            return None;
        };
        if let Some(hit) = self.cache.get(&path) {
            return *hit;
        }
        if self.files_read >= MAX_FILES {
            return None;
        }
        self.files_read += 1;
        let id = read_into(self.db, self.diags, &path, self.sysroot, self.limits);
        self.cache.insert(path, id);
        id
    }

    fn text(&self, id: FileId) -> &str {
        self.db.text(id)
    }

    fn over_limit(&self) -> bool {
        self.files_read >= MAX_FILES
    }
}

/// Squid evaluates at most this many kids for kid-dependent configs.
const MAX_KIDS: u32 = 8;

/// Analyses one unit: returns its files and findings.
pub fn analyse(inputs: &Inputs, limits: Limits, attacker: &IpSet) -> (SourceDb, Vec<Diagnostic>) {
    let (db, diags, _) = analyse_with_view(inputs, limits, attacker);
    (db, diags)
}

/// [`analyse`], also returning the [`HostView`] for the host pass
/// ([`outgoing_sources`], [`local_connect`]) from the same reading.
pub fn analyse_with_view(
    inputs: &Inputs,
    limits: Limits,
    attacker: &IpSet,
) -> (SourceDb, Vec<Diagnostic>, HostView) {
    let mut db = SourceDb::new();
    let mut diags = Vec::new();
    let Some(main) = read_source(&mut db, &mut diags, &inputs.conf, inputs.sysroot, limits) else {
        return (db, diags, HostView::default());
    };
    let mut outgoing = Vec::new();
    let mut starts = false;
    let mut kids = Vec::new();
    {
        let mut fs = Fs::new(&mut db, &mut diags, inputs.sysroot, limits);
        let mut kid = 0u32;
        let mut last_kid = 0u32;
        while kid <= last_kid {
            let macros = syntax::Macros {
                service_name: "squid".into(),
                process_number: kid,
            };
            let mut pre = include::preprocess(main, &mut fs, &macros);
            let mut config = model::build(&pre.directives, &mut fs);
            if kid == 0 {
                // The host pass judges Squid by its own errors, before
                // relaylint's limits below set them aside.
                outgoing = outgoing_lines(&pre);
                starts = pre.fatal.is_empty() && config.fatal.is_empty();
            }
            // Past relaylint's own limits the configuration is incomplete:
            // what failed to load says nothing about Squid, so no verdict.
            let incomplete = pre.incomplete.or(if include::FileAccess::over_limit(&fs) {
                Some(Span::new(main, 0..0))
            } else {
                None
            });
            if let Some(at) = incomplete {
                pre.fatal.clear();
                config.fatal.clear();
                if kid == 0 {
                    fs.diags.push(Diagnostic::new(
                        "RL002",
                        format!(
                            "relaylint stopped reading this configuration after {} files ({} included-file expansions): Squid would read on, so relaylint gives no verdict for it",
                            fs.files_read,
                            pre.included.len()
                        ),
                        at,
                        "the include where relaylint stopped",
                    ));
                }
            }
            if kid == 0 && pre.kid_dependent {
                let workers = config
                    .settings
                    .get("workers")
                    .and_then(|s| s.value.parse::<u32>().ok())
                    .unwrap_or(1);
                last_kid = workers.clamp(1, MAX_KIDS);
            }
            let verdicts =
                if incomplete.is_none() && pre.fatal.is_empty() && config.fatal.is_empty() {
                    evaluate::evaluate(&config, attacker)
                } else {
                    Vec::new()
                };
            kids.push(KidView {
                kid,
                pre,
                config,
                verdicts,
            });
            kid += 1;
        }
    }
    let analysis = Analysis {
        kids,
        attacker,
        main,
        db: &db,
    };
    rules::run(&analysis, &mut diags);
    let Analysis { kids, .. } = analysis;
    let view = HostView {
        outgoing,
        config: kids.into_iter().next().map(|k| k.config).filter(|_| starts),
    };
    (db, diags, view)
}

/// Squid's kid-0 configuration, read once for the host-level questions.
#[derive(Default)]
pub struct HostView {
    /// `tcp_outgoing_address` lines in order: the address, and whether the
    /// line has acls (it may or may not apply).
    outgoing: Vec<(std::net::IpAddr, bool)>,
    /// The configuration, unless Squid would not start.
    config: Option<model::Config>,
}

/// The `tcp_outgoing_address` lines: the address, and whether the line
/// has acls.
fn outgoing_lines(pre: &include::Preprocessed) -> Vec<(std::net::IpAddr, bool)> {
    pre.directives
        .iter()
        .filter(|d| d.name == "tcp_outgoing_address")
        .filter_map(|d| {
            let mut words = d
                .line
                .text
                .get(d.args_at..)
                .unwrap_or("")
                .split_whitespace();
            let addr = words.next()?.parse::<std::net::IpAddr>().ok()?;
            Some((addr, words.next().is_some()))
        })
        .collect()
}

/// The addresses Squid's connection to `dest` may leave from, as the mail
/// server on the host sees them: `dest` itself (the kernel's choice for an
/// address of the host) unless `tcp_outgoing_address` binds another. Lines
/// of the other address family are skipped, as Squid does; a line with acls
/// may or may not apply, so every candidate up to the first line without
/// acls is returned (a verdict must hold for all of them).
pub fn outgoing_sources(view: &HostView, dest: std::net::IpAddr) -> Vec<std::net::IpAddr> {
    let mut out = Vec::new();
    for (addr, has_acls) in &view.outgoing {
        if addr.is_ipv4() != dest.is_ipv4() {
            continue;
        }
        out.push(*addr);
        if !has_acls {
            return out;
        }
    }
    out.push(dest);
    out
}

/// A way through Squid to a port on the host itself.
pub struct LoopbackReach<'v> {
    /// The configuration (kid 0), for the witness's acls and lines.
    pub config: &'v model::Config,
    /// Index into [`model::Config::ports`]: the listener the attacker uses.
    pub port: usize,
    /// The request that gets through.
    pub witness: evaluate::Witness,
}

/// Asks the host-level question: can a client in `attacker` open a CONNECT
/// tunnel through this Squid to `port` on `dest`, an address of the host
/// (loopback is also tried as `localhost`)? `None` also when Squid would
/// not start.
pub fn local_connect<'v>(
    view: &'v HostView,
    attacker: &IpSet,
    dest: std::net::IpAddr,
    port: u16,
) -> Option<LoopbackReach<'v>> {
    let config = view.config.as_ref()?;
    let mut targets = vec![(dest.to_string(), dest)];
    if dest.is_loopback() {
        targets.push(("localhost".to_string(), dest));
    }
    let verdicts = evaluate::evaluate_targets(
        config,
        attacker,
        &[evaluate::Kind::Connect25],
        &targets,
        Some(u32::from(port)),
    );
    let (port, witness) = verdicts
        .into_iter()
        .find_map(|v| Some((v.port, v.open.into_iter().next()?)))?;
    Some(LoopbackReach {
        config,
        port,
        witness,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_names_keep_invalid_bytes_apart() {
        assert_eq!(escaped_name(b"caf\xe9.conf"), "caf\\xe9.conf");
        assert_ne!(escaped_name(b"\xff.conf"), escaped_name(b"\xfe.conf"));
        assert_eq!(escaped_name("é.conf".as_bytes()), "é.conf");
        assert_eq!(escaped_name(b"\xe9"), "\\xe9");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard(b"*.conf", b"a.conf"));
        assert!(!wildcard(b"*.conf", b".hidden.conf"));
        assert!(!wildcard(b"*.conf", b"a.conf~"));
        assert!(wildcard(b"[ab]?.c*", b"bx.conf"));
        assert!(!wildcard(b"[!ab]*", b"apple"));
    }
}
