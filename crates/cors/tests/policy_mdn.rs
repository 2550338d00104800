//! The three exchanges of the MDN CORS article (`shared/reference/mdn-cors-article.md`),
//! reproduced header for header: the CORS headers and `Vary` the server answers with.

mod common;
use common::{cors_lines, request, run};
use cors::policy::{Outcome, Policy, PolicyConfig};

/// "Simple requests": `GET /resources/public-data/` from https://foo.example, answered with
/// `Access-Control-Allow-Origin: *` (and, since `*` is static, no `Vary`).
#[test]
fn simple_get_answered_with_star() {
    let config: PolicyConfig = toml::from_str(r#"allowed_origins = ["*"]"#).unwrap();
    let policy = Policy::new(config).unwrap();
    let req = request(
        "GET",
        &[
            (
                "accept",
                b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
            ("accept-language", b"en-us,en;q=0.5"),
            ("origin", b"https://foo.example"),
        ],
    );
    let (d, h) = run(&policy, &req);
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert_eq!(cors_lines(&h), ["access-control-allow-origin: *"]);
}

/// "Preflighted requests": `OPTIONS /doc` with `Access-Control-Request-Method: POST` and
/// `Access-Control-Request-Headers: X-PINGOTHER, Content-Type`, answered 204 with the article's
/// four headers; then the actual `POST /doc` answered with the origin and `Vary: Origin`.
#[test]
fn preflighted_post_with_x_pingother() {
    let config: PolicyConfig = toml::from_str(
        r#"
        allowed_origins = ["https://foo.example"]
        allowed_methods = ["POST", "GET", "OPTIONS"]
        allowed_headers = ["X-PINGOTHER", "Content-Type"]
        max_age = 86400
        "#,
    )
    .unwrap();
    let policy = Policy::new(config).unwrap();
    let preflight = request(
        "OPTIONS",
        &[
            ("origin", b"https://foo.example"),
            ("access-control-request-method", b"POST"),
            (
                "access-control-request-headers",
                b"X-PINGOTHER, Content-Type",
            ),
        ],
    );
    let (d, h) = run(&policy, &preflight);
    assert_eq!(d.outcome(), Outcome::PreflightAllowed);
    assert_eq!(d.respond_with(), Some(http::StatusCode::NO_CONTENT)); // "HTTP/1.1 204 No Content"
    assert_eq!(
        cors_lines(&h),
        [
            "access-control-allow-headers: X-PINGOTHER, Content-Type",
            "access-control-allow-methods: POST, GET, OPTIONS",
            "access-control-allow-origin: https://foo.example",
            "access-control-max-age: 86400",
            "vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ]
    );

    let actual = request(
        "POST",
        &[
            ("x-pingother", b"pingpong"),
            ("content-type", b"text/xml; charset=UTF-8"),
            ("origin", b"https://foo.example"),
        ],
    );
    let (d, mut h) = {
        let d = policy.decide_request(&actual);
        // The article's server also varies on Accept-Encoding: the policy merges into it.
        let mut h = http::HeaderMap::new();
        h.insert("vary", "Accept-Encoding".parse().unwrap());
        (d, h)
    };
    policy.apply(&d, &mut h);
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert_eq!(
        cors_lines(&h),
        [
            "access-control-allow-origin: https://foo.example",
            "vary: Accept-Encoding, Origin"
        ]
    );
}

/// "Requests with credentials": `GET /resources/credentialed-content/` with a cookie, answered
/// with the exact origin, `Access-Control-Allow-Credentials: true` and `Vary: Origin`.
#[test]
fn credentialed_get() {
    let config: PolicyConfig = toml::from_str(
        r#"
        allowed_origins = ["https://foo.example"]
        allow_credentials = true
        "#,
    )
    .unwrap();
    let policy = Policy::new(config).unwrap();
    let req = request(
        "GET",
        &[
            ("origin", b"https://foo.example"),
            ("cookie", b"pageAccess=2"),
        ],
    );
    let d = policy.decide_request(&req);
    let mut h = http::HeaderMap::new();
    h.insert("vary", "Accept-Encoding".parse().unwrap());
    policy.apply(&d, &mut h);
    assert_eq!(
        cors_lines(&h),
        [
            "access-control-allow-credentials: true",
            "access-control-allow-origin: https://foo.example",
            "vary: Accept-Encoding, Origin",
        ]
    );
}
