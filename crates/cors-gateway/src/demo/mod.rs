//! The built-in demo of `cors serve`: the MDN article's server (an application that knows
//! nothing about CORS) behind the gateway with the article's policies, and a page on a second
//! origin, plus a third one the policy does not allow, that runs the article's requests live.

use crate::config;
use crate::metrics::Metrics;
use crate::proxy::{Exchange, Observer, Runtime};
use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

const GATEWAY_TOML: &str = include_str!("gateway.toml");
const INDEX_HTML: &str = include_str!("index.html");
const FRAME_HTML: &str = include_str!("frame.html");
const APP_JS: &str = include_str!("app.js");
const STYLE_CSS: &str = include_str!("style.css");

/// The started demo: what the gateway needs, and the text to print.
pub struct Demo {
    /// The gateway's compiled configuration.
    pub runtime: Runtime,
    /// The gateway's listener.
    pub gateway: TcpListener,
    /// The metrics listener.
    pub admin: TcpListener,
    /// Records exchanges for the page.
    pub observer: Arc<ExchangeLog>,
    /// The URLs to open.
    pub banner: String,
}

/// The demo's gateway configuration for the given addresses.
pub fn gateway_toml(
    gateway: SocketAddr,
    admin: SocketAddr,
    upstream: SocketAddr,
    page_port: u16,
) -> String {
    GATEWAY_TOML
        .replace("{gateway}", &gateway.to_string())
        .replace("{admin}", &admin.to_string())
        .replace("{upstream}", &upstream.to_string())
        .replace("{page}", &format!("http://127.0.0.1:{page_port}"))
        .replace("{page_localhost}", &format!("http://localhost:{page_port}"))
}

/// Binds the demo's listeners (four consecutive ports from `base`, or free ports for 0) and
/// starts the application and the two page servers.
pub async fn start(base: u16, metrics: &Metrics, workers: usize) -> Result<Demo, String> {
    if base != 0 && base > u16::MAX - 3 {
        return Err(format!(
            "--port {base} leaves no room for four consecutive ports"
        ));
    }
    let port = |i: u16| if base == 0 { 0 } else { base + i };
    let bind = |p: u16| async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], p));
        TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))
    };
    let page = bind(port(0)).await?;
    let other = bind(port(1)).await?;
    let gateway = bind(port(2)).await?;
    let admin = bind(port(3)).await?;
    let upstream = bind(0).await?;
    let addr = |l: &TcpListener| l.local_addr().map_err(|e| e.to_string());
    let (page_addr, other_addr, gateway_addr, admin_addr, upstream_addr) = (
        addr(&page)?,
        addr(&other)?,
        addr(&gateway)?,
        addr(&admin)?,
        addr(&upstream)?,
    );

    let toml = gateway_toml(gateway_addr, admin_addr, upstream_addr, page_addr.port());
    let loaded = config::load(&toml, std::path::Path::new("."))
        .map_err(|d| crate::diag::render("demo gateway.toml", &toml, &d, false))?;
    let runtime = Runtime::build(&loaded.config, metrics, workers)?;
    let log = Arc::new(ExchangeLog::default());

    tokio::spawn(http1_loop(upstream, |req| async move {
        Ok(application(req).await)
    }));
    let info = Arc::new(PageInfo {
        config: serde_json::json!({
            "page_port": page_addr.port(),
            "other_port": other_addr.port(),
            "gateway_port": gateway_addr.port(),
            "admin_port": admin_addr.port(),
            "gateway_toml": toml,
        })
        .to_string(),
        log: log.clone(),
        main: true,
    });
    let other_info = Arc::new(PageInfo {
        main: false,
        ..PageInfo::clone(&info)
    });
    tokio::spawn(http1_loop(page, move |req| {
        let info = info.clone();
        async move { Ok(page_server(&info, req)) }
    }));
    tokio::spawn(http1_loop(other, move |req| {
        let info = other_info.clone();
        async move { Ok(page_server(&info, req)) }
    }));

    let banner = format!(
        "\n  cors serve — the demo is running.\n\n\
         \x20 Open the page:      http://127.0.0.1:{}/\n\n\
         \x20 The page runs the MDN CORS article's three requests in your browser through the\n\
         \x20 gateway, and one from a disallowed origin that fails. Every request shows up below.\n\n\
         \x20 gateway (bar.other)     http://{gateway_addr}\n\
         \x20 page (foo.example)      http://{page_addr}\n\
         \x20 disallowed page         http://{other_addr}\n\
         \x20 metrics                 http://{admin_addr}/metrics\n\
         \x20 application (upstream)  http://{upstream_addr}  (no CORS headers of its own)\n\n\
         \x20 Ctrl-C stops. `cors serve --help` shows how to put your own upstream behind it.\n\n",
        page_addr.port()
    );
    Ok(Demo {
        runtime,
        gateway,
        admin,
        observer: log,
        banner,
    })
}

