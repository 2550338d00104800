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
//! gateway stays idle; so does one awaiting an upstream (which needs the CPU to answer), and one
//! whose yields keep coming straight back (nothing else wants its CPU, so sleeping costs it
//! nothing, while spinning would take cycles from a sibling hyperthread or the hypervisor).
//! `cors serve --busy-poll 0` turns it off.

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

/// A yield that took longer than this ran another thread.
const CONTENDED_YIELD: Duration = Duration::from_micros(4);
/// Yields in a row that ran no other thread, after which the worker stops spinning.
const IDLE_YIELDS: u32 = 8;

/// How the yields of a spin went: whether other threads wanted the CPU.
#[derive(Default)]
struct Yields {
    /// Yields in a row that ran no other thread.
    idle: u32,
}

impl Yields {
    /// After a yield that took `took`: whether spinning still pays.
    fn go_on(&mut self, took: Duration) -> bool {
        if took < CONTENDED_YIELD {
            self.idle += 1;
        } else {
            self.idle = 0;
        }
        self.idle < IDLE_YIELDS
    }
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
        // Spinning pays while other threads want this CPU (each yield runs one of them); when
        // yields come straight back, the worker has the CPU to itself and sleeping costs it
        // nothing, while spinning takes cycles from a sibling hyperthread or the hypervisor.
        let start = Instant::now();
        let (mut last, mut yields) = (start, Yields::default());
        while last - start < self.window {
            std::thread::yield_now();
            let now = Instant::now();
            if !yields.go_on(now - last) {
                return;
            }
            last = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spins_only_after_work_and_at_most_the_window() {
        let window = Duration::from_millis(50);
        let spin = Spin::new(window);
        let timed = |s: &Spin| {
            let t = Instant::now();
            s.before_park();
            t.elapsed()
        };
        // Whether the spin runs to the end of its window depends on what else this machine
        // runs; it never runs longer, and without work it does not run at all.
        activity();
        assert!(
            timed(&spin) < window + Duration::from_millis(40),
            "work, then at most a spin"
        );
        assert!(
            timed(&spin) < Duration::from_millis(5),
            "no work since: no spin"
        );
        let off = Spin::new(Duration::ZERO);
        activity();
        assert!(timed(&off) < Duration::from_millis(5), "turned off");
        let waiting = AwaitingUpstream::begin();
        activity();
        assert!(
            timed(&spin) < Duration::from_millis(5),
            "an upstream is awaited"
        );
        drop(waiting);
    }

    #[test]
    fn the_spin_stops_when_yields_run_no_other_thread() {
        let quick = Duration::from_micros(1);
        let ran_another = Duration::from_micros(30);
        let mut y = Yields::default();
        for _ in 1..IDLE_YIELDS {
            assert!(y.go_on(quick));
        }
        assert!(
            y.go_on(ran_another),
            "another thread ran: start counting again"
        );
        for _ in 1..IDLE_YIELDS {
            assert!(y.go_on(quick));
        }
        assert!(
            !y.go_on(quick),
            "{IDLE_YIELDS} quick yields in a row: sleep"
        );
    }
}
