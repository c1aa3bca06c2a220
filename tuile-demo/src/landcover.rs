//! OCS GE-style land cover: a partition of the area into convex parcels by
//! recursive cuts, with road strips left along the larger cuts, classified
//! with the real OCS GE nomenclature by distance to the town centres.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::geom::{self, Pt};
use super::names::COMMUNES;
use super::{Area, BASIN};

/// Land cover classes (OCS GE "couverture" level 4 where it exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cover {
    Built,
    Sealed,
    Mineral,
    Composite,
    Bare,
    Water,
    Broadleaf,
    Conifer,
    Mixed,
    Shrub,
    Woody,
    Herb,
    OtherHerb,
}

impl Cover {
    pub fn code(&self) -> &'static str {
        match self {
            Cover::Built => "CS1.1.1.1",
            Cover::Sealed => "CS1.1.1.2",
            Cover::Mineral => "CS1.1.2.1",
            Cover::Composite => "CS1.1.2.2",
            Cover::Bare => "CS1.2.1",
            Cover::Water => "CS1.2.2",
            Cover::Broadleaf => "CS2.1.1.1",
            Cover::Conifer => "CS2.1.1.2",
            Cover::Mixed => "CS2.1.1.3",
            Cover::Shrub => "CS2.1.2",
            Cover::Woody => "CS2.1.3",
            Cover::Herb => "CS2.2.1",
            Cover::OtherHerb => "CS2.2.2",
        }
    }
}

