//! A partner's WMS or WMTS layer as a raster source (a cascaded layer).
//!
//! Opening reads the upstream's capabilities (the layer's metadata comes
//! from them). Drawing is two steps, so that waiting on a partner never
//! holds a render thread: [`RemoteSource::fetch`] (async) gets the upstream
//! image for a map, then [`Fetched::draw`] (render pool) puts it on the
//! map's grid: a copy when the grids agree, GDAL's warper otherwise.

use std::path::PathBuf;
use std::time::SystemTime;

use super::{RgbaImage, SourceError, SourceMeta, SourceVersion};
use crate::config::{Config, SourceConfig};
use crate::grid::{BBox, Crs, Identified, transform_bbox};
use crate::source::Resampling;
use crate::upstream::capabilities::Described;
use crate::upstream::{self, Endpoint, UpstreamError, answer, wms, wmts};

pub struct RemoteSource {
    meta: SourceMeta,
    pub protocol: Protocol,
    endpoint: Endpoint,
    /// The CRS asked of a WMS that does not offer the map's.
    preferred: Option<Crs>,
    /// When the capabilities were last compared with the upstream's (`refresh_s`).
    checked_at: parking_lot::Mutex<SystemTime>,
    pub refresh_s: u64,
    pub stale_grace_s: u64,
}

pub enum Protocol {
    Wms(wms::WmsLayer),
    Wmts(wmts::WmtsLayer),
}

/// An upstream image with its place: what a map of a cascaded layer draws.
pub struct Fetched {
    pub crs: Crs,
    pub bbox: BBox,
    pub image: RgbaImage,
}

impl RemoteSource {
    /// Reads the upstream's capabilities and finds the layer in them.
    pub fn open(config: &Config, sc: &SourceConfig) -> Result<RemoteSource, SourceError> {
        let url = sc.url.as_deref().unwrap_or_default();
        let fail = |msg: String| SourceError::open(&PathBuf::from(upstream::public_url(url)), msg);
        let endpoint = Endpoint::of(config, sc).map_err(fail)?;
        let preferred = sc
            .crs
            .as_deref()
            .map(Crs::parse)
            .transpose()
            .map_err(|e| fail(e.to_string()))?;
        let (caps_url, protocol_name) = match sc.kind {
            super::SourceKind::Wms => (wms::capabilities_url(url), "WMS"),
            _ => (wmts::capabilities_url(url), "WMTS"),
        };
        let doc = endpoint.get_blocking(&caps_url).map_err(|e| fail(e.to_string()))?;
        let root = answer::xml(&doc, &caps_url).map_err(|e| fail(e.to_string()))?;
        let read_fail = |msg: String| fail(format!("{protocol_name} capabilities: {msg}"));
        let protocol = match sc.kind {
            super::SourceKind::Wms => {
                if sc.layers.is_empty() {
                    return Err(fail("a remote WMS source names its `layers`".into()));
                }
                Protocol::Wms(
                    wms::read(
                        &root,
                        &doc.body,
                        url,
                        &sc.layers,
                        sc.style.as_deref(),
                        sc.format.as_deref(),
                    )
                    .map_err(read_fail)?,
                )
            }
            _ => {
                let id = sc
                    .layer
                    .as_deref()
                    .ok_or_else(|| fail("a remote WMTS source names its `layer`".into()))?;
                Protocol::Wmts(
                    wmts::read(
                        &root,
                        &doc.body,
                        url,
                        id,
                        sc.style.as_deref(),
                        sc.format.as_deref(),
                        sc.matrix_set.as_deref(),
                    )
                    .map_err(read_fail)?,
                )
            }
        };
        let described = protocol.described();
        let native = match &protocol {
            Protocol::Wms(w) => w.crs_for(preferred.unwrap_or(Crs::lambert93()), preferred),
            Protocol::Wmts(w) => Some(w.finest().0),
        }
        .ok_or_else(|| fail("the upstream offers the layer in no CRS tuile knows".into()))?;
        let geographic = described
            .geographic_extent
            .ok_or_else(|| fail("the capabilities give no extent for the layer".into()))?;
        let extent = transform_bbox(&geographic, Crs::CRS84, native).map_err(|e| fail(e.to_string()))?;
        let read_at = SystemTime::now();
        let modified = first_seen(url, described.digest, read_at);
        let meta = SourceMeta {
            path: PathBuf::from(upstream::public_url(url)),
            crs: native,
            crs_origin: Identified::Configured,
            extent,
            // The digest stands for the size: a change upstream is a new version.
            version: SourceVersion {
                modified,
                len: described.digest,
            },
            files: Vec::new(),
        };
        Ok(RemoteSource {
            meta,
            protocol,
            endpoint,
            preferred,
            checked_at: parking_lot::Mutex::new(read_at),
            refresh_s: sc.refresh_s,
            stale_grace_s: sc.stale_grace_s,
        })
    }

