//! End-to-end: the gateway towards HTTP/1.x clients, byte by byte. Raw requests go to its
//! listener over TCP and its raw answers are parsed here, for the message syntax and framing
//! rules of RFC 9112 (and RFC 9110 where said): the request smuggling defences, chunked request
//! bodies, pipelining, persistence, `Expect: 100-continue`, HEAD, the framing of answers,
//! `Host`, header syntax, request targets, bodies cut short and h2c with prior knowledge. An
//! upstream that records the raw bytes it receives shows what the gateway forwarded, or that
//! it forwarded nothing.

mod serve_support;
use serve_support::*;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ORIGIN: &str = "https://app.example";

/// How long any read waits: a gateway that hangs fails the test this fast.
const TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// Bytes

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The field lines of a head (after its start line), names lowercased, values trimmed.
fn fields(head: &str) -> Vec<(String, String)> {
    head.split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((n, v)) => (n.to_ascii_lowercase(), v.trim().to_string()),
            None => (l.to_ascii_lowercase(), String::new()),
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Decodes a chunked body at the start of `raw` (RFC 9112 §7.1), chunk extensions and trailer
/// fields included: `Ok(None)` while incomplete, else the data and how many bytes it took.
fn dechunk(raw: &[u8]) -> Result<Option<(Vec<u8>, usize)>, String> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let Some(eol) = find(&raw[at..], b"\r\n") else {
            return Ok(None);
        };
        let line = &raw[at..at + eol];
        let size = line.split(|&b| b == b';').next().unwrap_or_default();
        let size = std::str::from_utf8(size)
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .ok_or_else(|| format!("bad chunk-size line {:?}", lossy(line)))?;
        at += eol + 2;
        if size == 0 {
            // Trailer lines, up to an empty one.
            loop {
                let Some(eol) = find(&raw[at..], b"\r\n") else {
                    return Ok(None);
                };
                at += eol + 2;
                if eol == 0 {
                    return Ok(Some((out, at)));
                }
            }
        }
        if raw.len() < at + size + 2 {
            return Ok(None);
        }
        out.extend_from_slice(&raw[at..at + size]);
        if &raw[at + size..at + size + 2] != b"\r\n" {
            return Err("no CRLF after the chunk data".into());
        }
        at += size + 2;
    }
}

// ---------------------------------------------------------------------------------------------
// The upstream

/// One request as the raw upstream got it: its head as sent, its body decoded.
#[derive(Clone, Debug)]
struct RawSeen {
    head: String,
    body: Vec<u8>,
}

impl RawSeen {
    fn request_line(&self) -> &str {
        self.head.split("\r\n").next().unwrap_or_default()
    }
    fn target(&self) -> &str {
        self.request_line().split(' ').nth(1).unwrap_or_default()
    }
    fn header(&self, name: &str) -> Option<String> {
        field(&fields(&self.head), name).map(str::to_string)
    }
}

/// An upstream that reads requests off the wire itself: `heads` has every request head that
/// arrived, `seen` every request whose body arrived whole (a chunked one decoded).
///
/// It answers `HEAD` with a length and no body, `/chunked` with a chunked `hello, world`,
/// `/until-close` with `to the end` delimited by closing, and anything else with the request
/// target it received as the body. It sends `100 Continue` when asked to.
struct RawUpstream {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
    seen: Arc<Mutex<Vec<RawSeen>>>,
}

impl RawUpstream {
    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
    fn seen(&self) -> Vec<RawSeen> {
        self.seen.lock().unwrap().clone()
    }
    fn last(&self) -> RawSeen {
        self.seen()
            .pop()
            .expect("the upstream saw no whole request")
    }
    /// Whether any request head that reached the upstream mentions `s`.
    fn saw(&self, s: &str) -> bool {
        self.heads().iter().any(|h| h.contains(s))
    }
}

/// The upstream's bytes for a request, and whether it closes the connection after them.
fn answer(method: &str, target: &str) -> (Vec<u8>, bool) {
    if method == "HEAD" {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            target.len()
        );
        return (head.into_bytes(), false);
    }
    match target {
        "/chunked" => (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
              5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
                .to_vec(),
            false,
        ),
        "/until-close" => (b"HTTP/1.1 200 OK\r\n\r\nto the end".to_vec(), true),
        _ => (
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{target}",
                target.len()
            )
            .into_bytes(),
            false,
        ),
    }
}

/// Reads more into `buf`: false at the end of the stream or on an error.
async fn fill_async(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16384];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

