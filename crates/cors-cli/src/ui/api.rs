//! The JSON API of `cors ui`: the page's form, as data, turned into the very options `cors
//! explain` and `cors check` parse (`RequestArgs`), and answered with their `--json` objects.
//! No CORS rule lives here; the engine decides, `explain.rs` and `check/` report.
//!
//! The page sends one [`Form`] per browser; `/api/explain` answers with the object `cors explain
//! --json` prints for the same options, `/api/check` with the one `cors check --json` prints.
//!
//! **Pasted requests.** `/api/paste` takes `{kind, text}` ("Copy as cURL", "Copy as fetch" or
//! a HAR file's text) and answers with the [`Form`]s it describes, read by the same code as
//! `cors check --curl/--fetch/--har` (`crate::devtools`). A HAR comes with one [`Choice`] per
//! form (method, URL, and what the browser recorded, as `cors explain --har --json` reports it
//! in `imported.har`): the page lists them when there are several and fills its form from the
//! one chosen.

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

/// The kinds of text `/api/paste` understands: DevTools' "Copy as cURL" (bash or cmd) and
/// "Copy as fetch", and a HAR file — read by the same code as `cors check --curl/--fetch/--har`.
pub const PASTE_KINDS: &[&str] = &["curl", "fetch", "har"];

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

/// The flag spelling of a keyword option (`same-origin`, `no-cors`…).
fn keyword_name<T: ValueEnum>(v: &T) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

impl Form {
    /// The form that holds `args` for `url`: [`Form::to_args`] read backwards.
    fn from_args(url: &str, a: &RequestArgs) -> Form {
        Form {
            url: url.to_string(),
            origin: a.origin.clone().unwrap_or_default(),
            method: a.method.clone().unwrap_or_default(),
            headers: a
                .headers
                .iter()
                .chain(&a.headers_escaped)
                .cloned()
                .collect(),
            data: a.data.clone().unwrap_or_default(),
            body: a.body_kind.as_ref().map(keyword_name).unwrap_or_default(),
            credentials: keyword_name(&a.credentials),
            mode: keyword_name(&a.mode),
            redirect: keyword_name(&a.redirect),
            browser: keyword_name(&a.browser),
            private_network: a.private_network,
        }
    }
}

/// One request of a pasted HAR, as the page lists it to choose from.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    /// The method the HAR records.
    pub method: String,
    /// The URL the HAR records.
    pub url: String,
    /// The page's origin it was made from.
    pub origin: String,
    /// What the browser recorded: the entries, the status, blocked or not (the `imported.har`
    /// member of `cors explain --har --json`; `agrees` is always `null` here).
    pub har: crate::check::imported::HarFacts,
}

/// What `/api/paste` answers: the forms, and for a HAR one [`Choice`] per form (same order).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Pasted {
    /// The forms the text describes, in file order.
    pub forms: Vec<Form>,
    /// For a HAR: what each form's entry recorded; empty for a copied request.
    pub choices: Vec<Choice>,
}

/// `/api/paste`: the forms a pasted DevTools request describes (a HAR file: one per
/// cross-origin request in it, in file order, with its [`Choice`]).
pub fn paste(p: &Paste) -> Result<Pasted, ApiError> {
    use crate::devtools::{capture, curl, fetch, har};
    let base = Form {
        origin: p.origin.clone(),
        ..Form::default()
    }
    .to_args()?;
    let unreadable = |e: capture::ImportError| {
        ApiError::new("bad-request", format!("{}: {}", p.kind, e.render(&p.text)))
    };
    match p.kind.as_str() {
        "curl" | "fetch" => {
            let read = if p.kind == "curl" {
                curl::parse(&p.text)
            } else {
                fetch::parse(&p.text)
            };
            let i = read
                .and_then(|c| capture::import(&c, &base))
                .map_err(unreadable)?;
            Ok(Pasted {
                forms: vec![Form::from_args(&i.url, &i.args)],
                choices: Vec::new(),
            })
        }
        "har" => {
            let h = har::read(p.text.as_bytes())
                .map_err(|e| ApiError::new("bad-request", format!("har: {e}")))?;
            let (forms, choices): (Vec<Form>, Vec<Choice>) =
                har::exchanges(&h, base.origin.as_deref())
                    .iter()
                    .filter_map(|x| {
                        let entry = &h.entries[x.actual];
                        let mut b = base.clone();
                        b.origin = Some(x.origin.clone());
                        let i = capture::import(&har::captured(entry), &b).ok()?;
                        let choice = Choice {
                            method: entry.request.method.clone(),
                            url: entry.request.url.clone(),
                            origin: x.origin.clone(),
                            har: x.facts(&h),
                        };
                        Some((Form::from_args(&i.url, &i.args), choice))
                    })
                    .unzip();
            if forms.is_empty() {
                return Err(ApiError::new(
                    "bad-request",
                    format!(
                        "har: none of its {} entries is a cross-origin request",
                        h.entries.len()
                    ),
                ));
            }
            Ok(Pasted { forms, choices })
        }
        k => Err(ApiError::new(
            "bad-request",
            format!("kind `{k}`: expected one of {}", PASTE_KINDS.join(", ")),
        )),
    }
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

    /// A pasted copy fills the form with what `cors explain --curl/--fetch` reads from it, and
    /// explaining that form gives the same object as the flags (one reader, two fronts).
    #[test]
    fn pasted_copies_fill_the_form() {
        let curl = Paste {
            kind: "curl".into(),
            text: "curl 'https://api.example/items' -X 'PUT' -H 'Origin: https://app.example' \\\n  -H 'Content-Type: application/json' -H 'sec-fetch-mode: cors' --data-raw '{}'".into(),
            origin: String::new(),
        };
        let pasted = paste(&curl).unwrap();
        assert!(pasted.choices.is_empty());
        let forms = pasted.forms;
        assert_eq!(forms.len(), 1);
        let f = &forms[0];
        assert_eq!(
            (f.url.as_str(), f.origin.as_str(), f.method.as_str()),
            ("https://api.example/items", "https://app.example", "PUT")
        );
        assert_eq!(
            f.headers,
            vec!["Content-Type: application/json".to_string()]
        );
        assert_eq!((f.data.as_str(), f.mode.as_str()), ("{}", "cors"));
        let e = explain(f).unwrap();
        assert_eq!(serde_json::to_value(&e).unwrap()["route"], "preflight");

        let fetch = Paste {
            kind: "fetch".into(),
            text: r#"fetch("https://api.example/me", {"credentials": "include", "mode": "cors", "method": "GET"});"#.into(),
            origin: "https://app.example".into(),
        };
        let f = &paste(&fetch).unwrap().forms[0];
        assert_eq!(
            (f.origin.as_str(), f.credentials.as_str()),
            ("https://app.example", "include")
        );

        for (kind, text) in [
            ("curl", "curl 'https://a.example/' --frobnicate"),
            ("fetch", "fetch(\"x\", {"),
            ("har", "{\"log\": 1}"),
            ("zip", "x"),
        ] {
            let e = paste(&Paste {
                kind: kind.into(),
                text: text.into(),
                origin: String::new(),
            })
            .unwrap_err();
            assert_eq!(e.status(), 400, "{kind}: {e:?}");
            assert!(
                e.message.starts_with(kind) || e.message.contains(kind),
                "{e:?}"
            );
        }
        assert_eq!(PASTE_KINDS, ["curl", "fetch", "har"]);
    }
}
