//! Differential test: `cors::agent` against real headless Chromium.
//!
//! `browser-tests/run-cors-scenarios.mjs` starts three scripted HTTP servers on 127.0.0.1
//! (origins A — the page —, B and C), opens the page in headless Chromium and runs every
//! scenario of `browser-tests/scenarios/scenarios.json` as a cross-origin `fetch()`. This test
//! runs the engine on the same scenarios, answering each request the engine makes with the
//! same scripted response, and compares per fetch: allowed / blocked / refused, status and
//! response type, the header names script can read, every request the server received (preflight
//! or not, `Origin`, `Access-Control-Request-Method` / `-Headers`, cookie, which script headers
//! arrived), Chromium's `CorsError` and `failedParameter`, and Chromium's console message.
//!
//! The `spec` profile must agree with Chromium on every scenario, except those listed in
//! `browser-tests/known-differences.json` with the reason (a Chromium deviation, citing the
//! standard); the `chromium` profile must agree on every scenario, listed or not.

mod browser_support;

mod agent_support;

use browser_support::Browser;

#[test]
fn engine_agrees_with_headless_chromium() {
    let agreement = agent_support::engine_agrees_with(Browser::Chromium);
    assert!(agreement.is_ok(), "{}", agreement.unwrap_err());
}
