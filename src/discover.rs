//! Finding the files to analyse and grouping them into units.
//!
//! Walks the inputs ([`crate::walk`]: symlinked directories are not followed,
//! so symlink loops cannot make it spin), tells each file's dialect, and groups
//! the files a daemon reads together into [`UnitPlan`]s. Problems found on
//! the way (special files, unreadable folders, explicit files of unknown
//! dialect) are returned as [`FileProblem`]s; nothing here stops the scan.

use crate::classify;
use crate::dialect::kind::Dialect;
use crate::load::{special_kind, LoadError};
use crate::walk;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One thing to analyse.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnitPlan {
    /// A Postfix instance: `main.cf` and/or `master.cf` of one folder.
    Postfix {
        /// `main.cf` (or a dump recognised as one).
        main: Option<PathBuf>,
        /// `master.cf`.
        master: Option<PathBuf>,
        /// The folder that stands for `/` when configs name absolute paths.
        sysroot: PathBuf,
    },
    /// A Squid instance: `squid.conf` (its includes and acl files are read
    /// from it).
    Squid {
        /// `squid.conf`.
        conf: PathBuf,
        /// The folder that stands for `/`.
        sysroot: PathBuf,
    },
    /// A Dante server: `sockd.conf` / `danted.conf`.
    Dante {
        /// The configuration file.
        conf: PathBuf,
        /// The folder that stands for `/`.
        sysroot: PathBuf,
    },
    /// A Sendmail daemon: `sendmail.cf` (what runs) or, without one,
    /// `sendmail.mc`; the access map and class files are read from it.
    Sendmail {
        /// The configuration file.
        conf: PathBuf,
        /// `.mc`, `.cf` or an access map.
        dialect: Dialect,
        /// The folder that stands for `/`.
        sysroot: PathBuf,
    },
    /// Text read from standard input.
    Stdin {
        /// The dialect given with `--dialect`.
        dialect: Dialect,
        /// The text.
        text: String,
    },
}

/// A file problem met while discovering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The path as the user would write it.
    pub path: String,
    /// RL code.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

impl FileProblem {
    /// `path` was not opened, for `why`.
    fn skipped(path: &Path, why: &LoadError) -> FileProblem {
        FileProblem {
            path: display(path),
            code: why.code(),
            message: format!("`{}` was skipped: {}", display(path), why.describe()),
        }
    }
}

/// Everything discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Units, sorted.
    pub units: Vec<UnitPlan>,
    /// Problems, in walk order.
    pub problems: Vec<FileProblem>,
}

/// What the caller asked for.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// `--dialect`: applies to explicitly named files.
    pub dialect: Option<Dialect>,
    /// `--root`: the sysroot for every unit.
    pub root: Option<PathBuf>,
    /// `exclude` and `[dialects]` of relaylint.toml.
    pub paths: crate::config_file::PathRules,
}

/// An input path that cannot be scanned at all (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The path does not exist or cannot be read.
    #[error("{path}: {reason}")]
    Unreadable {
        /// As given.
        path: String,
        /// Why.
        reason: String,
    },
    /// `-` without `--dialect`.
    #[error("reading standard input needs --dialect")]
    StdinNeedsDialect,
}

/// `ELOOP` on Linux: too many levels of symbolic links.
pub const ELOOP: i32 = 40;

struct Found {
    path: PathBuf,
    dialect: Dialect,
    /// Told by the file name (or named explicitly), not by sniffing its text.
    named: bool,
}

