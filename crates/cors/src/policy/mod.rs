//! The server side: a CORS policy, written as data ([`PolicyConfig`]) or with a builder
//! ([`PolicyBuilder`]), validated once into an immutable [`Policy`] that decides, for any
//! request, which CORS headers the response carries ([`Decision`]).
//!
//! ```
//! use cors::policy::{Outcome, Policy};
//! use http::{HeaderMap, Request};
//!
//! let policy = Policy::builder()
//!     .allow_origins(["https://foo.example"])
//!     .allow_methods(["POST", "GET", "OPTIONS"])
//!     .allow_headers(["X-PINGOTHER", "Content-Type"])
//!     .max_age(7200)
//!     .build()
//!     .unwrap();
//!
//! // A preflight, as a browser sends it:
//! let req = Request::options("https://bar.other/doc")
//!     .header("origin", "https://foo.example")
//!     .header("access-control-request-method", "POST")
//!     .header("access-control-request-headers", "content-type,x-pingother")
//!     .body(())
//!     .unwrap();
//! let decision = policy.decide_request(&req);
//! assert_eq!(decision.outcome(), Outcome::PreflightAllowed);
//! assert_eq!(decision.respond_with(), Some(http::StatusCode::NO_CONTENT));
//!
//! let mut headers = HeaderMap::new();
//! policy.apply(&decision, &mut headers);
//! assert_eq!(headers["access-control-allow-origin"], "https://foo.example");
//! assert_eq!(headers["access-control-allow-methods"], "POST, GET, OPTIONS");
//! assert_eq!(headers["access-control-allow-headers"], "X-PINGOTHER, Content-Type");
//! assert_eq!(headers["access-control-max-age"], "7200");
//! ```

mod compile;
mod config;
mod decide;
mod error;
mod origin_set;

pub use compile::CHROMIUM_MAX_AGE_CAP;
pub use config::{ConfigNumber, OriginPredicate, PolicyBuilder, PolicyConfig};
#[cfg(feature = "tower")]
pub(crate) use decide::Strip;
pub use decide::{Decision, Outcome, Reason, RequestView, merge_vary};
pub use error::{
    ConfigError, ConfigErrorKind, ConfigErrors, ConfigReport, ConfigWarning, ConfigWarningKind,
    Location,
};
pub use origin_set::OriginMatch;

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
    /// Validates and compiles a configuration. On error, every problem is reported at once.
    ///
    /// ```
    /// use cors::policy::{ConfigErrorKind, Policy, PolicyConfig};
    /// let config = PolicyConfig {
    ///     allowed_origins: vec!["*".into()],
    ///     allow_credentials: true,
    ///     ..PolicyConfig::default()
    /// };
    /// let err = Policy::new(config).unwrap_err();
    /// assert_eq!(err.errors()[0].kind, ConfigErrorKind::WildcardWithCredentials);
    /// ```
    pub fn new(config: PolicyConfig) -> Result<Policy, ConfigErrors> {
        compile::compile(config, None)
    }

    /// Starts a [`PolicyBuilder`].
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

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

impl TryFrom<PolicyConfig> for Policy {
    type Error = ConfigErrors;
    fn try_from(config: PolicyConfig) -> Result<Self, Self::Error> {
        Policy::new(config)
    }
}
