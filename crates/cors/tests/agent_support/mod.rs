//! The engine's side of the browser differential tests (agent_chromium.rs, agent_firefox.rs):
//! each scenario of `browser-tests/scenarios/scenarios.json` run through `cors::agent`, every
//! request it makes answered with the scripted response the harness's servers give
//! (`browser-tests/lib/scripted-server.mjs`), and what happened written in the terms the
//! browser's results are read into (`browser_support::Observed`).
#![allow(dead_code)]

use cors::agent::{
    Action, Body, CredentialsMode, Fetch, Mode, Outgoing, PreflightCache, Profile, RedirectMode,
    Request, Response,
};
use cors::vocab::Origin;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

use crate::browser_support::{
    Agreement, Browser, Normalize, Observed, Seen, arrived, browser_results, repo_root, s,
    scenario_table, script_headers,
};

/// The harness's origins by name (A, B, C).
pub struct Ctx {
    pub origins: BTreeMap<String, String>,
}

impl Ctx {
    /// Reads the origins from the harness's results.
    pub fn from_results(results: &Value) -> Ctx {
        Ctx {
            origins: results["origins"]
                .as_object()
                .expect("origins")
                .iter()
                .map(|(k, v)| (k.clone(), s(v).to_string()))
                .collect(),
        }
    }
    fn server_of(&self, url: &url::Url) -> String {
        let o = Origin::of_url(url);
        self.origins
            .iter()
            .find(|(_, v)| v.as_str() == o.as_str())
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| format!("?{o}"))
    }
    fn substitute(&self, v: &str, req: &[(String, String)]) -> Option<String> {
        let mut out = v.to_string();
        for (k, o) in &self.origins {
            out = out.replace(&format!("{{{k}_HOST}}"), o.trim_start_matches("http://"));
            out = out.replace(&format!("{{{k}}}"), o);
        }
        for (ph, name) in [
            ("{ORIGIN}", "origin"),
            ("{ACRM}", "access-control-request-method"),
            ("{ACRH}", "access-control-request-headers"),
        ] {
            if out.contains(ph) {
                let val = req.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
                out = out.replace(ph, &val.1);
            }
        }
        Some(out)
    }
}

fn header_pairs(o: &Outgoing) -> Vec<(String, String)> {
    o.headers
        .iter()
        .map(|(n, v)| {
            (
                n.iter().map(|&b| char::from(b)).collect(),
                // Isomorphic decode, as the scripted server reads a request (latin1).
                v.iter().map(|&b| char::from(b)).collect(),
            )
        })
        .collect()
}

/// The scripted response for a request, built exactly as `lib/scripted-server.mjs` builds it.
pub fn scripted_response(
    ctx: &Ctx,
    scenario: &Value,
    hop: u64,
    preflight: bool,
    method: &str,
    req: &[(String, String)],
) -> (u16, Vec<(String, String)>) {
    let spec = &scenario["server"][hop.to_string()][if preflight { "preflight" } else { "actual" }];
    let status = spec["status"]
        .as_u64()
        .unwrap_or(if spec.is_null() { 404 } else { 200 }) as u16;
    let mut headers = Vec::new();
    for h in spec["headers"].as_array().into_iter().flatten() {
        if let Some(v) = ctx.substitute(s(&h[1]), req) {
            headers.push((s(&h[0]).to_string(), v));
        }
    }
    let null_body = matches!(status, 101 | 103 | 204 | 205 | 304)
        || method == "HEAD"
        || spec["empty"].as_bool().unwrap_or(false);
    let body_len = if null_body {
        0
    } else {
        spec["body"].as_str().map_or(2, str::len)
    };
    headers.push(("Content-Length".into(), body_len.to_string()));
    headers.push(("Connection".into(), "close".into()));
    (status, headers)
}

/// The request of one fetch; `Err` when `Headers.append` would throw (`script_header`).
fn build_request(ctx: &Ctx, scenario: &Value, f: &Value) -> Result<Request, cors::agent::Refusal> {
    let init = &f["init"];
    let target = f["target"].as_str().unwrap_or("B");
    let url = format!(
        "{}/s/{}/{}{}",
        ctx.origins[target],
        s(&scenario["id"]),
        f["hop"].as_u64().unwrap_or(0),
        f["query"].as_str().unwrap_or("")
    );
    let mut r = Request::new(
        Origin::parse(&ctx.origins["A"]).expect("origin A"),
        url.parse().expect("scenario URL"),
    );
    if let Some(m) = init["method"].as_str() {
        r.method = m.to_string();
    }
    for h in init["headers"].as_array().into_iter().flatten() {
        r.headers
            .push(cors::agent::script_header(s(&h[0]), s(&h[1]))?);
    }
    r.body = match init["bodyKind"].as_str() {
        Some("text") => Body::Text,
        Some("params") => Body::UrlSearchParams,
        Some("bytes") => Body::Bytes,
        _ => Body::None,
    };
    r.mode = init["mode"]
        .as_str()
        .and_then(Mode::parse)
        .unwrap_or_default();
    r.credentials = init["credentials"]
        .as_str()
        .and_then(CredentialsMode::parse)
        .unwrap_or_default();
    r.redirect = init["redirect"]
        .as_str()
        .and_then(RedirectMode::parse)
        .unwrap_or_default();
    Ok(r)
}

