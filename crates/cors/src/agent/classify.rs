//! Classification: what `fetch()` does with a request before anything is sent — refuse it,
//! drop headers it may not send, and decide same-origin / no-cors / simple / preflight, with
//! every reason a preflight is needed.

use super::failure::{CorsError, CorsFailure};
use super::profile::Profile;
use super::request::{Body, HeaderList, Mode, RedirectMode, Request};
use crate::vocab::grammar::{is_header_name, is_header_value, is_method, normalize_header_value};
use crate::vocab::safelist::{
    UnsafeHeader, UnsafeHeaderReason, cors_safelisted_request_header,
    cors_unsafe_request_header_names_by, is_cors_safelisted_method, is_forbidden_method,
    is_forbidden_request_header, is_forbidden_request_header_name, normalize_method,
};
use crate::vocab::{Origin, safelist};
use std::fmt;

/// Why `fetch()` throws a `TypeError` instead of making the request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The method is not a token (Fetch `#concept-method`).
    InvalidMethod(String),
    /// `CONNECT`, `TRACE` or `TRACK` (Fetch `#forbidden-method`).
    ForbiddenMethod(String),
    /// A header name is not a token (Fetch `#concept-header-name`).
    InvalidHeaderName(String),
    /// A header value contains NUL, CR or LF (Fetch `#concept-header-value`).
    InvalidHeaderValue(String),
    /// Mode `navigate` cannot be set by script (Fetch `#dom-request`).
    NavigateMode,
    /// Mode `no-cors` with a method other than `GET`, `HEAD`, `POST` (Fetch `#dom-request`).
    NoCorsMethod(String),
    /// A body with `GET` or `HEAD` (Fetch `#dom-request`).
    BodyWithGetOrHead,
    /// A stream body outside mode `cors` / `same-origin` (Fetch `#dom-request`).
    StreamBodyMode,
    /// A header name or value given as a JavaScript string has a code point above U+00FF, so
    /// it is not a `ByteString` (Web IDL `#es-ByteString`); the string is the header's name.
    NotByteString(String),
}

impl Refusal {
    /// A stable machine-readable identifier.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::InvalidMethod(_) => "invalid-method",
            Refusal::ForbiddenMethod(_) => "forbidden-method",
            Refusal::InvalidHeaderName(_) => "invalid-header-name",
            Refusal::InvalidHeaderValue(_) => "invalid-header-value",
            Refusal::NavigateMode => "navigate-mode",
            Refusal::NoCorsMethod(_) => "no-cors-method",
            Refusal::BodyWithGetOrHead => "body-with-get-or-head",
            Refusal::StreamBodyMode => "stream-body-mode",
            Refusal::NotByteString(_) => "not-a-byte-string",
        }
    }
    /// The Fetch section that says so.
    pub fn anchor(&self) -> &'static str {
        match self {
            Refusal::InvalidMethod(_) => "#concept-method",
            Refusal::ForbiddenMethod(_) => "#forbidden-method",
            Refusal::InvalidHeaderName(_) | Refusal::InvalidHeaderValue(_) => {
                "#concept-headers-append"
            }
            Refusal::NotByteString(_) => "https://webidl.spec.whatwg.org/#es-ByteString",
            _ => "#dom-request",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::InvalidMethod(m) => write!(f, "TypeError: '{m}' is not a valid HTTP method."),
            Refusal::ForbiddenMethod(m) => write!(f, "TypeError: '{m}' HTTP method is unsupported."),
            Refusal::InvalidHeaderName(n) => write!(f, "TypeError: Invalid name: '{n}'"),
            Refusal::InvalidHeaderValue(n) => write!(f, "TypeError: Invalid value for header '{n}'"),
            Refusal::NavigateMode => f.write_str("TypeError: Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'."),
            Refusal::NoCorsMethod(m) => write!(f, "TypeError: '{m}' is unsupported in no-cors mode."),
            Refusal::BodyWithGetOrHead => f.write_str("TypeError: Request with GET/HEAD method cannot have body."),
            Refusal::StreamBodyMode => f.write_str("TypeError: A request with a stream body needs mode 'cors' or 'same-origin'."),
            Refusal::NotByteString(n) => write!(f, "TypeError: Cannot convert header '{n}' to a ByteString: it has a character above U+00FF."),
        }
    }
}

impl std::error::Error for Refusal {}