/// The path as users read it; bytes that are not UTF-8 are shown as `\xNN`
/// so that two different names never look the same.
pub fn display(p: &Path) -> String {
    match p.to_str() {
        Some(s) if !s.chars().any(char::is_control) => s.to_string(),
        Some(s) => s
            .chars()
            .map(|c| {
                if c.is_control() {
                    format!("\\x{:02x}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
        None => {
            use std::os::unix::ffi::OsStrExt;
            let mut out = String::new();
            for chunk in p.as_os_str().as_bytes().utf8_chunks() {
                out.push_str(chunk.valid());
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            out
        }
    }
}

fn sniff(path: &Path) -> Option<Dialect> {
    let mut buf = Vec::with_capacity(classify::SNIFF_BYTES);
    fs::File::open(path)
        .ok()?
        .take(classify::SNIFF_BYTES as u64)
        .read_to_end(&mut buf)
        .ok()?;
    if buf.contains(&0) {
        return None;
    }
    // Checked as UTF-8 first: the lossy conversion is slower on the valid
    // text nearly every file holds.
    match std::str::from_utf8(&buf) {
        Ok(text) => classify::by_content(text),
        Err(_) => classify::by_content(&String::from_utf8_lossy(&buf)),
    }
}

/// The folder standing for `/` for a file: the parent of the nearest `etc`
/// folder above it, else the file's own folder.
pub fn detect_sysroot(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new(""));
    for anc in dir.ancestors() {
        if anc.file_name().is_some_and(|n| n == "etc") {
            let root = anc.parent().unwrap_or(Path::new(""));
            return if root.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                root.to_path_buf()
            };
        }
    }
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

/// Walks `inputs` and plans the units.
pub fn discover(
    inputs: &[PathBuf],
    opts: &DiscoverOptions,
    stdin: Option<String>,
) -> Result<Discovery, InputError> {
    let mut out = Discovery::default();
    let mut found: Vec<Found> = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            let dialect = opts.dialect.ok_or(InputError::StdinNeedsDialect)?;
            out.units.push(UnitPlan::Stdin {
                dialect,
                text: stdin.clone().unwrap_or_default(),
            });
            continue;
        }
        let meta = fs::metadata(input).map_err(|e| InputError::Unreadable {
            path: display(input),
            reason: e.to_string(),
        })?;
        // An explicit file that cannot be opened is a usage error (exit 2);
        // FIFOs are never opened.
        if meta.is_file() {
            if let Err(e) = fs::File::open(input) {
                return Err(InputError::Unreadable {
                    path: display(input),
                    reason: e.to_string(),
                });
            }
        }
        if meta.is_dir() {
            walk_dir(input, &opts.paths, &mut found, &mut out.problems)?;
        } else if opts.paths.excluded(input) {
            continue;
        } else {
            explicit_file(input, &meta, opts, &mut found, &mut out.problems);
        }
    }
    out.units.extend(group(found, opts));
    out.units.sort();
    out.units.dedup();
    Ok(out)
}

fn explicit_file(
    input: &Path,
    meta: &fs::Metadata,
    opts: &DiscoverOptions,
    found: &mut Vec<Found>,
    problems: &mut Vec<FileProblem>,
) {
    if let Some(kind) = special_kind(meta) {
        problems.push(FileProblem::skipped(input, &LoadError::Special { kind }));
        return;
    }
    let name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dialect = opts
        .dialect
        .or_else(|| opts.paths.dialect(input))
        .or_else(|| classify::by_name(&name))
        .or_else(|| sniff(input));
    match dialect {
        Some(d) if d.is_analysed() => found.push(Found {
            path: input.to_path_buf(),
            dialect: d,
            named: true,
        }),
        Some(d) => problems.push(FileProblem {
            path: display(input),
            code: "RL008",
            message: format!(
                "`{}` looks like a `{}` file, which this version of relaylint does not analyse",
                display(input),
                d.name()
            ),
        }),
        None => problems.push(FileProblem {
            path: display(input),
            code: "RL008",
            message: format!("cannot tell the dialect of `{}`", display(input)),
        }),
    }
}

/// What one part of a walk found, in walk order.
#[derive(Default)]
struct WalkPart {
    found: Vec<Found>,
    problems: Vec<FileProblem>,
}

impl WalkPart {
    fn append(&mut self, mut other: WalkPart) {
        self.found.append(&mut other.found);
        self.problems.append(&mut other.problems);
    }
}

/// The entries directly inside `root`, sorted by file name (the root itself
/// first), without the excluded ones.
fn top_entries(root: &Path, rules: &crate::config_file::PathRules) -> Vec<TopEntry> {
    // Listed with `read_dir`: a walk limited to depth 1 still opens and
    // sorts every folder it yields, which each folder's own walk does again.
    let listed: Option<Vec<fs::DirEntry>> = fs::read_dir(root)
        .ok()
        .and_then(|dir| dir.collect::<Result<Vec<_>, _>>().ok());
    let Some(mut listed) = listed else {
        // The walk reports what could not be read.
        let keep = |e: &walk::Entry| keep(e, rules);
        let mut items = walk::walk(root, &keep);
        items.retain(|e| !matches!(e, Ok(e) if e.depth == 0));
        items.sort_by_cached_key(|item| walk_order_key(item_path(item)));
        return items.into_iter().map(TopEntry::Walked).collect();
    };
    listed.sort_by_cached_key(fs::DirEntry::file_name);
    listed
        .into_iter()
        .filter_map(|e| {
            let path = e.path();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if !kept(&path, is_dir, rules) {
                return None;
            }
            if is_dir {
                return Some(TopEntry::Folder(path));
            }
            // Not a folder (a symlink is not followed): its type is what
            // the listing said.
            Some(TopEntry::Single(match e.file_type() {
                Ok(file_type) => Ok(walk::Entry {
                    path,
                    file_type,
                    depth: 0,
                }),
                Err(_) => walk::Entry::of_path(&path, 0),
            }))
        })
        .collect()
}

/// The path of a walk item, an entry's or an error's.
fn item_path(item: &walk::Item) -> &Path {
    match item {
        Ok(e) => &e.path,
        Err(err) => &err.path,
    }
}

/// A top-level entry of a folder scan.
enum TopEntry {
    /// A folder, walked (and opened) once, by [`walk_entry`].
    Folder(PathBuf),
    /// Anything else, as a walk of it alone gives it (depth 0).
    Single(walk::Item),
    /// As a walk of the parent gives it (depth 1), when the parent could
    /// not be listed.
    Walked(walk::Item),
}

impl TopEntry {
    /// The key that orders entries as their items sort: a folder's items
    /// all start with `ROOT/NAME/`, a file's key is `ROOT/NAME`.
    fn report_key(&self) -> String {
        match self {
            TopEntry::Folder(path) => format!("{}/", display(path)),
            TopEntry::Single(Ok(e)) | TopEntry::Walked(Ok(e)) if e.file_type.is_dir() => {
                format!("{}/", display(&e.path))
            }
            TopEntry::Single(Ok(e)) | TopEntry::Walked(Ok(e)) => display(&e.path),
            TopEntry::Single(Err(err)) | TopEntry::Walked(Err(err)) => display(&err.path),
        }
    }

    /// A file whose name makes its folder a daemon's (see [`DaemonFolders`]).
    fn is_daemon_marker(&self) -> bool {
        match self {
            TopEntry::Single(Ok(e)) | TopEntry::Walked(Ok(e)) => {
                !e.file_type.is_dir() && DaemonFolders::is_marker(e.file_name())
            }
            _ => false,
        }
    }
}

/// The walk's filter (the walk's root is never asked): anything but `.git`,
/// what relaylint.toml excludes and the folders of other software in an
/// `etc`.
fn keep(e: &walk::Entry, rules: &crate::config_file::PathRules) -> bool {
    kept(&e.path, e.file_type.is_dir(), rules)
}

/// [`keep`] for a path below the root, and whether it is a folder.
fn kept(path: &Path, is_dir: bool, rules: &crate::config_file::PathRules) -> bool {
    path.file_name().is_none_or(|n| n != ".git")
        && !rules.excluded(path)
        && !(is_dir && is_other_software_folder(path, rules))
}

/// A folder of other software right inside an `etc` folder (see
/// [`classify::is_other_software_folder`]); never when relaylint.toml maps
/// paths to dialects, which may point inside one.
fn is_other_software_folder(path: &Path, rules: &crate::config_file::PathRules) -> bool {
    !rules.names_dialects()
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|parent| parent == "etc")
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(classify::is_other_software_folder)
}

/// One top-level entry of a walk of `root`, and everything below it when it
/// is a folder.
///
/// `in_daemon_folder`: `root` itself is a daemon's folder (see
/// [`DaemonFolders`]).
fn walk_entry(
    entry: TopEntry,
    root: &Path,
    in_daemon_folder: bool,
    rules: &crate::config_file::PathRules,
) -> WalkPart {
    let mut part = WalkPart::default();
    let mut daemon_folders = DaemonFolders::default();
    if in_daemon_folder {
        daemon_folders.0.push(root.to_path_buf());
    }
    match entry {
        TopEntry::Single(e) => visit(e, 1, root, rules, &daemon_folders, &mut part),
        TopEntry::Walked(e) => visit(e, 0, root, rules, &daemon_folders, &mut part),
        TopEntry::Folder(folder) => {
            // Listed whole before any file is sniffed: whether a folder is
            // a daemon's depends on its other entries.
            let keep = |e: &walk::Entry| keep(e, rules);
            let mut below = walk::walk(&folder, &keep);
            // In the order of a walk with each folder's entries sorted by
            // name, with one key per entry.
            below.sort_by_cached_key(|item| walk_order_key(item_path(item)));
            daemon_folders.note(below.iter().filter_map(|e| e.as_ref().ok()));
            // The folder itself comes first, at depth 0: one below `root`.
            for entry in below {
                visit(entry, 1, root, rules, &daemon_folders, &mut part);
            }
        }
    }
    part
}

/// A key that sorts paths as a depth-first walk with sorted folders visits
/// them: a folder right before its contents, names compared byte by byte.
/// The separator becomes the lowest byte, which no name holds, so that
/// `a/b/x` sorts before `a/b-z` (as `b` before `b-z`).
fn walk_order_key(path: &Path) -> Vec<u8> {
    path.as_os_str()
        .as_encoded_bytes()
        .iter()
        .map(|&b| {
            if std::path::is_separator(char::from(b)) {
                0
            } else {
                b
            }
        })
        .collect()
}

/// The folders of a walk where a daemon reads only files of its own names:
/// Postfix's configuration folder (it holds `main.cf` or `master.cf`),
/// Squid's (`squid.conf`), Sendmail's (`sendmail.cf`, `sendmail.mc`). The
/// other files there and below are that daemon's lookup tables, includes,
/// m4 sources and notes, never a configuration the daemon runs, so their
/// content is not sniffed (a config that names one still reads it). Most
/// of a dump's sniffing went to such files, each opened twice (once here,
/// once when the unit read it).
#[derive(Default)]
struct DaemonFolders(Vec<PathBuf>);

impl DaemonFolders {
    fn is_marker(name: &std::ffi::OsStr) -> bool {
        matches!(
            name.to_str(),
            Some("main.cf" | "master.cf" | "squid.conf" | "sendmail.cf" | "sendmail.mc")
        )
    }

    fn note<'e>(&mut self, entries: impl Iterator<Item = &'e walk::Entry>) {
        for e in entries {
            if !e.file_type.is_dir() && Self::is_marker(e.file_name()) {
                if let Some(dir) = e.path.parent() {
                    if !self.0.iter().any(|d| d == dir) {
                        self.0.push(dir.to_path_buf());
                    }
                }
            }
        }
    }

    /// True when `path` lies inside one of the folders.
    fn holds(&self, path: &Path) -> bool {
        self.0.iter().any(|d| path.starts_with(d))
    }
}

