//! "Copy as cURL" and "Copy as fetch" strings written by the browsers' own DevTools code, read
//! back by `cors explain --curl/--fetch --json` (the real binary) and compared with the request
//! the browser sent.
//!
//! The corpus, `tests/devtools_copies/corpus.json`, is written by
//! `browser-tests/devtools/copy-corpus.mjs`: headless Chromium and Firefox run the first fetch of
//! each scenario of the browser test matrix from page A; the request (what CDP reported for
//! Chromium, what reached the server for Firefox) is handed to the copy generators taken at run
//! time from the installed browsers (Chromium's network panel module in `resources.pak`,
//! Firefox's `curl.js` and netmonitor context menu in `omni.ja`). Regenerate it with
//!
//! ```text
//! cd browser-tests && node devtools/copy-corpus.mjs --out ../crates/cors-cli/tests/devtools_copies/corpus.json
//! ```
//!
//! For every copy the parsed request must equal the one sent: the method, the URL, the page's
//! origin, the headers script set (with the values the browser sent; the headers the browser
//! adds left out, except the CORS-safelisted ones it fills in), whether there is a body, and
//! whether the request carried credentials. What a format cannot carry is named below
//! ([`carried`], [`LOSSY_MODE`]) and only that is excused.

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

const CORPUS: &str = include_str!("devtools_copies/corpus.json");

/// Fetch #forbidden-request-header: names script cannot set (fetch() drops them silently), so a
/// scenario asking for one is not asking for a header the request will carry from script.
fn forbidden(name: &str) -> bool {
    cors::vocab::safelist::is_forbidden_request_header_name(name.as_bytes())
}

/// Headers the browser fills in on a fetch() when script does not (Fetch #fetching: `Accept`;
/// the user agent's `Accept-Language`; #concept-bodyinit-extract: a body's `Content-Type`):
/// CORS-safelisted, so reading them as script's changes no verdict.
const BROWSER_DEFAULTS: [&str; 3] = ["accept", "accept-language", "content-type"];

/// Formats whose `mode` says nothing: Chromium's "Copy as fetch" always writes `mode: "cors"` and
/// drops `Sec-Fetch-Mode` (a `sec-` header), so a no-cors request copies as a cors one.
const LOSSY_MODE: &[&str] = &["chromium-fetch"];

/// A header value as a format can carry it: Chromium's cmd quoting turns every character outside
/// 0x20–0x7E (but CR and LF) into a space; Firefox's Windows quoting turns white space other than
/// CR and LF into a space. The others carry every character.
///
/// And the credentials of a "Copy as fetch" with an Authorization header: both DevTools write
/// `credentials: "include"` for cookies *or* an Authorization header (and leave Cookie out), so
/// such a copy cannot say whether cookies went; the reader takes the fetch() default
/// (same-origin), which this test asks for there.
fn carried(format: &str, value: &str) -> String {
    let v: String = match format {
        "chromium-curl-cmd" => value
            .chars()
            .map(|c| {
                if (' '..='~').contains(&c) || c == '\r' || c == '\n' {
                    c
                } else {
                    ' '
                }
            })
            .collect(),
        "firefox-curl-windows" => value
            .chars()
            .map(|c| {
                if c.is_whitespace() && c != '\r' && c != '\n' {
                    ' '
                } else {
                    c
                }
            })
            .collect(),
        _ => value.to_string(),
    };
    // A value ends without white space (the browser trims what script gives, and a space the
    // format put in place of a character is trimmed when read back, as the browser would).
    v.trim_matches([' ', '\t']).to_string()
}

fn combined(pairs: impl Iterator<Item = (String, String)>) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = BTreeMap::new();
    for (n, v) in pairs {
        m.entry(n.to_ascii_lowercase())
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    m
}

fn pairs(v: &Value) -> impl Iterator<Item = (String, String)> + '_ {
    v.as_array().into_iter().flatten().map(|p| {
        (
            p[0].as_str().unwrap_or_default().to_string(),
            p[1].as_str().unwrap_or_default().to_string(),
        )
    })
}

fn explain(flag: &str, text: &str) -> Result<Value, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["explain", flag, text, "--json"])
        .output()
        .expect("run the cors binary");
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("not JSON: {e}"))
}

