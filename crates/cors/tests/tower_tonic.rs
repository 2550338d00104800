//! gRPC-web with tonic (`examples/tonic_grpc_web.rs`): tonic's server with HTTP/1.1 accepted,
//! our layer outermost, tonic-web's translation inside it, a gRPC service behind them; served on
//! 127.0.0.1 and driven with hyper's HTTP/1.1 client as a browser's gRPC-web client would: the preflight is answered by our layer; the call goes through
//! tonic-web's translation to the service and back, and its response carries the CORS headers
//! and exposes `grpc-status` / `grpc-message` to script.
#![cfg(feature = "tower")]

mod tower_support;

#[allow(dead_code)]
#[path = "../examples/tonic_grpc_web.rs"]
mod tonic_grpc_web;

use http::StatusCode;
use tokio::net::TcpListener;
use tower_support::{send, send_body, values};

#[tokio::test(flavor = "current_thread")]
async fn tonic_server_with_the_layer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(tonic_grpc_web::serve(listener));

    let res = send(
        addr,
        "OPTIONS",
        "/demo.Ping/Ping",
        &[
            ("origin", b"https://app.example.com"),
            ("access-control-request-method", b"POST"),
            (
                "access-control-request-headers",
                b"content-type,x-grpc-web,x-user-agent",
            ),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        values(res.headers(), "access-control-allow-origin"),
        ["https://app.example.com"]
    );
    assert_eq!(
        values(res.headers(), "access-control-allow-headers"),
        ["Content-Type, X-Grpc-Web, X-User-Agent, Grpc-Timeout"]
    );

    // The call: one empty message in a gRPC-web frame.
    let frame: &[u8] = &[0, 0, 0, 0, 0];
    let res = send_body(
        addr,
        "/demo.Ping/Ping",
        &[
            ("origin", b"https://app.example.com"),
            ("content-type", b"application/grpc-web+proto"),
            ("x-grpc-web", b"1"),
        ],
        frame,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        values(res.headers(), "content-type"),
        ["application/grpc-web+proto"],
        "translated by tonic-web"
    );
    assert_eq!(values(res.headers(), "grpc-status"), ["0"]);
    assert_eq!(
        values(res.headers(), "access-control-allow-origin"),
        ["https://app.example.com"]
    );
    assert_eq!(
        values(res.headers(), "access-control-expose-headers"),
        ["Grpc-Status, Grpc-Message, Grpc-Status-Details-Bin"]
    );
    assert_eq!(values(res.headers(), "vary"), ["Origin"]);

    // Another origin: the call still reaches the service, without CORS headers.
    let res = send_body(
        addr,
        "/demo.Ping/Ping",
        &[
            ("origin", b"https://evil.test"),
            ("content-type", b"application/grpc-web+proto"),
        ],
        frame,
    )
    .await;
    assert_eq!(values(res.headers(), "grpc-status"), ["0"]);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
