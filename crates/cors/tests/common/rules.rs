//! The server-side decision table, one row per rule, each citing the Fetch section it follows.
//! Shared by `policy_rules.rs` (the engine, in-process) and `tower_e2e.rs` (the same rows over
//! HTTP through the tower layer and a real axum server).

use cors::policy::{Outcome, Policy};

pub fn list_policy() -> Policy {
    Policy::builder()
        .allow_origins([
            "https://foo.example",
            "https://*.example.com",
            "http://localhost:*",
        ])
        .allow_methods(["GET", "POST", "PUT", "patch"])
        .allow_headers(["X-PINGOTHER", "Content-Type"])
        .expose_headers(["X-Total"])
        .allow_credentials(true)
        .max_age(600)
        .build()
        .unwrap()
}

pub fn any_policy() -> Policy {
    Policy::builder()
        .allow_any_origin()
        .allow_methods(["*"])
        .allow_headers(["*"])
        .expose_headers(["*"])
        .build()
        .unwrap()
}

pub fn any_with_authorization() -> Policy {
    Policy::builder()
        .allow_any_origin()
        .allow_headers(["*", "Authorization"])
        .build()
        .unwrap()
}

pub fn null_policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://foo.example"])
        .allow_null_origin(true)
        .build()
        .unwrap()
}

pub fn pna_policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://foo.example"])
        .allow_private_network(true)
        .build()
        .unwrap()
}

pub fn continue_policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://foo.example"])
        .preflight_continue(true)
        .build()
        .unwrap()
}

pub fn reject_policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://foo.example"])
        .reject_disallowed_origins(true)
        .build()
        .unwrap()
}

pub fn status_200_policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://foo.example"])
        .preflight_status(200)
        .build()
        .unwrap()
}

/// Nothing but exact origins: refusals take the path that does not parse the origin.
pub fn exact_only_policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://foo.example", "https://bar.example"])
        .build()
        .unwrap()
}

pub fn predicate_policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://foo.example"])
        .allow_origin_predicate(|o, req| {
            o.host().ends_with(".tenants.test") && req.uri.path().starts_with("/doc")
        })
        .build()
        .unwrap()
}

pub struct Row {
    pub rule: &'static str,
    pub policy: fn() -> Policy,
    pub method: &'static str,
    pub headers: &'static [(&'static str, &'static [u8])],
    pub outcome: Outcome,
    pub reason: &'static str,
    pub respond_with: Option<u16>,
    /// The complete set of CORS and Vary headers expected on the response.
    pub lines: &'static [&'static str],
}

pub const PF: &str = "vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

