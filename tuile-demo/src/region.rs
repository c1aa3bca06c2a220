//! Region-scale data for benchmarks (`tuile demo-data --scale region`): a
//! BD ORTHO delivery over the whole of Occitanie as IGN ships it (5 km
//! tiles, one folder per département and edition: 2021 everywhere, 2024 in
//! the eastern départements), and ten million BAN addresses.
//!
//! The file count is real (about 2,900 tiles per edition), the pixels are
//! not: 4.9 m instead of 20 cm, so that it fits on a disk in minutes. The
//! addresses keep the density of the full demo: the Montpellier window is
//! the full demo's million addresses, point for point, and the other towns
//! and villages of the region are laid out the same way (numbers along both
//! sides of streets, denser in town). A bbox query over a town returns the
//! same features from the 1M and the 10M layers: the region grows, the
//! town does not.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::Area;
use super::geom::Pt;
use super::names::{self, Commune};
use super::ortho::{value_noise, write_cog};
use super::points::{Address, number_street, voie_code, weighted};

/// Occitanie's outline, simplified, in Lambert-93 (clockwise from the
/// north of the Lot).
pub const OUTLINE: &[Pt] = &[
    (590_000.0, 6_442_000.0),
    (640_000.0, 6_425_000.0),
    (668_000.0, 6_422_000.0),
    (690_000.0, 6_412_000.0),
    (705_000.0, 6_437_000.0),
    (735_000.0, 6_423_000.0),
    (762_000.0, 6_402_000.0),
    (790_000.0, 6_372_000.0),
    (812_000.0, 6_366_000.0),
    (836_000.0, 6_360_000.0),
    (842_000.0, 6_322_000.0),
    (828_000.0, 6_296_000.0),
    (806_000.0, 6_272_000.0),
    (778_000.0, 6_266_000.0),
    (752_000.0, 6_246_000.0),
    (728_000.0, 6_234_000.0),
    (708_000.0, 6_218_000.0),
    (700_000.0, 6_190_000.0),
    (704_000.0, 6_160_000.0),
    (712_000.0, 6_148_000.0),
    (680_000.0, 6_143_000.0),
    (648_000.0, 6_152_000.0),
    (620_000.0, 6_160_000.0),
    (590_000.0, 6_163_000.0),
    (560_000.0, 6_180_000.0),
    (530_000.0, 6_190_000.0),
    (500_000.0, 6_186_000.0),
    (468_000.0, 6_188_000.0),
    (448_000.0, 6_196_000.0),
    (440_000.0, 6_222_000.0),
    (430_000.0, 6_250_000.0),
    (432_000.0, 6_282_000.0),
    (452_000.0, 6_318_000.0),
    (480_000.0, 6_336_000.0),
    (512_000.0, 6_352_000.0),
    (540_000.0, 6_380_000.0),
    (556_000.0, 6_418_000.0),
];

/// Whether a point is inside the outline (even-odd rule).
pub fn in_region(p: Pt) -> bool {
    let mut inside = false;
    let mut b = OUTLINE[OUTLINE.len() - 1];
    for &a in OUTLINE {
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
            inside = !inside;
        }
        b = a;
    }
    inside
}

/// A town of the region: its commune and population.
pub struct Town {
    pub commune: Commune,
    pub population: u32,
    /// The département whose prefecture it is, if it is one.
    pub prefecture_of: Option<&'static str>,
}

const fn town(
    insee: &'static str,
    name: &'static str,
    postcode: &'static str,
    x: f64,
    y: f64,
    population: u32,
    prefecture_of: Option<&'static str>,
) -> Town {
    Town {
        commune: Commune {
            insee,
            name,
            postcode,
            centre: (x, y),
        },
        population,
        prefecture_of,
    }
}

