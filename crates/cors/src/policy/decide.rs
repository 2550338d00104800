//! The decision: from a request's method, URI and headers to the CORS headers of its response.
//! The paths a server takes most often (no `Origin`; an allowed origin) do not allocate.

use super::compiled::{Inner, Policy};
use super::origin_set::OriginMatch;
use super::view::RequestView;
use crate::vocab::HeaderOrigin;
use crate::vocab::grammar::{eq_ignore_case, token_list};
use crate::vocab::preflight::{header_name_covered, method_covered};
use crate::vocab::safelist::{is_cors_non_wildcard_request_header_name, is_normalized_method_name};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use std::fmt;
use std::sync::OnceLock;

/// `Access-Control-Request-Private-Network` (WICG Private Network Access).
pub const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
/// `Access-Control-Allow-Private-Network` (WICG Private Network Access).
pub const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// What kind of answer the request gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// No `Origin` header: not a CORS request (Fetch `#http-requests`).
    NotCors,
    /// A CORS request from an allowed origin: the response carries CORS headers.
    Allowed,
    /// A CORS request from an origin the policy does not allow: no CORS headers, so the browser
    /// withholds the response from script.
    Disallowed,
    /// A CORS-preflight request the policy accepts.
    PreflightAllowed,
    /// A CORS-preflight request the policy refuses; answered without CORS headers.
    PreflightRejected,
}

impl Outcome {
    /// A stable identifier: `not-cors`, `allowed`, `disallowed`, `preflight-allowed`, `preflight-rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NotCors => "not-cors",
            Outcome::Allowed => "allowed",
            Outcome::Disallowed => "disallowed",
            Outcome::PreflightAllowed => "preflight-allowed",
            Outcome::PreflightRejected => "preflight-rejected",
        }
    }

    /// `true` for the two preflight outcomes.
    pub fn is_preflight(self) -> bool {
        matches!(self, Outcome::PreflightAllowed | Outcome::PreflightRejected)
    }
}

/// Why a decision came out as it did. Values taken from the request are kept for logs (escaped
/// when displayed, cut at 128 bytes) and never written into response headers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// No `Origin` header.
    NoOrigin,
    /// The origin is allowed, and how it matched.
    OriginAllowed(OriginMatch),
    /// The origin is well-formed but not allowed.
    OriginNotAllowed {
        /// The origin.
        origin: String,
    },
    /// The `Origin` header is not an origin as browsers serialize it.
    MalformedOrigin {
        /// The value received.
        value: String,
    },
    /// More than one `Origin` header.
    MultipleOrigins,
    /// `Access-Control-Request-Method` is not a method token, or appears more than once.
    MalformedRequestMethod {
        /// The value received.
        value: String,
    },
    /// The requested method is not allowed.
    MethodNotAllowed {
        /// The method.
        method: String,
    },
    /// `Access-Control-Request-Headers` is not a comma-separated list of header names.
    MalformedRequestHeaders {
        /// The element that failed to parse.
        element: String,
    },
    /// A requested header is not allowed.
    HeaderNotAllowed {
        /// The header name, lowercase.
        name: String,
    },
    /// `Authorization` was requested and `*` is configured, which never covers it
    /// (Fetch `#cors-non-wildcard-request-header-name`).
    AuthorizationNotCoveredByWildcard,
    /// A Private Network Access preflight, and the policy does not allow private network access.
    PrivateNetworkNotAllowed,
}

