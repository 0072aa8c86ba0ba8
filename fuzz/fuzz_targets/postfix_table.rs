//! Lookup tables: the first byte picks the table type, the rest is the
//! table's source text. The same text is also read as the body of an
//! `inline:{...}` and a `static:` reference.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relaylint::dialect::postfix::table;
use relaylint::dialect::postfix::text::Token;
use relaylint::source::FileId;

const TYPES: [&str; 5] = ["hash", "cidr", "regexp", "pcre", "texthash"];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let ty = TYPES[sel as usize % TYPES.len()];
    let text = String::from_utf8_lossy(rest);
    let tok = Token {
        text: format!("{ty}:/etc/postfix/t"),
        span: None,
    };
    let reference = table::parse_ref(&tok).expect("a type:name token is a table reference");
    let t = table::parse(reference, FileId(0), &text);
    for e in &t.entries {
        let _ = e
            .pattern
            .matches("client.example", "192.0.2.1".parse().ok());
    }
    for r in [
        format!("inline:{{{text}}}"),
        format!("static:{text}"),
        format!("{ty}:{text}"),
    ] {
        if let Some(reference) = table::parse_ref(&Token {
            text: r,
            span: None,
        }) {
            let _ = reference.display();
            let t = table::fileless(reference);
            for e in &t.entries {
                let _ = e.pattern.matches("client.example", None);
            }
        }
    }
});
