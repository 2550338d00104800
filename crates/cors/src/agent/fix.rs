//! "The fix": the minimal response headers a server must send for a request to pass, and what a
//! given failure asks the server to change. Used by `cors explain` (no network) and `cors check`.

use super::classify::Plan;
use super::failure::{CorsError, CorsFailure};
use super::request::{CredentialsMode, Request};
use crate::vocab::safelist::is_cors_safelisted_method;

/// Response headers that make a request pass, per response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fix {
    /// Headers the preflight response needs (empty when no preflight is needed); its status
    /// must be 200–299 and it must not redirect.
    pub preflight: Vec<(String, String)>,
    /// Headers every response of the actual request needs, redirects included.
    pub actual: Vec<(String, String)>,
    /// What else to change, in words (one sentence each).
    pub notes: Vec<String>,
}

/// The minimal response headers for `request` (classified as `plan`) to pass, and, when a
/// `failure` is given, notes on what to change for that failure.
///
/// ```
/// use cors::agent::{classify, required_response_headers, CredentialsMode, Profile, Request};
/// use cors::vocab::Origin;
/// let req = Request::new(Origin::parse("https://app.example").unwrap(), "https://api.example/x".parse().unwrap())
///     .with_method("DELETE")
///     .with_header("Authorization", "Bearer t")
///     .with_credentials(CredentialsMode::Include);
/// let plan = classify(&req, Profile::Spec).unwrap();
/// let fix = required_response_headers(&req, &plan, None);
/// assert!(fix.preflight.contains(&("Access-Control-Allow-Methods".into(), "DELETE".into())));
/// assert!(fix.preflight.contains(&("Access-Control-Allow-Headers".into(), "authorization".into())));
/// assert!(fix.actual.contains(&("Access-Control-Allow-Credentials".into(), "true".into())));
/// ```
pub fn required_response_headers(
    request: &Request,
    plan: &Plan,
    failure: Option<&CorsFailure>,
) -> Fix {
    let mut fix = Fix::default();
    if !matches!(plan.route, super::Route::Simple | super::Route::Preflight) && failure.is_none() {
        return fix;
    }
    let include = request.credentials == CredentialsMode::Include;
    let origin = failure
        .map(|f| f.sent_origin.clone())
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| request.origin.as_str().to_string());
    let mut common = vec![("Access-Control-Allow-Origin".to_string(), origin.clone())];
    if include {
        common.push(("Access-Control-Allow-Credentials".into(), "true".into()));
    }
    fix.actual = common.clone();
    if plan.needs_preflight() {
        fix.preflight = common;
        if !is_cors_safelisted_method(plan.method.as_bytes()) {
            fix.preflight
                .push(("Access-Control-Allow-Methods".into(), plan.method.clone()));
        }
        if let Some(names) = plan.access_control_request_headers() {
            fix.preflight.push((
                "Access-Control-Allow-Headers".into(),
                names.replace(',', ", "),
            ));
        }
        if request.private_network {
            fix.preflight
                .push(("Access-Control-Allow-Private-Network".into(), "true".into()));
        }
    }
    if !include {
        fix.notes.push(
            "Without credentials, `Access-Control-Allow-Origin: *` works as well as the exact origin."
                .into(),
        );
    }
    if origin == "null" && !request.origin.is_opaque() {
        fix.notes.push("A redirect to another origin made the request's origin `null`; the server after the redirect must allow `null` (or `*` without credentials), or the redirect must go away.".into());
    }
    if let Some(f) = failure {
        let note = match f.error {
            CorsError::PreflightInvalidStatus => Some(
                "Answer the OPTIONS preflight with a status from 200 to 299 (204 is usual), without requiring authentication.",
            ),
            CorsError::PreflightDisallowedRedirect => Some(
                "Answer the OPTIONS preflight at this URL itself: a preflight never follows a redirect.",
            ),
            CorsError::MultipleAllowOriginValues => Some(
                "Send exactly one Access-Control-Allow-Origin header with one value (check that a proxy and the application do not both add it).",
            ),
            CorsError::InvalidAllowMethodsPreflightResponse
            | CorsError::InvalidAllowHeadersPreflightResponse => Some(
                "List plain tokens separated by commas; quotes, slashes, spaces inside names and other separators make the whole list invalid.",
            ),
            CorsError::RedirectContainsCredentials => {
                Some("Redirect to a URL without `user:password@`.")
            }
            CorsError::DisallowedByMode => Some(
                "No response header helps: the page asked for mode `same-origin`; use mode `cors`.",
            ),
            CorsError::CorsDisabledScheme | CorsError::RedirectNotHttp => {
                Some("No response header helps: CORS works only over http and https.")
            }
            CorsError::TooManyRedirects => {
                Some("No response header helps: shorten the redirect chain to at most 20 hops.")
            }
            CorsError::UnexpectedRedirect => Some(
                "No response header helps: the page asked for redirect mode `error`; serve the resource without a redirect.",
            ),
            CorsError::NoCorsRedirectModeNotFollow => {
                Some("No response header helps: mode `no-cors` requires redirect mode `follow`.")
            }
            CorsError::WildcardOriginNotAllowed => Some(
                "With credentials, `*` is not allowed: echo the request's origin instead (and add `Vary: Origin`).",
            ),
            _ => None,
        };
        fix.notes.extend(note.map(String::from));
    }
    fix
}
