//! Validation of a [`PolicyConfig`] and its compilation into the immutable [`Policy`]: every
//! problem collected in one pass, header values built once.

use super::compiled::{Inner, Policy};
use super::config::{ConfigNumber, OriginPredicate, PolicyConfig};
use super::decide::Decision;
use super::error::ConfigErrors;
use super::error::{
    ConfigError, ConfigErrorKind as E, ConfigReport, ConfigWarning, ConfigWarningKind as W,
    Location,
};
use super::origin_set::{OriginPattern, OriginSet, PatternError, PortSpec};
use crate::vocab::grammar::is_token;
use crate::vocab::origin::is_http_scheme;
use crate::vocab::safelist::{
    CORS_NON_WILDCARD_REQUEST_HEADER_NAME, is_forbidden_method, is_forbidden_request_header_name,
    is_forbidden_response_header_name, is_normalized_method_name, normalize_method,
};
use http::{HeaderMap, HeaderValue, StatusCode};
use std::sync::Arc;

/// Chromium's cap on `Access-Control-Max-Age` (the lowest of the big two engines' caps).
pub const CHROMIUM_MAX_AGE_CAP: u64 = 7200;

/// What validation produces for compilation, beside the report.
pub(crate) struct Compiled {
    origins: OriginSet,
    patterns: Vec<OriginPattern>,
    any_method: bool,
    methods: Vec<Box<[u8]>>,
    method_names: Vec<String>,
    any_header: bool,
    headers: Vec<Box<[u8]>>,
    header_names: Vec<String>,
    exposed: Vec<String>,
    max_age: Option<u64>,
    preflight_status: u16,
}

struct Report {
    r: ConfigReport,
}

impl Report {
    fn error(
        &mut self,
        field: &'static str,
        index: Option<usize>,
        value: impl Into<String>,
        kind: E,
    ) {
        self.r.errors.push(ConfigError {
            location: Location { field, index },
            value: value.into(),
            kind,
        });
    }
    fn warn(
        &mut self,
        field: &'static str,
        index: Option<usize>,
        value: impl Into<String>,
        kind: W,
    ) {
        self.r.warnings.push(ConfigWarning {
            location: Location { field, index },
            value: value.into(),
            kind,
        });
    }
}

