//! main.cf parser: any bytes (lossily decoded) must parse without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relaylint::dialect::postfix::main_cf;
use relaylint::source::FileId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (cf, _diags) = main_cf::parse(FileId(0), &text);
    // Touch what the parser built, so spans/values are computed and kept.
    for p in &cf.params {
        let _ = p.value.tokens();
        let _ = p.value.span();
    }
    let _ = cf.get("mynetworks");
});
