//! Tiles: rendered by metatiles, kept in a memory cache capped in bytes
//! with single flight, and optionally in a disk store behind it.
//!
//! A tile is the map of its bounding box: the same renderer draws both, so
//! tiles, maps that happen to be tiles, and seeded tiles agree pixel for pixel.

pub mod disk;
mod encoded;
pub mod mvt;
pub mod seed;

pub use encoded::{Encoded, etag_of};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use moka::future::Cache;
use parking_lot::RwLock;
use rayon::prelude::*;
use tiny_skia::{IntRect, Pixmap};

use crate::catalog::Catalog;
use crate::config::CacheConfig;
use crate::error::{Error, ErrorKind};
use crate::grid::tms::{TILE_SIZE, TileMatrixSet};
use crate::layer::Layer;
use crate::pool::RenderPool;
use crate::render::{self, DrawLayer, ImageFormat, MapView};
use crate::source::remote::Fetched;
use crate::style::{Color, Style};
use disk::DiskStore;

/// What a tile is encoded as: a rendered image, or the features themselves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TileFormat {
    Image(ImageFormat),
    /// A Mapbox Vector Tile holding these properties; `None`: the ones the
    /// style reads (its filters and labels) and `id`.
    Mvt(Option<Arc<[String]>>),
}

impl TileFormat {
    pub const MVT_MIME: &'static str = "application/vnd.mapbox-vector-tile";

    pub fn mime(&self) -> &'static str {
        match self {
            TileFormat::Image(f) => f.mime(),
            TileFormat::Mvt(_) => TileFormat::MVT_MIME,
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            TileFormat::Image(f) => f.extension(),
            TileFormat::Mvt(_) => "mvt",
        }
    }

    /// Reads a MIME type or extension: the image formats, `mvt`, `pbf`.
    pub fn from_mime(s: &str) -> Option<TileFormat> {
        match s.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
            TileFormat::MVT_MIME | "application/x-protobuf" | "mvt" | "pbf" => Some(TileFormat::Mvt(None)),
            _ => ImageFormat::from_mime(s).map(TileFormat::Image),
        }
    }

    /// A tile's background: transparent outside the data where the format
    /// allows it, white otherwise (JPEG has no alpha); none for features.
    pub fn tile_background(&self) -> Option<Color> {
        match self {
            TileFormat::Image(f) => f.tile_background(),
            TileFormat::Mvt(_) => None,
        }
    }
}

/// One tile to serve.
#[derive(Clone)]
pub struct TileRequest {
    pub layer: Arc<Layer>,
    pub style: Arc<Style>,
    pub tms: &'static TileMatrixSet,
    pub z: usize,
    pub row: u32,
    pub col: u32,
    pub format: TileFormat,
    pub time: Option<String>,
    /// Canvas colour; `None` is transparent.
    pub background: Option<Color>,
}

/// Everything that changes a tile's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub layer: Arc<str>,
    pub stamp: u64,
    pub style: Arc<str>,
    pub tms: &'static str,
    pub z: u8,
    pub row: u32,
    pub col: u32,
    pub format: TileFormat,
    pub time: Option<Arc<str>>,
    pub background: Option<[u8; 4]>,
}

impl TileRequest {
    pub fn key(&self) -> TileKey {
        TileKey {
            layer: Arc::from(self.layer.name()),
            stamp: self.layer.stamp,
            style: Arc::from(self.style.name.as_str()),
            tms: self.tms.id,
            z: self.z as u8,
            row: self.row,
            col: self.col,
            format: self.format.clone(),
            time: self.time.as_deref().map(Arc::from),
            background: self.background.map(|c| [c.r, c.g, c.b, c.a]),
        }
    }

    /// Tiles per metatile side: vector tiles are cut from no larger block
    /// (their buffer is their own), images by the layer's setting.
    pub fn metatile(&self, cache: &CacheConfig) -> u32 {
        match self.format {
            TileFormat::Mvt(_) => 1,
            TileFormat::Image(_) => self.layer.metatile(cache),
        }
    }
}

type Metatile = Arc<HashMap<(u32, u32), Arc<Encoded>>>;

pub struct TileCache {
    tiles: Cache<TileKey, Arc<Encoded>>,
    /// In-flight metatiles: concurrent requests for tiles of one metatile
    /// wait for a single render.
    metas: Cache<TileKey, Metatile>,
    /// Bytes held by `tiles`, kept exact by the eviction listener.
    used: Arc<AtomicU64>,
    cap: u64,
    ttls: Arc<RwLock<HashMap<String, Duration>>>,
    disk: Option<DiskStore>,
    config: CacheConfig,
    /// Metatiles rendered since start (tests and metrics).
    pub renders: AtomicU64,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    /// Tiles pushed out by the memory cap.
    pub evictions: Arc<AtomicU64>,
    /// Expired tiles of cascaded layers served while their upstream failed.
    pub stale_served: AtomicU64,
}

