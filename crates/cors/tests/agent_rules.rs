//! Table-driven tests of `cors::agent`: one row per Fetch rule, each citing its section anchor.
#![allow(clippy::type_complexity)] // the tables are tuples, one row per rule

use cors::agent::{
    Action, Body, CorsError, CorsFailure, CredentialsMode, Fetch, FirefoxReason, Mode,
    PreflightCache, Profile, RedirectMode, Refusal, Request, Response, Route, classify, cors_check,
    max_age, readable_headers, required_response_headers,
};
use cors::vocab::Origin;
use std::time::Duration;

const PAGE: &str = "https://app.example";
const API: &str = "https://api.example/r";

fn req() -> Request {
    Request::new(Origin::parse(PAGE).unwrap(), API.parse().unwrap())
}

fn resp(status: u16, headers: &[(&str, &str)]) -> Response {
    headers
        .iter()
        .fold(Response::new(status), |r, (n, v)| r.with_header(n, v))
}

// -------------------------------------------------------------------------------------------
// Classification (#main-fetch, #cors-unsafe-request-header-names, #forbidden-request-header…)

#[test]
fn classification_one_row_per_rule() {
    type Row = (
        &'static str,
        Request,
        Result<(Route, Option<&'static str>), &'static str>,
    );
    let rows: Vec<Row> = vec![
        (
            "#cors-safelisted-method GET",
            req(),
            Ok((Route::Simple, None)),
        ),
        (
            "#cors-safelisted-method HEAD",
            req().with_method("HEAD"),
            Ok((Route::Simple, None)),
        ),
        (
            "#cors-safelisted-method POST",
            req().with_method("POST").with_body(Body::Text),
            Ok((Route::Simple, None)),
        ),
        (
            "#cors-safelisted-method PUT",
            req().with_method("PUT"),
            Ok((Route::Preflight, None)),
        ),
        (
            "#concept-method-normalize put→PUT",
            req().with_method("put"),
            Ok((Route::Preflight, None)),
        ),
        (
            "#concept-method-normalize get→GET",
            req().with_method("get"),
            Ok((Route::Simple, None)),
        ),
        (
            "#concept-method-normalize patch stays",
            req().with_method("patch"),
            Ok((Route::Preflight, None)),
        ),
        (
            "#forbidden-method TRACE",
            req().with_method("TRACE"),
            Err("forbidden-method"),
        ),
        (
            "#forbidden-method track",
            req().with_method("track"),
            Err("forbidden-method"),
        ),
        (
            "#concept-method token",
            req().with_method("GE T"),
            Err("invalid-method"),
        ),
        (
            "#concept-header-name token",
            req().with_header("X A", "1"),
            Err("invalid-header-name"),
        ),
        (
            "#concept-header-value no LF",
            req().with_header("X-A", "a\nb"),
            Err("invalid-header-value"),
        ),
        (
            "#dom-request GET with body",
            req().with_body(Body::Text),
            Err("body-with-get-or-head"),
        ),
        (
            "#dom-request navigate",
            req().with_mode(Mode::Navigate),
            Err("navigate-mode"),
        ),
        (
            "#dom-request no-cors PUT",
            req().with_mode(Mode::NoCors).with_method("PUT"),
            Err("no-cors-method"),
        ),
        (
            "#main-fetch no-cors",
            req().with_mode(Mode::NoCors).with_header("X-A", "1"),
            Ok((Route::NoCors, None)),
        ),
        (
            "#main-fetch same-origin URL",
            Request::new(
                Origin::parse(PAGE).unwrap(),
                "https://app.example/x".parse().unwrap(),
            )
            .with_header("X-A", "1"),
            Ok((Route::SameOrigin, None)),
        ),
        (
            "#cors-unsafe-request-header-names name",
            req().with_header("X-PINGOTHER", "p"),
            Ok((Route::Preflight, Some("x-pingother"))),
        ),
        (
            "#cors-unsafe-request-header-names sorted lowercase",
            req()
                .with_header("X-B", "1")
                .with_header("x-A", "2")
                .with_header("X-b", "3"),
            Ok((Route::Preflight, Some("x-a,x-b"))),
        ),
        (
            "#cors-safelisted-request-header 128 bytes",
            req().with_header("Accept", "a".repeat(128)),
            Ok((Route::Simple, None)),
        ),
        (
            "#cors-safelisted-request-header 129 bytes",
            req().with_header("Accept", "a".repeat(129)),
            Ok((Route::Preflight, Some("accept"))),
        ),
        (
            "#cors-unsafe-request-header-byte",
            req().with_header("Accept", "a\"b"),
            Ok((Route::Preflight, Some("accept"))),
        ),
        (
            "#cors-safelisted-request-header language bytes",
            req().with_header("Content-Language", "de_DE"),
            Ok((Route::Preflight, Some("content-language"))),
        ),
        (
            "#cors-safelisted-request-header content-type essence",
            req()
                .with_method("POST")
                .with_header("Content-Type", "application/json"),
            Ok((Route::Preflight, Some("content-type"))),
        ),
        (
            "#cors-safelisted-request-header content-type unparsable",
            req()
                .with_method("POST")
                .with_header("Content-Type", "text"),
            Ok((Route::Preflight, Some("content-type"))),
        ),
        (
            "#cors-safelisted-request-header content-type ok",
            req()
                .with_method("POST")
                .with_header("Content-Type", "Text/Plain; charset=utf-8"),
            Ok((Route::Simple, None)),
        ),
        (
            "#simple-range-header-value bytes=0-",
            req().with_header("Range", "bytes=0-"),
            Ok((Route::Simple, None)),
        ),
        (
            "#simple-range-header-value suffix",
            req().with_header("Range", "bytes=-5"),
            Ok((Route::Preflight, Some("range"))),
        ),
        (
            "#cors-unsafe-request-header-names 1024 total",
            (0..9).fold(req(), |r, _| r.with_header("Accept", "a".repeat(120))),
            Ok((Route::Preflight, Some("accept"))),
        ),
        (
            "#forbidden-request-header dropped",
            req().with_header("Cookie", "a=b").with_header("Sec-X", "1"),
            Ok((Route::Simple, None)),
        ),
        (
            "#forbidden-request-header step 3 TRACE",
            req().with_header("X-HTTP-Method-Override", "GET, trace"),
            Ok((Route::Simple, None)),
        ),
        (
            "#forbidden-request-header step 3 PUT",
            req().with_header("X-HTTP-Method-Override", "PUT"),
            Ok((Route::Preflight, Some("x-http-method-override"))),
        ),
        (
            "#main-fetch use-CORS-preflight flag",
            req().with_cors_preflight_flag(true),
            Ok((Route::Preflight, None)),
        ),
        (
            "#dom-request stream body sets the flag",
            req().with_method("POST").with_body(Body::Stream),
            Ok((Route::Preflight, None)),
        ),
        (
            "PNA: private network request preflights",
            req().with_private_network(true),
            Ok((Route::Preflight, None)),
        ),
    ];
    for (rule, request, want) in rows {
        let got = classify(&request, Profile::Spec);
        match (got, want) {
            (Ok(plan), Ok((route, acrh))) => {
                assert_eq!(plan.route, route, "{rule}");
                assert_eq!(
                    plan.access_control_request_headers().as_deref(),
                    acrh,
                    "{rule}"
                );
                assert_eq!(
                    plan.needs_preflight(),
                    !plan.preflight_reasons.is_empty(),
                    "{rule}"
                );
            }
            (Err(r), Err(code)) => assert_eq!(r.code(), code, "{rule}"),
            (got, want) => panic!("{rule}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn every_preflight_reason_is_reported() {
    // #main-fetch: method and each unsafe header, with the rule each broke.
    let r = req()
        .with_method("DELETE")
        .with_header("X-A", "1")
        .with_header("Accept", "x(y")
        .with_header("Content-Type", "application/json")
        .with_header("Range", "bytes=1-2,3-4");
    let plan = classify(&r, Profile::Spec).unwrap();
    let reasons: Vec<String> = plan
        .preflight_reasons
        .iter()
        .map(|r| r.to_string())
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:#?}");
    assert!(reasons[0].contains("DELETE"));
    let codes: Vec<(&str, &str)> = plan
        .unsafe_headers
        .iter()
        .map(|u| (u.name.as_str(), u.reasons[0].code()))
        .collect();
    assert_eq!(
        codes,
        [
            ("accept", "unsafe-byte"),
            ("content-type", "content-type-not-safelisted"),
            ("range", "range-not-simple"),
            ("x-a", "name-not-safelisted"),
        ]
    );
    // Dropped headers are reported with their reason.
    let plan = classify(
        &req()
            .with_header("Cookie", "a")
            .with_header("X-Method-Override", "connect"),
        Profile::Spec,
    )
    .unwrap();
    assert_eq!(plan.dropped.len(), 2);
}

#[test]
fn profiles_classify_with_their_deviations() {
    // Chromium safelists client hints and combines duplicates (observed, known-differences.json).
    let hint = req().with_header("DPR", "2");
    assert!(classify(&hint, Profile::Spec).unwrap().needs_preflight());
    assert!(
        !classify(&hint, Profile::Chromium)
            .unwrap()
            .needs_preflight()
    );
    let dup = req()
        .with_header("Accept", "a".repeat(100))
        .with_header("Accept", "b".repeat(100));
    assert!(!classify(&dup, Profile::Spec).unwrap().needs_preflight());
    assert!(classify(&dup, Profile::Chromium).unwrap().needs_preflight());
    assert!(classify(&dup, Profile::Safari).unwrap().needs_preflight());
    // WebKit safelists a simple Range as the standard does (observed in WebKitGTK 2.50,
    // scenario cls-range-open; older WebKit did not).
    let range = req().with_header("Range", "bytes=0-");
    assert!(!classify(&range, Profile::Spec).unwrap().needs_preflight());
    assert!(!classify(&range, Profile::Safari).unwrap().needs_preflight());
}

// -------------------------------------------------------------------------------------------
// The CORS check (#cors-check) with Chromium's refinement of "failure".

#[test]
fn cors_check_one_row_per_step() {
    use CorsError::*;
    let o = PAGE;
    let rows: Vec<(
        &str,
        CredentialsMode,
        Vec<(&str, &str)>,
        Result<(), (CorsError, &str)>,
    )> = vec![
        (
            "step 2: absent",
            CredentialsMode::Omit,
            vec![],
            Err((MissingAllowOriginHeader, "")),
        ),
        (
            "step 3: * without credentials",
            CredentialsMode::Omit,
            vec![("Access-Control-Allow-Origin", "*")],
            Ok(()),
        ),
        (
            "step 4: * with credentials",
            CredentialsMode::Include,
            vec![
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Credentials", "true"),
            ],
            Err((WildcardOriginNotAllowed, "")),
        ),
        (
            "step 4: exact",
            CredentialsMode::Omit,
            vec![("Access-Control-Allow-Origin", o)],
            Ok(()),
        ),
        (
            "step 4: OWS trimmed",
            CredentialsMode::Omit,
            vec![("Access-Control-Allow-Origin", " https://app.example\t")],
            Ok(()),
        ),
        (
            "step 4: trailing slash",
            CredentialsMode::Omit,
            vec![("Access-Control-Allow-Origin", "https://app.example/")],
            Err((AllowOriginMismatch, "https://app.example/")),
        ),
        (
            "step 4: null",
            CredentialsMode::Omit,
            vec![("Access-Control-Allow-Origin", "null")],
            Err((AllowOriginMismatch, "null")),
        ),
        (
            "step 4: invalid",
            CredentialsMode::Omit,
            vec![("Access-Control-Allow-Origin", "foo")],
            Err((InvalidAllowOriginValue, "foo")),
        ),
        (
            "step 4: empty",
            CredentialsMode::Omit,
            vec![("Access-Control-Allow-Origin", "")],
            Err((InvalidAllowOriginValue, "")),
        ),
        (
            "step 1: two lines",
            CredentialsMode::Omit,
            vec![
                ("Access-Control-Allow-Origin", o),
                ("access-control-allow-origin", o),
            ],
            Err((
                MultipleAllowOriginValues,
                "https://app.example, https://app.example",
            )),
        ),
        (
            "step 5: ACAC ignored without credentials",
            CredentialsMode::SameOrigin,
            vec![
                ("Access-Control-Allow-Origin", o),
                ("Access-Control-Allow-Credentials", "no"),
            ],
            Ok(()),
        ),
        (
            "step 7: true",
            CredentialsMode::Include,
            vec![
                ("Access-Control-Allow-Origin", o),
                ("Access-Control-Allow-Credentials", "true"),
            ],
            Ok(()),
        ),
        (
            "step 7: True",
            CredentialsMode::Include,
            vec![
                ("Access-Control-Allow-Origin", o),
                ("Access-Control-Allow-Credentials", "True"),
            ],
            Err((InvalidAllowCredentials, "True")),
        ),
        (
            "step 8: absent",
            CredentialsMode::Include,
            vec![("Access-Control-Allow-Origin", o)],
            Err((InvalidAllowCredentials, "")),
        ),
    ];
    for (rule, creds, headers, want) in rows {
        let got =
            cors_check(o, creds, &resp(200, &headers)).map_err(|f| (f.error, f.failed_parameter));
        assert_eq!(
            got,
            want.map_err(|(e, p)| (e, p.to_string())),
            "#cors-check {rule}"
        );
    }
    // The origin `null` (after a tainting redirect) is matched byte for byte.
    assert!(
        cors_check(
            "null",
            CredentialsMode::Omit,
            &resp(200, &[("Access-Control-Allow-Origin", "null")])
        )
        .is_ok()
    );
}

// -------------------------------------------------------------------------------------------
// The preflight (#cors-preflight-fetch), driven through the state machine.

fn run(
    request: Request,
    profile: Profile,
    preflight: Response,
    actual: Response,
) -> (
    Option<cors::agent::Outgoing>,
    Result<cors::agent::Delivered, CorsFailure>,
) {
    let mut cache = PreflightCache::new(profile);
    let mut fetch = Fetch::new(request, profile).unwrap();
    let mut sent_preflight = None;
    let mut preflight = Some(preflight);
    let mut actual = Some(actual);
    loop {
        match fetch.next_action(&cache, Duration::ZERO) {
            Action::SendPreflight(o) => {
                sent_preflight = Some(o);
                fetch.on_response(
                    preflight.take().expect("one preflight"),
                    &mut cache,
                    Duration::ZERO,
                );
            }
            Action::SendActual(_) => fetch.on_response(
                actual.take().expect("one actual request"),
                &mut cache,
                Duration::ZERO,
            ),
            Action::Done(r) => return (sent_preflight, r),
        }
    }
}

#[test]
fn preflight_request_shape() {
    // #cors-preflight-fetch steps 1–5: OPTIONS, Accept */*, ACRM, ACRH sorted/lowercase/comma, Origin, no credentials.
    let r = req()
        .with_method("PUT")
        .with_header("X-B", "1")
        .with_header("x-a", "2")
        .with_credentials(CredentialsMode::Include);
    let (pf, _) = run(r, Profile::Spec, resp(500, &[]), resp(200, &[]));
    let pf = pf.unwrap();
    assert_eq!(pf.method, "OPTIONS");
    assert_eq!(pf.header("accept"), Some(&b"*/*"[..]));
    assert_eq!(
        pf.header("access-control-request-method"),
        Some(&b"PUT"[..])
    );
    assert_eq!(
        pf.header("access-control-request-headers"),
        Some(&b"x-a,x-b"[..])
    );
    assert_eq!(pf.header("origin"), Some(PAGE.as_bytes()));
    assert!(!pf.include_credentials);
    assert!(
        pf.header("x-a").is_none(),
        "script headers stay off the preflight"
    );
    // No ACRH when only the method needs the preflight.
    let (pf, _) = run(
        req().with_method("DELETE"),
        Profile::Spec,
        resp(500, &[]),
        resp(200, &[]),
    );
    assert!(
        pf.unwrap()
            .header("access-control-request-headers")
            .is_none()
    );
    let http = run(
        req().with_method("DELETE"),
        Profile::Spec,
        resp(500, &[]),
        resp(200, &[]),
    )
    .0
    .unwrap()
    .to_http()
    .unwrap();
    assert_eq!(http.method(), "OPTIONS");
}

#[test]
fn preflight_response_one_row_per_rule() {
    use CorsError::*;
    let base = |extra: &[(&'static str, &'static str)]| {
        let mut h = vec![("Access-Control-Allow-Origin", PAGE)];
        h.extend_from_slice(extra);
        h
    };
    let put = || req().with_method("PUT").with_header("X-A", "1");
    let cred = || put().with_credentials(CredentialsMode::Include);
    let auth = || req().with_method("PUT").with_header("Authorization", "t");
    let rows: Vec<(
        &str,
        Request,
        u16,
        Vec<(&str, &str)>,
        Option<(CorsError, &str)>,
    )> = vec![
        (
            "step 7 ok status 204",
            put(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-a"),
            ]),
            None,
        ),
        (
            "step 7 status 404",
            put(),
            404,
            base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-a"),
            ]),
            Some((PreflightInvalidStatus, "")),
        ),
        (
            "step 7 CORS check before status",
            put(),
            500,
            vec![],
            Some((MissingAllowOriginHeader, "")),
        ),
        (
            "step 6 no redirect",
            put(),
            307,
            base(&[("Location", "https://api.example/x")]),
            Some((PreflightDisallowedRedirect, "")),
        ),
        (
            "step 7.3 methods parse",
            put(),
            204,
            base(&[("Access-Control-Allow-Methods", "PUT DELETE")]),
            Some((InvalidAllowMethodsPreflightResponse, "")),
        ),
        (
            "step 7.3 headers parse",
            put(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-a/b"),
            ]),
            Some((InvalidAllowHeadersPreflightResponse, "")),
        ),
        (
            "step 7.3 empty list elements",
            put(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", ",PUT,,"),
                ("Access-Control-Allow-Headers", " , x-a"),
            ]),
            None,
        ),
        (
            "step 7.5 method byte-exact",
            put(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "put"),
                ("Access-Control-Allow-Headers", "x-a"),
            ]),
            Some((MethodDisallowedByPreflightResponse, "PUT")),
        ),
        (
            "step 7.5 * without credentials",
            put(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ]),
            None,
        ),
        (
            "step 7.5 * with credentials",
            cred(),
            204,
            base(&[
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "x-a"),
            ]),
            Some((MethodDisallowedByPreflightResponse, "PUT")),
        ),
        (
            "step 7.5 safelisted method always",
            req().with_method("POST").with_header("X-A", "1"),
            204,
            base(&[("Access-Control-Allow-Headers", "x-a")]),
            None,
        ),
        (
            "step 7.6 * never covers Authorization",
            auth(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "*"),
            ]),
            Some((HeaderDisallowedByPreflightResponse, "authorization")),
        ),
        (
            "step 7.6 Authorization listed",
            auth(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "Authorization"),
            ]),
            None,
        ),
        (
            "step 7.7 header case-insensitive",
            put(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "X-A"),
            ]),
            None,
        ),
        (
            "step 7.7 header missing",
            put(),
            204,
            base(&[("Access-Control-Allow-Methods", "PUT")]),
            Some((HeaderDisallowedByPreflightResponse, "x-a")),
        ),
        (
            "step 7.7 * with credentials",
            cred(),
            204,
            base(&[
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "*"),
            ]),
            Some((HeaderDisallowedByPreflightResponse, "x-a")),
        ),
        (
            "step 7 credentials need ACAC",
            cred(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-a"),
            ]),
            Some((InvalidAllowCredentials, "")),
        ),
        (
            "lists on two lines",
            put(),
            204,
            base(&[
                ("Access-Control-Allow-Methods", "GET"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-a"),
            ]),
            None,
        ),
    ];
    for (rule, request, status, headers, want) in rows {
        let ok = resp(
            200,
            &[
                ("Access-Control-Allow-Origin", PAGE),
                ("Access-Control-Allow-Credentials", "true"),
            ],
        );
        let (_, got) = run(request, Profile::Spec, resp(status, &headers), ok);
        match (got, want) {
            (Ok(_), None) => {}
            (Err(f), Some((e, p))) => {
                assert_eq!(
                    (f.error, f.failed_parameter.as_str()),
                    (e, p),
                    "#cors-preflight-fetch {rule}"
                );
                assert!(f.preflight, "{rule}");
            }
            (got, want) => panic!("#cors-preflight-fetch {rule}: got {got:?}, want {want:?}"),
        }
    }
    // Chromium's observed deviation: `*` covers Authorization in the preflight check.
    let (_, got) = run(
        auth(),
        Profile::Chromium,
        resp(
            204,
            &base(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "*"),
            ]),
        ),
        resp(200, &[("Access-Control-Allow-Origin", PAGE)]),
    );
    assert!(got.is_ok());
}

