//! `cors`: the command-line front of the `cors` library. Each subcommand lives in its own module;
//! this file only parses arguments and dispatches.
//!
//! Floors, top to bottom; a module uses only the floors below its own (checked by
//! `scripts/module-graph`), and every one may use the `cors` and `cors-gateway` libraries:
//! 1. `ui`: `cors ui`, the page over what `explain` and `check` answer.
//! 2. `devtools`: what DevTools gave (Copy as cURL / fetch, HAR files) read into requests for
//!    `check` and `explain`.
//! 3. `explain`: `cors explain`, which prints what `check` prints without the network.
//! 4. `check`: `cors check`; `scan`: `cors scan`.
//! 5. `http`: the client shell (one request, one connection); `lint`: `cors lint`; `serve`:
//!    `cors serve`; `export`: `cors export`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc rather than the system allocator (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod check;
mod devtools;
mod explain;
mod export;
mod http;
mod lint;
mod scan;
mod serve;
mod ui;

/// CORS, completely, on both sides of the wire.
///
/// For web administrators: `serve` puts a CORS gateway in front of any HTTP upstream (`cors serve`
/// alone starts a live demo), `lint` checks a policy or gateway file, `scan` finds exploitable
/// misconfigurations on live sites, `export` writes the same policy as nginx, Apache httpd, Caddy or HAProxy configuration. For front-end developers: `check` makes a request the way a
/// browser would and says why it is blocked and what the server must send; `explain` says the
/// same without touching the network; `ui` puts both on an interactive page.
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
    Export(export::ExportArgs),
    Ui(ui::UiArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Check(args) => devtools::check(args),
        Command::Explain(args) => devtools::explain(args),
        Command::Scan(args) => scan::run(args),
        Command::Export(args) => export::run(args),
        Command::Ui(args) => ui::run(args),
    }
}
