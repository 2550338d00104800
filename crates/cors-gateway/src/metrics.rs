//! The gateway's counters and latency histograms, kept in atomics on the request path and
//! rendered in the Prometheus text exposition format on the admin listener's `/metrics`.

use cors::policy::Outcome;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Histogram bucket upper bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

const OUTCOMES: [Outcome; 5] = [
    Outcome::NotCors,
    Outcome::Allowed,
    Outcome::Disallowed,
    Outcome::PreflightAllowed,
    Outcome::PreflightRejected,
];

fn outcome_index(o: Outcome) -> usize {
    match o {
        Outcome::NotCors => 0,
        Outcome::Allowed => 1,
        Outcome::Disallowed => 2,
        Outcome::PreflightAllowed => 3,
        Outcome::PreflightRejected => 4,
    }
}

/// Who answered a preflight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnsweredBy {
    /// The gateway, from the policy.
    Gateway,
    /// The upstream (the route's policy has `preflight_continue`).
    Upstream,
}

/// Copies of each route's counters: a worker thread counts in its own (by worker index), so
/// that workers never write the same cache line; `/metrics` adds them up.
const SHARDS: usize = 8;

/// One worker's copy of a route's counters, alone on its cache lines.
#[derive(Default)]
#[repr(align(128))]
struct Shard {
    by_outcome: [AtomicU64; 5],
    preflights: [AtomicU64; 2],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// One route's counters. Routes keep theirs across reloads (looked up by name).
#[derive(Default)]
pub struct RouteMetrics {
    shards: [Shard; SHARDS],
}

impl RouteMetrics {
    fn shard(&self) -> &Shard {
        &self.shards[crate::worker::worker() % SHARDS]
    }
    /// Counts a request's decision.
    pub fn decision(&self, o: Outcome) {
        self.shard().by_outcome[outcome_index(o)].fetch_add(1, Relaxed);
    }
    /// Counts a preflight.
    pub fn preflight(&self, by: AnsweredBy) {
        self.shard().preflights[by as usize].fetch_add(1, Relaxed);
    }
    /// Records the time from request head to response head.
    pub fn latency(&self, d: Duration) {
        let shard = self.shard();
        let secs = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            shard.buckets[i].fetch_add(1, Relaxed);
        }
        shard.count.fetch_add(1, Relaxed);
        shard
            .sum_micros
            .fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }
    /// A counter added up over the shards.
    fn sum(&self, counter: impl Fn(&Shard) -> &AtomicU64) -> u64 {
        self.shards.iter().map(|s| counter(s).load(Relaxed)).sum()
    }
}