#[test]
fn private_network_access_preflight() {
    // WICG PNA: ACRPN on the preflight; ACAPN must be exactly `true`.
    let r = || req().with_private_network(true);
    let (pf, got) = run(
        r(),
        Profile::Spec,
        resp(204, &[("Access-Control-Allow-Origin", PAGE)]),
        resp(200, &[]),
    );
    assert_eq!(
        pf.unwrap().header("access-control-request-private-network"),
        Some(&b"true"[..])
    );
    assert_eq!(
        got.unwrap_err().error,
        CorsError::PreflightMissingAllowPrivateNetwork
    );
    let (_, got) = run(
        r(),
        Profile::Spec,
        resp(
            204,
            &[
                ("Access-Control-Allow-Origin", PAGE),
                ("Access-Control-Allow-Private-Network", "yes"),
            ],
        ),
        resp(200, &[]),
    );
    assert_eq!(
        got.unwrap_err().error,
        CorsError::PreflightInvalidAllowPrivateNetwork
    );
    let (_, got) = run(
        r(),
        Profile::Spec,
        resp(
            204,
            &[
                ("Access-Control-Allow-Origin", PAGE),
                ("Access-Control-Allow-Private-Network", "true"),
            ],
        ),
        resp(200, &[("Access-Control-Allow-Origin", PAGE)]),
    );
    assert!(got.is_ok());
}

