//! Configuration problems as data: typed errors and warnings, each with the field, the position
//! in a list and the offending value, a human message and a one-line fix.

use crate::vocab::OriginError;
use std::fmt;

/// Where in a [`PolicyConfig`](super::PolicyConfig) a problem is: the TOML key and, for lists,
/// the index of the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The configuration key, e.g. `allowed_origins`.
    pub field: &'static str,
    /// The element's index in the list, for list fields.
    pub index: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "{}[{i}]", self.field),
            None => f.write_str(self.field),
        }
    }
}

/// What is wrong. Match on it; [`ConfigError::message`] and [`ConfigError::fix`] render it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// Not an origin (a path, a trailing slash, userinfo, a query, a bad host or port…).
    InvalidOrigin(OriginError),
    /// An origin pattern with `*` somewhere other than the whole leftmost label or the whole port.
    InvalidWildcard,
    /// `null` written in `allowed_origins` instead of the explicit opt-in.
    NullInOriginList,
    /// A non-http(s) scheme without `allow_non_http_schemes`.
    NonHttpScheme(String),
    /// No origin at all would be allowed.
    NoOrigins,
    /// `*` together with `allow_credentials` (browsers refuse it, Fetch `#cors-protocol-and-credentials`).
    WildcardWithCredentials,
    /// With credentials: an `http://` origin that is not loopback (readable by a network attacker).
    InsecureOriginWithCredentials,
    /// With credentials: a subdomain pattern directly under a public suffix (anyone can register there).
    PublicSuffixPattern {
        /// The public suffix, e.g. `github.io`.
        suffix: String,
    },
    /// Not a method token.
    InvalidMethod,
    /// CONNECT, TRACE or TRACK (Fetch `#forbidden-method`): browsers never send them.
    ForbiddenMethod,
    /// Not a header-name token.
    InvalidHeaderName,
    /// A forbidden request-header name (Fetch `#forbidden-request-header`): script can never set it.
    ForbiddenRequestHeader,
    /// A negative max-age.
    NegativeMaxAge,
    /// A max-age that is not a whole number of seconds.
    NonNumericMaxAge,
    /// A preflight status outside 200–299 (Fetch `#ok-status`: browsers fail the preflight).
    InvalidPreflightStatus,
}

/// One configuration error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where it is.
    pub location: Location,
    /// The offending value, as written.
    pub value: String,
    /// What is wrong.
    pub kind: ConfigErrorKind,
}

