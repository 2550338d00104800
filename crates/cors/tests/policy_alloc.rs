//! The hot path does not allocate: deciding a request with no `Origin`, and a simple request
//! from an allowed exact origin, performs zero heap allocations in the decision itself.
//! (One test in this binary, so no other test thread allocates while we count.)

use cors::policy::{Outcome, Policy};
use http::{HeaderValue, Method, Request};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://app{i}.example.com"))
        .collect()
}

#[test]
fn decision_hot_paths_do_not_allocate() {
    for n in [1usize, 16, 1024] {
        let mut list = origins(n);
        list.push("https://*.patterns.test".into());
        let policy = Policy::builder()
            .allow_origins(list)
            .allow_credentials(true)
            .build()
            .unwrap();
        let last = format!("https://app{}.example.com", n - 1);
        // The warm-up below turns the value's buffer into a shared one; from then on cloning it
        // is a reference-count increment, as it always is for headers hyper parsed.
        let origin = bytes_of(&last);
        let simple = Request::builder()
            .method(Method::GET)
            .uri("/data")
            .header("origin", origin)
            .body(())
            .unwrap();
        let plain = Request::builder()
            .method(Method::GET)
            .uri("/data")
            .header("accept", "*/*")
            .body(())
            .unwrap();
        let sub = Request::builder()
            .method(Method::GET)
            .uri("/data")
            .header(
                "origin",
                HeaderValue::from_static("https://a.b.patterns.test"),
            )
            .body(())
            .unwrap();

        // Warm up (first clone of a value may promote its buffer to shared).
        let _ = policy.decide_request(&simple);

        let region = Region::new(GLOBAL);
        let d1 = policy.decide_request(&plain);
        let d2 = policy.decide_request(&simple);
        let d3 = policy.decide_request(&sub);
        let stats = region.change();
        assert_eq!(d1.outcome(), Outcome::NotCors);
        assert_eq!(d2.outcome(), Outcome::Allowed);
        assert_eq!(d3.outcome(), Outcome::Allowed);
        assert_eq!(stats.allocations, 0, "n = {n}: {stats:?}");
        assert_eq!(stats.reallocations, 0, "n = {n}: {stats:?}");

        // Sanity: the counter does count (a refused origin's reason holds its value).
        let evil = Request::builder()
            .method(Method::GET)
            .uri("/")
            .header("origin", "https://evil.test")
            .body(())
            .unwrap();
        let region = Region::new(GLOBAL);
        let d4 = policy.decide_request(&evil);
        assert_eq!(d4.outcome(), Outcome::Disallowed);
        assert!(region.change().allocations > 0);
    }
}

fn bytes_of(s: &str) -> http::HeaderValue {
    HeaderValue::from_str(s).unwrap()
}
