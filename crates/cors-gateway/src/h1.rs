//! The gateway's HTTP/1.x server: reads clients' requests (RFC 9112), hands each to
//! [`proxy::handle`], and writes its response, on one connection at a time, in that
//! connection's task. HTTP/2 (ALPN `h2` on TLS, or the prior-knowledge preface on plain TCP)
//! is handed to hyper.
//!
//! Requests on a connection are served one after the other: pipelined requests wait in the
//! read buffer (RFC 9112 §9.3.2). Anything that makes a request's framing doubtful — both
//! `Transfer-Encoding` and `Content-Length`, a transfer coding other than a final `chunked`,
//! an invalid or ambiguous `Content-Length` — is refused and the connection closed, so that
//! the gateway and the upstream can never disagree on where a request ends (request
//! smuggling). What reaches the upstream is re-framed by the upstream client.
//!
//! A request body is read from the connection only when the upstream exchange asks for it:
//! the connection is lent to the body for the time of the exchange ([`RequestBody`]) and comes
//! back when the body is dropped.

use crate::body::{H1Body, Lent, RequestBody, Stream};
use crate::config::Limits;
use crate::h2in::Inspected;
use crate::proxy::{self, ConnInfo, ProxyBody, Shared};
use crate::timer;
use crate::wire::head::{Parsed, Refusal, parse};
use crate::wire::{self, Conn, Framing, Step};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::header::{self, HeaderValue};
use http::{Method, Response, StatusCode, Version};
use http_body::Body;
use std::fmt::Write as _;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::either::Either;
use tokio_util::io::poll_write_buf;

/// Bytes already read from a connection, served before the rest of it: how a connection that
/// turned out to speak HTTP/2 goes to hyper with the preface this server read.
pub struct Rewind {
    pre: Bytes,
    io: Stream,
}

impl Rewind {
    /// `io`, with `pre` read first.
    pub fn new(pre: Bytes, io: Stream) -> Rewind {
        Rewind { pre, io }
    }

    /// Reads the client preface and the first frame's header, within `limit`: this connection
    /// for hyper, with those bytes first, or `None` when they are not the preface and a
    /// SETTINGS frame on stream 0 — RFC 9113 §3.4: an invalid preface (the first frame must
    /// be SETTINGS) is a connection error PROTOCOL_ERROR, so GOAWAY(PROTOCOL_ERROR) is sent
    /// and the connection closed, rather than left to hyper, which would wait or answer.
    /// The connection goes on inspected ([`Inspected`]); `max_header_list` is the
    /// SETTINGS_MAX_HEADER_LIST_SIZE hyper announces.
    pub async fn checked_preface(
        self,
        limit: Duration,
        max_header_list: usize,
    ) -> Option<Inspected<Stream>> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        const GOAWAY_PROTOCOL_ERROR: [u8; 17] = [0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let Rewind { pre, mut io } = self;
        let want = H2_PREFACE.len() + 9;
        let mut buf = BytesMut::from(&pre[..]);
        let read = tokio::time::timeout(limit, async {
            while buf.len() < want {
                let n = H2_PREFACE.len().min(buf.len());
                if buf[..n] != H2_PREFACE[..n] {
                    break;
                }
                buf.reserve(want);
                if io.read_buf(&mut buf).await.ok()? == 0 {
                    return None;
                }
            }
            Some(())
        })
        .await;
        if !matches!(read, Ok(Some(()))) {
            return None;
        }
        let frame = buf.get(H2_PREFACE.len()..want);
        let settings = buf.starts_with(H2_PREFACE)
            && frame.is_some_and(|f| f[3] == 0x4 && f[5..9] == [0, 0, 0, 0]);
        if !settings {
            let _ = io.write_all(&GOAWAY_PROTOCOL_ERROR).await;
            let _ = io.shutdown().await;
            return None;
        }
        Some(Inspected::new(buf.freeze(), io, max_header_list))
    }
}

impl AsyncRead for Rewind {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.pre.is_empty() {
            let n = this.pre.len().min(buf.remaining());
            buf.put_slice(&this.pre[..n]);
            this.pre.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.io).poll_read(cx, buf)
    }
}

write_through!([] Rewind);

