//! The `relaylint` binary: parses the command line, runs the library, maps
//! the outcome to an exit code (0 clean, 1 findings at or above --fail-on,
//! 2 usage error or unreadable input).

mod cli;
mod explain;

use clap::Parser;
use cli::{CheckArgs, Cli, Color, Command, FailOn, Format, RulesFormat};
use relaylint::baseline::Baseline;
use relaylint::config_file::{self, ConfigFile, LoadError};
use relaylint::diagnostic::Severity;
use relaylint::dialect::kind::Dialect;
use relaylint::load::Limits;
use relaylint::options::Options;
use relaylint::progress::{Progress, Silent, TerminalBar};
use relaylint::{registry, report, ScanEvent};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// jemalloc instead of the C library's allocator: a scan allocates and
/// frees many small strings per file, and glibc's malloc spent about a
/// quarter of all instructions on it; jemalloc cuts a 1,000-host scan by
/// about 12% of wall time for ~3 MiB more peak memory, which still stays
/// flat as the dump grows (numbers in the README's speed section).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Where the report goes: standard output, or the `--output` file (created
/// at the first write, so that a scan that fails leaves no file behind).
/// The first error stops further writing and is reported at the end; a
/// closed pipe (`| head`) is not an error.
struct Dest {
    path: Option<PathBuf>,
    out: Option<Box<dyn Write>>,
    error: Option<String>,
    closed: bool,
    /// Flush after every write (a person watching a terminal); otherwise
    /// written text is flushed when the scan waits for its workers and at
    /// the end, so that a pipe gets findings in batches, not a write each.
    eager: bool,
}

impl Dest {
    fn new(path: Option<PathBuf>, eager: bool) -> Self {
        Dest {
            path,
            out: None,
            error: None,
            closed: false,
            eager,
        }
    }

    fn write(&mut self, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        if self.error.is_some() || self.closed {
            return;
        }
        if self.out.is_none() {
            self.out = Some(match &self.path {
                Some(p) => match std::fs::File::create(p) {
                    Ok(file) => Box::new(std::io::BufWriter::new(file)),
                    Err(e) => {
                        self.error = Some(format!("cannot write `{}`: {e}", p.display()));
                        return;
                    }
                },
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            });
        }
        let Some(out) = self.out.as_mut() else {
            return;
        };
        let eager = self.eager;
        let written = f(out.as_mut()).and_then(|_| if eager { out.flush() } else { Ok(()) });
        self.settle(written);
    }

    /// Sends what was written on.
    fn flush(&mut self) {
        if self.error.is_some() || self.closed {
            return;
        }
        if let Some(out) = self.out.as_mut() {
            let flushed = out.flush();
            self.settle(flushed);
        }
    }

    fn settle(&mut self, result: std::io::Result<()>) {
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => {
                self.error = Some(match &self.path {
                    Some(p) => format!("cannot write `{}`: {e}", p.display()),
                    None => format!("cannot write the report: {e}"),
                })
            }
        }
    }

    fn close(mut self) -> Result<(), String> {
        self.flush();
        self.error.map_or(Ok(()), Err)
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("relaylint: error: {msg}");
    ExitCode::from(2)
}

/// The settings file in effect: `--config`, none with `--no-config`, else
/// the nearest relaylint.toml or .relaylint.toml. A broken file is a usage
/// error: its diagnostics go to stderr and the run stops with exit 2.
fn settings(args: &CheckArgs) -> Result<ConfigFile, ExitCode> {
    if args.no_config {
        return Ok(ConfigFile::default());
    }
    let path = match &args.config {
        Some(p) => p.clone(),
        None => {
            let cwd = std::env::current_dir().unwrap_or_default();
            match config_file::find(&cwd) {
                Some(p) => p,
                None => return Ok(ConfigFile::default()),
            }
        }
    };
    match config_file::load(&path) {
        Ok(c) => Ok(c),
        Err(LoadError::Unreadable { path, reason }) => Err(usage_error(&format!(
            "cannot read the settings file `{path}`: {reason}"
        ))),
        Err(LoadError::Invalid { db, diags }) => {
            let color = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && args.color != Color::Never
                || args.color == Color::Always;
            let mut err = std::io::stderr().lock();
            for d in &diags {
                let f = relaylint::finding::resolve(&db, d, Severity::Error, color);
                let _ = err.write_all(f.rendered.as_bytes());
            }
            let _ = writeln!(
                err,
                "relaylint: error: the settings file `{}` has {} mistake(s)",
                db.display(relaylint::source::FileId(0)),
                diags.len()
            );
            Err(ExitCode::from(2))
        }
    }
}

