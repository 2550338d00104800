//! The fetch as a step-wise state machine (sans-IO): it says what to send next — a preflight,
//! the actual request, or the final verdict — and the caller feeds back each response head,
//! redirects included. Fetch `#main-fetch`, `#http-fetch`, `#http-redirect-fetch`.

use super::cache::PreflightCache;
use super::check::{
    CheckFailure, PreflightQuery, basic_readable_headers, cors_check, readable_headers,
    validate_preflight,
};
use super::classify::{
    Plan, Refusal, Route, classify, cors_preflight_reasons, latin1, main_fetch_route,
};
use super::failure::{CorsError, CorsFailure};
use super::profile::Profile;
use super::request::{Body, CredentialsMode, HeaderList, Mode, RedirectMode, Request, Response};
use crate::vocab::Origin;
use crate::vocab::safelist::is_cors_safelisted_method;
use std::time::Duration;

/// A request the caller must send, then answer with [`Fetch::on_response`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The method (`OPTIONS` for a preflight).
    pub method: String,
    /// The URL.
    pub url: url::Url,
    /// The header list the browser sends (the user agent's own headers such as `User-Agent`
    /// and `Accept-Language` are not included).
    pub headers: HeaderList,
    /// Whether the browser attaches credentials (cookies, HTTP authentication) to it.
    pub include_credentials: bool,
}

impl Outgoing {
    /// The value of header `name`, if the request carries it.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_slice())
    }

    /// As an `http` crate request (fails only on header bytes the `http` crate refuses).
    pub fn to_http(&self) -> Result<http::Request<()>, http::Error> {
        let mut b = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.url.as_str());
        for (n, v) in &self.headers {
            b = b.header(n.as_slice(), v.as_slice());
        }
        b.body(())
    }
}

/// The response types script can observe (Fetch `#concept-response-type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseType {
    /// Same-origin.
    Basic,
    /// Cross-origin, passed the CORS check.
    Cors,
    /// `no-cors` cross-origin: status 0, no headers.
    Opaque,
    /// Redirect mode `manual`: status 0, no headers.
    OpaqueRedirect,
}

impl ResponseType {
    /// The `Response.type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Basic => "basic",
            ResponseType::Cors => "cors",
            ResponseType::Opaque => "opaque",
            ResponseType::OpaqueRedirect => "opaqueredirect",
        }
    }
}

/// A response script receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// `Response.type`.
    pub response_type: ResponseType,
    /// `Response.status` (0 for opaque responses).
    pub status: u16,
    /// `Response.url`: the last URL.
    pub url: url::Url,
    /// `Response.redirected`.
    pub redirected: bool,
    /// The header lines script can read.
    pub headers: HeaderList,
}

impl Delivered {
    /// The readable header names, lowercased, sorted and deduplicated (what
    /// `[...response.headers.keys()]` lists).
    pub fn readable_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .headers
            .iter()
            .map(|(n, _)| latin1(n).to_ascii_lowercase())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// What the caller does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send this CORS preflight (`OPTIONS`) and feed its response head back.
    SendPreflight(Outgoing),
    /// Send this request (the actual one, or the next hop after a redirect) and feed its response head back.
    SendActual(Outgoing),
    /// The fetch is over: what script gets, or why it gets a `TypeError`.
    Done(Result<Delivered, CorsFailure>),
}

#[derive(Clone, Debug)]
enum State {
    /// Run main fetch for the current URL.
    Start,
    AwaitPreflight(Outgoing),
    /// The preflight passed: send the actual request without consulting the cache again.
    ActualNext,
    AwaitActual(Outgoing),
    Done(Result<Delivered, CorsFailure>),
}