// -------------------------------------------------------------------------------------------
// What script can read (#main-fetch CORS-exposed header-name list, #concept-filtered-response-cors).

#[test]
fn exposed_headers_one_row_per_rule() {
    let common: [(&str, &str); 4] = [
        ("Content-Type", "text/plain"),
        ("X-Total", "1"),
        ("Set-Cookie", "a=b"),
        ("X-Other", "2"),
    ];
    let rows: Vec<(&str, CredentialsMode, &str, Vec<&str>)> = vec![
        (
            "safelisted names only",
            CredentialsMode::Omit,
            "",
            vec!["content-type"],
        ),
        (
            "listed name",
            CredentialsMode::Omit,
            "x-total",
            vec!["content-type", "x-total"],
        ),
        (
            "* without credentials: all but Set-Cookie",
            CredentialsMode::Omit,
            "*",
            vec![
                "access-control-expose-headers",
                "content-type",
                "x-other",
                "x-total",
            ],
        ),
        (
            "* with credentials is literal",
            CredentialsMode::Include,
            "*",
            vec!["content-type"],
        ),
        (
            "Set-Cookie never",
            CredentialsMode::Omit,
            "set-cookie",
            vec!["content-type"],
        ),
        (
            "syntax error: nothing exposed",
            CredentialsMode::Omit,
            "x-total, a/b",
            vec!["content-type"],
        ),
        (
            "empty elements",
            CredentialsMode::Omit,
            ",x-total,,",
            vec!["content-type", "x-total"],
        ),
    ];
    for (rule, creds, aceh, want) in rows {
        let mut r = resp(200, &common);
        if !aceh.is_empty() {
            r = r.with_header("Access-Control-Expose-Headers", aceh);
        }
        let mut got: Vec<String> = readable_headers(&r, creds)
            .into_iter()
            .map(|(n, _)| String::from_utf8(n).unwrap().to_ascii_lowercase())
            .collect();
        got.sort();
        assert_eq!(got, want, "#cors-safelisted-response-header-name {rule}");
    }
}