async fn raw_upstream() -> RawUpstream {
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (h, s) = (heads.clone(), seen.clone());
    let (addr, _) = accept_counting(move |mut stream| {
        let (h, s) = (h.clone(), s.clone());
        async move {
            let mut buf = Vec::new();
            loop {
                let end = loop {
                    if let Some(i) = find(&buf, b"\r\n\r\n") {
                        break i + 4;
                    }
                    if !fill_async(&mut stream, &mut buf).await {
                        return;
                    }
                };
                let head = lossy(&buf[..end]);
                buf.drain(..end);
                h.lock().unwrap().push(head.clone());
                let mut words = head.split(' ');
                let method = words.next().unwrap_or_default().to_string();
                let target = words.next().unwrap_or_default().to_string();
                let f = fields(&head);
                if field(&f, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
                    && stream
                        .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                        .await
                        .is_err()
                {
                    return;
                }
                let chunked = field(&f, "transfer-encoding")
                    .is_some_and(|v| v.to_ascii_lowercase().ends_with("chunked"));
                let length = field(&f, "content-length")
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                let body = loop {
                    let whole = if chunked {
                        match dechunk(&buf) {
                            Ok(x) => x,
                            Err(_) => return,
                        }
                    } else if buf.len() >= length {
                        Some((buf[..length].to_vec(), length))
                    } else {
                        None
                    };
                    if let Some((body, used)) = whole {
                        buf.drain(..used);
                        break body;
                    }
                    if !fill_async(&mut stream, &mut buf).await {
                        return;
                    }
                };
                s.lock().unwrap().push(RawSeen { head, body });
                let (bytes, close) = answer(&method, &target);
                if stream.write_all(&bytes).await.is_err() || close {
                    return;
                }
            }
        }
    })
    .await;
    RawUpstream { addr, heads, seen }
}

fn gateway(up: &RawUpstream, limits: &str) -> Gateway {
    Gateway::start(&config(up.addr, limits, APP_ROUTE), &["--threads", "1"])
}

// ---------------------------------------------------------------------------------------------
// The client

/// A raw connection to the gateway, with the bytes read and not parsed yet.
struct Client {
    s: TcpStream,
    buf: Vec<u8>,
}

/// One answer as read off the wire.
#[derive(Debug)]
struct Answer {
    /// E.g. `HTTP/1.1 200 OK`.
    status_line: String,
    status: u16,
    fields: Vec<(String, String)>,
    body: Vec<u8>,
    /// The whole answer as it came.
    raw: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        field(&self.fields, name)
    }
    fn count(&self, name: &str) -> usize {
        self.fields.iter().filter(|(n, _)| n == name).count()
    }
    fn text(&self) -> String {
        lossy(&self.body)
    }
    /// Whether `Connection` has the option `token`.
    fn connection_has(&self, token: &str) -> bool {
        self.fields
            .iter()
            .filter(|(n, _)| n == "connection")
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
    fn shown(&self) -> String {
        lossy(&self.raw)
    }
}

impl Client {
    fn connect(gw: &Gateway) -> Client {
        let s = TcpStream::connect(gw.url().trim_start_matches("http://")).unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        s.set_nodelay(true).unwrap();
        Client { s, buf: Vec::new() }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.s
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("writing {:?}: {e}", lossy(bytes)));
    }

    /// Reads more: `Ok(false)` at the end of the stream (a reset counts as one), an error
    /// when nothing comes within [`TIMEOUT`].
    fn fill(&mut self) -> Result<bool, String> {
        let mut chunk = [0u8; 16384];
        match self.s.read(&mut chunk) {
            Ok(0) => Ok(false),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset) => Ok(false),
            Err(e) => Err(format!(
                "nothing more within {TIMEOUT:?} ({e}); unparsed so far: {:?}",
                lossy(&self.buf)
            )),
        }
    }

    /// Reads one answer; `head` when it answers a HEAD request. An error says what came
    /// instead.
    fn try_answer(&mut self, head: bool) -> Result<Answer, String> {
        let end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            if !self.fill()? {
                return Err(format!(
                    "closed before a whole answer head; got {:?}",
                    lossy(&self.buf)
                ));
            }
        };
        let head_text = lossy(&self.buf[..end]);
        let status_line = head_text
            .split("\r\n")
            .next()
            .unwrap_or_default()
            .to_string();
        let status: u16 = status_line
            .strip_prefix("HTTP/1.")
            .and_then(|s| s.get(2..5))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("not a status line: {head_text:?}"))?;
        let fields = fields(&head_text);
        let bodiless = head || (100..200).contains(&status) || status == 204 || status == 304;
        let used = if bodiless {
            end
        } else if let Some(te) = field(&fields, "transfer-encoding") {
            if !te.eq_ignore_ascii_case("chunked") {
                return Err(format!("transfer-encoding {te:?}: {head_text:?}"));
            }
            loop {
                match dechunk(&self.buf[end..]) {
                    Ok(Some((_, n))) => break end + n,
                    Ok(None) => {
                        if !self.fill()? {
                            return Err(format!(
                                "closed in a chunked body: {:?}",
                                lossy(&self.buf)
                            ));
                        }
                    }
                    Err(e) => return Err(format!("{e}: {:?}", lossy(&self.buf))),
                }
            }
        } else if let Some(cl) = field(&fields, "content-length") {
            let n: usize = cl
                .parse()
                .map_err(|_| format!("content-length {cl:?}: {head_text:?}"))?;
            while self.buf.len() < end + n {
                if !self.fill()? {
                    return Err(format!("closed in the body: {:?}", lossy(&self.buf)));
                }
            }
            end + n
        } else {
            // Delimited by the end of the connection (RFC 9112 §6.3 item 8).
            while self.fill()? {}
            self.buf.len()
        };
        let raw: Vec<u8> = self.buf.drain(..used).collect();
        let body = if bodiless {
            Vec::new()
        } else if field(&fields, "transfer-encoding").is_some() {
            dechunk(&raw[end..])?.map(|(b, _)| b).unwrap_or_default()
        } else {
            raw[end..].to_vec()
        };
        Ok(Answer {
            status_line,
            status,
            fields,
            body,
            raw,
        })
    }

    fn answer(&mut self, head: bool) -> Answer {
        self.try_answer(head).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads until the gateway closes the connection: what came before the end, or an error
    /// when it stays open past [`TIMEOUT`].
    fn until_close(&mut self) -> Result<Vec<u8>, String> {
        while self
            .fill()
            .map_err(|e| format!("the connection stays open: {e}"))?
        {}
        Ok(std::mem::take(&mut self.buf))
    }

    /// Asserts that the gateway closes the connection with nothing more sent.
    fn assert_closed(&mut self, after: &str) {
        match self.until_close() {
            Ok(rest) => assert!(rest.is_empty(), "after {after}: {:?}", lossy(&rest)),
            Err(e) => panic!("after {after}: {e}"),
        }
    }
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n")
}