/// The region's main towns (approximate Lambert-93 centres).
#[rustfmt::skip]
pub static TOWNS: &[Town] = &[
    town("31555", "Toulouse", "31000", 574_500.0, 6_279_500.0, 500_000, Some("31")),
    town("34172", "Montpellier", "34000", 770_500.0, 6_279_500.0, 300_000, Some("34")),
    town("30189", "Nîmes", "30000", 810_600.0, 6_304_900.0, 150_000, Some("30")),
    town("66136", "Perpignan", "66000", 691_500.0, 6_175_700.0, 120_000, Some("66")),
    town("34032", "Béziers", "34500", 722_400.0, 6_247_100.0, 80_000, None),
    town("82121", "Montauban", "82000", 570_900.0, 6_326_400.0, 60_000, Some("82")),
    town("11262", "Narbonne", "11100", 697_400.0, 6_230_700.0, 55_000, None),
    town("81004", "Albi", "81000", 632_100.0, 6_312_600.0, 50_000, Some("81")),
    town("11069", "Carcassonne", "11000", 647_400.0, 6_237_000.0, 46_000, Some("11")),
    town("34301", "Sète", "34200", 751_500.0, 6_254_000.0, 44_000, None),
    town("30007", "Alès", "30100", 787_800.0, 6_336_000.0, 42_000, None),
    town("81065", "Castres", "81100", 628_800.0, 6_283_500.0, 41_000, None),
    town("65440", "Tarbes", "65000", 461_100.0, 6_242_600.0, 41_000, Some("65")),
    town("31149", "Colomiers", "31770", 563_500.0, 6_280_500.0, 40_000, None),
    town("34003", "Agde", "34300", 735_400.0, 6_241_000.0, 29_000, None),
    town("34145", "Lunel", "34400", 790_500.0, 6_290_000.0, 26_000, None),
    town("12202", "Rodez", "12000", 668_000.0, 6_362_400.0, 25_000, Some("12")),
    town("32013", "Auch", "32000", 505_000.0, 6_285_000.0, 22_000, Some("32")),
    town("12145", "Millau", "12100", 701_000.0, 6_331_500.0, 22_000, None),
    town("46042", "Cahors", "46000", 575_500.0, 6_372_400.0, 20_000, Some("46")),
    town("30028", "Bagnols-sur-Cèze", "30200", 823_500.0, 6_342_000.0, 18_000, None),
    town("09225", "Pamiers", "09100", 594_500.0, 6_226_000.0, 16_000, None),
    town("65286", "Lourdes", "65100", 453_700.0, 6_233_000.0, 13_000, None),
    town("48095", "Mende", "48000", 727_600.0, 6_379_500.0, 12_000, Some("48")),
    town("12300", "Villefranche-de-Rouergue", "12200", 618_000.0, 6_365_000.0, 12_000, None),
    town("31483", "Saint-Gaudens", "31800", 512_000.0, 6_222_500.0, 11_000, None),
    town("11076", "Castelnaudary", "11400", 616_500.0, 6_244_000.0, 11_000, None),
    town("09122", "Foix", "09000", 589_400.0, 6_206_900.0, 10_000, Some("09")),
    town("46102", "Figeac", "46100", 616_000.0, 6_392_000.0, 10_000, None),
    town("11206", "Limoux", "11300", 634_000.0, 6_221_000.0, 10_000, None),
];

/// The département of a point: that of the nearest prefecture.
pub fn departement(p: Pt) -> &'static str {
    TOWNS
        .iter()
        .filter_map(|t| t.prefecture_of.map(|d| (d, t.commune.centre)))
        .min_by(|a, b| distance(p, a.1).total_cmp(&distance(p, b.1)))
        .map(|(d, _)| d)
        .expect("prefectures are listed")
}

fn distance(a: Pt, b: Pt) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// An edition of the ortho: its year and where it was flown (by the
/// département and the centre of each tile).
pub struct Edition {
    pub year: &'static str,
    pub covers: fn(&str, Pt) -> bool,
}

/// What the ortho delivery holds.
pub struct MosaicPlan {
    /// Tiles are made where this area meets the region.
    pub area: Area,
    /// Ground size of a tile, metres (IGN: 5 km).
    pub tile_m: f64,
    /// Pixels on a side of a tile.
    pub tile_px: usize,
    pub editions: &'static [Edition],
}

/// 2021 everywhere, 2024 in the eastern départements (deliveries come per
/// département).
pub const EDITIONS: &[Edition] = &[
    Edition {
        year: "2021",
        covers: |_, _| true,
    },
    Edition {
        year: "2024",
        covers: |dep, _| ["11", "30", "34", "48", "66"].contains(&dep),
    },
];

impl MosaicPlan {
    /// The whole region: about 2,900 tiles per edition, 1024 px of 4.9 m.
    pub fn region() -> MosaicPlan {
        MosaicPlan {
            area: Area {
                x0: 420_000.0,
                y0: 6_140_000.0,
                x1: 850_000.0,
                y1: 6_445_000.0,
            },
            tile_m: 5000.0,
            tile_px: 1024,
            editions: EDITIONS,
        }
    }