impl Reason {
    /// A stable, machine-readable identifier, e.g. `origin-not-allowed`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NoOrigin => "no-origin",
            Reason::OriginAllowed(_) => "origin-allowed",
            Reason::OriginNotAllowed { .. } => "origin-not-allowed",
            Reason::MalformedOrigin { .. } => "malformed-origin",
            Reason::MultipleOrigins => "multiple-origins",
            Reason::MalformedRequestMethod { .. } => "malformed-request-method",
            Reason::MethodNotAllowed { .. } => "method-not-allowed",
            Reason::MalformedRequestHeaders { .. } => "malformed-request-headers",
            Reason::HeaderNotAllowed { .. } => "header-not-allowed",
            Reason::AuthorizationNotCoveredByWildcard => "authorization-not-covered-by-wildcard",
            Reason::PrivateNetworkNotAllowed => "private-network-not-allowed",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoOrigin => f.write_str("the request has no Origin header, so it is not a CORS request"),
            Reason::OriginAllowed(m) => {
                let how = match m {
                    OriginMatch::Any => "any origin is allowed (`*`)",
                    OriginMatch::Exact => "it is listed in allowed_origins",
                    OriginMatch::Subdomain => "it matches a subdomain pattern",
                    OriginMatch::AnyPort => "it matches an any-port pattern",
                    OriginMatch::Null => "allow_null_origin is set",
                    OriginMatch::Predicate => "the runtime origin check accepted it",
                };
                write!(f, "the origin is allowed: {how}")
            }
            Reason::OriginNotAllowed { origin } => write!(f, "the origin {origin:?} is not allowed by the policy"),
            Reason::MalformedOrigin { value } => {
                write!(f, "the Origin header {value:?} is not an origin as browsers send it (scheme://host[:port] or null)")
            }
            Reason::MultipleOrigins => f.write_str("the request has more than one Origin header"),
            Reason::MalformedRequestMethod { value } => {
                write!(f, "Access-Control-Request-Method {value:?} is not a single method name")
            }
            Reason::MethodNotAllowed { method } => {
                write!(f, "the method {method:?} is not in allowed_methods")
            }
            Reason::MalformedRequestHeaders { element } => write!(
                f,
                "Access-Control-Request-Headers is not a comma-separated list of header names (bad element {element:?})"
            ),
            Reason::HeaderNotAllowed { name } => write!(f, "the request header {name:?} is not in allowed_headers"),
            Reason::AuthorizationNotCoveredByWildcard => f.write_str(
                "the request header \"authorization\" must be listed in allowed_headers explicitly: `*` never covers it",
            ),
            Reason::PrivateNetworkNotAllowed => {
                f.write_str("the preflight asks for private network access, and allow_private_network is off")
            }
        }
    }
}

/// The policy's answer to one request. It borrows nothing: a middleware computes it before
/// handing the request on, and applies it to the response with [`Policy::apply`].
#[derive(Clone)]
pub struct Decision {
    outcome: Outcome,
    reason: ReasonSlot,
    /// The request's `Origin` value, echoed in `Access-Control-Allow-Origin` when allowed.
    origin: Option<HeaderValue>,
    /// Answer with `Access-Control-Allow-Private-Network: true`.
    private_network: bool,
    /// The preflight requested headers, so the answer lists the allowed ones.
    requested_headers: bool,
    /// A status to answer with directly instead of calling the application.
    respond_with: Option<StatusCode>,
    /// Only the origin check refused the request, for a well-formed origin that an external
    /// verdict may still allow (see [`Decision::awaits_external_verdict`]).
    awaits_external: bool,
}

impl Decision {
    /// What kind of answer this is.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }
    /// Why.
    pub fn reason(&self) -> &Reason {
        self.reason.get()
    }
    /// `Some(status)` when the middleware must answer itself (a preflight it handles, a rejected
    /// preflight, or a disallowed origin with `reject_disallowed_origins`); `None` when the
    /// request goes on to the application.
    pub fn respond_with(&self) -> Option<StatusCode> {
        self.respond_with
    }
    /// `true` for [`Outcome::Allowed`] and [`Outcome::PreflightAllowed`].
    pub fn is_allowed(&self) -> bool {
        matches!(self.outcome, Outcome::Allowed | Outcome::PreflightAllowed)
    }
    /// `true` when the request was refused only because no configured origin (nor the
    /// predicate) matched a well-formed, non-`null` origin, and no external verdict was given:
    /// an async origin lookup may then allow it, by deciding again with
    /// [`Policy::decide_with`]`(req, Some(true))`. Everything else about the request was valid
    /// as far as the decision got; the second decision validates the rest.
    ///
    /// ```
    /// use cors::policy::Policy;
    /// use http::Request;
    /// let policy = Policy::builder().allow_origins(["https://foo.example"]).build().unwrap();
    /// let tenant = Request::get("/").header("origin", "https://tenant.test").body(()).unwrap();
    /// assert!(policy.decide_request(&tenant).awaits_external_verdict());
    /// let null = Request::get("/").header("origin", "null").body(()).unwrap();
    /// assert!(!policy.decide_request(&null).awaits_external_verdict());
    /// ```
    pub fn awaits_external_verdict(&self) -> bool {
        self.awaits_external
            && match self.reason.unparsed_origin() {
                // Refused without parsing: the question is settled here, off the hot path.
                Some(v) => HeaderOrigin::parse(v.as_bytes()).is_ok_and(|o| !o.is_null()),
                None => true,
            }
    }
    /// One sentence for logs and debug output: the outcome and the reason.
    pub fn explain(&self) -> String {
        format!("{}: {}", self.outcome.as_str(), self.reason())
    }
}