/// Walks `root`: its own entries in file-name order, each top-level folder
/// walked on its own worker (most of the time goes to opening files to
/// sniff them), the parts joined back in walk order, so the result is the
/// same as one sorted walk's.
fn walk_dir(
    root: &Path,
    rules: &crate::config_file::PathRules,
    found: &mut Vec<Found>,
    problems: &mut Vec<FileProblem>,
) -> Result<(), InputError> {
    use rayon::prelude::*;
    let entries = top_entries(root, rules);
    let in_daemon_folder = entries.iter().any(TopEntry::is_daemon_marker);
    let parts: Vec<WalkPart> = entries
        .into_par_iter()
        .map(|entry| walk_entry(entry, root, in_daemon_folder, rules))
        .collect();
    let mut all = WalkPart::default();
    for part in parts {
        all.append(part);
    }
    found.append(&mut all.found);
    problems.append(&mut all.problems);
    Ok(())
}

/// How a scan is divided (see [`plan`]).
pub enum Plan {
    /// Everything, discovered at once.
    Whole(Discovery),
    /// The top-level entries of one folder, each discovered on its own.
    Parts(Parts),
}

/// The top-level entries of a folder whose hosts lie each inside one of
/// them, in report order: the units and problems of an entry all sort
/// after those of the entries before it.
pub struct Parts {
    root: PathBuf,
    entries: Vec<Option<TopEntry>>,
}