    /// Tens of tiles around Montpellier, for tests: 6 × 5 tiles of 256 px
    /// in 2021, the eastern half (x ≥ 775 km) again in 2024.
    pub fn small() -> MosaicPlan {
        MosaicPlan {
            area: Area {
                x0: 760_000.0,
                y0: 6_265_000.0,
                x1: 790_000.0,
                y1: 6_290_000.0,
            },
            tile_m: 5000.0,
            tile_px: 256,
            editions: &[
                Edition {
                    year: "2021",
                    covers: |_, _| true,
                },
                Edition {
                    year: "2024",
                    covers: |_, centre| centre.0 > 775_000.0,
                },
            ],
        }
    }
}

/// A tile of the delivery.
#[derive(Debug, Clone)]
pub struct Tile {
    pub path: PathBuf,
    pub x0: f64,
    pub y1: f64,
    pub edition: &'static str,
}

/// The tiles a plan makes, named as IGN names them: one folder per
/// département and edition, tiles by their top-left corner in km.
pub fn tiles(plan: &MosaicPlan, dir: &Path) -> Vec<Tile> {
    let mut out = Vec::new();
    let t = plan.tile_m;
    let (c0, c1) = ((plan.area.x0 / t).floor() as i64, (plan.area.x1 / t).ceil() as i64);
    let (r0, r1) = ((plan.area.y0 / t).floor() as i64, (plan.area.y1 / t).ceil() as i64);
    for c in c0..c1 {
        for r in r0..r1 {
            let (x0, y0) = (c as f64 * t, r as f64 * t);
            let corners = [
                (x0, y0),
                (x0 + t, y0),
                (x0, y0 + t),
                (x0 + t, y0 + t),
                (x0 + t / 2.0, y0 + t / 2.0),
            ];
            if !corners.iter().any(|p| in_region(*p)) {
                continue;
            }
            let centre = (x0 + t / 2.0, y0 + t / 2.0);
            let dep = departement(centre);
            for e in plan.editions {
                if !(e.covers)(dep, centre) {
                    continue;
                }
                let folder = format!("BDORTHO_2-0_RVB-0M20_JPEG_LAMB93_D0{dep}_{}", e.year);
                let name = format!(
                    "{dep}-{}-{:04}-{:04}-LA93-0M20-E080.tif",
                    e.year,
                    (x0 / 1000.0).round() as i64,
                    ((y0 + t) / 1000.0).round() as i64
                );
                out.push(Tile {
                    path: dir.join(folder).join(name),
                    x0,
                    y1: y0 + t,
                    edition: e.year,
                });
            }
        }
    }
    out
}

/// Paints and writes every tile of the plan (in parallel); returns them.
/// Tiles already written are kept (each is written under a `.part` name
/// and renamed), so an interrupted region run picks up where it stopped.
pub fn write_mosaic(plan: &MosaicPlan, dir: &Path) -> anyhow::Result<Vec<Tile>> {
    let tiles = tiles(plan, dir);
    tiles.par_iter().try_for_each(|t| -> anyhow::Result<()> {
        if t.path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(t.path.parent().expect("tiles are in folders"))?;
        let rgb = paint(t, plan);
        let res = plan.tile_m / plan.tile_px as f64;
        let part = t.path.with_extension("tif.part");
        write_cog(&part, t.x0, t.y1, res, plan.tile_px, &rgb)
            .and_then(|_| Ok(std::fs::rename(&part, &t.path)?))
            .with_context(|| format!("writing {}", t.path.display()))
    })?;
    Ok(tiles)
}

/// The colour of the land at a point, as an orthophoto at a few metres
/// shows it: fields in patches, woods, towns grey, the sea; the 2024
/// edition after a dry summer (yellower fields, other crops).
pub fn paint(t: &Tile, plan: &MosaicPlan) -> Vec<u8> {
    let px = plan.tile_px;
    let res = plan.tile_m / px as f64;
    let later = t.edition != "2021";
    let near: Vec<(Pt, f64)> = TOWNS
        .iter()
        .map(|tw| (tw.commune.centre, town_radius(tw.population)))
        .filter(|(c, r)| distance(*c, (t.x0 + plan.tile_m / 2.0, t.y1 - plan.tile_m / 2.0)) < 4.0 * r + plan.tile_m)
        .collect();
    let mut rgb = vec![0u8; px * px * 3];
    for row in 0..px {
        let y = t.y1 - (row as f64 + 0.5) * res;
        for col in 0..px {
            let x = t.x0 + (col as f64 + 0.5) * res;
            let c = land_colour((x, y), &near, later);
            rgb[(row * px + col) * 3..][..3].copy_from_slice(&c);
        }
    }
    rgb
}

