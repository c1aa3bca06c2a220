//! Feature filters: CQL2 (text and JSON, parsed by the `cql2` crate) and
//! simple `property=value` filters, compiled against a source's columns
//! into a tree evaluated on each feature.
//!
//! Properties are read one by one and the geometry is decoded only when a
//! spatial predicate asks for it. NULLs follow SQL three-valued logic.

use geo::{BoundingRect, Relate};
use geo_types::Geometry as Geo;

use crate::feature::{Column, FeatureView, LazyGeometry, Shape, ShapeKind, Value};
use crate::grid::{BBox, Crs};
use crate::style::CmpOp;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FilterError {
    #[error("the filter does not parse: {0}")]
    Syntax(String),
    #[error("`{0}` is not a queryable of this collection")]
    UnknownProperty(String),
    #[error("{0} is not supported")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpatialOp {
    Intersects,
    Disjoint,
    Within,
    Contains,
    Equals,
    Touches,
    Overlaps,
    Crosses,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Column(usize),
    Number(f64),
    Text(String),
    Bool(bool),
    Null,
    CaseI(Box<Operand>),
    AccentI(Box<Operand>),
}

#[derive(Debug, Clone)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Compare(CmpOp, Operand, Operand),
    Like(Operand, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    IsNull(Operand),
    /// The feature's geometry against a geometry in the source CRS.
    Spatial(SpatialOp, Geo<f64>),
    Const(bool),
}

/// What a filter is compiled against.
pub struct Context<'a> {
    pub columns: &'a [Column],
    /// The CRS of the data, which spatial literals are transformed into.
    pub storage: Crs,
    /// The CRS spatial literals are written in (`filter-crs`).
    pub filter_crs: Crs,
    /// The most nodes a filter may have (`server.limits.max_filter_nodes`).
    pub max_nodes: usize,
}

/// The values a filter can compare.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Num(f64),
    Text(String),
    Bool(bool),
}

const GEOMETRY_NAMES: [&str; 3] = ["geometry", "geom", "the_geom"];

