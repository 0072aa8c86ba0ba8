//! sendmail.cf: any bytes (lossily decoded) go through the whole Sendmail
//! analysis (read, model, evaluate, rules) and every finding is resolved to
//! lines and columns, without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relaylint::diagnostic::Severity;
use relaylint::dialect::sendmail::{analyse, Inputs, Kind, Source};
use relaylint::load::Limits;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let attacker = relaylint::net::untrusted_space();
    let text = String::from_utf8_lossy(data);
    let inputs = Inputs {
        conf: Source::Text(&text),
        kind: Kind::Cf,
        sysroot: Path::new("/nonexistent-relaylint-fuzz-root"),
    };
    let (db, diags) = analyse(&inputs, Limits::default(), &attacker);
    for d in &diags {
        let f = relaylint::finding::resolve(&db, d, Severity::Error, false);
        let _ = f.rendered.len();
    }
});
