//! `relaylint.toml` (or `.relaylint.toml`): project settings that the
//! command line can override.
//!
//! ```toml
//! select = ["PF", "RL001"]          # codes, family prefixes or rule names
//! ignore = ["postfix-banner-discloses-version"]
//! fail-on = "error"                 # error | warning | info | never
//! exclude = ["vendor", "hosts/*/etc/postfix/main.cf.d/*"]
//!
//! [severity]
//! PF008 = "warning"                 # per code, family prefix or name
//!
//! [networks]
//! trusted = ["198.51.100.0/24", "2001:db8::/32"]
//!
//! [dialects]
//! "salt/**/*.cf" = "postfix-main"
//! ```
//!
//! Globs (`exclude`, `[dialects]`) are matched against paths relative to the
//! folder holding the settings file; a glob without `/` matches a file or
//! folder name at any depth, and a glob that matches a folder covers
//! everything below it.
//!
//! This module reads one small file and turns it into plain values; a
//! mistake in it becomes RL011 diagnostics with spans into it, never a
//! panic. It never decides what a finding is.

use crate::diagnostic::{Diagnostic, Severity};
use crate::dialect::kind::Dialect;
use crate::registry;
use crate::source::{FileId, SourceDb, Span};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ipnet::IpNet;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

/// Code of a mistake in the settings file.
pub const INVALID: &str = "RL011";

/// The names searched for, in order, in each folder.
pub const FILE_NAMES: [&str; 2] = ["relaylint.toml", ".relaylint.toml"];

/// The settings file nearest to `start`: `start` itself, then each parent.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find_map(|dir| FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file()))
}

/// `fail-on` as written in the file: `None` is `never`.
pub type FailOn = Option<Severity>;

/// Everything a settings file says, validated.
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    /// `select` (codes, prefixes, names), if present.
    pub select: Option<Vec<String>>,
    /// `ignore`, if present.
    pub ignore: Option<Vec<String>>,
    /// `fail-on`, if present.
    pub fail_on: Option<FailOn>,
    /// `[severity]`: selector → severity, in file order.
    pub severity: Vec<(String, Severity)>,
    /// `[networks] trusted`.
    pub trusted: Vec<IpNet>,
    /// `exclude` and `[dialects]`, compiled.
    pub paths: PathRules,
}

/// Path globs from the settings file, anchored at its folder.
#[derive(Clone, Debug)]
pub struct PathRules {
    base: PathBuf,
    exclude: GlobSet,
    dialects: Vec<(GlobSet, Dialect)>,
}

impl Default for PathRules {
    fn default() -> PathRules {
        PathRules {
            base: PathBuf::new(),
            exclude: GlobSet::empty(),
            dialects: Vec::new(),
        }
    }
}

