//! Table test against a real browser: for every corner of the URL Standard's host parsing and
//! serialization (IPv4 forms, IPv6 with embedded IPv4, IDNA, trailing dots, ports), the origin
//! the project computes from configuration equals headless Chromium's `new URL(input).origin`
//! (`browser-tests/url-origins.mjs`), and the `url` crate's WHATWG serialization.

mod browser_support;

use browser_support::{INSTALL_HINT, read_json, repo_root, require_tools};
use cors::vocab::{HeaderOrigin, Origin};
use std::process::Command;

/// (input, the rule it exercises)
#[rustfmt::skip]
const ROWS: &[(&str, &str)] = &[
    ("http://127.0.0.1", "URL #concept-ipv4-parser: dotted decimal"),
    ("http://0x7f.0.0.1", "URL #concept-ipv4-parser: a hex part"),
    ("http://0X7F.0.0.1", "URL #concept-ipv4-parser: uppercase hex prefix"),
    ("http://0177.0.0.1", "URL #concept-ipv4-parser: an octal part"),
    ("http://127.1", "URL #concept-ipv4-parser: two parts, the last 24 bits"),
    ("http://127.0.1", "URL #concept-ipv4-parser: three parts, the last 16 bits"),
    ("http://2130706433", "URL #concept-ipv4-parser: one 32-bit number"),
    ("http://0x7f000001", "URL #concept-ipv4-parser: one hex number"),
    ("http://017700000001", "URL #concept-ipv4-parser: one octal number"),
    ("http://127.0.0.1.", "URL #concept-ipv4-parser: one trailing dot"),
    ("http://[::1]", "URL #concept-ipv6-serializer: loopback"),
    ("http://[0:0:0:0:0:0:0:1]:8080", "URL #concept-ipv6-serializer: zero run compressed"),
    ("http://[::ffff:7f7f:7f7f]:90", "URL #concept-ipv6-serializer: IPv4-mapped stays hex"),
    ("http://[::ffff:127.127.127.127]:90", "URL #concept-ipv6-serializer: embedded IPv4 to hex"),
    ("http://[::FFFF:127.0.0.1]", "URL #concept-ipv6-serializer: uppercase, embedded IPv4"),
    ("http://[::1.2.3.4]", "URL #concept-ipv6-serializer: IPv4-compatible to hex"),
    ("http://[0:0:0:0:0:ffff:0:0]", "URL #concept-ipv6-serializer: mapped zero"),
    ("http://[1:0:0:2:0:0:0:3]", "URL #concept-ipv6-serializer: the longest zero run"),
    ("http://[1:0:0:2:0:0:3:4]", "URL #concept-ipv6-serializer: the first of equal runs"),
    ("http://[1:0:2:3:4:5:6:7]", "URL #concept-ipv6-serializer: one zero piece stays"),
    ("http://[2001:DB8::A]", "URL #concept-ipv6-serializer: lowercase hex"),
    ("http://[::]", "URL #concept-ipv6-serializer: all zero"),
    ("https://bücher.example", "URL #concept-domain-to-ascii: IDNA to punycode"),
    ("https://BÜCHER.example", "URL #concept-domain-to-ascii: IDNA case-folded"),
    ("https://xn--bcher-kva.example", "URL #concept-domain-to-ascii: punycode kept"),
    ("https://faß.example", "URL #concept-domain-to-ascii: UTS 46 nontransitional ß"),
    ("https://example.com.", "URL #host-parsing: a trailing dot is kept"),
    ("http://localhost.:3000", "URL #host-parsing: localhost. with a port"),
    ("http://app.localhost", "URL #host-parsing: a name under .localhost"),
    ("HTTPS://Example.COM:443", "HTML origin serialization: default port elided"),
    ("http://example.com:80", "HTML origin serialization: http default port elided"),
    ("http://example.com:443", "HTML origin serialization: another scheme's default kept"),
    ("https://example.com:08443", "URL #port-state: leading zeros dropped"),
    ("https://example.com:0", "URL #port-state: port 0 kept"),
    ("https://example.com:65535", "URL #port-state: the largest port"),
    ("https://foo_bar.example", "URL #host-parsing: `_` in a label"),
    ("https://%65xample.com", "URL #host-parsing: percent-decoded host"),
];