// -------------------------------------------------------------------------------------------
// Redirects (#http-redirect-fetch, #concept-request-tainted-origin).

fn drive(
    request: Request,
    responses: &mut dyn FnMut(&cors::agent::Outgoing, bool) -> Response,
) -> (
    Vec<cors::agent::Outgoing>,
    Result<cors::agent::Delivered, CorsFailure>,
) {
    let mut cache = PreflightCache::new(Profile::Spec);
    let mut fetch = Fetch::new(request, Profile::Spec).unwrap();
    let mut sent = Vec::new();
    for _ in 0..100 {
        match fetch.next_action(&cache, Duration::ZERO) {
            Action::SendPreflight(o) => {
                let r = responses(&o, true);
                sent.push(o);
                fetch.on_response(r, &mut cache, Duration::ZERO);
            }
            Action::SendActual(o) => {
                let r = responses(&o, false);
                sent.push(o);
                fetch.on_response(r, &mut cache, Duration::ZERO);
            }
            Action::Done(r) => return (sent, r),
        }
    }
    panic!("no end");
}

#[test]
fn redirects_one_row_per_rule() {
    let star = |loc: Option<&str>| {
        let mut r = resp(
            if loc.is_some() { 302 } else { 200 },
            &[("Access-Control-Allow-Origin", "*")],
        );
        if let Some(l) = loc {
            r = r.with_header("Location", l);
        }
        r
    };
    // Taint: B → C makes the Origin `null` at C.
    let (sent, got) = drive(req(), &mut |o, _| {
        if o.url.host_str() == Some("api.example") {
            star(Some("https://other.example/x"))
        } else {
            star(None)
        }
    });
    assert!(got.is_ok());
    assert_eq!(
        sent[1].header("origin"),
        Some(&b"null"[..]),
        "#concept-request-tainted-origin"
    );
    // A single hop within the target's origin keeps the origin.
    let (sent, _) = drive(req(), &mut |o, _| {
        if o.url.path() == "/r" {
            star(Some("/s"))
        } else {
            star(None)
        }
    });
    assert_eq!(sent[1].header("origin"), Some(PAGE.as_bytes()));
    // The redirect response itself must pass the CORS check (#http-fetch step 5).
    let (_, got) = drive(req(), &mut |_, _| resp(302, &[("Location", "/s")]));
    assert_eq!(got.unwrap_err().error, CorsError::MissingAllowOriginHeader);
    // At most 20 redirects (#http-redirect-fetch step 3).
    let mut n = 0;
    let (sent, got) = drive(req(), &mut |_, _| {
        n += 1;
        star(Some(&format!("/r{n}")))
    });
    assert_eq!(sent.len(), 21);
    assert_eq!(got.unwrap_err().error, CorsError::TooManyRedirects);
    // Userinfo (#http-redirect-fetch steps 4–5).
    let (_, got) = drive(req(), &mut |_, _| star(Some("https://u:p@api.example/x")));
    assert_eq!(
        got.unwrap_err().error,
        CorsError::RedirectContainsCredentials
    );
    // Non-HTTP(S) location (step 2).
    let (_, got) = drive(req(), &mut |_, _| star(Some("data:text/plain,x")));
    assert_eq!(got.unwrap_err().error, CorsError::RedirectNotHttp);
    // 303 turns PUT into GET and drops body headers (step 7); Authorization dropped cross-origin (step 8).
    let r = req()
        .with_method("POST")
        .with_header("Content-Type", "application/json")
        .with_header("Authorization", "t");
    let (sent, got) = drive(r, &mut |o, pf| {
        if pf {
            resp(
                204,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    (
                        "Access-Control-Allow-Headers",
                        "authorization, content-type",
                    ),
                ],
            )
        } else if o.url.host_str() == Some("api.example") {
            resp(
                303,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Location", "https://other.example/"),
                ],
            )
        } else {
            star(None)
        }
    });
    assert!(got.is_ok(), "{got:?}");
    let last = sent.last().unwrap();
    assert_eq!(last.method, "GET");
    assert!(last.header("content-type").is_none() && last.header("authorization").is_none());
    // Redirect modes (#http-fetch).
    let (_, got) = drive(req().with_redirect(RedirectMode::Error), &mut |_, _| {
        star(Some("/s"))
    });
    assert_eq!(got.unwrap_err().error, CorsError::UnexpectedRedirect);
    let (_, got) = drive(req().with_redirect(RedirectMode::Manual), &mut |_, _| {
        star(Some("/s"))
    });
    assert_eq!(
        got.unwrap().response_type,
        cors::agent::ResponseType::OpaqueRedirect
    );
}

