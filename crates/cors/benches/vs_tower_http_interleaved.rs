//! A cross-check of `vs_tower_http` that holds up on a busy machine:
//! `cargo bench -p cors --bench vs_tower_http_interleaved`.
//!
//! The same setup (`benches/vs/mod.rs`: policy, inner service, requests, driver), but the three
//! contenders (inner service alone, ours, tower-http) take turns, batch after batch, and each
//! keeps its fastest batch: other processes can only slow a batch down, so the minimum is the
//! estimate least disturbed by them, and taking turns exposes the three to the same conditions.
//! Requests are built before a batch is timed; responses are dropped after, as in criterion's
//! `iter_batched`.

#[path = "vs/mod.rs"]
mod vs;

use std::time::Instant;
use vs::{CASES, Requests, SIZES, drive, inner, services};

const BATCH: usize = 2000;
const ROUNDS: usize = 30;

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_default();
    vs::check_agreement();
    println!("Fastest batch of {ROUNDS}, {BATCH} requests each; ns per request.");
    println!();
    println!(
        "| group | n | inner_only | ours | tower_http | ours / tower_http | (ours − inner) / (tower_http − inner) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for case in CASES.iter().filter(|c| c.contains(filter.as_str())) {
        for n in SIZES {
            let reqs = Requests::new(case, n);
            let (mut ours, mut theirs) = services(n, inner());
            let mut alone = inner();
            let mut best = [f64::MAX; 3];
            for _ in 0..ROUNDS {
                for (who, best) in best.iter_mut().enumerate() {
                    let batch: Vec<_> = (0..BATCH).map(|_| reqs.make()).collect();
                    let mut out = Vec::with_capacity(BATCH);
                    let start = Instant::now();
                    for r in batch {
                        out.push(match who {
                            0 => drive(&mut alone, r),
                            1 => drive(&mut ours, r),
                            _ => drive(&mut theirs, r),
                        });
                    }
                    let ns = start.elapsed().as_nanos() as f64 / BATCH as f64;
                    drop(out);
                    *best = best.min(ns);
                }
            }
            let [b, o, t] = best;
            println!(
                "| {case} | {n} | {b:.0} | {o:.0} | {t:.0} | {:.2} | {:.2} |",
                o / t,
                (o - b) / (t - b)
            );
        }
    }
}
