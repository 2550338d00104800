//! `cors check` on every failure class, end to end: the real binary against scripted servers on
//! 127.0.0.1, one row per class (the Fetch anchor it exercises), asserting the verdict in JSON
//! and human output, the exit code, Chromium's `CorsError` and `failedParameter`, Firefox's
//! reason — and, for every class response headers can fix, that the fix `cors check` proposes,
//! applied to the scripted server, makes a re-run pass.

mod check_support;

use check_support::{Resp, Server, Table, human, json, serve};
use serde_json::Value;

const APP: &str = "https://app.example";

fn ok_preflight() -> Resp {
    Resp::new(204)
        .h("Access-Control-Allow-Origin", "{ORIGIN}")
        .h("Access-Control-Allow-Methods", "{ACRM}")
        .h("Access-Control-Allow-Headers", "{ACRH}")
}

fn acao(v: &str) -> Resp {
    Resp::new(200).h("Access-Control-Allow-Origin", v)
}

/// One failure class.
struct Case {
    /// Name and the Fetch anchor of the rule.
    name: &'static str,
    /// Arguments after `check URL --origin APP`.
    args: Vec<String>,
    /// The path fetched (on server B), or a full URL.
    target: &'static str,
    /// Routes: path, preflight response, actual response.
    routes: Vec<(&'static str, Option<Resp>, Option<Resp>)>,
    cors_error: Option<&'static str>,
    failed_parameter: Option<&'static str>,
    firefox_reason: Option<&'static str>,
    /// Response headers can fix it.
    by_headers: bool,
    /// Requests the servers must have received (B and C together).
    requests: usize,
}

fn a(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[allow(clippy::too_many_arguments)]
fn case(
    name: &'static str,
    args: &[&str],
    target: &'static str,
    routes: Vec<(&'static str, Option<Resp>, Option<Resp>)>,
    cors_error: Option<&'static str>,
    failed_parameter: Option<&'static str>,
    firefox_reason: Option<&'static str>,
    by_headers: bool,
    requests: usize,
) -> Case {
    Case {
        name,
        args: a(args),
        target,
        routes,
        cors_error,
        failed_parameter,
        firefox_reason,
        by_headers,
        requests,
    }
}

fn cases() -> Vec<Case> {
    let put = ["-X", "PUT", "-H", "X-A: 1"];
    let put_cred = ["-X", "PUT", "-H", "X-A: 1", "--credentials", "include"];
    let redirect = |to: &str| {
        Resp::new(302)
            .h("Location", to)
            .h("Access-Control-Allow-Origin", APP)
    };
    vec![
        case(
            "#cors-check step 2: no Access-Control-Allow-Origin",
            &[],
            "/x",
            vec![("/x", None, Some(Resp::new(200)))],
            Some("MissingAllowOriginHeader"),
            None,
            Some("CORSMissingAllowOrigin"),
            true,
            1,
        ),
        case(
            "#cors-check step 4: another origin",
            &[],
            "/x",
            vec![("/x", None, Some(acao("https://other.example")))],
            Some("AllowOriginMismatch"),
            Some("https://other.example"),
            Some("CORSAllowOriginNotMatchingOrigin"),
            true,
            1,
        ),
        case(
            "#cors-check step 1: two Access-Control-Allow-Origin lines",
            &[],
            "/x",
            vec![(
                "/x",
                None,
                Some(acao(APP).h("Access-Control-Allow-Origin", APP)),
            )],
            Some("MultipleAllowOriginValues"),
            Some("https://app.example, https://app.example"),
            Some("CORSMultipleAllowOriginNotAllowed"),
            true,
            1,
        ),
        case(
            "#cors-check step 4: not an origin",
            &[],
            "/x",
            vec![("/x", None, Some(acao("foo")))],
            Some("InvalidAllowOriginValue"),
            Some("foo"),
            Some("CORSAllowOriginNotMatchingOrigin"),
            true,
            1,
        ),
        case(
            "#cors-check step 4: * with credentials",
            &["--credentials", "include"],
            "/x",
            vec![(
                "/x",
                None,
                Some(acao("*").h("Access-Control-Allow-Credentials", "true")),
            )],
            Some("WildcardOriginNotAllowed"),
            None,
            Some("CORSNotSupportingCredentials"),
            true,
            1,
        ),
        case(
            "#cors-check step 7: Allow-Credentials is not `true`",
            &["--credentials", "include"],
            "/x",
            vec![(
                "/x",
                None,
                Some(acao(APP).h("Access-Control-Allow-Credentials", "True")),
            )],
            Some("InvalidAllowCredentials"),
            Some("True"),
            Some("CORSMIssingAllowCredentials"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 7: the preflight's CORS check",
            &put,
            "/x",
            vec![(
                "/x",
                Some(Resp::new(204).h("Access-Control-Allow-Methods", "PUT")),
                Some(acao(APP)),
            )],
            Some("PreflightMissingAllowOriginHeader"),
            None,
            Some("CORSMissingAllowOrigin"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 7: the preflight's credentials",
            &put_cred,
            "/x",
            vec![(
                "/x",
                Some(ok_preflight()),
                Some(acao(APP).h("Access-Control-Allow-Credentials", "true")),
            )],
            Some("PreflightInvalidAllowCredentials"),
            None,
            Some("CORSMIssingAllowCredentials"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 7: not an ok status",
            &put,
            "/x",
            vec![("/x", Some(ok_preflight().with_status(403)), Some(acao(APP)))],
            Some("PreflightInvalidStatus"),
            None,
            Some("CORSPreflightDidNotSucceed"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 6: the preflight is redirected",
            &put,
            "/x",
            vec![(
                "/x",
                Some(ok_preflight().with_status(301).h("Location", "/elsewhere")),
                Some(acao(APP)),
            )],
            Some("PreflightDisallowedRedirect"),
            None,
            Some("CORSExternalRedirectNotAllowed"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 7.3: Allow-Methods does not parse",
            &put,
            "/x",
            vec![(
                "/x",
                Some(
                    Resp::new(204)
                        .h("Access-Control-Allow-Origin", APP)
                        .h("Access-Control-Allow-Methods", "PUT DELETE")
                        .h("Access-Control-Allow-Headers", "x-a"),
                ),
                Some(acao(APP)),
            )],
            Some("InvalidAllowMethodsPreflightResponse"),
            None,
            Some("CORSInvalidAllowMethod"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 7.3: Allow-Headers does not parse",
            &put,
            "/x",
            vec![(
                "/x",
                Some(
                    Resp::new(204)
                        .h("Access-Control-Allow-Origin", APP)
                        .h("Access-Control-Allow-Methods", "PUT")
                        .h("Access-Control-Allow-Headers", "x-a/b"),
                ),
                Some(acao(APP)),
            )],
            Some("InvalidAllowHeadersPreflightResponse"),
            None,
            Some("CORSInvalidAllowHeader"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 7.5: the method is not allowed",
            &put,
            "/x",
            vec![(
                "/x",
                Some(
                    Resp::new(204)
                        .h("Access-Control-Allow-Origin", APP)
                        .h("Access-Control-Allow-Methods", "GET, POST")
                        .h("Access-Control-Allow-Headers", "x-a"),
                ),
                Some(acao(APP)),
            )],
            Some("MethodDisallowedByPreflightResponse"),
            Some("PUT"),
            Some("CORSMethodNotFound"),
            true,
            1,
        ),
        case(
            "#cors-preflight-fetch step 7.7: a header is not allowed",
            &put,
            "/x",
            vec![(
                "/x",
                Some(
                    Resp::new(204)
                        .h("Access-Control-Allow-Origin", APP)
                        .h("Access-Control-Allow-Methods", "PUT")
                        .h("Access-Control-Allow-Headers", "x-b"),
                ),
                Some(acao(APP)),
            )],
            Some("HeaderDisallowedByPreflightResponse"),
            Some("x-a"),
            Some("CORSMissingAllowHeaderFromPreflight"),
            true,
            1,
        ),
        // Chromium lets `*` cover Authorization (browser-tests/known-differences.json); the standard does not.
        case(
            "#cors-preflight-fetch step 7.6: * never covers Authorization",
            &["-H", "Authorization: Bearer t", "--browser", "spec"],
            "/x",
            vec![(
                "/x",
                Some(
                    Resp::new(204)
                        .h("Access-Control-Allow-Origin", "*")
                        .h("Access-Control-Allow-Headers", "*"),
                ),
                Some(acao("*")),
            )],
            Some("HeaderDisallowedByPreflightResponse"),
            Some("authorization"),
            Some("CORSMissingAllowHeaderFromPreflight"),
            true,
            1,
        ),
        case(
            "Private Network Access: no Allow-Private-Network",
            &["--private-network"],
            "/x",
            vec![("/x", Some(ok_preflight()), Some(acao(APP)))],
            Some("PreflightMissingAllowPrivateNetwork"),
            None,
            None,
            true,
            1,
        ),
        case(
            "Private Network Access: Allow-Private-Network is not `true`",
            &["--private-network"],
            "/x",
            vec![(
                "/x",
                Some(ok_preflight().h("Access-Control-Allow-Private-Network", "yes")),
                Some(acao(APP)),
            )],
            Some("PreflightInvalidAllowPrivateNetwork"),
            Some("yes"),
            None,
            true,
            1,
        ),
        case(
            "#http-fetch step 5: the actual response of a preflighted request",
            &put,
            "/x",
            vec![("/x", Some(ok_preflight()), Some(Resp::new(200)))],
            Some("MissingAllowOriginHeader"),
            None,
            Some("CORSMissingAllowOrigin"),
            true,
            2,
        ),
        case(
            "#http-fetch step 5: the redirect response is checked too",
            &[],
            "/r",
            vec![
                ("/r", None, Some(Resp::new(302).h("Location", "/t"))),
                ("/t", None, Some(acao(APP))),
            ],
            Some("MissingAllowOriginHeader"),
            None,
            Some("CORSMissingAllowOrigin"),
            true,
            1,
        ),
        case(
            "#concept-request-tainted-origin: after B → C the origin is null",
            &[],
            "/r",
            vec![
                ("/r", None, Some(redirect("{C}/t"))),
                ("/t", None, Some(acao(APP))),
            ],
            Some("AllowOriginMismatch"),
            Some("https://app.example"),
            Some("CORSAllowOriginNotMatchingOrigin"),
            true,
            2,
        ),
        // Failures no response header fixes.
        case(
            "#http-redirect-fetch step 4: userinfo in the redirect",
            &[],
            "/r",
            vec![
                ("/r", None, Some(redirect("http://user:pw@{C_HOST}/t"))),
                ("/t", None, Some(acao("*"))),
            ],
            Some("RedirectContainsCredentials"),
            None,
            // Firefox words a refused redirect as a failed request (scenarios rd-*).
            Some("CORSDidNotSucceed"),
            false,
            1,
        ),
        case(
            "#http-redirect-fetch step 3: more than 20 redirects",
            &[],
            "/loop",
            vec![("/loop", None, Some(redirect("/loop")))],
            None,
            None,
            // Firefox words a refused redirect as a failed request (scenarios rd-*).
            Some("CORSDidNotSucceed"),
            false,
            21,
        ),
        case(
            "#http-redirect-fetch step 2: a redirect to data:",
            &[],
            "/r",
            vec![("/r", None, Some(redirect("data:text/plain,hi")))],
            None,
            None,
            // Firefox words a refused redirect as a failed request (scenarios rd-*).
            Some("CORSDidNotSucceed"),
            false,
            1,
        ),
        case(
            "#http-redirect-fetch step 1: a Location that is not a URL",
            &[],
            "/r",
            vec![("/r", None, Some(redirect("http://[")))],
            None,
            None,
            // Firefox words a refused redirect as a failed request (scenarios rd-*).
            Some("CORSDidNotSucceed"),
            false,
            1,
        ),
        case(
            "#http-fetch step 8: redirect mode error",
            &["--redirect", "error"],
            "/r",
            vec![
                ("/r", None, Some(redirect("/t"))),
                ("/t", None, Some(acao(APP))),
            ],
            None,
            None,
            None,
            false,
            1,
        ),
        case(
            "#main-fetch: mode same-origin and another origin",
            &["--mode", "same-origin"],
            "/x",
            vec![("/x", None, Some(acao(APP)))],
            Some("DisallowedByMode"),
            None,
            None,
            false,
            0,
        ),
        case(
            "#main-fetch: no-cors needs redirect mode follow",
            &["--mode", "no-cors", "--redirect", "manual"],
            "/x",
            vec![("/x", None, Some(acao(APP)))],
            Some("NoCorsRedirectModeNotFollow"),
            None,
            None,
            false,
            0,
        ),
        case(
            "#main-fetch: a scheme CORS does not support",
            &[],
            "ftp://127.0.0.1/x",
            vec![],
            Some("CorsDisabledScheme"),
            None,
            Some("CORSRequestNotHttp"),
            false,
            0,
        ),
    ]
}

trait WithStatus {
    fn with_status(self, s: u16) -> Self;
}
impl WithStatus for Resp {
    fn with_status(mut self, s: u16) -> Resp {
        self.status = s;
        self
    }
}

fn servers(table: &Table) -> (Server, Server) {
    let b = serve(table.handler());
    let c = serve(table.handler());
    for s in [&b, &c] {
        s.set_var("B", &b.origin());
        s.set_var("C", &c.origin());
        s.set_var("C_HOST", &c.addr.to_string());
    }
    (b, c)
}

fn run(c: &Case, url: &str) -> (i32, Value) {
    let mut args: Vec<&str> = vec!["check", url, "--origin", APP];
    args.extend(c.args.iter().map(String::as_str));
    json(&args)
}

#[test]
fn every_failure_class_is_reported_and_its_fix_makes_a_rerun_pass() {
    let mut failures = Vec::new();
    for c in cases() {
        let table = Table::new();
        for (path, pf, actual) in &c.routes {
            table.set(path, pf.clone(), actual.clone());
        }
        let (b, cc) = servers(&table);
        let url = if c.target.starts_with('/') {
            b.url(c.target)
        } else {
            c.target.to_string()
        };
        let (code, v) = run(&c, &url);
        let mut problems = Vec::new();
        let mut expect = |what: &str, got: &Value, want: Value| {
            if *got != want {
                problems.push(format!("{what}: got {got}, want {want}"));
            }
        };
        expect("exit code", &Value::from(code), Value::from(1));
        expect("verdict", &v["verdict"], "blocked".into());
        expect("allowed", &v["allowed"], false.into());
        expect("cors_error", &v["cors_error"], c.cors_error.into());
        expect(
            "failed_parameter",
            &v["failed_parameter"],
            c.failed_parameter.into(),
        );
        expect(
            "firefox_reason",
            &v["firefox_reason"],
            c.firefox_reason.into(),
        );
        expect("status", &v["status"], Value::Null);
        expect(
            "fix.by_headers",
            &v["fix"]["by_headers"],
            c.by_headers.into(),
        );
        let received = b.requests().len() + cc.requests().len();
        expect(
            "requests received",
            &Value::from(received),
            Value::from(c.requests),
        );
        if !v["console"]["chromium"].is_string() {
            problems.push("no Chromium console message".into());
        }
        // The step that failed names the rule, unless nothing was sent.
        if c.requests > 0 {
            let last = v["steps"]
                .as_array()
                .and_then(|s| s.last())
                .cloned()
                .unwrap_or_default();
            let failed = last["checks"]
                .as_array()
                .and_then(|c| c.last())
                .cloned()
                .unwrap_or_default();
            if last["outcome"] != "failed" || failed["ok"] != false {
                problems.push(format!("the last step is not the failed one: {last}"));
            }
        }
        // Human output.
        let mut args: Vec<&str> = vec!["check", &url, "--origin", APP];
        args.extend(c.args.iter().map(String::as_str));
        let (hcode, out, _) = human(&args);
        if hcode != 1 || !out.contains("BLOCKED") {
            problems.push(format!("human output: exit {hcode}\n{out}"));
        }
        if let Some(e) = c.cors_error {
            if !out.contains(&format!("Chromium CorsError: {e}")) {
                problems.push(format!("human output does not name {e}:\n{out}"));
            }
        }
        if c.by_headers {
            if !out.contains("Fix: the server at") {
                problems.push(format!("human output has no fix:\n{out}"));
            }
            // Apply the proposed fix to the scripted server and run again.
            if !v["fix"].is_object() {
                failures.push(format!("{}: no fix: {v:#}", c.name));
                continue;
            }
            table.apply_fix(&v["fix"]);
            let (code2, v2) = run(&c, &url);
            if code2 != 0 {
                problems.push(format!(
                    "after applying the fix {}: exit {code2}, {}",
                    v["fix"], v2["summary"]
                ));
            }
        } else {
            let notes = v["fix"]["notes"].as_array().map_or(0, Vec::len);
            if notes == 0 || !v["fix"]["snippets"].is_null() {
                problems.push(format!(
                    "a fix without headers needs notes and no snippets: {}",
                    v["fix"]
                ));
            }
            if !out.contains("no response header makes this pass") {
                problems.push(format!("human output:\n{out}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", c.name, problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// After a redirect to another origin the fix targets the second server and asks for `null`.
#[test]
fn tainted_redirect_fix_allows_null_at_the_second_server() {
    let table = Table::new();
    table.set(
        "/r",
        None,
        Some(
            Resp::new(302)
                .h("Location", "{C}/t")
                .h("Access-Control-Allow-Origin", APP),
        ),
    );
    table.set("/t", None, Some(acao(APP)));
    let (b, c) = servers(&table);
    let (code, v) = json(&["check", &b.url("/r"), "--origin", APP]);
    assert_eq!(code, 1);
    assert_eq!(v["fix"]["url"], c.url("/t"));
    assert_eq!(
        v["fix"]["actual"]["headers"],
        serde_json::json!([["Access-Control-Allow-Origin", "null"]])
    );
    assert!(
        v["fix"]["snippets"]["policy_toml"]
            .as_str()
            .unwrap()
            .contains("allow_null_origin = true")
    );
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["outcome"], "redirected");
    assert_eq!(steps[1]["hop"], 1);
    let origin_sent = steps[1]["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "Origin")
        .unwrap()[1]
        .clone();
    assert_eq!(origin_sent, "null");
}

/// `fetch()` throws before sending anything: exit 1, verdict `refused`, nothing on the wire.
#[test]
fn forbidden_methods_are_refused_before_sending() {
    let table = Table::new();
    let b = serve(table.handler());
    let (code, v) = json(&["check", &b.url("/x"), "--origin", APP, "-X", "TRACE"]);
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "refused");
    assert_eq!(v["refusal"]["code"], "forbidden-method");
    assert!(v["cors_error"].is_null());
    assert!(v["fix"].is_null());
    assert!(b.requests().is_empty());
    let (code, out, _) = human(&["check", &b.url("/x"), "--origin", APP, "-X", "TRACE"]);
    assert_eq!(code, 1);
    assert!(out.contains("REFUSED"), "{out}");
    assert!(out.contains("'TRACE' HTTP method is unsupported"), "{out}");
}
