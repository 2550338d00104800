//! The checks a browser runs on responses: the CORS check, the preflight response checks
//! (methods, headers, credentials, max-age, Private Network Access) and which response headers
//! script may read. Each returns data; the [`Fetch`](super::Fetch) state machine strings them together.

use super::classify::latin1;
use super::failure::CorsError;
use super::profile::{MaxAgeRule, Profile};
use super::request::{CredentialsMode, HeaderList, Response};
use crate::vocab::grammar::{extract_token_list, header_list_values, parse_delta_seconds};
use crate::vocab::preflight::{header_name_covered, method_covered};
use crate::vocab::safelist::UnsafeHeader;
use crate::vocab::safelist::{
    is_cors_non_wildcard_request_header_name, is_cors_safelisted_response_header_name,
    is_forbidden_response_header_name,
};

/// A failed check: the reason and the offending value (Chromium's `failedParameter`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    /// The reason.
    pub error: CorsError,
    /// The offending value, isomorphic-decoded; empty when not applicable.
    pub failed_parameter: String,
}

fn fail(error: CorsError, param: impl Into<String>) -> CheckFailure {
    CheckFailure {
        error,
        failed_parameter: param.into(),
    }
}

/// The CORS check (Fetch `#cors-check`) of `response` for a request whose serialized origin is
/// `origin` (`null` after a tainting redirect). Failures are classified as Chromium does
/// (`cors.cc` `CheckAccess`), which refines the spec's single "failure".
///
/// ```
/// use cors::agent::{cors_check, CorsError, CredentialsMode, Response};
/// let ok = Response::new(200).with_header("Access-Control-Allow-Origin", "*");
/// assert!(cors_check("https://a.example", CredentialsMode::Omit, &ok).is_ok());
/// let err = cors_check("https://a.example", CredentialsMode::Include, &ok).unwrap_err();
/// assert_eq!(err.error, CorsError::WildcardOriginNotAllowed);
/// ```
pub fn cors_check(
    origin: &str,
    credentials: CredentialsMode,
    response: &Response,
) -> Result<(), CheckFailure> {
    // Step 1: "get" `Access-Control-Allow-Origin` (several lines are joined by ", ").
    let allow_origin = response.get("access-control-allow-origin");
    let include = credentials == CredentialsMode::Include;
    match allow_origin.as_deref() {
        // Step 3: `*` without credentials succeeds; with them it fails (step 4).
        Some(b"*") if !include => return Ok(()),
        Some(b"*") => return Err(fail(CorsError::WildcardOriginNotAllowed, "")),
        // Step 2: absent → failure.
        None => return Err(fail(CorsError::MissingAllowOriginHeader, "")),
        Some(v) if v != origin.as_bytes() => {
            // Step 4: not byte-equal to the serialized origin → failure (Chromium's refinement).
            let value = latin1(v);
            let error = if v.iter().any(|&b| b == b' ' || b == b',') {
                CorsError::MultipleAllowOriginValues
            } else if v == b"null" || url::Url::parse(&value).is_ok() {
                CorsError::AllowOriginMismatch
            } else {
                CorsError::InvalidAllowOriginValue
            };
            return Err(fail(error, value));
        }
        Some(_) => {}
    }
    // Step 5: without credentials, done.
    if !include {
        return Ok(());
    }
    // Steps 6–7: `Access-Control-Allow-Credentials` must be exactly `true`.
    match response.get("access-control-allow-credentials") {
        Some(v) if v == b"true" => Ok(()),
        Some(v) => Err(fail(CorsError::InvalidAllowCredentials, latin1(&v))),
        None => Err(fail(CorsError::InvalidAllowCredentials, "")),
    }
}

/// What a successful preflight allows, as parsed from its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightResult {
    /// `Access-Control-Allow-Methods` items (`None` when absent).
    pub methods: Option<Vec<String>>,
    /// `Access-Control-Allow-Headers` items (`None` when absent).
    pub header_names: Option<Vec<String>>,
    /// The lifetime in seconds the cache may keep it (`None`: not cached at all).
    pub max_age: Option<u64>,
}

/// The request facts the preflight response checks need.
#[derive(Clone, Debug)]
pub struct PreflightQuery<'a> {
    /// The serialized origin the preflight carried.
    pub origin: &'a str,
    /// The actual request's method (normalized).
    pub method: &'a str,
    /// The actual request's header list.
    pub headers: &'a HeaderList,
    /// The CORS-unsafe request-header names of that list.
    pub unsafe_headers: &'a [UnsafeHeader],
    /// The actual request's credentials mode.
    pub credentials: CredentialsMode,
    /// The use-CORS-preflight flag.
    pub use_cors_preflight: bool,
    /// A Private Network Access preflight.
    pub private_network: bool,
}