/// A header as script passes it to `Headers.append`: JavaScript strings converted to bytes as
/// Web IDL converts a `ByteString` (`#es-ByteString`): each code point U+0000–U+00FF becomes the
/// byte of that value (so `é` is sent as the single byte 0xE9), and any higher code point makes
/// `fetch()` throw a `TypeError` before anything is sent.
///
/// ```
/// use cors::agent::{script_header, Refusal};
/// assert_eq!(script_header("Accept", "caf\u{e9}").unwrap().1, b"caf\xe9".to_vec());
/// assert!(matches!(script_header("Accept", "\u{20ac}"), Err(Refusal::NotByteString(_))));
/// ```
pub fn script_header(name: &str, value: &str) -> Result<(Vec<u8>, Vec<u8>), Refusal> {
    let bytes = |s: &str| -> Option<Vec<u8>> {
        s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
    };
    match (bytes(name), bytes(value)) {
        (Some(n), Some(v)) => Ok((n, v)),
        _ => Err(Refusal::NotByteString(name.to_string())),
    }
}

/// A header script set that the browser silently leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedHeader {
    /// The name as script wrote it.
    pub name: String,
    /// Why it is not sent.
    pub reason: DropReason,
}

/// Why a header is left out of the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// A forbidden request-header name (Fetch `#forbidden-request-header` steps 1–2).
    ForbiddenName,
    /// `X-HTTP-Method-Override` & co. naming a forbidden method (`#forbidden-request-header` step 3).
    ForbiddenMethodOverride,
    /// Mode `no-cors` keeps only no-CORS-safelisted request-headers (`#no-cors-safelisted-request-header`).
    NotNoCorsSafelisted,
}

/// Why a cross-origin request needs a preflight (Fetch `#main-fetch`, `#http-fetch`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreflightReason {
    /// The use-CORS-preflight flag is set (`stream` when a `ReadableStream` body set it).
    UseCorsPreflightFlag {
        /// The flag comes from a stream body.
        stream: bool,
    },
    /// The method is not `GET`, `HEAD` or `POST` (after normalization; `#cors-safelisted-method`).
    Method(String),
    /// A CORS-unsafe request-header, with every rule its entries broke
    /// (`#cors-unsafe-request-header-names`).
    Header(UnsafeHeader),
    /// The target is in a more private address space (Private Network Access).
    PrivateNetwork,
}

impl fmt::Display for PreflightReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightReason::UseCorsPreflightFlag { stream: true } => {
                f.write_str("the body is a ReadableStream, which always needs a preflight")
            }
            PreflightReason::UseCorsPreflightFlag { stream: false } => {
                f.write_str("the use-CORS-preflight flag is set (e.g. XHR upload listeners)")
            }
            PreflightReason::Method(m) => write!(
                f,
                "the method `{m}` is not CORS-safelisted (only GET, HEAD and POST are)"
            ),
            PreflightReason::Header(h) => {
                write!(f, "the header `{}` is not CORS-safelisted: ", h.name)?;
                for (i, r) in h.reasons.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
            PreflightReason::PrivateNetwork => f.write_str(
                "the target is in a more private address space (Private Network Access)",
            ),
        }
    }
}

/// The route a request takes (Fetch `#main-fetch` step 12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Same-origin (response tainting `basic`): no CORS at all.
    SameOrigin,
    /// Mode `no-cors`: sent without CORS, the response is opaque.
    NoCors,
    /// A CORS request without a preflight (a "simple request").
    Simple,
    /// A CORS request that needs a preflight first (unless the preflight cache answers).
    Preflight,
    /// A network error before anything is sent.
    Blocked(CorsFailure),
}

/// What a browser will do with a request: the result of [`classify`].
///
/// ```
/// use cors::agent::{classify, Profile, Request, Route};
/// use cors::vocab::Origin;
/// let req = Request::new(Origin::parse("https://foo.example").unwrap(), "https://bar.other/doc".parse().unwrap())
///     .with_method("POST")
///     .with_header("X-PINGOTHER", "pingpong")
///     .with_header("Content-Type", "text/xml");
/// let plan = classify(&req, Profile::Spec).unwrap();
/// assert_eq!(plan.route, Route::Preflight);
/// assert_eq!(plan.access_control_request_headers().as_deref(), Some("content-type,x-pingother"));
/// assert_eq!(plan.preflight_reasons.len(), 2); // one per unsafe header; POST is safelisted
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The route.
    pub route: Route,
    /// The normalized method (`#concept-method-normalize`).
    pub method: String,
    /// The header list the browser sends (script's, normalized, minus dropped ones, plus the
    /// `Accept` and `Content-Type` `fetch()` adds).
    pub headers: HeaderList,
    /// Headers script set that are not sent.
    pub dropped: Vec<DroppedHeader>,
    /// The CORS-unsafe request-header names (sorted, lowercase) with the rules they broke.
    pub unsafe_headers: Vec<UnsafeHeader>,
    /// Every reason a preflight is needed (empty unless `route` is `Preflight`).
    pub preflight_reasons: Vec<PreflightReason>,
}

