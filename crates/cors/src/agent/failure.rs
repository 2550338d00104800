//! Errors as data: why a browser blocks a request, named the way Chromium's DevTools protocol
//! and Firefox's console name it, with each browser's console sentence and the spec anchor.

use std::fmt;

/// Why a CORS fetch failed. The variants follow Chromium's `Network.CorsError` (DevTools
/// protocol) where it has one; the few network errors Chromium reports without a `CorsError`
/// (too many redirects, a redirect to a non-HTTP scheme, redirect mode `error`) are named here too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorsError {
    /// Mode `same-origin` and a cross-origin URL (Fetch `#main-fetch`).
    DisallowedByMode,
    /// The response was a network error where a response was expected.
    InvalidResponse,
    /// `Access-Control-Allow-Origin: *` with credentials mode `include` (Fetch `#cors-check` step 4).
    WildcardOriginNotAllowed,
    /// No `Access-Control-Allow-Origin` (Fetch `#cors-check` step 2).
    MissingAllowOriginHeader,
    /// `Access-Control-Allow-Origin` holds several values (two header lines, or a list).
    MultipleAllowOriginValues,
    /// `Access-Control-Allow-Origin` is not an origin, `null` or `*`.
    InvalidAllowOriginValue,
    /// `Access-Control-Allow-Origin` is an origin other than the request's.
    AllowOriginMismatch,
    /// Credentials `include` and `Access-Control-Allow-Credentials` is not exactly `true` (step 7).
    InvalidAllowCredentials,
    /// The URL's scheme is not `http` or `https` (Fetch `#main-fetch`).
    CorsDisabledScheme,
    /// The preflight response's status is not 200–299 (Fetch `#cors-preflight-fetch` step 7).
    PreflightInvalidStatus,
    /// The preflight response is a redirect (Fetch `#cors-preflight-fetch`: no redirects).
    PreflightDisallowedRedirect,
    /// `Access-Control-Allow-Methods` does not parse as `#method` (step 7.3).
    InvalidAllowMethodsPreflightResponse,
    /// `Access-Control-Allow-Headers` does not parse as `#field-name` (step 7.3).
    InvalidAllowHeadersPreflightResponse,
    /// The method is not allowed by the preflight response (step 7.5).
    MethodDisallowedByPreflightResponse,
    /// A request header is not allowed by the preflight response (steps 7.6–7.7).
    HeaderDisallowedByPreflightResponse,
    /// A redirect's `Location` has userinfo (Fetch `#http-redirect-fetch` steps 4–5).
    RedirectContainsCredentials,
    /// Mode `no-cors` with a redirect mode other than `follow` (Fetch `#main-fetch`).
    NoCorsRedirectModeNotFollow,
    /// Private Network Access: no `Access-Control-Allow-Private-Network` on the preflight response.
    PreflightMissingAllowPrivateNetwork,
    /// Private Network Access: `Access-Control-Allow-Private-Network` is not `true`.
    PreflightInvalidAllowPrivateNetwork,
    /// A 21st redirect (Fetch `#http-redirect-fetch` step 3). Chromium: `net::ERR_TOO_MANY_REDIRECTS`.
    TooManyRedirects,
    /// A redirect to a scheme other than `http`/`https` (step 2). Chromium: `net::ERR_UNSAFE_REDIRECT`.
    RedirectNotHttp,
    /// Redirect mode `error` and a redirect arrived (Fetch `#http-fetch`).
    UnexpectedRedirect,
    /// A redirect's `Location` does not parse (Fetch `#http-redirect-fetch` step 1).
    InvalidRedirectLocation,
}

