//! A layer: a source with its styles, the CRSs and tile matrix sets it is
//! offered in, its extents in each, and its editions. Opening one reads
//! the source's header, the styles and (for editions) the time field; a
//! layer that cannot open says why, naming the file.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::SystemTime;

use crate::config::{Config, LayerConfig};
use crate::grid::tms::{TileMatrixSet, TileRange};
use crate::grid::{BBox, Crs, transform_bbox};
use crate::metadata::Language;
use crate::render::ImageFormat;
use crate::source::{Resampling, Source, SourceKind, SourceVersion};
use crate::style::{Style, sld};
use crate::time::TimeDimension;

/// A layer's tiles in one tile matrix set: the levels it draws at, and the
/// tiles covering its extent at each.
#[derive(Debug, Clone)]
pub struct TileSetLink {
    pub tms: &'static TileMatrixSet,
    /// (matrix index, tiles covering the extent), for the levels the layer draws at.
    pub levels: Vec<(usize, TileRange)>,
}

impl TileSetLink {
    pub fn limits(&self, z: usize) -> Option<&TileRange> {
        self.levels.iter().find(|(l, _)| *l == z).map(|(_, r)| r)
    }
}

/// When an answer drawn from `layers` last changed (the newest of their
/// changes) and how long it may be kept (the shortest of their lifetimes;
/// none when there is no layer).
pub fn freshness<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> (SystemTime, u32) {
    let (modified, max_age) = layers.into_iter().fold((SystemTime::UNIX_EPOCH, None), |(m, a), l| {
        (m.max(l.modified), Some(a.map_or(l.max_age, |a: u32| a.min(l.max_age))))
    });
    (modified, max_age.unwrap_or(0))
}

pub struct Layer {
    pub config: LayerConfig,
    /// Changes whenever the source, a style or the layer's settings change:
    /// part of every cache key, so a stale tile can never match.
    pub stamp: u64,
    pub tile_sets: Vec<TileSetLink>,
    /// HTTP max-age of the layer's images, in seconds.
    pub max_age: u32,
    /// When the layer's data or styles last changed (HTTP Last-Modified).
    pub modified: SystemTime,
    pub source: Source,
    pub styles: Vec<Arc<Style>>,
    pub crs: Vec<Crs>,
    /// Extent in the source's CRS.
    pub native_extent: BBox,
    /// Extent in CRS84 (lon/lat).
    pub geographic_extent: BBox,
    extents: HashMap<Crs, BBox>,
    pub time: Option<TimeDimension>,
    pub resampling: Resampling,
    /// The layer's metadata as a partner's catalogue holds it
    /// (`metadata.csw`), read when the catalog opens.
    pub harvested: Option<crate::records::harvest::Harvested>,
}

impl Layer {
    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn title(&self, lang: Language) -> &str {
        match (lang, &self.config.title_en) {
            (Language::En, Some(t)) => t,
            _ => &self.config.title,
        }
    }

    pub fn abstract_text(&self, lang: Language) -> &str {
        match (lang, &self.config.abstract_en) {
            (Language::En, Some(t)) => t,
            _ => &self.config.abstract_,
        }
    }

    pub fn is_vector(&self) -> bool {
        matches!(self.source, Source::Vector(_))
    }

    pub fn default_style(&self) -> &Arc<Style> {
        let name = self.config.default_style.as_deref();
        name.and_then(|n| self.styles.iter().find(|s| s.name == n))
            .unwrap_or(&self.styles[0])
    }

    /// A style by name; empty and `default` mean the default style.
    pub fn style(&self, name: &str) -> Option<&Arc<Style>> {
        if name.is_empty() || name.eq_ignore_ascii_case("default") {
            return Some(self.default_style());
        }
        self.styles.iter().find(|s| s.name == name)
    }

    pub fn offers_crs(&self, crs: Crs) -> bool {
        self.crs.contains(&crs)
    }

    /// The layer's extent in an offered CRS (x/y order).
    pub fn extent_in(&self, crs: Crs) -> Option<BBox> {
        self.extents.get(&crs).copied()
    }

