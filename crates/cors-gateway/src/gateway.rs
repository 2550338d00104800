//! The gateway as a whole: [`Gateway`] loads a gateway file (or starts the demo), binds its
//! listeners, and [`run`](Gateway::run)s worker threads until it is told to stop — by a
//! [`ShutdownHandle`], or SIGTERM/Ctrl-C when [`Options::signals`] is set.
//!
//! Owns: threads, accept loops, connection hand-off between HTTP/1.x and HTTP/2, the admin
//! listener, graceful shutdown. Uses every module below it; none of them uses it.

use crate::body::{RequestBody, Stream};
use crate::config::{self, Limits};
use crate::diag::Diagnostic;
use crate::metrics::Metrics;
use crate::proxy::{ConnInfo, Observer, Runtime, Shared};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

/// How the gateway runs (the file says what it serves).
#[derive(Clone, Debug)]
pub struct Options {
    /// Worker threads; `None`: one per core.
    pub workers: Option<usize>,
    /// How long an idle worker spins before it sleeps (0 to 10 ms; `cors serve --busy-poll`).
    pub busy_poll: Duration,
    /// Reload the file when it changes, checking this often; `None`: only on SIGHUP (with
    /// `signals`) or never.
    pub watch_interval: Option<Duration>,
    /// Stop on SIGTERM or Ctrl-C, and reload on SIGHUP, as `cors serve` does. Off for a gateway
    /// embedded in another program, which stops it with its [`ShutdownHandle`].
    pub signals: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workers: None,
            busy_poll: Duration::from_micros(20),
            watch_interval: None,
            signals: false,
        }
    }
}

/// Why the gateway did not start (or stopped early). [`exit_code`](Self::exit_code) is what
/// `cors serve` exits with.
#[derive(Debug)]
pub enum StartError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is not a valid gateway file: every problem, located in `source`.
    Invalid {
        path: PathBuf,
        source: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// A route's policy or a listener's TLS set-up could not be built.
    Build(String),
    /// A listener could not be bound.
    Listen {
        address: SocketAddr,
        admin: bool,
        error: std::io::Error,
    },
    /// The demo's servers could not start.
    Demo(std::io::Error),
    /// The worker threads could not start.
    Workers(std::io::Error),
}