impl CorsError {
    /// The Chromium DevTools `Network.CorsError` value, when Chromium reports one.
    pub fn chromium_cors_error(self) -> Option<&'static str> {
        use CorsError::*;
        Some(match self {
            DisallowedByMode => "DisallowedByMode",
            InvalidResponse => "InvalidResponse",
            WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            MissingAllowOriginHeader => "MissingAllowOriginHeader",
            MultipleAllowOriginValues => "MultipleAllowOriginValues",
            InvalidAllowOriginValue => "InvalidAllowOriginValue",
            AllowOriginMismatch => "AllowOriginMismatch",
            InvalidAllowCredentials => "InvalidAllowCredentials",
            CorsDisabledScheme => "CorsDisabledScheme",
            PreflightInvalidStatus => "PreflightInvalidStatus",
            PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            InvalidAllowMethodsPreflightResponse => "InvalidAllowMethodsPreflightResponse",
            InvalidAllowHeadersPreflightResponse => "InvalidAllowHeadersPreflightResponse",
            MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
            RedirectContainsCredentials => "RedirectContainsCredentials",
            NoCorsRedirectModeNotFollow => "NoCorsRedirectModeNotFollow",
            PreflightMissingAllowPrivateNetwork => "PreflightMissingAllowPrivateNetwork",
            PreflightInvalidAllowPrivateNetwork => "PreflightInvalidAllowPrivateNetwork",
            TooManyRedirects | RedirectNotHttp | UnexpectedRedirect | InvalidRedirectLocation => {
                return None;
            }
        })
    }

    /// The name: Chromium's `CorsError` value, or this crate's for the four without one.
    pub fn name(self) -> &'static str {
        self.chromium_cors_error().unwrap_or(match self {
            CorsError::TooManyRedirects => "TooManyRedirects",
            CorsError::RedirectNotHttp => "RedirectNotHttp",
            CorsError::UnexpectedRedirect => "UnexpectedRedirect",
            _ => "InvalidRedirectLocation",
        })
    }

    /// The Chromium `net::` error `fetch()` fails with (DevTools' `errorText`).
    pub fn chromium_net_error(self) -> &'static str {
        match self {
            CorsError::TooManyRedirects => "net::ERR_TOO_MANY_REDIRECTS",
            CorsError::RedirectNotHttp => "net::ERR_UNSAFE_REDIRECT",
            CorsError::InvalidRedirectLocation => "net::ERR_INVALID_REDIRECT",
            _ => "net::ERR_FAILED",
        }
    }

    /// `true` for the failures of the CORS check itself (Fetch `#cors-check`), which a
    /// preflight response can fail too.
    pub fn is_cors_check(self) -> bool {
        use CorsError::*;
        matches!(
            self,
            WildcardOriginNotAllowed
                | MissingAllowOriginHeader
                | MultipleAllowOriginValues
                | InvalidAllowOriginValue
                | AllowOriginMismatch
                | InvalidAllowCredentials
        )
    }

    /// The Fetch Standard section this failure comes from.
    pub fn anchor(self) -> &'static str {
        use CorsError::*;
        match self {
            DisallowedByMode | CorsDisabledScheme | NoCorsRedirectModeNotFollow => "#main-fetch",
            InvalidResponse => "#http-fetch",
            WildcardOriginNotAllowed
            | MissingAllowOriginHeader
            | MultipleAllowOriginValues
            | InvalidAllowOriginValue
            | AllowOriginMismatch
            | InvalidAllowCredentials => "#cors-check",
            PreflightInvalidStatus
            | PreflightDisallowedRedirect
            | InvalidAllowMethodsPreflightResponse
            | InvalidAllowHeadersPreflightResponse
            | MethodDisallowedByPreflightResponse
            | HeaderDisallowedByPreflightResponse => "#cors-preflight-fetch",
            RedirectContainsCredentials
            | TooManyRedirects
            | RedirectNotHttp
            | InvalidRedirectLocation => "#http-redirect-fetch",
            UnexpectedRedirect => "#http-fetch",
            PreflightMissingAllowPrivateNetwork | PreflightInvalidAllowPrivateNetwork => {
                "https://wicg.github.io/private-network-access/#cors-preflight"
            }
        }
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Firefox's reason codes for CORS failures: the slugs of MDN's "CORS errors" pages, which the
/// console's "Learn More" link of each "Cross-Origin Request Blocked" line opens.
///
/// ```
/// use cors::agent::FirefoxReason;
/// let line = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
///     resource at https://api.example/x. (Reason: CORS header ‘Access-Control-Allow-Origin’ \
///     missing). Status code: 200.";
/// assert_eq!(FirefoxReason::from_console_message(line), Some(FirefoxReason::MissingAllowOrigin));
/// assert_eq!(FirefoxReason::MissingAllowOrigin.slug(), "CORSMissingAllowOrigin");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FirefoxReason {
    /// `CORSDisabled`: the pref `content.cors.disable` is set.
    Disabled,
    /// `CORSOriginHeaderNotAdded`: privileged (extension) code, no single origin.
    OriginHeaderNotAdded,
    /// `CORSDidNotSucceed`: the request failed at the network level — also Firefox's only word
    /// for a redirect it refuses (userinfo, a non-HTTP scheme, more than 20) and the line it
    /// adds after every failed preflight.
    DidNotSucceed,
    /// `CORSRequestNotHttp`.
    RequestNotHttp,
    /// `CORSExternalRedirectNotAllowed`: the preflight was redirected.
    ExternalRedirectNotAllowed,
    /// `CORSMissingAllowOrigin`.
    MissingAllowOrigin,
    /// `CORSMultipleAllowOriginNotAllowed`: two or more `Access-Control-Allow-Origin` lines.
    MultipleAllowOriginNotAllowed,
    /// `CORSAllowOriginNotMatchingOrigin`.
    AllowOriginNotMatchingOrigin,
    /// `CORSNotSupportingCredentials`: `*` with credentials.
    NotSupportingCredentials,
    /// `CORSMethodNotFound`.
    MethodNotFound,
    /// `CORSMIssingAllowCredentials` (sic, MDN's slug).
    MissingAllowCredentials,
    /// `CORSPreflightDidNotSucceed`.
    PreflightDidNotSucceed,
    /// `CORSInvalidAllowMethod`.
    InvalidAllowMethod,
    /// `CORSInvalidAllowHeader`.
    InvalidAllowHeader,
    /// `CORSMissingAllowHeaderFromPreflight`.
    MissingAllowHeaderFromPreflight,
}

