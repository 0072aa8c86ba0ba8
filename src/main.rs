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
use relaylint::{registry, report};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

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
    let mut report = match relaylint::scan_with(&paths, &opts, stdin, progress) {
        Ok(r) => r,
        Err(e) => return usage_error(&e.to_string()),
    };
    report.statistics = args.statistics;
    if let Some(path) = &args.write_baseline {
        let text = Baseline::of(&report.findings).to_json();
        if let Err(e) = std::fs::write(path, text) {
            return usage_error(&format!(
                "cannot write the baseline `{}`: {e}",
                path.display()
            ));
        }
    }
    if let (Some(b), Some(day)) = (&baseline, today) {
        report.baseline_hidden = Some(b.apply(&mut report.findings, day));
    }
    let mut buf: Vec<u8> = Vec::new();
    let written = match args.format {
        Format::Human => report::human::write(&report, &mut buf),
        Format::Json => report::json::write(&report, &mut buf),
        Format::Sarif => {
            let src_root = std::env::current_dir().ok();
            report::sarif::write(
                &report,
                &report::sarif::SarifOptions {
                    src_root: src_root.as_deref(),
                },
                &mut buf,
            )
        }
        Format::Github => report::github::write(&report, &mut buf),
        Format::Html => report::html::write(&report, &mut buf),
    };
    if let Err(e) = written {
        return usage_error(&format!("cannot render the report: {e}"));
    }
    let result = match &args.output {
        Some(path) => std::fs::write(path, &buf)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&buf).and_then(|_| out.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`| head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("cannot write the report: {e}")),
            }
        }
    };
    if let Err(e) = result {
        return usage_error(&e);
    }
    let threshold = match args.fail_on {
        Some(FailOn::Error) => Some(Severity::Error),
        Some(FailOn::Warning) => Some(Severity::Warning),
        Some(FailOn::Info) => Some(Severity::Info),
        Some(FailOn::Never) => None,
        None => file.fail_on.unwrap_or(Some(Severity::Warning)),
    };
    let failed = threshold.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
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
