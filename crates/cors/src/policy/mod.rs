//! The server side: a CORS policy, written as data ([`PolicyConfig`]) or with a builder
//! ([`PolicyBuilder`]), validated once into an immutable [`Policy`] that decides, for any
//! request, which CORS headers the response carries ([`Decision`]).
//!
//! Floors, top to bottom; a module uses only the floors below its own and the library's
//! [`vocab`](crate::vocab) (checked by `scripts/module-graph`):
//! 1. `builder`: the policy written in code.
//! 2. `compile`: configuration validated into a policy.
//! 3. `decide`: a request to its decision and headers.
//! 4. `compiled`: the immutable policy the hot path reads.
//! 5. `config`: the policy as data (serde).
//! 6. `error`: why a configuration is refused; `origin_set`: allowed origins and patterns
//!    as lookups; `view`: the request as the policy reads it.
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

mod builder;
mod compile;
mod compiled;
mod config;
mod decide;
mod error;
mod origin_set;
mod view;

pub use builder::PolicyBuilder;
pub use compile::CHROMIUM_MAX_AGE_CAP;
pub use compiled::Policy;
pub use config::{ConfigNumber, OriginPredicate, PolicyConfig};
#[cfg(feature = "tower")]
pub(crate) use decide::Strip;
pub use decide::{Decision, Outcome, Reason, merge_vary};
pub use error::{
    ConfigError, ConfigErrorKind, ConfigErrors, ConfigReport, ConfigWarning, ConfigWarningKind,
    Location,
};
pub use origin_set::{OriginMatch, OriginPattern, PortSpec};
pub use view::RequestView;
