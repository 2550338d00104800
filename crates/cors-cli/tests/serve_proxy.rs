//! End-to-end: the real `cors serve` binary on a config file, a real upstream and a real HTTP
//! client, all on 127.0.0.1 — CORS at the gateway, proxying, failures, limits, HTTP/2 and TLS.

mod serve_support;
use serve_support::*;
use std::io::{Read, Write};
use std::time::Duration;

const ORIGIN: (&str, &str) = ("origin", "https://app.example");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_request_gets_the_policy_headers_and_the_upstream_ones_are_replaced() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    let r = get(&format!("{}/items?x=1", gw.url()), &[ORIGIN]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "ok");
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(r.header("access-control-allow-credentials"), "true");
    // The upstream's own CORS headers are gone (replace is the default).
    assert!(!r.headers.contains_key("access-control-allow-methods"));
    assert_eq!(r.header("vary"), "Origin");
    assert_eq!(r.header("x-from-upstream"), "1");
    // RFC 9110 §7.6.1: the upstream's hop-by-hop fields do not reach the client.
    assert!(!r.headers.contains_key("x-hop"));
    assert_eq!(up.last().uri.to_string(), "/items?x=1");

    // A disallowed origin: the upstream's answer, without CORS headers.
    let r = get(gw.url(), &[("origin", "https://evil.example")]).await;
    assert_eq!(r.status, 200);
    assert!(!r.headers.contains_key("access-control-allow-origin"));
    // No Origin: not a CORS request.
    let r = get(gw.url(), &[]).await;
    assert!(!r.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_mode_lets_the_upstream_answer_for_itself() {
    let up = upstream().await;
    let route = APP_ROUTE.replace(
        "upstream = \"app\"",
        "upstream = \"app\"\nupstream_cors_headers = \"keep\"",
    );
    let gw = Gateway::start(&config(up.addr, "", &route), &[]);
    let r = get(gw.url(), &[ORIGIN]).await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://upstream.example"
    );
    assert_eq!(r.header("access-control-allow-methods"), "UPSTREAM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_headers_are_set_and_hop_by_hop_removed() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    let host = gw.url().trim_start_matches("http://").to_string();
    get(
        &format!("{}/f", gw.url()),
        &[
            ORIGIN,
            ("x-forwarded-for", "192.0.2.7"),
            ("connection", "x-secret"),
            ("x-secret", "s"),
            ("keep-alive", "timeout=5"),
        ],
    )
    .await;
    let seen = up.last();
    let h = |n: &str| seen.headers.get(n).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(
        h("x-forwarded-for").as_deref(),
        Some("192.0.2.7, 127.0.0.1")
    );
    assert_eq!(h("x-forwarded-proto").as_deref(), Some("http"));
    assert_eq!(h("x-forwarded-host").as_deref(), Some(host.as_str()));
    assert_eq!(h("host").as_deref(), Some(host.as_str()));
    assert_eq!(
        h("forwarded"),
        Some(format!("for=127.0.0.1;proto=http;host=\"{host}\""))
    );
    assert_eq!(h("via").as_deref(), Some("1.1 cors"));
    assert_eq!(h("origin").as_deref(), Some("https://app.example"));
    assert_eq!(
        h("x-secret"),
        None,
        "a field named by Connection is hop-by-hop"
    );
    assert_eq!(h("keep-alive"), None);
}

/// The forwarding headers are built for each request, also on a kept-alive connection whose
/// requests name other hosts or bring forwarding headers of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_headers_follow_each_request_of_a_kept_alive_connection() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    let addr = gw.url().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let a = "for=127.0.0.1;proto=http;host=\"a.example\"";
    let b = "for=127.0.0.1;proto=http;host=\"b.example\"";
    let a_after = format!("for=192.0.2.1, {a}");
    for (i, (host, extra, forwarded, via)) in [
        ("a.example", "", a, "1.1 cors"),
        ("a.example", "", a, "1.1 cors"),
        ("b.example", "", b, "1.1 cors"),
        (
            "a.example",
            "Forwarded: for=192.0.2.1\r\nVia: 1.0 edge\r\n",
            a_after.as_str(),
            "1.0 edge, 1.1 cors",
        ),
        ("a.example", "", a, "1.1 cors"),
    ]
    .into_iter()
    .enumerate()
    {
        write!(s, "GET /k{i} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n").unwrap();
        // The upstream answers `ok` with a Content-Length: read up to the end of that body.
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.ends_with(b"\r\n\r\nok") {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "the gateway closed the connection after {i} answers");
            got.extend_from_slice(&buf[..n]);
        }
        assert!(
            got.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&got)
        );
        let seen = up.last();
        assert_eq!(seen.uri.path(), format!("/k{i}"));
        let h = |n: &str| seen.headers[n].to_str().unwrap().to_string();
        assert_eq!(h("host"), host, "request {i}");
        assert_eq!(h("x-forwarded-host"), host, "request {i}");
        assert_eq!(h("forwarded"), forwarded, "request {i}");
        assert_eq!(h("via"), via, "request {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflights_are_answered_at_the_gateway_unless_the_route_forwards_them() {
    let up = upstream().await;
    let routes = format!(
        "{APP_ROUTE}\n[[routes]]\nname = \"fwd\"\npath = \"/fwd/\"\nupstream = \"app\"\n[routes.policy]\nallowed_origins = [\"https://app.example\"]\nallowed_methods = [\"PUT\"]\npreflight_continue = true\n"
    );
    let gw = Gateway::start(&config(up.addr, "", &routes), &[]);
    let preflight = [
        ORIGIN,
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "x-token"),
    ];
    let r = send("OPTIONS", &format!("{}/a", gw.url()), &preflight, "").await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-methods"), "GET, POST, PUT");
    assert_eq!(
        r.header("access-control-allow-headers"),
        "Content-Type, X-Token"
    );
    assert_eq!(r.header("access-control-max-age"), "600");
    assert!(
        up.seen().is_empty(),
        "the upstream never sees an answered preflight"
    );

    let r = send(
        "OPTIONS",
        &format!("{}/a", gw.url()),
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(!r.headers.contains_key("access-control-allow-origin"));
    assert!(up.seen().is_empty());

    let r = send(
        "OPTIONS",
        &format!("{}/fwd/x", gw.url()),
        &[ORIGIN, ("access-control-request-method", "PUT")],
        "",
    )
    .await;
    assert_eq!(r.status, 200, "the upstream's own answer");
    assert_eq!(r.header("x-upstream-preflight"), "1");
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(
        r.header("access-control-allow-methods"),
        "PUT",
        "the policy's, not the upstream's"
    );
    assert_eq!(up.last().method, "OPTIONS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_most_specific_route_wins() {
    let up = upstream().await;
    let route = |name: &str, key: &str, pat: &str, origin: &str| {
        format!(
            "[[routes]]\nname = \"{name}\"\n{key} = \"{pat}\"\nupstream = \"app\"\n[routes.policy]\nallowed_origins = [\"{origin}\"]\n"
        )
    };
    let routes = [
        route("root", "path", "/", "https://a.example"),
        route("api", "path", "/api/", "https://b.example"),
        route("json", "glob", "/api/*.json", "https://c.example"),
        route("deep", "glob", "/api/**/deep", "https://d.example"),
    ]
    .join("\n");
    let gw = Gateway::start(&config(up.addr, "", &routes), &[]);
    let rows = [
        ("/x", "https://a.example"),
        ("/api/x", "https://b.example"),
        ("/api/x.json", "https://c.example"),
        ("/api/v1/x.json", "https://b.example"),
        ("/api/v1/v2/deep", "https://d.example"),
        ("/apix", "https://a.example"),
    ];
    for (path, origin) in rows {
        for o in [
            "https://a.example",
            "https://b.example",
            "https://c.example",
            "https://d.example",
        ] {
            let r = get(&format!("{}{path}", gw.url()), &[("origin", o)]).await;
            let allowed = r.headers.contains_key("access-control-allow-origin");
            assert_eq!(allowed, o == origin, "{path} from {o}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_an_open_proxy() {
    let up = upstream().await;
    let other = upstream().await;
    let routes = "[[routes]]\npath = \"/api/\"\nupstream = \"app\"\n[routes.policy]\nallowed_origins = [\"*\"]\n";
    let gw = Gateway::start(&config(up.addr, "", routes), &[]);
    let r = get(&format!("{}/elsewhere", gw.url()), &[]).await;
    assert_eq!(r.status, 404);
    // An absolute-form target naming another server still goes to the configured upstream.
    let addr = gw.url().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET http://{}/api/x HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        other.addr, other.addr
    )
    .unwrap();
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert_eq!(up.seen().len(), 1);
    assert!(
        other.seen().is_empty(),
        "the named server was never contacted"
    );
    // CONNECT tunnels nowhere; dot segments cannot climb out of a route.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "CONNECT {} HTTP/1.1\r\nHost: {}\r\n\r\n",
        other.addr, other.addr
    )
    .unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 405"));
    let r = get(&format!("{}/api/../admin", gw.url()), &[]).await;
    assert_eq!(r.status, 400);
    assert!(other.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_stay_readable_by_the_browser() {
    let up = upstream().await;
    let dead = closed_port();
    let toml = config(up.addr, "", APP_ROUTE).replace(
        "[[routes]]",
        &format!("[upstreams.dead]\nurl = \"http://127.0.0.1:{dead}\"\n\n[upstreams.slow]\nurl = \"http://{}\"\nresponse_timeout = \"300ms\"\n\n[[routes]]\npath = \"/dead/\"\nupstream = \"dead\"\n[routes.policy]\nallowed_origins = [\"https://app.example\"]\n\n[[routes]]\npath = \"/slow\"\nupstream = \"slow\"\n[routes.policy]\nallowed_origins = [\"https://app.example\"]\n\n[[routes]]", up.addr),
    );
    let gw = Gateway::start(&toml, &[]);
    // Upstream down: 502, with the CORS headers for an allowed origin.
    let r = get(&format!("{}/dead/x", gw.url()), &[ORIGIN]).await;
    assert_eq!(r.status, 502);
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
    let r = get(
        &format!("{}/dead/x", gw.url()),
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(r.status, 502);
    assert!(!r.headers.contains_key("access-control-allow-origin"));
    // Upstream slow: 504, with the CORS headers.
    let t = std::time::Instant::now();
    let r = get(&format!("{}/slow?ms=3000", gw.url()), &[ORIGIN]).await;
    assert_eq!(r.status, 504);
    assert!(t.elapsed() < Duration::from_millis(2500));
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
    // Upstream error: its 500, with the CORS headers.
    let r = get(&format!("{}/status/500", gw.url()), &[ORIGIN]).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.text(), "upstream failure");
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(r.header("access-control-allow-credentials"), "true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_timeout_gives_504() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(up.addr, "request_timeout = \"300ms\"", APP_ROUTE),
        &[],
    );
    let r = get(&format!("{}/slow?ms=3000", gw.url()), &[ORIGIN]).await;
    assert_eq!(r.status, 504);
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
}

fn raw(addr: &str, request: &[u8]) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_400_and_the_gateway_keeps_serving() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(
            up.addr,
            "max_headers = 20\nmax_header_bytes = 8192",
            APP_ROUTE,
        ),
        &[],
    );
    let addr = gw.url().trim_start_matches("http://").to_string();
    for bad in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
        b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    ] {
        let text = raw(&addr, bad);
        assert!(
            text.starts_with("HTTP/1.1 400"),
            "{:?} → {text:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // Too many header fields, too large a head: 431.
    let mut many = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
    for i in 0..30 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    assert!(raw(&addr, many.as_bytes()).starts_with("HTTP/1.1 431"));
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(16 * 1024)
    );
    assert!(raw(&addr, big.as_bytes()).starts_with("HTTP/1.1 431"));
    // Malformed CORS headers are the policy's business: the request is not CORS-readable.
    let r = get(gw.url(), &[("origin", "https://app.example/path")]).await;
    assert_eq!(r.status, 200);
    assert!(!r.headers.contains_key("access-control-allow-origin"));
    // Still serving.
    let r = get(gw.url(), &[ORIGIN]).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_connections_holds_further_clients_back() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "max_connections = 1", APP_ROUTE), &[]);
    let addr = gw.url().trim_start_matches("http://").to_string();
    let req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut a = std::net::TcpStream::connect(&addr).unwrap();
    a.write_all(req).unwrap();
    let mut buf = [0u8; 1024];
    a.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let n = a.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // A second client waits while the first connection is open…
    let mut b = std::net::TcpStream::connect(&addr).unwrap();
    b.write_all(req).unwrap();
    b.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    assert!(b.read(&mut buf).is_err(), "served beyond max_connections");
    // …and is served once it closes.
    drop(a);
    b.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let n = b.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_connections_are_reused() {
    let up = upstream().await;
    // One worker thread: each worker keeps its own pool, so with N workers up to N connections.
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &["--threads", "1"]);
    for _ in 0..20 {
        assert_eq!(get(gw.url(), &[ORIGIN]).await.status, 200);
    }
    assert_eq!(up.seen().len(), 20);
    assert_eq!(up.connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_from_clients() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let req = http::Request::get(format!("{}/h2", gw.url()))
        .header("origin", "https://app.example")
        .body(Default::default())
        .unwrap();
    let r = read(client.request(req).await.unwrap()).await;
    assert_eq!(r.version, http::Version::HTTP_2);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
    let seen = up.last();
    assert_eq!(seen.headers["via"], "2 cors");
    assert_eq!(seen.headers["host"], gw.url().trim_start_matches("http://"));
}

