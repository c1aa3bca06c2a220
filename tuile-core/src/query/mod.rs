//! Feature queries over FlatGeobuf sources: bbox (through the packed
//! R-tree), time, CQL2 and property filters, and paging that resumes where
//! the previous page stopped instead of rescanning from the start.

pub mod cql2_text;
pub mod filter;

use geo::Intersects;
use geo_types::{LineString, Point, Polygon, Rect};

use crate::feature::LazyGeometry;
use crate::feature::{FeatureView, Shape, ShapeKind};
use crate::grid::{BBox, Crs, CrsError, transform_bbox, transform_outline};
use crate::source::{FgbSource, SourceError};
use filter::{Node, to_geo};

/// An area features must intersect, in the source CRS: its envelope for
/// the index and, for a box given in another CRS, its transformed outline,
/// since the envelope of a reprojected box holds more than the box.
#[derive(Debug, Clone)]
pub struct Area {
    pub envelope: BBox,
    outline: Option<Polygon<f64>>,
}

/// Segments per edge of a reprojected box: off the true curve by under
/// 2 m for a box the size of Occitanie, by millimetres for a town.
const OUTLINE_SEGMENTS: usize = 64;

impl Area {
    /// A box in `crs`, as an area in `storage`.
    pub fn from_bbox(bbox: &BBox, crs: Crs, storage: Crs) -> Result<Area, CrsError> {
        if crs == storage {
            return Ok(Area {
                envelope: *bbox,
                outline: None,
            });
        }
        let envelope = transform_bbox(bbox, crs, storage)?;
        let ring = transform_outline(bbox, crs, storage, OUTLINE_SEGMENTS)?;
        Ok(Area {
            envelope,
            outline: Some(Polygon::new(LineString::from(ring), vec![])),
        })
    }

    /// Whether a geometry in the source CRS touches the area. The index
    /// compared bounding boxes only; this is the exact test.
    fn intersects(&self, shape: &Shape) -> bool {
        let b = &self.envelope;
        let points = || shape.xs.iter().zip(&shape.ys);
        match (&self.outline, shape.kind == Some(ShapeKind::Point)) {
            (None, true) => points().any(|(x, y)| b.contains_point(*x, *y)),
            (Some(outline), true) => points().any(|(x, y)| outline.intersects(&Point::new(*x, *y))),
            (None, false) => {
                let rect = Rect::new((b.minx, b.miny), (b.maxx, b.maxy));
                to_geo(shape).is_some_and(|g| g.intersects(&rect))
            }
            (Some(outline), false) => to_geo(shape).is_some_and(|g| g.intersects(outline)),
        }
    }
}

/// One page of a feature query.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Features must intersect one of these areas; an empty list matches
    /// nothing (a box away from the data).
    pub areas: Option<Vec<Area>>,
    /// The column holding editions, and the editions wanted.
    pub time: Option<(usize, Vec<String>)>,
    pub filter: Option<Node>,
    /// Matching features to skip.
    pub offset: u64,
    /// Where the previous page stopped: the feature number to resume at,
    /// with `offset` matches already behind it.
    pub cursor: Option<u64>,
    pub limit: usize,
}

/// How a page ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub returned: usize,
    /// The feature number the next page starts at, when there is one.
    pub next: Option<u64>,
}

impl Query {
    /// True when every feature matches: counts and offsets are then free.
    pub fn is_unfiltered(&self) -> bool {
        self.areas.is_none() && self.time.is_none() && self.filter.is_none()
    }

    fn matches(&self, f: &FeatureView, geom: &mut LazyGeometry) -> bool {
        if let Some((col, editions)) = &self.time {
            let edition = f.property_at(*col).to_text();
            if !edition.is_some_and(|e| editions.contains(&e)) {
                return false;
            }
        }
        if let Some(flt) = &self.filter
            && flt.eval(f, geom) != Some(true)
        {
            return false;
        }
        if let Some(areas) = &self.areas {
            let shape = geom.shape();
            if !areas.iter().any(|a| a.intersects(shape)) {
                return false;
            }
        }
        true
    }
}

/// Runs a query, calling `emit` for each feature of the page; `emit`
/// returns false when the client went away.
pub fn run(
    src: &FgbSource,
    q: &Query,
    mut emit: impl FnMut(&FeatureView, &mut LazyGeometry) -> bool,
) -> Result<Page, SourceError> {
    let unfiltered = q.is_unfiltered();
    // Where to start reading, and how many matches still to skip.
    let (start, mut skip) = match (q.cursor, unfiltered) {
        (Some(c), _) => (c, 0),
        (None, true) => (q.offset, 0),
        (None, false) => (0, q.offset),
    };
    let mut page = Page {
        returned: 0,
        next: None,
    };
    let mut visit = |f: &FeatureView| -> bool {
        let mut geom = LazyGeometry::new(f);
        if !q.matches(f, &mut geom) {
            return true;
        }
        if skip > 0 {
            skip -= 1;
            return true;
        }
        if page.returned == q.limit {
            page.next = Some(f.index);
            return false;
        }
        page.returned += 1;
        emit(f, &mut geom)
    };
    let index_boxes = match &q.areas {
        Some(areas) => Some(areas.iter().map(|a| a.envelope).collect::<Vec<_>>()),
        None => q.filter.as_ref().and_then(Node::required_bbox).map(|b| vec![b]),
    };
    match index_boxes {
        Some(boxes) => {
            let mut numbers = Vec::new();
            for b in &boxes {
                numbers.extend(src.search(b)?);
            }
            numbers.sort_unstable();
            numbers.dedup();
            numbers.retain(|n| *n >= start);
            src.visit_numbers(&numbers, visit)?;
        }
        None => {
            if let Some(from) = src.position_of(start) {
                src.scan(from, |f, _| visit(f))?;
            }
        }
    }
    Ok(page)
}
