//! The scan's rate limit as arithmetic: evenly spaced request slots, no bursts. Sans-IO: time
//! is an argument (a `Duration` since the scan started), so it is tested without a clock.

use std::time::Duration;

/// Hands out start times at most `rate` per second, each at least one interval after the
/// previous one, and never earlier than asked.
#[derive(Clone, Debug)]
pub struct Pacer {
    interval: Duration,
    next: Duration,
}

impl Pacer {
    /// A pacer for `rate` requests per second (`rate` > 0; non-finite or non-positive values
    /// mean one request per second).
    pub fn new(rate: f64) -> Pacer {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0
        };
        Pacer {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Duration::ZERO,
        }
    }

    /// The spacing between two slots.
    #[cfg(test)]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Reserves the next slot for a request ready at `now`; returns when it may start.
    pub fn reserve(&mut self, now: Duration) -> Duration {
        let slot = self.next.max(now);
        self.next = slot + self.interval;
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_evenly_spaced_when_requests_queue_up() {
        let mut p = Pacer::new(4.0);
        let slots: Vec<Duration> = (0..5).map(|_| p.reserve(Duration::ZERO)).collect();
        let ms: Vec<u128> = slots.iter().map(|d| d.as_millis()).collect();
        assert_eq!(ms, [0, 250, 500, 750, 1000]);
    }

    #[test]
    fn idle_time_is_not_saved_up_as_a_burst() {
        let mut p = Pacer::new(10.0);
        assert_eq!(p.reserve(Duration::ZERO), Duration::ZERO);
        // Nothing asked for 5 s: the next two requests are still 100 ms apart.
        let a = p.reserve(Duration::from_secs(5));
        let b = p.reserve(Duration::from_secs(5));
        assert_eq!(a, Duration::from_secs(5));
        assert_eq!(b - a, Duration::from_millis(100));
    }

    #[test]
    fn n_requests_span_n_minus_one_intervals() {
        let mut p = Pacer::new(200.0);
        let last = (0..1000).map(|_| p.reserve(Duration::ZERO)).last().unwrap();
        assert_eq!(last, p.interval() * 999);
    }

    #[test]
    fn nonsense_rates_fall_back_to_one_per_second() {
        for r in [0.0, -3.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Pacer::new(r).interval(), Duration::from_secs(1), "{r}");
        }
    }
}
