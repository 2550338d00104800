//! `cors check` options end to end: opaque origins (`--origin null`), redirects followed as a
//! browser follows them, the preflight cache kept between runs, bodies, colors (`NO_COLOR`, a
//! terminal through `script(1)`) and `--help`.

mod check_support;

use check_support::{Resp, Table, human, json, serve};
use std::process::Command;

const APP: &str = "https://app.example";

fn echo_preflight() -> Resp {
    Resp::new(204)
        .h("Access-Control-Allow-Origin", "{ORIGIN}")
        .h("Access-Control-Allow-Methods", "{ACRM}")
        .h("Access-Control-Allow-Headers", "{ACRH}")
}

#[test]
fn opaque_origin_null() {
    let table = Table::new();
    table.set(
        "/x",
        Some(echo_preflight()),
        Some(Resp::new(200).h("Access-Control-Allow-Origin", "{ORIGIN}")),
    );
    let s = serve(table.handler());
    let (code, v) = json(&["check", &s.url("/x"), "--origin", "null", "-X", "PUT"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["origin"], "null");
    let seen = s.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.header("origin") == Some("null")));

    // A server allowing only a real origin blocks it; the fix allows `null`.
    table.set(
        "/x",
        None,
        Some(Resp::new(200).h("Access-Control-Allow-Origin", APP)),
    );
    let (code, v) = json(&["check", &s.url("/x"), "--origin", "null"]);
    assert_eq!(code, 1);
    assert_eq!(v["cors_error"], "AllowOriginMismatch");
    assert_eq!(v["failed_parameter"], APP);
    assert_eq!(
        v["fix"]["actual"]["headers"],
        serde_json::json!([["Access-Control-Allow-Origin", "null"]])
    );
}

#[test]
fn redirects_are_followed_as_a_browser_follows_them() {
    let table = Table::new();
    // A preflighted PUT redirected (307) within the server: a new preflight for the new URL.
    table.set(
        "/a",
        Some(echo_preflight()),
        Some(
            Resp::new(307)
                .h("Location", "/b")
                .h("Access-Control-Allow-Origin", APP),
        ),
    );
    table.set(
        "/b",
        Some(echo_preflight()),
        Some(Resp::new(200).h("Access-Control-Allow-Origin", APP)),
    );
    // A POST with a JSON body answered with 303: the next hop is a GET without body or Content-Type.
    table.set(
        "/post",
        Some(echo_preflight()),
        Some(
            Resp::new(303)
                .h("Location", "/b")
                .h("Access-Control-Allow-Origin", APP),
        ),
    );
    let s = serve(table.handler());

    let (code, v) = json(&[
        "check",
        &s.url("/a"),
        "--origin",
        APP,
        "-X",
        "PUT",
        "-d",
        "x",
    ]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["redirected"], true);
    assert_eq!(v["final_url"], s.url("/b"));
    let kinds: Vec<(&str, u64)> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| (st["kind"].as_str().unwrap(), st["hop"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("preflight", 0),
            ("actual", 0),
            ("preflight", 1),
            ("actual", 1)
        ]
    );
    let seen = s.requests();
    assert_eq!(seen[3].method, "PUT");
    assert_eq!(seen[3].body, b"x", "307 keeps the method and the body");

    s.clear_log();
    let (code, v) = json(&[
        "check",
        &s.url("/post"),
        "--origin",
        APP,
        "-H",
        "Content-Type: application/json",
        "-d",
        "{}",
    ]);
    assert_eq!(code, 0, "{v:#}");
    let seen = s.requests();
    let methods: Vec<&str> = seen.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS", "POST", "GET"]);
    assert_eq!(seen[2].header("content-type"), None);
    assert!(seen[2].body.is_empty());
}

