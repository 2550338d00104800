//! Per-route CORS policies in axum, three ways:
//!
//! 1. different layers on different routers (`/api` for the front end with cookies, `/public`
//!    for anyone), merged into one app;
//! 2. one layer choosing the policy by path ([`CorsLayer::per_request`]): `/embed/…` for partner
//!    sites, everything else without CORS;
//! 3. origins decided at runtime by an async lookup ([`CorsLayer::origin_lookup`]): tenants'
//!    origins kept in a (here simulated) database, everything else still validated.
//!
//! ```text
//! cargo run -p cors --example per_route
//! curl -i http://127.0.0.1:3002/tenant/data -H 'Origin: https://acme.tenants.example'
//! ```

use axum::{Router, routing::get};
use cors::{Policy, tower::CorsLayer};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// 1. Different layers on different routers.
pub fn by_router() -> Router {
    let api = Router::new()
        .route("/api/me", get(|| async { "me" }))
        .layer(CorsLayer::new(
            Policy::builder()
                .allow_origins(["https://app.example.com"])
                .allow_methods(["GET", "PUT"])
                .allow_headers(["Content-Type"])
                .allow_credentials(true)
                .build()
                .expect("api policy"),
        ));
    let public = Router::new()
        .route("/public/stats", get(|| async { "stats" }))
        .layer(CorsLayer::new(
            Policy::builder()
                .allow_any_origin()
                .build()
                .expect("public policy"),
        ));
    Router::new().merge(api).merge(public)
}

/// 2. One layer, the policy chosen by path.
pub fn by_path() -> Router {
    let partners = Policy::builder()
        .allow_origins(["https://partner.example", "https://*.partner.example"])
        .build()
        .expect("partner policy");
    Router::new()
        .route("/embed/widget", get(|| async { "widget" }))
        .route("/internal/report", get(|| async { "report" }))
        .layer(CorsLayer::per_request(move |req| {
            req.uri
                .path()
                .starts_with("/embed/")
                .then(|| partners.clone())
        }))
}

/// The tenants' database, simulated: an async lookup with some latency.
#[derive(Clone)]
pub struct Tenants {
    hosts: Arc<HashSet<String>>,
    queries: Arc<AtomicUsize>,
}

impl Tenants {
    /// Tenants with these hosts.
    pub fn new<I: IntoIterator<Item = &'static str>>(hosts: I) -> Tenants {
        Tenants {
            hosts: Arc::new(hosts.into_iter().map(String::from).collect()),
            queries: Arc::default(),
        }
    }
    async fn has(&self, host: &str) -> bool {
        self.queries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.hosts.contains(host)
    }
    /// How many times the database was asked.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }
}

/// 3. Origins looked up at runtime; methods and headers still checked by the policy.
pub fn by_lookup(tenants: Tenants) -> Router {
    let policy = Policy::builder()
        .allow_origins(["https://www.example.com"])
        .allow_methods(["GET", "POST"])
        .allow_headers(["Content-Type"])
        .allow_credentials(true)
        .build()
        .expect("tenant policy");
    Router::new()
        .route(
            "/tenant/data",
            get(|| async { "tenant data" }).post(|| async { "saved" }),
        )
        .layer(
            CorsLayer::new(policy)
                .origin_lookup(move |origin, _req| {
                    let tenants = tenants.clone();
                    async move { origin.scheme() == "https" && tenants.has(origin.host()).await }
                })
                .debug(true),
        )
}

/// All three, in one app.
pub fn app() -> Router {
    by_router()
        .merge(by_path())
        .merge(by_lookup(Tenants::new(["acme.tenants.example"])))
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3002").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app()).await
}
