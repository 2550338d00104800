//! Differential test of `cors check` against headless Firefox (Debian's firefox-esr through
//! geckodriver), over the whole scenario matrix, as check_chromium.rs does for Chromium.
//!
//! Firefox's side comes from `browser-tests/run-cors-scenarios.mjs --browser firefox` (or the file
//! named by `CORS_FIREFOX_RESULTS`). The other side is the real binary, `cors check --json`, per
//! fetch. Compared per fetch: allowed / blocked / refused, status and response type, the header
//! names script can read, every request sent (preflight or not, `Origin`,
//! `Access-Control-Request-*`, credentials, which script headers went out), `firefox_reason`
//! (the code of Firefox's first "Cross-Origin Request Blocked" line) and every console line
//! Firefox printed (`console.firefox_lines`), word for word with origins replaced by their names.
//! `--browser spec` agrees with Firefox except where known-differences.json lists a Firefox
//! deviation; `--browser firefox` agrees on every scenario.

mod check_support;

#[path = "../../cors/tests/browser_support/mod.rs"]
mod browser_support;

mod check_browser;

#[test]
fn cors_check_agrees_with_headless_firefox() {
    let agreement = check_browser::cors_check_agrees_with(browser_support::Browser::Firefox);
    assert!(agreement.is_ok(), "{}", agreement.unwrap_err());
}
