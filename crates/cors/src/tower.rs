//! The tower middleware: [`CorsLayer`] wraps any `Service<http::Request<_>>` (an axum `Router`,
//! a hyper 1.x service, a tonic server) in a thin shell around [`Policy`], which decides.
//!
//! For each request the layer asks the policy for a [`Decision`], then either answers itself with
//! the status the decision names (a preflight the policy handles, a rejected preflight, or a
//! disallowed origin with `reject_disallowed_origins`), or calls the inner service and applies
//! the decision's headers to whatever it returns — error responses included, so front-end code
//! can read a 401 or a 500. No CORS rule lives here: every one is in [`crate::policy`].
//!
//! ```
//! use axum::{Router, routing::get};
//! use cors::{Policy, tower::CorsLayer};
//!
//! let policy = Policy::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_methods(["GET", "POST", "PUT"])
//!     .allow_headers(["Content-Type"])
//!     .max_age(600)
//!     .build()?; // every configuration error at once, never a panic
//! let app: Router = Router::new()
//!     .route("/api/items", get(|| async { "[]" }))
//!     .layer(CorsLayer::new(policy));
//! # Ok::<(), cors::policy::ConfigErrors>(())
//! ```
//!
//! The inner service must be `Clone` (axum routers, tonic servers and `tower::service_fn` are):
//! a request waiting for an async origin lookup keeps the clone that was polled ready.
//! Coming from `tower_http::cors::CorsLayer`? `docs/migrating-from-tower-http.md` maps each of
//! its builder methods to the policy's, and lists where the behaviour differs on purpose.
//!
//! # Headers the application already set
//!
//! The policy wins: on every response that passes through the layer, `Access-Control-Allow-Origin`,
//! `-Allow-Credentials` and `-Expose-Headers` (and on preflights `-Allow-Methods`,
//! `-Allow-Headers`, `-Max-Age`, `-Allow-Private-Network`) are replaced by the policy's, or
//! removed when the policy sends none, so a response never carries two
//! `Access-Control-Allow-Origin` values. `Vary` is merged: the names the policy needs are added to
//! the application's `Vary`, once each; `Vary: *` is left alone.
//!
//! # Origins decided at runtime
//!
//! A synchronous check is part of the policy
//! ([`PolicyBuilder::allow_origin_predicate`](crate::policy::PolicyBuilder::allow_origin_predicate)).
//! An asynchronous one (tenants in a database) belongs to the layer:
//! [`CorsLayer::origin_lookup`]. Either runs only for well-formed origins no configured entry
//! matched, never for `null`, and the method, headers and everything else are still validated.
//!
//! # Debug mode
//!
//! [`CorsLayer::debug`] logs, through `tracing` (target `cors`, level INFO), every preflight the
//! policy rejects and every actual request from a disallowed origin, with the machine-readable
//! reason code and a sentence saying why.

use crate::policy::{Decision, Outcome, Policy, PolicyConfig, RequestView, Strip};
use crate::vocab::{HeaderOrigin, Origin};
use http::{Request, Response, StatusCode, header};
use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use tower_layer::Layer;
use tower_service::Service;

/// The future an async origin lookup returns.
pub type LookupFuture = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

type Lookup = Arc<dyn Fn(Origin, RequestView<'_>) -> LookupFuture + Send + Sync>;
type Selector = Arc<dyn Fn(RequestView<'_>) -> Option<Policy> + Send + Sync>;

#[derive(Clone)]
enum Source {
    Fixed(Policy),
    PerRequest(Selector),
}

/// A [`tower_layer::Layer`] applying a CORS [`Policy`] to a service.
///
/// Build the policy first (validation happens there, once, and reports every problem), then wrap
/// it: `CorsLayer::new(policy)`. Cloning a layer is cheap.
///
/// ```
/// use cors::{Policy, PolicyConfig, tower::CorsLayer};
/// // From a configuration file:
/// let config: PolicyConfig = toml::from_str(r#"allowed_origins = ["https://app.example.com"]"#).unwrap();
/// let layer = CorsLayer::try_from(config).unwrap().debug(true);
/// # let _ = layer;
/// ```
#[derive(Clone)]
#[must_use]
pub struct CorsLayer {
    source: Source,
    lookup: Option<Lookup>,
    debug: bool,
}

impl fmt::Debug for CorsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("CorsLayer");
        match &self.source {
            Source::Fixed(p) => d.field("policy", p),
            Source::PerRequest(_) => d.field("policy", &"per request"),
        };
        d.field("origin_lookup", &self.lookup.as_ref().map(|_| "Fn"))
            .field("debug", &self.debug)
            .finish()
    }
}