impl StartError {
    /// 2 when the file cannot be read, 1 otherwise (as `cors lint`).
    pub fn exit_code(&self) -> u8 {
        match self {
            StartError::Read { .. } => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Read { path, error } => {
                write!(f, "cannot read {}: {error}", path.display())
            }
            StartError::Invalid { path, .. } => {
                write!(f, "{} is invalid; nothing started", path.display())
            }
            StartError::Build(e) => f.write_str(e),
            StartError::Listen {
                address,
                admin,
                error,
            } => {
                let what = if *admin { " (admin)" } else { "" };
                write!(f, "cannot listen on {address}{what}: {error}")
            }
            StartError::Demo(e) => write!(f, "cannot start the demo: {e}"),
            StartError::Workers(e) => write!(f, "cannot start the worker threads: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Stops a running [`Gateway`]: no new connections, requests in flight finish (within the
/// file's `shutdown_timeout`). Cheap to clone; usable from any thread.
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    stop: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Begins the shutdown; [`Gateway::run`] returns once it is done.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

/// A gateway with its configuration loaded and its listeners bound, ready to [`run`](Self::run).
///
/// ```no_run
/// # async fn example() -> Result<(), cors_gateway::StartError> {
/// use cors_gateway::{Gateway, Options};
/// let gateway = Gateway::from_file("gateway.toml", Options::default()).await?;
/// println!("{}", gateway.banner());
/// let stop = gateway.shutdown_handle();
/// tokio::spawn(async move {
///     tokio::time::sleep(std::time::Duration::from_secs(60)).await;
///     stop.shutdown();
/// });
/// gateway.run().await
/// # }
/// ```
pub struct Gateway {
    runtime: Runtime,
    listeners: Vec<TcpListener>,
    admin: Option<TcpListener>,
    observer: Option<Arc<dyn Observer>>,
    banner: String,
    path: Option<PathBuf>,
    metrics: Arc<Metrics>,
    workers: usize,
    options: Options,
    stop: Arc<watch::Sender<bool>>,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("path", &self.path)
            .field("listeners", &self.local_addrs())
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

fn worker_count(options: &Options) -> usize {
    options
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
        .max(1)
}

impl Gateway {
    /// Reads and validates a gateway file, builds every route's policy and binds the listeners
    /// (and the admin listener). Nothing is served until [`run`](Self::run). Must be called
    /// inside a tokio runtime.
    pub async fn from_file(
        path: impl AsRef<Path>,
        options: Options,
    ) -> Result<Gateway, StartError> {
        let path = path.as_ref().to_path_buf();
        let metrics = Arc::new(Metrics::default());
        let workers = worker_count(&options);
        let src = std::fs::read_to_string(&path).map_err(|error| StartError::Read {
            path: path.clone(),
            error,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let loaded = config::load(&src, base).map_err(|diagnostics| StartError::Invalid {
            path: path.clone(),
            source: src.clone(),
            diagnostics,
        })?;
        for w in &loaded.warnings {
            tracing::warn!(target: "cors::config", line = w.line, column = w.column, code = %w.code, "{} ({})", w.message, w.fix);
        }
        let runtime =
            Runtime::build(&loaded.config, &metrics, workers).map_err(StartError::Build)?;
        let mut listeners = Vec::new();
        for l in &loaded.config.listeners {
            listeners.push(TcpListener::bind(l.address).await.map_err(|error| {
                StartError::Listen {
                    address: l.address,
                    admin: false,
                    error,
                }
            })?);
        }
        let admin =
            match &loaded.config.admin {
                Some(a) => Some(TcpListener::bind(a.address).await.map_err(|error| {
                    StartError::Listen {
                        address: a.address,
                        admin: true,
                        error,
                    }
                })?),
                None => None,
            };
        let mut banner = String::new();
        for (l, s) in loaded.config.listeners.iter().zip(&listeners) {
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
        Ok(Gateway {
            runtime,
            listeners,
            admin,
            observer: None,
            banner,
            path: Some(path),
            metrics,
            workers,
            options,
            stop: Arc::new(watch::channel(false).0),
        })
    }

    /// The built-in demo (`cors serve` without `--config`): the MDN article's three exchanges,
    /// a page and an API on two local origins, behind the gateway on `port` (0: free ports).
    pub async fn demo(port: u16, options: Options) -> Result<Gateway, StartError> {
        let metrics = Arc::new(Metrics::default());
        let workers = worker_count(&options);
        let d = crate::demo::start(port, &metrics, workers)
            .await
            .map_err(|e| StartError::Demo(std::io::Error::other(e)))?;
        Ok(Gateway {
            runtime: d.runtime,
            listeners: vec![d.gateway],
            admin: Some(d.admin),
            observer: Some(d.observer as Arc<dyn Observer>),
            banner: d.banner,
            path: None,
            metrics,
            workers,
            options,
            stop: Arc::new(watch::channel(false).0),
        })
    }

    /// What `cors serve` prints once it listens: one line per listener, then `ready`.
    pub fn banner(&self) -> &str {
        &self.banner
    }

    /// The bound addresses of the listeners, in the file's order.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// A handle that stops [`run`](Self::run) from anywhere.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            stop: self.stop.clone(),
        }
    }

    /// Serves until the [`ShutdownHandle`] (or, with [`Options::signals`], SIGTERM or Ctrl-C)
    /// says stop, then drains: no new connections, requests in flight finish within the file's
    /// `shutdown_timeout`.
    pub async fn run(self) -> Result<(), StartError> {
        let Gateway {
            runtime,
            listeners,
            admin,
            observer,
            path,
            metrics,
            workers,
            options,
            stop,
            ..
        } = self;
        let max_connections = runtime.limits.max_connections;
        let shutdown_timeout = runtime.limits.shutdown_timeout.0;
        let shared = Arc::new(Shared::new(runtime, workers, metrics, observer));
        // The admin listener's connections; each worker drains its own (see `spawn_workers`).
        let graceful = Arc::new(GracefulShutdown::new());
        let stop_rx = stop.subscribe();
        let (drained_tx, mut drained_rx) = mpsc::channel::<()>(1);
        let permits = Arc::new(Semaphore::new(max_connections));
        let seats = Arc::new(Seats::new(workers, &shared.current().limits));
        let (senders, threads) = spawn_workers(workers, options.busy_poll, &shared, &drained_tx)
            .map_err(StartError::Workers)?;
        drop(drained_tx);
        let senders: Arc<[mpsc::UnboundedSender<Job>]> = senders.into();
        let mut loops = Vec::new();
        for (index, l) in listeners.into_iter().enumerate() {
            loops.push(tokio::spawn(accept_loop(
                l,
                index,
                senders.clone(),
                permits.clone(),
                seats.clone(),
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
        let watcher = path.map(|path| {
            tokio::spawn(crate::reload::watch(
                path,
                shared.clone(),
                options.watch_interval,
                options.signals,
            ))
        });

        let why = wait_for_shutdown(stop_rx.clone(), options.signals).await;
        tracing::info!(target: "cors::serve", signal = why, "shutting down: no new connections; finishing requests in flight");
        let _ = stop.send(true);
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
        Ok(())
    }
}

struct Job {
    stream: std::net::TcpStream,
    peer: SocketAddr,
    listener: usize,
    permit: OwnedSemaphorePermit,
    /// The connection's place in its worker's count.
    seat: Seat,
}

/// Connections open on each worker, against `[limits] max_connections_per_worker`.
struct Seats {
    open: Vec<AtomicUsize>,
    per_worker: usize,
    /// `[limits] max_connections`, for the log.
    total: usize,
}

/// One connection counted on one worker, until it is dropped.
struct Seat {
    seats: Arc<Seats>,
    worker: usize,
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.seats.open[self.worker].fetch_sub(1, Ordering::Relaxed);
    }
}

impl Seats {
    fn new(workers: usize, limits: &crate::config::Limits) -> Seats {
        Seats {
            open: (0..workers).map(|_| AtomicUsize::new(0)).collect(),
            per_worker: limits
                .max_connections_per_worker
                .unwrap_or_else(|| limits.max_connections.div_ceil(workers.max(1))),
            total: limits.max_connections,
        }
    }

    /// A seat on the first worker from `from` on that is below its limit.
    fn take(self: &Arc<Self>, from: usize) -> Option<Seat> {
        let n = self.open.len();
        (0..n).map(|i| (from + i) % n).find_map(|w| {
            self.open[w]
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                    (c < self.per_worker).then_some(c + 1)
                })
                .ok()
                .map(|_| Seat {
                    seats: self.clone(),
                    worker: w,
                })
        })
    }
}

/// A warning at most every 10 s: the log says a limit was reached without one line per
/// connection held back.
struct Warn(Option<tokio::time::Instant>);

impl Warn {
    fn due(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        let due = self.0.is_none_or(|t| now >= t + Duration::from_secs(10));
        if due {
            self.0 = Some(now);
        }
        due
    }
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
        let spin = crate::busy_poll::Spin::new(busy_poll);
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
                    crate::worker::set_worker(w);
                    rt.block_on(async move {
                        let graceful = GracefulShutdown::new();
                        while let Some(job) = rx.recv().await {
                            let (watcher, drain) =
                                (graceful.watcher(), crate::h1::Drain::register());
                            tokio::spawn(connection(job, shared.clone(), watcher, drain));
                        }
                        // No more connections: the open ones finish what they are doing.
                        tokio::join!(graceful.shutdown(), crate::h1::Drain::shutdown());
                        drop(drained);
                    });
                })?,
        );
        senders.push(tx);
    }
    Ok((senders, threads))
}

async fn wait_for_shutdown(mut stop: watch::Receiver<bool>, signals: bool) -> &'static str {
    let handle = async {
        while !*stop.borrow_and_update() {
            if stop.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    if !signals {
        handle.await;
        return "shutdown handle";
    }
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
        _ = handle => "shutdown handle",
    }
}

async fn accept_loop(
    listener: TcpListener,
    index: usize,
    workers: Arc<[mpsc::UnboundedSender<Job>]>,
    permits: Arc<Semaphore>,
    seats: Arc<Seats>,
    mut stop: watch::Receiver<bool>,
) {
    let mut next = index;
    let (mut warn_total, mut warn_worker) = (Warn(None), Warn(None));
    loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if warn_total.due() {
                    tracing::warn!(target: "cors::serve", max_connections = seats.total,
                        "connection limit reached ([limits] max_connections): new connections wait in the accept queue until one closes");
                }
                tokio::select! {
                    p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                    _ = stop.changed() => break,
                }
            }
        };
        // A worker below its own limit; while every one is at it, wait for a close.
        let seat = loop {
            if let Some(seat) = seats.take(next.wrapping_add(1) % workers.len()) {
                break seat;
            }
            if warn_worker.due() {
                tracing::warn!(target: "cors::serve", max_connections_per_worker = seats.per_worker, workers = workers.len(),
                    "every worker is at its connection limit ([limits] max_connections_per_worker): new connections wait in the accept queue until one closes");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                _ = stop.changed() => return,
            }
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
        next = seat.worker;
        let job = Job {
            stream,
            peer,
            listener: index,
            permit,
            seat,
        };
        if workers[next].send(job).is_err() {
            tracing::error!(target: "cors::serve", "a worker thread is gone");
        }
    }
}

/// Serves one connection on a worker: TLS when the listener has it, then HTTP/1.x (this
/// crate's server, [`h1`]) or HTTP/2 (hyper's).
async fn connection(job: Job, shared: Arc<Shared>, watcher: Watcher, drain: crate::h1::Drain) {
    let Job {
        stream,
        peer,
        listener,
        permit,
        seat,
    } = job;
    let _held = (permit, seat);
    let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
        return;
    };
    let rt = shared.current();
    let tls = rt.tls.get(listener).cloned().flatten();
    let limits = rt.limits.clone();
    drop(rt);
    shared.metrics.connection(1);
    let io = match tls {
        None => Some(Stream::Left(stream)),
        Some(acceptor) => {
            match tokio::time::timeout(limits.header_read_timeout.0, acceptor.accept(stream)).await
            {
                Ok(Ok(s)) => Some(Stream::Right(Box::new(s))),
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
        let tls = matches!(io, Stream::Right(_));
        let alpn_h2 = match &io {
            Stream::Right(s) => s.get_ref().1.alpn_protocol() == Some(b"h2"),
            Stream::Left(_) => false,
        };
        // HTTP/2 by ALPN, or found by the HTTP/1.x server from the connection's first bytes.
        let h2 = if alpn_h2 {
            Some(crate::h1::Rewind::new(bytes::Bytes::new(), io))
        } else {
            let info = Arc::new(ConnInfo::new(peer, tls));
            match crate::h1::serve(io, peer, info, shared.clone(), &limits, drain).await {
                crate::h1::Served::Http2(io) => Some(io),
                crate::h1::Served::Done => None,
            }
        };
        let h2 = match h2 {
            Some(io) => {
                io.checked_preface(limits.header_read_timeout.0, max_header_list(&limits))
                    .await
            }
            None => None,
        };
        if let Some(io) = h2 {
            let io = TokioIo::new(io);
            serve_connection(io, peer, tls, &limits, shared.clone(), watcher).await;
        }
    }
    shared.metrics.connection(-1);
}

/// SETTINGS_MAX_HEADER_LIST_SIZE as hyper announces it: the gateway's header limit.
fn max_header_list(limits: &Limits) -> usize {
    u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX) as usize
}

/// An HTTP/2 connection, served by hyper (ALPN `h2`, or the prior-knowledge preface).
async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    tls: bool,
    limits: &Limits,
    shared: Arc<Shared>,
    watcher: Watcher,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let info = Arc::new(ConnInfo::new(peer, tls));
    let mut b = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    // A client that stops reading stops answering PINGs too: the same bound as HTTP/1.x's
    // send_timeout (a PING every half of it, an answer due within the other half).
    let half = limits.send_timeout.0 / 2;
    b.timer(TokioTimer::new())
        .keep_alive_interval(Some(half))
        .keep_alive_timeout(half)
        .max_header_list_size(max_header_list(limits) as u32)
        // What the inspector of inbound frames (`h2in`) follows: the same as h2's defaults,
        // said here so that the two cannot drift apart.
        .header_table_size(crate::h2in::HEADER_TABLE_SIZE)
        .max_frame_size(crate::h2in::MAX_FRAME_SIZE);
    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        crate::proxy::handle(req.map(RequestBody::Hyper), info.clone(), shared.local())
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
