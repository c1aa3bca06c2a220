//! Legends: one entry per rule (its symbolizers drawn on a sample shape,
//! then its title), or a thumbnail for a raster layer.

use std::sync::Arc;

use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Transform};

use crate::layer::Layer;
use crate::metadata::Language;
use crate::render::{self, DrawLayer, MapView};
use crate::style::font;
use crate::style::{Color, Rule, Style, Symbolizer};

/// A legend rendered ahead of time (PNG) and its size, as capabilities
/// advertise it.
#[derive(Debug, Clone)]
pub struct Legend {
    pub png: bytes::Bytes,
    pub width: u32,
    pub height: u32,
}

impl Legend {
    /// The default legend of a layer's style.
    pub fn prerender(layer: &Arc<Layer>, style: &Arc<Style>) -> Result<Legend, render::encode::EncodeError> {
        let pixmap = legend(layer, style, &LegendOptions::default());
        let png = render::encode(&pixmap, render::ImageFormat::Png, Color::WHITE, 90)?;
        Ok(Legend {
            png: png.into(),
            width: pixmap.width(),
            height: pixmap.height(),
        })
    }
}

const PAD: f32 = 4.0;
const GAP: f32 = 6.0;
const FONT_SIZE: f32 = 11.0;

/// Which entries to draw and how big the swatches are.
pub struct LegendOptions<'a> {
    pub swatch: (u32, u32),
    /// Only the rules that apply at this scale denominator.
    pub scale: Option<f64>,
    /// Only the rule with this name.
    pub rule: Option<&'a str>,
    pub lang: Language,
}

impl Default for LegendOptions<'_> {
    fn default() -> Self {
        LegendOptions {
            swatch: (20, 20),
            scale: None,
            rule: None,
            lang: Language::Fr,
        }
    }
}

fn entries<'s>(style: &'s Style, o: &LegendOptions) -> Vec<&'s Rule> {
    style
        .rules
        .iter()
        .filter(|r| o.scale.is_none_or(|s| r.applies_at(s)))
        .filter(|r| o.rule.is_none_or(|name| r.name.as_deref() == Some(name)))
        .collect()
}

/// Draws the legend of a layer's style.
pub fn legend(layer: &Arc<Layer>, style: &Arc<Style>, o: &LegendOptions) -> Pixmap {
    let face = font::face("DejaVu Sans", false, false).ok();
    let (sw, sh) = (o.swatch.0.max(4) as f32, o.swatch.1.max(4) as f32);
    let rows: Vec<(Option<&Rule>, String)> = if layer.is_vector() {
        entries(style, o)
            .into_iter()
            .map(|r| (Some(r), r.title.clone().or_else(|| r.name.clone()).unwrap_or_default()))
            .collect()
    } else {
        vec![(None, layer.title(o.lang).to_string())]
    };
    let labels: Vec<Option<font::TextPath>> = rows
        .iter()
        .map(|(_, t)| face.as_ref().and_then(|f| f.text_path(t, FONT_SIZE)))
        .collect();
    let text_w = labels.iter().flatten().map(|t| t.width).fold(0.0f32, f32::max);
    let row_h = sh.max(FONT_SIZE * 1.3);
    let width = (PAD + sw + GAP + text_w + PAD).ceil().max(sw + 2.0 * PAD) as u32;
    let height = (PAD + rows.len().max(1) as f32 * (row_h + 2.0) + PAD).ceil() as u32;
    let mut pixmap = Pixmap::new(width, height).expect("a legend fits in memory");
    for (k, ((rule, _), label)) in rows.iter().zip(&labels).enumerate() {
        let top = PAD + k as f32 * (row_h + 2.0);
        let swatch = Rect::from_xywh(PAD, top + (row_h - sh) / 2.0, sw, sh).expect("a swatch has a size");
        match rule {
            Some(r) => draw_swatch(&mut pixmap, r, swatch),
            None => raster_thumbnail(&mut pixmap, layer, style, swatch),
        }
        if let Some(t) = label {
            let y = top + row_h / 2.0 + (t.ascent - t.descent) / 2.0;
            let mut paint = Paint::default();
            paint.set_color_rgba8(34, 34, 34, 255);
            paint.anti_alias = true;
            let at = Transform::from_translate(PAD + sw + GAP, y);
            pixmap.fill_path(&t.path, &paint, FillRule::Winding, at, None);
        }
    }
    pixmap
}

