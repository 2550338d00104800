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

use super::config::Limits;
use super::proxy::{self, ConnInfo, ProxyBody, Shared, connection_close, connection_has};
use super::timer;
use super::wire::{self, Chunk, Conn, Field, Framing, Part, Step};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body::{Body, Frame, SizeHint};
use std::fmt::Write as _;
use std::future::poll_fn;
use std::io;
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_util::either::Either;
use tokio_util::io::poll_write_buf;

/// A client connection's byte stream: plain TCP (`Left`) or TLS (`Right`).
pub type Stream = Either<TcpStream, Box<tokio_rustls::server::TlsStream<TcpStream>>>;

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
    pub async fn checked_preface(self, limit: Duration) -> Option<Rewind> {
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
        Some(Rewind::new(buf.freeze(), io))
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

impl AsyncWrite for Rewind {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, b: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, b)
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

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
/// Header fields parsed on the stack; a larger `max_headers` parses into a heap array.
const STACK_FIELDS: usize = 128;

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
        let wrote = write_response(&mut conn, &mut out, &mut body, mode).await;
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

/// A request refused before it reached the proxy; the connection closes after the answer.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    why: &'static str,
}

impl Refusal {
    fn new(status: StatusCode, why: &'static str) -> Refusal {
        Refusal { status, why }
    }
    fn bad(why: &'static str) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, why)
    }
}

/// A request head, parsed, and what its framing fields said.
struct Parsed {
    req: Request<()>,
    framing: Framing,
    expect_continue: bool,
    keep_alive: bool,
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
                    } else if let Some(p) = parse(&mut conn.buf, limits, &mut conn.fields)? {
                        return Poll::Ready(Ok(Head::Request(p)));
                    }
                } else if let Some(p) = parse(&mut conn.buf, limits, &mut conn.fields)? {
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

/// Parses the request head at the start of `buf`: `None` while incomplete. On success the
/// head is taken out of the buffer (the target and field values keep sharing its bytes).
fn parse(
    buf: &mut BytesMut,
    limits: &Limits,
    spans: &mut Vec<Field>,
) -> Result<Option<Parsed>, Refusal> {
    let max = limits.max_headers;
    spans.clear();
    let scanned = if max <= STACK_FIELDS {
        let mut fields = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; STACK_FIELDS];
        scan(buf, limits, &mut fields[..max], spans)?
    } else {
        let mut fields = Vec::new();
        fields.resize_with(max, MaybeUninit::uninit);
        scan(buf, limits, &mut fields, spans)?
    };
    let Some(s) = scanned else {
        return Ok(None);
    };
    // The head's bytes leave the read buffer; the target and the values share them.
    let head = buf.split_to(s.len).freeze();
    let uri = Uri::from_maybe_shared(s.target.shared(&head))
        .map_err(|_| Refusal::bad("the request target is malformed"))?;
    let mut headers = HeaderMap::with_capacity(s.fields);
    let mut f = Fields::default();
    for span in spans.iter() {
        let name = HeaderName::from_bytes(span.name.in_head(&head))
            .map_err(|_| Refusal::bad("a header field name is malformed"))?;
        let raw = span.value.shared(&head);
        f.note(&name, &raw);
        let value = HeaderValue::from_maybe_shared(raw)
            .map_err(|_| Refusal::bad("a header field value is malformed"))?;
        headers.append(name, value);
    }
    if f.lookalike && !limits.allow_underscore_framing_lookalikes {
        return Err(Refusal::bad(
            "a header field name reads as a framing field with `_` for `-`",
        ));
    }
    let (framing, keep_alive) = f.framing(s.version)?;
    // RFC 9112 §3.2.2: an absolute-form target's authority takes the place of Host.
    if let Some(a) = uri.authority() {
        let host_port = a.as_str().rsplit('@').next().unwrap_or_default();
        let host = HeaderValue::from_str(host_port)
            .map_err(|_| Refusal::bad("the request target is malformed"))?;
        headers.insert(header::HOST, host);
    }
    let expect_continue = f.expect_continue && s.version == Version::HTTP_11;
    let mut r = Request::new(());
    *r.method_mut() = s.method;
    *r.uri_mut() = uri;
    *r.version_mut() = s.version;
    *r.headers_mut() = headers;
    Ok(Some(Parsed {
        req: r,
        framing,
        expect_continue,
        keep_alive,
    }))
}

