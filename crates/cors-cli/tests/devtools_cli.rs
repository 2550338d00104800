//! `cors check` / `cors explain` fed what DevTools gives, through the real binary: a "Copy as
//! cURL" and a "Copy as fetch" against a scripted server on 127.0.0.1 (what reaches the server
//! shows which headers were taken for script's), a HAR file replayed offline (the browser's
//! verdict against the engine's, a disagreement reported), and bad input (exit 2, a position).

mod check_support;

use check_support::{Resp, Table, human, json, serve};
use serde_json::Value;

const APP: &str = "http://app.localhost:8000";

/// A Chromium-style "Copy as cURL (bash)" of a PUT with a JSON body, browser headers included.
fn chromium_curl(url: &str) -> String {
    format!(
        "curl '{url}' \\\n  -X 'PUT' \\\n  -H 'Accept: */*' \\\n  -H 'Accept-Language: en-US,en;q=0.9' \\\n  \
         -H 'Connection: keep-alive' \\\n  -H 'Content-Type: application/json' \\\n  -H 'Origin: {APP}' \\\n  \
         -H 'Referer: {APP}/' \\\n  -H 'Sec-Fetch-Dest: empty' \\\n  -H 'Sec-Fetch-Mode: cors' \\\n  \
         -H 'Sec-Fetch-Site: cross-site' \\\n  \
         -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \\\n  \
         -H 'sec-ch-ua: \"Chromium\";v=\"156\", \"Not)A;Brand\";v=\"24\"' \\\n  -H 'sec-ch-ua-mobile: ?0' \\\n  \
         -H 'sec-ch-ua-platform: \"Linux\"' \\\n  --data-raw '{{\"n\":1}}'"
    )
}

#[test]
fn copy_as_curl_sends_what_script_set_and_leaves_the_browsers_headers_out() {
    let table = Table::default();
    let server = serve(table.handler());
    let url = server.url("/items");
    table.set(
        "/items",
        Some(
            Resp::new(204)
                .h("Access-Control-Allow-Origin", APP)
                .h("Access-Control-Allow-Methods", "PUT")
                .h("Access-Control-Allow-Headers", "Content-Type"),
        ),
        Some(Resp::new(200).h("Access-Control-Allow-Origin", APP)),
    );
    let (code, v) = json(&["check", "--curl", &chromium_curl(&url)]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["origin"], APP);
    assert_eq!(v["imported"]["from"], "curl");
    let left_out: Vec<String> = v["imported"]["browser_headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_ascii_lowercase())
        .collect();
    for name in [
        "origin",
        "sec-fetch-mode",
        "sec-ch-ua",
        "user-agent",
        "referer",
    ] {
        assert!(left_out.iter().any(|h| h == name), "{name}: {left_out:?}");
    }
    // The preflight asked only for what script set: Content-Type (Accept and Accept-Language
    // are safelisted; the rest the browser added).
    let log = server.log.lock().unwrap().clone();
    let pre = log.iter().find(|s| s.is_preflight()).expect("a preflight");
    assert_eq!(pre.header("access-control-request-method"), Some("PUT"));
    assert_eq!(
        pre.header("access-control-request-headers"),
        Some("content-type")
    );
    let actual = log.iter().find(|s| s.method == "PUT").expect("the PUT");
    assert_eq!(actual.body, b"{\"n\":1}");
    assert_eq!(actual.header("origin"), Some(APP));
}

#[test]
fn copy_as_fetch_with_credentials_is_judged_with_credentials() {
    let table = Table::default();
    let server = serve(table.handler());
    let url = server.url("/me");
    // Allowed for anonymous requests only: no Access-Control-Allow-Credentials.
    table.set(
        "/me",
        None,
        Some(Resp::new(200).h("Access-Control-Allow-Origin", APP)),
    );
    let code = format!(
        "fetch(\"{url}\", {{\n  \"headers\": {{\n    \"accept\": \"application/json\"\n  }},\n  \
         \"referrer\": \"{APP}/\",\n  \"body\": null,\n  \"method\": \"GET\",\n  \"mode\": \"cors\",\n  \
         \"credentials\": \"include\"\n}});"
    );
    let (exit, v) = json(&["check", "--fetch", &code]);
    assert_eq!(exit, 1, "{v:#}");
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["request"]["credentials"], "include", "{:#}", v["request"]);
    assert_eq!(v["imported"]["from"], "fetch");
    let fix = v["fix"].to_string();
    assert!(fix.contains("Access-Control-Allow-Credentials"), "{fix}");
    // The same copy with credentials omitted passes.
    let (exit, v) = json(&["check", "--fetch", &code.replace("\"include\"", "\"omit\"")]);
    assert_eq!(exit, 0, "{v:#}");
}

fn entry(
    method: &str,
    url: &str,
    req: &[(&str, &str)],
    status: u16,
    resp: &[(&str, &str)],
) -> Value {
    let pairs = |h: &[(&str, &str)]| {
        h.iter()
            .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
            .collect::<Vec<_>>()
    };
    serde_json::json!({
        "pageref": "page_1",
        "startedDateTime": "2026-12-07T08:00:00.000Z",
        "time": 1,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1",
                    "headers": pairs(req), "queryString": [], "cookies": [],
                    "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1",
                     "headers": pairs(resp), "cookies": [],
                     "content": {"size": 5, "mimeType": "text/plain", "text": "hello"},
                     "redirectURL": "", "headersSize": -1, "bodySize": 5},
        "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0},
    })
}

