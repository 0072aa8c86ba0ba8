//! relaylint finds open mail relays and open proxies in Postfix, Sendmail,
//! Squid and Dante configurations, by evaluating each daemon's own decision
//! procedure against a symbolic attacker, and proves each finding with
//! source spans.
//!
//! Pipeline: [`discover`] (walk, [`classify`], group into units) → per unit,
//! in parallel: [`dialect`] parse, resolve, evaluate, rules → [`finding`]
//! (resolved, rendered) → [`report`].

#![warn(missing_docs)]

pub mod baseline;
pub mod classify;
pub mod config_file;
pub mod diagnostic;
pub mod dialect;
pub mod discover;
pub mod finding;
pub mod host;
pub mod host_analysis;
pub mod load;
pub mod net;
pub mod options;
pub mod progress;
pub mod registry;
pub mod report;
pub mod source;
pub mod suppress;
#[cfg(test)]
mod test_sequence;
pub mod walk;

use diagnostic::Diagnostic;
use dialect::kind::Dialect;
use dialect::{dante, postfix, sendmail, squid, Source};
use discover::{DiscoverOptions, InputError, Plan, UnitPlan};
use finding::Finding;
use options::Options;
use rayon::prelude::*;
use report::Report;
use source::{SourceDb, Span};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Findings and file count of one unit.
struct UnitOutput {
    files: usize,
    findings: Vec<Finding>,
}

fn finish(
    db: &SourceDb,
    diags: Vec<Diagnostic>,
    opts: &Options,
    host: &host::HostTag,
) -> UnitOutput {
    // Suppressions apply before selection, so that a suppression of a rule
    // left out by `--select` is not reported as silencing nothing.
    resolve(db, suppress::apply(db, diags), opts, host)
}

/// The findings `opts` selects among diagnostics already filtered by the
/// suppressions, resolved against `db`.
fn resolve(
    db: &SourceDb,
    diags: Vec<Diagnostic>,
    opts: &Options,
    host: &host::HostTag,
) -> UnitOutput {
    let findings = diags
        .iter()
        .filter(|d| opts.is_selected(d.code))
        .map(|d| {
            let severity = opts.severity(d.code);
            let mut f = if opts.unrendered {
                finding::resolve_unrendered(db, d, severity)
            } else {
                finding::resolve(db, d, severity, opts.color)
            };
            f.host = host.name.clone();
            f.host_path = host.relative(&f.path);
            f
        })
        .collect();
    UnitOutput {
        files: db.len(),
        findings,
    }
}

fn analyse_unit(plan: &UnitPlan, opts: &Options, attacker: &net::IpSet) -> UnitOutput {
    let host = host::of_unit(plan);
    let finish =
        |db: &SourceDb, diags: Vec<Diagnostic>, opts: &Options| finish(db, diags, opts, &host);
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
        UnitPlan::Sendmail {
            conf,
            dialect,
            sysroot,
        } => {
            let inputs = sendmail::Inputs {
                conf: Source::Path(conf),
                kind: sendmail_kind(*dialect),
                sysroot,
            };
            let (db, diags) = sendmail::analyse(&inputs, opts.limits, attacker);
            finish(&db, diags, opts)
        }
        UnitPlan::Stdin { dialect, text } => match dialect {
            Dialect::SendmailMc | Dialect::SendmailCf | Dialect::SendmailAccess => {
                let root = opts.root.clone().unwrap_or_else(|| PathBuf::from("."));
                let inputs = sendmail::Inputs {
                    conf: Source::Text(text),
                    kind: sendmail_kind(*dialect),
                    sysroot: &root,
                };
                let (db, diags) = sendmail::analyse(&inputs, opts.limits, attacker);
                finish(&db, diags, opts)
            }
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

fn sendmail_kind(d: Dialect) -> sendmail::Kind {
    match d {
        Dialect::SendmailCf => sendmail::Kind::Cf,
        Dialect::SendmailAccess => sendmail::Kind::Access,
        _ => sendmail::Kind::Mc,
    }
}

/// The Postfix units of each sysroot, by index into the units: the host
/// pass pairs each Squid or Dante unit with those of its own sysroot.
fn postfix_by_sysroot(units: &[UnitPlan]) -> HashMap<&Path, Vec<usize>> {
    let mut by_root: HashMap<&Path, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        if let UnitPlan::Postfix { sysroot, .. } = u {
            by_root.entry(sysroot.as_path()).or_default().push(i);
        }
    }
    by_root
}

/// The Postfix units on the same host (the same sysroot) as `proxy`, when
/// it is a Squid or Dante unit.
fn host_partners<'u>(
    units: &'u [UnitPlan],
    postfix: &HashMap<&Path, Vec<usize>>,
    proxy: &UnitPlan,
) -> Vec<&'u UnitPlan> {
    let proxy_root = match proxy {
        UnitPlan::Squid { sysroot, .. } | UnitPlan::Dante { sysroot, .. } => sysroot,
        _ => return Vec::new(),
    };
    postfix
        .get(proxy_root.as_path())
        .into_iter()
        .flatten()
        .filter_map(|&i| units.get(i))
        .collect()
}

