//! `cors explain`: what a browser would do with a request, without sending anything — simple or
//! preflighted and every reason, the preflight it would send, the minimal response headers that
//! make it pass (checked by running the engine on them), and how the request could be made simple.

use crate::check::fix::{ServerFix, server_fix};
use crate::check::human::{Style, render_fix, render_heading};
use crate::check::report::{RefusalReport, RequestSummary, failure_sentence, request_summary};
use crate::check::request::{self, RequestArgs};
use cors::agent::{
    Action, Body, Fetch, Outgoing, PreflightCache, PreflightReason, Profile, Request, Response,
    Route, classify,
};
use cors::vocab::grammar::normalize_header_value;
use cors::vocab::safelist::UnsafeHeaderReason;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

const LONG_ABOUT: &str = r#"Explain what a browser would do with a request — without sending it.

`cors explain` classifies the request as a page's fetch() at --origin would: same-origin,
no-cors, simple, or preflighted — with every reason for the preflight (the method, each
CORS-unsafe header and the rule its value broke). It shows the preflight a browser would send,
then the minimal response headers that make the request pass (checked by running the browser
engine on them), with snippets for this project's policy, a `cors serve` route, nginx and
Apache. When the request could be made simple — `Content-Type: text/plain` instead of
`application/json`, a custom header moved into the URL or body — it says how, and checks that
the changed request is indeed simple.

Examples:

  cors explain --url https://api.example.com/items --origin https://app.example.com \
      -X POST -H 'Content-Type: application/json' --data '{"a":1}'

  cors explain --url https://api.example.com/me --origin https://app.example.com \
      -H 'Authorization: Bearer t' --credentials include --json | jq .make_simple

  # What DevTools copied: "Copy as cURL", "Copy as fetch", or a whole HAR, offline
  cors explain --curl 'curl "https://api.example.com/items" -H "Origin: https://app.example.com" -H "X-Token: 1"'
  cors explain --origin https://app.example.com \
      --fetch 'fetch("https://api.example.com/items", {"method": "DELETE", "mode": "cors"});'
  cors explain --har session.har --only-failures --json

Exit status: 0 explained; 1 the request can never succeed (fetch() throws, or the browser
blocks it before sending, e.g. mode same-origin to another origin); 2 bad arguments.

--json prints one object:
  url, origin, browser    as given (`null` for an opaque origin)
  request                 the request as fetch() sends it (see `cors check --help`)
  route                   same-origin | no-cors | simple | preflight | blocked | refused
  simple                  true when no preflight is needed
  preflight_reasons       every reason for a preflight, one sentence each
  reasons                 the same as data: [{kind: method | header | flag | private-network,
                           name, code, message}] (code: name-not-safelisted, value-too-long,
                           unsafe-byte, content-type-unparsable, content-type-not-safelisted,
                           range-not-simple, total-too-long for headers)
  request_method_header   Access-Control-Request-Method of the preflight, or null
  request_headers_header  Access-Control-Request-Headers of the preflight, or null
  preflight_request       {method, url, headers} a browser would send, or null
  actual_request          {method, url, headers, credentials}, or null
  required                {url, by_headers, preflight: {status, headers} | null,
                           actual: {headers}, notes, snippets, verified} — the minimal
                           response headers; verified: the engine passes the request with them
  make_simple             null when already simple (or not CORS); else {possible, changes,
                           request: {method, headers, body} | null} — the changed request,
                           checked to be simple
  blocked                 {cors_error, message} when the browser blocks it before sending
  refusal                 {code, message, anchor} when fetch() throws
  imported                with --curl, --fetch or --har only: {from, notes, browser_headers,
                           har} (see `cors check --help`); with --har, an array of objects"#;