impl Context<'_> {
    fn operand(&self, e: &cql2::Expr, nodes: &mut usize) -> Result<Operand, FilterError> {
        use cql2::Expr as E;
        *nodes += 1;
        Ok(match e {
            E::Property { property } => match self.columns.iter().position(|c| c.name == *property) {
                Some(i) => Operand::Column(i),
                None => return Err(FilterError::UnknownProperty(property.clone())),
            },
            E::Float(f) => Operand::Number(*f),
            E::Literal(s) => Operand::Text(s.clone()),
            E::Bool(b) => Operand::Bool(*b),
            E::Null => Operand::Null,
            E::Operation { op, args } if op == "casei" && args.len() == 1 => {
                Operand::CaseI(Box::new(self.operand(&args[0], nodes)?))
            }
            E::Operation { op, args } if op == "accenti" && args.len() == 1 => {
                Operand::AccentI(Box::new(self.operand(&args[0], nodes)?))
            }
            E::Timestamp { .. } | E::Date { .. } | E::Interval { .. } => {
                return Err(FilterError::Unsupported(
                    "comparing dates (use the datetime parameter)".into(),
                ));
            }
            E::Operation { op, .. } if cql2::ARITHOPS.contains(&op.as_str()) => {
                return Err(FilterError::Unsupported(format!("arithmetic (`{op}`)")));
            }
            other => return Err(FilterError::Invalid(format!("`{}` is not a value", describe(other)))),
        })
    }

    fn is_geometry(e: &cql2::Expr) -> bool {
        matches!(e, cql2::Expr::Property { property } if GEOMETRY_NAMES.contains(&property.as_str()))
    }

    /// A geometry literal, transformed from the filter CRS into the source's.
    fn geometry(&self, e: &cql2::Expr) -> Result<Geo<f64>, FilterError> {
        let mut g: Geo<f64> =
            Geo::try_from(e.clone()).map_err(|err| FilterError::Invalid(format!("bad geometry: {err}")))?;
        if self.filter_crs != self.storage {
            use geo::MapCoordsInPlace;
            let failed = std::cell::Cell::new(false);
            let (from, to) = (self.filter_crs, self.storage);
            g.map_coords_in_place(|c| match crate::grid::transform_point(from, to, c.x, c.y) {
                Some((x, y)) => geo_types::coord! { x: x, y: y },
                None => {
                    failed.set(true);
                    c
                }
            });
            if failed.get() {
                return Err(FilterError::Invalid(format!(
                    "the geometry is outside what {to} can express"
                )));
            }
        }
        Ok(g)
    }

    /// Compiles a parsed CQL2 expression.
    pub fn compile(&self, e: &cql2::Expr) -> Result<Node, FilterError> {
        let mut nodes = 0;
        let node = self.node(e, &mut nodes)?;
        if nodes > self.max_nodes {
            return Err(FilterError::Invalid(format!(
                "the filter has {nodes} terms; at most {} are allowed",
                self.max_nodes
            )));
        }
        Ok(node)
    }

    fn node(&self, e: &cql2::Expr, nodes: &mut usize) -> Result<Node, FilterError> {
        use cql2::Expr as E;
        *nodes += 1;
        if *nodes > self.max_nodes {
            return Err(FilterError::Invalid(format!(
                "the filter has more than {} terms",
                self.max_nodes
            )));
        }
        let (op, args) = match e {
            E::Bool(b) => return Ok(Node::Const(*b)),
            E::Operation { op, args } => (op.as_str(), args),
            other => {
                return Err(FilterError::Invalid(format!(
                    "`{}` is not a condition",
                    describe(other)
                )));
            }
        };
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(FilterError::Invalid(format!(
                    "`{op}` takes {n} arguments, not {}",
                    args.len()
                )))
            }
        };
        let mut cmp = |c: CmpOp| -> Result<Node, FilterError> {
            arity(2)?;
            Ok(Node::Compare(
                c,
                self.operand(&args[0], nodes)?,
                self.operand(&args[1], nodes)?,
            ))
        };
        if let Some(c) = CmpOp::from_cql2(op) {
            return cmp(c);
        }
        Ok(match op {
            "and" => Node::And(args.iter().map(|a| self.node(a, nodes)).collect::<Result<_, _>>()?),
            "or" => Node::Or(args.iter().map(|a| self.node(a, nodes)).collect::<Result<_, _>>()?),
            "not" => {
                arity(1)?;
                Node::Not(Box::new(self.node(&args[0], nodes)?))
            }
            "like" => {
                arity(2)?;
                Node::Like(self.operand(&args[0], nodes)?, self.operand(&args[1], nodes)?)
            }
            "between" => {
                arity(3)?;
                Node::Between(
                    self.operand(&args[0], nodes)?,
                    self.operand(&args[1], nodes)?,
                    self.operand(&args[2], nodes)?,
                )
            }
            "in" => {
                arity(2)?;
                let E::Array(items) = args[1].as_ref() else {
                    return Err(FilterError::Invalid("IN needs a list".into()));
                };
                let list = items.iter().map(|i| self.operand(i, nodes)).collect::<Result<_, _>>()?;
                Node::In(self.operand(&args[0], nodes)?, list)
            }
            "isNull" => {
                arity(1)?;
                Node::IsNull(self.operand(&args[0], nodes)?)
            }
            s if cql2::SPATIALOPS.contains(&s) => {
                arity(2)?;
                let sop = match s {
                    "s_intersects" => SpatialOp::Intersects,
                    "s_disjoint" => SpatialOp::Disjoint,
                    "s_within" => SpatialOp::Within,
                    "s_contains" => SpatialOp::Contains,
                    "s_equals" => SpatialOp::Equals,
                    "s_touches" => SpatialOp::Touches,
                    "s_overlaps" => SpatialOp::Overlaps,
                    _ => SpatialOp::Crosses,
                };
                // One side is the feature's geometry, the other a literal.
                let (feature_first, literal) = match (Self::is_geometry(&args[0]), Self::is_geometry(&args[1])) {
                    (true, false) => (true, &args[1]),
                    (false, true) => (false, &args[0]),
                    _ => {
                        return Err(FilterError::Unsupported(
                            "spatial predicates other than between the `geometry` property and a literal".into(),
                        ));
                    }
                };
                let g = self.geometry(literal)?;
                // `within`/`contains` read from the feature's side.
                let sop = match (sop, feature_first) {
                    (SpatialOp::Within, false) => SpatialOp::Contains,
                    (SpatialOp::Contains, false) => SpatialOp::Within,
                    (o, _) => o,
                };
                Node::Spatial(sop, g)
            }
            t if cql2::TEMPORALOPS.contains(&t) => {
                return Err(FilterError::Unsupported(format!(
                    "temporal operator `{t}` (use the datetime parameter)"
                )));
            }
            a if cql2::ARRAYOPS.contains(&a) => return Err(FilterError::Unsupported(format!("array operator `{a}`"))),
            other => return Err(FilterError::Unsupported(format!("operator `{other}`"))),
        })
    }
}

fn describe(e: &cql2::Expr) -> String {
    cql2::Expr::to_text(e).unwrap_or_else(|_| format!("{e:?}"))
}

