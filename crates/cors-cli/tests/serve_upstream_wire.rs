//! End-to-end: the gateway's HTTP/1.1 client against an upstream that writes raw bytes, for
//! the message framings of RFC 9112 a well-behaved test server never sends — chunked bodies
//! with extensions and trailers, bodies delimited by the close of the connection, interim
//! responses, a `Content-Length` next to `Transfer-Encoding`, invalid answers, and an answer
//! that comes before the request body went up.

mod serve_support;
use serve_support::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ORIGIN: (&str, &str) = ("origin", "https://app.example");

/// What the raw upstream saw of one request: its head and its body as sent (still chunked).
#[derive(Clone, Debug)]
struct RawSeen {
    head: String,
    body: Vec<u8>,
}

/// An upstream that answers each path with fixed bytes (see `answer`), counting connections.
struct RawUpstream {
    addr: std::net::SocketAddr,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<RawSeen>>>,
}

/// The bytes for `path`, and whether the connection closes after them.
fn answer(path: &str) -> (&'static str, bool) {
    match path {
        "/chunked" => (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Up: 1\r\n\r\n\
             5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n",
            false,
        ),
        "/until-close" => ("HTTP/1.1 200 OK\r\nX-Up: 1\r\n\r\nto the end", true),
        "/interim" => (
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n\
             HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nmade",
            false,
        ),
        "/both" => (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n\
             3\r\nabc\r\n0\r\n\r\n",
            false,
        ),
        "/garbage" => ("NOT HTTP AT ALL\r\n\r\n", true),
        "/two-lengths" => (
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
            true,
        ),
        "/early" => (
            "HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo much",
            true,
        ),
        _ => ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false),
    }
}

async fn raw_upstream() -> RawUpstream {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let (addr, connections) = accept_counting(move |mut stream| {
        let s = s.clone();
        async move {
            let mut buf = Vec::new();
            loop {
                // The head.
                let end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    let mut chunk = [0u8; 8192];
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_string();
                buf.drain(..end);
                let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                let lower = head.to_ascii_lowercase();
                let length = lower
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok());
                let chunked = lower.contains("\r\ntransfer-encoding: chunked\r\n");
                let (bytes, close) = answer(&path);
                if path == "/early" {
                    // Answers at once, then reads the body it refused and closes.
                    let _ = stream.write_all(bytes.as_bytes()).await;
                    let mut sink = [0u8; 65536];
                    while let Ok(n) = stream.read(&mut sink).await {
                        if n == 0 {
                            break;
                        }
                    }
                    return;
                }
                // The body: by its length, or chunks up to the last one (no trailers).
                let mut body = Vec::new();
                loop {
                    let done = match (length, chunked) {
                        (Some(n), _) => buf.len() >= n,
                        (None, true) => buf.ends_with(b"0\r\n\r\n"),
                        (None, false) => true,
                    };
                    if done {
                        let n = length.unwrap_or(buf.len());
                        body.extend(buf.drain(..n));
                        break;
                    }
                    let mut chunk = [0u8; 8192];
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                s.lock().unwrap().push(RawSeen { head, body });
                if stream.write_all(bytes.as_bytes()).await.is_err() || close {
                    return;
                }
            }
        }
    })
    .await;
    RawUpstream {
        addr,
        connections,
        seen,
    }
}

