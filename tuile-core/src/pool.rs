//! The render pool: a fixed set of threads for CPU and GDAL work.
//!
//! Fixed threads (not tokio's elastic blocking pool) so that each keeps its
//! GDAL dataset handles and OSR transforms open across requests. A panic in a
//! job is caught and returned as an error; the thread survives.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("internal error while rendering: {0}")]
    Panicked(String),
    #[error("the render pool is shutting down")]
    Closed,
    #[error("the server is busy: {0} renders are already running or waiting; try again shortly")]
    Busy(usize),
    #[error("the render took longer than the {0} ms allowed and was cancelled")]
    Timeout(u64),
}

thread_local! {
    /// When the job running on this thread must give up.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Whether the current job is past its deadline: long loops (features
/// drawn, GDAL's warp progress) check it and stop early.
pub fn overrun() -> bool {
    DEADLINE.with(|d| d.get().is_some_and(|t| Instant::now() >= t))
}

/// Called with the duration of every job that ran (for metrics).
pub type JobObserver = Arc<dyn Fn(Duration) + Send + Sync>;

/// Worker threads for a setting: the number given, or one per core for 0.
pub fn worker_threads(setting: usize) -> usize {
    match setting {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    }
}

pub struct RenderPool {
    pool: rayon::ThreadPool,
    observer: Option<JobObserver>,
    /// Jobs running or waiting; past the limit, new ones are refused.
    permits: Arc<Semaphore>,
    max_jobs: usize,
    timeout: Duration,
}

impl RenderPool {
    /// A pool of `threads` workers (0: one per core), taking at most
    /// `max_jobs` jobs at once, each cancelled after `timeout`.
    pub fn new(threads: usize, max_jobs: usize, timeout: Duration) -> RenderPool {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(worker_threads(threads))
            .thread_name(|i| format!("tuile-render-{i}"))
            .build()
            .expect("the render threads can be spawned");
        RenderPool {
            pool,
            observer: None,
            permits: Arc::new(Semaphore::new(max_jobs)),
            max_jobs,
            timeout,
        }
    }

    /// Reports the duration of every job to `observer`.
    pub fn with_observer(mut self, observer: JobObserver) -> RenderPool {
        self.observer = Some(observer);
        self
    }

    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `job` on a pool thread in its turn, without awaiting it: for
    /// work that hands its results over as it goes (streamed items). Queued
    /// with the renders, in arrival order, so that 64 item streams share the
    /// cores with the maps instead of outnumbering them as 64 threads (whose
    /// scheduling left some streams waiting a second under load). The place
    /// among the jobs is returned to the caller, to hold until the results
    /// are handed over; refused when the pool is full.
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) -> Result<tokio::sync::OwnedSemaphorePermit, PoolError> {
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| PoolError::Busy(self.max_jobs))?;
        let observer = self.observer.clone();
        self.pool.spawn(move || {
            let started = Instant::now();
            if let Err(panic) = catch_unwind(AssertUnwindSafe(job)) {
                let msg = crate::metrics::caught_panic(panic.as_ref());
                tracing::error!(panic = %msg, "a streamed job panicked");
            }
            if let Some(observe) = &observer {
                observe(started.elapsed());
            }
        });
        Ok(permit)
    }

    /// Jobs running or waiting now.
    pub fn in_flight(&self) -> usize {
        self.max_jobs - self.permits.available_permits()
    }

    /// Runs `job` on a pool thread and awaits its result. Refused at once
    /// when the pool is full; answered with a timeout error when the job
    /// overruns (the job itself stops at its next check of [`overrun`]).
    pub async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| PoolError::Busy(self.max_jobs))?;
        let deadline = Instant::now() + self.timeout;
        let timeout_ms = self.timeout.as_millis() as u64;
        let (tx, rx) = tokio::sync::oneshot::channel();
        // The place is held here, by the caller, not by the job: a client
        // that hangs up frees it at once, and its job is skipped when its
        // turn comes (below) instead of holding the place while queued.
        let _permit = permit;
        let observer = self.observer.clone();
        self.pool.spawn(move || {
            // A job whose caller has gone (the client hung up) or has already
            // been answered with a timeout (it waited too long in the queue)
            // is not started at all.
            if tx.is_closed() || Instant::now() >= deadline {
                let _ = tx.send(Err(PoolError::Timeout(timeout_ms)));
                return;
            }
            let started = Instant::now();
            DEADLINE.with(|d| d.set(Some(deadline)));
            let result = catch_unwind(AssertUnwindSafe(job)).map_err(|panic| {
                let msg = crate::metrics::caught_panic(panic.as_ref());
                tracing::error!(panic = %msg, "a render job panicked");
                PoolError::Panicked(msg)
            });
            DEADLINE.with(|d| d.set(None));
            if let Some(observe) = &observer {
                observe(started.elapsed());
            }
            let _ = tx.send(result);
        });
        // A little grace, so that a job that stops at its deadline reports its own error.
        let wait = self.timeout + Duration::from_millis(250);
        match tokio::time::timeout(wait, rx).await {
            Ok(result) => result.map_err(|_| PoolError::Closed)?,
            Err(_) => Err(PoolError::Timeout(timeout_ms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_survives_panics() {
        let pool = RenderPool::new(1, 8, Duration::from_secs(5));
        assert_eq!(pool.run(|| 21 * 2).await.unwrap(), 42);
        let err = pool.run(|| -> u8 { panic!("boom") }).await.unwrap_err();
        assert!(matches!(err, PoolError::Panicked(m) if m == "boom"));
        assert_eq!(pool.run(|| 7).await.unwrap(), 7, "the worker survived");
    }

    #[tokio::test]
    async fn spawned_jobs_run_in_arrival_order_and_hold_their_place() {
        let pool = RenderPool::new(1, 3, Duration::from_secs(5));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut places = Vec::new();
        for i in 0..3 {
            let tx = tx.clone();
            let place = pool.spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                tx.send(i).unwrap();
            });
            places.push(place.unwrap());
        }
        assert!(
            matches!(pool.spawn(|| ()), Err(PoolError::Busy(3))),
            "three places, all taken"
        );
        for i in 0..3 {
            assert_eq!(rx.recv().await, Some(i));
        }
        assert!(pool.spawn(|| ()).is_err(), "held by their callers until dropped");
        places.clear();
        drop(pool.spawn(|| panic!("boom")).unwrap());
        assert_eq!(pool.run(|| 7).await.unwrap(), 7, "the worker survived");
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[tokio::test]
    async fn a_full_pool_refuses_and_an_overrun_is_cancelled() {
        let pool = Arc::new(RenderPool::new(1, 2, Duration::from_millis(300)));
        // The job honours its deadline, as renders do.
        let slow = || {
            while !overrun() {
                std::thread::sleep(Duration::from_millis(5));
            }
            "stopped"
        };
        let (a, b) = (Arc::clone(&pool), Arc::clone(&pool));
        let first = tokio::spawn(async move { a.run(slow).await });
        let second = tokio::spawn(async move { b.run(slow).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(pool.in_flight(), 2);
        let third = pool.run(|| 1).await;
        assert!(matches!(third, Err(PoolError::Busy(2))), "{third:?}");
        assert_eq!(first.await.unwrap().unwrap(), "stopped");
        let _ = second.await.unwrap();
        assert_eq!(pool.run(|| 1).await.unwrap(), 1, "permits come back");
        // A job that ignores its deadline is answered with a timeout.
        let stuck = pool.run(|| std::thread::sleep(Duration::from_millis(800))).await;
        assert!(matches!(stuck, Err(PoolError::Timeout(_))), "{stuck:?}");
    }
}
