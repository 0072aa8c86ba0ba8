//! Sendmail: a `sendmail.mc` (read as m4 would build it) or a compiled
//! `sendmail.cf` (what the daemon runs), with the files they name under the
//! same sysroot: the `access` map source, `relay-domains`,
//! `local-host-names`. Evaluated per daemon listener against the attacker.
//!
//! The pipeline inside: [`m4`] and [`cf`] read the configuration,
//! [`tables`] the map and class files, [`model`] resolves what the daemon
//! uses, [`evaluate`] plays `check_rcpt`, [`rules`] report.

pub mod cf;
pub mod evaluate;
pub mod m4;
pub mod model;
pub mod rules;
pub mod tables;

use crate::diagnostic::Diagnostic;
use crate::dialect::read_into;
pub use crate::dialect::Source;
use crate::load::{under_sysroot, Limits};
use crate::net::IpSet;
use crate::source::{FileId, SourceDb, Span};
use evaluate::Verdict;
use model::{ClassEntry, Model};
use std::path::{Path, PathBuf};

/// What the main file of a unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `sendmail.mc`.
    Mc,
    /// `sendmail.cf`.
    Cf,
    /// An `access` map source on its own (standard input): analysed as the
    /// stock configuration with `FEATURE(`access_db')`.
    Access,
}

/// The files of a unit.
pub struct Inputs<'p> {
    /// The configuration (or access map) file, or text from stdin.
    pub conf: Source<'p>,
    /// What it is.
    pub kind: Kind,
    /// The folder standing for `/`.
    pub sysroot: &'p Path,
}

/// A file the configuration names that relaylint could not use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingFile {
    /// As the configuration names it.
    pub named: String,
    /// The line that names it.
    pub span: Span,
    /// Only the compiled `.db` is there.
    pub only_db: bool,
    /// A missing file that is not an error for sendmail (`F -o`).
    pub optional: bool,
}

/// The aliases file sendmail reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aliases {
    /// The file (its first line).
    pub span: Span,
    /// The names it defines.
    pub names: Vec<String>,
}

/// Everything the rules look at.
pub struct Analysis<'a> {
    /// The effective configuration.
    pub model: &'a Model,
    /// The attacker's verdict.
    pub verdict: Verdict,
    /// Files named but not read.
    pub missing: Vec<MissingFile>,
    /// For a `sendmail.cf`: the model of the `sendmail.mc` beside it (what a
    /// rebuild would run), when there is one and it builds.
    pub source_mc: Option<Model>,
    /// The aliases file, when it is in the tree.
    pub aliases: Option<Aliases>,
    /// The main file's text.
    pub text: &'a str,
}

impl Analysis<'_> {
    /// The text under a span of the main file (empty elsewhere).
    pub fn slice(&self, span: Span) -> &str {
        if span.file != self.model.anchor.file {
            return "";
        }
        self.text.get(span.range()).unwrap_or("")
    }
}

/// Analyses one unit: returns its files and findings.
pub fn analyse(inputs: &Inputs, limits: Limits, attacker: &IpSet) -> (SourceDb, Vec<Diagnostic>) {
    let mut db = SourceDb::new();
    let mut diags = Vec::new();
    let main_path = match inputs.conf {
        Source::Path(p) => Some(p.to_path_buf()),
        Source::Text(_) => None,
    };
    let Some(file) =
        crate::dialect::read_source(&mut db, &mut diags, &inputs.conf, inputs.sysroot, limits)
    else {
        return (db, diags);
    };
    let text = db.text(file).to_string();
    let anchor = Span::new(file, 0..text.find('\n').unwrap_or(text.len()));
    let config_dir = main_path
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| inputs.sysroot.to_path_buf());
    let mut files = UnitFiles {
        db: &mut db,
        diags: &mut diags,
        sysroot: inputs.sysroot,
        config_dir: &config_dir,
        limits,
        main: main_path.clone(),
    };
    let mut model = match inputs.kind {
        Kind::Mc => {
            let mut open = |target: &str| files.open_include(target);
            let mc = m4::read_with(file, &text, &mut open);
            model::from_mc(&mc, anchor)
        }
        Kind::Cf => model::from_cf(&cf::parse(file, &text), anchor),
        Kind::Access => {
            let mc = m4::read(file, "FEATURE(`access_db')OSTYPE(`linux')MAILER(`smtp')");
            let mut m = model::from_mc(&mc, anchor);
            m.access = tables::parse_access(file, &text);
            // The stock class files are not part of this input.
            m.class_files.clear();
            m
        }
    };
    let mut missing = Vec::new();
    let mut aliases = None;
    if inputs.kind != Kind::Access {
        files.load_tables(&mut model, &mut missing);
        aliases = files.load_aliases(&model);
    }
    let source_mc = if inputs.kind == Kind::Cf {
        files.source_mc(anchor)
    } else {
        None
    };
    let verdict = evaluate::evaluate(&model, attacker);
    let text = files.db.text(file).to_string();
    let a = Analysis {
        model: &model,
        verdict,
        missing,
        aliases,
        source_mc,
        text: &text,
    };
    let mut out = Vec::new();
    rules::run(&a, &mut out);
    diags.extend(out);
    (db, diags)
}

/// Reads the files a configuration names, under the sysroot.
struct UnitFiles<'u> {
    db: &'u mut SourceDb,
    diags: &'u mut Vec<Diagnostic>,
    sysroot: &'u Path,
    config_dir: &'u Path,
    limits: Limits,
    main: Option<PathBuf>,
}

