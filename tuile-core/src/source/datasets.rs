//! Open GDAL datasets, shared by the render threads: a request borrows a
//! handle on a file (GDAL's are not for two threads at once), gives it back
//! after, and the next request on that file, on any thread, reuses it. Idle
//! handles past the cap are closed, least recently used first, so that a
//! mosaic of thousands of files never holds thousands open.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use gdal::Dataset;
use parking_lot::Mutex;

use super::SourceVersion;

/// A file in one state: a changed file is a new key, its old handles age out.
type Key = (PathBuf, SourceVersion);

struct Idle {
    handles: HashMap<Key, Vec<Dataset>>,
    /// Idle handles, oldest check-in first.
    order: VecDeque<Key>,
}

static IDLE: Mutex<Option<Idle>> = Mutex::new(None);
/// Idle handles kept open at most.
static CAP: AtomicUsize = AtomicUsize::new(256);

/// Sets how many idle handles stay open (`server.max_open_datasets`).
pub fn set_capacity(cap: usize) {
    CAP.store(cap.max(1), Ordering::Relaxed);
}

/// Runs `f` with a handle on `path` as it is at `version`.
pub fn with<R>(
    path: &Path,
    version: SourceVersion,
    f: impl FnOnce(&Dataset) -> R,
) -> Result<R, gdal::errors::GdalError> {
    let key = (path.to_path_buf(), version);
    let idle = {
        let mut guard = IDLE.lock();
        let pool = guard.get_or_insert_with(|| Idle {
            handles: HashMap::new(),
            order: VecDeque::new(),
        });
        let found = pool.handles.get_mut(&key).and_then(Vec::pop);
        if found.is_some()
            && let Some(at) = pool.order.iter().position(|k| *k == key)
        {
            pool.order.remove(at);
        }
        found
    };
    let ds = match idle {
        Some(ds) => ds,
        None => {
            let ds = Dataset::open(path)?;
            crate::metrics::OPEN_DATASETS.fetch_add(1, Ordering::Relaxed);
            ds
        }
    };
    let result = f(&ds);
    check_in(key, ds);
    Ok(result)
}

/// Idle handles held now.
pub fn idle() -> usize {
    IDLE.lock().as_ref().map_or(0, |p| p.order.len())
}

fn check_in(key: Key, ds: Dataset) {
    let mut closed = Vec::new();
    {
        let mut guard = IDLE.lock();
        let pool = guard.as_mut().expect("the pool exists once a handle was taken");
        pool.handles.entry(key.clone()).or_default().push(ds);
        pool.order.push_back(key);
        let cap = CAP.load(Ordering::Relaxed);
        while pool.order.len() > cap {
            let Some(oldest) = pool.order.pop_front() else { break };
            if let Some(list) = pool.handles.get_mut(&oldest) {
                if !list.is_empty() {
                    closed.push(list.remove(0));
                }
                if list.is_empty() {
                    pool.handles.remove(&oldest);
                }
            }
        }
    }
    // Closed outside the lock: closing a VRT closes its sources too.
    crate::metrics::OPEN_DATASETS.fetch_sub(closed.len() as i64, Ordering::Relaxed);
    drop(closed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_reused_and_capped() {
        crate::source::gdal::init(16);
        let dir = std::env::temp_dir().join(format!("tuile-pool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
        let paths: Vec<PathBuf> = (0..3)
            .map(|i| {
                let p = dir.join(format!("{i}.tif"));
                driver.create_with_band_type::<u8, _>(&p, 4, 4, 1).unwrap();
                p
            })
            .collect();
        set_capacity(2);
        for p in &paths {
            let v = SourceVersion::of(p).unwrap();
            assert_eq!(with(p, v, |ds| ds.raster_size()).unwrap(), (4, 4));
            assert_eq!(with(p, v, |ds| ds.raster_count()).unwrap(), 1);
            assert!(idle() <= 2, "{} idle handles past the cap", idle());
        }
        set_capacity(256);
        let _ = std::fs::remove_dir_all(dir);
    }
}