async fn tls_request(
    addr: &str,
    roots: rustls::RootCertStore,
    alpn: &[u8],
) -> (Resp, Option<Vec<u8>>) {
    use hyper_util::rt::TokioIo;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![alpn.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(cfg));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, tcp).await.unwrap();
    let negotiated = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    let io = TokioIo::new(tls);
    let req = http::Request::get("https://localhost/tls")
        .header("origin", "https://app.example")
        .header("host", "localhost")
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let resp = if alpn == b"h2" {
        let (mut send, conn) =
            hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), io)
                .await
                .unwrap();
        tokio::spawn(conn);
        send.send_request(req).await.unwrap()
    } else {
        let (mut send, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        send.send_request(req).await.unwrap()
    };
    (read(resp).await, negotiated)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_termination_from_certificate_files() {
    let up = upstream().await;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = temp_dir("tls");
    std::fs::write(dir.join("cert.pem"), cert.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), cert.signing_key.serialize_pem()).unwrap();
    let toml = config(up.addr, "", APP_ROUTE).replacen(
        "address = \"127.0.0.1:0\"\n",
        "address = \"127.0.0.1:0\"\ntls = { certificate = \"cert.pem\", private_key = \"key.pem\" }\n",
        1,
    );
    let config_path = dir.join("gateway.toml");
    std::fs::write(&config_path, toml).unwrap();
    let gw = Gateway::start_file(config_path, dir, &[]);
    assert!(gw.url().starts_with("https://"), "{}", gw.url());
    let addr = gw.url().trim_start_matches("https://").to_string();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    for alpn in [&b"h2"[..], b"http/1.1"] {
        let (r, negotiated) = tls_request(&addr, roots.clone(), alpn).await;
        assert_eq!(negotiated.as_deref(), Some(alpn));
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );
        assert_eq!(up.last().headers["x-forwarded-proto"], "https");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10_mb_body_streams_through_both_ways_without_buffering() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    // Warm up every path first, so the baseline includes the code and the pools.
    get(&format!("{}/download?bytes=100000", gw.url()), &[ORIGIN]).await;
    send(
        "POST",
        &format!("{}/upload", gw.url()),
        &[ORIGIN],
        &"y".repeat(100_000),
    )
    .await;
    let before = gw.vm_hwm_kib();
    const TEN_MB: u64 = 10 * 1024 * 1024;

    // Upload: a streamed request body (no Content-Length: chunked), counted by the upstream.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Pattern>();
    let req = http::Request::post(format!("{}/upload", gw.url()))
        .header("origin", "https://app.example")
        .body(Pattern { remaining: TEN_MB })
        .unwrap();
    let r = read(client.request(req).await.unwrap()).await;
    assert_eq!(r.text(), TEN_MB.to_string());
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );

    // Download: a 10 MB response body, read as it comes.
    let req = http::Request::get(format!("{}/download?bytes={TEN_MB}", gw.url()))
        .body(Pattern { remaining: 0 })
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let mut body = resp.into_body();
    let mut n = 0u64;
    use http_body_util::BodyExt;
    while let Some(f) = body.frame().await {
        n += f.unwrap().data_ref().map_or(0, |d| d.len() as u64);
    }
    assert_eq!(n, TEN_MB);

    let growth = gw.vm_hwm_kib().saturating_sub(before);
    eprintln!("gateway peak RSS: {before} KiB before, grew by {growth} KiB for 2 × 10 MiB");
    assert!(
        growth < 3 * 1024,
        "the gateway's peak RSS grew by {growth} KiB: bodies are being buffered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_does_not_accept_gives_502_after_the_connect_timeout() {
    // A listener whose accept queue is full: the kernel drops further SYNs, so connects hang.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let full = socket.listen(1).unwrap();
    let addr = full.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            fillers.push(s);
        }
    }
    let toml = format!(
        "[[listeners]]\naddress = \"127.0.0.1:0\"\n[upstreams.stuck]\nurl = \"http://{addr}\"\nconnect_timeout = \"300ms\"\n[[routes]]\npath = \"/\"\nupstream = \"stuck\"\n[routes.policy]\nallowed_origins = [\"https://app.example\"]\n"
    );
    let gw = Gateway::start(&toml, &[]);
    let t = std::time::Instant::now();
    let r = get(gw.url(), &[ORIGIN]).await;
    assert_eq!(r.status, 502, "{}", r.text());
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://app.example"
    );
    drop(fillers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_slower_than_header_read_timeout_is_disconnected() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(up.addr, "header_read_timeout = \"300ms\"", APP_ROUTE),
        &[],
    );
    let addr = gw.url().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    assert_stalled_request_cut_off(&mut s, "/");
    assert!(up.seen().is_empty());
    assert_eq!(get(gw.url(), &[ORIGIN]).await.status, 200);
}

