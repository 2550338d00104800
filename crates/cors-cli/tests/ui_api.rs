//! `cors ui`'s JSON API, end to end: the real binary on 127.0.0.1, spoken to over raw HTTP/1.1.
//! Its answers are the objects `cors explain --json` and `cors check --json` print for the same
//! options; requests that are not the page's own (another Origin, no Origin, a wrong or missing
//! token, a rebound Host, a cross-site fetch, a preflight) are refused with 403 and no CORS
//! header.

mod ui_support;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use ui_support::{Ui, explain_json, raw, start};

fn forms() -> Vec<Value> {
    let base = |extra: Value| {
        let mut f =
            json!({ "url": "https://api.example/v1/items?x=1", "origin": "https://app.example" });
        for (k, v) in extra.as_object().unwrap() {
            f[k] = v.clone();
        }
        f
    };
    vec![
        base(json!({})),
        base(json!({ "method": "PUT", "headers": ["X-A: 1"], "browser": "firefox" })),
        base(
            json!({ "method": "POST", "headers": ["Content-Type: application/json"], "body": "text", "data": "{}", "browser": "safari" }),
        ),
        base(json!({ "headers": ["Authorization: Bearer t"], "credentials": "include" })),
        base(json!({ "method": "TRACE" })),
        base(json!({ "mode": "same-origin" })),
        base(json!({ "mode": "no-cors", "headers": ["X-A: 1"] })),
        base(json!({ "body": "stream", "method": "POST", "browser": "spec" })),
        base(json!({ "private_network": true, "redirect": "manual" })),
        base(json!({ "origin": "null", "headers": ["Accept: text/html{"] })),
    ]
}

#[test]
fn explain_answers_with_the_object_cors_explain_json_prints() {
    let ui = start();
    let token = ui.token();
    for form in forms() {
        let reply = ui.post(&token, "/api/explain", &form);
        assert_eq!(reply.status, 200, "{form}: {}", reply.body);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.json(), explain_json(&form), "{form}");
    }
    // Bad input is an error as data, as the CLI's usage errors are.
    let bad = ui.post(
        &token,
        "/api/explain",
        &json!({ "url": "not a url", "origin": "https://a.example" }),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["code"], "bad-request");
    let unknown = ui.post(
        &token,
        "/api/explain",
        &json!({ "url": "https://a.example", "origin": "https://b.example", "colour": 1 }),
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["error"]["code"], "bad-json");
}

/// A server that answers every request with the same head, counting the requests.
fn fixed_server(head: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = s.write_all(head.as_bytes());
        }
    });
    (addr, count)
}

fn without_timings(mut v: Value) -> Value {
    for step in v["steps"].as_array_mut().into_iter().flatten() {
        step["elapsed_ms"] = json!(0);
    }
    v
}

#[test]
fn check_sends_the_requests_and_answers_with_the_object_cors_check_json_prints() {
    let (addr, count) = fixed_server(
        "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: https://app.example\r\nAccess-Control-Allow-Methods: PUT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let ui = start();
    let token = ui.token();
    // Allowed PUT; a custom header the server does not allow: blocked at the preflight.
    for headers in [json!([]), json!(["X-A: 1"])] {
        let form = json!({ "url": format!("http://{addr}/r"), "origin": "https://app.example", "method": "PUT", "headers": headers, "browser": "firefox" });
        let before = count.load(std::sync::atomic::Ordering::SeqCst);
        let reply = ui.post(&token, "/api/check", &form);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let sent = count.load(std::sync::atomic::Ordering::SeqCst) - before;
        let got = reply.json();
        let mut args = vec!["check".to_string(), form["url"].as_str().unwrap().into()];
        args.extend(ui_support::flags(&form));
        args.push("--json".into());
        let out = Command::new(env!("CARGO_BIN_EXE_cors"))
            .args(&args)
            .output()
            .unwrap();
        let want: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            without_timings(got.clone()),
            without_timings(want),
            "{form}"
        );
        // It did send: the preflight, and the PUT when the preflight passed.
        let allowed = got["verdict"] == "allowed";
        assert_eq!(sent, if allowed { 2 } else { 1 }, "{}", got["summary"]);
        assert_eq!(allowed, headers.as_array().unwrap().is_empty());
    }
}

