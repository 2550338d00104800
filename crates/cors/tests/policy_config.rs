//! Validation: one row per rule; every problem reported at once, typed, with its location.

use cors::policy::{ConfigErrorKind as E, ConfigWarningKind as W, Policy, PolicyConfig};

fn config(toml_text: &str) -> PolicyConfig {
    toml::from_str(toml_text).unwrap_or_else(|e| panic!("{e}"))
}

/// (rule, config, expected error codes with their `field[index]`)
type ErrorRow = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[rustfmt::skip]
const ERROR_ROWS: &[ErrorRow] = &[
    ("an origin has no path", r#"allowed_origins = ["https://a.example/api"]"#, &[("invalid-origin", "allowed_origins[0]")]),
    ("an origin has no trailing slash", r#"allowed_origins = ["https://a.example/"]"#, &[("invalid-origin", "allowed_origins[0]")]),
    ("an origin has no userinfo", r#"allowed_origins = ["https://u:p@a.example"]"#, &[("invalid-origin", "allowed_origins[0]")]),
    ("an origin has no query", r#"allowed_origins = ["https://a.example?x"]"#, &[("invalid-origin", "allowed_origins[0]")]),
    ("wildcard only as the leftmost label", r#"allowed_origins = ["https://a.*.example.com"]"#, &[("invalid-wildcard", "allowed_origins[0]")]),
    ("wildcard only as a whole label", r#"allowed_origins = ["https://*a.example.com"]"#, &[("invalid-wildcard", "allowed_origins[0]")]),
    ("non-http scheme needs the opt-in", r#"allowed_origins = ["chrome-extension://abc"]"#, &[("non-http-scheme", "allowed_origins[0]")]),
    ("null needs the opt-in", r#"allowed_origins = ["null"]"#, &[("null-in-origin-list", "allowed_origins[0]")]),
    ("no origin at all", r#"allowed_origins = []"#, &[("no-origins", "allowed_origins")]),
    ("#cors-protocol-and-credentials: `*` origin with credentials", "allowed_origins = [\"*\"]\nallow_credentials = true", &[("wildcard-with-credentials", "allowed_origins[0]")]),
    ("#cors-protocol-and-credentials: `*` methods with credentials", "allowed_origins = [\"https://a.example\"]\nallowed_methods = [\"*\"]\nallow_credentials = true", &[("wildcard-with-credentials", "allowed_methods[0]")]),
    ("#cors-protocol-and-credentials: `*` headers with credentials", "allowed_origins = [\"https://a.example\"]\nallowed_headers = [\"*\"]\nallow_credentials = true", &[("wildcard-with-credentials", "allowed_headers[0]")]),
    ("#cors-protocol-and-credentials: `*` exposed with credentials", "allowed_origins = [\"https://a.example\"]\nexposed_headers = [\"*\"]\nallow_credentials = true", &[("wildcard-with-credentials", "exposed_headers[0]")]),
    ("#concept-method: a method is a token", "allowed_origins = [\"https://a.example\"]\nallowed_methods = [\"GET POST\"]", &[("invalid-method", "allowed_methods[0]")]),
    ("#forbidden-method", "allowed_origins = [\"https://a.example\"]\nallowed_methods = [\"PUT\", \"trace\", \"CONNECT\", \"TRACK\"]", &[("forbidden-method", "allowed_methods[1]"), ("forbidden-method", "allowed_methods[2]"), ("forbidden-method", "allowed_methods[3]")]),
    ("#header-name: a header name is a token", "allowed_origins = [\"https://a.example\"]\nallowed_headers = [\"X Bad\"]", &[("invalid-header-name", "allowed_headers[0]")]),
    ("#forbidden-request-header", "allowed_origins = [\"https://a.example\"]\nallowed_headers = [\"Cookie\", \"Sec-Fetch-Mode\", \"Proxy-Authorization\", \"X-Ok\"]", &[("forbidden-request-header", "allowed_headers[0]"), ("forbidden-request-header", "allowed_headers[1]"), ("forbidden-request-header", "allowed_headers[2]")]),
    ("#http-access-control-max-age: delta-seconds, not negative", "allowed_origins = [\"https://a.example\"]\nmax_age = -1", &[("negative-max-age", "max_age")]),
    ("#http-access-control-max-age: delta-seconds, not text", "allowed_origins = [\"https://a.example\"]\nmax_age = \"ten minutes\"", &[("non-numeric-max-age", "max_age")]),
    ("#http-access-control-max-age: delta-seconds, not fractional", "allowed_origins = [\"https://a.example\"]\nmax_age = 1.5", &[("non-numeric-max-age", "max_age")]),
    ("#ok-status: preflight status 200-299", "allowed_origins = [\"https://a.example\"]\npreflight_status = 302", &[("invalid-preflight-status", "preflight_status")]),
    ("credentials with an insecure origin", "allowed_origins = [\"http://app.example\"]\nallow_credentials = true", &[("insecure-origin-with-credentials", "allowed_origins[0]")]),
    ("credentials with an insecure subdomain pattern", "allowed_origins = [\"http://*.example.com\"]\nallow_credentials = true", &[("insecure-origin-with-credentials", "allowed_origins[0]")]),
    ("credentials with a public-suffix pattern", "allowed_origins = [\"https://*.github.io\"]\nallow_credentials = true", &[("public-suffix-pattern", "allowed_origins[0]")]),
    ("credentials with a TLD pattern", "allowed_origins = [\"https://*.com\"]\nallow_credentials = true", &[("public-suffix-pattern", "allowed_origins[0]")]),
];

#[test]
fn every_error_rule() {
    for (rule, text, want) in ERROR_ROWS {
        let err = Policy::new(config(text)).expect_err(rule);
        let got: Vec<(&str, String)> = err
            .errors()
            .iter()
            .map(|e| (e.code(), e.location.to_string()))
            .collect();
        let want: Vec<(&str, String)> = want.iter().map(|(c, l)| (*c, l.to_string())).collect();
        assert_eq!(got, want, "{rule}");
        for e in err.errors() {
            assert!(!e.message().is_empty() && !e.fix().is_empty(), "{rule}");
        }
    }
}

#[test]
fn all_problems_at_once_with_values() {
    let err = Policy::new(config(
        r#"
        allowed_origins = ["*", "https://a.example/", "ftp://x"]
        allowed_methods = ["TRACE", "*"]
        allowed_headers = ["Host"]
        exposed_headers = ["*"]
        allow_credentials = true
        max_age = -5
        preflight_status = 500
        "#,
    ))
    .unwrap_err();
    let kinds: Vec<&E> = err.errors().iter().map(|e| &e.kind).collect();
    assert_eq!(kinds.len(), 9, "{err}");
    assert!(matches!(kinds[0], E::WildcardWithCredentials));
    assert!(matches!(
        kinds[1],
        E::InvalidOrigin(cors::vocab::OriginError::TrailingSlash)
    ));
    assert!(matches!(kinds[2], E::NonHttpScheme(s) if s == "ftp"));
    assert_eq!(err.errors()[1].value, "https://a.example/");
    assert_eq!(err.errors()[1].fix(), "write `https://a.example`");
    let text = err.to_string();
    assert!(
        text.starts_with("invalid CORS policy (9 problems):"),
        "{text}"
    );
}

#[test]
fn tolerations_are_explicit() {
    let p = Policy::new(config(
        "allowed_origins = [\"http://app.example\", \"https://*.github.io\"]\nallow_credentials = true\ntolerate_insecure_origins = true\ntolerate_public_suffix_patterns = true",
    ))
    .unwrap();
    assert!(
        p.warnings()
            .iter()
            .any(|w| matches!(&w.kind, W::PublicSuffixPattern { suffix } if suffix == "github.io"))
    );
    // Loopback over http is a secure context: no toleration needed.
    assert!(Policy::new(config("allowed_origins = [\"http://localhost:3000\", \"http://127.0.0.1:*\"]\nallow_credentials = true")).is_ok());
    // Secure Contexts §3.1 (RFC 6761 §6.3): names under `.localhost`, and `localhost.`, are
    // loopback — neither insecure nor a public-suffix pattern, with credentials or without.
    for origin in [
        "http://*.localhost",
        "http://*.localhost:*",
        "http://*.app.localhost",
        "http://localhost.",
        "http://localhost.:3000",
        "http://app.localhost.",
        "http://127.1.2.3:*",
        "http://[::1]:8080",
    ] {
        let p = Policy::new(config(&format!(
            "allowed_origins = [\"{origin}\"]\nallow_credentials = true"
        )))
        .unwrap_or_else(|e| panic!("{origin}: {e}"));
        assert!(p.warnings().is_empty(), "{origin}: {:?}", p.warnings());
        let p = Policy::new(config(&format!("allowed_origins = [\"{origin}\"]"))).unwrap();
        assert!(p.warnings().is_empty(), "{origin}: {:?}", p.warnings());
    }
    // A domain that merely starts with `127.` or ends in `localhost` is not loopback.
    for origin in [
        "http://127.a.b.c",
        "http://evillocalhost",
        "http://localhost.evil.example",
        "http://[::2]",
    ] {
        let e = Policy::new(config(&format!(
            "allowed_origins = [\"{origin}\"]\nallow_credentials = true"
        )))
        .expect_err(origin);
        assert_eq!(
            e.errors()[0].code(),
            "insecure-origin-with-credentials",
            "{origin}"
        );
    }
    // Without credentials a public-suffix pattern is only a warning.
    let p = Policy::new(config("allowed_origins = [\"https://*.github.io\"]")).unwrap();
    assert_eq!(p.warnings()[0].code(), "public-suffix-pattern");
}

#[test]
fn warnings_for_risky_but_legal_choices() {
    let p = Policy::new(config(
        r#"
        allowed_origins = ["HTTPS://App.Example:443", "https://b.example", "https://b.example"]
        allow_null_origin = true
        allowed_methods = ["delete", "PATCH"]
        allowed_headers = ["*", "X-Custom", "Authorization"]
        exposed_headers = ["Set-Cookie", "Content-Type", "X-Id"]
        max_age = 86400
        "#,
    ))
    .unwrap();
    let codes: Vec<(String, &str)> = p
        .warnings()
        .iter()
        .map(|w| (w.location.to_string(), w.code()))
        .collect();
    assert_eq!(
        codes,
        [
            ("allowed_origins[0]".to_string(), "non-canonical"),
            ("allowed_origins[2]".to_string(), "duplicate"),
            ("allow_null_origin".to_string(), "null-origin-allowed"),
            ("allowed_methods[0]".to_string(), "non-canonical"),
            ("allowed_headers[1]".to_string(), "redundant-with-wildcard"),
            ("exposed_headers[0]".to_string(), "never-exposed"),
            ("exposed_headers[1]".to_string(), "always-exposed"),
            ("max_age".to_string(), "max-age-above-browser-caps"),
        ]
    );
}

/// Entries no browser can ever send or match: one row per warning, with its fix.
#[test]
fn entries_no_browser_can_match() {
    #[rustfmt::skip]
    let rows: &[(&str, &str, &str, &str)] = &[
        ("Fetch #bad-port: port 0", r#"allowed_origins = ["http://a.example:0"]"#, "allowed_origins[0]", "bad-port"),
        ("Fetch #bad-port: 6667", r#"allowed_origins = ["https://a.example:6667"]"#, "allowed_origins[0]", "bad-port"),
        ("Fetch #bad-port: in a subdomain pattern", r#"allowed_origins = ["https://*.a.example:10080"]"#, "allowed_origins[0]", "bad-port"),
        ("Access-Control-* is a response header", "allowed_origins = [\"https://a.example\"]\nallowed_headers = [\"Access-Control-Allow-Origin\"]", "allowed_headers[0]", "response-header-as-request-header"),
        ("Access-Control-Request-* is request-only", "allowed_origins = [\"https://a.example\"]\nexposed_headers = [\"Access-Control-Request-Method\"]", "exposed_headers[0]", "request-header-exposed"),
        ("Origin is request-only", "allowed_origins = [\"https://a.example\"]\nexposed_headers = [\"Origin\"]", "exposed_headers[0]", "request-header-exposed"),
        ("file: pages send null", r#"allowed_origins = ["file://localhost"]"#, "allowed_origins[0]", "file-origin"),
        ("RFC 1035 §2.3.4: label over 63", r#"allowed_origins = ["https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"]"#, "allowed_origins[0]", "label-too-long"),
        ("RFC 1035 §2.3.4: host over 253", r#"allowed_origins = ["https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"]"#, "allowed_origins[0]", "host-too-long"),
        ("empty label", r#"allowed_origins = ["https://a..example"]"#, "allowed_origins[0]", "empty-label"),
        ("Cookie is request-only", "allowed_origins = [\"https://a.example\"]\nexposed_headers = [\"cookie\"]", "exposed_headers[0]", "request-header-exposed"),
    ];
    for (rule, text, loc, code) in rows {
        let p = Policy::new(config(text)).unwrap_or_else(|e| panic!("{rule}: {e}"));
        let got: Vec<(String, &str)> = p
            .warnings()
            .iter()
            .map(|w| (w.location.to_string(), w.code()))
            .collect();
        assert_eq!(got, [(loc.to_string(), *code)], "{rule}");
        assert!(
            !p.warnings()[0].fix().is_empty() && !p.warnings()[0].message().is_empty(),
            "{rule}"
        );
    }
    // Ordinary ports and response headers stay clean.
    let p = Policy::new(config("allowed_origins = [\"https://a.example:8443\", \"http://localhost:*\"]\nexposed_headers = [\"X-Request-Id\"]")).unwrap();
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
}

#[test]
fn unknown_keys_are_refused() {
    let e = toml::from_str::<PolicyConfig>("allowed_origin = [\"https://a.example\"]").unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
}

#[test]
fn a_single_string_is_a_list_of_one() {
    let c = config(r#"allowed_origins = "https://a.example""#);
    assert_eq!(c.allowed_origins, ["https://a.example"]);
}

#[test]
fn config_round_trips() {
    let c = config(
        "allowed_origins = [\"https://a.example\"]\nmax_age = 600\nallowed_methods = [\"GET\", \"PUT\"]",
    );
    let p = Policy::new(c.clone()).unwrap();
    assert_eq!(p.config(), &c);
    let again: PolicyConfig = toml::from_str(&toml::to_string(&c).unwrap()).unwrap();
    assert_eq!(again, c);
}

#[test]
fn fields_list_matches_the_serde_form() {
    let c = PolicyConfig {
        max_age: Some(600u64.into()),
        ..PolicyConfig::default()
    };
    let table: toml::Table = toml::from_str(&toml::to_string(&c).unwrap()).unwrap();
    let mut keys: Vec<&str> = table.keys().map(String::as_str).collect();
    let mut fields = PolicyConfig::FIELDS.to_vec();
    keys.sort_unstable();
    fields.sort_unstable();
    assert_eq!(keys, fields);
}

/// Secure Contexts §3.1 step 4 (RFC 6761 §6.3): a page at `http://localhost.` or under
/// `.localhost` sends its origin as the URL Standard serializes it (trailing dot kept), and a
/// credentialed policy listing it answers with that origin and `Access-Control-Allow-Credentials`.
#[test]
fn localhost_names_match_with_credentials() {
    let p = Policy::new(config(
        "allowed_origins = [\"http://localhost.:3000\", \"http://*.localhost\", \"http://localhost.\"]\nallow_credentials = true",
    ))
    .unwrap();
    for (origin, allowed) in [
        ("http://localhost.:3000", true),
        ("http://localhost.", true),
        ("http://app.localhost", true),
        ("http://a.b.localhost", true),
        ("http://localhost:3000", false),
        ("http://localhost", false),
        ("http://app.localhost:8080", false),
        ("http://evillocalhost", false),
    ] {
        let req = http::Request::get("https://api.example/x")
            .header("origin", origin)
            .body(())
            .unwrap();
        let mut headers = http::HeaderMap::new();
        p.apply(&p.decide_request(&req), &mut headers);
        let acao = headers.get("access-control-allow-origin");
        if allowed {
            assert_eq!(
                acao.map(|v| v.as_bytes()),
                Some(origin.as_bytes()),
                "{origin}"
            );
            assert_eq!(
                headers.get("access-control-allow-credentials").unwrap(),
                "true",
                "{origin}"
            );
        } else {
            assert!(acao.is_none(), "{origin}: {headers:?}");
        }
    }
}

/// URL `#concept-domain-to-ascii`: an `xn--` label IDNA refuses (invalid punycode, a disallowed
/// decoded label) is an error naming the label, with a fix, in exact origins and in patterns:
/// `new URL()` throws on such a host, so no page there sends the origin.
#[test]
fn invalid_a_label_is_named_with_a_fix() {
    let err = Policy::new(config(
        r#"allowed_origins = ["https://a.xn--a.example", "https://*.xn--a-ecp.example", "https://xn--bcher-kva.example"]"#,
    ))
    .unwrap_err();
    let kinds: Vec<&E> = err.errors().iter().map(|e| &e.kind).collect();
    assert_eq!(kinds.len(), 2, "{err}");
    assert!(matches!(
        kinds[0],
        E::InvalidOrigin(cors::vocab::OriginError::InvalidALabel(l)) if l == "xn--a"
    ));
    assert!(matches!(
        kinds[1],
        E::InvalidOrigin(cors::vocab::OriginError::InvalidALabel(l)) if l == "xn--a-ecp"
    ));
    assert_eq!(err.errors()[0].code(), "invalid-origin");
    assert!(
        err.errors()[0]
            .message()
            .contains("`xn--a` is not a valid IDNA label")
    );
    assert!(
        err.errors()[1].fix().contains("Unicode"),
        "{}",
        err.errors()[1].fix()
    );
}
