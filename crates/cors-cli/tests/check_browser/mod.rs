//! `cors check` against a real browser over the scenario matrix (used by check_chromium.rs,
//! check_firefox.rs and check_webkit.rs; their docs say what is compared).
use crate::browser_support::{
    Agreement, Browser, Normalize, Observed, Seen as Sent, arrived, browser_results, repo_root, s,
    scenario_table, script_headers,
};
use crate::check_support::{Resp, Seen, Server, serve};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// Replaces origins and host:port pairs by their names ({A}, {B_HOST}…).
struct Names(Vec<(String, String)>);

impl Names {
    fn new(origins: &BTreeMap<String, String>) -> Names {
        let mut v = Vec::new();
        for (k, o) in origins {
            v.push((o.clone(), format!("{{{k}}}")));
        }
        for (k, o) in origins {
            v.push((
                o.trim_start_matches("http://").to_string(),
                format!("{{{k}_HOST}}"),
            ));
        }
        Names(v)
    }
    fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (from, to) in &self.0 {
            out = out.replace(from.as_str(), to);
        }
        out
    }
    fn server_of(&self, url: &str) -> String {
        let u = url::Url::parse(url).expect("URL");
        let origin = u.origin().ascii_serialization();
        self.0
            .iter()
            .find(|(o, _)| *o == origin)
            .map(|(_, n)| n.trim_matches(['{', '}']).to_string())
            .unwrap_or_else(|| format!("?{origin}"))
    }
}

