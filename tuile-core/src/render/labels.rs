//! Label placement: candidates are collected while features are drawn,
//! then placed after every layer, top layer first, each only where it
//! overlaps no label already placed and fits whole inside the label area.
//!
//! Labels never cross the label area's edge: a metatile gives its inner
//! area, so a label is either whole in one metatile or not drawn, and
//! never cut at a tile edge.

use tiny_skia::{FillRule, LineJoin, Paint, Pixmap, Rect, Stroke, Transform};

use crate::style::{LabelPlacement, TextSymbolizer};

struct Candidate<'s> {
    sym: &'s TextSymbolizer,
    text: String,
    x: f32,
    y: f32,
    /// Line direction in degrees, for line placement.
    angle: f32,
    layer: usize,
}

pub struct Labeler<'s> {
    area: Rect,
    candidates: Vec<Candidate<'s>>,
}

impl<'s> Labeler<'s> {
    /// Labels must fit in `area` (pixels).
    pub fn new(area: Rect) -> Labeler<'s> {
        Labeler {
            area,
            candidates: Vec::new(),
        }
    }

    pub fn add(&mut self, sym: &'s TextSymbolizer, text: String, at: (f32, f32), angle: f32, layer: usize) {
        if at.0.is_finite() && at.1.is_finite() {
            self.candidates.push(Candidate {
                sym,
                text,
                x: at.0,
                y: at.1,
                angle,
                layer,
            });
        }
    }

    /// Places and draws the labels; returns how many were drawn.
    pub fn draw(mut self, pixmap: &mut Pixmap) -> usize {
        // Upper layers first; within a layer, in the order features came.
        self.candidates.sort_by_key(|c| std::cmp::Reverse(c.layer));
        let mut placed: Vec<Rect> = Vec::new();
        for c in &self.candidates {
            let font = &c.sym.font;
            let Some(t) = font.face.as_ref().and_then(|f| f.text_path(&c.text, font.size)) else {
                continue;
            };
            let h = t.ascent + t.descent;
            let transform = match &c.sym.placement {
                LabelPlacement::Point {
                    anchor,
                    displacement,
                    rotation,
                } => Transform::from_translate(c.x + displacement.0, c.y - displacement.1)
                    .pre_rotate(*rotation)
                    // SE anchors run from the bottom-left (0, 0) to the top-right (1, 1).
                    .pre_translate(-anchor.0 * t.width, -(t.descent - anchor.1 * h)),
                LabelPlacement::Line { perpendicular_offset } => {
                    // Upright text along the line, centred on it.
                    let mut a = c.angle;
                    if a > 90.0 {
                        a -= 180.0;
                    } else if a <= -90.0 {
                        a += 180.0;
                    }
                    Transform::from_translate(c.x, c.y)
                        .pre_rotate(a)
                        .pre_translate(-t.width / 2.0, -(t.descent - h / 2.0) - perpendicular_offset)
                }
            };
            let Some(path) = t.path.clone().transform(transform) else {
                continue;
            };
            let halo = c.sym.halo.as_ref().map_or(0.0, |h| h.radius);
            let b = path.bounds();
            let Some(bounds) = Rect::from_ltrb(
                b.left() - halo - 1.0,
                b.top() - halo - 1.0,
                b.right() + halo + 1.0,
                b.bottom() + halo + 1.0,
            ) else {
                continue;
            };
            if !contains(&self.area, &bounds) || placed.iter().any(|p| p.intersect(&bounds).is_some()) {
                continue;
            }
            placed.push(bounds);
            if let Some(h) = &c.sym.halo {
                let mut paint = Paint::default();
                let col = h.fill.color;
                paint.set_color_rgba8(col.r, col.g, col.b, col.a);
                paint.anti_alias = true;
                let stroke = Stroke {
                    width: 2.0 * h.radius,
                    line_join: LineJoin::Round,
                    ..Default::default()
                };
                pixmap.stroke_path(&path, &paint, &stroke, Transform::identity(), None);
            }
            let mut paint = Paint::default();
            let col = c.sym.fill.color;
            paint.set_color_rgba8(col.r, col.g, col.b, col.a);
            paint.anti_alias = true;
            pixmap.fill_path(&path, &paint, FillRule::Winding, Transform::identity(), None);
        }
        placed.len()
    }
}

fn contains(outer: &Rect, inner: &Rect) -> bool {
    inner.left() >= outer.left()
        && inner.top() >= outer.top()
        && inner.right() <= outer.right()
        && inner.bottom() <= outer.bottom()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::TextSymbolizer;
    use crate::style::font::face;

    fn sym() -> TextSymbolizer {
        let mut s = TextSymbolizer::default();
        s.font.size = 12.0;
        s.font.face = Some(face("DejaVu Sans", false, false).unwrap());
        s
    }

    #[test]
    fn overlapping_labels_are_dropped_and_partials_too() {
        let s = sym();
        let mut pixmap = Pixmap::new(200, 100).unwrap();
        let mut l = Labeler::new(Rect::from_xywh(0.0, 0.0, 200.0, 100.0).unwrap());
        // Three labels on top of each other, one far away, one across the edge.
        for x in [100.0, 104.0, 96.0] {
            l.add(&s, "Montpellier".into(), (x, 50.0), 0.0, 0);
        }
        l.add(&s, "Lattes".into(), (100.0, 15.0), 0.0, 0);
        l.add(&s, "Pérols".into(), (195.0, 80.0), 0.0, 0);
        assert_eq!(l.draw(&mut pixmap), 2);
        // Upper layers win the place.
        let mut l = Labeler::new(Rect::from_xywh(0.0, 0.0, 200.0, 100.0).unwrap());
        l.add(&s, "bas".into(), (100.0, 50.0), 0.0, 0);
        l.add(&s, "haut".into(), (100.0, 50.0), 0.0, 1);
        let mut pixmap = Pixmap::new(200, 100).unwrap();
        assert_eq!(l.draw(&mut pixmap), 1);
    }
}
