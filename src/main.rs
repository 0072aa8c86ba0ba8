//! The `relaylint` binary: parses the command line, runs the library, maps
//! the outcome to an exit code (0 clean, 1 findings at or above --fail-on,
//! 2 usage error or unreadable input).

mod cli;
mod explain;

use clap::Parser;
use cli::{CheckArgs, Cli, Color, Command, FailOn, Format};
use relaylint::diagnostic::Severity;
use relaylint::dialect::kind::Dialect;
use relaylint::load::Limits;
use relaylint::options::Options;
use relaylint::{registry, report};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("relaylint: error: {msg}");
    ExitCode::from(2)
}

fn check(args: CheckArgs) -> ExitCode {
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
    let opts = Options {
        jobs: args.jobs,
        dialect,
        root: args.root.clone(),
        limits: Limits {
            max_file_size: args.max_file_size,
        },
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        trusted: Vec::new(),
        color: color && args.format == Format::Human,
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
    let report = match relaylint::scan(&args.paths, &opts, stdin) {
        Ok(r) => r,
        Err(e) => return usage_error(&e.to_string()),
    };
    let mut buf: Vec<u8> = Vec::new();
    let written = match args.format {
        Format::Human => report::human::write(&report, &mut buf),
        Format::Json => report::json::write(&report, &mut buf),
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
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
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
        Command::Check(args) => check(args),
        Command::Rules { format } => explain::rules(format == Format::Json),
        Command::Explain { code } => explain::explain(&code),
    }
}
