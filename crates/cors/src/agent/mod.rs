//! The user-agent side of CORS: what a browser does with a cross-origin `fetch()`, as a sans-IO
//! library — classification, the preflight, the checks, the preflight cache, browser profiles.
//!
//! Floors, top to bottom; a module uses only the floors below its own and the library's
//! [`vocab`](crate::vocab) (checked by `scripts/module-graph`):
//! 1. `fetch`: the fetch driven step by step.
//! 2. `cache`: the preflight cache.
//! 3. `check`: the CORS check, the preflight's validation, readable headers; `fix`: what
//!    the server must send instead.
//! 4. `classify`: a request to its plan (refused, simple, preflight and why).
//! 5. `failure`: the error taxonomy; `profile`: the browsers' differences; `request`: the
//!    request and response as the engine sees them.
//!
//! The pieces, in the order a browser uses them:
//! - [`classify`] a [`Request`] into a [`Plan`]: refused, same-origin, no-cors, simple, or
//!   preflight with every [`PreflightReason`];
//! - drive a [`Fetch`] step by step: it asks for a preflight or the actual request
//!   ([`Action`]), the caller sends it and feeds back the [`Response`] head;
//! - the checks it runs are public too: [`cors_check`], [`validate_preflight`],
//!   [`readable_headers`]; the [`PreflightCache`] takes the time as an argument;
//! - failures are [`CorsFailure`] values carrying Chromium's `Network.CorsError`, Firefox's
//!   reason, both console messages and the spec anchor; [`required_response_headers`] says
//!   what the server must send instead.
//!
//! ```
//! use cors::agent::{classify, Profile, Request, Route};
//! use cors::vocab::Origin;
//! let req = Request::new(Origin::parse("https://app.example").unwrap(), "https://api.example/items".parse().unwrap());
//! assert_eq!(classify(&req, Profile::Spec).unwrap().route, Route::Simple);
//! ```

mod cache;
mod check;
mod classify;
mod failure;
mod fetch;
mod fix;
mod profile;
mod request;

pub use cache::PreflightCache;
pub use check::{
    CheckFailure, PreflightQuery, PreflightResult, basic_readable_headers, cors_check, max_age,
    method_allowed, readable_headers, validate_preflight,
};
pub use classify::{
    DropReason, DroppedHeader, Plan, PreflightReason, Refusal, Route, classify, script_header,
};
pub use failure::{CorsError, CorsFailure, FirefoxReason};
pub use fetch::{Action, Delivered, Fetch, Outgoing, ResponseType, is_redirect_status};
pub use fix::{Fix, required_response_headers};
pub use profile::{CHROMIUM_EXTRA_SAFELISTED, CacheModel, Deviations, MaxAgeRule, Profile};
pub use request::{Body, CredentialsMode, HeaderList, Mode, RedirectMode, Request, Response};
