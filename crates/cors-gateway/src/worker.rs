//! Which worker thread this is: each worker owns one upstream connection pool and one metrics
//! shard, picked by this index. Set once when a worker starts; 0 elsewhere.

thread_local! {
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Marks the current thread as worker `i` (it uses the `i`-th pool of every upstream).
pub fn set_worker(i: usize) {
    WORKER.with(|w| w.set(i));
}

/// The current thread's worker index (0 outside the workers).
pub fn worker() -> usize {
    WORKER.with(std::cell::Cell::get)
}