/// One fetch, driven step by step.
///
/// ```
/// use cors::agent::{Action, Fetch, PreflightCache, Profile, Request, Response};
/// use cors::vocab::Origin;
/// use std::time::Duration;
///
/// let req = Request::new(Origin::parse("https://foo.example").unwrap(), "https://bar.other/resources/post-here/".parse().unwrap())
///     .with_method("POST")
///     .with_header("X-PINGOTHER", "pingpong")
///     .with_header("Content-Type", "text/xml");
/// let mut cache = PreflightCache::new(Profile::Spec);
/// let mut fetch = Fetch::new(req, Profile::Spec).unwrap();
/// let now = Duration::ZERO;
///
/// let Action::SendPreflight(pf) = fetch.next_action(&cache, now) else { panic!() };
/// assert_eq!(pf.method, "OPTIONS");
/// assert_eq!(pf.header("Access-Control-Request-Method"), Some(&b"POST"[..]));
/// assert_eq!(pf.header("Access-Control-Request-Headers"), Some(&b"content-type,x-pingother"[..]));
/// fetch.on_response(Response::new(204)
///     .with_header("Access-Control-Allow-Origin", "https://foo.example")
///     .with_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
///     .with_header("Access-Control-Allow-Headers", "X-PINGOTHER, Content-Type")
///     .with_header("Access-Control-Max-Age", "86400"), &mut cache, now);
///
/// let Action::SendActual(actual) = fetch.next_action(&cache, now) else { panic!() };
/// assert_eq!(actual.header("Origin"), Some(&b"https://foo.example"[..]));
/// fetch.on_response(Response::new(200).with_header("Access-Control-Allow-Origin", "https://foo.example"), &mut cache, now);
/// let Action::Done(Ok(resp)) = fetch.next_action(&cache, now) else { panic!() };
/// assert_eq!(resp.status, 200);
/// ```
#[derive(Clone, Debug)]
pub struct Fetch {
    profile: Profile,
    request: Request,
    plan: Plan,
    method: String,
    headers: HeaderList,
    body: Body,
    url_list: Vec<url::Url>,
    tainting_cors: bool,
    redirect_count: u8,
    preflight_path: bool,
    state: State,
}

impl Fetch {
    /// Classifies `request` and prepares the fetch; `Err` when `fetch()` would throw.
    pub fn new(request: Request, profile: Profile) -> Result<Fetch, Refusal> {
        let plan = classify(&request, profile)?;
        Ok(Fetch {
            profile,
            method: plan.method.clone(),
            headers: plan.headers.clone(),
            body: request.body.clone(),
            url_list: vec![request.url.clone()],
            tainting_cors: false,
            redirect_count: 0,
            preflight_path: false,
            state: State::Start,
            plan,
            request,
        })
    }

    /// The classification of the original request.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The URLs visited so far (Fetch's URL list).
    pub fn url_list(&self) -> &[url::Url] {
        &self.url_list
    }

    fn current_url(&self) -> &url::Url {
        self.url_list.last().unwrap_or(&self.request.url)
    }

    /// Fetch `#concept-request-tainted-origin` (redirect-taint): anything but `same-origin`
    /// once a hop leaves a URL that is cross-origin to both the next URL and the request's origin.
    fn redirect_tainted(&self) -> bool {
        let origin = &self.request.origin;
        self.url_list.windows(2).any(|w| {
            let last = crate::vocab::Origin::of_url(&w[0]);
            let next = crate::vocab::Origin::of_url(&w[1]);
            next != last && *origin != last
        })
    }

    /// Fetch `#serializing-a-request-origin`: `null` when redirect-tainted.
    pub fn serialized_origin(&self) -> String {
        if self.redirect_tainted() {
            "null".to_string()
        } else {
            self.request.origin.as_str().to_string()
        }
    }

    /// The origin a preflight carries and is checked and cached against: the serialized
    /// origin, or the page's origin in profiles whose preflights ignore the redirect-taint.
    fn preflight_origin(&self) -> String {
        if self.profile.deviations().preflight_origin_untainted {
            self.request.origin.as_str().to_string()
        } else {
            self.serialized_origin()
        }
    }

    /// What to do next. Calling it again before [`on_response`](Self::on_response) returns the
    /// same action.
    pub fn next_action(&mut self, cache: &PreflightCache, now: Duration) -> Action {
        if let State::Start = self.state {
            self.state = self.main_fetch(cache, now);
        }
        if let State::ActualNext = self.state {
            self.state = State::AwaitActual(self.actual_request());
        }
        match &self.state {
            State::AwaitPreflight(o) => Action::SendPreflight(o.clone()),
            State::AwaitActual(o) => Action::SendActual(o.clone()),
            State::Done(r) => Action::Done(r.clone()),
            State::Start | State::ActualNext => unreachable_state(),
        }
    }