/// A worker's graceful shutdown for the connections this server runs: once it begins, idle
/// connections close, and busy ones close after the response in progress (which says
/// `connection: close`); the worker waits until every connection has dropped its [`Drain`].
///
/// A worker's connections all run on its thread (a current-thread runtime), so the registry
/// is thread-local: an idle connection leaves its waker there without a lock or an atomic
/// operation, and shutdown wakes them all.
pub struct Drain {
    slot: usize,
}

#[derive(Default)]
struct Registry {
    draining: bool,
    /// The idle connections' wakers, by slot; `None` for a free slot or a busy connection.
    wakers: Vec<Option<std::task::Waker>>,
    free: Vec<usize>,
    live: usize,
    /// The worker waiting for the last connection to go.
    done: Option<std::task::Waker>,
}

thread_local! {
    static DRAIN: std::cell::RefCell<Registry> = std::cell::RefCell::default();
}

impl Drain {
    /// Registers a connection with the current thread's worker.
    pub fn register() -> Drain {
        DRAIN.with_borrow_mut(|r| {
            r.live += 1;
            let slot = match r.free.pop() {
                Some(s) => s,
                None => {
                    r.wakers.push(None);
                    r.wakers.len() - 1
                }
            };
            Drain { slot }
        })
    }

    /// Ready once shutdown has begun; else wakes the task when it begins.
    fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        DRAIN.with_borrow_mut(|r| {
            if r.draining {
                return Poll::Ready(());
            }
            match &mut r.wakers[self.slot] {
                Some(w) => w.clone_from(cx.waker()),
                w => *w = Some(cx.waker().clone()),
            }
            Poll::Pending
        })
    }

    fn draining(&self) -> bool {
        DRAIN.with_borrow(|r| r.draining)
    }

    /// Begins shutdown on the current thread and waits until its connections have all ended.
    pub async fn shutdown() {
        let idle = DRAIN.with_borrow_mut(|r| {
            r.draining = true;
            r.wakers
                .iter_mut()
                .filter_map(Option::take)
                .collect::<Vec<_>>()
        });
        idle.into_iter().for_each(std::task::Waker::wake);
        poll_fn(|cx| {
            DRAIN.with_borrow_mut(|r| {
                if r.live == 0 {
                    return Poll::Ready(());
                }
                r.done = Some(cx.waker().clone());
                Poll::Pending
            })
        })
        .await
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        let _ = DRAIN.try_with(|r| {
            let mut r = r.borrow_mut();
            r.wakers[self.slot] = None;
            r.free.push(self.slot);
            r.live -= 1;
            if r.live == 0 {
                if let Some(w) = r.done.take() {
                    w.wake();
                }
            }
        });
    }
}

/// How a connection served by this server ended.
pub enum Served {
    /// Closed (by either side, by shutdown, or after an error answered or logged).
    Done,
    /// It began with the HTTP/2 preface: for hyper, with the bytes read so far.
    Http2(Rewind),
}

/// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`: how an HTTP/2 connection with prior knowledge begins
/// (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// The response body bytes gathered before they are written.
const WRITE_BATCH: usize = 64 * 1024;
/// How long a connection closed with request body bytes unread keeps reading them (so that
/// the client sees the response rather than a reset), and how many bytes it reads at most.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1024 * 1024;
/// How long writing a refusal (400, 408, 431…) may take.
const REFUSAL_WRITE: Duration = Duration::from_secs(5);
/// Serves HTTP/1.x requests on `io` until the connection ends.
pub async fn serve(
    io: Stream,
    peer: SocketAddr,
    info: Arc<ConnInfo>,
    shared: Arc<Shared>,
    limits: &Limits,
    drain: Drain,
) -> Served {
    let mut conn = Conn::new(io);
    let mut out = BytesMut::new();
    let h2c_possible = matches!(conn.io, Either::Left(_));
    let mut first = true;
    loop {
        // Wait for the request head, or for the connection to end.
        let hrt = limits.header_read_timeout.0;
        let read = read_head(&mut conn, limits, &drain, first && h2c_possible);
        let head = match timer::deadline(&info.timer, tokio::time::Instant::now() + hrt, read).await
        {
            Some(Ok(Head::Request(h))) => h,
            Some(Ok(Head::Http2)) => {
                let pre = conn.buf.split().freeze();
                return Served::Http2(Rewind::new(pre, conn.io));
            }
            Some(Ok(Head::Closed)) => return Served::Done,
            Some(Err(refusal)) => {
                shared.metrics.bad_request();
                tracing::debug!(target: "cors::serve", peer = %peer, "refused a request: {}", refusal.why);
                refuse(&mut conn, &mut out, refusal).await;
                return Served::Done;
            }
            None => {
                if !conn.buf.is_empty() {
                    tracing::debug!(target: "cors::serve", peer = %peer, "the request head did not arrive within {hrt:?}");
                    let refusal = Refusal::new(
                        StatusCode::REQUEST_TIMEOUT,
                        "the request head did not arrive in time",
                    );
                    refuse(&mut conn, &mut out, refusal).await;
                }
                return Served::Done;
            }
        };
        first = false;
        let Parsed {
            req,
            framing,
            expect_continue,
            mut keep_alive,
        } = head;
        let is_head = req.method() == Method::HEAD;
        let version = req.version();

        let local = shared.local();
        let resp = if framing == Framing::Empty {
            let req = req.map(|()| RequestBody::Empty);
            proxy::handle(req, info.clone(), local).await
        } else {
            // The body borrows the connection until the exchange drops it.
            let (tx, mut rx) = tokio::sync::oneshot::channel();
            let lent = Lent {
                conn,
                framing,
                continue_: expect_continue.then(|| Bytes::from_static(CONTINUE)),
                broken: false,
            };
            let body = H1Body {
                lent: Some(lent),
                back: Some(tx),
            };
            let req = req.map(|()| RequestBody::H1(body));
            let resp = proxy::handle(req, info.clone(), local).await;
            let Ok(lent) = rx.try_recv() else {
                tracing::error!(target: "cors::serve", %peer, "a request body outlived its exchange; connection dropped");
                return Served::Done;
            };
            conn = lent.conn;
            // A body the exchange did not read (a preflight's, a refused request's) is
            // skipped when it has all arrived; else the connection cannot carry another
            // request.
            keep_alive &= !lent.broken && skip_buffered(lent.framing, &mut conn.buf);
            resp
        };
        let resp = match resp {
            Ok(r) => r,
            Err(never) => match never {},
        };
        keep_alive &= !drain.draining();
        let (parts, mut body) = resp.into_parts();
        let hint = body.size_hint().exact();
        // With `Out::None` the body is not read: it goes when the answer is written.
        let mode = encode_head(&mut out, &parts, hint, is_head, version, &mut keep_alive);
        let wrote = write_timed(
            &mut conn,
            &mut out,
            &mut body,
            mode,
            &info.timer,
            limits.send_timeout.0,
        )
        .await;
        drop(body);
        if let Err(e) = wrote {
            tracing::debug!(target: "cors::serve", peer = %peer, "writing the response: {e}");
            return Served::Done;
        }
        if !keep_alive {
            close(&mut conn).await;
            return Served::Done;
        }
    }
}

/// What `read_head` found.
#[allow(clippy::large_enum_variant)] // moved once per request; a box would be an allocation
enum Head {
    Request(Parsed),
    Http2,
    /// The client closed the connection, or shutdown began, between requests.
    Closed,
}

/// Reads until a whole request head is in the buffer and parses it.
fn read_head<'a>(
    conn: &'a mut Conn<Stream>,
    limits: &'a Limits,
    drain: &'a Drain,
    h2c_possible: bool,
) -> impl std::future::Future<Output = Result<Head, Refusal>> + 'a {
    poll_fn(move |cx| {
        loop {
            if !conn.buf.is_empty() {
                if h2c_possible && conn.buf[0] == b'P' {
                    let n = conn.buf.len().min(H2_PREFACE.len());
                    if conn.buf[..n] == H2_PREFACE[..n] {
                        if n == H2_PREFACE.len() {
                            return Poll::Ready(Ok(Head::Http2));
                        }
                    } else if let Some(p) = parse(&mut conn.buf, &limits.head(), &mut conn.fields)?
                    {
                        return Poll::Ready(Ok(Head::Request(p)));
                    }
                } else if let Some(p) = parse(&mut conn.buf, &limits.head(), &mut conn.fields)? {
                    return Poll::Ready(Ok(Head::Request(p)));
                }
            } else if drain.poll(cx).is_ready() {
                // Shutdown: an idle connection just closes.
                return Poll::Ready(Ok(Head::Closed));
            }
            match ready!(conn.poll_fill(cx)) {
                Ok(0) if conn.buf.is_empty() => return Poll::Ready(Ok(Head::Closed)),
                Ok(0) => {
                    return Poll::Ready(Err(Refusal::bad(
                        "the connection closed inside the request head",
                    )));
                }
                Ok(_) => {}
                Err(_) => return Poll::Ready(Ok(Head::Closed)),
            }
        }
    })
}