struct LayerTtl(Arc<RwLock<HashMap<String, Duration>>>);

impl moka::Expiry<TileKey, Arc<Encoded>> for LayerTtl {
    fn expire_after_create(&self, key: &TileKey, _v: &Arc<Encoded>, _now: std::time::Instant) -> Option<Duration> {
        self.0.read().get(&*key.layer).copied()
    }
}

impl TileCache {
    pub fn new(config: &CacheConfig, disk_root: Option<std::path::PathBuf>) -> TileCache {
        let cap = config.memory_mb * 1024 * 1024;
        let used = Arc::new(AtomicU64::new(0));
        let ttls = Arc::new(RwLock::new(HashMap::new()));
        let listener_used = Arc::clone(&used);
        let evictions = Arc::new(AtomicU64::new(0));
        let listener_evictions = Arc::clone(&evictions);
        // moka evicts from 90% of the cap; `reserve` refuses what would cross it.
        let tiles = Cache::builder()
            .max_capacity(cap / 10 * 9)
            .weigher(|_k, v: &Arc<Encoded>| v.weight())
            .eviction_listener(move |_k, v: Arc<Encoded>, cause| {
                listener_used.fetch_sub(v.weight() as u64, Ordering::SeqCst);
                if cause == moka::notification::RemovalCause::Size {
                    listener_evictions.fetch_add(1, Ordering::Relaxed);
                }
            })
            .expire_after(LayerTtl(Arc::clone(&ttls)))
            .support_invalidation_closures()
            .build();
        let metas = Cache::builder()
            .max_capacity(1024)
            .time_to_live(Duration::from_secs(10))
            .build();
        TileCache {
            tiles,
            metas,
            used,
            cap,
            ttls,
            disk: disk_root.map(DiskStore::new),
            config: config.clone(),
            renders: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions,
            stale_served: AtomicU64::new(0),
        }
    }

    /// Adopts a catalog's per-layer memory TTLs.
    pub fn configure(&self, catalog: &Catalog) {
        let mut ttls = self.ttls.write();
        ttls.clear();
        for l in &catalog.layers {
            // A cascaded layer's tiles stay past their freshness for the
            // stale-if-error grace period.
            let keep = match &l.source {
                crate::source::Source::Remote(r) => {
                    l.upstream_ttl().map(|ttl| ttl + Duration::from_secs(r.stale_grace_s))
                }
                _ => l.config.cache_ttl.map(Duration::from_secs),
            };
            if let Some(keep) = keep {
                ttls.insert(l.name().to_string(), keep);
            }
        }
    }

    /// Bytes of tiles held in memory; never above the cap.
    pub fn used_bytes(&self) -> u64 {
        self.used.load(Ordering::SeqCst)
    }

    pub fn cap_bytes(&self) -> u64 {
        self.cap
    }

    /// Drops every tile of a layer (its source changed, or an admin asked).
    pub fn invalidate_layer(&self, name: &str) {
        let name: Arc<str> = Arc::from(name);
        let _ = self.tiles.invalidate_entries_if(move |k, _| k.layer == name);
    }

    pub fn invalidate_all(&self) {
        self.tiles.invalidate_all();
    }

    /// Processes pending evictions and invalidations now.
    pub async fn sync(&self) {
        self.tiles.run_pending_tasks().await;
    }

