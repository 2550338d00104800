//! `cors serve`: the CORS gateway, a reverse proxy that puts a CORS policy in front of any HTTP
//! upstream; without `--config`, a built-in demo of the MDN article's three exchanges.
//!
//! The CORS work is the library's: each route's [`cors::policy::Policy`] decides, and its
//! `apply` writes the headers. This module owns sockets, TLS, limits, reloads and shutdown.

mod busy_poll;
pub mod config;
mod demo;
mod h1;
mod metrics;
mod proxy;
mod reload;
mod timer;
mod upstream;
mod wire;

use self::metrics::Metrics;
use self::proxy::{ConnInfo, Observer, Runtime, Shared};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

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
///     max_connections = 10000
///     max_header_bytes = 65536       # 431 above
///     max_headers = 100              # 431 above
///     header_read_timeout = "10s"
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
    config::parse_duration(s)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{s}` is not a duration such as 500ms or 2s"))
}

fn parse_busy_poll(s: &str) -> Result<Duration, String> {
    if s.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    config::parse_duration(s)
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
    // proxy runs on worker threads, one current-thread runtime each (see `spawn_workers`).
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
    rt.block_on(main(args))
}

async fn main(args: ServeArgs) -> ExitCode {
    let metrics = Arc::new(Metrics::default());
    let workers = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
        .max(1);
    // The configuration, its listeners (bound), and what to print.
    let (runtime, listeners, admin, observer, banner) = match &args.config {
        Some(path) => {
            let src = match std::fs::read_to_string(path) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("cors serve: cannot read {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            };
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let loaded = match config::load(&src, base) {
                Ok(l) => l,
                Err(diags) => {
                    eprint!(
                        "{}",
                        crate::lint::render(&path.display().to_string(), &src, &diags, false)
                    );
                    eprintln!("cors serve: {} is invalid; nothing started", path.display());
                    return ExitCode::from(1);
                }
            };
            for w in &loaded.warnings {
                tracing::warn!(target: "cors::config", line = w.line, column = w.column, code = %w.code, "{} ({})", w.message, w.fix);
            }
            let runtime = match Runtime::build(&loaded.config, &metrics, workers) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("cors serve: {e}");
                    return ExitCode::from(1);
                }
            };
            let mut bound = Vec::new();
            for l in &loaded.config.listeners {
                match TcpListener::bind(l.address).await {
                    Ok(s) => bound.push(s),
                    Err(e) => {
                        eprintln!("cors serve: cannot listen on {}: {e}", l.address);
                        return ExitCode::from(1);
                    }
                }
            }
            let admin = match &loaded.config.admin {
                Some(a) => match TcpListener::bind(a.address).await {
                    Ok(s) => Some(s),
                    Err(e) => {
                        eprintln!("cors serve: cannot listen on {} (admin): {e}", a.address);
                        return ExitCode::from(1);
                    }
                },
                None => None,
            };
            let mut banner = String::new();
            for (l, s) in loaded.config.listeners.iter().zip(&bound) {
                let scheme = if l.tls.is_some() { "https" } else { "http" };
                if let Ok(a) = s.local_addr() {
                    banner.push_str(&format!("cors serve: listening on {scheme}://{a}\n"));
                }
            }
            if let Some(a) = admin.as_ref().and_then(|a| a.local_addr().ok()) {
                banner.push_str(&format!("cors serve: metrics on http://{a}/metrics\n"));
            }
            banner.push_str(&format!(
                "cors serve: ready ({} routes; SIGHUP reloads {})\n",
                loaded.config.routes.len(),
                path.display()
            ));
            (runtime, bound, admin, None, banner)
        }
        None => match demo::start(args.port, &metrics, workers).await {
            Ok(d) => (
                d.runtime,
                vec![d.gateway],
                Some(d.admin),
                Some(d.observer as Arc<dyn Observer>),
                d.banner,
            ),
            Err(e) => {
                eprintln!("cors serve: cannot start the demo: {e}");
                eprintln!(
                    "  (another program may use those ports: try `cors serve --port 9000`, or --port 0 for free ports)"
                );
                return ExitCode::from(1);
            }
        },
    };
    let max_connections = runtime.limits.max_connections;
    let shutdown_timeout = runtime.limits.shutdown_timeout.0;
    let shared = Arc::new(Shared::new(runtime, workers, metrics, observer));
    // The admin listener's connections; each worker drains its own (see `spawn_workers`).
    let graceful = Arc::new(GracefulShutdown::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let (drained_tx, mut drained_rx) = mpsc::channel::<()>(1);
    let permits = Arc::new(Semaphore::new(max_connections));
    let (senders, threads) = match spawn_workers(workers, args.busy_poll, &shared, &drained_tx) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cors serve: cannot start the worker threads: {e}");
            return ExitCode::from(1);
        }
    };
    drop(drained_tx);
    let senders: Arc<[mpsc::UnboundedSender<Job>]> = senders.into();
    let mut loops = Vec::new();
    for (index, l) in listeners.into_iter().enumerate() {
        loops.push(tokio::spawn(accept_loop(
            l,
            index,
            senders.clone(),
            permits.clone(),
            stop_rx.clone(),
        )));
    }
    drop(senders);
    if let Some(a) = admin {
        loops.push(tokio::spawn(admin_loop(
            a,
            shared.clone(),
            graceful.clone(),
            stop_rx.clone(),
        )));
    }
    let watcher = args.config.clone().map(|path| {
        let interval = (!args.no_watch).then_some(args.watch_interval);
        tokio::spawn(reload::watch(path, shared.clone(), interval))
    });
    // The banner goes to stdout once everything listens (scripts and tests wait for it).
    print!("{banner}");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();

    let why = wait_for_shutdown().await;
    tracing::info!(target: "cors::serve", signal = why, "shutting down: no new connections; finishing requests in flight");
    let _ = stop_tx.send(true);
    for l in loops {
        let _ = l.await;
    }
    if let Some(w) = watcher {
        w.abort();
    }
    // The workers saw their connection channels close with the accept loops: each is
    // draining its connections; done when every worker has dropped its `drained_tx`.
    let drained = match Arc::try_unwrap(graceful) {
        Ok(g) => tokio::time::timeout(shutdown_timeout, async {
            g.shutdown().await;
            while drained_rx.recv().await.is_some() {}
        })
        .await
        .is_ok(),
        Err(_) => false,
    };
    if drained {
        for t in threads {
            let _ = t.join();
        }
    } else {
        tracing::warn!(target: "cors::serve", "connections still open after {shutdown_timeout:?}; exiting anyway");
    }
    tracing::info!(target: "cors::serve", "stopped");
    ExitCode::SUCCESS
}

/// A connection handed to a worker.
struct Job {
    stream: std::net::TcpStream,
    peer: SocketAddr,
    listener: usize,
    permit: OwnedSemaphorePermit,
}

/// Starts `n` worker threads, each with its own current-thread runtime, fed connections by the
/// acceptor in turn: like nginx's worker processes, a connection, its requests and its upstream
/// connections stay on one thread — no work stealing, no cross-thread wake-ups — and the load
/// is spread evenly even with few long-lived connections. Each worker has its own graceful
/// shutdown: a connection's future checks it each time it is polled, under a lock, which one
/// process-wide watch made a lock all workers took several times per request. When its
/// connection channel closes, a worker lets its connections finish, then drops `drained`.
#[allow(clippy::type_complexity)]
fn spawn_workers(
    n: usize,
    busy_poll: Duration,
    shared: &Arc<Shared>,
    drained: &mpsc::Sender<()>,
) -> std::io::Result<(
    Vec<mpsc::UnboundedSender<Job>>,
    Vec<std::thread::JoinHandle<()>>,
)> {
    let mut senders = Vec::with_capacity(n);
    let mut threads = Vec::with_capacity(n);
    for w in 0..n {
        let spin = busy_poll::Spin::new(busy_poll);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .on_thread_park(move || spin.before_park())
            .build()?;
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        let shared = shared.clone();
        let drained = drained.clone();
        threads.push(
            std::thread::Builder::new()
                .name(format!("cors-worker-{w}"))
                .spawn(move || {
                    upstream::set_worker(w);
                    rt.block_on(async move {
                        let graceful = GracefulShutdown::new();
                        while let Some(job) = rx.recv().await {
                            let (watcher, drain) = (graceful.watcher(), h1::Drain::register());
                            tokio::spawn(connection(job, shared.clone(), watcher, drain));
                        }
                        // No more connections: the open ones finish what they are doing.
                        tokio::join!(graceful.shutdown(), h1::Drain::shutdown());
                        drop(drained);
                    });
                })?,
        );
        senders.push(tx);
    }
    Ok((senders, threads))
}

async fn wait_for_shutdown() -> &'static str {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = term => "SIGTERM",
        _ = tokio::signal::ctrl_c() => "Ctrl-C",
    }
}

async fn accept_loop(
    listener: TcpListener,
    index: usize,
    workers: Arc<[mpsc::UnboundedSender<Job>]>,
    permits: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let mut next = index;
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stop.changed() => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and the like: back off instead of spinning.
                    tracing::warn!(target: "cors::serve", "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        let job = Job {
            stream,
            peer,
            listener: index,
            permit,
        };
        next = next.wrapping_add(1);
        if workers[next % workers.len()].send(job).is_err() {
            tracing::error!(target: "cors::serve", "a worker thread is gone");
        }
    }
}

/// Serves one connection on a worker: TLS when the listener has it, then HTTP/1.x (this
/// crate's server, [`h1`]) or HTTP/2 (hyper's).
async fn connection(job: Job, shared: Arc<Shared>, watcher: Watcher, drain: h1::Drain) {
    let Job {
        stream,
        peer,
        listener,
        permit,
    } = job;
    let _permit = permit;
    let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
        return;
    };
    let rt = shared.current();
    let tls = rt.tls.get(listener).cloned().flatten();
    let limits = rt.limits.clone();
    drop(rt);
    shared.metrics.connection(1);
    let io = match tls {
        None => Some(h1::Stream::Left(stream)),
        Some(acceptor) => {
            match tokio::time::timeout(limits.header_read_timeout.0, acceptor.accept(stream)).await
            {
                Ok(Ok(s)) => Some(h1::Stream::Right(Box::new(s))),
                Ok(Err(e)) => {
                    tracing::debug!(target: "cors::serve", %peer, "TLS handshake failed: {e}");
                    None
                }
                Err(_) => {
                    tracing::debug!(target: "cors::serve", %peer, "TLS handshake timed out");
                    None
                }
            }
        }
    };
    if let Some(io) = io {
        let tls = matches!(io, h1::Stream::Right(_));
        let alpn_h2 = match &io {
            h1::Stream::Right(s) => s.get_ref().1.alpn_protocol() == Some(b"h2"),
            h1::Stream::Left(_) => false,
        };
        // HTTP/2 by ALPN, or found by the HTTP/1.x server from the connection's first bytes.
        let h2 = if alpn_h2 {
            Some(h1::Rewind::new(bytes::Bytes::new(), io))
        } else {
            let info = Arc::new(ConnInfo::new(peer, tls));
            match h1::serve(io, peer, info, shared.clone(), &limits, drain).await {
                h1::Served::Http2(io) => Some(io),
                h1::Served::Done => None,
            }
        };
        let h2 = match h2 {
            Some(io) => io.checked_preface(limits.header_read_timeout.0).await,
            None => None,
        };
        if let Some(io) = h2 {
            let io = TokioIo::new(io);
            serve_connection(io, peer, tls, &limits, shared.clone(), watcher).await;
        }
    }
    shared.metrics.connection(-1);
}

/// An HTTP/2 connection, served by hyper (ALPN `h2`, or the prior-knowledge preface).
async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    tls: bool,
    limits: &config::Limits,
    shared: Arc<Shared>,
    watcher: Watcher,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let info = Arc::new(ConnInfo::new(peer, tls));
    let mut b = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    b.timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        proxy::handle(
            req.map(h1::RequestBody::Hyper),
            info.clone(),
            shared.local(),
        )
    });
    if let Err(e) = watcher.watch(b.serve_connection(io, svc)).await {
        tracing::debug!(target: "cors::serve", %peer, "connection ended: {e}");
    }
}

/// The admin listener: `/metrics` and `/healthz`.
async fn admin_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    graceful: Arc<GracefulShutdown>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let (stream, _) = tokio::select! {
            r = listener.accept() => match r { Ok(x) => x, Err(_) => { tokio::time::sleep(Duration::from_millis(50)).await; continue } },
            _ = stop.changed() => break,
        };
        let shared = shared.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let shared = shared.clone();
                async move {
                    let (status, ctype, body) = match req.uri().path() {
                        "/metrics" => (
                            200,
                            "text/plain; version=0.0.4; charset=utf-8",
                            shared.metrics.render(),
                        ),
                        "/healthz" => (200, "text/plain; charset=utf-8", "ok\n".to_string()),
                        _ => (
                            404,
                            "text/plain; charset=utf-8",
                            "try /metrics or /healthz\n".to_string(),
                        ),
                    };
                    let mut r =
                        hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(body)));
                    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
                    r.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static(ctype),
                    );
                    Ok::<_, std::convert::Infallible>(r)
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), svc);
            let _ = watcher.watch(conn).await;
        });
    }
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
