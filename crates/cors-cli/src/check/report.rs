//! The report of `cors check`: the verdict and each step, built from a [`Trace`] and the
//! engine's results, serialized as the documented `--json` object and rendered for people by
//! `human.rs`. Nothing here re-decides a rule; it names the rules the engine evaluated.

use super::drive::{End, Step, StepKind, Trace};
use super::fix::{ServerFix, server_fix};
use super::request::RequestArgs;
use crate::http::ErrorKind;
use cors::agent::{
    CorsError, CorsFailure, DropReason, Plan, PreflightReason, Profile, Request, ResponseType,
    Route,
};
use cors::vocab::Origin;
use serde::Serialize;

/// The `--json` object (documented field by field in `cors check --help` and docs/check.md).
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// The URL given.
    pub url: String,
    /// The page's origin (`null` for an opaque one).
    pub origin: String,
    /// The engine profile: `spec`, `chromium`, `firefox` or `safari`.
    pub browser: &'static str,
    /// The request as script makes it.
    pub request: RequestSummary,
    /// `allowed`, `blocked`, `refused` (`fetch()` throws before sending) or `network-error`.
    pub verdict: &'static str,
    /// `true` when script gets the response.
    pub allowed: bool,
    /// One sentence saying what happened.
    pub summary: String,
    /// How the browser treats the request: `same-origin`, `no-cors`, `simple`, `preflight`,
    /// `blocked` (before sending) or `refused` (`fetch()` throws).
    pub route: &'static str,
    /// The request needs a preflight (before the preflight cache is consulted).
    pub preflight_needed: bool,
    /// A preflight was sent.
    pub preflight_sent: bool,
    /// A preflight was needed but the preflight cache (`--preflight-cache`) answered instead.
    pub preflight_cached: bool,
    /// Every reason a preflight is needed, one sentence each (empty for a simple request).
    pub preflight_reasons: Vec<String>,
    /// `Access-Control-Request-Method` of the (first) preflight sent, or `null`.
    pub request_method_header: Option<String>,
    /// `Access-Control-Request-Headers` of the (first) preflight sent, or `null`.
    pub request_headers_header: Option<String>,
    /// Chromium's `Network.CorsError` name, or `null`.
    pub cors_error: Option<String>,
    /// Chromium's `failedParameter` (the offending value), or `null` when none.
    pub failed_parameter: Option<String>,
    /// Firefox's reason, as MDN's page name (`CORSMissingAllowOrigin`…), or `null`.
    pub firefox_reason: Option<&'static str>,
    /// The Fetch Standard section of the rule that failed, or `null`.
    pub spec_anchor: Option<&'static str>,
    /// The actual response's status when script can read it, else `null`.
    pub status: Option<u16>,
    /// `Response.type`: `basic`, `cors`, `opaque`, `opaqueredirect`; `null` unless allowed.
    pub response_type: Option<&'static str>,
    /// `Response.url` (the last URL) when allowed, else `null`.
    pub final_url: Option<String>,
    /// `Response.redirected`.
    pub redirected: bool,
    /// The response header names script can read (lowercase, sorted).
    pub exposed_headers: Vec<String>,
    /// The console messages each browser prints for the failure.
    pub console: Console,
    /// Why `fetch()` throws, when it does.
    pub refusal: Option<RefusalReport>,
    /// The network error, when a request could not be completed (exit status 2).
    pub network_error: Option<NetworkErrorReport>,
    /// Every request sent, with the response and the rules checked.
    pub steps: Vec<StepReport>,
    /// What the server must send instead; `null` when allowed (or refused, or a network error).
    pub fix: Option<ServerFix>,
    /// With --curl, --fetch or --har: what was read from the browser's copy or recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<crate::check::imported::ImportedReport>,
}