/// `--scan-hosts`: each file stands for the host folder it belongs to
/// (folders and `-` stay), without duplicates.
fn hosts_of(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        let host = if p.as_os_str() == "-" || p.is_dir() {
            p.clone()
        } else {
            relaylint::discover::detect_sysroot(p)
        };
        if !out.contains(&host) {
            out.push(host);
        }
    }
    out
}

fn check(args: CheckArgs) -> ExitCode {
    let file = match settings(&args) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let dialect = match &args.dialect {
        Some(name) => match Dialect::from_name(name) {
            Some(d) => Some(d),
            None => {
                let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
                return usage_error(&format!(
                    "unknown dialect `{name}` (expected one of: {})",
                    names.join(", ")
                ));
            }
        },
        None => None,
    };
    for sel in args.select.iter().chain(&args.ignore) {
        if !registry::is_known_selector(sel) {
            return usage_error(&format!(
                "unknown rule code or name `{sel}` (see `relaylint rules`)"
            ));
        }
    }
    if let Some(root) = &args.root {
        if !root.is_dir() {
            return usage_error(&format!("--root `{}` is not a folder", root.display()));
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    // A list given on the command line replaces the file's.
    let pick = |cli: &Vec<String>, file: &Option<Vec<String>>| {
        if cli.is_empty() {
            file.clone().unwrap_or_default()
        } else {
            cli.clone()
        }
    };
    let opts = Options {
        jobs: args.jobs,
        dialect,
        root: args.root.clone(),
        limits: Limits {
            max_file_size: args.max_file_size,
        },
        select: pick(&args.select, &file.select),
        ignore: pick(&args.ignore, &file.ignore),
        trusted: file.trusted.clone(),
        color: color && args.format == Format::Human,
        unrendered: !matches!(args.format, Format::Human | Format::Html),
        severity_overrides: file.severity.clone(),
        paths: file.paths.clone(),
    };
    let stdin = if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut s = Vec::new();
        if std::io::stdin()
            .take(opts.limits.max_file_size)
            .read_to_end(&mut s)
            .is_err()
        {
            return usage_error("cannot read standard input");
        }
        Some(String::from_utf8_lossy(&s).into_owned())
    } else {
        None
    };
    let paths = if args.scan_hosts {
        hosts_of(&args.paths)
    } else {
        args.paths.clone()
    };
    // A broken baseline stops the run before a long scan, not after.
    let baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(e) => return usage_error(&e.to_string()),
        },
        None => None,
    };
    let today = match baseline.as_ref().map(|_| relaylint::baseline::today()) {
        Some(Err(e)) => return usage_error(&e),
        Some(Ok(d)) => Some(d),
        None => None,
    };
    let bar;
    let progress: &dyn Progress = if !args.no_progress && std::io::stderr().is_terminal() {
        bar = TerminalBar::new();
        &bar
    } else {
        &Silent
    };
    // Every format but HTML streams: each finding is written as soon as the
    // findings before it are known, and only counts are kept. The HTML page
    // needs the whole report.
    let streaming = args.format != Format::Html;
    // The SARIF log around its results, laid out once.
    let sarif_frame = if args.format == Format::Sarif {
        let src_root = std::env::current_dir().ok();
        let opts = report::sarif::SarifOptions {
            src_root: src_root.as_deref(),
        };
        match report::sarif::Frame::new(&opts) {
            Ok(frame) => Some(frame),
            Err(e) => return usage_error(&format!("cannot lay out the SARIF log: {e}")),
        }
    } else {
        None
    };
    let mut dest = Dest::new(args.output.clone(), to_terminal);
    let mut all = Vec::new();
    let mut kept = Vec::new();
    let mut tally = relaylint::report::summary::Tally::new(args.statistics);
    let mut streamed = 0usize;
    let mut hidden = 0;
    let in_force = match (&baseline, today) {
        (Some(b), Some(day)) => b.in_force(day),
        _ => Default::default(),
    };
    let mut on_event = |event: ScanEvent| {
        let f = match event {
            ScanEvent::Finding(f) => *f,
            ScanEvent::Waiting => {
                if streaming {
                    dest.flush();
                }
                return;
            }
        };
        if args.write_baseline.is_some() {
            all.push(relaylint::baseline::Entry::of(&f));
        }
        if in_force.hides(&f) {
            hidden += 1;
            return;
        }
        if streaming {
            let index = streamed;
            progress.suspend(&mut || match args.format {
                // The document starts with its first finding, so that a scan
                // that cannot start leaves no file behind.
                Format::Json if index == 0 => dest.write(|out| {
                    report::json::write_start(out)?;
                    report::json::write_finding(index, &f, out)
                }),
                Format::Json => dest.write(|out| report::json::write_finding(index, &f, out)),
                Format::Sarif if index == 0 => dest.write(|out| {
                    if let Some(frame) = &sarif_frame {
                        frame.write_start(out)?;
                    }
                    report::sarif::write_result(index, &f, out)
                }),
                Format::Sarif => dest.write(|out| report::sarif::write_result(index, &f, out)),
                Format::Github => dest.write(|out| report::github::write_finding(&f, out)),
                Format::Human => dest.write(|out| report::human::write_finding(&f, out)),
                // Not streamed: the page is written from the whole report.
                Format::Html => {}
            });
            // Written: only counts are kept, so memory does not grow with
            // the findings of a large dump.
            tally.add(&f);
            streamed += 1;
            return;
        }
        kept.push(f);
    };
    let scanned = relaylint::scan_events(&paths, &opts, stdin, progress, &mut on_event);
    let mut report = match scanned {
        Ok(r) => r,
        Err(e) => return usage_error(&e.to_string()),
    };
    report.findings = kept;
    report.statistics = args.statistics;
    if streaming {
        report.tally = Some(tally);
    }
    report.baseline_hidden = baseline.as_ref().map(|_| hidden);
    if let Some(path) = &args.write_baseline {
        let text = Baseline::of_entries(all).to_json();
        if let Err(e) = std::fs::write(path, text) {
            return usage_error(&format!(
                "cannot write the baseline `{}`: {e}",
                path.display()
            ));
        }
    }
    match args.format {
        Format::Human => dest.write(|out| report::human::write_end(&report, out)),
        Format::Json => {
            let n = report
                .tally
                .as_ref()
                .map_or(report.findings.len(), |t| t.findings());
            dest.write(|out| {
                if n == 0 {
                    report::json::write_start(out)?;
                }
                report::json::write_end(&report, n, out)
            })
        }
        Format::Sarif => {
            let n = report.tally.as_ref().map_or(0, |t| t.findings());
            if let Some(frame) = &sarif_frame {
                dest.write(|out| {
                    if n == 0 {
                        frame.write_start(out)?;
                    }
                    frame.write_end(n, out)
                })
            }
        }
        // Every command is written; a clean scan still creates `--output`.
        Format::Github => dest.write(|_| Ok(())),
        Format::Html => dest.write(|out| report::html::write(&report, out)),
    }
    if let Err(e) = dest.close() {
        return usage_error(&e);
    }
    let threshold = match args.fail_on {
        Some(FailOn::Error) => Some(Severity::Error),
        Some(FailOn::Warning) => Some(Severity::Warning),
        Some(FailOn::Info) => Some(Severity::Info),
        Some(FailOn::Never) => None,
        None => file.fail_on.unwrap_or(Some(Severity::Warning)),
    };
    let failed = threshold.is_some_and(|t| match &report.tally {
        Some(tally) => tally.any_at_least(t),
        None => report.findings.iter().any(|f| f.severity >= t),
    });
    ExitCode::from(u8::from(failed))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Rules { format } => explain::rules(format == RulesFormat::Json),
        Command::Explain { code } => explain::explain(&code),
    }
}
