//! One timer per connection, re-armed instead of created for each request.
//!
//! A fresh `tokio::time::Sleep` per request (the HTTP/1.x header read timeout, the upstream
//! response timeout) costs an allocation, an insertion into the runtime's timer wheel and a
//! removal from it. A connection's requests have deadlines that only move later, and moving a
//! registered tokio timer later is one atomic update (the wheel re-files it only if it fires),
//! so each connection keeps one and moves it — and only moves it earlier at once: a timer
//! armed for an earlier deadline than the one now awaited fires, is found early, and is moved
//! then, which saves most requests any timer work. A timer left armed after its request
//! finished fires at most once more, waking its task for nothing.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, ready};
use tokio::time::{Instant, Sleep};

/// A connection's re-armable timer, lent to one waiting request at a time.
#[derive(Default)]
pub struct ConnTimer {
    idle: Mutex<Option<Pin<Box<Sleep>>>>,
}

impl std::fmt::Debug for ConnTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConnTimer")
    }
}

impl ConnTimer {
    /// The connection's timer, or a new one when another request (HTTP/2) has it.
    fn take(&self, deadline: Instant) -> Pin<Box<Sleep>> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).take();
        idle.unwrap_or_else(|| Box::pin(tokio::time::sleep_until(deadline)))
    }
    fn give_back(&self, sleep: Pin<Box<Sleep>>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.is_none() {
            *idle = Some(sleep);
        }
    }
}

/// A timer on lease from a [`ConnTimer`] until dropped.
struct Lease<'a> {
    from: &'a ConnTimer,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl<'a> Lease<'a> {
    fn new(from: &'a ConnTimer) -> Self {
        Lease { from, sleep: None }
    }
    /// Ready once `deadline` has passed.
    fn poll(&mut self, deadline: Instant, cx: &mut Context<'_>) -> Poll<()> {
        let from = self.from;
        let sleep = self.sleep.get_or_insert_with(|| from.take(deadline));
        // A later deadline leaves the timer where it is (re-arming costs a trip through the
        // runtime's timer wheel): it fires early, at most once, and is moved then.
        if sleep.deadline() > deadline {
            sleep.as_mut().reset(deadline);
        }
        loop {
            ready!(sleep.as_mut().poll(cx));
            if sleep.deadline() >= deadline {
                return Poll::Ready(());
            }
            sleep.as_mut().reset(deadline);
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.sleep.take() {
            self.from.give_back(s);
        }
    }
}

/// `fut`, or `None` once `deadline` has passed, like `tokio::time::timeout_at`, on the
/// connection's timer. The timer is only touched when `fut` is not ready at once.
pub async fn deadline<F: Future>(
    timer: &ConnTimer,
    deadline: Instant,
    fut: F,
) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut lease = Lease::new(timer);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        match lease.poll(deadline, cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const MS: Duration = Duration::from_millis(1);

    /// Ends with `Some` when `fut` finishes first, and says when it ended.
    async fn timed<F: Future>(timer: &ConnTimer, after: Duration, fut: F) -> (bool, Duration) {
        let t = Instant::now();
        let r = deadline(timer, t + after, fut).await;
        (r.is_some(), t.elapsed())
    }

    #[tokio::test]
    async fn a_reused_timer_fires_at_each_deadline_and_not_before() {
        let timer = ConnTimer::default();
        // A request done before its deadline leaves the timer armed…
        assert_eq!(
            deadline(&timer, Instant::now() + 50 * MS, async { 1 }).await,
            Some(1)
        );
        let pending = || std::future::pending::<()>();
        let (done, _) = timed(&timer, 200 * MS, tokio::time::sleep(10 * MS)).await;
        assert!(done);
        // …and the next deadlines, later or earlier than the armed one, hold.
        for after in [300 * MS, 100 * MS, 250 * MS] {
            let (done, took) = timed(&timer, after, pending()).await;
            assert!(!done);
            assert!(
                took >= after && took < after + 2000 * MS,
                "{took:?} for {after:?}"
            );
        }
        // Work that finishes in time is not cut short by an earlier request's deadline.
        let (done, _) = timed(&timer, 5 * MS, async {}).await;
        assert!(done);
        let (done, took) = timed(&timer, 400 * MS, tokio::time::sleep(150 * MS)).await;
        assert!(done && took >= 150 * MS, "{took:?}");
    }

    #[tokio::test]
    async fn concurrent_deadlines_on_one_connection_each_hold() {
        let timer = ConnTimer::default();
        let pending = || std::future::pending::<()>();
        let ((a, ta), (b, tb)) = tokio::join!(
            timed(&timer, 300 * MS, pending()),
            timed(&timer, 100 * MS, pending())
        );
        assert!(!a && !b);
        assert!(ta >= 300 * MS && tb >= 100 * MS && tb < ta, "{ta:?} {tb:?}");
    }
}