impl Plan {
    /// `true` when the route is [`Route::Preflight`].
    pub fn needs_preflight(&self) -> bool {
        self.route == Route::Preflight
    }
    /// The `Access-Control-Request-Headers` value a preflight carries: the unsafe names,
    /// lowercase, sorted, joined by `,` (no space); `None` when there are none
    /// (Fetch `#cors-preflight-fetch` steps 4–5).
    pub fn access_control_request_headers(&self) -> Option<String> {
        if self.unsafe_headers.is_empty() {
            return None;
        }
        Some(
            self.unsafe_headers
                .iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join(","),
        )
    }
}

/// Classifies a request as `fetch()` in the given browser would: refuse it (`Err`, a `TypeError`),
/// or return the [`Plan`].
pub fn classify(request: &Request, profile: Profile) -> Result<Plan, Refusal> {
    // Fetch #dom-request: method checks, then normalization.
    if !is_method(request.method.as_bytes()) {
        return Err(Refusal::InvalidMethod(request.method.clone()));
    }
    if is_forbidden_method(request.method.as_bytes()) {
        return Err(Refusal::ForbiddenMethod(request.method.clone()));
    }
    let method = normalize_method(&request.method).to_string();
    if request.mode == Mode::Navigate {
        return Err(Refusal::NavigateMode);
    }
    if request.mode == Mode::NoCors && !is_cors_safelisted_method(method.as_bytes()) {
        return Err(Refusal::NoCorsMethod(method));
    }
    if request.body != Body::None && (method == "GET" || method == "HEAD") {
        return Err(Refusal::BodyWithGetOrHead);
    }
    if request.body == Body::Stream && !matches!(request.mode, Mode::Cors | Mode::SameOrigin) {
        return Err(Refusal::StreamBodyMode);
    }
    // Fetch #concept-headers-append: normalize, validate, drop forbidden (guard `request`).
    let mut headers: HeaderList = Vec::with_capacity(request.headers.len() + 2);
    let mut dropped = Vec::new();
    for (name, value) in &request.headers {
        let value = normalize_header_value(value);
        if !is_header_name(name) {
            return Err(Refusal::InvalidHeaderName(latin1(name)));
        }
        if !is_header_value(value) {
            return Err(Refusal::InvalidHeaderValue(latin1(name)));
        }
        if is_forbidden_request_header(name, value) {
            let reason = if is_forbidden_request_header_name(name) {
                DropReason::ForbiddenName
            } else {
                DropReason::ForbiddenMethodOverride
            };
            dropped.push(DroppedHeader {
                name: latin1(name),
                reason,
            });
            continue;
        }
        if request.mode == Mode::NoCors {
            // #concept-headers-append, guard `request-no-cors`: the combined value must stay
            // a no-CORS-safelisted request-header.
            let existing = headers
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name));
            let mut combined = existing.map(|i| headers[i].1.clone()).unwrap_or_default();
            if existing.is_some() {
                combined.extend_from_slice(b", ");
            }
            combined.extend_from_slice(value);
            let no_cors_name = [
                "accept",
                "accept-language",
                "content-language",
                "content-type",
            ]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n.as_bytes()));
            if !no_cors_name || cors_safelisted_request_header(name, &combined).is_err() {
                dropped.push(DroppedHeader {
                    name: latin1(name),
                    reason: DropReason::NotNoCorsSafelisted,
                });
                continue;
            }
        }
        headers.push((name.clone(), value.to_vec()));
    }
    // Fetch #concept-bodyinit-extract: a string or URLSearchParams body brings a Content-Type.
    let has = |h: &HeaderList, n: &str| h.iter().any(|(k, _)| k.eq_ignore_ascii_case(n.as_bytes()));
    let body_type: Option<&[u8]> = match request.body {
        Body::Text => Some(b"text/plain;charset=UTF-8"),
        Body::UrlSearchParams => Some(b"application/x-www-form-urlencoded;charset=UTF-8"),
        _ => None,
    };
    if let Some(t) = body_type {
        if !has(&headers, "content-type") {
            headers.push((b"Content-Type".to_vec(), t.to_vec()));
        }
    }
    // Fetch #fetching step 12: `Accept: */*` when script set none.
    if !has(&headers, "accept") {
        headers.push((b"Accept".to_vec(), b"*/*".to_vec()));
    }
    let use_cors_preflight = request.use_cors_preflight || request.body == Body::Stream;
    let mut plan = Plan {
        route: Route::Simple,
        method,
        headers,
        dropped,
        unsafe_headers: Vec::new(),
        preflight_reasons: Vec::new(),
    };
    let route = main_fetch_route(
        &request.origin,
        &request.url,
        false,
        request.mode,
        request.redirect,
    );
    plan.route = match route {
        Some(r) => r,
        None => {
            let (unsafe_headers, reasons) = cors_preflight_reasons(
                &plan.method,
                &plan.headers,
                use_cors_preflight,
                request.body == Body::Stream,
                request.private_network,
                profile,
            );
            plan.unsafe_headers = unsafe_headers;
            plan.preflight_reasons = reasons;
            if plan.preflight_reasons.is_empty() {
                Route::Simple
            } else {
                Route::Preflight
            }
        }
    };
    Ok(plan)
}

