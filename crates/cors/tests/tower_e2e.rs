//! The tower layer end to end: real axum servers on 127.0.0.1, a real HTTP/1.1 client (hyper).
//! Every row of the policy engine's decision table goes over the wire; then the MDN article's
//! exchanges, error responses, headers the application set, per-route policies, async origin
//! lookups and the debug log.
#![cfg(feature = "tower")]

mod common;
mod tower_support;

#[allow(dead_code)]
#[path = "../examples/axum_basic.rs"]
mod axum_basic;
#[allow(dead_code)]
#[path = "../examples/mdn_article.rs"]
mod mdn_article;
#[allow(dead_code)]
#[path = "../examples/per_route.rs"]
mod per_route;

use axum::{Router, http::StatusCode, routing::any, routing::get};
use common::cors_lines;
use common::rules::{ROWS, list_policy};
use cors::policy::Outcome;
use cors::tower::CorsLayer;
use tower_support::{Captured, send, serve, values};

/// The application behind the layer in the table test: says it was reached.
fn reached() -> Router {
    Router::new().route(
        "/doc",
        any(|| async { ([("x-app", "reached")], "application") }),
    )
}

#[tokio::test(flavor = "current_thread")]
async fn decision_table_over_http() {
    let log = Captured::default();
    let _guard = log.install();
    for row in ROWS {
        let addr = serve(reached().layer(CorsLayer::new((row.policy)()).debug(true))).await;
        let res = send(addr, row.method, "/doc", row.headers).await;
        let h = res.headers();
        match row.respond_with {
            Some(status) => {
                assert_eq!(res.status().as_u16(), status, "{}", row.rule);
                assert!(
                    h.get("x-app").is_none(),
                    "answered by the layer: {}",
                    row.rule
                );
                assert!(res.body().is_empty(), "{}", row.rule);
            }
            None => {
                assert_eq!(res.status(), StatusCode::OK, "{}", row.rule);
                assert_eq!(values(h, "x-app"), ["reached"], "{}", row.rule);
            }
        }
        assert_eq!(cors_lines(h), row.lines, "{}", row.rule);
        // The debug mode logs every refusal with its reason code, and nothing else.
        let logged = log.take();
        if matches!(
            row.outcome,
            Outcome::PreflightRejected | Outcome::Disallowed
        ) {
            assert!(
                logged.contains(&format!("reason=\"{}\"", row.reason)),
                "{}: {logged}",
                row.rule
            );
            assert!(logged.contains(row.outcome.as_str()), "{logged}");
        } else {
            assert!(logged.is_empty(), "{}: {logged}", row.rule);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn debug_mode_off_logs_nothing() {
    let log = Captured::default();
    let _guard = log.install();
    let addr = serve(reached().layer(CorsLayer::new(list_policy()))).await;
    let res = send(
        addr,
        "OPTIONS",
        "/doc",
        &[
            ("origin", b"https://foo.example"),
            ("access-control-request-method", b"DELETE"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(log.take(), "");
}

#[tokio::test(flavor = "current_thread")]
async fn debug_mode_says_why_a_preflight_was_rejected() {
    let log = Captured::default();
    let _guard = log.install();
    let addr = serve(axum_basic::app()).await;
    let res = send(
        addr,
        "OPTIONS",
        "/api/items/7",
        &[
            ("origin", b"https://app.example.com"),
            ("access-control-request-method", b"PUT"),
            ("access-control-request-headers", b"content-type,x-debug"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let line = log.take();
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains("cors"), "{line}");
    assert!(line.contains("reason=\"header-not-allowed\""), "{line}");
    assert!(line.contains("path=\"/api/items/7\""), "{line}");
    assert!(
        line.contains(r#"the request header "x-debug" is not in allowed_headers"#),
        "{line}"
    );
}

/// MDN's three exchanges against the example server, header for header as in the article.
#[tokio::test(flavor = "current_thread")]
async fn mdn_article_exchanges() {
    let addr = serve(mdn_article::app("https://foo.example")).await;

    // 1. Simple request.
    let res = send(
        addr,
        "GET",
        "/resources/public-data/",
        &[
            (
                "accept",
                b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
            ("accept-language", b"en-us,en;q=0.5"),
            ("origin", b"https://foo.example"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        cors_lines(res.headers()),
        ["access-control-allow-origin: *"]
    );
    assert_eq!(res.body().as_ref(), b"<public>data</public>");

    // 2. Preflight, then the actual POST.
    let res = send(
        addr,
        "OPTIONS",
        "/doc",
        &[
            ("origin", b"https://foo.example"),
            ("access-control-request-method", b"POST"),
            (
                "access-control-request-headers",
                b"X-PINGOTHER, Content-Type",
            ),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        cors_lines(res.headers()),
        [
            "access-control-allow-headers: X-PINGOTHER, Content-Type",
            "access-control-allow-methods: POST, GET, OPTIONS",
            "access-control-allow-origin: https://foo.example",
            "access-control-max-age: 86400",
            "vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ]
    );
    let res = send(
        addr,
        "POST",
        "/doc",
        &[
            ("x-pingother", b"pingpong"),
            ("content-type", b"text/xml; charset=UTF-8"),
            ("origin", b"https://foo.example"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        cors_lines(res.headers()),
        [
            "access-control-allow-origin: https://foo.example",
            "vary: Accept-Encoding, Origin"
        ]
    );

    // 3. Credentialed request.
    let res = send(
        addr,
        "GET",
        "/resources/credentialed-content/",
        &[
            ("origin", b"https://foo.example"),
            ("cookie", b"pageAccess=2"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        cors_lines(res.headers()),
        [
            "access-control-allow-credentials: true",
            "access-control-allow-origin: https://foo.example",
            "vary: Accept-Encoding, Origin",
        ]
    );
    assert_eq!(values(res.headers(), "set-cookie"), ["pageAccess=3"]);
}

/// 4xx and 5xx responses from the application carry the CORS headers, so script can read the
/// status; so does the router's own 404.
#[tokio::test(flavor = "current_thread")]
async fn error_responses_carry_cors_headers() {
    let addr = serve(axum_basic::app()).await;
    let expected = [
        "access-control-allow-credentials: true",
        "access-control-allow-origin: https://app.example.com",
        "access-control-expose-headers: X-Request-Id",
        "vary: Origin",
    ];
    for (path, status) in [
        ("/api/items", 200),
        ("/api/private", 401),
        ("/api/fail", 500),
        ("/no/such/route", 404),
    ] {
        let res = send(addr, "GET", path, &[("origin", b"https://app.example.com")]).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(cors_lines(res.headers()), expected, "{path}");
    }
    // A disallowed origin still reaches the application (the browser enforces CORS), without
    // CORS headers.
    let res = send(
        addr,
        "GET",
        "/api/fail",
        &[("origin", b"https://evil.test")],
    )
    .await;
    assert_eq!(res.status().as_u16(), 500);
    assert_eq!(cors_lines(res.headers()), ["vary: Origin"]);
    // Method not allowed on the route (405) still gets the headers.
    let res = send(
        addr,
        "DELETE",
        "/api/items",
        &[("origin", b"http://localhost:5173")],
    )
    .await;
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(
        values(res.headers(), "access-control-allow-origin"),
        ["http://localhost:5173"]
    );
}

/// CORS headers the application set: the policy wins, never two `Access-Control-Allow-Origin`;
/// `Vary` merged.
#[tokio::test(flavor = "current_thread")]
async fn application_cors_headers_are_replaced_and_vary_merged() {
    let app = Router::new()
        .route(
            "/legacy",
            get(|| async {
                (
                    [
                        ("access-control-allow-origin", "*"),
                        ("access-control-allow-credentials", "true"),
                        ("access-control-expose-headers", "X-Secret"),
                        ("vary", "Accept-Encoding"),
                    ],
                    "legacy",
                )
            }),
        )
        .layer(CorsLayer::new(list_policy()));
    let addr = serve(app).await;
    let res = send(
        addr,
        "GET",
        "/legacy",
        &[("origin", b"https://foo.example")],
    )
    .await;
    assert_eq!(
        cors_lines(res.headers()),
        [
            "access-control-allow-credentials: true",
            "access-control-allow-origin: https://foo.example",
            "access-control-expose-headers: X-Total",
            "vary: Accept-Encoding, Origin",
        ]
    );
    let res = send(addr, "GET", "/legacy", &[("origin", b"https://evil.test")]).await;
    assert_eq!(
        cors_lines(res.headers()),
        ["vary: Accept-Encoding, Origin"],
        "the application's CORS headers are removed for a disallowed origin"
    );
    let res = send(addr, "GET", "/legacy", &[]).await;
    assert_eq!(cors_lines(res.headers()), ["vary: Accept-Encoding, Origin"]);
}

#[tokio::test(flavor = "current_thread")]
async fn per_route_policies() {
    let addr = serve(per_route::app()).await;
    let get_from = |path: &'static str, origin: &'static [u8]| async move {
        let res = send(addr, "GET", path, &[("origin", origin)]).await;
        (
            res.status().as_u16(),
            values(res.headers(), "access-control-allow-origin"),
        )
    };
    let none: Vec<String> = vec![];
    // Different layers on different routers.
    assert_eq!(
        get_from("/api/me", b"https://app.example.com").await,
        (200, vec!["https://app.example.com".to_string()])
    );
    assert_eq!(
        get_from("/api/me", b"https://other.test").await,
        (200, none.clone())
    );
    assert_eq!(
        get_from("/public/stats", b"https://other.test").await,
        (200, vec!["*".to_string()])
    );
    // The /api policy answers preflights on /api, the /public one on /public.
    let pf = |path: &'static str, method: &'static [u8]| async move {
        send(
            addr,
            "OPTIONS",
            path,
            &[
                ("origin", b"https://app.example.com"),
                ("access-control-request-method", method),
            ],
        )
        .await
    };
    let res = pf("/api/me", b"PUT").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        values(res.headers(), "access-control-allow-credentials"),
        ["true"]
    );
    assert_eq!(
        pf("/api/me", b"DELETE").await.status(),
        StatusCode::FORBIDDEN
    );
    let res = pf("/public/stats", b"GET").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(values(res.headers(), "access-control-allow-origin"), ["*"]);

    // One layer choosing by path.
    assert_eq!(
        get_from("/embed/widget", b"https://shop.partner.example").await,
        (200, vec!["https://shop.partner.example".to_string()])
    );
    assert_eq!(
        get_from("/embed/widget", b"https://other.test").await,
        (200, none.clone())
    );
    let res = send(
        addr,
        "GET",
        "/internal/report",
        &[("origin", b"https://shop.partner.example")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        cors_lines(res.headers()),
        none,
        "no policy for /internal: untouched"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn async_origin_lookup() {
    let tenants = per_route::Tenants::new(["acme.tenants.example"]);
    let app = per_route::by_lookup(tenants.clone());
    let addr = serve(app).await;
    let tenant: &[u8] = b"https://acme.tenants.example";

    // Allowed by the lookup: the origin is echoed, credentials allowed.
    let res = send(addr, "GET", "/tenant/data", &[("origin", tenant)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        cors_lines(res.headers()),
        [
            "access-control-allow-credentials: true",
            "access-control-allow-origin: https://acme.tenants.example",
            "vary: Origin"
        ]
    );
    assert_eq!(res.body().as_ref(), b"tenant data");
    // Refused by the lookup: the application still answers, without CORS headers.
    let res = send(
        addr,
        "GET",
        "/tenant/data",
        &[("origin", b"https://nobody.tenants.example")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cors_lines(res.headers()), ["vary: Origin"]);
    // A tenant's preflight: allowed for listed methods/headers, refused for others.
    let res = send(
        addr,
        "OPTIONS",
        "/tenant/data",
        &[
            ("origin", tenant),
            ("access-control-request-method", b"POST"),
            ("access-control-request-headers", b"content-type"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        values(res.headers(), "access-control-allow-origin"),
        ["https://acme.tenants.example"]
    );
    let res = send(
        addr,
        "OPTIONS",
        "/tenant/data",
        &[
            ("origin", tenant),
            ("access-control-request-method", b"POST"),
            ("access-control-request-headers", b"x-not-listed"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        cors_lines(res.headers()),
        ["vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
    );
    // Never for `null` or a malformed origin; http:// refused by the lookup itself.
    for origin in [
        &b"null"[..],
        b"https://ACME.tenants.example",
        b"http://acme.tenants.example",
    ] {
        let res = send(addr, "GET", "/tenant/data", &[("origin", origin)]).await;
        assert_eq!(cors_lines(res.headers()), ["vary: Origin"]);
    }
    // A listed origin never needs the lookup.
    let res = send(
        addr,
        "GET",
        "/tenant/data",
        &[("origin", b"https://www.example.com")],
    )
    .await;
    assert_eq!(
        values(res.headers(), "access-control-allow-origin"),
        ["https://www.example.com"]
    );
    // Asked for the two GETs and the two preflights above; never for null, malformed, listed
    // origins; the lookup itself refused http:// before asking.
    assert_eq!(tenants.queries(), 4);
}

/// A refused origin with `reject_disallowed_origins` never reaches the application, even after
/// the lookup said no; allowed by the lookup, it does.
#[tokio::test(flavor = "current_thread")]
async fn async_lookup_with_reject_disallowed_origins() {
    let policy = cors::Policy::builder()
        .allow_origins(["https://foo.example"])
        .reject_disallowed_origins(true)
        .build()
        .unwrap();
    let app = reached().layer(CorsLayer::new(policy).origin_lookup(|o, _| {
        let ok = o.host() == "tenant.test";
        async move {
            tokio::task::yield_now().await;
            ok
        }
    }));
    let addr = serve(app).await;
    let res = send(addr, "POST", "/doc", &[("origin", b"https://tenant.test")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(values(res.headers(), "x-app"), ["reached"]);
    let res = send(addr, "POST", "/doc", &[("origin", b"https://other.test")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("x-app").is_none());
}