#[test]
fn preflight_cache_is_kept_between_runs() {
    let table = Table::new();
    table.set(
        "/x",
        Some(echo_preflight().h("Access-Control-Max-Age", "60")),
        Some(Resp::new(200).h("Access-Control-Allow-Origin", APP)),
    );
    let s = serve(table.handler());
    let dir = std::env::temp_dir().join(format!("cors-check-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cache = dir.join("cache.json");
    let _ = std::fs::remove_file(&cache);
    let cache_s = cache.to_str().unwrap();
    let url = s.url("/x");
    let args = [
        "check",
        &url,
        "--origin",
        APP,
        "-X",
        "PUT",
        "--preflight-cache",
        cache_s,
    ];

    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["preflight_sent"], true);
    assert_eq!(v["preflight_cached"], false);
    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["preflight_needed"], true);
    assert_eq!(v["preflight_sent"], false);
    assert_eq!(v["preflight_cached"], true);
    let methods: Vec<String> = s.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["OPTIONS", "PUT", "PUT"]);

    // Another browser's cache does not apply.
    let mut firefox = args.to_vec();
    firefox.extend(["--browser", "firefox"]);
    let (_, v) = json(&firefox);
    assert_eq!(v["preflight_sent"], true);

    // Without the file, every run preflights.
    let (_, v) = json(&["check", &url, "--origin", APP, "-X", "PUT"]);
    assert_eq!(v["preflight_sent"], true);

    // A file that is not a cache is a usage error.
    std::fs::write(&cache, "not json").unwrap();
    let (code, _, err) = human(&args);
    assert_eq!(code, 2);
    assert!(err.contains("not a cache file"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn headers_script_may_not_set_are_reported_and_not_sent() {
    let table = Table::new();
    table.set(
        "/x",
        None,
        Some(Resp::new(200).h("Access-Control-Allow-Origin", "*")),
    );
    let s = serve(table.handler());
    let (code, v) = json(&[
        "check",
        &s.url("/x"),
        "--origin",
        APP,
        "-H",
        "Cookie: a=b",
        "-H",
        "Accept-Language: de",
    ]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["request"]["dropped_headers"][0]["name"], "Cookie");
    assert_eq!(
        v["request"]["dropped_headers"][0]["reason"],
        "forbidden-name"
    );
    assert_eq!(v["preflight_sent"], false);
    let seen = s.requests();
    assert_eq!(seen[0].header("cookie"), None);
    assert_eq!(seen[0].header("accept-language"), Some("de"));
}

/// Colors on a terminal, none with `NO_COLOR` or through a pipe.
#[test]
fn colors_follow_the_terminal_and_no_color() {
    let table = Table::new();
    table.set("/x", None, Some(Resp::new(200)));
    let s = serve(table.handler());
    let cmd = format!(
        "{} check {} --origin {APP}",
        env!("CARGO_BIN_EXE_cors"),
        s.url("/x")
    );
    let on_tty = |no_color: Option<&str>| -> String {
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"]);
        match no_color {
            Some(v) => c.env("NO_COLOR", v),
            None => c.env_remove("NO_COLOR"),
        };
        let out = c.output().expect(
            "`script` (util-linux, Debian package bsdutils) runs the binary on a pseudo-terminal",
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let colored = on_tty(None);
    assert!(
        colored.contains("\x1b[31m"),
        "red on a terminal:\n{colored}"
    );
    assert!(colored.contains("BLOCKED"));
    let plain = on_tty(Some("1"));
    assert!(plain.contains("BLOCKED"), "{plain}");
    assert!(!plain.contains('\x1b'), "NO_COLOR:\n{plain}");
    let (_, piped, _) = human(&["check", &s.url("/x"), "--origin", APP]);
    assert!(!piped.contains('\x1b'));
}

#[test]
fn help_teaches_and_documents_the_json_object() {
    let (code, out, _) = human(&["check", "--help"]);
    assert_eq!(code, 0);
    for field in [
        "allowed",
        "preflight_sent",
        "preflight_reasons",
        "request_method_header",
        "request_headers_header",
        "cors_error",
        "failed_parameter",
        "firefox_reason",
        "status",
        "exposed_headers",
        "steps",
        "fix",
        "Examples:",
        "Exit status",
    ] {
        assert!(out.contains(field), "--help lacks {field}:\n{out}");
    }
}

/// `--browser` picks the engine: Chromium and Firefox ESR let `Access-Control-Allow-Headers: *`
/// cover Authorization, the standard does not; two `Content-Type` lines (`text/plain;` then
/// `application/json`) are one safelisted value to Chromium, a preflight to Firefox and the
/// standard (browser-tests/known-differences.json).
#[test]
fn browser_profiles_differ_where_browsers_do() {
    let table = Table::new();
    table.set(
        "/x",
        Some(
            Resp::new(204)
                .h("Access-Control-Allow-Origin", "*")
                .h("Access-Control-Allow-Headers", "*"),
        ),
        Some(Resp::new(200).h("Access-Control-Allow-Origin", "*")),
    );
    // No preflight answer: only a request sent without one can pass.
    table.set(
        "/simple-only",
        Some(Resp::new(404)),
        Some(Resp::new(200).h("Access-Control-Allow-Origin", "*")),
    );
    let s = serve(table.handler());
    let verdict = |path: &str, headers: &[&str], browser: &str| {
        let url = s.url(path);
        let mut args = vec!["check", &url, "--origin", APP, "-X", "POST", "--data", "x"];
        for h in headers {
            args.extend(["-H", h]);
        }
        args.extend(["--browser", browser]);
        let (code, v) = json(&args);
        (
            code,
            v["browser"].as_str().unwrap().to_string(),
            v["cors_error"].clone(),
        )
    };
    let auth = ["Authorization: Bearer t"];
    for b in ["chromium", "firefox"] {
        assert_eq!(
            verdict("/x", &auth, b),
            (0, b.to_string(), serde_json::Value::Null)
        );
    }
    assert_eq!(
        verdict("/x", &auth, "spec"),
        (
            1,
            "spec".to_string(),
            "HeaderDisallowedByPreflightResponse".into()
        )
    );
    let two_types = [
        "Content-Type: text/plain;",
        "Content-Type: application/json",
    ];
    assert_eq!(
        verdict("/simple-only", &two_types, "chromium"),
        (0, "chromium".to_string(), serde_json::Value::Null)
    );
    for b in ["spec", "firefox"] {
        assert_eq!(
            verdict("/simple-only", &two_types, b),
            (1, b.to_string(), "PreflightMissingAllowOriginHeader".into())
        );
    }
}
