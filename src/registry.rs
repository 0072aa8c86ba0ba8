//! The rule registry: one entry per `rules/<CODE>.yaml`, parsed once.
//!
//! Severity, name and docs of a rule come from its YAML and nowhere else.
//! Codes are matched exactly, by family prefix (`PF`, `RL`) or by name
//! (`postfix-open-relay`).

use crate::diagnostic::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{LazyLock, OnceLock};

include!(concat!(env!("OUT_DIR"), "/rule_sources.rs"));

/// One side of an example: the files of a sysroot (by path relative to it),
/// and how relaylint is run on them.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Text files.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Files that cannot be written as text: `fifo`, `symlink:TARGET`, or
    /// `bytes:HEX` (raw bytes, for encodings).
    #[serde(default)]
    pub special: BTreeMap<String, String>,
    /// Extra `relaylint check` arguments (e.g. `--max-file-size 512`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Paths to name on the command line instead of the folder.
    #[serde(default)]
    pub paths: Vec<String>,
}

/// A `bad`/`good` side: plain files, or a [`Case`].
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum Side {
    /// `path: text` only.
    Files(BTreeMap<String, String>),
    /// Files plus how to run.
    Case(Case),
}

impl Side {
    /// As a [`Case`].
    pub fn case(&self) -> Case {
        match self {
            Side::Files(f) => Case {
                files: f.clone(),
                ..Case::default()
            },
            Side::Case(c) => c.clone(),
        }
    }
}

/// One example: `bad` must raise the rule, `good` must not.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Raises the rule.
    pub bad: Side,
    /// Does not.
    pub good: Side,
}

/// The metadata of a rule, as written in `rules/<CODE>.yaml`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// e.g. `PF001`.
    pub code: String,
    /// kebab-case slug, e.g. `postfix-open-relay`.
    pub name: String,
    /// `postfix`, `squid`, `dante`, `sendmail` or `relaylint`.
    pub dialect: String,
    /// Default severity.
    pub severity: String,
    /// One line.
    pub summary: String,
    /// Why it matters.
    pub rationale: String,
    /// What to change.
    pub fix: String,
    /// https links.
    pub references: Vec<String>,
    /// Examples the test suite runs.
    pub examples: Vec<Example>,
}

impl RuleMeta {
    /// The default severity (`warning` if the YAML says something unknown;
    /// the registry test rejects that).
    pub fn default_severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::Warning)
    }
}

/// A YAML file that failed to load (only possible in a broken build; the
/// test suite checks that the list is empty).
#[derive(Debug, Clone)]
pub struct BrokenRule {
    /// File stem.
    pub file: String,
    /// The parser's message.
    pub error: String,
}

struct Registry {
    rules: Vec<RuleMeta>,
    broken: Vec<BrokenRule>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut rules = Vec::new();
    let mut broken = Vec::new();
    for (file, text) in RULE_SOURCES {
        match serde_yaml_ng::from_str::<RuleMeta>(text) {
            Ok(meta) => rules.push(meta),
            Err(e) => broken.push(BrokenRule {
                file: (*file).to_string(),
                error: e.to_string(),
            }),
        }
    }
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    Registry { rules, broken }
});

/// Every rule, sorted by code.
pub fn all() -> &'static [RuleMeta] {
    &REGISTRY.rules
}

/// YAML files that did not parse.
pub fn broken() -> &'static [BrokenRule] {
    &REGISTRY.broken
}

/// `(file stem, YAML)` of every embedded rule file.
pub fn sources() -> &'static [(&'static str, &'static str)] {
    RULE_SOURCES
}

/// Rules parsed one at a time, by their place in [`RULE_SOURCES`]: a scan
/// needs the name and severity of the few codes it reports, and parsing
/// every YAML file (examples included) would cost the single-file check
/// more than the analysis.
static ONE_RULE: LazyLock<Box<[OnceLock<Option<RuleMeta>>]>> =
    LazyLock::new(|| RULE_SOURCES.iter().map(|_| OnceLock::new()).collect());

/// The rule whose file stem is `code`, parsed on first use.
fn by_code(code: &str) -> Option<&'static RuleMeta> {
    let i = RULE_SOURCES
        .iter()
        .position(|(stem, _)| stem.eq_ignore_ascii_case(code))?;
    let (_, text) = RULE_SOURCES.get(i)?;
    ONE_RULE
        .get(i)?
        .get_or_init(|| serde_yaml_ng::from_str::<RuleMeta>(text).ok())
        .as_ref()
        .filter(|r| r.code.eq_ignore_ascii_case(code))
}

/// The rule with this code or name.
pub fn lookup(code_or_name: &str) -> Option<&'static RuleMeta> {
    by_code(code_or_name).or_else(|| {
        all()
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
    })
}

/// True when `selector` (a code, a family prefix such as `PF`, or a name)
/// selects the rule with this code and name.
pub fn selects(selector: &str, code: &str, name: &str) -> bool {
    let s = selector.trim();
    !s.is_empty()
        && (name == s
            || code
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s)))
}

/// True when `selector` selects at least one rule.
pub fn is_known_selector(selector: &str) -> bool {
    all().iter().any(|r| selects(selector, &r.code, &r.name))
}