impl UnitFiles<'_> {
    /// Where a named file is: under the sysroot, else (a flat dump) beside
    /// the configuration under its own name.
    fn locate(&self, named: &str) -> Option<PathBuf> {
        let p = under_sysroot(self.sysroot, self.config_dir, named)?;
        if p.exists() {
            return Some(p);
        }
        let base = Path::new(named).file_name()?;
        let beside = self.config_dir.join(base);
        (beside.exists() && Some(&beside) != self.main.as_ref()).then_some(beside)
    }

    fn read(&mut self, path: &Path) -> Option<FileId> {
        read_into(self.db, self.diags, path, self.sysroot, self.limits)
    }

    fn open_include(&mut self, target: &str) -> Option<(FileId, String)> {
        let p = self.locate(target)?;
        let id = self.read(&p)?;
        Some((id, self.db.text(id).to_string()))
    }

    /// True when the configuration's folder holds more than the
    /// configuration itself (`access`, `aliases`...): a copy of the host's
    /// mail folder, where a missing file is missing on the host too.
    fn holds_mail_folder(&self) -> bool {
        let Ok(entries) = std::fs::read_dir(self.config_dir) else {
            return false;
        };
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            !matches!(
                name.as_ref(),
                "sendmail.cf" | "sendmail.mc" | "submit.cf" | "submit.mc"
            ) && self.main.as_deref().and_then(Path::file_name) != Some(e.file_name().as_os_str())
        })
    }

    /// The `sendmail.mc` beside a `sendmail.cf`, as m4 would build it.
    fn source_mc(&mut self, anchor: Span) -> Option<Model> {
        let main = self.main.clone()?;
        if main.file_name()? != "sendmail.cf" {
            return None;
        }
        let mc_path = main.with_file_name("sendmail.mc");
        if !mc_path.is_file() {
            return None;
        }
        let id = self.read(&mc_path)?;
        let text = self.db.text(id).to_string();
        let mc_anchor = Span::new(id, 0..text.find('\n').unwrap_or(text.len()));
        let mut open = |target: &str| self.open_include(target);
        let mc = m4::read_with(id, &text, &mut open);
        let mut model = model::from_mc(&mc, mc_anchor);
        let _ = anchor;
        if !model.builds() {
            return None;
        }
        let mut ignored = Vec::new();
        self.load_tables(&mut model, &mut ignored);
        Some(model)
    }

    /// The aliases file: `AliasFile` when set, else the usual places.
    fn load_aliases(&mut self, m: &Model) -> Option<Aliases> {
        let named: Vec<String> = match &m.alias_file {
            Some(a) => a
                .text
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| p.starts_with('/'))
                .take(1)
                .collect(),
            None => vec!["/etc/mail/aliases".into(), "/etc/aliases".into()],
        };
        for n in named {
            let Some(p) = under_sysroot(self.sysroot, self.config_dir, &n).filter(|p| p.is_file())
            else {
                continue;
            };
            let id = self.read(&p)?;
            let text = self.db.text(id);
            let first = text.find('\n').unwrap_or(text.len());
            return Some(Aliases {
                span: Span::new(id, 0..first),
                names: tables::alias_names(text),
            });
        }
        None
    }

    fn load_tables(&mut self, m: &mut Model, missing: &mut Vec<MissingFile>) {
        if let Some(map) = m.access_map.clone() {
            match self.locate(&map.text) {
                Some(p) => {
                    if let Some(id) = self.read(&p) {
                        let text = self.db.text(id).to_string();
                        m.access = tables::parse_access(id, &text);
                    }
                }
                None => {
                    let db_named = format!("{}.db", map.text);
                    let only_db = self.locate(&db_named).is_some();
                    missing.push(MissingFile {
                        only_db,
                        named: map.text.clone(),
                        span: map.span,
                        // `-o`: sendmail runs without the map.
                        optional: m.access_optional && !only_db,
                    });
                }
            }
        }
        for f in m.class_files.clone() {
            if f.path.is_empty() || f.path.starts_with('|') || f.path.contains('@') {
                continue;
            }
            match self.locate(&f.path) {
                Some(p) => {
                    if let Some(id) = self.read(&p) {
                        let text = self.db.text(id).to_string();
                        let words = tables::parse_class_file(id, &text, f.whole_line);
                        let target = if f.class == "R" {
                            &mut m.class_r
                        } else {
                            &mut m.class_w
                        };
                        target.extend(words.into_iter().map(|w| ClassEntry {
                            word: w.text.to_ascii_lowercase(),
                            span: w.span,
                        }));
                    }
                }
                None => {
                    // A class file without `-o` that cannot be opened stops
                    // sendmail at startup (`fileclass: cannot open`), when
                    // the tree holds the host's mail folder and not only its
                    // configuration (a dump of sendmail.cf alone says
                    // nothing about the other files).
                    if !f.optional && self.holds_mail_folder() {
                        m.build_problems.push(m4::BuildProblem {
                            message: format!(
                                "sendmail exits at startup: it cannot open the class file `{}`",
                                f.path
                            ),
                            span: f.span,
                            label: "read without `-o`, so it must exist".into(),
                        });
                    }
                    missing.push(MissingFile {
                        named: f.path.clone(),
                        span: f.span,
                        only_db: false,
                        optional: f.optional,
                    })
                }
            }
        }
    }
}