impl Parts {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the folder is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Discovers the entries in `range` (in parallel; each only once):
    /// their units (each entry's sorted, in entry order) and problems.
    pub fn discover(&mut self, range: std::ops::Range<usize>, opts: &DiscoverOptions) -> Discovery {
        use rayon::prelude::*;
        let root = &self.root;
        let taken: Vec<TopEntry> = self
            .entries
            .get_mut(range)
            .into_iter()
            .flatten()
            .filter_map(Option::take)
            .collect();
        let parts: Vec<Discovery> = taken
            .into_par_iter()
            .map(|entry| {
                // No config file lies directly in `root` (see `parts_of`).
                let part = walk_entry(entry, root, false, &opts.paths);
                let mut units = group(part.found, opts);
                units.sort();
                units.dedup();
                Discovery {
                    units,
                    problems: part.problems,
                }
            })
            .collect();
        let mut all = Discovery::default();
        for mut part in parts {
            all.units.append(&mut part.units);
            all.problems.append(&mut part.problems);
        }
        all
    }
}

/// Plans the scan of `inputs`. A single folder is scanned one top-level
/// entry at a time when no unit can span two of them (so that memory does
/// not grow with the number of hosts in a dump): no `--root`, no `etc` in
/// the folder's own path or directly inside it, and no configuration file
/// directly inside it (those would share the folder as their host).
/// Everything else is discovered at once.
pub fn plan(
    inputs: &[PathBuf],
    opts: &DiscoverOptions,
    stdin: Option<String>,
) -> Result<Plan, InputError> {
    if let [input] = inputs {
        if let Some(parts) = parts_of(input, opts) {
            return Ok(Plan::Parts(parts));
        }
    }
    discover(inputs, opts, stdin).map(Plan::Whole)
}