impl Decision {
    /// An accepted preflight without origin, to compile the headers every such answer shares.
    pub(crate) fn preflight_template(requested_headers: bool, private_network: bool) -> Decision {
        Decision {
            outcome: Outcome::PreflightAllowed,
            reason: ReasonSlot::Ready(Reason::OriginAllowed(OriginMatch::Exact)),
            origin: None,
            private_network,
            requested_headers,
            respond_with: None,
            awaits_external: false,
        }
    }
}

impl PartialEq for Decision {
    fn eq(&self, other: &Self) -> bool {
        self.outcome == other.outcome
            && self.reason() == other.reason()
            && self.origin == other.origin
            && self.private_network == other.private_network
            && self.requested_headers == other.requested_headers
            && self.respond_with == other.respond_with
            && self.awaits_external_verdict() == other.awaits_external_verdict()
    }
}

impl Eq for Decision {}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("outcome", &self.outcome)
            .field("reason", self.reason())
            .field("origin", &self.origin)
            .field("private_network", &self.private_network)
            .field("requested_headers", &self.requested_headers)
            .field("respond_with", &self.respond_with)
            .field("awaits_external", &self.awaits_external_verdict())
            .finish()
    }
}

/// The reason of a decision. Refusing an origin is a hot path (every request from a page the
/// policy does not allow), so its reason keeps the header value (a reference count) and writes
/// the log string only when someone reads it.
#[derive(Clone)]
enum ReasonSlot {
    Ready(Reason),
    Lazy {
        kind: LazyReason,
        value: HeaderValue,
        /// Boxed: the slot stays small, so a decision is cheap to move.
        cell: OnceLock<Box<Reason>>,
    },
}

#[derive(Clone, Copy)]
enum LazyReason {
    OriginNotAllowed,
    MalformedOrigin,
    /// Refused without parsing (nothing but the exact origins could have matched): malformed
    /// or not allowed, whichever parsing says when the reason is read.
    Unparsed,
}

impl ReasonSlot {
    fn lazy(kind: LazyReason, value: &HeaderValue) -> ReasonSlot {
        ReasonSlot::Lazy {
            kind,
            value: value.clone(),
            cell: OnceLock::new(),
        }
    }

    /// The origin of a refusal made without parsing it.
    fn unparsed_origin(&self) -> Option<&HeaderValue> {
        match self {
            ReasonSlot::Lazy {
                kind: LazyReason::Unparsed,
                value,
                ..
            } => Some(value),
            _ => None,
        }
    }

    fn get(&self) -> &Reason {
        match self {
            ReasonSlot::Ready(r) => r,
            ReasonSlot::Lazy { kind, value, cell } => cell.get_or_init(|| {
                let v = for_log(value.as_bytes());
                Box::new(match kind {
                    LazyReason::OriginNotAllowed => Reason::OriginNotAllowed { origin: v },
                    LazyReason::MalformedOrigin => Reason::MalformedOrigin { value: v },
                    LazyReason::Unparsed => match HeaderOrigin::parse(value.as_bytes()) {
                        Ok(_) => Reason::OriginNotAllowed { origin: v },
                        Err(_) => Reason::MalformedOrigin { value: v },
                    },
                })
            }),
        }
    }
}

