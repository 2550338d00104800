//! The HTTP side of `cors ui`: HTTP/1.1 on one 127.0.0.1 listener, the embedded page, and the
//! JSON API of `api.rs`, guarded so that only the page itself can drive it.
//!
//! The guard (every request): `Host` must be exactly `127.0.0.1:PORT` — a page elsewhere that
//! rebinds its DNS name to 127.0.0.1 sends its own name and is refused. Every `/api/` request
//! also needs `Origin: http://127.0.0.1:PORT` exactly (browsers send it on every POST, and on
//! every cross-origin request; only a GET may come without one) and the run's secret token in
//! `X-Cors-Ui-Token`, which only the
//! page has (it is written into the HTML, which no other origin can read: no CORS headers are
//! ever sent, and `frame-ancestors 'none'` keeps the page out of frames). A custom header and a
//! JSON body also make any cross-origin attempt a preflight, which is answered 403.

use super::api::{self, ApiError, Form, Paste};
use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::rc::Rc;
use std::time::Duration;
use tokio::net::TcpListener;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// The header carrying the run's token.
pub const TOKEN_HEADER: &str = "x-cors-ui-token";

/// Largest request body the API reads.
const MAX_BODY: usize = 256 * 1024;

/// The page may load only itself: no other origin's script, style, frame or connection.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What every request is checked against.
pub struct Site {
    /// `127.0.0.1:PORT`, the only `Host` accepted.
    pub host: String,
    /// `http://127.0.0.1:PORT`, the only `Origin` accepted.
    pub origin: String,
    /// The run's secret (hex), known to the page only.
    pub token: String,
    /// The live mode's HTTP client.
    pub client: crate::http::Client,
}

/// A fresh random token: 128 bits from the operating system, as hex.
pub fn new_token() -> Result<String, String> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "no randomness from the operating system".to_string())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Serves until the process ends. Connections run on the current thread (a `LocalSet`).
pub async fn serve(listener: TcpListener, site: Site) {
    let site = Rc::new(site);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let site = site.clone();
        tokio::task::spawn_local(async move {
            let service = service_fn(move |req| {
                let site = site.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&site, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn with_common_headers(mut r: Response<Full<Bytes>>, ctype: &'static str) -> Response<Full<Bytes>> {
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    r
}

fn respond(status: u16, ctype: &'static str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    with_common_headers(r, ctype)
}

fn json(status: u16, value: &impl serde::Serialize) -> Response<Full<Bytes>> {
    match serde_json::to_vec(value) {
        Ok(body) => respond(status, "application/json", body),
        Err(e) => error(&ApiError::new(
            "bad-request",
            format!("cannot serialize: {e}"),
        )),
    }
}

fn error(e: &ApiError) -> Response<Full<Bytes>> {
    json(e.status(), &serde_json::json!({ "error": e }))
}

fn header_is(req: &Request<Incoming>, name: impl header::AsHeaderName, want: &str) -> bool {
    let mut values = req.headers().get_all(name).iter();
    matches!((values.next(), values.next()), (Some(v), None) if v.as_bytes() == want.as_bytes())
}

/// The same-origin guard of the API (see the module doc).
fn guard_api(site: &Site, req: &Request<Incoming>) -> Result<(), ApiError> {
    // Browsers leave `Origin` out of same-origin GETs; any other request must carry the page's.
    let origin_optional =
        req.method() == Method::GET && req.headers().get(header::ORIGIN).is_none();
    if !origin_optional && !header_is(req, header::ORIGIN, &site.origin) {
        let got = req
            .headers()
            .get(header::ORIGIN)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        return Err(ApiError::new(
            "forbidden",
            match got {
                Some(o) => format!(
                    "requests from `{o}` are refused: only the page at {} may use this API",
                    site.origin
                ),
                None => format!(
                    "an Origin header is required: only the page at {} may use this API",
                    site.origin
                ),
            },
        ));
    }
    if let Some(s) = req.headers().get("sec-fetch-site") {
        if s.as_bytes() != b"same-origin" {
            return Err(ApiError::new(
                "forbidden",
                "only same-origin requests may use this API (Sec-Fetch-Site)",
            ));
        }
    }
    if !header_is(req, TOKEN_HEADER, &site.token) {
        return Err(ApiError::new(
            "forbidden",
            "missing or wrong X-Cors-Ui-Token: reload the page (each run of `cors ui` has its own)",
        ));
    }
    Ok(())
}

async fn read_json<T: serde::de::DeserializeOwned>(req: Request<Incoming>) -> Result<T, ApiError> {
    let ctype_ok = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !ctype_ok {
        return Err(ApiError::new(
            "unsupported-media-type",
            "send the request as Content-Type: application/json",
        ));
    }
    let body = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|_| ApiError::new("too-large", format!("the body is over {MAX_BODY} bytes")))?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|e| ApiError::new("bad-json", e.to_string()))
}

/// Answers one request.
pub async fn handle(site: &Site, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if !header_is(&req, header::HOST, &site.host) {
        return error(&ApiError::new(
            "forbidden",
            format!("wrong Host: open http://{}/", site.host),
        ));
    }
    let path = req.uri().path().to_string();
    if let Some(endpoint) = path.strip_prefix("/api/") {
        if let Err(e) = guard_api(site, &req) {
            return error(&e);
        }
        let method = req.method().clone();
        return match (endpoint, method) {
            ("info", Method::GET) => json(200, &api::info()),
            ("explain", Method::POST) => match read_json::<Form>(req).await {
                Ok(form) => match api::explain(&form) {
                    Ok(v) => json(200, &v),
                    Err(e) => error(&e),
                },
                Err(e) => error(&e),
            },
            ("check", Method::POST) => match read_json::<Form>(req).await {
                Ok(form) => match api::check(&site.client, &form).await {
                    Ok(v) => json(200, &v),
                    Err(e) => error(&e),
                },
                Err(e) => error(&e),
            },
            ("paste", Method::POST) => match read_json::<Paste>(req).await {
                Ok(p) => match api::paste(&p) {
                    Ok(pasted) => json(200, &pasted),
                    Err(e) => error(&e),
                },
                Err(e) => error(&e),
            },
            ("info" | "explain" | "check" | "paste", _) => error(&ApiError::new(
                "method-not-allowed",
                format!("/api/{endpoint}: wrong method"),
            )),
            _ => error(&ApiError::new(
                "not-found",
                format!("no endpoint /api/{endpoint}"),
            )),
        };
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return error(&ApiError::new(
            "method-not-allowed",
            "the page's files are read with GET",
        ));
    }
    match path.as_str() {
        "/" | "/index.html" => respond(
            200,
            "text/html; charset=utf-8",
            INDEX_HTML.replace("{{TOKEN}}", &site.token),
        ),
        "/app.js" => respond(200, "text/javascript; charset=utf-8", APP_JS),
        "/style.css" => respond(200, "text/css; charset=utf-8", STYLE_CSS),
        _ => respond(404, "text/plain; charset=utf-8", "not found\n"),
    }
}
