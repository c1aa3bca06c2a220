//! The render pool: a fixed set of threads for CPU and GDAL work.
//!
//! Fixed threads (not tokio's elastic blocking pool) so that each keeps its
//! GDAL dataset handles and OSR transforms open across requests. A panic in a
//! job is caught and returned as an error; the thread survives.

use std::panic::{AssertUnwindSafe, catch_unwind};

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("internal error while rendering: {0}")]
    Panicked(String),
    #[error("the render pool is shutting down")]
    Closed,
}

pub struct RenderPool {
    pool: rayon::ThreadPool,
}

impl RenderPool {
    /// A pool of `threads` workers; 0 means one per core.
    pub fn new(threads: usize) -> RenderPool {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            threads
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tuile-render-{i}"))
            .build()
            .expect("the render threads can be spawned");
        RenderPool { pool }
    }

    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `job` on a pool thread and awaits its result.
    pub async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            let _timer = crate::observe::METRICS.render_seconds.start_timer();
            let result = catch_unwind(AssertUnwindSafe(job)).map_err(|panic| {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                tracing::error!(panic = %msg, "a render job panicked");
                PoolError::Panicked(msg)
            });
            let _ = tx.send(result);
        });
        rx.await.map_err(|_| PoolError::Closed)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_survives_panics() {
        let pool = RenderPool::new(1);
        assert_eq!(pool.run(|| 21 * 2).await.unwrap(), 42);
        let err = pool.run(|| -> u8 { panic!("boom") }).await.unwrap_err();
        assert!(matches!(err, PoolError::Panicked(m) if m == "boom"));
        assert_eq!(pool.run(|| 7).await.unwrap(), 7, "the worker survived");
    }
}