/// `new URL(input).origin` for every input in `browser`, through `browser-tests/url-origins.mjs`.
fn browser_origins(root: &std::path::Path, browser: &str, inputs: &[&str]) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!(
        "cors-url-origins-{browser}-{}-{}",
        std::process::id(),
        inputs.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (inp, out) = (dir.join("in.json"), dir.join("out.json"));
    std::fs::write(&inp, serde_json::to_string(inputs).unwrap()).unwrap();
    let status = Command::new("node")
        .arg(root.join("browser-tests/url-origins.mjs"))
        .args(["--browser", browser, "--in"])
        .arg(&inp)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("node: {e}: {INSTALL_HINT}"));
    assert!(status.success(), "url-origins.mjs failed: {INSTALL_HINT}");
    let report = read_json(&out);
    let _ = std::fs::remove_dir_all(&dir);
    report
}

/// (input, valid under URL `#concept-domain-to-ascii`, the rule it exercises)
#[rustfmt::skip]
const A_LABEL_ROWS: &[(&str, bool, &str)] = &[
    ("https://xn--bcher-kva.example", true, "a valid A-label"),
    ("https://xn--5-9vc.example", true, "a valid A-label (RTL, bidi rule holds)"),
    ("https://xn--zca.example", true, "a valid A-label (nontransitional ß)"),
    ("https://a2.l.xn--5-9vc.2a", false, "CheckBidi: an RTL label, then a label starting with a digit (fuzz regression)"),
    ("https://xn--mgbh0fb.1abc", false, "CheckBidi over the whole name"),
    ("https://xn--a.example", false, "invalid punycode"),
    ("https://xn--.example", false, "an empty A-label"),
    ("https://xn--a-ecp.example", false, "decodes to a disallowed code point (U+2488)"),
    ("https://xn--1ug.example", false, "CheckJoiners: a lone ZWJ"),
];

/// URL `#concept-domain-to-ascii`: an `xn--` label must decode to a label UTS 46 allows. The
/// configuration parser and the `Origin` header parser refuse exactly what Firefox's
/// `new URL()` (and the `url` crate) refuse. Chromium keeps an all-ASCII host unchecked (it
/// calls IDNA only for non-ASCII input), so it can send such an origin: the rows record that
/// deviation too, and this test fails when it changes.
#[test]
fn a_labels_as_firefox_and_chromium_parse_them() {
    let root = repo_root();
    require_tools(&root);
    browser_support::require_firefox_tools();
    let inputs: Vec<&str> = A_LABEL_ROWS.iter().map(|(i, _, _)| *i).collect();
    let firefox = browser_origins(&root, "firefox", &inputs);
    let chromium = browser_origins(&root, "chromium", &inputs);
    let mut wrong = Vec::new();
    for (i, (input, valid, rule)) in A_LABEL_ROWS.iter().enumerate() {
        let ff = &firefox["results"][i];
        let cr = &chromium["results"][i];
        let ours = Origin::parse(input);
        let header_ok = HeaderOrigin::parse(input.as_bytes()).is_ok();
        let url_ok = url::Url::parse(input).is_ok();
        let ff_ok = ff["threw"].is_null();
        if ours.is_ok() != *valid || header_ok != *valid || url_ok != *valid || ff_ok != *valid {
            wrong.push(format!(
                "{input} ({rule}): want valid={valid}; ours {ours:?}, header parser {header_ok}, url crate {url_ok}, Firefox {ff}"
            ));
        }
        if let Ok(o) = &ours {
            if ff["origin"] != o.as_str() {
                wrong.push(format!("{input} ({rule}): ours {o}, Firefox {ff}"));
            }
        }
        // Chromium: the ASCII host as written, valid or not.
        if cr["origin"] != *input {
            wrong.push(format!(
                "{input} ({rule}): Chromium {cr} (no longer keeps the ASCII host)"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} / {}:\n{}",
        firefox["version"],
        chromium["version"],
        wrong.join("\n")
    );
}

#[test]
fn origins_equal_chromium_new_url_origin() {
    let root = repo_root();
    require_tools(&root);
    let inputs: Vec<&str> = ROWS.iter().map(|(i, _)| *i).collect();
    let report = browser_origins(&root, "chromium", &inputs);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), ROWS.len());
    let mut wrong = Vec::new();
    for ((input, rule), r) in ROWS.iter().zip(results) {
        assert_eq!(r["input"], *input);
        let chromium = r["origin"]
            .as_str()
            .unwrap_or_else(|| panic!("{input} ({rule}): Chromium threw {}", r["threw"]));
        let ours = Origin::parse(input).unwrap_or_else(|e| panic!("{input} ({rule}): {e}"));
        let url = url::Url::parse(input)
            .unwrap()
            .origin()
            .ascii_serialization();
        if ours.as_str() != chromium || url != chromium {
            wrong.push(format!(
                "{input} ({rule}): ours {ours}, url crate {url}, Chromium {chromium}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "Chromium {}:\n{}",
        report["version"],
        wrong.join("\n")
    );
}