impl FirefoxReason {
    /// Every reason.
    pub const ALL: [FirefoxReason; 15] = [
        FirefoxReason::Disabled,
        FirefoxReason::OriginHeaderNotAdded,
        FirefoxReason::DidNotSucceed,
        FirefoxReason::RequestNotHttp,
        FirefoxReason::ExternalRedirectNotAllowed,
        FirefoxReason::MissingAllowOrigin,
        FirefoxReason::MultipleAllowOriginNotAllowed,
        FirefoxReason::AllowOriginNotMatchingOrigin,
        FirefoxReason::NotSupportingCredentials,
        FirefoxReason::MethodNotFound,
        FirefoxReason::MissingAllowCredentials,
        FirefoxReason::PreflightDidNotSucceed,
        FirefoxReason::InvalidAllowMethod,
        FirefoxReason::InvalidAllowHeader,
        FirefoxReason::MissingAllowHeaderFromPreflight,
    ];

    /// The MDN page slug, e.g. `CORSMissingAllowOrigin`.
    pub fn slug(self) -> &'static str {
        use FirefoxReason::*;
        match self {
            Disabled => "CORSDisabled",
            OriginHeaderNotAdded => "CORSOriginHeaderNotAdded",
            DidNotSucceed => "CORSDidNotSucceed",
            RequestNotHttp => "CORSRequestNotHttp",
            ExternalRedirectNotAllowed => "CORSExternalRedirectNotAllowed",
            MissingAllowOrigin => "CORSMissingAllowOrigin",
            MultipleAllowOriginNotAllowed => "CORSMultipleAllowOriginNotAllowed",
            AllowOriginNotMatchingOrigin => "CORSAllowOriginNotMatchingOrigin",
            NotSupportingCredentials => "CORSNotSupportingCredentials",
            MethodNotFound => "CORSMethodNotFound",
            MissingAllowCredentials => "CORSMIssingAllowCredentials",
            PreflightDidNotSucceed => "CORSPreflightDidNotSucceed",
            InvalidAllowMethod => "CORSInvalidAllowMethod",
            InvalidAllowHeader => "CORSInvalidAllowHeader",
            MissingAllowHeaderFromPreflight => "CORSMissingAllowHeaderFromPreflight",
        }
    }

    /// The reason's text in Firefox's console (Gecko `security.properties`) as the text before
    /// and after its parameter (`‘value’`), and whether the line ends with `Status code: N.`.
    fn template(self) -> (&'static str, Option<&'static str>, bool) {
        use FirefoxReason::*;
        match self {
            Disabled => ("CORS disabled", None, false),
            OriginHeaderNotAdded => ("CORS header ‘Origin’ cannot be added", None, false),
            DidNotSucceed => ("CORS request did not succeed", None, true),
            RequestNotHttp => ("CORS request not http", None, false),
            ExternalRedirectNotAllowed => {
                ("CORS request external redirect not allowed", None, false)
            }
            MissingAllowOrigin => (
                "CORS header ‘Access-Control-Allow-Origin’ missing",
                None,
                true,
            ),
            MultipleAllowOriginNotAllowed => (
                "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed",
                None,
                false,
            ),
            AllowOriginNotMatchingOrigin => (
                "CORS header ‘Access-Control-Allow-Origin’ does not match ‘",
                Some("’"),
                false,
            ),
            NotSupportingCredentials => (
                "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’",
                None,
                false,
            ),
            MethodNotFound => (
                "Did not find method in CORS header ‘Access-Control-Allow-Methods’",
                None,
                false,
            ),
            MissingAllowCredentials => (
                "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’",
                None,
                false,
            ),
            PreflightDidNotSucceed => ("CORS preflight response did not succeed", None, true),
            InvalidAllowMethod => (
                "invalid token ‘",
                Some("’ in CORS header ‘Access-Control-Allow-Methods’"),
                false,
            ),
            InvalidAllowHeader => (
                "invalid token ‘",
                Some("’ in CORS header ‘Access-Control-Allow-Headers’"),
                false,
            ),
            MissingAllowHeaderFromPreflight => (
                "header ‘",
                Some(
                    "’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response",
                ),
                false,
            ),
        }
    }

    /// The reason of a Firefox console line "Cross-Origin Request Blocked: … (Reason: …)", or
    /// `None` for any other line. Older wordings of two reasons are recognised too.
    pub fn from_console_message(line: &str) -> Option<FirefoxReason> {
        let start = line.find("(Reason: ")? + "(Reason: ".len();
        // The reason ends at the last ")." before an optional " Status code: N." suffix.
        let head = match line.rfind(" Status code: ") {
            Some(i) if i > start => &line[..i],
            _ => line,
        };
        let end = head.rfind(").")?;
        let text = line.get(start..end)?;
        FirefoxReason::ALL
            .into_iter()
            .find(|r| match r.template() {
                (text_only, None, _) => text == text_only,
                (before, Some(after), _) => {
                    text.len() >= before.len() + after.len()
                        && text.starts_with(before)
                        && text.ends_with(after)
                }
            })
            .or(match text {
                "CORS preflight channel did not succeed" => {
                    Some(FirefoxReason::PreflightDidNotSucceed)
                }
                t if t.starts_with("missing token ‘") => {
                    Some(FirefoxReason::MissingAllowHeaderFromPreflight)
                }
                _ => None,
            })
    }

    /// The console line Firefox prints for this reason on a request to `url`: `param` fills the
    /// reasons that quote a value, `status` the ones that end with the status (`(null)` when
    /// no response arrived).
    pub fn console_line(self, url: &str, param: &str, status: Option<u16>) -> String {
        let (before, after, with_status) = self.template();
        let text = match after {
            Some(after) => format!("{before}{param}{after}"),
            None => before.to_string(),
        };
        // CORSNotSupportingCredentials is the one line that quotes the URL.
        let url = if self == FirefoxReason::NotSupportingCredentials {
            format!("‘{url}’")
        } else {
            url.to_string()
        };
        let status = match (with_status, status) {
            (false, _) => String::new(),
            (true, Some(s)) => format!(" Status code: {s}."),
            (true, None) => " Status code: (null).".to_string(),
        };
        format!(
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: {text}).{status}"
        )
    }
}

