//! The request path: route by path, let the route's policy decide, answer preflights at the
//! gateway, forward everything else to the upstream with streaming bodies, and put the policy's
//! headers on every answer — the upstream's, and the gateway's own 502/504.

use crate::body::RequestBody;
use crate::config::{GatewayConfig, HeaderMode, Limits, ListenerConfig, PathPattern, TlsConfig};
use crate::metrics::{AnsweredBy, Metrics, RouteMetrics};
use crate::timer::{self, ConnTimer};
use crate::upstream::{Outgoing, PooledBody, Upstream};
use crate::wire::remove_hop_by_hop;
use bytes::Bytes;
use cors::policy::{Decision, Outcome, Policy, RequestView};
use cors::vocab::safelist::CORS_RESPONSE_HEADER_NAMES;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body::{Body, Frame, SizeHint};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

/// One compiled route.
pub struct Route {
    /// For logs and metrics.
    pub name: Arc<str>,
    /// The pattern.
    pub pattern: PathPattern,
    /// Where requests go.
    pub upstream: Arc<Upstream>,
    /// The upstream's own CORS headers: keep or replace.
    pub mode: HeaderMode,
    /// The CORS policy.
    pub policy: Policy,
    /// What `policy` was compiled from (each worker compiles its own copy).
    source: cors::policy::PolicyConfig,
    metrics: Arc<RouteMetrics>,
}

/// Everything a configuration compiles to. Requests hold an `Arc` to the one that was current
/// when they arrived, so a reload never disturbs a request in flight.
pub struct Runtime {
    /// Most specific first.
    pub routes: Vec<Route>,
    /// Limits and timeouts.
    pub limits: Limits,
    /// The listeners as configured (changing them needs a restart).
    pub listeners: Vec<ListenerConfig>,
    /// The admin listener as configured.
    pub admin: Option<crate::config::AdminConfig>,
    /// A TLS acceptor per listener (by index), rebuilt on reload so new certificates apply.
    pub tls: Vec<Option<tokio_rustls::TlsAcceptor>>,
}

impl Runtime {
    /// Compiles a configuration: policies, upstream clients (`workers` pools each), TLS acceptors.
    pub fn build(
        config: &GatewayConfig,
        metrics: &Metrics,
        workers: usize,
    ) -> Result<Runtime, String> {
        let mut upstreams: HashMap<&str, Arc<Upstream>> = HashMap::new();
        for (name, u) in &config.upstreams {
            upstreams.insert(name, Arc::new(Upstream::new(name, u, workers)?));
        }
        let mut routes = Vec::with_capacity(config.routes.len());
        for r in &config.routes {
            let name: Arc<str> = r.display_name().into();
            let policy = Policy::new(r.policy.clone()).map_err(|e| format!("route {name}: {e}"))?;
            let upstream = upstreams
                .get(r.upstream.as_str())
                .cloned()
                .ok_or_else(|| format!("route {name}: unknown upstream {}", r.upstream))?;
            routes.push(Route {
                metrics: metrics.route(&name),
                name,
                pattern: r.pattern(),
                upstream,
                mode: r.upstream_cors_headers,
                policy,
                source: r.policy.clone(),
            });
        }
        // Most specific first; the sort is stable, so on a tie the earlier route wins.
        routes.sort_by_key(|r| std::cmp::Reverse(r.pattern.specificity()));
        let tls = config
            .listeners
            .iter()
            .map(|l| l.tls.as_ref().map(tls_acceptor).transpose())
            .collect::<Result<_, _>>()?;
        Ok(Runtime {
            routes,
            limits: config.limits.clone(),
            listeners: config.listeners.clone(),
            admin: config.admin.clone(),
            tls,
        })
    }

    /// A copy for one worker thread, with its own compiled policies: the header values a
    /// policy writes on each answer are reference-counted, and cloning the same ones from
    /// every worker made each answer write cache lines the other workers write too. Upstreams
    /// (their pools are per worker already), metrics and TLS acceptors stay shared.
    fn for_worker(&self) -> Runtime {
        Runtime {
            routes: self
                .routes
                .iter()
                .map(|r| Route {
                    name: r.name.clone(),
                    pattern: r.pattern.clone(),
                    upstream: r.upstream.clone(),
                    mode: r.mode,
                    // It compiled once already; should it not, the shared one does.
                    policy: Policy::new(r.source.clone()).unwrap_or_else(|_| r.policy.clone()),
                    source: r.source.clone(),
                    metrics: r.metrics.clone(),
                })
                .collect(),
            limits: self.limits.clone(),
            listeners: self.listeners.clone(),
            admin: self.admin.clone(),
            tls: self.tls.clone(),
        }
    }

