//! An axum API behind the CORS layer: one policy, validated at start-up, applied to every route —
//! error responses included, so the front end can read a 401 or a 500.
//!
//! ```text
//! cargo run -p cors --example axum_basic
//! curl -i http://127.0.0.1:3000/api/items -H 'Origin: https://app.example.com'
//! curl -i -X OPTIONS http://127.0.0.1:3000/api/items -H 'Origin: https://app.example.com' \
//!      -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: content-type'
//! ```

use axum::{
    Router,
    http::StatusCode,
    routing::{get, put},
};
use cors::{Policy, tower::CorsLayer};

/// The policy: one front-end origin (and any port on localhost for development), cookies
/// allowed, JSON bodies, one readable response header.
pub fn policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://app.example.com", "http://localhost:*"])
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["Content-Type"])
        .expose_headers(["X-Request-Id"])
        .allow_credentials(true)
        .max_age(600)
        .build()
        .unwrap_or_else(|errors| panic!("invalid CORS policy:\n{errors}"))
}

/// The application, wrapped in the layer.
pub fn app() -> Router {
    Router::new()
        .route("/api/items", get(|| async { "[]" }))
        .route("/api/items/{id}", put(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/api/private",
            get(|| async { (StatusCode::UNAUTHORIZED, "log in first") }),
        )
        .route(
            "/api/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "it broke") }),
        )
        // Set `debug(true)` while developing: every rejected preflight is logged with its reason.
        .layer(CorsLayer::new(policy()).debug(true))
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app()).await
}
