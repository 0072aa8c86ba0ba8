//! The effective configuration of one smtpd service: `master.cf -o`
//! overrides, then `main.cf` (last definition wins), then the built-in
//! default for the instance's `compatibility_level`; values fully expanded,
//! each remembering where it came from.

use super::defaults::{default_raw, Version};
use super::expand::{expand, ExpandError, Lookup};
use super::main_cf::MainCf;
use super::master_cf::Override;
use super::text::{Text, Token};
use crate::source::Span;
use std::borrow::Cow;
use std::cell::OnceCell;

/// True for `0`, `2`, `3.6`, `3.10`...: numbers separated by dots.
fn is_level(v: &str) -> bool {
    !v.is_empty()
        && v.split('.').count() <= 3
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Where an effective value was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueOrigin {
    /// A `-o` override in master.cf (the whole argument).
    Override(Span),
    /// A definition in main.cf (the name).
    Main(Span),
    /// The built-in default.
    Default,
}

/// An effective, expanded value.
#[derive(Clone, Debug)]
pub struct Value {
    /// The expanded text.
    pub text: Text,
    /// Where it was decided.
    pub origin: ValueOrigin,
}

impl Value {
    /// The list tokens of the value.
    pub fn tokens(&self) -> Vec<Token> {
        self.text.tokens()
    }

    /// True for `yes` (Postfix booleans are `yes` or `no`, any case).
    pub fn is_yes(&self) -> bool {
        self.text.s.trim().eq_ignore_ascii_case("yes")
    }

    /// The span where the value was decided, if written in a file.
    pub fn origin_span(&self) -> Option<Span> {
        match self.origin {
            ValueOrigin::Override(s) | ValueOrigin::Main(s) => Some(s),
            ValueOrigin::Default => None,
        }
    }
}

/// One service's view of the instance configuration.
pub struct ServiceConfig<'a> {
    /// main.cf.
    pub main: &'a MainCf,
    /// The service's `-o` overrides.
    pub overrides: &'a [Override],
    /// The known Postfix version (from `mail_version` in a dump).
    pub version: Option<Version>,
    /// The compatibility level, worked out once (every default needs it).
    level: OnceCell<String>,
    /// `parent_domain_matches_subdomains`, split once (every domain lookup
    /// asks it).
    parent_matching: OnceCell<Vec<String>>,
}

impl<'a> ServiceConfig<'a> {
    /// The view of a service with `overrides` over `main`.
    pub fn new(main: &'a MainCf, overrides: &'a [Override], version: Option<Version>) -> Self {
        ServiceConfig {
            main,
            overrides,
            version,
            level: OnceCell::new(),
            parent_matching: OnceCell::new(),
        }
    }
}

impl Lookup for ServiceConfig<'_> {
    fn raw(&self, name: &str) -> Option<Text> {
        self.raw_ref(name).map(Cow::into_owned)
    }

    fn raw_ref(&self, name: &str) -> Option<Cow<'_, Text>> {
        if let Some(o) = self.overrides.iter().rev().find(|o| o.name == name) {
            return Some(Cow::Borrowed(&o.value));
        }
        if let Some(p) = self.main.get(name) {
            return Some(Cow::Borrowed(&p.value));
        }
        if name == "mydomain"
            && (self.main.get("myhostname").is_some()
                || self.overrides.iter().any(|o| o.name == "myhostname"))
        {
            // Postfix: $myhostname without its first label ("localdomain"
            // when it has only one).
            // `myhostname = mail.$mydomain` with no mydomain would make this
            // derivation call itself without end (a fresh expansion, so the
            // expander's own recursion check never sees it): while deriving,
            // `$mydomain` is a recursion and expands to nothing.
            let deriving = DerivingMydomain(self, std::cell::Cell::new(false));
            let host = expand(&Text::builtin("$myhostname"), &deriving).0.s;
            let derived = host
                .trim()
                .split_once('.')
                .map(|(_, rest)| rest.to_string())
                .filter(|r| !r.is_empty());
            return Some(Cow::Owned(Text::builtin(
                derived.as_deref().unwrap_or("localdomain"),
            )));
        }
        let level = self.level();
        default_raw(name, level, self.version).map(|d| Cow::Owned(Text::builtin(d)))
    }
}

/// The configuration while `mydomain` is being derived from `myhostname`;
/// remembers whether the derivation needed `mydomain` itself.
struct DerivingMydomain<'s, 'a>(&'s ServiceConfig<'a>, std::cell::Cell<bool>);

