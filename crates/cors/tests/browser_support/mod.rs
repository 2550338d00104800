//! Shared by every test that drives a headless browser (the agent's differential tests against
//! Chromium and Firefox, the tower layer's browser test, `cors check`'s differential test, the
//! gateway demo's browser test): where the repository is, and a loud failure — never a skip —
//! when a prerequisite is missing. Included by path from both crates' tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What to run when something is missing.
pub const INSTALL_HINT: &str = "run scripts/install-test-deps (installs chromium, firefox-esr, geckodriver, WebKitGTK with python3-gi and xvfb, node and the npm packages of browser-tests/)";

/// The browser a differential test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    /// Debian's chromium, through playwright-core and CDP (`browser-tests/lib/chromium.mjs`).
    Chromium,
    /// Debian's firefox-esr, through geckodriver (`browser-tests/lib/firefox.mjs`).
    Firefox,
    /// Debian's WebKitGTK, a WebView under xvfb-run (`browser-tests/lib/webkit.mjs`,
    /// `lib/webkit.py`); the `safari` profile predicts it.
    Webkit,
}

impl Browser {
    /// The name the harness takes (`--browser`) and writes its version under.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
            Browser::Webkit => "webkit",
        }
    }
}

/// The repository root (both crates live two levels below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// Fails with [`INSTALL_HINT`] unless node, firefox-esr and geckodriver are there.
pub fn require_firefox_tools() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "node is missing: {INSTALL_HINT}"
    );
    let firefox = Command::new("sh")
        .args(["-c", "command -v firefox-esr || command -v firefox"])
        .output();
    assert!(
        std::env::var_os("FIREFOX").is_some() || firefox.as_ref().is_ok_and(|o| o.status.success()),
        "firefox-esr is missing: {INSTALL_HINT}"
    );
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cargo"))
        .join("bin/geckodriver");
    let on_path = Command::new("sh")
        .args(["-c", "command -v geckodriver"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        std::env::var_os("GECKODRIVER").is_some() || on_path || cargo_bin.exists(),
        "geckodriver is missing: {INSTALL_HINT}"
    );
}

/// Fails with [`INSTALL_HINT`] unless node, xvfb-run and WebKitGTK's Python bindings are there.
pub fn require_webkit_tools() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "node is missing: {INSTALL_HINT}"
    );
    let xvfb = Command::new("sh")
        .args(["-c", "command -v xvfb-run"])
        .output();
    assert!(
        xvfb.as_ref().is_ok_and(|o| o.status.success()),
        "xvfb-run is missing: {INSTALL_HINT}"
    );
    let python = std::env::var("WEBKIT_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
    let gi = Command::new(&python)
        .args([
            "-c",
            "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2",
        ])
        .output();
    assert!(
        gi.as_ref().is_ok_and(|o| o.status.success()),
        "WebKitGTK (gir1.2-webkit2-4.1) or python3-gi is missing for {python}: {INSTALL_HINT}"
    );
}

/// Fails with [`INSTALL_HINT`] unless node, chromium and the harness's npm packages are there.
pub fn require_tools(root: &Path) {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "node is missing: {INSTALL_HINT}"
    );
    let chromium = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .output();
    assert!(
        std::env::var_os("CHROMIUM").is_some()
            || chromium.as_ref().is_ok_and(|o| o.status.success()),
        "chromium is missing: {INSTALL_HINT}"
    );
    assert!(
        root.join("browser-tests/node_modules/playwright-core")
            .is_dir(),
        "browser-tests/node_modules/playwright-core is missing: {INSTALL_HINT}"
    );
}

/// The scenario matrix: the hand-written rows of `browser-tests/scenarios/scenarios.json` and
/// the generated sweeps of `scenarios/sweeps.json` (`scenarios/sweeps.mjs`), as one table.
pub fn scenario_table(root: &Path) -> serde_json::Value {
    let mut table = read_json(&root.join("browser-tests/scenarios/scenarios.json"));
    let sweeps = read_json(&root.join("browser-tests/scenarios/sweeps.json"));
    let rows = table["scenarios"].as_array_mut().expect("scenarios[]");
    rows.extend(
        sweeps["scenarios"]
            .as_array()
            .expect("sweeps: scenarios[]")
            .iter()
            .cloned(),
    );
    table
}

/// Reads a JSON file the harness wrote.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Reading the scenario harness's results (`browser-tests/run-cors-scenarios.mjs --out`) into
// the terms both differential tests compare: the engine's (agent_chromium.rs) and
// `cors check --json`'s (check_chromium.rs).

use serde_json::Value;

/// A JSON string, or "" for anything else.
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// One request as a server received it (or as the engine / `cors check` sent it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub kind: String,
    pub server: String,
    pub hop: u64,
    pub method: String,
    pub origin: Option<String>,
    pub acrm: Option<String>,
    pub acrh: Option<String>,
    pub cookie: bool,
    pub script_headers: Vec<String>,
}

