//! The synthetic BD ORTHO: RGB imagery at 20 cm painted from the land cover
//! (roofs, asphalt, fields, vines, tree crowns, water), written as JPEG
//! (YCbCr) Cloud-Optimized GeoTIFFs named like IGN's tiles, joined by a VRT.

use std::path::{Path, PathBuf};

use anyhow::Context;
use gdal::raster::Buffer;
use gdal::spatial_ref::SpatialRef;
use gdal::{Dataset, DriverManager};
use rayon::prelude::*;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Transform};

use super::Area;
use super::geom::{self, Pt};
use super::landcover::{Cover, LandCover};

pub const RESOLUTION: f64 = 0.2;
const LATEST: usize = 1;

#[inline]
fn hash(x: i64, y: i64, seed: u32) -> u32 {
    // A small integer hash (xxhash-style avalanche) of a lattice point.
    let mut h = (x as u64).wrapping_mul(0x9E37_79B1_85EB_CA87)
        ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ (seed as u64).wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    (h >> 32) as u32
}

#[inline]
fn unit(h: u32) -> f64 {
    h as f64 / u32::MAX as f64
}

/// Value noise in [0, 1] with smooth interpolation between lattice points.
pub fn value_noise(x: f64, y: f64, seed: u32) -> f64 {
    let (xf, yf) = (x.floor(), y.floor());
    let (ix, iy) = (xf as i64, yf as i64);
    let (fx, fy) = (x - xf, y - yf);
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    let (sx, sy) = (s(fx), s(fy));
    let v00 = unit(hash(ix, iy, seed));
    let v10 = unit(hash(ix + 1, iy, seed));
    let v01 = unit(hash(ix, iy + 1, seed));
    let v11 = unit(hash(ix + 1, iy + 1, seed));
    let a = v00 + (v10 - v00) * sx;
    let b = v01 + (v11 - v01) * sx;
    a + (b - a) * sy
}

/// Three octaves of value noise; `scale` is the feature size in metres.
fn fbm(x: f64, y: f64, scale: f64, seed: u32) -> f64 {
    0.5 * value_noise(x / scale, y / scale, seed)
        + 0.3 * value_noise(x / (scale * 0.43), y / (scale * 0.43), seed + 1)
        + 0.2 * value_noise(x / (scale * 0.19), y / (scale * 0.19), seed + 2)
}

/// Nearest jittered cell centre (Worley noise): distance and the cell's hash.
fn worley(x: f64, y: f64, cell: f64, seed: u32) -> (f64, u32) {
    let (cx, cy) = ((x / cell).floor() as i64, (y / cell).floor() as i64);
    let mut best = (f64::MAX, 0u32);
    for dy in -1..=1 {
        for dx in -1..=1 {
            let h = hash(cx + dx, cy + dy, seed);
            let px = (cx + dx) as f64 * cell + unit(h) * cell;
            let py = (cy + dy) as f64 * cell + unit(h.rotate_left(16)) * cell;
            let d = ((x - px).powi(2) + (y - py).powi(2)).sqrt();
            if d < best.0 {
                best = (d, h);
            }
        }
    }
    best
}

/// Per-parcel drawing parameters.
struct Look {
    cover: Cover,
    seed: u32,
    /// Unit vector along the parcel's long side (roof ridge, crop rows).
    along: Pt,
    /// `dot(across, centroid)`: where the roof ridge lies.
    ridge: f64,
    variant: u32,
    road: Option<(Pt, Pt, bool)>,
}

fn looks(lc: &LandCover) -> Vec<Look> {
    lc.parcels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x0, y0, x1, y1) = geom::bbox(&p.ring);
            let c = geom::centroid(&p.ring);
            let seed = hash(i as i64, 17, 99);
            let tilt = (unit(seed) - 0.5) * 0.2;
            let along = if x1 - x0 >= y1 - y0 {
                (tilt.cos(), tilt.sin())
            } else {
                (-tilt.sin(), tilt.cos())
            };
            let across = (-along.1, along.0);
            Look {
                cover: p.cover[LATEST],
                seed,
                along,
                ridge: across.0 * c.0 + across.1 * c.1,
                variant: seed % 100,
                road: p.road.map(|r| {
                    let road = &lc.roads[r];
                    (road.a, road.b, road.major)
                }),
            }
        })
        .collect()
}