impl Lookup for DerivingMydomain<'_, '_> {
    fn raw(&self, name: &str) -> Option<Text> {
        self.raw_ref(name).map(Cow::into_owned)
    }

    fn raw_ref(&self, name: &str) -> Option<Cow<'_, Text>> {
        if name == "mydomain" {
            self.1.set(true);
            return None;
        }
        self.0.raw_ref(name)
    }

    fn is_raw(&self, name: &str) -> bool {
        self.0.is_raw(name)
    }
}

impl ServiceConfig<'_> {
    /// True when `mydomain` is unset and `myhostname` names it: Postfix
    /// derives an empty `mydomain` and stops ("bad string length 0 < 1:
    /// mydomain = ").
    pub fn mydomain_derivation_fails(&self) -> bool {
        if self.overrides.iter().any(|o| o.name == "mydomain")
            || self.main.get("mydomain").is_some()
        {
            return false;
        }
        let deriving = DerivingMydomain(self, std::cell::Cell::new(false));
        let _ = expand(&Text::builtin("$myhostname"), &deriving);
        deriving.1.get()
    }

    /// The compatibility level as written (`0` when unset).
    pub fn level(&self) -> &str {
        self.level.get_or_init(|| match self.level_written() {
            Some(v) if is_level(&v) => v,
            _ => "0".into(),
        })
    }

    /// The expanded `compatibility_level` when it is set (by main.cf or a
    /// `-o` override); expansion sees overrides and main.cf, never defaults
    /// (defaults depend on the level).
    fn level_written(&self) -> Option<String> {
        let raw = self
            .overrides
            .iter()
            .rev()
            .find(|o| o.name == "compatibility_level")
            .map(|o| o.value.clone())
            .or_else(|| {
                self.main
                    .get("compatibility_level")
                    .map(|p| p.value.clone())
            })?;
        struct NoDefaults<'b>(&'b ServiceConfig<'b>);
        impl Lookup for NoDefaults<'_> {
            fn raw(&self, name: &str) -> Option<Text> {
                if name == "compatibility_level" {
                    return None;
                }
                if let Some(o) = self.0.overrides.iter().rev().find(|o| o.name == name) {
                    return Some(o.value.clone());
                }
                self.0.main.get(name).map(|p| p.value.clone())
            }
        }
        Some(expand(&raw, &NoDefaults(self)).0.s.trim().to_string())
    }

    /// Why Postfix refuses the compatibility level, when it does
    /// ("malformed compatibility level syntax": it stops at startup).
    pub fn level_problem(&self) -> Option<String> {
        let v = self.level_written()?;
        (!is_level(&v)).then(|| format!("`compatibility_level = {v}` is not a level: Postfix stops with \"malformed compatibility level syntax\""))
    }

    /// Where the compatibility level was set, if it was.
    pub fn level_span(&self) -> Option<Span> {
        self.overrides
            .iter()
            .rev()
            .find(|o| o.name == "compatibility_level")
            .map(|o| o.span)
            .or_else(|| self.main.get("compatibility_level").map(|p| p.line_span))
    }

    /// The effective, expanded value of `name` (empty default when Postfix
    /// has none that relaylint knows).
    pub fn value(&self, name: &str) -> (Value, Vec<ExpandError>) {
        let origin = if let Some(o) = self.overrides.iter().rev().find(|o| o.name == name) {
            ValueOrigin::Override(o.span)
        } else if let Some(p) = self.main.get(name) {
            ValueOrigin::Main(p.name_span)
        } else {
            ValueOrigin::Default
        };
        let raw = self.raw_ref(name).unwrap_or_default();
        if self.is_raw(name) {
            return (
                Value {
                    text: raw.into_owned(),
                    origin,
                },
                Vec::new(),
            );
        }
        let (text, errors) = expand(&raw, self);
        (Value { text, origin }, errors)
    }

    /// True when `parent_domain_matches_subdomains` lists `what`.
    pub fn parent_matches(&self, what: &str) -> bool {
        self.parent_matching
            .get_or_init(|| {
                self.get("parent_domain_matches_subdomains")
                    .tokens()
                    .into_iter()
                    .map(|t| t.text)
                    .collect()
            })
            .iter()
            .any(|t| t == what)
    }

    /// Shorthand for [`ServiceConfig::value`] without the errors.
    pub fn get(&self, name: &str) -> Value {
        self.value(name).0
    }
}