/// What one fetch did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    pub outcome: &'static str,
    pub status: Option<u64>,
    pub response_type: Option<String>,
    pub readable: Vec<String>,
    pub cors_error: Option<String>,
    pub failed_parameter: Option<String>,
    pub message: Option<String>,
    pub requests: Vec<Seen>,
}

/// The script's headers as (lowercase name, first value), one per name.
pub fn script_headers(init: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for h in init["headers"].as_array().into_iter().flatten() {
        let name = s(&h[0]).to_ascii_lowercase();
        if !v.iter().any(|(n, _)| *n == name) {
            v.push((name, s(&h[1]).trim().to_string()));
        }
    }
    v.sort();
    v
}

/// Names of the script's headers that arrived: a header of that name whose value contains the
/// script's value (the browser adds its own `Accept-Language`, `Referer`… whatever script says).
pub fn arrived(script: &[(String, String)], pairs: &[(String, String)]) -> Vec<String> {
    script
        .iter()
        .filter(|(n, v)| {
            pairs
                .iter()
                .any(|(k, x)| k.eq_ignore_ascii_case(n) && x.contains(v.as_str()))
        })
        .map(|(n, _)| n.clone())
        .collect()
}

/// How one side writes what it compares with the browser's results.
pub struct Normalize<'a> {
    /// Whose results these are.
    pub browser: Browser,
    /// Rewrites origins and URLs in messages, parameters and `Origin` values (e.g. to names).
    pub text: &'a dyn Fn(&str) -> String,
    /// No status for opaque responses (script sees 0).
    pub opaque_hides_status: bool,
    /// An empty `failedParameter` counts as none.
    pub empty_parameter_is_none: bool,
}

/// What WebKit's `fetch()` rejects with for every blocked or failed load.
pub const WEBKIT_LOAD_FAILED: &str = "TypeError: Load failed";

/// The start of every line Firefox logs for a blocked CORS request.
pub const FIREFOX_BLOCKED: &str = "Cross-Origin Request Blocked:";

