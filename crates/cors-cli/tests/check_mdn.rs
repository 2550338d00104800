//! `cors check` on the MDN CORS article's three exchanges ("Simple requests", "Preflighted
//! requests", "Requests with credentials"), through the real binary against scripted servers on
//! 127.0.0.1, in human and JSON output, with the exit codes.

mod check_support;

use check_support::{Resp, Table, human, json, serve};

const FOO: &str = "https://foo.example";

/// Simple requests: `GET /resources/public-data/`, answered with `Access-Control-Allow-Origin: *`.
#[test]
fn simple_request_is_allowed_without_preflight() {
    let table = Table::new();
    table.set(
        "/resources/public-data/",
        None,
        Some(
            Resp::new(200)
                .h("Access-Control-Allow-Origin", "*")
                .h("Content-Type", "application/xml"),
        ),
    );
    let server = serve(table.handler());
    let url = server.url("/resources/public-data/");

    let (code, v) = json(&["check", &url, "--origin", FOO]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["allowed"], true);
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["preflight_sent"], false);
    assert_eq!(v["preflight_needed"], false);
    assert_eq!(v["route"], "simple");
    assert_eq!(v["preflight_reasons"].as_array().unwrap().len(), 0);
    assert!(v["request_method_header"].is_null());
    assert!(v["request_headers_header"].is_null());
    assert!(v["cors_error"].is_null());
    assert!(v["failed_parameter"].is_null());
    assert!(v["firefox_reason"].is_null());
    assert_eq!(v["status"], 200);
    assert_eq!(v["response_type"], "cors");
    assert_eq!(
        v["exposed_headers"],
        serde_json::json!(["content-length", "content-type"])
    );
    assert!(v["fix"].is_null());
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["kind"], "actual");
    assert_eq!(steps[0]["outcome"], "passed");
    assert_eq!(steps[0]["checks"][0]["rule"], "allow-origin");
    assert_eq!(steps[0]["checks"][0]["ok"], true);

    // What the server received: one GET with the page's Origin.
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].header("origin"), Some(FOO));

    let (code, out, _) = human(&["check", &url, "--origin", FOO]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Simple request: no preflight needed."),
        "{out}"
    );
    assert!(out.contains("ALLOWED"), "{out}");
    assert!(
        out.contains("✓ Access-Control-Allow-Origin: * (any origin"),
        "{out}"
    );
    assert!(
        !out.contains('\x1b'),
        "no color when stdout is not a terminal:\n{out}"
    );
}

fn preflighted_table() -> Table {
    let table = Table::new();
    table.set(
        "/doc",
        Some(
            Resp::new(204)
                .h("Access-Control-Allow-Origin", FOO)
                .h("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
                .h("Access-Control-Allow-Headers", "X-PINGOTHER, Content-Type")
                .h("Access-Control-Max-Age", "86400")
                .h("Vary", "Accept-Encoding, Origin"),
        ),
        Some(
            Resp::new(200)
                .h("Access-Control-Allow-Origin", FOO)
                .h("Vary", "Accept-Encoding, Origin")
                .h("Content-Type", "text/plain"),
        ),
    );
    table
}

/// Preflighted requests: POST with `X-PINGOTHER` and an XML body.
#[test]
fn preflighted_request_sends_the_articles_preflight_then_the_post() {
    let table = preflighted_table();
    let server = serve(table.handler());
    let url = server.url("/doc");
    let args = [
        "check",
        &url,
        "--origin",
        FOO,
        "-X",
        "POST",
        "-H",
        "X-PINGOTHER: pingpong",
        "-H",
        "Content-Type: text/xml; charset=UTF-8",
        "--data",
        "<person><name>Arun</name></person>",
    ];
    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["allowed"], true);
    assert_eq!(v["preflight_sent"], true);
    assert_eq!(v["request_method_header"], "POST");
    assert_eq!(v["request_headers_header"], "content-type,x-pingother");
    let reasons: Vec<&str> = v["preflight_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("`content-type`") && reasons[0].contains("text/xml"));
    assert!(reasons[1].contains("`x-pingother`"));
    assert_eq!(v["status"], 200);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["kind"], "preflight");
    assert_eq!(steps[0]["request"]["method"], "OPTIONS");
    assert_eq!(steps[0]["request"]["credentials"], false);
    let rules: Vec<&str> = steps[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "no-redirect",
            "allow-origin",
            "ok-status",
            "allow-methods",
            "allow-headers"
        ]
    );
    assert_eq!(steps[1]["kind"], "actual");
    assert_eq!(steps[1]["request"]["body_bytes"], 34);

    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "OPTIONS");
    assert_eq!(
        seen[0].header("access-control-request-method"),
        Some("POST")
    );
    assert_eq!(
        seen[0].header("access-control-request-headers"),
        Some("content-type,x-pingother")
    );
    assert_eq!(seen[0].header("origin"), Some(FOO));
    assert_eq!(
        seen[0].header("x-pingother"),
        None,
        "a preflight carries no script header"
    );
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].header("x-pingother"), Some("pingpong"));
    assert_eq!(seen[1].header("access-control-request-method"), None);
    assert_eq!(seen[1].body, b"<person><name>Arun</name></person>");

    let (code, out, _) = human(&args);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Preflighted request, because:"), "{out}");
    assert!(out.contains("1. Preflight  OPTIONS"), "{out}");
    assert!(
        out.contains("> Access-Control-Request-Headers: content-type,x-pingother"),
        "{out}"
    );
    assert!(out.contains("2. Actual request  POST"), "{out}");
    assert!(out.contains("ALLOWED"), "{out}");
}

