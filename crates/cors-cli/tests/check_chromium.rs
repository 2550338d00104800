//! Differential test of `cors check` against headless Chromium (check_firefox.rs: Firefox), over the whole scenario matrix of
//! the browser harness (`browser-tests/scenarios/scenarios.json`).
//!
//! Chromium's side comes from `browser-tests/run-cors-scenarios.mjs` (the agent harness: three
//! scripted servers, a page on origin A, each scenario fetched in headless Chromium), run here
//! with `--out FILE` — or read from the file named by `CORS_CHROMIUM_RESULTS` when set, to reuse
//! one browser run. The other side is the real binary: every fetch of every scenario runs as
//! `cors check URL --origin A --json [options]` against this test's own three scripted servers,
//! which answer exactly as the harness's do (`lib/scripted-server.mjs`), with a preflight-cache
//! file per scenario so that multi-fetch scenarios see the cache as Chromium's page does.
//!
//! Compared per fetch: allowed / blocked / refused, status and response type, the header names
//! script can read, every request sent (preflight or not, `Origin`, `Access-Control-Request-*`,
//! credentials, which script headers went out), Chromium's `CorsError` and `failedParameter` and
//! console message (origins and ports replaced by their names, since the two runs use different
//! ports). The agreement required is the engine's differential test's (`crates/cors/tests/
//! agent_chromium.rs`): `--browser spec` agrees with Chromium on every scenario except those in
//! `browser-tests/known-differences.json`; `--browser chromium` agrees on every scenario.

mod check_support;

#[path = "../../cors/tests/browser_support/mod.rs"]
mod browser_support;

mod check_browser;

#[test]
fn cors_check_agrees_with_headless_chromium() {
    let agreement = check_browser::cors_check_agrees_with(browser_support::Browser::Chromium);
    assert!(agreement.is_ok(), "{}", agreement.unwrap_err());
}
