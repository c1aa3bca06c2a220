//! The catalog: layers built from the configuration, with their opened
//! sources, parsed styles and extents in every offered CRS.
//!
//! A layer whose source or style cannot be read is left out and reported;
//! the other layers keep serving.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::{Config, LayerConfig, SourceKind};
use crate::grid::tms::{TileMatrixSet, TileRange};
use crate::grid::{BBox, Crs, transform_bbox};
use crate::metadata::{Language, ServiceMetadata};
use crate::source::{Resampling, Source, SourceVersion};
use crate::style::{Style, sld};

/// A legend image (PNG) and its size, as capabilities advertise it.
#[derive(Debug, Clone)]
pub struct Legend {
    pub png: bytes::Bytes,
    pub width: u32,
    pub height: u32,
}

/// Editions of a layer selectable through a TIME parameter.
#[derive(Debug, Clone)]
pub struct TimeDimension {
    /// The feature property holding the edition.
    pub field: String,
    /// Every edition present in the data, ascending.
    pub values: Vec<String>,
    pub default: String,
}

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

    /// Whether GetFeatureInfo answers for this layer.
    pub fn queryable(&self) -> bool {
        self.config.queryable.unwrap_or(true)
    }

    pub fn tile_set(&self, id: &str) -> Option<&TileSetLink> {
        self.tile_sets.iter().find(|t| t.tms.id == id)
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
}

pub struct Catalog {
    pub config: Config,
    pub metadata: ServiceMetadata,
    pub layers: Vec<Arc<Layer>>,
    /// Problems found while loading: each names the layer and the file.
    pub problems: Vec<String>,
    /// Configured layers that could not be opened, with why: requests naming
    /// them get a 503 that says so rather than "no such layer".
    pub broken: HashMap<String, String>,
    /// Layers whose styles failed to load (a reload keeps their previous version).
    pub style_failures: Vec<String>,
    /// Changes whenever the configuration or a source changes (WMS/WMTS updateSequence).
    pub update_sequence: u64,
    /// The default legend of every layer and style, rendered once.
    pub legends: HashMap<(String, String), Legend>,
    /// Every file the catalog was built from, with its state then (None:
    /// missing), so that a change, a fix or a removal can be noticed.
    watched: Vec<(PathBuf, Option<SourceVersion>)>,
    /// The API keys, by digest.
    pub keys: crate::access::Keys,
    /// Which caller view this is (`all` for the full catalog): part of the
    /// key of every generated document.
    pub view: String,
    /// `apikey=…` to carry on in links, when the caller gave its key in the URL.
    pub link_query: Option<String>,
}

impl Catalog {
    /// Builds the catalog. Only unreadable service metadata is fatal; a broken
    /// layer is recorded in `problems` and left out.
    pub fn load(config: Config) -> Result<Catalog, String> {
        let metadata_path = config.resolve(&config.server.metadata);
        let metadata = ServiceMetadata::load(&metadata_path).map_err(|e| e.to_string())?;
        let mut layers = Vec::new();
        let mut problems = Vec::new();
        let mut broken = HashMap::new();
        let mut style_failures = Vec::new();
        let mut newest = SourceVersion::of(&config.path)
            .map(|v| v.modified)
            .unwrap_or(UNIX_EPOCH);
        for lc in &config.layers {
            match open_layer(&config, lc) {
                Ok(layer) => {
                    newest = newest.max(layer.source.meta().version.modified);
                    layers.push(Arc::new(layer));
                }
                Err((fault, msg)) => {
                    let problem = format!("layer `{}`: {msg}", lc.name);
                    if fault == Fault::Style {
                        style_failures.push(lc.name.clone());
                    }
                    broken.insert(lc.name.clone(), problem.clone());
                    problems.push(problem);
                }
            }
        }
        let update_sequence = newest.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let mut paths = vec![config.path.clone(), metadata_path];
        for lc in &config.layers {
            paths.push(config.resolve(&lc.source.path));
            paths.extend(lc.styles.iter().map(|s| config.style_path(&lc.name, s)));
        }
        for l in &layers {
            paths.extend(l.source.meta().files.iter().map(|(f, _)| f.clone()));
        }
        paths.sort();
        paths.dedup();
        let watched = paths
            .into_iter()
            .map(|p| {
                let v = SourceVersion::of(&p).ok();
                (p, v)
            })
            .collect();
        let mut legends = HashMap::new();
        for l in &layers {
            for s in &l.styles {
                let pixmap = crate::legend::legend(l, s, &Default::default());
                let png =
                    crate::render::encode(&pixmap, crate::render::ImageFormat::Png, crate::style::Color::WHITE, 90)
                        .map_err(|e| e.to_string())?;
                legends.insert(
                    (l.name().to_string(), s.name.clone()),
                    Legend {
                        png: png.into(),
                        width: pixmap.width(),
                        height: pixmap.height(),
                    },
                );
            }
        }
        Ok(Catalog {
            keys: crate::access::Keys::new(&config.auth),
            config,
            metadata,
            layers,
            problems,
            broken,
            style_failures,
            update_sequence,
            legends,
            watched,
            view: "all".into(),
            link_query: None,
        })
    }