/// Cut at 128 bytes for logs; the lossy decoding keeps arbitrary bytes printable.
fn for_log(v: &[u8]) -> String {
    let cut = &v[..v.len().min(128)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if v.len() > 128 {
        s.push('…');
    }
    s
}

impl Policy {
    /// Decides a request.
    pub fn decide(&self, req: RequestView<'_>) -> Decision {
        self.decide_with(req, None)
    }

    /// Decides an [`http::Request`].
    pub fn decide_request<B>(&self, req: &http::Request<B>) -> Decision {
        self.decide(req.into())
    }

    /// Decides a request, with the verdict of an origin check made outside the policy (an async
    /// lookup in a middleware): `Some(true)` allows an origin no configured entry matched,
    /// `Some(false)` or `None` leaves it disallowed. Everything else is validated as usual.
    pub fn decide_with(
        &self,
        req: RequestView<'_>,
        external_origin_verdict: Option<bool>,
    ) -> Decision {
        let p = &*self.inner;
        // An `OPTIONS` request may be a preflight, which reads four headers: one pass over the
        // request's headers finds them all. Other requests read `Origin` alone: one lookup.
        let scan = (req.method == Method::OPTIONS).then(|| PreflightHeaders::scan(req.headers));
        let (origin, multiple_origins) = match &scan {
            Some(s) => (s.origin, s.multiple_origins),
            None => {
                let mut origins = req.headers.get_all(header::ORIGIN).iter();
                let first = origins.next();
                (first, first.is_some() && origins.next().is_some())
            }
        };
        // Fetch #cors-preflight-request: `OPTIONS` with `Access-Control-Request-Method`.
        let preflight = scan.as_ref().filter(|s| s.method.is_some());
        let is_preflight = preflight.is_some();
        let Some(origin_value) = origin else {
            // Fetch #http-requests: a request without `Origin` is not a CORS request.
            return Decision {
                outcome: Outcome::NotCors,
                reason: ReasonSlot::Ready(Reason::NoOrigin),
                origin: None,
                private_network: false,
                requested_headers: false,
                respond_with: None,
                awaits_external: false,
            };
        };
        let origin_check = if multiple_origins {
            Err((ReasonSlot::Ready(Reason::MultipleOrigins), false))
        } else {
            self.check_origin(origin_value, &req, external_origin_verdict)
        };
        let matched = match origin_check {
            Ok(m) => m,
            Err((reason, awaits_external)) => {
                let mut d = p.refuse(is_preflight, reason);
                d.awaits_external = awaits_external;
                return d;
            }
        };
        let Some(scanned) = preflight else {
            return Decision {
                outcome: Outcome::Allowed,
                reason: ReasonSlot::Ready(Reason::OriginAllowed(matched)),
                origin: Some(origin_value.clone()),
                private_network: false,
                requested_headers: false,
                respond_with: None,
                awaits_external: false,
            };
        };
        match p.check_preflight(scanned, req.headers) {
            Ok((requested_headers, private_network)) => Decision {
                outcome: Outcome::PreflightAllowed,
                reason: ReasonSlot::Ready(Reason::OriginAllowed(matched)),
                origin: Some(origin_value.clone()),
                private_network,
                requested_headers,
                respond_with: (!p.preflight_continue).then_some(p.preflight_status),
                awaits_external: false,
            },
            Err(reason) => p.refuse(true, ReasonSlot::Ready(reason)),
        }
    }

    /// Is this `Origin` header value allowed? Never allocates on success. On refusal, also says
    /// whether an external verdict could still allow it.
    fn check_origin(
        &self,
        value: &HeaderValue,
        req: &RequestView<'_>,
        external: Option<bool>,
    ) -> Result<OriginMatch, (ReasonSlot, bool)> {
        let p = &*self.inner;
        if p.origins.any {
            // `*` answers every origin alike, even a malformed one.
            return Ok(OriginMatch::Any);
        }
        // Fast path, no parsing: the value is one of the exact origins, byte for byte.
        if p.origins.contains_exact(value.as_bytes()) {
            return Ok(OriginMatch::Exact);
        }
        // Nothing else could match (no pattern, no `null`, no predicate, no external verdict
        // allowing): refuse without parsing; the reason and whether an external verdict could
        // change it are worked out only if someone asks.
        if !p.origins.has_patterns() && p.predicate.is_none() && external != Some(true) {
            return Err((
                ReasonSlot::lazy(LazyReason::Unparsed, value),
                external.is_none(),
            ));
        }
        let origin = HeaderOrigin::parse(value.as_bytes())
            .map_err(|_| (ReasonSlot::lazy(LazyReason::MalformedOrigin, value), false))?;
        if let Some(m) = p.origins.lookup(&origin) {
            return Ok(m);
        }
        // `null` is only ever allowed through the explicit opt-in, never by a predicate.
        if !origin.is_null() {
            if external == Some(true) {
                return Ok(OriginMatch::Predicate);
            }
            if let Some(pred) = &p.predicate {
                if pred(&origin, req) {
                    return Ok(OriginMatch::Predicate);
                }
            }
        }
        Err((
            ReasonSlot::lazy(LazyReason::OriginNotAllowed, value),
            external.is_none() && !origin.is_null(),
        ))
    }

    /// Adds the decision's headers to a response's headers: the CORS headers when allowed, and
    /// `Vary` whenever the answer depends on the request, merged into an existing `Vary`.
    ///
    /// The policy wins over headers the application set: `Access-Control-Allow-Origin`,
    /// `-Allow-Credentials` and `-Expose-Headers` (and on preflights `-Allow-Methods`,
    /// `-Allow-Headers`, `-Max-Age`, `-Allow-Private-Network`) are replaced or removed, so a
    /// response never carries two `Access-Control-Allow-Origin` values.
    pub fn apply(&self, d: &Decision, headers: &mut HeaderMap) {
        self.apply_with_origin(d, || d.origin.clone(), headers);
    }

    /// [`Policy::apply`] for a decision the caller is done with: the request's origin moves
    /// out of it into the response instead of being cloned (a reference count up, and down
    /// again when the decision is dropped).
    #[cfg(feature = "tower")]
    pub(crate) fn apply_taking_origin(&self, d: &mut Decision, headers: &mut HeaderMap) {
        let origin = d.origin.take();
        self.apply_with_origin(d, || origin, headers);
    }

    /// [`Policy::apply`], with the decision's origin given by `origin` (called at most once).
    fn apply_with_origin(
        &self,
        d: &Decision,
        origin: impl FnOnce() -> Option<HeaderValue>,
        headers: &mut HeaderMap,
    ) {
        let p = &*self.inner;
        if d.outcome == Outcome::PreflightAllowed && headers.is_empty() {
            // A fresh answer to an accepted preflight (the middleware's own response): the
            // headers the general path produced at compile time for this shape of decision,
            // with the request's origin in place of the placeholder.
            *headers = p.preflight_answers[usize::from(d.requested_headers)]
                [usize::from(d.private_network)]
            .clone();
            match (p.allow_origin(d, origin), headers.iter_mut().next()) {
                // The placeholder comes first in the compiled answer: replaced without hashing.
                (Some(acao), Some((name, slot))) if name == header::ACCESS_CONTROL_ALLOW_ORIGIN => {
                    *slot = acao;
                }
                (Some(acao), _) => {
                    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, acao);
                }
                (None, _) => {
                    headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
                }
            }
            return;
        }
        p.apply_general(d, origin, headers);
    }

    /// When applying `d` adds no CORS header of its own — an actual request that is not
    /// allowed, or not a CORS request under a policy with no static `*` — what it still does to
    /// a response, as a value that needs nothing of the policy: the tower layer carries it
    /// instead of a reference to the policy (whose count both cores would write per request).
    #[cfg(feature = "tower")]
    pub(crate) fn strip_only(&self, d: &Decision) -> Option<Strip> {
        self.inner.strip_only(d)
    }

    /// `true` when preflights go on to the application after the policy's headers are added.
    pub fn preflight_continues(&self) -> bool {
        self.inner.preflight_continue
    }
}

