//! `$name` expansion: the input is the text to expand, and also the raw
//! value of the parameter `self` (so `$self` nests the input in itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use relaylint::dialect::postfix::expand::{expand, Lookup};
use relaylint::dialect::postfix::text::Text;

struct Params<'a> {
    input: &'a str,
}

impl Lookup for Params<'_> {
    fn raw(&self, name: &str) -> Option<Text> {
        match name {
            "a" => Some(Text::builtin("192.0.2.0/24 $b")),
            "b" => Some(Text::builtin("${c?{[::1]/128}:{no}} $$literal")),
            "c" => Some(Text::builtin("3.6")),
            "empty" => Some(Text::builtin("")),
            "self" => Some(Text::builtin(self.input)),
            _ => None,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lookup = Params { input: &text };
    let (out, _errors) = expand(&Text::builtin(&text), &lookup);
    assert!(
        (0..out.s.len()).all(|i| out.origin(i).is_some()) && out.origin(out.s.len()).is_none(),
        "one origin per byte"
    );
    let _ = out.tokens();
});
