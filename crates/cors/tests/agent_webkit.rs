//! Differential test: `cors::agent` against real WebKit (Debian's WebKitGTK: a WebView under
//! xvfb-run, driven by `browser-tests/lib/webkit.py`).
//!
//! `browser-tests/run-cors-scenarios.mjs --browser webkit` runs every scenario of
//! `browser-tests/scenarios/scenarios.json` as a cross-origin `fetch()` from a page on origin A
//! against scripted servers B and C, and reads WebKit's verdict where WebKit writes it: the
//! console lines of a blocked fetch ("Origin … is not allowed by Access-Control-Allow-Origin.",
//! then "Fetch API cannot load … due to access control checks."), which the web view writes to
//! its output. This test runs the engine on the same scenarios and compares per fetch: allowed /
//! blocked / refused, status and response type, the header names script can read, every request
//! the server received (preflight or not, `Origin`, `Access-Control-Request-Method` / `-Headers`,
//! cookie, which script headers arrived), and every console line, word for word
//! (`CorsFailure::webkit_console`).
//!
//! The `spec` profile must agree with WebKit on every scenario except those listed for `webkit`
//! in `browser-tests/known-differences.json` with the reason; the `safari` profile must agree on
//! every scenario.

mod browser_support;

mod agent_support;

use browser_support::Browser;

#[test]
fn engine_agrees_with_webkit() {
    let agreement = agent_support::engine_agrees_with(Browser::Webkit);
    assert!(agreement.is_ok(), "{}", agreement.unwrap_err());
}
