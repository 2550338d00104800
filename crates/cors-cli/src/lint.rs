//! `cors lint FILE`: load a policy file and report every error and warning with its line,
//! column and a one-line fix. The same machinery lints a policy embedded in a larger file (the
//! gateway's routes): the linting itself is `cors_gateway::lint`; this module reads the file
//! and prints.

use cors_gateway::diag::{Severity, render};
use cors_gateway::lint::lint_source;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check a CORS policy file (TOML) and report every problem with its line and column.
///
/// A gateway file (`cors serve --config`, recognised by its `listeners`, `upstreams`, `routes`…
/// keys) is checked whole: its structure, and each route's `[routes.policy]`.
///
/// Errors make the policy unusable (the server would refuse to start with it); warnings are
/// risky but legal choices. Exit status: 0 without errors, 1 with errors, 2 when the file
/// cannot be read.
///
/// Example policy file:
///
///     allowed_origins = ["https://app.example.com", "https://*.example.com"]
///     allowed_methods = ["GET", "POST", "PUT"]
///     allowed_headers = ["Content-Type", "Authorization"]
///     allow_credentials = true
///     max_age = 600
///
/// Examples:
///
///     cors lint policy.toml
///     cors lint --json policy.toml | jq '.diagnostics[] | select(.severity == "error")'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct LintArgs {
    /// The policy file (or gateway file) to check.
    pub file: PathBuf,
    /// Print one JSON object `{file, errors, warnings, diagnostics: [{severity, code, line, column, message, fix}]}`.
    #[arg(long)]
    pub json: bool,
}

/// Whether to color output written to stdout.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

pub fn run(args: LintArgs) -> ExitCode {
    let file = args.file.display().to_string();
    let src = match std::fs::read_to_string(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cors lint: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let diags = lint_source(&src);
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if args.json {
        let doc = serde_json::json!({
            "file": file,
            "errors": errors,
            "warnings": diags.len() - errors,
            "diagnostics": diags,
        });
        println!("{doc:#}");
    } else {
        print!("{}", render(&file, &src, &diags, use_color()));
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