fn land_colour(p: Pt, towns: &[(Pt, f64)], later: bool) -> [u8; 3] {
    let sea = !in_region(p) && p.0 > 690_000.0 && p.1 < 6_300_000.0 && p.1 < 6_266_000.0 + (p.0 - 700_000.0) * 0.2;
    if sea {
        let n = value_noise(p.0 / 300.0, p.1 / 300.0, 7) * 14.0;
        return [(28.0 + n) as u8, (62.0 + n) as u8, (92.0 + n) as u8];
    }
    let urban = towns
        .iter()
        .map(|(c, r)| {
            let d = distance(p, *c) / r;
            (-d * d).exp()
        })
        .fold(0.0, f64::max);
    let fine = value_noise(p.0 / 35.0, p.1 / 35.0, 3);
    if urban + (fine - 0.5) * 0.3 > 0.45 {
        let g = 120.0 + fine * 70.0;
        return [g as u8, (g * 0.96) as u8, (g * 0.92) as u8];
    }
    let relief = value_noise(p.0 / 9000.0, p.1 / 9000.0, 11);
    let mountains = p.1 < 6_215_000.0 || (p.1 > 6_360_000.0 && p.0 > 660_000.0);
    let wood = value_noise(p.0 / 700.0, p.1 / 700.0, 5) + if mountains { 0.3 } else { 0.0 } + relief * 0.2;
    if wood > 0.75 {
        let g = fine * 20.0;
        return [(40.0 + g) as u8, (70.0 + g) as u8, (38.0 + g) as u8];
    }
    // Fields: one crop per 250 m patch, changing between editions.
    let seed = if later { 23 } else { 13 };
    let crop = (value_noise(p.0 / 250.0, p.1 / 250.0, seed) * 4.0) as u32;
    let (r, g, b) = match (crop, later) {
        (0, false) => (186.0, 170.0, 112.0),
        (1, false) => (112.0, 140.0, 72.0),
        (2, false) => (150.0, 122.0, 90.0),
        (_, false) => (138.0, 156.0, 96.0),
        (0, true) => (206.0, 180.0, 110.0),
        (1, true) => (168.0, 158.0, 88.0),
        (2, true) => (170.0, 134.0, 92.0),
        (_, true) => (190.0, 172.0, 104.0),
    };
    let n = (fine - 0.5) * 24.0;
    [(r + n) as u8, (g + n) as u8, (b + n) as u8]
}

/// How far a town's streets reach (the σ of its density), from its size.
fn town_radius(population: u32) -> f64 {
    1200.0 * (population as f64 / 50_000.0).sqrt()
}

/// A normal draw (Box–Muller).
fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.r#gen());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Addresses for the region outside `keep_out` (the window the full demo
/// fills): about `target` of them, a little over half in towns (their
/// streets spread with the town's size), the rest in villages across the
/// region.
pub fn addresses(target: usize, keep_out: &Area, rng: &mut ChaCha8Rng) -> Vec<Address> {
    let mut out = Vec::with_capacity(target + target / 20);
    let mut codes: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let others: Vec<&Town> = TOWNS.iter().filter(|t| !keep_out.contains(t.commune.centre)).collect();
    let people: f64 = others.iter().map(|t| t.population as f64).sum();
    let in_towns = target * 55 / 100;
    for t in &others {
        let share = (in_towns as f64 * t.population as f64 / people) as usize;
        let r = town_radius(t.population);
        let start = out.len();
        while out.len() - start < share {
            let d = (gauss(rng) * r, gauss(rng) * r);
            let c = (t.commune.centre.0 + d.0, t.commune.centre.1 + d.1);
            let urban = distance(c, t.commune.centre) < r;
            street(&mut out, &mut codes, &t.commune, c, urban, keep_out, rng);
        }
    }
    // Villages: a few streets each, anywhere in the region.
    while out.len() < target {
        let v = (
            rng.gen_range(430_000.0..842_000.0),
            rng.gen_range(6_143_000.0..6_442_000.0),
        );
        if !in_region(v) {
            continue;
        }
        let commune = &TOWNS
            .iter()
            .min_by(|a, b| distance(v, a.commune.centre).total_cmp(&distance(v, b.commune.centre)))
            .expect("towns are listed")
            .commune;
        for _ in 0..rng.gen_range(2..12) {
            let c = (v.0 + gauss(rng) * 250.0, v.1 + gauss(rng) * 250.0);
            street(&mut out, &mut codes, commune, c, false, keep_out, rng);
        }
    }
    out
}