/// A GET on a new connection: the gateway is still serving.
fn assert_still_serving(gw: &Gateway, path: &str) {
    let mut c = Client::connect(gw);
    c.send(get(path).as_bytes());
    let a = c
        .try_answer(false)
        .unwrap_or_else(|e| panic!("a new connection after a refused request: {e}"));
    assert_eq!(
        (a.status, a.text()),
        (200, path.to_string()),
        "{}",
        a.shown()
    );
}

/// Writes `request` on a new connection; the gateway must answer with one of `statuses` and,
/// when `close`, then close the connection (what follows such a request cannot be trusted to be
/// the next one). Returns what went wrong instead, for a list of cases.
fn check_refused(
    gw: &Gateway,
    request: &[u8],
    statuses: &[u16],
    close: bool,
) -> Result<(), String> {
    let shown = lossy(request);
    let mut c = Client::connect(gw);
    c.send(request);
    let a = c.try_answer(false).map_err(|e| format!("{shown:?}: {e}"))?;
    if !statuses.contains(&a.status) {
        return Err(format!(
            "{shown:?}: answered {:?}, wanted one of {statuses:?}",
            a.shown()
        ));
    }
    if close {
        match c.until_close() {
            Ok(rest) if rest.is_empty() => {}
            Ok(rest) => {
                return Err(format!(
                    "{shown:?}: after {}, more bytes: {:?}",
                    a.status_line,
                    lossy(&rest)
                ));
            }
            Err(e) => return Err(format!("{shown:?}: after {}, {e}", a.status_line)),
        }
    }
    Ok(())
}

/// After a series of refused requests (their paths begin with `/refused`): the gateway still
/// serves, the upstream saw none of them, and no case failed.
fn assert_refusals_held(gw: &Gateway, up: &RawUpstream, mut failures: Vec<String>) {
    assert_still_serving(gw, "/after");
    if up.saw("/refused") {
        failures.push(format!(
            "the upstream saw a refused request: {:?}",
            up.heads()
        ));
    }
    assert_no_failures(failures);
}

fn assert_no_failures(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Request smuggling defences

/// RFC 9112 §6.1 and §6.3 item 3: a request with both `Transfer-Encoding` and `Content-Length`
/// may be refused and the connection MUST be closed after it. Our contract: 400, then closed;
/// neither the request nor one smuggled in its body reaches the upstream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_encoding_with_content_length_is_refused_and_the_connection_closed() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    // CL.TE: by its length, the body ends inside the chunked data; by its chunks, another
    // request follows the last chunk.
    let smuggled = "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    let chunks = "5\r\nhello\r\n0\r\n\r\n";
    let cases = [
        format!(
            "POST /refused-1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n{chunks}"
        ),
        format!(
            "POST /refused-2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}"
        ),
        format!(
            "POST /refused-3 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n{smuggled}",
            smuggled.len()
        ),
        format!(
            "POST /refused-4 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n{smuggled}"
        ),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(e) = check_refused(&gw, case.as_bytes(), &[400], true) {
            failures.push(e);
        }
    }
    assert_still_serving(&gw, "/after");
    for path in ["/refused", "/smuggled"] {
        if up.saw(path) {
            failures.push(format!("the upstream saw {path}: {:?}", up.heads()));
        }
    }
    assert_no_failures(failures);
}

/// Names an upstream that folds `_` into `-` (CGI, WSGI, Rack) reads as framing fields.
const LOOKALIKES: [&str; 5] = [
    "Transfer_Encoding: chunked",
    "transfer_encoding: chunked",
    "Content_Length: 5",
    "CONTENT_LENGTH: 5",
    "Content_Length: 40",
];

/// RFC 9112 §11.2 (request smuggling): a field that reads as `Transfer-Encoding`,
/// `Content-Length`, `Host` or `Connection` once `_` is taken for `-` is refused with 400 by
/// default and never reaches the upstream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn underscore_framing_lookalikes_are_refused() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut failures = Vec::new();
    for (i, field) in LOOKALIKES.iter().enumerate() {
        let req = format!(
            "POST /refused-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n{field}\r\n\r\nhello"
        );
        if let Err(e) = check_refused(&gw, req.as_bytes(), &[400], true) {
            failures.push(e);
        }
    }
    assert_refusals_held(&gw, &up, failures);
}

/// With `[limits] allow_underscore_framing_lookalikes = true` the same fields are forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn underscore_framing_lookalikes_are_forwarded_when_allowed() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "allow_underscore_framing_lookalikes = true");
    let mut c = Client::connect(&gw);
    c.send(b"POST /allowed HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer_Encoding: chunked\r\n\r\nhello");
    let a = c.try_answer(false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.status, 200, "{}", a.shown());
    assert!(
        up.heads().iter().any(|h| h.contains("/allowed")
            && h.to_ascii_lowercase()
                .contains("transfer_encoding: chunked")),
        "{:?}",
        up.heads()
    );
}