// -------------------------------------------------------------------------------------------
// Preflight cache (#concept-cache) and max-age per engine.

#[test]
fn max_age_per_profile() {
    use cors::agent::MaxAgeRule::*;
    let rows: Vec<(Option<&str>, [Option<u64>; 3])> = vec![
        (None, [Some(5), Some(5), Some(5)]),
        (Some("600"), [Some(600), Some(600), Some(600)]),
        (Some("0"), [Some(0), Some(0), None]),
        (Some("-1"), [Some(5), Some(0), None]),
        (Some("abc"), [Some(5), Some(5), None]),
        (Some("1.5"), [Some(5), Some(5), None]),
    ];
    for (value, want) in rows {
        let mut r = Response::new(204);
        if let Some(v) = value {
            r = r.with_header("Access-Control-Max-Age", v);
        }
        let got = [
            max_age(&r, Spec),
            max_age(&r, Chromium),
            max_age(&r, Firefox),
        ];
        assert_eq!(
            got, want,
            "#cors-preflight-fetch step 7.8 max-age {value:?}"
        );
    }
    for (p, cap) in [
        (Profile::Spec, None),
        (Profile::Chromium, Some(7200)),
        (Profile::Firefox, Some(86400)),
        (Profile::Safari, Some(600)),
    ] {
        assert_eq!(p.deviations().max_age_cap, cap, "{p}");
    }
}

