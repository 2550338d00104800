//! Upstreams: HTTP/1.1 connections kept alive and reused, one idle pool per worker thread, so
//! a request, its client connection and its upstream connection stay on one thread and no lock
//! is shared between threads.
//!
//! The exchange with the upstream runs inside the client connection's own task, as one state
//! machine over the upstream socket: the request head is written from the forwarded request,
//! its body streams up as the client sends it, the response head is parsed, and the response
//! body is read from the socket as the client connection asks for it ([`PooledBody`]). No
//! second task, no channel between tasks, no copy of the response body. A connection goes back
//! to its worker's pool once its response has been read to the end and the exchange left it
//! reusable (RFC 9112 §9.3).

use crate::body::RequestBody;
use crate::config::UpstreamConfig;
use crate::wire::{
    self, Chunk, Field, Framing, HopByHop, connection_close, connection_named, hop_by_hop,
};
use crate::worker::worker;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Response, StatusCode, Version};
use http_body::{Body, Frame, SizeHint};
use std::future::poll_fn;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_util::io::poll_write_buf;

/// Why an upstream request failed.
#[derive(Debug)]
pub enum UpstreamError {
    /// No connection could be made (refused, unreachable, connect timeout).
    Connect(String),
    /// The connection failed during the exchange, or the upstream's answer was not valid
    /// HTTP/1.1.
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

/// The largest response head accepted from an upstream.
const MAX_HEAD: usize = 64 * 1024;
/// The most header fields accepted in an upstream's response head.
const MAX_FIELDS: usize = 128;

/// An upstream connection: the socket and what has been read from it but not used yet.
type Conn = wire::Conn<TcpStream>;

/// Whether an idle upstream connection can still carry a request.
trait StillOpen {
    /// Whether an idle connection can carry another request: nothing arrived on it and the
    /// upstream has not closed it. No system call unless the socket was reported readable.
    fn still_open(&mut self) -> bool;
}

impl StillOpen for Conn {
    fn still_open(&mut self) -> bool {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match self.io.poll_read_ready(&mut cx) {
            Poll::Pending => true,
            Poll::Ready(Err(_)) => false,
            Poll::Ready(Ok(())) => {
                let mut probe = [0u8; 1];
                matches!(self.io.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            }
        }
    }
}

struct Idle {
    conn: Conn,
    since: Instant,
}

/// One worker's idle connections to one upstream.
#[derive(Default)]
struct Pool {
    idle: Mutex<Vec<Idle>>,
}

impl Pool {
    fn put(&self, conn: Conn, max: usize) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < max {
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        }
    }
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

/// An upstream failure before anything of the response arrived on a reused connection: the
/// upstream may have closed it just as it was taken from the pool, so the request is sent
/// again on a new one when it can be (an idempotent method, none of its body consumed yet).
enum Failure {
    Stale(UpstreamError),
    Fatal(UpstreamError),
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
    fn checkout(&self) -> Option<Conn> {
        let mut idle = self.pool().idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(Idle { mut conn, since }) = idle.pop() {
            if since.elapsed() <= self.idle_timeout && conn.still_open() {
                return Some(conn);
            }
            // Dropping it closes the connection.
        }
        None
    }

    async fn connect(&self) -> Result<Conn, UpstreamError> {
        let addr = self.authority.as_str();
        let stream = tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| {
                UpstreamError::Connect(format!(
                    "connecting to {addr} took more than {} ms",
                    self.connect_timeout.as_millis()
                ))
            })?
            .map_err(|e| UpstreamError::Connect(format!("connecting to {addr}: {e}")))?;
        let _ = stream.set_nodelay(true);
        Ok(Conn::new(stream))
    }

