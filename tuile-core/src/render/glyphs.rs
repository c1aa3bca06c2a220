//! Glyphs for MapLibre labels: ranges of 256 characters of a face as
//! signed distance fields (24 px per em, a 3-pixel border, as MapLibre's
//! own glyph server tools make them), in the PBF layout MapLibre reads.
//! The outlines are the ones the WMS draws its labels with.

use prost::Message;
use tiny_skia::{FillRule, Paint, Pixmap, Transform};

use crate::style::font::FontFace;

/// Pixels per em of the distance fields.
const SIZE: f32 = 24.0;
/// Border around each glyph, in pixels.
const BUFFER: usize = 3;
/// How far the field reaches, in pixels, and where the edge sits in it.
const RADIUS: f64 = 8.0;
const CUTOFF: f64 = 0.25;

#[derive(Clone, PartialEq, Message)]
struct Glyph {
    #[prost(uint32, required, tag = "1")]
    id: u32,
    #[prost(bytes = "vec", optional, tag = "2")]
    bitmap: Option<Vec<u8>>,
    #[prost(uint32, required, tag = "3")]
    width: u32,
    #[prost(uint32, required, tag = "4")]
    height: u32,
    #[prost(sint32, required, tag = "5")]
    left: i32,
    #[prost(sint32, required, tag = "6")]
    top: i32,
    #[prost(uint32, required, tag = "7")]
    advance: u32,
}

#[derive(Clone, PartialEq, Message)]
struct Fontstack {
    #[prost(string, required, tag = "1")]
    name: String,
    #[prost(string, required, tag = "2")]
    range: String,
    #[prost(message, repeated, tag = "3")]
    glyphs: Vec<Glyph>,
}

#[derive(Clone, PartialEq, Message)]
struct Glyphs {
    #[prost(message, repeated, tag = "1")]
    stacks: Vec<Fontstack>,
}

/// The glyphs `start`..`start + 255` of `face`, named `name`, as PBF bytes.
pub fn range(face: &FontFace, name: &str, start: u32) -> Vec<u8> {
    let end = start + 255;
    let glyphs = (start..=end)
        .filter_map(char::from_u32)
        .filter(|&c| face.has_glyph(c))
        .filter_map(|c| glyph(face, c))
        .collect();
    Glyphs {
        stacks: vec![Fontstack {
            name: name.to_string(),
            range: format!("{start}-{end}"),
            glyphs,
        }],
    }
    .encode_to_vec()
}

fn glyph(face: &FontFace, c: char) -> Option<Glyph> {
    let text = face.text_path(&c.to_string(), SIZE);
    let advance = face.advance(c, SIZE).round() as u32;
    let Some(text) = text else {
        // Nothing to draw (a space): metrics only.
        return Some(Glyph {
            id: c as u32,
            bitmap: None,
            width: 0,
            height: 0,
            left: 0,
            top: 0,
            advance,
        });
    };
    let b = text.path.bounds();
    let (left, top) = (b.left().floor(), b.top().floor());
    let width = (b.right().ceil() - left) as usize;
    let height = (b.bottom().ceil() - top) as usize;
    let (w, h) = (width + 2 * BUFFER, height + 2 * BUFFER);
    let mut pixmap = Pixmap::new(w as u32, h as u32)?;
    let mut paint = Paint::default();
    paint.set_color_rgba8(0, 0, 0, 255);
    let shift = Transform::from_translate(BUFFER as f32 - left, BUFFER as f32 - top);
    pixmap.fill_path(&text.path, &paint, FillRule::Winding, shift, None);
    let alpha: Vec<f64> = pixmap.pixels().iter().map(|p| p.alpha() as f64 / 255.0).collect();
    Some(Glyph {
        id: c as u32,
        bitmap: Some(distance_field(&alpha, w, h)),
        width: width as u32,
        height: height as u32,
        left: left as i32,
        // MapLibre's glyph tops are the ascent above the baseline less
        // 27 (where its own server tools put the origin).
        top: (-top) as i32 - 27,
        advance,
    })
}

