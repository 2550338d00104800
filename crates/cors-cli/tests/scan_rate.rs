//! End to end: `--rate` is what determines how long a scan takes. 200 local targets, the real
//! binary, the wall time measured around the process: it must be at least what the rate implies
//! for the requests the servers actually received (the limiter holds), and at most 10 % more
//! (nothing else slows the scan). stderr is a pipe, so the progress bar must stay off.

mod zoo;

use std::time::{Duration, Instant};

use zoo::{TRUSTED, Zoo};

#[test]
fn two_hundred_targets_take_the_time_the_rate_implies_within_ten_percent() {
    const TARGETS: usize = 200;
    const RATE: f64 = 300.0;
    let zoo = Zoo::new();
    let servers: Vec<zoo::Server> = (0..TARGETS)
        .map(|_| zoo.serve("exact allow-list", zoo::origin_check(|o| o == TRUSTED)))
        .collect();
    let urls: Vec<String> = servers.iter().map(|s| s.url()).collect();
    let mut cmd = zoo::cors();
    cmd.arg("scan")
        .args(&urls)
        .args(["--trusted-origin", TRUSTED, "--concurrency", "16", "--json"])
        .args(["--rate", &RATE.to_string()]);

    let start = Instant::now();
    let out = cmd.output().expect("run cors");
    let elapsed = start.elapsed();

    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["targets"].as_array().unwrap().len(), TARGETS);
    assert!(v["findings"].as_array().unwrap().is_empty());

    let received: usize = servers.iter().map(|s| s.requests().len()).sum();
    let reported: u64 = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["requests"].as_u64().unwrap())
        .sum();
    assert_eq!(
        received as u64, reported,
        "the servers saw every request the scanner counted"
    );
    assert!(
        received >= TARGETS * 20,
        "{received} requests for {TARGETS} targets"
    );

    // N evenly spaced requests span N-1 intervals; the last one then needs a moment to finish.
    let floor = Duration::from_secs_f64((received - 1) as f64 / RATE);
    let ceiling = Duration::from_secs_f64(received as f64 / RATE * 1.10);
    eprintln!(
        "{received} requests at {RATE}/s: elapsed {:.2} s, rate implies {:.2} s, ceiling {:.2} s",
        elapsed.as_secs_f64(),
        floor.as_secs_f64(),
        ceiling.as_secs_f64()
    );
    assert!(
        elapsed >= floor,
        "faster than --rate allows: {elapsed:?} < {floor:?}"
    );
    assert!(
        elapsed <= ceiling,
        "slower than --rate + 10 %: {elapsed:?} > {ceiling:?}"
    );
}