pub struct Parcel {
    pub ring: Vec<Pt>,
    /// Cover and use of each edition: [2019, 2022].
    pub cover: [Cover; 2],
    pub usage: [&'static str; 2],
    /// The road this parcel is the surface of, if any.
    pub road: Option<usize>,
}

pub struct Road {
    pub a: Pt,
    pub b: Pt,
    pub width: f64,
    pub major: bool,
}

pub struct LandCover {
    pub parcels: Vec<Parcel>,
    pub roads: Vec<Road>,
}

pub const EDITIONS: [i32; 2] = [2019, 2022];

/// How urban a place is: 1 in Montpellier's centre, near 0 in the countryside.
pub fn urbanity(p: Pt) -> f64 {
    COMMUNES
        .iter()
        .map(|c| {
            let r = if c.insee == "34172" { 2600.0 } else { 800.0 };
            let d = ((p.0 - c.centre.0).powi(2) + (p.1 - c.centre.1).powi(2)).sqrt() / r;
            (-d * d).exp() * if c.insee == "34172" { 1.0 } else { 0.7 }
        })
        .fold(0.0, f64::max)
}

/// Smooth pseudo-random field in [0, 1] (value noise), for patches of forest.
pub fn patchiness(p: Pt, scale: f64, seed: u32) -> f64 {
    super::ortho::value_noise(p.0 / scale, p.1 / scale, seed)
}

/// The course of the Lez, a sinuous line across the area from north to south.
pub fn river() -> Vec<Pt> {
    (0..=600)
        .map(|i| {
            let y = 6_272_000.0 + i as f64 * 25.0;
            let t = y - 6_275_000.0;
            (772_100.0 + 350.0 * (t / 900.0).sin() + 150.0 * (t / 330.0).sin(), y)
        })
        .collect()
}

struct Params {
    /// Parcels smaller than this (m²) are not cut further.
    parcel_area: f64,
    /// Cuts of polygons larger than this (m²) leave a road.
    block_area: f64,
}

fn params(p: Pt, density: f64) -> Params {
    let u = urbanity(p);
    Params {
        parcel_area: (170.0 + (1.0 - u) * 2000.0) / density,
        block_area: (6_000.0 + (1.0 - u) * 60_000.0) / density.sqrt(),
    }
}

/// Builds the land cover of `area`. `density` scales the number of parcels.
pub fn generate(area: &Area, density: f64, rng: &mut ChaCha8Rng) -> LandCover {
    let rect = |x0: f64, y0: f64, x1: f64, y1: f64| vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
    let (bx0, by0, bx1, by1) = BASIN;
    // The basin is a parcel of its own at a known place (tests look at it);
    // the four rectangles around it are cut at random.
    let mut stack = vec![
        rect(area.x0, area.y0, bx0, area.y1),
        rect(bx1, area.y0, area.x1, area.y1),
        rect(bx0, area.y0, bx1, by0),
        rect(bx0, by1, bx1, area.y1),
    ];
    let mut parcels = Vec::new();
    let mut roads: Vec<Road> = Vec::new();
    parcels.push(Parcel {
        ring: rect(bx0, by0, bx1, by1),
        cover: [Cover::Water; 2],
        usage: ["US6.3"; 2],
        road: None,
    });
    let mut leaves: Vec<Vec<Pt>> = Vec::new();
    while let Some(poly) = stack.pop() {
        let a = geom::area(&poly);
        if a < 1.0 {
            continue;
        }
        let c = geom::centroid(&poly);
        let p = params(c, density);
        if a <= p.parcel_area * rng.gen_range(0.7..1.3) {
            leaves.push(poly);
            continue;
        }
        let (x0, y0, x1, y1) = geom::bbox(&poly);
        let urban = urbanity(c);
        let jitter = (8.0 + 20.0 * (1.0 - urban)).to_radians();
        let base = if x1 - x0 >= y1 - y0 {
            0.0
        } else {
            std::f64::consts::FRAC_PI_2
        };
        let angle = base + rng.gen_range(-jitter..jitter);
        let n = (angle.cos(), angle.sin());
        let extent = (x1 - x0).abs() * n.0.abs() + (y1 - y0).abs() * n.1.abs();
        let cut = n.0 * c.0 + n.1 * c.1 + rng.gen_range(-0.18..0.18) * extent;
        if a > p.block_area {
            let major = a > 5.0 * p.block_area;
            let width = if major {
                rng.gen_range(14.0..20.0)
            } else {
                rng.gen_range(7.0..10.0)
            };
            let (lo, hi) = (cut - width / 2.0, cut + width / 2.0);
            let left = geom::clip(&poly, n, lo);
            let right = geom::clip_above(&poly, n, hi);
            let strip = geom::clip_above(&geom::clip(&poly, n, hi), n, lo);
            if let (Some((ra, rb)), false) = (geom::chord(&poly, n, cut), strip.is_empty()) {
                roads.push(Road {
                    a: ra,
                    b: rb,
                    width,
                    major,
                });
                parcels.push(Parcel {
                    ring: strip,
                    cover: [Cover::Sealed; 2],
                    usage: ["US4.1.1"; 2],
                    road: Some(roads.len() - 1),
                });
            }
            stack.extend([left, right].into_iter().filter(|p| !p.is_empty()));
        } else {
            let left = geom::clip(&poly, n, cut);
            let right = geom::clip_above(&poly, n, cut);
            stack.extend([left, right].into_iter().filter(|p| !p.is_empty()));
        }
    }
    let river = river();
    for ring in leaves {
        let c = geom::centroid(&ring);
        let cover = classify(c, &river, rng);
        let usage = usage_of(cover, urbanity(c), rng);
        let (cover22, usage22) = evolve(cover, usage, urbanity(c), rng);
        parcels.push(Parcel {
            ring,
            cover: [cover, cover22],
            usage: [usage, usage22],
            road: None,
        });
    }
    // A stable order independent of the cutting order: west to east, by rows.
    parcels.sort_by(|a, b| {
        let (ca, cb) = (geom::centroid(&a.ring), geom::centroid(&b.ring));
        ((ca.1 / 500.0).floor(), ca.0)
            .partial_cmp(&((cb.1 / 500.0).floor(), cb.0))
            .unwrap()
    });
    LandCover { parcels, roads }
}

fn pick<T: Copy>(choices: &[(T, f64)], rng: &mut ChaCha8Rng) -> T {
    choices
        .choose_weighted(rng, |c| c.1)
        .map(|c| c.0)
        .unwrap_or(choices[0].0)
}

fn classify(c: Pt, river: &[Pt], rng: &mut ChaCha8Rng) -> Cover {
    if (771_000.0..773_300.0).contains(&c.0) {
        let d = river
            .windows(2)
            .map(|w| geom::segment_distance(c, w[0], w[1]))
            .fold(f64::MAX, f64::min);
        if d < 22.0 {
            return Cover::Water;
        }
        if d < 60.0 {
            return Cover::Broadleaf;
        }
    }
    let u = urbanity(c);
    let forest = patchiness(c, 1500.0, 7);
    let f = if forest > 0.62 { 3.5 } else { 1.0 };
    use Cover::*;
    let urban = [
        (Built, 52.0),
        (Sealed, 18.0),
        (Herb, 10.0),
        (Broadleaf, 8.0),
        (Mineral, 5.0),
        (Composite, 3.0),
        (Bare, 2.0),
        (OtherHerb, 2.0),
    ];
    let rural = [
        (Herb, 30.0),
        (Woody, 20.0),
        (Shrub, 15.0 * f),
        (Broadleaf, 8.0 * f),
        (Conifer, 6.0 * f),
        (Mixed, 4.0 * f),
        (Bare, 5.0),
        (Built, 6.0),
        (Sealed, 3.0),
        (OtherHerb, 3.0),
    ];
    let mut weights: Vec<(Cover, f64)> = Vec::new();
    for (cover, w) in urban
        .iter()
        .map(|(c, w)| (*c, w * u))
        .chain(rural.iter().map(|(c, w)| (*c, w * (1.0 - u))))
    {
        match weights.iter_mut().find(|(k, _)| *k == cover) {
            Some(e) => e.1 += w,
            None => weights.push((cover, w)),
        }
    }
    pick(&weights, rng)
}

fn usage_of(cover: Cover, u: f64, rng: &mut ChaCha8Rng) -> &'static str {
    let urban = u > 0.35;
    use Cover::*;
    let choices: &[(&str, f64)] = match (cover, urban) {
        (Built, true) => &[("US5", 60.0), ("US3", 25.0), ("US235", 8.0), ("US2", 7.0)],
        (Built, false) => &[("US5", 60.0), ("US1.1", 15.0), ("US2", 10.0), ("US3", 15.0)],
        (Sealed, _) => &[("US3", 35.0), ("US5", 35.0), ("US4.1.1", 20.0), ("US4.2", 10.0)],
        (Mineral, _) => &[("US4.1.1", 40.0), ("US6.1", 30.0), ("US1.3", 10.0), ("US3", 20.0)],
        (Composite, _) => &[("US3", 50.0), ("US2", 30.0), ("US6.1", 20.0)],
        (Bare, _) => &[("US6.1", 50.0), ("US1.1", 40.0), ("US6.3", 10.0)],
        (Water, _) => &[("US6.3", 80.0), ("US4.1.4", 20.0)],
        (Broadleaf | Conifer | Mixed, true) => &[("US3", 50.0), ("US5", 50.0)],
        (Broadleaf | Conifer | Mixed, false) => &[("US1.2", 60.0), ("US6.3", 40.0)],
        (Shrub, _) => &[("US6.3", 70.0), ("US1.2", 30.0)],
        (Woody, _) => &[("US1.1", 100.0)],
        (Herb, true) => &[("US5", 50.0), ("US3", 40.0), ("US6.1", 10.0)],
        (Herb, false) => &[("US1.1", 80.0), ("US6.3", 20.0)],
        (OtherHerb, _) => &[("US6.3", 60.0), ("US3", 40.0)],
    };
    pick(choices, rng)
}

/// What became of a parcel between the 2019 and 2022 editions: suburbs grow.
fn evolve(cover: Cover, usage: &'static str, u: f64, rng: &mut ChaCha8Rng) -> (Cover, &'static str) {
    let suburban = if (0.15..0.7).contains(&u) { 1.0 } else { 0.25 };
    let roll: f64 = rng.r#gen();
    use Cover::*;
    match cover {
        Herb | Woody | Bare | Shrub if roll < 0.07 * suburban => pick(
            &[((Built, "US5"), 60.0), ((Sealed, "US3"), 20.0), ((Bare, "US6.1"), 20.0)],
            rng,
        ),
        Broadleaf | Conifer | Mixed if roll < 0.01 => (Shrub, "US6.3"),
        _ => (cover, usage),
    }
}
