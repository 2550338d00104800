//! `cors serve`: the CORS gateway's command line. The gateway itself — configuration, HTTP/1.x
//! and HTTP/2 serving, the upstream client, reloads, metrics, the demo — is the `cors-gateway`
//! crate; this module parses the flags, sets up logging and prints what the gateway reports.

use cors_gateway::{Gateway, Options, StartError};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Run the CORS gateway: a reverse proxy that answers for your upstream's CORS.
///
/// Without --config, starts a live demo on 127.0.0.1: the MDN CORS article's server behind
/// the gateway, and a page on another origin that runs the article's three requests in your
/// browser (and one from a disallowed origin that fails). Open the printed URL.
///
/// With --config FILE, runs the gateway that FILE describes:
///
///     [[listeners]]
///     address = "127.0.0.1:8080"
///     # tls = { certificate = "cert.pem", private_key = "key.pem" }
///
///     [admin]                        # GET /metrics (Prometheus), GET /healthz
///     address = "127.0.0.1:9090"
///
///     [upstreams.app]
///     url = "http://127.0.0.1:3000"
///     connect_timeout = "2s"         # 502 when the upstream is down
///     response_timeout = "30s"       # 504 when it is slow
///
///     [limits]                       # all optional
///     max_connections = 10000        # more wait in the accept queue
///     max_connections_per_worker = 5000   # default: max_connections / --threads
///     max_header_bytes = 65536       # 431 above
///     max_headers = 100              # 431 above
///     header_read_timeout = "10s"    # the whole request head; bytes trickled in don't extend it
///     send_timeout = "60s"           # an answer making no progress (client not reading): close
///     request_timeout = "60s"
///     shutdown_timeout = "30s"
///     allow_underscore_framing_lookalikes = false   # true forwards Transfer_Encoding etc.
///
///     [[routes]]                     # the most specific matching route wins
///     path = "/api/"                 # a prefix; or glob = "/files/**/*.json"
///     upstream = "app"
///     upstream_cors_headers = "replace"   # or "keep"
///     [routes.policy]                # a CORS policy, as `cors lint` checks it
///     allowed_origins = ["https://app.example.com"]
///     allowed_methods = ["GET", "POST", "PUT"]
///     allow_credentials = true
///
/// Preflights are answered at the gateway (set preflight_continue = true in a route's policy
/// to forward them). Every response, including the gateway's own 502 and 504, carries the CORS
/// headers for allowed origins, so failures stay readable in the browser.
///
/// Request smuggling: ambiguous framing (Transfer-Encoding with Content-Length, bad or
/// conflicting lengths, a bad Host) gets 400 and a close. So does a field named like
/// Transfer-Encoding or Content-Length with `_` for `-` (Transfer_Encoding),
/// which CGI-, WSGI- or Rack-style upstreams would read as framing; set
/// allow_underscore_framing_lookalikes = true in [limits] to forward such fields instead.
///
/// Slow and hostile clients: a client that sends its request head slowly (slow loris) gets
/// 408 and a close once header_read_timeout has passed since the gateway began waiting for
/// it, however it paces its bytes; one that stops reading its answer is closed after
/// send_timeout without progress; connections beyond max_connections (in total) or
/// max_connections_per_worker (on one worker thread) wait in the accept queue, and the
/// gateway logs a warning when a limit is reached. Idle connections cost a few kilobytes each.
///
/// Signals: SIGHUP reloads the file (it is also reloaded when it changes); an invalid file is
/// reported and the running configuration stays. SIGTERM or Ctrl-C stop accepting, let
/// requests in flight finish (up to shutdown_timeout) and exit.
///
/// Examples:
///
///     cors serve                              # the demo: open http://127.0.0.1:8000/
///     cors serve --port 9000                  # the demo on ports 9000-9003
///     cors lint gateway.toml && cors serve --config gateway.toml
///     kill -HUP $(pidof cors)                 # reload
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    /// The gateway file (TOML). Without it, the built-in demo starts.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Demo only: the first of four consecutive ports on 127.0.0.1 — the page, the disallowed
    /// page, the gateway, the metrics. 0 picks free ports.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Do not reload the file when it changes (SIGHUP still reloads).
    #[arg(long)]
    pub no_watch: bool,
    /// How often to check the file for changes, e.g. 500ms, 2s.
    #[arg(long, default_value = "1s", value_parser = parse_interval)]
    pub watch_interval: Duration,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Log level: off, error, warn, info (one line per request), debug.
    #[arg(long, default_value = "info")]
    pub log_level: tracing_subscriber::filter::LevelFilter,
    /// Worker threads (default: one per core). Each runs its own event loop, like nginx's
    /// worker processes.
    #[arg(long)]
    pub threads: Option<usize>,
    /// How long a worker that just served requests keeps its CPU (yielding it to any other
    /// thread that needs it) before it sleeps, e.g. 20us, 50us; 0 turns this off. Under load
    /// the next requests usually arrive meanwhile, which saves the worker a sleep and a
    /// wake-up per batch of requests; an idle worker, or one awaiting an upstream's answer,
    /// sleeps at once.
    #[arg(long, default_value = "20us", value_parser = parse_busy_poll)]
    pub busy_poll: Duration,
}

