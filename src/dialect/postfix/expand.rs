//! `$name` expansion as Postfix does it, on [`Text`] so that provenance
//! survives: `$name`, `${name}`, `$(name)`, `$$`, `${name?value}`,
//! `${name:value}`, `${name?{a}:{b}}` and the relational form
//! `${{a} op {b} ? {x} : {y}}` (with `<level`-style operators).

use super::text::Text;

/// Gives the raw (unexpanded) value of a parameter, if it has one.
pub trait Lookup {
    /// Raw value of `name`.
    fn raw(&self, name: &str) -> Option<Text>;

    /// Raw value of `name`, borrowed when the lookup holds it (what the
    /// expansion calls: most values are read, not copied).
    fn raw_ref(&self, name: &str) -> Option<std::borrow::Cow<'_, Text>> {
        self.raw(name).map(std::borrow::Cow::Owned)
    }

    /// True for parameters Postfix substitutes as written, without
    /// expanding what is inside (`smtpd_expansion_filter`...).
    fn is_raw(&self, name: &str) -> bool {
        RAW_PARAMETERS.contains(&name)
    }
}

/// Parameters whose `$` Postfix leaves alone (they are interpreted later,
/// with their own attributes, or are character sets).
pub const RAW_PARAMETERS: &[&str] = &[
    "smtpd_expansion_filter",
    "default_rbl_reply",
    "smtpd_reject_footer",
    "forward_path",
    "luser_relay",
    "mailbox_command",
    "command_execution_directory",
    "execution_directory_expansion_filter",
    "postscreen_reject_footer",
    "smtpd_reject_footer_maps",
];

/// Why an expansion was cut short.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpandError {
    /// A parameter refers to itself (Postfix: "unreasonable macro call nesting").
    Recursion(String),
    /// A macro Postfix cannot parse (an unterminated `${`, a bad name, a
    /// lone `$`); Postfix stops with "macro processing error".
    Syntax(String),
    /// The expansion grew past [`MAX_OUTPUT`] bytes or [`MAX_CALLS`]
    /// references (a value that doubles at each level would otherwise take
    /// exponential time).
    TooLarge,
}

/// Most bytes one expansion may produce.
pub const MAX_OUTPUT: usize = 1 << 20;
/// Deepest `${...}` nesting followed (each level copies its text).
pub const MAX_NESTING: usize = 8;
/// Most parameter references one expansion may follow.
pub const MAX_CALLS: usize = 4096;

#[derive(Default)]
struct State {
    stack: Vec<String>,
    errors: Vec<ExpandError>,
    produced: usize,
    calls: usize,
    nesting: usize,
}

impl State {
    fn syntax(&mut self, what: &str) {
        let e = ExpandError::Syntax(what.to_string());
        if !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }

    fn exhausted(&mut self) -> bool {
        self.calls += 1;
        if self.produced > MAX_OUTPUT || self.calls > MAX_CALLS {
            if !self.errors.contains(&ExpandError::TooLarge) {
                self.errors.push(ExpandError::TooLarge);
            }
            return true;
        }
        false
    }
}

const MAX_DEPTH: usize = 32;

/// Longest value expanded; a longer one is kept as written (every `${...}`
/// level copies its text, so size times nesting must stay small).
pub const MAX_INPUT: usize = 2 * 1024 * 1024;

