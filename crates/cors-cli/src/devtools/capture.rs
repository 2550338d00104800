//! What a copied request holds ([`Captured`]), why a copy could not be read ([`ImportError`]),
//! and the request arguments read back from it ([`import`]): the floor every DevTools reader
//! stands on.

use crate::check::imported::ImportedReport;
use crate::check::request::{BodyKind, CredentialsArg, ModeArg, RequestArgs};
use cors::vocab::safelist::is_forbidden_request_header_name;

/// Why an input could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// A stable code, e.g. `unknown-option`, `unterminated-quote`, `not-json`, `not-har`.
    pub code: &'static str,
    /// What is wrong, for people.
    pub message: String,
    /// The byte offset in the input.
    pub offset: usize,
}

impl ImportError {
    /// `line L, column C: message`, with the offending line and a caret under the column.
    pub fn render(&self, input: &str) -> String {
        let at = floor_char_boundary(input, self.offset.min(input.len()));
        let line_start = input[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = input[at..].find('\n').map_or(input.len(), |i| at + i);
        let line_no = input[..at].matches('\n').count() + 1;
        let column = input[line_start..at].chars().count() + 1;
        let text: String = input[line_start..line_end].chars().take(200).collect();
        let pad: String = input[line_start..at]
            .chars()
            .take(200)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "line {line_no}, column {column}: {} [{}]\n  {text}\n  {pad}^",
            self.message, self.code
        )
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A request as a copy or a recording shows it: what the browser sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    /// The URL.
    pub url: String,
    /// Byte offset of the URL in the input (for errors about it).
    pub url_offset: usize,
    /// The method, when known.
    pub method: Option<String>,
    /// Every request header, as recorded (browser-added ones included).
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Option<String>,
    /// `fetch()`'s `mode` option.
    pub mode: Option<String>,
    /// `fetch()`'s `credentials` option.
    pub credentials: Option<String>,
    /// `fetch()`'s `referrer` option.
    pub referrer: Option<String>,
    /// `curl -u`: HTTP authentication, which only a credentialed request sends.
    pub http_auth: bool,
    /// `curl --insecure`.
    pub insecure: bool,
    /// What the reader itself inferred from the copy's shape, one sentence each (carried into
    /// [`Imported::notes`]).
    pub notes: Vec<String>,
}

impl Captured {
    /// The first header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The note of a cross-origin request whose credentials mode nothing showed (the fetch()
/// default taken); a reader that later learns the mode drops it.
pub const SAME_ORIGIN_TAKEN: &str = "no cookies in the request: credentials same-origin (the fetch() default) is taken; with credentials include the server must also send Access-Control-Allow-Credentials";

/// A captured request as `check` and `explain` take it.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The URL script fetched.
    pub url: String,
    /// The request options (`--origin`, `-X`, `-H`…), as if given on the command line.
    pub args: RequestArgs,
    /// What was inferred and which default was taken, one sentence each.
    pub notes: Vec<String>,
    /// Headers the browser added (not script), left out: their names as recorded.
    pub browser_headers: Vec<String>,
    /// `curl --insecure` was given.
    pub insecure: bool,
}

/// Whether the browser, not script, put `name` on the request, and why it is so taken.
/// Forbidden request-header names (Fetch #forbidden-request-header) script cannot set at all;
/// the others are headers every browser adds on its own.
pub fn browser_added(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with(':')
        || is_forbidden_request_header_name(lower.as_bytes())
        || matches!(
            lower.as_str(),
            // Chromium forbids script to set it; Firefox lets script set it, but what a copy
            // shows is the browser's own.
            "user-agent"
                // RFC 9218 priorities (Firefox, Chromium over HTTP/2 and 3).
                | "priority"
                // Navigation-only, and Chromium's Google-only header.
                | "upgrade-insecure-requests"
                | "x-client-data"
                | "purpose"
                | "sec-purpose"
        )
}

fn origin_of_url(s: &str) -> Option<String> {
    let u = url::Url::parse(s).ok()?;
    let o = u.origin();
    o.is_tuple().then(|| o.ascii_serialization())
}

/// Turns a captured request into `check`/`explain` arguments. `base` holds the options given
/// on the command line (`--origin`, `--browser`…): `--origin` is used when the copy has no
/// `Origin` header.
pub fn import(c: &Captured, base: &RequestArgs) -> Result<Imported, ImportError> {
    let at = |code, message: String| ImportError {
        code,
        message,
        offset: c.url_offset,
    };
    let url = url::Url::parse(&c.url).map_err(|e| {
        at(
            "bad-url",
            format!("`{}` is not an absolute URL: {e}", c.url),
        )
    })?;
    let mut notes = c.notes.clone();
    let mut args = base.clone();
    // The page's origin (Fetch #origin-header): the browser's Origin header, else --origin,
    // else the Referer (or fetch()'s referrer), which the default referrer policy
    // (strict-origin-when-cross-origin) trims to at least the origin.
    let origin = if let Some(o) = c.header("origin") {
        if let Some(given) = &base.origin {
            if given != o {
                notes.push(format!(
                    "the copy's Origin `{o}` is taken, not --origin `{given}`"
                ));
            }
        }
        o.to_string()
    } else if let Some(given) = &base.origin {
        given.clone()
    } else if let Some(o) = c
        .header("referer")
        .or(c.referrer.as_deref())
        .and_then(origin_of_url)
    {
        notes.push(format!(
            "no Origin header: the page's origin `{o}` is taken from the referrer (give --origin to say otherwise)"
        ));
        o
    } else {
        return Err(at(
            "no-origin",
            "the request has no Origin or Referer header, so the page's origin is unknown: give --origin".into(),
        ));
    };
    let same_origin = origin_of_url(url.as_str()).is_some_and(|u| u == origin);
    args.origin = Some(origin);
    args.method = c.method.clone();
    // Mode: what the browser recorded (Sec-Fetch-Mode) over what a copied fetch() call says
    // (both DevTools write `mode: "cors"` whatever the request was).
    let sec_mode = c.header("sec-fetch-mode").map(str::to_ascii_lowercase);
    let mode = match (sec_mode.as_deref(), c.mode.as_deref()) {
        (Some(m), _) => Some((m.to_string(), "Sec-Fetch-Mode")),
        (None, Some(m)) => Some((m.to_string(), "the mode option")),
        (None, None) => None,
    };
    args.mode = match mode.as_ref().map(|(m, from)| (m.as_str(), *from)) {
        Some(("cors", _)) | None => {
            if mode.is_none() {
                notes.push(
                    "no Sec-Fetch-Mode header: mode cors (the fetch() default) is taken".into(),
                );
            }
            ModeArg::Cors
        }
        Some(("no-cors", _)) => ModeArg::NoCors,
        Some(("same-origin", _)) => ModeArg::SameOrigin,
        Some((m @ ("navigate" | "nested-navigate" | "websocket" | "webtransport"), _)) => {
            return Err(at(
                "not-a-fetch",
                format!(
                    "Sec-Fetch-Mode `{m}`: a navigation or WebSocket, which CORS does not govern: copy the fetch()/XHR request instead"
                ),
            ));
        }
        Some((m, from)) => {
            return Err(at(
                "bad-mode",
                format!("{from} `{m}` is not a request mode (cors, no-cors, same-origin)"),
            ));
        }
    };
    // Credentials: the copied fetch() call says; else cookies or HTTP authentication on a
    // cross-origin request show `include` (only then does a browser attach them,
    // Fetch #concept-request-credentials-mode).
    let has_cookie = c.header("cookie").is_some();
    args.credentials = match c.credentials.as_deref() {
        Some("omit") => CredentialsArg::Omit,
        Some("same-origin") => CredentialsArg::SameOrigin,
        Some("include") => CredentialsArg::Include,
        Some(other) => {
            return Err(at(
                "bad-credentials",
                format!("credentials `{other}` is not omit, same-origin or include"),
            ));
        }
        None if (has_cookie || c.http_auth) && !same_origin => {
            notes.push(format!(
                "{} sent to another origin: credentials include",
                if has_cookie {
                    "cookies"
                } else {
                    "HTTP authentication"
                }
            ));
            CredentialsArg::Include
        }
        None => {
            if !same_origin {
                notes.push(SAME_ORIGIN_TAKEN.into());
            }
            CredentialsArg::SameOrigin
        }
    };
    let mut browser_headers = Vec::new();
    args.headers = Vec::new();
    for (n, v) in &c.headers {
        if browser_added(n) {
            browser_headers.push(n.clone());
        } else {
            args.headers.push(format!("{n}: {v}"));
        }
    }
    if !browser_headers.is_empty() {
        notes.push(format!(
            "left out as added by the browser, not script: {}",
            browser_headers.join(", ")
        ));
    }
    args.data = c.body.clone();
    args.body_kind = match &c.body {
        None => None,
        // fetch() gives a string body `text/plain;charset=UTF-8` unless script set a type:
        // a body sent without any Content-Type was bytes (a Blob without type, an ArrayBuffer).
        Some(_) if c.header("content-type").is_some() => Some(BodyKind::Text),
        Some(_) => {
            notes.push(
                "a body without Content-Type: script sent bytes (ArrayBuffer, Blob), not a string"
                    .into(),
            );
            Some(BodyKind::Bytes)
        }
    };
    Ok(Imported {
        url: url.to_string(),
        args,
        notes,
        browser_headers,
        insecure: c.insecure,
    })
}

/// The `imported` member of the report for an import (`from`: `curl`, `fetch` or `har`).
pub fn report_of(from: &'static str, i: &Imported) -> ImportedReport {
    ImportedReport {
        from,
        notes: i.notes.clone(),
        browser_headers: i.browser_headers.clone(),
        har: None,
    }
}

/// Prints the notes of an import on standard error (the human report's companion).
pub fn print_notes(tool: &str, i: &Imported) {
    for n in &i.notes {
        eprintln!("{tool}: note: {n}");
    }
}