/// The header read timeout holds for every request of a kept-alive connection, not only the
/// first (the connection's timer is re-armed for each), and a request answered in time is not
/// cut short by the timer of an earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_read_timeout_holds_for_later_requests_of_a_connection() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(
            up.addr,
            "header_read_timeout = \"400ms\"\nrequest_timeout = \"2s\"",
            APP_ROUTE,
        ),
        &[],
    );
    let addr = gw.url().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 4096];
    for path in ["/a", "/slow?ms=700", "/b"] {
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut got = Vec::new();
        while !(got.ends_with(b"\r\n\r\nok") || got.ends_with(b"\r\n\r\nslow done")) {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "closed while answering {path}");
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got.starts_with(b"HTTP/1.1 200"), "{path}");
    }
    assert_stalled_request_cut_off(&mut s, "/c");
    assert_eq!(up.seen().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_closes_each_connection_is_still_served() {
    // An upstream without keep-alive: every pooled connection is gone by the next request.
    let (addr, _) = accept_counting(|stream| async move {
        let svc = hyper::service::service_fn(|_req| async {
            Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(
                bytes::Bytes::from("fresh"),
            )))
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .keep_alive(false)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
            .await;
    })
    .await;
    let gw = Gateway::start(&config(addr, "", APP_ROUTE), &["--threads", "1"]);
    for _ in 0..10 {
        let r = get(gw.url(), &[ORIGIN]).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "fresh");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_and_bodiless_answers_keep_the_upstream_connection_usable() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &["--threads", "1"]);
    for method in ["HEAD", "GET", "HEAD", "DELETE", "GET"] {
        let r = send(method, &format!("{}/x", gw.url()), &[ORIGIN], "").await;
        assert_eq!(r.status, 200, "{method}");
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );
        assert_eq!(
            r.text(),
            if method == "HEAD" { "" } else { "ok" },
            "{method}"
        );
    }
    assert_eq!(up.connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// Sends the head of a request without its blank line and checks that the gateway ends the
/// connection (silently or with 408) within 3 s instead of waiting for the rest.
fn assert_stalled_request_cut_off(s: &mut std::net::TcpStream, path: &str) {
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n").unwrap(); // …and never the blank line
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let t = std::time::Instant::now();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "still connected after {:?}",
        t.elapsed()
    );
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}
