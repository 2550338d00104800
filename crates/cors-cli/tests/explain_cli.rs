//! `cors explain` through the real binary: no network, the classification and every reason, the
//! preflight a browser would send, the minimal headers (which, served by a scripted server, make
//! `cors check` pass), and how to make a request simple — one row per kind of reason.

mod check_support;

use check_support::{Resp, Table, human, json, refused_port, serve};
use serde_json::Value;

const FOO: &str = "https://foo.example";

fn explain(url: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["explain", "--url", url, "--origin", FOO];
    args.extend(extra);
    json(&args)
}

/// Nothing is sent: a URL whose port refuses connections explains the same.
fn offline_url(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", refused_port())
}

#[test]
fn the_articles_preflighted_request() {
    let url = offline_url("/doc");
    let (code, v) = explain(
        &url,
        &[
            "-X",
            "POST",
            "-H",
            "X-PINGOTHER: pingpong",
            "-H",
            "Content-Type: text/xml",
            "--data",
            "<person/>",
        ],
    );
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["route"], "preflight");
    assert_eq!(v["simple"], false);
    assert_eq!(v["preflight_reasons"].as_array().unwrap().len(), 2);
    assert_eq!(v["reasons"][0]["kind"], "header");
    assert_eq!(v["reasons"][0]["name"], "content-type");
    assert_eq!(v["reasons"][0]["code"], "content-type-not-safelisted");
    assert_eq!(v["reasons"][1]["name"], "x-pingother");
    assert_eq!(v["reasons"][1]["code"], "name-not-safelisted");
    assert_eq!(v["request_method_header"], "POST");
    assert_eq!(v["request_headers_header"], "content-type,x-pingother");
    assert_eq!(v["preflight_request"]["method"], "OPTIONS");
    assert_eq!(
        v["preflight_request"]["headers"],
        serde_json::json!([
            ["Accept", "*/*"],
            ["Access-Control-Request-Method", "POST"],
            ["Access-Control-Request-Headers", "content-type,x-pingother"],
            ["Origin", FOO]
        ])
    );
    assert_eq!(v["actual_request"]["method"], "POST");
    assert_eq!(v["required"]["verified"], true);
    assert_eq!(
        v["required"]["preflight"]["headers"],
        serde_json::json!([
            ["Access-Control-Allow-Origin", FOO],
            ["Access-Control-Allow-Headers", "content-type, x-pingother"]
        ])
    );
    let simple = &v["make_simple"];
    assert_eq!(simple["possible"], true, "{simple:#}");
    assert_eq!(simple["request"]["method"], "POST");
    assert_eq!(
        simple["request"]["headers"],
        serde_json::json!([["Content-Type", "text/plain"]])
    );
    assert_eq!(simple["changes"].as_array().unwrap().len(), 2);

    let (code, out, _) = human(&[
        "explain",
        "--url",
        &url,
        "--origin",
        FOO,
        "-X",
        "POST",
        "-H",
        "X-PINGOTHER: pingpong",
        "-H",
        "Content-Type: text/xml",
        "--data",
        "<person/>",
    ]);
    assert_eq!(code, 0);
    for needle in [
        "PREFLIGHTED",
        "The preflight a browser would send:",
        "Access-Control-Request-Headers: content-type,x-pingother",
        "send `Content-Type: text/plain` instead of `text/xml`",
        "drop the header `X-PINGOTHER`",
        "a simple request (checked)",
        "Checked: with exactly these headers the browser engine lets the request through.",
        "[routes.policy]",
    ] {
        assert!(out.contains(needle), "missing {needle:?}:\n{out}");
    }
}