    /// Sends a request (its URI in origin-form, its headers already those to forward) on a
    /// pooled or new connection and returns the response head with its body to stream. A
    /// pooled connection the upstream closed meanwhile is replaced when the request can
    /// still be sent again.
    pub async fn request(&self, req: Outgoing) -> Result<Response<PooledBody>, UpstreamError> {
        let has_body = !req.body.is_end_stream();
        let chunked = has_body && !req.headers.contains_key(header::CONTENT_LENGTH);
        let head = encode_head(&req, chunked);
        let is_head = req.method == Method::HEAD;
        let idempotent = matches!(
            req.method,
            Method::GET
                | Method::HEAD
                | Method::OPTIONS
                | Method::TRACE
                | Method::PUT
                | Method::DELETE
        );
        let mut upload = Upload {
            body: has_body.then_some(req.body),
            chunked,
            started: false,
        };
        let _awaiting = crate::busy_poll::AwaitingUpstream::begin();
        loop {
            let (mut conn, reused) = match self.checkout() {
                Some(c) => (c, true),
                None => (self.connect().await?, false),
            };
            match exchange(&mut conn, head.clone(), &mut upload, is_head).await {
                Ok((resp, framing, reusable)) => {
                    crate::busy_poll::activity();
                    let mut body = PooledBody {
                        conn: Some(conn),
                        framing,
                        reusable,
                        home: self.pool().clone(),
                        max_idle: self.max_idle,
                    };
                    if framing == Framing::Empty {
                        body.finish();
                    }
                    return Ok(resp.map(|()| body));
                }
                // RFC 9110 §9.2.2: only an idempotent request may be sent again.
                Err(Failure::Stale(_)) if reused && !upload.started && idempotent => continue,
                Err(Failure::Stale(e) | Failure::Fatal(e)) => return Err(e),
            }
        }
    }
}

/// A request on its way to the upstream.
pub struct Outgoing {
    pub method: Method,
    /// The request target, in origin-form.
    pub target: http::uri::PathAndQuery,
    /// The client's fields to forward (hop-by-hop fields already removed).
    pub headers: HeaderMap,
    /// The fields this hop sets, written after `headers`.
    pub added: Vec<(HeaderName, HeaderValue)>,
    /// Whether `headers` has fields named in `added`: those are then not written.
    pub replaces: bool,
    pub body: RequestBody,
}

/// The request line and header section, as sent to the upstream.
fn encode_head(req: &Outgoing, chunked: bool) -> Bytes {
    head_bytes(
        &req.method,
        req.target.as_str(),
        &req.headers,
        &req.added,
        req.replaces,
        chunked,
    )
}

fn head_bytes(
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    added: &[(HeaderName, HeaderValue)],
    replaces: bool,
    chunked: bool,
) -> Bytes {
    let fields = || headers.iter().chain(added.iter().map(|(n, v)| (n, v)));
    let mut len = method.as_str().len() + target.len() + 16;
    for (n, v) in fields() {
        len += n.as_str().len() + v.len() + 4;
    }
    let mut out = BytesMut::with_capacity(len + 32);
    out.put_slice(method.as_str().as_bytes());
    out.put_u8(b' ');
    out.put_slice(target.as_bytes());
    out.put_slice(b" HTTP/1.1\r\n");
    for (n, v) in headers {
        if replaces && added.iter().any(|(a, _)| a == n) {
            continue;
        }
        wire::put_field(&mut out, n, v);
    }
    for (n, v) in added {
        wire::put_field(&mut out, n, v);
    }
    if chunked {
        out.put_slice(b"transfer-encoding: chunked\r\n");
    }
    out.put_slice(b"\r\n");
    out.freeze()
}

/// The request body on its way up.
struct Upload {
    body: Option<RequestBody>,
    chunked: bool,
    /// Whether any of the body has been taken from the client (it cannot be sent again).
    started: bool,
}

/// Writes the request and reads the response head. The body goes up while the response head
/// is awaited; a response that comes before the whole body went up ends the upload, and the
/// connection is then not reused.
async fn exchange(
    conn: &mut Conn,
    head: Bytes,
    upload: &mut Upload,
    is_head: bool,
) -> Result<(Response<()>, Framing, bool), Failure> {
    // What is to be written, in order: framing bytes, then data.
    let mut out = BytesMut::new();
    let mut data = head;
    let mut uploading = upload.body.is_some();
    let mut got_bytes = false;
    // A failure before any of the response arrived may be a pooled connection the upstream
    // had closed (see `Failure`).
    let failure = |got: bool, e: UpstreamError| {
        if got {
            Failure::Fatal(e)
        } else {
            Failure::Stale(e)
        }
    };
    poll_fn(|cx| {
        loop {
            let mut progress = false;
            // Write what is pending.
            while out.has_remaining() || data.has_remaining() {
                let mut bufs = (&mut out).chain(&mut data);
                match poll_write_buf(Pin::new(&mut conn.io), cx, &mut bufs) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(failure(
                            got_bytes,
                            UpstreamError::Protocol("the upstream stopped reading".into()),
                        )));
                    }
                    Poll::Ready(Ok(_)) => progress = true,
                    Poll::Ready(Err(e)) => {
                        return Poll::Ready(Err(failure(
                            got_bytes,
                            UpstreamError::Protocol(format!("writing to the upstream: {e}")),
                        )));
                    }
                    Poll::Pending => break,
                }
            }
            // Take the next piece of the body once the previous one is out.
            if uploading && !out.has_remaining() && !data.has_remaining() {
                let body = upload.body.as_mut().expect("uploading has a body");
                match Pin::new(body).poll_frame(cx) {
                    Poll::Ready(Some(Ok(frame))) => {
                        upload.started = true;
                        progress = true;
                        if let Ok(d) = frame.into_data() {
                            if upload.chunked {
                                if !d.is_empty() {
                                    out.put_slice(format!("{:x}\r\n", d.len()).as_bytes());
                                    out.put_slice(&d);
                                    out.put_slice(b"\r\n");
                                }
                            } else {
                                data = d;
                            }
                        }
                        // Request trailers are not forwarded.
                    }
                    Poll::Ready(None) => {
                        uploading = false;
                        progress = true;
                        if upload.chunked {
                            out.put_slice(b"0\r\n\r\n");
                        }
                    }
                    Poll::Ready(Some(Err(e))) => {
                        return Poll::Ready(Err(Failure::Fatal(UpstreamError::Protocol(format!(
                            "reading the client's request body: {e}"
                        )))));
                    }
                    Poll::Pending => {}
                }
            }
            // Read and parse the response head.
            if !conn.buf.is_empty() {
                match parse_head(&mut conn.buf, &mut conn.fields, is_head) {
                    Ok(Some((resp, framing, keep_alive))) => {
                        let done = !uploading && !out.has_remaining() && !data.has_remaining();
                        return Poll::Ready(Ok((resp, framing, keep_alive && done)));
                    }
                    Ok(None) => {}
                    Err(e) => return Poll::Ready(Err(Failure::Fatal(e))),
                }
            }
            match conn.poll_fill(cx) {
                Poll::Ready(Ok(0)) => {
                    let e = UpstreamError::Protocol(
                        "the upstream closed the connection before its response".into(),
                    );
                    return Poll::Ready(Err(failure(got_bytes, e)));
                }
                Poll::Ready(Ok(_)) => {
                    got_bytes = true;
                    progress = true;
                }
                Poll::Ready(Err(e)) => {
                    let e = UpstreamError::Protocol(format!("reading from the upstream: {e}"));
                    return Poll::Ready(Err(failure(got_bytes, e)));
                }
                Poll::Pending => {}
            }
            if !progress {
                return Poll::Pending;
            }
        }
    })
    .await
}