impl ConfigError {
    /// A stable identifier, e.g. `wildcard-with-credentials`.
    pub fn code(&self) -> &'static str {
        use ConfigErrorKind::*;
        match &self.kind {
            InvalidOrigin(_) => "invalid-origin",
            InvalidWildcard => "invalid-wildcard",
            NullInOriginList => "null-in-origin-list",
            NonHttpScheme(_) => "non-http-scheme",
            NoOrigins => "no-origins",
            WildcardWithCredentials => "wildcard-with-credentials",
            InsecureOriginWithCredentials => "insecure-origin-with-credentials",
            PublicSuffixPattern { .. } => "public-suffix-pattern",
            InvalidMethod => "invalid-method",
            ForbiddenMethod => "forbidden-method",
            InvalidHeaderName => "invalid-header-name",
            ForbiddenRequestHeader => "forbidden-request-header",
            NegativeMaxAge => "negative-max-age",
            NonNumericMaxAge => "non-numeric-max-age",
            InvalidPreflightStatus => "invalid-preflight-status",
        }
    }

    /// What is wrong, in a sentence.
    pub fn message(&self) -> String {
        use ConfigErrorKind::*;
        let v = &self.value;
        match &self.kind {
            InvalidOrigin(e) => format!("`{v}` is not an origin: {e}"),
            InvalidWildcard => format!(
                "`{v}`: `*` may only stand for the whole leftmost host label (`https://*.example.com`) or the whole port (`http://localhost:*`)"
            ),
            NullInOriginList => "`null` is not allowed through the origin list".into(),
            NonHttpScheme(s) => format!("`{v}` uses the scheme `{s}`, which is not http or https"),
            NoOrigins => {
                "no origin is allowed: the policy would never answer a CORS request".into()
            }
            WildcardWithCredentials => format!(
                "`*` in {} cannot be combined with allow_credentials = true: browsers refuse it",
                self.location.field
            ),
            InsecureOriginWithCredentials => format!(
                "`{v}` is an http:// origin trusted with credentials: anyone on its network path can inject script there and read your users' data"
            ),
            PublicSuffixPattern { suffix } => format!(
                "`{v}` trusts every site under the public suffix `{suffix}` with credentials: anyone can register one"
            ),
            InvalidMethod => format!("`{v}` is not a valid method name (an HTTP token)"),
            ForbiddenMethod => format!("`{v}` is a forbidden method: browsers never send it"),
            InvalidHeaderName => format!("`{v}` is not a valid header name (an HTTP token)"),
            ForbiddenRequestHeader => {
                format!(
                    "`{v}` is a forbidden request-header name: browsers never let script set it"
                )
            }
            NegativeMaxAge => format!("max_age {v} is negative"),
            NonNumericMaxAge => format!("max_age {v} is not a whole number of seconds"),
            InvalidPreflightStatus => {
                format!(
                    "preflight_status {v} is not an ok status (200–299): browsers would fail every preflight"
                )
            }
        }
    }

    /// How to fix it, in one line.
    pub fn fix(&self) -> String {
        use ConfigErrorKind::*;
        match &self.kind {
            InvalidOrigin(OriginError::TrailingSlash) => {
                format!("write `{}`", self.value.trim_end_matches('/'))
            }
            InvalidOrigin(OriginError::InvalidALabel(_)) => {
                "write the host name in Unicode (lint prints the A-label browsers send), or copy the host of `new URL(…).origin`".into()
            }
            InvalidOrigin(_) => "write scheme://host[:port] only, e.g. `https://app.example.com`".into(),
            InvalidWildcard => "use `https://*.example.com` for subdomains or `http://localhost:*` for any port".into(),
            NullInOriginList => "remove it and set allow_null_origin = true if you really need it".into(),
            NonHttpScheme(_) => "set allow_non_http_schemes = true if this origin is intended".into(),
            NoOrigins => "list at least one origin in allowed_origins".into(),
            WildcardWithCredentials => format!(
                "list the exact values in {} instead of `*`, or set allow_credentials = false",
                self.location.field
            ),
            InsecureOriginWithCredentials => {
                "use the https:// origin, or set tolerate_insecure_origins = true to accept the risk".into()
            }
            PublicSuffixPattern { .. } => {
                "list the exact origins you trust, or set tolerate_public_suffix_patterns = true to accept the risk".into()
            }
            InvalidMethod => "use a method name such as PATCH".into(),
            ForbiddenMethod | ForbiddenRequestHeader => "remove it".into(),
            InvalidHeaderName => "use a header name such as X-Request-Id".into(),
            NegativeMaxAge | NonNumericMaxAge => "use a whole number of seconds, e.g. max_age = 600".into(),
            InvalidPreflightStatus => "use 204 (the default) or 200".into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.location, self.message(), self.fix())
    }
}

impl std::error::Error for ConfigError {}

/// Risky but legal choices.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigWarningKind {
    /// `null` is allowed: sandboxed iframes and `data:` pages of any site produce it.
    NullOriginAllowed,
    /// A max-age above what browsers honour.
    MaxAgeAboveBrowserCaps,
    /// Written differently from what browsers send; the canonical form is used.
    NonCanonical {
        /// What browsers send.
        canonical: String,
    },
    /// Has no effect because `*` allows everything already.
    RedundantWithWildcard,
    /// Listed twice.
    Duplicate,
    /// `Set-Cookie`/`Set-Cookie2` can never be exposed (Fetch `#forbidden-response-header-name`).
    NeverExposed,
    /// A CORS-safelisted response header is always readable; listing it changes nothing.
    AlwaysExposed,
    /// A subdomain pattern under a public suffix (without credentials).
    PublicSuffixPattern {
        /// The public suffix.
        suffix: String,
    },
    /// A port browsers never fetch from (Fetch `#bad-port`), so no page there can send this origin.
    BadPort {
        /// The port.
        port: u16,
    },
    /// An `Access-Control-*` response header listed as an allowed request header.
    ResponseHeaderAsRequestHeader,
    /// A request-only header listed as exposed: no response carries it.
    RequestHeaderExposed,
    /// A `file:` origin: browsers send `null` from `file:` pages (URL `#concept-url-origin`).
    FileOrigin,
    /// A host name over 253 bytes (RFC 1035 §2.3.4), which DNS cannot resolve.
    HostTooLong,
    /// A label over 63 bytes (RFC 1035 §2.3.4), which DNS cannot resolve.
    LabelTooLong,
    /// An empty label (`a..b`), which DNS cannot resolve.
    EmptyLabel,
}

/// One configuration warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigWarning {
    /// Where it is.
    pub location: Location,
    /// The value, as written.
    pub value: String,
    /// What is risky.
    pub kind: ConfigWarningKind,
}