    /// Whether the layer answers feature info (what is at a point).
    pub fn queryable(&self) -> bool {
        // A cascaded map is queryable when its upstream answers feature info.
        let default = match &self.source {
            Source::Remote(r) => r.queryable(),
            _ => true,
        };
        self.config.queryable.unwrap_or(default)
    }

    pub fn tile_set(&self, id: &str) -> Option<&TileSetLink> {
        self.tile_sets.iter().find(|t| t.tms.id == id)
    }

    /// The layer's vector tiles in a set: its image tiles' levels and the
    /// one above them. MapLibre draws a tile of level z at its zoom z,
    /// where an image tile of level z+1 would be drawn (512 pixels to a
    /// tile, not 256): the coarser level keeps the layer on screen over
    /// the whole scale range its images have.
    pub fn vector_tile_set(&self, id: &str) -> Option<TileSetLink> {
        let mut set = self.tile_set(id)?.clone();
        let first = set.levels.first()?.0;
        if first > 0
            && let Some(range) = self
                .extent_in(set.tms.crs)
                .and_then(|e| set.tms.matrices[first - 1].tile_range(&e))
        {
            set.levels.insert(0, (first - 1, range));
        }
        Some(set)
    }

    /// How long a cascaded layer's tiles are fresh: its `cache_ttl`, an
    /// hour by default (`None` for a local layer, whose tiles change only
    /// with its files).
    pub fn upstream_ttl(&self) -> Option<std::time::Duration> {
        matches!(self.source, Source::Remote(_))
            .then(|| std::time::Duration::from_secs(self.config.cache_ttl.unwrap_or(3600)))
    }

    /// Tiles per metatile side for this layer.
    pub fn metatile(&self, cache: &crate::config::CacheConfig) -> u32 {
        if self.is_vector() {
            cache.metatile_vector
        } else {
            cache.metatile_raster
        }
    }

    /// Whether the layer draws at a scale denominator.
    pub fn visible_at(&self, scale: f64) -> bool {
        self.config.min_scale.is_none_or(|m| scale >= m) && self.config.max_scale.is_none_or(|m| scale < m)
    }

    /// The format of the layer's tiles when a request names none (the
    /// single RESTful template, seeding): JPEG for imagery, PNG (with
    /// transparency) for drawn vector data.
    pub fn tile_format(&self) -> ImageFormat {
        if self.is_vector() {
            ImageFormat::Png
        } else {
            ImageFormat::Jpeg
        }
    }

    /// Opens a configured layer: its source, styles, extents and editions.
    /// Only a style failure is told apart: a reload then keeps the layer's
    /// previous version.
    pub fn open(config: &Config, lc: &LayerConfig) -> Result<Layer, (OpenFailure, String)> {
        let path = config.resolve(&lc.source.path);
        let crs = lc
            .source
            .crs
            .as_deref()
            .map(Crs::parse)
            .transpose()
            .map_err(|e| (OpenFailure::Other, e.to_string()))?;
        let (source, mirrored) = match lc.source.kind {
            SourceKind::OgcapiFeatures => open_mirror(&lc.source, config).map(|(s, d)| (s, Some(d))),
            SourceKind::Wms | SourceKind::Wmts => crate::source::remote::RemoteSource::open(config, &lc.source)
                .map(|r| (Source::Remote(Box::new(r)), None)),
            _ => Source::open(lc.source.kind, &path, crs).map(|s| (s, None)),
        }
        .map_err(|e| (OpenFailure::Other, e.to_string()))?;
        let styles = open_styles(config, lc).map_err(|e| (OpenFailure::Style, e))?;
        let described = match (&source, &mirrored) {
            (Source::Remote(r), _) => Some(r.described()),
            (_, m) => m.as_ref(),
        };
        let harvested = described.map(|d| with_upstream_metadata(lc, d));
        build_layer(config, harvested.as_ref().unwrap_or(lc), source, styles).map_err(|e| (OpenFailure::Other, e))
    }
}

/// What kept a layer from opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenFailure {
    /// One of its styles.
    Style,
    /// Its source, or anything else.
    Other,
}