    pub fn meta(&self) -> &SourceMeta {
        &self.meta
    }

    pub fn described(&self) -> &Described {
        self.protocol.described()
    }

    /// Ground size of the finest pixel the upstream has, when it says (WMTS).
    pub fn resolution(&self) -> Option<f64> {
        match &self.protocol {
            Protocol::Wms(_) => None,
            Protocol::Wmts(w) => Some(w.finest().1),
        }
    }

    /// Whether `refresh_s` has passed since the capabilities were last
    /// compared (and, if so, the comparison is now due and recorded).
    pub fn due_for_refresh(&self) -> bool {
        if self.refresh_s == 0 {
            return false;
        }
        let mut at = self.checked_at.lock();
        let due = at.elapsed().is_ok_and(|e| e.as_secs() >= self.refresh_s);
        if due {
            *at = SystemTime::now();
        }
        due
    }

    /// Whether the upstream's capabilities still digest as they did (a
    /// failing upstream counts as unchanged: its layer keeps serving).
    pub fn changed_upstream(&self, config: &Config, sc: &SourceConfig) -> bool {
        match RemoteSource::open(config, sc) {
            Ok(fresh) => fresh.described().digest != self.described().digest,
            Err(e) => {
                tracing::warn!("{e}; the capabilities read before are kept");
                false
            }
        }
    }

    /// Whether the upstream answers feature info for the layer (a WMS that
    /// has it queryable and answers GeoJSON).
    pub fn queryable(&self) -> bool {
        matches!(&self.protocol, Protocol::Wms(w) if w.info.is_some())
    }

    /// The upstream's features at pixel (i, j) of a map, from its GeoJSON
    /// GetFeatureInfo answer (geometries in the map's CRS, as WMS answers);
    /// empty when the upstream cannot be asked in the map's CRS.
    #[allow(clippy::too_many_arguments)]
    pub async fn feature_info(
        &self,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        pixel: (u32, u32),
        count: usize,
        time: Option<&str>,
    ) -> Result<Vec<crate::identify::FoundFeature>, UpstreamError> {
        let Protocol::Wms(w) = &self.protocol else {
            return Ok(Vec::new());
        };
        if !w.described.crs.contains(&crs) {
            return Ok(Vec::new());
        }
        let Some(url) = w.getfeatureinfo(crs, bbox, width, height, pixel, count, time) else {
            return Ok(Vec::new());
        };
        let got = self.endpoint.get(&url).await?;
        if got.content_type.contains("xml") {
            // An exception report, answered as such.
            answer::xml(&got, &url)?;
        }
        let v: serde_json::Value =
            serde_json::from_slice(&got.body).map_err(|e| UpstreamError::invalid(&url, format!("not GeoJSON: {e}")))?;
        let features = v
            .get("features")
            .and_then(|f| f.as_array())
            .ok_or_else(|| UpstreamError::invalid(&url, "no `features` in the answer"))?;
        Ok(features
            .iter()
            .take(count)
            .enumerate()
            .map(|(n, f)| crate::identify::FoundFeature {
                index: n as u64,
                properties: f
                    .get("properties")
                    .and_then(|p| p.as_object())
                    .map(|p| p.iter().map(|(k, v)| (k.clone(), json_value(v))).collect())
                    .unwrap_or_default(),
                shape: f
                    .get("geometry")
                    .and_then(crate::feature::Shape::from_geojson)
                    .unwrap_or_default(),
                crs,
            })
            .collect())
    }