impl CorsLayer {
    /// A layer applying one policy to every request.
    ///
    /// ```
    /// use cors::{Policy, tower::CorsLayer};
    /// let layer = CorsLayer::new(Policy::builder().allow_any_origin().build().unwrap());
    /// # let _ = layer;
    /// ```
    pub fn new(policy: Policy) -> CorsLayer {
        CorsLayer {
            source: Source::Fixed(policy),
            lookup: None,
            debug: false,
        }
    }

    /// A layer choosing the policy for each request (by path, host, or a policy swapped at
    /// runtime). `None` leaves the request and its response untouched by CORS.
    ///
    /// ```
    /// use cors::{Policy, tower::CorsLayer};
    /// let public = Policy::builder().allow_any_origin().build().unwrap();
    /// let admin = Policy::builder()
    ///     .allow_origins(["https://admin.example.com"])
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// let layer = CorsLayer::per_request(move |req| {
    ///     let path = req.uri.path();
    ///     if path.starts_with("/admin/") {
    ///         Some(admin.clone())
    ///     } else if path.starts_with("/public/") {
    ///         Some(public.clone())
    ///     } else {
    ///         None // no CORS: browsers refuse cross-origin reads
    ///     }
    /// });
    /// # let _ = layer;
    /// ```
    pub fn per_request<F>(select: F) -> CorsLayer
    where
        F: Fn(RequestView<'_>) -> Option<Policy> + Send + Sync + 'static,
    {
        CorsLayer {
            source: Source::PerRequest(Arc::new(select)),
            lookup: None,
            debug: false,
        }
    }

    /// Adds an asynchronous origin check, for origins no list can hold (tenants in a database).
    ///
    /// It runs only when the policy refused a well-formed, non-`null` origin that no configured
    /// entry (nor the policy's predicate) matched; when it answers `true`, the request is decided
    /// again with that verdict, so the method and headers of a preflight are still checked. The
    /// inner service is called after the lookup completes.
    ///
    /// ```
    /// use cors::{Policy, tower::CorsLayer};
    /// # async fn tenant_exists(_host: &str) -> bool { true }
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://www.example.com"])
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// let layer = CorsLayer::new(policy).origin_lookup(|origin, _req| async move {
    ///     origin.scheme() == "https" && tenant_exists(origin.host()).await
    /// });
    /// # let _ = layer;
    /// ```
    pub fn origin_lookup<F, Fut>(mut self, lookup: F) -> CorsLayer
    where
        F: Fn(Origin, RequestView<'_>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.lookup = Some(Arc::new(move |o, r| Box::pin(lookup(o, r))));
        self
    }

    /// Debug mode: log (via `tracing`, target `cors`, level INFO) why each preflight was rejected
    /// and why each actual request's origin was refused.
    ///
    /// ```
    /// use cors::{Policy, tower::CorsLayer};
    /// let policy = Policy::builder().allow_origins(["https://app.example.com"]).build().unwrap();
    /// let layer = CorsLayer::new(policy).debug(cfg!(debug_assertions));
    /// # let _ = layer;
    /// ```
    pub fn debug(mut self, on: bool) -> CorsLayer {
        self.debug = on;
        self
    }
}

impl From<Policy> for CorsLayer {
    fn from(policy: Policy) -> Self {
        CorsLayer::new(policy)
    }
}

impl TryFrom<PolicyConfig> for CorsLayer {
    type Error = crate::policy::ConfigErrors;
    fn try_from(config: PolicyConfig) -> Result<Self, Self::Error> {
        Policy::new(config).map(CorsLayer::new)
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;
    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`CorsLayer`] produces.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    layer: CorsLayer,
}

impl<S> Cors<S> {
    /// Wraps `inner` directly, without a [`Layer`].
    pub fn new(inner: S, layer: CorsLayer) -> Cors<S> {
        Cors { inner, layer }
    }
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }
    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// Logs a refusal in debug mode: the reason's code and sentence, with the request line.
fn log_refusal(debug: bool, d: &Decision, req: RequestView<'_>) {
    if debug
        && matches!(
            d.outcome(),
            Outcome::PreflightRejected | Outcome::Disallowed
        )
    {
        tracing::info!(
            target: "cors",
            outcome = d.outcome().as_str(),
            reason = d.reason().code(),
            method = %req.method,
            path = req.uri.path(),
            "{}",
            d.reason()
        );
    }
}

/// The answer the layer gives itself: the decision's status, an empty body, the policy's headers.
fn answer<B: Default>(policy: &Policy, d: &mut Decision, status: StatusCode) -> Response<B> {
    let mut res = Response::new(B::default());
    *res.status_mut() = status;
    policy.apply_taking_origin(d, res.headers_mut());
    res
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S, ReqBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let selected;
        let policy = match &self.layer.source {
            Source::Fixed(p) => p,
            Source::PerRequest(select) => match select((&req).into()) {
                Some(p) => {
                    selected = p;
                    &selected
                }
                None => return ResponseFuture::inner(self.inner.call(req), Apply::Nothing),
            },
        };
        let mut d = policy.decide((&req).into());
        let lookup = self
            .layer
            .lookup
            .as_ref()
            .filter(|_| d.awaits_external_verdict());
        if let Some(lookup) = lookup {
            // The engine refused only the origin, a well-formed one: ask the lookup.
            let origin = req
                .headers()
                .get(header::ORIGIN)
                .and_then(|v| HeaderOrigin::parse(v.as_bytes()).ok())
                .map(|o| o.to_origin());
            if let Some(origin) = origin {
                let verdict = lookup(origin, (&req).into());
                // The service that was polled ready goes into the future; a clone stays here.
                let clone = self.inner.clone();
                let service = std::mem::replace(&mut self.inner, clone);
                return ResponseFuture {
                    state: State::Lookup {
                        pending: Box::new(Some(Pending {
                            verdict,
                            service,
                            request: req,
                            policy: policy.clone(),
                            debug: self.layer.debug,
                        })),
                    },
                };
            }
        }
        log_refusal(self.layer.debug, &d, (&req).into());
        match d.respond_with() {
            Some(status) => ResponseFuture {
                state: State::Respond {
                    response: Some(answer(policy, &mut d, status)),
                },
            },
            None => {
                // A decision that adds no CORS header needs nothing of the policy later.
                let apply = match policy.strip_only(&d) {
                    Some(strip) => Apply::Strip(strip),
                    None => Apply::Full(policy.clone(), d),
                };
                ResponseFuture::inner(self.inner.call(req), apply)
            }
        }
    }
}