/// Parses a response head at the start of `buf`: `None` while incomplete; 1xx interim
/// responses are skipped. On success the head is taken out of the buffer.
fn parse_head(
    buf: &mut BytesMut,
    spans: &mut Vec<Field>,
    is_head: bool,
) -> Result<Option<(Response<()>, Framing, bool)>, UpstreamError> {
    loop {
        let mut fields = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_FIELDS];
        let mut resp = httparse::Response::new(&mut []);
        let status = httparse::ParserConfig::default()
            .parse_response_with_uninit_headers(&mut resp, buf, &mut fields)
            .map_err(|e| UpstreamError::Protocol(format!("the upstream's response head: {e}")))?;
        let httparse::Status::Complete(len) = status else {
            if buf.len() > MAX_HEAD {
                return Err(UpstreamError::Protocol(format!(
                    "the upstream's response head is larger than {MAX_HEAD} bytes"
                )));
            }
            return Ok(None);
        };
        let code = resp.code.unwrap_or(0);
        let status = StatusCode::from_u16(code)
            .map_err(|_| UpstreamError::Protocol(format!("the upstream's status {code}")))?;
        if status.is_informational() {
            if code == 101 {
                return Err(UpstreamError::Protocol(
                    "the upstream switched protocols, which was not asked for".into(),
                ));
            }
            // 100 Continue and other interim responses: not forwarded.
            buf.advance(len);
            if buf.is_empty() {
                return Ok(None);
            }
            continue;
        }
        let version = if resp.version == Some(0) {
            Version::HTTP_10
        } else {
            Version::HTTP_11
        };
        // Where the names and values lie, so that the values can share the head's bytes.
        spans.clear();
        spans.extend(resp.headers.iter().map(|h| Field::of(buf, h)));
        let head = buf.split_to(len).freeze();
        let (headers, fields) = response_fields(&head, spans)?;
        let (framing, keep_alive) = framing(status, is_head, &fields)?;
        let keep_alive = keep_alive && version == Version::HTTP_11 && !fields.close;
        let mut r = Response::new(());
        *r.status_mut() = status;
        *r.version_mut() = version;
        *r.headers_mut() = headers;
        return Ok(Some((r, framing, keep_alive)));
    }
}