/// Serves HTTP/1.1 on a listener with a handler, forever.
async fn http1_loop<F, Fut>(listener: TcpListener, handler: F)
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Response<Full<Bytes>>, std::convert::Infallible>>
        + Send
        + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service_fn(handler))
                .await;
        });
    }
}

fn respond(
    status: StatusCode,
    ctype: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

/// The article's server ("bar.other"), as an application that knows nothing about CORS.
async fn application(req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    match (&parts.method, parts.uri.path()) {
        (&Method::GET | &Method::HEAD, "/resources/public-data/") => respond(
            StatusCode::OK,
            "application/xml",
            "<?xml version=\"1.0\"?>\n<data>[…XML Data…] public data, readable by any origin</data>\n",
        ),
        (&Method::POST, "/doc") => {
            let body = Limited::new(body, 64 * 1024).collect().await;
            let text = match body {
                Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
                Err(_) => "(body too large)".into(),
            };
            respond(
                StatusCode::OK,
                "text/plain",
                format!("[Some XML payload] received: {text}\n"),
            )
        }
        (&Method::GET, "/doc") => respond(StatusCode::OK, "text/plain", "the doc\n"),
        (&Method::GET, "/resources/credentialed-content/") => {
            // The cookie the article's server counts with: pageAccess=N.
            let seen: u64 = parts
                .headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .find_map(|c| c.trim().strip_prefix("pageAccess=")?.parse().ok())
                .unwrap_or(0);
            let mut r = respond(
                StatusCode::OK,
                "text/plain",
                format!(
                    "[text/plain payload] your browser sent the cookie pageAccess={seen}; it now gets pageAccess={}\n",
                    seen + 1
                ),
            );
            if let Ok(v) =
                HeaderValue::from_str(&format!("pageAccess={}; Path=/; SameSite=Lax", seen + 1))
            {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    }
}

#[derive(Clone)]
struct PageInfo {
    config: String,
    log: Arc<ExchangeLog>,
    main: bool,
}

/// The two page origins: the allowed one serves the page and its API; the other, the frame.
fn page_server(info: &PageInfo, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let html = "text/html; charset=utf-8";
    let mut r = match req.uri().path() {
        "/" | "/index.html" if info.main => respond(StatusCode::OK, html, INDEX_HTML),
        "/" => respond(
            StatusCode::OK,
            html,
            "<!doctype html><p>This origin is the demo's <b>disallowed</b> page. Open the demo page on the port before this one.</p>",
        ),
        "/frame.html" => respond(StatusCode::OK, html, FRAME_HTML),
        "/app.js" => respond(StatusCode::OK, "text/javascript; charset=utf-8", APP_JS),
        "/style.css" => respond(StatusCode::OK, "text/css; charset=utf-8", STYLE_CSS),
        "/api/config" if info.main => {
            respond(StatusCode::OK, "application/json", info.config.clone())
        }
        "/api/exchanges" if info.main => {
            let run = req
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("run=")))
                .unwrap_or("");
            respond(StatusCode::OK, "application/json", info.log.for_run(run))
        }
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// One exchange as the page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    run: String,
    route: String,
    method: String,
    path: String,
    status: u16,
    decision: &'static str,
    reason: &'static str,
    explain: String,
    request_headers: Vec<(String, String)>,
    response_headers: Vec<(String, String)>,
}

/// The last exchanges that carried a `run=` query parameter.
#[derive(Default)]
pub struct ExchangeLog {
    records: Mutex<VecDeque<Record>>,
}

impl ExchangeLog {
    fn for_run(&self, run: &str) -> String {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        let matching: Vec<&Record> = records
            .iter()
            .filter(|r| !run.is_empty() && r.run == run)
            .collect();
        serde_json::to_string(&matching).unwrap_or_else(|_| "[]".into())
    }
}

fn header_list(h: &http::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

impl Observer for ExchangeLog {
    fn exchange(&self, e: &Exchange<'_>) {
        let Some(run) = e
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("run=")))
        else {
            return;
        };
        let record = Record {
            run: run.to_string(),
            route: e.route.to_string(),
            method: e.method.to_string(),
            path: e.uri.path().to_string(),
            status: e.status.as_u16(),
            decision: e.decision.outcome().as_str(),
            reason: e.decision.reason().code(),
            explain: e.decision.explain(),
            request_headers: header_list(e.request_headers),
            response_headers: header_list(e.response_headers),
        };
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if records.len() >= 256 {
            records.pop_front();
        }
        records.push_back(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_configuration_is_clean() {
        let a: SocketAddr = "127.0.0.1:8002".parse().unwrap();
        let toml = gateway_toml(a, a, a, 8000);
        let loaded = config::load(&toml, std::path::Path::new(".")).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.config.routes.len(), 3);
    }
}