impl Inner {
    /// Access-Control-Allow-Origin: the exact origin, or `*` (Fetch #http-access-control-allow-origin).
    fn allow_origin(
        &self,
        d: &Decision,
        origin: impl FnOnce() -> Option<HeaderValue>,
    ) -> Option<HeaderValue> {
        let allowed = d.is_allowed();
        if allowed && self.origins.any && !self.credentials {
            Some(HeaderValue::from_static("*"))
        } else if allowed {
            origin()
        } else if d.outcome == Outcome::NotCors && self.origins.any && !self.credentials {
            // Fetch #cors-protocol-and-http-caches: a static `*` goes on every response.
            Some(HeaderValue::from_static("*"))
        } else {
            None
        }
    }

    /// See [`Policy::strip_only`].
    fn strip_only(&self, d: &Decision) -> Option<Strip> {
        // Exactly the decisions for which `allow_origin` is `None` on an actual response.
        let adds_origin = d.is_allowed()
            || (d.outcome == Outcome::NotCors && self.origins.any && !self.credentials);
        (!d.outcome.is_preflight() && !adds_origin).then_some(Strip {
            vary_origin: self.vary_origin,
        })
    }

    /// [`Policy::apply`] for any decision and any response.
    pub(crate) fn apply_general(
        &self,
        d: &Decision,
        origin: impl FnOnce() -> Option<HeaderValue>,
        headers: &mut HeaderMap,
    ) {
        if let Some(strip) = self.strip_only(d) {
            return strip.apply(headers);
        }
        let p = self;
        let allowed = d.is_allowed();
        let acao = p.allow_origin(d, origin);
        let cors = acao.is_some();
        let acac = (allowed && p.credentials).then(|| HeaderValue::from_static("true"));
        let preflight = d.outcome.is_preflight();
        let ok = d.outcome == Outcome::PreflightAllowed;
        // The headers the policy owns on this response, each with its value or `None` when it
        // must be absent. Access-Control-Expose-Headers belongs on actual responses only; the
        // preflight-only ones are left alone on actual responses, where browsers ignore them.
        let aceh = p
            .expose_headers_value
            .as_ref()
            .filter(|_| cors && !preflight);
        let (acam, acah, acma, acapn) = if preflight {
            (
                p.allow_methods_value.as_ref().filter(|_| ok),
                p.allow_headers_value
                    .as_ref()
                    .filter(|_| ok && d.requested_headers),
                p.max_age_value.as_ref().filter(|_| ok),
                ok && d.private_network,
            )
        } else {
            (None, None, None, false)
        };
        // Removals first: on a fresh response (the common case) there is nothing to remove.
        if !headers.is_empty() {
            if acao.is_none() {
                headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
            }
            if acac.is_none() {
                headers.remove(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
            }
            if aceh.is_none() {
                headers.remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
            }
            if preflight {
                if acam.is_none() {
                    headers.remove(header::ACCESS_CONTROL_ALLOW_METHODS);
                }
                if acah.is_none() {
                    headers.remove(header::ACCESS_CONTROL_ALLOW_HEADERS);
                }
                if acma.is_none() {
                    headers.remove(header::ACCESS_CONTROL_MAX_AGE);
                }
                if !acapn {
                    headers.remove(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK);
                }
            }
        }
        if let Some(v) = acao {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        if let Some(v) = acac {
            headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, v);
        }
        if let Some(v) = aceh {
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v.clone());
        }
        if let Some(v) = acam {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v.clone());
        }
        if let Some(v) = acah {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
        }
        if let Some(v) = acma {
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, v.clone());
        }
        if acapn {
            headers.insert(
                ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
                HeaderValue::from_static("true"),
            );
        }
        if preflight {
            merge_vary(headers, &p.preflight_vary_value, &p.preflight_vary);
        } else if p.vary_origin {
            merge_vary(headers, &VARY_ORIGIN, &["Origin"]);
        }
    }

    fn refuse(&self, preflight: bool, reason: ReasonSlot) -> Decision {
        let (outcome, respond_with) = if preflight {
            // A refused preflight is answered by the policy (unless the application handles
            // preflights itself), without CORS headers: the browser then fails the preflight.
            (
                Outcome::PreflightRejected,
                (!self.preflight_continue).then_some(StatusCode::FORBIDDEN),
            )
        } else {
            (
                Outcome::Disallowed,
                self.reject_disallowed.then_some(StatusCode::FORBIDDEN),
            )
        };
        Decision {
            outcome,
            reason,
            origin: None,
            private_network: false,
            requested_headers: false,
            respond_with,
            awaits_external: false,
        }
    }

    /// The preflight checks after the origin (Fetch #cors-preflight-fetch step 7, seen from the
    /// server): the method, every requested header, and Private Network Access. Returns whether
    /// headers were requested and whether to allow private network access.
    fn check_preflight(
        &self,
        scanned: &PreflightHeaders<'_>,
        headers: &HeaderMap,
    ) -> Result<(bool, bool), Reason> {
        // Access-Control-Request-Method = method (a single token).
        let method = scanned
            .method
            .map(HeaderValue::as_bytes)
            .unwrap_or_default();
        if scanned.multiple_methods || !crate::vocab::grammar::is_token(method) {
            return Err(Reason::MalformedRequestMethod {
                value: for_log(method),
            });
        }
        if !self.method_allowed(method) {
            return Err(Reason::MethodNotAllowed {
                method: for_log(method),
            });
        }
        // Access-Control-Request-Headers = 1#field-name, possibly split over several lines.
        let requested = match scanned.headers {
            None => false,
            Some(line) if !scanned.multiple_header_lines && self.all_listed_exactly(line) => true,
            Some(_) => {
                let mut requested = false;
                for line in headers.get_all(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                    for item in token_list(line.as_bytes()) {
                        let name = item.map_err(|bad| Reason::MalformedRequestHeaders {
                            element: for_log(bad),
                        })?;
                        requested = true;
                        self.check_header(name)?;
                    }
                }
                requested
            }
        };
        let pna = match scanned.private_network {
            Some(v) if v.as_bytes() == b"true" => {
                if !self.private_network {
                    return Err(Reason::PrivateNetworkNotAllowed);
                }
                true
            }
            _ => false,
        };
        Ok((requested, pna))
    }

    /// A shortcut for `Access-Control-Request-Headers` as browsers send it (names lowercase,
    /// joined by `,` alone): `true` when every item is, byte for byte, a listed name (listed
    /// names are lowercase tokens), so the line is well-formed and every name covered. Anything
    /// else (spaces, other case, an unlisted name, an empty item) takes the general path.
    fn all_listed_exactly(&self, line: &HeaderValue) -> bool {
        let line = line.as_bytes();
        if self.headers.is_empty() {
            return false;
        }
        // Most often the browser asks for every listed name: one comparison.
        line == &*self.headers_line
            || line
                .split(|&b| b == b',')
                .all(|item| self.headers.iter().any(|h| **h == *item))
    }

    /// Fetch #cors-preflight-fetch step 7.5 seen from the server: CORS-safelisted methods always
    /// pass; others must be listed, byte for byte, except that the six methods browsers normalize
    /// (#concept-method-normalize) compare case-insensitively.
    fn method_allowed(&self, method: &[u8]) -> bool {
        // Beyond what browsers require, the six methods they normalize also match in any case.
        method_covered(method, self.methods.iter().map(|m| &**m), self.any_method)
            || (is_normalized_method_name(method)
                && self.methods.iter().any(|m| eq_ignore_case(m, method)))
    }

    /// Fetch #cors-preflight-fetch steps 7.6–7.7 seen from the server: names compare
    /// case-insensitively; `*` covers every name but `Authorization`.
    fn check_header(&self, name: &[u8]) -> Result<(), Reason> {
        if header_name_covered(name, self.headers.iter().map(|h| &**h), self.any_header) {
            return Ok(());
        }
        if is_cors_non_wildcard_request_header_name(name) {
            return Err(if self.any_header {
                Reason::AuthorizationNotCoveredByWildcard
            } else {
                Reason::HeaderNotAllowed {
                    name: "authorization".into(),
                }
            });
        }
        Err(Reason::HeaderNotAllowed {
            name: for_log(name).to_ascii_lowercase(),
        })
    }
}