/// A CORS failure, as data: the reason, its parameter, where it happened, and renderings.
///
/// ```
/// use cors::agent::{CorsError, CorsFailure, FirefoxReason};
/// let f = CorsFailure::new(CorsError::MissingAllowOriginHeader, "", "https://api.example/x", "https://app.example")
///     .on_preflight(true)
///     .with_status(200);
/// assert_eq!(f.chromium_cors_error().as_deref(), Some("PreflightMissingAllowOriginHeader"));
/// assert_eq!(f.firefox_reason(), Some(FirefoxReason::MissingAllowOrigin));
/// assert!(f.chromium_message().ends_with(
///     "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
/// ));
/// assert!(f.firefox_message().contains("(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorsFailure {
    /// The reason.
    pub error: CorsError,
    /// The offending value (Chromium's `failedParameter`): the `Access-Control-Allow-Origin` or
    /// `-Credentials` value, the disallowed method, the disallowed lowercase header name, the
    /// redirect URL; empty when not applicable.
    pub failed_parameter: String,
    /// `true` when the response that failed was a preflight response.
    pub preflight: bool,
    /// The URL of the request that failed (after redirects).
    pub url: String,
    /// The first URL, when the request was redirected before failing.
    pub redirected_from: Option<String>,
    /// The page's origin (what Chromium prints in its message).
    pub origin: String,
    /// The `Origin` header the failing request carried (`null` after a tainting redirect;
    /// equal to `origin` otherwise).
    pub sent_origin: String,
    /// The offending value where Chromium's `failedParameter` leaves it out: the invalid token
    /// of `Access-Control-Allow-Methods`/`-Headers` (Firefox names it), the redirect URL with
    /// userinfo. Empty otherwise.
    pub detail: String,
    /// The status of the response that failed, when there was one.
    pub status: Option<u16>,
    /// Number of `Access-Control-Allow-Origin` lines of that response (Firefox counts lines).
    pub allow_origin_lines: usize,
    /// The failing response was a redirect to this URL (its `Location`, resolved). Firefox
    /// checks a redirect response before following it and logs one more line for it.
    pub redirect_to: Option<String>,
    /// A redirected preflight whose CORS check passed: what Firefox's second check of the
    /// response finds after refusing the redirect, against the origin the redirect leaves
    /// (`null` across origins) — the reason and its parameter; `None` when that check passes.
    pub after_redirect: Option<Box<(CorsError, String)>>,
}