/// RFC 9112 §6.3 item 4: a request whose `Transfer-Encoding` does not end in `chunked` has no
/// reliable length, so 400 and close; RFC 9112 §6.1: a coding the server does not decode
/// gets 501, and an HTTP/1.0 message with `Transfer-Encoding` is treated as badly framed and
/// the connection closed. The gateway decodes only `chunked`, once: 400 or 501 for all of
/// these, the connection closed, nothing forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_encoding_other_than_chunked_alone_is_refused() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let body = "5\r\nhello\r\n0\r\n\r\n";
    let mut failures = Vec::new();
    for (i, (version, te)) in [
        ("1.1", "Transfer-Encoding: gzip"),
        ("1.1", "Transfer-Encoding: chunked, gzip"),
        ("1.1", "Transfer-Encoding: gzip, chunked"),
        (
            "1.1",
            "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked",
        ),
        (
            "1.1",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
        ),
        ("1.1", "Transfer-Encoding: xchunked"),
        ("1.0", "Transfer-Encoding: chunked"),
    ]
    .into_iter()
    .enumerate()
    {
        let req = format!("POST /refused-{i} HTTP/{version}\r\nHost: x\r\n{te}\r\n\r\n{body}");
        if let Err(e) = check_refused(&gw, req.as_bytes(), &[400, 501], true) {
            failures.push(e);
        }
    }
    assert_refusals_held(&gw, &up, failures);
}

/// RFC 9112 §6.3 item 5 and RFC 9110 §8.6: `Content-Length = 1*DIGIT`; anything else (a sign,
/// hex, inner space, a list of different values, nothing, or a number too large) is an
/// invalid length: 400 and the connection closed, nothing forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_content_lengths_are_refused() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut failures = Vec::new();
    for (i, cl) in [
        "+5",
        "0x5",
        "5 5",
        "-1",
        "5, 6",
        "",
        "5a",
        "99999999999999999999",
    ]
    .into_iter()
    .enumerate()
    {
        let req =
            format!("POST /refused-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: {cl}\r\n\r\nhello");
        if let Err(e) = check_refused(&gw, req.as_bytes(), &[400], true) {
            failures.push(e);
        }
    }
    assert_refusals_held(&gw, &up, failures);
}

/// RFC 9110 §8.6: duplicate `Content-Length` lines with the same value may be taken as one.
/// Our contract: accepted, the body is 5 bytes (not 10), and the connection goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_content_lengths_are_one_length() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(
        b"POST /twice HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    );
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/twice".into()),
        "{}",
        a.shown()
    );
    let seen = up.last();
    assert_eq!(seen.target(), "/twice");
    assert_eq!(lossy(&seen.body), "hello");
    c.send(get("/next").as_bytes());
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/next".into()), "{}", a.shown());
}

// ---------------------------------------------------------------------------------------------
// Chunked request bodies

/// RFC 9112 §7.1: chunk sizes in hex (any case, leading zeros), chunk extensions (§7.1.1) and
/// trailer fields (§7.1.2) are accepted; the upstream gets the decoded bytes exactly, and the
/// next request on the connection is read from just after the trailer section.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_request_bodies_reach_the_upstream_decoded() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(
        b"POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;name=value\r\nhello\r\n\
          2;a;b=\"q r\"\r\n, \r\n\
          00A\r\n0123456789\r\n\
          1b\r\nabcdefghijklmnopqrstuvwxyz!\r\n\
          0;last\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n",
    );
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/chunks".into()),
        "{}",
        a.shown()
    );
    assert_eq!(
        lossy(&up.last().body),
        "hello, 0123456789abcdefghijklmnopqrstuvwxyz!"
    );
    // An empty chunked body, and no trailers.
    c.send(b"POST /empty HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/empty".into()),
        "{}",
        a.shown()
    );
    assert_eq!(up.last().target(), "/empty");
    assert!(up.last().body.is_empty());
    c.send(get("/next").as_bytes());
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/next".into()), "{}", a.shown());
}

/// RFC 9112 §7.1: a chunk-size that is not hex, or too large to be a size, is a framing error:
/// the client gets an error status or a close — never a 2xx — and the connection is not read
/// further (it cannot be resynchronised). The gateway keeps serving other connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_chunk_size_gets_an_error_or_a_close() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut failures = Vec::new();
    for (i, chunks) in [
        "zz\r\nhello\r\n0\r\n\r\n",
        "5\r\nhello\r\nzz\r\n0\r\n\r\n",
        "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        "5\r\nhelloXX0\r\n\r\n",
    ]
    .into_iter()
    .enumerate()
    {
        let req = format!(
            "POST /bad-chunk-{i} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}{}",
            get("/behind")
        );
        let mut c = Client::connect(&gw);
        c.send(req.as_bytes());
        let first = match c.try_answer(false) {
            Ok(a) if a.status >= 400 => a.status_line,
            Ok(a) => {
                failures.push(format!("{chunks:?}: answered {:?}", a.shown()));
                continue;
            }
            Err(e) if e.starts_with("closed before") && c.buf.is_empty() => "a close".into(),
            Err(e) => {
                failures.push(format!("{chunks:?}: {e}"));
                continue;
            }
        };
        match c.until_close() {
            Ok(rest) if rest.is_empty() => {}
            Ok(rest) => failures.push(format!("{chunks:?}: after {first}: {:?}", lossy(&rest))),
            Err(e) => failures.push(format!("{chunks:?}: after {first}: {e}")),
        }
        eprintln!("{chunks:?}: {first}, then closed");
    }
    assert_still_serving(&gw, "/after");
    if up
        .seen()
        .iter()
        .any(|s| s.target().starts_with("/bad-chunk"))
    {
        failures.push(format!(
            "a whole bad-chunk request reached the upstream: {:?}",
            up.seen()
        ));
    }
    if up.saw("/behind") {
        failures.push("the request behind a bad chunk was served".into());
    }
    assert_no_failures(failures);
}

// ---------------------------------------------------------------------------------------------
// Pipelining and persistence

