//! End-to-end: the real `cors lint` binary on files with and without problems.

use std::process::Command;

fn lint(contents: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!(
        "cors-lint-{}-{}",
        std::process::id(),
        contents.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policy.toml");
    std::fs::write(&file, contents).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .arg("lint")
        .args(extra)
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const BAD: &str = r#"# a policy with several problems
allowed_origins = [
  "https://app.example.com/",
  "*",
  "http://partner.example",
]
allowed_methods = ["GET", "TRACE"]
allowed_headers = ["Content-Type", "Cookie"]
allow_credentials = true
max_age = 86400
"#;

#[test]
fn reports_every_problem_with_location_and_exits_1() {
    let (code, out, _) = lint(BAD, &[]);
    assert_eq!(code, 1, "{out}");
    let file_lines: Vec<&str> = out.lines().filter(|l| l.contains("policy.toml:")).collect();
    let expect = [
        (
            ":3:3: error[invalid-origin]",
            "write `https://app.example.com`",
        ),
        (":4:3: error[wildcard-with-credentials]", "instead of `*`"),
        (":5:3: error[insecure-origin-with-credentials]", "https://"),
        (":7:27: error[forbidden-method]", "remove it"),
        (":8:36: error[forbidden-request-header]", "remove it"),
        (":5:3: warning[redundant-with-wildcard]", "remove it"),
        (":10:11: warning[max-age-above-browser-caps]", "7200"),
    ];
    for (loc, fix) in expect {
        assert!(
            file_lines.iter().any(|l| l.contains(loc)),
            "missing {loc} in\n{out}"
        );
        assert!(out.contains(fix), "missing fix {fix:?} in\n{out}");
    }
    assert!(out.contains("5 errors, 2 warnings"), "{out}");
    // The offending source line is shown with a caret under the value.
    assert!(out.contains("|   \"https://app.example.com/\","), "{out}");
}

#[test]
fn json_output_is_machine_readable() {
    let (code, out, _) = lint(BAD, &["--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"], 5);
    assert_eq!(v["warnings"], 2);
    let first = &v["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "invalid-origin");
    assert_eq!(first["line"], 3);
    assert_eq!(first["column"], 3);
}

#[test]
fn clean_file_exits_0() {
    let (code, out, _) = lint(
        "allowed_origins = [\"https://app.example.com\", \"https://*.example.com\"]\nallowed_methods = [\"GET\", \"PUT\"]\nallow_credentials = true\nmax_age = 600\n",
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    let (code, out, _) = lint(
        "allowed_origins = [\"http://[::ffff:7f7f:7f7f]:90\"]\n",
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

#[test]
fn warnings_alone_exit_0() {
    let (code, out, _) = lint(
        "allowed_origins = [\"https://a.example\"]\nallow_null_origin = true\n",
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[null-origin-allowed]"), "{out}");
}

#[test]
fn unreadable_file_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["lint", "/nonexistent/policy.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn version_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("cors {}", env!("CARGO_PKG_VERSION"))
    );
}

/// URL Standard `#concept-ipv6-serializer`: browsers write an IPv4-mapped IPv6 host in hex
/// pieces, so the fix points to that form, and the hex form itself is clean.
#[test]
fn ipv6_fix_points_to_the_browser_form() {
    let (code, out, _) = lint(
        "allowed_origins = [\"http://[::ffff:127.127.127.127]:90\"]\n",
        &["--json"],
    );
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "non-canonical", "{out}");
    assert_eq!(
        v["diagnostics"][0]["fix"], "write `http://[::ffff:7f7f:7f7f]:90`",
        "{out}"
    );
    let (code, out, _) = lint(
        "allowed_origins = [\"http://[::1]:90\", \"http://localhost.\", \"http://*.localhost:*\"]\nallow_credentials = true\n",
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    let (code, out, _) = lint(
        "allowed_origins = [\"http://[::ffff:7f7f:7f7f]:90\"]\n",
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

/// Entries no browser can send or match are warnings with a fix (Fetch `#bad-port`; response
/// headers as request headers; request-only headers as exposed).
#[test]
fn entries_no_browser_can_match_are_warnings_with_a_fix() {
    let (code, out, _) = lint(
        "allowed_origins = [\"https://a.example:0\", \"https://b.example:6000\"]\nallowed_headers = [\"Access-Control-Allow-Credentials\"]\nexposed_headers = [\"Access-Control-Request-Headers\", \"Host\"]\n",
        &["--json"],
    );
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, i64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert!(!d["fix"].as_str().unwrap().is_empty(), "{d}");
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("bad-port", 1),
        ("bad-port", 1),
        ("response-header-as-request-header", 2),
        ("request-header-exposed", 3),
        ("request-header-exposed", 3),
    ];
    let want: Vec<(String, i64)> = want.iter().map(|(c, l)| (c.to_string(), *l)).collect();
    assert_eq!(got, want, "{out}");
}

/// Origins no browser sends: a `file:` page sends `null` (URL `#concept-url-origin`), and DNS
/// has no name with an empty label, a label over 63 bytes or over 253 bytes (RFC 1035 §2.3.4).
/// Each is a warning with its fix, on its own line.
#[test]
fn origins_no_browser_sends_are_warnings_with_a_fix() {
    let label = "a".repeat(64);
    let long = ["b".repeat(60).as_str(); 5].join(".");
    let src = format!(
        "allowed_origins = [\n  \"file://localhost\",\n  \"https://a..example\",\n  \"https://{label}.example\",\n  \"https://{long}.example\",\n]\n"
    );
    let (code, out, _) = lint(&src, &["--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, i64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["severity"], "warning", "{d}");
            assert!(!d["fix"].as_str().unwrap().is_empty(), "{d}");
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("file-origin", 2),
        ("empty-label", 3),
        ("label-too-long", 4),
        ("host-too-long", 5),
    ];
    let want: Vec<(String, i64)> = want.iter().map(|(c, l)| (c.to_string(), *l)).collect();
    assert_eq!(got, want, "{out}");
}
