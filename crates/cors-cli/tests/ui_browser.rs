//! `cors ui` in headless Chromium and Firefox: the real binary, the page driven by
//! `browser-tests/ui/run.mjs`. For 24 requests of the scenario matrix typed into the form, the
//! verdict each browser column shows, its preflight reasons and console line, and the minimal
//! headers of the fix equal `cors explain --json`. For 22 of them the copies the browsers' own
//! DevTools code wrote of the request they sent (`tests/devtools_copies/corpus.json`, see
//! `devtools_copies.rs`) are pasted: Chromium's "Copy as cURL" (bash and cmd) and "Copy as fetch"
//! in both runs, and Firefox's "Copy as cURL (POSIX)" and "Copy as Fetch" in the Firefox run (66
//! and 109 pastes). The form is filled from the paste with the request the browser sent, each
//! column equals `cors explain --curl/--fetch TEXT --json` on the same text, and equals the column
//! of the same scenario typed (with the recording's URL and page origin) but for what a format
//! cannot carry, named in [`not_carried`] and [`carried_body`]. A HAR of three cross-origin
//! requests (dropped on the page in Chromium, opened with the file input in Firefox) is listed to
//! choose from, and the 2nd, chosen by keyboard, fills the form and shows what
//! `cors explain --har` says of it; live mode against the matrix's scripted servers marks the
//! failing step and header in the diagram; copy buttons copy the snippet (Chromium); the
//! permalink reloads the request (and never starts the live mode by itself); screenshots of four
//! states are kept under target/ui-browser/ (the test prints the folder).
//!
//! Needs chromium, firefox-esr, geckodriver and the npm packages of browser-tests
//! (scripts/install-test-deps). A missing one fails the test and says so.

#[path = "../../cors/tests/browser_support/mod.rs"]
mod browser_support;
mod ui_support;

use browser_support::{repo_root, require_firefox_tools, require_tools};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

const OFFLINE: &[&str] = &[
    "cls-get",
    "cls-head",
    "cls-post-text",
    "cls-post-params",
    "cls-post-bytes",
    "cls-method-put",
    "cls-method-lower-patch",
    "cls-method-foo",
    "cls-custom-header",
    "cls-two-headers-sorted",
    "cls-accept-unsafe-quote",
    "cls-accept-language-underscore",
    "cls-ct-json",
    "cls-ct-multipart",
    "cls-range-multi",
    "cls-authorization",
    "cls-forbidden-cookie",
    "cls-override-put",
    "cls-refuse-trace",
    "cls-refuse-get-body",
    "cls-nocors-put",
    "cls-same-origin-mode",
    "cls-same-origin-target",
    "pf-cred-ok",
];

/// Requests of the matrix pasted as the browsers' DevTools copied them: each id's entries in
/// the corpus of `tests/devtools_copies/corpus.json` (written by Chromium's and Firefox's own
/// DevTools code over the requests they sent; see `devtools_copies.rs`). A scenario `fetch()`
/// refuses is not there (the browser sent nothing to copy).
const PASTE: &[&str] = &[
    "cls-get",
    "cls-head",
    "cls-post-text",
    "cls-post-params",
    "cls-post-bytes",
    "cls-method-put",
    "cls-method-lower-patch",
    "cls-method-foo",
    "cls-custom-header",
    "cls-two-headers-sorted",
    "cls-duplicate-header",
    "cls-accept-unsafe-quote",
    "cls-accept-language-underscore",
    "cls-ct-json",
    "cls-ct-multipart",
    "cls-range-multi",
    "cls-authorization",
    "cls-forbidden-cookie",
    "cls-override-put",
    "cls-same-origin-target",
    "cls-nocors-simple",
    "act-cred-star",
];

const CORPUS: &str = include_str!("devtools_copies/corpus.json");

/// The copy formats pasted: Chromium's "Copy as cURL" (bash and cmd) and "Copy as fetch" in
/// both runs, and in the Firefox run also Firefox's "Copy as cURL (POSIX)" and "Copy as Fetch".
fn formats(browser_under_test: &str) -> &'static [&'static str] {
    if browser_under_test == "firefox" {
        &[
            "chromium-curl-bash",
            "chromium-curl-cmd",
            "chromium-fetch",
            "firefox-curl-posix",
            "firefox-fetch",
        ]
    } else {
        &["chromium-curl-bash", "chromium-curl-cmd", "chromium-fetch"]
    }
}