/// Fetch `#main-fetch` step 12 for a request at `url`: the non-CORS routes, or `None` for a
/// CORS request (whose preflight need [`cors_preflight_reasons`] decides). `tainted_cors` is
/// true once the response tainting is `cors` (it never reverts to `basic` after a redirect).
pub(crate) fn main_fetch_route(
    origin: &Origin,
    url: &url::Url,
    tainted_cors: bool,
    mode: Mode,
    redirect: RedirectMode,
) -> Option<Route> {
    let url_origin = Origin::of_url(url);
    // #main-fetch: same origin and tainting `basic` → basic fetch (no CORS).
    if !tainted_cors && !origin.is_opaque() && url_origin == *origin {
        return Some(Route::SameOrigin);
    }
    let blocked = |e: CorsError| {
        Some(Route::Blocked(CorsFailure::new(
            e,
            "",
            url.as_str(),
            origin.as_str(),
        )))
    };
    match mode {
        // #main-fetch: mode `same-origin` → network error.
        Mode::SameOrigin => blocked(CorsError::DisallowedByMode),
        // #main-fetch: mode `no-cors` → redirect mode must be `follow`; opaque response.
        Mode::NoCors if redirect != RedirectMode::Follow => {
            blocked(CorsError::NoCorsRedirectModeNotFollow)
        }
        Mode::NoCors => Some(Route::NoCors),
        // #main-fetch: a URL whose scheme is not an HTTP(S) scheme → network error.
        _ if !crate::vocab::origin::is_http_scheme(url.scheme()) => {
            blocked(CorsError::CorsDisabledScheme)
        }
        _ => None,
    }
}

/// Fetch `#main-fetch` step 12 ("cors-with-preflight" condition): the CORS-unsafe request-header
/// names and every reason for a preflight, under the profile's safelist.
pub(crate) fn cors_preflight_reasons(
    method: &str,
    headers: &HeaderList,
    use_cors_preflight: bool,
    stream: bool,
    private_network: bool,
    profile: Profile,
) -> (Vec<UnsafeHeader>, Vec<PreflightReason>) {
    let unsafe_headers = unsafe_request_header_names(headers, profile);
    let mut reasons = Vec::new();
    if use_cors_preflight {
        reasons.push(PreflightReason::UseCorsPreflightFlag { stream });
    }
    if !is_cors_safelisted_method(method.as_bytes()) {
        reasons.push(PreflightReason::Method(method.to_string()));
    }
    reasons.extend(unsafe_headers.iter().cloned().map(PreflightReason::Header));
    if private_network {
        reasons.push(PreflightReason::PrivateNetwork);
    }
    (unsafe_headers, reasons)
}

