//! End-to-end: `cors serve` against slow and hostile clients — a request head trickled in byte
//! by byte (slow loris), clients that never read their answer, more connections than a worker
//! may hold — while ordinary clients are still served. Functional checks only; the throughput
//! figures under attack come from `benches/slowloris.sh` (BENCHMARKS.md).

mod serve_support;
use serve_support::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const ORIGIN: (&str, &str) = ("origin", "https://app.example");

fn addr(gw: &Gateway) -> String {
    gw.url().trim_start_matches("http://").to_string()
}

/// `[limits] header_read_timeout` counts from when the gateway begins waiting for a head: a
/// client that keeps sending a byte at a time is cut off when it has passed, not when it stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_trickled_byte_by_byte_gets_408_at_the_header_read_timeout() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(up.addr, "header_read_timeout = \"1s\"", APP_ROUTE),
        &[],
    );
    let mut s = TcpStream::connect(addr(&gw)).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    // 80 bytes at one per 100 ms would take 8 s.
    let head = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
        "p".repeat(48)
    );
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    'send: for b in head.bytes() {
        if s.write_all(&[b]).is_err() {
            break;
        }
        let next = Instant::now() + Duration::from_millis(100);
        while Instant::now() < next {
            match s.read(&mut buf) {
                Ok(0) => break 'send,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => break 'send,
            }
        }
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(2500),
        "the trickling client was held {took:?}"
    );
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(up.seen().is_empty(), "a partial head reached the upstream");
}

/// `[limits] send_timeout`: a client that never reads its (large) answer is disconnected once
/// the answer has made no progress for that long; the gateway serves others meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_closed_after_send_timeout() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(up.addr, "send_timeout = \"1s\"", APP_ROUTE),
        &["--threads", "1"],
    );
    const BIG: usize = 64 * 1024 * 1024;
    let mut s = TcpStream::connect(addr(&gw)).unwrap();
    write!(s, "GET /download?bytes={BIG} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    // Read nothing for 3 s: the socket buffers fill, the gateway's writes stall.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        get(gw.url(), &[ORIGIN]).await.status,
        200,
        "others still served"
    );
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut n = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    let ended = loop {
        match s.read(&mut buf) {
            Ok(0) => break "closed",
            Ok(k) => n += k,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break "still open";
            }
            Err(_) => break "reset",
        }
    };
    assert_ne!(
        ended, "still open",
        "the stalled connection was kept ({n} bytes read)"
    );
    assert!(
        n < BIG / 2,
        "{n} bytes arrived: the stalled answer was not cut off"
    );
}

/// `[limits] max_connections_per_worker`: beyond it, a connection waits (it is not accepted
/// onto a full worker), the gateway logs why, and the connection is served once a seat frees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_at_its_connection_limit_takes_no_more_and_says_so() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(up.addr, "max_connections_per_worker = 2", APP_ROUTE),
        &["--threads", "1"],
    );
    let req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut buf = [0u8; 4096];
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut c = TcpStream::connect(addr(&gw)).unwrap();
        c.write_all(req).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let n = c.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        held.push(c);
    }
    let mut third = TcpStream::connect(addr(&gw)).unwrap();
    third.write_all(req).unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(700)))
        .unwrap();
    assert!(third.read(&mut buf).is_err(), "served beyond the limit");
    let logged = gw.log_lines().into_iter().any(|l| {
        l["level"] == "WARN"
            && l["message"]
                .as_str()
                .is_some_and(|m| m.contains("max_connections_per_worker"))
    });
    assert!(logged, "no warning; stderr:\n{}", gw.stderr());
    drop(held.pop());
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let n = third.read(&mut buf).unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "not served once a seat freed"
    );
}

/// All at once: slow-loris connections and clients that never read, while ordinary requests
/// keep being answered (every one of them, with its CORS headers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordinary_clients_are_answered_under_slow_loris_and_non_readers() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(
            up.addr,
            "header_read_timeout = \"2s\"\nsend_timeout = \"1s\"",
            APP_ROUTE,
        ),
        &["--threads", "2"],
    );
    let a = addr(&gw);
    let mut hostile = Vec::new();
    for i in 0..200 {
        let mut s = TcpStream::connect(&a).unwrap();
        let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        hostile.push(s);
        if i % 10 == 0 {
            let mut s = TcpStream::connect(&a).unwrap();
            let _ = s.write_all(b"GET /download?bytes=33554432 HTTP/1.1\r\nHost: x\r\n\r\n");
            hostile.push(s);
        }
    }
    let started = Instant::now();
    let mut answered = 0;
    while started.elapsed() < Duration::from_secs(4) {
        let r = get(gw.url(), &[ORIGIN]).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );
        answered += 1;
        for s in hostile.iter_mut().step_by(7) {
            let _ = s.write_all(b"s");
        }
    }
    assert!(answered >= 20, "only {answered} answers in 4 s");
    drop(hostile);
}
