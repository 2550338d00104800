//! Table test against a real browser: for every corner of the URL Standard's host parsing and
//! serialization (IPv4 forms, IPv6 with embedded IPv4, IDNA, trailing dots, ports), the origin
//! the project computes from configuration equals headless Chromium's `new URL(input).origin`
//! (`browser-tests/url-origins.mjs`), and the `url` crate's WHATWG serialization.

mod browser_support;

use browser_support::{INSTALL_HINT, read_json, repo_root, require_tools};
use cors::vocab::Origin;
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

#[test]
fn origins_equal_chromium_new_url_origin() {
    let root = repo_root();
    require_tools(&root);
    let dir = std::env::temp_dir().join(format!("cors-url-origins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (inp, out) = (dir.join("in.json"), dir.join("out.json"));
    let inputs: Vec<&str> = ROWS.iter().map(|(i, _)| *i).collect();
    std::fs::write(&inp, serde_json::to_string(&inputs).unwrap()).unwrap();
    let status = Command::new("node")
        .arg(root.join("browser-tests/url-origins.mjs"))
        .args(["--browser", "chromium", "--in"])
        .arg(&inp)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("node: {e}: {INSTALL_HINT}"));
    assert!(status.success(), "url-origins.mjs failed: {INSTALL_HINT}");
    let report = read_json(&out);
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
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        wrong.is_empty(),
        "Chromium {}:\n{}",
        report["version"],
        wrong.join("\n")
    );
}