/// The request as script makes it.
#[derive(Clone, Debug, Serialize)]
pub struct RequestSummary {
    /// The normalized method.
    pub method: String,
    /// The headers script set that are sent, as `[name, value]`.
    pub headers: Vec<(String, String)>,
    /// The headers script set that the browser leaves out.
    pub dropped_headers: Vec<DroppedReport>,
    /// `text`, `params`, `bytes`, `stream`, or `null` without a body.
    pub body: Option<&'static str>,
    /// `omit`, `same-origin` or `include`.
    pub credentials: &'static str,
    /// `cors`, `no-cors` or `same-origin`.
    pub mode: &'static str,
    /// `follow`, `error` or `manual`.
    pub redirect: &'static str,
    /// A Private Network Access request.
    pub private_network: bool,
}

/// A header the browser leaves out.
#[derive(Clone, Debug, Serialize)]
pub struct DroppedReport {
    /// As script wrote it.
    pub name: String,
    /// `forbidden-name`, `forbidden-method-override` or `not-no-cors-safelisted`.
    pub reason: &'static str,
}

/// Console messages.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Console {
    /// What Chromium prints.
    pub chromium: Option<String>,
    /// What Firefox prints (its first line, when it prints several).
    pub firefox: Option<String>,
    /// Every line Firefox prints, in order: a failed preflight, for one, is followed by
    /// "CORS request did not succeed" for the request it cancels.
    pub firefox_lines: Vec<String>,
    /// What WebKit (Safari) prints first: the reason.
    pub webkit: Option<String>,
    /// Every line WebKit prints, in order: the reason, then "Fetch API cannot load <URL> due
    /// to access control checks.".
    pub webkit_lines: Vec<String>,
}

/// Why `fetch()` throws.
#[derive(Clone, Debug, Serialize)]
pub struct RefusalReport {
    /// A stable code, e.g. `forbidden-method`.
    pub code: &'static str,
    /// The `TypeError` message.
    pub message: String,
    /// The Fetch Standard section.
    pub anchor: &'static str,
}

/// A request that failed at the network level.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkErrorReport {
    /// `connection-refused`, `name-resolution`, `tls`, `timeout`, `connection`, `proxy`,
    /// `protocol` or `invalid-request`.
    pub kind: &'static str,
    /// What happened.
    pub message: String,
    /// The URL of the request that failed.
    pub url: String,
}

/// One request and its response.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    /// `preflight` or `actual`.
    pub kind: &'static str,
    /// Redirects followed before this request (0 for the URL given).
    pub hop: usize,
    /// What was sent.
    pub request: WireRequest,
    /// What came back, or `null` on a network error.
    pub response: Option<WireResponse>,
    /// The rules the browser checked on this response, in its order, up to the first failure.
    pub checks: Vec<CheckRow>,
    /// `passed`, `redirected`, `failed` or `network-error`.
    pub outcome: &'static str,
    /// Milliseconds from sending to the response head.
    pub elapsed_ms: u64,
}

/// A request on the wire.
#[derive(Clone, Debug, Serialize)]
pub struct WireRequest {
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// Header lines sent, as `[name, value]` (the browser's, plus this tool's `User-Agent`).
    pub headers: Vec<(String, String)>,
    /// The browser would attach cookies / HTTP authentication (`cors check` has none to send).
    pub credentials: bool,
    /// Bytes of body sent.
    pub body_bytes: usize,
}

/// A response head.
#[derive(Clone, Debug, Serialize)]
pub struct WireResponse {
    /// The status code.
    pub status: u16,
    /// Header lines, as `[name, value]`.
    pub headers: Vec<(String, String)>,
}