fn gateway(up: &RawUpstream) -> Gateway {
    Gateway::start(&config(up.addr, "", APP_ROUTE), &["--threads", "1"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_answers_are_decoded_and_the_connection_reused() {
    let up = raw_upstream().await;
    let gw = gateway(&up);
    for _ in 0..2 {
        let r = get(&format!("{}/chunked", gw.url()), &[ORIGIN]).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "hello, world");
        assert_eq!(r.header("x-up"), "1");
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );
        assert_eq!(r.header("x-trailer"), "", "trailers are not forwarded");
    }
    assert_eq!(up.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_until_close_is_forwarded_and_its_connection_not_reused() {
    // RFC 9112 §6.3 item 8: neither Content-Length nor Transfer-Encoding.
    let up = raw_upstream().await;
    let gw = gateway(&up);
    for _ in 0..2 {
        let r = get(&format!("{}/until-close", gw.url()), &[ORIGIN]).await;
        assert_eq!(
            (r.status.as_u16(), r.text()),
            (200, "to the end".to_string())
        );
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );
    }
    assert_eq!(up.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interim_responses_are_not_forwarded() {
    let up = raw_upstream().await;
    let gw = gateway(&up);
    let r = get(&format!("{}/interim", gw.url()), &[ORIGIN]).await;
    assert_eq!((r.status.as_u16(), r.text()), (201, "made".to_string()));
    assert_eq!(r.header("link"), "");
    // The connection is still in step: the next answer is the next request's.
    let r = get(&format!("{}/plain", gw.url()), &[ORIGIN]).await;
    assert_eq!(r.text(), "ok");
    assert_eq!(up.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_length_next_to_chunked_is_dropped_and_the_connection_not_reused() {
    // RFC 9112 §6.3 item 3: Transfer-Encoding overrides Content-Length, which a proxy removes.
    let up = raw_upstream().await;
    let gw = gateway(&up);
    for _ in 0..2 {
        let r = get(&format!("{}/both", gw.url()), &[ORIGIN]).await;
        assert_eq!((r.status.as_u16(), r.text()), (200, "abc".to_string()));
        assert_ne!(r.header("content-length"), "100");
    }
    assert_eq!(up.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_answer_gives_502_with_the_cors_headers() {
    let up = raw_upstream().await;
    let gw = gateway(&up);
    for path in ["/garbage", "/two-lengths"] {
        let r = get(&format!("{}{path}", gw.url()), &[ORIGIN]).await;
        assert_eq!(r.status, 502, "{path}");
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );
        assert!(r.text().contains("(protocol)"), "{path}: {}", r.text());
    }
    let r = get(&format!("{}/chunked", gw.url()), &[ORIGIN]).await;
    assert_eq!(r.text(), "hello, world", "the gateway keeps serving");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_before_the_upload_ends_reaches_the_client() {
    let up = raw_upstream().await;
    let gw = gateway(&up);
    let body = "z".repeat(4 * 1024 * 1024);
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        send("POST", &format!("{}/early", gw.url()), &[ORIGIN], &body),
    )
    .await
    .expect("the gateway answers without waiting for the whole upload");
    assert_eq!((r.status.as_u16(), r.text()), (413, "too much".to_string()));
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_go_up_with_their_length_or_chunked() {
    let up = raw_upstream().await;
    let gw = gateway(&up);
    // With a length: sent as it is.
    let r = send(
        "POST",
        &format!("{}/len", gw.url()),
        &[ORIGIN],
        "twelve bytes",
    )
    .await;
    assert_eq!(r.status, 200);
    let seen = up.seen.lock().unwrap().last().cloned().unwrap();
    assert!(
        seen.head
            .to_ascii_lowercase()
            .contains("\r\ncontent-length: 12\r\n")
    );
    assert!(!seen.head.to_ascii_lowercase().contains("transfer-encoding"));
    assert_eq!(seen.body, b"twelve bytes");

    // Without one (a streamed body): chunked, and it decodes to what the client sent.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Unsized>();
    let req = http::Request::post(format!("{}/stream", gw.url()))
        .header("origin", "https://app.example")
        .body(Unsized(Pattern { remaining: 200_000 }))
        .unwrap();
    let r = read(client.request(req).await.unwrap()).await;
    assert_eq!(r.status, 200);
    let seen = up.seen.lock().unwrap().last().cloned().unwrap();
    assert!(
        seen.head
            .to_ascii_lowercase()
            .contains("\r\ntransfer-encoding: chunked\r\n")
    );
    assert_eq!(dechunk(&seen.body), vec![b'x'; 200_000]);
}

/// A body of unknown length: the client sends it chunked.
struct Unsized(Pattern);

impl http_body::Body for Unsized {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        std::pin::Pin::new(&mut self.0).poll_frame(cx)
    }
}

/// Decodes a chunked body (RFC 9112 §7.1), without trailers.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk-size line");
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap(), 16).unwrap();
        raw = &raw[eol + 2..];
        if size == 0 {
            assert_eq!(raw, b"\r\n");
            return out;
        }
        out.extend_from_slice(&raw[..size]);
        assert_eq!(&raw[size..size + 2], b"\r\n");
        raw = &raw[size + 2..];
    }
}