    /// The most specific route for a path.
    pub fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.pattern.matches(path))
    }
}

/// Reads PEM certificate and key files into a TLS acceptor offering HTTP/2 and HTTP/1.1 (ALPN).
fn tls_acceptor(t: &TlsConfig) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(&t.certificate)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            format!(
                "cannot read certificates from {}: {e}",
                t.certificate.display()
            )
        })?;
    if certs.is_empty() {
        return Err(format!("no certificate in {}", t.certificate.display()));
    }
    let key = PrivateKeyDer::from_pem_file(&t.private_key).map_err(|e| {
        format!(
            "cannot read a private key from {}: {e}",
            t.private_key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("{}: {e}", t.certificate.display()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

/// What the demo (or a debugging aid) sees of each exchange.
pub struct Exchange<'a> {
    /// The route's name.
    pub route: &'a str,
    /// The request method.
    pub method: &'a Method,
    /// The request URI.
    pub uri: &'a Uri,
    /// The request headers as the client sent them.
    pub request_headers: &'a HeaderMap,
    /// The response status.
    pub status: StatusCode,
    /// The response headers as sent to the client.
    pub response_headers: &'a HeaderMap,
    /// The policy's decision.
    pub decision: &'a Decision,
}

/// Receives every exchange (the demo page shows them).
pub trait Observer: Send + Sync {
    /// Called with each response head, before it is sent.
    fn exchange(&self, e: &Exchange<'_>);
}

/// State shared by every connection: the current runtime (swapped on reload), the metrics.
pub struct Shared {
    current: RwLock<Arc<Runtime>>,
    /// Which runtime `current` holds: unique across every `Shared` of the process.
    generation: AtomicU64,
    /// Worker threads (each has its own upstream pools).
    pub workers: usize,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Sees every exchange, when set.
    pub observer: Option<Arc<dyn Observer>>,
}

impl Shared {
    /// Starts with a runtime.
    pub fn new(
        rt: Runtime,
        workers: usize,
        metrics: Arc<Metrics>,
        observer: Option<Arc<dyn Observer>>,
    ) -> Self {
        Shared {
            current: RwLock::new(Arc::new(rt)),
            generation: AtomicU64::new(GENERATIONS.fetch_add(1, Ordering::Relaxed)),
            workers,
            metrics,
            observer,
        }
    }
    /// The runtime for a new request or connection.
    pub fn current(&self) -> Arc<Runtime> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    /// Swaps in a new runtime; requests in flight keep the old one until they finish.
    pub fn swap(&self, rt: Runtime) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(rt);
        self.generation.store(
            GENERATIONS.fetch_add(1, Ordering::Relaxed),
            Ordering::Release,
        );
    }
    /// The current runtime for a request, through this thread's own copy (see
    /// [`Runtime::for_worker`]): a request then takes no lock and writes no cache line that
    /// the other workers' requests write too (the shared `Arc`'s count, the lock, the
    /// policies' header values), only one atomic load while no reload happened.
    pub fn local(self: &Arc<Self>) -> Arc<Local> {
        let generation = self.generation.load(Ordering::Acquire);
        LOCAL.with(|cell| {
            let mut cached = cell.borrow_mut();
            if let Some((g, local)) = &*cached {
                if *g == generation {
                    return local.clone();
                }
            }
            let local = Arc::new(Local {
                rt: Arc::new(self.current().for_worker()),
                shared: self.clone(),
            });
            *cached = Some((generation, local.clone()));
            local
        })
    }
}

static GENERATIONS: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's handle on the runtime of the generation it last saw.
    static LOCAL: std::cell::RefCell<Option<(u64, Arc<Local>)>> =
        const { std::cell::RefCell::new(None) };
}

/// A thread's handle on a runtime and the shared state (see [`Shared::local`]).
pub struct Local {
    /// The runtime.
    pub rt: Arc<Runtime>,
    /// The shared state.
    pub shared: Arc<Shared>,
}

/// The connection a request arrived on, with what the forwarding headers say of it.
#[derive(Clone, Debug)]
pub struct ConnInfo {
    /// Arrived over TLS.
    pub tls: bool,
    /// The client's IP address, for `X-Forwarded-For`.
    client_ip: HeaderValue,
    /// `for=…;proto=…` for `Forwarded` (RFC 7239: an IPv6 address quoted in brackets).
    forwarded: String,
    /// The first `Host` seen on this connection and the `Forwarded` value built for it: the
    /// requests of a connection nearly always have the same host.
    forwarded_for_host: std::sync::OnceLock<(HeaderValue, HeaderValue)>,
    /// The connection's timer: its header read timeout and its requests' upstream deadlines.
    pub timer: Arc<ConnTimer>,
}

impl ConnInfo {
    /// Describes a connection from `peer`.
    pub fn new(peer: SocketAddr, tls: bool) -> ConnInfo {
        let ip = peer.ip().to_canonical();
        let node = match ip {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => format!("\"[{v6}]\""),
        };
        let proto = if tls { "https" } else { "http" };
        ConnInfo {
            tls,
            client_ip: HeaderValue::from_maybe_shared(Bytes::from(ip.to_string()))
                .unwrap_or_else(|_| HeaderValue::from_static("unknown")),
            forwarded: format!("for={node};proto={proto}"),
            forwarded_for_host: std::sync::OnceLock::new(),
            timer: Arc::default(),
        }
    }
}

/// A response body: the upstream's, streamed, or a short one the gateway wrote.
pub enum ProxyBody {
    /// The upstream's body, frame by frame.
    Upstream(PooledBody),
    /// A body the gateway wrote (or none).
    Full(Option<Bytes>),
}

impl ProxyBody {
    pub fn empty() -> Self {
        ProxyBody::Full(None)
    }
    fn text(s: String) -> Self {
        ProxyBody::Full(Some(Bytes::from(s)))
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            ProxyBody::Upstream(b) => Pin::new(b).poll_frame(cx),
            ProxyBody::Full(b) => Poll::Ready(b.take().map(|d| Ok(Frame::data(d)))),
        }
    }
    fn is_end_stream(&self) -> bool {
        match self {
            ProxyBody::Upstream(b) => b.is_end_stream(),
            ProxyBody::Full(b) => b.is_none(),
        }
    }
    fn size_hint(&self) -> SizeHint {
        match self {
            ProxyBody::Upstream(b) => b.size_hint(),
            ProxyBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
        }
    }
}

/// Removes the upstream's CORS response headers (the policy writes its own).
fn remove_cors_headers(h: &mut HeaderMap) {
    // One pass over the names first: an upstream behind the gateway rarely sends any.
    if h.keys().any(|n| n.as_str().starts_with("access-control-")) {
        for name in CORS_RESPONSE_HEADERS.iter() {
            h.remove(name);
        }
    }
}

/// A path the gateway refuses to route: not origin-form, or with `.`/`..` segments (raw or
/// percent-encoded), which an upstream could resolve outside the route that matched.
fn unsafe_path(path: &str) -> bool {
    if !path.starts_with('/') {
        return true;
    }
    path.bytes().any(|b| b == b'.' || b == b'%') && path.split('/').any(is_dot_segment)
}

/// `.` or `..`, each dot possibly written `%2e` (RFC 3986 §3.3, §6.2.2.2).
fn is_dot_segment(seg: &str) -> bool {
    let s = seg.as_bytes();
    let (mut dots, mut i) = (0, 0);
    while i < s.len() {
        if s[i] == b'.' {
            i += 1;
        } else if s[i] == b'%'
            && s.get(i + 1) == Some(&b'2')
            && matches!(s.get(i + 2), Some(b'e' | b'E'))
        {
            i += 3;
        } else {
            return false;
        }
        dots += 1;
    }
    dots == 1 || dots == 2
}

fn plain(status: StatusCode, msg: String) -> Response<ProxyBody> {
    let mut r = Response::new(ProxyBody::text(msg));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Handles one request. Never fails: every problem becomes a response.
pub async fn handle(
    req: Request<RequestBody>,
    conn: Arc<ConnInfo>,
    local: Arc<Local>,
) -> Result<Response<ProxyBody>, std::convert::Infallible> {
    let start = Instant::now();
    crate::busy_poll::activity();
    let (rt, shared) = (&local.rt, &*local.shared);
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path();

    // Not an open proxy: CONNECT tunnels nowhere, and only the path picks the upstream (an
    // absolute-form target's authority is ignored).
    if parts.method == Method::CONNECT || unsafe_path(path) {
        shared.metrics.bad_request();
        let (status, why) = if parts.method == Method::CONNECT {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                "CONNECT is not supported: this is a reverse proxy",
            )
        } else {
            (StatusCode::BAD_REQUEST, "the path has `.` or `..` segments")
        };
        tracing::info!(target: "cors::access", method = %parts.method, path = %path, status = status.as_u16(), "refused: {why}");
        return Ok(plain(status, format!("{why}\n")));
    }
    let Some(route) = rt.route(path) else {
        shared.metrics.unmatched();
        tracing::info!(target: "cors::access", method = %parts.method, path = %path, status = 404, "no route matches this path");
        return Ok(plain(
            StatusCode::NOT_FOUND,
            "no route matches this path\n".into(),
        ));
    };

    let decision = route.policy.decide(RequestView::from(&parts));
    // For the access log line only (the request's headers move to the upstream).
    let origin = if tracing::enabled!(target: "cors::access", tracing::Level::INFO) {
        parts.headers.get(header::ORIGIN).cloned()
    } else {
        None
    };
    route.metrics.decision(decision.outcome());
    if matches!(
        decision.outcome(),
        Outcome::Disallowed | Outcome::PreflightRejected
    ) {
        shared
            .metrics
            .rejection(&route.name, decision.reason().code());
    }

    // Answered by the gateway: preflights (unless the route lets them continue) and, with
    // reject_disallowed_origins, requests from other origins.
    if let Some(status) = decision.respond_with() {
        if decision.outcome().is_preflight() {
            route.metrics.preflight(AnsweredBy::Gateway);
        }
        let mut resp = Response::new(ProxyBody::empty());
        *resp.status_mut() = status;
        route.policy.apply(&decision, resp.headers_mut());
        return Ok(finish(
            shared, route, &parts, origin, &decision, resp, None, start,
        ));
    }
    if decision.outcome().is_preflight() {
        route.metrics.preflight(AnsweredBy::Upstream);
    }

    let up = &route.upstream;
    let observed = shared.observer.as_ref().map(|_| parts.headers.clone());
    let upstream_req = match forward_request(&mut parts, body, &conn, up) {
        Ok(r) => r,
        Err(e) => {
            let mut resp = plain(StatusCode::BAD_REQUEST, format!("{e}\n"));
            route.policy.apply(&decision, resp.headers_mut());
            return Ok(finish(
                shared, route, &parts, origin, &decision, resp, observed, start,
            ));
        }
    };
    let limit = up.response_timeout.min(rt.limits.request_timeout.0);
    let deadline = tokio::time::Instant::from_std(start + limit);
    let resp = match timer::deadline(&conn.timer, deadline, up.request(upstream_req)).await {
        Some(Ok(resp)) => {
            // The upstream client left the hop-by-hop fields behind.
            let (mut rp, rbody) = resp.into_parts();
            let keep = route.mode == HeaderMode::Keep
                && rp.headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN);
            if !keep {
                remove_cors_headers(&mut rp.headers);
                route.policy.apply(&decision, &mut rp.headers);
            }
            rp.version = Version::HTTP_11;
            Response::from_parts(rp, ProxyBody::Upstream(rbody))
        }
        Some(Err(e)) => {
            let kind = e.kind();
            shared.metrics.upstream_error(&up.name, kind);
            tracing::warn!(target: "cors::upstream", upstream = %up.name, kind, error = %e, "upstream request failed");
            let mut resp = plain(
                StatusCode::BAD_GATEWAY,
                format!(
                    "502 Bad Gateway: the upstream `{}` failed ({kind})\n",
                    up.name
                ),
            );
            route.policy.apply(&decision, resp.headers_mut());
            resp
        }
        None => {
            shared.metrics.upstream_error(&up.name, "timeout");
            tracing::warn!(target: "cors::upstream", upstream = %up.name, timeout_ms = limit.as_millis() as u64, "upstream did not answer in time");
            let mut resp = plain(
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "504 Gateway Timeout: the upstream `{}` did not answer within {} ms\n",
                    up.name,
                    limit.as_millis()
                ),
            );
            route.policy.apply(&decision, resp.headers_mut());
            resp
        }
    };
    Ok(finish(
        shared, route, &parts, origin, &decision, resp, observed, start,
    ))
}

