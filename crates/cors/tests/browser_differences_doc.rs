//! `docs/browser-differences.md` ("Chromium, Firefox and WebKit disagree here") is generated from
//! `browser-tests/known-differences.json`; this test fails when the committed page is stale.

mod browser_support;

#[test]
fn browser_differences_page_is_current() {
    let root = browser_support::repo_root();
    let out = std::process::Command::new("node")
        .arg(root.join("browser-tests/differences-doc.mjs"))
        .arg("--check")
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}; {}", browser_support::INSTALL_HINT));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
