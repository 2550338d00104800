//! Running a scan: targets in parallel up to the concurrency bound, the probes of one target one
//! after another, every request paced by the global rate limit, retries with exponential backoff
//! on connection errors only, and a progress bar.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use tokio::sync::Semaphore;

use super::judge::{Finding, judge};
use super::pace::Pacer;
use super::probe::{Exchange, Probe, Target, first_round, second_round};
use crate::http::{Client, Error};

/// The longest wait between two attempts of one request.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How politely to scan.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Targets scanned at once (each has at most one request in flight).
    pub concurrency: usize,
    /// Requests per second, across all targets, retries included.
    pub rate: f64,
    /// Retries of a request that failed to connect.
    pub retries: u32,
    /// The first retry's delay; each further retry doubles it.
    pub backoff: Duration,
}

/// A probe that failed even after its retries.
#[derive(Clone, Debug)]
pub struct ProbeError {
    /// The probe's name.
    pub probe: &'static str,
    /// What went wrong.
    pub error: Error,
}

/// Everything learned about one target.
#[derive(Clone, Debug)]
pub struct TargetReport {
    /// The target.
    pub target: Target,
    /// Its findings.
    pub findings: Vec<Finding>,
    /// Probes that failed. When the first (baseline) probe fails, nothing else is sent.
    pub errors: Vec<ProbeError>,
    /// Requests sent, retries included.
    pub requests: usize,
}

struct Shared {
    client: Client,
    pacer: Mutex<Pacer>,
    start: Instant,
    options: EngineOptions,
}

impl Shared {
    async fn paced(&self) {
        let slot = {
            let mut p = self.pacer.lock().unwrap_or_else(|e| e.into_inner());
            p.reserve(self.start.elapsed())
        };
        tokio::time::sleep_until((self.start + slot).into()).await;
    }

    /// Sends with retries on connection errors; returns the result and the attempts made.
    async fn send(&self, probe: &Probe) -> (Result<Exchange, Error>, usize) {
        let mut attempts = 0;
        loop {
            self.paced().await;
            attempts += 1;
            match self.client.send(&probe.request).await {
                Ok(response) => {
                    return (
                        Ok(Exchange {
                            probe: probe.clone(),
                            response,
                        }),
                        attempts,
                    );
                }
                Err(e)
                    if e.kind.is_connection_error()
                        && attempts <= self.options.retries as usize =>
                {
                    // Exponential backoff, capped so that many retries stay reasonable.
                    let factor = 1u32 << (attempts - 1).min(16);
                    let delay = (self.options.backoff * factor).min(MAX_BACKOFF);
                    tokio::time::sleep(delay).await;
                }
                Err(e) => return (Err(e), attempts),
            }
        }
    }

    async fn scan_one(&self, target: Target) -> TargetReport {
        let mut exchanges = Vec::new();
        let mut errors = Vec::new();
        let mut requests = 0;
        let first = first_round(&target);
        for (i, probe) in first.iter().enumerate() {
            let (r, n) = self.send(probe).await;
            requests += n;
            match r {
                Ok(x) => exchanges.push(x),
                Err(error) => {
                    errors.push(ProbeError {
                        probe: probe.kind.as_str(),
                        error,
                    });
                    if i == 0 {
                        // Unreachable: say so once instead of hammering it.
                        return TargetReport {
                            target,
                            findings: Vec::new(),
                            errors,
                            requests,
                        };
                    }
                }
            }
        }
        for probe in second_round(&target, &exchanges) {
            let (r, n) = self.send(&probe).await;
            requests += n;
            match r {
                Ok(x) => exchanges.push(x),
                Err(error) => errors.push(ProbeError {
                    probe: probe.kind.as_str(),
                    error,
                }),
            }
        }
        let findings = judge(&target, &exchanges);
        TargetReport {
            target,
            findings,
            errors,
            requests,
        }
    }
}

/// Scans every target and returns the reports in the targets' order.
pub async fn scan_all(
    client: Client,
    targets: Vec<Target>,
    options: EngineOptions,
    progress: ProgressBar,
) -> Vec<TargetReport> {
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let shared = Arc::new(Shared {
        client,
        pacer: Mutex::new(Pacer::new(options.rate)),
        start: Instant::now(),
        options,
    });
    let mut set = tokio::task::JoinSet::new();
    for (i, target) in targets.into_iter().enumerate() {
        let shared = shared.clone();
        let limit = limit.clone();
        let progress = progress.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            progress.set_message(target.url.to_string());
            let report = shared.scan_one(target).await;
            progress.inc(1);
            (i, report)
        });
    }
    let mut out: Vec<(usize, TargetReport)> = Vec::new();
    while let Some(r) = set.join_next().await {
        // A panicking task would be a bug; its target is then simply missing from the report.
        if let Ok(r) = r {
            out.push(r);
        }
    }
    progress.finish_and_clear();
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}