const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// How a response body goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    /// None at all: a response to HEAD, a 1xx, 204 or 304 (RFC 9110 §6.4.1).
    None,
    /// `Content-Length` bytes: this many left.
    Length(u64),
    Chunked,
    /// Until the connection closes (an HTTP/1.0 client, a body of unknown length).
    Close,
}

/// Writes the status line and header section into `out`, with the framing fields the body
/// needs, `Date` when missing (RFC 9110 §6.6.1) and `Connection` when it changes from the
/// version's default. `keep_alive` turns false when the body can only end with the connection.
fn encode_head(
    out: &mut BytesMut,
    parts: &http::response::Parts,
    hint: Option<u64>,
    is_head: bool,
    version: Version,
    keep_alive: &mut bool,
) -> Out {
    let status = parts.status;
    let headers = &parts.headers;
    let no_body = is_head
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    let mut mode = if no_body {
        Out::None
    } else if let Some(v) = headers.get(header::CONTENT_LENGTH) {
        match wire::content_length([v.as_bytes()]) {
            Ok(Some(n)) => Out::Length(n),
            _ => Out::Close,
        }
    } else {
        Out::Chunked
    };
    out.reserve(128 + headers.len() * 48);
    out.put_slice(b"HTTP/1.1 ");
    out.put_slice(status.as_str().as_bytes());
    out.put_u8(b' ');
    out.put_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.put_slice(b"\r\n");
    let mut dated = false;
    for (n, v) in headers {
        dated |= n == header::DATE;
        wire::put_field(out, n, v);
    }
    if !dated {
        out.put_slice(b"date: ");
        put_date(out);
        out.put_slice(b"\r\n");
    }
    let has_length = mode != Out::Chunked;
    if !has_length {
        // No Content-Length: the exact size when it is known, else chunked for HTTP/1.1 and
        // the end of the connection for HTTP/1.0 (RFC 9112 §6.1, §6.3).
        mode = match hint {
            Some(n) => {
                let _ = write!(out, "content-length: {n}\r\n");
                Out::Length(n)
            }
            None if version == Version::HTTP_11 => {
                out.put_slice(b"transfer-encoding: chunked\r\n");
                Out::Chunked
            }
            None => Out::Close,
        };
    }
    if mode == Out::Close {
        *keep_alive = false;
    }
    if !*keep_alive {
        out.put_slice(b"connection: close\r\n");
    } else if version == Version::HTTP_10 {
        out.put_slice(b"connection: keep-alive\r\n");
    }
    out.put_slice(b"\r\n");
    mode
}

/// When an answer last moved forward (`Send`, unlike a `Cell`, for the connection's task).
struct Progress {
    start: tokio::time::Instant,
    micros: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            start: tokio::time::Instant::now(),
            micros: std::sync::atomic::AtomicU64::new(0),
        }
    }
    fn now(&self) {
        let us = u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.micros.store(us, std::sync::atomic::Ordering::Relaxed);
    }
    fn get(&self) -> tokio::time::Instant {
        self.start + Duration::from_micros(self.micros.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// [`write_response`] within `send_timeout` of its last progress (a body piece taken, bytes
/// written): a client that stops reading, or a body that stalls, ends the connection
/// (`[limits] send_timeout`, like nginx's).
async fn write_timed(
    conn: &mut Conn<Stream>,
    out: &mut BytesMut,
    body: &mut ProxyBody,
    mode: Out,
    timer: &timer::ConnTimer,
    send_timeout: Duration,
) -> io::Result<()> {
    let progress = Progress::new();
    let mut write = std::pin::pin!(write_response(conn, out, body, mode, &progress));
    loop {
        let due = progress.get() + send_timeout;
        match timer::deadline(timer, due, write.as_mut()).await {
            Some(r) => return r,
            // Progress since the deadline was set: wait on from the new one.
            None if progress.get() + send_timeout > tokio::time::Instant::now() => {}
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("the answer made no progress for {send_timeout:?} (send_timeout)"),
                ));
            }
        }
    }
}

