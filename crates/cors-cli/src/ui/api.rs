//! The JSON API of `cors ui`: the page's form, as data, turned into the very options `cors
//! explain` and `cors check` parse (`RequestArgs`), and answered with their `--json` objects.
//! No CORS rule lives here; the engine decides, `explain.rs` and `check/` report.
//!
//! The page sends one [`Form`] per browser; `/api/explain` answers with the object `cors explain
//! --json` prints for the same options, `/api/check` with the one `cors check --json` prints.
//!
//! **Seam for pasted requests.** `/api/paste` takes `{kind, text}` ("Copy as cURL", "Copy as
//! fetch" or a HAR file) and answers with the [`Form`]s it describes; [`paste`] is the one place
//! a parser plugs in (the DevTools inputs of `cors check --curl/--fetch/--har`, issue 18). Until
//! then [`PASTE_KINDS`] is empty, `/api/info` says so and the page offers the form only.

use crate::check::request::{
    BodyKind, BrowserArg, CredentialsArg, ModeArg, RedirectArg, RequestArgs, parse_url,
};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What the page's form holds: the `fetch()` call, as `cors explain` and `cors check` take it.
/// Every field is the flag of the same name, as text (`headers`: `-H` values, `Name: value`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Form {
    /// `--url`: the URL script fetches.
    pub url: String,
    /// `--origin`: the page's origin (`null` for an opaque one).
    pub origin: String,
    /// `-X`; empty: GET, or POST with a body.
    pub method: String,
    /// `-H`, each `Name: value`, in order.
    pub headers: Vec<String>,
    /// `--data`; empty: none.
    pub data: String,
    /// `--body`: `text`, `params`, `bytes`, `stream`; empty: none (text with data).
    pub body: String,
    /// `--credentials`: `omit`, `same-origin` (empty), `include`.
    pub credentials: String,
    /// `--mode`: `cors` (empty), `no-cors`, `same-origin`.
    pub mode: String,
    /// `--redirect`: `follow` (empty), `error`, `manual`.
    pub redirect: String,
    /// `--browser`: `chromium` (empty), `firefox`, `safari`, `spec`.
    pub browser: String,
    /// `--private-network`.
    pub private_network: bool,
}

/// An error, as data: a stable code and a sentence (the HTTP status goes with the code).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ApiError {
    /// `bad-request`, `bad-json`, `forbidden`, `not-found`, `method-not-allowed`,
    /// `too-large`, `unsupported-media-type`, `paste-unsupported`.
    pub code: &'static str,
    /// What was wrong, for people.
    pub message: String,
}

impl ApiError {
    /// An error of `code`.
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
    /// The HTTP status that goes with the code.
    pub fn status(&self) -> u16 {
        match self.code {
            "forbidden" => 403,
            "not-found" => 404,
            "method-not-allowed" => 405,
            "too-large" => 413,
            "unsupported-media-type" => 415,
            "paste-unsupported" => 501,
            _ => 400,
        }
    }
}

fn keyword<T: ValueEnum>(field: &str, value: &str, default: T) -> Result<T, ApiError> {
    if value.is_empty() {
        return Ok(default);
    }
    T::from_str(value, false).map_err(|_| {
        let allowed: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        ApiError::new(
            "bad-request",
            format!("{field} `{value}`: expected one of {}", allowed.join(", ")),
        )
    })
}

impl Form {
    /// The options `cors explain` / `cors check` would parse from the same flags.
    pub fn to_args(&self) -> Result<RequestArgs, ApiError> {
        Ok(RequestArgs {
            origin: Some(self.origin.trim().to_string()).filter(|o| !o.is_empty()),
            method: (!self.method.is_empty()).then(|| self.method.clone()),
            headers: self.headers.clone(),
            headers_escaped: Vec::new(),
            data: (!self.data.is_empty()).then(|| self.data.clone()),
            body_kind: if self.body.is_empty() {
                None
            } else {
                Some(keyword::<BodyKind>("body", &self.body, BodyKind::Text)?)
            },
            credentials: keyword("credentials", &self.credentials, CredentialsArg::SameOrigin)?,
            mode: keyword("mode", &self.mode, ModeArg::Cors)?,
            redirect: keyword("redirect", &self.redirect, RedirectArg::Follow)?,
            browser: keyword("browser", &self.browser, BrowserArg::Chromium)?,
            private_network: self.private_network,
        })
    }