impl CorsFailure {
    /// A failure of `error` with `failed_parameter` for a request to `url` from `origin`.
    pub fn new(
        error: CorsError,
        failed_parameter: impl Into<String>,
        url: impl Into<String>,
        origin: impl Into<String>,
    ) -> CorsFailure {
        let origin = origin.into();
        CorsFailure {
            error,
            failed_parameter: failed_parameter.into(),
            preflight: false,
            url: url.into(),
            redirected_from: None,
            sent_origin: origin.clone(),
            origin,
            detail: String::new(),
            status: None,
            allow_origin_lines: 0,
            redirect_to: None,
            after_redirect: None,
        }
    }
    /// Marks the failure as one of the preflight response.
    pub fn on_preflight(mut self, preflight: bool) -> CorsFailure {
        self.preflight = preflight;
        self
    }
    /// Records the status of the failing response.
    pub fn with_status(mut self, status: u16) -> CorsFailure {
        self.status = Some(status);
        self
    }

    /// The Chromium DevTools `Network.CorsError` value (with the `Preflight` prefix for the
    /// CORS check of a preflight response), or `None` when Chromium reports a plain net error.
    pub fn chromium_cors_error(&self) -> Option<String> {
        let base = self.error.chromium_cors_error()?;
        let prefixed = self.preflight && self.error.is_cors_check();
        Some(if prefixed {
            format!("Preflight{base}")
        } else {
            base.to_string()
        })
    }