fn parts_of(input: &Path, opts: &DiscoverOptions) -> Option<Parts> {
    if input.as_os_str() == "-"
        || opts.root.is_some()
        || input.components().any(|c| c.as_os_str() == "etc")
        || !fs::metadata(input).ok()?.is_dir()
    {
        return None;
    }
    let mut entries = Vec::new();
    for entry in top_entries(input, &opts.paths) {
        match &entry {
            TopEntry::Folder(path) => {
                if path.file_name().is_some_and(|n| n == "etc") {
                    return None;
                }
            }
            TopEntry::Single(Ok(e)) | TopEntry::Walked(Ok(e)) => {
                if e.file_type.is_dir() && e.file_name() == "etc" {
                    return None;
                }
                if !e.file_type.is_dir() {
                    let depth_offset = usize::from(matches!(entry, TopEntry::Single(_)));
                    let mut part = WalkPart::default();
                    let none = DaemonFolders::default();
                    visit(
                        Ok(e.clone()),
                        depth_offset,
                        input,
                        &opts.paths,
                        &none,
                        &mut part,
                    );
                    if !part.found.is_empty() {
                        return None;
                    }
                }
            }
            _ => {}
        }
        entries.push(entry);
    }
    // Report order: ordering the entries by their keys orders the whole
    // report as sorting every item's key would.
    entries.sort_by_cached_key(TopEntry::report_key);
    Some(Parts {
        root: input.to_path_buf(),
        entries: entries.into_iter().map(Some).collect(),
    })
}

