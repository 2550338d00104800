//! Reloading the gateway file: on SIGHUP and when the file changes. An invalid new file is
//! reported and the running configuration stays; requests in flight finish on the one they began with.
//!
//! Changes are noticed by polling the file's modification time and size (one `stat` per
//! interval) rather than with inotify (the `notify` crate): polling needs no dependency and
//! no extra thread, behaves the same on every platform and filesystem (NFS, bind mounts), and
//! sees the symlink swaps of Kubernetes ConfigMap volumes and editors' save-by-rename, which a
//! watch on the file's inode misses. The cost is up to one interval of delay.

use crate::config;
use crate::proxy::{Runtime, Shared};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What identifies a version of the file without reading it.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Loads the file and swaps it in. Returns whether the new configuration is now running.
pub fn reload(path: &Path, shared: &Shared, why: &str) -> bool {
    let ok = match try_reload(path, shared) {
        Ok(routes) => {
            tracing::info!(target: "cors::reload", file = %path.display(), trigger = why, routes, "configuration reloaded");
            true
        }
        Err(e) => {
            tracing::error!(target: "cors::reload", file = %path.display(), trigger = why, "the new configuration is invalid; the running one stays:\n{e}");
            false
        }
    };
    shared.metrics.reload(ok);
    ok
}

fn try_reload(path: &Path, shared: &Shared) -> Result<usize, String> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let loaded = config::load(&src, base)
        .map_err(|diags| crate::diag::render(&path.display().to_string(), &src, &diags, false))?;
    for w in &loaded.warnings {
        tracing::warn!(target: "cors::config", line = w.line, column = w.column, code = %w.code, "{} ({})", w.message, w.fix);
    }
    let rt = Runtime::build(&loaded.config, &shared.metrics, shared.workers)?;
    let old = shared.current();
    if old.listeners != rt.listeners || old.admin != rt.admin {
        tracing::warn!(target: "cors::reload", "listener addresses changed: they take effect on restart (TLS certificates, routes, policies, upstreams and limits apply now)");
    }
    let routes = rt.routes.len();
    shared.swap(rt);
    Ok(routes)
}

/// Watches for SIGHUP (when `sighup`) and, when `interval` is set, for changes of the file;
/// runs until aborted.
pub async fn watch(path: PathBuf, shared: Arc<Shared>, interval: Option<Duration>, sighup: bool) {
    let mut hup = if sighup {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(target: "cors::reload", "cannot listen for SIGHUP: {e}");
                None
            }
        }
    } else {
        None
    };
    let mut last = stamp(&path);
    let mut tick = tokio::time::interval(interval.unwrap_or(Duration::from_secs(3600)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            Some(()) = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => {
                last = stamp(&path);
                reload(&path, &shared, "SIGHUP");
            }
            _ = tick.tick(), if interval.is_some() => {
                let now = stamp(&path);
                if now.is_some() && now != last {
                    last = now;
                    reload(&path, &shared, "file changed");
                }
            }
        }
    }
}