/// CORS-unsafe request-header names under a profile: the standard's algorithm
/// (`#cors-unsafe-request-header-names`, in vocab) with the profile's per-header safelist and,
/// where the engine keeps one combined value per name, duplicates combined first.
pub(crate) fn unsafe_request_header_names(
    headers: &HeaderList,
    profile: Profile,
) -> Vec<UnsafeHeader> {
    let d = profile.deviations();
    let combined;
    let list: &HeaderList = if d.combine_request_headers {
        combined = combine_duplicates(headers);
        &combined
    } else {
        headers
    };
    let test = |name: &[u8], value: &[u8]| -> Result<(), UnsafeHeaderReason> {
        if d.range_never_safelisted && name.eq_ignore_ascii_case(b"range") {
            return Err(UnsafeHeaderReason::NameNotSafelisted);
        }
        if let Some(extra) = d
            .extra_safelisted_request_headers
            .iter()
            .find(|n| name.eq_ignore_ascii_case(n.as_bytes()))
        {
            if value.len() > safelist::SAFELISTED_VALUE_MAX {
                return Err(UnsafeHeaderReason::ValueTooLong { len: value.len() });
            }
            return if chromium_client_hint_value_ok(extra, value) {
                Ok(())
            } else {
                Err(UnsafeHeaderReason::NameNotSafelisted)
            };
        }
        if d.range_webkit_parse && name.eq_ignore_ascii_case(b"range") {
            if value.len() > safelist::SAFELISTED_VALUE_MAX {
                return Err(UnsafeHeaderReason::ValueTooLong { len: value.len() });
            }
            return if webkit_simple_range(value) {
                Ok(())
            } else {
                Err(UnsafeHeaderReason::RangeNotSimple)
            };
        }
        if d.accept_ascii_only && name.eq_ignore_ascii_case(b"accept") {
            if let Some(&byte) = value.iter().find(|&&b| b >= 0x80) {
                return Err(UnsafeHeaderReason::UnsafeByte { byte });
            }
        }
        let verdict = cors_safelisted_request_header(name, value);
        if verdict.is_ok()
            && d.content_type_last_of_list
            && name.eq_ignore_ascii_case(b"content-type")
        {
            if let Some(i) = value.iter().rposition(|&b| b == b',') {
                return cors_safelisted_request_header(name, value[i + 1..].trim_ascii());
            }
        }
        verdict
    };
    cors_unsafe_request_header_names_by(
        list.iter().map(|(n, v)| (n.as_slice(), v.as_slice())),
        test,
    )
}

/// Blink/WebKit header maps: one entry per name (first spelling and position), values joined by `, `.
fn combine_duplicates(headers: &HeaderList) -> HeaderList {
    let mut out: HeaderList = Vec::with_capacity(headers.len());
    for (n, v) in headers {
        match out.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(n)) {
            Some((_, existing)) => {
                existing.extend_from_slice(b", ");
                existing.extend_from_slice(v);
            }
            None => out.push((n.clone(), v.clone())),
        }
    }
    out
}

/// Chromium `IsCorsSafelistedHeader` value shapes for its client-hint names.
fn chromium_client_hint_value_ok(name: &str, value: &[u8]) -> bool {
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    match name {
        "device-memory" | "dpr" => match value.iter().position(|&b| b == b'.') {
            Some(i) => digits(&value[..i]) && digits(&value[i + 1..]),
            None => digits(value),
        },
        "width" | "viewport-width" | "rtt" => digits(value),
        "downlink" => match value.iter().position(|&b| b == b'.') {
            Some(i) => digits(&value[..i]) && digits(&value[i + 1..]),
            None => digits(value),
        },
        "ect" => {
            !value.is_empty()
                && value
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        "save-data" => value.eq_ignore_ascii_case(b"on"),
        // Any value (observed with `x`).
        "user-agent" => true,
        _ => false,
    }
}

/// WebKit's simple `Range` (profile switch `range_webkit_parse`): `bytes` in any case, `=`, an
/// optional `+` and digits, `-`, optionally `+` and digits, then only vertical tabs or form
/// feeds; a start is required and must not exceed the end.
fn webkit_simple_range(value: &[u8]) -> bool {
    let Some(rest) = value
        .get(..6)
        .filter(|u| u.eq_ignore_ascii_case(b"bytes="))
        .map(|_| &value[6..])
    else {
        return false;
    };
    let mut end = rest.len();
    while end > 0 && matches!(rest[end - 1], 0x0b | 0x0c) {
        end -= 1;
    }
    let rest = &rest[..end];
    let Some(dash) = rest.iter().position(|&b| b == b'-') else {
        return false;
    };
    let number = |s: &[u8]| -> Option<Option<u64>> {
        let s = s.strip_prefix(b"+").unwrap_or(s);
        if s.is_empty() {
            return Some(None);
        }
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok().map(Some)
    };
    match (number(&rest[..dash]), number(&rest[dash + 1..])) {
        (Some(Some(s)), Some(Some(e))) => s <= e,
        (Some(Some(_)), Some(None)) => true,
        _ => false,
    }
}

/// Isomorphic decode (Fetch `#isomorphic-decode`): each byte is the code point of the same value.
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}