/// RFC 9112 §9.3.2: requests sent in one write, without waiting (with bodies by length and by
/// chunks between them), are answered in order, each whole, on the same connection, which then
/// stays open for another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_requests_are_answered_in_order() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    let pipeline = format!(
        "{}POST /p2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
         POST /p3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n\
         {}{}",
        get("/p1"),
        get("/p4"),
        get("/p5?x=1")
    );
    c.send(pipeline.as_bytes());
    for path in ["/p1", "/p2", "/p3", "/p4", "/p5?x=1"] {
        let a = c.answer(false);
        assert_eq!((a.status, a.text()), (200, path.into()), "{}", a.shown());
    }
    c.send(get("/p6").as_bytes());
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/p6".into()), "{}", a.shown());
    let seen: Vec<_> = up
        .seen()
        .iter()
        .map(|s| (s.target().to_string(), lossy(&s.body)))
        .collect();
    let want: Vec<_> = [
        ("/p1", ""),
        ("/p2", "abc"),
        ("/p3", "wxyz"),
        ("/p4", ""),
        ("/p5?x=1", ""),
        ("/p6", ""),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(seen, want);
}

/// RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request line — some
/// old clients send a CRLF after a POST body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_line_before_a_request_line_is_ignored() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(format!("\r\n{}", get("/e1")).as_bytes());
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/e1".into()), "{}", a.shown());
    c.send(
        format!(
            "POST /e2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\r\n{}",
            get("/e3")
        )
        .as_bytes(),
    );
    for path in ["/e2", "/e3"] {
        let a = c.answer(false);
        assert_eq!((a.status, a.text()), (200, path.into()), "{}", a.shown());
    }
    assert_eq!(lossy(&up.seen()[1].body), "abc");
}

/// RFC 9112 §9.6: after a request with `Connection: close` the server answers with
/// `Connection: close`, closes, and does not process a request pipelined behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_close_ends_the_connection_after_the_answer() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(
        format!(
            "GET /c1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n{}",
            get("/c2")
        )
        .as_bytes(),
    );
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/c1".into()), "{}", a.shown());
    assert!(a.status_line.starts_with("HTTP/1.1 "), "{}", a.shown());
    assert!(a.connection_has("close"), "{}", a.shown());
    c.assert_closed("an answer with connection: close");
    assert_still_serving(&gw, "/after");
    assert!(
        !up.saw("/c2"),
        "a request after Connection: close was served"
    );
}

/// RFC 9112 §9.3: an HTTP/1.0 request without `keep-alive` ends its connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_1_0_closes_after_the_answer() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(b"GET /old HTTP/1.0\r\nHost: x\r\n\r\n");
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/old".into()), "{}", a.shown());
    c.assert_closed("an HTTP/1.0 answer");
    // HTTP/1.0 without Host is fine (Host is required of HTTP/1.1 requests only).
    let mut c = Client::connect(&gw);
    c.send(b"GET /no-host HTTP/1.0\r\n\r\n");
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/no-host".into()),
        "{}",
        a.shown()
    );
}

/// RFC 9112 §9.3: HTTP/1.0 with `Connection: keep-alive` may persist: a second request on the
/// same connection is answered (the answer may say `keep-alive`); without keep-alive on the
/// second, the connection then ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_1_0_keep_alive_keeps_the_connection() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    for path in ["/k1", "/k2"] {
        c.send(
            format!("GET {path} HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n").as_bytes(),
        );
        let a = c.answer(false);
        assert_eq!((a.status, a.text()), (200, path.into()), "{}", a.shown());
        assert!(a.header("content-length").is_some(), "{}", a.shown());
    }
    c.send(b"GET /k3 HTTP/1.0\r\nHost: x\r\n\r\n");
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/k3".into()), "{}", a.shown());
    c.assert_closed("an HTTP/1.0 answer without keep-alive");
}

/// RFC 9110 §6.2 and RFC 9112 §2.3: a server sends the highest version it conforms to whose
/// major version is the request's — `HTTP/1.1` also to HTTP/1.0 requests (our contract; the
/// RFC says SHOULD).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_to_http_1_0_have_an_http_1_1_status_line() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut failures = Vec::new();
    for req in [
        "GET /v1 HTTP/1.0\r\nHost: x\r\n\r\n".to_string(),
        "GET /v2 HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n".to_string(),
        format!(
            "OPTIONS /v3 HTTP/1.0\r\nHost: x\r\nOrigin: {ORIGIN}\r\nAccess-Control-Request-Method: PUT\r\n\r\n"
        ),
        "GET /v4 HTTP/1.0\r\nHost: x\r\nContent-Length: +1\r\n\r\n".to_string(),
    ] {
        let mut c = Client::connect(&gw);
        c.send(req.as_bytes());
        match c.try_answer(false) {
            Ok(a) if a.status_line.starts_with("HTTP/1.1 ") => {}
            Ok(a) => failures.push(format!("{req:?}: {:?}", a.status_line)),
            Err(e) => failures.push(format!("{req:?}: {e}")),
        }
    }
    assert_no_failures(failures);
}

