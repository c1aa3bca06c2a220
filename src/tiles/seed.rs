//! `tuile seed`: renders a range of tiles ahead of time into the on-disk
//! tile store, in parallel, with a progress bar.
//!
//! Seeding runs in its own process, so it cannot fill a running server's
//! memory; it fills the disk store instead, which `serve` reads behind its
//! memory cache (set `server.cache.disk`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::disk::DiskStore;
use super::{MetaJob, TileRequest};
use crate::grid::BBox;
use crate::render::ImageFormat;

#[derive(Debug, clap::Args)]
pub struct SeedOptions {
    #[arg(long)]
    pub layer: String,
    /// Tile matrix set: WebMercatorQuad, LAMB93 or WorldCRS84Quad.
    #[arg(long)]
    pub tms: String,
    /// Levels, such as 12-16.
    #[arg(long, value_parser = parse_levels)]
    pub levels: (usize, usize),
    /// minx,miny,maxx,maxy in the set's CRS; the layer's extent by default.
    #[arg(long, value_parser = parse_bbox)]
    pub bbox: Option<BBox>,
    #[arg(long)]
    pub style: Option<String>,
    /// image/png or image/jpeg; the layer's tile format by default.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<ImageFormat>,
    /// Edition, for layers with a time dimension; the default one otherwise.
    #[arg(long)]
    pub time: Option<String>,
    /// Tile store directory; `server.cache.disk` by default.
    #[arg(long)]
    pub store: Option<std::path::PathBuf>,
    /// Render threads; 0 means one per core.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Re-render tiles that are already fresh in the store.
    #[arg(long)]
    pub force: bool,
}

fn parse_format(s: &str) -> Result<ImageFormat, String> {
    ImageFormat::from_mime(s).ok_or_else(|| format!("`{s}` is not image/png or image/jpeg"))
}

/// Parses `12-16` or `14`.
pub fn parse_levels(s: &str) -> anyhow::Result<(usize, usize)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (usize, usize) = (
        a.trim().parse().context("levels are like 12-16")?,
        b.trim().parse().context("levels are like 12-16")?,
    );
    if a > b {
        bail!("levels {a}-{b}: the first is above the last");
    }
    Ok((a, b))
}

pub fn parse_bbox(s: &str) -> anyhow::Result<BBox> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .context("--bbox is minx,miny,maxx,maxy")?;
    let [a, b, c, d] = v.as_slice() else {
        bail!("--bbox is minx,miny,maxx,maxy")
    };
    let bbox = BBox::new(*a, *b, *c, *d);
    if !bbox.is_valid() {
        bail!("--bbox {s}: minx must be below maxx and miny below maxy");
    }
    Ok(bbox)
}

pub fn run(config: &Path, o: SeedOptions) -> anyhow::Result<()> {
    let catalog = crate::catalog::Catalog::open(config).map_err(anyhow::Error::msg)?;
    let layer = catalog
        .layer(&o.layer)
        .with_context(|| format!("no layer `{}` (is its source broken? see check-config)", o.layer))?
        .clone();
    let link = layer
        .tile_set(&o.tms)
        .with_context(|| format!("layer `{}` is not tiled in `{}`", o.layer, o.tms))?
        .clone();
    let style = layer
        .style(o.style.as_deref().unwrap_or(""))
        .with_context(|| {
            format!(
                "layer `{}` has no style `{}`",
                o.layer,
                o.style.as_deref().unwrap_or("")
            )
        })?
        .clone();
    let format = o
        .format
        .unwrap_or_else(|| layer.tile_format());
    let time = match &layer.time {
        Some(d) => Some(d.resolve(o.time.as_deref())?.to_string()),
        None => None,
    };
    let store_dir = o
        .store
        .or_else(|| {
            catalog
                .config
                .server
                .cache
                .disk
                .as_ref()
                .map(|d| catalog.config.resolve(d))
        })
        .context("seeding writes the on-disk tile store: set `server.cache.disk` or pass --store")?;
    let store = DiskStore::new(store_dir.clone());
    let n = layer.metatile(&catalog.config.server.cache);
    let buffer = if layer.is_vector() {
        catalog.config.server.cache.buffer
    } else {
        0
    };
    let background = match format {
        ImageFormat::Png => None,
        ImageFormat::Jpeg => Some(crate::style::Color::WHITE),
    };
    let base = TileRequest {
        layer: Arc::clone(&layer),
        style,
        tms: link.tms,
        z: 0,
        row: 0,
        col: 0,
        format,
        time,
        background,
    };
    let mut jobs = Vec::new();
    let mut total = 0u64;
    for z in o.levels.0..=o.levels.1 {
        let Some(limits) = link.limits(z) else {
            continue;
        };
        let m = &link.tms.matrices[z];
        let range = match &o.bbox {
            Some(b) => m.tile_range(b).and_then(|r| limits.intersection(&r)),
            None => Some(*limits),
        };
        let Some(r) = range else { continue };
        total += r.count();
        let mut row = r.min_row / n * n;
        while row <= r.max_row {
            let mut col = r.min_col / n * n;
            while col <= r.max_col {
                jobs.push(MetaJob {
                    request: TileRequest { z, ..base.clone() },
                    rows: row.max(r.min_row)..(row + n).min(r.max_row + 1),
                    cols: col.max(r.min_col)..(col + n).min(r.max_col + 1),
                    buffer,
                });
                col += n;
            }
            row += n;
        }
    }
    if jobs.is_empty() {
        bail!(
            "no tile of `{}` in `{}` at levels {}-{} (within the bbox)",
            o.layer,
            o.tms,
            o.levels.0,
            o.levels.1
        );
    }
    eprintln!(
        "seeding {total} tiles of `{}` ({}, {}) at levels {}-{} into {}",
        o.layer,
        o.tms,
        format.mime(),
        o.levels.0,
        o.levels.1,
        store_dir.display()
    );
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} tiles {per_sec} eta {eta}")
            .expect("a valid progress template"),
    );
    let (written, skipped, failed) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(if o.threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            o.threads
        })
        .build()?;
    pool.install(|| {
        jobs.par_iter().for_each(|job| {
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
            if !o.force && keys.iter().all(|k| store.read(k, layer.modified).is_some()) {
                skipped.fetch_add(keys.len() as u64, Ordering::Relaxed);
                bar.inc(keys.len() as u64);
                return;
            }
            match job.render() {
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
                                bar.println(format!("cannot write tile {}/{}/{}: {e}", key.z, row, col));
                                failed.fetch_add(1, Ordering::Relaxed)
                            }
                        };
                        bar.inc(1);
                    }
                }
                Err(e) => {
                    bar.println(format!("cannot render a metatile at level {}: {e}", job.request.z));
                    failed.fetch_add(keys.len() as u64, Ordering::Relaxed);
                    bar.inc(keys.len() as u64);
                }
            }
        })
    });
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let (w, s, f) = (written.into_inner(), skipped.into_inner(), failed.into_inner());
    eprintln!(
        "{w} tiles written, {s} already fresh, {f} failed, in {secs:.1} s ({:.0} tiles/s)",
        (w as f64) / secs.max(1e-9)
    );
    if f > 0 {
        bail!("{f} tiles could not be seeded");
    }
    Ok(())
}