#[test]
fn cache_is_used_then_expires_and_is_cleared() {
    let pf = resp(
        204,
        &[
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "10"),
        ],
    );
    let ok = resp(200, &[("Access-Control-Allow-Origin", PAGE)]);
    let mut cache = PreflightCache::new(Profile::Spec);
    let count = |cache: &mut PreflightCache, now: u64, actual: &Response| {
        let mut f = Fetch::new(req().with_method("PUT"), Profile::Spec).unwrap();
        let now = Duration::from_secs(now);
        let mut preflights = 0;
        loop {
            match f.next_action(cache, now) {
                Action::SendPreflight(_) => {
                    preflights += 1;
                    f.on_response(pf.clone(), cache, now)
                }
                Action::SendActual(_) => f.on_response(actual.clone(), cache, now),
                Action::Done(_) => return preflights,
            }
        }
    };
    assert_eq!(count(&mut cache, 0, &ok), 1);
    assert_eq!(
        count(&mut cache, 9, &ok),
        0,
        "#concept-cache-match-method: within max-age"
    );
    assert_eq!(
        count(&mut cache, 10, &ok),
        1,
        "#concept-cache: removed once max-age passed"
    );
    // #main-fetch: a failed preflighted fetch clears the entries.
    assert_eq!(count(&mut cache, 11, &resp(200, &[])), 0);
    assert_eq!(count(&mut cache, 12, &ok), 1, "#concept-cache-clear");
}

// -------------------------------------------------------------------------------------------
// Errors as data: names, Firefox reasons, messages, anchors; and the fix.