/// The request headers a preflight decision reads, found in one pass over the request's headers:
/// a few comparisons per header cost less than four hash lookups (a custom name such as
/// `Access-Control-Request-Private-Network` hashes byte by byte).
#[derive(Default)]
struct PreflightHeaders<'a> {
    origin: Option<&'a HeaderValue>,
    multiple_origins: bool,
    method: Option<&'a HeaderValue>,
    multiple_methods: bool,
    /// The first `Access-Control-Request-Headers` line.
    headers: Option<&'a HeaderValue>,
    multiple_header_lines: bool,
    /// The first `Access-Control-Request-Private-Network` value.
    private_network: Option<&'a HeaderValue>,
}

impl<'a> PreflightHeaders<'a> {
    fn scan(headers: &'a HeaderMap) -> PreflightHeaders<'a> {
        fn first<'a>(slot: &mut Option<&'a HeaderValue>, value: &'a HeaderValue) -> bool {
            match slot {
                Some(_) => true,
                None => {
                    *slot = Some(value);
                    false
                }
            }
        }
        // Statics, so comparing costs no temporary (a custom name's would be dropped each time).
        static ORIGIN: HeaderName = header::ORIGIN;
        static METHOD: HeaderName = header::ACCESS_CONTROL_REQUEST_METHOD;
        static HEADERS: HeaderName = header::ACCESS_CONTROL_REQUEST_HEADERS;
        static PNA: HeaderName = ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK;
        let mut s = PreflightHeaders::default();
        for (name, value) in headers {
            if *name == ORIGIN {
                s.multiple_origins |= first(&mut s.origin, value);
            } else if *name == METHOD {
                s.multiple_methods |= first(&mut s.method, value);
            } else if *name == HEADERS {
                s.multiple_header_lines |= first(&mut s.headers, value);
            } else if *name == PNA {
                // A standard name differs at once; a custom one compares lengths first.
                first(&mut s.private_network, value);
            }
        }
        s
    }
}

