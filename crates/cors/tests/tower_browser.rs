//! Headless Chromium and headless Firefox against the tower layer: a page served from one origin
//! calls the MDN article's server (`examples/mdn_article.rs`) on other origins (other ports of
//! 127.0.0.1) and the test asserts what the browser let script read and what it blocked — with
//! the DevTools Protocol's `Network.loadingFailed` `corsErrorStatus` (Chromium) and the console's
//! "Cross-Origin Request Blocked" reason (Firefox) for the blocked ones.
//!
//! Needs chromium, firefox-esr, geckodriver and the npm packages of `browser-tests`
//! (playwright-core): `scripts/install-test-deps`. Missing any is a failure, never a skip.
#![cfg(feature = "tower")]

mod tower_support;

#[allow(dead_code)]
#[path = "../examples/mdn_article.rs"]
mod mdn_article;

mod browser_support;
use axum::{Router, response::Html, routing::get};
use browser_support::Browser;
use cors::agent::FirefoxReason;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use tower_support::serve;

fn harness_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../browser-tests/tower")
}

/// One row: what the page does, and what the browser must decide.
struct Scenario {
    id: &'static str,
    /// Which server: the one allowing the page's origin, or the one allowing only foo.example.
    server: Server,
    path: &'static str,
    init: fn() -> Value,
    cookie: Option<&'static str>,
    /// `Ok(body)`: script reads the response; `Err((Chromium's corsError, Firefox's reason))`:
    /// the browser blocks it.
    expect: Result<&'static str, (&'static str, &'static str)>,
}

#[derive(Clone, Copy)]
enum Server {
    AllowsPage,
    AllowsFooExampleOnly,
}

