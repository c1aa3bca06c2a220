//! What the core counts, for whoever exports it: process-wide atomics
//! read when metrics are scraped. The core has no exporter; durations are
//! reported through hooks (see `pool::JobObserver`).

use std::sync::atomic::{AtomicI64, AtomicU64};

/// Panics caught (in render jobs and in request handlers) since start:
/// a metric, and what the fuzzing and contract tests check stays at zero.
pub static PANICS: AtomicU64 = AtomicU64::new(0);

/// Counts a caught panic and returns its message, for the log.
pub fn caught_panic(payload: &(dyn std::any::Any + Send)) -> String {
    PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// GDAL datasets held open by the render threads.
pub static OPEN_DATASETS: AtomicI64 = AtomicI64::new(0);