/// A unit's own analysis, then the host pass with each Postfix unit of its
/// host when it is a proxy; host findings go with the proxy unit, where
/// their primary label is. A Squid unit is read once for both.
fn analyse_with_partners(
    u: &UnitPlan,
    partners: &[&UnitPlan],
    opts: &Options,
    attacker: &net::IpSet,
) -> UnitOutput {
    let UnitPlan::Squid { conf, sysroot } = u else {
        if let UnitPlan::Dante { conf, sysroot } = u {
            if !partners.is_empty() {
                return analyse_dante_with_partners(u, conf, sysroot, partners, opts, attacker);
            }
        }
        return analyse_unit(u, opts, attacker);
    };
    let host = host::of_unit(u);
    let inputs = squid::Inputs {
        conf: Source::Path(conf),
        sysroot,
    };
    let (mut db, diags, view) = squid::analyse_with_view(&inputs, opts.limits, attacker);
    let squid_files = db.len();
    // One set of suppressions for the unit's own analysis and its host
    // passes: a suppression used by either is used, and each is reported
    // once, by this unit (the Postfix files read here are their unit's).
    let mut suppressions = suppress::Suppressions::read(&db, squid_files);
    let kept = suppressions.silence(&db, diags);
    let mut out = resolve(&db, kept, opts, &host);
    for pf in partners {
        let Some(postfix_inputs) = postfix_inputs(pf) else {
            continue;
        };
        let (mut with_postfix, diags) =
            host_analysis::squid_to_postfix(&postfix_inputs, &view, db, opts.limits, attacker);
        let kept = suppressions.silence(&with_postfix, diags);
        out.findings
            .extend(resolve(&with_postfix, kept, opts, &host).findings);
        // The next pair sees Squid's files only, as a pair read alone would.
        with_postfix.truncate(squid_files);
        db = with_postfix;
    }
    out.findings
        .extend(resolve(&db, suppressions.finish(), opts, &host).findings);
    out
}

/// The inputs of a Postfix unit read from files.
fn postfix_inputs(pf: &UnitPlan) -> Option<postfix::Inputs<'_>> {
    match pf {
        UnitPlan::Postfix {
            main,
            master,
            sysroot,
        } => Some(postfix::Inputs {
            main: main.as_deref().map(Source::Path),
            master: master.as_deref(),
            sysroot,
        }),
        _ => None,
    }
}

/// A Dante unit's own analysis, then the host pass with each Postfix unit
/// of its host, sharing the unit's suppressions as a Squid unit does. The
/// host passes read danted's file first, so that it has the same id as in
/// the unit's own reading (the suppressions are found by file and line).
fn analyse_dante_with_partners(
    u: &UnitPlan,
    conf: &Path,
    sysroot: &Path,
    partners: &[&UnitPlan],
    opts: &Options,
    attacker: &net::IpSet,
) -> UnitOutput {
    let host = host::of_unit(u);
    let inputs = dante::Inputs {
        conf: Source::Path(conf),
        sysroot,
    };
    let (db, diags) = dante::analyse(&inputs, opts.limits, attacker);
    let mut suppressions = suppress::Suppressions::read(&db, db.len());
    let kept = suppressions.silence(&db, diags);
    let mut out = resolve(&db, kept, opts, &host);
    for pf in partners {
        let (Some(postfix_inputs), UnitPlan::Postfix { sysroot, .. }) = (postfix_inputs(pf), pf)
        else {
            continue;
        };
        let inputs = dante::Inputs {
            conf: Source::Path(conf),
            sysroot,
        };
        let (host_db, diags) =
            host_analysis::dante_to_postfix(&postfix_inputs, &inputs, opts.limits, attacker);
        let kept = suppressions.silence(&host_db, diags);
        out.findings
            .extend(resolve(&host_db, kept, opts, &host).findings);
    }
    out.findings
        .extend(resolve(&db, suppressions.finish(), opts, &host).findings);
    out
}

/// Scans `inputs` (files, folders, or `-` for `stdin`).
pub fn scan(
    inputs: &[PathBuf],
    opts: &Options,
    stdin: Option<String>,
) -> Result<Report, InputError> {
    scan_with(inputs, opts, stdin, &progress::Silent)
}