const SCENARIOS: &[Scenario] = &[
    // MDN "Simple requests": GET answered with `Access-Control-Allow-Origin: *`.
    Scenario {
        id: "article_simple_get",
        server: Server::AllowsPage,
        path: "/resources/public-data/",
        init: || json!({}),
        cookie: None,
        expect: Ok("<public>data</public>"),
    },
    // MDN "Preflighted requests": POST with X-PINGOTHER and an XML body, after a preflight.
    Scenario {
        id: "article_preflighted_post",
        server: Server::AllowsPage,
        path: "/doc",
        init: || {
            json!({"method": "POST",
                   "headers": {"X-PINGOTHER": "pingpong", "Content-Type": "text/xml"},
                   "body": "<person><name>Arun</name></person>"})
        },
        cookie: None,
        expect: Ok("doc received"),
    },
    // MDN "Requests with credentials": the cookie goes, the answer is readable.
    Scenario {
        id: "article_credentialed_get",
        server: Server::AllowsPage,
        path: "/resources/credentialed-content/",
        init: || json!({"credentials": "include"}),
        cookie: Some("pageAccess=2"),
        expect: Ok("visit 3"),
    },
    // The page's origin is not allowed: the response carries no Access-Control-Allow-Origin.
    Scenario {
        id: "disallowed_origin",
        server: Server::AllowsFooExampleOnly,
        path: "/resources/credentialed-content/",
        init: || json!({}),
        cookie: None,
        expect: Err(("MissingAllowOriginHeader", "CORSMissingAllowOrigin")),
    },
    // A request header the policy does not allow: the layer rejects the preflight (403, no
    // CORS headers), so the browser never sends the POST.
    Scenario {
        id: "disallowed_header",
        server: Server::AllowsPage,
        path: "/doc",
        init: || {
            json!({"method": "POST",
                   "headers": {"X-PINGOTHER": "pingpong", "X-Evil": "1"},
                   "body": "x"})
        },
        cookie: None,
        expect: Err((
            "PreflightMissingAllowOriginHeader",
            "CORSMissingAllowOrigin",
        )),
    },
    // A credentialed request answered with `*` (the public-data policy has no credentials).
    Scenario {
        id: "credentialed_wildcard",
        server: Server::AllowsPage,
        path: "/resources/public-data/",
        init: || json!({"credentials": "include"}),
        cookie: None,
        expect: Err(("WildcardOriginNotAllowed", "CORSNotSupportingCredentials")),
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_enforces_what_the_layer_answers() {
    browser_support::require_tools(&browser_support::repo_root());
    enforces_what_the_layer_answers(Browser::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firefox_enforces_what_the_layer_answers() {
    browser_support::require_firefox_tools();
    enforces_what_the_layer_answers(Browser::Firefox).await;
}

async fn enforces_what_the_layer_answers(browser: Browser) {
    let page = serve(Router::new().route(
        "/",
        get(|| async { Html("<!doctype html><title>foo.example stand-in</title>") }),
    ))
    .await;
    let page_origin = format!("http://127.0.0.1:{}", page.port());
    let allows_page = serve(mdn_article::app(&page_origin)).await;
    let allows_foo = serve(mdn_article::app("https://foo.example")).await;

    let scenarios: Vec<Value> = SCENARIOS
        .iter()
        .map(|s| {
            let addr = match s.server {
                Server::AllowsPage => allows_page,
                Server::AllowsFooExampleOnly => allows_foo,
            };
            // A distinct query per scenario ties DevTools events to it.
            json!({"id": s.id, "url": format!("http://{addr}{}?scenario={}", s.path, s.id),
                   "init": (s.init)(), "cookie": s.cookie})
        })
        .collect();
    let config = json!({"page": format!("{page_origin}/"), "scenarios": scenarios});

    let run = tokio::process::Command::new("node")
        .arg(harness_dir().join("run.mjs"))
        .arg("--browser")
        .arg(browser.name())
        .arg(config.to_string())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the browser run finished within 120 s")
        .expect("node runs (install Node.js: scripts/install-test-deps)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "run.mjs failed: {stderr}\n{stdout}");
    let results: Vec<Value> = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("run.mjs output is not JSON ({e}): {stdout}\n{stderr}"));
    println!("{stdout}");
    assert_eq!(results.len(), SCENARIOS.len(), "{stdout}");

    for (s, r) in SCENARIOS.iter().zip(&results) {
        assert_eq!(r["id"], s.id);
        let fetched = &r["fetch"];
        // Chromium's corsError values, or the reasons of Firefox's "Cross-Origin Request
        // Blocked" lines.
        let cors_errors: Vec<String> = match browser {
            Browser::Chromium => r["failures"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["corsError"].as_str())
                .map(String::from)
                .collect(),
            Browser::Firefox => r["console"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| FirefoxReason::from_console_message(l.as_str().unwrap_or("")))
                .map(|f| f.slug().to_string())
                .collect(),
            Browser::Webkit => panic!("tower_browser runs in Chromium and Firefox only"),
        };
        match s.expect {
            Ok(body) => {
                assert_eq!(fetched["ok"], true, "{}: the browser blocked it: {r}", s.id);
                assert_eq!(fetched["status"], 200, "{}: {r}", s.id);
                assert_eq!(fetched["body"], body, "{}: {r}", s.id);
                assert!(cors_errors.is_empty(), "{}: {r}", s.id);
            }
            Err((chromium, firefox)) => {
                let cors_error = match browser {
                    Browser::Chromium => chromium,
                    Browser::Firefox => firefox,
                    Browser::Webkit => panic!("tower_browser runs in Chromium and Firefox only"),
                };
                assert_eq!(fetched["ok"], false, "{}: script read it: {r}", s.id);
                assert!(
                    fetched["error"]
                        .as_str()
                        .unwrap_or("")
                        .contains("TypeError"),
                    "{}: {r}",
                    s.id
                );
                assert_eq!(
                    cors_errors.first().map(String::as_str),
                    Some(cors_error),
                    "{}: expected {cors_error} first, {} reported {cors_errors:?}: {r}",
                    s.id,
                    browser.name()
                );
            }
        }
    }
}
