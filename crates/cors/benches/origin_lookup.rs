//! Origin lookup cost against the size of the allowlist: `cargo bench -p cors --bench origin_lookup`.
//! Exact origins live in a hash set and subdomain patterns are keyed by base domain, so the
//! time should stay flat from 1 to 1024 entries.

use cors::policy::Policy;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use http::{HeaderValue, Method, Request};
use std::hint::black_box;

fn request(origin: &str) -> Request<()> {
    Request::builder()
        .method(Method::GET)
        .uri("/data")
        .header("origin", HeaderValue::from_str(origin).unwrap())
        .body(())
        .unwrap()
}

fn exact(c: &mut Criterion) {
    let mut g = c.benchmark_group("exact_origins");
    for n in [1usize, 16, 1024] {
        let list: Vec<String> = (0..n)
            .map(|i| format!("https://app{i}.example.com"))
            .collect();
        let policy = Policy::builder().allow_origins(list).build().unwrap();
        let hit = request(&format!("https://app{}.example.com", n - 1));
        let miss = request("https://evil.test");
        g.bench_with_input(BenchmarkId::new("allowed", n), &hit, |b, r| {
            b.iter(|| policy.decide_request(black_box(r)))
        });
        g.bench_with_input(BenchmarkId::new("disallowed", n), &miss, |b, r| {
            b.iter(|| policy.decide_request(black_box(r)))
        });
    }
    g.finish();
}

fn subdomain_patterns(c: &mut Criterion) {
    let mut g = c.benchmark_group("subdomain_patterns");
    for n in [1usize, 16, 1024] {
        let list: Vec<String> = (0..n)
            .map(|i| format!("https://*.tenant{i}.example"))
            .collect();
        let policy = Policy::builder().allow_origins(list).build().unwrap();
        let hit = request(&format!("https://a.b.tenant{}.example", n - 1));
        let miss = request("https://a.b.evil.example");
        g.bench_with_input(BenchmarkId::new("allowed", n), &hit, |b, r| {
            b.iter(|| policy.decide_request(black_box(r)))
        });
        g.bench_with_input(BenchmarkId::new("disallowed", n), &miss, |b, r| {
            b.iter(|| policy.decide_request(black_box(r)))
        });
    }
    g.finish();
}

criterion_group!(benches, exact, subdomain_patterns);
criterion_main!(benches);