fn refused(reply: &ui_support::Reply, why: &str) {
    assert_eq!(reply.status, 403, "{why}: {}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "forbidden", "{why}");
    assert!(
        !reply
            .headers
            .iter()
            .any(|(n, _)| n.starts_with("access-control-")),
        "{why}: no CORS header may be sent: {:?}",
        reply.headers
    );
}

#[test]
fn a_request_from_another_origin_is_refused() {
    let ui: Ui = start();
    let token = ui.token();
    let host = ui.host.clone();
    let origin = format!("http://{host}");
    let form =
        json!({ "url": "https://api.example/x", "origin": "https://app.example" }).to_string();
    let post = |headers: &[(&str, &str)]| raw(&host, "POST", "/api/explain", headers, &form);

    // The page's own request passes (so each refusal below is the guard's doing).
    let ok = [
        ("Host", host.as_str()),
        ("Origin", origin.as_str()),
        ("X-Cors-Ui-Token", token.as_str()),
        ("Content-Type", "application/json"),
    ];
    assert_eq!(post(&ok).status, 200);

    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        ok.iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    if *n == name {
                        value.to_string()
                    } else {
                        v.to_string()
                    },
                )
            })
            .collect()
    };
    let without = |name: &str| -> Vec<(String, String)> {
        ok.iter()
            .filter(|(n, _)| *n != name)
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    let send = |h: Vec<(String, String)>| {
        let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        post(&h)
    };
    let port = host.rsplit(':').next().unwrap();
    let localhost = format!("http://localhost:{port}");
    refused(
        &send(with("Origin", "https://evil.example")),
        "another origin",
    );
    refused(
        &send(with("Origin", &localhost)),
        "localhost is another origin",
    );
    refused(
        &send(with("Origin", &format!("{origin}/"))),
        "an Origin is compared exactly",
    );
    refused(&send(with("Origin", "null")), "an opaque origin");
    refused(&send(without("Origin")), "no Origin on a POST");
    refused(&send(with("X-Cors-Ui-Token", "0000")), "a wrong token");
    refused(&send(without("X-Cors-Ui-Token")), "no token");
    refused(
        &send(with("Host", &format!("evil.example:{port}"))),
        "DNS rebinding: another Host",
    );
    let mut cross_site = with("Origin", &origin);
    cross_site.push(("Sec-Fetch-Site".into(), "cross-site".into()));
    refused(&send(cross_site), "Sec-Fetch-Site cross-site");

    // A browser's preflight from another page gets no CORS header: the browser stops there.
    let preflight = raw(
        &host,
        "OPTIONS",
        "/api/explain",
        &[
            ("Host", &host),
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,x-cors-ui-token",
            ),
        ],
        "",
    );
    refused(&preflight, "a preflight from another origin");

    // The page: no framing, no other origin's resources, the token inside.
    let page = raw(&host, "GET", "/", &[("Host", &host)], "");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(page.body.contains(&token));
    refused(
        &raw(
            &host,
            "GET",
            "/",
            &[("Host", &format!("localhost:{port}"))],
            "",
        ),
        "the page under another Host",
    );
    // Every run has its own token.
    let other = start();
    assert_ne!(other.token(), token);
}