/// Takes one walk entry (`depth_offset` added to its depth) into `part`.
fn visit(
    entry: walk::Item,
    depth_offset: usize,
    root: &Path,
    rules: &crate::config_file::PathRules,
    daemon_folders: &DaemonFolders,
    part: &mut WalkPart,
) {
    let found = &mut part.found;
    let problems = &mut part.problems;
    let entry = match entry {
        Ok(e) => e,
        Err(err) => {
            let path = display(&err.path);
            let reason = err.error.to_string();
            problems.push(FileProblem {
                code: "RL002",
                message: format!("`{path}` could not be read: {reason}"),
                path,
            });
            return;
        }
    };
    let ft = entry.file_type;
    if ft.is_dir() {
        // A folder where a config file belongs is worth saying.
        let name = entry.file_name().to_string_lossy();
        if entry.depth + depth_offset > 0
            && classify::by_name(&name).is_some_and(|d| d.is_analysed())
        {
            problems.push(FileProblem {
                path: display(&entry.path),
                code: "RL002",
                message: format!(
                    "`{}` could not be read: {}",
                    display(&entry.path),
                    LoadError::IsDirectory.describe()
                ),
            });
        }
        return;
    }
    let path = entry.path.as_path();
    let name = entry.file_name().to_string_lossy().into_owned();
    if classify::is_inactive_copy(&name) {
        return;
    }
    if ft.is_symlink() {
        // Only symlinks to files are candidates; reading them later
        // checks that they stay inside the root.
        match fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(m) => {
                // A symlink to a device or FIFO named like a config: never opened.
                if classify::by_name(&name).is_some_and(|d| d.is_analysed()) {
                    let why = match crate::load::confine(path, root) {
                        Err(e) => e,
                        Ok(_) => special_kind(&m)
                            .map(|kind| LoadError::Special { kind })
                            .unwrap_or(LoadError::IsDirectory),
                    };
                    problems.push(FileProblem::skipped(path, &why));
                }
                return;
            }
            Err(e) if e.raw_os_error() == Some(ELOOP) => {
                problems.push(FileProblem {
                    path: display(path),
                    code: "RL002",
                    message: format!("`{}` could not be read: symlink loop", display(path)),
                });
                return;
            }
            _ => return,
        }
    } else if !ft.is_file() {
        if let Ok(meta) = entry.metadata() {
            if let Some(kind) = special_kind(&meta) {
                problems.push(FileProblem::skipped(path, &LoadError::Special { kind }));
            }
        }
        return;
    }
    let by_name = rules.dialect(path).or_else(|| classify::by_name(&name));
    let named = by_name.is_some();
    let dialect = by_name.or_else(|| {
        if ft.is_file() && !classify::is_other_software(&name) && !daemon_folders.holds(path) {
            sniff(path)
        } else {
            None
        }
    });
    if let Some(d) = dialect.filter(|d| d.is_analysed()) {
        found.push(Found {
            path: path.to_path_buf(),
            dialect: d,
            named,
        });
    }
}

/// `submit.mc` / `submit.cf`: the mail submission program's configuration.
/// It runs for local `sendmail` commands and opens no listener.
fn is_msp(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "submit.mc" || n == "submit.cf")
}

fn split_prefix(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    for suffix in ["main.cf", "master.cf"] {
        if let Some(p) = lower.strip_suffix(suffix) {
            return p.trim_end_matches(['-', '_', '.']).to_string();
        }
    }
    String::new()
}

