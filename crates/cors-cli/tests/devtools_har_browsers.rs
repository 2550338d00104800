//! `cors check --har` on HAR files real browsers wrote over the scenario matrix of the browser
//! tests (`browser-tests/scenarios/scenarios.json`), each compared with what that browser did.
//!
//! The fixtures in `tests/devtools_har/` are recorded by `browser-tests/devtools/record-hars.mjs`
//! (its header says how to regenerate them):
//!
//! - `chromium.har.gz`: headless Chromium's traffic as its DevTools protocol's Network domain
//!   reports it, written in the shape DevTools' "Export HAR" writes (preflights as entries,
//!   blocked requests with `_error` and the response head Chromium received);
//! - `firefox.har.gz`: the HAR Firefox's own Network Monitor exports, from a toolbox opened in
//!   headless Firefox;
//! - `<browser>.fetches.json`: for every fetch, what the page's script saw (the promise resolved
//!   or rejected) — the browser's verdict, independent of the HAR.
//!
//! The real binary runs `cors check --har FILE --json` (offline: the recorded responses are
//! replayed) and, for every cross-origin fetch, the report's verdict must be what the page saw.
//! Where a HAR cannot carry what the engine needs, the test names the case and its reason —
//! each is bounded by what a HAR of that browser provably lacks — never a blanket pass.
//! Two more tests record both HARs afresh (`record-hars.mjs`, about 30 s together; the browser
//! tests' tools: `scripts/test-deps/chromium` and `scripts/test-deps/firefox`) and check them
//! the same way.

#[path = "../../cors/tests/browser_support/mod.rs"]
mod browser_support;

use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/devtools_har")
}