/// What the upstream's hop-by-hop and framing fields said.
#[derive(Debug, Default, PartialEq)]
struct Fields {
    /// `Transfer-Encoding` was present; whether its last coding is `chunked`.
    chunked: Option<bool>,
    /// Every `Content-Length` value, as sent.
    lengths: Vec<Bytes>,
    /// `Connection: close`.
    close: bool,
}

/// The response's header section as forwarded, with what framing needs noted on the way: in
/// one pass, the hop-by-hop fields of RFC 9110 §7.6.1 (`Connection`, the fields it names,
/// `Keep-Alive`, `Proxy-Connection`, `TE`, `Transfer-Encoding`, `Upgrade`) stay out of the
/// map, and `Content-Length` stays in it unless `Transfer-Encoding` overrides it (RFC 9112
/// §6.3 item 3).
fn response_fields(head: &Bytes, spans: &[Field]) -> Result<(HeaderMap, Fields), UpstreamError> {
    let mut headers = HeaderMap::with_capacity(spans.len());
    let mut fields = Fields::default();
    let mut named: Vec<HeaderName> = Vec::new();
    for span in spans {
        let name = HeaderName::from_bytes(span.name.in_head(head))
            .map_err(|e| UpstreamError::Protocol(format!("the upstream's header name: {e}")))?;
        let raw = span.value.shared(head);
        match hop_by_hop(name.as_str()) {
            Some(HopByHop::Connection) => {
                fields.close |= connection_close(&raw);
                named.extend(connection_named(&raw));
                continue;
            }
            Some(HopByHop::TransferEncoding) => {
                if let Some(last) = wire::transfer_codings([&raw[..]]).last() {
                    fields.chunked = Some(wire::is_chunked(last));
                }
                continue;
            }
            Some(HopByHop::Other(_)) => continue,
            None if name == header::CONTENT_LENGTH => fields.lengths.push(raw.clone()),
            None => {}
        }
        let value = HeaderValue::from_maybe_shared(raw)
            .map_err(|e| UpstreamError::Protocol(format!("the upstream's header `{name}`: {e}")))?;
        headers.append(name, value);
    }
    for n in named {
        headers.remove(n);
    }
    if fields.chunked.is_some() && !fields.lengths.is_empty() {
        headers.remove(header::CONTENT_LENGTH);
    }
    Ok((headers, fields))
}