/// `p` without `.` components, made absolute against the working folder
/// (without following symlinks, so that it reads the way the user wrote it).
fn absolute(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl PathRules {
    /// The path that globs see: relative to the settings file's folder when
    /// `path` lies below it, else the path as named.
    fn key(&self, path: &Path) -> PathBuf {
        let abs = absolute(path);
        match abs.strip_prefix(&self.base) {
            Ok(rel) if !self.base.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path
                .components()
                .filter(|c| !matches!(c, Component::CurDir))
                .collect(),
        }
    }

    /// True when `path` (a file or a folder) is left out by `exclude`.
    pub fn excluded(&self, path: &Path) -> bool {
        !self.exclude.is_empty() && self.exclude.is_match(self.key(path))
    }

    /// True when `[dialects]` names some paths: they may lie anywhere.
    pub fn names_dialects(&self) -> bool {
        !self.dialects.is_empty()
    }

    /// The dialect `[dialects]` gives `path` (its first matching glob).
    pub fn dialect(&self, path: &Path) -> Option<Dialect> {
        if self.dialects.is_empty() {
            return None;
        }
        let key = self.key(path);
        self.dialects
            .iter()
            .find(|(set, _)| set.is_match(&key))
            .map(|(_, d)| *d)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    select: Option<Spanned<Vec<Spanned<String>>>>,
    ignore: Option<Spanned<Vec<Spanned<String>>>>,
    fail_on: Option<Spanned<String>>,
    exclude: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    networks: Option<Networks>,
    dialects: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Networks {
    trusted: Option<Vec<Spanned<String>>>,
}

/// Why the settings could not be used.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Unreadable {
        /// As named.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file has mistakes: its text and RL011 diagnostics.
    Invalid {
        /// The file.
        db: SourceDb,
        /// One diagnostic per mistake.
        diags: Vec<Diagnostic>,
    },
}

/// Reads and validates the settings file at `path`.
pub fn load(path: &Path) -> Result<ConfigFile, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::Unreadable {
        path: crate::discover::display(path),
        reason: e.to_string(),
    })?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let base = absolute(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut db = SourceDb::new();
    let file = db.add(crate::discover::display(path), text, false);
    match parse(&db, file, &base) {
        Ok(c) => Ok(c),
        Err(diags) => Err(LoadError::Invalid { db, diags }),
    }
}

fn mistake(
    file: FileId,
    range: std::ops::Range<usize>,
    message: String,
    label: &str,
) -> Diagnostic {
    Diagnostic::new(INVALID, message, Span::new(file, range), label)
}

/// Validates the text of `file` in `db`; globs are anchored at `base`.
pub fn parse(db: &SourceDb, file: FileId, base: &Path) -> Result<ConfigFile, Vec<Diagnostic>> {
    let text = db.text(file);
    let raw: Raw = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let first_line = e.message().lines().next().unwrap_or("invalid TOML").trim();
            return Err(vec![mistake(
                file,
                range,
                format!(
                    "the settings file is not valid: {}",
                    first_line.trim_end_matches('.')
                ),
                "here",
            )
            .with_help(
                "keys: `select`, `ignore`, `fail-on`, `exclude`, `[severity]`, `[networks] trusted`, `[dialects]`",
            )]);
        }
    };
    let mut diags = Vec::new();
    let mut out = ConfigFile::default();
    let selectors = |list: Option<Spanned<Vec<Spanned<String>>>>, diags: &mut Vec<Diagnostic>| {
        list.map(|l| {
            l.into_inner()
                .into_iter()
                .filter_map(|s| {
                    if registry::is_known_selector(s.get_ref()) {
                        Some(s.into_inner())
                    } else {
                        diags.push(
                            mistake(
                                file,
                                s.span(),
                                format!("`{}` is not a relaylint rule code or name", s.get_ref()),
                                "unknown rule",
                            )
                            .with_help("`relaylint rules` lists every code and name"),
                        );
                        None
                    }
                })
                .collect()
        })
    };
    out.select = selectors(raw.select, &mut diags);
    out.ignore = selectors(raw.ignore, &mut diags);
    if let Some(f) = raw.fail_on {
        match f.get_ref().as_str() {
            "never" => out.fail_on = Some(None),
            s => match Severity::parse(s) {
                Some(sev) => out.fail_on = Some(Some(sev)),
                None => diags.push(mistake(
                    file,
                    f.span(),
                    format!("`fail-on` must be `error`, `warning`, `info` or `never`, not `{s}`"),
                    "unknown threshold",
                )),
            },
        }
    }
    let by_position = |map: Option<BTreeMap<Spanned<String>, Spanned<String>>>| {
        let mut v: Vec<(Spanned<String>, Spanned<String>)> =
            map.map(|m| m.into_iter().collect()).unwrap_or_default();
        v.sort_by_key(|(k, _)| k.span().start);
        v
    };
    for (key, value) in by_position(raw.severity) {
        if !registry::is_known_selector(key.get_ref()) {
            diags.push(
                mistake(
                    file,
                    key.span(),
                    format!("`{}` is not a relaylint rule code or name", key.get_ref()),
                    "unknown rule",
                )
                .with_help("`relaylint rules` lists every code and name"),
            );
            continue;
        }
        match Severity::parse(value.get_ref()) {
            Some(sev) => out.severity.push((key.into_inner(), sev)),
            None => diags.push(mistake(
                file,
                value.span(),
                format!(
                    "a severity is `error`, `warning` or `info`, not `{}`",
                    value.get_ref()
                ),
                "unknown severity",
            )),
        }
    }
    for net in raw.networks.and_then(|n| n.trusted).unwrap_or_default() {
        match parse_net(net.get_ref()) {
            Some(n) => out.trusted.push(n),
            None => diags.push(
                mistake(
                    file,
                    net.span(),
                    format!("`{}` is not an address or a CIDR network", net.get_ref()),
                    "not a network",
                )
                .with_help("write a network as `192.0.2.0/24` or `2001:db8::/32`"),
            ),
        }
    }
    let mut exclude = GlobSetBuilder::new();
    for pat in raw.exclude.unwrap_or_default() {
        match add_glob(&mut exclude, pat.get_ref()) {
            Ok(()) => {}
            Err(why) => diags.push(mistake(
                file,
                pat.span(),
                format!("`{}` is not a valid glob: {why}", pat.get_ref()),
                "bad glob",
            )),
        }
    }
    let mut dialects = Vec::new();
    for (pat, name) in by_position(raw.dialects) {
        let Some(dialect) = Dialect::from_name(name.get_ref()) else {
            let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
            diags.push(mistake(
                file,
                name.span(),
                format!(
                    "`{}` is not a dialect (expected one of: {})",
                    name.get_ref(),
                    names.join(", ")
                ),
                "unknown dialect",
            ));
            continue;
        };
        let mut set = GlobSetBuilder::new();
        let built = add_glob(&mut set, pat.get_ref())
            .and_then(|()| set.build().map_err(|e| e.kind().to_string()));
        match built {
            Ok(set) => dialects.push((set, dialect)),
            Err(why) => diags.push(mistake(
                file,
                pat.span(),
                format!("`{}` is not a valid glob: {why}", pat.get_ref()),
                "bad glob",
            )),
        }
    }
    let exclude = match exclude.build() {
        Ok(set) => set,
        Err(e) => {
            diags.push(mistake(
                file,
                0..0,
                format!("the `exclude` globs cannot be compiled: {}", e.kind()),
                "this file",
            ));
            GlobSet::empty()
        }
    };
    if !diags.is_empty() {
        return Err(diags);
    }
    out.paths = PathRules {
        base: base.to_path_buf(),
        exclude,
        dialects,
    };
    Ok(out)
}

