//! Differential test of `cors check` against WebKit (Debian's WebKitGTK, a WebView under
//! xvfb-run), over the whole scenario matrix, as check_chromium.rs does for Chromium.
//!
//! WebKit's side comes from `browser-tests/run-cors-scenarios.mjs --browser webkit` (or the file
//! named by `CORS_WEBKIT_RESULTS`, to reuse the run of `crates/cors/tests/agent_webkit.rs`). The
//! other side is the real binary, `cors check --json`, per fetch. Compared per fetch: allowed /
//! blocked / refused, status and response type, the header names script can read, every request
//! sent (preflight or not, `Origin`, `Access-Control-Request-*`, credentials, which script
//! headers went out) and every console line WebKit printed (`console.webkit_lines`), word for
//! word with origins replaced by their names. `--browser spec` agrees with WebKit except where
//! known-differences.json lists a WebKit deviation; `--browser safari` agrees on every scenario.

mod check_support;

#[path = "../../cors/tests/browser_support/mod.rs"]
mod browser_support;

mod check_browser;

#[test]
fn cors_check_agrees_with_webkit() {
    let agreement = check_browser::cors_check_agrees_with(browser_support::Browser::Webkit);
    assert!(agreement.is_ok(), "{}", agreement.unwrap_err());
}
