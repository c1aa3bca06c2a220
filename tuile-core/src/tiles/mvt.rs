//! Mapbox Vector Tiles (MVT 2.1): the features of vector layers in one tile
//! of a tile matrix set, in tile units (extent 4096, y down), clipped a
//! buffer past the tile's edges, simplified for the tile's resolution and
//! encoded with geozero. The tile matrix set's CRS is the tile's CRS, so
//! Lambert-93 tiles are as native as Web Mercator ones.

use geo::{Area, BooleanOps, BoundingRect, Contains, Orient, Simplify, orient::Direction};
use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Rect};
use geozero::ToMvt;
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue, tile};

use crate::feature::{Shape, ShapeKind, Value};
use crate::grid::tms::TileMatrix;
use crate::grid::{BBox, Crs, transform_bbox};
use crate::source::{FgbSource, SourceError};

/// Units across a tile: MVT's usual 4096.
pub const EXTENT: u32 = 4096;

/// Units kept past each edge, so that a stroke or a symbol on a feature
/// just outside the tile is still drawn whole (4 pixels of a 256 px tile).
pub const BUFFER: f64 = 64.0;

/// Douglas–Peucker tolerance, in tile units: an eighth of a pixel when
/// MapLibre draws a tile 512 px wide. The same tolerance in tile units at
/// every zoom is what makes a small-scale tile as small as a large-scale one.
const SIMPLIFY: f64 = 2.0;

/// One layer of a vector tile: which source, which columns, which edition.
pub struct MvtLayer<'a> {
    /// The layer's name in the tile (the collection's identifier).
    pub name: &'a str,
    pub source: &'a FgbSource,
    /// Column numbers written as properties.
    pub columns: Vec<usize>,
    /// The edition kept (its value) and the column holding editions.
    pub time: Option<(&'a str, usize)>,
}

/// The tile (row, col) of `matrix` in `crs`, as MVT bytes: empty when no
/// feature reaches it.
pub fn encode(layers: &[MvtLayer], crs: Crs, matrix: &TileMatrix, row: u32, col: u32) -> Result<Vec<u8>, SourceError> {
    let bbox = matrix.tile_bbox(row, col);
    let mut tile = Tile::default();
    for layer in layers {
        if let Some(l) = encode_layer(layer, crs, &bbox)? {
            tile.layers.push(l);
        }
    }
    Ok(if tile.layers.is_empty() {
        Vec::new()
    } else {
        tile.encode_to_vec()
    })
}

/// The names of the layers an MVT tile holds; an error when the bytes are
/// not a vector tile.
pub fn layer_names(bytes: &[u8]) -> Result<Vec<String>, String> {
    let tile = Tile::decode(bytes).map_err(|e| e.to_string())?;
    Ok(tile.layers.into_iter().map(|l| l.name).collect())
}

fn encode_layer(layer: &MvtLayer, crs: Crs, bbox: &BBox) -> Result<Option<tile::Layer>, SourceError> {
    let src = layer.source;
    let meta = src.meta();
    let units = EXTENT as f64 / bbox.width();
    let margin = BUFFER / units;
    let Ok(query) = transform_bbox(&bbox.buffered(margin, margin), crs, meta.crs) else {
        // The tile is outside what the source's CRS can express.
        return Ok(None);
    };
    if !query.intersects(&meta.extent) {
        return Ok(None);
    }
    let frame = TileFrame {
        minx: bbox.minx,
        maxy: bbox.maxy,
        units,
    };
    let mut tags = TagsBuilder::new();
    let mut features = Vec::new();
    let mut shape = Shape::default();
    src.query_for_render(&query, layer.time, |f| {
        f.read_shape(&mut shape);
        shape
            .reproject(meta.crs, crs)
            .map_err(|e| SourceError::read(&meta.path, e))?;
        let Some(geometry) = frame.clipped(&shape) else {
            return Ok(());
        };
        let Ok(mut feature) = geometry.to_mvt_unscaled() else {
            return Ok(());
        };
        feature.id = Some(f.index);
        f.for_each_property(|c, v| {
            if layer.columns.contains(&c)
                && let Some(v) = tile_value(v)
            {
                let (k, v) = tags.insert_ref(&f.columns()[c].name, v);
                feature.tags.extend([k, v]);
            }
            true
        });
        features.push(feature);
        Ok(())
    })?;
    if features.is_empty() {
        return Ok(None);
    }
    let (keys, values) = tags.into_tags();
    Ok(Some(tile::Layer {
        version: 2,
        name: layer.name.to_string(),
        features,
        keys,
        values: values.into_iter().map(Into::into).collect(),
        extent: Some(EXTENT),
    }))
}

