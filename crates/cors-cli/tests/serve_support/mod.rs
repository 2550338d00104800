//! Shared by the `serve_*` end-to-end tests: the real `cors` binary started on a config file,
//! an upstream that records what reaches it, and a real HTTP client. Everything on 127.0.0.1.
#![allow(dead_code)]

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// The gateway process

/// A running `cors serve --config FILE`.
pub struct Gateway {
    child: Child,
    /// `http://127.0.0.1:PORT` (or https://) of each listener, in order.
    pub listeners: Vec<String>,
    /// `http://127.0.0.1:PORT/metrics`, when configured.
    pub metrics: Option<String>,
    stderr: Arc<Mutex<String>>,
    /// The config file.
    pub config: PathBuf,
    /// Its folder.
    pub dir: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary folder.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cors-serve-{tag}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Gateway {
    /// Writes `toml` to a file and starts the gateway on it; returns once it is ready.
    pub fn start(toml: &str, args: &[&str]) -> Gateway {
        let dir = temp_dir("gw");
        let config = dir.join("gateway.toml");
        std::fs::write(&config, toml).unwrap();
        Self::start_file(config, dir, args)
    }

    /// Starts the gateway on an existing file.
    pub fn start_file(config: PathBuf, dir: PathBuf, args: &[&str]) -> Gateway {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cors"))
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .args(["--log-format", "json"])
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cors serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut listeners = Vec::new();
        let mut metrics = None;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(u) = line.strip_prefix("cors serve: listening on ") {
                        listeners.push(u.trim().to_string());
                    } else if let Some(u) = line.strip_prefix("cors serve: metrics on ") {
                        metrics = Some(u.trim().to_string());
                    } else if line.starts_with("cors serve: ready") {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    std::thread::sleep(Duration::from_millis(100));
                    panic!(
                        "cors serve did not become ready; stderr:\n{}",
                        stderr.lock().unwrap()
                    );
                }
            }
        }
        Gateway {
            child,
            listeners,
            metrics,
            stderr,
            config,
            dir,
        }
    }

    /// The first listener's base URL.
    pub fn url(&self) -> &str {
        &self.listeners[0]
    }

    /// Everything the gateway logged so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The JSON log lines so far.
    pub fn log_lines(&self) -> Vec<serde_json::Value> {
        self.stderr()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal.
    pub fn signal(&self, sig: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_raw(self.pid() as i32).unwrap();
        rustix::process::kill_process(pid, sig).unwrap();
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Peak resident set size (VmHWM), in KiB.
    pub fn vm_hwm_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmHWM:")
    }

    /// Current resident set size (VmRSS), in KiB.
    pub fn vm_rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmRSS:")
    }
}

/// A field of /proc/PID/status, in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The upstream

/// What reached the upstream.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub uri: http::Uri,
    pub headers: HeaderMap,
}

/// A test upstream on 127.0.0.1: every request is recorded; its answers carry CORS and
/// hop-by-hop headers of its own.
///
/// - `/slow?ms=N`: answers after N ms
/// - `/status/500`: 500
/// - `/upload`: reads the body as it comes, answers with the byte count
/// - `/download?bytes=N`: streams N bytes
/// - anything else: 200 `ok`
pub struct Upstream {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Upstream {
    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    /// The last request seen.
    pub fn last(&self) -> Seen {
        self.seen().pop().expect("the upstream saw no request")
    }
}

type TestBody = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;

fn full(b: impl Into<Bytes>) -> TestBody {
    Full::new(b.into()).boxed()
}

/// Streams `remaining` bytes in 64 KiB chunks, generated as they are read.
pub struct Pattern {
    pub remaining: u64,
}

impl Body for Pattern {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(64 * 1024);
        self.remaining -= n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'x'; n as usize])))))
    }
    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