/// RFC 9112 §6.3: how the response body is delimited, and whether the connection can be
/// reused after it (a `Content-Length` next to `Transfer-Encoding` was removed, item 3, and
/// such a connection is not reused).
fn framing(
    status: StatusCode,
    is_head: bool,
    fields: &Fields,
) -> Result<(Framing, bool), UpstreamError> {
    if is_head || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        return Ok((Framing::Empty, true));
    }
    match fields.chunked {
        Some(true) => return Ok((Framing::Chunked(Chunk::Size), fields.lengths.is_empty())),
        // Another final coding: the body ends with the connection (item 4).
        Some(false) => return Ok((Framing::Close, false)),
        None => {}
    }
    let length = wire::content_length(fields.lengths.iter().map(|v| &v[..]))
        .map_err(|e| UpstreamError::Protocol(format!("the upstream's {e}")))?;
    Ok(match length {
        Some(n) => (Framing::Length(n), true),
        // Neither: the body ends with the connection (item 8).
        None => (Framing::Close, false),
    })
}

/// A response body read from the upstream connection as the client asks for it; the
/// connection returns to its worker's pool once the body has been read to the end.
pub struct PooledBody {
    conn: Option<Conn>,
    framing: Framing,
    reusable: bool,
    home: Arc<Pool>,
    max_idle: usize,
}

impl PooledBody {
    /// The body is complete: the connection goes back to the pool when it can carry another
    /// request (nothing more than the body arrived).
    fn finish(&mut self) {
        self.framing = Framing::Empty;
        if let Some(conn) = self.conn.take() {
            if self.reusable && conn.buf.is_empty() {
                self.home.put(conn, self.max_idle);
            }
        }
    }