/// The job's `paste` list: per id, the URL and page origin of the recording, and the copies of
/// the formats pasted that the browser's generator wrote (Firefox's cURL generator throws on
/// some requests: DevTools copies nothing there), each with the request the browser sent.
fn paste_job(browser_under_test: &str) -> (Vec<Value>, usize) {
    let corpus: Value = serde_json::from_str(CORPUS).expect("corpus.json is JSON");
    let origin = corpus["origins"]["A"].as_str().expect("origins.A");
    let entries = corpus["entries"].as_array().expect("entries");
    let mut count = 0;
    let job = PASTE
        .iter()
        .map(|id| {
            let of = |browser: &str| {
                entries
                    .iter()
                    .find(|e| e["id"] == *id && e["browser"] == browser)
                    .unwrap_or_else(|| panic!("{id}: no {browser} entry in the corpus"))
            };
            let url = &of("chromium")["sent"]["url"];
            let mut copies = Vec::new();
            for format in formats(browser_under_test) {
                let entry = of(format.split('-').next().unwrap());
                assert_eq!(&entry["sent"]["url"], url, "{id}: one recording");
                let copy = entry["copies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["format"] == *format)
                    .unwrap_or_else(|| panic!("{id}: no {format} copy"));
                if let Some(text) = copy["text"].as_str() {
                    copies.push(json!({
                        "from": entry["browser"], "format": format, "text": text,
                        "sent": entry["sent"],
                    }));
                }
            }
            count += copies.len();
            json!({ "id": id, "url": url, "origin": origin, "copies": copies })
        })
        .collect();
    (job, count)
}

/// The HAR the chooser is tried on: a document, a no-cors image and three cross-origin
/// requests (a GET that passed, a PUT blocked at its preflight, a POST that passed).
const HAR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/ui_support/three-requests.har"
);

fn target_dir() -> PathBuf {
    std::env::current_exe()
        .unwrap()
        .ancestors()
        .nth(3)
        .unwrap()
        .to_path_buf()
}

