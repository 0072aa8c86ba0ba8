//! relaylint finds open mail relays and open proxies in Postfix, Sendmail,
//! Squid and Dante configurations, by evaluating each daemon's own decision
//! procedure against a symbolic attacker, and proves each finding with
//! source spans.
//!
//! Pipeline: [`discover`] (walk, [`classify`], group into units) → per unit,
//! in parallel: [`dialect`] parse, resolve, evaluate, rules → [`finding`]
//! (resolved, rendered) → [`report`].

#![warn(missing_docs)]

pub mod classify;
pub mod config_file;
pub mod diagnostic;
pub mod dialect;
pub mod discover;
pub mod finding;
pub mod host_analysis;
pub mod load;
pub mod net;
pub mod options;
pub mod registry;
pub mod report;
pub mod source;
pub mod suppress;

use diagnostic::Diagnostic;
use dialect::kind::Dialect;
use dialect::{dante, postfix, squid, Source};
use discover::{DiscoverOptions, InputError, UnitPlan};
use finding::Finding;
use options::Options;
use rayon::prelude::*;
use report::Report;
use source::{SourceDb, Span};
use std::path::PathBuf;

/// Findings and file count of one unit.
struct UnitOutput {
    files: usize,
    findings: Vec<Finding>,
}

fn finish(db: &SourceDb, diags: Vec<Diagnostic>, opts: &Options) -> UnitOutput {
    // Suppressions apply before selection, so that a suppression of a rule
    // left out by `--select` is not reported as silencing nothing.
    let findings = suppress::apply(db, diags)
        .iter()
        .filter(|d| opts.is_selected(d.code))
        .map(|d| finding::resolve(db, d, opts.severity(d.code), opts.color))
        .collect();
    UnitOutput {
        files: db.len(),
        findings,
    }
}

fn analyse_unit(plan: &UnitPlan, opts: &Options, attacker: &net::IpSet) -> UnitOutput {
    match plan {
        UnitPlan::Postfix {
            main,
            master,
            sysroot,
        } => {
            let inputs = postfix::Inputs {
                main: main.as_deref().map(Source::Path),
                master: master.as_deref(),
                sysroot,
            };
            let (db, diags) = postfix::analyse(&inputs, opts.limits, attacker);
            finish(&db, diags, opts)
        }
        UnitPlan::Squid { conf, sysroot } => {
            let inputs = squid::Inputs {
                conf: Source::Path(conf),
                sysroot,
            };
            let (db, diags) = squid::analyse(&inputs, opts.limits, attacker);
            finish(&db, diags, opts)
        }
        UnitPlan::Dante { conf, sysroot } => {
            let inputs = dante::Inputs {
                conf: Source::Path(conf),
                sysroot,
            };
            let (db, diags) = dante::analyse(&inputs, opts.limits, attacker);
            finish(&db, diags, opts)
        }
        UnitPlan::Stdin { dialect, text } => match dialect {
            Dialect::Squid => {
                let root = opts.root.clone().unwrap_or_else(|| PathBuf::from("."));
                let inputs = squid::Inputs {
                    conf: Source::Text(text),
                    sysroot: &root,
                };
                let (db, diags) = squid::analyse(&inputs, opts.limits, attacker);
                finish(&db, diags, opts)
            }
            Dialect::Dante => {
                let root = opts.root.clone().unwrap_or_else(|| PathBuf::from("."));
                let inputs = dante::Inputs {
                    conf: Source::Text(text),
                    sysroot: &root,
                };
                let (db, diags) = dante::analyse(&inputs, opts.limits, attacker);
                finish(&db, diags, opts)
            }
            Dialect::PostfixMain => {
                let root = opts.root.clone().unwrap_or_else(|| PathBuf::from("."));
                let inputs = postfix::Inputs {
                    main: Some(Source::Text(text)),
                    master: None,
                    sysroot: &root,
                };
                let (db, diags) = postfix::analyse(&inputs, opts.limits, attacker);
                finish(&db, diags, opts)
            }
            other => {
                let mut db = SourceDb::new();
                let id = db.add("-".into(), text.clone(), false);
                let d = Diagnostic::new(
                    "RL008",
                    format!(
                        "relaylint cannot analyse `{}` from standard input",
                        other.name()
                    ),
                    Span::new(id, 0..0),
                    "standard input",
                );
                finish(&db, vec![d], opts)
            }
        },
    }
}