/// Everything `/metrics` shows.
#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<String, Arc<RouteMetrics>>>,
    rejections: Mutex<BTreeMap<(String, &'static str), u64>>,
    upstream_errors: Mutex<BTreeMap<(String, &'static str), u64>>,
    unmatched: AtomicU64,
    bad_requests: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    connections_open: AtomicI64,
    connections_total: AtomicU64,
}

impl Metrics {
    /// The counters of the route named `name`, created on first use.
    pub fn route(&self, name: &str) -> Arc<RouteMetrics> {
        if let Some(m) = self.routes.read().ok().and_then(|r| r.get(name).cloned()) {
            return m;
        }
        let mut w = self.routes.write().unwrap_or_else(|e| e.into_inner());
        w.entry(name.to_string()).or_default().clone()
    }
    /// Counts a refusal by its reason code.
    pub fn rejection(&self, route: &str, reason: &'static str) {
        bump(&self.rejections, route, reason);
    }
    /// Counts an upstream failure: `connect`, `timeout` or `protocol`.
    pub fn upstream_error(&self, upstream: &str, kind: &'static str) {
        bump(&self.upstream_errors, upstream, kind);
    }
    /// A request no route matched.
    pub fn unmatched(&self) {
        self.unmatched.fetch_add(1, Relaxed);
    }
    /// A request refused before routing (bad path, CONNECT).
    pub fn bad_request(&self) {
        self.bad_requests.fetch_add(1, Relaxed);
    }
    /// A configuration reload.
    pub fn reload(&self, ok: bool) {
        if ok {
            &self.reloads_ok
        } else {
            &self.reloads_failed
        }
        .fetch_add(1, Relaxed);
    }
    /// A client connection opened (+1) or closed (-1).
    pub fn connection(&self, delta: i64) {
        self.connections_open.fetch_add(delta, Relaxed);
        if delta > 0 {
            self.connections_total.fetch_add(1, Relaxed);
        }
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let mut o = String::with_capacity(4096);
        let routes: Vec<(String, Arc<RouteMetrics>)> = {
            let r = self.routes.read().unwrap_or_else(|e| e.into_inner());
            let mut v: Vec<_> = r.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        o.push_str("# HELP cors_gateway_requests_total Requests by route and CORS decision.\n# TYPE cors_gateway_requests_total counter\n");
        for (name, m) in &routes {
            for out in OUTCOMES {
                let _ = writeln!(
                    o,
                    "cors_gateway_requests_total{{route=\"{}\",decision=\"{}\"}} {}",
                    esc(name),
                    out.as_str(),
                    m.sum(|s| &s.by_outcome[outcome_index(out)])
                );
            }
        }
        o.push_str("# HELP cors_gateway_preflights_total CORS preflights by route and by who answered them.\n# TYPE cors_gateway_preflights_total counter\n");
        for (name, m) in &routes {
            for (i, by) in ["gateway", "upstream"].iter().enumerate() {
                let _ = writeln!(
                    o,
                    "cors_gateway_preflights_total{{route=\"{}\",answered_by=\"{by}\"}} {}",
                    esc(name),
                    m.sum(|s| &s.preflights[i])
                );
            }
        }
        o.push_str("# HELP cors_gateway_rejections_total Disallowed requests and rejected preflights by route and reason.\n# TYPE cors_gateway_rejections_total counter\n");
        for ((route, reason), n) in self
            .rejections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                o,
                "cors_gateway_rejections_total{{route=\"{}\",reason=\"{reason}\"}} {n}",
                esc(route)
            );
        }
        o.push_str("# HELP cors_gateway_upstream_errors_total Upstream failures by upstream and kind (connect, timeout, protocol).\n# TYPE cors_gateway_upstream_errors_total counter\n");
        for ((up, kind), n) in self
            .upstream_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                o,
                "cors_gateway_upstream_errors_total{{upstream=\"{}\",kind=\"{kind}\"}} {n}",
                esc(up)
            );
        }
        o.push_str("# HELP cors_gateway_request_duration_seconds Time from request head to response head.\n# TYPE cors_gateway_request_duration_seconds histogram\n");
        for (name, m) in &routes {
            let name = esc(name);
            let mut cumulative = 0;
            for (i, le) in BUCKETS.iter().enumerate() {
                cumulative += m.sum(|s| &s.buckets[i]);
                let _ = writeln!(
                    o,
                    "cors_gateway_request_duration_seconds_bucket{{route=\"{name}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let count = m.sum(|s| &s.count);
            let _ = writeln!(
                o,
                "cors_gateway_request_duration_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                o,
                "cors_gateway_request_duration_seconds_sum{{route=\"{name}\"}} {}",
                m.sum(|s| &s.sum_micros) as f64 / 1e6
            );
            let _ = writeln!(
                o,
                "cors_gateway_request_duration_seconds_count{{route=\"{name}\"}} {count}"
            );
        }
        let simple = [
            (
                "cors_gateway_unmatched_requests_total",
                "counter",
                "Requests no route matched (answered 404).",
                self.unmatched.load(Relaxed).to_string(),
            ),
            (
                "cors_gateway_bad_requests_total",
                "counter",
                "Requests refused before routing (dot segments in the path, CONNECT).",
                self.bad_requests.load(Relaxed).to_string(),
            ),
            (
                "cors_gateway_connections_open",
                "gauge",
                "Client connections open now.",
                self.connections_open.load(Relaxed).to_string(),
            ),
            (
                "cors_gateway_connections_total",
                "counter",
                "Client connections accepted.",
                self.connections_total.load(Relaxed).to_string(),
            ),
        ];
        for (name, kind, help, v) in simple {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        }
        let _ = writeln!(
            o,
            "# HELP cors_gateway_config_reloads_total Configuration reloads by result.\n# TYPE cors_gateway_config_reloads_total counter\ncors_gateway_config_reloads_total{{result=\"ok\"}} {}\ncors_gateway_config_reloads_total{{result=\"error\"}} {}",
            self.reloads_ok.load(Relaxed),
            self.reloads_failed.load(Relaxed)
        );
        o
    }
}

/// Adds one to a labelled counter; allocates only for a new label pair.
fn bump(m: &Mutex<BTreeMap<(String, &'static str), u64>>, name: &str, label: &'static str) {
    let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
    match m.iter_mut().find(|((n, l), _)| n == name && *l == label) {
        Some((_, v)) => *v += 1,
        None => {
            m.insert((name.to_string(), label), 1);
        }
    }
}

/// Escapes a label value (backslash, double quote, newline).
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        let r = m.route("api \"v1\"");
        r.decision(Outcome::Allowed);
        r.decision(Outcome::Allowed);
        r.preflight(AnsweredBy::Gateway);
        r.latency(Duration::from_micros(700));
        r.latency(Duration::from_millis(30));
        m.rejection("api \"v1\"", "origin-not-allowed");
        m.upstream_error("app", "connect");
        let text = m.render();
        for line in [
            r#"cors_gateway_requests_total{route="api \"v1\"",decision="allowed"} 2"#,
            r#"cors_gateway_preflights_total{route="api \"v1\"",answered_by="gateway"} 1"#,
            r#"cors_gateway_rejections_total{route="api \"v1\"",reason="origin-not-allowed"} 1"#,
            r#"cors_gateway_upstream_errors_total{upstream="app",kind="connect"} 1"#,
            r#"cors_gateway_request_duration_seconds_bucket{route="api \"v1\"",le="0.001"} 1"#,
            r#"cors_gateway_request_duration_seconds_bucket{route="api \"v1\"",le="0.05"} 2"#,
            r#"cors_gateway_request_duration_seconds_count{route="api \"v1\""} 2"#,
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        // Counts from other worker threads add up.
        std::thread::scope(|s| {
            for w in 1..=3 {
                let r = &r;
                s.spawn(move || {
                    crate::worker::set_worker(w);
                    r.decision(Outcome::Allowed);
                    r.latency(Duration::from_micros(700));
                });
            }
        });
        let text = m.render();
        for line in [
            r#"cors_gateway_requests_total{route="api \"v1\"",decision="allowed"} 5"#,
            r#"cors_gateway_request_duration_seconds_bucket{route="api \"v1\"",le="0.001"} 4"#,
            r#"cors_gateway_request_duration_seconds_count{route="api \"v1\""} 5"#,
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        // The same route name gives the same counters (they survive a reload).
        assert!(Arc::ptr_eq(&r, &m.route("api \"v1\"")));
    }
}