/// [`scan`], telling `progress` how many units there are and when each is
/// done.
pub fn scan_with(
    inputs: &[PathBuf],
    opts: &Options,
    stdin: Option<String>,
    progress: &dyn progress::Progress,
) -> Result<Report, InputError> {
    let mut findings = Vec::new();
    let mut report = scan_streaming(inputs, opts, stdin, progress, &mut |f| findings.push(f))?;
    report.findings = findings;
    Ok(report)
}

/// What the report is written in the order of: a unit (index into the
/// discovered units) or a file problem (index into the problems).
enum Item {
    Unit(usize),
    Problem(usize),
}

/// The path a unit is ordered by: its first configuration file.
fn unit_key(plan: &UnitPlan) -> String {
    match plan {
        UnitPlan::Postfix { main, master, .. } => main
            .as_deref()
            .or(master.as_deref())
            .map(discover::display)
            .unwrap_or_default(),
        UnitPlan::Squid { conf, .. }
        | UnitPlan::Dante { conf, .. }
        | UnitPlan::Sendmail { conf, .. } => discover::display(conf),
        UnitPlan::Stdin { .. } => "-".to_string(),
    }
}

/// Runs `work` on `pool`'s workers, or on the global pool's.
fn within<R: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(p) => p.install(work),
        None => work(),
    }
}

/// Units analysed together before the next ones start (see
/// [`scan_streaming`]): large enough to keep every core busy, small enough
/// that waiting results take little memory.
const UNIT_WINDOW: usize = 256;

/// Most units a worker analyses before handing their results to the
/// writer: each hand-over may wake the writing thread, and waking it for
/// every small unit cost more than the channel itself.
const UNITS_PER_SEND: usize = 8;

/// What [`scan_events`] hands its caller, in report order.
pub enum ScanEvent {
    /// The next finding.
    Finding(Box<Finding>),
    /// The scan is about to wait for its workers: a writer can flush what
    /// it holds.
    Waiting,
}

/// [`scan_events`] without the [`ScanEvent::Waiting`] events.
pub fn scan_streaming(
    inputs: &[PathBuf],
    opts: &Options,
    stdin: Option<String>,
    progress: &dyn progress::Progress,
    on_finding: &mut dyn FnMut(Finding),
) -> Result<Report, InputError> {
    scan_events(inputs, opts, stdin, progress, &mut |event| {
        if let ScanEvent::Finding(f) = event {
            on_finding(*f);
        }
    })
}

/// [`scan_with`], handing each finding to `on_event` as soon as the
/// findings before it are known, so that writers can stream: units (and
/// file problems) in the order of their first file's path, each unit's
/// findings sorted by path, line, column, code. The order does not depend on
/// `--jobs` or on which worker finishes first. The returned report holds
/// the counts and hosts; its `findings` stay empty.
pub fn scan_events(
    inputs: &[PathBuf],
    opts: &Options,
    stdin: Option<String>,
    progress: &dyn progress::Progress,
    on_event: &mut dyn FnMut(ScanEvent),
) -> Result<Report, InputError> {
    // `--jobs` bounds the discovery's workers as well as the analysis'.
    let pool = opts.jobs.and_then(|n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .ok()
    });
    let pool = pool.as_ref();
    let discover_opts = DiscoverOptions {
        dialect: opts.dialect,
        root: opts.root.clone(),
        paths: opts.paths.clone(),
    };
    let plan = within(pool, || discover::plan(inputs, &discover_opts, stdin))?;
    let attacker = net::attacker_space(&opts.trusted);
    let mut report = Report::default();
    let mut batch = Batch {
        opts,
        pool,
        attacker: &attacker,
        progress,
        report: &mut report,
        on_event,
    };
    match plan {
        Plan::Whole(discovery) => {
            progress.start(discovery.units.len());
            batch.run(discovery);
        }
        Plan::Parts(mut parts) => {
            // Until an entry is discovered, the bar counts it as one unit.
            let total = parts.len();
            progress.start(total);
            let mut units = 0;
            let mut at = PARTS_AT_ONCE.min(total);
            let mut next = Some(within(pool, || parts.discover(0..at, &discover_opts)));
            while let Some(discovery) = next.take() {
                units += discovery.units.len();
                progress.recount(units + (total - at));
                let end = (at + PARTS_AT_ONCE).min(total);
                // The next entries are discovered while these are analysed,
                // on the same workers, so that neither waits for the
                // other's slowest file.
                std::thread::scope(|scope| {
                    let ahead = (at < end).then(|| {
                        let parts = &mut parts;
                        let discover_opts = &discover_opts;
                        scope.spawn(move || within(pool, || parts.discover(at..end, discover_opts)))
                    });
                    batch.run(discovery);
                    next = ahead.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
                });
                at = end;
            }
        }
    }
    progress.finish();
    Ok(report)
}