/// Logs the request's line, records metrics and shows the exchange to the observer.
#[allow(clippy::too_many_arguments)] // the exit paths of `handle` pass what they have
fn finish(
    shared: &Shared,
    route: &Route,
    parts: &http::request::Parts,
    origin: Option<HeaderValue>,
    decision: &Decision,
    resp: Response<ProxyBody>,
    observed: Option<HeaderMap>,
    start: Instant,
) -> Response<ProxyBody> {
    let elapsed = start.elapsed();
    route.metrics.latency(elapsed);
    tracing::info!(
        target: "cors::access",
        route = %route.name,
        method = %parts.method,
        path = %parts.uri.path(),
        origin = origin.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("-"),
        decision = decision.outcome().as_str(),
        reason = decision.reason().code(),
        status = resp.status().as_u16(),
        micros = elapsed.as_micros() as u64,
        "{}",
        decision.explain()
    );
    if let Some(obs) = &shared.observer {
        let headers = observed.unwrap_or_else(|| parts.headers.clone());
        obs.exchange(&Exchange {
            route: &route.name,
            method: &parts.method,
            uri: &parts.uri,
            request_headers: &headers,
            status: resp.status(),
            response_headers: resp.headers(),
            decision,
        });
    }
    resp
}

/// [`CORS_RESPONSE_HEADER_NAMES`] as header names, built once.
static CORS_RESPONSE_HEADERS: std::sync::LazyLock<Vec<HeaderName>> =
    std::sync::LazyLock::new(|| {
        CORS_RESPONSE_HEADER_NAMES
            .iter()
            .map(|n| HeaderName::from_static(n))
            .collect()
    });

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const FORWARDED: HeaderName = HeaderName::from_static("forwarded");