    fn request(&self) -> Result<(RequestArgs, cors::agent::Request), ApiError> {
        let args = self.to_args()?;
        let url =
            parse_url(self.url.trim(), "url").map_err(|e| ApiError::new("bad-request", e.0))?;
        let req = args
            .to_request(url)
            .map_err(|e| ApiError::new("bad-request", e.0))?;
        Ok((args, req))
    }
}

/// `/api/explain`: the object `cors explain --json` prints for the form's options.
pub fn explain(form: &Form) -> Result<crate::explain::Explanation, ApiError> {
    let (args, req) = form.request()?;
    Ok(crate::explain::explain(&args, &req))
}

/// The live mode's limits: `cors check --timeout` for each response head.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// `/api/check`: sends the requests (this is the live mode) and answers with the object `cors
/// check --json` prints. Each run starts with an empty preflight cache, as `cors check` does
/// without `--preflight-cache`.
pub async fn check(
    client: &crate::http::Client,
    form: &Form,
) -> Result<crate::check::report::CheckReport, ApiError> {
    let (args, req) = form.request()?;
    let mut cache = cors::agent::PreflightCache::new(args.profile());
    Ok(crate::check::live_report(client, &args, &req, &mut cache).await)
}

/// The kinds of text `/api/paste` understands (`curl`, `fetch`, `har` once issue 18's parsers
/// exist). Empty: the page shows the form only.
pub const PASTE_KINDS: &[&str] = &[];

/// What `/api/paste` receives.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paste {
    /// `curl`, `fetch` or `har`.
    pub kind: String,
    /// The text pasted (or the HAR file's content).
    pub text: String,
    /// The page's origin, when the pasted text does not say (a cURL command has no `Origin`
    /// unless DevTools copied one).
    #[serde(default)]
    pub origin: String,
}

/// `/api/paste`: the forms a pasted DevTools request describes (a HAR file may hold several).
///
/// TODO(issue 18): call the `--curl` / `--fetch` / `--har` parsers here and list their kinds in
/// [`PASTE_KINDS`]; the page fills its form from the answer and needs no change.
pub fn paste(p: &Paste) -> Result<Vec<Form>, ApiError> {
    let _ = (&p.text, &p.origin);
    Err(ApiError::new(
        "paste-unsupported",
        format!(
            "this build cannot read pasted `{}` text yet: fill in the form instead",
            p.kind
        ),
    ))
}

/// `/api/info`: what the page needs to know about this build.
#[derive(Debug, Serialize)]
pub struct Info {
    /// The `cors` version.
    pub version: &'static str,
    /// The browser profiles the page shows, in column order.
    pub browsers: [&'static str; 3],
    /// What `/api/paste` reads ([`PASTE_KINDS`]).
    pub paste: &'static [&'static str],
}

/// The answer to `/api/info`.
pub fn info() -> Info {
    Info {
        version: env!("CARGO_PKG_VERSION"),
        browsers: ["chromium", "firefox", "safari"],
        paste: PASTE_KINDS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_take_the_flags_defaults_and_bad_keywords_are_errors() {
        let form = Form {
            url: "https://api.example/x".into(),
            origin: "https://app.example".into(),
            ..Form::default()
        };
        let args = form.to_args().unwrap();
        assert_eq!(args.credentials, CredentialsArg::SameOrigin);
        assert_eq!(args.mode, ModeArg::Cors);
        assert_eq!(args.browser, BrowserArg::Chromium);
        assert_eq!(args.method, None);
        assert_eq!(args.body_kind, None);

        let bad = Form {
            credentials: "sometimes".into(),
            ..form.clone()
        };
        let e = bad.to_args().unwrap_err();
        assert_eq!(e.code, "bad-request");
        assert!(e.message.contains("omit, same-origin, include"), "{e:?}");

        let bad_url = Form {
            url: "/relative".into(),
            ..form
        };
        assert_eq!(explain(&bad_url).unwrap_err().status(), 400);
    }

    #[test]
    fn paste_is_a_clear_error_until_a_parser_exists() {
        let e = paste(&Paste {
            kind: "curl".into(),
            text: "curl https://a.example".into(),
            origin: String::new(),
        })
        .unwrap_err();
        assert_eq!((e.code, e.status()), ("paste-unsupported", 501));
        assert!(PASTE_KINDS.is_empty());
    }
}
