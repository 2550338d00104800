//! End-to-end: `cors serve` with no `--config` starts the built-in demo; the article's three
//! exchanges and the disallowed one, seen by a real HTTP client through the real binary.

mod serve_support;
use serve_support::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The demo on free ports, and the URLs it printed.
struct Demo {
    child: Child,
    page: String,
    other: String,
    gateway: String,
    metrics: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_demo() -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["serve", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let (mut page, mut other, mut gateway, mut metrics) = (None, None, None, None);
    let deadline = Instant::now() + Duration::from_secs(20);
    let url = |l: &str| {
        l.split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_string)
    };
    for line in out.lines().map_while(Result::ok) {
        let l = line.trim();
        if l.starts_with("Open the page:") {
            page = url(l);
        } else if l.starts_with("disallowed page") {
            other = url(l);
        } else if l.starts_with("gateway (bar.other)") {
            gateway = url(l);
        } else if l.starts_with("metrics") {
            metrics = url(l);
        } else if l.starts_with("Ctrl-C stops") || Instant::now() > deadline {
            break;
        }
    }
    Demo {
        child,
        page: page
            .expect("the page URL is printed")
            .trim_end_matches('/')
            .to_string(),
        other: other.expect("the disallowed page URL is printed"),
        gateway: gateway.expect("the gateway URL is printed"),
        metrics: metrics.expect("the metrics URL is printed"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_the_articles_exchanges() {
    let d = start_demo();
    let page = d.page.as_str();
    let gw = d.gateway.as_str();

    // The page and its assets, on the page's origin.
    let index = get(&format!("{page}/"), &[]).await;
    assert_eq!(index.status, 200);
    assert!(index.text().contains("<script src=\"/app.js\">"));
    let cfg: serde_json::Value =
        serde_json::from_slice(&get(&format!("{page}/api/config"), &[]).await.body).unwrap();
    assert_eq!(format!("http://127.0.0.1:{}", cfg["gateway_port"]), gw);
    assert!(cfg["gateway_toml"].as_str().unwrap().contains("[[routes]]"));
    assert_eq!(
        get(&format!("{}/frame.html", d.other), &[]).await.status,
        200
    );

    // 1. Simple request: Access-Control-Allow-Origin: *.
    let r = get(
        &format!("{gw}/resources/public-data/?run=t1"),
        &[("origin", page)],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), "*");
    assert!(r.text().contains("XML Data"));

    // 2. Preflighted request: 204 with the article's headers, then the POST.
    let r = send(
        "OPTIONS",
        &format!("{gw}/doc?run=t2"),
        &[
            ("origin", page),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-pingother,content-type"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), page);
    assert_eq!(
        r.header("access-control-allow-methods"),
        "POST, GET, OPTIONS"
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        "X-PINGOTHER, Content-Type"
    );
    let r = send(
        "POST",
        &format!("{gw}/doc?run=t2"),
        &[
            ("origin", page),
            ("x-pingother", "pingpong"),
            ("content-type", "text/xml; charset=UTF-8"),
        ],
        "<person><name>Arun</name></person>",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), page);
    assert!(r.text().contains("<person><name>Arun</name></person>"));

    // 3. Credentialed request: the origin, credentials allowed, and the cookie counted.
    let r = get(
        &format!("{gw}/resources/credentialed-content/?run=t3"),
        &[("origin", page), ("cookie", "pageAccess=2")],
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), page);
    assert_eq!(r.header("access-control-allow-credentials"), "true");
    assert!(r.header("set-cookie").starts_with("pageAccess=3"));

    // 4. The disallowed origin: the preflight is refused without CORS headers.
    let r = send(
        "OPTIONS",
        &format!("{gw}/doc?run=t4"),
        &[
            ("origin", d.other.as_str()),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-pingother,content-type"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(!r.headers.contains_key("access-control-allow-origin"));

    // The page's server shows what the gateway saw and decided, by run.
    let x: serde_json::Value =
        serde_json::from_slice(&get(&format!("{page}/api/exchanges?run=t4"), &[]).await.body)
            .unwrap();
    assert_eq!(x[0]["method"], "OPTIONS");
    assert_eq!(x[0]["decision"], "preflight-rejected");
    assert_eq!(x[0]["reason"], "origin-not-allowed");
    let x: serde_json::Value =
        serde_json::from_slice(&get(&format!("{page}/api/exchanges?run=t2"), &[]).await.body)
            .unwrap();
    assert_eq!(x.as_array().unwrap().len(), 2);

    let m = get(&d.metrics, &[]).await.text();
    assert!(
        m.contains(r#"cors_gateway_requests_total{route="/doc",decision="preflight-rejected"} 1"#),
        "{m}"
    );
}

#[test]
fn the_demo_ports_are_fixed_and_overridable() {
    // Four consecutive ports from --port; a taken port is a clear error, not a random port.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = l.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["serve", "--port", &taken.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot listen on 127.0.0.1:{taken}")),
        "{err}"
    );
    assert!(err.contains("--port"), "{err}");
    let help = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: 8000]"), "{help}");
}