/// Writes `out` and then the body, gathering the body's pieces that are ready into one write;
/// `progress_at` is set to the time of each step forward.
async fn write_response(
    conn: &mut Conn<Stream>,
    out: &mut BytesMut,
    body: &mut ProxyBody,
    mut mode: Out,
    progress_at: &Progress,
) -> io::Result<()> {
    let mut done = mode == Out::None;
    poll_fn(|cx| {
        loop {
            let mut progress = false;
            while !done && out.len() < WRITE_BATCH {
                match Pin::new(&mut *body).poll_frame(cx) {
                    Poll::Ready(Some(Ok(frame))) => {
                        progress = true;
                        let Ok(d) = frame.into_data() else { continue };
                        match &mut mode {
                            Out::Length(left) => {
                                if d.len() as u64 > *left {
                                    return Poll::Ready(Err(io::Error::other(
                                        "the response body is longer than its Content-Length",
                                    )));
                                }
                                *left -= d.len() as u64;
                                out.put_slice(&d);
                            }
                            Out::Chunked if !d.is_empty() => {
                                let _ = write!(out, "{:x}\r\n", d.len());
                                out.put_slice(&d);
                                out.put_slice(b"\r\n");
                            }
                            Out::Chunked | Out::None => {}
                            Out::Close => out.put_slice(&d),
                        }
                    }
                    Poll::Ready(None) => {
                        progress = true;
                        done = true;
                        match mode {
                            Out::Chunked => out.put_slice(b"0\r\n\r\n"),
                            Out::Length(left) if left > 0 => {
                                return Poll::Ready(Err(io::Error::other(
                                    "the response body ended before its Content-Length",
                                )));
                            }
                            _ => {}
                        }
                    }
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                    Poll::Pending => break,
                }
            }
            if !out.is_empty() {
                match poll_write_buf(Pin::new(&mut conn.io), cx, out) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    Poll::Ready(Ok(_)) => progress = true,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => {}
                }
            }
            if done && out.is_empty() {
                return Pin::new(&mut conn.io).poll_flush(cx);
            }
            if !progress {
                return Poll::Pending;
            }
            progress_at.now();
        }
    })
    .await
}

/// Skips the rest of a request body when it is all in `buf`: whether it was.
fn skip_buffered(mut framing: Framing, buf: &mut BytesMut) -> bool {
    loop {
        match framing.step(buf) {
            Step::Data(_) => {}
            Step::End => return true,
            Step::More | Step::Invalid(_) => return false,
        }
    }
}

/// Answers a refused request and closes the connection.
async fn refuse(conn: &mut Conn<Stream>, out: &mut BytesMut, refusal: Refusal) {
    let msg = format!("{} {}\n", refusal.status, refusal.why);
    let mut resp = Response::new(());
    *resp.status_mut() = refusal.status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    let (parts, ()) = resp.into_parts();
    out.clear();
    let mut keep_alive = false;
    let hint = Some(msg.len() as u64);
    encode_head(out, &parts, hint, false, Version::HTTP_11, &mut keep_alive);
    out.put_slice(msg.as_bytes());
    let mut body = ProxyBody::empty();
    let progress = Progress::new();
    // Bounded like any answer: a client that reads nothing is not waited for.
    let write = write_response(conn, out, &mut body, Out::None, &progress);
    if let Ok(Ok(())) = tokio::time::timeout(REFUSAL_WRITE, write).await {
        close(conn).await;
    }
}

/// Ends the connection: the write side first, then whatever the client still sends is read
/// and dropped for a moment, so that a response sent before the whole request was read
/// reaches the client instead of being lost to a reset (RFC 9112 §9.6).
async fn close(conn: &mut Conn<Stream>) {
    let _ = poll_fn(|cx| Pin::new(&mut conn.io).poll_shutdown(cx)).await;
    let mut read = 0;
    let _ = tokio::time::timeout(LINGER, async {
        loop {
            conn.buf.clear();
            match poll_fn(|cx| conn.poll_fill(cx)).await {
                Ok(n) if n > 0 && read < LINGER_BYTES => read += n,
                _ => break,
            }
        }
    })
    .await;
}

thread_local! {
    /// The `Date` value of the current second.
    static DATE: std::cell::RefCell<(u64, [u8; 29])> = const { std::cell::RefCell::new((0, [0; 29])) };
}

