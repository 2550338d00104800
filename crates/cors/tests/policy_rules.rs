//! The server-side decision, one row per rule, each citing the Fetch section it follows.

mod common;
use common::rules::{ROWS, list_policy};
use common::{cors_lines, request, run};
use cors::policy::{Outcome, Policy};
use http::StatusCode;

#[test]
fn decision_table() {
    for row in ROWS {
        let policy = (row.policy)();
        let req = request(row.method, row.headers);
        let (d, h) = run(&policy, &req);
        assert_eq!(d.outcome(), row.outcome, "{}", row.rule);
        assert_eq!(d.reason().code(), row.reason, "{}", row.rule);
        assert_eq!(
            d.respond_with(),
            row.respond_with.map(|s| StatusCode::from_u16(s).unwrap()),
            "{}",
            row.rule
        );
        assert_eq!(cors_lines(&h), row.lines, "{}", row.rule);
        assert!(!d.explain().is_empty());
    }
}

#[test]
fn rejected_preflight_never_echoes_input() {
    let policy = list_policy();
    let evil: &[u8] = b"x-pingother, <script>alert(1)</script>";
    let req = request(
        "OPTIONS",
        &[
            ("origin", b"https://foo.example"),
            ("access-control-request-method", b"POST"),
            ("access-control-request-headers", evil),
        ],
    );
    let (d, h) = run(&policy, &req);
    assert_eq!(d.outcome(), Outcome::PreflightRejected);
    for (_, v) in &h {
        assert!(!v.as_bytes().windows(6).any(|w| w == b"script"));
    }
    // The explanation quotes it for the log, escaped.
    assert!(d.explain().contains("<script>"), "{}", d.explain());
}

#[test]
fn policy_wins_over_application_headers_and_vary_is_merged() {
    let policy = list_policy();
    let req = request("GET", &[("origin", b"https://foo.example")]);
    let d = policy.decide_request(&req);
    let mut h = http::HeaderMap::new();
    h.insert(
        "access-control-allow-origin",
        "https://other.test".parse().unwrap(),
    );
    h.append("access-control-allow-origin", "*".parse().unwrap());
    h.insert("vary", "Accept-Encoding".parse().unwrap());
    h.append("vary", "origin".parse().unwrap());
    policy.apply(&d, &mut h);
    assert_eq!(h.get_all("access-control-allow-origin").iter().count(), 1);
    assert_eq!(h["access-control-allow-origin"], "https://foo.example");
    // `origin` was already there (case-insensitively): not added twice.
    assert_eq!(h.get_all("vary").iter().count(), 2);

    // A disallowed origin: the application's CORS headers are removed.
    let req = request("GET", &[("origin", b"https://evil.test")]);
    let d = policy.decide_request(&req);
    let mut h = http::HeaderMap::new();
    h.insert(
        "access-control-allow-origin",
        "https://evil.test".parse().unwrap(),
    );
    h.insert("access-control-allow-credentials", "true".parse().unwrap());
    policy.apply(&d, &mut h);
    assert!(h.get("access-control-allow-origin").is_none());
    assert!(h.get("access-control-allow-credentials").is_none());
    assert_eq!(h["vary"], "Origin");

    // Vary: * stays as it is.
    let mut h = http::HeaderMap::new();
    h.insert("vary", "*".parse().unwrap());
    policy.apply(&d, &mut h);
    assert_eq!(
        h.get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect::<Vec<_>>(),
        ["*"]
    );
}

#[test]
fn external_origin_verdict_for_async_lookups() {
    let policy = Policy::builder()
        .allow_origins(["https://foo.example"])
        .build()
        .unwrap();
    let req = request("GET", &[("origin", b"https://tenant.test")]);
    assert_eq!(
        policy.decide_with((&req).into(), Some(true)).outcome(),
        Outcome::Allowed
    );
    assert_eq!(
        policy.decide_with((&req).into(), Some(false)).outcome(),
        Outcome::Disallowed
    );
    // Only a well-formed, non-null origin awaits an external verdict.
    for (origin, awaits) in [
        (&b"https://tenant.test"[..], true),
        (b"null", false),
        (b"https://Tenant.test", false),
        (b"https://foo.example", false),
    ] {
        let req = request("GET", &[("origin", origin)]);
        let d = policy.decide((&req).into());
        assert_eq!(d.awaits_external_verdict(), awaits, "{d:?}");
    }
    // An external verdict never makes `null` or a malformed origin acceptable.
    let req = request("GET", &[("origin", b"null")]);
    assert_eq!(
        policy.decide_with((&req).into(), Some(true)).outcome(),
        Outcome::Disallowed
    );
    let req = request("GET", &[("origin", b"https://Tenant.test")]);
    assert_eq!(
        policy.decide_with((&req).into(), Some(true)).outcome(),
        Outcome::Disallowed
    );
}
