//! `cors`: the command-line front of the `cors` library. Each subcommand lives in its own module;
//! this file only parses arguments and dispatches.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod lint;
mod serve;

/// CORS, completely, on both sides of the wire.
///
/// Lint a policy file before you deploy it; serve a CORS gateway in front of any HTTP upstream
/// (`cors serve` alone starts a live demo).
#[derive(Parser, Debug)]
#[command(name = "cors", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Lint(lint::LintArgs),
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