static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");

/// [`Policy::apply`] for a decision that adds no CORS header ([`Policy::strip_only`]): the
/// policy's CORS headers the application may have set are removed (the policy wins), and
/// `Vary: Origin` is merged when the policy's answers depend on the origin. `apply` itself
/// takes this path for such decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Strip {
    vary_origin: bool,
}

impl Strip {
    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        if !headers.is_empty() {
            headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
            headers.remove(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
            headers.remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
        }
        if self.vary_origin {
            merge_vary(headers, &VARY_ORIGIN, &["Origin"]);
        }
    }
}

/// Adds `names` to the response's `Vary`, once each: inserts `value` (the names joined) when
/// there is no `Vary`, leaves `Vary: *` alone, and otherwise appends only the missing names to
/// the existing value, so no name is ever listed twice.
///
/// ```
/// use cors::policy::merge_vary;
/// use http::{HeaderMap, HeaderValue};
/// let mut h = HeaderMap::new();
/// h.insert("vary", HeaderValue::from_static("Accept-Encoding, origin"));
/// merge_vary(&mut h, &HeaderValue::from_static("Origin, Access-Control-Request-Method"), &["Origin", "Access-Control-Request-Method"]);
/// assert_eq!(h["vary"], "Accept-Encoding, origin, Access-Control-Request-Method");
/// ```
pub fn merge_vary(headers: &mut HeaderMap, value: &HeaderValue, names: &[&str]) {
    // No Vary yet (the common case): insert the joined value.
    if headers.is_empty() || !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, value.clone());
        return;
    }
    let existing = headers.get_all(header::VARY);
    let present = |name: &str| {
        existing.iter().any(|line| {
            crate::vocab::grammar::split_list(line.as_bytes())
                .any(|item| item == b"*" || eq_ignore_case(item, name.as_bytes()))
        })
    };
    let missing: Vec<&str> = names.iter().copied().filter(|n| !present(n)).collect();
    if missing.is_empty() {
        return;
    }
    let mut combined: Vec<u8> = Vec::new();
    for line in existing.iter() {
        let v = crate::vocab::grammar::trim_tab_or_space(line.as_bytes());
        if v.is_empty() {
            continue;
        }
        if !combined.is_empty() {
            combined.extend_from_slice(b", ");
        }
        combined.extend_from_slice(v);
    }
    for n in missing {
        if !combined.is_empty() {
            combined.extend_from_slice(b", ");
        }
        combined.extend_from_slice(n.as_bytes());
    }
    if let Ok(v) = HeaderValue::from_bytes(&combined) {
        headers.insert(header::VARY, v);
    }
}