/// Top-level entries of a folder discovered and analysed together: enough
/// to keep every worker busy, few enough that memory does not grow with
/// the dump.
const PARTS_AT_ONCE: usize = 128;

/// What analysing a discovery needs, and where its results go.
struct Batch<'a, 'e> {
    opts: &'a Options,
    pool: Option<&'a rayon::ThreadPool>,
    attacker: &'a net::IpSet,
    progress: &'a dyn progress::Progress,
    report: &'a mut Report,
    on_event: &'e mut dyn FnMut(ScanEvent),
}

impl Batch<'_, '_> {
    /// Analyses the units of `discovery` and hands their findings (and the
    /// problems) on in report order.
    fn run(&mut self, discovery: discover::Discovery) {
        let (opts, pool, attacker, progress) = (self.opts, self.pool, self.attacker, self.progress);
        let report = &mut *self.report;
        let on_event = &mut *self.on_event;
        report.units += discovery.units.len();
        report
            .hosts
            .extend(discovery.units.iter().map(|u| host::of_unit(u).name));
        let mut order: Vec<(String, Item)> = discovery
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (unit_key(u), Item::Unit(i)))
            .chain(
                discovery
                    .problems
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.path.clone(), Item::Problem(i))),
            )
            .collect();
        order.sort_by(|a, b| a.0.cmp(&b.0));
        let units = &discovery.units;
        let postfix_units = postfix_by_sysroot(units);
        let postfix_units = &postfix_units;
        // Units are analysed in output order, a window at a time: results that
        // arrive before their turn wait in `early`, so memory stays bounded by
        // the window, not by the size of the dump.
        let in_order: Vec<usize> = order
            .iter()
            .filter_map(|(_, item)| match item {
                Item::Unit(i) => Some(*i),
                Item::Problem(_) => None,
            })
            .collect();
        let in_order = &in_order;
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel::<Vec<(usize, UnitOutput)>>();
            scope.spawn(move || {
                let run = || {
                    for window in in_order.chunks(UNIT_WINDOW) {
                        // Never fewer pieces than a few per worker.
                        let per_send = (window.len() / (4 * rayon::current_num_threads()))
                            .clamp(1, UNITS_PER_SEND);
                        window
                            .par_chunks(per_send)
                            .for_each_with(tx.clone(), |tx, chunk| {
                                let outs = chunk
                                    .iter()
                                    .filter_map(|&i| {
                                        let u = units.get(i)?;
                                        let partners = host_partners(units, postfix_units, u);
                                        let out =
                                            analyse_with_partners(u, &partners, opts, attacker);
                                        progress.unit_done();
                                        Some((i, out))
                                    })
                                    .collect();
                                // The receiver only goes away when the scan is over.
                                let _ = tx.send(outs);
                            })
                    }
                    drop(tx);
                };
                within(pool, run)
            });
            let mut early: BTreeMap<usize, UnitOutput> = BTreeMap::new();
            for (_, item) in &order {
                let out = match item {
                    Item::Unit(i) => loop {
                        if let Some(o) = early.remove(i) {
                            break o;
                        }
                        let next = match rx.try_recv() {
                            Ok(o) => Ok(o),
                            Err(_) => {
                                on_event(ScanEvent::Waiting);
                                rx.recv()
                            }
                        };
                        match next {
                            Ok(outs) => early.extend(outs),
                            // Workers gone without this unit: their panic is
                            // re-raised when the scope ends.
                            Err(_) => {
                                break UnitOutput {
                                    files: 0,
                                    findings: Vec::new(),
                                }
                            }
                        }
                    },
                    Item::Problem(i) => {
                        let Some(p) = discovery.problems.get(*i) else {
                            continue;
                        };
                        let mut db = SourceDb::new();
                        let id = db.add(p.path.clone(), String::new(), false);
                        let d = Diagnostic::new(
                            p.code,
                            p.message.clone(),
                            Span::new(id, 0..0),
                            "this file",
                        );
                        let path = std::path::Path::new(&p.path);
                        let sysroot = opts
                            .root
                            .clone()
                            .unwrap_or_else(|| discover::detect_sysroot(path));
                        let host = host::tag(&sysroot, path);
                        report.hosts.insert(host.name.clone());
                        let mut out = finish(&db, vec![d], opts, &host);
                        // A problem file is reported, not read.
                        out.files = 0;
                        out
                    }
                };
                report.files += out.files;
                let mut findings = out.findings;
                findings.sort_by(|a, b| {
                    (&a.path, a.line, a.column, &a.code, &a.message)
                        .cmp(&(&b.path, b.line, b.column, &b.code, &b.message))
                });
                for f in findings {
                    on_event(ScanEvent::Finding(Box::new(f)));
                }
            }
        });
    }
}