/// The same request against a server that does not answer the preflight with CORS headers.
#[test]
fn preflighted_request_without_cors_headers_is_blocked_with_the_fix() {
    let table = Table::new();
    table.set("/doc", Some(Resp::new(200)), Some(Resp::new(200)));
    let server = serve(table.handler());
    let url = server.url("/doc");
    let args = [
        "check",
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
    ];
    let (code, v) = json(&args);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["allowed"], false);
    assert_eq!(v["cors_error"], "PreflightMissingAllowOriginHeader");
    assert!(v["failed_parameter"].is_null());
    assert_eq!(v["firefox_reason"], "CORSMissingAllowOrigin");
    assert!(v["status"].is_null());
    assert_eq!(server.requests().len(), 1, "the POST is never sent");
    let fix = &v["fix"];
    assert_eq!(fix["by_headers"], true);
    assert_eq!(
        fix["preflight"]["headers"],
        serde_json::json!([
            ["Access-Control-Allow-Origin", FOO],
            ["Access-Control-Allow-Headers", "content-type, x-pingother"]
        ])
    );
    assert!(
        fix["snippets"]["policy_toml"]
            .as_str()
            .unwrap()
            .contains("allowed_headers = [\"content-type\", \"x-pingother\"]")
    );

    let (code, out, _) = human(&args);
    assert_eq!(code, 1);
    assert!(out.contains("BLOCKED"), "{out}");
    assert!(
        out.contains("Chromium CorsError: PreflightMissingAllowOriginHeader"),
        "{out}"
    );
    assert!(
        out.contains("Response to preflight request doesn't pass access control check"),
        "{out}"
    );
    assert!(
        out.contains("(Reason: CORS header ‘Access-Control-Allow-Origin’ missing)"),
        "{out}"
    );
    assert!(out.contains("Fix: the server at"), "{out}");
    assert!(
        out.contains("add_header Access-Control-Allow-Origin \"https://foo.example\" always;"),
        "{out}"
    );

    // As Firefox judges it: its reason first, and both lines it prints — the preflight's
    // reason, then "did not succeed" for the POST it cancels (as Firefox ESR 153 does).
    let mut firefox_args = args.to_vec();
    firefox_args.extend(["--browser", "firefox"]);
    let (code, v) = json(&firefox_args);
    assert_eq!(code, 1);
    let lines = v["console"]["firefox_lines"]
        .as_array()
        .expect("firefox_lines");
    assert_eq!(lines.len(), 2, "{v:#}");
    assert_eq!(lines[0], v["console"]["firefox"]);
    assert_eq!(
        lines[1],
        format!(
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS request did not succeed). Status code: (null)."
        )
    );
    let (code, out, _) = human(&firefox_args);
    assert_eq!(code, 1);
    let reason = out
        .find("Firefox reason: CORSMissingAllowOrigin")
        .expect("Firefox reason");
    let chromium = out.find("Chromium CorsError").expect("Chromium CorsError");
    assert!(reason < chromium, "Firefox speaks first:\n{out}");
    assert_eq!(
        out.matches("  Firefox:  Cross-Origin Request Blocked")
            .count(),
        2,
        "{out}"
    );

    // The fix, applied, makes the same request pass.
    table.apply_fix(fix);
    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v:#}");
}

/// Requests with credentials: a GET with cookies needs the exact origin and
/// `Access-Control-Allow-Credentials: true`.
#[test]
fn credentialed_request_needs_exact_origin_and_allow_credentials() {
    let table = Table::new();
    let path = "/resources/credentialed-content/";
    let ok = Resp::new(200)
        .h("Access-Control-Allow-Origin", FOO)
        .h("Access-Control-Allow-Credentials", "true")
        .h("Set-Cookie", "pageAccess=3")
        .h("Content-Type", "text/plain");
    table.set(path, None, Some(ok));
    let server = serve(table.handler());
    let url = server.url(path);
    let args = ["check", &url, "--origin", FOO, "--credentials", "include"];

    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["preflight_sent"], false);
    assert_eq!(v["steps"][0]["request"]["credentials"], true);
    assert_eq!(v["request"]["credentials"], "include");
    // Set-Cookie is never readable; Content-Length and Content-Type are CORS-safelisted.
    assert_eq!(
        v["exposed_headers"],
        serde_json::json!(["content-length", "content-type"])
    );

    // Without Access-Control-Allow-Credentials.
    table.set(
        path,
        None,
        Some(Resp::new(200).h("Access-Control-Allow-Origin", FOO)),
    );
    let (code, v) = json(&args);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["cors_error"], "InvalidAllowCredentials");
    assert!(v["failed_parameter"].is_null());
    assert_eq!(v["firefox_reason"], "CORSMIssingAllowCredentials");
    let (code, out, _) = human(&args);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "✗ the request has credentials but there is no `Access-Control-Allow-Credentials: true`"
        ),
        "{out}"
    );
    assert!(
        out.contains("Access-Control-Allow-Credentials: true"),
        "{out}"
    );

    // With the wildcard.
    table.set(
        path,
        None,
        Some(
            Resp::new(200)
                .h("Access-Control-Allow-Origin", "*")
                .h("Access-Control-Allow-Credentials", "true"),
        ),
    );
    let (code, v) = json(&args);
    assert_eq!(code, 1);
    assert_eq!(v["cors_error"], "WildcardOriginNotAllowed");
    assert_eq!(v["firefox_reason"], "CORSNotSupportingCredentials");
    assert!(
        v["console"]["chromium"].as_str().unwrap().contains(
            "must not be the wildcard '*' when the request's credentials mode is 'include'"
        )
    );
    table.apply_fix(&v["fix"]);
    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v:#}");
}