/// How log lines look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `key=value` fields, for people.
    Text,
    /// One JSON object per line, for machines.
    Json,
}

fn parse_interval(s: &str) -> Result<Duration, String> {
    cors_gateway::config::parse_duration(s)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{s}` is not a duration such as 500ms or 2s"))
}

fn parse_busy_poll(s: &str) -> Result<Duration, String> {
    if s.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    cors_gateway::config::parse_duration(s)
        .filter(|d| *d <= Duration::from_millis(10))
        .ok_or_else(|| format!("`{s}` is not a duration from 0 to 10ms, such as 20us"))
}

/// Runs `cors serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    let sub = tracing_subscriber::fmt()
        .with_max_level(args.log_level)
        .with_writer(std::io::stderr)
        .with_ansi(
            std::env::var_os("NO_COLOR").is_none()
                && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        );
    match args.log_format {
        LogFormat::Text => sub.init(),
        LogFormat::Json => sub.json().flatten_event(true).init(),
    }
    // The main thread runs signals, reloads, the admin listener (and the demo's servers); the
    // proxy runs on worker threads, one current-thread runtime each.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cors serve: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        workers: args.threads,
        busy_poll: args.busy_poll,
        watch_interval: (!args.no_watch).then_some(args.watch_interval),
        signals: true,
    };
    rt.block_on(async move {
        let started = match &args.config {
            Some(path) => Gateway::from_file(path, options).await,
            None => Gateway::demo(args.port, options).await,
        };
        let gateway = match started {
            Ok(g) => g,
            Err(e) => return fail(&e),
        };
        // The banner goes to stdout once everything listens (scripts and tests wait for it).
        print!("{}", gateway.banner());
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        match gateway.run().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        }
    })
}

/// Prints why the gateway did not start, as `cors lint` would for an invalid file.
fn fail(e: &StartError) -> ExitCode {
    if let StartError::Invalid {
        path,
        source,
        diagnostics,
    } = e
    {
        eprint!(
            "{}",
            cors_gateway::diag::render(&path.display().to_string(), source, diagnostics, false)
        );
    }
    eprintln!("cors serve: {e}");
    if matches!(e, StartError::Demo(_)) {
        eprintln!(
            "  (another program may use those ports: try `cors serve --port 9000`, or --port 0 for free ports)"
        );
    }
    ExitCode::from(e.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_poll_takes_0_to_10ms() {
        assert_eq!(parse_busy_poll("0"), Ok(Duration::ZERO));
        assert_eq!(parse_busy_poll("20us"), Ok(Duration::from_micros(20)));
        assert_eq!(parse_busy_poll("10ms"), Ok(Duration::from_millis(10)));
        assert!(parse_busy_poll("11ms").is_err());
        assert!(parse_busy_poll("20").is_err());
    }
}
