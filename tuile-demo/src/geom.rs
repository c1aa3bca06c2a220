//! Planar geometry for the generator: convex polygons cut by lines.

pub type Pt = (f64, f64);

/// Keeps the part of a convex polygon where `dot(n, p) <= c`.
///
/// The intersection point of an edge is computed from the signed distances
/// of its ends, so clipping by the opposite half-plane yields bit-identical
/// points: neighbours share their edges exactly.
pub fn clip(poly: &[Pt], n: Pt, c: f64) -> Vec<Pt> {
    let mut out = Vec::with_capacity(poly.len() + 2);
    let d = |p: Pt| n.0 * p.0 + n.1 * p.1 - c;
    for i in 0..poly.len() {
        let a = poly[i];
        let b = poly[(i + 1) % poly.len()];
        let (da, db) = (d(a), d(b));
        if da <= 0.0 {
            out.push(a);
        }
        if (da < 0.0 && db > 0.0) || (da > 0.0 && db < 0.0) {
            out.push(cut(a, b, da, db));
        }
    }
    dedup(out)
}

/// The same cut as [`clip`] for the half-plane `dot(n, p) >= c`: negating
/// the line negates every distance exactly, so the cut points are the same.
pub fn clip_above(poly: &[Pt], n: Pt, c: f64) -> Vec<Pt> {
    clip(poly, (-n.0, -n.1), -c)
}

fn cut(a: Pt, b: Pt, da: f64, db: f64) -> Pt {
    // Always interpolate from the endpoint with the smaller coordinates, so
    // that both neighbours (which walk the edge in opposite directions) agree.
    let (p, q, dp, dq) = if (a.0, a.1) <= (b.0, b.1) {
        (a, b, da, db)
    } else {
        (b, a, db, da)
    };
    let t = dp / (dp - dq);
    (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))
}

fn dedup(mut pts: Vec<Pt>) -> Vec<Pt> {
    pts.dedup();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() < 3 { Vec::new() } else { pts }
}

pub fn area(poly: &[Pt]) -> f64 {
    let mut s = 0.0;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
        s += a.0 * b.1 - b.0 * a.1;
    }
    (s / 2.0).abs()
}

pub fn centroid(poly: &[Pt]) -> Pt {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..poly.len() {
        let (p, q) = (poly[i], poly[(i + 1) % poly.len()]);
        let cross = p.0 * q.1 - q.0 * p.1;
        a += cross;
        cx += (p.0 + q.0) * cross;
        cy += (p.1 + q.1) * cross;
    }
    if a.abs() < 1e-12 {
        return poly[0];
    }
    (cx / (3.0 * a), cy / (3.0 * a))
}

pub fn bbox(poly: &[Pt]) -> (f64, f64, f64, f64) {
    poly.iter()
        .fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |(a, b, c, d), p| {
            (a.min(p.0), b.min(p.1), c.max(p.0), d.max(p.1))
        })
}

/// The segment of the line `dot(n, p) = c` inside a convex polygon.
pub fn chord(poly: &[Pt], n: Pt, c: f64) -> Option<(Pt, Pt)> {
    let d = |p: Pt| n.0 * p.0 + n.1 * p.1 - c;
    let mut hits = Vec::new();
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
        let (da, db) = (d(a), d(b));
        if (da <= 0.0 && db > 0.0) || (da > 0.0 && db <= 0.0) {
            hits.push(cut(a, b, da, db));
        }
    }
    (hits.len() >= 2).then(|| (hits[0], hits[1]))
}

/// Distance from `p` to the segment `a`–`b`.
pub fn segment_distance(p: Pt, a: Pt, b: Pt) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_splits_area_exactly_and_shares_the_edge() {
        let sq = vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let n = (0.6, 0.8);
        let left = clip(&sq, n, 7.0);
        let right = clip_above(&sq, n, 7.0);
        assert!((area(&left) + area(&right) - 100.0).abs() < 1e-9);
        let shared: Vec<_> = left.iter().filter(|p| right.contains(p)).collect();
        assert_eq!(shared.len(), 2, "{left:?} {right:?}");
        let (a, b) = chord(&sq, n, 7.0).unwrap();
        assert!(left.contains(&a) && left.contains(&b));
    }
}