    /// The upstream's legend of the layer (of the configured style, or its
    /// first), checked to be an image; `None` when the upstream gives none.
    pub async fn legend(&self) -> Result<Option<(upstream::Answer, RgbaImage)>, UpstreamError> {
        let styles = &self.described().styles;
        let chosen = match &self.protocol {
            Protocol::Wms(w) => w.style.as_deref(),
            Protocol::Wmts(w) => Some(w.style.as_str()),
        };
        let Some(url) = styles
            .iter()
            .find(|s| Some(s.name.as_str()) == chosen)
            .or(styles.first())
            .and_then(|s| s.legend_url.clone())
        else {
            return Ok(None);
        };
        let got = self.endpoint.get(&url).await?;
        let image = answer::any_image(&got, &url)?;
        Ok(Some((got, image)))
    }

    /// The upstream image for a `width` × `height` map of `bbox` in `crs`;
    /// `None` when the map misses the layer.
    pub async fn fetch(
        &self,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        time: Option<&str>,
    ) -> Result<Option<Fetched>, UpstreamError> {
        match &self.protocol {
            Protocol::Wms(w) => self.fetch_wms(w, crs, bbox, width, height, time).await,
            Protocol::Wmts(w) => self.fetch_wmts(w, crs, bbox, width, height, time).await,
        }
    }

    async fn fetch_wms(
        &self,
        w: &wms::WmsLayer,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        time: Option<&str>,
    ) -> Result<Option<Fetched>, UpstreamError> {
        let Some(ask) = w.crs_for(crs, self.preferred) else {
            return Ok(None);
        };
        let (area, size) = if ask == crs {
            (*bbox, (width, height))
        } else {
            let Ok(b) = transform_bbox(bbox, crs, ask) else {
                return Ok(None);
            };
            // About as many pixels as the map, in the upstream's CRS.
            let px = (b.width() * b.height() / (width as f64 * height as f64)).sqrt();
            let cols = (b.width() / px).ceil().max(1.0) as u32;
            let rows = (b.height() / px).ceil().max(1.0) as u32;
            (b, (cols, rows))
        };
        let size = (size.0.min(w.max_size.0), size.1.min(w.max_size.1));
        // A host that takes only so many layers at once is asked in turns,
        // all at the same time; the answers are drawn bottom first.
        let per_request = match self.endpoint.host.max_layers() {
            0 => w.names.len(),
            n => n,
        };
        let requests = w.names.chunks(per_request.max(1)).map(|names| {
            let url = w.getmap_of(names, ask, &area, size.0, size.1, time);
            async move {
                let got = self.endpoint.get(&url).await?;
                answer::image(&got, &url, size.0, size.1)
            }
        });
        let mut images = futures_util::future::try_join_all(requests).await?.into_iter();
        let mut image = images.next().expect("a WMS source names at least one layer");
        for above in images {
            super::mosaic::over(&mut image, &above);
        }
        Ok(Some(Fetched {
            crs: ask,
            bbox: area,
            image,
        }))
    }

