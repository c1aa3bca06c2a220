//! `tuile seed`: the command-line face of `tiles::seed`, with a progress bar.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use tuile_core::catalog::Catalog;
use tuile_core::grid::BBox;
use tuile_core::tiles::TileFormat;
use tuile_core::tiles::disk::DiskStore;
use tuile_core::tiles::seed::{Progress, SeedPlan, SeedRequest};

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
    /// image/png, image/jpeg or application/vnd.mapbox-vector-tile (`mvt`,
    /// vector layers); the layer's tile format by default.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<TileFormat>,
    /// Edition, for layers with a time dimension; the default one otherwise.
    #[arg(long)]
    pub time: Option<String>,
    /// Tile store directory; `server.cache.disk` by default.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Render threads; 0 means one per core.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Re-render tiles that are already fresh in the store.
    #[arg(long)]
    pub force: bool,
}

fn parse_format(s: &str) -> Result<TileFormat, String> {
    TileFormat::from_mime(s).ok_or_else(|| format!("`{s}` is not image/png, image/jpeg or mvt"))
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
    let catalog = Catalog::open(config).map_err(anyhow::Error::msg)?;
    let request = SeedRequest {
        layer: o.layer.clone(),
        tms: o.tms.clone(),
        levels: o.levels,
        bbox: o.bbox,
        style: o.style,
        format: o.format,
        time: o.time,
    };
    let plan = SeedPlan::new(&catalog, &request)?;
    let store_dir = o
        .store
        .or_else(|| {
            let config = &catalog.config;
            config.server.cache.disk.as_ref().map(|d| config.resolve(d))
        })
        .context("seeding writes the on-disk tile store: set `server.cache.disk` or pass --store")?;
    eprintln!(
        "seeding {} tiles of `{}` ({}, {}) at levels {}-{} into {}",
        plan.tiles,
        o.layer,
        o.tms,
        plan.format.mime(),
        o.levels.0,
        o.levels.1,
        store_dir.display()
    );
    let bar = ProgressBar::new(plan.tiles);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} tiles {per_sec} eta {eta}")
            .expect("a valid progress template"),
    );
    let started = Instant::now();
    let report = plan.run(&DiskStore::new(store_dir), o.threads, o.force, &|p| match p {
        Progress::Tiles(n) => bar.inc(n),
        Progress::Problem(text) => bar.println(text),
    })?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} tiles written, {} already fresh, {} failed, in {secs:.1} s ({:.0} tiles/s)",
        report.written,
        report.fresh,
        report.failed,
        (report.written as f64) / secs.max(1e-9)
    );
    if report.failed > 0 {
        bail!("{} tiles could not be seeded", report.failed);
    }
    Ok(())
}