fn open_styles(config: &Config, lc: &LayerConfig) -> Result<Vec<Arc<Style>>, String> {
    Ok(match lc.source.kind {
        k if k.is_raster() && lc.styles.is_empty() => vec![Arc::new(Style::raster_default())],
        k if k.is_raster() => {
            return Err("raster layers draw as is; remove `styles`".into());
        }
        _ => lc
            .styles
            .iter()
            .map(|name| {
                let style_path = config.style_path(&lc.name, name);
                let mut style = sld::load(&style_path).map_err(|e| e.to_string())?;
                // The configured name is the one clients see.
                style.name = name.clone();
                Ok(Arc::new(style))
            })
            .collect::<Result<Vec<_>, String>>()?,
    })
}

/// A cascaded layer's configuration completed by what its upstream's
/// capabilities say: what `tuile.toml` leaves out is harvested.
fn with_upstream_metadata(lc: &LayerConfig, d: &crate::upstream::capabilities::Described) -> LayerConfig {
    let mut lc = lc.clone();
    if lc.title.trim().is_empty() {
        lc.title = if d.title.is_empty() {
            lc.name.clone()
        } else {
            d.title.clone()
        };
    }
    if lc.abstract_.trim().is_empty() {
        lc.abstract_ = d.abstract_.clone();
    }
    if lc.keywords.is_empty() {
        lc.keywords = d.keywords.clone();
    }
    if lc.attribution.is_none()
        && let Some((title, url)) = &d.attribution
    {
        lc.attribution = Some(crate::config::Attribution {
            title: title.clone(),
            url: url.clone(),
        });
    }
    lc
}

/// A partner's collection mirrored into a local FlatGeobuf (see
/// [`crate::upstream::features`]), with what its document says of it.
fn open_mirror(
    sc: &crate::config::SourceConfig,
    config: &Config,
) -> Result<(Source, crate::upstream::capabilities::Described), crate::source::SourceError> {
    use crate::upstream::{self, features};
    let url = sc.url.as_deref().unwrap_or_default();
    let fail = |msg: String| crate::source::SourceError::open(std::path::Path::new(&upstream::public_url(url)), msg);
    let endpoint = upstream::Endpoint::of(config, sc).map_err(fail)?;
    let described = features::describe(&endpoint).map_err(|e| fail(e.to_string()))?;
    let dir = std::env::temp_dir().join("tuile-mirrors");
    let path =
        features::mirror(&endpoint, &dir, sc.max_features.unwrap_or(500_000)).map_err(|e| fail(e.to_string()))?;
    let source = crate::source::FgbSource::open_with_crs(&path, Some(Crs::CRS84))?;
    Ok((Source::Vector(source), described))
}

