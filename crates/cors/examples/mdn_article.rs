//! The three exchanges of MDN's CORS article as a running server (`bar.other` in the article):
//!
//! 1. "Simple requests": `GET /resources/public-data/`, answered with `Access-Control-Allow-Origin: *`;
//! 2. "Preflighted requests": `OPTIONS /doc` then `POST /doc` with `X-PINGOTHER`;
//! 3. "Requests with credentials": `GET /resources/credentialed-content/` with a cookie.
//!
//! Each exchange has its own router and its own layer; the policies are written in TOML, as a
//! configuration file would hold them. The page origin is `https://foo.example`, as in the
//! article, unless `PAGE_ORIGIN` says otherwise.
//!
//! ```text
//! cargo run -p cors --example mdn_article
//! curl -i -X OPTIONS http://127.0.0.1:3001/doc -H 'Origin: https://foo.example' \
//!      -H 'Access-Control-Request-Method: POST' \
//!      -H 'Access-Control-Request-Headers: X-PINGOTHER, Content-Type'
//! ```

use axum::{
    Router,
    http::{HeaderMap, header},
    response::IntoResponse,
    routing::{get, post},
};
use cors::{PolicyConfig, tower::CorsLayer};

/// A layer from a TOML policy (with `{origin}` replaced by the page's origin).
fn layer(toml_text: &str, origin: &str) -> CorsLayer {
    let config: PolicyConfig = toml::from_str(&toml_text.replace("{origin}", origin))
        .unwrap_or_else(|e| panic!("policy TOML: {e}"));
    CorsLayer::try_from(config)
        .unwrap_or_else(|errors| panic!("invalid CORS policy:\n{errors}"))
        .debug(true)
}

/// The server, allowing `origin` (the article's `https://foo.example`) where it names one.
pub fn app(origin: &str) -> Router {
    // 1. Any origin may read the public data: `*`, no credentials.
    let public = Router::new()
        .route("/resources/public-data/", get(public_data))
        .layer(layer(r#"allowed_origins = ["*"]"#, origin));
    // 2. POST with a custom header needs a preflight; the article's answer, header for header.
    let doc = Router::new().route("/doc", post(doc)).layer(layer(
        r#"
        allowed_origins = ["{origin}"]
        allowed_methods = ["POST", "GET", "OPTIONS"]
        allowed_headers = ["X-PINGOTHER", "Content-Type"]
        max_age = 86400
        "#,
        origin,
    ));
    // 3. Cookies cross-origin: the exact origin and `Access-Control-Allow-Credentials: true`.
    let credentialed = Router::new()
        .route("/resources/credentialed-content/", get(credentialed))
        .layer(layer(
            r#"
            allowed_origins = ["{origin}"]
            allow_credentials = true
            "#,
            origin,
        ));
    Router::new().merge(public).merge(doc).merge(credentialed)
}

async fn public_data() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/xml")],
        "<public>data</public>",
    )
}

async fn doc() -> impl IntoResponse {
    // The article's server varies on Accept-Encoding; the layer merges `Origin` into it.
    (
        [
            (header::VARY, "Accept-Encoding"),
            (header::CONTENT_TYPE, "text/plain"),
        ],
        "doc received",
    )
}

/// Counts visits in the `pageAccess` cookie, as the article's exchange does.
async fn credentialed(headers: HeaderMap) -> impl IntoResponse {
    let visits: u32 = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix("pageAccess="))
        .find_map(|n| n.parse().ok())
        .unwrap_or(0);
    (
        [
            (header::VARY, "Accept-Encoding".to_string()),
            (header::SET_COOKIE, format!("pageAccess={}", visits + 1)),
            (header::CONTENT_TYPE, "text/plain".to_string()),
        ],
        format!("visit {}", visits + 1),
    )
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let origin = std::env::var("PAGE_ORIGIN").unwrap_or_else(|_| "https://foo.example".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
    println!("bar.other for {origin}: http://{}", listener.local_addr()?);
    axum::serve(listener, app(&origin)).await
}