    /// The spec anchor of the rule that failed, e.g. `#cors-check`.
    pub fn anchor(&self) -> &'static str {
        self.error.anchor()
    }

    /// The Firefox reason (MDN slug via [`FirefoxReason::slug`]) of the first line Firefox logs
    /// (see [`firefox_console`](Self::firefox_console)), when it logs one.
    pub fn firefox_reason(&self) -> Option<FirefoxReason> {
        use CorsError::*;
        match self.error {
            // Firefox words each refused redirect as a failed request.
            TooManyRedirects
            | RedirectNotHttp
            | RedirectContainsCredentials
            | InvalidRedirectLocation => Some(FirefoxReason::DidNotSucceed),
            _ => firefox_reason_of(self.error, self.allow_origin_lines),
        }
    }

    /// Every "Cross-Origin Request Blocked" line Firefox logs for this failure, in order
    /// (observed in Firefox ESR 153 by `crates/cors/tests/agent_firefox.rs`):
    /// - the reason's line; a failed preflight adds `CORS request did not succeed` for the
    ///   request it cancels, and a failing redirect response one more;
    /// - a refused redirect (userinfo, a non-HTTP scheme, a 21st) is only `CORS request did not
    ///   succeed`;
    /// - a redirected preflight is `CORS request external redirect not allowed`, then the
    ///   second check of that response (its CORS check against the origin the redirect leaves,
    ///   else its status), then `CORS request did not succeed`.
    ///
    /// Empty when Firefox logs no CORS line (e.g. mode `same-origin`, redirect mode `error`).
    pub fn firefox_console(&self) -> Vec<String> {
        use CorsError::*;
        use FirefoxReason as F;
        let did_not_succeed = || F::DidNotSucceed.console_line(&self.url, "", None);
        let param = if self.detail.is_empty() {
            &self.failed_parameter
        } else {
            &self.detail
        };
        match self.error {
            TooManyRedirects
            | RedirectNotHttp
            | RedirectContainsCredentials
            | InvalidRedirectLocation => vec![did_not_succeed()],
            PreflightDisallowedRedirect => {
                let second = match self.after_redirect.as_deref() {
                    Some((e, p)) => firefox_reason_of(*e, self.allow_origin_lines)
                        .unwrap_or(F::DidNotSucceed)
                        .console_line(&self.url, p, self.status),
                    None => F::PreflightDidNotSucceed.console_line(&self.url, "", self.status),
                };
                vec![
                    F::ExternalRedirectNotAllowed.console_line(&self.url, "", self.status),
                    second,
                    did_not_succeed(),
                ]
            }
            _ => {
                let Some(reason) = firefox_reason_of(self.error, self.allow_origin_lines) else {
                    return Vec::new();
                };
                let mut lines = vec![reason.console_line(&self.url, param, self.status)];
                if self.redirect_to.is_some() {
                    lines.push(did_not_succeed());
                }
                if self.preflight {
                    lines.push(did_not_succeed());
                }
                lines
            }
        }
    }

    /// The console message Chromium prints for a `fetch()` (Blink `cors_error_string.cc`), or
    /// for the non-CORS network errors the DevTools `errorText`.
    pub fn chromium_message(&self) -> String {
        self.chromium_message_for("fetch")
    }

    /// As [`chromium_message`](Self::chromium_message) for another initiator
    /// (`XMLHttpRequest`, `script`, `font`…).
    pub fn chromium_message_for(&self, resource_kind: &str) -> String {
        use CorsError::*;
        let hint = encode_hint(&self.failed_parameter);
        let body = match self.error {
            DisallowedByMode => {
                return format!(
                    "Fetch API cannot load {}. Request mode is \"same-origin\" but the URL's origin is not same as the request origin {}.",
                    self.url, self.origin
                );
            }
            NoCorsRedirectModeNotFollow => {
                return format!(
                    "Fetch API cannot load {}. Request mode is \"no-cors\" but the redirect mode is not \"follow\".",
                    self.url
                );
            }
            TooManyRedirects | RedirectNotHttp | UnexpectedRedirect | InvalidRedirectLocation => {
                return format!(
                    "Failed to load resource: {}",
                    self.error.chromium_net_error()
                );
            }
            InvalidResponse => "The response is invalid.".to_string(),
            WildcardOriginNotAllowed => "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".to_string(),
            MissingAllowOriginHeader => "No 'Access-Control-Allow-Origin' header is present on the requested resource.".to_string(),
            MultipleAllowOriginValues => format!("The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only one is allowed."),
            InvalidAllowOriginValue => format!("The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'."),
            AllowOriginMismatch => format!("The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the supplied origin."),
            InvalidAllowCredentials => format!("The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}' which must be 'true' when the request's credentials mode is 'include'."),
            CorsDisabledScheme => "Cross origin requests are only supported for protocol schemes: chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app.".to_string(),
            PreflightInvalidStatus => "It does not have HTTP ok status.".to_string(),
            PreflightDisallowedRedirect => "Redirect is not allowed for a preflight request.".to_string(),
            InvalidAllowMethodsPreflightResponse => "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".to_string(),
            InvalidAllowHeadersPreflightResponse => "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".to_string(),
            MethodDisallowedByPreflightResponse => format!("Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response."),
            HeaderDisallowedByPreflightResponse => format!("Request header field {hint} is not allowed by Access-Control-Allow-Headers in preflight response."),
            RedirectContainsCredentials => format!("Redirect location '{hint}' contains a username and password, which is disallowed for cross-origin requests."),
            PreflightMissingAllowPrivateNetwork => "No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private network request targeting the `local` address space.".to_string(),
            PreflightInvalidAllowPrivateNetwork => format!("The 'Access-Control-Allow-Private-Network' header in the preflight response for this private network request targeting the `local` address space had a value of '{hint}',  not 'true'."),
        };
        let fix_hint = match self.error {
            MultipleAllowOriginValues | InvalidAllowOriginValue | AllowOriginMismatch
                if resource_kind == "fetch" =>
            {
                " Have the server send the header with a valid value."
            }
            _ => "",
        };
        let preflight = if self.preflight_family() {
            "Response to preflight request doesn't pass access control check: "
        } else {
            ""
        };
        let redirected = match &self.redirected_from {
            Some(first) => format!(" (redirected from '{first}')"),
            None => String::new(),
        };
        format!(
            "Access to {resource_kind} at '{}'{redirected} from origin '{}' has been blocked by CORS policy: {preflight}{body}{fix_hint}",
            self.url, self.origin
        )
    }

    /// `true` for the failures Chromium words as "Response to preflight request doesn't pass…".
    fn preflight_family(&self) -> bool {
        use CorsError::*;
        (self.preflight && self.error.is_cors_check())
            || matches!(
                self.error,
                PreflightInvalidStatus
                    | PreflightDisallowedRedirect
                    | PreflightMissingAllowPrivateNetwork
                    | PreflightInvalidAllowPrivateNetwork
            )
    }

    /// Every console line WebKit logs for this failure, in order (WebCore's wording, observed in
    /// WebKitGTK 2.50 by `crates/cors/tests/agent_webkit.rs`): the reason (a redirect response
    /// that fails is "Cross-origin redirection to … denied by Cross-Origin Resource Sharing
    /// policy: <reason>"), then "Fetch API cannot load <URL> due to access control checks.".
    /// Mode `same-origin` logs only "Fetch API cannot load <URL>.".
    pub fn webkit_console(&self) -> Vec<String> {
        use CorsError::*;
        let cannot_load = format!(
            "Fetch API cannot load {} due to access control checks.",
            self.url
        );
        let status = self
            .status
            .map_or_else(|| "0".to_string(), |s| s.to_string());
        let reason = match self.error {
            DisallowedByMode => return vec![format!("Fetch API cannot load {}.", self.url)],
            NoCorsRedirectModeNotFollow => {
                return vec![
                    "No-Cors mode requires follow redirect mode".to_string(),
                    "Not allowed to request resource".to_string(),
                    cannot_load,
                ];
            }
            // WebCore CrossOriginAccessControl.cpp: a comma means several origins; any other
            // value that is not the origin (or `*`) is "not allowed".
            MultipleAllowOriginValues if self.failed_parameter.contains(',') => {
                "Access-Control-Allow-Origin cannot contain more than one origin.".to_string()
            }
            MissingAllowOriginHeader
            | MultipleAllowOriginValues
            | InvalidAllowOriginValue
            | AllowOriginMismatch => format!(
                "Origin {} is not allowed by Access-Control-Allow-Origin. Status code: {status}",
                self.sent_origin
            ),
            WildcardOriginNotAllowed => {
                "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
                    .to_string()
            }
            InvalidAllowCredentials => {
                "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"."
                    .to_string()
            }
            // WebKit does not follow a redirected preflight: its status is not ok.
            PreflightInvalidStatus | PreflightDisallowedRedirect => {
                format!("Preflight response is not successful. Status code: {status}")
            }
            InvalidAllowMethodsPreflightResponse => format!(
                "Header Access-Control-Allow-Methods has an invalid value: {}",
                self.detail
            ),
            InvalidAllowHeadersPreflightResponse => format!(
                "Header Access-Control-Allow-Headers has an invalid value: {}",
                self.detail
            ),
            MethodDisallowedByPreflightResponse => format!(
                "Method {} is not allowed by Access-Control-Allow-Methods.",
                self.failed_parameter
            ),
            HeaderDisallowedByPreflightResponse => format!(
                "Request header field {} is not allowed by Access-Control-Allow-Headers.",
                webkit_header_name(&self.failed_parameter)
            ),
            RedirectContainsCredentials => {
                let shown = url::Url::parse(&self.detail).map_or_else(
                    |_| self.detail.clone(),
                    |mut u| {
                        let _ = u.set_username("");
                        let _ = u.set_password(None);
                        u.to_string()
                    },
                );
                format!(
                    "Cross-origin redirection to {shown} denied by Cross-Origin Resource Sharing policy: redirection URL {} has credentials",
                    self.detail
                )
            }
            RedirectNotHttp | InvalidRedirectLocation => format!(
                "Cross-origin redirection to {} denied by Cross-Origin Resource Sharing policy: not allowed to follow a cross-origin CORS redirection with non CORS scheme",
                self.failed_parameter
            ),
            TooManyRedirects => "Load cannot follow more than 20 redirections".to_string(),
            UnexpectedRedirect => format!(
                "Not allowed to follow a redirection while loading {}",
                self.url
            ),
            CorsDisabledScheme => "Cross origin requests are only supported for HTTP.".to_string(),
            InvalidResponse
            | PreflightMissingAllowPrivateNetwork
            | PreflightInvalidAllowPrivateNetwork => return vec![cannot_load],
        };
        // A redirect response that fails its CORS check names where it led.
        let reason = match (&self.redirect_to, self.error.is_cors_check()) {
            (Some(to), true) if !self.preflight => format!(
                "Cross-origin redirection to {to} denied by Cross-Origin Resource Sharing policy: {reason}"
            ),
            _ => reason,
        };
        vec![reason, cannot_load]
    }

    /// The first console line WebKit prints (see [`webkit_console`](Self::webkit_console)).
    pub fn webkit_message(&self) -> String {
        self.webkit_console().into_iter().next().unwrap_or_default()
    }

    /// The first console line Firefox prints (see [`firefox_console`](Self::firefox_console)
    /// for all of them); for a failure Firefox logs no CORS line about, the rejection script sees.
    pub fn firefox_message(&self) -> String {
        self.firefox_console()
            .into_iter()
            .next()
            .unwrap_or_else(|| {
                format!(
                    "NetworkError when attempting to fetch resource. ({})",
                    self.error.name()
                )
            })
    }
}

