//! Helpers shared by the policy tests.
#![allow(dead_code)]

use cors::policy::{Decision, Policy};
use http::{HeaderMap, HeaderValue, Method, Request};

pub mod rules;

/// A request with raw header bytes (duplicates kept in order).
pub fn request(method: &str, headers: &[(&str, &[u8])]) -> Request<()> {
    let mut r = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri("https://bar.other/doc");
    for (n, v) in headers {
        r = r.header(*n, HeaderValue::from_bytes(v).unwrap());
    }
    r.body(()).unwrap()
}

/// Decides a request and applies the decision to an empty response header map.
pub fn run(policy: &Policy, req: &Request<()>) -> (Decision, HeaderMap) {
    let d = policy.decide_request(req);
    let mut h = HeaderMap::new();
    policy.apply(&d, &mut h);
    (d, h)
}

/// The CORS and Vary headers of a response, as `name: value` lines, sorted, for comparison.
pub fn cors_lines(h: &HeaderMap) -> Vec<String> {
    let mut v: Vec<String> = h
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-") || n.as_str() == "vary")
        .map(|(n, v)| format!("{}: {}", n, v.to_str().unwrap()))
        .collect();
    v.sort();
    v
}
