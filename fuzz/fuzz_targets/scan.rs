//! The whole pipeline as `relaylint check --dialect D -` runs it, for every
//! dialect with an analyser: the first byte picks the dialect (byte % 6:
//! Postfix main.cf, Squid, Dante, sendmail.mc, sendmail.cf, Sendmail access
//! map), the rest is the configuration read from
//! standard input. Discovery, analysis, suppressions, selection, the
//! sort, and every report writer (human, JSON, SARIF, GitHub) run on it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    relaylint_fuzz_scan(data);
});

fn relaylint_fuzz_scan(data: &[u8]) {
    use relaylint::dialect::kind::Dialect;
    use std::path::PathBuf;
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let dialect = [
        Dialect::PostfixMain,
        Dialect::Squid,
        Dialect::Dante,
        Dialect::SendmailMc,
        Dialect::SendmailCf,
        Dialect::SendmailAccess,
    ][sel as usize % 6];
    let opts = relaylint::options::Options {
        // The global rayon pool: a pool of its own per input would start a
        // thread per run.
        jobs: None,
        dialect: Some(dialect),
        root: Some(PathBuf::from("/nonexistent-relaylint-fuzz-root")),
        ..Default::default()
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let Ok(report) = relaylint::scan(&[PathBuf::from("-")], &opts, Some(text)) else {
        return;
    };
    let mut out = Vec::new();
    let _ = relaylint::report::human::write(&report, &mut out);
    let _ = relaylint::report::json::write(&report, &mut out);
    let sarif = relaylint::report::sarif::SarifOptions { src_root: None };
    let _ = relaylint::report::sarif::write(&report, &sarif, &mut out);
    let _ = relaylint::report::github::write(&report, &mut out);
}