/// One row per kind of reason: the change proposed, and whether the request can be made simple.
#[test]
fn make_simple_per_reason() {
    let url = offline_url("/api");
    let rows: &[(&[&str], bool, &str, Option<Value>)] = &[
        // #cors-safelisted-request-header: Content-Type essence.
        (
            &[
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-d",
                "{}",
            ],
            true,
            "instead of `application/json`",
            Some(serde_json::json!([["Content-Type", "text/plain"]])),
        ),
        // #cors-safelisted-method.
        (
            &["-X", "PUT"],
            true,
            "use POST instead of `PUT`",
            Some(serde_json::json!([])),
        ),
        // #cors-non-wildcard-request-header-name: Authorization.
        (
            &["-H", "Authorization: Bearer t"],
            true,
            "as a cookie",
            Some(serde_json::json!([])),
        ),
        // #cors-unsafe-request-header-byte.
        (
            &["-H", "Accept: text/html{"],
            true,
            "remove `{` from the value of `Accept`",
            Some(serde_json::json!([["Accept", "text/html"]])),
        ),
        // 128-byte limit.
        (
            &["-H", &format!("Accept-Language: {}", "a".repeat(130))],
            true,
            "from 130 to at most 128 bytes",
            None,
        ),
        // #simple-range-header-value.
        (
            &["-H", "Range: bytes=0-1,2-3"],
            true,
            "a single range",
            Some(serde_json::json!([["Range", "bytes=0-"]])),
        ),
        // ReadableStream bodies set the use-CORS-preflight flag.
        (
            &["-X", "POST", "--body", "stream", "-d", "x"],
            true,
            "instead of a ReadableStream",
            Some(serde_json::json!([])),
        ),
        // Private Network Access cannot be avoided.
        (
            &["--private-network"],
            false,
            "Private Network Access",
            None,
        ),
    ];
    let mut failures = Vec::new();
    for (args, possible, change, headers) in rows {
        let (code, v) = explain(&url, args);
        let m = &v["make_simple"];
        let changes = m["changes"].to_string();
        if code != 0
            || m["possible"] != *possible
            || !changes.contains(change)
            || headers
                .as_ref()
                .is_some_and(|h| m["request"]["headers"] != *h)
        {
            failures.push(format!("{args:?}: exit {code}, make_simple {m:#}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn simple_same_origin_refused_and_blocked_requests() {
    // Simple: no preflight, the actual response needs Access-Control-Allow-Origin.
    let (code, v) = explain(&offline_url("/x"), &[]);
    assert_eq!(code, 0);
    assert_eq!(v["route"], "simple");
    assert_eq!(v["simple"], true);
    assert!(v["preflight_request"].is_null());
    assert!(v["make_simple"].is_null());
    assert_eq!(
        v["required"]["actual"]["headers"],
        serde_json::json!([["Access-Control-Allow-Origin", FOO]])
    );
    assert_eq!(v["required"]["verified"], true);

    // Same-origin: no CORS.
    let (code, v) = json(&[
        "explain",
        "--url",
        "https://foo.example/x",
        "--origin",
        FOO,
        "-X",
        "PUT",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["route"], "same-origin");
    assert!(v["required"].is_null());

    // fetch() throws.
    let (code, v) = explain(&offline_url("/x"), &["-X", "CONNECT"]);
    assert_eq!(code, 1);
    assert_eq!(v["route"], "refused");
    assert_eq!(v["refusal"]["code"], "forbidden-method");

    // Blocked before sending.
    let (code, v) = explain(&offline_url("/x"), &["--mode", "same-origin"]);
    assert_eq!(code, 1);
    assert_eq!(v["route"], "blocked");
    assert_eq!(v["blocked"]["cors_error"], "DisallowedByMode");
    let (code, out, _) = human(&[
        "explain",
        "--url",
        &offline_url("/x"),
        "--origin",
        FOO,
        "--mode",
        "same-origin",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("BLOCKED  before anything is sent"), "{out}");

    // Usage errors.
    let (code, _, err) = human(&["explain", "--url", "nope", "--origin", FOO]);
    assert_eq!(code, 2);
    assert!(err.contains("--url `nope` is not an absolute URL"), "{err}");
}

/// What `explain` says the server must send is what `check` needs to pass, over the wire.
#[test]
fn the_required_headers_served_make_check_pass() {
    let table = Table::new();
    table.set("/api", Some(Resp::new(404)), Some(Resp::new(200)));
    let server = serve(table.handler());
    let url = server.url("/api");
    let args = [
        "-X",
        "DELETE",
        "-H",
        "Authorization: Bearer t",
        "--credentials",
        "include",
    ];
    let mut check: Vec<&str> = vec!["check", &url, "--origin", FOO];
    check.extend(args);
    let (code, _) = json(&check);
    assert_eq!(code, 1);
    assert!(server.requests().len() == 1);

    let (code, v) = explain(&url, &args);
    assert_eq!(code, 0);
    assert_eq!(server.requests().len(), 1, "explain sends nothing");
    table.apply_fix(&v["required"]);
    let (code, r) = json(&check);
    assert_eq!(code, 0, "{r:#}");
}

#[test]
fn help_documents_the_json_object() {
    let (code, out, _) = human(&["explain", "--help"]);
    assert_eq!(code, 0);
    for field in [
        "route",
        "preflight_reasons",
        "preflight_request",
        "required",
        "make_simple",
        "Examples:",
        "Exit status",
    ] {
        assert!(out.contains(field), "--help lacks {field}:\n{out}");
    }
    let (code, out, _) = human(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("check") && out.contains("explain"), "{out}");
}
