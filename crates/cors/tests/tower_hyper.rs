//! The layer on a plain hyper 1.x server (no axum): a `tower::Service` wrapped in `Cors`, served
//! with hyper's HTTP/1.1 connection through hyper-util's tower adapter, on 127.0.0.1.
#![cfg(feature = "tower")]

mod tower_support;

use bytes::Bytes;
use cors::{Policy, tower::CorsLayer};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use tokio::net::TcpListener;
use tower::{Layer, service_fn};
use tower_support::{send, values};

async fn app(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let status = if req.uri().path() == "/fail" {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let mut res = Response::new(Full::new(Bytes::from_static(b"hyper")));
    *res.status_mut() = status;
    Ok(res)
}

#[tokio::test(flavor = "current_thread")]
async fn plain_hyper_service() {
    let policy = Policy::builder()
        .allow_origins(["https://foo.example"])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["Content-Type"])
        .build()
        .unwrap();
    let svc = CorsLayer::new(policy).layer(service_fn(app));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let svc = TowerToHyperService::new(svc.clone());
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc),
            );
        }
    });

    let res = send(
        addr,
        "OPTIONS",
        "/items",
        &[
            ("origin", b"https://foo.example"),
            ("access-control-request-method", b"PUT"),
            ("access-control-request-headers", b"content-type"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        values(res.headers(), "access-control-allow-methods"),
        ["GET, PUT"]
    );
    assert!(res.body().is_empty());

    for (path, status) in [("/items", 200), ("/fail", 500)] {
        let res = send(addr, "GET", path, &[("origin", b"https://foo.example")]).await;
        assert_eq!(res.status().as_u16(), status);
        assert_eq!(
            values(res.headers(), "access-control-allow-origin"),
            ["https://foo.example"]
        );
        assert_eq!(values(res.headers(), "vary"), ["Origin"]);
        assert_eq!(res.body().as_ref(), b"hyper");
    }
}