/// What [`scan`] found of a complete head.
struct Scanned {
    len: usize,
    method: Method,
    version: Version,
    target: Part,
    /// How many fields there are.
    fields: usize,
}

/// Runs the parser over `buf`, noting where the target and each field are.
fn scan<'b>(
    buf: &'b [u8],
    limits: &Limits,
    fields: &mut [MaybeUninit<httparse::Header<'b>>],
    spans: &mut Vec<Field>,
) -> Result<Option<Scanned>, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "the request head is too large",
        )
    };
    let mut req = httparse::Request::new(&mut []);
    let status = match httparse::ParserConfig::default()
        .parse_request_with_uninit_headers(&mut req, buf, fields)
    {
        Ok(s) => s,
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "the request has too many header fields",
            ));
        }
        Err(httparse::Error::Version) => {
            return Err(Refusal::new(
                StatusCode::HTTP_VERSION_NOT_SUPPORTED,
                "not an HTTP/1.x request",
            ));
        }
        Err(_) => return Err(Refusal::bad("the request head is malformed")),
    };
    let httparse::Status::Complete(len) = status else {
        if buf.len() > limits.max_header_bytes {
            return Err(too_large());
        }
        return Ok(None);
    };
    if len > limits.max_header_bytes {
        return Err(too_large());
    }
    let method = Method::from_bytes(req.method.unwrap_or_default().as_bytes())
        .map_err(|_| Refusal::bad("the request method is malformed"))?;
    let version = if req.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    let target = Part::of(buf, req.path.unwrap_or_default().as_bytes());
    spans.extend(req.headers.iter().map(|h| Field::of(buf, h)));
    Ok(Some(Scanned {
        len,
        method,
        version,
        target,
        fields: req.headers.len(),
    }))
}

/// What a request's framing and connection fields said.
#[derive(Default, Debug)]
struct Fields {
    hosts: usize,
    bad_host: bool,
    /// Every `Content-Length` value.
    lengths: Vec<Bytes>,
    /// Every `Transfer-Encoding` value.
    codings: Vec<Bytes>,
    close: bool,
    keep_alive: bool,
    expect_continue: bool,
    /// A field named like a framing field but with `_` for `-`.
    lookalike: bool,
}

/// The fields an upstream that folds `_` into `-` (CGI, WSGI, Rack) would take for
/// framing ones: a smuggling gadget (RFC 9112 §11.2). `Host` and `Connection` have no `-`,
/// so no `_` spelling of them exists to list.
const FRAMING_NAMES: [&[u8]; 2] = [b"transfer-encoding", b"content-length"];

/// Whether `name` (lowercase) is one of [`FRAMING_NAMES`] once `_` is read as `-`, without
/// being it.
fn framing_lookalike(name: &[u8]) -> bool {
    name.contains(&b'_')
        && FRAMING_NAMES.iter().any(|f| {
            f.len() == name.len()
                && f.iter()
                    .zip(name)
                    .all(|(&a, &b)| a == b || (a == b'-' && b == b'_'))
        })
}

impl Fields {
    fn note(&mut self, name: &HeaderName, raw: &Bytes) {
        if name == header::HOST {
            self.hosts += 1;
            // Host = uri-host [ ":" port ], or empty (RFC 9110 §7.2).
            self.bad_host |= !raw.iter().all(|&b| host_byte(b));
        } else if name == header::CONTENT_LENGTH {
            self.lengths.push(raw.clone());
        } else if name == header::TRANSFER_ENCODING {
            self.codings.push(raw.clone());
        } else if name == header::CONNECTION {
            self.close |= connection_close(raw);
            self.keep_alive |= connection_has(raw, b"keep-alive");
        } else if name == header::EXPECT {
            self.expect_continue |= raw.trim_ascii().eq_ignore_ascii_case(b"100-continue");
        } else {
            self.lookalike |= framing_lookalike(name.as_str().as_bytes());
        }
    }

