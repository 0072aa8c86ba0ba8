//! The command line (clap): raw arguments only. `main.rs` turns them into
//! [`relaylint::options::Options`].

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// relaylint: find open mail relays and open proxies in daemon configurations.
#[derive(Debug, Parser)]
#[command(name = "relaylint", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics.
    Human,
    /// The JSON report.
    Json,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One self-contained HTML page (summary, charts, hosts, findings).
    Html,
}

/// Formats of `relaylint rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A table.
    Human,
    /// JSON.
    Json,
}

/// `--fail-on` thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 on errors.
    Error,
    /// Exit 1 on warnings or errors.
    Warning,
    /// Exit 1 on any finding.
    Info,
    /// Always exit 0 (unless usage error).
    Never,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse configuration files and folders.
    Check(Box<CheckArgs>),
    /// List every rule.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: RulesFormat,
    },
    /// Explain a rule: rationale, examples, fix, references.
    Explain {
        /// A code (`PF001`) or name (`postfix-open-relay`).
        code: String,
    },
}

/// `relaylint check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders ("-" reads standard input, with --dialect).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Comma-separated codes, prefixes (PF) or names to report (replaces
    /// `select` of relaylint.toml).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Comma-separated codes, prefixes or names to leave out (replaces
    /// `ignore` of relaylint.toml).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding at or above this severity is reported
    /// [default: warning, or `fail-on` of relaylint.toml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Settings file (default: relaylint.toml or .relaylint.toml in the
    /// working folder or the nearest parent that has one).
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore every relaylint.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Treat each PATH as a changed file and scan the whole host it belongs
    /// to (the folder holding its `etc/`, else its folder), so that a change
    /// to master.cf, a lookup table or an include is judged with the files
    /// the daemon reads with it (used by the pre-commit hook).
    #[arg(long)]
    pub scan_hosts: bool,
    /// Dialect of explicitly named files (postfix-main, postfix-master, ...).
    #[arg(long)]
    pub dialect: Option<String>,
    /// The folder that stands for `/` when configs name absolute paths.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Colours in human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
    /// Add identical findings grouped across hosts (same code, path under
    /// the host's root and decisive line) to human, JSON and HTML output.
    #[arg(long)]
    pub statistics: bool,
    /// Report only findings that this baseline file does not hold (entries
    /// past their `expires` date no longer hide anything).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file (before
    /// `--baseline` hides anything).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Never show the progress bar (shown on a terminal for long scans).
    #[arg(long)]
    pub no_progress: bool,
    /// Largest file read, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_file_size: u64,
}