/// Explain a request without sending it: simple or preflighted, why, and what the server must send.
#[derive(clap::Args, Debug)]
#[command(
    about = "Explain a request without sending it: simple or preflighted, why, and what the server must send",
    long_about = LONG_ABOUT
)]
pub struct ExplainArgs {
    /// The URL script fetches.
    #[arg(long, value_name = "URL", required_unless_present_any = ["curl", "fetch", "har"], conflicts_with_all = ["curl", "fetch", "har"])]
    pub url: Option<String>,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub devtools: crate::check::imported::DevtoolsArgs,

    /// Print one JSON object (see above).
    #[arg(long)]
    pub json: bool,
}

/// The `--json` object.
#[derive(Debug, Serialize)]
pub struct Explanation {
    url: String,
    origin: String,
    browser: &'static str,
    request: RequestSummary,
    route: &'static str,
    simple: bool,
    preflight_reasons: Vec<String>,
    reasons: Vec<ReasonReport>,
    request_method_header: Option<String>,
    request_headers_header: Option<String>,
    preflight_request: Option<WireRequest>,
    actual_request: Option<WireRequest>,
    required: Option<Required>,
    make_simple: Option<MakeSimple>,
    blocked: Option<Blocked>,
    refusal: Option<RefusalReport>,
    /// With --curl, --fetch or --har: what was read from the browser's copy or recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<crate::check::imported::ImportedReport>,
}

#[derive(Debug, Serialize)]
struct ReasonReport {
    kind: &'static str,
    name: Option<String>,
    code: Option<&'static str>,
    message: String,
}

#[derive(Debug, Serialize)]
struct WireRequest {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credentials: Option<bool>,
}

#[derive(Debug, Serialize)]
struct Required {
    #[serde(flatten)]
    fix: ServerFix,
    /// The engine passes the request when the responses carry exactly these headers.
    verified: bool,
}

#[derive(Debug, Serialize)]
struct MakeSimple {
    possible: bool,
    changes: Vec<String>,
    request: Option<SimpleRequest>,
}