#[test]
fn info_and_the_paste_seam() {
    let ui = start();
    let token = ui.token();
    let origin = format!("http://{}", ui.host);
    // A same-origin GET carries no Origin; the token is still required.
    let info = raw(
        &ui.host,
        "GET",
        "/api/info",
        &[("Host", &ui.host), ("X-Cors-Ui-Token", &token)],
        "",
    );
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(
        info.json()["browsers"],
        json!(["chromium", "firefox", "safari"])
    );
    assert_eq!(info.json()["paste"], json!(["curl", "fetch", "har"]));
    refused(
        &raw(&ui.host, "GET", "/api/info", &[("Host", &ui.host)], ""),
        "info without the token",
    );
    refused(
        &raw(
            &ui.host,
            "GET",
            "/api/info",
            &[
                ("Host", &ui.host),
                ("Origin", "https://evil.example"),
                ("X-Cors-Ui-Token", &token),
            ],
            "",
        ),
        "info from another origin",
    );
    // A pasted "Copy as cURL" comes back as the form `cors explain --curl` reads from it.
    let paste = ui.post(&token, "/api/paste", &json!({ "kind": "curl", "text": "curl 'https://api.example/x' -X DELETE -H 'Origin: https://app.example' -H 'sec-fetch-mode: cors'" }));
    assert_eq!(paste.status, 200, "{}", paste.body);
    let form = &paste.json()["forms"][0];
    assert_eq!(form["url"], "https://api.example/x", "{form:#}");
    assert_eq!(form["origin"], "https://app.example", "{form:#}");
    assert_eq!(form["method"], "DELETE", "{form:#}");
    assert_eq!(
        form["headers"],
        json!([]),
        "the browser's own headers are not script's"
    );
    assert_eq!(
        paste.json()["choices"],
        json!([]),
        "a copied request has nothing to choose"
    );
    // A HAR: one form per cross-origin request (the document and the no-cors image are not),
    // each with what the browser recorded, as `cors explain --har --json` reports it.
    let har_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui_support/three-requests.har"
    );
    let har = std::fs::read_to_string(har_path).unwrap();
    let paste = ui.post(&token, "/api/paste", &json!({ "kind": "har", "text": har }));
    assert_eq!(paste.status, 200, "{}", paste.body);
    let v = paste.json();
    let forms = v["forms"].as_array().unwrap();
    let choices = v["choices"].as_array().unwrap();
    assert_eq!((forms.len(), choices.len()), (3, 3), "{v:#}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["explain", "--har", har_path, "--json"])
        .output()
        .unwrap();
    let explained: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, (c, e)) in choices
        .iter()
        .zip(explained.as_array().unwrap())
        .enumerate()
    {
        assert_eq!(c["har"], e["imported"]["har"], "choice {i}");
        assert_eq!(c["url"], e["url"], "choice {i}");
        assert_eq!(forms[i]["url"], e["url"], "form {i}");
        assert_eq!(c["origin"], "https://shop.example", "choice {i}");
    }
    let methods: Vec<&str> = choices
        .iter()
        .map(|c| c["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["GET", "PUT", "POST"]);
    let blocked: Vec<bool> = choices
        .iter()
        .map(|c| c["har"]["browser_blocked"].as_bool().unwrap())
        .collect();
    assert_eq!(blocked, [false, true, false]);
    assert_eq!(choices[1]["har"]["browser_status"], 0);
    assert_eq!(
        forms[1]["headers"],
        json!([
            "accept: */*",
            "accept-language: en-GB,en;q=0.9",
            "content-type: application/json",
            "x-request-id: 42"
        ]),
        "script's headers (Accept may be script's: kept), not the browser's"
    );
    let bad = ui.post(
        &token,
        "/api/paste",
        &json!({ "kind": "curl", "text": "curl 'https://api.example/x' --frobnicate" }),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("frobnicate"), "{}", bad.body);
    let wrong_method = raw(
        &ui.host,
        "GET",
        "/api/explain",
        &[
            ("Host", &ui.host),
            ("Origin", &origin),
            ("X-Cors-Ui-Token", &token),
        ],
        "",
    );
    assert_eq!(wrong_method.status, 405);
    let no_json = raw(
        &ui.host,
        "POST",
        "/api/explain",
        &[
            ("Host", &ui.host),
            ("Origin", &origin),
            ("X-Cors-Ui-Token", &token),
            ("Content-Type", "text/plain"),
        ],
        "{}",
    );
    assert_eq!(no_json.status, 415);
}