/// Runs the engine on a scenario; also returns the scripted responses it used, per request.
#[allow(clippy::type_complexity)]
pub fn run_engine(
    ctx: &Ctx,
    scenario: &Value,
    profile: Profile,
    browser: Browser,
) -> (Vec<Observed>, Vec<Vec<(u16, Vec<(String, String)>)>>) {
    let mut cache = PreflightCache::new(profile);
    let mut now = Duration::from_secs(1000);
    let mut observed = Vec::new();
    let mut responses = Vec::new();
    for f in scenario["fetches"].as_array().into_iter().flatten() {
        now += Duration::from_millis(f["wait_ms"].as_u64().unwrap_or(0) + 20);
        let script = script_headers(&f["init"]);
        let request = build_request(ctx, scenario, f);
        let mut obs = Observed {
            outcome: "refused",
            status: None,
            response_type: None,
            readable: Vec::new(),
            cors_error: None,
            failed_parameter: None,
            message: None,
            requests: Vec::new(),
        };
        let mut used = Vec::new();
        let Ok(mut fetch) = request.and_then(|r| Fetch::new(r, profile)) else {
            observed.push(obs);
            responses.push(used);
            continue;
        };
        for _ in 0..100 {
            let (out, preflight) = match fetch.next_action(&cache, now) {
                Action::SendPreflight(o) => (o, true),
                Action::SendActual(o) => (o, false),
                Action::Done(Ok(d)) => {
                    obs.outcome = "ok";
                    obs.status = Some(u64::from(d.status));
                    obs.response_type = Some(d.response_type.as_str().to_string());
                    obs.readable = d.readable_names();
                    break;
                }
                Action::Done(Err(e)) => {
                    obs.outcome = "blocked";
                    match browser {
                        Browser::Chromium => {
                            obs.cors_error = e.chromium_cors_error();
                            obs.failed_parameter =
                                obs.cors_error.as_ref().map(|_| e.failed_parameter.clone());
                            obs.message = Some(e.chromium_message());
                        }
                        Browser::Firefox => {
                            obs.cors_error = e.firefox_reason().map(|r| r.slug().to_string());
                            let lines = e.firefox_console();
                            obs.message = (!lines.is_empty()).then(|| lines.join("\n"));
                        }
                        Browser::Webkit => {
                            let lines = e.webkit_console();
                            obs.message = (!lines.is_empty()).then(|| lines.join("\n"));
                        }
                    }
                    break;
                }
            };
            let pairs = header_pairs(&out);
            let get = |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.clone())
            };
            let hop = out
                .url
                .path_segments()
                .and_then(|mut p| p.nth(2))
                .and_then(|h| h.parse().ok())
                .unwrap_or(0);
            let server = ctx.server_of(&out.url);
            obs.requests.push(Seen {
                kind: if preflight { "preflight" } else { "actual" }.into(),
                server: server.clone(),
                hop,
                method: out.method.clone(),
                origin: get("origin"),
                acrm: get("access-control-request-method"),
                acrh: get("access-control-request-headers"),
                // The page's cookie is host-only on 127.0.0.1 (origins A and B).
                cookie: out.include_credentials && out.url.host_str() == Some("127.0.0.1"),
                script_headers: if preflight {
                    Vec::new()
                } else {
                    arrived(&script, &pairs)
                },
            });
            let (status, headers) =
                scripted_response(ctx, scenario, hop, preflight, &out.method, &pairs);
            used.push((status, headers.clone()));
            let mut resp = Response::new(status);
            for (n, v) in headers {
                resp = resp.with_header(n, v);
            }
            fetch.on_response(resp, &mut cache, now);
        }
        observed.push(obs);
        responses.push(used);
    }
    (observed, responses)
}

/// The differential test against `browser`: the `spec` profile agrees with the browser on every
/// scenario except those `browser-tests/known-differences.json` lists for that browser; the
/// browser's own profile agrees on every scenario.
pub fn engine_agrees_with(browser: Browser) -> Result<(), String> {
    let profile = match browser {
        Browser::Chromium => Profile::Chromium,
        Browser::Firefox => Profile::Firefox,
        Browser::Webkit => Profile::Safari,
    };
    let root = repo_root();
    let scenarios = scenario_table(&root);
    let started = std::time::Instant::now();
    let results = browser_results(&root, &format!("agent-{}", browser.name()), browser);
    let ctx = Ctx::from_results(&results);
    let mut tally = Agreement::new(&root, browser, &results, "the engine's");
    let by_id = Agreement::results_by_id(&results);
    let all = Agreement::scenarios(&scenarios);
    let normalize = Normalize {
        browser,
        text: &|t| t.to_string(),
        opaque_hides_status: false,
        empty_parameter_is_none: false,
    };
    for scenario in all {
        let id = s(&scenario["id"]);
        let Some((result, seen)) = tally.browser_side(scenario, &by_id, &normalize) else {
            continue;
        };
        let (spec, used) = run_engine(&ctx, scenario, Profile::Spec, browser);
        let (own_profile, _) = run_engine(&ctx, scenario, profile, browser);
        // The test's response builder must be the harness's: compare where both asked the same.
        for (i, f) in result["fetches"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            for (q, mine) in f["requests"]
                .as_array()
                .into_iter()
                .flatten()
                .zip(used.get(i).into_iter().flatten())
            {
                let theirs: (u16, Vec<(String, String)>) = (
                    q["response"]["status"].as_u64().unwrap_or(0) as u16,
                    q["response"]["headers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|h| (s(&h[0]).to_string(), s(&h[1]).to_string()))
                        .collect(),
                );
                if &theirs != mine && seen == spec {
                    tally.failures.push(format!("{id}: scripted responses differ between the harness and this test: {theirs:?} vs {mine:?}"));
                }
            }
        }
        tally.record(scenario, &seen, &spec, &own_profile);
    }
    tally.finish(all, started.elapsed())
}