fn paint(c: Color) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(c.r, c.g, c.b, c.a);
    p.anti_alias = true;
    p
}

/// A rule's symbolizers on a square, a zigzag or a point, as fits each.
fn draw_swatch(pixmap: &mut Pixmap, rule: &Rule, r: Rect) {
    for s in &rule.symbolizers {
        match s {
            Symbolizer::Polygon(p) => {
                let inner =
                    Rect::from_ltrb(r.left() + 1.0, r.top() + 1.0, r.right() - 1.0, r.bottom() - 1.0).unwrap_or(r);
                let path = PathBuilder::from_rect(inner);
                if let Some(f) = &p.fill {
                    pixmap.fill_path(&path, &paint(f.color), FillRule::Winding, Transform::identity(), None);
                }
                if let Some(st) = &p.stroke {
                    let stroke = tiny_skia::Stroke {
                        width: st.width.max(0.5),
                        ..Default::default()
                    };
                    pixmap.stroke_path(&path, &paint(st.color), &stroke, Transform::identity(), None);
                }
            }
            Symbolizer::Line(l) => {
                let mut pb = PathBuilder::new();
                pb.move_to(r.left() + 1.0, r.bottom() - 3.0);
                pb.line_to(r.left() + r.width() * 0.4, r.top() + 3.0);
                pb.line_to(r.left() + r.width() * 0.6, r.bottom() - 3.0);
                pb.line_to(r.right() - 1.0, r.top() + 3.0);
                if let Some(path) = pb.finish() {
                    let stroke = tiny_skia::Stroke {
                        width: l.stroke.width.max(0.5),
                        line_join: tiny_skia::LineJoin::Round,
                        ..Default::default()
                    };
                    pixmap.stroke_path(&path, &paint(l.stroke.color), &stroke, Transform::identity(), None);
                }
            }
            Symbolizer::Point(p) => {
                let size = p.graphic.size.typical().min(r.height());
                render::draw_graphic(
                    pixmap,
                    &p.graphic,
                    size,
                    r.left() + r.width() / 2.0,
                    r.top() + r.height() / 2.0,
                );
            }
            Symbolizer::Text(t) => {
                let size = t.font.size.min(r.height());
                if let Some(tp) = t.font.face.as_ref().and_then(|f| f.text_path("Abc", size)) {
                    let at = Transform::from_translate(
                        r.left() + (r.width() - tp.width) / 2.0,
                        r.top() + r.height() / 2.0 + (tp.ascent - tp.descent) / 2.0,
                    );
                    if let Some(h) = &t.halo {
                        let stroke = tiny_skia::Stroke {
                            width: 2.0 * h.radius,
                            line_join: tiny_skia::LineJoin::Round,
                            ..Default::default()
                        };
                        pixmap.stroke_path(&tp.path, &paint(h.fill.color), &stroke, at, None);
                    }
                    pixmap.fill_path(&tp.path, &paint(t.fill.color), FillRule::Winding, at, None);
                }
            }
        }
    }
}

/// A raster layer's entry: its data at the centre of its extent.
fn raster_thumbnail(pixmap: &mut Pixmap, layer: &Arc<Layer>, style: &Arc<Style>, r: Rect) {
    let e = layer.native_extent;
    let (cx, cy) = ((e.minx + e.maxx) / 2.0, (e.miny + e.maxy) / 2.0);
    // About 1:5,000: enough detail to recognise the imagery.
    let half = 1.4 * r.width() as f64 / 2.0;
    let view = MapView {
        crs: layer.source.meta().crs,
        bbox: crate::grid::BBox::new(cx - half, cy - half, cx + half, cy + half),
        width: r.width() as u32,
        height: r.height() as u32,
    };
    let layers = [DrawLayer::new(Arc::clone(layer), Arc::clone(style), None)];
    if let Ok(thumb) = render::render(&view, &layers, None) {
        pixmap.draw_pixmap(
            r.left() as i32,
            r.top() as i32,
            thumb.as_ref(),
            &tiny_skia::PixmapPaint::default(),
            Transform::identity(),
            None,
        );
    }
}
