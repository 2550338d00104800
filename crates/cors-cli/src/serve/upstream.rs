//! Upstreams: HTTP/1.1 connections kept alive and reused, one idle pool per worker thread, so
//! a request, its client connection and its upstream connection stay on one thread and no lock
//! is shared between threads. Response bodies stream; a connection goes back to its pool when
//! the response body has been read to the end.

use super::config::UpstreamConfig;
use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

thread_local! {
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Marks the current thread as worker `i` (it uses the `i`-th pool of every upstream).
pub fn set_worker(i: usize) {
    WORKER.with(|w| w.set(i));
}

/// The current thread's worker index (0 outside the workers).
pub fn worker() -> usize {
    WORKER.with(std::cell::Cell::get)
}

/// Why an upstream request failed.
#[derive(Debug)]
pub enum UpstreamError {
    /// No connection could be made (refused, unreachable, connect timeout).
    Connect(String),
    /// The connection failed during the exchange.
    Protocol(String),
}

impl UpstreamError {
    /// `connect` or `protocol`, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            UpstreamError::Connect(_) => "connect",
            UpstreamError::Protocol(_) => "protocol",
        }
    }
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamError::Connect(e) | UpstreamError::Protocol(e) => f.write_str(e),
        }
    }
}

struct Idle {
    sender: SendRequest<Incoming>,
    since: Instant,
}

/// One worker's idle connections to one upstream.
#[derive(Default)]
struct Pool {
    idle: Mutex<Vec<Idle>>,
}

/// One upstream.
pub struct Upstream {
    /// The name in the configuration.
    pub name: String,
    /// `host:port`, as connected to.
    pub authority: http::uri::Authority,
    /// Time allowed until the response head.
    pub response_timeout: Duration,
    connect_timeout: Duration,
    idle_timeout: Duration,
    max_idle: usize,
    pools: Vec<Arc<Pool>>,
}

impl Upstream {
    /// An upstream with `workers` pools.
    pub fn new(name: &str, u: &UpstreamConfig, workers: usize) -> Result<Upstream, String> {
        let uri: http::Uri = u
            .url
            .parse()
            .map_err(|e| format!("upstream {name}: bad url: {e}"))?;
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| format!("upstream {name}: the url has no host"))?;
        Ok(Upstream {
            name: name.to_string(),
            authority,
            response_timeout: u.response_timeout.0,
            connect_timeout: u.connect_timeout.0,
            idle_timeout: u.pool_idle_timeout.0,
            max_idle: u.pool_max_idle,
            pools: (0..workers.max(1)).map(|_| Arc::default()).collect(),
        })
    }

    fn pool(&self) -> &Arc<Pool> {
        let i = worker();
        &self.pools[i % self.pools.len()]
    }

    /// A live idle connection of this worker, if any.
    async fn checkout(&self) -> Option<SendRequest<Incoming>> {
        loop {
            let idle = self
                .pool()
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()?;
            if idle.since.elapsed() > self.idle_timeout || idle.sender.is_closed() {
                continue; // dropping it closes the connection
            }
            let mut sender = idle.sender;
            // Ready once the previous response has been read through; fails when it closed.
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    async fn connect(&self) -> Result<SendRequest<Incoming>, UpstreamError> {
        let addr = self.authority.as_str();
        let stream =
            tokio::time::timeout(self.connect_timeout, tokio::net::TcpStream::connect(addr))
                .await
                .map_err(|_| {
                    UpstreamError::Connect(format!(
                        "connecting to {addr} took more than {} ms",
                        self.connect_timeout.as_millis()
                    ))
                })?
                .map_err(|e| UpstreamError::Connect(format!("connecting to {addr}: {e}")))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| UpstreamError::Connect(format!("{addr}: {e}")))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(sender)
    }

    /// Sends a request (its URI in origin-form) on a pooled or new connection. A pooled
    /// connection the upstream closed meanwhile is replaced before anything was sent on it.
    pub async fn request(
        &self,
        mut req: Request<Incoming>,
    ) -> Result<Response<PooledBody>, UpstreamError> {
        loop {
            let (mut sender, reused) = match self.checkout().await {
                Some(s) => (s, true),
                None => (self.connect().await?, false),
            };
            match sender.try_send_request(req).await {
                Ok(resp) => {
                    let (parts, body) = resp.into_parts();
                    let done = body.is_end_stream();
                    let body = PooledBody {
                        body,
                        home: Some((sender, self.pool().clone(), self.max_idle)),
                        done,
                    };
                    return Ok(Response::from_parts(parts, body));
                }
                Err(mut e) => match e.take_message() {
                    Some(r) if reused => req = r,
                    _ => return Err(UpstreamError::Protocol(e.into_error().to_string())),
                },
            }
        }
    }
}

/// A response body that returns its connection to the pool once read to the end.
pub struct PooledBody {
    body: Incoming,
    home: Option<(SendRequest<Incoming>, Arc<Pool>, usize)>,
    done: bool,
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let r = Pin::new(&mut self.body).poll_frame(cx);
        match &r {
            Poll::Ready(None) => self.done = true,
            Poll::Ready(Some(Ok(_))) if self.body.is_end_stream() => self.done = true,
            _ => {}
        }
        r
    }
    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for PooledBody {
    fn drop(&mut self) {
        // A body not read to the end leaves the connection unusable: it closes with the sender.
        if let (true, Some((sender, pool, max))) = (self.done, self.home.take()) {
            let mut idle = pool.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < max {
                idle.push(Idle {
                    sender,
                    since: Instant::now(),
                });
            }
        }
    }
}