/// Parses CQL2 text or JSON (`filter-lang` cql2-text / cql2-json): text
/// with tuile's own linear-time parser ([`super::cql2_text`]), JSON with
/// the `cql2` crate (serde, which bounds nesting).
pub fn parse(text: &str, json: bool) -> Result<cql2::Expr, FilterError> {
    if json {
        cql2::parse_json(text).map_err(|e| FilterError::Syntax(e.to_string()))
    } else {
        super::cql2_text::parse(text).map_err(|e| FilterError::Syntax(e.to_string()))
    }
}

/// A `property=value` query parameter as a filter node: an equality,
/// numeric when the column is.
pub fn property_equals(columns: &[Column], name: &str, value: &str) -> Option<Node> {
    let col = columns.iter().position(|c| c.name == name)?;
    use crate::feature::ValueKind;
    let numeric = matches!(columns[col].kind(), ValueKind::Integer | ValueKind::Number);
    let literal = match value.parse::<f64>() {
        Ok(v) if numeric => Operand::Number(v),
        _ => Operand::Text(value.to_string()),
    };
    Some(Node::Compare(CmpOp::Eq, Operand::Column(col), literal))
}

/// A decoded shape as a geo-types geometry.
pub fn to_geo(s: &Shape) -> Option<Geo<f64>> {
    use geo_types::{Coord, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
    let line = |(a, b): (u32, u32)| -> LineString<f64> {
        (a as usize..b as usize)
            .map(|i| Coord { x: s.xs[i], y: s.ys[i] })
            .collect::<Vec<_>>()
            .into()
    };
    Some(match s.kind? {
        ShapeKind::Point => {
            let pts: Vec<Point<f64>> = s
                .parts
                .iter()
                .map(|&(a, _)| Point::new(s.xs[a as usize], s.ys[a as usize]))
                .collect();
            if pts.len() == 1 {
                Geo::Point(pts[0])
            } else {
                Geo::MultiPoint(MultiPoint(pts))
            }
        }
        ShapeKind::Line => {
            let lines: Vec<_> = s.parts.iter().map(|p| line(*p)).collect();
            if lines.len() == 1 {
                Geo::LineString(lines[0].clone())
            } else {
                Geo::MultiLineString(MultiLineString(lines))
            }
        }
        ShapeKind::Polygon => {
            let polys: Vec<Polygon<f64>> = s
                .polygons
                .iter()
                .map(|&(a, b)| {
                    let rings = &s.parts[a as usize..b as usize];
                    Polygon::new(line(rings[0]), rings[1..].iter().map(|r| line(*r)).collect())
                })
                .collect();
            if polys.len() == 1 {
                Geo::Polygon(polys[0].clone())
            } else {
                Geo::MultiPolygon(MultiPolygon(polys))
            }
        }
    })
}

fn value_of(op: &Operand, f: &FeatureView) -> Option<Val> {
    Some(match op {
        Operand::Column(i) => match f.property_at(*i) {
            Value::Null | Value::Binary(_) => return None,
            Value::Bool(b) => Val::Bool(b),
            Value::Str(s) => Val::Text(s.to_string()),
            v => Val::Num(v.as_f64()?),
        },
        Operand::Number(n) => Val::Num(*n),
        Operand::Text(s) => Val::Text(s.clone()),
        Operand::Bool(b) => Val::Bool(*b),
        Operand::Null => return None,
        Operand::CaseI(inner) => match value_of(inner, f)? {
            Val::Text(s) => Val::Text(s.to_lowercase()),
            v => v,
        },
        Operand::AccentI(inner) => match value_of(inner, f)? {
            Val::Text(s) => Val::Text(unaccent::unaccent(&s)),
            v => v,
        },
    })
}

fn compare(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        // A number compared with numeric text, as filters written by hand do.
        (Val::Num(x), Val::Text(y)) => y.trim().parse::<f64>().ok().and_then(|y| x.partial_cmp(&y)),
        (Val::Text(x), Val::Num(y)) => x.trim().parse::<f64>().ok().and_then(|x| x.partial_cmp(y)),
        _ => None,
    }
}