#[derive(Debug, Serialize)]
struct SimpleRequest {
    method: String,
    headers: Vec<(String, String)>,
    body: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct Blocked {
    cors_error: Option<String>,
    message: String,
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn wire(o: &Outgoing, with_credentials: bool) -> WireRequest {
    WireRequest {
        method: o.method.clone(),
        url: o.url.to_string(),
        headers: o
            .headers
            .iter()
            .map(|(n, v)| (latin1(n), latin1(v)))
            .collect(),
        credentials: with_credentials.then_some(o.include_credentials),
    }
}

fn response_with(status: u16, headers: &[(String, String)]) -> Response {
    let mut r = Response::new(status);
    for (n, v) in headers {
        r = r.with_header(n, v);
    }
    r
}

/// Runs the engine with responses carrying exactly the fix's headers: the requests a browser
/// sends (preflight, actual) and whether it then passes.
fn simulate(
    request: &Request,
    profile: Profile,
    fix: Option<&ServerFix>,
) -> (Option<Outgoing>, Option<Outgoing>, bool) {
    let Ok(mut fetch) = Fetch::new(request.clone(), profile) else {
        return (None, None, false);
    };
    let mut cache = PreflightCache::new(profile);
    let now = Duration::ZERO;
    let (mut preflight, mut actual) = (None, None);
    for _ in 0..4 {
        match fetch.next_action(&cache, now) {
            Action::SendPreflight(o) => {
                preflight = Some(o);
                let Some(pf) = fix.and_then(|f| f.preflight.as_ref()) else {
                    return (preflight, actual, false);
                };
                fetch.on_response(
                    response_with(pf.status.unwrap_or(204), &pf.headers),
                    &mut cache,
                    now,
                );
            }
            Action::SendActual(o) => {
                actual = Some(o);
                let headers = fix.map(|f| f.actual.headers.clone()).unwrap_or_default();
                fetch.on_response(response_with(200, &headers), &mut cache, now);
            }
            Action::Done(r) => return (preflight, actual, r.is_ok()),
        }
    }
    (preflight, actual, false)
}

/// Rewrites the request, one reason at a time, towards a simple request; returns the changes
/// (in words) and the final request. The engine re-classifies after each change.
fn make_simple(request: &Request, profile: Profile) -> MakeSimple {
    let mut req = request.clone();
    let mut changes: Vec<String> = Vec::new();
    let mut possible = true;
    for _ in 0..16 {
        let Ok(plan) = classify(&req, profile) else {
            possible = false;
            break;
        };
        if plan.route != Route::Preflight {
            break;
        }
        let Some(reason) = plan.preflight_reasons.first().cloned() else {
            break;
        };
        match reason {
            PreflightReason::Method(m) => {
                changes.push(format!(
                    "use POST instead of `{m}` (only GET, HEAD and POST avoid a preflight; the server must accept POST for this)"
                ));
                req.method = "POST".into();
            }
            PreflightReason::UseCorsPreflightFlag { stream: true } => {
                changes.push(
                    "send the body as a string, Blob or ArrayBuffer instead of a ReadableStream"
                        .into(),
                );
                req.body = Body::Bytes;
                req.use_cors_preflight = false;
            }
            PreflightReason::UseCorsPreflightFlag { stream: false } => {
                changes.push("remove the XMLHttpRequest upload listeners".into());
                req.use_cors_preflight = false;
            }
            PreflightReason::PrivateNetwork => {
                changes.push(
                    "no change to the request avoids the Private Network Access preflight".into(),
                );
                possible = false;
                break;
            }
            PreflightReason::Header(h) => {
                let is = |n: &[u8]| n.eq_ignore_ascii_case(h.name.as_bytes());
                let shown = req
                    .headers
                    .iter()
                    .find(|(n, _)| is(n))
                    .map(|(n, _)| latin1(n))
                    .unwrap_or_else(|| h.name.clone());
                match h.reasons.first() {
                    Some(UnsafeHeaderReason::ContentTypeNotSafelisted { essence }) => {
                        changes.push(format!(
                            "send `Content-Type: text/plain` instead of `{essence}` (the body stays the same; the server must parse it as {essence} whatever the type says)"
                        ));
                        set_header(&mut req, &h.name, "text/plain");
                    }
                    Some(UnsafeHeaderReason::ContentTypeUnparsable) => {
                        changes.push(
                            "send `Content-Type: text/plain` (the value given is not a MIME type)"
                                .to_string(),
                        );
                        set_header(&mut req, &h.name, "text/plain");
                    }
                    Some(UnsafeHeaderReason::UnsafeByte { byte }) => {
                        let b = *byte;
                        changes.push(format!(
                            "remove {} from the value of `{shown}`",
                            if b.is_ascii_graphic() {
                                format!("`{}`", b as char)
                            } else {
                                format!("the byte 0x{b:02X}")
                            }
                        ));
                        for (n, v) in req.headers.iter_mut() {
                            if is(n) {
                                v.retain(|&x| x != b);
                            }
                        }
                    }
                    Some(UnsafeHeaderReason::ValueTooLong { len }) => {
                        changes.push(format!("shorten `{shown}` from {len} to at most 128 bytes"));
                        for (n, v) in req.headers.iter_mut() {
                            if is(n) {
                                v.truncate(128);
                            }
                        }
                    }
                    Some(UnsafeHeaderReason::RangeNotSimple) => {
                        changes.push(
                            "send a single range, `Range: bytes=start-` or `bytes=start-end`"
                                .to_string(),
                        );
                        set_header(&mut req, &h.name, "bytes=0-");
                    }
                    Some(UnsafeHeaderReason::TotalTooLong { total }) => {
                        changes.push(format!(
                            "the safelisted headers add up to {total} bytes: drop `{shown}` to stay under 1024"
                        ));
                        req.headers.retain(|(n, _)| !is(n));
                    }
                    _ => {
                        let how = if h.name == "authorization" {
                            "send the credential as a cookie (--credentials include) instead of an Authorization header"
                        } else {
                            "put its value in the URL's query or in the body instead"
                        };
                        changes.push(format!("drop the header `{shown}`: {how}"));
                        req.headers.retain(|(n, _)| !is(n));
                    }
                }
            }
        }
    }
    let simple = classify(&req, profile).is_ok_and(|p| p.route == Route::Simple);
    MakeSimple {
        possible: possible && simple,
        request: (possible && simple).then(|| SimpleRequest {
            method: req.method.clone(),
            // As sent: values normalized (Fetch #concept-header-value-normalize).
            headers: req
                .headers
                .iter()
                .map(|(n, v)| (latin1(n), latin1(normalize_header_value(v))))
                .collect(),
            body: match req.body {
                Body::None => None,
                Body::Text => Some("text"),
                Body::UrlSearchParams => Some("params"),
                Body::Bytes => Some("bytes"),
                Body::Stream => Some("stream"),
            },
        }),
        changes,
    }
}

fn set_header(req: &mut Request, name: &str, value: &str) {
    let mut done = false;
    req.headers.retain_mut(|(n, v)| {
        if !n.eq_ignore_ascii_case(name.as_bytes()) {
            return true;
        }
        if done {
            return false;
        }
        *v = value.as_bytes().to_vec();
        done = true;
        true
    });
}

/// Builds the explanation.
pub fn explain(args: &RequestArgs, request: &Request) -> Explanation {
    let profile = args.profile();
    let mut e = Explanation {
        url: request.url.to_string(),
        origin: request.origin.as_str().to_string(),
        browser: profile.as_str(),
        request: request_summary(args, request, None),
        route: "refused",
        simple: false,
        preflight_reasons: Vec::new(),
        reasons: Vec::new(),
        request_method_header: None,
        request_headers_header: None,
        preflight_request: None,
        actual_request: None,
        required: None,
        make_simple: None,
        blocked: None,
        refusal: None,
        imported: None,
    };
    let plan = match classify(request, profile) {
        Ok(p) => p,
        Err(r) => {
            e.refusal = Some(RefusalReport {
                code: r.code(),
                message: r.to_string(),
                anchor: r.anchor(),
            });
            return e;
        }
    };
    e.request = request_summary(args, request, Some(&plan));
    e.route = crate::check::report::route_name(&plan.route);
    e.simple = !plan.needs_preflight();
    e.preflight_reasons = plan
        .preflight_reasons
        .iter()
        .map(|r| r.to_string())
        .collect();
    e.reasons = plan
        .preflight_reasons
        .iter()
        .map(|r| {
            let (kind, name, code) = match r {
                PreflightReason::Method(m) => ("method", Some(m.clone()), None),
                PreflightReason::Header(h) => (
                    "header",
                    Some(h.name.clone()),
                    h.reasons.first().map(|x| x.code()),
                ),
                PreflightReason::UseCorsPreflightFlag { .. } => ("flag", None, None),
                PreflightReason::PrivateNetwork => ("private-network", None, None),
            };
            ReasonReport {
                kind,
                name,
                code,
                message: r.to_string(),
            }
        })
        .collect();
    if let Route::Blocked(f) = &plan.route {
        e.blocked = Some(Blocked {
            cors_error: f.chromium_cors_error(),
            message: failure_sentence(f),
        });
        return e;
    }
    let fix = matches!(plan.route, Route::Simple | Route::Preflight)
        .then(|| server_fix(request, &plan, None));
    let (pf, actual, passes) = simulate(request, profile, fix.as_ref());
    if let Some(pf) = &pf {
        e.request_method_header = pf.header("access-control-request-method").map(latin1);
        e.request_headers_header = pf.header("access-control-request-headers").map(latin1);
    }
    e.preflight_request = pf.as_ref().map(|o| wire(o, false));
    e.actual_request = actual.as_ref().map(|o| wire(o, true));
    e.required = fix.map(|fix| Required {
        fix,
        verified: passes,
    });
    if plan.route == Route::Preflight {
        e.make_simple = Some(make_simple(request, profile));
    }
    e
}

/// The human report.
pub fn render(e: &Explanation, s: Style) -> String {
    let mut o = String::new();
    render_heading(&mut o, &e.url, &e.origin, e.browser, &e.request, s);
    o.push('\n');
    if let Some(r) = &e.refusal {
        let _ = writeln!(
            o,
            "{b}{red}REFUSED{x}  fetch() throws before sending anything: {} ({})",
            r.message,
            r.anchor,
            b = s.bold,
            red = s.red,
            x = s.reset
        );
        return o;
    }
    if let Some(bl) = &e.blocked {
        let _ = writeln!(
            o,
            "{b}{red}BLOCKED{x}  before anything is sent: {}{}",
            bl.message,
            bl.cors_error
                .as_ref()
                .map(|c| format!(" (Chromium CorsError {c})"))
                .unwrap_or_default(),
            b = s.bold,
            red = s.red,
            x = s.reset
        );
        return o;
    }
    let (word, color) = match e.route {
        "preflight" => ("PREFLIGHTED", s.yellow),
        "simple" => ("SIMPLE", s.green),
        "same-origin" => ("SAME-ORIGIN", s.green),
        _ => ("NO-CORS", s.yellow),
    };
    let what = match e.route {
        "preflight" => "a browser sends an OPTIONS preflight first, because:",
        "simple" => "no preflight: a browser sends the request as is and checks the response.",
        "same-origin" => "same-origin request: no CORS at all.",
        _ => {
            "mode no-cors: sent without CORS; script gets an opaque response (status 0, no headers, no body)."
        }
    };
    let _ = writeln!(o, "{b}{color}{word}{x}  {what}", b = s.bold, x = s.reset);
    for r in &e.preflight_reasons {
        let _ = writeln!(o, "  • {r}");
    }
    let show = |o: &mut String, title: &str, w: &WireRequest| {
        let _ = writeln!(o, "\n{b}{title}{x}", b = s.bold, x = s.reset);
        let _ = writeln!(o, "  {c}{} {}{x}", w.method, w.url, c = s.cyan, x = s.reset);
        for (n, v) in &w.headers {
            let _ = writeln!(o, "  {n}: {v}");
        }
        if w.credentials == Some(true) {
            let _ = writeln!(
                o,
                "  {d}(with cookies and HTTP authentication){x}",
                d = s.dim,
                x = s.reset
            );
        }
    };
    if let Some(w) = &e.preflight_request {
        show(&mut o, "The preflight a browser would send:", w);
    }
    if let Some(w) = &e.actual_request {
        show(&mut o, "The actual request:", w);
    }
    if let Some(req) = &e.required {
        o.push('\n');
        let fix =
            render_fix(&req.fix, s).replacen("must send", "must send (the minimal headers)", 1);
        o.push_str(&fix);
        let _ = writeln!(
            o,
            "  {d}{}{x}",
            if req.verified {
                "Checked: with exactly these headers the browser engine lets the request through."
            } else {
                "Not verified: the engine does not pass the request with these headers alone."
            },
            d = s.dim,
            x = s.reset
        );
    }
    if let Some(m) = &e.make_simple {
        let _ = writeln!(
            o,
            "\n{b}Making it a simple request (no preflight){x}",
            b = s.bold,
            x = s.reset
        );
        for c in &m.changes {
            let _ = writeln!(o, "  • {c}");
        }
        match &m.request {
            Some(r) => {
                let _ = writeln!(
                    o,
                    "  → {} with {}: a simple request (checked).",
                    r.method,
                    if r.headers.is_empty() {
                        "no script headers".to_string()
                    } else {
                        r.headers
                            .iter()
                            .map(|(n, v)| format!("`{n}: {v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "  → it cannot be made simple: the server must answer the preflight."
                );
            }
        }
    }
    o
}

/// Runs `cors explain` on the request the flags (or, through `crate::devtools`, a DevTools
/// copy) describe; `imported` is the `imported` member when the request came from a copy.
pub fn run(
    args: ExplainArgs,
    imported: Option<crate::check::imported::ImportedReport>,
) -> ExitCode {
    let fail = |msg: &str| {
        eprintln!("cors explain: {msg}");
        ExitCode::from(2)
    };
    let url = match request::parse_url(args.url.as_deref().unwrap_or_default(), "--url") {
        Ok(u) => u,
        Err(e) => return fail(&e.0),
    };
    let req = match args.request.to_request(url) {
        Ok(r) => r,
        Err(e) => return fail(&e.0),
    };
    let mut e = explain(&args.request, &req);
    e.imported = imported;
    let text = if args.json {
        match serde_json::to_string_pretty(&e) {
            Ok(t) => t + "\n",
            Err(err) => return fail(&format!("cannot serialize: {err}")),
        }
    } else {
        render(&e, Style::new(crate::lint::use_color()))
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    if e.refusal.is_some() || e.blocked.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cors::agent::CredentialsMode;
    use cors::vocab::Origin;
    use proptest::prelude::*;

    fn arb_request() -> impl Strategy<Value = Request> {
        let origin =
            prop::sample::select(vec!["https://app.example", "null", "http://localhost:3000"]);
        let method = prop::sample::select(vec![
            "GET", "HEAD", "POST", "PUT", "DELETE", "patch", "Patch", "FOO", "options",
        ]);
        let header = (
            prop::sample::select(vec![
                "Accept",
                "Accept-Language",
                "Content-Language",
                "Content-Type",
                "Range",
                "Authorization",
                "X-Custom",
                "x-b",
                "DPR",
                "Cookie",
            ]),
            prop::sample::select(vec![
                "text/plain",
                "application/json",
                "*/*",
                "en-US",
                "bytes=0-1",
                "bytes=0-1,2-3",
                "Bearer t",
                "1",
                "a{b",
                "",
            ]),
        );
        let credentials = prop::sample::select(vec![
            CredentialsMode::Omit,
            CredentialsMode::SameOrigin,
            CredentialsMode::Include,
        ]);
        (
            origin,
            method,
            prop::collection::vec(header, 0..5),
            credentials,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(o, m, hs, c, body, pna)| {
                let mut r = Request::new(
                    Origin::parse(o).unwrap(),
                    "https://api.example/v1/items?x=1".parse().unwrap(),
                )
                .with_method(m)
                .with_credentials(c)
                .with_private_network(pna);
                if body && !matches!(m, "GET" | "HEAD") {
                    r = r.with_body(Body::Text);
                }
                for (n, v) in hs {
                    r = r.with_header(n, v);
                }
                r
            })
    }

    proptest! {
        /// The minimal headers `explain` (and `check`'s fix) proposes make every engine let the
        /// request through, and a request "made simple" is simple.
        #[test]
        fn proposed_headers_pass_and_simple_variants_are_simple(req in arb_request()) {
            for profile in Profile::ALL {
                let Ok(plan) = classify(&req, profile) else { continue };
                if !matches!(plan.route, Route::Simple | Route::Preflight) {
                    continue;
                }
                let fix = server_fix(&req, &plan, None);
                let (_, _, passes) = simulate(&req, profile, Some(&fix));
                prop_assert!(passes, "{profile:?}: {req:?} does not pass with {fix:?}");
                if plan.route == Route::Preflight {
                    let m = make_simple(&req, profile);
                    if let Some(s) = &m.request {
                        let mut r2 = req.clone();
                        r2.method = s.method.clone();
                        r2.headers = s.headers.iter().map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec())).collect();
                        r2.body = match s.body { Some("text") => Body::Text, Some("bytes") => Body::Bytes, _ => r2.body };
                        if s.body.is_none() { r2.body = Body::None; }
                        prop_assert_eq!(classify(&r2, profile).unwrap().route, Route::Simple);
                    }
                    prop_assert_eq!(m.possible, m.request.is_some());
                }
            }
        }
    }
}