/// RFC 9112 §6.1: a server MUST NOT send `Transfer-Encoding` to an HTTP/1.0 client, even when
/// the upstream's answer came chunked: the body goes with a length, or until the close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_1_0_clients_never_get_chunked() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    for keep_alive in ["", "Connection: keep-alive\r\n"] {
        let mut c = Client::connect(&gw);
        c.send(format!("GET /chunked HTTP/1.0\r\nHost: x\r\n{keep_alive}\r\n").as_bytes());
        let a = c.answer(false);
        assert_eq!(a.status, 200, "{}", a.shown());
        assert_eq!(a.header("transfer-encoding"), None, "{}", a.shown());
        assert_eq!(a.text(), "hello, world", "{}", a.shown());
        if a.header("content-length").is_none() || keep_alive.is_empty() {
            c.assert_closed("a body to an HTTP/1.0 client");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expect, HEAD, the framing of answers

/// RFC 9110 §10.1.1: a client that sends `Expect: 100-continue` and waits gets
/// `HTTP/1.1 100 Continue`, then sends the body and gets the final answer; the upstream gets
/// the body whole. An HTTP/1.0 request's expectation is ignored: no 100.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expect_100_continue_gets_100_before_the_body() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(
        b"POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    );
    let interim = c
        .try_answer(false)
        .unwrap_or_else(|e| panic!("no 100 Continue before the body: {e}"));
    assert!(
        interim.status_line.starts_with("HTTP/1.1 100"),
        "{}",
        interim.shown()
    );
    c.send(b"hello");
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/expect".into()),
        "{}",
        a.shown()
    );
    assert_eq!(lossy(&up.last().body), "hello");
    // And the connection goes on.
    c.send(get("/next").as_bytes());
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/next".into()), "{}", a.shown());

    let mut c = Client::connect(&gw);
    c.send(b"POST /expect10 HTTP/1.0\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/expect10".into()),
        "{}",
        a.shown()
    );
    c.assert_closed("an HTTP/1.0 answer");
}

/// RFC 9110 §9.3.2: the answer to HEAD has the header section and no body; RFC 9112 §6.3
/// item 1: the next answer on the connection starts right after it — with the two requests
/// sent one after the other and pipelined.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_answers_have_no_body_and_the_next_answer_follows() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(b"HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n");
    let a = c.answer(true);
    assert_eq!(a.status, 200, "{}", a.shown());
    // RFC 9110 §8.6: a length on a HEAD answer is the GET's (5 bytes: `/head`), or none.
    assert!(
        matches!(a.header("content-length"), None | Some("5")),
        "{}",
        a.shown()
    );
    assert_eq!(up.last().request_line(), "HEAD /head HTTP/1.1");
    c.send(get("/g1").as_bytes());
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/g1".into()), "{}", a.shown());

    c.send(format!("HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n{}", get("/g2")).as_bytes());
    let a = c.answer(true);
    assert_eq!(a.status, 200, "{}", a.shown());
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/g2".into()), "{}", a.shown());
    assert!(c.buf.is_empty(), "{:?}", lossy(&c.buf));
}

/// RFC 9112 §6.1/§6.3: to an HTTP/1.1 client an answer with a body is delimited by
/// `Content-Length` or chunked (never both), or else by closing the connection; RFC 9110
/// §6.6.1: a gateway adds `Date` to an answer that has none. All answers are `HTTP/1.1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_delimited_for_http_1_1_clients() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    for (path, body) in [
        ("/plain", "/plain"),
        ("/chunked", "hello, world"),
        ("/until-close", "to the end"),
    ] {
        c.send(get(path).as_bytes());
        let a = c.answer(false);
        assert_eq!((a.status, a.text()), (200, body.into()), "{}", a.shown());
        assert!(a.status_line.starts_with("HTTP/1.1 200"), "{}", a.shown());
        assert!(a.header("date").is_some(), "no date: {}", a.shown());
        let cl = a.count("content-length");
        let te = a.header("transfer-encoding");
        assert!(cl <= 1, "{}", a.shown());
        assert!(
            !(cl == 1 && te.is_some()),
            "both length and chunked: {}",
            a.shown()
        );
        if path != "/until-close" {
            assert!(
                cl == 1 || te == Some("chunked"),
                "{path}: neither length nor chunked: {}",
                a.shown()
            );
        } else if cl == 0 && te.is_none() {
            // Delimited by the close, which the parser waited for.
            assert!(c.buf.is_empty());
        }
    }
}

/// A preflight answered at the gateway: 204 with no body and no `Content-Length` (RFC 9110
/// §8.6: MUST NOT for 204), with `Date` (RFC 9110 §6.6.1); the connection goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_gets_204_without_a_body_and_the_connection_goes_on() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(
        format!(
            "OPTIONS /pf HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\nAccess-Control-Request-Method: PUT\r\n\r\n"
        )
        .as_bytes(),
    );
    let a = c.answer(false);
    assert!(a.status_line.starts_with("HTTP/1.1 204"), "{}", a.shown());
    assert_eq!(a.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(a.header("content-length"), None, "{}", a.shown());
    assert_eq!(a.header("transfer-encoding"), None, "{}", a.shown());
    assert!(a.header("date").is_some(), "no date: {}", a.shown());
    c.send(get("/after").as_bytes());
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/after".into()),
        "{}",
        a.shown()
    );
    assert!(!up.saw("/pf"), "the preflight reached the upstream");
}

// ---------------------------------------------------------------------------------------------
// Host, header syntax, targets

/// RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without `Host`, and to any
/// request with more than one `Host` line or an invalid `Host` value. Nothing is forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_1_1_requests_need_exactly_one_valid_host() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut failures = Vec::new();
    for req in [
        "GET /refused-none HTTP/1.1\r\n\r\n",
        "GET /refused-none HTTP/1.1\r\nX-A: 1\r\n\r\n",
        "GET /refused-two HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        "GET /refused-same HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n",
        "GET /refused-10 HTTP/1.0\r\nHost: x\r\nHost: y\r\n\r\n",
        "GET /refused-space HTTP/1.1\r\nHost: a b\r\n\r\n",
    ] {
        if let Err(e) = check_refused(&gw, req.as_bytes(), &[400], false) {
            failures.push(e);
        }
    }
    assert_refusals_held(&gw, &up, failures);
}