fn get(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// The three scripted servers, answering as `lib/scripted-server.mjs` does.
struct Servers {
    origins: BTreeMap<String, String>,
    _servers: Vec<Server>,
}

fn start_servers(scenarios: &Value) -> Servers {
    let table: Arc<BTreeMap<String, Value>> = Arc::new(
        scenarios["scenarios"]
            .as_array()
            .expect("scenarios[]")
            .iter()
            .map(|sc| (s(&sc["id"]).to_string(), sc["server"].clone()))
            .collect(),
    );
    let handler = {
        let table = table.clone();
        Arc::new(move |req: &Seen| -> Option<Resp> {
            let mut parts = req.path().trim_start_matches('/').split('/');
            let (Some("s"), Some(id), Some(hop)) = (parts.next(), parts.next(), parts.next())
            else {
                return None;
            };
            let spec = &table.get(id)?[hop][if req.is_preflight() {
                "preflight"
            } else {
                "actual"
            }];
            if spec.is_null() {
                return None;
            }
            let mut r = Resp::new(spec["status"].as_u64().unwrap_or(200) as u16);
            for h in spec["headers"].as_array().into_iter().flatten() {
                r = r.h(s(&h[0]), s(&h[1]));
            }
            r.body = if spec["empty"].as_bool() == Some(true) {
                String::new()
            } else {
                spec["body"].as_str().unwrap_or("ok").to_string()
            };
            Some(r)
        })
    };
    let servers: Vec<Server> = (0..3).map(|_| serve(handler.clone())).collect();
    let mut origins = BTreeMap::new();
    origins.insert(
        "A".to_string(),
        format!("http://127.0.0.1:{}", servers[0].addr.port()),
    );
    origins.insert(
        "B".to_string(),
        format!("http://127.0.0.1:{}", servers[1].addr.port()),
    );
    origins.insert(
        "C".to_string(),
        format!("http://localhost:{}", servers[2].addr.port()),
    );
    for srv in &servers {
        for (k, o) in &origins {
            srv.set_var(&format!("{k}_HOST"), o.trim_start_matches("http://"));
            srv.set_var(k, o);
        }
    }
    Servers {
        origins,
        _servers: servers,
    }
}

/// Runs every fetch of a scenario through `cors check --json`.
fn run_check(
    scenario: &Value,
    origins: &BTreeMap<String, String>,
    names: &Names,
    (browser, profile): (Browser, &str),
    cache: &Path,
) -> Vec<Observed> {
    let _ = std::fs::remove_file(cache);
    let id = s(&scenario["id"]);
    let mut out = Vec::new();
    for f in scenario["fetches"].as_array().into_iter().flatten() {
        if let Some(ms) = f["wait_ms"].as_u64() {
            std::thread::sleep(Duration::from_millis(ms));
        }
        let init = &f["init"];
        let url = format!(
            "{}/s/{id}/{}{}",
            origins[f["target"].as_str().unwrap_or("B")],
            f["hop"].as_u64().unwrap_or(0),
            f["query"].as_str().unwrap_or("")
        );
        let mut args: Vec<String> = vec![
            "check".into(),
            url,
            "--origin".into(),
            origins["A"].clone(),
            "--json".into(),
            "--browser".into(),
            profile.into(),
            "--preflight-cache".into(),
            cache.display().to_string(),
        ];
        if let Some(m) = init["method"].as_str() {
            args.extend(["--method".into(), m.into()]);
        }
        // Escaped, so that every byte the sweeps use (NUL and control bytes too) reaches `cors`.
        let escape = |v: &str| -> String {
            v.chars()
                .map(|c| match c {
                    '\\' => "\\\\".to_string(),
                    c if (c as u32) < 0x20 || c == '\u{7f}' || c == ':' => {
                        format!("\\x{:02x}", c as u32)
                    }
                    c => c.to_string(),
                })
                .collect()
        };
        for h in init["headers"].as_array().into_iter().flatten() {
            args.extend([
                "--header-escaped".into(),
                format!("{}:{}", escape(s(&h[0])), escape(s(&h[1]))),
            ]);
        }
        if let Some(kind) = init["bodyKind"].as_str() {
            let data = match kind {
                "params" => "a=1",
                "bytes" => "\u{1}\u{2}\u{3}",
                _ => "hello",
            };
            args.extend(["--body".into(), kind.into(), "--data".into(), data.into()]);
        }
        for key in ["mode", "credentials", "redirect"] {
            if let Some(v) = init[key].as_str() {
                args.extend([format!("--{key}"), v.into()]);
            }
        }
        let output = Command::new(env!("CARGO_BIN_EXE_cors"))
            .args(&args)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .output()
            .expect("run cors");
        let v: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "{id}: cors {args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        let script = script_headers(init);
        let outcome = match s(&v["verdict"]) {
            "allowed" => "ok",
            "refused" => "refused",
            "blocked" => "blocked",
            other => panic!("cors check printed an unknown verdict {other:?}"),
        };
        let requests = v["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|st| {
                let pairs: Vec<(String, String)> = st["request"]["headers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|h| (s(&h[0]).to_string(), s(&h[1]).to_string()))
                    .collect();
                let url = url::Url::parse(s(&st["request"]["url"])).expect("step URL");
                let preflight = s(&st["kind"]) == "preflight";
                Sent {
                    kind: s(&st["kind"]).to_string(),
                    server: names.server_of(url.as_str()),
                    hop: url
                        .path_segments()
                        .and_then(|mut p| p.nth(2))
                        .and_then(|h| h.parse().ok())
                        .unwrap_or(0),
                    method: s(&st["request"]["method"]).to_string(),
                    origin: get(&pairs, "origin").map(|o| names.apply(&o)),
                    acrm: get(&pairs, "access-control-request-method"),
                    acrh: get(&pairs, "access-control-request-headers"),
                    // The page's cookie is host-only on 127.0.0.1 (origins A and B).
                    cookie: st["request"]["credentials"] == true
                        && url.host_str() == Some("127.0.0.1"),
                    script_headers: if preflight {
                        Vec::new()
                    } else {
                        arrived(&script, &pairs)
                    },
                }
            })
            .collect();
        out.push(Observed {
            outcome,
            status: v["status"].as_u64(),
            response_type: v["response_type"].as_str().map(String::from),
            readable: v["exposed_headers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| s(h).to_string())
                .collect(),
            cors_error: match browser {
                Browser::Chromium => v["cors_error"].as_str().map(String::from),
                Browser::Firefox => v["firefox_reason"].as_str().map(String::from),
                Browser::Webkit => None,
            },
            failed_parameter: match browser {
                Browser::Chromium => v["failed_parameter"].as_str().map(|p| names.apply(p)),
                Browser::Firefox | Browser::Webkit => None,
            },
            message: match browser {
                Browser::Chromium => (outcome == "blocked")
                    .then(|| v["console"]["chromium"].as_str().map(|m| names.apply(m)))
                    .flatten(),
                Browser::Firefox | Browser::Webkit => {
                    let key = if browser == Browser::Firefox {
                        "firefox_lines"
                    } else {
                        "webkit_lines"
                    };
                    let lines: Vec<&str> = v["console"][key]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(s)
                        .collect();
                    (outcome == "blocked" && !lines.is_empty())
                        .then(|| names.apply(&lines.join("\n")))
                }
            },
            requests,
        });
    }
    let _ = std::fs::remove_file(cache);
    out
}

/// `cors check --browser spec` agrees with `browser` on every scenario except the browser's
/// entries of known-differences.json; `--browser <browser>` agrees on every scenario.
pub fn cors_check_agrees_with(browser: Browser) -> Result<(), String> {
    let name = browser.name();
    let root = repo_root();
    let scenarios = scenario_table(&root);
    let results = browser_results(&root, &format!("check-{name}"), browser);
    let browser_origins: BTreeMap<String, String> = results["origins"]
        .as_object()
        .expect("origins")
        .iter()
        .map(|(k, v)| (k.clone(), s(v).to_string()))
        .collect();
    let browser_names = Names::new(&browser_origins);
    let servers = start_servers(&scenarios);
    let names = Names::new(&servers.origins);
    let mut tally = Agreement::new(&root, browser, &results, "`cors check --browser`'s");
    let by_id = Agreement::results_by_id(&results);
    let all = Agreement::scenarios(&scenarios);

    let started = std::time::Instant::now();
    let tmp = std::env::temp_dir().join(format!("cors-check-{name}-caches-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    // The two profiles run side by side (each scenario's fetches stay in order).
    let run_profile = |profile: &'static str| {
        let (origins, names, tmp) = (servers.origins.clone(), &names, tmp.clone());
        move || -> BTreeMap<String, Vec<Observed>> {
            all.iter()
                .map(|sc| {
                    let id = s(&sc["id"]).to_string();
                    let cache = tmp.join(format!("{profile}-{id}.json"));
                    (
                        id,
                        run_check(sc, &origins, names, (browser, profile), &cache),
                    )
                })
                .collect()
        }
    };
    let (spec_runs, own_runs) = std::thread::scope(|scope| {
        let spec = scope.spawn(run_profile("spec"));
        // WebKit's profile is `--browser safari`.
        let own = scope.spawn(run_profile(if browser == Browser::Webkit {
            "safari"
        } else {
            name
        }));
        (
            spec.join().expect("spec runs"),
            own.join().expect("own profile runs"),
        )
    });
    let _ = std::fs::remove_dir_all(&tmp);

    let normalize = Normalize {
        browser,
        text: &|t| browser_names.apply(t),
        opaque_hides_status: true,
        empty_parameter_is_none: true,
    };
    for scenario in all {
        let id = s(&scenario["id"]);
        let Some((_, seen)) = tally.browser_side(scenario, &by_id, &normalize) else {
            continue;
        };
        tally.record(scenario, &seen, &spec_runs[id], &own_runs[id]);
    }
    tally.finish(all, started.elapsed())
}
