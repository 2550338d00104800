//! `cors export --to nginx|apache|caddy|haproxy FILE`: the policy (or the whole gateway) in the
//! configuration language of a server the administrator already runs.
//!
//! Owns: the arguments and the output. Floors, top to bottom; a module uses only the floors
//! below its own (checked by `scripts/module-graph`):
//! 1. `apache`, `caddy`, `haproxy`, `nginx`: one target each, none using another.
//! 2. `model`: loading, and the policy as regular expressions, shared by every target.

mod apache;
mod caddy;
mod haproxy;
mod model;
mod nginx;

use cors_gateway::diag::{Diagnostic, Severity, render};
use model::Target;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile a CORS policy or gateway file into nginx, Apache httpd, Caddy or HAProxy configuration.
///
/// A policy file gives a block to include where CORS applies: nginx, `include` inside a
/// `location`; Apache httpd, `Include` inside a `<Location>`; Caddy, a snippet `(cors)` to
/// `import` inside a `handle`; HAProxy, lines for a `backend` section. A gateway file (`cors serve --config`) gives a complete server configuration: each route a
/// location with its own policy, each upstream a proxy target, the listeners as listen
/// directives, `upstream_cors_headers = "replace"` as removal of the upstream's CORS headers.
///
/// The output answers every request as `cors serve` does with the same file: preflights are
/// `OPTIONS` with `Origin` and `Access-Control-Request-Method` (not every `OPTIONS`), origin
/// patterns are anchored, escaped regular expressions, `Vary: Origin` goes on every answer that
/// depends on the origin (error pages included), merged with the upstream's `Vary`. What a
/// server cannot say exactly is refused with an error naming the key (exit 1), never
/// approximated.
///
/// Exit status: 0 on success, 1 when the file has errors or something cannot be exported,
/// 2 when a file cannot be read or written.
///
/// Examples:
///
///     cors export --to nginx policy.toml --output /etc/nginx/cors.conf
///     cors export --to nginx gateway.toml > nginx.conf && nginx -t -p "$PWD" -c "$PWD/nginx.conf"
///     cors export --to caddy gateway.toml --output Caddyfile && caddy validate --adapter caddyfile
///     cors export --to apache policy.toml --output /etc/apache2/cors.conf
///     cors export --to haproxy gateway.toml > haproxy.cfg && haproxy -c -f haproxy.cfg
///     cors export --to nginx --json gateway.toml | jq '.diagnostics[]'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// The server to write configuration for.
    #[arg(long, value_enum)]
    pub to: Target,
    /// The policy file or gateway file.
    pub file: PathBuf,
    /// Write the configuration here instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Print one JSON object `{file, errors, warnings, diagnostics: [...]}` as `cors lint --json`
    /// does; on success it also has `config` (the configuration) or `output` (where it went).
    #[arg(long)]
    pub json: bool,
}

/// The configuration for `target`, or every reason it cannot be written.
pub fn export(
    target: Target,
    file: &str,
    src: &str,
    base: &std::path::Path,
) -> Result<String, Vec<Diagnostic>> {
    let source = model::load(src, base)?;
    let refused = match target {
        Target::Nginx => nginx::refusals(src, &source),
        Target::Haproxy => haproxy::refusals(src, &source),
        Target::Apache => apache::refusals(src, &source),
        Target::Caddy => caddy::refusals(src, &source),
    };
    let mut refused = refused;
    if let model::Source::Gateway(g) = &source {
        refused.extend(model::tls_refusals(src, g, target));
    }
    if !refused.is_empty() {
        return Err(refused);
    }
    Ok(match target {
        Target::Nginx => nginx::render(file, &source),
        Target::Haproxy => haproxy::render(file, &source),
        Target::Apache => apache::render(file, &source),
        Target::Caddy => caddy::render(file, &source),
    })
}

pub fn run(args: ExportArgs) -> ExitCode {
    let file = args.file.display().to_string();
    let src = match std::fs::read_to_string(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cors export: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let base = args.file.parent().map(PathBuf::from).unwrap_or_default();
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    match export(args.to, &name, &src, &base) {
        Ok(text) => {
            if let Some(path) = &args.output {
                if let Err(e) = std::fs::write(path, &text) {
                    eprintln!("cors export: cannot write {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
            if args.json {
                let mut doc = serde_json::json!({
                    "file": file, "errors": 0, "warnings": 0, "diagnostics": [],
                });
                match &args.output {
                    Some(path) => doc["output"] = path.display().to_string().into(),
                    None => doc["config"] = text.into(),
                }
                println!("{doc:#}");
            } else if args.output.is_none() {
                print!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
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
                eprint!("{}", render(&file, &src, &diags, false));
            }
            ExitCode::from(1)
        }
    }
}