fn shade(c: (f64, f64, f64), k: f64, noise: f64) -> [u8; 3] {
    let f = |v: f64| (v * k + noise).clamp(0.0, 255.0) as u8;
    [f(c.0), f(c.1), f(c.2)]
}

/// The colour of ground point `(x, y)` inside a parcel.
fn paint_pixel(l: &Look, x: f64, y: f64) -> [u8; 3] {
    let s = l.seed;
    let across = (-l.along.1, l.along.0);
    match l.cover {
        Cover::Water => {
            let n = fbm(x, y, 6.0, 3) - 0.5;
            let ripple = ((x * 0.9 + y * 0.4).sin() * 0.5 + 0.5) * 4.0;
            shade((38.0, 74.0, 88.0), 1.0, n * 14.0 + ripple)
        }
        Cover::Sealed => {
            let n = (value_noise(x / 0.4, y / 0.4, s) - 0.5) * 18.0 + (fbm(x, y, 8.0, 5) - 0.5) * 10.0;
            if let Some((a, b, major)) = l.road {
                // Centre line, dashed on major roads.
                let d = geom::segment_distance((x, y), a, b);
                let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt().max(1e-9);
                let t = ((x - a.0) * (b.0 - a.0) + (y - a.1) * (b.1 - a.1)) / len;
                if major && d < 0.12 && (t / 3.0).rem_euclid(2.0) < 1.0 {
                    return shade((225.0, 225.0, 220.0), 1.0, n * 0.5);
                }
                shade((86.0, 87.0, 92.0), 1.0, n)
            } else {
                // Car parks: lighter, with bays every 2.5 m.
                let bay = ((x * l.along.0 + y * l.along.1) / 2.5).rem_euclid(1.0) < 0.05;
                if bay {
                    shade((210.0, 210.0, 205.0), 1.0, n * 0.3)
                } else {
                    shade((118.0, 118.0, 116.0), 1.0, n)
                }
            }
        }
        Cover::Built => {
            let base = match l.variant {
                0..=59 => (178.0, 96.0, 66.0),
                60..=84 => (142.0, 142.0, 146.0),
                _ => (214.0, 208.0, 198.0),
            };
            let side = across.0 * x + across.1 * y - l.ridge;
            let k = if side > 0.0 { 1.12 } else { 0.82 };
            let tiles = if l.variant < 60 {
                ((x * l.along.0 + y * l.along.1) * 20.9).sin() * 5.0
            } else {
                0.0
            };
            let n = (value_noise(x / 0.5, y / 0.5, s) - 0.5) * 10.0;
            shade(base, k, n + tiles)
        }
        Cover::Mineral => shade((196.0, 186.0, 166.0), 1.0, (fbm(x, y, 1.0, s) - 0.5) * 28.0),
        Cover::Composite => shade((150.0, 138.0, 126.0), 1.0, (fbm(x, y, 1.5, s) - 0.5) * 20.0),
        Cover::Bare => shade((168.0, 136.0, 98.0), 1.0, (fbm(x, y, 2.0, s) - 0.5) * 36.0),
        Cover::Broadleaf | Cover::Conifer | Cover::Mixed => {
            let (cell, base) = match l.cover {
                Cover::Conifer => (3.2, (40.0, 68.0, 42.0)),
                Cover::Mixed => (4.0, (52.0, 80.0, 46.0)),
                _ => (4.8, (64.0, 94.0, 50.0)),
            };
            let (d, h) = worley(x + 0.6, y - 0.6, cell, 11);
            let r = cell * (0.42 + 0.2 * unit(h));
            let n = (value_noise(x / 0.6, y / 0.6, s) - 0.5) * 16.0;
            if d < r {
                let v = 1.0 - (d / r).powi(2);
                shade(base, 0.6 + 0.6 * v, n)
            } else {
                // Ground between crowns, in shade.
                shade((70.0, 74.0, 48.0), 0.6, n)
            }
        }
        Cover::Shrub => {
            let m = fbm(x, y, 1.6, s);
            let (d, _) = worley(x, y, 1.5, 23);
            let base = if d < 0.45 {
                (78.0, 92.0, 58.0)
            } else {
                (140.0 * m + 70.0, 138.0 * m + 72.0, 96.0 * m + 48.0)
            };
            shade(base, 1.0, (value_noise(x / 0.4, y / 0.4, s) - 0.5) * 12.0)
        }
        Cover::Woody => {
            let t = ((x * across.0 + y * across.1) / 2.5).rem_euclid(1.0);
            let n = (value_noise(x / 0.5, y / 0.5, s) - 0.5) * 18.0;
            if t < 0.3 && value_noise(x / 1.1, y / 1.1, s + 4) > 0.25 {
                shade((72.0, 100.0, 52.0), 1.0, n)
            } else {
                shade((162.0, 132.0, 96.0), 1.0, n)
            }
        }
        Cover::Herb => {
            let base = match l.variant % 4 {
                0 => (196.0, 178.0, 112.0),
                1 => (118.0, 146.0, 70.0),
                2 => (150.0, 122.0, 88.0),
                _ => (170.0, 168.0, 102.0),
            };
            let rows = ((x * across.0 + y * across.1) * std::f64::consts::TAU / 1.2).sin() * 7.0;
            shade(base, 1.0, rows + (fbm(x, y, 3.0, s) - 0.5) * 22.0)
        }
        Cover::OtherHerb => shade((132.0, 158.0, 96.0), 1.0, (fbm(x, y, 2.5, s) - 0.5) * 24.0),
    }
}