/// What the response future does to the inner service's response.
enum Apply {
    Nothing,
    Strip(Strip),
    Full(Policy, Decision),
}

pin_project! {
    /// The response future of [`Cors`].
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, B>
    where
        S: Service<Request<B>>,
    {
        // The inner service runs; then the decision (if any) is applied to its response.
        Inner {
            #[pin]
            future: S::Future,
            apply: Apply,
        },
        // The async origin lookup runs; the request waits with the service that was ready
        // (boxed: the common paths keep a small future).
        Lookup {
            pending: Box<Option<Pending<S, B>>>,
        },
        // The layer answers itself.
        Respond {
            response: Option<S::Response>,
        },
    }
}

struct Pending<S, B> {
    verdict: LookupFuture,
    service: S,
    request: Request<B>,
    policy: Policy,
    debug: bool,
}

impl<S: Service<Request<B>>, B> ResponseFuture<S, B> {
    fn inner(future: S::Future, apply: Apply) -> Self {
        ResponseFuture {
            state: State::Inner { future, apply },
        }
    }
}

impl<S, B> fmt::Debug for ResponseFuture<S, B>
where
    S: Service<Request<B>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Inner { .. } => "inner",
            State::Lookup { .. } => "origin lookup",
            State::Respond { .. } => "respond",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}

impl<S, B, ResBody> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Output = Result<Response<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Inner { future, apply } => {
                    let mut res = ready!(future.poll(cx))?;
                    match apply {
                        Apply::Nothing => {}
                        Apply::Strip(strip) => strip.apply(res.headers_mut()),
                        Apply::Full(policy, d) => policy.apply_taking_origin(d, res.headers_mut()),
                    }
                    return Poll::Ready(Ok(res));
                }
                StateProj::Respond { response } => {
                    let res = response
                        .take()
                        .expect("cors::tower::ResponseFuture polled after completion");
                    return Poll::Ready(Ok(res));
                }
                StateProj::Lookup { pending } => {
                    let Some(p) = pending.as_mut() else {
                        panic!("cors::tower::ResponseFuture polled after completion");
                    };
                    let allowed = ready!(p.verdict.as_mut().poll(cx));
                    let Some(Pending {
                        mut service,
                        request: req,
                        policy,
                        debug,
                        ..
                    }) = pending.take()
                    else {
                        unreachable!("checked above");
                    };
                    let mut d = policy.decide_with((&req).into(), Some(allowed));
                    log_refusal(debug, &d, (&req).into());
                    let next = match d.respond_with() {
                        Some(status) => State::Respond {
                            response: Some(answer(&policy, &mut d, status)),
                        },
                        None => State::Inner {
                            future: service.call(req),
                            apply: Apply::Full(policy, d),
                        },
                    };
                    state.set(next);
                }
            }
        }
    }
}