    /// How the request body is delimited (RFC 9112 §6.3), and whether the connection may
    /// carry another request after this one (§9.3).
    fn framing(&self, version: Version) -> Result<(Framing, bool), Refusal> {
        // RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request.
        if (version == Version::HTTP_11 && self.hosts == 0) || self.hosts > 1 || self.bad_host {
            return Err(Refusal::bad(
                "an HTTP/1.1 request needs exactly one valid Host header field",
            ));
        }
        let keep_alive = if version == Version::HTTP_11 {
            !self.close
        } else {
            self.keep_alive && !self.close
        };
        if !self.codings.is_empty() {
            // §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; §6.3 item 3: next to
            // Content-Length it may be smuggling — both refused, the connection closed.
            if version == Version::HTTP_10 {
                return Err(Refusal::bad("Transfer-Encoding in an HTTP/1.0 request"));
            }
            if !self.lengths.is_empty() {
                return Err(Refusal::bad(
                    "both Transfer-Encoding and Content-Length in a request",
                ));
            }
            let (mut codings, mut chunked, mut last_chunked) = (0, 0, false);
            for c in wire::transfer_codings(self.codings.iter().map(|v| &v[..])) {
                last_chunked = wire::is_chunked(c);
                codings += 1;
                chunked += usize::from(last_chunked);
            }
            // §6.3 item 4: the final coding must be chunked, and chunked is applied once (§7).
            if !last_chunked || chunked > 1 {
                return Err(Refusal::bad(
                    "the request's final transfer coding is not chunked",
                ));
            }
            // §6.1: a transfer coding this server does not decode.
            if codings > 1 {
                return Err(Refusal::new(
                    StatusCode::NOT_IMPLEMENTED,
                    "transfer codings other than chunked are not supported",
                ));
            }
            return Ok((Framing::Chunked(Chunk::Size), keep_alive));
        }
        let length = wire::content_length(self.lengths.iter().map(|v| &v[..]))
            .map_err(|_| Refusal::bad("the request's Content-Length is invalid"))?;
        Ok((
            match length {
                None | Some(0) => Framing::Empty,
                Some(n) => Framing::Length(n),
            },
            keep_alive,
        ))
    }
}

/// A byte of `uri-host [ ":" port ]` (RFC 3986 §3.2.2: unreserved, pct-encoded, sub-delims,
/// and the brackets of an IP literal).
fn host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:[]".contains(&b)
}

const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// The connection, lent to a request body for the time of its exchange.
struct Lent {
    conn: Conn<Stream>,
    framing: Framing,
    /// `100 Continue` still to be written before the body is read (RFC 9110 §10.1.1).
    continue_: Option<Bytes>,
    /// The body's framing turned out invalid, or the connection failed: where the next
    /// request would begin is unknown.
    broken: bool,
}

impl Lent {
    fn fail(&mut self, e: io::Error) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.broken = true;
        Poll::Ready(Some(Err(e)))
    }
}

/// A request body read from the client connection as the upstream exchange asks for it.
pub struct H1Body {
    lent: Option<Lent>,
    back: Option<tokio::sync::oneshot::Sender<Lent>>,
}

impl Drop for H1Body {
    fn drop(&mut self) {
        if let (Some(lent), Some(back)) = (self.lent.take(), self.back.take()) {
            let _ = back.send(lent);
        }
    }
}

