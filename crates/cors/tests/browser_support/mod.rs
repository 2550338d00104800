//! Shared by every test that drives headless Chromium (the agent's differential test, the tower
//! layer's browser test, `cors check`'s differential test, the gateway demo's browser test): where
//! the repository is, and a loud failure — never a skip — when a prerequisite is missing.
//! Included by path from both crates' tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What to run when something is missing.
pub const INSTALL_HINT: &str = "run scripts/install-test-deps (installs chromium, node and the npm packages of browser-tests/)";

/// The repository root (both crates live two levels below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
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

/// Reads a JSON file the harness wrote.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}
