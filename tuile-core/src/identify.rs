//! "What is here?": the features of a layer under a pixel of a map, or the
//! band values of a raster there: what every protocol's feature info answers.

use std::sync::Arc;

use crate::feature::{OwnedValue, Shape, ShapeKind};
use crate::grid::{Crs, transform_bbox, transform_point};
use crate::layer::Layer;
use crate::render::MapView;
use crate::source::{Source, SourceError};
use crate::style::Style;

/// A feature found under the pointer: its properties and geometry (in `crs`).
#[derive(Debug, Clone)]
pub struct FoundFeature {
    /// Feature number in the source file, a stable identifier.
    pub index: u64,
    pub properties: Vec<(String, OwnedValue)>,
    pub shape: Shape,
    pub crs: Crs,
}

impl FoundFeature {
    /// The `id` property when there is one, else the feature number.
    pub fn id(&self) -> String {
        self.properties
            .iter()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| self.index.to_string())
    }
}

/// What one layer holds at the probed pixel.
#[derive(Debug, Clone)]
pub enum LayerInfo {
    Features(Vec<FoundFeature>),
    /// A raster's band values at the point (x, y) of `crs`.
    Pixel {
        bands: Vec<f64>,
        x: f64,
        y: f64,
        crs: Crs,
    },
    Nothing,
}

/// What every layer of `layers` has at pixel (i, j) of `view`, handed to
/// `then` (an encoder) on the render pool: the cascaded layers' partners
/// are asked first (async), the other layers are queried on the pool.
pub async fn answer<T: Send + 'static>(
    pool: &crate::pool::RenderPool,
    layers: Vec<crate::render::DrawLayer>,
    view: MapView,
    (i, j): (u32, u32),
    count: usize,
    then: impl FnOnce(Vec<LayerAnswer>) -> T + Send + 'static,
) -> Result<T, crate::error::Error> {
    let upstream = query_upstream(&layers, &view, (i, j), count).await?;
    let job = move || -> Result<T, SourceError> {
        let answers = layers
            .iter()
            .zip(upstream)
            .map(|(d, asked)| {
                let info = match asked {
                    Some(info) => info,
                    None => query(&d.layer, &d.style, d.time.as_deref(), &view, i as f64, j as f64, count)?,
                };
                Ok(LayerAnswer {
                    layer: Arc::clone(&d.layer),
                    info,
                })
            })
            .collect::<Result<Vec<_>, SourceError>>()?;
        Ok(then(answers))
    };
    Ok(pool.run(job).await??)
}

/// What the cascaded layers among `layers` have at pixel (i, j) of `view`,
/// asked of their upstreams: `Some` for each cascaded layer, in order.
async fn query_upstream(
    layers: &[crate::render::DrawLayer],
    view: &MapView,
    (i, j): (u32, u32),
    count: usize,
) -> Result<Vec<Option<LayerInfo>>, crate::error::Error> {
    // Every partner asked at once, as maps fetch their images.
    let asked = layers.iter().map(|dl| async move {
        let Source::Remote(r) = &dl.layer.source else {
            return Ok(None);
        };
        let found = r
            .feature_info(
                view.crs,
                &view.bbox,
                view.width,
                view.height,
                (i, j),
                count,
                dl.time.as_deref(),
            )
            .await
            .map_err(|e| crate::error::Error::from(e).in_layer(dl.layer.name()))?;
        Ok(Some(if found.is_empty() {
            LayerInfo::Nothing
        } else {
            LayerInfo::Features(found)
        }))
    });
    futures_util::future::try_join_all(asked).await
}

/// One layer's answer, named.
#[derive(Clone)]
pub struct LayerAnswer {
    pub layer: Arc<Layer>,
    pub info: LayerInfo,
}

