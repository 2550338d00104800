//! End to end: the real `cors` binary scans the zoo over real sockets on 127.0.0.1. Every
//! misconfigured server is reported with exactly its class; no correct server gets a finding
//! above informational.

mod serve_support;
mod zoo;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use zoo::{TRUSTED, Zoo, scan_json};

fn findings_by_target(v: &Value) -> BTreeMap<String, Vec<(String, String)>> {
    let mut m: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for f in v["findings"].as_array().expect("findings array") {
        m.entry(f["target"].as_str().unwrap().to_string())
            .or_default()
            .push((
                f["id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            ));
    }
    m
}

#[test]
fn every_misconfigured_server_gets_exactly_its_class_and_correct_ones_nothing_above_info() {
    let zoo = Zoo::new();
    let animals: Vec<zoo::Animal> = zoo::misconfigured()
        .into_iter()
        .chain(zoo::correct())
        .collect();
    let servers: Vec<(zoo::Server, &'static [&'static str])> = animals
        .into_iter()
        .map(|a| (zoo.serve(a.name, a.handler), a.expect))
        .collect();
    let urls: Vec<String> = servers.iter().map(|(s, _)| s.url()).collect();
    let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
    args.extend([
        "--trusted-origin",
        TRUSTED,
        "--rate",
        "1000",
        "--concurrency",
        "8",
        "--fail-on",
        "none",
    ]);
    let (code, v, stderr) = scan_json(&args);
    assert_eq!(
        code, 0,
        "--fail-on none and every target reachable; stderr: {stderr}"
    );
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    let by_target = findings_by_target(&v);

    let mut failures = Vec::new();
    for (server, expect) in &servers {
        let got = by_target.get(&server.url()).cloned().unwrap_or_default();
        let ids: BTreeSet<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
        if expect.is_empty() {
            let above_info: Vec<_> = got.iter().filter(|(_, s)| s != "info").collect();
            if !above_info.is_empty() {
                failures.push(format!(
                    "correct server `{}` got {above_info:?}",
                    server.name
                ));
            }
        } else {
            let want: BTreeSet<&str> = expect.iter().copied().collect();
            if ids != want || got.len() != expect.len() {
                failures.push(format!(
                    "`{}`: expected exactly {want:?}, got {got:?}",
                    server.name
                ));
            }
        }
        // Only GET, HEAD and OPTIONS, and never a body.
        for r in server.requests() {
            assert!(
                matches!(r.method.as_str(), "GET" | "HEAD" | "OPTIONS"),
                "{} got {}",
                server.name,
                r.method
            );
            assert!(
                r.header("content-length").is_none() && r.header("transfer-encoding").is_none(),
                "{} got a body: {:?}",
                server.name,
                r.headers
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn evidence_shows_the_request_and_the_headers_received_and_credentials_raise_severity() {
    let zoo = Zoo::new();
    let echo = zoo.serve("echo", zoo::origin_check(|_| true));
    let no_creds = zoo.serve(
        "echo without credentials",
        std::sync::Arc::new(|req: &zoo::Seen| {
            let mut h = vec![("vary", "Origin".to_string())];
            if let Some(o) = req.origin() {
                h.push(("access-control-allow-origin", o.to_string()));
            }
            (http::StatusCode::OK, h)
        }),
    );
    let (code, v, _) = scan_json(&[
        &echo.url(),
        &no_creds.url(),
        "--trusted-origin",
        TRUSTED,
        "--rate",
        "1000",
    ]);
    assert_eq!(code, 1, "default --fail-on low");
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["target"], echo.url());
    assert_eq!(f["id"], "origin-reflected");
    assert_eq!(f["severity"], "critical");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("Access-Control-Allow-Credentials: true")
    );
    assert!(f["fix"].as_str().unwrap().contains("exact"));
    let ev = &f["evidence"];
    assert_eq!(ev["credentials"], true);
    assert_eq!(ev["origin"], "https://evil.test");
    let x = &ev["exchanges"][0];
    assert_eq!(x["request"]["method"], "GET");
    assert!(
        x["request"]["headers"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["origin", "https://evil.test"]))
    );
    assert_eq!(x["response"]["status"], 200);
    assert!(
        x["response"]["headers"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!([
                "access-control-allow-origin",
                "https://evil.test"
            ]))
    );
    // The derived classes are in the evidence, not separate findings.
    let also: BTreeSet<&str> = ev["also_accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    for derived in [
        "null-origin-allowed",
        "prefix-match",
        "suffix-match",
        "substring-match",
        "unescaped-dot",
        "arbitrary-subdomain-trusted",
        "insecure-origin-trusted",
    ] {
        assert!(also.contains(derived), "{derived} missing from {also:?}");
    }
    assert_eq!(findings[1]["id"], "origin-reflected");
    assert_eq!(findings[1]["severity"], "medium");
    assert_eq!(findings[1]["evidence"]["credentials"], false);

    // --fail-on decides the exit code.
    let (code, _, _) = scan_json(&[
        &no_creds.url(),
        "--trusted-origin",
        TRUSTED,
        "--rate",
        "1000",
        "--fail-on",
        "high",
    ]);
    assert_eq!(code, 0, "medium < high");
    let (code, _, _) = scan_json(&[
        &no_creds.url(),
        "--trusted-origin",
        TRUSTED,
        "--rate",
        "1000",
        "--fail-on",
        "medium",
    ]);
    assert_eq!(code, 1, "medium >= medium");
}

#[test]
fn url_only_targets_are_probed_from_their_own_origin() {
    let zoo = Zoo::new();
    let echo = zoo.serve("echo", zoo::origin_check(|_| true));
    let null = zoo.serve(
        "own origin or null",
        std::sync::Arc::new(|req: &zoo::Seen| {
            let own = format!("http://{}", req.header("host").unwrap_or_default());
            zoo::origin_check(move |o| o == own || o == "null")(req)
        }),
    );
    let exact = zoo.serve(
        "own origin only",
        std::sync::Arc::new(|req: &zoo::Seen| {
            let own = format!("http://{}", req.header("host").unwrap_or_default());
            zoo::origin_check(move |o| o == own)(req)
        }),
    );
    let (_, v, _) = scan_json(&[&echo.url(), &null.url(), &exact.url(), "--rate", "1000"]);
    let by = findings_by_target(&v);
    let ids = |s: &zoo::Server| -> Vec<String> {
        by.get(&s.url())
            .map(|f| f.iter().map(|(i, _)| i.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(ids(&echo), ["origin-reflected"]);
    assert_eq!(ids(&null), ["null-origin-allowed"]);
    assert!(ids(&exact).is_empty(), "{:?}", ids(&exact));
    // The baseline probe used the target's own origin.
    let first = exact.requests().into_iter().next().unwrap();
    assert_eq!(
        first.origin(),
        Some(format!("http://{}", exact.addr).as_str())
    );
}

#[test]
fn human_report_has_a_summary_table_and_no_progress_bar_off_a_terminal() {
    let zoo = Zoo::new();
    let echo = zoo.serve("echo", zoo::origin_check(|_| true));
    let exact = zoo.serve("exact", zoo::origin_check(|o| o == TRUSTED));
    let out = zoo::cors()
        .args([
            "scan",
            &echo.url(),
            &exact.url(),
            "--trusted-origin",
            TRUSTED,
            "--rate",
            "1000",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "stderr is not a terminal: no bar: {:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("[CRITICAL] origin-reflected"), "{stdout}");
    assert!(stdout.contains("fix: "), "{stdout}");
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("TARGET"))
        .collect();
    assert!(
        table[0].contains("CRITICAL") && table[0].contains("INFO"),
        "{stdout}"
    );
    assert!(
        table
            .iter()
            .any(|l| l.starts_with(&echo.url()) && l.ends_with("origin-reflected")),
        "{stdout}"
    );
    assert!(
        table
            .iter()
            .any(|l| l.starts_with(&exact.url()) && l.ends_with('-')),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 target(s) scanned, 1 finding(s): 1 critical"),
        "{stdout}"
    );
}

#[test]
fn bad_input_is_a_usage_error_not_a_panic() {
    for args in [
        vec!["scan", "ftp://example.test/"],
        vec!["scan", "not a url"],
        vec![
            "scan",
            "http://127.0.0.1:1/",
            "--trusted-origin",
            "https://app.example/",
        ],
        vec!["scan", "http://127.0.0.1:1/", "--trusted-origin", "null"],
        vec!["scan", "--file", "/nonexistent/urls.txt"],
        vec!["scan", "http://127.0.0.1:1/", "--rate", "0"],
    ] {
        let out = zoo::cors().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn file_targets_and_comments() {
    let zoo = Zoo::new();
    let echo = zoo.serve("echo", zoo::origin_check(|_| true));
    let dir = std::env::temp_dir().join(format!("cors-scan-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("urls.txt");
    std::fs::write(&file, format!("# zoo\n\n{}  # echo\n", echo.url())).unwrap();
    let (code, v, _) = scan_json(&["--file", file.to_str().unwrap(), "--rate", "1000"]);
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["target"], echo.url());
    let _ = std::fs::remove_dir_all(&dir);
}

/// On a terminal (a pty from util-linux `script`, part of Debian's essential set) the progress
/// bar is drawn on stderr; off a terminal it is not (see the other tests' empty stderr).
#[test]
fn progress_bar_is_drawn_on_a_terminal() {
    let zoo = Zoo::new();
    let exact = zoo.serve("exact", zoo::origin_check(|o| o == TRUSTED));
    // ~23 requests at 10/s: a couple of seconds, long enough for the bar to be drawn.
    let command = format!(
        "{} scan {} --trusted-origin {TRUSTED} --rate 10 --json",
        env!("CARGO_BIN_EXE_cors"),
        exact.url()
    );
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` is needed for the terminal test");
    let transcript = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{transcript}");
    assert!(
        transcript.contains("0/1"),
        "no progress bar drawn: {transcript:?}"
    );
    assert!(transcript.contains("\"findings\":[]"), "{transcript:?}");
}

/// This project's own servers, configured to trust TRUSTED with credentials: the tower
/// middleware (`cors::tower::CorsLayer` around a plain 200 service, served by hyper) and the
/// gateway (`cors serve` in front of a plain upstream). Neither gets a finding above info.
#[test]
fn our_middleware_and_our_gateway_get_nothing_above_info() {
    let zoo = Zoo::new();
    let plain = zoo.serve(
        "plain upstream",
        std::sync::Arc::new(|_: &zoo::Seen| (http::StatusCode::OK, vec![])),
    );
    let upstream = plain.url();
    let gateway = serve_support::Gateway::start(
        &format!(
            "[[listeners]]\naddress = \"127.0.0.1:0\"\n\
             [upstreams.app]\nurl = \"{}\"\n\
             [[routes]]\npath = \"/\"\nupstream = \"app\"\n\
             [routes.policy]\nallowed_origins = [\"{TRUSTED}\"]\nallowed_methods = [\"GET\", \"PUT\"]\n\
             allowed_headers = [\"Content-Type\"]\nallow_credentials = true\n",
            upstream.trim_end_matches('/')
        ),
        &[],
    );
    let middleware = middleware::serve();
    let targets = [
        format!("{}/", gateway.url()),
        format!("http://{middleware}/"),
    ];
    let (code, v, stderr) = scan_json(&[
        &targets[0],
        &targets[1],
        "--trusted-origin",
        TRUSTED,
        "--rate",
        "1000",
        "--fail-on",
        "none",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    assert_eq!(v["targets"].as_array().map(Vec::len), Some(2), "{v}");
    let by_target = findings_by_target(&v);
    for t in &targets {
        let above_info: Vec<_> = by_target
            .get(t)
            .into_iter()
            .flatten()
            .filter(|(_, s)| s != "info")
            .collect();
        assert!(above_info.is_empty(), "{t}: {above_info:?}");
    }
    // The gateway really answered for the upstream (the probes went through it).
    assert!(!plain.requests().is_empty());
}

mod middleware {
    use bytes::Bytes;
    use cors::policy::Policy;
    use cors::tower::CorsLayer;
    use http_body_util::Full;
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    use std::convert::Infallible;
    use std::future::{Ready, ready};
    use std::net::SocketAddr;
    use std::task::{Context, Poll};
    use tower_service::Service;

    /// The application: 200 `ok`, no CORS header of its own.
    #[derive(Clone)]
    struct Ok200;

    impl<B> Service<http::Request<B>> for Ok200 {
        type Response = http::Response<Full<Bytes>>;
        type Error = Infallible;
        type Future = Ready<Result<Self::Response, Infallible>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: http::Request<B>) -> Self::Future {
            ready(Ok(http::Response::new(Full::new(Bytes::from_static(
                b"ok",
            )))))
        }
    }

    /// Serves the layer on 127.0.0.1 from a thread of its own; lives as long as the test.
    pub fn serve() -> SocketAddr {
        let policy = Policy::builder()
            .allow_origins([super::TRUSTED])
            .allow_methods(["GET", "PUT"])
            .allow_headers(["Content-Type"])
            .allow_credentials(true)
            .build()
            .unwrap();
        let layer = CorsLayer::new(policy);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let svc =
                        TowerToHyperService::new(cors::tower::Cors::new(Ok200, layer.clone()));
                    tokio::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
            });
        });
        addr
    }
}
