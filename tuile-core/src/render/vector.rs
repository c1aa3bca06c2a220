//! Draws FlatGeobuf features with an SLD style: index query in the source
//! CRS, reprojection through OSR, anti-aliased drawing with tiny-skia.
//! Each FeatureTypeStyle is its own pass; labels go to the label engine.

use tiny_skia::{
    FillRule, LineCap as SkCap, LineJoin as SkJoin, Paint, Path, PathBuilder, Pixmap, PixmapPaint, Transform,
};

use super::MapView;
use super::hairline;
use super::labels::Labeler;
use super::marks::mark_path;
use crate::feature::{Shape, ShapeKind, Value};
use crate::grid::{PixelTransform, transform_bbox};
use crate::source::{FgbSource, SourceError};
use crate::style::{Color, Graphic, GraphicSymbol, LabelPlacement, LineCap, LineJoin, Rule, Stroke, Style, Symbolizer};

/// Vertices closer than this many pixels to the previous one are dropped:
/// invisible, and the main cost of small-scale maps of dense polygons.
const MIN_VERTEX_DISTANCE: f32 = 0.3;

/// A feature projected into pixel space.
#[derive(Default)]
struct PixelShape {
    kind: Option<ShapeKind>,
    pts: Vec<(f32, f32)>,
    parts: Vec<(u32, u32)>,
    polygons: Vec<(u32, u32)>,
}

