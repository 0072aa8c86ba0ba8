//! The squid.conf preprocessor: `include` (globs, depth limit), `if` /
//! `else` / `endif` with Squid's innermost-condition rule, and macros. It
//! turns a main file into the flat, ordered list of directive lines Squid
//! parses.
//!
//! Files are reached through the [`FileAccess`] trait, so this module never
//! touches the file system itself.

use super::syntax::{self, LineIssue, Macros};
use crate::source::{FileId, Span};

/// How the preprocessor reaches files.
pub trait FileAccess {
    /// The files a glob pattern names, sorted as `glob(3)` sorts them; the
    /// names are as Squid would see them.
    fn glob(&mut self, pattern: &str) -> Vec<String>;
    /// Reads a configuration file; `None` when it cannot be read (the
    /// implementation reports why).
    fn read(&mut self, name: &str, named_at: Span) -> Option<FileId>;
    /// The text of a file read before.
    fn text(&self, id: FileId) -> &str;
    /// True once relaylint's own cap on files per configuration is
    /// reached: from then on a failed read says nothing about Squid.
    fn over_limit(&self) -> bool {
        false
    }
}

/// A directive line Squid would parse.
#[derive(Clone, Debug)]
pub struct Directive {
    /// The logical line.
    pub line: syntax::Line,
    /// The directive name.
    pub name: String,
    /// Where the arguments start in the line's text.
    pub args_at: usize,
}

impl Directive {
    /// The span of the directive name.
    pub fn name_span(&self) -> Span {
        self.line.span_of(0..self.name.len())
    }
}

/// An error that stops Squid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fatal {
    /// Where.
    pub span: Span,
    /// What Squid complains about.
    pub message: String,
}

/// The preprocessed configuration.
#[derive(Debug, Default)]
pub struct Preprocessed {
    /// Directive lines in the order Squid parses them.
    pub directives: Vec<Directive>,
    /// Errors that stop Squid (the first one is what it reports).
    pub fatal: Vec<Fatal>,
    /// Line-joining problems.
    pub issues: Vec<LineIssue>,
    /// Some line depends on the kid number.
    pub kid_dependent: bool,
    /// Files Squid reads through `include`, with the span naming them.
    pub included: Vec<(FileId, Span)>,
    /// Reading stopped early: an include went deeper than [`MAX_DEPTH`]
    /// (Squid exits right there, FATAL "nested too deeply", so nothing after
    /// that point is read), or relaylint reached a limit of its own (see
    /// `incomplete`). Stopping bounds the work: a glob that includes its own
    /// folder would otherwise be expanded (files per folder)^16 times.
    pub stopped: bool,
    /// relaylint stopped reading at one of its own limits (files per
    /// configuration, [`MAX_EXPANSIONS`]) where Squid would go on: the
    /// include that reached it. The configuration is incomplete and gets
    /// no verdict.
    pub incomplete: Option<Span>,
}

/// Squid refuses files nested deeper than this.
pub const MAX_DEPTH: usize = 16;

/// Included files expanded per configuration, counting a file each time it
/// is included. Only include trees that are both deep and wide reach it
/// (every folder level multiplies); Squid would spend hours on them, and
/// relaylint reports the tree as one that never finishes loading.
pub const MAX_EXPANSIONS: usize = 65_536;

/// Preprocesses the main file `main`.
pub fn preprocess(main: FileId, fs: &mut dyn FileAccess, macros: &Macros) -> Preprocessed {
    let mut out = Preprocessed::default();
    file(main, 0, fs, macros, &mut out);
    out
}

fn eval_condition(expr: &str) -> Option<bool> {
    let e = expr.trim();
    match e {
        "true" => return Some(true),
        "false" => return Some(false),
        _ => {}
    }
    let (l, r) = e.split_once('=')?;
    Some(strtol(l.trim())? == strtol(r.trim())?)
}