/// A signed distance field of a coverage image, as TinySDF (MapLibre's
/// in-browser glyph maker) computes it: squared distances to the outside
/// and to the inside by exact Euclidean transforms, their difference scaled
/// to a byte with the edge at 192.
fn distance_field(alpha: &[f64], w: usize, h: usize) -> Vec<u8> {
    const INF: f64 = 1e20;
    let mut outer: Vec<f64> = alpha
        .iter()
        .map(|&a| match a {
            a if a >= 1.0 => 0.0,
            a if a <= 0.0 => INF,
            a => (0.5 - a).max(0.0).powi(2),
        })
        .collect();
    let mut inner: Vec<f64> = alpha
        .iter()
        .map(|&a| match a {
            a if a >= 1.0 => INF,
            a if a <= 0.0 => 0.0,
            a => (a - 0.5).max(0.0).powi(2),
        })
        .collect();
    edt(&mut outer, w, h);
    edt(&mut inner, w, h);
    outer
        .iter()
        .zip(&inner)
        .map(|(o, i)| {
            let d = o.sqrt() - i.sqrt();
            (255.0 - 255.0 * (d / RADIUS + CUTOFF)).round().clamp(0.0, 255.0) as u8
        })
        .collect()
}

/// The 2D squared Euclidean distance transform, in place (Felzenszwalb and
/// Huttenlocher: one dimension at a time).
fn edt(grid: &mut [f64], w: usize, h: usize) {
    let n = w.max(h);
    let (mut f, mut d, mut v, mut z) = (vec![0.0; n], vec![0.0; n], vec![0usize; n], vec![0.0; n + 1]);
    for x in 0..w {
        for y in 0..h {
            f[y] = grid[y * w + x];
        }
        edt_1d(&f[..h], &mut d, &mut v, &mut z);
        for y in 0..h {
            grid[y * w + x] = d[y];
        }
    }
    for y in 0..h {
        f[..w].copy_from_slice(&grid[y * w..(y + 1) * w]);
        edt_1d(&f[..w], &mut d, &mut v, &mut z);
        grid[y * w..(y + 1) * w].copy_from_slice(&d[..w]);
    }
}

fn edt_1d(f: &[f64], d: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let n = f.len();
    if n == 0 {
        return;
    }
    let mut k = 0;
    v[0] = 0;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    for q in 1..n {
        let intersect =
            |p: usize| ((f[q] + (q * q) as f64) - (f[p] + (p * p) as f64)) / (2.0 * q as f64 - 2.0 * p as f64);
        let mut s = intersect(v[k]);
        while s <= z[k] {
            k -= 1;
            s = intersect(v[k]);
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    k = 0;
    for (q, out) in d.iter_mut().enumerate().take(n) {
        while z[k + 1] < q as f64 {
            k += 1;
        }
        let p = v[k];
        *out = (q as f64 - p as f64).powi(2) + f[p];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_holds_the_latin_letters_as_distance_fields() {
        let face = crate::style::font::face("DejaVu Sans", false, false).expect("fonts-dejavu-core is installed");
        let bytes = range(&face, "DejaVu Sans", 0);
        let glyphs = Glyphs::decode(&bytes[..]).unwrap();
        let stack = &glyphs.stacks[0];
        assert_eq!(stack.range, "0-255");
        let a = stack.glyphs.iter().find(|g| g.id == 'A' as u32).unwrap();
        assert!(a.width > 10 && a.height > 14 && a.advance > 12, "{a:?}");
        let bitmap = a.bitmap.as_ref().unwrap();
        assert_eq!(bitmap.len() as u32, (a.width + 6) * (a.height + 6));
        // Outside the letter the field is low, on its stroke high.
        assert!(bitmap[0] < 100, "{}", bitmap[0]);
        assert!(bitmap.iter().any(|&v| v > 200));
        let space = stack.glyphs.iter().find(|g| g.id == ' ' as u32).unwrap();
        assert!(space.bitmap.is_none() && space.advance > 4);
    }
}
