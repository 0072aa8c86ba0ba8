//! Reading files safely: only regular files, only inside the unit's root,
//! never more than the size cap, invalid UTF-8 read lossily. Every refusal is
//! a value ([`LoadError`]) that the caller turns into an RL finding.
//!
//! This module never parses.

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Limits on what relaylint reads.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Files larger than this are not read.
    pub max_file_size: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_size: 16 * 1024 * 1024,
        }
    }
}

/// A file's text.
#[derive(Debug)]
pub struct Loaded {
    /// The text (lossily decoded when not UTF-8).
    pub text: String,
    /// True when the bytes were not valid UTF-8.
    pub lossy: bool,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// Nothing at that path.
    NotFound,
    /// A symlink (or `..`) leads outside the root.
    OutsideRoot {
        /// Where it leads, as far as relaylint could tell.
        target: String,
    },
    /// Over the size cap.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// A FIFO, socket or device: never opened.
    Special {
        /// "FIFO", "socket", "device"...
        kind: &'static str,
    },
    /// A directory where a file was expected.
    IsDirectory,
    /// Any other I/O error, with the system's message.
    Io(String),
}

impl LoadError {
    /// The RL code that reports this error.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::NotFound => "RL004",
            LoadError::OutsideRoot { .. } => "RL005",
            LoadError::TooLarge { .. } => "RL003",
            LoadError::Special { .. } => "RL007",
            LoadError::IsDirectory | LoadError::Io(_) => "RL002",
        }
    }

    /// Lowercase description, for messages.
    pub fn describe(&self) -> String {
        match self {
            LoadError::NotFound => "no such file in the scanned tree".into(),
            LoadError::OutsideRoot { target } => {
                format!("it leads outside the scanned root (to `{target}`), so relaylint does not read it")
            }
            LoadError::TooLarge { size, limit } => {
                format!("it is {size} bytes, over the {limit}-byte limit")
            }
            LoadError::Special { kind } => format!("it is a {kind}, not a regular file"),
            LoadError::IsDirectory => "it is a directory, not a file".into(),
            LoadError::Io(e) => format!("it could not be read: {e}"),
        }
    }
}

/// The kind of a special file, when `meta` is one.
pub fn special_kind(meta: &fs::Metadata) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let ft = meta.file_type();
        if ft.is_fifo() {
            return Some("FIFO");
        }
        if ft.is_socket() {
            return Some("socket");
        }
        if ft.is_block_device() || ft.is_char_device() {
            return Some("device file");
        }
    }
    let _ = meta;
    None
}

fn io_error(e: &std::io::Error) -> LoadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound,
        _ => {
            // ELOOP has no stable ErrorKind; name it plainly.
            if e.raw_os_error() == Some(crate::discover::ELOOP) {
                LoadError::Io("symlink loop".into())
            } else {
                LoadError::Io(e.to_string())
            }
        }
    }
}

/// Removes `.` and `..` without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// True when `path`, once symlinks are resolved, stays inside `root`.
/// Returns the resolved path, or the error that stops it. A symlink whose
/// own target text leaves the root is refused before anything outside is
/// looked at, even when that target does not exist.
pub fn confine(path: &Path, root: &Path) -> Result<PathBuf, LoadError> {
    let canon_root = fs::canonicalize(root).map_err(|e| io_error(&e))?;
    if let Ok(target) = fs::read_link(path) {
        let parent = path.parent().and_then(|p| {
            fs::canonicalize(if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            })
            .ok()
        });
        if let Some(parent) = parent {
            let joined = lexical(&parent.join(&target));
            if !joined.starts_with(&canon_root) {
                return Err(LoadError::OutsideRoot {
                    target: joined.display().to_string(),
                });
            }
        }
    }
    let canon = fs::canonicalize(path).map_err(|e| io_error(&e))?;
    if canon.starts_with(&canon_root) {
        Ok(canon)
    } else {
        Err(LoadError::OutsideRoot {
            target: canon.display().to_string(),
        })
    }
}

/// Reads `path`, which must be a regular file inside `root`.
pub fn read_confined(path: &Path, root: &Path, limits: Limits) -> Result<Loaded, LoadError> {
    let meta = fs::symlink_metadata(path).map_err(|e| io_error(&e))?;
    let (real, meta) = if meta.file_type().is_symlink() {
        let real = confine(path, root)?;
        let meta = fs::metadata(&real).map_err(|e| io_error(&e))?;
        (real, meta)
    } else {
        if path.components().any(|c| c == Component::ParentDir) {
            confine(path, root)?;
        }
        // Not a symlink: what lstat saw is the file itself.
        (path.to_path_buf(), meta)
    };
    if meta.is_dir() {
        return Err(LoadError::IsDirectory);
    }
    if let Some(kind) = special_kind(&meta) {
        return Err(LoadError::Special { kind });
    }
    if meta.len() > limits.max_file_size {
        return Err(LoadError::TooLarge {
            size: meta.len(),
            limit: limits.max_file_size,
        });
    }
    let file = fs::File::open(&real).map_err(|e| io_error(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow between stat and read: never read past the cap.
    file.take(limits.max_file_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > limits.max_file_size {
        return Err(LoadError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_size,
        });
    }
    Ok(decode(bytes))
}

/// Decodes bytes as UTF-8, lossily when needed. A byte-order mark is kept:
/// the daemons do not skip it (Postfix reads it as part of the first
/// parameter name).
pub fn decode(bytes: Vec<u8>) -> Loaded {
    match String::from_utf8(bytes) {
        Ok(text) => Loaded { text, lossy: false },
        Err(e) => Loaded {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            lossy: true,
        },
    }
}

/// Maps a path named inside a config (absolute like `/etc/postfix/access`, or
/// relative) to a path under the unit's sysroot. `None` when it climbs out
/// with `..`.
pub fn under_sysroot(sysroot: &Path, config_dir: &Path, named: &str) -> Option<PathBuf> {
    let named_path = Path::new(named);
    let (base, rel) = if named_path.is_absolute() {
        (sysroot.to_path_buf(), named_path.strip_prefix("/").ok()?)
    } else {
        (config_dir.to_path_buf(), named_path)
    };
    let mut out = base.clone();
    let mut depth: i32 = 0;
    for c in rel.components() {
        match c {
            Component::Normal(p) => {
                out.push(p);
                depth += 1;
            }
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_land_under_the_sysroot() {
        let p = under_sysroot(
            Path::new("dump/h1"),
            Path::new("dump/h1/etc/postfix"),
            "/etc/postfix/access",
        );
        assert_eq!(p, Some(PathBuf::from("dump/h1/etc/postfix/access")));
        assert_eq!(
            under_sysroot(Path::new("r"), Path::new("r/etc"), "/../../x"),
            None
        );
        assert_eq!(
            under_sysroot(Path::new("r"), Path::new("r/etc/postfix"), "maps/x"),
            Some(PathBuf::from("r/etc/postfix/maps/x"))
        );
    }

    #[test]
    fn invalid_utf8_is_read_lossily() {
        let l = decode(b"a\xffb".to_vec());
        assert!(l.lossy);
        assert_eq!(l.text, "a\u{fffd}b");
    }
}
