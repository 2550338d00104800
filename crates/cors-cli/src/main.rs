//! `cors`: the command-line front of the `cors` library. Each subcommand lives in its own module;
//! this file only parses arguments and dispatches.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc rather than the system allocator (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod check;
mod devtools;
mod explain;
mod http;
mod lint;
mod scan;
mod serve;

/// CORS, completely, on both sides of the wire.
///
/// For web administrators: `serve` puts a CORS gateway in front of any HTTP upstream (`cors serve`
/// alone starts a live demo), `lint` checks a policy or gateway file, `scan` finds exploitable
/// misconfigurations on live sites. For front-end developers: `check` makes a request the way a
/// browser would and says why it is blocked and what the server must send; `explain` says the
/// same without touching the network.
#[derive(Parser, Debug)]
#[command(name = "cors", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Serve(serve::ServeArgs),
    Lint(lint::LintArgs),
    Check(check::CheckArgs),
    Explain(explain::ExplainArgs),
    Scan(scan::ScanArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Scan(args) => scan::run(args),
    }
}
