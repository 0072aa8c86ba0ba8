//! master.cf parser: any bytes (lossily decoded) must parse without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relaylint::dialect::postfix::master_cf;
use relaylint::source::FileId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (cf, _diags) = master_cf::parse(FileId(0), &text);
    for s in &cf.services {
        let _ = s.override_of("smtpd_recipient_restrictions");
        for o in &s.overrides {
            let _ = o.value.tokens();
        }
    }
});
