//! The comparison setup shared by `benches/vs_tower_http.rs` (time) and
//! `tests/tower_alloc.rs` (allocations): the same policy expressed for both layers, the same
//! trivial inner service, the same requests, driven in-process with no sockets.
#![allow(dead_code)]

use http::{HeaderName, HeaderValue, Method, Request, Response, header};
use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tower::{Layer, Service, service_fn};

/// The benchmark groups, in order (names are the contract).
pub const CASES: [&str; 5] = [
    "no_origin",
    "simple_allowed",
    "simple_disallowed",
    "preflight_allowed",
    "preflight_disallowed",
];

/// The allowlist sizes.
pub const SIZES: [usize; 3] = [1, 16, 1024];

/// `n` exact origins.
pub fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://app{i}.example.com"))
        .collect()
}

/// The inner service both layers wrap: an empty response, ready at once.
pub fn inner() -> impl Service<
    Request<()>,
    Response = Response<()>,
    Error = Infallible,
    Future = Ready<Result<Response<()>, Infallible>>,
> + Clone {
    service_fn(|_req: Request<()>| ready(Ok::<_, Infallible>(Response::new(()))))
}

/// The same inner service, but its response's header map already has room for every header a
/// CORS layer adds: what a layer then allocates is its own doing.
pub fn inner_presized() -> impl Service<
    Request<()>,
    Response = Response<()>,
    Error = Infallible,
    Future = Ready<Result<Response<()>, Infallible>>,
> + Clone {
    service_fn(|_req: Request<()>| {
        let mut res = Response::new(());
        res.headers_mut().reserve(16);
        ready(Ok::<_, Infallible>(res))
    })
}

/// Our policy: `n` exact origins, GET/POST/PUT, two request headers, max-age 600.
pub fn ours(n: usize) -> cors::tower::CorsLayer {
    let policy = cors::Policy::builder()
        .allow_origins(origins(n))
        .allow_methods(["GET", "POST", "PUT"])
        .allow_headers(["Content-Type", "X-PINGOTHER"])
        .max_age(600)
        .build()
        .expect("policy");
    cors::tower::CorsLayer::new(policy)
}

/// The same policy in tower-http.
pub fn tower_http(n: usize) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(
            origins(n).iter().map(|o| HeaderValue::from_str(o).unwrap()),
        ))
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static("x-pingother")])
        .max_age(Duration::from_secs(600))
}

/// Builds the requests of one case. Header values are made once and cloned per request, so
/// their bytes are shared, as they are for headers hyper parsed (cloning one is a reference
/// count); the allowed origin is the middle of the list (the average case of a linear scan).
pub struct Requests {
    case: &'static str,
    allowed: HeaderValue,
    evil: HeaderValue,
}

impl Requests {
    /// For one case and list size.
    pub fn new(case: &'static str, n: usize) -> Requests {
        let shared = |s: &str| {
            let v = HeaderValue::from_maybe_shared(bytes::Bytes::from(s.to_string())).unwrap();
            let _promote = v.clone();
            v
        };
        Requests {
            case,
            allowed: shared(&format!("https://app{}.example.com", n / 2)),
            evil: shared("https://evil.test"),
        }
    }

    /// A fresh request.
    pub fn make(&self) -> Request<()> {
        let b = Request::builder()
            .uri("/api/items")
            .header(header::HOST, HeaderValue::from_static("api.example.com"))
            .header(header::ACCEPT, HeaderValue::from_static("*/*"));
        let b = match self.case {
            "no_origin" => b.method(Method::GET),
            "simple_allowed" => b
                .method(Method::GET)
                .header(header::ORIGIN, self.allowed.clone()),
            "simple_disallowed" => b
                .method(Method::GET)
                .header(header::ORIGIN, self.evil.clone()),
            "preflight_allowed" => b
                .method(Method::OPTIONS)
                .header(header::ORIGIN, self.allowed.clone())
                .header(
                    header::ACCESS_CONTROL_REQUEST_METHOD,
                    HeaderValue::from_static("PUT"),
                )
                .header(
                    header::ACCESS_CONTROL_REQUEST_HEADERS,
                    HeaderValue::from_static("content-type,x-pingother"),
                ),
            "preflight_disallowed" => b
                .method(Method::OPTIONS)
                .header(header::ORIGIN, self.evil.clone())
                .header(
                    header::ACCESS_CONTROL_REQUEST_METHOD,
                    HeaderValue::from_static("PUT"),
                ),
            other => panic!("unknown case {other}"),
        };
        b.body(()).unwrap()
    }
}

/// One request through a service whose futures are ready at once, as a server would drive it
/// (poll_ready, call, poll), with a no-op waker.
pub fn drive<S>(svc: &mut S, req: Request<()>) -> Response<()>
where
    S: Service<Request<()>, Response = Response<()>>,
    S::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        _ => panic!("service not ready"),
    }
    let fut = pin!(svc.call(req));
    match fut.poll(&mut cx) {
        Poll::Ready(Ok(res)) => res,
        _ => panic!("response not ready"),
    }
}

/// Both layers around `inner`, ready to drive.
pub fn services<S: Clone>(n: usize, inner: S) -> (cors::tower::Cors<S>, tower_http::cors::Cors<S>) {
    (ours(n).layer(inner.clone()), tower_http(n).layer(inner))
}

/// Sanity: both layers agree on the response's status and allow-origin for every case.
pub fn check_agreement() {
    for case in CASES {
        for n in SIZES {
            let reqs = Requests::new(case, n);
            let (mut a, mut b) = services(n, inner());
            let ra = drive(&mut a, reqs.make());
            let rb = drive(&mut b, reqs.make());
            let acao = |r: &Response<()>| {
                r.headers()
                    .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                    .cloned()
            };
            assert_eq!(acao(&ra), acao(&rb), "{case} n={n}");
            if case != "preflight_disallowed" {
                // tower-http answers a refused preflight 200, we answer 403.
                assert_eq!(
                    ra.status().is_success(),
                    rb.status().is_success(),
                    "{case} n={n}"
                );
            }
        }
    }
}