/// RFC 9112 §3.2.3: the authority-form target (`host:port`) is CONNECT's alone; with any other
/// method the request is refused with 400, the connection closed, nothing forwarded (found by
/// fuzzing `h1_head`: `POST 9x` was taken for an absolute-form target). CONNECT keeps its own
/// answer, 405: this is no forward proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authority_form_target_is_refused_for_every_method_but_connect() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut failures = Vec::new();
    for req in [
        "GET refused.example:80 HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST 9x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "OPTIONS refused.example:443 HTTP/1.0\r\n\r\n",
    ] {
        if let Err(e) = check_refused(&gw, req.as_bytes(), &[400], true) {
            failures.push(e);
        }
    }
    let connect = b"CONNECT refused.example:443 HTTP/1.1\r\nHost: refused.example:443\r\n\r\n";
    if let Err(e) = check_refused(&gw, connect, &[405], false) {
        failures.push(e);
    }
    assert_still_serving(&gw, "/after");
    let heads = up.heads();
    if heads.len() != 1 {
        failures.push(format!("the upstream saw more than /after: {heads:?}"));
    }
    assert_no_failures(failures);
}

/// RFC 9112 §5.2: obs-fold in a request: our contract is 400 (the RFC also allows replacing
/// it with SP). RFC 9112 §5.1: whitespace between a field name and the colon MUST get 400.
/// RFC 9110 §5.5: NUL or a bare CR in a value: rejected, or replaced with SP before the value
/// is forwarded. Each refusal closes the connection; nothing refused is forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_syntax_errors_are_refused() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut failures = Vec::new();
    for req in [
        "GET /refused-fold HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
        "GET /refused-fold-tab HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n",
        "GET /refused-colon HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n",
    ] {
        if let Err(e) = check_refused(&gw, req.as_bytes(), &[400], true) {
            failures.push(e);
        }
    }
    for (i, req) in [
        "GET /ctl-0 HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n",
        "GET /ctl-1 HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = Client::connect(&gw);
        c.send(req.as_bytes());
        let answer = c.try_answer(false);
        if let Ok(a) = &answer {
            eprintln!("{req:?}: {}", a.status_line);
        }
        match answer {
            Ok(a) if a.status == 400 => {}
            Ok(a) if a.status == 200 => {
                let seen = up
                    .seen()
                    .into_iter()
                    .find(|s| s.target() == format!("/ctl-{i}"));
                let value = seen.and_then(|s| s.header("x-a"));
                if value.as_deref() != Some("a b") {
                    failures.push(format!("{req:?}: forwarded with x-a {value:?}"));
                }
            }
            Ok(a) => failures.push(format!("{req:?}: answered {:?}", a.shown())),
            Err(e) => failures.push(format!("{req:?}: {e}")),
        }
    }
    assert_refusals_held(&gw, &up, failures);
}

/// RFC 9112 §5: a head that arrives a byte at a time (well within `header_read_timeout`) is
/// read whole, and so is a body that does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_written_one_byte_at_a_time_is_read_whole() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "header_read_timeout = \"5s\"");
    let mut c = Client::connect(&gw);
    let req = "POST /slowly?a=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhello";
    for b in req.bytes() {
        c.send(&[b]);
        std::thread::sleep(Duration::from_millis(2));
    }
    let a = c.answer(false);
    assert_eq!(
        (a.status, a.text()),
        (200, "/slowly?a=1".into()),
        "{}",
        a.shown()
    );
    let seen = up.last();
    assert_eq!(seen.header("x-a").as_deref(), Some("1"));
    assert_eq!(lossy(&seen.body), "hello");
}

/// RFC 9112 §3.2.2: an absolute-form target reaches the upstream in origin-form (an empty path
/// as `/`); RFC 9112 §3.2.4: `OPTIONS *` gets some answer (2xx or 4xx, not a crash or a 5xx)
/// and the gateway keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_form_and_asterisk_targets() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    for (target, want) in [
        ("http://x/abs?q=1", "/abs?q=1"),
        ("http://x", "/"),
        ("HTTP://X:80/abs2", "/abs2"),
    ] {
        c.send(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        let a = c.answer(false);
        assert_eq!(
            (a.status, a.text()),
            (200, want.into()),
            "{target}: {}",
            a.shown()
        );
        assert_eq!(up.last().request_line(), format!("GET {want} HTTP/1.1"));
    }

    let mut c = Client::connect(&gw);
    c.send(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    let a = c.answer(false);
    assert!(
        (200..300).contains(&a.status) || (400..500).contains(&a.status),
        "{}",
        a.shown()
    );
    eprintln!("OPTIONS *: {}", a.status_line);
    // On the same connection when it stays open, else on a new one.
    let _ = c.s.write_all(get("/after-asterisk").as_bytes());
    match c.try_answer(false) {
        Ok(a) => assert_eq!((a.status, a.text()), (200, "/after-asterisk".into())),
        Err(_) => assert_still_serving(&gw, "/after-asterisk"),
    }
}

/// RFC 9112 §3.2.2 / RFC 9110 §7.2: with an absolute-form target, the received `Host` is
/// ignored for the target's authority, and a proxy that forwards the request generates `Host`
/// from the target.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absolute_form_target_overrides_host() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(b"GET http://a.example/abs HTTP/1.1\r\nHost: b.example\r\n\r\n");
    let a = c.answer(false);
    assert_eq!((a.status, a.text()), (200, "/abs".into()), "{}", a.shown());
    let seen = up.last();
    assert_eq!(
        seen.header("host").as_deref(),
        Some("a.example"),
        "{}",
        seen.head
    );
}