    /// Fetch `#main-fetch` step 12 and `#http-fetch` step 4 for the current URL.
    fn main_fetch(&mut self, cache: &PreflightCache, now: Duration) -> State {
        let url = self.current_url().clone();
        match main_fetch_route(
            &self.request.origin,
            &url,
            self.tainting_cors,
            self.request.mode,
            self.request.redirect,
        ) {
            Some(Route::Blocked(f)) => return State::Done(Err(self.locate(f))),
            Some(_) => return State::AwaitActual(self.actual_request()),
            None => {}
        }
        self.tainting_cors = true;
        let sticky =
            self.preflight_path && self.profile.deviations().preflight_sticky_across_redirects;
        let flag = self.request.use_cors_preflight || self.body == Body::Stream || sticky;
        let (unsafe_headers, reasons) = cors_preflight_reasons(
            &self.method,
            self.preflight_headers(),
            flag,
            self.body == Body::Stream,
            self.request.private_network,
            self.profile,
        );
        if reasons.is_empty() {
            return State::AwaitActual(self.actual_request());
        }
        self.preflight_path = true;
        // #http-fetch step 4.1: a preflight unless the cache answers for the method and every name.
        let origin = self.preflight_origin();
        let include = self.request.credentials == CredentialsMode::Include;
        let method_cached = cache.method_match(&origin, url.as_str(), include, &self.method, now);
        let need = (!method_cached && (!is_cors_safelisted_method(self.method.as_bytes()) || flag))
            || unsafe_headers
                .iter()
                .any(|u| !cache.header_match(&origin, url.as_str(), include, &u.name, now))
            || self.request.private_network;
        if !need {
            return State::AwaitActual(self.actual_request());
        }
        // #cors-preflight-fetch steps 1–5.
        let mut headers: HeaderList = vec![
            (b"Accept".to_vec(), b"*/*".to_vec()),
            (
                b"Access-Control-Request-Method".to_vec(),
                self.method.as_bytes().to_vec(),
            ),
        ];
        if !unsafe_headers.is_empty() {
            let names: Vec<&str> = unsafe_headers.iter().map(|u| u.name.as_str()).collect();
            headers.push((
                b"Access-Control-Request-Headers".to_vec(),
                names.join(",").into_bytes(),
            ));
        }
        if self.request.private_network {
            headers.push((
                b"Access-Control-Request-Private-Network".to_vec(),
                b"true".to_vec(),
            ));
        }
        headers.push((b"Origin".to_vec(), origin.into_bytes()));
        State::AwaitPreflight(Outgoing {
            method: "OPTIONS".into(),
            url,
            headers,
            include_credentials: false,
        })
    }

    fn actual_request(&self) -> Outgoing {
        let mut headers = self.headers.clone();
        let d = self.profile.deviations();
        if d.reserializes_range_chromium_net {
            for (n, v) in headers.iter_mut() {
                if n.eq_ignore_ascii_case(b"range") {
                    if let Some(r) = chromium_net_range(v) {
                        *v = r;
                    }
                }
            }
        } else if d.reserializes_range {
            for (n, v) in headers.iter_mut() {
                if n.eq_ignore_ascii_case(b"range") {
                    if let Some((start, end)) =
                        crate::vocab::safelist::parse_single_range_header_value(v, true)
                    {
                        let show = |x: Option<u64>| x.map(|n| n.to_string()).unwrap_or_default();
                        *v = format!("bytes={}-{}", show(start), show(end)).into_bytes();
                    }
                }
            }
        }
        if d.wire_high_bytes_utf8 {
            for (_, v) in headers.iter_mut() {
                if v.iter().any(|&b| b >= 0x80) {
                    *v = super::classify::latin1(v).into_bytes();
                }
            }
        }
        // #append-a-request-origin-header: CORS requests, and methods other than GET/HEAD.
        if self.tainting_cors || (self.method != "GET" && self.method != "HEAD") {
            headers.push((b"Origin".to_vec(), self.serialized_origin().into_bytes()));
        }
        // #http-network-or-cache-fetch: includeCredentials.
        let include_credentials = match self.request.credentials {
            CredentialsMode::Include => true,
            CredentialsMode::SameOrigin => !self.tainting_cors && self.request.mode != Mode::NoCors,
            CredentialsMode::Omit => false,
        };
        Outgoing {
            method: self.method.clone(),
            url: self.current_url().clone(),
            headers,
            include_credentials,
        }
    }