/// One street through `c`: numbers on both sides, odd on the left.
fn street(
    out: &mut Vec<Address>,
    codes: &mut std::collections::HashMap<&'static str, usize>,
    commune: &'static Commune,
    c: Pt,
    urban: bool,
    keep_out: &Area,
    rng: &mut ChaCha8Rng,
) {
    let angle = rng.gen_range(0.0..std::f64::consts::PI);
    let dir = (angle.cos(), angle.sin());
    let (len, spacing) = if urban {
        (rng.gen_range(80.0..450.0), rng.gen_range(9.0..16.0))
    } else {
        (rng.gen_range(60.0..600.0), rng.gen_range(18.0..45.0))
    };
    let code = codes.entry(commune.insee).or_insert(1);
    let voie = voie_code(*code);
    *code += 1;
    let types = if urban {
        names::STREET_TYPES_URBAN
    } else {
        names::STREET_TYPES_RURAL
    };
    let nom_voie = format!(
        "{} {}",
        weighted(types, rng),
        names::STREET_NAMES.choose(rng).expect("names exist")
    );
    let a = (c.0 - dir.0 * len / 2.0, c.1 - dir.1 * len / 2.0);
    let setback = |rng: &mut ChaCha8Rng| rng.gen_range(6.0..14.0);
    number_street(a, dir, len, spacing, rng, setback, |p, numero, _| {
        if keep_out.contains(p) || !in_region(p) {
            return;
        }
        out.push(Address {
            id: format!("{}_{voie}_{numero:05}", commune.insee),
            numero,
            rep: "",
            nom_voie: nom_voie.clone(),
            code_postal: commune.postcode,
            commune,
            p,
        });
    });
}

/// Writes the region data set into `out`: `bdortho/` (the delivery, its
/// tile index `bdortho/mosaic.fgb` and pyramid) and `adresses.fgb`.
pub fn generate(out: &Path, addresses_wanted: usize) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let ortho = out.join("bdortho");
    let tiles = write_mosaic(&MosaicPlan::region(), &ortho)?;
    eprintln!("bdortho: {} tiles in {:.1?}", tiles.len(), started.elapsed());
    let index = ortho.join("mosaic.fgb");
    let report = tuile_core::source::tile_index::build(
        &[ortho.to_string_lossy().into_owned()],
        &index,
        &Default::default(),
        &|_| {},
    )?;
    eprintln!(
        "bdortho: indexed ({} files, {} pyramid cells) in {:.1?}",
        report.files,
        report.cells_built,
        started.elapsed()
    );

    // The full demo's Montpellier, drawn exactly as `--scale full` draws it.
    let full = super::plan(super::Scale::Full);
    let mut rng = ChaCha8Rng::seed_from_u64(super::SEED);
    let lc = super::landcover::generate(&full.vectors, full.density, &mut rng);
    let mut all = super::points::addresses(&lc, &full.vectors, full.addresses, &mut rng);
    drop(lc);
    let rest = addresses_wanted.saturating_sub(all.len());
    all.extend(addresses(rest, &full.vectors, &mut rng));
    super::write::addresses(&out.join("adresses.fgb"), &all, false)?;
    eprintln!("adresses: {} points in {:.1?}", all.len(), started.elapsed());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_has_about_2900_tiles_per_edition() {
        let tiles = tiles(&MosaicPlan::region(), Path::new("x"));
        let first = tiles.iter().filter(|t| t.edition == "2021").count();
        assert!((2700..=3300).contains(&first), "{first} tiles in 2021");
        assert!(tiles.len() >= 3000, "{} files", tiles.len());
        assert!(in_region((574_500.0, 6_279_500.0)) && !in_region((300_000.0, 6_300_000.0)));
    }
}