impl ConfigWarning {
    /// A stable identifier, e.g. `null-origin-allowed`.
    pub fn code(&self) -> &'static str {
        use ConfigWarningKind::*;
        match &self.kind {
            NullOriginAllowed => "null-origin-allowed",
            MaxAgeAboveBrowserCaps => "max-age-above-browser-caps",
            NonCanonical { .. } => "non-canonical",
            RedundantWithWildcard => "redundant-with-wildcard",
            Duplicate => "duplicate",
            NeverExposed => "never-exposed",
            AlwaysExposed => "always-exposed",
            PublicSuffixPattern { .. } => "public-suffix-pattern",
            BadPort { .. } => "bad-port",
            ResponseHeaderAsRequestHeader => "response-header-as-request-header",
            RequestHeaderExposed => "request-header-exposed",
            FileOrigin => "file-origin",
            HostTooLong => "host-too-long",
            LabelTooLong => "label-too-long",
            EmptyLabel => "empty-label",
        }
    }

    /// What is risky, in a sentence.
    pub fn message(&self) -> String {
        use ConfigWarningKind::*;
        let v = &self.value;
        match &self.kind {
            NullOriginAllowed => {
                "the `null` origin is allowed: any site can send it from a sandboxed iframe".into()
            }
            MaxAgeAboveBrowserCaps => format!(
                "max_age {v} is above what browsers honour (Chromium caps at 7200 s, Firefox at 86400 s, Safari at 600 s)"
            ),
            NonCanonical { canonical } => format!("`{v}` is sent by browsers as `{canonical}`"),
            RedundantWithWildcard => format!("`{v}` has no effect next to `*`"),
            Duplicate => format!("`{v}` is listed more than once"),
            NeverExposed => format!("`{v}` can never be exposed to script"),
            AlwaysExposed => format!("`{v}` is CORS-safelisted and always readable"),
            PublicSuffixPattern { suffix } => {
                format!("`{v}` allows every site under the public suffix `{suffix}`")
            }
            BadPort { port } => format!(
                "`{v}` uses port {port}, which browsers refuse to fetch (Fetch bad port), so no page there can send it"
            ),
            ResponseHeaderAsRequestHeader => format!(
                "`{v}` is a response header: browsers never send it in a request, and script cannot set it"
            ),
            RequestHeaderExposed => {
                format!("`{v}` is a request header: no response carries it for script to read")
            }
            FileOrigin => format!("`{v}` never matches: browsers send `null` from file: pages"),
            HostTooLong => format!("`{v}` has a host over 253 bytes, which DNS cannot resolve"),
            LabelTooLong => format!("`{v}` has a label over 63 bytes, which DNS cannot resolve"),
            EmptyLabel => format!("`{v}` has an empty label (`..`), which DNS cannot resolve"),
        }
    }

    /// How to address it, in one line.
    pub fn fix(&self) -> String {
        use ConfigWarningKind::*;
        match &self.kind {
            NullOriginAllowed => "allow the real origins instead, if you can".into(),
            MaxAgeAboveBrowserCaps => {
                "use at most 7200 (600 behaves the same in every browser)".into()
            }
            NonCanonical { canonical } => format!("write `{canonical}`"),
            RedundantWithWildcard | Duplicate | NeverExposed | AlwaysExposed => "remove it".into(),
            PublicSuffixPattern { .. } => "list the exact origins you trust".into(),
            BadPort { .. } => "serve the page from another port and list that origin".into(),
            ResponseHeaderAsRequestHeader => {
                "remove it (the policy sends Access-Control-* response headers itself)".into()
            }
            RequestHeaderExposed => "remove it; expose the response headers script reads".into(),
            FileOrigin => {
                "remove it; serve the page over http(s), or allow `null` (allow_null_origin) knowing any sandboxed page sends it".into()
            }
            HostTooLong | LabelTooLong | EmptyLabel => "write the host name as it resolves".into(),
        }
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.location, self.message(), self.fix())
    }
}

/// Everything validation found: errors (the policy is refused) and warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigReport {
    /// Problems that make the configuration invalid.
    pub errors: Vec<ConfigError>,
    /// Risky but legal choices.
    pub warnings: Vec<ConfigWarning>,
}

/// The error of [`Policy::new`](super::Policy::new): every problem in the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub(crate) ConfigReport);

impl ConfigErrors {
    /// The errors, in the order of the configuration's fields.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0.errors
    }
    /// The warnings found along the way.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.0.warnings
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.errors.len();
        write!(
            f,
            "invalid CORS policy ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0.errors {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