fn build_layer(config: &Config, lc: &LayerConfig, source: Source, styles: Vec<Arc<Style>>) -> Result<Layer, String> {
    let path = config.resolve(&lc.source.path);
    let crs: Vec<Crs> = lc
        .crs
        .iter()
        .map(|c| Crs::parse(c).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let native_crs = source.meta().crs;
    // A single point has no area: give it a small one (1 m, or 1e-5 degree)
    // so that every CRS can express the extent.
    let native_extent = {
        let e = source.meta().extent;
        let pad = if native_crs.is_geographic() { 1e-5 } else { 1.0 };
        let (dx, dy) = (
            if e.width() > 0.0 { 0.0 } else { pad },
            if e.height() > 0.0 { 0.0 } else { pad },
        );
        e.buffered(dx, dy)
    };
    let geographic_extent = transform_bbox(&native_extent, native_crs, Crs::CRS84)
        .map_err(|e| format!("cannot place the extent on the globe: {e}"))?;
    let mut extents = HashMap::new();
    for c in &crs {
        let b = if c.is_crs84() || c.epsg() == Some(4326) {
            // Identical numbers, so that WMS 1.3.0 EPSG:4326 and EX_Geographic boxes agree exactly.
            geographic_extent
        } else {
            transform_bbox(&native_extent, native_crs, *c)
                .map_err(|e| format!("cannot express the extent in {c}: {e}"))?
        };
        extents.insert(*c, b);
    }
    let time = match (&lc.time, &source) {
        (Some(tc), Source::Vector(v)) => {
            let col = v
                .columns()
                .iter()
                .position(|c| c.name == tc.field)
                .ok_or_else(|| format!("time field `{}` is not a column of {}", tc.field, path.display()))?;
            let mut values = BTreeSet::new();
            v.scan(Default::default(), |f, _| {
                if let Some(t) = f.property_at(col).to_text() {
                    values.insert(t);
                }
                true
            })
            .map_err(|e| e.to_string())?;
            let values: Vec<String> = values.into_iter().collect();
            let default = match &tc.default {
                Some(d) if values.contains(d) => d.clone(),
                Some(d) => {
                    return Err(format!("time default `{d}` is not in the data ({values:?})"));
                }
                None => values
                    .last()
                    .cloned()
                    .ok_or_else(|| "the time field holds no value".to_string())?,
            };
            Some(TimeDimension {
                field: tc.field.clone(),
                values,
                default,
            })
        }
        // A cascaded layer has the upstream's time values.
        (None, Source::Remote(r)) => r.described().time.clone().map(|(values, default)| TimeDimension {
            field: "time".into(),
            values,
            default,
        }),
        // A mosaic's editions come from its index: a new edition indexed is
        // a new time value, with no configuration change.
        (None, Source::Raster(r)) => {
            let values = r.editions();
            values.last().cloned().map(|default| TimeDimension {
                field: "edition".into(),
                values,
                default,
            })
        }
        _ => None,
    };
    let tile_sets = tile_sets(lc, &source, &crs, &extents);
    let style_versions: Vec<SourceVersion> = lc
        .styles
        .iter()
        .filter_map(|name| SourceVersion::of(&config.style_path(&lc.name, name)).ok())
        .collect();
    let modified = style_versions
        .iter()
        .map(|v| v.modified)
        .fold(source.meta().version.modified, SystemTime::max);
    let stamp = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{lc:?}").hash(&mut h);
        source.meta().version.hash(&mut h);
        style_versions.hash(&mut h);
        h.finish()
    };
    Ok(Layer {
        config: lc.clone(),
        stamp,
        tile_sets,
        max_age: lc.cache_max_age.unwrap_or(config.server.cache.max_age),
        modified,
        source,
        styles,
        crs,
        native_extent,
        geographic_extent,
        extents,
        time,
        resampling: Resampling::default(),
        harvested: None,
    })
}

/// The tile matrix sets a layer is offered in, with the levels it draws at.
///
/// Raster layers stop one level past their native resolution: deeper levels
/// would only magnify pixels.
fn tile_sets(lc: &LayerConfig, source: &Source, crs: &[Crs], extents: &HashMap<Crs, BBox>) -> Vec<TileSetLink> {
    let native = source.meta();
    let raster_resolution = match source {
        Source::Raster(r) => Some(r.resolution()),
        Source::Remote(r) => r.resolution(),
        Source::Vector(_) => None,
    };
    TileMatrixSet::all()
        .iter()
        .filter(|t| match &lc.tile_matrix_sets {
            Some(ids) => ids.iter().any(|id| id == t.id),
            None => true,
        })
        .filter(|t| crs.contains(&t.crs))
        .filter_map(|t| {
            let extent = extents.get(&t.crs)?;
            let levels: Vec<(usize, TileRange)> = t
                .matrices
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    let s = m.scale_denominator;
                    lc.min_scale.is_none_or(|min| s >= min) && lc.max_scale.is_none_or(|max| s < max)
                })
                .filter(|(_, m)| {
                    // The native pixel size expressed in the set's CRS units.
                    raster_resolution.is_none_or(|res| {
                        let scale = extent.width() / native.extent.width();
                        m.cell_size >= res * scale / 2.0
                    })
                })
                .filter_map(|(z, m)| Some((z, m.tile_range(extent)?)))
                .collect();
            (!levels.is_empty()).then_some(TileSetLink { tms: t, levels })
        })
        .collect()
}