/// Queries one layer at pixel (i, j) of a map (pixel centres at i + 0.5).
/// Points and lines are found within their symbol's reach (at least 3
/// pixels); polygons when the pixel is inside them or within a pixel of their edge.
pub fn query(
    layer: &Layer,
    style: &Style,
    time: Option<&str>,
    view: &MapView,
    i: f64,
    j: f64,
    count: usize,
) -> Result<LayerInfo, SourceError> {
    let px = view.pixel_transform();
    let (cx, cy) = px.to_crs(i + 0.5, j + 0.5);
    match &layer.source {
        Source::Remote(_) => Ok(LayerInfo::Nothing),
        Source::Raster(r) => {
            let crs = r.meta().crs;
            let Some((x, y)) = transform_point(view.crs, crs, cx, cy) else {
                return Ok(LayerInfo::Nothing);
            };
            Ok(match r.sample(x, y, time)? {
                Some(bands) => LayerInfo::Pixel {
                    bands,
                    x: cx,
                    y: cy,
                    crs: view.crs,
                },
                None => LayerInfo::Nothing,
            })
        }
        Source::Vector(src) => {
            let tolerance = (style.symbol_reach() as f64 / 2.0).max(3.0);
            let (dx, dy) = (tolerance * px.resolution_x(), tolerance * px.resolution_y());
            let probe = crate::grid::BBox::new(cx - dx, cy - dy, cx + dx, cy + dy);
            let meta = src.meta();
            let Ok(query) = transform_bbox(&probe, view.crs, meta.crs) else {
                return Ok(LayerInfo::Nothing);
            };
            let time_col = match (time, &layer.time) {
                (Some(t), Some(dim)) => src.columns().iter().position(|c| c.name == dim.field).map(|c| (t, c)),
                _ => None,
            };
            let mut hits: Vec<(f64, FoundFeature)> = Vec::new();
            let mut shape = Shape::default();
            let mut failure = None;
            src.query(&query, |f| {
                if let Some((t, col)) = time_col
                    && f.property_at(col).to_text().as_deref() != Some(t)
                {
                    return true;
                }
                f.read_shape(&mut shape);
                let mut projected = shape.clone();
                if let Err(e) = projected.reproject(meta.crs, view.crs) {
                    failure = Some(SourceError::read(&meta.path, e));
                    return false;
                }
                let pts: Vec<(f64, f64)> = projected
                    .xs
                    .iter()
                    .zip(&projected.ys)
                    .map(|(&x, &y)| {
                        let (a, b) = px.to_pixel(x, y);
                        (a as f64, b as f64)
                    })
                    .collect();
                if let Some(d) = distance(&projected, &pts, (i + 0.5, j + 0.5), tolerance) {
                    let mut properties = Vec::new();
                    f.for_each_property(|c, v| {
                        properties.push((f.columns()[c].name.clone(), OwnedValue::from(v)));
                        true
                    });
                    hits.push((
                        d,
                        FoundFeature {
                            index: f.index,
                            properties,
                            shape: shape.clone(),
                            crs: meta.crs,
                        },
                    ));
                }
                true
            })?;
            if let Some(e) = failure {
                return Err(e);
            }
            // Nearest first; among polygons containing the pixel, the last drawn (on top) first.
            hits.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.index.cmp(&a.1.index)));
            hits.truncate(count);
            Ok(if hits.is_empty() {
                LayerInfo::Nothing
            } else {
                LayerInfo::Features(hits.into_iter().map(|(_, f)| f).collect())
            })
        }
    }
}

/// Distance in pixels from `p` to a shape, when within reach: 0 inside a polygon.
fn distance(shape: &Shape, pts: &[(f64, f64)], p: (f64, f64), tolerance: f64) -> Option<f64> {
    let seg = |a: (f64, f64), b: (f64, f64)| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let l2 = dx * dx + dy * dy;
        let t = if l2 == 0.0 {
            0.0
        } else {
            (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / l2).clamp(0.0, 1.0)
        };
        ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
    };
    let valid = |q: &(f64, f64)| q.0.is_finite() && q.1.is_finite();
    match shape.kind? {
        ShapeKind::Point => pts
            .iter()
            .filter(|q| valid(q))
            .map(|q| ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt())
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))))
            .filter(|d| *d <= tolerance),
        ShapeKind::Line => shape
            .parts
            .iter()
            .flat_map(|&(s, e)| pts[s as usize..e as usize].windows(2).map(|w| seg(w[0], w[1])))
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))))
            .filter(|d| *d <= tolerance),
        ShapeKind::Polygon => {
            // Even-odd over every ring: holes excluded.
            let mut inside = false;
            let mut edge = f64::MAX;
            for &(s, e) in &shape.parts {
                let ring = &pts[s as usize..e as usize];
                for k in 0..ring.len() {
                    let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
                    if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (p.1 - a.1) * (b.0 - a.0) / (b.1 - a.1) {
                        inside = !inside;
                    }
                    edge = edge.min(seg(a, b));
                }
            }
            if inside {
                Some(0.0)
            } else {
                (edge <= 1.0).then_some(edge)
            }
        }
    }
}