/// The HAR, un-gzipped into a temporary file (`gzip` is part of every Debian system).
fn har_file(dir: &Path, browser: &str) -> (PathBuf, Value) {
    let gz = dir.join(format!("{browser}.har.gz"));
    let out = Command::new("gzip")
        .arg("-dc")
        .arg(&gz)
        .output()
        .expect("run gzip -dc");
    assert!(out.status.success(), "gzip -dc {}", gz.display());
    let tmp = std::env::temp_dir().join(format!("cors-devtools-har-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    // Named after the recording's directory: the fixtures' and a fresh recording's differ.
    let from = dir.file_name().and_then(|n| n.to_str()).unwrap_or("har");
    let path = tmp.join(format!("{from}-{browser}.har"));
    std::fs::write(&path, &out.stdout).unwrap();
    let v = serde_json::from_slice(&out.stdout).expect("the fixture is JSON");
    (path, v)
}

fn origin_of(url: &str) -> String {
    // scheme://host:port of the fixtures' URLs (all http, all with a port).
    let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
    let end = rest.find('/').unwrap_or(rest.len());
    format!("{}{}", &url[..url.len() - rest.len()], &rest[..end])
}

/// Why a report may differ from the page's verdict: each is something the HAR does not hold.
#[derive(Debug, PartialEq, Eq, Hash, Clone, Copy)]
enum Gap {
    /// `fetch(…, {redirect: "error" | "manual"})`: a HAR has no redirect mode, so the engine
    /// follows the redirect and finds no entry for the hop the browser never requested.
    RedirectMode,
    /// Chromium failed the fetch with a network error of its own (`net::ERR_INVALID_REDIRECT`,
    /// `net::ERR_TOO_MANY_REDIRECTS`) and recorded no response head for it.
    NetworkErrorUnrecorded,
    /// Firefox's HAR exporter records a CORS block of an answered request nowhere: the entry
    /// has the status and headers, no error field. The engine blocks it, as Firefox did.
    FirefoxBlockNotInHar,
}

struct Run {
    reports: usize,
    agree: usize,
    gaps: HashMap<Gap, usize>,
    compared: usize,
    /// Blocked reports whose `cors_error` is the `corsError` Chromium's DevTools reported.
    same_cors_error: usize,
}

fn check(dir: &Path, browser: &str, extra: &[&str]) -> Run {
    let (path, har) = har_file(dir, browser);
    let fetches = browser_support::read_json(&dir.join(format!("{browser}.fetches.json")));
    let page = fetches["origins"]["A"].as_str().unwrap().to_string();
    let mut args = vec!["check", "--har", path.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(&args)
        .output()
        .expect("run cors");
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cors {args:?}: not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.stderr.is_empty(),
        "cors {args:?} skipped entries: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = har["log"]["entries"].as_array().unwrap();
    let reports = reports.as_array().unwrap();
    // Reports by the URL of their entry, in file order (one scenario may fetch a URL twice).
    let mut by_url: HashMap<String, VecDeque<&Value>> = HashMap::new();
    for r in reports {
        let e = &entries[r["imported"]["har"]["entry"].as_u64().unwrap() as usize];
        by_url
            .entry(e["request"]["url"].as_str().unwrap().to_string())
            .or_default()
            .push_back(r);
    }
    let mut run = Run {
        reports: reports.len(),
        agree: 0,
        gaps: HashMap::new(),
        compared: 0,
        same_cors_error: 0,
    };
    // Chromium: the CORS error DevTools reported for each URL (`loadingFailed.corsErrorStatus`).
    let mut cors_errors: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in fetches["corsErrors"].as_array().into_iter().flatten() {
        cors_errors
            .entry(c["url"].as_str().unwrap())
            .or_default()
            .push(c["corsErrorStatus"]["corsError"].as_str().unwrap());
    }
    let mut problems = Vec::new();
    for f in fetches["fetches"].as_array().unwrap() {
        let url = f["url"].as_str().unwrap();
        let id = format!("{} #{}", f["id"].as_str().unwrap(), f["i"]);
        let page_ok = f["ok"].as_bool().unwrap();
        let in_har: Vec<&Value> = entries
            .iter()
            .filter(|e| e["request"]["url"] == url && e["request"]["method"] != "OPTIONS")
            .collect();
        let Some(r) = by_url.get_mut(url).and_then(VecDeque::pop_front) else {
            // No report: fetch() threw, or the request is not a cross-origin CORS request
            // (no-cors or same-origin mode, a same-origin URL), or it never reached the network.
            let cors_cross_origin = f["mode"] == "cors" && origin_of(url) != page;
            if !f["thrown"].as_bool().unwrap() && cors_cross_origin && !in_har.is_empty() {
                problems.push(format!("{id}: in the HAR but not reported"));
            }
            continue;
        };
        run.compared += 1;
        let facts = &r["imported"]["har"];
        let verdict = r["verdict"].as_str().unwrap();
        if facts["agrees"] == true {
            run.agree += 1;
        }
        if browser == "chromium" && verdict == "blocked" {
            let last = r["steps"].as_array().and_then(|s| s.last());
            let at = last
                .and_then(|s| s["request"]["url"].as_str())
                .unwrap_or(url);
            let named = cors_errors.get(at).into_iter().flatten().copied();
            let named: Vec<&str> = named.collect();
            match r["cors_error"].as_str() {
                Some(e) if named.contains(&e) => run.same_cors_error += 1,
                // A block DevTools reports no CORS error for (a redirect to a non-HTTP URL).
                None if named.is_empty() => {}
                got => problems.push(format!(
                    "{id}: cors check says CORS error {got:?}, Chromium reported {named:?} for {at}"
                )),
            }
        }
        if (verdict == "allowed") == page_ok && facts["agrees"] == true {
            continue;
        }
        let not_recorded = r["network_error"]["kind"] == "not-recorded";
        let error = facts["browser_error"].as_str().unwrap_or("");
        let gap = if not_recorded && f["redirect"] != "follow" {
            Some(Gap::RedirectMode)
        } else if not_recorded
            && !page_ok
            && browser == "chromium"
            && error.starts_with("net::ERR_")
            && error != "net::ERR_FAILED"
        {
            Some(Gap::NetworkErrorUnrecorded)
        } else if browser == "firefox"
            && verdict == "blocked"
            && !page_ok
            && facts["agrees"] == false
            && facts["browser_error"].is_null()
            && facts["browser_status"].as_u64().unwrap_or(0) != 0
            && r["imported"]["notes"].as_array().unwrap().iter().any(|n| {
                n.as_str()
                    .unwrap()
                    .starts_with("Firefox's HAR export records no CORS block")
            })
        {
            Some(Gap::FirefoxBlockNotInHar)
        } else {
            None
        };
        match gap {
            Some(g) => *run.gaps.entry(g).or_default() += 1,
            None => problems.push(format!(
                "{id}: the page {} but cors check says {verdict} (agrees {}, browser error {:?}): {}",
                if page_ok { "got a response" } else { "saw a TypeError" },
                facts["agrees"],
                facts["browser_error"],
                r["summary"]
            )),
        }
    }
    let left: usize = by_url.values().map(VecDeque::len).sum();
    if left > 0 {
        problems.push(format!("{left} report(s) match no fetch of the page"));
    }
    assert!(problems.is_empty(), "{browser}:\n{}", problems.join("\n"));
    eprintln!(
        "{browser}: {} reports, {} agree with the browser, not judgeable from the HAR: {:?}; {} name the CORS error DevTools reported",
        run.reports, run.agree, run.gaps, run.same_cors_error
    );
    run
}

fn chromium_bounds(run: &Run) {
    // 292 fetches; those not reported are the ones fetch() refuses and no-cors and same-origin
    // ones (a redirect that starts same-origin and ends on another origin is reported).
    assert!(run.reports >= 276, "{} reports", run.reports);
    assert_eq!(run.compared, run.reports);
    // No report disagrees (a disagreement is a Gap-less problem above); the ones the engine
    // cannot judge from the HAR are few and each has its reason.
    assert!(run.agree >= 273, "{} of {} agree", run.agree, run.reports);
    assert!(!run.gaps.contains_key(&Gap::FirefoxBlockNotInHar));
    assert!(run.gaps.values().sum::<usize>() <= 4, "{:?}", run.gaps);
    // Why, too: each blocked report names the CORS error Chromium's DevTools reported.
    assert!(
        run.same_cors_error >= 70,
        "{} CORS errors",
        run.same_cors_error
    );
    assert_eq!(run.agree + run.gaps.values().sum::<usize>(), run.reports);
}

fn firefox_bounds(run: &Run) {
    assert!(run.reports >= 275, "{} reports", run.reports);
    assert_eq!(run.compared, run.reports);
    assert!(run.agree >= 240, "{} of {} agree", run.agree, run.reports);
    assert!(run.gaps.get(&Gap::RedirectMode).copied().unwrap_or(0) <= 2);
    assert_eq!(run.agree + run.gaps.values().sum::<usize>(), run.reports);
}

#[test]
fn chromium_devtools_har_verdicts_are_chromiums() {
    chromium_bounds(&check(&fixtures(), "chromium", &[]));
}

#[test]
fn firefox_network_monitor_har_verdicts_are_firefoxs() {
    firefox_bounds(&check(&fixtures(), "firefox", &["--browser", "firefox"]));
}

/// Records the HARs afresh (`record-hars.mjs`, about 10 s in Chromium and 20 s in Firefox), so
/// the recorders and the browsers of this machine are what is checked, not only the fixtures.
fn record(browser: browser_support::Browser) -> PathBuf {
    let root = browser_support::repo_root();
    match browser {
        browser_support::Browser::Firefox => browser_support::require_firefox_tools(),
        _ => browser_support::require_tools(&root),
    }
    let out = std::env::temp_dir().join(format!(
        "cors-devtools-har-live-{}-{}",
        browser.name(),
        std::process::id()
    ));
    let status = Command::new("node")
        .arg(root.join("browser-tests/devtools/record-hars.mjs"))
        .args(["--browser", browser.name(), "--gzip", "--out"])
        .arg(&out)
        .current_dir(root.join("browser-tests"))
        .status()
        .unwrap_or_else(|e| panic!("cannot start node: {e}; {}", browser_support::INSTALL_HINT));
    assert!(
        status.success(),
        "record-hars.mjs --browser {} failed; {}",
        browser.name(),
        browser_support::INSTALL_HINT
    );
    out
}

#[test]
fn a_fresh_chromium_recording_agrees_too() {
    let dir = record(browser_support::Browser::Chromium);
    chromium_bounds(&check(&dir, "chromium", &[]));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_fresh_firefox_recording_agrees_too() {
    let dir = record(browser_support::Browser::Firefox);
    firefox_bounds(&check(&dir, "firefox", &["--browser", "firefox"]));
    let _ = std::fs::remove_dir_all(dir);
}