/// Expands `text` fully.
pub fn expand(text: &Text, lookup: &dyn Lookup) -> (Text, Vec<ExpandError>) {
    if text.s.len() > MAX_INPUT {
        return (text.clone(), vec![ExpandError::TooLarge]);
    }
    let mut st = State::default();
    let out = expand_inner(text, lookup, &mut st);
    (out, st.errors)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Index of the `}` (or `)`) that closes the group opened at `open`.
fn matching(s: &[u8], open: usize, open_b: u8, close_b: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in s.iter().enumerate().skip(open) {
        if b == open_b {
            depth += 1;
        } else if b == close_b {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

fn sub(text: &Text, range: std::ops::Range<usize>) -> Text {
    let mut t = Text::default();
    t.push_slice(text, range);
    t
}

/// Strips whitespace and one pair of braces around a `{value}`.
fn unbrace(text: &Text) -> Text {
    let s = &text.s;
    let lead = s.len() - s.trim_start().len();
    let trail = s.trim_end().len();
    if trail <= lead {
        return Text::default();
    }
    let inner = sub(text, lead..trail);
    if inner.s.starts_with('{')
        && matching(inner.s.as_bytes(), 0, b'{', b'}') == Some(inner.s.len() - 1)
    {
        let t = sub(&inner, 1..inner.s.len() - 1);
        let l = t.s.len() - t.s.trim_start().len();
        let r = t.s.trim_end().len();
        if r > l {
            return sub(&t, l..r);
        }
        return Text::default();
    }
    inner
}

fn param(name: &str, lookup: &dyn Lookup, st: &mut State) -> Text {
    if st.exhausted() {
        return Text::default();
    }
    if st.stack.iter().any(|n| n == name) || st.stack.len() >= MAX_DEPTH {
        if !st
            .errors
            .contains(&ExpandError::Recursion(name.to_string()))
        {
            st.errors.push(ExpandError::Recursion(name.to_string()));
        }
        return Text::default();
    }
    let Some(raw) = lookup.raw_ref(name) else {
        return Text::default();
    };
    if lookup.is_raw(name) {
        return raw.into_owned();
    }
    st.stack.push(name.to_string());
    let out = expand_inner(&raw, lookup, st);
    st.stack.pop();
    st.produced = st.produced.saturating_add(out.s.len());
    out
}

fn expand_inner(text: &Text, lookup: &dyn Lookup, st: &mut State) -> Text {
    let s = text.s.as_bytes();
    // Most values name no parameter: they expand to themselves.
    if memchr::memchr(b'$', s).is_none() {
        return text.clone();
    }
    let mut out = Text::default();
    let mut i = 0;
    let mut lit_start = 0;
    while i < s.len() {
        if s[i] != b'$' {
            i += 1;
            continue;
        }
        out.push_slice(text, lit_start..i);
        let next = s.get(i + 1).copied();
        match next {
            Some(b'$') => {
                out.push_slice(text, i + 1..i + 2);
                i += 2;
            }
            Some(b'{') | Some(b'(') => {
                let (open_b, close_b) = if next == Some(b'{') {
                    (b'{', b'}')
                } else {
                    (b'(', b')')
                };
                match matching(s, i + 1, open_b, close_b) {
                    Some(close) => {
                        let inner = sub(text, i + 2..close);
                        out.push_text(&braced(&inner, lookup, st));
                        i = close + 1;
                    }
                    None => {
                        st.syntax("unterminated macro reference");
                        out.push_slice(text, i..s.len());
                        i = s.len();
                    }
                }
            }
            Some(b) if is_name_byte(b) => {
                let mut j = i + 1;
                while j < s.len() && is_name_byte(s[j]) {
                    j += 1;
                }
                let name = text.s.get(i + 1..j).unwrap_or("");
                out.push_text(&param(name, lookup, st));
                i = j;
            }
            _ => {
                st.syntax("`$` without a parameter name");
                out.push_slice(text, i..i + 1);
                i += 1;
            }
        }
        lit_start = i;
    }
    out.push_slice(text, lit_start..s.len());
    out
}

fn braced(inner: &Text, lookup: &dyn Lookup, st: &mut State) -> Text {
    if st.nesting >= MAX_NESTING {
        if !st.errors.contains(&ExpandError::TooLarge) {
            st.errors.push(ExpandError::TooLarge);
        }
        return Text::default();
    }
    st.nesting += 1;
    let out = braced_inner(inner, lookup, st);
    st.nesting -= 1;
    out
}

fn braced_inner(inner: &Text, lookup: &dyn Lookup, st: &mut State) -> Text {
    let s = inner.s.as_bytes();
    let lead = inner.s.len() - inner.s.trim_start().len();
    if s.get(lead) == Some(&b'{') {
        return relational(inner, lookup, st).unwrap_or_default();
    }
    let mut j = lead;
    while j < s.len() && is_name_byte(s[j]) {
        j += 1;
    }
    let name = inner.s.get(lead..j).unwrap_or("").to_string();
    let rest = inner.s.get(j..).unwrap_or("").trim_start();
    let rest_at = inner.s.len() - rest.len();
    if name.is_empty() {
        st.syntax("empty parameter name in `${...}`");
        return Text::default();
    }
    match rest.as_bytes().first() {
        None => param(&name, lookup, st),
        Some(b'?') => {
            let value = param(&name, lookup, st);
            let arg = sub(inner, rest_at + 1..inner.s.len());
            let (yes, no) = split_alternatives(&arg);
            if !value.s.is_empty() {
                expand_inner(&unbrace(&yes), lookup, st)
            } else {
                no.map(|n| expand_inner(&unbrace(&n), lookup, st))
                    .unwrap_or_default()
            }
        }
        Some(b':') => {
            let value = param(&name, lookup, st);
            let arg = sub(inner, rest_at + 1..inner.s.len());
            if split_alternatives(&arg).1.is_some() {
                st.syntax("`${name:value}` takes one value, not two");
                return Text::default();
            }
            if value.s.is_empty() {
                expand_inner(&unbrace(&arg), lookup, st)
            } else {
                Text::default()
            }
        }
        Some(_) => {
            st.syntax("bad character in a parameter name");
            Text::default()
        }
    }
}

/// Splits `{a}:{b}` (or `{a}:b`) into its two parts; a plain value has no
/// second part.
fn split_alternatives(arg: &Text) -> (Text, Option<Text>) {
    let s = arg.s.as_bytes();
    let lead = arg.s.len() - arg.s.trim_start().len();
    if s.get(lead) == Some(&b'{') {
        if let Some(close) = matching(s, lead, b'{', b'}') {
            let after = arg.s.get(close + 1..).unwrap_or("");
            let t = after.trim_start();
            if let Some(rest) = t.strip_prefix(':') {
                let at = arg.s.len() - rest.len();
                return (sub(arg, lead..close + 1), Some(sub(arg, at..arg.s.len())));
            }
            return (sub(arg, lead..close + 1), None);
        }
    }
    (arg.clone(), None)
}

/// Compares two compatibility levels the way `<level` does: numerically,
/// part by part (`3.10` is above `3.9`).
pub fn compare_levels(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |s: &str| -> Vec<u64> {
        s.trim()
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (va, vb) = (parse(a), parse(b));
    let n = va.len().max(vb.len());
    for k in 0..n {
        let (x, y) = (
            va.get(k).copied().unwrap_or(0),
            vb.get(k).copied().unwrap_or(0),
        );
        match x.cmp(&y) {
            std::cmp::Ordering::Equal => continue,
            o => return o,
        }
    }
    std::cmp::Ordering::Equal
}

fn relational(inner: &Text, lookup: &dyn Lookup, st: &mut State) -> Option<Text> {
    let s = inner.s.as_bytes();
    let a_open = inner.s.find('{')?;
    let a_close = matching(s, a_open, b'{', b'}')?;
    let rest = inner.s.get(a_close + 1..)?;
    let rest_trim = rest.trim_start();
    let op_at = inner.s.len() - rest_trim.len();
    let op_len = rest_trim.find('{')?;
    let op = rest_trim.get(..op_len)?.trim().to_string();
    let b_open = op_at + op_len;
    let b_close = matching(s, b_open, b'{', b'}')?;
    // Operands are compared as written inside their braces: Postfix keeps
    // the blanks of `{ edge }` (checked with the real daemon).
    let a = expand_inner(&sub(inner, a_open + 1..a_close), lookup, st);
    let b = expand_inner(&sub(inner, b_open + 1..b_close), lookup, st);
    let after = inner.s.get(b_close + 1..)?.trim_start();
    let q_at = inner.s.len() - after.len();
    let arg = sub(inner, q_at + 1..inner.s.len());
    if !after.starts_with('?') {
        return None;
    }
    let (yes, no) = split_alternatives(&arg);
    let (x, y) = (a.s.as_str(), b.s.as_str());
    let numeric = !x.is_empty()
        && !y.is_empty()
        && x.bytes().all(|c| c.is_ascii_digit())
        && y.bytes().all(|c| c.is_ascii_digit());
    let ord = if op.ends_with("level") {
        compare_levels(x, y)
    } else if numeric {
        x.parse::<u128>().ok()?.cmp(&y.parse::<u128>().ok()?)
    } else {
        x.cmp(y)
    };
    use std::cmp::Ordering::*;
    let truth = match op.trim_end_matches("level") {
        "==" => ord == Equal,
        "!=" => ord != Equal,
        "<" => ord == Less,
        "<=" => ord != Greater,
        ">" => ord == Greater,
        ">=" => ord != Less,
        _ => return None,
    };
    Some(if truth {
        expand_inner(&unbrace(&yes), lookup, st)
    } else {
        no.map(|n| expand_inner(&unbrace(&n), lookup, st))
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);
    impl Lookup for Map {
        fn raw(&self, name: &str) -> Option<Text> {
            self.0.get(name).map(|v| Text::builtin(v))
        }
    }

    fn ex(s: &str, vars: &[(&'static str, &'static str)]) -> String {
        let m = Map(vars.iter().copied().collect());
        expand(&Text::builtin(s), &m).0.s
    }

    #[test]
    fn forms() {
        let v = [("a", "A"), ("b", "$a-B"), ("e", "")];
        assert_eq!(ex("$a ${a} $(a) $$a", &v), "A A A $a");
        assert_eq!(ex("$b", &v), "A-B");
        assert_eq!(
            ex("${a?yes}|${e?yes}|${a:no}|${e:no}", &v),
            "yes||| no".replace(' ', "")
        );
        assert_eq!(ex("${a?{x y}:{z}}|${e?{x}:{z}}", &v), "x y|z");
        assert_eq!(ex("$undefined.", &v), ".");
    }

    #[test]
    fn relational_levels() {
        let v = [("compatibility_level", "3.10")];
        assert_eq!(
            ex("${{$compatibility_level} <level {3.9} ? {old} : {new}}", &v),
            "new"
        );
        assert_eq!(
            ex("${{$compatibility_level} < {3.9} ? {a} : {b}}", &v),
            "a",
            "plain `<` is lexical"
        );
    }

    #[test]
    fn doubling_values_stop_at_the_output_cap() {
        // a0 = $a1$a1, a1 = $a2$a2, ... : 2^40 bytes if expanded naively.
        let names: Vec<String> = (0..41).map(|i| format!("a{i}")).collect();
        let values: Vec<String> = (0..41)
            .map(|i| {
                if i == 40 {
                    "x".to_string()
                } else {
                    format!("$a{}$a{}", i + 1, i + 1)
                }
            })
            .collect();
        struct Chain(Vec<String>, Vec<String>);
        impl Lookup for Chain {
            fn raw(&self, name: &str) -> Option<Text> {
                self.0
                    .iter()
                    .position(|n| n == name)
                    .map(|i| Text::builtin(&self.1[i]))
            }
        }
        let (out, errs) = expand(&Text::builtin("$a0"), &Chain(names, values));
        assert!(errs.contains(&ExpandError::TooLarge));
        assert!(out.s.len() <= 4 * MAX_OUTPUT);
    }

    #[test]
    fn self_reference_is_an_error() {
        let m = Map([("x", "$x y")].into_iter().collect());
        let (_, errs) = expand(&Text::builtin("$x"), &m);
        assert_eq!(errs, [ExpandError::Recursion("x".into())]);
    }

    #[test]
    fn provenance_survives() {
        use crate::source::FileId;
        struct One(Text);
        impl Lookup for One {
            fn raw(&self, n: &str) -> Option<Text> {
                (n == "net").then(|| self.0.clone())
            }
        }
        let def = Text::from_file(FileId(3), 100, "0.0.0.0/0");
        let (out, _) = expand(&Text::builtin("$net"), &One(def));
        assert_eq!(out.span().unwrap().start, 100);
    }
}