/// Postfix units paired with the Squid and Dante units of the same host
/// (the same sysroot).
fn host_pairs(units: &[UnitPlan]) -> Vec<(&UnitPlan, &UnitPlan)> {
    let sysroot = |u: &UnitPlan| match u {
        UnitPlan::Postfix { sysroot, .. }
        | UnitPlan::Squid { sysroot, .. }
        | UnitPlan::Dante { sysroot, .. } => Some(sysroot.clone()),
        UnitPlan::Stdin { .. } => None,
    };
    let mut pairs = Vec::new();
    for pf in units
        .iter()
        .filter(|u| matches!(u, UnitPlan::Postfix { .. }))
    {
        let proxies = units
            .iter()
            .filter(|u| matches!(u, UnitPlan::Squid { .. } | UnitPlan::Dante { .. }));
        for sq in proxies {
            if sysroot(pf).is_some() && sysroot(pf) == sysroot(sq) {
                pairs.push((pf, sq));
            }
        }
    }
    pairs
}

/// The host pass for one pair: only its own findings (the units' files are
/// counted by their own analyses).
fn analyse_host(
    pf: &UnitPlan,
    proxy: &UnitPlan,
    opts: &Options,
    attacker: &net::IpSet,
) -> UnitOutput {
    let UnitPlan::Postfix {
        main,
        master,
        sysroot,
    } = pf
    else {
        return UnitOutput {
            files: 0,
            findings: Vec::new(),
        };
    };
    let postfix_inputs = postfix::Inputs {
        main: main.as_deref().map(Source::Path),
        master: master.as_deref(),
        sysroot,
    };
    let (db, diags) = match proxy {
        UnitPlan::Squid { conf, .. } => {
            let inputs = squid::Inputs {
                conf: Source::Path(conf),
                sysroot,
            };
            host_analysis::squid_to_postfix(&postfix_inputs, &inputs, opts.limits, attacker)
        }
        UnitPlan::Dante { conf, .. } => {
            let inputs = dante::Inputs {
                conf: Source::Path(conf),
                sysroot,
            };
            host_analysis::dante_to_postfix(&postfix_inputs, &inputs, opts.limits, attacker)
        }
        _ => (SourceDb::new(), Vec::new()),
    };
    UnitOutput {
        files: 0,
        ..finish(&db, diags, opts)
    }
}

/// Scans `inputs` (files, folders, or `-` for `stdin`).
pub fn scan(
    inputs: &[PathBuf],
    opts: &Options,
    stdin: Option<String>,
) -> Result<Report, InputError> {
    let discovery = discover::discover(
        inputs,
        &DiscoverOptions {
            dialect: opts.dialect,
            root: opts.root.clone(),
            paths: opts.paths.clone(),
        },
        stdin,
    )?;
    let attacker = net::attacker_space(&opts.trusted);
    let hosts = host_pairs(&discovery.units);
    let run = || -> Vec<UnitOutput> {
        let mut out: Vec<UnitOutput> = discovery
            .units
            .par_iter()
            .map(|u| analyse_unit(u, opts, &attacker))
            .collect();
        out.par_extend(
            hosts
                .par_iter()
                .map(|(pf, sq)| analyse_host(pf, sq, opts, &attacker)),
        );
        out
    };
    let outputs = match opts.jobs {
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
        {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        },
        None => run(),
    };
    let mut report = Report {
        units: discovery.units.len(),
        ..Report::default()
    };
    for o in outputs {
        report.files += o.files;
        report.findings.extend(o.findings);
    }
    for p in &discovery.problems {
        let mut db = SourceDb::new();
        let id = db.add(p.path.clone(), String::new(), false);
        let d = Diagnostic::new(p.code, p.message.clone(), Span::new(id, 0..0), "this file");
        report.findings.extend(finish(&db, vec![d], opts).findings);
    }
    report.findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, &b.code, &b.message))
    });
    Ok(report)
}
