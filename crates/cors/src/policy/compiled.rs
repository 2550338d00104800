//! [`Policy`]: the compiled, immutable form every decision reads, and its accessors. It is built
//! by `compile` (from [`PolicyConfig`]) and read by `decide`; it uses only the data below it.

use super::config::{OriginPredicate, PolicyConfig};
use super::error::ConfigWarning;
use super::origin_set;
use http::{HeaderMap, HeaderValue, StatusCode};
use std::fmt;
use std::sync::Arc;

/// A validated, compiled CORS policy. Cheap to clone (one reference count); immutable; share it
/// between threads and swap it atomically to reconfigure.
#[derive(Clone)]
pub struct Policy {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) origins: origin_set::OriginSet,
    /// The entries of `allowed_origins` that compiled, in order (for `cors export`).
    pub(crate) patterns: Vec<origin_set::OriginPattern>,
    pub(crate) predicate: Option<OriginPredicate>,
    pub(crate) credentials: bool,
    pub(crate) any_method: bool,
    /// Allowed methods, byte-exact (the six normalized ones uppercase).
    pub(crate) methods: Vec<Box<[u8]>>,
    pub(crate) any_header: bool,
    /// Allowed request-header names, lowercase.
    pub(crate) headers: Vec<Box<[u8]>>,
    /// The same, deduplicated, sorted and joined by `,`: the `Access-Control-Request-Headers` a
    /// browser sends when it asks for all of them (Fetch #cors-unsafe-request-header-names:
    /// a sorted-lowercase set; #cors-preflight-fetch step 5: joined by `,` without space).
    pub(crate) headers_line: Box<[u8]>,
    pub(crate) allow_methods_value: Option<HeaderValue>,
    pub(crate) allow_headers_value: Option<HeaderValue>,
    pub(crate) expose_headers_value: Option<HeaderValue>,
    pub(crate) max_age_value: Option<HeaderValue>,
    pub(crate) preflight_status: StatusCode,
    pub(crate) preflight_continue: bool,
    pub(crate) private_network: bool,
    pub(crate) reject_disallowed: bool,
    /// The answer depends on the request's origin (anything but a plain `*`).
    pub(crate) vary_origin: bool,
    pub(crate) preflight_vary: Vec<&'static str>,
    pub(crate) preflight_vary_value: HeaderValue,
    /// The headers of an accepted preflight's answer, by [requested headers][private network],
    /// compiled once by the general path; `Access-Control-Allow-Origin` is a placeholder.
    pub(crate) preflight_answers: [[HeaderMap; 2]; 2],
    pub(crate) warnings: Vec<ConfigWarning>,
    pub(crate) config: PolicyConfig,
}

impl Policy {
    /// The configuration this policy was compiled from (predicates are not part of it).
    pub fn config(&self) -> &PolicyConfig {
        &self.inner.config
    }

    /// Risky but legal choices found during validation.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.inner.warnings
    }

    /// `true` when responses carry `Access-Control-Allow-Credentials: true`.
    pub fn allows_credentials(&self) -> bool {
        self.inner.credentials
    }

    /// `true` when the answer depends on the request's `Origin`, so responses carry `Vary: Origin`.
    pub fn varies_by_origin(&self) -> bool {
        self.inner.vary_origin
    }

    /// The entries of `allowed_origins` the policy matches against, parsed, in file order
    /// (duplicates and `file:` origins, which never match, left out). `null` is not among
    /// them: see [`Policy::allows_null_origin`].
    pub fn origin_patterns(&self) -> &[origin_set::OriginPattern] {
        &self.inner.patterns
    }

    /// `true` when `Origin: null` is allowed (`allow_null_origin`).
    pub fn allows_null_origin(&self) -> bool {
        self.inner.origins.null
    }

    /// `true` when `allowed_origins` has `*`: every origin, even a malformed one, is answered alike.
    pub fn allows_any_origin(&self) -> bool {
        self.inner.origins.any
    }

    /// `true` when `allowed_methods` has `*`.
    pub fn allows_any_method(&self) -> bool {
        self.inner.any_method
    }

    /// The listed methods, the six that browsers normalize uppercase (Fetch
    /// `#concept-method-normalize`); `*` left out (see [`Policy::allows_any_method`]).
    pub fn allowed_methods(&self) -> impl Iterator<Item = &str> {
        self.inner
            .methods
            .iter()
            .filter_map(|m| std::str::from_utf8(m).ok())
    }

    /// `true` when `allowed_headers` has `*` (which never covers `Authorization`).
    pub fn allows_any_header(&self) -> bool {
        self.inner.any_header
    }

    /// The listed request-header names, lowercase; `*` left out.
    pub fn allowed_headers(&self) -> impl Iterator<Item = &str> {
        self.inner
            .headers
            .iter()
            .filter_map(|h| std::str::from_utf8(h).ok())
    }

    /// The value of `Access-Control-Allow-Methods` on an accepted preflight's answer.
    pub fn allow_methods_value(&self) -> Option<&HeaderValue> {
        self.inner.allow_methods_value.as_ref()
    }

    /// The value of `Access-Control-Allow-Headers` on an accepted preflight that requested headers.
    pub fn allow_headers_value(&self) -> Option<&HeaderValue> {
        self.inner.allow_headers_value.as_ref()
    }

    /// The value of `Access-Control-Expose-Headers` on CORS responses to actual requests.
    pub fn expose_headers_value(&self) -> Option<&HeaderValue> {
        self.inner.expose_headers_value.as_ref()
    }

    /// The value of `Access-Control-Max-Age` on an accepted preflight's answer.
    pub fn max_age_value(&self) -> Option<&HeaderValue> {
        self.inner.max_age_value.as_ref()
    }

    /// The status of an accepted preflight's answer (when the policy answers it).
    pub fn preflight_status(&self) -> StatusCode {
        self.inner.preflight_status
    }

    /// `true` when PNA preflights are answered with `Access-Control-Allow-Private-Network: true`.
    pub fn allows_private_network(&self) -> bool {
        self.inner.private_network
    }

    /// `true` when actual requests from disallowed origins are answered 403 (`reject_disallowed_origins`).
    pub fn rejects_disallowed_origins(&self) -> bool {
        self.inner.reject_disallowed
    }

    /// The names in `Vary` on every answer to a preflight, in order.
    pub fn preflight_vary(&self) -> &[&'static str] {
        &self.inner.preflight_vary
    }

    /// `true` when a runtime origin predicate is configured.
    pub fn has_origin_predicate(&self) -> bool {
        self.inner.predicate.is_some()
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("config", &self.inner.config)
            .field("predicate", &self.inner.predicate.as_ref().map(|_| "Fn"))
            .finish()
    }
}
