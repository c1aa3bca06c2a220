//! Decoded geometries, in the layout OSR transforms in place.

use crate::grid::{BBox, Crs, CrsError, transform_xy};

/// The geometry type a source declares, as the simple feature model names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryType {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
    /// Mixed, or not declared.
    Any,
}

impl GeometryType {
    pub fn name(&self) -> &'static str {
        match self {
            GeometryType::Point => "Point",
            GeometryType::MultiPoint => "MultiPoint",
            GeometryType::LineString => "LineString",
            GeometryType::MultiLineString => "MultiLineString",
            GeometryType::Polygon => "Polygon",
            GeometryType::MultiPolygon => "MultiPolygon",
            GeometryType::Any => "Geometry",
        }
    }
}

/// What kind of shape a geometry draws as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeKind {
    Point,
    Line,
    Polygon,
}

/// A decoded geometry: coordinates in separate x and y arrays (the layout
/// OSR transforms in place), split into parts.
#[derive(Debug, Default, Clone)]
pub struct Shape {
    pub kind: Option<ShapeKind>,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// Point index ranges: each ring (polygons), path (lines) or point.
    pub parts: Vec<(u32, u32)>,
    /// Ranges into `parts` forming each polygon, exterior ring first.
    pub polygons: Vec<(u32, u32)>,
}

impl Shape {
    /// A single point.
    pub fn point(x: f64, y: f64) -> Shape {
        Shape {
            kind: Some(ShapeKind::Point),
            xs: vec![x],
            ys: vec![y],
            parts: vec![(0, 1)],
            polygons: vec![],
        }
    }

    /// A GeoJSON geometry (a partner's feature info); `None` for a type
    /// tuile does not draw (collections) or malformed coordinates.
    pub fn from_geojson(g: &serde_json::Value) -> Option<Shape> {
        fn pos(p: &serde_json::Value) -> Option<(f64, f64)> {
            Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))
        }
        fn path(s: &mut Shape, points: &serde_json::Value) -> Option<()> {
            let start = s.xs.len() as u32;
            for p in points.as_array()? {
                let (x, y) = pos(p)?;
                s.xs.push(x);
                s.ys.push(y);
            }
            s.parts.push((start, s.xs.len() as u32));
            Some(())
        }
        fn polygon(s: &mut Shape, rings: &serde_json::Value) -> Option<()> {
            let first = s.parts.len() as u32;
            for r in rings.as_array()? {
                path(s, r)?;
            }
            s.polygons.push((first, s.parts.len() as u32));
            Some(())
        }
        let c = g.get("coordinates")?;
        let mut s = Shape::default();
        match g.get("type")?.as_str()? {
            "Point" => {
                let (x, y) = pos(c)?;
                return Some(Shape::point(x, y));
            }
            "MultiPoint" => {
                s.kind = Some(ShapeKind::Point);
                for p in c.as_array()? {
                    let (x, y) = pos(p)?;
                    let n = s.xs.len() as u32;
                    s.xs.push(x);
                    s.ys.push(y);
                    s.parts.push((n, n + 1));
                }
            }
            "LineString" => {
                s.kind = Some(ShapeKind::Line);
                path(&mut s, c)?;
            }
            "MultiLineString" => {
                s.kind = Some(ShapeKind::Line);
                for l in c.as_array()? {
                    path(&mut s, l)?;
                }
            }
            "Polygon" => {
                s.kind = Some(ShapeKind::Polygon);
                polygon(&mut s, c)?;
            }
            "MultiPolygon" => {
                s.kind = Some(ShapeKind::Polygon);
                for p in c.as_array()? {
                    polygon(&mut s, p)?;
                }
            }
            _ => return None,
        }
        Some(s)
    }

    pub fn clear(&mut self) {
        self.kind = None;
        self.xs.clear();
        self.ys.clear();
        self.parts.clear();
        self.polygons.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// Moves the shape from one CRS to another, in place. Points the target
    /// CRS cannot express come out non-finite (see [`Shape::is_finite`]);
    /// an error means the transform itself failed.
    pub fn reproject(&mut self, from: Crs, to: Crs) -> Result<(), CrsError> {
        transform_xy(from, to, &mut self.xs, &mut self.ys)
    }

    /// Whether every coordinate is a number (a reprojected shape may hold
    /// points outside its CRS's domain).
    pub fn is_finite(&self) -> bool {
        self.xs.iter().chain(&self.ys).all(|v| v.is_finite())
    }

    pub fn bbox(&self) -> Option<BBox> {
        let mut b: Option<BBox> = None;
        for (&x, &y) in self.xs.iter().zip(&self.ys) {
            if !x.is_finite() || !y.is_finite() {
                continue;
            }
            let p = BBox::new(x, y, x, y);
            b = Some(b.map_or(p, |b| b.union(&p)));
        }
        b
    }
}