    fn fail(&mut self, msg: String) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.conn = None;
        self.framing = Framing::Empty;
        Poll::Ready(Some(Err(io::Error::other(msg))))
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = io::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        let Some(conn) = this.conn.as_mut() else {
            return Poll::Ready(None);
        };
        match ready!(conn.poll_body(&mut this.framing, cx)) {
            Ok(Some(data)) => {
                if this.framing == Framing::Empty {
                    // The last bytes: the connection can go back to the pool already.
                    this.finish();
                }
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
            Ok(None) => {
                this.finish();
                Poll::Ready(None)
            }
            Err(e) => this.fail(format!("the upstream's response body: {e}")),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.conn.is_none() || matches!(self.framing, Framing::Empty | Framing::Length(0))
    }

    fn size_hint(&self) -> SizeHint {
        match self.framing {
            _ if self.conn.is_none() => SizeHint::with_exact(0),
            Framing::Empty => SizeHint::with_exact(0),
            Framing::Length(n) => SizeHint::with_exact(n),
            _ => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `raw` as the response to a GET (or HEAD): status, framing, reuse, the fields kept.
    fn parse(raw: &str, is_head: bool) -> Result<(u16, Framing, bool, Vec<String>), String> {
        let mut buf = BytesMut::from(raw.as_bytes());
        match parse_head(&mut buf, &mut Vec::new(), is_head) {
            Ok(Some((r, f, keep))) => Ok((
                r.status().as_u16(),
                f,
                keep,
                r.headers()
                    .iter()
                    .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
                    .collect(),
            )),
            Ok(None) => Err("incomplete".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn response_framing_follows_rfc_9112_section_6_3() {
        use Framing::*;
        let chunked = Chunked(Chunk::Size);
        // (why, head fields, is HEAD, framing, connection reusable)
        let rows: &[(&str, &str, bool, Framing, bool)] = &[
            (
                "§6.3 1: HEAD has no body",
                "content-length: 5\r\n",
                true,
                Empty,
                true,
            ),
            (
                "§6.3 4: length",
                "content-length: 12\r\n",
                false,
                Length(12),
                true,
            ),
            (
                "§6.3 5: the same length twice",
                "content-length: 3, 3\r\n",
                false,
                Length(3),
                true,
            ),
            (
                "§6.3 3: chunked",
                "transfer-encoding: chunked\r\n",
                false,
                chunked,
                true,
            ),
            (
                "§6.3 3: chunked last",
                "transfer-encoding: gzip, chunked\r\n",
                false,
                chunked,
                true,
            ),
            (
                "§6.3 3: chunked not last, until close",
                "transfer-encoding: chunked, gzip\r\n",
                false,
                Close,
                false,
            ),
            (
                "§6.3 3: chunked overrides a length; no reuse",
                "transfer-encoding: chunked\r\ncontent-length: 3\r\n",
                false,
                chunked,
                false,
            ),
            ("§6.3 8: neither, until close", "", false, Close, false),
            (
                "RFC 9112 §9.6: Connection: close",
                "content-length: 1\r\nconnection: close\r\n",
                false,
                Length(1),
                false,
            ),
        ];
        for (why, fields, is_head, framing, reusable) in rows {
            let raw = format!("HTTP/1.1 200 OK\r\n{fields}\r\n");
            let (_, f, keep, _) = parse(&raw, *is_head).unwrap();
            assert_eq!((f, keep), (*framing, *reusable), "{why}");
        }
        for (status, framing) in [(204, Empty), (304, Empty)] {
            let raw = format!("HTTP/1.1 {status} X\r\ncontent-length: 9\r\n\r\n");
            assert_eq!(parse(&raw, false).unwrap().1, framing, "§6.3 1: {status}");
        }
        // HTTP/1.0: the connection ends with the response.
        let (_, _, keep, _) = parse("HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\n", false).unwrap();
        assert!(!keep);
        for bad in [
            "content-length: 3\r\ncontent-length: 4\r\n",
            "content-length: +3\r\n",
            "content-length: 3, 4\r\n",
        ] {
            let raw = format!("HTTP/1.1 200 OK\r\n{bad}\r\n");
            assert!(parse(&raw, false).is_err(), "§6.3 5: {bad:?} is an error");
        }
    }

    #[test]
    fn hop_by_hop_fields_of_the_response_stay_behind() {
        // RFC 9110 §7.6.1; the Content-Length under Transfer-Encoding goes too (RFC 9112 §6.3).
        let (_, _, _, kept) = parse(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\n\
             X-Secret: 1\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Connection: x\r\n\
             Transfer-Encoding: chunked\r\nContent-Length: 4\r\nX-Kept: yes\r\n\r\n",
            false,
        )
        .unwrap();
        assert_eq!(kept, ["x-kept: yes"]);
    }

    #[test]
    fn interim_responses_are_skipped_and_a_switch_is_refused() {
        let (status, f, _, _) = parse(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n",
            false,
        )
        .unwrap();
        assert_eq!((status, f), (201, Framing::Length(0)));
        assert_eq!(
            parse("HTTP/1.1 100 Continue\r\n\r\n", false),
            Err("incomplete".into())
        );
        assert!(parse("HTTP/1.1 101 Switching Protocols\r\n\r\n", false).is_err());
        assert!(parse("HTTP/1.1 200 OK\r\nbad header\r\n\r\n", false).is_err());
    }

    #[test]
    fn the_head_sent_upstream() {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("example"));
        h.insert("via", HeaderValue::from_static("1.0 earlier"));
        h.insert("x-one", HeaderValue::from_static("1"));
        let via = [(
            header::VIA,
            HeaderValue::from_static("1.0 earlier, 1.1 cors"),
        )];
        let post = Method::POST;
        assert_eq!(
            &head_bytes(&post, "/a?b=1", &h, &via, true, true)[..],
            &b"POST /a?b=1 HTTP/1.1\r\nhost: example\r\nx-one: 1\r\nvia: 1.0 earlier, 1.1 cors\r\n\
               transfer-encoding: chunked\r\n\r\n"[..]
        );
        h.remove("via");
        assert_eq!(
            &head_bytes(&post, "/a?b=1", &h, &via, false, false)[..],
            &b"POST /a?b=1 HTTP/1.1\r\nhost: example\r\nx-one: 1\r\nvia: 1.0 earlier, 1.1 cors\r\n\r\n"[..]
        );
    }
}
