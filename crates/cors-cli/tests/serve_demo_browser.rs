//! The demo page in headless Chromium: the real `cors serve` binary, the page opened from the
//! URL it prints, the article's three requests shown as passing and the disallowed one as
//! blocked. The screenshot is kept under the target folder (the test prints its path).
//!
//! Needs `chromium` and the npm packages of browser-tests (scripts/install-test-deps). A missing one fails the test and says so.

#[path = "../../cors/tests/browser_support/mod.rs"]
mod browser_support;

use browser_support::{repo_root, require_tools};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The target folder this test binary was built into (…/target/debug/deps/this → …/target).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

#[test]
fn the_demo_page_shows_three_passes_and_one_block_in_chromium() {
    let root = repo_root();
    require_tools(&root);
    let harness = root.join("browser-tests/serve-demo");

    let mut demo = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["serve", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut page = None;
    let deadline = Instant::now() + Duration::from_secs(20);
    for line in BufReader::new(demo.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        if let Some(rest) = line.trim().strip_prefix("Open the page:") {
            page = Some(rest.trim().to_string());
            break;
        }
        if Instant::now() > deadline {
            break;
        }
    }
    let page = page.expect("the demo prints the page URL");

    let shots = target_dir().join("serve-demo");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("demo-page.png");
    let _ = std::fs::remove_file(&shot);
    let out = Command::new("node")
        .arg(harness.join("run.mjs"))
        .arg(&page)
        .arg(&shot)
        .current_dir(&harness)
        .output()
        .expect("node runs (install nodejs)");
    let _ = demo.kill();
    let _ = demo.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let verdicts: Vec<(String, String)> = result["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("simple".to_string(), "passed".to_string()),
            ("preflight".into(), "passed".into()),
            ("credentials".into(), "passed".into()),
            ("disallowed".into(), "blocked".into()),
        ],
        "{stdout}"
    );
    let cards = result["cards"].as_array().unwrap();
    // What the page shows comes from the wire: the preflight's answer and the cookie round trip.
    let preflight = cards[1]["text"].as_str().unwrap();
    assert!(preflight.contains("OPTIONS /doc → 204"), "{preflight}");
    assert!(
        preflight.contains("access-control-allow-headers: X-PINGOTHER, Content-Type"),
        "{preflight}"
    );
    let credentials = cards[2]["text"].as_str().unwrap();
    assert!(
        credentials.contains("access-control-allow-credentials: true"),
        "{credentials}"
    );
    let blocked = cards[3]["text"].as_str().unwrap();
    assert!(blocked.contains("OPTIONS /doc → 403"), "{blocked}");
    assert!(
        blocked.contains("never sent: the preflight failed"),
        "{blocked}"
    );
    assert!(
        result["summary"].as_str().unwrap().starts_with("4 of 4"),
        "{stdout}"
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "no screenshot at {}", shot.display());
    eprintln!("screenshot: {}", shot.display());
}