impl Node {
    /// Evaluates on a feature: `Some(true)`, `Some(false)` or unknown (NULL).
    pub fn eval(&self, f: &FeatureView, geom: &mut LazyGeometry) -> Option<bool> {
        match self {
            Node::Const(b) => Some(*b),
            Node::And(ns) => {
                let mut unknown = false;
                for n in ns {
                    match n.eval(f, geom) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            Node::Or(ns) => {
                let mut unknown = false;
                for n in ns {
                    match n.eval(f, geom) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown { None } else { Some(false) }
            }
            Node::Not(n) => n.eval(f, geom).map(|b| !b),
            Node::Compare(c, a, b) => {
                let ord = compare(&value_of(a, f)?, &value_of(b, f)?)?;
                Some(c.holds(ord))
            }
            Node::Like(a, p) => {
                let (Val::Text(s), Val::Text(pattern)) = (value_of(a, f)?, value_of(p, f)?) else {
                    return Some(false);
                };
                Some(crate::style::like(&s, &pattern, '%', '_', '\\', true))
            }
            Node::Between(v, lo, hi) => {
                let v = value_of(v, f)?;
                let (lo, hi) = (value_of(lo, f)?, value_of(hi, f)?);
                Some(compare(&v, &lo)? != std::cmp::Ordering::Less && compare(&v, &hi)? != std::cmp::Ordering::Greater)
            }
            Node::In(v, list) => {
                let v = value_of(v, f)?;
                Some(
                    list.iter()
                        .filter_map(|o| value_of(o, f))
                        .any(|x| compare(&v, &x) == Some(std::cmp::Ordering::Equal)),
                )
            }
            Node::IsNull(o) => Some(value_of(o, f).is_none()),
            Node::Spatial(op, g) => {
                let shape = to_geo(geom.shape())?;
                let m = shape.relate(g);
                Some(match op {
                    SpatialOp::Intersects => m.is_intersects(),
                    SpatialOp::Disjoint => m.is_disjoint(),
                    SpatialOp::Within => m.is_within(),
                    SpatialOp::Contains => m.is_contains(),
                    SpatialOp::Equals => m.is_equal_topo(),
                    SpatialOp::Touches => m.is_touches(),
                    SpatialOp::Overlaps => m.is_overlaps(),
                    SpatialOp::Crosses => m.is_crosses(),
                })
            }
        }
    }

    /// A box every matching feature must intersect (for the spatial index).
    pub fn required_bbox(&self) -> Option<BBox> {
        match self {
            Node::Spatial(SpatialOp::Disjoint, _) => None,
            Node::Spatial(_, g) => g
                .bounding_rect()
                .map(|r| BBox::new(r.min().x, r.min().y, r.max().x, r.max().y)),
            Node::And(ns) => ns
                .iter()
                .filter_map(Node::required_bbox)
                .reduce(|a, b| a.intersection(&b).unwrap_or(BBox::new(0.0, 0.0, 0.0, 0.0))),
            Node::Or(ns) => ns
                .iter()
                .map(Node::required_bbox)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .reduce(|a, b| a.union(&b)),
            _ => None,
        }
    }

    /// Whether evaluating needs the geometry (decoded on demand anyway).
    pub fn is_spatial(&self) -> bool {
        match self {
            Node::Spatial(..) => true,
            Node::And(ns) | Node::Or(ns) => ns.iter().any(Node::is_spatial),
            Node::Not(n) => n.is_spatial(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples(kind: &str) -> Vec<(String, String)> {
        // The official examples, carried in the repository's test fixtures.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/ogc-schemas/ogcapi-features/cql2/1.0/examples")
            .join(kind);
        let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_stem().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Every example of the CQL2 standard parses, and its text and JSON
    /// encodings parse to the same expression.
    #[test]
    fn official_cql2_examples_parse_alike_in_text_and_json() {
        let text = examples("text");
        let json: std::collections::HashMap<String, String> = examples("json").into_iter().collect();
        assert!(text.len() > 100, "{} text examples", text.len());
        let mut compared = 0;
        for (name, src) in &text {
            let t = parse(src.trim(), false).unwrap_or_else(|e| panic!("{name}.txt: {e}\n{src}"));
            if let Some(j) = json.get(name) {
                let j = parse(j, true).unwrap_or_else(|e| panic!("{name}.json: {e}"));
                assert_eq!(t.to_text().ok(), j.to_text().ok(), "{name}");
                compared += 1;
            }
        }
        assert!(compared > 100, "{compared} pairs compared");
    }

    #[test]
    fn the_linear_parser_reads_every_official_example_as_the_cql2_crate_does() {
        let text = examples("text");
        for (name, src) in &text {
            let ours = super::super::cql2_text::parse(src.trim()).unwrap_or_else(|e| panic!("{name}: {e}\n{src}"));
            let theirs = cql2::parse_text(src.trim()).unwrap_or_else(|e| panic!("{name}: {e}"));
            // Debug, not ==: geometries compare by `s_equals`, false for an invalid one.
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "{name}: {src}");
        }
    }
}