/// Fetch `#cors-preflight-fetch` step 7 and on: checks a preflight response that was not a
/// redirect, in Chromium's order (CORS check, ok status, Private Network Access, parse
/// methods and headers, method, headers), and returns what it allows.
///
/// ```
/// use cors::agent::{validate_preflight, CredentialsMode, PreflightQuery, Profile, Response};
/// let headers = vec![];
/// let q = PreflightQuery { origin: "https://a.example", method: "PUT", headers: &headers,
///     unsafe_headers: &[], credentials: CredentialsMode::Omit, use_cors_preflight: false, private_network: false };
/// let r = Response::new(204)
///     .with_header("Access-Control-Allow-Origin", "https://a.example")
///     .with_header("Access-Control-Allow-Methods", "PUT, DELETE");
/// let ok = validate_preflight(&q, &r, Profile::Spec).unwrap();
/// assert_eq!(ok.max_age, Some(5)); // the default
/// ```
pub fn validate_preflight(
    q: &PreflightQuery<'_>,
    response: &Response,
    profile: Profile,
) -> Result<PreflightResult, CheckFailure> {
    let d = profile.deviations();
    // Step 7: the CORS check (with the actual request's credentials mode) and an ok status
    // (WebKit: the status first, profile switch `preflight_status_checked_first`).
    let ok_status = (200..=299).contains(&response.status);
    if d.preflight_status_checked_first && !ok_status {
        return Err(fail(CorsError::PreflightInvalidStatus, ""));
    }
    cors_check(q.origin, q.credentials, response)?;
    if !ok_status {
        return Err(fail(CorsError::PreflightInvalidStatus, ""));
    }
    // Private Network Access (WICG): `Access-Control-Allow-Private-Network: true`.
    if q.private_network {
        match response.get("access-control-allow-private-network") {
            None => return Err(fail(CorsError::PreflightMissingAllowPrivateNetwork, "")),
            Some(v) if v != b"true" => {
                return Err(fail(
                    CorsError::PreflightInvalidAllowPrivateNetwork,
                    latin1(&v),
                ));
            }
            Some(_) => {}
        }
    }
    // Steps 7.1–7.3: extract header list values; a syntax error fails.
    let methods = extract_token_list(header_list_values(
        response.pairs(),
        b"access-control-allow-methods",
    ))
    .map(|r| r.map(|v| v.iter().map(|m| latin1(m)).collect::<Vec<_>>()));
    let mut methods = match methods {
        Some(Err(bad)) => {
            return Err(fail(
                CorsError::InvalidAllowMethodsPreflightResponse,
                latin1(bad),
            ));
        }
        Some(Ok(m)) => Some(m),
        None => None,
    };
    let header_names = match extract_token_list(header_list_values(
        response.pairs(),
        b"access-control-allow-headers",
    )) {
        Some(Err(bad)) => {
            return Err(fail(
                CorsError::InvalidAllowHeadersPreflightResponse,
                latin1(bad),
            ));
        }
        Some(Ok(h)) => Some(h.iter().map(|n| latin1(n)).collect::<Vec<_>>()),
        None => None,
    };
    // Step 7.4: no methods and the use-CORS-preflight flag → the request's method.
    if methods.is_none() && q.use_cors_preflight {
        methods = Some(vec![q.method.to_string()]);
    }
    let include = q.credentials == CredentialsMode::Include;
    // Step 7.5: the method check.
    if !method_allowed(
        q.method,
        methods.as_deref().unwrap_or(&[]),
        include,
        profile,
    ) {
        return Err(fail(
            CorsError::MethodDisallowedByPreflightResponse,
            q.method,
        ));
    }
    let allowed = header_names.as_deref().unwrap_or(&[]);
    let listed = || allowed.iter().map(|a| a.as_bytes());
    let wildcard = !include && allowed.iter().any(|a| a == "*");
    // Step 7.6: `Authorization` must be listed explicitly; `*` never covers it (Chromium:
    // profile switch `wildcard_covers_authorization`).
    let auth_by_wildcard = wildcard && d.wildcard_covers_authorization;
    for (name, _) in q.headers {
        if is_cors_non_wildcard_request_header_name(name)
            && !header_name_covered(b"authorization", listed(), false)
            && !auth_by_wildcard
        {
            return Err(fail(
                CorsError::HeaderDisallowedByPreflightResponse,
                "authorization",
            ));
        }
    }
    // Step 7.7: every CORS-unsafe request-header name listed, or `*` without credentials.
    // (`Authorization` was decided by step 7.6, profile switch included.)
    for u in q.unsafe_headers {
        if !is_cors_non_wildcard_request_header_name(u.name.as_bytes())
            && !header_name_covered(u.name.as_bytes(), listed(), wildcard)
        {
            return Err(fail(
                CorsError::HeaderDisallowedByPreflightResponse,
                u.name.clone(),
            ));
        }
    }
    // Steps 7.8–7.10: max-age, default 5, capped.
    let max_age = max_age(response, d.max_age_rule).map(|a| match d.max_age_cap {
        Some(cap) => a.min(cap),
        None => a,
    });
    Ok(PreflightResult {
        methods,
        header_names,
        max_age,
    })
}