/// A session: the page, an allowed fetch, a fetch the browser blocked (no ACAO), and one the
/// HAR says the browser let through although its recorded response lacks ACAO.
fn session_har() -> String {
    let api = "http://api.localhost:9000";
    let cors = [
        ("Origin", APP),
        ("Sec-Fetch-Mode", "cors"),
        ("Accept", "*/*"),
    ];
    let mut page = entry(
        "GET",
        &format!("{APP}/"),
        &[
            ("Sec-Fetch-Mode", "navigate"),
            ("Sec-Fetch-Dest", "document"),
        ],
        200,
        &[],
    );
    page["_resourceType"] = "document".into();
    let ok = entry(
        "GET",
        &format!("{api}/ok"),
        &cors,
        200,
        &[("Access-Control-Allow-Origin", APP)],
    );
    let mut blocked = entry("GET", &format!("{api}/blocked"), &cors, 0, &[]);
    blocked["response"]["_error"] = "net::ERR_FAILED".into();
    let odd = entry("GET", &format!("{api}/odd"), &cors, 200, &[]);
    let same = entry(
        "GET",
        &format!("{APP}/same"),
        &[("Sec-Fetch-Mode", "cors")],
        200,
        &[],
    );
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [{"id": "page_1", "title": APP, "startedDateTime": "2026-12-07T08:00:00.000Z", "pageTimings": {}}],
        "entries": [page, ok, blocked, odd, same]}})
    .to_string()
}

fn har_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cors-devtools-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_har_is_replayed_offline_and_a_disagreement_is_reported() {
    let path = har_file("session.har", &session_har());
    let path = path.to_str().unwrap();
    let (code, v) = json(&["check", "--har", path]);
    assert_eq!(code, 1, "a request is blocked: {v:#}");
    let list = v.as_array().expect("an array of reports");
    // The document and the same-origin fetch are not CORS requests.
    let urls: Vec<&str> = list.iter().map(|r| r["url"].as_str().unwrap()).collect();
    assert_eq!(urls.len(), 3, "{urls:?}");
    let by = |suffix: &str| {
        list.iter()
            .find(|r| r["url"].as_str().unwrap().ends_with(suffix))
            .unwrap()
    };
    let har = |r: &Value| r["imported"]["har"].clone();
    assert_eq!(by("/ok")["verdict"], "allowed");
    assert_eq!(har(by("/ok"))["agrees"], true);
    assert_eq!(har(by("/ok"))["entry"], 1);
    assert_eq!(har(by("/blocked"))["browser_blocked"], true);
    assert_eq!(har(by("/blocked"))["browser_error"], "net::ERR_FAILED");
    // The engine needs the response the browser got; the HAR has none: said, not guessed.
    assert_eq!(har(by("/blocked"))["agrees"], Value::Null);
    // The recorded response lacks ACAO but the HAR says the browser read it: reported as such.
    assert_eq!(by("/odd")["verdict"], "blocked");
    assert_eq!(by("/odd")["cors_error"], "MissingAllowOriginHeader");
    assert_eq!(har(by("/odd"))["agrees"], false);

    let (_, text, _) = human(&["check", "--har", path]);
    assert!(text.contains("3 cross-origin request(s)"), "{text}");
    assert!(
        text.contains("DIFFERENT: the engine says blocked"),
        "{text}"
    );
    assert!(
        text.contains("1 judged differently by the engine than the browser did"),
        "{text}"
    );

    let (_, v) = json(&["check", "--har", path, "--only-failures"]);
    let failed: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().all(|u| !u.ends_with("/ok")), "{failed:?}");

    // explain: the same requests, offline, each the object `explain --json` prints.
    let (code, v) = json(&["explain", "--har", path]);
    assert_eq!(code, 0, "{v:#}");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert!(
        list.iter()
            .all(|e| e["route"] == "simple" && e["imported"]["from"] == "har"),
        "{v:#}"
    );
}

#[test]
fn bad_input_is_exit_2_with_a_position() {
    let (code, _, err) = human(&["check", "--curl", "curl 'http://a.example/' --frobnicate x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--frobnicate") && err.contains('^'), "{err}");

    let (code, _, err) = human(&[
        "explain",
        "--fetch",
        "fetch(\"http://a.example/\", {\"method\": }",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("column") && err.contains('^'), "{err}");

    let (code, _, err) = human(&["check", "--curl", "curl 'http://a.example/ -H 'X: 1'"]);
    assert_eq!(code, 2, "{err}");

    let not_json = har_file(
        "broken.har",
        "{\"log\": {\"version\": \"1.2\", \"entries\": [\n  {\"request\": }\n]}}",
    );
    let (code, _, err) = human(&["check", "--har", not_json.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 2"), "{err}");

    let wrong = har_file(
        "v2.har",
        "{\"log\": {\"version\": \"2.0\", \"entries\": []}}",
    );
    let (code, _, err) = human(&["explain", "--har", wrong.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not-har"), "{err}");

    let (code, _, err) = human(&["check", "--har", "/nonexistent/x.har"]);
    assert_eq!(code, 2, "{err}");
}