#[test]
fn failures_render_in_both_browsers_words() {
    use CorsError::*;
    let rows: Vec<(
        CorsError,
        bool,
        &str,
        Option<&str>,
        Option<FirefoxReason>,
        &str,
    )> = vec![
        (
            MissingAllowOriginHeader,
            false,
            "",
            Some("MissingAllowOriginHeader"),
            Some(FirefoxReason::MissingAllowOrigin),
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ),
        (
            MissingAllowOriginHeader,
            true,
            "",
            Some("PreflightMissingAllowOriginHeader"),
            Some(FirefoxReason::MissingAllowOrigin),
            "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin'",
        ),
        (
            HeaderDisallowedByPreflightResponse,
            true,
            "x-a",
            Some("HeaderDisallowedByPreflightResponse"),
            Some(FirefoxReason::MissingAllowHeaderFromPreflight),
            "Request header field x-a is not allowed by Access-Control-Allow-Headers in preflight response.",
        ),
        (
            MethodDisallowedByPreflightResponse,
            true,
            "PUT",
            Some("MethodDisallowedByPreflightResponse"),
            Some(FirefoxReason::MethodNotFound),
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
        ),
        (
            AllowOriginMismatch,
            false,
            "https://x.example",
            Some("AllowOriginMismatch"),
            Some(FirefoxReason::AllowOriginNotMatchingOrigin),
            "has a value 'https://x.example' that is not equal to the supplied origin. Have the server send the header with a valid value.",
        ),
        (
            PreflightInvalidStatus,
            true,
            "",
            Some("PreflightInvalidStatus"),
            Some(FirefoxReason::PreflightDidNotSucceed),
            "It does not have HTTP ok status.",
        ),
        (
            TooManyRedirects,
            false,
            "",
            None,
            // Firefox words a refused redirect as a failed request (scenario rd-chain-21).
            Some(FirefoxReason::DidNotSucceed),
            "Failed to load resource: net::ERR_TOO_MANY_REDIRECTS",
        ),
    ];
    for (e, preflight, param, chromium, firefox, text) in rows {
        let f = CorsFailure::new(e, param, API, PAGE)
            .on_preflight(preflight)
            .with_status(200);
        assert_eq!(f.chromium_cors_error().as_deref(), chromium, "{e}");
        assert_eq!(f.firefox_reason(), firefox, "{e}");
        assert!(
            f.chromium_message().contains(text),
            "{e}: {}",
            f.chromium_message()
        );
        assert!(f.anchor().starts_with('#'), "{e}");
        if firefox.is_some() {
            assert!(
                f.firefox_message()
                    .starts_with("Cross-Origin Request Blocked:"),
                "{e}"
            );
        }
    }
    assert_eq!(
        FirefoxReason::MissingAllowOrigin.slug(),
        "CORSMissingAllowOrigin"
    );
    assert_eq!(
        Refusal::ForbiddenMethod("TRACE".into()).anchor(),
        "#forbidden-method"
    );
}

#[test]
fn the_fix_lists_what_the_server_must_send() {
    let r = req()
        .with_method("PATCH")
        .with_header("X-B", "1")
        .with_header("X-A", "1")
        .with_credentials(CredentialsMode::Include);
    let plan = classify(&r, Profile::Spec).unwrap();
    let fix = required_response_headers(&r, &plan, None);
    let want_pf: Vec<(String, String)> = [
        ("Access-Control-Allow-Origin", PAGE),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "PATCH"),
        ("Access-Control-Allow-Headers", "x-a, x-b"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(fix.preflight, want_pf);
    assert_eq!(fix.actual, want_pf[..2].to_vec());
    // The fix makes the request pass: feed it back as the server's answer.
    let as_resp = |status, h: &[(String, String)]| {
        h.iter()
            .fold(Response::new(status), |r, (n, v)| r.with_header(n, v))
    };
    let (_, got) = run(
        r,
        Profile::Spec,
        as_resp(204, &fix.preflight),
        as_resp(200, &fix.actual),
    );
    assert!(got.is_ok(), "{got:?}");
}

/// Every Firefox reason's console line is read back as that reason (the differential test reads
/// Firefox's own lines this way), whatever the parameter and status.
#[test]
fn firefox_console_lines_read_back_as_their_reason() {
    for r in FirefoxReason::ALL {
        for (param, status) in [("", None), ("x-a", Some(204)), ("a). (b", Some(500))] {
            let line = r.console_line(API, param, status);
            assert!(line.starts_with("Cross-Origin Request Blocked: "), "{line}");
            assert_eq!(
                FirefoxReason::from_console_message(&line),
                Some(r),
                "{line}"
            );
        }
    }
    assert_eq!(
        FirefoxReason::from_console_message("Security Error: Content at x"),
        None
    );
    // Older wordings of two reasons.
    let old = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://a.example/. (Reason: CORS preflight channel did not succeed).";
    assert_eq!(
        FirefoxReason::from_console_message(old),
        Some(FirefoxReason::PreflightDidNotSucceed)
    );
}

/// The lines Firefox ESR 153 logs per failure (observed by agent_firefox.rs), one row per shape.
#[test]
fn firefox_console_lines_per_failure() {
    use CorsError::*;
    const DNS: &str = "(Reason: CORS request did not succeed). Status code: (null).";
    let base = |e, preflight| {
        CorsFailure::new(e, "", API, PAGE)
            .on_preflight(preflight)
            .with_status(302)
    };
    // An actual response failing its CORS check: one line.
    let f = base(MissingAllowOriginHeader, false);
    assert_eq!(f.firefox_console().len(), 1);
    assert!(f.firefox_console()[0].ends_with("missing). Status code: 302."));
    // A failed preflight: the reason, then the cancelled request.
    let f = base(MethodDisallowedByPreflightResponse, true);
    let lines = f.firefox_console();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].ends_with(DNS));
    // A failing redirect response of a preflight: one more line.
    let mut f = base(MissingAllowOriginHeader, true);
    f.redirect_to = Some(format!("{API}/next"));
    assert_eq!(f.firefox_console().len(), 3);
    // A refused redirect preflight: external redirect, the second check, the cancelled request.
    let mut f = base(PreflightDisallowedRedirect, true);
    let lines = f.firefox_console();
    assert!(
        lines[0].contains("external redirect not allowed"),
        "{lines:?}"
    );
    assert!(
        lines[1].ends_with("(Reason: CORS preflight response did not succeed). Status code: 302.")
    );
    f.after_redirect = Some(Box::new((AllowOriginMismatch, PAGE.to_string())));
    let lines = f.firefox_console();
    assert!(
        lines[1].contains(&format!("does not match ‘{PAGE}’")),
        "{lines:?}"
    );
    assert!(lines[2].ends_with(DNS));
    // Refused redirects collapse into one CORSDidNotSucceed line.
    for e in [
        TooManyRedirects,
        RedirectNotHttp,
        RedirectContainsCredentials,
    ] {
        let lines = base(e, false).firefox_console();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with(DNS), "{e}: {lines:?}");
    }
    // No CORS line at all.
    assert!(base(DisallowedByMode, false).firefox_console().is_empty());
}