/// `strtol(s, 0)` over the whole word (hex, octal or decimal).
fn strtol(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

fn keyword<'t>(text: &'t str, kw: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(kw)?;
    match rest.as_bytes().first() {
        Some(b' ' | b'\t' | b'\x0b' | b'\x0c') => Some(rest),
        _ => None,
    }
}

fn file(
    id: FileId,
    depth: usize,
    fs: &mut dyn FileAccess,
    macros: &Macros,
    out: &mut Preprocessed,
) {
    let (lines, issues) = syntax::logical_lines(id, fs.text(id));
    out.issues.extend(issues);
    let mut states: Vec<(bool, Span)> = Vec::new();
    for mut line in lines {
        if out.stopped {
            return;
        }
        if syntax::uses_kid_macro(&line.text) {
            out.kid_dependent = true;
        }
        syntax::substitute(&mut line, macros);
        let text = line.text.as_str();
        if let Some(expr) = keyword(text, "if") {
            match eval_condition(expr) {
                Some(v) => states.push((v, line.span())),
                None => {
                    out.fatal.push(Fatal {
                        span: line.span(),
                        message: format!("Squid cannot evaluate the condition `{}`", expr.trim()),
                    });
                    states.push((false, line.span()));
                }
            }
            continue;
        }
        if text.trim_end() == "endif" {
            if states.pop().is_none() {
                out.fatal.push(Fatal {
                    span: line.span(),
                    message: "`endif` without `if`".into(),
                });
            }
            continue;
        }
        if text.trim_end() == "else" {
            match states.last_mut() {
                Some(s) => s.0 = !s.0,
                None => out.fatal.push(Fatal {
                    span: line.span(),
                    message: "`else` without `if`".into(),
                }),
            }
            continue;
        }
        // Squid consults the innermost condition only.
        if !states.last().is_none_or(|s| s.0) {
            continue;
        }
        if let Some(rest) = keyword(text, "include") {
            let from = text.len() - rest.len();
            for t in syntax::include_paths(text, from) {
                let at = line.span_of(t.range.clone());
                if depth + 1 > MAX_DEPTH {
                    out.fatal.push(Fatal {
                        span: at,
                        message: format!(
                            "includes are nested more than {MAX_DEPTH} deep (an include cycle?)"
                        ),
                    });
                    out.stopped = true;
                    return;
                }
                let names = fs.glob(&t.text);
                if names.is_empty() {
                    out.fatal.push(Fatal {
                        span: at,
                        message: format!("`{}` matches no file", t.text),
                    });
                    continue;
                }
                for n in names {
                    if out.stopped {
                        return;
                    }
                    if out.included.len() >= MAX_EXPANSIONS {
                        out.incomplete = Some(at);
                        out.stopped = true;
                        return;
                    }
                    match fs.read(&n, at) {
                        Some(child) => {
                            out.included.push((child, at));
                            file(child, depth + 1, fs, macros, out);
                        }
                        None if fs.over_limit() => {
                            out.incomplete = Some(at);
                            out.stopped = true;
                            return;
                        }
                        None => out.fatal.push(Fatal {
                            span: at,
                            message: format!("Squid cannot read `{n}`"),
                        }),
                    }
                }
            }
            continue;
        }
        let (name, args_at) = syntax::directive_name(text);
        let name = name.to_string();
        out.directives.push(Directive {
            line,
            name,
            args_at,
        });
    }
    if let Some((_, sp)) = states.last() {
        out.fatal.push(Fatal {
            span: *sp,
            message: "`if` without `endif` at the end of the file".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceDb;

    struct Mem {
        db: SourceDb,
        files: Vec<(String, String)>,
    }

    impl FileAccess for Mem {
        fn glob(&mut self, pattern: &str) -> Vec<String> {
            let prefix = pattern.trim_end_matches('*');
            let mut v: Vec<String> = self
                .files
                .iter()
                .filter(|(n, _)| {
                    if pattern.ends_with('*') {
                        n.starts_with(prefix)
                    } else {
                        n == pattern
                    }
                })
                .map(|(n, _)| n.clone())
                .collect();
            v.sort();
            v
        }
        fn read(&mut self, name: &str, _: Span) -> Option<FileId> {
            let text = self.files.iter().find(|(n, _)| n == name)?.1.clone();
            Some(self.db.add(name.into(), text, false))
        }
        fn text(&self, id: FileId) -> &str {
            self.db.text(id)
        }
    }

    fn run(main: &str, files: &[(&str, &str)]) -> Preprocessed {
        let mut m = Mem {
            db: SourceDb::new(),
            files: files
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        };
        let id = m.db.add("main".into(), main.into(), false);
        preprocess(
            id,
            &mut m,
            &Macros {
                service_name: "squid".into(),
                process_number: 0,
            },
        )
    }

    fn names(p: &Preprocessed) -> Vec<String> {
        p.directives.iter().map(|d| d.line.text.clone()).collect()
    }

    #[test]
    fn innermost_condition_only() {
        let p = run(
            "if false\nif true\nacl a src 1.1.1.1\nendif\nacl b src 2.2.2.2\nendif\n",
            &[],
        );
        assert_eq!(names(&p), vec!["acl a src 1.1.1.1"]);
        assert!(p.fatal.is_empty());
    }

    #[test]
    fn includes_expand_in_place_and_empty_globs_are_fatal() {
        let p = run(
            "a 1\ninclude /c/*\nb 2\ninclude /none/*\n",
            &[("/c/2", "y 2\n"), ("/c/1", "x 1\n")],
        );
        assert_eq!(names(&p), vec!["a 1", "x 1", "y 2", "b 2"]);
        assert_eq!(p.fatal.len(), 1);
    }

    #[test]
    fn include_cycles_stop_at_the_depth_limit() {
        let p = run("include /loop\n", &[("/loop", "include /loop\n")]);
        assert!(!p.fatal.is_empty());
    }

    #[test]
    fn a_glob_that_includes_its_own_folder_stops_at_the_first_too_deep_include() {
        // Three files that each include all three: without the stop this is
        // 3^16 file visits.
        let files: Vec<(&str, &str)> = ["/d/a", "/d/b", "/d/c"]
            .into_iter()
            .map(|n| (n, "include /d/*\nacl x src 10.0.0.0/8\n"))
            .collect();
        let p = run("include /d/*\nhttp_access deny all\n", &files);
        assert!(p.stopped);
        assert_eq!(p.fatal.len(), 1, "{:?}", p.fatal);
        assert!(p.included.len() <= MAX_DEPTH, "{}", p.included.len());
        assert!(
            names(&p).is_empty(),
            "Squid exits before any line after the deepest include: {:?}",
            names(&p)
        );
    }

    #[test]
    fn wide_and_deep_include_trees_stop_at_the_expansion_budget() {
        // Eight levels of eight files that include the next level: 8^8
        // expansions without a budget, no cycle and no depth overflow.
        let mut files = Vec::new();
        for level in 0..8 {
            for f in 0..8 {
                let body = if level < 7 {
                    format!("include /l{}/*\n", level + 1)
                } else {
                    "acl x src 10.0.0.0/8\n".to_string()
                };
                files.push((format!("/l{level}/f{f}"), body));
            }
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let p = run("include /l0/*\n", &refs);
        assert!(p.stopped);
        assert_eq!(p.included.len(), MAX_EXPANSIONS);
        assert!(p.incomplete.is_some());
        assert!(
            p.fatal.is_empty(),
            "relaylint's limit is not Squid's: {:?}",
            p.fatal
        );
    }

    #[test]
    fn conditions() {
        assert_eq!(eval_condition("0x1 = 1"), Some(true));
        assert_eq!(eval_condition("2 = 1"), Some(false));
        assert_eq!(eval_condition("yes"), None);
        let p = run("if 1 = 1\nelse\n", &[]);
        assert_eq!(p.fatal.len(), 1);
    }
}
