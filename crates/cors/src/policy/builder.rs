//! [`PolicyBuilder`]: a policy written in Rust, compiled by the same validation as the data form.
//! The top floor of `policy`: it uses the configuration, the compiler and their errors.

use super::compile;
use super::compiled::Policy;
use super::config::{ConfigNumber, OriginPredicate, PolicyConfig};
use super::error::ConfigErrors;
use super::view::RequestView;
use crate::vocab::HeaderOrigin;
use std::fmt;
use std::sync::Arc;

/// Builds a [`Policy`] in Rust; the same validation as [`Policy::new`] runs in [`build`](Self::build).
///
/// ```
/// use cors::policy::Policy;
/// let policy = Policy::builder()
///     .allow_origins(["https://app.example.com", "https://*.example.com"])
///     .allow_methods(["GET", "POST", "PUT"])
///     .allow_headers(["Content-Type", "Authorization"])
///     .allow_credentials(true)
///     .max_age(600)
///     .build()
///     .unwrap();
/// assert!(policy.allows_credentials());
///
/// // Every problem is reported at once, never silently fixed:
/// let err = Policy::builder().allow_origins(["*", "https://x.example/"]).allow_credentials(true).build().unwrap_err();
/// assert_eq!(err.errors().len(), 2);
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct PolicyBuilder {
    config: PolicyConfig,
    predicate: Option<OriginPredicate>,
}

impl fmt::Debug for PolicyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyBuilder")
            .field("config", &self.config)
            .field("predicate", &self.predicate.as_ref().map(|_| "Fn"))
            .finish()
    }
}

fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

impl PolicyBuilder {
    /// Starts from a configuration (e.g. one read from a file) to add a predicate to it.
    pub fn from_config(config: PolicyConfig) -> Self {
        PolicyBuilder {
            config,
            predicate: None,
        }
    }
    /// Adds allowed origins (exact, `*`, `https://*.example.com`, `http://localhost:*`).
    pub fn allow_origins<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.config.allowed_origins.extend(strings(origins));
        self
    }
    /// Allows any origin (`Access-Control-Allow-Origin: *`; not with credentials).
    pub fn allow_any_origin(self) -> Self {
        self.allow_origins(["*"])
    }
    /// Allows the opaque origin `null`.
    pub fn allow_null_origin(mut self, yes: bool) -> Self {
        self.config.allow_null_origin = yes;
        self
    }
    /// Accepts origins with schemes other than http and https.
    pub fn allow_non_http_schemes(mut self, yes: bool) -> Self {
        self.config.allow_non_http_schemes = yes;
        self
    }
    /// Decides origins no list matched at runtime.
    pub fn allow_origin_predicate<F>(mut self, f: F) -> Self
    where
        F: Fn(&HeaderOrigin<'_>, &RequestView<'_>) -> bool + Send + Sync + 'static,
    {
        self.predicate = Some(Arc::new(f));
        self
    }
    /// Sets the allowed methods (replacing the default GET, HEAD, POST).
    pub fn allow_methods<I: IntoIterator<Item = S>, S: Into<String>>(mut self, methods: I) -> Self {
        self.config.allowed_methods = strings(methods);
        self
    }
    /// Sets the allowed request headers.
    pub fn allow_headers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, headers: I) -> Self {
        self.config.allowed_headers = strings(headers);
        self
    }
    /// Sets the response headers script may read.
    pub fn expose_headers<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        headers: I,
    ) -> Self {
        self.config.exposed_headers = strings(headers);
        self
    }
    /// Allows credentials.
    pub fn allow_credentials(mut self, yes: bool) -> Self {
        self.config.allow_credentials = yes;
        self
    }
    /// Sets `Access-Control-Max-Age` in seconds.
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.config.max_age = Some(seconds.into());
        self
    }
    /// Sets the status of successful preflight answers (default 204).
    pub fn preflight_status(mut self, status: u16) -> Self {
        self.config.preflight_status = ConfigNumber::Integer(i64::from(status));
        self
    }
    /// Lets preflights continue to the application.
    pub fn preflight_continue(mut self, yes: bool) -> Self {
        self.config.preflight_continue = yes;
        self
    }
    /// Answers Private Network Access preflights.
    pub fn allow_private_network(mut self, yes: bool) -> Self {
        self.config.allow_private_network = yes;
        self
    }
    /// Answers actual requests from disallowed origins with 403.
    pub fn reject_disallowed_origins(mut self, yes: bool) -> Self {
        self.config.reject_disallowed_origins = yes;
        self
    }
    /// With credentials, tolerates insecure `http://` origins.
    pub fn tolerate_insecure_origins(mut self, yes: bool) -> Self {
        self.config.tolerate_insecure_origins = yes;
        self
    }
    /// With credentials, tolerates subdomain patterns on public suffixes.
    pub fn tolerate_public_suffix_patterns(mut self, yes: bool) -> Self {
        self.config.tolerate_public_suffix_patterns = yes;
        self
    }
    /// Validates and compiles.
    pub fn build(self) -> Result<Policy, ConfigErrors> {
        compile::compile(self.config, self.predicate)
    }
}

impl Policy {
    /// Starts a [`PolicyBuilder`].
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }
}
