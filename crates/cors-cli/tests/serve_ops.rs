//! End-to-end operations of the real `cors serve` binary: reloads (file change, SIGHUP, an
//! invalid file), graceful shutdown under load, the admin listener's metrics, the per-request
//! log line, and `cors lint` on the same gateway file.

mod serve_support;
use rustix::process::Signal;
use serve_support::*;
use std::time::Duration;

fn route_for(origin: &str) -> String {
    format!(
        "[[routes]]\nname = \"app\"\npath = \"/\"\nupstream = \"app\"\n[routes.policy]\nallowed_origins = [\"{origin}\"]\n"
    )
}

async fn allows(gw: &Gateway, origin: &str) -> bool {
    get(gw.url(), &[("origin", origin)])
        .await
        .headers
        .contains_key("access-control-allow-origin")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_change_reloads_and_an_invalid_file_keeps_the_running_policy() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(up.addr, "", &route_for("https://a.example")),
        &["--watch-interval", "100ms"],
    );
    assert!(allows(&gw, "https://a.example").await);
    assert!(!allows(&gw, "https://b.example").await);

    std::fs::write(
        &gw.config,
        config(up.addr, "", &route_for("https://b.example")),
    )
    .unwrap();
    assert!(
        eventually(Duration::from_secs(5), || allows(&gw, "https://b.example")).await,
        "not reloaded:\n{}",
        gw.stderr()
    );
    assert!(!allows(&gw, "https://a.example").await);

    // An invalid file (a credentialed wildcard) is reported; the running policy stays.
    let bad = config(up.addr, "", &route_for("*")).replace(
        "allowed_origins = [\"*\"]",
        "allowed_origins = [\"*\"]\nallow_credentials = true",
    );
    std::fs::write(&gw.config, bad).unwrap();
    assert!(
        eventually(Duration::from_secs(5), || async {
            gw.stderr().contains("wildcard-with-credentials")
        })
        .await,
        "the invalid file was not reported:\n{}",
        gw.stderr()
    );
    assert!(allows(&gw, "https://b.example").await);
    assert!(!allows(&gw, "https://c.example").await);
    let metrics = get(gw.metrics.as_deref().unwrap(), &[]).await.text();
    assert!(
        metrics.contains("cors_gateway_config_reloads_total{result=\"ok\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("cors_gateway_config_reloads_total{result=\"error\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_and_requests_in_flight_finish() {
    let up = upstream().await;
    let gw = Gateway::start(
        &config(up.addr, "", &route_for("https://a.example")),
        &["--no-watch"],
    );
    // A slow request, in flight across the reload.
    let url = format!("{}/slow?ms=1500", gw.url());
    let slow = tokio::spawn(async move { get(&url, &[("origin", "https://a.example")]).await });
    tokio::time::sleep(Duration::from_millis(300)).await;

    std::fs::write(
        &gw.config,
        config(up.addr, "", &route_for("https://b.example")),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        allows(&gw, "https://a.example").await,
        "--no-watch: only SIGHUP reloads"
    );
    gw.signal(Signal::HUP);
    assert!(
        eventually(Duration::from_secs(5), || allows(&gw, "https://b.example")).await,
        "{}",
        gw.stderr()
    );

    let r = slow.await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "slow done");
    assert_eq!(
        r.header("access-control-allow-origin"),
        "https://a.example",
        "decided under the policy it began with"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_requests_loses_none_of_them() {
    let up = upstream().await;
    let mut gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    let mut inflight = Vec::new();
    for _ in 0..20 {
        let url = format!("{}/slow?ms=1000", gw.url());
        inflight.push(tokio::spawn(async move {
            get(&url, &[("origin", "https://app.example")]).await
        }));
    }
    assert!(eventually(Duration::from_secs(5), || async { up.seen().len() == 20 }).await);
    gw.signal(Signal::TERM);
    for r in inflight {
        let r = r.await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "slow done");
        assert_eq!(
            r.header("access-control-allow-origin"),
            "https://app.example"
        );
    }
    let status = gw
        .wait_exit(Duration::from_secs(10))
        .expect("exits after draining");
    assert!(status.success(), "{status:?}\n{}", gw.stderr());
    assert!(gw.stderr().contains("SIGTERM"));
    let addr = gw.url().trim_start_matches("http://").to_string();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "no longer listening"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_gracefully_too() {
    let up = upstream().await;
    let mut gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    let url = format!("{}/slow?ms=500", gw.url());
    let inflight = tokio::spawn(async move { get(&url, &[]).await });
    assert!(eventually(Duration::from_secs(5), || async { up.seen().len() == 1 }).await);
    gw.signal(Signal::INT);
    assert_eq!(inflight.await.unwrap().status, 200);
    let status = gw.wait_exit(Duration::from_secs(10)).expect("exits");
    assert!(status.success(), "{status:?}");
    assert!(gw.stderr().contains("Ctrl-C"), "{}", gw.stderr());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_decisions_preflights_rejections_errors_and_latency() {
    let up = upstream().await;
    let dead = closed_port();
    let toml = config(up.addr, "", APP_ROUTE).replace(
        "[[routes]]",
        &format!("[upstreams.dead]\nurl = \"http://127.0.0.1:{dead}\"\n\n[[routes]]\nname = \"dead\"\npath = \"/dead\"\nupstream = \"dead\"\n[routes.policy]\nallowed_origins = [\"https://app.example\"]\n\n[[routes]]"),
    );
    let gw = Gateway::start(&toml, &[]);
    get(gw.url(), &[("origin", "https://app.example")]).await;
    get(gw.url(), &[("origin", "https://app.example")]).await;
    get(gw.url(), &[("origin", "https://evil.example")]).await;
    get(gw.url(), &[("origin", "https://app.example/bad")]).await;
    get(gw.url(), &[]).await;
    send(
        "OPTIONS",
        gw.url(),
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PUT"),
        ],
        "",
    )
    .await;
    send(
        "OPTIONS",
        gw.url(),
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PATCH"),
        ],
        "",
    )
    .await;
    get(
        &format!("{}/dead", gw.url()),
        &[("origin", "https://app.example")],
    )
    .await;
    let text = get(gw.metrics.as_deref().unwrap(), &[]).await.text();
    for line in [
        r#"cors_gateway_requests_total{route="app",decision="allowed"} 2"#,
        r#"cors_gateway_requests_total{route="app",decision="disallowed"} 2"#,
        r#"cors_gateway_requests_total{route="app",decision="not-cors"} 1"#,
        r#"cors_gateway_requests_total{route="app",decision="preflight-allowed"} 1"#,
        r#"cors_gateway_requests_total{route="app",decision="preflight-rejected"} 1"#,
        r#"cors_gateway_preflights_total{route="app",answered_by="gateway"} 2"#,
        r#"cors_gateway_rejections_total{route="app",reason="origin-not-allowed"} 1"#,
        r#"cors_gateway_rejections_total{route="app",reason="malformed-origin"} 1"#,
        r#"cors_gateway_rejections_total{route="app",reason="method-not-allowed"} 1"#,
        r#"cors_gateway_upstream_errors_total{upstream="dead",kind="connect"} 1"#,
        r#"cors_gateway_request_duration_seconds_count{route="app"} 7"#,
        r#"cors_gateway_request_duration_seconds_bucket{route="app",le="+Inf"} 7"#,
        r#"cors_gateway_requests_total{route="dead",decision="allowed"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
    assert!(text.contains("# TYPE cors_gateway_request_duration_seconds histogram"));
    assert_eq!(
        get(
            &gw.metrics
                .as_deref()
                .unwrap()
                .replace("/metrics", "/healthz"),
            &[]
        )
        .await
        .text(),
        "ok\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_log_line_per_request_with_its_decision_and_reason() {
    let up = upstream().await;
    let gw = Gateway::start(&config(up.addr, "", APP_ROUTE), &[]);
    get(
        &format!("{}/one", gw.url()),
        &[("origin", "https://app.example")],
    )
    .await;
    send(
        "OPTIONS",
        &format!("{}/two", gw.url()),
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
        "",
    )
    .await;
    let lines = || {
        gw.log_lines()
            .into_iter()
            .filter(|l| l["target"] == "cors::access")
            .collect::<Vec<_>>()
    };
    assert!(
        eventually(Duration::from_secs(3), || async { lines().len() >= 2 }).await,
        "{}",
        gw.stderr()
    );
    let lines = lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["path"], "/one");
    assert_eq!(lines[0]["decision"], "allowed");
    assert_eq!(lines[0]["reason"], "origin-allowed");
    assert_eq!(lines[0]["status"], 200);
    assert_eq!(lines[0]["route"], "app");
    assert_eq!(lines[1]["decision"], "preflight-rejected");
    assert_eq!(lines[1]["reason"], "origin-not-allowed");
    assert_eq!(lines[1]["status"], 403);
    assert!(
        lines[1]["message"]
            .as_str()
            .unwrap()
            .contains("https://evil.example")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_file_at_start_is_reported_with_locations_and_nothing_starts() {
    let dir = temp_dir("bad");
    let file = dir.join("gateway.toml");
    std::fs::write(&file, "[[listeners]]\naddress = \"127.0.0.1:0\"\n[upstreams.app]\nurl = \"http://127.0.0.1:1\"\n[[routes]]\npath = \"/\"\nupstream = \"app\"\n[routes.policy]\nallowed_origins = [\"https://a.example/\"]\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("gateway.toml:9:20: error[invalid-origin]"),
        "{err}"
    );
    assert!(err.contains("write `https://a.example`"), "{err}");
}

#[test]
fn cors_lint_checks_a_gateway_file_and_each_route_policy() {
    let dir = temp_dir("lint");
    let file = dir.join("gateway.toml");
    std::fs::write(
        &file,
        r#"[[listeners]]
address = "127.0.0.1:8080"

[upstreams.app]
url = "http://127.0.0.1:3000"

[[routes]]
path = "/api/"
upstream = "app"
[routes.policy]
allowed_origins = ["*"]
allow_credentials = true

[[routes]]
glob = "/files/*.json"
upstream = "api"
[routes.policy]
allowed_origins = ["https://app.example.com"]
max_age = 86400
"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["lint", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, u64, u64)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("wildcard-with-credentials", 11, 20),
        ("unknown-upstream", 16, 12),
        ("max-age-above-browser-caps", 19, 11),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((code, line, col), (wc, wl, wcol)) in got.iter().zip(want) {
        assert_eq!((code.as_str(), *line, *col), (wc, wl, wcol));
    }
    assert_eq!(doc["errors"], 2);
    assert_eq!(doc["warnings"], 1);
}