/// The reason Firefox gives for a failed check (Gecko `nsCORSListenerProxy.cpp`); it counts
/// `Access-Control-Allow-Origin` lines where Chromium parses the combined value.
fn firefox_reason_of(error: CorsError, allow_origin_lines: usize) -> Option<FirefoxReason> {
    use CorsError::*;
    use FirefoxReason as F;
    Some(match error {
        MissingAllowOriginHeader => F::MissingAllowOrigin,
        MultipleAllowOriginValues | InvalidAllowOriginValue | AllowOriginMismatch
            if allow_origin_lines > 1 =>
        {
            F::MultipleAllowOriginNotAllowed
        }
        MultipleAllowOriginValues | InvalidAllowOriginValue | AllowOriginMismatch => {
            F::AllowOriginNotMatchingOrigin
        }
        WildcardOriginNotAllowed => F::NotSupportingCredentials,
        InvalidAllowCredentials => F::MissingAllowCredentials,
        PreflightInvalidStatus => F::PreflightDidNotSucceed,
        PreflightDisallowedRedirect => F::ExternalRedirectNotAllowed,
        InvalidAllowMethodsPreflightResponse => F::InvalidAllowMethod,
        InvalidAllowHeadersPreflightResponse => F::InvalidAllowHeader,
        MethodDisallowedByPreflightResponse => F::MethodNotFound,
        HeaderDisallowedByPreflightResponse => F::MissingAllowHeaderFromPreflight,
        CorsDisabledScheme => F::RequestNotHttp,
        InvalidResponse => F::DidNotSucceed,
        _ => return None,
    })
}

