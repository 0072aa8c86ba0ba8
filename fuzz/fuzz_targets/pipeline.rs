//! The whole per-unit Postfix pipeline on a main.cf read from the input
//! (master.cf absent, tables under a sysroot that does not exist), then every
//! diagnostic resolved to a finding (spans, line/column, rendering).
#![no_main]

use libfuzzer_sys::fuzz_target;
use relaylint::diagnostic::Severity;
use relaylint::dialect::postfix::{analyse, Inputs, Source};
use relaylint::load::Limits;
use std::path::Path;
use std::sync::OnceLock;

static ATTACKER: OnceLock<relaylint::net::IpSet> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let attacker = ATTACKER.get_or_init(relaylint::net::untrusted_space);
    let text = String::from_utf8_lossy(data);
    let inputs = Inputs {
        main: Some(Source::Text(&text)),
        master: None,
        sysroot: Path::new("/nonexistent-relaylint-fuzz-root"),
    };
    let (db, diags) = analyse(&inputs, Limits::default(), attacker);
    for d in &diags {
        let f = relaylint::finding::resolve(&db, d, Severity::Error, false);
        let _ = f.rendered.len();
    }
});