    /// The catalog as a caller sees it: only the layers its groups may see.
    /// Everything else (documents, lookups, legends) follows from that.
    pub fn view_for(&self, caller: &crate::access::Caller) -> Catalog {
        let groups = caller.groups();
        let visible = |name: &str| {
            self.config
                .layers
                .iter()
                .find(|l| l.name == name)
                .is_some_and(|l| crate::access::may_see(&l.groups, groups))
        };
        let mut config = self.config.clone();
        config.layers.retain(|l| crate::access::may_see(&l.groups, groups));
        Catalog {
            config,
            metadata: self.metadata.clone(),
            layers: self.layers.iter().filter(|l| visible(l.name())).cloned().collect(),
            problems: Vec::new(),
            broken: self
                .broken
                .iter()
                .filter(|(name, _)| {
                    self.config
                        .layers
                        .iter()
                        .any(|l| &l.name == *name && crate::access::may_see(&l.groups, groups))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            style_failures: Vec::new(),
            update_sequence: self.update_sequence,
            legends: self
                .legends
                .iter()
                .filter(|((layer, _), _)| visible(layer))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            watched: Vec::new(),
            keys: self.keys.clone(),
            view: caller.view_id(),
            link_query: caller.link_query(),
        }
    }

    /// `url` with the caller's `apikey=…` added, when it has one to carry on.
    pub fn keyed(&self, url: &str) -> String {
        match &self.link_query {
            Some(q) if url.contains('?') => format!("{url}&{q}"),
            Some(q) => format!("{url}?{q}"),
            None => url.to_string(),
        }
    }

    /// Whether a file the catalog was built from changed, appeared or vanished.
    pub fn changed_on_disk(&self) -> bool {
        self.watched.iter().any(|(p, v)| SourceVersion::of(p).ok() != *v)
    }

    pub fn layer(&self, name: &str) -> Option<&Arc<Layer>> {
        self.layers.iter().find(|l| l.name() == name)
    }

    /// A layer by name, or why there is none to serve.
    pub fn lookup(&self, name: &str) -> Result<&Arc<Layer>, Lookup> {
        match self.layer(name) {
            Some(l) => Ok(l),
            None => match self.broken.get(name) {
                Some(problem) => Err(Lookup::Broken(problem.clone())),
                None => Err(Lookup::Missing),
            },
        }
    }

    /// Keeps `old`'s version of every layer whose new styles failed to load:
    /// a bad edit of a style file does not take its layer down.
    pub fn keep_on_style_failure(&mut self, old: &Catalog) {
        for name in std::mem::take(&mut self.style_failures) {
            let Some(previous) = old.layer(&name) else { continue };
            let at = self
                .config
                .layers
                .iter()
                .position(|l| l.name == name)
                .map(|i| {
                    self.config.layers[..i]
                        .iter()
                        .filter(|l| self.layer(&l.name).is_some())
                        .count()
                })
                .unwrap_or(self.layers.len());
            self.layers.insert(at.min(self.layers.len()), Arc::clone(previous));
            for ((layer, style), legend) in &old.legends {
                if *layer == name {
                    self.legends.insert((layer.clone(), style.clone()), legend.clone());
                }
            }
            self.broken.remove(&name);
            for p in self
                .problems
                .iter_mut()
                .filter(|p| p.starts_with(&format!("layer `{name}`:")))
            {
                p.push_str(" (the previous version of the layer is kept)");
            }
        }
    }

    pub fn legend(&self, layer: &str, style: &str) -> Option<&Legend> {
        self.legends.get(&(layer.to_string(), style.to_string()))
    }

    /// CRSs every layer offers, in the order of the first layer's list.
    pub fn common_crs(&self) -> Vec<Crs> {
        let Some(first) = self.layers.first() else {
            return Vec::new();
        };
        first
            .crs
            .iter()
            .copied()
            .filter(|c| self.layers.iter().all(|l| l.offers_crs(*c)))
            .collect()
    }

    /// The union of every layer's CRS84 extent.
    pub fn geographic_extent(&self) -> Option<BBox> {
        self.layers
            .iter()
            .map(|l| l.geographic_extent)
            .reduce(|a, b| a.union(&b))
    }
}

/// Why a layer could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Source,
    Style,
    Other,
}

/// Why a request's layer cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No such layer (for this caller).
    Missing,
    /// Configured, but its source or style is broken: the problem, naming the file.
    Broken(String),
}

fn open_layer(config: &Config, lc: &LayerConfig) -> Result<Layer, (Fault, String)> {
    let path = config.resolve(&lc.source.path);
    let source = Source::open(lc.source.kind, &path).map_err(|e| (Fault::Source, e.to_string()))?;
    let styles = open_styles(config, lc).map_err(|e| (Fault::Style, e))?;
    build_layer(config, lc, source, styles).map_err(|e| (Fault::Other, e))
}

fn open_styles(config: &Config, lc: &LayerConfig) -> Result<Vec<Arc<Style>>, String> {
    Ok(match lc.source.kind {
        SourceKind::Raster if lc.styles.is_empty() => vec![Arc::new(Style::raster_default())],
        SourceKind::Raster => {
            return Err("raster layers draw as is; remove `styles`".into());
        }
        SourceKind::Flatgeobuf => lc
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