/// Fetch `#cors-preflight-fetch` step 7.5: is `method` allowed by the listed `methods`?
/// Safelisted methods always are; `*` only without credentials. Chromium compares the
/// uppercased method (profile switch `method_check_uppercases`).
pub fn method_allowed(method: &str, methods: &[String], include: bool, profile: Profile) -> bool {
    let upper;
    let m = if profile.deviations().method_check_uppercases {
        upper = method.to_ascii_uppercase();
        upper.as_str()
    } else {
        method
    };
    method_covered(
        m.as_bytes(),
        methods.iter().map(|x| x.as_bytes()),
        !include && methods.iter().any(|x| x == "*"),
    )
}

/// `Access-Control-Max-Age` in seconds under an engine's parsing rule, before the cap; `None`
/// when the engine does not cache at all.
pub fn max_age(response: &Response, rule: MaxAgeRule) -> Option<u64> {
    let lines = header_list_values(response.pairs(), b"access-control-max-age");
    match rule {
        // Steps 7.8–7.9: extract (a single `delta-seconds`); failure or absent → 5.
        MaxAgeRule::Spec => Some(match lines.as_slice() {
            [one] => parse_delta_seconds(one).unwrap_or(5),
            _ => 5,
        }),
        // Chromium: the combined value as an int64; unparsable → 5, negative → 0.
        MaxAgeRule::Chromium => {
            let Some(v) = response.get("access-control-max-age") else {
                return Some(5);
            };
            let s = latin1(&v);
            Some(match s.parse::<i64>() {
                Ok(n) if n < 0 => 0,
                Ok(n) => n as u64,
                Err(_) => 5,
            })
        }
        // Gecko: absent → 5; anything but digits → not cached; 0 → not cached.
        MaxAgeRule::Firefox => match lines.as_slice() {
            [] => Some(5),
            [one] => parse_delta_seconds(one).filter(|&n| n > 0),
            _ => None,
        },
    }
}

/// Fetch `#main-fetch` (CORS-exposed header-name list) and `#concept-filtered-response-cors`:
/// the header lines script can read from a CORS response.
///
/// ```
/// use cors::agent::{readable_headers, CredentialsMode, Response};
/// let r = Response::new(200)
///     .with_header("Content-Type", "text/plain")
///     .with_header("X-Total", "3")
///     .with_header("Set-Cookie", "a=b")
///     .with_header("Access-Control-Expose-Headers", "*");
/// let names: Vec<String> = readable_headers(&r, CredentialsMode::Omit).into_iter()
///     .map(|(n, _)| String::from_utf8(n).unwrap()).collect();
/// assert_eq!(names, ["Content-Type", "X-Total", "Access-Control-Expose-Headers"]);
/// ```
pub fn readable_headers(response: &Response, credentials: CredentialsMode) -> HeaderList {
    let exposed = extract_token_list(header_list_values(
        response.pairs(),
        b"access-control-expose-headers",
    ));
    let list: Vec<&[u8]> = match exposed {
        Some(Ok(l)) => l,
        _ => Vec::new(),
    };
    let all = credentials != CredentialsMode::Include && list.iter().any(|n| *n == b"*");
    response
        .headers
        .iter()
        .filter(|(n, _)| {
            if all {
                !is_forbidden_response_header_name(n)
            } else {
                is_cors_safelisted_response_header_name(n, list.iter().copied())
            }
        })
        .map(|(n, v)| {
            (
                n.clone(),
                crate::vocab::grammar::normalize_header_value(v).to_vec(),
            )
        })
        .collect()
}

/// The header lines script can read from a same-origin (`basic`) response: all but `Set-Cookie`/`Set-Cookie2`.
pub fn basic_readable_headers(response: &Response) -> HeaderList {
    response
        .headers
        .iter()
        .filter(|(n, _)| !is_forbidden_response_header_name(n))
        .map(|(n, v)| {
            (
                n.clone(),
                crate::vocab::grammar::normalize_header_value(v).to_vec(),
            )
        })
        .collect()
}