    /// The headers a preflight names: the current request's (#cors-preflight-fetch step 5), or
    /// the script's request as it was before any redirect (profile switch
    /// `redirect_preflight_lists_original_headers`).
    fn preflight_headers(&self) -> &HeaderList {
        if self
            .profile
            .deviations()
            .redirect_preflight_lists_original_headers
        {
            &self.plan.headers
        } else {
            &self.headers
        }
    }

    /// Fills in where a failure happened.
    fn locate(&self, mut f: CorsFailure) -> CorsFailure {
        f.url = self.current_url().to_string();
        f.origin = self.request.origin.as_str().to_string();
        f.sent_origin = self.serialized_origin();
        if self.url_list.len() > 1 {
            f.redirected_from = Some(self.url_list[0].to_string());
        }
        f
    }

    fn fail(&mut self, c: CheckFailure, preflight: bool, response: &Response) -> State {
        // Chromium reports no failedParameter for unparsable Allow-Methods/-Headers; keep the
        // offending token as the detail (Firefox names it).
        let (param, detail) = match c.error {
            CorsError::InvalidAllowMethodsPreflightResponse
            | CorsError::InvalidAllowHeadersPreflightResponse => {
                (String::new(), c.failed_parameter)
            }
            _ => (c.failed_parameter, String::new()),
        };
        let mut f = CorsFailure::new(c.error, param, "", "")
            .on_preflight(preflight)
            .with_status(response.status);
        f.detail = detail;
        f.allow_origin_lines = response.count("access-control-allow-origin");
        if is_redirect_status(response.status) {
            f.redirect_to = response.get("location").map(|l| {
                let l = latin1(&l);
                self.current_url().join(&l).map_or(l, |u| u.to_string())
            });
        }
        State::Done(Err(self.locate(f)))
    }

    /// Feeds the response head of the request the last [`Action`] asked for. A response when
    /// none was asked for is ignored.
    pub fn on_response(&mut self, response: Response, cache: &mut PreflightCache, now: Duration) {
        let state = std::mem::replace(&mut self.state, State::Start);
        self.state = match state {
            State::AwaitPreflight(out) => self.on_preflight_response(&out, &response, cache, now),
            State::AwaitActual(out) => self.on_actual_response(&out, &response, cache),
            other => other,
        };
    }

    fn on_preflight_response(
        &mut self,
        out: &Outgoing,
        response: &Response,
        cache: &mut PreflightCache,
        now: Duration,
    ) -> State {
        let origin = self.preflight_origin();
        let url = out.url.as_str();
        let location = response
            .get("location")
            .filter(|_| is_redirect_status(response.status));
        let checked_first =
            location.is_some() && self.profile.deviations().preflight_redirect_checked_first;
        let early = if checked_first {
            cors_check(&origin, self.request.credentials, response).err()
        } else {
            None
        };
        let mut after_redirect = None;
        let result = if let Some(c) = early {
            Err(c)
        } else if let Some(location) = location {
            // #cors-preflight-fetch step 6: HTTP-network-or-cache fetch never follows redirects.
            // What Firefox's second look at the response finds (its wording needs it): the CORS
            // check against the origin the redirect would leave, `null` across origins.
            let leaves = self
                .current_url()
                .join(&latin1(&location))
                .is_ok_and(|next| Origin::of_url(&next) != Origin::of_url(self.current_url()));
            let after = if leaves { "null" } else { origin.as_str() };
            after_redirect = cors_check(after, self.request.credentials, response)
                .err()
                .map(|c| Box::new((c.error, c.failed_parameter)));
            Err(CheckFailure {
                error: CorsError::PreflightDisallowedRedirect,
                failed_parameter: String::new(),
            })
        } else {
            let (unsafe_headers, _) = cors_preflight_reasons(
                &self.method,
                self.preflight_headers(),
                false,
                false,
                false,
                self.profile,
            );
            let q = PreflightQuery {
                origin: &origin,
                method: &self.method,
                headers: self.preflight_headers(),
                unsafe_headers: &unsafe_headers,
                credentials: self.request.credentials,
                use_cors_preflight: self.request.use_cors_preflight || self.body == Body::Stream,
                private_network: self.request.private_network,
            };
            validate_preflight(&q, response, self.profile)
        };
        match result {
            Err(c) => {
                // #main-fetch: a failed preflighted fetch clears the cache entries.
                if self.profile.deviations().clear_cache_on_failure {
                    cache.clear(&origin, url);
                }
                let mut state = self.fail(c, true, response);
                if let State::Done(Err(f)) = &mut state {
                    f.after_redirect = after_redirect;
                }
                state
            }
            Ok(r) => {
                if let Some(age) = r.max_age {
                    cache.store(
                        &origin,
                        url,
                        self.request.credentials == CredentialsMode::Include,
                        age,
                        r.methods.as_deref().unwrap_or(&[]),
                        r.header_names.as_deref().unwrap_or(&[]),
                        now,
                    );
                }
                State::ActualNext
            }
        }
    }

