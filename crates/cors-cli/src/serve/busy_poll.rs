//! Busy polling: a worker that just served requests keeps its CPU a few microseconds longer
//! before it sleeps.
//!
//! A worker with nothing left to run blocks in `epoll_wait` and the kernel takes its CPU away;
//! the next request has to wake it up again. Under load that sleep-and-wake cycle repeats
//! thousands of times a second, and on a busy or virtual machine (where waking an idle CPU
//! goes through the hypervisor) it costs more than serving a request does. So before a worker
//! that served something since it last slept goes to sleep, it first spins for the configured
//! window, giving its CPU to any other runnable thread meanwhile (`sched_yield`); the
//! `epoll_wait` that follows then usually finds the next requests already there and returns at
//! once. A worker that did nothing since it last woke (a timer, say) sleeps at once, so an idle
//! gateway stays idle. `cors serve --busy-poll 0` turns it off.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

thread_local! {
    static ACTIVITY: Cell<u64> = const { Cell::new(0) };
    static AWAITING_UPSTREAM: Cell<usize> = const { Cell::new(0) };
}

/// An upstream exchange in progress on this thread, until dropped. While one is, the worker
/// does not spin before it sleeps: the upstream needs the CPU to answer, and a worker that
/// yields to it over and over makes it answer one request per turn instead of a batch.
pub struct AwaitingUpstream(());

impl AwaitingUpstream {
    pub fn begin() -> AwaitingUpstream {
        AWAITING_UPSTREAM.with(|n| n.set(n.get() + 1));
        AwaitingUpstream(())
    }
}

impl Drop for AwaitingUpstream {
    fn drop(&mut self) {
        AWAITING_UPSTREAM.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// Marks work on this thread (a request arrived, an upstream answered).
pub fn activity() {
    ACTIVITY.with(|a| a.set(a.get().wrapping_add(1)));
}

/// One worker's busy-poll state, for its runtime's before-park hook. (An atomic only because
/// the hook must be `Sync`; one thread uses it.)
pub struct Spin {
    window: Duration,
    /// The activity count at the last park.
    seen: AtomicU64,
}

impl Spin {
    /// Spins up to `window` before parking after work; `Duration::ZERO` turns it off.
    pub fn new(window: Duration) -> Spin {
        Spin {
            window,
            seen: AtomicU64::new(0),
        }
    }

    /// Whether the thread did work since the last park (and notes that it was asked).
    fn worked(&self) -> bool {
        let now = ACTIVITY.with(Cell::get);
        self.seen.swap(now, Relaxed) != now
    }

    /// The runtime's before-park hook.
    pub fn before_park(&self) {
        if self.window.is_zero() || !self.worked() || AWAITING_UPSTREAM.with(Cell::get) > 0 {
            return;
        }
        let start = Instant::now();
        while start.elapsed() < self.window {
            std::thread::yield_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spins_only_after_work() {
        let spin = Spin::new(Duration::from_millis(50));
        let timed = |s: &Spin| {
            let t = Instant::now();
            s.before_park();
            t.elapsed()
        };
        activity();
        assert!(
            timed(&spin) >= Duration::from_millis(50),
            "work, then a spin"
        );
        assert!(
            timed(&spin) < Duration::from_millis(50),
            "no work since: no spin"
        );
        activity();
        assert!(timed(&spin) >= Duration::from_millis(50));
        let off = Spin::new(Duration::ZERO);
        activity();
        assert!(timed(&off) < Duration::from_millis(50), "turned off");
        // Waiting for an upstream: no spin; once it answered, spins again.
        let waiting = AwaitingUpstream::begin();
        activity();
        assert!(
            timed(&spin) < Duration::from_millis(50),
            "an upstream is awaited"
        );
        drop(waiting);
        activity();
        assert!(timed(&spin) >= Duration::from_millis(50));
    }
}