/// One rule checked.
#[derive(Clone, Debug, Serialize)]
pub struct CheckRow {
    /// A stable rule id: `no-redirect`, `allow-origin`, `allow-credentials`, `ok-status`,
    /// `private-network`, `allow-methods`, `allow-headers`, `redirect`.
    pub rule: &'static str,
    /// `true` when it passed.
    pub ok: bool,
    /// The Fetch Standard section.
    pub anchor: &'static str,
    /// What was seen.
    pub detail: String,
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn pairs(list: &[(Vec<u8>, Vec<u8>)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| (latin1(n), latin1(v))).collect()
}

/// The rule a failure breaks, in the order a browser checks a response.
pub fn rule_of(error: CorsError) -> &'static str {
    use CorsError::*;
    match error {
        PreflightDisallowedRedirect => "no-redirect",
        WildcardOriginNotAllowed
        | MissingAllowOriginHeader
        | MultipleAllowOriginValues
        | InvalidAllowOriginValue
        | AllowOriginMismatch => "allow-origin",
        InvalidAllowCredentials => "allow-credentials",
        PreflightInvalidStatus => "ok-status",
        PreflightMissingAllowPrivateNetwork | PreflightInvalidAllowPrivateNetwork => {
            "private-network"
        }
        InvalidAllowMethodsPreflightResponse | MethodDisallowedByPreflightResponse => {
            "allow-methods"
        }
        InvalidAllowHeadersPreflightResponse | HeaderDisallowedByPreflightResponse => {
            "allow-headers"
        }
        RedirectContainsCredentials
        | TooManyRedirects
        | RedirectNotHttp
        | UnexpectedRedirect
        | InvalidRedirectLocation => "redirect",
        _ => "request",
    }
}

/// A short sentence for a failure (the console messages carry the browsers' own wording).
pub fn failure_sentence(f: &CorsFailure) -> String {
    use CorsError::*;
    let p = &f.failed_parameter;
    let status = f.status.map(|s| s.to_string()).unwrap_or_default();
    match f.error {
        MissingAllowOriginHeader => "there is no Access-Control-Allow-Origin header".into(),
        AllowOriginMismatch => format!(
            "Access-Control-Allow-Origin is `{p}`, not the request's origin `{}`",
            f.sent_origin
        ),
        MultipleAllowOriginValues => format!(
            "Access-Control-Allow-Origin holds several values (`{p}`); exactly one is allowed"
        ),
        InvalidAllowOriginValue => {
            format!("Access-Control-Allow-Origin is `{p}`, which is not an origin, `null` or `*`")
        }
        WildcardOriginNotAllowed => {
            "Access-Control-Allow-Origin is `*`, which requests with credentials do not accept"
                .into()
        }
        InvalidAllowCredentials if p.is_empty() => {
            "the request has credentials but there is no `Access-Control-Allow-Credentials: true`"
                .into()
        }
        InvalidAllowCredentials => format!(
            "the request has credentials and Access-Control-Allow-Credentials is `{p}`, not `true`"
        ),
        PreflightInvalidStatus => {
            format!("the preflight response's status {status} is not an ok status (200–299)")
        }
        PreflightDisallowedRedirect => {
            format!("the preflight got a redirect ({status}); a preflight never follows redirects")
        }
        InvalidAllowMethodsPreflightResponse => format!(
            "Access-Control-Allow-Methods does not parse: `{}` is not a method",
            f.detail
        ),
        InvalidAllowHeadersPreflightResponse => format!(
            "Access-Control-Allow-Headers does not parse: `{}` is not a header name",
            f.detail
        ),
        MethodDisallowedByPreflightResponse => {
            format!("the method `{p}` is not allowed by Access-Control-Allow-Methods")
        }
        HeaderDisallowedByPreflightResponse => {
            format!("the request header `{p}` is not allowed by Access-Control-Allow-Headers")
        }
        PreflightMissingAllowPrivateNetwork => {
            "there is no `Access-Control-Allow-Private-Network: true` on the preflight response"
                .into()
        }
        PreflightInvalidAllowPrivateNetwork => {
            format!("Access-Control-Allow-Private-Network is `{p}`, not `true`")
        }
        RedirectContainsCredentials => format!(
            "the redirect goes to `{}`, a URL with a user name or password",
            f.detail
        ),
        TooManyRedirects => "more than 20 redirects".into(),
        RedirectNotHttp => format!("the redirect goes to `{p}`, which is not http or https"),
        UnexpectedRedirect => "a redirect arrived and the redirect mode is `error`".into(),
        InvalidRedirectLocation => format!("the redirect's Location `{p}` is not a URL"),
        DisallowedByMode => format!(
            "the request mode is `same-origin` and `{}` is another origin",
            f.url
        ),
        CorsDisabledScheme => format!("`{}` is not an http or https URL", f.url),
        NoCorsRedirectModeNotFollow => "mode `no-cors` requires redirect mode `follow`".into(),
        InvalidResponse => "the response is invalid".into(),
        other => other.name().to_string(),
    }
}