/// Builds the upstream request: same method, path and body (streamed), the hop-by-hop fields
/// removed, the original `Host` kept, and `X-Forwarded-For/-Proto/-Host`, `Forwarded` (RFC 7239)
/// and `Via` (RFC 9110 §7.6.3) set. The fields this hop sets are listed apart from the client's
/// (the upstream client writes them after the others, in place of any the client sent), so
/// that the client's header map is not rehashed for them.
fn forward_request(
    parts: &mut http::request::Parts,
    body: RequestBody,
    conn: &ConnInfo,
    up: &Upstream,
) -> Result<Outgoing, String> {
    // Origin-form: the connection is already to the upstream (RFC 9112 §3.2.1).
    let target = parts
        .uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| http::uri::PathAndQuery::from_static("/"));
    // The headers move to the upstream request (no copy); the log line keeps the origin.
    let mut headers = std::mem::take(&mut parts.headers);
    remove_hop_by_hop(&mut headers);
    // Which forwarding fields the client sent: one pass over the names instead of a lookup each.
    let (mut has_xff, mut has_forwarded, mut has_via, mut has_x_other) =
        (false, false, false, false);
    for name in headers.keys() {
        has_xff |= name == X_FORWARDED_FOR;
        has_forwarded |= name == FORWARDED;
        has_via |= name == header::VIA;
        has_x_other |= name == X_FORWARDED_PROTO || name == X_FORWARDED_HOST;
    }
    let mut added = Vec::with_capacity(6);
    let (host, host_in_headers) = match headers.get(header::HOST) {
        Some(h) => (Some(h.clone()), true),
        None => (
            parts
                .uri
                .authority()
                .and_then(|a| HeaderValue::from_str(a.as_str()).ok()),
            false,
        ),
    };
    // X-Forwarded-For: the chain so far, then this client.
    let xff = match joined(has_xff, &headers, &X_FORWARDED_FOR) {
        None => conn.client_ip.clone(),
        Some(mut chain) => {
            chain.push_str(", ");
            chain.push_str(conn.client_ip.to_str().unwrap_or_default());
            value(chain)?
        }
    };
    added.push((X_FORWARDED_FOR, xff));
    added.push((
        X_FORWARDED_PROTO,
        HeaderValue::from_static(if conn.tls { "https" } else { "http" }),
    ));
    // RFC 7239: the elements so far, then for=…;proto=… and host="…" (quoted).
    let fwd = match (joined(has_forwarded, &headers, &FORWARDED), &host) {
        (None, Some(h)) => match conn.forwarded_for_host.get() {
            Some((cached_host, fwd)) if cached_host == h => fwd.clone(),
            cached => {
                let fwd = forwarded(String::new(), conn, Some(h))?;
                if cached.is_none() {
                    let _ = conn.forwarded_for_host.set((h.clone(), fwd.clone()));
                }
                fwd
            }
        },
        (prev, host) => forwarded(
            prev.map_or_else(String::new, |mut s| {
                s.push_str(", ");
                s
            }),
            conn,
            host.as_ref(),
        )?,
    };
    added.push((FORWARDED, fwd));
    match host {
        Some(h) => {
            if !host_in_headers {
                added.push((header::HOST, h.clone()));
            }
            added.push((X_FORWARDED_HOST, h));
        }
        // HTTP/1.1 requires Host (RFC 9112 §3.2): without one from the client, the upstream's.
        None => added.push((header::HOST, value(up.authority.as_str().to_string())?)),
    }
    let received = match parts.version {
        Version::HTTP_2 => "2 cors",
        Version::HTTP_10 => "1.0 cors",
        _ => "1.1 cors",
    };
    let via = match joined(has_via, &headers, &header::VIA) {
        Some(prev) => value(format!("{prev}, {received}"))?,
        None => HeaderValue::from_static(received),
    };
    added.push((header::VIA, via));
    Ok(Outgoing {
        method: parts.method.clone(),
        target,
        headers,
        added,
        replaces: has_xff || has_forwarded || has_via || has_x_other,
        body,
    })
}