impl Body for H1Body {
    type Data = Bytes;
    type Error = io::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let Some(lent) = self.lent.as_mut() else {
            return Poll::Ready(None);
        };
        if let Some(cont) = lent.continue_.as_mut() {
            while cont.has_remaining() {
                match ready!(Pin::new(&mut lent.conn.io).poll_write(cx, cont)) {
                    Ok(n) if n > 0 => cont.advance(n),
                    Ok(_) => return lent.fail(io::ErrorKind::WriteZero.into()),
                    Err(e) => return lent.fail(e),
                }
            }
            if let Err(e) = ready!(Pin::new(&mut lent.conn.io).poll_flush(cx)) {
                return lent.fail(e);
            }
            lent.continue_ = None;
        }
        match ready!(lent.conn.poll_body(&mut lent.framing, cx)) {
            Ok(Some(d)) => Poll::Ready(Some(Ok(Frame::data(d)))),
            Ok(None) => Poll::Ready(None),
            Err(e) => {
                lent.broken = true;
                Poll::Ready(Some(Err(io::Error::other(format!(
                    "the client's request body: {e}"
                )))))
            }
        }
    }
    fn is_end_stream(&self) -> bool {
        self.lent
            .as_ref()
            .is_none_or(|l| l.framing == Framing::Empty)
    }
    fn size_hint(&self) -> SizeHint {
        match self.lent.as_ref().map(|l| l.framing) {
            None | Some(Framing::Empty) => SizeHint::with_exact(0),
            Some(Framing::Length(n)) => SizeHint::with_exact(n),
            Some(_) => SizeHint::default(),
        }
    }
}

/// A request body, from either server.
pub enum RequestBody {
    Empty,
    H1(H1Body),
    Hyper(hyper::body::Incoming),
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = io::Error;
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            RequestBody::Empty => Poll::Ready(None),
            RequestBody::H1(b) => Pin::new(b).poll_frame(cx),
            RequestBody::Hyper(b) => Pin::new(b).poll_frame(cx).map_err(io::Error::other),
        }
    }
    fn is_end_stream(&self) -> bool {
        match self {
            RequestBody::Empty => true,
            RequestBody::H1(b) => b.is_end_stream(),
            RequestBody::Hyper(b) => b.is_end_stream(),
        }
    }
    fn size_hint(&self) -> SizeHint {
        match self {
            RequestBody::Empty => SizeHint::with_exact(0),
            RequestBody::H1(b) => b.size_hint(),
            RequestBody::Hyper(b) => b.size_hint(),
        }
    }
}

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