/// One sentence per preflight reason (the engine's wording).
pub fn reason_sentences(plan: &Plan) -> Vec<String> {
    plan.preflight_reasons
        .iter()
        .map(|r| r.to_string())
        .collect()
}

fn drop_reason(r: DropReason) -> &'static str {
    match r {
        DropReason::ForbiddenName => "forbidden-name",
        DropReason::ForbiddenMethodOverride => "forbidden-method-override",
        DropReason::NotNoCorsSafelisted => "not-no-cors-safelisted",
    }
}

/// The request summary of `request` (its plan, when `fetch()` accepts it).
pub fn request_summary(
    args: &RequestArgs,
    request: &Request,
    plan: Option<&Plan>,
) -> RequestSummary {
    RequestSummary {
        method: plan.map_or_else(|| request.method.clone(), |p| p.method.clone()),
        headers: match plan {
            // The plan's list also holds what fetch() adds (`Accept`, a body's Content-Type).
            Some(p) => pairs(&p.headers),
            None => pairs(&request.headers),
        },
        dropped_headers: plan
            .map(|p| {
                p.dropped
                    .iter()
                    .map(|d| DroppedReport {
                        name: d.name.clone(),
                        reason: drop_reason(d.reason),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        body: args.body_kind().map(|b| b.as_str()),
        credentials: request.credentials.as_str(),
        mode: request.mode.as_str(),
        redirect: request.redirect.as_str(),
        private_network: request.private_network,
    }
}

fn header_value(response: &cors::agent::Response, name: &str) -> Option<String> {
    response.get(name).map(|v| latin1(&v))
}

const ANCHOR_CHECK: &str = "#cors-check";
const ANCHOR_PREFLIGHT: &str = "#cors-preflight-fetch";
const ANCHOR_REDIRECT: &str = "#http-redirect-fetch";
const ANCHOR_PNA: &str = "https://wicg.github.io/private-network-access/#cors-preflight";

/// The rows of one response: every rule the browser checks on it, in its order, passed ones
/// with what satisfied them, up to the one that failed (`failure`, when it failed here).
fn check_rows(
    step: &Step,
    request: &Request,
    plan: &Plan,
    cors: bool,
    followed: bool,
    failure: Option<&CorsFailure>,
) -> Vec<CheckRow> {
    let Some(response) = &step.response else {
        return Vec::new();
    };
    if !cors {
        return Vec::new();
    }
    let include = request.credentials == cors::agent::CredentialsMode::Include;
    let acao = header_value(response, "access-control-allow-origin");
    let mut rules: Vec<(&'static str, &'static str, String)> = Vec::new();
    let shown = |v: Option<String>, name: &str| match v {
        Some(v) => format!("{name}: {v}"),
        None => format!("no {name}"),
    };
    if step.kind == StepKind::Preflight {
        rules.push((
            "no-redirect",
            ANCHOR_PREFLIGHT,
            format!("status {}, not a redirect", response.status),
        ));
    }
    rules.push((
        "allow-origin",
        ANCHOR_CHECK,
        match acao.as_deref() {
            Some("*") => "Access-Control-Allow-Origin: * (any origin, without credentials)".into(),
            v => format!(
                "{} matches the request's origin",
                shown(v.map(String::from), "Access-Control-Allow-Origin")
            ),
        },
    ));
    if include {
        rules.push((
            "allow-credentials",
            ANCHOR_CHECK,
            shown(
                header_value(response, "access-control-allow-credentials"),
                "Access-Control-Allow-Credentials",
            ),
        ));
    }
    if step.kind == StepKind::Preflight {
        rules.push((
            "ok-status",
            ANCHOR_PREFLIGHT,
            format!("status {} is an ok status", response.status),
        ));
        if request.private_network {
            rules.push((
                "private-network",
                ANCHOR_PNA,
                shown(
                    header_value(response, "access-control-allow-private-network"),
                    "Access-Control-Allow-Private-Network",
                ),
            ));
        }
        let method_reason = plan
            .preflight_reasons
            .iter()
            .any(|r| matches!(r, PreflightReason::Method(_)));
        let acam = header_value(response, "access-control-allow-methods");
        rules.push((
            "allow-methods",
            ANCHOR_PREFLIGHT,
            if method_reason {
                format!(
                    "`{}` allowed by {}",
                    plan.method,
                    shown(acam, "Access-Control-Allow-Methods")
                )
            } else {
                format!("`{}` is CORS-safelisted: always allowed", plan.method)
            },
        ));
        let acah = header_value(response, "access-control-allow-headers");
        rules.push((
            "allow-headers",
            ANCHOR_PREFLIGHT,
            match plan.access_control_request_headers() {
                Some(names) => format!(
                    "`{names}` allowed by {}",
                    shown(acah, "Access-Control-Allow-Headers")
                ),
                None => "no CORS-unsafe request headers".into(),
            },
        ));
    } else if followed || failure.is_some_and(|f| rule_of(f.error) == "redirect") {
        rules.push((
            "redirect",
            ANCHOR_REDIRECT,
            format!(
                "{} to {}",
                response.status,
                header_value(response, "location").unwrap_or_default()
            ),
        ));
    }
    let failed_rule = failure.map(|f| rule_of(f.error));
    let mut rows = Vec::new();
    for (rule, anchor, detail) in rules {
        if Some(rule) == failed_rule {
            let f = failure.expect("failed_rule implies failure");
            rows.push(CheckRow {
                rule,
                ok: false,
                anchor: f.anchor(),
                detail: failure_sentence(f),
            });
            break;
        }
        rows.push(CheckRow {
            rule,
            ok: true,
            anchor,
            detail,
        });
    }
    rows
}

/// Builds the report of a finished trace.
pub fn build(
    args: &RequestArgs,
    request: &Request,
    profile: Profile,
    trace: &Trace,
) -> CheckReport {
    let plan = trace.plan.as_ref();
    let mut report = CheckReport {
        url: request.url.to_string(),
        origin: request.origin.as_str().to_string(),
        browser: profile.as_str(),
        request: request_summary(args, request, plan),
        verdict: "blocked",
        allowed: false,
        summary: String::new(),
        route: plan.map_or("refused", |p| route_name(&p.route)),
        preflight_needed: plan.is_some_and(Plan::needs_preflight),
        preflight_sent: trace.steps.iter().any(|s| s.kind == StepKind::Preflight),
        preflight_cached: false,
        preflight_reasons: plan.map(reason_sentences).unwrap_or_default(),
        request_method_header: None,
        request_headers_header: None,
        cors_error: None,
        failed_parameter: None,
        firefox_reason: None,
        spec_anchor: None,
        status: None,
        response_type: None,
        final_url: None,
        redirected: false,
        exposed_headers: Vec::new(),
        console: Console::default(),
        refusal: None,
        network_error: None,
        steps: Vec::new(),
        fix: None,
        imported: None,
    };
    if let Some(pf) = trace.steps.iter().find(|s| s.kind == StepKind::Preflight) {
        let get = |n: &str| pf.sent.header(n).map(latin1);
        report.request_method_header = get("access-control-request-method");
        report.request_headers_header = get("access-control-request-headers");
    }
    report.preflight_cached = report.preflight_needed
        && trace
            .steps
            .first()
            .is_some_and(|s| s.kind == StepKind::Actual);

    let failure = match &trace.end {
        End::Done(Err(f)) => Some(f),
        _ => None,
    };
    // The failure belongs to the last response unless it happened before a request was sent.
    let failure_on_last = failure.filter(|f| {
        !trace.steps.is_empty()
            && !matches!(
                f.error,
                CorsError::DisallowedByMode
                    | CorsError::CorsDisabledScheme
                    | CorsError::NoCorsRedirectModeNotFollow
            )
    });
    let mut hop = 0;
    let mut tainted = false;
    let n = trace.steps.len();
    for (i, step) in trace.steps.iter().enumerate() {
        let last = i + 1 == n;
        // Fetch #main-fetch step 12 (rendering only: which responses got the CORS check).
        tainted |= request.mode == cors::agent::Mode::Cors
            && (request.origin.is_opaque() || Origin::of_url(&step.sent.url) != request.origin);
        let followed = step.kind == StepKind::Actual && !last;
        let here = if last { failure_on_last } else { None };
        let rows = plan.map_or_else(Vec::new, |p| {
            check_rows(step, request, p, tainted, followed, here)
        });
        let mut headers = pairs(&step.sent.headers);
        headers.extend(step.added.iter().cloned());
        report.steps.push(StepReport {
            kind: step.kind.as_str(),
            hop,
            request: WireRequest {
                method: step.sent.method.clone(),
                url: step.sent.url.to_string(),
                headers,
                credentials: step.sent.include_credentials,
                body_bytes: step.body_len,
            },
            response: step.response.as_ref().map(|r| WireResponse {
                status: r.status,
                headers: pairs(&r.headers),
            }),
            outcome: if step.response.is_none() {
                "network-error"
            } else if here.is_some() {
                "failed"
            } else if followed {
                "redirected"
            } else {
                "passed"
            },
            checks: rows,
            elapsed_ms: step.elapsed.as_millis().try_into().unwrap_or(u64::MAX),
        });
        if step.kind == StepKind::Actual {
            hop += 1;
        }
    }

    match &trace.end {
        End::Done(Ok(d)) => {
            report.verdict = "allowed";
            report.allowed = true;
            report.response_type = Some(d.response_type.as_str());
            report.final_url = Some(d.url.to_string());
            report.redirected = d.redirected;
            let readable = matches!(d.response_type, ResponseType::Basic | ResponseType::Cors);
            if readable {
                report.status = Some(d.status);
                report.exposed_headers = d.readable_names();
            }
            report.summary = match d.response_type {
                ResponseType::Opaque => "A browser would complete this request, but the response is opaque: script sees status 0 and no headers or body (mode no-cors).".into(),
                ResponseType::OpaqueRedirect => "A browser would stop at the redirect (redirect mode manual): script gets an opaque-redirect response.".into(),
                ResponseType::Basic => format!("A browser would allow this request: it is same-origin, no CORS involved (status {}).", d.status),
                ResponseType::Cors => format!(
                    "A browser would allow this request: script can read the response (status {}{}).",
                    d.status,
                    if report.exposed_headers.is_empty() { String::new() } else { format!(", headers {}", report.exposed_headers.join(", ")) }
                ),
            };
        }
        End::Done(Err(f)) => {
            report.verdict = "blocked";
            report.cors_error = f.chromium_cors_error();
            report.failed_parameter = report
                .cors_error
                .as_ref()
                .and_then(|_| (!f.failed_parameter.is_empty()).then(|| f.failed_parameter.clone()));
            report.firefox_reason = f.firefox_reason().map(|r| r.slug());
            report.spec_anchor = Some(f.anchor());
            let firefox_lines = f.firefox_console();
            let webkit_lines = f.webkit_console();
            report.console = Console {
                chromium: Some(f.chromium_message()),
                firefox: Some(f.firefox_message()),
                firefox_lines,
                webkit: webkit_lines.first().cloned(),
                webkit_lines,
            };
            report.summary = format!(
                "A browser would block this request{}: {}.",
                if f.preflight { " at the preflight" } else { "" },
                failure_sentence(f)
            );
            if let Some(p) = plan {
                report.fix = Some(server_fix(request, p, Some(f)));
            }
        }
        End::Refused(r) => {
            report.verdict = "refused";
            report.refusal = Some(RefusalReport {
                code: r.code(),
                message: r.to_string(),
                anchor: r.anchor(),
            });
            let uncaught = format!("Uncaught (in promise) {r}");
            let unhandled = format!("Unhandled Promise Rejection: {r}");
            report.console = Console {
                chromium: Some(uncaught.clone()),
                firefox: Some(uncaught.clone()),
                firefox_lines: vec![uncaught],
                webkit: Some(unhandled.clone()),
                webkit_lines: vec![unhandled],
            };
            report.summary = format!("fetch() throws before sending anything: {r}");
        }
        End::Network(e) => {
            report.verdict = "network-error";
            let url = trace
                .steps
                .last()
                .map(|s| s.sent.url.to_string())
                .unwrap_or_else(|| request.url.to_string());
            report.summary = format!("{}: {} ({})", network_phrase(e.kind), e.message, url);
            report.network_error = Some(NetworkErrorReport {
                kind: e.kind.code(),
                message: e.message.clone(),
                url,
            });
        }
    }
    // A same-origin or no-cors request is never preflighted, whatever its shape.
    if let Some(p) = plan {
        if !matches!(p.route, Route::Preflight) {
            report.preflight_reasons.clear();
        }
    }
    report
}

/// The route's keyword.
pub fn route_name(route: &Route) -> &'static str {
    match route {
        Route::SameOrigin => "same-origin",
        Route::NoCors => "no-cors",
        Route::Simple => "simple",
        Route::Preflight => "preflight",
        Route::Blocked(_) => "blocked",
    }
}

/// The kind of network failure in words.
pub fn network_phrase(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ConnectionRefused => "connection refused",
        ErrorKind::NameResolution => "name resolution failed",
        ErrorKind::Tls => "TLS failure",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Connection => "connection failed",
        ErrorKind::Proxy => "proxy failure",
        ErrorKind::Protocol => "not an HTTP/1.x answer",
        ErrorKind::InvalidRequest => "the request cannot be sent",
        ErrorKind::NotRecorded => "not in the recording",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::drive::Step;
    use clap::Parser;
    use cors::agent::{Action, Fetch, PreflightCache, Response};
    use std::time::Duration;

    /// One row per failure: the rule it breaks, in the order a browser checks a response.
    #[test]
    fn every_failure_names_its_rule() {
        use CorsError::*;
        let rows = [
            (PreflightDisallowedRedirect, "no-redirect"),
            (WildcardOriginNotAllowed, "allow-origin"),
            (MissingAllowOriginHeader, "allow-origin"),
            (MultipleAllowOriginValues, "allow-origin"),
            (InvalidAllowOriginValue, "allow-origin"),
            (AllowOriginMismatch, "allow-origin"),
            (InvalidAllowCredentials, "allow-credentials"),
            (PreflightInvalidStatus, "ok-status"),
            (PreflightMissingAllowPrivateNetwork, "private-network"),
            (PreflightInvalidAllowPrivateNetwork, "private-network"),
            (InvalidAllowMethodsPreflightResponse, "allow-methods"),
            (MethodDisallowedByPreflightResponse, "allow-methods"),
            (InvalidAllowHeadersPreflightResponse, "allow-headers"),
            (HeaderDisallowedByPreflightResponse, "allow-headers"),
            (RedirectContainsCredentials, "redirect"),
            (TooManyRedirects, "redirect"),
            (RedirectNotHttp, "redirect"),
            (UnexpectedRedirect, "redirect"),
            (InvalidRedirectLocation, "redirect"),
            (DisallowedByMode, "request"),
            (CorsDisabledScheme, "request"),
            (NoCorsRedirectModeNotFollow, "request"),
        ];
        for (e, rule) in rows {
            assert_eq!(rule_of(e), rule, "{e:?}");
            let f = CorsFailure::new(e, "x", "https://b.example/", "https://a.example");
            assert!(!failure_sentence(&f).is_empty());
        }
    }

    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        request: RequestArgs,
        #[command(flatten)]
        _devtools: crate::check::imported::DevtoolsArgs,
    }

    /// Runs the engine against scripted response heads (no network), as `drive.rs` does.
    fn trace(args: &[&str], responses: &[Response]) -> (RequestArgs, Request, Trace) {
        let mut argv = vec!["t"];
        argv.extend(args);
        let a = Args::parse_from(argv).request;
        let req = a
            .to_request("https://api.example/doc".parse().unwrap())
            .unwrap();
        let mut fetch = Fetch::new(req.clone(), a.profile()).unwrap();
        let mut cache = PreflightCache::new(a.profile());
        let mut steps = Vec::new();
        let mut answers = responses.iter();
        let end = loop {
            let (kind, out) = match fetch.next_action(&cache, Duration::ZERO) {
                Action::SendPreflight(o) => (StepKind::Preflight, o),
                Action::SendActual(o) => (StepKind::Actual, o),
                Action::Done(r) => break End::Done(r),
            };
            let resp = answers.next().expect("a scripted response").clone();
            steps.push(Step {
                kind,
                sent: out,
                added: Vec::new(),
                body_len: 0,
                response: Some(resp.clone()),
                elapsed: Duration::ZERO,
            });
            fetch.on_response(resp, &mut cache, Duration::ZERO);
        };
        let plan = Some(fetch.plan().clone());
        (a, req, Trace { plan, steps, end })
    }

    #[test]
    fn checks_pass_in_order_up_to_the_failing_rule() {
        let (a, req, t) = trace(
            &["--origin", "https://a.example", "-X", "PUT", "-H", "X-A: 1"],
            &[Response::new(204)
                .with_header("Access-Control-Allow-Origin", "https://a.example")
                .with_header("Access-Control-Allow-Methods", "GET")],
        );
        let r = build(&a, &req, a.profile(), &t);
        assert_eq!(r.verdict, "blocked");
        assert_eq!(r.route, "preflight");
        assert_eq!(
            r.cors_error.as_deref(),
            Some("MethodDisallowedByPreflightResponse")
        );
        assert_eq!(r.failed_parameter.as_deref(), Some("PUT"));
        assert_eq!(r.request_method_header.as_deref(), Some("PUT"));
        assert_eq!(r.request_headers_header.as_deref(), Some("x-a"));
        let rows: Vec<(&str, bool)> = r.steps[0].checks.iter().map(|c| (c.rule, c.ok)).collect();
        assert_eq!(
            rows,
            [
                ("no-redirect", true),
                ("allow-origin", true),
                ("ok-status", true),
                ("allow-methods", false)
            ]
        );
        assert_eq!(r.steps[0].outcome, "failed");
        let fix = r.fix.expect("a fix");
        assert!(fix.by_headers);
        assert_eq!(fix.url, "https://api.example/doc");
    }

    #[test]
    fn an_allowed_fetch_reports_what_script_reads() {
        let (a, req, t) = trace(
            &["--origin", "https://a.example", "--credentials", "include"],
            &[Response::new(200)
                .with_header("Access-Control-Allow-Origin", "https://a.example")
                .with_header("Access-Control-Allow-Credentials", "true")
                .with_header("Access-Control-Expose-Headers", "X-Total")
                .with_header("X-Total", "3")
                .with_header("X-Hidden", "1")],
        );
        let r = build(&a, &req, a.profile(), &t);
        assert!(r.allowed);
        assert_eq!(r.status, Some(200));
        assert_eq!(r.exposed_headers, ["x-total"]);
        assert!(r.fix.is_none());
        let rows: Vec<&str> = r.steps[0].checks.iter().map(|c| c.rule).collect();
        assert_eq!(rows, ["allow-origin", "allow-credentials"]);
        assert!(r.steps[0].request.credentials);
    }
}