/// RFC 9112 §8: a request whose body ends (the client closed its side) before its
/// `Content-Length` is incomplete: the client gets an error status or a close, never a 2xx,
/// the upstream never gets it as a whole request, and the gateway keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_cut_short_by_the_client_is_not_answered_as_complete() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    c.send(b"POST /short HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
    c.s.shutdown(Shutdown::Write).unwrap();
    match c.try_answer(false) {
        Ok(a) => {
            eprintln!("a body cut short: {}", a.status_line);
            assert!(a.status >= 400, "{}", a.shown())
        }
        Err(e) => assert!(e.starts_with("closed before"), "{e}"),
    }
    assert_still_serving(&gw, "/after");
    assert!(
        !up.seen().iter().any(|s| s.target() == "/short"),
        "{:?}",
        up.seen()
    );
}

// ---------------------------------------------------------------------------------------------
// h2c

/// An HTTP/2 frame header: length, type, flags, stream.
fn h2_frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// RFC 9113 §3.3: HTTP/2 with prior knowledge on the plaintext listener, with the connection
/// preface arriving in pieces (the first shorter than any method): the gateway sees HTTP/2,
/// not a bad HTTP/1 request line, and answers a GET with `:status 200` on stream 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge_is_recognised_when_the_preface_comes_in_pieces() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let mut c = Client::connect(&gw);
    // HPACK (RFC 7541 §6.2.2): literal fields without indexing, new names, no Huffman.
    let mut block = Vec::new();
    for (n, v) in [
        (":method", "GET"),
        (":scheme", "http"),
        (":path", "/h2"),
        (":authority", "x"),
        ("origin", ORIGIN),
    ] {
        block.push(0);
        block.push(n.len() as u8);
        block.extend_from_slice(n.as_bytes());
        block.push(v.len() as u8);
        block.extend_from_slice(v.as_bytes());
    }
    let mut rest = b"\nSM\r\n\r\n".to_vec();
    rest.extend(h2_frame(4, 0, 0, &[])); // SETTINGS
    rest.extend(h2_frame(1, 0x5, 1, &block)); // HEADERS, END_STREAM | END_HEADERS
    for piece in [&b"PR"[..], b"I * HTTP/2.0\r\n\r", &rest] {
        c.send(piece);
        std::thread::sleep(Duration::from_millis(50));
    }
    // Frames until HEADERS on stream 1.
    loop {
        while c.buf.len() < 9 {
            assert!(c.fill().unwrap(), "closed; read {:?}", lossy(&c.buf));
        }
        let len =
            (usize::from(c.buf[0]) << 16) | (usize::from(c.buf[1]) << 8) | usize::from(c.buf[2]);
        while c.buf.len() < 9 + len {
            assert!(c.fill().unwrap(), "closed in a frame");
        }
        let frame: Vec<u8> = c.buf.drain(..9 + len).collect();
        let (kind, flags) = (frame[3], frame[4]);
        let stream = u32::from_be_bytes([frame[5], frame[6], frame[7], frame[8]]) & 0x7fff_ffff;
        assert_ne!(kind, 7, "GOAWAY: {:?}", lossy(&frame[9..]));
        assert!(
            !(kind == 3 && stream == 1),
            "RST_STREAM on stream 1: {frame:?}"
        );
        if kind == 1 && stream == 1 {
            let mut p = &frame[9..];
            if flags & 0x8 != 0 {
                let pad = usize::from(p[0]);
                p = &p[1..p.len() - pad];
            }
            if flags & 0x20 != 0 {
                p = &p[5..];
            }
            // `:status 200` is entry 8 of the static table (RFC 7541 Appendix A).
            assert_eq!(p.first(), Some(&0x88), "not :status 200: {p:?}");
            break;
        }
    }
    assert_eq!(up.last().request_line(), "GET /h2 HTTP/1.1");
}

// ---------------------------------------------------------------------------------------------
// HTTP/2 connection preface (RFC 9113 §3.4)

/// Writes `bytes` on a new connection and reads until the gateway closes it, at most 2 s:
/// the bytes read, and whether the close came in time.
fn h2_until_close(gw: &Gateway, bytes: &[u8]) -> (Vec<u8>, bool) {
    use std::io::{Read, Write};
    let mut s = TcpStream::connect(gw.url().trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return (out, true),
            Err(_) => return (out, false),
        }
    }
}

/// Whether `frames` (server frames) hold a GOAWAY with error code PROTOCOL_ERROR (0x1).
fn has_goaway_protocol_error(mut frames: &[u8]) -> bool {
    while frames.len() >= 9 {
        let len =
            usize::from(frames[0]) << 16 | usize::from(frames[1]) << 8 | usize::from(frames[2]);
        let Some(payload) = frames.get(9..9 + len) else {
            return false;
        };
        if frames[3] == 0x7 && payload.len() >= 8 && payload[4..8] == [0, 0, 0, 1] {
            return true;
        }
        frames = &frames[9 + len..];
    }
    false
}

/// RFC 9113 §3.4: the preface must be followed by a SETTINGS frame, and an invalid preface is
/// a connection error PROTOCOL_ERROR: GOAWAY(PROTOCOL_ERROR) and a close, not a wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_http2_preface_or_first_frame_ends_the_connection_at_once() {
    let up = raw_upstream().await;
    let gw = gateway(&up, "");
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    // A PING frame (type 0x6) where SETTINGS must come.
    let mut ping_first = preface.clone();
    ping_first.extend_from_slice(&[0, 0, 8, 0x6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    let mut failures = Vec::new();
    let (got, closed) = h2_until_close(&gw, &ping_first);
    if !closed || !has_goaway_protocol_error(&got) {
        failures.push(format!(
            "PING before SETTINGS: closed in time {closed}, got {:?}",
            lossy(&got)
        ));
    }
    let (got, closed) = h2_until_close(&gw, b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n");
    if !closed {
        failures.push(format!(
            "corrupted preface: no close in 2 s, got {:?}",
            lossy(&got)
        ));
    }
    assert_no_failures(failures);
}
