//! Differential test: `cors::agent` against real headless Firefox (Debian's firefox-esr, driven by
//! geckodriver).
//!
//! `browser-tests/run-cors-scenarios.mjs --browser firefox` runs every scenario of
//! `browser-tests/scenarios/scenarios.json` as a cross-origin `fetch()` from a page on origin A
//! against scripted servers B and C, and reads Firefox's verdict where Firefox writes it: the
//! console's "Cross-Origin Request Blocked: … (Reason: …)" lines. This test runs the engine on
//! the same scenarios and compares per fetch: allowed / blocked / refused, status and response
//! type, the header names script can read, every request the server received (preflight or not,
//! `Origin`, `Access-Control-Request-Method` / `-Headers`, cookie, which script headers arrived),
//! the Firefox reason code (`FirefoxReason::slug`) and every console line, word for word.
//!
//! The `spec` profile must agree with Firefox on every scenario except those listed for
//! `firefox` in `browser-tests/known-differences.json` with the reason; the `firefox` profile
//! must agree on every scenario.

mod browser_support;

mod agent_support;

use browser_support::Browser;

#[test]
fn engine_agrees_with_headless_firefox() {
    let agreement = agent_support::engine_agrees_with(Browser::Firefox);
    assert!(agreement.is_ok(), "{}", agreement.unwrap_err());
}