fn group(found: Vec<Found>, opts: &DiscoverOptions) -> Vec<UnitPlan> {
    type Key = (PathBuf, String);
    let mut mains: BTreeMap<Key, Vec<PathBuf>> = BTreeMap::new();
    let mut masters: BTreeMap<Key, PathBuf> = BTreeMap::new();
    let sysroot_of = |p: &Path| opts.root.clone().unwrap_or_else(|| detect_sysroot(p));
    let mut units = Vec::new();
    // A file that only looks like squid.conf inside the folder of a named
    // squid.conf is one of its includes (`conf.d/*.conf`): Squid reads it
    // as part of that unit, not on its own.
    let squid_dirs: Vec<PathBuf> = found
        .iter()
        .filter(|f| f.dialect == Dialect::Squid && f.named)
        .filter_map(|f| f.path.parent().map(Path::to_path_buf))
        .collect();
    for f in found {
        match f.dialect {
            Dialect::Squid => {
                if f.named || !squid_dirs.iter().any(|d| f.path.starts_with(d)) {
                    units.push(UnitPlan::Squid {
                        sysroot: sysroot_of(&f.path),
                        conf: f.path,
                    });
                }
                continue;
            }
            Dialect::Dante => {
                units.push(UnitPlan::Dante {
                    sysroot: sysroot_of(&f.path),
                    conf: f.path,
                });
                continue;
            }
            Dialect::SendmailMc | Dialect::SendmailCf | Dialect::SendmailAccess => {
                if f.named && is_msp(&f.path) {
                    continue;
                }
                // The daemon runs sendmail.cf; its .mc beside it is the
                // source, not a second daemon.
                if f.dialect == Dialect::SendmailMc
                    && f.path.file_name().is_some_and(|n| n == "sendmail.mc")
                    && f.path.with_file_name("sendmail.cf").is_file()
                {
                    continue;
                }
                units.push(UnitPlan::Sendmail {
                    sysroot: sysroot_of(&f.path),
                    dialect: f.dialect,
                    conf: f.path,
                });
                continue;
            }
            _ => {}
        }
        let dir = f.path.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let key = (dir, split_prefix(&name));
        match f.dialect {
            Dialect::PostfixMain => mains.entry(key).or_default().push(f.path),
            Dialect::PostfixMaster => {
                masters.insert(key, f.path);
            }
            _ => {}
        }
    }
    for (key, list) in mains {
        let mut master = masters.remove(&key);
        for main in list {
            units.push(UnitPlan::Postfix {
                sysroot: sysroot_of(&main),
                main: Some(main),
                master: master.take(),
            });
        }
    }
    for (_, master) in masters {
        units.push(UnitPlan::Postfix {
            sysroot: sysroot_of(&master),
            main: None,
            master: Some(master),
        });
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysroot_is_the_folder_holding_etc() {
        assert_eq!(
            detect_sysroot(Path::new("dump/h1/etc/postfix/main.cf")),
            PathBuf::from("dump/h1")
        );
        assert_eq!(
            detect_sysroot(Path::new("etc/postfix/main.cf")),
            PathBuf::from(".")
        );
        assert_eq!(
            detect_sysroot(Path::new("flat/h1-main.cf")),
            PathBuf::from("flat")
        );
    }

    /// Sorting an unsorted walk by `walk_order_key` gives the order of a
    /// walk that sorts every folder by name, on names that sort before and
    /// after the separator and a folder's contents.
    #[test]
    fn walk_order_key_orders_as_a_sorted_walk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let names = [
            "b/x", "b/a/z", "b-z", "b.x", "b0", "B", "a b", "a", "ba/c", "b/x-y/q", "b/x.y", "c",
            "~", "!",
        ];
        for n in names {
            let p = dir.path().join(n);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            if !p.exists() {
                fs::write(&p, "").expect("write");
            }
        }
        let sorted: Vec<PathBuf> = walkdir::WalkDir::new(dir.path())
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.expect("entry").into_path())
            .collect();
        let mut keyed: Vec<PathBuf> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .map(|e| e.expect("entry").into_path())
            .collect();
        keyed.sort_by_cached_key(|p| walk_order_key(p));
        assert_eq!(keyed, sorted);
        assert!(sorted.len() > names.len());
    }

    #[test]
    fn prefixes_pair_flat_dumps() {
        assert_eq!(split_prefix("mx1-main.cf"), "mx1");
        assert_eq!(split_prefix("mx1-master.cf"), "mx1");
        assert_eq!(split_prefix("main.cf"), "");
    }
}