/// The browser's verdicts for one scenario, one [`Observed`] per fetch. Chromium's reason is
/// DevTools' `corsErrorStatus` and its message the console's "Access to …" line; Firefox's reason
/// is the code of its first "Cross-Origin Request Blocked: … (Reason: …)" line and its message
/// all those lines, in order (Firefox gives no parameter).
pub fn observe_browser(scenario: &Value, result: &Value, n: &Normalize<'_>) -> Vec<Observed> {
    let mut out = Vec::new();
    for (i, f) in result["fetches"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let r = &f["result"];
        let script = script_headers(&scenario["fetches"][i]["init"]);
        let error = s(&r["error"]);
        let outcome = if r["ok"].as_bool() == Some(true) {
            "ok"
        } else if r["thrown"].as_bool() == Some(true)
            // Chromium's and Firefox's words for fetch() refusing before any request.
            || error.starts_with("TypeError: Failed to execute")
            || error.starts_with("TypeError: Window.fetch:")
            // WebKit rejects every blocked or failed load with "Load failed" and names the
            // reason of a refusal instead ("Method is forbidden.").
            || (n.browser == Browser::Webkit && error != WEBKIT_LOAD_FAILED)
        {
            "refused"
        } else {
            "blocked"
        };
        let opaque = matches!(s(&r["type"]), "opaque" | "opaqueredirect");
        let mut readable: Vec<String> = r["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| s(&h[0]).to_ascii_lowercase())
            .collect();
        readable.sort();
        readable.dedup();
        let console: Vec<&str> = r["console"]
            .as_array()
            .into_iter()
            .flatten()
            .map(s)
            .collect();
        let blocked: Vec<&str> = console
            .iter()
            .copied()
            .filter(|m| m.starts_with(FIREFOX_BLOCKED))
            .collect();
        let message = if n.browser == Browser::Firefox {
            (outcome == "blocked" && !blocked.is_empty()).then(|| (n.text)(&blocked.join("\n")))
        } else if n.browser == Browser::Webkit {
            // Every console line between the fetch's marks (the harness logs nothing else).
            (outcome == "blocked" && !console.is_empty()).then(|| (n.text)(&console.join("\n")))
        } else {
            (outcome == "blocked")
                .then(|| {
                    console
                        .iter()
                        .find(|m| {
                            m.starts_with("Access to ") || m.starts_with("Fetch API cannot load")
                        })
                        .or_else(|| {
                            console
                                .iter()
                                .find(|m| m.starts_with("Failed to load resource"))
                        })
                        .map(|m| (n.text)(m))
                })
                .flatten()
        };
        let requests = f["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|q| {
                let raw: Vec<&str> = q["rawHeaders"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(s)
                    .collect();
                let pairs: Vec<(String, String)> = raw
                    .chunks(2)
                    .filter_map(|c| match c {
                        [k, v] => Some((k.to_ascii_lowercase(), v.to_string())),
                        _ => None,
                    })
                    .collect();
                let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
                let preflight = s(&q["kind"]) == "preflight";
                Seen {
                    kind: s(&q["kind"]).to_string(),
                    server: s(&q["server"]).to_string(),
                    hop: q["hop"].as_u64().unwrap_or(0),
                    method: s(&q["method"]).to_string(),
                    origin: get("origin").map(|o| (n.text)(&o)),
                    acrm: get("access-control-request-method"),
                    acrh: get("access-control-request-headers"),
                    cookie: get("cookie").is_some(),
                    script_headers: if preflight {
                        Vec::new()
                    } else {
                        arrived(&script, &pairs)
                    },
                }
            })
            .collect();
        let cors = &r["corsErrorStatus"];
        let (cors_error, failed_parameter) = match n.browser {
            Browser::Chromium => (
                cors["corsError"].as_str().map(String::from),
                cors["failedParameter"]
                    .as_str()
                    .filter(|p| !(n.empty_parameter_is_none && p.is_empty()))
                    .map(|p| (n.text)(p)),
            ),
            Browser::Firefox => (
                blocked.first().map(|m| {
                    cors::agent::FirefoxReason::from_console_message(m)
                        .map_or_else(|| format!("unknown reason: {m}"), |r| r.slug().to_string())
                }),
                None,
            ),
            // WebKit names no reason but its console lines (the message).
            Browser::Webkit => (None, None),
        };
        out.push(Observed {
            outcome,
            status: (outcome == "ok" && !(n.opaque_hides_status && opaque))
                .then(|| r["status"].as_u64())
                .flatten(),
            response_type: (outcome == "ok").then(|| s(&r["type"]).to_string()),
            readable: if outcome == "ok" {
                readable
            } else {
                Vec::new()
            },
            cors_error,
            failed_parameter,
            message,
            requests,
        });
    }
    out
}

/// The fetches that differ, for a failure message; `browser` names the browser's side (`a`),
/// `other` the side compared with it.
pub fn diff(a: &[Observed], b: &[Observed], browser: &str, other: &str) -> String {
    let mut out = String::new();
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            out.push_str(&format!(
                "    fetch {i}:\n      {browser}: {x:?}\n      {other}: {y:?}\n"
            ));
        }
    }
    if a.len() != b.len() {
        out.push_str(&format!("    {} fetches vs {}\n", a.len(), b.len()));
    }
    out
}

/// The browser's results: the file named by `CORS_<BROWSER>_RESULTS` (`CORS_WEBKIT_RESULTS`…)
/// when set, to reuse one browser run for several tests, else a fresh run of the harness.
pub fn browser_results(root: &Path, tag: &str, browser: Browser) -> Value {
    let var = format!("CORS_{}_RESULTS", browser.name().to_ascii_uppercase());
    if let Some(p) = std::env::var_os(&var) {
        let p = PathBuf::from(p);
        eprintln!(
            "using {}'s results from {} ({var})",
            browser.name(),
            p.display()
        );
        return read_json(&p);
    }
    run_scenario_harness(root, tag, browser)
}