    async fn fetch_wmts(
        &self,
        w: &wmts::WmtsLayer,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        time: Option<&str>,
    ) -> Result<Option<Fetched>, UpstreamError> {
        let Some(plan) = w.plan(crs, bbox, width, height) else {
            return Ok(None);
        };
        let set = &w.sets[plan.set];
        let m = &set.matrices[plan.matrix];
        let cells: Vec<(u32, u32)> = plan
            .rows
            .clone()
            .flat_map(|r| plan.cols.clone().map(move |c| (r, c)))
            .collect();
        let fetches = cells.iter().map(|&(row, col)| {
            let url = w.tile_url(&plan, row, col, time);
            async move {
                match self.endpoint.get(&url).await {
                    Ok(a) => answer::image(&a, &url, m.tile_width, m.tile_height).map(Some),
                    // A tile the upstream does not have is empty, not an error.
                    Err(UpstreamError::Status { status: 404, .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        });
        let tiles = futures_util::future::try_join_all(fetches).await?;
        let (tw, th) = (m.tile_width as usize, m.tile_height as usize);
        let (cw, ch) = (plan.cols.len() * tw, plan.rows.len() * th);
        let mut data = vec![0u8; cw * ch * 4];
        for (&(row, col), tile) in cells.iter().zip(tiles) {
            let Some(tile) = tile else { continue };
            let (x0, y0) = (
                (col - plan.cols.start) as usize * tw,
                (row - plan.rows.start) as usize * th,
            );
            for y in 0..th {
                let dst = ((y0 + y) * cw + x0) * 4;
                data[dst..dst + tw * 4].copy_from_slice(&tile.data[y * tw * 4..(y + 1) * tw * 4]);
            }
        }
        Ok(Some(Fetched {
            crs: set.crs,
            bbox: m.bbox(&plan.rows, &plan.cols),
            image: RgbaImage {
                width: cw as u32,
                height: ch as u32,
                data,
            },
        }))
    }
}

/// A GeoJSON property as tuile's values hold it.
fn json_value(v: &serde_json::Value) -> crate::feature::OwnedValue {
    use crate::feature::OwnedValue;
    match v {
        serde_json::Value::Null => OwnedValue::Null,
        serde_json::Value::Bool(b) => OwnedValue::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => OwnedValue::Int(i),
            None => OwnedValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => OwnedValue::Text(s.clone()),
        other => OwnedValue::Text(other.to_string()),
    }
}

/// When this process first saw these capabilities of this upstream: the
/// layer's last change, which stays put across reloads until they change.
fn first_seen(url: &str, digest: u64, now: SystemTime) -> SystemTime {
    static SEEN: std::sync::OnceLock<parking_lot::Mutex<std::collections::HashMap<(String, u64), SystemTime>>> =
        std::sync::OnceLock::new();
    *SEEN
        .get_or_init(Default::default)
        .lock()
        .entry((url.to_string(), digest))
        .or_insert(now)
}

impl Protocol {
    pub fn described(&self) -> &Described {
        match self {
            Protocol::Wms(w) => &w.described,
            Protocol::Wmts(w) => &w.described,
        }
    }
}

impl Fetched {
    /// The image on a `width` × `height` grid over `bbox` in `crs`: a copy
    /// of its pixels when the grids agree (same CRS, same pixel size,
    /// whole-pixel offset), a warp with `resampling` otherwise.
    pub fn draw(
        &self,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        resampling: Resampling,
    ) -> Result<RgbaImage, String> {
        if let Some(copy) = self.crop(crs, bbox, width, height) {
            return Ok(copy);
        }
        super::raster::warp_rgba(self, crs, bbox, width, height, resampling)
    }

    fn crop(&self, crs: Crs, bbox: &BBox, width: u32, height: u32) -> Option<RgbaImage> {
        if crs != self.crs {
            return None;
        }
        let res = self.bbox.width() / self.image.width as f64;
        let (rx, ry) = (bbox.width() / width as f64, bbox.height() / height as f64);
        let same = |a: f64, b: f64| (a - b).abs() <= b * 1e-6;
        if !same(rx, res) || !same(ry, self.bbox.height() / self.image.height as f64) {
            return None;
        }
        let (fx, fy) = ((bbox.minx - self.bbox.minx) / rx, (self.bbox.maxy - bbox.maxy) / ry);
        let (x0, y0) = (fx.round(), fy.round());
        if (fx - x0).abs() > 1e-3 || (fy - y0).abs() > 1e-3 {
            return None;
        }
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (sw, sh) = (self.image.width as i64, self.image.height as i64);
        let mut data = vec![0u8; width as usize * height as usize * 4];
        for y in 0..height as i64 {
            let sy = y0 + y;
            if !(0..sh).contains(&sy) {
                continue;
            }
            let from = x0.max(0);
            let to = (x0 + width as i64).min(sw);
            if to <= from {
                continue;
            }
            let src = ((sy * sw + from) * 4) as usize;
            let dst = ((y * width as i64 + (from - x0)) * 4) as usize;
            let n = ((to - from) * 4) as usize;
            data[dst..dst + n].copy_from_slice(&self.image.data[src..src + n]);
        }
        Some(RgbaImage { width, height, data })
    }
}