/// Appends the current time as an HTTP-date (RFC 9110 §5.6.7), formatted once a second.
fn put_date(out: &mut BytesMut) {
    let now = std::time::SystemTime::now();
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    DATE.with(|d| {
        let mut d = d.borrow_mut();
        if d.0 != secs {
            let s = httpdate::fmt_http_date(now);
            if s.len() == 29 {
                d.1.copy_from_slice(s.as_bytes());
                d.0 = secs;
            }
        }
        out.put_slice(&d.1);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Chunk;

    /// The head written for a response: its framing and persistence.
    fn written(
        status: u16,
        headers: &[(&str, &str)],
        hint: Option<u64>,
        is_head: bool,
        version: Version,
    ) -> (String, Out, bool) {
        let mut resp = Response::builder().status(status);
        for (n, v) in headers {
            resp = resp.header(*n, *v);
        }
        let (parts, ()) = resp.body(()).unwrap().into_parts();
        let mut out = BytesMut::new();
        let mut keep_alive = true;
        let mode = encode_head(&mut out, &parts, hint, is_head, version, &mut keep_alive);
        (String::from_utf8(out.to_vec()).unwrap(), mode, keep_alive)
    }

    #[test]
    fn response_framing_follows_rfc_9112() {
        let v11 = Version::HTTP_11;
        // A known length becomes Content-Length; an unknown one chunked (HTTP/1.1) or the end
        // of the connection (HTTP/1.0, RFC 9112 §6.1 — no chunked for 1.0 clients).
        let (h, mode, keep) = written(200, &[], Some(2), false, v11);
        assert!(
            h.starts_with("HTTP/1.1 200 OK\r\n") && h.contains("content-length: 2\r\n"),
            "{h}"
        );
        assert_eq!((mode, keep), (Out::Length(2), true));
        let (h, mode, _) = written(200, &[], None, false, v11);
        assert!(h.contains("transfer-encoding: chunked\r\n"), "{h}");
        assert_eq!(mode, Out::Chunked);
        let (h, mode, keep) = written(200, &[], None, false, Version::HTTP_10);
        assert!(
            h.starts_with("HTTP/1.1 200") && !h.contains("transfer-encoding"),
            "{h}"
        );
        assert!(h.contains("connection: close\r\n"), "{h}");
        assert_eq!((mode, keep), (Out::Close, false));
        // The upstream's Content-Length is kept and used.
        let (h, mode, _) = written(200, &[("content-length", "7")], None, false, v11);
        assert_eq!(h.matches("content-length").count(), 1, "{h}");
        assert_eq!(mode, Out::Length(7));
        // RFC 9110 §6.4.1: no body for HEAD, 204 and 304, and no framing fields added.
        for (status, is_head) in [(200, true), (204, false), (304, false)] {
            let (h, mode, keep) = written(status, &[], Some(0), is_head, v11);
            assert!(
                !h.contains("content-length") && !h.contains("transfer-encoding"),
                "{h}"
            );
            assert_eq!((mode, keep), (Out::None, true));
        }
        // RFC 9110 §6.6.1: Date, unless the upstream sent one.
        assert!(written(204, &[], None, false, v11).0.contains("\r\ndate: "));
        let (h, _, _) = written(
            200,
            &[("date", "Tue, 01 Jan 2030 00:00:00 GMT")],
            Some(0),
            false,
            v11,
        );
        assert_eq!(h.matches("date").count(), 1, "{h}");
        // An HTTP/1.0 client that asked for keep-alive is told it is kept.
        assert!(
            written(200, &[], Some(0), false, Version::HTTP_10)
                .0
                .contains("connection: keep-alive")
        );
    }

    #[test]
    fn an_unread_body_is_skipped_only_when_it_has_all_arrived() {
        let mut buf = BytesMut::from(&b"helloGET"[..]);
        assert!(skip_buffered(Framing::Length(5), &mut buf));
        assert_eq!(&buf[..], b"GET");
        assert!(!skip_buffered(
            Framing::Length(10),
            &mut BytesMut::from(&b"hello"[..])
        ));
        let mut buf = BytesMut::from(&b"3\r\nabc\r\n0\r\n\r\nGET"[..]);
        assert!(skip_buffered(Framing::Chunked(Chunk::Size), &mut buf));
        assert_eq!(&buf[..], b"GET");
        assert!(!skip_buffered(
            Framing::Chunked(Chunk::Size),
            &mut BytesMut::from(&b"zz\r\n"[..])
        ));
    }
}