    /// The tile from memory, the disk store, or a metatile render.
    pub async fn get(&self, req: &TileRequest, pool: &RenderPool) -> Result<Arc<Encoded>, Error> {
        let key = req.key();
        let mut stale = None;
        if let Some(t) = self.tiles.get(&key).await {
            if !t.is_expired() {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(t);
            }
            stale = Some(t);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let drawn = self.get_uncached(req, key, pool).await;
        match (drawn, stale) {
            // stale-if-error: the upstream failed, its last good tile still serves.
            (Err(e), Some(old)) if matches!(e.kind(), ErrorKind::Upstream | ErrorKind::UpstreamTimeout) => {
                tracing::warn!(layer = %req.layer.name(), "{e}; serving the expired tile");
                self.stale_served.fetch_add(1, Ordering::Relaxed);
                Ok(Arc::new(old.as_stale()))
            }
            (drawn, _) => drawn,
        }
    }

    /// The tile from the disk store or a metatile render.
    async fn get_uncached(&self, req: &TileRequest, key: TileKey, pool: &RenderPool) -> Result<Arc<Encoded>, Error> {
        if let Some(disk) = &self.disk {
            let (disk, k, layer) = (disk.clone(), key.clone(), Arc::clone(&req.layer));
            let found = tokio::task::spawn_blocking(move || disk.read(&k, layer.modified))
                .await
                .ok()
                .flatten();
            if let Some(bytes) = found {
                let tile = Arc::new(Encoded::from_store(
                    bytes,
                    &req.format,
                    req.layer.modified,
                    req.layer.max_age,
                ));
                self.admit(key, Arc::clone(&tile)).await;
                return Ok(tile);
            }
        }
        let n = req.metatile(&self.config);
        let m = &req.tms.matrices[req.z];
        let (r0, c0) = (req.row / n * n, req.col / n * n);
        let meta = MetaJob {
            request: req.clone(),
            rows: r0..(r0 + n).min(m.matrix_height),
            cols: c0..(c0 + n).min(m.matrix_width),
            buffer: if req.layer.is_vector() && n > 1 {
                self.config.buffer
            } else {
                0
            },
        };
        let meta_key = TileKey {
            row: r0,
            col: c0,
            ..key
        };
        let tiles = self
            .metas
            .try_get_with(meta_key.clone(), self.render_meta(meta, pool))
            .await
            .map_err(|e| (*e).clone())?;
        self.metas.invalidate(&meta_key).await;
        tiles
            .get(&(req.row, req.col))
            .cloned()
            .ok_or_else(|| Error::new(ErrorKind::Internal, "the metatile lacks a tile"))
    }

    async fn render_meta(&self, job: MetaJob, pool: &RenderPool) -> Result<Metatile, Error> {
        self.renders.fetch_add(1, Ordering::SeqCst);
        let base = job.request.clone();
        let fetched = job.fetch().await?;
        let rendered = pool.run(move || job.render(fetched)).await??;
        let mut out = HashMap::with_capacity(rendered.len());
        let fresh_until = base.layer.upstream_ttl().map(|ttl| std::time::Instant::now() + ttl);
        for ((row, col), mut tile) in rendered {
            tile.fresh_until = fresh_until;
            let tile = Arc::new(tile);
            let key = TileRequest {
                row,
                col,
                ..base.clone()
            }
            .key();
            if self.config.disk_write
                && let Some(disk) = &self.disk
            {
                let (disk, k, bytes) = (disk.clone(), key.clone(), tile.bytes.clone());
                tokio::task::spawn_blocking(move || disk.write_logged(&k, &bytes));
            }
            self.admit(key, Arc::clone(&tile)).await;
            out.insert((row, col), tile);
        }
        Ok(Arc::new(out))
    }

    /// Inserts a tile when it fits under the cap.
    async fn admit(&self, key: TileKey, tile: Arc<Encoded>) {
        let w = tile.weight() as u64;
        let mut synced = false;
        loop {
            let now = self.used.load(Ordering::SeqCst);
            if now + w <= self.cap {
                if self
                    .used
                    .compare_exchange(now, now + w, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    self.tiles.insert(key, tile).await;
                    return;
                }
                continue;
            }
            if synced {
                // Serve it uncached rather than cross the cap.
                return;
            }
            self.tiles.run_pending_tasks().await;
            synced = true;
        }
    }
}

/// A tile's (row, column).
pub type Cell = (u32, u32);

/// A block of tiles rendered as one image, then cut.
pub struct MetaJob {
    pub request: TileRequest,
    pub rows: std::ops::Range<u32>,
    pub cols: std::ops::Range<u32>,
    /// Pixels drawn beyond the block's edge, so that symbols near it are whole.
    pub buffer: u32,
}

impl MetaJob {
    /// The block's image: its tiles and the buffer around them.
    fn view(&self) -> MapView {
        let r = &self.request;
        let m = &r.tms.matrices[r.z];
        let bbox = m.range_bbox(self.rows.start, self.cols.start, self.rows.end, self.cols.end);
        let b = self.buffer as f64 * m.cell_size;
        MapView {
            crs: r.tms.crs,
            bbox: bbox.buffered(b, b),
            width: self.cols.len() as u32 * TILE_SIZE + 2 * self.buffer,
            height: self.rows.len() as u32 * TILE_SIZE + 2 * self.buffer,
        }
    }

    /// A cascaded layer's upstream image for the block (`None` for a local
    /// layer): fetched first, off the render pool.
    pub fn fetch(&self) -> impl Future<Output = Result<Option<Arc<Fetched>>, Error>> + Send + 'static {
        let r = &self.request;
        let view = self.view();
        let mut layers = [DrawLayer::new(
            Arc::clone(&r.layer),
            Arc::clone(&r.style),
            r.time.clone(),
        )];
        async move {
            render::fetch_upstream(&view, &mut layers).await?;
            let [layer] = layers;
            Ok(layer.fetched)
        }
    }