    fn on_actual_response(
        &mut self,
        out: &Outgoing,
        response: &Response,
        cache: &mut PreflightCache,
    ) -> State {
        let opaque = self.request.mode == Mode::NoCors && !self.is_same_origin_basic();
        // #http-fetch step 5: the CORS check on every response of a CORS request, redirects included.
        if self.tainting_cors {
            if let Err(c) = cors_check(
                &self.serialized_origin(),
                self.request.credentials,
                response,
            ) {
                if self.preflight_path && self.profile.deviations().clear_cache_on_failure {
                    cache.clear(&self.serialized_origin(), out.url.as_str());
                }
                return self.fail(c, false, response);
            }
        }
        let location = response.get("location");
        if is_redirect_status(response.status) && location.is_some() {
            match self.request.redirect {
                // #http-fetch step 8: redirect mode `error` → network error.
                RedirectMode::Error => {
                    let f = CorsFailure::new(CorsError::UnexpectedRedirect, "", "", "")
                        .with_status(response.status);
                    return State::Done(Err(self.locate(f)));
                }
                RedirectMode::Manual => {
                    return State::Done(Ok(Delivered {
                        response_type: ResponseType::OpaqueRedirect,
                        status: 0,
                        url: out.url.clone(),
                        redirected: self.url_list.len() > 1,
                        headers: Vec::new(),
                    }));
                }
                RedirectMode::Follow => {
                    return self.redirect(&latin1(&location.unwrap_or_default()), response.status);
                }
            }
        }
        let (response_type, status, headers) = if opaque {
            (ResponseType::Opaque, 0, Vec::new())
        } else if self.tainting_cors {
            (
                ResponseType::Cors,
                response.status,
                readable_headers(response, self.request.credentials),
            )
        } else {
            (
                ResponseType::Basic,
                response.status,
                basic_readable_headers(response),
            )
        };
        State::Done(Ok(Delivered {
            response_type,
            status,
            url: out.url.clone(),
            redirected: self.url_list.len() > 1,
            headers,
        }))
    }

    fn is_same_origin_basic(&self) -> bool {
        !self.tainting_cors
            && crate::vocab::Origin::of_url(self.current_url()) == self.request.origin
    }

