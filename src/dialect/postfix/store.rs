//! The files of one Postfix unit beyond main.cf and master.cf: lookup
//! tables and `/file` lists, loaded on first use, confined to the sysroot,
//! each problem recorded once as an RL finding.

use super::matchlist::file_tokens;
use super::table::{self, Table, TableKind, TableRef};
use super::text::Token;
use crate::diagnostic::Diagnostic;
use crate::load::{read_confined, under_sysroot, Limits, LoadError};
use crate::source::{FileId, SourceDb, Span};
use foldhash::{HashMap, HashMapExt};
use ipnet::IpNet;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A table as far as relaylint could read it.
#[derive(Debug)]
pub enum TableState {
    /// Parsed entries.
    Loaded(Table),
    /// The daemon would get a lookup error (missing or unreadable source).
    Missing,
    /// A networked or unknown type: answers are unknown.
    External,
}

/// A loaded table under its type name (`hash`, `cidr`...).
type TypedTable = (String, Rc<TableState>);

/// A file read for the unit: its id and text.
pub type LoadedText = (FileId, Rc<str>);

/// The unit's files and the findings about reading them.
pub struct Store {
    sysroot: PathBuf,
    config_dir: PathBuf,
    limits: Limits,
    /// Every file read for this unit.
    pub db: RefCell<SourceDb>,
    /// By name, then by type: looked up without building the reference's
    /// text for each of the evaluation's many lookups.
    tables: RefCell<HashMap<String, Vec<TypedTable>>>,
    texts: RefCell<HashMap<String, Option<LoadedText>>>,
    lists: RefCell<HashMap<String, Option<Rc<[Token]>>>>,
    nets: RefCell<HashMap<String, Option<Result<IpNet, ()>>>>,
    /// RL findings about files.
    pub diags: RefCell<Vec<Diagnostic>>,
}

impl Store {
    /// A store for a unit whose main.cf lives in `config_dir`.
    pub fn new(db: SourceDb, sysroot: &Path, config_dir: &Path, limits: Limits) -> Store {
        Store {
            sysroot: sysroot.to_path_buf(),
            config_dir: config_dir.to_path_buf(),
            limits,
            db: RefCell::new(db),
            tables: RefCell::new(HashMap::new()),
            texts: RefCell::new(HashMap::new()),
            lists: RefCell::new(HashMap::new()),
            nets: RefCell::new(HashMap::new()),
            diags: RefCell::new(Vec::new()),
        }
    }

    /// Reads a file a config names; `from` is where it is named.
    pub fn text(&self, named: &str, from: Option<Span>) -> Option<(FileId, Rc<str>)> {
        if let Some(hit) = self.texts.borrow().get(named) {
            return hit.clone();
        }
        let result = self.read(named, from);
        self.texts
            .borrow_mut()
            .insert(named.to_string(), result.clone());
        result
    }

    /// The tokens of a `/file` match list, split once per unit: the
    /// evaluation walks the same list for every candidate client.
    pub fn list(&self, named: &str, from: Option<Span>) -> Option<Rc<[Token]>> {
        if let Some(hit) = self.lists.borrow().get(named) {
            return hit.clone();
        }
        let tokens = self
            .text(named, from)
            .map(|(id, text)| Rc::from(file_tokens(id, &text)));
        self.lists
            .borrow_mut()
            .insert(named.to_string(), tokens.clone());
        tokens
    }

    /// [`table::parse_net`] of a match-list word, parsed once per unit:
    /// the same `mynetworks` words are matched against every candidate
    /// client.
    pub fn net(&self, word: &str) -> Option<Result<IpNet, ()>> {
        if let Some(hit) = self.nets.borrow().get(word) {
            return *hit;
        }
        let net = table::parse_net(word);
        self.nets.borrow_mut().insert(word.to_string(), net);
        net
    }

    fn read(&self, named: &str, from: Option<Span>) -> Option<(FileId, Rc<str>)> {
        let Some(path) = under_sysroot(&self.sysroot, &self.config_dir, named) else {
            self.problem(
                named,
                from,
                &LoadError::OutsideRoot {
                    target: named.to_string(),
                },
            );
            return None;
        };
        match read_confined(&path, &self.sysroot, self.limits) {
            Ok(loaded) => {
                let shown = crate::discover::display(&path);
                let id = self
                    .db
                    .borrow_mut()
                    .add(shown.clone(), loaded.text, loaded.lossy);
                // The text as the database keeps it, control characters
                // replaced: table keys and values end up in messages.
                let text: Rc<str> = Rc::from(self.db.borrow().text(id));
                if loaded.lossy {
                    let at = self.db.borrow().first_invalid(id);
                    self.diags.borrow_mut().push(Diagnostic::new(
                        "RL006",
                        format!("`{shown}` is not valid UTF-8"),
                        at,
                        "the first invalid bytes, replaced while reading",
                    ));
                }
                Some((id, text))
            }
            Err(e) => {
                self.problem(named, from, &e);
                None
            }
        }
    }

    fn problem(&self, named: &str, from: Option<Span>, e: &LoadError) {
        let Some(span) = from else { return };
        let what = match e {
            LoadError::NotFound => "is not in the scanned tree".to_string(),
            other => format!("cannot be used: {}", other.describe()),
        };
        let mut d = Diagnostic::new(e.code(), format!("`{named}` {what}"), span, "named here");
        if matches!(e, LoadError::NotFound) {
            d = d.with_note("relaylint evaluates it as Postfix does a missing table: lookups fail with a temporary error");
        }
        self.diags.borrow_mut().push(d);
    }

    /// The table behind a reference.
    pub fn table(&self, r: &TableRef) -> Rc<TableState> {
        if let Some(t) = self
            .tables
            .borrow()
            .get(&r.name)
            .and_then(|types| types.iter().find(|(ty, _)| *ty == r.type_name))
        {
            return t.1.clone();
        }
        let state = match r.kind {
            TableKind::Static | TableKind::Inline => TableState::Loaded(table::fileless(r.clone())),
            _ if r.is_inline() => TableState::Loaded(table::fileless(r.clone())),
            TableKind::External => TableState::External,
            _ => match self.text(&r.name, r.span) {
                Some((id, text)) => {
                    let t = table::parse(r.clone(), id, &text);
                    if t.broken {
                        TableState::Missing
                    } else {
                        TableState::Loaded(t)
                    }
                }
                None => TableState::Missing,
            },
        };
        let state = Rc::new(state);
        self.tables
            .borrow_mut()
            .entry(r.name.clone())
            .or_default()
            .push((r.type_name.clone(), state.clone()));
        state
    }

    /// The source text of a file already read.
    pub fn slice(&self, span: Span) -> String {
        self.db.borrow().slice(span).to_string()
    }
}