/// The form the harness typed, as the API's `Form` (the flags of `cors explain`).
fn form_of(request: &Value, browser: &str) -> Value {
    let init = &request["init"];
    let headers: Vec<String> = init["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| format!("{}: {}", h[0].as_str().unwrap(), h[1].as_str().unwrap()))
        .collect();
    json!({
        "url": request["url"], "origin": request["origin"],
        "method": init["method"].as_str().unwrap_or(""),
        "headers": headers,
        "body": init["bodyKind"].as_str().unwrap_or(""),
        "credentials": init["credentials"].as_str().unwrap_or(""),
        "mode": init["mode"].as_str().unwrap_or(""),
        "redirect": init["redirect"].as_str().unwrap_or(""),
        "browser": browser,
    })
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn run_page(browser: &str, extras: bool) -> (Value, usize) {
    let root = repo_root();
    require_tools(&root);
    if browser == "firefox" {
        require_firefox_tools();
    }
    let ui = ui_support::start();
    let shots = target_dir().join("ui-browser");
    let (paste, copies) = paste_job(browser);
    let job = json!({
        "page": ui.url, "browser": browser, "shots": shots, "offline": OFFLINE, "extras": extras,
        "paste": paste, "har": HAR,
        "live": [
            { "id": "act-acao-exact", "state": "allowed-simple" },
            { "id": "pf-acao-missing", "state": "preflight-refused" },
            { "id": "act-cred-star", "state": "credentials-refused" },
            { "id": "rd-to-c-star", "state": "redirect" },
        ],
    });
    let job_file =
        std::env::temp_dir().join(format!("cors-ui-job-{browser}-{}.json", std::process::id()));
    std::fs::write(&job_file, job.to_string()).unwrap();
    let harness = root.join("browser-tests");
    let out = Command::new("node")
        .arg(harness.join("ui/run.mjs"))
        .arg(&job_file)
        .current_dir(&harness)
        .output()
        .expect("node runs (install nodejs)");
    let _ = std::fs::remove_file(&job_file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "harness output is not JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.status.success() && result["error"].is_null(),
        "the browser run failed: {}",
        result["error"]
    );
    eprintln!("screenshots: {}", shots.display());
    (result, copies)
}

fn check_offline(result: &Value) {
    let offline = result["offline"].as_array().unwrap();
    assert!(offline.len() >= 20);
    let mut routes = std::collections::BTreeSet::new();
    for row in offline {
        let id = row["id"].as_str().unwrap();
        for browser in ["chromium", "firefox", "safari"] {
            let want = ui_support::explain_json(&form_of(&row["request"], browser));
            let shown = &row["shown"][browser];
            let ctx = format!("{id} / {browser}: shown {shown}\nexplain {want}");
            assert_eq!(shown["route"], want["route"], "{ctx}");
            assert_eq!(shown["reasons"], want["preflight_reasons"], "{ctx}");
            routes.insert(want["route"].as_str().unwrap().to_string());
            let console = want["refusal"]["message"]
                .as_str()
                .map(|m| format!("Uncaught (in promise) {m}"));
            assert_eq!(
                shown["console"].as_str().map(str::to_string),
                console,
                "{ctx}"
            );
            // The fix shown: the minimal headers, preflight first.
            let tables = shown["diagram"]["fix"].as_array().unwrap();
            let required = &want["required"];
            let mut expected: Vec<Vec<(String, String)>> = Vec::new();
            if !required.is_null() {
                if let Some(pf) = required["preflight"].as_object() {
                    let mut rows = vec![("Status".to_string(), pf["status"].to_string())];
                    rows.extend(pairs(&pf["headers"]));
                    expected.push(rows);
                }
                expected.push(pairs(&required["actual"]["headers"]));
            }
            let got: Vec<Vec<(String, String)>> =
                tables.iter().map(|t| pairs(&t["rows"])).collect();
            assert_eq!(got, expected, "{ctx}");
            // A request that never leaves is drawn as one failing step.
            let steps = shown["diagram"]["steps"].as_array().unwrap();
            let failing: Vec<&str> = steps
                .iter()
                .filter(|s| s["state"] == "fail")
                .map(|s| s["kind"].as_str().unwrap())
                .collect();
            let never_sent = want["refusal"].is_object() || want["blocked"].is_object();
            assert_eq!(failing.len(), usize::from(never_sent), "{ctx}");
        }
    }
    assert!(routes.len() >= 5, "the rows cover the routes: {routes:?}");
}

/// `cors explain --curl TEXT` (or `--fetch`) for one browser, the real binary; `--origin` only
/// where the copy does not say which page sent it (and the harness typed it in).
fn explain_copy(row: &Value, browser: &str) -> Value {
    let mut args = vec![
        "explain".to_string(),
        format!("--{}", kind_of(row)),
        row["text"].as_str().unwrap().into(),
        "--browser".into(),
        browser.into(),
        "--json".into(),
    ];
    if row["says_origin"] != true {
        args.extend([
            "--origin".into(),
            row["request"]["origin"].as_str().unwrap().into(),
        ]);
    }
    ui_support::run_json(&args)
}

/// `curl` or `fetch`: what the page must recognise a copy as.
fn kind_of(row: &Value) -> &'static str {
    if row["format"].as_str().unwrap().ends_with("-fetch") {
        "fetch"
    } else {
        "curl"
    }
}

/// A body as a format carries it: Chromium's cmd quoting turns every character outside
/// 0x20–0x7E (but CR and LF) into a space (`cls-post-bytes` sends 01 02 03). Which bytes a body
/// holds changes no verdict (its kind does: the copy's Content-Type header, or none).
fn carried_body(format: &str, body: &str) -> String {
    if format != "chromium-curl-cmd" {
        return body.to_string();
    }
    body.chars()
        .map(|c| {
            if (' '..='~').contains(&c) || c == '\r' || c == '\n' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// What a copy format cannot carry of a scenario's request: the typed form as the copy carries
/// it, and the reason, or `None` where the copy carries all the verdict depends on. Only this is
/// excused when a pasted verdict is compared with the typed one (the same rule as
/// `devtools_copies.rs`'s `LOSSY_MODE`).
fn not_carried(format: &str, form: &Value) -> Option<(Value, &'static str)> {
    if format == "chromium-fetch" && form["mode"] == "no-cors" {
        let mut carried = form.clone();
        carried["mode"] = "cors".into();
        return Some((
            carried,
            "Chromium's \"Copy as fetch\" always writes mode: \"cors\" (and drops \
             Sec-Fetch-Mode, a sec- header), so a no-cors request copies as a cors one",
        ));
    }
    None
}

/// The console line the page prints offline for an explain object.
fn offline_console(e: &Value) -> Option<String> {
    e["refusal"]["message"]
        .as_str()
        .map(|m| format!("Uncaught (in promise) {m}"))
}

fn check_paste(result: &Value, browser_under_test: &str, copies: usize) {
    let rows = result["paste"].as_array().unwrap();
    assert_eq!(rows.len(), copies);
    let ids: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.len() >= 20, "{} scenarios pasted", ids.len());
    let mut routes = std::collections::BTreeSet::new();
    let mut excused = Vec::new();
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let format = row["format"].as_str().unwrap();
        let filled = &row["filled"];
        let sent = &row["sent"];
        let kind = kind_of(row);
        let ctx = format!(
            "{browser_under_test}: {id} pasted as {format}:\n{}\nfilled {filled}",
            row["text"].as_str().unwrap()
        );
        // What `cors explain` reads of the same text (the browser only changes the verdict).
        let read = explain_copy(row, "chromium");
        let ctx = format!("{ctx}\nexplain --{kind} reads {}", read["request"]);
        assert_eq!(read["imported"]["from"], kind, "{ctx}");
        // The page recognised the kind and filled every field from the paste: the request the
        // browser sent, as `cors explain` reads it.
        assert_eq!(filled["kind"], kind, "{ctx}");
        assert_eq!(filled["url"], sent["url"], "{ctx}");
        assert_eq!(read["url"], sent["url"], "{ctx}");
        if row["says_origin"] == true {
            assert_eq!(filled["origin"], row["request"]["origin"], "{ctx}");
            assert_eq!(read["origin"], row["request"]["origin"], "{ctx}");
        }
        let body = carried_body(format, sent["body"].as_str().unwrap_or(""));
        assert_eq!(filled["data"], body, "{ctx}");
        assert_eq!(filled["mode"], read["request"]["mode"], "{ctx}");
        assert_eq!(
            filled["credentials"], read["request"]["credentials"],
            "{ctx}"
        );
        assert_eq!(filled["redirect"], "follow", "{ctx}");
        let want_method = sent["method"].as_str().unwrap();
        let shown_method = filled["method"].as_str().unwrap();
        assert!(
            shown_method == want_method
                || (shown_method.is_empty() && ["GET", "POST"].contains(&want_method)),
            "{ctx}"
        );
        assert!(
            !filled["headers"].as_str().unwrap().contains("X-Stale"),
            "{ctx}"
        );
        for browser in ["chromium", "firefox", "safari"] {
            let want = explain_copy(row, browser);
            let shown = &row["shown"][browser];
            let typed = &row["typed"][browser];
            let ctx =
                format!("{ctx}\n{browser}: shown {shown}\ntyped {typed}\nexplain --{kind} {want}");
            assert_eq!(shown["route"], want["route"], "{ctx}");
            assert_eq!(shown["reasons"], want["preflight_reasons"], "{ctx}");
            assert_eq!(
                shown["console"].as_str().map(str::to_string),
                offline_console(&want),
                "{ctx}"
            );
            // The typed request is what `cors explain` says of the flags; pasted or typed, the
            // same request gets the same verdict, but for what the format cannot carry, where
            // the paste gets the verdict of the request as the copy carries it.
            let form = form_of(&row["request"], browser);
            let flags = ui_support::explain_json(&form);
            assert_eq!(typed["route"], flags["route"], "{ctx}");
            assert_eq!(typed["reasons"], flags["preflight_reasons"], "{ctx}");
            match not_carried(format, &form) {
                None => {
                    assert_eq!(shown["route"], typed["route"], "{ctx}");
                    assert_eq!(shown["reasons"], typed["reasons"], "{ctx}");
                    assert_eq!(shown["console"], typed["console"], "{ctx}");
                }
                Some((carried, why)) => {
                    let as_carried = ui_support::explain_json(&carried);
                    // An excuse is only for what changes the verdict.
                    assert!(
                        as_carried["route"] != flags["route"]
                            || as_carried["preflight_reasons"] != flags["preflight_reasons"],
                        "needless excuse ({why}): {ctx}"
                    );
                    assert_eq!(shown["route"], as_carried["route"], "{why}: {ctx}");
                    assert_eq!(
                        shown["reasons"], as_carried["preflight_reasons"],
                        "{why}: {ctx}"
                    );
                    excused.push(format!("{id} {format} ({browser}): {why}"));
                }
            }
            routes.insert(want["route"].as_str().unwrap().to_string());
        }
    }
    for format in formats(browser_under_test) {
        assert!(
            rows.iter().filter(|r| r["format"] == *format).count() >= 20,
            "{format}"
        );
    }
    assert!(
        routes.len() >= 4,
        "the pasted rows cover the routes: {routes:?}"
    );
    eprintln!(
        "{browser_under_test}: {} copies of {} scenarios pasted; excused: {excused:#?}",
        rows.len(),
        ids.len()
    );
}

fn check_har(result: &Value, browser_under_test: &str) {
    let h = &result["har"];
    let ctx = format!("{browser_under_test}: {h:#}");
    let first = &h["first"];
    assert_eq!(first["hidden"], false, "{ctx}");
    assert_eq!(
        first["title"], "The HAR holds 3 cross-origin requests",
        "{ctx}"
    );
    let choices = first["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 3, "{ctx}");
    // Each choice: method, URL, the status the HAR records, blocked or not; labelled.
    let want = [
        (
            "1. GET https://api.shop.example/cart/items status 200 · not blocked",
            1,
            "false",
        ),
        (
            "2. PUT https://api.shop.example/cart/items/7 no status · blocked (net::ERR_FAILED)",
            4,
            "true",
        ),
        (
            "3. POST https://api.shop.example/checkout status 201 · not blocked",
            5,
            "false",
        ),
    ];
    for (c, (text, entry, blocked)) in choices.iter().zip(want) {
        assert_eq!(c["text"], text, "{ctx}");
        assert_eq!(c["entry"], entry, "{ctx}");
        assert_eq!(c["blocked"], blocked, "{ctx}");
        assert_eq!(c["labelled"], true, "{ctx}");
    }
    // The first is in the form and has the focus; the arrow key moves to the 2nd.
    assert_eq!(first["focused"], 0, "{ctx}");
    assert_eq!(
        first["filled"]["url"], "https://api.shop.example/cart/items",
        "{ctx}"
    );
    let chosen = &h["chosen"];
    let checked: Vec<bool> = chosen["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["checked"].as_bool().unwrap())
        .collect();
    assert_eq!(checked, [false, true, false], "{ctx}");
    let f = &chosen["filled"];
    assert_eq!(f["url"], "https://api.shop.example/cart/items/7", "{ctx}");
    assert_eq!(f["origin"], "https://shop.example", "{ctx}");
    assert_eq!(f["method"], "PUT", "{ctx}");
    assert_eq!(f["data"], "{\"qty\":2}", "{ctx}");
    assert!(
        f["headers"].as_str().unwrap().contains("x-request-id: 42"),
        "{ctx}"
    );
    // The verdict shown is what `cors explain --har` says of that entry, per browser.
    for browser in ["chromium", "firefox", "safari"] {
        let all = ui_support::run_json(&[
            "explain".into(),
            "--har".into(),
            HAR.into(),
            "--browser".into(),
            browser.into(),
            "--json".into(),
        ]);
        let want = &all[1];
        assert_eq!(want["imported"]["har"]["entry"], 4);
        let shown = &h["shown"][browser];
        assert_eq!(shown["route"], want["route"], "{browser}: {ctx}");
        assert_eq!(
            shown["reasons"], want["preflight_reasons"],
            "{browser}: {ctx}"
        );
        assert_eq!(shown["route"], "preflight", "{browser}: {ctx}");
        assert_ne!(
            all[0]["route"], want["route"],
            "the 1st would show something else"
        );
    }
    if let Some(w) = h["narrow_scroll_width"].as_u64() {
        assert!(w <= 360, "the list fits 360 px: {ctx}");
    }
}

fn check_live(result: &Value, browser_under_test: &str) {
    let live = result["live"].as_array().unwrap();
    let expect = [
        ("allowed-simple", "allowed", None),
        (
            "preflight-refused",
            "blocked",
            Some(("preflight-response", "access-control-allow-origin")),
        ),
        (
            "credentials-refused",
            "blocked",
            Some(("actual-response", "access-control-allow-origin")),
        ),
        ("redirect", "allowed", None),
    ];
    for (row, (state, verdict, failing)) in live.iter().zip(expect) {
        assert_eq!(row["state"], state);
        for browser in ["chromium", "firefox", "safari"] {
            let shown = &row["shown"][browser];
            let ctx = format!("{browser_under_test}: {state} / {browser}: {shown}");
            assert_eq!(shown["verdict"], verdict, "{ctx}");
            let steps = shown["diagram"]["steps"].as_array().unwrap();
            let failed: Vec<(&str, Vec<&str>)> = steps
                .iter()
                .filter(|s| s["state"] == "fail")
                .map(|s| {
                    (
                        s["kind"].as_str().unwrap(),
                        s["marked"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|m| m.as_str().unwrap())
                            .collect(),
                    )
                })
                .collect();
            match failing {
                Some((kind, header)) => assert_eq!(failed, vec![(kind, vec![header])], "{ctx}"),
                None => assert!(failed.is_empty(), "{ctx}"),
            }
            // Each column prints its own browser's console wording when blocked (Safari's is
            // WebKit's, from `cors check`'s console.webkit_lines), and nothing when allowed.
            let console = shown["console"].as_str();
            if verdict == "blocked" {
                assert!(console.is_some_and(|c| !c.is_empty()), "console: {ctx}");
                if browser == "safari" {
                    assert_ne!(
                        console,
                        row["shown"]["chromium"]["console"].as_str(),
                        "Safari's wording is not Chromium's: {ctx}"
                    );
                }
            } else {
                assert_eq!(console, None, "console: {ctx}");
            }
            if state == "redirect" {
                assert!(
                    steps.iter().any(|s| s["state"] == "redirect"),
                    "the redirect is drawn: {ctx}"
                );
            }
            if state == "preflight-refused" {
                assert_eq!(steps.last().unwrap()["kind"], "skipped", "{ctx}");
            }
        }
        let shot = PathBuf::from(row["screenshot"].as_str().unwrap());
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(size > 20_000, "no screenshot at {}", shot.display());
    }
}

#[test]
fn the_page_shows_what_cors_explain_says_in_chromium() {
    let (result, copies) = run_page("chromium", true);
    check_offline(&result);
    check_paste(&result, "chromium", copies);
    check_har(&result, "chromium");
    check_live(&result, "chromium");
    let extras = &result["extras"];
    // Copy buttons put the snippet on the clipboard: the one `cors explain --json` gives.
    let copy = &extras["copy"];
    let want = ui_support::explain_json(&form_of(&copy["request"], "chromium"));
    for key in ["policy_toml", "gateway_toml", "rust"] {
        let c = &copy["copies"][key];
        assert_eq!(c["clipboard"], want["required"]["snippets"][key], "{key}");
        assert_eq!(c["button"], "Copied", "{key}");
    }
    // The permalink reloads the same request and runs it offline.
    let p = &extras["permalink"];
    assert_eq!(p["url"], copy["request"]["url"]);
    assert_eq!(p["headers"], "X-A: 1");
    assert_eq!(p["routes"], json!(["preflight", "preflight", "preflight"]));
    let lp = &extras["live_permalink"];
    assert_eq!(
        lp["sent"], 0,
        "a live permalink must not send anything by itself: {lp}"
    );
    assert_eq!(lp["live_checked"], true);
    // Keyboard: Ctrl+Enter runs; Tab reaches the copy buttons.
    assert_eq!(
        extras["keyboard"]["routes"],
        json!(["preflight", "preflight", "preflight"])
    );
    assert!(
        extras["keyboard"]["reached_copy_button"].is_string(),
        "{}",
        extras["keyboard"]
    );
    // 360 px wide: nothing scrolls sideways; dark: a dark background.
    assert!(
        extras["narrow"]["scroll_width"].as_u64().unwrap() <= 360,
        "{}",
        extras["narrow"]
    );
    assert_eq!(extras["narrow"]["background"], "rgb(21, 23, 26)");
}

#[test]
fn the_page_shows_what_cors_explain_says_in_firefox() {
    let (result, copies) = run_page("firefox", false);
    check_offline(&result);
    check_paste(&result, "firefox", copies);
    check_har(&result, "firefox");
    check_live(&result, "firefox");
}
