//! Property tests of `cors::agent`: classification never calls a request simple when a header
//! breaks a rule (checked against an independent restatement of Fetch
//! `#cors-safelisted-request-header`), and nothing panics on arbitrary bytes.

use cors::agent::{Action, Fetch, PreflightCache, Profile, Request, Response, Route, classify};
use cors::vocab::Origin;
use proptest::prelude::*;
use std::time::Duration;

/// An independent statement of one header's rule (Fetch `#cors-safelisted-request-header`),
/// written without the library's helpers.
fn oracle_safe(name: &[u8], value: &[u8]) -> bool {
    if value.len() > 128 {
        return false;
    }
    let unsafe_byte = |b: u8| (b < 0x20 && b != 0x09) || b"\"():<>?@[\\]{}\x7f".contains(&b);
    match name.to_ascii_lowercase().as_slice() {
        b"accept" => !value.iter().any(|&b| unsafe_byte(b)),
        b"accept-language" | b"content-language" => value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
        b"content-type" => {
            if value.iter().any(|&b| unsafe_byte(b)) {
                return false;
            }
            let v = String::from_utf8_lossy(value)
                .trim_matches(|c| " \t\r\n".contains(c))
                .to_ascii_lowercase();
            let essence = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim_end_matches([' ', '\t', '\r', '\n']);
            [
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "text/plain",
            ]
            .contains(&essence)
        }
        b"range" => {
            let Some(rest) = value.strip_prefix(b"bytes=") else {
                return false;
            };
            let Some(dash) = rest.iter().position(|&b| b == b'-') else {
                return false;
            };
            let (a, b) = (&rest[..dash], &rest[dash + 1..]);
            let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
            if a.is_empty() || !digits(a) || !digits(b) || a.len() > 18 || b.len() > 18 {
                return false;
            }
            let n = |s: &[u8]| std::str::from_utf8(s).unwrap().parse::<u64>().unwrap();
            b.is_empty() || n(a) <= n(b)
        }
        _ => false,
    }
}

fn header_name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"Accept".to_vec()),
        Just(b"accept-language".to_vec()),
        Just(b"Content-Language".to_vec()),
        Just(b"Content-Type".to_vec()),
        Just(b"Range".to_vec()),
        Just(b"X-Custom".to_vec()),
        Just(b"Authorization".to_vec()),
        "[A-Za-z][A-Za-z0-9-]{0,12}".prop_map(String::into_bytes),
    ]
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"text/plain".to_vec()),
        Just(b"application/json".to_vec()),
        Just(b"bytes=0-10".to_vec()),
        Just(b"en-US,en;q=0.5".to_vec()),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..140),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn simple_only_when_every_header_is_safelisted(
        method in prop_oneof![Just("GET"), Just("POST"), Just("HEAD"), Just("PUT"), Just("patch")],
        headers in proptest::collection::vec((header_name(), header_value()), 0..6),
    ) {
        let mut r = Request::new(Origin::parse("https://a.example").unwrap(), "https://b.example/".parse().unwrap())
            .with_method(method);
        r.headers = headers;
        if let Ok(plan) = classify(&r, Profile::Spec) {
            if plan.route == Route::Simple {
                prop_assert!(["GET", "HEAD", "POST"].contains(&plan.method.as_str()));
                let mut total = 0;
                for (n, v) in &plan.headers {
                    prop_assert!(oracle_safe(n, v), "simple with {:?}: {:?}", String::from_utf8_lossy(n), String::from_utf8_lossy(v));
                    total += v.len();
                }
                prop_assert!(total <= 1024);
            }
        }
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(
        method in "[ -~]{0,10}",
        headers in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..12), proptest::collection::vec(any::<u8>(), 0..40)), 0..5),
        responses in proptest::collection::vec(
            (any::<u16>(), proptest::collection::vec((prop_oneof![
                Just(b"Access-Control-Allow-Origin".to_vec()), Just(b"Access-Control-Allow-Methods".to_vec()),
                Just(b"Access-Control-Allow-Headers".to_vec()), Just(b"Access-Control-Max-Age".to_vec()),
                Just(b"Access-Control-Allow-Credentials".to_vec()), Just(b"Location".to_vec()),
                Just(b"Access-Control-Expose-Headers".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..12),
            ], proptest::collection::vec(any::<u8>(), 0..40)), 0..6)),
            1..6),
        profile in prop_oneof![Just(Profile::Spec), Just(Profile::Chromium), Just(Profile::Firefox), Just(Profile::Safari)],
        credentials in 0u8..3,
    ) {
        let mut r = Request::new(Origin::parse("https://a.example").unwrap(), "https://b.example/x".parse().unwrap())
            .with_method(method);
        r.headers = headers;
        r.credentials = [cors::agent::CredentialsMode::Omit, cors::agent::CredentialsMode::SameOrigin, cors::agent::CredentialsMode::Include][credentials as usize];
        let Ok(mut fetch) = Fetch::new(r, profile) else { return Ok(()) };
        let mut cache = PreflightCache::new(profile);
        let mut it = responses.into_iter();
        for step in 0..40u64 {
            let now = Duration::from_secs(step);
            match fetch.next_action(&cache, now) {
                Action::Done(Err(f)) => {
                    let _ = (f.chromium_message(), f.firefox_message(), f.firefox_reason(), f.to_string());
                    break;
                }
                Action::Done(Ok(_)) => break,
                Action::SendPreflight(o) | Action::SendActual(o) => {
                    let _ = o.to_http();
                    let Some((status, hs)) = it.next() else { break };
                    let resp = Response { status, headers: hs };
                    fetch.on_response(resp, &mut cache, now);
                }
            }
        }
    }
}