/// Runs the scenario harness (`browser-tests/run-cors-scenarios.mjs`) in a headless browser and
/// returns its results: the whole matrix, sweeps included (about 5,900 fetches), takes about 55 s
/// in Chromium, 65 s in Firefox, 20 s in WebKit; a hung browser fails the test after 420 s
/// instead of stalling CI.
pub fn run_scenario_harness(root: &Path, tag: &str, browser: Browser) -> Value {
    match browser {
        Browser::Chromium => require_tools(root),
        Browser::Firefox => require_firefox_tools(),
        Browser::Webkit => require_webkit_tools(),
    }
    let out_file = std::env::temp_dir().join(format!("cors-{tag}-{}.json", std::process::id()));
    let started = std::time::Instant::now();
    let mut child = Command::new("node")
        .arg(root.join("browser-tests/run-cors-scenarios.mjs"))
        .arg("--browser")
        .arg(browser.name())
        .arg("--sweeps")
        .arg("--out")
        .arg(&out_file)
        .current_dir(root.join("browser-tests"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node: {e}; {INSTALL_HINT}"));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the harness") {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(420) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser harness did not finish within 420 s; {INSTALL_HINT}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "the browser harness failed ({status}); {INSTALL_HINT}"
    );
    let results = read_json(&out_file);
    let _ = std::fs::remove_file(&out_file);
    results
}

/// The agreement rule of the differential tests, scenario by scenario: the `spec` side agrees
/// with the browser except on the scenarios `browser-tests/known-differences.json` lists for that
/// browser (and a listed scenario must still differ), and the browser's own side agrees on every
/// scenario. `side` names what is compared with the browser (e.g. "the engine's", "`cors check`").
pub struct Agreement {
    browser: Browser,
    side: &'static str,
    /// The browser's version, as the harness wrote it.
    pub version: String,
    known: std::collections::BTreeMap<String, String>,
    /// What disagreed, one message per disagreement.
    pub failures: Vec<String>,
    agree: usize,
    listed: usize,
}

impl Agreement {
    /// Reads the known differences of `browser` and the version from the harness's `results`.
    pub fn new(root: &Path, browser: Browser, results: &Value, side: &'static str) -> Agreement {
        let known = read_json(&root.join("browser-tests/known-differences.json"));
        let known = known["differences"]
            .as_array()
            .expect("known-differences.json: differences[]")
            .iter()
            .filter(|d| s(&d["browser"]) == browser.name())
            // One scenario (`id`), or a group of generated sweep scenarios (`ids`).
            .flat_map(|d| {
                let ids: Vec<String> = match d["ids"].as_array() {
                    Some(ids) => ids.iter().map(|i| s(i).to_string()).collect(),
                    None => vec![s(&d["id"]).to_string()],
                };
                ids.into_iter()
                    .map(|i| (i, s(&d["reason"]).to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        Agreement {
            browser,
            side,
            version: s(&results[browser.name()]).to_string(),
            known,
            failures: Vec::new(),
            agree: 0,
            listed: 0,
        }
    }

    /// The rows of scenarios.json (at least 150: a truncated table must not pass quietly).
    pub fn scenarios(table: &Value) -> &[Value] {
        let all = table["scenarios"].as_array().expect("scenarios[]");
        assert!(
            all.len() >= 150,
            "at least 150 scenarios, found {}",
            all.len()
        );
        all
    }

    /// The harness's result for each scenario id.
    pub fn results_by_id(results: &Value) -> std::collections::BTreeMap<&str, &Value> {
        results["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| (s(&r["id"]), r))
            .collect()
    }

    /// What the browser did in `scenario` (its raw result and, read with `n`, per fetch), or
    /// `None` — recorded as a failure — when the harness has no result for it.
    pub fn browser_side<'r>(
        &mut self,
        scenario: &Value,
        by_id: &std::collections::BTreeMap<&str, &'r Value>,
        n: &Normalize<'_>,
    ) -> Option<(&'r Value, Vec<Observed>)> {
        let id = s(&scenario["id"]);
        let Some(result) = by_id.get(id).copied() else {
            self.failures
                .push(format!("{id}: no result from the browser harness"));
            return None;
        };
        Some((result, observe_browser(scenario, result, n)))
    }

    /// Compares one scenario: what the browser did (`seen`), the spec profile's and the
    /// browser's own profile's predictions.
    pub fn record(
        &mut self,
        scenario: &Value,
        seen: &[Observed],
        spec: &[Observed],
        own: &[Observed],
    ) {
        let (id, rule) = (s(&scenario["id"]), s(&scenario["rule"]));
        let (name, version, side) = (self.browser.name(), &self.version, self.side);
        match (seen == spec, self.known.contains_key(id)) {
            (true, false) => self.agree += 1,
            (true, true) => self.failures.push(format!(
                "{id}: listed in known-differences.json for {name}, but {side} spec profile agrees with {version} now: remove the entry"
            )),
            (false, true) => self.listed += 1,
            (false, false) => self.failures.push(format!(
                "{id} ({rule}): {side} spec profile disagrees with {version}:\n{}",
                diff(seen, spec, name, side)
            )),
        }
        if seen != own {
            self.failures.push(format!(
                "{id} ({rule}): {side} {name} profile does not reproduce {version}:\n{}",
                diff(seen, own, name, side)
            ));
        }
    }

    /// Checks that every listed scenario exists and prints the tally; `Err` lists every
    /// disagreement.
    pub fn finish(
        mut self,
        scenarios: &[Value],
        elapsed: std::time::Duration,
    ) -> Result<(), String> {
        for k in self.known.keys() {
            if !scenarios.iter().any(|sc| s(&sc["id"]) == k) {
                self.failures.push(format!(
                    "known-differences.json lists unknown scenario {k} for {}",
                    self.browser.name()
                ));
            }
        }
        eprintln!(
            "{}: {} scenarios through {} in {elapsed:.1?}; its spec profile agrees on {}, {} known differences; {} failures",
            self.version,
            scenarios.len(),
            self.side,
            self.agree,
            self.listed,
            self.failures.len()
        );
        if self.failures.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} disagreements:\n{}",
                self.failures.len(),
                self.failures.join("\n")
            ))
        }
    }
}
