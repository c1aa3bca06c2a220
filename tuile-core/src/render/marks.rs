//! Paths of the SLD well-known marks, centred on the origin, `size` pixels high.

use tiny_skia::{Path, PathBuilder, Rect};

use crate::style::WellKnownMark;

pub fn mark_path(shape: WellKnownMark, size: f32) -> Option<Path> {
    let r = size / 2.0;
    match shape {
        WellKnownMark::Circle => PathBuilder::from_circle(0.0, 0.0, r),
        WellKnownMark::Square => Some(PathBuilder::from_rect(Rect::from_xywh(-r, -r, size, size)?)),
        WellKnownMark::Triangle => polygon(&[(0.0, -r), (r, r), (-r, r)]),
        WellKnownMark::Star => {
            let inner = r * 0.382;
            let pts: Vec<(f32, f32)> = (0..10)
                .map(|i| {
                    let radius = if i % 2 == 0 { r } else { inner };
                    let angle = std::f32::consts::PI * (i as f32) / 5.0 - std::f32::consts::FRAC_PI_2;
                    (radius * angle.cos(), radius * angle.sin())
                })
                .collect();
            polygon(&pts)
        }
        WellKnownMark::Cross => polygon(&plus(r)),
        WellKnownMark::X => {
            let (s, c) = std::f32::consts::FRAC_PI_4.sin_cos();
            let pts: Vec<(f32, f32)> = plus(r).iter().map(|&(x, y)| (x * c - y * s, x * s + y * c)).collect();
            polygon(&pts)
        }
    }
}

/// A plus sign whose arms are a quarter of its size thick.
fn plus(r: f32) -> [(f32, f32); 12] {
    let t = r / 4.0;
    [
        (-t, -r),
        (t, -r),
        (t, -t),
        (r, -t),
        (r, t),
        (t, t),
        (t, r),
        (-t, r),
        (-t, t),
        (-r, t),
        (-r, -t),
        (-t, -t),
    ]
}

fn polygon(pts: &[(f32, f32)]) -> Option<Path> {
    let mut pb = PathBuilder::new();
    pb.move_to(pts[0].0, pts[0].1);
    for &(x, y) in &pts[1..] {
        pb.line_to(x, y);
    }
    pb.close();
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mark_fits_its_size() {
        for shape in [
            WellKnownMark::Circle,
            WellKnownMark::Square,
            WellKnownMark::Triangle,
            WellKnownMark::Star,
            WellKnownMark::Cross,
            WellKnownMark::X,
        ] {
            let b = mark_path(shape, 10.0).unwrap().bounds();
            assert!(
                b.left() >= -5.01 && b.right() <= 5.01 && b.top() >= -5.01 && b.bottom() <= 5.01,
                "{shape:?} {b:?}"
            );
            assert!(b.width() > 5.0, "{shape:?}");
        }
    }
}