#[rustfmt::skip]
pub const ROWS: &[Row] = &[
    Row { rule: "#http-requests: no Origin is not a CORS request; #cors-protocol-and-http-caches: Vary: Origin since the answer depends on it",
        policy: list_policy, method: "GET", headers: &[], outcome: Outcome::NotCors, reason: "no-origin", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "#cors-protocol-and-http-caches: a static `*` is sent on every response, without Vary",
        policy: any_policy, method: "GET", headers: &[], outcome: Outcome::NotCors, reason: "no-origin", respond_with: None,
        lines: &["access-control-allow-origin: *", "access-control-expose-headers: *"] },
    Row { rule: "#http-access-control-allow-origin: the exact origin is echoed; #http-access-control-allow-credentials: `true`",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://foo.example")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-credentials: true", "access-control-allow-origin: https://foo.example", "access-control-expose-headers: X-Total", "vary: Origin"] },
    Row { rule: "#cors-protocol-and-http-caches: a disallowed origin gets no CORS headers, still Vary: Origin",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://evil.test")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "subdomain pattern: one label before the base",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://api.example.com")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-credentials: true", "access-control-allow-origin: https://api.example.com", "access-control-expose-headers: X-Total", "vary: Origin"] },
    Row { rule: "subdomain pattern: several labels before the base",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://a.b.example.com")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-credentials: true", "access-control-allow-origin: https://a.b.example.com", "access-control-expose-headers: X-Total", "vary: Origin"] },
    Row { rule: "subdomain pattern: never the base domain itself",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://example.com")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "subdomain pattern: never a look-alike without the dot boundary",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://evil-example.com")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "subdomain pattern: never the base as a prefix of another domain",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://example.com.evil.com")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "subdomain pattern: never another scheme",
        policy: list_policy, method: "GET", headers: &[("origin", b"http://api.example.com")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "subdomain pattern: never another port",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://api.example.com:8443")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "any-port pattern for local development",
        policy: list_policy, method: "GET", headers: &[("origin", b"http://localhost:5173")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-credentials: true", "access-control-allow-origin: http://localhost:5173", "access-control-expose-headers: X-Total", "vary: Origin"] },
    Row { rule: "#origin-header: a trailing slash is not what a browser sends",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://foo.example/")], outcome: Outcome::Disallowed, reason: "malformed-origin", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "#origin-header: uppercase is not what a browser sends (no case folding on the hot path)",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://FOO.example")], outcome: Outcome::Disallowed, reason: "malformed-origin", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "#origin-header: Origin is a single value; two headers are refused",
        policy: list_policy, method: "GET", headers: &[("origin", b"https://foo.example"), ("origin", b"https://foo.example")], outcome: Outcome::Disallowed, reason: "multiple-origins", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "#origin-header origin-or-null: `null` needs the explicit opt-in",
        policy: list_policy, method: "GET", headers: &[("origin", b"null")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "#origin-header origin-or-null: with the opt-in, `null` is echoed",
        policy: null_policy, method: "GET", headers: &[("origin", b"null")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-origin: null", "vary: Origin"] },
    Row { rule: "#http-access-control-allow-origin: `*` without credentials, no Vary",
        policy: any_policy, method: "GET", headers: &[("origin", b"https://anyone.test")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-origin: *", "access-control-expose-headers: *"] },
    Row { rule: "#cors-preflight-fetch: an allowed preflight gets origin, credentials, methods, headers, max-age; Vary on ACRM/ACRH",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT"), ("access-control-request-headers", b"content-type,x-pingother")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-headers: X-PINGOTHER, Content-Type", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#cors-preflight-fetch step 7.5: a method not listed is refused, with no CORS headers",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"DELETE")],
        outcome: Outcome::PreflightRejected, reason: "method-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#cors-preflight-fetch step 7.5: CORS-safelisted methods always pass",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"HEAD"), ("access-control-request-headers", b"x-pingother")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-headers: X-PINGOTHER, Content-Type", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#concept-method-normalize: methods other than the six compare byte for byte (`patch` listed, `PATCH` requested)",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PATCH")],
        outcome: Outcome::PreflightRejected, reason: "method-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#concept-method-normalize: `patch` listed, `patch` requested",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"patch")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#concept-method-normalize: the six normalized methods compare case-insensitively (`put` for PUT)",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"put")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#http-new-header-syntax: Access-Control-Request-Method is one token",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT, GET")],
        outcome: Outcome::PreflightRejected, reason: "malformed-request-method", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#origin-header: two Origin headers on a preflight are refused too",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT"), ("origin", b"https://foo.example")],
        outcome: Outcome::PreflightRejected, reason: "multiple-origins", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#http-new-header-syntax: Access-Control-Request-Method twice is not one token",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT"), ("access-control-request-method", b"PUT")],
        outcome: Outcome::PreflightRejected, reason: "malformed-request-method", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#extract-header-list-values: every line of a split list is checked, each allowed here",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT"), ("access-control-request-headers", b"x-pingother"), ("access-control-request-headers", b"content-type")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-headers: X-PINGOTHER, Content-Type", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#cors-preflight-fetch step 7.7: every listed name, in any order, is allowed",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT"), ("access-control-request-headers", b"x-pingother,content-type")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-headers: X-PINGOTHER, Content-Type", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#cors-preflight-fetch step 7.7: every listed name and one more is refused",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT"), ("access-control-request-headers", b"content-type,x-pingother,x-token")],
        outcome: Outcome::PreflightRejected, reason: "header-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#cors-preflight-fetch step 7.7: a name that only starts like a listed one is refused",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"PUT"), ("access-control-request-headers", b"content-type,x-pingotherx")],
        outcome: Outcome::PreflightRejected, reason: "header-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#cors-preflight-fetch step 7.7: header names compare case-insensitively",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"POST"), ("access-control-request-headers", b"X-PINGOTHER, Content-Type")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-headers: X-PINGOTHER, Content-Type", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#cors-preflight-fetch step 7.7: a header not listed is refused",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"POST"), ("access-control-request-headers", b"x-pingother,x-evil")],
        outcome: Outcome::PreflightRejected, reason: "header-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#http-new-header-syntax 1#field-name: bad syntax is refused and not echoed",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"POST"), ("access-control-request-headers", b"x-pingother, x evil")],
        outcome: Outcome::PreflightRejected, reason: "malformed-request-headers", respond_with: Some(403), lines: &[PF] },
    Row { rule: "RFC 9110 5.6.1 (#http-new-header-syntax): empty list elements are tolerated",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"POST"), ("access-control-request-headers", b",x-pingother,, content-type ,")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-credentials: true", "access-control-allow-headers: X-PINGOTHER, Content-Type", "access-control-allow-methods: GET, POST, PUT, patch", "access-control-allow-origin: https://foo.example", "access-control-max-age: 600", PF] },
    Row { rule: "#extract-header-list-values: a list split over several header lines is one list",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"POST"), ("access-control-request-headers", b"x-pingother"), ("access-control-request-headers", b"x-evil")],
        outcome: Outcome::PreflightRejected, reason: "header-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "#cors-preflight-fetch step 7.7: `*` allows any header without credentials",
        policy: any_policy, method: "OPTIONS", headers: &[("origin", b"https://x.test"), ("access-control-request-method", b"DELETE"), ("access-control-request-headers", b"x-anything")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-headers: *", "access-control-allow-methods: *", "access-control-allow-origin: *", "vary: Access-Control-Request-Method, Access-Control-Request-Headers"] },
    Row { rule: "#cors-non-wildcard-request-header-name: `*` never covers Authorization",
        policy: any_policy, method: "OPTIONS", headers: &[("origin", b"https://x.test"), ("access-control-request-method", b"GET"), ("access-control-request-headers", b"authorization")],
        outcome: Outcome::PreflightRejected, reason: "authorization-not-covered-by-wildcard", respond_with: Some(403),
        lines: &["vary: Access-Control-Request-Method, Access-Control-Request-Headers"] },
    Row { rule: "#cors-non-wildcard-request-header-name: Authorization listed explicitly next to `*`",
        policy: any_with_authorization, method: "OPTIONS", headers: &[("origin", b"https://x.test"), ("access-control-request-method", b"GET"), ("access-control-request-headers", b"authorization,x-y")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-headers: *, Authorization", "access-control-allow-methods: GET, HEAD, POST", "access-control-allow-origin: *", "vary: Access-Control-Request-Method, Access-Control-Request-Headers"] },
    Row { rule: "#cors-preflight-request: OPTIONS without Access-Control-Request-Method is an actual request",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-credentials: true", "access-control-allow-origin: https://foo.example", "access-control-expose-headers: X-Total", "vary: Origin"] },
    Row { rule: "#cors-preflight-fetch step 7: a preflight from a disallowed origin is refused without CORS headers",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://evil.test"), ("access-control-request-method", b"PUT")],
        outcome: Outcome::PreflightRejected, reason: "origin-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "WICG PNA: Access-Control-Request-Private-Network answered when allowed",
        policy: pna_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"GET"), ("access-control-request-private-network", b"true")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(204),
        lines: &["access-control-allow-methods: GET, HEAD, POST", "access-control-allow-origin: https://foo.example", "access-control-allow-private-network: true", "vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"] },
    Row { rule: "WICG PNA: refused when not opted in",
        policy: list_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"GET"), ("access-control-request-private-network", b"true")],
        outcome: Outcome::PreflightRejected, reason: "private-network-not-allowed", respond_with: Some(403), lines: &[PF] },
    Row { rule: "preflight_continue: the preflight goes on to the application with the headers added",
        policy: continue_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"POST")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-methods: GET, HEAD, POST", "access-control-allow-origin: https://foo.example", PF] },
    Row { rule: "reject_disallowed_origins: a disallowed actual request is answered 403",
        policy: reject_policy, method: "POST", headers: &[("origin", b"https://evil.test")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: Some(403),
        lines: &["vary: Origin"] },
    Row { rule: "#ok-status: preflight_status 200 for clients that need it",
        policy: status_200_policy, method: "OPTIONS", headers: &[("origin", b"https://foo.example"), ("access-control-request-method", b"GET")],
        outcome: Outcome::PreflightAllowed, reason: "origin-allowed", respond_with: Some(200),
        lines: &["access-control-allow-methods: GET, HEAD, POST", "access-control-allow-origin: https://foo.example", PF] },
    Row { rule: "exact origins only: a listed origin is allowed without parsing",
        policy: exact_only_policy, method: "GET", headers: &[("origin", b"https://bar.example")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-origin: https://bar.example", "vary: Origin"] },
    Row { rule: "exact origins only: another well-formed origin is refused as not allowed",
        policy: exact_only_policy, method: "GET", headers: &[("origin", b"https://evil.test")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "exact origins only, #origin-header: a malformed origin is refused as malformed",
        policy: exact_only_policy, method: "GET", headers: &[("origin", b"https://foo.example/")], outcome: Outcome::Disallowed, reason: "malformed-origin", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "exact origins only, #origin-header origin-or-null: `null` is not allowed",
        policy: exact_only_policy, method: "OPTIONS", headers: &[("origin", b"null"), ("access-control-request-method", b"PUT")], outcome: Outcome::PreflightRejected, reason: "origin-not-allowed", respond_with: Some(403),
        lines: &[PF] },
    Row { rule: "runtime predicate: an origin no list expresses",
        policy: predicate_policy, method: "GET", headers: &[("origin", b"https://acme.tenants.test")], outcome: Outcome::Allowed, reason: "origin-allowed", respond_with: None,
        lines: &["access-control-allow-origin: https://acme.tenants.test", "vary: Origin"] },
    Row { rule: "runtime predicate: it can refuse",
        policy: predicate_policy, method: "GET", headers: &[("origin", b"https://acme.other.test")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
    Row { rule: "runtime predicate: never consulted for `null`",
        policy: predicate_policy, method: "GET", headers: &[("origin", b"null")], outcome: Outcome::Disallowed, reason: "origin-not-allowed", respond_with: None,
        lines: &["vary: Origin"] },
];