/// Writes `out` and then the body, gathering the body's pieces that are ready into one write.
async fn write_response(
    conn: &mut Conn<Stream>,
    out: &mut BytesMut,
    body: &mut ProxyBody,
    mut mode: Out,
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
    if write_response(conn, out, &mut body, Out::None)
        .await
        .is_ok()
    {
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

    /// Parses `raw` with the default limits: the framing and persistence, or the refusal.
    fn head(raw: &str) -> Result<(Framing, bool), (u16, &'static str)> {
        let mut buf = BytesMut::from(raw.as_bytes());
        match parse(&mut buf, &Limits::default(), &mut Vec::new()) {
            Ok(Some(p)) => Ok((p.framing, p.keep_alive)),
            Ok(None) => Err((0, "incomplete")),
            Err(r) => Err((r.status.as_u16(), r.why)),
        }
    }

    #[test]
    fn request_framing_follows_rfc_9112() {
        let chunked = Framing::Chunked(Chunk::Size);
        let ok = |f, keep| Ok((f, keep));
        for (raw, want) in [
            // §6.3 item 7: no Content-Length or Transfer-Encoding — no body.
            (
                "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                ok(Framing::Empty, true),
            ),
            // §6.3 item 6: Content-Length.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
                ok(Framing::Length(5), true),
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                ok(Framing::Empty, true),
            ),
            // RFC 9110 §8.6: the same length repeated is that length.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
                ok(Framing::Length(5), true),
            ),
            // §6.3 item 4: chunked as the final (and only) coding.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                ok(chunked, true),
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n",
                ok(chunked, true),
            ),
            // §9.3: persistence by version and Connection.
            (
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                ok(Framing::Empty, false),
            ),
            ("GET / HTTP/1.0\r\n\r\n", ok(Framing::Empty, false)),
            (
                "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                ok(Framing::Empty, true),
            ),
            (
                "GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n",
                ok(Framing::Empty, false),
            ),
        ] {
            assert_eq!(head(raw), want, "{raw:?}");
        }
        for (raw, status) in [
            // §6.3 item 3: both — refused (the smuggling case).
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                400,
            ),
            // §6.3 item 4: chunked not final.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
                400,
            ),
            // §7: chunked applied twice.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            // §6.1: a coding this server does not decode.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                501,
            ),
            // §6.1: Transfer-Encoding in HTTP/1.0.
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            // RFC 9110 §8.6: lengths that are not 1*DIGIT, or differ.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                400,
            ),
            // §3.2: exactly one valid Host in HTTP/1.1.
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
            // §5.2: obs-fold is refused.
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ] {
            assert_eq!(head(raw).map_err(|e| e.0), Err(status), "{raw:?}");
        }
    }

    #[test]
    fn head_limits_give_431_and_absolute_form_sets_host() {
        let limits = Limits {
            max_headers: 3,
            max_header_bytes: 64,
            ..Limits::default()
        };
        let refused = |raw: &str| {
            let mut buf = BytesMut::from(raw.as_bytes());
            parse(&mut buf, &limits, &mut Vec::new())
                .err()
                .map(|r| r.status.as_u16())
        };
        assert_eq!(
            refused("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
            Some(431)
        );
        assert_eq!(
            refused(&format!("GET /{} HTTP/1.1\r\n", "a".repeat(80))),
            Some(431)
        );
        assert_eq!(refused("GET / HTTP/1.1\r\nHost: a\r\n"), None); // incomplete, within limits

        let mut buf =
            BytesMut::from(&b"GET http://u@b.example:8080/p?q HTTP/1.1\r\nHost: a\r\n\r\nNEXT"[..]);
        let p = parse(&mut buf, &Limits::default(), &mut Vec::new())
            .unwrap()
            .unwrap();
        assert_eq!(p.req.headers()[header::HOST], "b.example:8080");
        assert_eq!(p.req.uri().path_and_query().unwrap().as_str(), "/p?q");
        assert_eq!(&buf[..], b"NEXT", "the next request stays in the buffer");
    }

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

    proptest::proptest! {
        /// Whatever a client sends, parsing neither panics nor consumes bytes it did not
        /// accept; a request that parses whole parses the same when it arrives in two reads.
        #[test]
        fn any_bytes_parse_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let mut buf = BytesMut::from(&bytes[..]);
            match parse(&mut buf, &Limits::default(), &mut Vec::new()) {
                Ok(Some(_)) => proptest::prop_assert!(buf.len() < bytes.len()),
                Ok(None) | Err(_) => proptest::prop_assert_eq!(&buf[..], &bytes[..]),
            }
        }

        #[test]
        fn a_request_split_anywhere_parses_the_same(
            at in 0usize..200,
            value in "[ -~]{0,40}",
            cl in proptest::option::of(0u32..100_000),
        ) {
            let mut raw = format!("POST /p?q=1 HTTP/1.1\r\nHost: a.example\r\nX-V: {}\r\n", value.trim());
            if let Some(n) = cl {
                raw.push_str(&format!("Content-Length: {n}\r\n"));
            }
            raw.push_str("\r\n");
            let whole = head(&raw);
            let at = at.min(raw.len());
            let mut buf = BytesMut::from(&raw.as_bytes()[..at]);
            let mut spans = Vec::new();
            let first = parse(&mut buf, &Limits::default(), &mut spans);
            let got = match first {
                Ok(Some(p)) => Ok((p.framing, p.keep_alive)),
                Ok(None) => {
                    buf.extend_from_slice(&raw.as_bytes()[at..]);
                    match parse(&mut buf, &Limits::default(), &mut spans) {
                        Ok(Some(p)) => Ok((p.framing, p.keep_alive)),
                        Ok(None) => Err((0, "incomplete")),
                        Err(r) => Err((r.status.as_u16(), r.why)),
                    }
                }
                Err(r) => Err((r.status.as_u16(), r.why)),
            };
            proptest::prop_assert_eq!(got, whole);
        }
    }
}