fn tile_value(v: Value) -> Option<TileValue> {
    Some(match v {
        Value::Null | Value::Binary(_) => return None,
        Value::Bool(b) => TileValue::Bool(b),
        Value::Int(i) if i < 0 => TileValue::Sint(i),
        Value::Int(i) => TileValue::Uint(i as u64),
        Value::UInt(u) => TileValue::Uint(u),
        Value::Float(f) => TileValue::Double(f),
        Value::Str(s) => TileValue::Str(s.to_string()),
    })
}

/// A tile's placement in its CRS: where its top-left corner is, and how
/// many tile units a CRS unit is.
struct TileFrame {
    minx: f64,
    maxy: f64,
    units: f64,
}

impl TileFrame {
    fn to_tile(&self, x: f64, y: f64) -> Coord {
        Coord {
            x: (x - self.minx) * self.units,
            y: (self.maxy - y) * self.units,
        }
    }

    /// The shape in tile units, clipped to the buffered tile, simplified
    /// and snapped to whole units; `None` when nothing of it is left.
    fn clipped(&self, shape: &Shape) -> Option<Geometry> {
        if !shape.is_finite() {
            return None;
        }
        let path = |&(a, b): &(u32, u32)| -> LineString {
            (a as usize..b as usize)
                .map(|i| self.to_tile(shape.xs[i], shape.ys[i]))
                .collect()
        };
        let clip = Rect::new(
            Coord { x: -BUFFER, y: -BUFFER },
            Coord {
                x: EXTENT as f64 + BUFFER,
                y: EXTENT as f64 + BUFFER,
            },
        );
        // Clipping costs a polygon overlay: only shapes that cross the edge pay it.
        let inside = |b: Option<Rect>| b.is_some_and(|b| clip.contains(&b));
        match shape.kind? {
            ShapeKind::Point => {
                let points: Vec<Point> = shape
                    .parts
                    .iter()
                    .map(|&(a, _)| Point::from(self.to_tile(shape.xs[a as usize], shape.ys[a as usize])))
                    .filter(|p| clip.contains(p))
                    .map(|p| Point::new(p.x().round(), p.y().round()))
                    .collect();
                (!points.is_empty()).then_some(Geometry::MultiPoint(MultiPoint(points)))
            }
            ShapeKind::Line => {
                let lines = MultiLineString(shape.parts.iter().map(path).collect());
                let lines = if inside(lines.bounding_rect()) {
                    lines
                } else {
                    clip.to_polygon().clip(&lines, false)
                };
                let lines: Vec<LineString> = lines
                    .simplify(SIMPLIFY)
                    .into_iter()
                    .filter_map(|l| snapped(l, 2))
                    .collect();
                (!lines.is_empty()).then_some(Geometry::MultiLineString(MultiLineString(lines)))
            }
            ShapeKind::Polygon => {
                let polygons = MultiPolygon(
                    shape
                        .polygons
                        .iter()
                        .map(|&(a, b)| {
                            let rings = &shape.parts[a as usize..b as usize];
                            Polygon::new(path(&rings[0]), rings[1..].iter().map(path).collect())
                        })
                        .collect(),
                );
                let polygons = if inside(polygons.bounding_rect()) {
                    polygons
                } else {
                    polygons.intersection(&clip.to_polygon())
                };
                let polygons: Vec<Polygon> = polygons
                    .simplify(SIMPLIFY)
                    .into_iter()
                    .filter_map(|p| {
                        let (exterior, interiors) = p.into_inner();
                        let exterior = snapped(exterior, 4)?;
                        let interiors = interiors.into_iter().filter_map(|r| snapped(r, 4)).collect();
                        Some(Polygon::new(exterior, interiors))
                    })
                    .filter(|p| p.unsigned_area() > 0.0)
                    .collect();
                // MVT's exterior rings have a positive area in tile units (y
                // down): geo's default orientation, applied to those numbers.
                (!polygons.is_empty())
                    .then(|| Geometry::MultiPolygon(MultiPolygon(polygons).orient(Direction::Default)))
            }
        }
    }
}

/// A path snapped to whole units, without repeated points; `None` when it
/// has fewer than `min` points left (a ring counts its closing point).
fn snapped(line: LineString, min: usize) -> Option<LineString> {
    let mut out: Vec<Coord> = Vec::with_capacity(line.0.len());
    for c in line.0 {
        let c = Coord {
            x: c.x.round(),
            y: c.y.round(),
        };
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    let line = LineString(out);
    if line.0.len() < min {
        return None;
    }
    // A ring must enclose something (twice its signed area, shoelace).
    let ring = min == 4;
    if ring
        && line
            .0
            .windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum::<f64>()
            == 0.0
    {
        return None;
    }
    Some(line)
}