/// Validates every field; returns the report and, when it has no errors, what to compile.
pub(crate) fn validate(c: &PolicyConfig, has_predicate: bool) -> (ConfigReport, Option<Compiled>) {
    let mut rep = Report {
        r: ConfigReport::default(),
    };
    let creds = c.allow_credentials;

    // allowed_origins
    let mut origins = OriginSet::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut parsed: Vec<(usize, OriginPattern)> = Vec::new();
    for (i, raw) in c.allowed_origins.iter().enumerate() {
        let f = "allowed_origins";
        if seen.contains(&raw.as_str()) {
            rep.warn(f, Some(i), raw, W::Duplicate);
            continue;
        }
        seen.push(raw);
        if raw == "null" {
            if c.allow_null_origin {
                rep.warn(f, Some(i), raw, W::Duplicate);
            } else {
                rep.error(f, Some(i), raw, E::NullInOriginList);
            }
            continue;
        }
        // Parse accepting any scheme, then apply the scheme opt-in, so the error names the real cause.
        let p = match OriginPattern::parse(raw, true) {
            Ok(p) => p,
            Err(PatternError::Origin(e)) => {
                rep.error(f, Some(i), raw, E::InvalidOrigin(e));
                continue;
            }
            Err(PatternError::Wildcard) => {
                rep.error(f, Some(i), raw, E::InvalidWildcard);
                continue;
            }
        };
        if let Some(s) = p.scheme() {
            if s == "file" {
                rep.warn(f, Some(i), raw, W::FileOrigin);
                continue;
            }
            if !is_http_scheme(s) && !c.allow_non_http_schemes {
                rep.error(f, Some(i), raw, E::NonHttpScheme(s.to_string()));
                continue;
            }
        }
        if let OriginPattern::Exact(o) = &p {
            if o.as_str() != raw {
                rep.warn(
                    f,
                    Some(i),
                    raw,
                    W::NonCanonical {
                        canonical: o.as_str().to_string(),
                    },
                );
            }
        }
        let port = match &p {
            OriginPattern::Exact(o) => o.port_or_default(),
            OriginPattern::Subdomains {
                scheme,
                port: PortSpec::Default,
                ..
            } => crate::vocab::origin::default_port(scheme),
            OriginPattern::Subdomains {
                port: PortSpec::Exact(n),
                ..
            } => Some(*n),
            _ => None,
        };
        let host = match &p {
            OriginPattern::Exact(o) => Some(o.host()),
            OriginPattern::Subdomains { base, .. } => Some(base.as_str()),
            OriginPattern::AnyPort { host, .. } => Some(host.as_str()),
            OriginPattern::Any => None,
        };
        if let Some(w) = host.and_then(dns_limit) {
            rep.warn(f, Some(i), raw, w);
        }
        if let Some(port) = port.filter(|n| is_bad_port(*n)) {
            rep.warn(f, Some(i), raw, W::BadPort { port });
        }
        if p == OriginPattern::Any && creds {
            rep.error(f, Some(i), raw, E::WildcardWithCredentials);
        }
        if creds && !c.tolerate_insecure_origins && p != OriginPattern::Any && !p.is_secure() {
            rep.error(f, Some(i), raw, E::InsecureOriginWithCredentials);
        }
        if let OriginPattern::Subdomains { base, .. } = &p {
            // Names under `.localhost` are all loopback (Secure Contexts §3.1, RFC 6761 §6.3),
            // never another site's, although the PSL's implicit `*` rule calls `localhost` a suffix.
            if !crate::vocab::trust::is_localhost_name(base)
                && psl::suffix_str(base) == Some(base.as_str())
            {
                if creds && !c.tolerate_public_suffix_patterns {
                    rep.error(
                        f,
                        Some(i),
                        raw,
                        E::PublicSuffixPattern {
                            suffix: base.clone(),
                        },
                    );
                } else {
                    rep.warn(
                        f,
                        Some(i),
                        raw,
                        W::PublicSuffixPattern {
                            suffix: base.clone(),
                        },
                    );
                }
            }
        }
        parsed.push((i, p));
    }
    let has_any = parsed.iter().any(|(_, p)| *p == OriginPattern::Any);
    let patterns: Vec<OriginPattern> = parsed.iter().map(|(_, p)| p.clone()).collect();
    for (i, p) in &parsed {
        if has_any && *p != OriginPattern::Any {
            rep.warn(
                "allowed_origins",
                Some(*i),
                &c.allowed_origins[*i],
                W::RedundantWithWildcard,
            );
        }
        origins.insert(p);
    }
    origins.null = c.allow_null_origin;
    if c.allow_null_origin {
        rep.warn("allow_null_origin", None, "true", W::NullOriginAllowed);
    }
    if c.allowed_origins.is_empty() && !has_predicate && !c.allow_null_origin {
        rep.error("allowed_origins", None, "[]", E::NoOrigins);
    }

    // allowed_methods
    let (mut any_method, mut methods, mut method_names) = (false, Vec::new(), Vec::new());
    for (i, raw) in c.allowed_methods.iter().enumerate() {
        let f = "allowed_methods";
        if raw == "*" {
            if creds {
                rep.error(f, Some(i), raw, E::WildcardWithCredentials);
            }
            any_method = true;
            method_names.push(raw.clone());
            continue;
        }
        if !is_token(raw.as_bytes()) {
            rep.error(f, Some(i), raw, E::InvalidMethod);
            continue;
        }
        if is_forbidden_method(raw.as_bytes()) {
            rep.error(f, Some(i), raw, E::ForbiddenMethod);
            continue;
        }
        // Fetch #concept-method-normalize: browsers send these six uppercase, whatever script wrote.
        let m = normalize_method(raw);
        if is_normalized_method_name(raw.as_bytes()) && m != raw {
            rep.warn(
                f,
                Some(i),
                raw,
                W::NonCanonical {
                    canonical: m.to_string(),
                },
            );
        }
        if method_names.iter().any(|n| n == m) {
            rep.warn(f, Some(i), raw, W::Duplicate);
            continue;
        }
        methods.push(Box::from(m.as_bytes()));
        method_names.push(m.to_string());
    }

    // allowed_headers
    let (mut any_header, mut headers, mut header_names): (bool, Vec<Box<[u8]>>, Vec<String>) =
        (false, Vec::new(), Vec::new());
    for (i, raw) in c.allowed_headers.iter().enumerate() {
        let f = "allowed_headers";
        if raw == "*" {
            if creds {
                rep.error(f, Some(i), raw, E::WildcardWithCredentials);
            }
            any_header = true;
            header_names.push(raw.clone());
            continue;
        }
        if !is_token(raw.as_bytes()) {
            rep.error(f, Some(i), raw, E::InvalidHeaderName);
            continue;
        }
        if is_forbidden_request_header_name(raw.as_bytes()) {
            rep.error(f, Some(i), raw, E::ForbiddenRequestHeader);
            continue;
        }
        let lower = raw.to_ascii_lowercase();
        if lower.starts_with("access-control-") {
            rep.warn(f, Some(i), raw, W::ResponseHeaderAsRequestHeader);
        }
        if headers.iter().any(|h| h.as_ref() == lower.as_bytes()) {
            rep.warn(f, Some(i), raw, W::Duplicate);
            continue;
        }
        headers.push(Box::from(lower.as_bytes()));
        header_names.push(raw.clone());
    }
    if any_header {
        // `*` covers every name but Authorization (Fetch #cors-non-wildcard-request-header-name).
        for (i, raw) in c.allowed_headers.iter().enumerate() {
            if raw != "*"
                && !raw.eq_ignore_ascii_case(CORS_NON_WILDCARD_REQUEST_HEADER_NAME)
                && is_token(raw.as_bytes())
            {
                rep.warn("allowed_headers", Some(i), raw, W::RedundantWithWildcard);
            }
        }
    }

    // exposed_headers
    let mut exposed = Vec::new();
    for (i, raw) in c.exposed_headers.iter().enumerate() {
        let f = "exposed_headers";
        if raw == "*" {
            if creds {
                rep.error(f, Some(i), raw, E::WildcardWithCredentials);
            }
            exposed.push(raw.clone());
            continue;
        }
        if !is_token(raw.as_bytes()) {
            rep.error(f, Some(i), raw, E::InvalidHeaderName);
            continue;
        }
        if is_forbidden_response_header_name(raw.as_bytes()) {
            rep.warn(f, Some(i), raw, W::NeverExposed);
            continue;
        }
        if is_request_only_header_name(raw) {
            rep.warn(f, Some(i), raw, W::RequestHeaderExposed);
            continue;
        }
        if crate::vocab::safelist::is_cors_safelisted_response_header_name(raw.as_bytes(), []) {
            rep.warn(f, Some(i), raw, W::AlwaysExposed);
            continue;
        }
        if exposed.iter().any(|e: &String| e.eq_ignore_ascii_case(raw)) {
            rep.warn(f, Some(i), raw, W::Duplicate);
            continue;
        }
        exposed.push(raw.clone());
    }

    // max_age
    let max_age = match &c.max_age {
        None => None,
        Some(ConfigNumber::Integer(n)) if *n < 0 => {
            rep.error("max_age", None, n.to_string(), E::NegativeMaxAge);
            None
        }
        Some(ConfigNumber::Integer(n)) => {
            let n = *n as u64;
            if n > CHROMIUM_MAX_AGE_CAP {
                rep.warn("max_age", None, n.to_string(), W::MaxAgeAboveBrowserCaps);
            }
            Some(n)
        }
        Some(other) => {
            rep.error("max_age", None, other.to_string(), E::NonNumericMaxAge);
            None
        }
    };

    // preflight_status: Fetch #cors-preflight-fetch step 7 requires an ok status (#ok-status).
    let preflight_status = match &c.preflight_status {
        ConfigNumber::Integer(n) if (200..=299).contains(n) => *n as u16,
        other => {
            rep.error(
                "preflight_status",
                None,
                other.to_string(),
                E::InvalidPreflightStatus,
            );
            204
        }
    };

    if !rep.r.errors.is_empty() {
        return (rep.r, None);
    }
    let compiled = Compiled {
        origins,
        patterns,
        any_method,
        methods,
        method_names,
        any_header,
        headers,
        header_names,
        exposed,
        max_age,
        preflight_status,
    };
    (rep.r, Some(compiled))
}

