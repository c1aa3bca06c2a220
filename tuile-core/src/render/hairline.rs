//! Anti-aliased strokes thinner than a pixel, written straight into the
//! pixmap.
//!
//! tiny-skia draws such a stroke as a hairline whose alpha is scaled by the
//! width, as we do, but it runs its whole blending pipeline for every one or
//! two pixels of the line: polygon outlines at large scales (the land cover's
//! half-pixel contours) cost more than the fills (38% of a 1:5,000 map,
//! profiled on bench scenario S3). Here each pixel is one source-over blend.

use tiny_skia::{Path, PathSegment, Pixmap, Point};

use crate::style::Color;

/// Draws the straight segments of `path` as one-pixel anti-aliased lines of
/// `color` whose alpha is scaled by `coverage` (the stroke's width, below 1).
/// `false`, with nothing drawn, when the path has curves.
pub fn stroke(pixmap: &mut Pixmap, path: &Path, color: Color, coverage: f32) -> bool {
    let mut segments = Vec::with_capacity(path.len());
    let (mut start, mut last) = (Point::zero(), Point::zero());
    for seg in path.segments() {
        match seg {
            PathSegment::MoveTo(p) => (start, last) = (p, p),
            PathSegment::LineTo(p) => {
                segments.push((last, p));
                last = p;
            }
            PathSegment::Close => {
                segments.push((last, start));
                last = start;
            }
            PathSegment::QuadTo(..) | PathSegment::CubicTo(..) => return false,
        }
    }
    let mut canvas = Canvas {
        width: pixmap.width() as i64,
        height: pixmap.height() as i64,
        data: pixmap.data_mut(),
        rgb: [color.r as u32, color.g as u32, color.b as u32],
        alpha: color.a as f32 / 255.0 * coverage.clamp(0.0, 1.0),
    };
    for (a, b) in segments {
        canvas.line(a, b);
    }
    true
}

struct Canvas<'a> {
    width: i64,
    height: i64,
    /// Premultiplied RGBA, as tiny-skia keeps it.
    data: &'a mut [u8],
    rgb: [u32; 3],
    alpha: f32,
}

