//! gRPC-web with tonic behind the CORS layer. Browsers' gRPC-web clients send `POST` with
//! `Content-Type: application/grpc-web+proto` and `X-Grpc-Web` over HTTP/1.1, so every call is
//! preflighted; the layer answers the preflight, tonic-web translates the call, and the policy
//! exposes `grpc-status` / `grpc-message` so the client can read the outcome.
//!
//! The service here is written by hand (no code generation) to keep the example small; a
//! generated `FooServer` goes in the same place.
//!
//! ```text
//! cargo run -p cors --example tonic_grpc_web
//! curl -i -X OPTIONS http://127.0.0.1:3003/demo.Ping/Ping -H 'Origin: https://app.example.com' \
//!      -H 'Access-Control-Request-Method: POST' \
//!      -H 'Access-Control-Request-Headers: content-type,x-grpc-web,x-user-agent'
//! ```

use cors::{Policy, tower::CorsLayer};
use http::{Request, Response};
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::body::Body;
use tonic::server::NamedService;

/// A gRPC service answering every call with status 0 and no message (trailers-only).
#[derive(Clone)]
pub struct Ping;

impl NamedService for Ping {
    const NAME: &'static str = "demo.Ping";
}

impl tower::Service<Request<Body>> for Ping {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Body>, Infallible>>;
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, _req: Request<Body>) -> Self::Future {
        let mut res = Response::new(Body::empty());
        res.headers_mut().insert(
            "content-type",
            http::HeaderValue::from_static("application/grpc"),
        );
        res.headers_mut()
            .insert("grpc-status", http::HeaderValue::from_static("0"));
        ready(Ok(res))
    }
}

/// What a gRPC-web front end needs: its origin, POST, the gRPC-web request headers, and the
/// gRPC status headers exposed to script.
pub fn policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["POST"])
        .allow_headers(["Content-Type", "X-Grpc-Web", "X-User-Agent", "Grpc-Timeout"])
        .expose_headers(["Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin"])
        .max_age(7200)
        .build()
        .unwrap_or_else(|errors| panic!("invalid CORS policy:\n{errors}"))
}

/// Serves the service on `listener`: CORS outermost, then gRPC-web translation.
pub async fn serve(listener: TcpListener) -> Result<(), tonic::transport::Error> {
    tonic::transport::Server::builder()
        .accept_http1(true)
        .layer(CorsLayer::new(policy()).debug(true))
        .layer(tonic_web::GrpcWebLayer::new())
        .add_service(Ping)
        .serve_with_incoming(TcpListenerStream::new(listener))
        .await
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:3003").await?;
    println!("gRPC-web on http://{}", listener.local_addr()?);
    serve(listener).await?;
    Ok(())
}