/// Draws the features of `src` visible in `view`. `time` is the edition to
/// draw and the property holding it; `layer` orders labels between layers.
pub fn draw<'s>(
    pixmap: &mut Pixmap,
    labels: &mut Labeler<'s>,
    layer: usize,
    view: &MapView,
    src: &FgbSource,
    style: &'s Style,
    time: Option<(&str, &str)>,
) -> Result<(), SourceError> {
    let rules = style.rules_at(view.scale_denominator());
    if rules.is_empty() {
        return Ok(());
    }
    let px = view.pixel_transform();
    // Fetch features whose symbols may reach into the image from outside it.
    let reach = style.symbol_reach() as f64 / 2.0 + 1.0;
    let fetch = view.bbox.buffered(reach * px.resolution_x(), reach * px.resolution_y());
    let meta = src.meta();
    let Ok(query) = transform_bbox(&fetch, view.crs, meta.crs) else {
        // The view lies outside the part of the globe the source CRS covers.
        return Ok(());
    };
    if !query.intersects(&meta.extent) {
        return Ok(());
    }
    let time = match time {
        Some((value, field)) => match src.columns().iter().position(|c| c.name == field) {
            Some(col) => Some((value, col)),
            None => return Ok(()),
        },
        None => None,
    };
    for group in 0..style.groups() {
        let group_rules: Vec<&Rule> = rules.iter().copied().filter(|r| r.group == group).collect();
        if group_rules.is_empty() {
            continue;
        }
        let (filtered, else_rules): (Vec<&Rule>, Vec<&Rule>) = group_rules.into_iter().partition(|r| !r.else_filter);
        let mut shape = Shape::default();
        let mut pshape = PixelShape::default();
        let mut matched: Vec<&Rule> = Vec::with_capacity(filtered.len());
        let columns = src.columns();
        src.query_for_render(&query, time, |f| {
            // The rules of a thematic style test one property in turn (the
            // land cover's 14 rules, code_cs): read it from the feature once.
            let last = std::cell::Cell::new(None);
            let get = |name: &str| {
                let col = columns.iter().position(|c| c.name == name)?;
                if let Some((c, v)) = last.get()
                    && c == col
                {
                    return Some(v);
                }
                let v = f.property_at(col);
                last.set(Some((col, v)));
                Some(v)
            };
            matched.clear();
            matched.extend(
                filtered
                    .iter()
                    .copied()
                    .filter(|r| r.filter.as_ref().is_none_or(|flt| flt.matches(&get))),
            );
            let apply = if matched.is_empty() {
                else_rules.as_slice()
            } else {
                matched.as_slice()
            };
            if apply.is_empty() {
                return Ok(());
            }
            f.read_shape(&mut shape);
            project(&mut shape, src, view, &px, &mut pshape)?;
            for rule in apply {
                draw_rule(pixmap, labels, layer, rule, &pshape, &get);
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn project(
    shape: &mut Shape,
    src: &FgbSource,
    view: &MapView,
    px: &PixelTransform,
    out: &mut PixelShape,
) -> Result<(), SourceError> {
    let meta = src.meta();
    shape
        .reproject(meta.crs, view.crs)
        .map_err(|e| SourceError::read(&meta.path, e))?;
    out.kind = shape.kind;
    out.pts.clear();
    out.pts
        .extend(shape.xs.iter().zip(&shape.ys).map(|(&x, &y)| px.to_pixel(x, y)));
    out.parts.clone_from(&shape.parts);
    out.polygons.clone_from(&shape.polygons);
    Ok(())
}

fn draw_rule<'s, 'a>(
    pixmap: &mut Pixmap,
    labels: &mut Labeler<'s>,
    layer: usize,
    rule: &'s Rule,
    shape: &PixelShape,
    get: &impl Fn(&str) -> Option<Value<'a>>,
) {
    for sym in &rule.symbolizers {
        match sym {
            Symbolizer::Polygon(p) => {
                if shape.kind != Some(ShapeKind::Polygon) {
                    continue;
                }
                let Some(path) = polygon_path(shape) else {
                    continue;
                };
                // A polygon flattened to a line at this scale has nothing to fill.
                let flat = path.bounds().width() == 0.0 || path.bounds().height() == 0.0;
                if let Some(fill) = p.fill.as_ref().filter(|_| !flat) {
                    pixmap.fill_path(
                        &path,
                        &paint(fill.color),
                        FillRule::EvenOdd,
                        Transform::identity(),
                        None,
                    );
                }
                if let Some(stroke) = &p.stroke {
                    stroke_path(pixmap, &path, stroke);
                }
            }
            Symbolizer::Line(l) => {
                if shape.kind == Some(ShapeKind::Point) {
                    continue;
                }
                if let Some(path) = line_path(shape) {
                    stroke_path(pixmap, &path, &l.stroke);
                }
            }
            Symbolizer::Point(p) => {
                let size = p.graphic.size.eval(get);
                for (x, y) in anchor_points(shape) {
                    draw_graphic(pixmap, &p.graphic, size, x, y);
                }
            }
            Symbolizer::Text(t) => {
                let Some(text) = t.label_text(get) else {
                    continue;
                };
                let along_line = matches!(t.placement, LabelPlacement::Line { .. });
                if along_line && shape.kind == Some(ShapeKind::Line) {
                    if let Some((at, angle)) = line_middle(shape) {
                        labels.add(t, text, at, angle, layer);
                    }
                } else if let Some(&at) = anchor_points(shape).first() {
                    labels.add(t, text, at, 0.0, layer);
                }
            }
        }
    }
}

fn paint(c: Color) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(c.r, c.g, c.b, c.a);
    p.anti_alias = true;
    p
}

fn valid(p: (f32, f32)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

/// Adds a ring or path, dropping vertices closer than a third of a pixel.
fn add_run(pb: &mut PathBuilder, pts: &[(f32, f32)], close: bool) {
    let mut iter = pts.iter().copied().filter(|p| valid(*p));
    let Some(first) = iter.next() else {
        return;
    };
    pb.move_to(first.0, first.1);
    let mut last = first;
    let mut pending = None;
    for p in iter {
        if (p.0 - last.0).abs() < MIN_VERTEX_DISTANCE && (p.1 - last.1).abs() < MIN_VERTEX_DISTANCE {
            pending = Some(p);
            continue;
        }
        pb.line_to(p.0, p.1);
        last = p;
        pending = None;
    }
    if let Some(p) = pending {
        pb.line_to(p.0, p.1);
    }
    if close {
        pb.close();
    }
}

fn polygon_path(shape: &PixelShape) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for &(a, b) in &shape.polygons {
        for &(s, e) in &shape.parts[a as usize..b as usize] {
            add_run(&mut pb, &shape.pts[s as usize..e as usize], true);
        }
    }
    pb.finish()
}

fn line_path(shape: &PixelShape) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let closed = shape.kind == Some(ShapeKind::Polygon);
    for &(s, e) in &shape.parts {
        add_run(&mut pb, &shape.pts[s as usize..e as usize], closed);
    }
    pb.finish()
}

fn stroke_path(pixmap: &mut Pixmap, path: &Path, s: &Stroke) {
    if s.width <= 0.0 {
        return;
    }
    let stroke = tiny_skia::Stroke {
        width: s.width,
        miter_limit: 4.0,
        line_cap: match s.cap {
            LineCap::Butt => SkCap::Butt,
            LineCap::Round => SkCap::Round,
            LineCap::Square => SkCap::Square,
        },
        line_join: match s.join {
            LineJoin::Miter => SkJoin::Miter,
            LineJoin::Round => SkJoin::Round,
            LineJoin::Bevel => SkJoin::Bevel,
        },
        dash: if s.dasharray.is_empty() {
            None
        } else {
            let mut d = s.dasharray.clone();
            if d.len() % 2 == 1 {
                d.extend_from_within(..);
            }
            tiny_skia::StrokeDash::new(d, 0.0)
        },
    };
    // Up to a pixel wide, tiny-skia draws a hairline too, only slower.
    if s.width <= 1.0 {
        let drawn = match &stroke.dash {
            Some(dash) => path
                .dash(dash, 1.0)
                .is_some_and(|dashed| hairline::stroke(pixmap, &dashed, s.color, s.width)),
            None => hairline::stroke(pixmap, path, s.color, s.width),
        };
        if drawn {
            return;
        }
    }
    pixmap.stroke_path(path, &paint(s.color), &stroke, Transform::identity(), None);
}

/// Where point symbols go: each point, or one point per line or polygon.
fn anchor_points(shape: &PixelShape) -> Vec<(f32, f32)> {
    match shape.kind {
        Some(ShapeKind::Point) => shape.pts.iter().copied().filter(|p| valid(*p)).collect(),
        Some(ShapeKind::Line) => shape
            .parts
            .iter()
            .filter_map(|&(s, e)| shape.pts.get(((s + e) / 2) as usize).copied())
            .filter(|p| valid(*p))
            .collect(),
        Some(ShapeKind::Polygon) => shape
            .polygons
            .iter()
            .filter_map(|&(a, _)| {
                let (s, e) = shape.parts[a as usize];
                ring_centroid(&shape.pts[s as usize..e as usize])
            })
            .collect(),
        None => Vec::new(),
    }
}

/// The middle of the longest part of a line, and the direction there (degrees).
fn line_middle(shape: &PixelShape) -> Option<((f32, f32), f32)> {
    let len = |(s, e): (u32, u32)| -> f32 {
        shape.pts[s as usize..e as usize]
            .windows(2)
            .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
            .sum()
    };
    let &(s, e) = shape.parts.iter().max_by(|a, b| len(**a).total_cmp(&len(**b)))?;
    let half = len((s, e)) / 2.0;
    let mut walked = 0.0;
    for w in shape.pts[s as usize..e as usize].windows(2) {
        let d = ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt();
        if walked + d >= half && d > 0.0 {
            let t = (half - walked) / d;
            let at = (w[0].0 + t * (w[1].0 - w[0].0), w[0].1 + t * (w[1].1 - w[0].1));
            let angle = (w[1].1 - w[0].1).atan2(w[1].0 - w[0].0).to_degrees();
            return Some((at, angle));
        }
        walked += d;
    }
    None
}

/// Area centroid of a ring, or its first vertex when degenerate.
fn ring_centroid(pts: &[(f32, f32)]) -> Option<(f32, f32)> {
    let (mut a, mut cx, mut cy) = (0.0f64, 0.0f64, 0.0f64);
    for w in pts.windows(2) {
        let (x0, y0) = (w[0].0 as f64, w[0].1 as f64);
        let (x1, y1) = (w[1].0 as f64, w[1].1 as f64);
        let cross = x0 * y1 - x1 * y0;
        a += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    if a.abs() < 1e-9 {
        return pts.first().copied().filter(|p| valid(*p));
    }
    Some(((cx / (3.0 * a)) as f32, (cy / (3.0 * a)) as f32))
}

/// Draws a point symbol `size` pixels high centred on (x, y).
pub fn draw_graphic(pixmap: &mut Pixmap, g: &Graphic, size: f32, x: f32, y: f32) {
    if size <= 0.0 {
        return;
    }
    let transform = Transform::from_translate(x, y).pre_rotate(g.rotation);
    match &g.symbol {
        GraphicSymbol::Mark { shape, fill, stroke } => {
            let Some(path) = mark_path(*shape, size) else {
                return;
            };
            if let Some(f) = fill {
                pixmap.fill_path(
                    &path,
                    &paint(f.color.with_opacity(g.opacity)),
                    FillRule::Winding,
                    transform,
                    None,
                );
            }
            if let Some(s) = stroke
                && s.width > 0.0
            {
                let stroke = tiny_skia::Stroke {
                    width: s.width,
                    ..Default::default()
                };
                pixmap.stroke_path(&path, &paint(s.color.with_opacity(g.opacity)), &stroke, transform, None);
            }
        }
        GraphicSymbol::External(ext) => {
            let Some(img) = &ext.picture else {
                return;
            };
            let Some(src) = tiny_skia::PixmapRef::from_bytes(&img.rgba, img.width, img.height) else {
                return;
            };
            let paint = PixmapPaint {
                opacity: g.opacity,
                quality: tiny_skia::FilterQuality::Bilinear,
                ..Default::default()
            };
            // The picture is rasterised at the largest size: scale it down.
            let k = size / img.height as f32;
            let t = transform
                .pre_scale(k, k)
                .pre_translate(-(img.width as f32) / 2.0, -(img.height as f32) / 2.0);
            pixmap.draw_pixmap(0, 0, src, &paint, t, None);
        }
    }
}