impl Canvas<'_> {
    /// One segment, Xiaolin Wu's way: along the major axis, each pixel
    /// column (or row) the segment crosses gets its share of the line
    /// (the length of the crossing, below 1 at the ends, so joined segments
    /// add up to one), split between the two pixels the line passes between.
    fn line(&mut self, a: Point, b: Point) {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        if !(dx.is_finite() && dy.is_finite()) || (dx == 0.0 && dy == 0.0) {
            return;
        }
        let x_major = dx.abs() >= dy.abs();
        // (along, across) coordinates and the image's extent in them.
        let (a0, c0, a1, c1, along_len, across_len) = if x_major {
            (a.x, a.y, b.x, b.y, self.width, self.height)
        } else {
            (a.y, a.x, b.y, b.x, self.height, self.width)
        };
        let (a0, c0, a1, c1) = if a0 <= a1 { (a0, c0, a1, c1) } else { (a1, c1, a0, c0) };
        let slope = (c1 - c0) / (a1 - a0);
        // Only the columns inside the image, and where the line is within a
        // pixel of it across.
        let (mut lo, mut hi) = (a0.max(0.0), a1.min(along_len as f32));
        if slope != 0.0 {
            let at = |c: f32| a0 + (c - c0) / slope;
            let (e0, e1) = (at(-1.0), at(across_len as f32 + 1.0));
            lo = lo.max(e0.min(e1));
            hi = hi.min(e0.max(e1));
        } else if c0 < -1.0 || c0 > across_len as f32 + 1.0 {
            return;
        }
        // Also false for NaN bounds.
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return;
        }
        for col in lo.floor() as i64..hi.ceil() as i64 {
            let (s, e) = ((col as f32).max(a0), ((col + 1) as f32).min(a1));
            let share = e - s;
            if share <= 0.0 {
                continue;
            }
            let across = c0 + ((s + e) * 0.5 - a0) * slope - 0.5;
            // floor() without a libm call: `across` is within two pixels of
            // the image here.
            let row = (across + 8.0) as i64 - 8;
            let frac = across - row as f32;
            self.blend(x_major, col, row, share * (1.0 - frac));
            self.blend(x_major, col, row + 1, share * frac);
        }
    }

    /// Source-over of the colour at `weight` of its alpha onto one pixel,
    /// in 8-bit fixed point.
    fn blend(&mut self, x_major: bool, along: i64, across: i64, weight: f32) {
        let (x, y) = if x_major { (along, across) } else { (across, along) };
        if x < 0 || y < 0 || x >= self.width || y >= self.height {
            return;
        }
        let sa = (self.alpha * weight.min(1.0) * 256.0 + 0.5) as u32;
        if sa == 0 {
            return;
        }
        let keep = 256 - sa;
        let i = ((y * self.width + x) * 4) as usize;
        let px = &mut self.data[i..i + 4];
        for (d, &c) in px.iter_mut().zip(&self.rgb) {
            *d = ((c * sa + *d as u32 * keep + 128) >> 8).min(255) as u8;
        }
        px[3] = ((255 * sa + px[3] as u32 * keep + 128) >> 8).min(255) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_skia::PathBuilder;

    fn alpha_at(p: &Pixmap, x: u32, y: u32) -> u8 {
        p.pixel(x, y).unwrap().alpha()
    }

    #[test]
    fn a_horizontal_line_on_a_row_centre_fills_that_row() {
        let mut p = Pixmap::new(16, 16).unwrap();
        let mut pb = PathBuilder::new();
        pb.move_to(2.0, 10.5);
        pb.line_to(8.0, 10.5);
        assert!(stroke(&mut p, &pb.finish().unwrap(), Color::rgb(255, 0, 0), 0.5));
        for x in 2..8 {
            assert_eq!(alpha_at(&p, x, 10), 128, "x {x}");
            assert_eq!(alpha_at(&p, x, 9), 0);
            assert_eq!(alpha_at(&p, x, 11), 0);
        }
        assert_eq!(alpha_at(&p, 1, 10), 0);
        assert_eq!(alpha_at(&p, 8, 10), 0);
        // Premultiplied red.
        assert_eq!(p.pixel(4, 10).unwrap().red(), 128);
    }

    #[test]
    fn a_diagonal_line_shares_each_column_between_two_rows() {
        let mut p = Pixmap::new(32, 32).unwrap();
        let mut pb = PathBuilder::new();
        pb.move_to(0.0, 4.0);
        pb.line_to(32.0, 20.0);
        assert!(stroke(&mut p, &pb.finish().unwrap(), Color::rgb(0, 0, 0), 1.0));
        for x in 0..32 {
            let sum: u32 = (0..32).map(|y| alpha_at(&p, x, y) as u32).sum();
            assert!((254..=256).contains(&sum), "column {x}: {sum}");
            let touched = (0..32).filter(|&y| alpha_at(&p, x, y) > 0).count();
            assert!(touched <= 2, "column {x}");
        }
    }

    #[test]
    fn joined_segments_cover_their_shared_column_once() {
        let mut p = Pixmap::new(16, 16).unwrap();
        let mut pb = PathBuilder::new();
        pb.move_to(1.0, 5.5);
        pb.line_to(6.3, 5.5);
        pb.line_to(12.0, 5.5);
        assert!(stroke(&mut p, &pb.finish().unwrap(), Color::rgb(0, 0, 0), 1.0));
        // Source-over of two shares (0.3 and 0.7) is below a full pixel, but
        // not drawn twice over.
        let a = alpha_at(&p, 6, 5);
        assert!((200..=255).contains(&a), "{a}");
        assert_eq!(alpha_at(&p, 5, 5), 255);
    }

    #[test]
    fn far_away_and_crossing_segments_are_clipped() {
        let mut p = Pixmap::new(8, 8).unwrap();
        let mut pb = PathBuilder::new();
        pb.move_to(-1.0e7, -3.0e6);
        pb.line_to(1.0e7, 3.0e6);
        pb.move_to(-1.0e7, 4.5);
        pb.line_to(1.0e7, 4.5);
        pb.move_to(3.5, 1.0e9);
        pb.line_to(3.5, 2.0e9);
        assert!(stroke(&mut p, &pb.finish().unwrap(), Color::rgb(0, 0, 0), 1.0));
        assert!((0..8).all(|x| alpha_at(&p, x, 4) == 255));
    }
}