/// What one copy of `entry` should read back as, against what it did; the differences.
fn compare(entry: &Value, format: &str, origin_a: &str, got: &Value) -> Vec<String> {
    let sent = &entry["sent"];
    let asked = &entry["asked"];
    let mut diffs = Vec::new();
    let same = |diffs: &mut Vec<String>, what: &str, want: &Value, have: &Value| {
        if want != have {
            diffs.push(format!("{what}: want {want}, got {have}"));
        }
    };
    same(&mut diffs, "url", &sent["url"], &got["url"]);
    same(&mut diffs, "origin", &Value::from(origin_a), &got["origin"]);
    same(
        &mut diffs,
        "method",
        &sent["method"],
        &got["request"]["method"],
    );
    same(
        &mut diffs,
        "body",
        &Value::from(!sent["body"].is_null()),
        &Value::from(!got["request"]["body"].is_null()),
    );
    let sent_h = combined(pairs(&sent["headers"]));
    let asked_names: Vec<String> = pairs(&asked["headers"])
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| !forbidden(n))
        .collect();
    let want: BTreeMap<String, String> = sent_h
        .iter()
        .filter(|(n, _)| asked_names.contains(n))
        .map(|(n, v)| (n.clone(), carried(format, v)))
        .collect();
    let mut have = combined(pairs(&got["request"]["headers"]));
    // The browser's own values of the safelisted headers it fills in may be read as script's.
    for n in BROWSER_DEFAULTS {
        if !want.contains_key(n)
            && have.get(n).map(String::as_str)
                == sent_h.get(n).map(|v| carried(format, v)).as_deref()
        {
            have.remove(n);
        }
    }
    if want != have {
        diffs.push(format!("script headers: want {want:?}, got {have:?}"));
    }
    // Credentials (Fetch #concept-request-credentials-mode): a cross-origin request carries
    // cookies only in mode include; a same-origin one also in same-origin (the default), so
    // there a cookie shows either.
    let cookie = sent_h.contains_key("cookie");
    let same_origin = sent["url"]
        .as_str()
        .is_some_and(|u| u.starts_with(&format!("{origin_a}/")));
    let read = got["request"]["credentials"].as_str().unwrap_or_default();
    let auth_in_fetch_copy = format.ends_with("-fetch")
        && pairs(&sent["headers"]).any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let fits = match (cookie, same_origin) {
        _ if auth_in_fetch_copy => read == "same-origin",
        (true, false) => read == "include",
        (true, true) => read != "omit",
        (false, _) => read != "include",
    };
    if !fits {
        diffs.push(format!(
            "credentials: the browser sent {} cookie to a {} URL, read as {read}",
            if cookie { "a" } else { "no" },
            if same_origin {
                "same-origin"
            } else {
                "cross-origin"
            },
        ));
    }
    if !LOSSY_MODE.contains(&format) {
        same(&mut diffs, "mode", &asked["mode"], &got["request"]["mode"]);
    }
    diffs
}

#[test]
fn every_devtools_copy_reads_back_as_the_request_the_browser_sent() {
    let corpus: Value = serde_json::from_str(CORPUS).expect("corpus.json is JSON");
    let origin_a = corpus["origins"]["A"].as_str().expect("origins.A");
    let entries = corpus["entries"].as_array().expect("entries");
    let mut per_format: BTreeMap<String, usize> = BTreeMap::new();
    let mut requests: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for e in entries {
        let browser = e["browser"].as_str().unwrap_or_default();
        let id = e["id"].as_str().unwrap_or_default();
        let mut read = 0;
        for c in e["copies"].as_array().into_iter().flatten() {
            let format = c["format"].as_str().unwrap_or_default();
            // The browser's own generator threw on this request (DevTools would copy nothing).
            let Some(text) = c["text"].as_str() else {
                continue;
            };
            let flag = if format.ends_with("-fetch") {
                "--fetch"
            } else {
                "--curl"
            };
            match explain(flag, text) {
                Ok(got) => {
                    for d in compare(e, format, origin_a, &got) {
                        failures.push(format!("{browser} {id} {format}: {d}"));
                    }
                }
                Err(err) => failures.push(format!("{browser} {id} {format}: {err}\n{text}")),
            }
            *per_format.entry(format.to_string()).or_default() += 1;
            read += 1;
        }
        if read == 3 {
            *requests.entry(browser).or_default() += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} copies differ from the request sent:\n{}",
        failures.len(),
        per_format.values().sum::<usize>(),
        failures.join("\n")
    );
    // The issue's floor: at least 40 requests per browser, each in all three of its formats.
    for browser in ["chromium", "firefox"] {
        let n = requests.get(browser).copied().unwrap_or(0);
        assert!(n >= 40, "{browser}: {n} requests copied in every format");
    }
    for f in [
        "chromium-curl-bash",
        "chromium-curl-cmd",
        "chromium-fetch",
        "firefox-curl-posix",
        "firefox-curl-windows",
        "firefox-fetch",
    ] {
        assert!(
            per_format.get(f).copied().unwrap_or(0) >= 40,
            "{f}: {per_format:?}"
        );
    }
}