// -------------------------------------------------------------------------------------------
// What the generated sweeps (browser-tests/scenarios/sweeps.mjs) found, one row per profile
// switch: #cors-safelisted-request-header (Range, Accept), the network stacks' rewriting of
// what goes out, and Web IDL's ByteString for `Headers.append`.

/// The value of `name` in the actual request a profile sends for `req` (no preflight needed).
fn sent(req: Request, profile: Profile, name: &str) -> Option<Vec<u8>> {
    let mut fetch = Fetch::new(req, profile).unwrap();
    let cache = PreflightCache::new(profile);
    match fetch.next_action(&cache, Duration::from_secs(1)) {
        Action::SendActual(out) => out.header(name).map(<[u8]>::to_vec),
        other => panic!("{profile}: expected the actual request, got {other:?}"),
    }
}

#[test]
fn sweep_findings_per_profile() {
    let needs = |value: &str, p: Profile| {
        classify(&req().with_header("Range", value), p)
            .unwrap()
            .needs_preflight()
    };
    // #simple-range-header-value: `bytes` byte for byte, digits only; WebKit reads more.
    for v in ["Bytes=0-1", "BYTES=0-1", "bytes=+0-1", "bytes=0-1\u{b}"] {
        assert!(needs(v, Profile::Spec), "{v}");
        assert!(!needs(v, Profile::Safari), "{v}");
    }
    for v in [
        "bytes=-5",
        "bytes=0-1,3-4",
        "bytes=2-1",
        "bytes= 0-1",
        "items=0-1",
    ] {
        assert!(needs(v, Profile::Safari), "{v}");
    }
    // #cors-unsafe-request-header-byte has no byte above 0x7F; Firefox preflights Accept with one.
    let accept = req().with_header("Accept", b"text/html\xe9");
    assert!(!classify(&accept, Profile::Spec).unwrap().needs_preflight());
    assert!(
        classify(&accept, Profile::Firefox)
            .unwrap()
            .needs_preflight()
    );
    // Chromium safelists more client hints, and User-Agent.
    for (n, v) in [
        ("rtt", "50"),
        ("downlink", "1.5"),
        ("ect", "4g"),
        ("user-agent", "x"),
    ] {
        let r = req().with_header(n, v);
        assert!(
            classify(&r, Profile::Spec).unwrap().needs_preflight(),
            "{n}"
        );
        assert!(
            !classify(&r, Profile::Chromium).unwrap().needs_preflight(),
            "{n}"
        );
    }
    // Chromium's network stack re-serializes a Range it reads as one range; others send it.
    let range = || req().with_header("Range", "bytes=00-01");
    assert_eq!(
        sent(range(), Profile::Chromium, "range").as_deref(),
        Some(&b"bytes=0-1"[..])
    );
    assert_eq!(
        sent(range(), Profile::Spec, "range").as_deref(),
        Some(&b"bytes=00-01"[..])
    );
    // libsoup (WebKitGTK) sends bytes 0x80–0xFF UTF-8 encoded.
    let latin = || req().with_header("Accept", b"caf\xe9");
    assert_eq!(
        sent(latin(), Profile::Safari, "accept").as_deref(),
        Some("café".as_bytes())
    );
    assert_eq!(
        sent(latin(), Profile::Spec, "accept").as_deref(),
        Some(&b"caf\xe9"[..])
    );
    // Web IDL ByteString: `Headers.append` throws on a code point above U+00FF.
    assert_eq!(
        cors::agent::script_header("Accept", "caf\u{e9}").unwrap().1,
        b"caf\xe9"
    );
    assert_eq!(
        cors::agent::script_header("Accept", "\u{20ac}"),
        Err(Refusal::NotByteString("Accept".into()))
    );
}