    /// Fetch `#http-redirect-fetch`.
    fn redirect(&mut self, location: &str, status: u16) -> State {
        let current = self.current_url().clone();
        let blocked = |this: &Fetch, e: CorsError, param: String| {
            State::Done(Err(
                this.locate(CorsFailure::new(e, param, "", "").with_status(status))
            ))
        };
        // Step 1: parse Location against the current URL, keeping its fragment.
        let mut next = match current.join(location) {
            Ok(u) => u,
            Err(_) => {
                return blocked(
                    self,
                    CorsError::InvalidRedirectLocation,
                    location.to_string(),
                );
            }
        };
        if next.fragment().is_none() && current.fragment().is_some() {
            next.set_fragment(current.fragment());
        }
        // Step 2: only HTTP(S).
        if !crate::vocab::origin::is_http_scheme(next.scheme()) {
            return blocked(self, CorsError::RedirectNotHttp, next.to_string());
        }
        // Step 3: at most 20 redirects.
        if self.redirect_count >= 20 {
            return blocked(self, CorsError::TooManyRedirects, String::new());
        }
        self.redirect_count += 1;
        let has_credentials = !next.username().is_empty() || next.password().is_some();
        let next_origin = crate::vocab::Origin::of_url(&next);
        // Steps 4–5: userinfo in a cross-origin or CORS redirect.
        if has_credentials
            && ((self.request.mode == Mode::Cors && next_origin != self.request.origin)
                || self.tainting_cors)
        {
            // Chromium leaves failedParameter empty here; the URL goes in `detail`.
            let mut f = CorsFailure::new(CorsError::RedirectContainsCredentials, "", "", "")
                .with_status(status);
            f.detail = next.to_string();
            return State::Done(Err(self.locate(f)));
        }
        // Step 7: 301/302 with POST, or 303 with anything but GET/HEAD → GET without a body.
        if ((status == 301 || status == 302) && self.method == "POST")
            || (status == 303 && self.method != "GET" && self.method != "HEAD")
        {
            self.method = "GET".into();
            self.body = Body::None;
            const BODY_HEADERS: [&str; 4] = [
                "content-encoding",
                "content-language",
                "content-location",
                "content-type",
            ];
            self.headers.retain(|(n, _)| {
                !BODY_HEADERS
                    .iter()
                    .any(|b| n.eq_ignore_ascii_case(b.as_bytes()))
            });
        }
        // Step 8: a cross-origin hop drops `Authorization`.
        if crate::vocab::Origin::of_url(&current) != next_origin {
            self.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case(b"authorization"));
        }
        // Steps 9–10: append to the URL list and run main fetch again.
        self.url_list.push(next);
        State::Start
    }
}

/// How Chromium's network stack re-serializes a `Range` value it reads as exactly one byte
/// range (`HttpUtil::ParseRangeHeader`, `HttpByteRange::GetHeaderValue`): the unit `bytes` in
/// any case, spaces and tabs around the parts, a `+` sign, empty list elements skipped, a
/// negative last position read as none. `None`: left as script wrote it.
fn chromium_net_range(value: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(value).ok()?;
    let ws = |c: char| c == ' ' || c == '\t';
    let (unit, set) = text.trim_matches(ws).split_once('=')?;
    if !unit.trim_matches(ws).eq_ignore_ascii_case("bytes") {
        return None;
    }
    let specs: Vec<&str> = set
        .split(',')
        .map(|s| s.trim_matches(ws))
        .filter(|s| !s.is_empty())
        .collect();
    let [spec] = specs.as_slice() else {
        return None;
    };
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim_matches(ws), last.trim_matches(ws));
    let int = |s: &str| -> Option<i64> {
        let digits = s.strip_prefix('+').unwrap_or(s);
        let negative = digits.starts_with('-');
        let body = digits.strip_prefix('-').unwrap_or(digits);
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i64 = body.parse().ok()?;
        Some(if negative { -n } else { n })
    };
    let out = if first.is_empty() {
        let n = int(last).filter(|n| *n >= 0)?;
        format!("bytes=-{n}")
    } else {
        let s = int(first).filter(|n| *n >= 0)?;
        match if last.is_empty() {
            None
        } else {
            Some(int(last)?)
        } {
            Some(e) if e >= 0 && e < s => return None,
            Some(e) if e >= 0 => format!("bytes={s}-{e}"),
            _ => format!("bytes={s}-"),
        }
    };
    Some(out.into_bytes())
}

/// Fetch `#redirect-status`.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

#[cold]
fn unreachable_state() -> Action {
    // next_action resolves Start and ActualNext before matching; reaching here is a bug, but
    // the engine never panics: report it as an invalid response.
    Action::Done(Err(CorsFailure::new(
        CorsError::InvalidResponse,
        "",
        "",
        "",
    )))
}
