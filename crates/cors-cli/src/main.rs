//! `cors`: the command-line front of the `cors` library. Each subcommand lives in its own module;
//! this file only parses arguments and dispatches.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod check;
mod explain;
mod http;
mod lint;
mod scan;

/// CORS, completely, on both sides of the wire.
///
/// Lint a policy file before you deploy it, and more subcommands to come.
#[derive(Parser, Debug)]
#[command(name = "cors", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Lint(lint::LintArgs),
    Check(check::CheckArgs),
    Explain(explain::ExplainArgs),
    Scan(scan::ScanArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Scan(args) => scan::run(args),
    }
}