/// An address (`192.0.2.1`, `[2001:db8::1]`) or a network in CIDR form.
fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    let unbracketed = s
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(addr, rest)| format!("{addr}{rest}"));
    let s = unbracketed.as_deref().unwrap_or(s);
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

fn compile(pattern: &str) -> Result<Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Adds a user glob: anchored at the settings folder when it holds a `/`,
/// else matched against names at any depth; either way it also covers what
/// lies below a matching folder.
fn add_glob(set: &mut GlobSetBuilder, pattern: &str) -> Result<(), String> {
    let p = pattern
        .trim()
        .trim_start_matches("./")
        .trim_end_matches('/');
    if p.is_empty() {
        return Err("it is empty".into());
    }
    let anchored = match p.strip_prefix('/') {
        Some(rest) => rest.to_string(),
        None if p.contains('/') => p.to_string(),
        None => format!("**/{p}"),
    };
    set.add(compile(&anchored)?);
    set.add(compile(&format!("{anchored}/**"))?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<ConfigFile, Vec<Diagnostic>> {
        let mut db = SourceDb::new();
        let id = db.add("relaylint.toml".into(), text.into(), false);
        parse(&db, id, Path::new("/project"))
    }

    #[test]
    fn every_key() {
        let c = parse_text(
            r#"
select = ["PF", "postfix-open-relay"]
ignore = ["PF008"]
fail-on = "never"
exclude = ["vendor", "hosts/old/*.cf"]
[severity]
PF008 = "error"
[networks]
trusted = ["198.51.100.0/24", "2001:db8::1", "[2001:db8::]/32"]
[dialects]
"salt/**/*.cf" = "postfix-main"
"#,
        )
        .expect("valid");
        assert_eq!(
            c.select.as_deref(),
            Some(&["PF".to_string(), "postfix-open-relay".to_string()][..])
        );
        assert_eq!(c.fail_on, Some(None));
        assert_eq!(c.severity, vec![("PF008".to_string(), Severity::Error)]);
        assert_eq!(c.trusted.len(), 3);
        let rules = &c.paths;
        assert!(rules.excluded(Path::new("/project/vendor")));
        assert!(rules.excluded(Path::new("/project/a/vendor/main.cf")));
        assert!(rules.excluded(Path::new("/project/hosts/old/main.cf")));
        assert!(!rules.excluded(Path::new("/project/hosts/new/main.cf")));
        assert!(!rules.excluded(Path::new("/project/hosts/old/sub/main.cf.x")));
        assert_eq!(
            rules.dialect(Path::new("/project/salt/a/b/hardening.cf")),
            Some(Dialect::PostfixMain)
        );
        assert_eq!(rules.dialect(Path::new("/project/other/x.cf")), None);
    }

    #[test]
    fn mistakes_have_spans() {
        let text = "select = [\"PF\", \"XX999\"]\n[networks]\ntrusted = [\"10.0.0.0/33\"]\n";
        let diags = parse_text(text).expect_err("invalid");
        assert_eq!(diags.len(), 2);
        let at = |d: &Diagnostic| &text[d.primary.span.range()];
        assert_eq!(at(&diags[0]), "\"XX999\"");
        assert_eq!(at(&diags[1]), "\"10.0.0.0/33\"");
        let unknown = parse_text("selekt = []\n").expect_err("unknown key");
        assert_eq!(&"selekt = []\n"[unknown[0].primary.span.range()], "selekt");
        assert!(parse_text("select = [").is_err());
        assert!(parse_text("fail-on = \"sometimes\"").is_err());
        assert!(parse_text("[dialects]\n\"*.x\" = \"nginx\"").is_err());
        assert!(parse_text("exclude = [\"a[\"]").is_err());
    }

    #[test]
    fn any_bytes_give_a_value_or_diagnostics() {
        for text in [
            "\u{0}",
            "[[[",
            "a = \"\\u{ffff",
            "[severity]\n\"\" = 1",
            "x=1\nx=2",
        ] {
            let _ = parse_text(text);
        }
    }
}
