//! Seeding: renders a range of tiles ahead of time into the on-disk tile
//! store, in parallel. The `tuile seed` command drives it.
//!
//! Seeding runs in its own process, so it cannot fill a running server's
//! memory; it fills the disk store instead, which a server reads behind its
//! memory cache (set `server.cache.disk`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::disk::DiskStore;
use super::{MetaJob, TileFormat, TileRequest};
use crate::catalog::Catalog;
use crate::error::{Error, ErrorKind};
use crate::grid::BBox;
use crate::layer::Layer;

/// What to seed.
#[derive(Debug, Clone, Default)]
pub struct SeedRequest {
    pub layer: String,
    /// Tile matrix set identifier.
    pub tms: String,
    /// First and last level.
    pub levels: (usize, usize),
    /// In the set's CRS; the layer's extent by default.
    pub bbox: Option<BBox>,
    pub style: Option<String>,
    /// The layer's tile format by default.
    pub format: Option<TileFormat>,
    /// The default edition by default.
    pub time: Option<String>,
}

/// The metatiles to render for a request.
pub struct SeedPlan {
    pub layer: Arc<Layer>,
    pub format: TileFormat,
    /// Tiles in all.
    pub tiles: u64,
    jobs: Vec<MetaJob>,
}

/// What a seeding run did, tile by tile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub written: u64,
    /// Already in the store and newer than the layer's inputs.
    pub fresh: u64,
    pub failed: u64,
}

/// What a run reports as it goes: tiles done, or a problem in words.
pub enum Progress {
    Tiles(u64),
    Problem(String),
}

fn bad(message: String) -> Error {
    Error::new(ErrorKind::BadRequest, message)
}

impl SeedPlan {
    pub fn new(catalog: &Catalog, r: &SeedRequest) -> Result<SeedPlan, Error> {
        let layer = catalog
            .layer(&r.layer)
            .ok_or_else(|| {
                bad(format!(
                    "no layer `{}` (is its source broken? see check-config)",
                    r.layer
                ))
            })?
            .clone();
        let style_name = r.style.as_deref().unwrap_or("");
        let style = layer
            .style(style_name)
            .ok_or_else(|| bad(format!("layer `{}` has no style `{style_name}`", r.layer)))?
            .clone();
        let format = r
            .format
            .clone()
            .unwrap_or_else(|| TileFormat::Image(layer.tile_format()));
        if matches!(format, TileFormat::Mvt(_)) && !layer.is_vector() {
            return Err(bad(format!(
                "layer `{}` has no features to make vector tiles of",
                r.layer
            )));
        }
        let link = match format {
            TileFormat::Mvt(_) => layer.vector_tile_set(&r.tms),
            TileFormat::Image(_) => layer.tile_set(&r.tms).cloned(),
        }
        .ok_or_else(|| bad(format!("layer `{}` is not tiled in `{}`", r.layer, r.tms)))?;
        let time = match &layer.time {
            Some(d) => Some(
                d.resolve(r.time.as_deref())
                    .map_err(|e| bad(e.to_string()))?
                    .to_string(),
            ),
            None => None,
        };
        let base = TileRequest {
            layer: Arc::clone(&layer),
            style,
            tms: link.tms,
            z: 0,
            row: 0,
            col: 0,
            background: format.tile_background(),
            format: format.clone(),
            time,
        };
        let cache = &catalog.config.server.cache;
        let n = base.metatile(cache);
        let buffer = if layer.is_vector() && n > 1 { cache.buffer } else { 0 };
        let mut jobs = Vec::new();
        let mut tiles = 0u64;
        for z in r.levels.0..=r.levels.1 {
            let Some(limits) = link.limits(z) else {
                continue;
            };
            let m = &link.tms.matrices[z];
            let range = match &r.bbox {
                Some(b) => m.tile_range(b).and_then(|t| limits.intersection(&t)),
                None => Some(*limits),
            };
            let Some(t) = range else { continue };
            tiles += t.count();
            let mut row = t.min_row / n * n;
            while row <= t.max_row {
                let mut col = t.min_col / n * n;
                while col <= t.max_col {
                    jobs.push(MetaJob {
                        request: TileRequest { z, ..base.clone() },
                        rows: row.max(t.min_row)..(row + n).min(t.max_row + 1),
                        cols: col.max(t.min_col)..(col + n).min(t.max_col + 1),
                        buffer,
                    });
                    col += n;
                }
                row += n;
            }
        }
        if jobs.is_empty() {
            return Err(bad(format!(
                "no tile of `{}` in `{}` at levels {}-{} (within the bbox)",
                r.layer, r.tms, r.levels.0, r.levels.1
            )));
        }
        Ok(SeedPlan {
            layer,
            format,
            tiles,
            jobs,
        })
    }

    /// Renders every metatile on `threads` threads (0: one per core) and
    /// writes its tiles to `store`; with `force`, tiles already fresh there
    /// are rendered again.
    pub fn run(
        &self,
        store: &DiskStore,
        threads: usize,
        force: bool,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<SeedReport, Error> {
        let (written, fresh, failed) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(crate::pool::worker_threads(threads))
            .build()
            .map_err(|e| Error::caused_by(ErrorKind::Internal, e))?;
        let modified = self.layer.modified;
        pool.install(|| {
            self.jobs.par_iter().for_each(|job| {
                let keys: Vec<_> = job
                    .rows
                    .clone()
                    .flat_map(|row| job.cols.clone().map(move |col| (row, col)))
                    .map(|(row, col)| {
                        TileRequest {
                            row,
                            col,
                            ..job.request.clone()
                        }
                        .key()
                    })
                    .collect();
                let count = keys.len() as u64;
                if !force && keys.iter().all(|k| store.read(k, modified).is_some()) {
                    fresh.fetch_add(count, Ordering::Relaxed);
                    progress(Progress::Tiles(count));
                    return;
                }
                let fetched = crate::upstream::blocking(job.fetch());
                match fetched.and_then(|f| job.render(f)) {
                    Ok(tiles) => {
                        for ((row, col), tile) in tiles {
                            let key = TileRequest {
                                row,
                                col,
                                ..job.request.clone()
                            }
                            .key();
                            match store.write(&key, &tile.bytes) {
                                Ok(()) => written.fetch_add(1, Ordering::Relaxed),
                                Err(e) => {
                                    progress(Progress::Problem(format!(
                                        "cannot write tile {}/{}/{}: {e}",
                                        key.z, row, col
                                    )));
                                    failed.fetch_add(1, Ordering::Relaxed)
                                }
                            };
                            progress(Progress::Tiles(1));
                        }
                    }
                    Err(e) => {
                        progress(Progress::Problem(format!(
                            "cannot render a metatile at level {}: {e}",
                            job.request.z
                        )));
                        failed.fetch_add(count, Ordering::Relaxed);
                        progress(Progress::Tiles(count));
                    }
                }
            })
        });
        Ok(SeedReport {
            written: written.into_inner(),
            fresh: fresh.into_inner(),
            failed: failed.into_inner(),
        })
    }
}
