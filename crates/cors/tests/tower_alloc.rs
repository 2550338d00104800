//! Allocations per request of our tower layer and of tower-http's `CorsLayer`, counted with a
//! counting allocator around the same inner service and the same requests as the
//! `vs_tower_http` benchmark (`benches/vs/mod.rs`). Prints the table (`--nocapture`) and asserts
//! that ours allocates nothing on `no_origin` and `simple_allowed` beyond the response's header
//! storage. One test in this binary, so no other test thread allocates while we count.
#![cfg(feature = "tower")]

#[path = "../benches/vs/mod.rs"]
mod vs;

use http::{Request, Response};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use tower::Service;
use vs::{CASES, Requests, SIZES, drive, inner, inner_presized, services};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const K: usize = 64;

/// Allocations per request (allocations + reallocations) for `K` requests through `svc`.
fn per_request<S>(svc: &mut S, reqs: &Requests) -> f64
where
    S: Service<Request<()>, Response = Response<()>>,
    S::Error: std::fmt::Debug,
{
    // Warm up: the first clones of shared header values may promote their buffers.
    for _ in 0..4 {
        drop(drive(svc, reqs.make()));
    }
    let batch: Vec<Request<()>> = (0..K).map(|_| reqs.make()).collect();
    let mut out: Vec<Response<()>> = Vec::with_capacity(K);
    let region = Region::new(GLOBAL);
    for r in batch {
        out.push(drive(svc, r));
    }
    let stats = region.change();
    drop(out);
    (stats.allocations + stats.reallocations) as f64 / K as f64
}

/// Allocations per request: the inner service alone, ours around it, tower-http around it.
fn count<S>(n: usize, reqs: &Requests, inner: S) -> [f64; 3]
where
    S: Service<Request<()>, Response = Response<()>> + Clone,
    S::Error: std::fmt::Debug,
{
    let bare = per_request(&mut inner.clone(), reqs);
    let (mut ours, mut theirs) = services(n, inner);
    [
        bare,
        per_request(&mut ours, reqs),
        per_request(&mut theirs, reqs),
    ]
}

#[test]
fn allocations_per_request() {
    println!(
        "| case | n | inner alone | ours | tower-http | inner alone, pre-sized | ours, pre-sized | tower-http, pre-sized |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for case in CASES {
        for n in SIZES {
            let reqs = Requests::new(case, n);
            let [b, o, t] = count(n, &reqs, inner());
            let [bp, op, tp] = count(n, &reqs, inner_presized());
            println!("| {case} | {n} | {b} | {o} | {t} | {bp} | {op} | {tp} |");
            if case == "no_origin" || case == "simple_allowed" {
                // The response's header storage (allocated by the first insertion into an empty
                // map), and beyond it nothing.
                assert_eq!(op, bp, "{case} n={n}: ours allocates {op} vs {bp}");
                assert!(o <= b + 2.0, "{case} n={n}: ours allocates {o} vs {b}");
            }
        }
    }
    // Sanity: the counter counts (tower-http builds a header map of its own per request).
    let reqs = Requests::new("simple_allowed", 16);
    let (_, mut theirs) = services(16, inner_presized());
    let mut bare = inner_presized();
    assert!(per_request(&mut theirs, &reqs) > per_request(&mut bare, &reqs));
}
