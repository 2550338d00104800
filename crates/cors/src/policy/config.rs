//! The policy as data: [`PolicyConfig`] (serde, the TOML form) and [`PolicyBuilder`] (the Rust
//! form, in `builder`). Neither is used on the hot path; both compile into a
//! [`Policy`](super::Policy). Data only: this module uses nothing of the compiler above it.

use super::view::RequestView;
use crate::vocab::HeaderOrigin;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A CORS policy as configuration data. Deserialize it from TOML (or any serde format), then
/// compile it with [`Policy::new`](super::Policy::new), which validates everything at once.
///
/// The TOML form, with every key (all optional but `allowed_origins`):
///
/// ```toml
/// # Exact origins, `*`, subdomain patterns (`https://*.example.com`: one or more labels before
/// # `.example.com`, never `example.com` itself), any-port patterns (`http://localhost:*`).
/// allowed_origins = ["https://app.example.com", "https://*.example.com", "http://localhost:*"]
/// allow_null_origin = false          # `Origin: null` (sandboxed iframes, file: pages) only with this opt-in
/// allow_non_http_schemes = false     # e.g. `chrome-extension://id`, `tauri://localhost`
/// allowed_methods = ["GET", "HEAD", "POST", "PUT", "DELETE"]   # or ["*"] without credentials
/// allowed_headers = ["Content-Type", "Authorization"]          # or ["*"] without credentials
/// exposed_headers = ["X-Request-Id"]                            # or ["*"] without credentials
/// allow_credentials = true
/// max_age = 600                      # seconds a browser may cache a preflight answer
/// preflight_status = 204             # 200 for old smart TVs and the like
/// preflight_continue = false         # true: preflights also reach your application
/// allow_private_network = false      # answer PNA preflights with Access-Control-Allow-Private-Network
/// reject_disallowed_origins = false  # true: answer 403 to actual requests from other origins
/// tolerate_insecure_origins = false  # with credentials, accept http:// (non-loopback) origins anyway
/// tolerate_public_suffix_patterns = false  # with credentials, accept `https://*.github.io`-style patterns
/// ```
///
/// ```
/// use cors::policy::{Policy, PolicyConfig};
/// let config: PolicyConfig = toml::from_str(r#"
///     allowed_origins = ["https://foo.example"]
///     allowed_methods = ["POST", "GET", "OPTIONS"]
///     allowed_headers = ["X-PINGOTHER", "Content-Type"]
///     max_age = 86400
/// "#).unwrap();
/// let policy = Policy::new(config).unwrap();
/// assert_eq!(policy.warnings().len(), 1); // 86400 s is above Chromium's 7200 s cap
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Origins allowed to read responses: exact origins, `*`, `https://*.example.com` patterns,
    /// `http://localhost:*` any-port patterns.
    #[serde(deserialize_with = "one_or_many")]
    pub allowed_origins: Vec<String>,
    /// Allow the opaque origin `null`. Risky: any page can produce it with a sandboxed iframe.
    pub allow_null_origin: bool,
    /// Accept origins whose scheme is not `http` or `https` (browser extensions, app shells).
    pub allow_non_http_schemes: bool,
    /// Methods allowed in preflights (`*` for any, without credentials). The CORS-safelisted
    /// methods GET, HEAD and POST are always allowed by browsers once a preflight passes.
    #[serde(deserialize_with = "one_or_many")]
    pub allowed_methods: Vec<String>,
    /// Request headers allowed in preflights (`*` for any but `Authorization`, without credentials).
    #[serde(deserialize_with = "one_or_many")]
    pub allowed_headers: Vec<String>,
    /// Response headers script may read, beyond the CORS-safelisted ones (`*` without credentials).
    #[serde(deserialize_with = "one_or_many")]
    pub exposed_headers: Vec<String>,
    /// Send `Access-Control-Allow-Credentials: true`: cookies and HTTP auth cross-origin.
    pub allow_credentials: bool,
    /// `Access-Control-Max-Age` in seconds; absent means browsers use 5 s.
    pub max_age: Option<ConfigNumber>,
    /// Status of a successful preflight answer (200–299; 204 by default).
    pub preflight_status: ConfigNumber,
    /// Let preflights continue to the application after the policy added its headers.
    pub preflight_continue: bool,
    /// Answer `Access-Control-Request-Private-Network: true` with `Access-Control-Allow-Private-Network: true`.
    pub allow_private_network: bool,
    /// Answer actual requests from disallowed origins with 403 instead of passing them on
    /// without CORS headers (the browser, not the server, normally enforces CORS).
    pub reject_disallowed_origins: bool,
    /// With credentials, accept `http://` origins that are not loopback.
    pub tolerate_insecure_origins: bool,
    /// With credentials, accept subdomain patterns directly under a public suffix.
    pub tolerate_public_suffix_patterns: bool,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            allowed_origins: Vec::new(),
            allow_null_origin: false,
            allow_non_http_schemes: false,
            allowed_methods: vec!["GET".into(), "HEAD".into(), "POST".into()],
            allowed_headers: Vec::new(),
            exposed_headers: Vec::new(),
            allow_credentials: false,
            max_age: None,
            preflight_status: ConfigNumber::Integer(204),
            preflight_continue: false,
            allow_private_network: false,
            reject_disallowed_origins: false,
            tolerate_insecure_origins: false,
            tolerate_public_suffix_patterns: false,
        }
    }
}

/// A number as written in a configuration file. Kept loose at parse time so that validation can
/// report a non-numeric or negative value together with every other problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConfigNumber {
    /// An integer.
    Integer(i64),
    /// A float (never valid where these are used).
    Float(f64),
    /// A string (never valid where these are used).
    Text(String),
    /// A boolean (never valid where these are used).
    Bool(bool),
}

impl From<u64> for ConfigNumber {
    fn from(n: u64) -> Self {
        ConfigNumber::Integer(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for ConfigNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigNumber::Integer(n) => write!(f, "{n}"),
            ConfigNumber::Float(n) => write!(f, "{n}"),
            ConfigNumber::Text(s) => write!(f, "{s:?}"),
            ConfigNumber::Bool(b) => write!(f, "{b}"),
        }
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl PolicyConfig {
    /// The keys of the TOML form, in declaration order.
    pub const FIELDS: &'static [&'static str] = &[
        "allowed_origins",
        "allow_null_origin",
        "allow_non_http_schemes",
        "allowed_methods",
        "allowed_headers",
        "exposed_headers",
        "allow_credentials",
        "max_age",
        "preflight_status",
        "preflight_continue",
        "allow_private_network",
        "reject_disallowed_origins",
        "tolerate_insecure_origins",
        "tolerate_public_suffix_patterns",
    ];
}

/// A runtime origin check, for cases no list can express (tenants in a database, …). It sees
/// the parsed `Origin` and the request; it runs only when no configured origin matched.
pub type OriginPredicate = Arc<dyn Fn(&HeaderOrigin<'_>, &RequestView<'_>) -> bool + Send + Sync>;
