//! Instruction counts per request for `vs_tower_http`, deterministic where timings are not:
//!
//! ```sh
//! cargo bench -p cors --bench vs_tower_http_instructions --no-run
//! valgrind --tool=callgrind --toggle-collect='*vs_tower_http_instructions*batch*' \
//!     --callgrind-out-file=/dev/null TARGET/release/deps/vs_tower_http_instructions-HASH CASE N WHO
//! ```
//!
//! `WHO` is `inner_only`, `ours` or `tower_http`; an optional fourth argument repeats the run
//! (for `perf record`). The same setup as the benchmark
//! (`benches/vs/mod.rs`); requests are built before and responses dropped after the counted
//! function (`batch`), as criterion's `iter_batched` does. `scripts/tower-instructions` runs
//! every case and prints instructions per request and the ratios.

#[path = "vs/mod.rs"]
mod vs;

use http::{Request, Response};
use std::hint::black_box;
use tower::Service;
use vs::{Requests, drive, inner, services};

/// Requests per run; the counted function runs once.
const K: usize = 1000;

/// The counted part: `K` requests through `svc`.
#[inline(never)]
fn batch<S>(svc: &mut S, reqs: Vec<Request<()>>, out: &mut Vec<Response<()>>)
where
    S: Service<Request<()>, Response = Response<()>>,
    S::Error: std::fmt::Debug,
{
    for r in reqs {
        out.push(drive(svc, r));
    }
}

fn run<S>(svc: &mut S, reqs: &Requests)
where
    S: Service<Request<()>, Response = Response<()>>,
    S::Error: std::fmt::Debug,
{
    // Warm up outside the counted part (first clones of shared values, lazy statics).
    for _ in 0..4 {
        drop(drive(svc, reqs.make()));
    }
    let batch_reqs: Vec<Request<()>> = (0..K).map(|_| reqs.make()).collect();
    let mut out = Vec::with_capacity(K);
    batch(svc, black_box(batch_reqs), &mut out);
    drop(black_box(out));
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (args, rounds) = match &args[..] {
        [a, b, c, r] => (
            [a.clone(), b.clone(), c.clone()],
            r.parse().expect("ROUNDS"),
        ),
        _ => (
            [0, 1, 2].map(|i| args.get(i).cloned().unwrap_or_default()),
            1,
        ),
    };
    let [case, n, who] = &args;
    if who.is_empty() {
        // `cargo bench` runs every bench target: nothing to do without arguments.
        eprintln!("usage: vs_tower_http_instructions CASE N inner_only|ours|tower_http [ROUNDS]");
        return;
    }
    let case = *vs::CASES
        .iter()
        .find(|c| *c == case)
        .expect("a case of vs::CASES");
    let n: usize = n.parse().expect("N");
    let reqs = Requests::new(case, n);
    let (mut ours, mut theirs) = services(n, inner());
    for _ in 0..rounds {
        match who.as_str() {
            "inner_only" => run(&mut inner(), &reqs),
            "ours" => run(&mut ours, &reqs),
            "tower_http" => run(&mut theirs, &reqs),
            other => panic!("unknown contender {other}"),
        }
    }
}