/// A request-header name as WebKit's messages print it: the names WebCore knows
/// (`HTTPHeaderNames.in`) in their registered spelling, any other lowercase, as its header map
/// keeps them.
fn webkit_header_name(lower: &str) -> String {
    const KNOWN: &[&str] = &[
        "Accept",
        "Accept-Charset",
        "Accept-Encoding",
        "Accept-Language",
        "Authorization",
        "Cache-Control",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Type",
        "Cookie",
        "DNT",
        "Date",
        "ETag",
        "Expires",
        "If-Match",
        "If-Modified-Since",
        "If-None-Match",
        "If-Range",
        "If-Unmodified-Since",
        "Origin",
        "Pragma",
        "Range",
        "Referer",
        "User-Agent",
        "X-Requested-With",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(lower))
        .map_or_else(|| lower.to_ascii_lowercase(), |k| (*k).to_string())
}

/// Blink's `EncodeHint`: printable ASCII kept, anything else as `\uXXXX`.
fn encode_hint(hint: &str) -> String {
    let mut out = String::with_capacity(hint.len());
    for c in hint.chars() {
        if (' '..='~').contains(&c) {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04X}"));
            }
        }
    }
    out
}

impl fmt::Display for CorsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (Fetch {})", self.chromium_message(), self.anchor())
    }
}

impl std::error::Error for CorsFailure {}
