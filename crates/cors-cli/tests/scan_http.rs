//! End to end: the HTTP client shell under `cors scan` — failure classification (connection
//! refused, timeout, TLS), retries on connection errors only, `--insecure`, and the proxy
//! environment variables (absolute-form for http, CONNECT tunnels for https, NO_PROXY).
//! Everything listens on 127.0.0.1; proxied target names are never resolved locally.

mod zoo;

// The same self-signed certificate `cors check`'s network tests use.
mod check_support;
use check_support::self_signed;

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use zoo::{TRUSTED, Zoo, scan_json};

fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    drop(l);
    url
}

fn only_error(v: &Value) -> (&str, &str) {
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    (
        errors[0]["kind"].as_str().unwrap(),
        errors[0]["message"].as_str().unwrap(),
    )
}

#[test]
fn connection_refused_is_retried_with_backoff_then_reported_once() {
    let url = closed_port_url();
    let start = Instant::now();
    let (code, v, _) = scan_json(&[&url, "--retries", "2", "--rate", "1000"]);
    let elapsed = start.elapsed();
    assert_eq!(code, 3, "incomplete scan");
    assert_eq!(only_error(&v).0, "connection-refused");
    // The baseline was tried 1 + 2 times; no other probe was sent to an unreachable target.
    assert_eq!(v["targets"][0]["requests"], 3);
    // Backoff 250 ms then 500 ms between the attempts.
    assert!(elapsed >= Duration::from_millis(750), "{elapsed:?}");
}

#[test]
fn timeouts_are_classified_and_not_retried() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let held2 = held.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            held2.lock().unwrap().push(s);
        }
    });
    let (code, v, _) = scan_json(&[&url, "--timeout", "0.3", "--retries", "2", "--rate", "1000"]);
    assert_eq!(code, 3);
    assert_eq!(only_error(&v).0, "timeout");
    assert_eq!(v["targets"][0]["requests"], 1, "timeouts are not retried");
}

#[test]
fn plain_http_on_an_https_url_is_a_tls_error() {
    let zoo = Zoo::new();
    let plain = zoo.serve("plain", zoo::origin_check(|_| true));
    let url = format!("https://{}/", plain.addr);
    let (code, v, _) = scan_json(&[&url, "--rate", "1000"]);
    assert_eq!(code, 3);
    assert_eq!(only_error(&v).0, "tls");
    assert_eq!(
        v["targets"][0]["requests"], 1,
        "TLS failures are not retried"
    );
}

#[test]
fn self_signed_certificates_fail_unless_insecure() {
    let zoo = Zoo::new();
    let tls = zoo.serve_tls("echo over TLS", zoo::origin_check(|_| true), self_signed());
    let url = format!("https://localhost:{}/", tls.addr.port());

    let (code, v, _) = scan_json(&[&url, "--rate", "1000", "--trusted-origin", TRUSTED]);
    assert_eq!(code, 3);
    let (kind, message) = only_error(&v);
    assert_eq!(kind, "tls");
    // Verified against the system roots (scripts/install-test-deps installs ca-certificates),
    // which do not know this issuer.
    assert!(message.contains("UnknownIssuer"), "{message}");
    assert!(tls.requests().is_empty());

    let (code, v, _) = scan_json(&[
        &url,
        "--rate",
        "1000",
        "--trusted-origin",
        TRUSTED,
        "--insecure",
    ]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["findings"][0]["id"], "origin-reflected");
    assert_eq!(v["findings"][0]["target"], url);
    assert!(!tls.requests().is_empty());
}

#[test]
fn http_proxy_gets_absolute_form_requests_and_no_proxy_bypasses_it() {
    let zoo = Zoo::new();
    // The "proxy" answers itself, as an origin-reflecting server would.
    let proxy = zoo.serve("proxy", zoo::origin_check(|_| true));
    let proxy_url = format!("http://{}", proxy.addr);
    let out = zoo::cors()
        .env("HTTP_PROXY", &proxy_url)
        .args([
            "scan",
            "http://app.internal.test/api",
            "--json",
            "--rate",
            "1000",
        ])
        .args(["--trusted-origin", TRUSTED])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["id"], "origin-reflected", "{v}");
    let seen = proxy.requests();
    assert!(!seen.is_empty());
    for r in &seen {
        assert_eq!(
            r.uri, "http://app.internal.test/api",
            "absolute-form through the proxy"
        );
        assert_eq!(r.header("host"), Some("app.internal.test"));
    }

    // NO_PROXY: the target is reached directly and the proxy sees nothing more.
    let before = proxy.requests().len();
    let direct = zoo.serve("direct", zoo::origin_check(|o| o == TRUSTED));
    let out = zoo::cors()
        .env("http_proxy", &proxy_url)
        .env("no_proxy", "127.0.0.1")
        .args([
            "scan",
            &direct.url(),
            "--json",
            "--rate",
            "1000",
            "--trusted-origin",
            TRUSTED,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(proxy.requests().len(), before);
    assert!(!direct.requests().is_empty());
}

#[test]
fn https_goes_through_a_connect_tunnel() {
    let zoo = Zoo::new();
    let tls = zoo.serve_tls("echo over TLS", zoo::origin_check(|_| true), self_signed());
    let upstream = tls.addr;
    // A CONNECT-only proxy that tunnels every CONNECT to the TLS server, and logs the targets.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let proxy_addr = listener.local_addr().unwrap();
    let connects = Arc::new(Mutex::new(Vec::<String>::new()));
    let connects2 = connects.clone();
    let listener = {
        let _g = zoo.handle().enter();
        tokio::net::TcpListener::from_std(listener).unwrap()
    };
    zoo.spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            let connects = connects2.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if s.read(&mut b).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(b[0]);
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                connects.lock().unwrap().push(line.clone());
                if !line.starts_with("CONNECT ") {
                    let _ = s
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                if s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_ok()
                {
                    let _ = tokio::io::copy_bidirectional(&mut s, &mut up).await;
                }
            });
        }
    });
    let out = zoo::cors()
        .env("HTTPS_PROXY", format!("http://{proxy_addr}"))
        .args([
            "scan",
            "https://app.internal.test/",
            "--json",
            "--insecure",
            "--rate",
            "1000",
        ])
        .args(["--trusted-origin", TRUSTED])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["id"], "origin-reflected", "{v}");
    let lines = connects.lock().unwrap().clone();
    assert!(!lines.is_empty());
    for l in &lines {
        assert_eq!(l, "CONNECT app.internal.test:443 HTTP/1.1");
    }
    assert_eq!(tls.requests().len(), lines.len(), "one tunnel per request");
    assert!(
        tls.requests()
            .iter()
            .all(|r| r.header("host") == Some("app.internal.test"))
    );
}

#[test]
fn stdin_target_list() {
    let zoo = Zoo::new();
    let echo = zoo.serve("echo", zoo::origin_check(|_| true));
    let mut child = zoo::cors()
        .args(["scan", "--file", "-", "--json", "--rate", "1000"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", echo.url()).unwrap();
    }
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1));
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["findings"][0]["id"], "origin-reflected");
}
