//! Walking a folder tree for discovery.
//!
//! Symlinks are never followed (so a symlink loop cannot make a walk spin)
//! and a folder is entered only when the caller's filter keeps it, decided
//! before the folder is opened: a dump of many `/etc` trees is mostly
//! folders relaylint has no reason to list, and opening one costs as much as
//! listing it. The order of the entries is the order the system lists them
//! in; callers that need a stable order sort them.

use std::ffi::OsStr;
use std::fs::{self, FileType};
use std::io;
use std::path::{Path, PathBuf};

/// A file, folder, symlink or special file met by a walk.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its path: the walk's root joined with the names below it.
    pub path: PathBuf,
    /// Its own type (a symlink is a symlink, not what it points to).
    pub file_type: FileType,
    /// 0 for the walk's root, 1 for the root's entries, and so on.
    pub depth: usize,
}

impl Entry {
    /// The entry for `path` itself, at `depth`.
    pub fn of_path(path: &Path, depth: usize) -> Result<Entry, Error> {
        match fs::symlink_metadata(path) {
            Ok(meta) => Ok(Entry {
                path: path.to_path_buf(),
                file_type: meta.file_type(),
                depth,
            }),
            Err(error) => Err(Error {
                path: path.to_path_buf(),
                error,
            }),
        }
    }

    /// The last component of the path (the path itself when it has none,
    /// as for `/` or `..`).
    pub fn file_name(&self) -> &OsStr {
        self.path
            .file_name()
            .unwrap_or_else(|| self.path.as_os_str())
    }

    /// The entry's own metadata (a symlink not followed).
    pub fn metadata(&self) -> io::Result<fs::Metadata> {
        fs::symlink_metadata(&self.path)
    }
}

/// A path a walk could not look at or a folder it could not list.
#[derive(Debug)]
pub struct Error {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub error: io::Error,
}

/// One item of a walk.
pub type Item = Result<Entry, Error>;

/// Every entry of the tree at `root`, the root first, entering the folders
/// (the root's included) for which `keep` holds; an entry below the root
/// for which it does not hold is left out altogether. A folder that cannot
/// be listed is given as an [`Error`] in place of its entry.
pub fn walk(root: &Path, keep: &dyn Fn(&Entry) -> bool) -> Vec<Item> {
    let mut out = Vec::new();
    match Entry::of_path(root, 0) {
        Ok(entry) if entry.file_type.is_dir() => enter(entry, keep, &mut out),
        other => out.push(other),
    }
    out
}

/// Lists the folder `entry` into `out` (the folder first), and the folders
/// below it that `keep` keeps.
fn enter(entry: Entry, keep: &dyn Fn(&Entry) -> bool, out: &mut Vec<Item>) {
    let listed = match fs::read_dir(&entry.path) {
        Ok(listed) => listed,
        Err(error) => {
            out.push(Err(Error {
                path: entry.path,
                error,
            }));
            return;
        }
    };
    let depth = entry.depth + 1;
    let folder = entry.path.clone();
    out.push(Ok(entry));
    for child in listed {
        let child = child.and_then(|c| {
            let file_type = c.file_type()?;
            Ok(Entry {
                path: c.path(),
                file_type,
                depth,
            })
        });
        match child {
            Ok(child) if !keep(&child) => {}
            Ok(child) if child.file_type.is_dir() => enter(child, keep, out),
            Ok(child) => out.push(Ok(child)),
            Err(error) => out.push(Err(Error {
                path: folder.clone(),
                error,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn paths(items: &[Item]) -> BTreeSet<PathBuf> {
        items
            .iter()
            .map(|i| match i {
                Ok(e) => e.path.clone(),
                Err(e) => e.path.clone(),
            })
            .collect()
    }

    /// Every entry once, the root first, depths counted from the root, a
    /// refused folder neither listed nor given, symlinks not followed.
    #[test]
    fn walks_what_the_filter_keeps() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for f in ["a/b/c.txt", "a/d.txt", "skip/e.txt", "f.txt"] {
            let p = root.join(f);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(&p, "x").expect("write");
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("a/loop")).expect("symlink");
        let keep = |e: &Entry| e.file_name() != "skip";
        let items = walk(root, &keep);
        let first = items.first().expect("root");
        assert!(matches!(first, Ok(e) if e.path == root && e.depth == 0));
        let mut expected: BTreeSet<PathBuf> = ["", "a", "a/b", "a/b/c.txt", "a/d.txt", "f.txt"]
            .iter()
            .map(|p| {
                if p.is_empty() {
                    root.to_path_buf()
                } else {
                    root.join(p)
                }
            })
            .collect();
        #[cfg(unix)]
        expected.insert(root.join("a/loop"));
        assert_eq!(paths(&items), expected);
        assert_eq!(items.len(), expected.len());
        for item in &items {
            let e = item.as_ref().expect("no errors");
            let below = e.path.strip_prefix(root).expect("inside");
            assert_eq!(e.depth, below.components().count(), "{}", e.path.display());
        }
        #[cfg(unix)]
        assert!(items
            .iter()
            .flatten()
            .any(|e| e.path.ends_with("a/loop") && e.file_type.is_symlink()));
    }

    /// A root that is a file is the walk's only entry; a missing root is an
    /// error.
    #[test]
    fn a_file_or_a_missing_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f");
        fs::write(&file, "x").expect("write");
        let keep = |_: &Entry| true;
        let items = walk(&file, &keep);
        assert!(matches!(items.as_slice(), [Ok(e)] if e.path == file && e.file_type.is_file()));
        let missing = dir.path().join("missing");
        let items = walk(&missing, &keep);
        assert!(matches!(items.as_slice(), [Err(e)] if e.path == missing));
    }
}