fn query_num(uri: &http::Uri, key: &str) -> u64 {
    uri.query()
        .and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn upstream_handler(
    req: Request<Incoming>,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<Response<TestBody>, std::convert::Infallible> {
    let (parts, mut body) = req.into_parts();
    seen.lock().unwrap().push(Seen {
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        headers: parts.headers.clone(),
    });
    let path = parts.uri.path();
    let mut resp = if path == "/slow" {
        tokio::time::sleep(Duration::from_millis(query_num(&parts.uri, "ms"))).await;
        Response::new(full("slow done"))
    } else if path == "/status/500" {
        let mut r = Response::new(full("upstream failure"));
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    } else if path == "/upload" {
        let mut n: u64 = 0;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(f) => n += f.data_ref().map_or(0, |d| d.len() as u64),
                Err(_) => break,
            }
        }
        Response::new(full(n.to_string()))
    } else if path == "/download" {
        Response::new(
            Pattern {
                remaining: query_num(&parts.uri, "bytes"),
            }
            .boxed(),
        )
    } else {
        let mut r = Response::new(full("ok"));
        if parts.method == Method::OPTIONS {
            r.headers_mut()
                .insert("x-upstream-preflight", "1".parse().unwrap());
        }
        r
    };
    let h = resp.headers_mut();
    h.insert(
        "access-control-allow-origin",
        "https://upstream.example".parse().unwrap(),
    );
    h.insert("access-control-allow-methods", "UPSTREAM".parse().unwrap());
    h.insert("connection", "x-hop".parse().unwrap());
    h.insert("x-hop", "1".parse().unwrap());
    h.insert("x-from-upstream", "1".parse().unwrap());
    Ok(resp)
}

/// Listens on 127.0.0.1 and serves each connection with `serve` on its own task, counting
/// the connections; returns the address and the count.
pub async fn accept_counting<F, Fut>(serve: F) -> (SocketAddr, Arc<AtomicUsize>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let c = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            c.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(stream));
        }
    });
    (addr, connections)
}

/// Starts a test upstream on the current runtime.
pub async fn upstream() -> Upstream {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let (addr, connections) = accept_counting(move |stream| {
        let s = s.clone();
        async move {
            let svc = service_fn(move |req| upstream_handler(req, s.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        }
    })
    .await;
    Upstream {
        addr,
        connections,
        seen,
    }
}

/// A free port nobody listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------------------------
// The client

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub version: http::Version,
}

impl Resp {
    /// A header's value, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request over HTTP/1.1 with a fresh client.
pub async fn send(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::from(body.to_string()))).unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(20), client.request(req))
        .await
        .expect("the gateway answers in time")
        .expect("the request completes");
    read(resp).await
}

/// GET with headers.
pub async fn get(url: &str, headers: &[(&str, &str)]) -> Resp {
    send("GET", url, headers, "").await
}

/// Reads a response whole.
pub async fn read(resp: Response<Incoming>) -> Resp {
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.expect("read the body").to_bytes();
    Resp {
        status: parts.status,
        headers: parts.headers,
        body,
        version: parts.version,
    }
}

/// Polls `f` until it returns true, for up to `within`.
pub async fn eventually<F, Fut>(within: Duration, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A gateway file with one listener on a free port, an admin listener, the upstream `app`,
/// `[limits]` lines, and `routes` appended as written.
pub fn config(upstream: SocketAddr, limits: &str, routes: &str) -> String {
    format!(
        r#"[[listeners]]
address = "127.0.0.1:0"

[admin]
address = "127.0.0.1:0"

[upstreams.app]
url = "http://{upstream}"
connect_timeout = "1s"
response_timeout = "5s"

[limits]
shutdown_timeout = "10s"
{limits}

{routes}
"#
    )
}

/// One route to `app` with an exact-origin policy for https://app.example.
pub const APP_ROUTE: &str = r#"
[[routes]]
name = "app"
path = "/"
upstream = "app"
[routes.policy]
allowed_origins = ["https://app.example"]
allowed_methods = ["GET", "POST", "PUT"]
allowed_headers = ["Content-Type", "X-Token"]
allow_credentials = true
max_age = 600
"#;