/// IGN's naming: département, year, top-left corner in km, projection, resolution.
pub fn tile_name(x0: f64, y1: f64) -> String {
    format!(
        "34-2021-{:04}-{:04}-LA93-0M20-E080.tif",
        (x0 / 1000.0).round() as i64,
        (y1 / 1000.0).round() as i64
    )
}

/// Paints and writes the tiles covering `area` (1 km each) and the VRT
/// joining them. Returns the VRT path.
pub fn write(dir: &Path, area: &Area, lc: &LandCover) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let looks = looks(lc);
    let tile = 1000.0;
    let mut names = Vec::new();
    let mut y1 = area.y1;
    while y1 > area.y0 + 1e-6 {
        let mut x0 = area.x0;
        while x0 < area.x1 - 1e-6 {
            let name = tile_name(x0, y1);
            write_tile(&dir.join(&name), x0, y1, tile, lc, &looks)
                .with_context(|| format!("writing ortho tile {name}"))?;
            names.push(name);
            x0 += tile;
        }
        y1 -= tile;
    }
    let vrt = dir.join("bdortho.vrt");
    // Sources are opened by bare name from inside the directory, so that the
    // VRT refers to them relatively and the data directory can move.
    let cwd = std::env::current_dir()?;
    std::env::set_current_dir(dir)?;
    let result = (|| -> anyhow::Result<()> {
        let datasets = names.iter().map(Dataset::open).collect::<Result<Vec<_>, _>>()?;
        gdal::programs::raster::build_vrt(Some(Path::new("bdortho.vrt")), &datasets, None)?;
        Ok(())
    })();
    std::env::set_current_dir(cwd)?;
    result?;
    Ok(vrt)
}