/// `prev` (the elements so far, with their separator) then this hop's `for=…;proto=…` and,
/// when it can be quoted as it is, `host="…"` (RFC 7239 §4).
fn forwarded(
    mut prev: String,
    conn: &ConnInfo,
    host: Option<&HeaderValue>,
) -> Result<HeaderValue, String> {
    prev.push_str(&conn.forwarded);
    if let Some(h) = host.and_then(|h| h.to_str().ok()) {
        if h.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        {
            prev.push_str(";host=\"");
            prev.push_str(h);
            prev.push('"');
        }
    }
    value(prev)
}

/// Every line of a header, trimmed and joined with `, `; `None` when absent (`present` false
/// says so without a lookup).
fn joined(present: bool, headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    if !present {
        return None;
    }
    let mut out: Option<String> = None;
    for v in headers.get_all(name) {
        let Ok(s) = v.to_str() else { continue };
        let o = out.get_or_insert_with(String::new);
        if !o.is_empty() {
            o.push_str(", ");
        }
        o.push_str(s.trim());
    }
    out
}

fn value(s: String) -> Result<HeaderValue, String> {
    HeaderValue::from_maybe_shared(Bytes::from(s)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstreams_cors_headers_go() {
        let mut h = HeaderMap::new();
        for n in CORS_RESPONSE_HEADER_NAMES {
            h.insert(n, HeaderValue::from_static("x"));
        }
        h.insert("access-control-other", HeaderValue::from_static("1"));
        h.insert("x-kept", HeaderValue::from_static("1"));
        remove_cors_headers(&mut h);
        let mut left = h.keys().map(|k| k.as_str()).collect::<Vec<_>>();
        left.sort_unstable();
        assert_eq!(left, ["access-control-other", "x-kept"]);
        let mut none = HeaderMap::new();
        none.insert("x-kept", HeaderValue::from_static("1"));
        remove_cors_headers(&mut none);
        assert_eq!(none.len(), 1);
    }

    #[test]
    fn dot_segments_are_refused() {
        for p in [
            "/a/../b",
            "/a/./b",
            "/..",
            "/a/%2e%2E/b",
            "/a/%2e/",
            "/a/.%2e/b",
            "/a/..",
            "*",
            "a",
        ] {
            assert!(unsafe_path(p), "{p}");
        }
        for p in [
            "/",
            "/a/b",
            "/a/...b",
            "/a/...",
            "/a..b/",
            "/.well-known/x",
            "/a/%2",
            "/%2e%2e%2e",
            "/%41",
        ] {
            assert!(!unsafe_path(p), "{p}");
        }
    }
}