fn joined(items: &[String]) -> Option<HeaderValue> {
    if items.is_empty() {
        return None;
    }
    // Every item is a validated token, so the joined value is a valid header value.
    HeaderValue::from_str(&items.join(", ")).ok()
}

pub(crate) fn compile(
    config: PolicyConfig,
    predicate: Option<OriginPredicate>,
) -> Result<Policy, ConfigErrors> {
    let (report, compiled) = validate(&config, predicate.is_some());
    let Some(c) = compiled else {
        return Err(ConfigErrors(report));
    };
    let vary_origin = !c.origins.is_wildcard_only() || predicate.is_some();
    let pna = config.allow_private_network;
    let preflight_vary = {
        let mut v = Vec::new();
        if vary_origin {
            v.push("Origin");
        }
        v.push("Access-Control-Request-Method");
        v.push("Access-Control-Request-Headers");
        if pna {
            v.push("Access-Control-Request-Private-Network");
        }
        v
    };
    let joined_vary = preflight_vary.join(", ");
    // Static when it is one of the usual four, so answering costs no reference count.
    let preflight_vary_value = PREFLIGHT_VARY_VALUES
        .iter()
        .find(|v| **v == joined_vary)
        .map(|v| HeaderValue::from_static(v))
        .or_else(|| HeaderValue::from_str(&joined_vary).ok())
        .unwrap_or(HeaderValue::from_static("Origin"));
    let mut inner = Inner {
        origins: c.origins,
        patterns: c.patterns,
        predicate,
        credentials: config.allow_credentials,
        any_method: c.any_method,
        methods: c.methods,
        any_header: c.any_header,
        headers_line: {
            let mut names: Vec<&[u8]> = c.headers.iter().map(|h| &**h).collect();
            names.sort_unstable();
            names.dedup();
            names.join(&b","[..]).into()
        },
        headers: c.headers,
        allow_methods_value: joined(&c.method_names),
        allow_headers_value: joined(&c.header_names),
        expose_headers_value: joined(&c.exposed),
        max_age_value: c.max_age.map(HeaderValue::from),
        preflight_status: StatusCode::from_u16(c.preflight_status)
            .unwrap_or(StatusCode::NO_CONTENT),
        preflight_continue: config.preflight_continue,
        private_network: pna,
        reject_disallowed: config.reject_disallowed_origins,
        vary_origin,
        preflight_vary_value,
        preflight_vary,
        preflight_answers: Default::default(),
        warnings: report.warnings,
        config,
    };
    let mut answers: [[HeaderMap; 2]; 2] = Default::default();
    for (requested_headers, row) in answers.iter_mut().enumerate() {
        for (private_network, h) in row.iter_mut().enumerate() {
            let d = Decision::preflight_template(requested_headers == 1, private_network == 1);
            let mut general = HeaderMap::new();
            inner.apply_general(&d, || None, &mut general);
            // A placeholder the request's origin replaces in place (a clone has no spare room),
            // first so that finding it costs no hashing (see `Policy::apply`).
            h.reserve(general.len() + 1);
            h.insert(
                http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            for (name, value) in &general {
                if name != http::header::ACCESS_CONTROL_ALLOW_ORIGIN {
                    h.append(name, value.clone());
                }
            }
        }
    }
    inner.preflight_answers = answers;
    Ok(Policy {
        inner: Arc::new(inner),
    })
}

/// The preflight `Vary` values a policy can have, as static strings.
const PREFLIGHT_VARY_VALUES: [&str; 4] = [
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
    "Access-Control-Request-Method, Access-Control-Request-Headers",
    "Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
];

/// Fetch `#bad-port`: the ports a browser refuses to fetch from (the list as of Fetch 2025).
const BAD_PORTS: [u16; 83] = [
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101,
    102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427,
    465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990,
    993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
    6668, 6669, 6679, 6697, 10080,
];

fn is_bad_port(port: u16) -> bool {
    BAD_PORTS.binary_search(&port).is_ok()
}

/// Headers only requests carry: the CORS request headers (Fetch `#http-requests`) and request
/// context a browser sets itself (RFC 9110 §7.2 `Host`, §10.1.3 `Referer`; Fetch `Origin`,
/// `Sec-Fetch-*`; RFC 6265 `Cookie`).
fn is_request_only_header_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("access-control-request-")
        || n.starts_with("sec-fetch-")
        || matches!(n.as_str(), "origin" | "host" | "referer" | "cookie")
}

/// RFC 1035 §2.3.4: a name is at most 253 bytes in text (without the root's trailing dot), each
/// label 1 to 63 bytes. IP literals are not names.
fn dns_limit(host: &str) -> Option<W> {
    if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() || host.is_empty() {
        return None;
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.split('.').any(str::is_empty) {
        Some(W::EmptyLabel)
    } else if name.split('.').any(|l| l.len() > 63) {
        Some(W::LabelTooLong)
    } else if name.len() > 253 {
        Some(W::HostTooLong)
    } else {
        None
    }
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
        compile(config, None)
    }
}

impl TryFrom<PolicyConfig> for Policy {
    type Error = ConfigErrors;
    fn try_from(config: PolicyConfig) -> Result<Self, Self::Error> {
        Policy::new(config)
    }
}

impl PolicyConfig {
    /// Validates without compiling: every error and warning, each with the field, the index in a
    /// list and the offending value. `cors lint` prints this.
    pub fn validate(&self) -> ConfigReport {
        validate(self, false).0
    }
}