fn write_tile(path: &Path, x0: f64, y1: f64, size_m: f64, lc: &LandCover, looks: &[Look]) -> anyhow::Result<()> {
    let px = (size_m / RESOLUTION).round() as u32;
    // 1. Rasterise parcel numbers (aliasing off: each pixel belongs to one parcel).
    let mut ids = Pixmap::new(px, px).context("allocating the tile")?;
    let to_px = |p: Pt| (((p.0 - x0) / RESOLUTION) as f32, ((y1 - p.1) / RESOLUTION) as f32);
    for (i, parcel) in lc.parcels.iter().enumerate() {
        let (bx0, by0, bx1, by1) = geom::bbox(&parcel.ring);
        if bx1 < x0 || bx0 > x0 + size_m || by1 < y1 - size_m || by0 > y1 {
            continue;
        }
        let mut pb = PathBuilder::new();
        let first = to_px(parcel.ring[0]);
        pb.move_to(first.0, first.1);
        for p in &parcel.ring[1..] {
            let q = to_px(*p);
            pb.line_to(q.0, q.1);
        }
        pb.close();
        let Some(path) = pb.finish() else { continue };
        let id = i as u32 + 1;
        let mut paint = Paint::default();
        paint.set_color_rgba8(
            (id & 0xff) as u8,
            ((id >> 8) & 0xff) as u8,
            ((id >> 16) & 0xff) as u8,
            255,
        );
        paint.anti_alias = false;
        ids.fill_path(&path, &paint, FillRule::Winding, Transform::identity(), None);
    }
    // 2. Paint every pixel from its parcel's look, rows in parallel.
    let n = (px * px) as usize;
    let mut rgb = vec![0u8; n * 3];
    let ids_data = ids.data();
    rgb.par_chunks_mut(px as usize * 3).enumerate().for_each(|(row, out)| {
        let y = y1 - (row as f64 + 0.5) * RESOLUTION;
        for col in 0..px as usize {
            let x = x0 + (col as f64 + 0.5) * RESOLUTION;
            let k = (row * px as usize + col) * 4;
            let id = ids_data[k] as u32 | (ids_data[k + 1] as u32) << 8 | (ids_data[k + 2] as u32) << 16;
            let c = match id.checked_sub(1).and_then(|i| looks.get(i as usize)) {
                Some(l) => paint_pixel(l, x, y),
                None => [90, 90, 90],
            };
            out[col * 3..col * 3 + 3].copy_from_slice(&c);
        }
    });
    drop(ids);
    write_cog(path, x0, y1, RESOLUTION, px as usize, &rgb)
}

/// Writes interleaved RGB pixels (`px` square, top-left corner (x0, y1),
/// `resolution` metres each, Lambert-93) as a JPEG (YCbCr) COG, as IGN
/// delivers BD ORTHO: through a MEM dataset copied by the COG driver.
pub fn write_cog(path: &Path, x0: f64, y1: f64, resolution: f64, px: usize, rgb: &[u8]) -> anyhow::Result<()> {
    let mem = DriverManager::get_driver_by_name("MEM")?;
    let mut ds = mem.create_with_band_type::<u8, _>("", px, px, 3)?;
    ds.set_geo_transform(&[x0, resolution, 0.0, y1, 0.0, -resolution])?;
    ds.set_spatial_ref(&SpatialRef::from_epsg(2154)?)?;
    for b in 0..3 {
        let plane: Vec<u8> = rgb.iter().skip(b).step_by(3).copied().collect();
        let mut buf = Buffer::new((px, px), plane);
        ds.rasterband(b + 1)?.write((0, 0), (px, px), &mut buf)?;
    }
    let cog = DriverManager::get_driver_by_name("COG")?;
    let options = gdal::raster::RasterCreationOptions::from_iter([
        "COMPRESS=JPEG",
        "QUALITY=85",
        "BLOCKSIZE=512",
        "OVERVIEW_RESAMPLING=AVERAGE",
        "NUM_THREADS=ALL_CPUS",
    ]);
    ds.create_copy(&cog, path, &options)?;
    Ok(())
}
