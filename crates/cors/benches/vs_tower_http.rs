//! Our tower layer against tower-http's `CorsLayer`: `cargo bench -p cors --bench vs_tower_http`.
//!
//! Both wrap the same trivial inner service (an empty response, ready at once) and get the same
//! requests, driven in-process (poll_ready, call, poll; no sockets), so only middleware work is
//! measured. Request construction is outside the timed part (`iter_batched`); the response is
//! dropped outside it too. `inner_only` times the inner service alone: the floor both share.
//! Allocations per request are counted by `tests/tower_alloc.rs`, in
//! another binary, so the counting allocator does not slow down the side that allocates more.
//! Results and how to read them: BENCHMARKS.md.

#[path = "vs/mod.rs"]
mod vs;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use std::time::Duration;
use vs::{CASES, Requests, SIZES, drive, inner, services};

fn compare(c: &mut Criterion) {
    vs::check_agreement();
    for case in CASES {
        let mut g = c.benchmark_group(case);
        for n in SIZES {
            let reqs = Requests::new(case, n);
            let (mut ours, mut theirs) = services(n, inner());
            // The floor: the inner service alone (building nothing, dropping the request).
            let mut alone = inner();
            g.bench_function(BenchmarkId::new("inner_only", n), |b| {
                b.iter_batched(
                    || reqs.make(),
                    |r| drive(&mut alone, r),
                    BatchSize::SmallInput,
                )
            });
            g.bench_function(BenchmarkId::new("ours", n), |b| {
                b.iter_batched(
                    || reqs.make(),
                    |r| drive(&mut ours, r),
                    BatchSize::SmallInput,
                )
            });
            g.bench_function(BenchmarkId::new("tower_http", n), |b| {
                b.iter_batched(
                    || reqs.make(),
                    |r| drive(&mut theirs, r),
                    BatchSize::SmallInput,
                )
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = compare
}
criterion_main!(benches);