    /// Renders and encodes every tile of the block (CPU work: call it on
    /// the render pool), with the upstream image [`MetaJob::fetch`] gave.
    pub fn render(&self, fetched: Option<Arc<Fetched>>) -> Result<Vec<(Cell, Encoded)>, Error> {
        let r = &self.request;
        let image = match &r.format {
            TileFormat::Image(f) => *f,
            TileFormat::Mvt(fields) => return self.render_mvt(fields.as_deref()),
        };
        let view = self.view();
        let (nw, nh) = (self.cols.len() as u32, self.rows.len() as u32);
        let mut layer = DrawLayer::new(Arc::clone(&r.layer), Arc::clone(&r.style), r.time.clone());
        layer.fetched = fetched;
        let layers = [layer];
        // Labels stay inside the block's own tiles: never cut at its edge.
        let inner = tiny_skia::Rect::from_xywh(
            self.buffer as f32,
            self.buffer as f32,
            (nw * TILE_SIZE) as f32,
            (nh * TILE_SIZE) as f32,
        );
        let canvas = render::render_in(&view, &layers, r.background, inner)?;
        let cells: Vec<(u32, u32)> = self
            .rows
            .clone()
            .flat_map(|row| self.cols.clone().map(move |col| (row, col)))
            .collect();
        cells
            .par_iter()
            .map(|&(row, col)| {
                let x = self.buffer + (col - self.cols.start) * TILE_SIZE;
                let y = self.buffer + (row - self.rows.start) * TILE_SIZE;
                let rect =
                    IntRect::from_xywh(x as i32, y as i32, TILE_SIZE, TILE_SIZE).expect("tile inside the metatile");
                let tile = canvas.clone_rect(rect).expect("tile inside the metatile");
                let bytes = encode_tile(&tile, image, r.background)?;
                Ok((
                    (row, col),
                    Encoded::new(bytes, r.format.mime(), r.layer.modified, r.layer.max_age),
                ))
            })
            .collect()
    }

    /// Every tile of the block as a vector tile of the request's layer.
    fn render_mvt(&self, fields: Option<&[String]>) -> Result<Vec<(Cell, Encoded)>, Error> {
        let r = &self.request;
        let Some(layer) = mvt_layer(&r.layer, &r.style, fields, r.time.as_deref())? else {
            return Err(Error::new(
                ErrorKind::BadRequest,
                format!("layer `{}` has no features", r.layer.name()),
            ));
        };
        let m = &r.tms.matrices[r.z];
        let mut out = Vec::new();
        for row in self.rows.clone() {
            for col in self.cols.clone() {
                let bytes = mvt::encode(std::slice::from_ref(&layer), r.tms.crs, m, row, col).map_err(|source| {
                    render::RenderError::Source {
                        layer: r.layer.name().to_string(),
                        source,
                    }
                })?;
                out.push(((row, col), Encoded::mvt(&bytes, r.layer.modified, r.layer.max_age)));
            }
        }
        Ok(out)
    }
}

/// What a vector tile holds of `layer`: its columns named in `fields` (the
/// ones `style` reads and `id` when `None`), and the edition `time`.
/// `None` when the layer is not a vector one; an unknown field is a bad request.
pub fn mvt_layer<'a>(
    layer: &'a Layer,
    style: &Style,
    fields: Option<&[String]>,
    time: Option<&'a str>,
) -> Result<Option<mvt::MvtLayer<'a>>, Error> {
    let crate::source::Source::Vector(src) = &layer.source else {
        return Ok(None);
    };
    let position = |name: &str| src.columns().iter().position(|c| c.name == name);
    let columns = match fields {
        Some(names) => names
            .iter()
            .map(|n| {
                position(n).ok_or_else(|| {
                    Error::new(
                        ErrorKind::BadRequest,
                        format!("layer `{}` has no property `{n}`", layer.name()),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => style
            .referenced_properties()
            .iter()
            .map(String::as_str)
            .chain(["id"])
            .filter_map(position)
            .collect(),
    };
    let time = match (time, &layer.time) {
        (Some(value), Some(dim)) => position(&dim.field).map(|col| (value, col)),
        _ => None,
    };
    Ok(Some(mvt::MvtLayer {
        name: layer.name(),
        source: src,
        columns,
        time,
    }))
}

/// Encodes a tile; fully transparent PNG tiles share one small image.
fn encode_tile(tile: &Pixmap, format: ImageFormat, background: Option<Color>) -> Result<Bytes, Error> {
    if format == ImageFormat::Png && background.is_none() && tile.pixels().iter().all(|p| p.alpha() == 0) {
        return Ok(empty_png());
    }
    Ok(render::encode(tile, format, background.unwrap_or(Color::WHITE), 85)?.into())
}

/// The shared 256×256 transparent PNG.
pub fn empty_png() -> Bytes {
    static EMPTY: OnceLock<Bytes> = OnceLock::new();
    EMPTY
        .get_or_init(|| Bytes::from(render::encode::transparent_png(TILE_SIZE, TILE_SIZE)))
        .clone()
}
