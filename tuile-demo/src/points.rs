//! Addresses (BAN schema) along the generated roads, and ERP (établissements
//! recevant du public) in built parcels.

use std::collections::HashMap;

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::Area;
use super::geom::{self, Pt};
use super::landcover::{Cover, LandCover, urbanity};
use super::names::{self, Commune};

pub struct Address {
    pub id: String,
    pub numero: i32,
    pub rep: &'static str,
    pub nom_voie: String,
    pub code_postal: &'static str,
    pub commune: &'static Commune,
    pub p: Pt,
}

pub struct Erp {
    pub id: String,
    pub nom: String,
    pub type_erp: &'static str,
    pub categorie: i32,
    pub adresse: String,
    pub commune: &'static Commune,
    pub p: Pt,
}

/// The ERP placed at a fixed position, for tests to find on the map.
pub const LANDMARK_ERP: Pt = (770_350.0, 6_279_150.0);

pub(crate) fn weighted<'a>(choices: &'a [(&'a str, u32)], rng: &mut ChaCha8Rng) -> &'a str {
    choices
        .choose_weighted(rng, |c| c.1)
        .map(|c| c.0)
        .unwrap_or(choices[0].0)
}

/// FANTOIR-like four-character street codes: 0001…9999, then A000….
pub(crate) fn voie_code(n: usize) -> String {
    if n < 10_000 {
        format!("{n:04}")
    } else {
        let letter = (b'A' + ((n - 10_000) / 1000 % 26) as u8) as char;
        format!("{letter}{:03}", (n - 10_000) % 1000)
    }
}

/// House numbers along a street from `a` in direction `dir`: odd ones on the
/// left, then even ones on the right, one about every `spacing` metres, set
/// back from the axis by `setback`; `place` gets each position and number.
pub(crate) fn number_street(
    a: Pt,
    dir: Pt,
    len: f64,
    spacing: f64,
    rng: &mut ChaCha8Rng,
    setback: impl Fn(&mut ChaCha8Rng) -> f64,
    mut place: impl FnMut(Pt, i32, &mut ChaCha8Rng),
) {
    let normal = (-dir.1, dir.0);
    for (side, first) in [(1.0, 1), (-1.0, 2)] {
        let mut k = 0;
        loop {
            let t = (k as f64 + rng.gen_range(0.3..0.7)) * spacing;
            if t > len {
                break;
            }
            let off = setback(rng);
            let p = (
                a.0 + dir.0 * t + normal.0 * side * off,
                a.1 + dir.1 * t + normal.1 * side * off,
            );
            place(p, first + 2 * k, rng);
            k += 1;
        }
    }
}

/// Places about `target` addresses along both sides of every road.
pub fn addresses(lc: &LandCover, area: &Area, target: usize, rng: &mut ChaCha8Rng) -> Vec<Address> {
    // Numbers are denser in town: a road's share of addresses grows with urbanity.
    let weight = |r: &super::landcover::Road| 0.25 + urbanity(((r.a.0 + r.b.0) / 2.0, (r.a.1 + r.b.1) / 2.0));
    let length = |r: &super::landcover::Road| ((r.b.0 - r.a.0).powi(2) + (r.b.1 - r.a.1).powi(2)).sqrt();
    let total: f64 = lc.roads.iter().map(|r| length(r) * weight(r)).sum();
    // Each placed number has a 6% chance of a bis/ter sibling.
    let base_spacing = 2.0 * total * 1.06 / target as f64;
    let water = Water::new();
    let mut next_code: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(target + target / 10);
    for road in &lc.roads {
        let (dx, dy) = (road.b.0 - road.a.0, road.b.1 - road.a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            continue;
        }
        let dir = (dx / len, dy / len);
        let spacing = base_spacing / weight(road);
        let mid = ((road.a.0 + road.b.0) / 2.0, (road.a.1 + road.b.1) / 2.0);
        let commune = names::commune_at(mid);
        let code = next_code.entry(commune.insee).or_insert(1);
        let voie = voie_code(*code);
        *code += 1;
        let types = if road.major {
            &[("Avenue", 50), ("Boulevard", 25), ("Route", 25)][..]
        } else if urbanity(mid) > 0.3 {
            names::STREET_TYPES_URBAN
        } else {
            names::STREET_TYPES_RURAL
        };
        let kind = weighted(types, rng);
        let name = names::STREET_NAMES.choose(rng).expect("names exist");
        let nom_voie = format!("{kind} {name}");
        let setback = |rng: &mut ChaCha8Rng| road.width / 2.0 + rng.gen_range(3.0..9.0);
        number_street(road.a, dir, len, spacing, rng, setback, |p, numero, rng| {
            let roll: f64 = rng.r#gen();
            let reps: &[&'static str] = if roll < 0.05 {
                &["", "bis"]
            } else if roll < 0.06 {
                &["", "bis", "ter"]
            } else {
                &[""]
            };
            for (j, rep) in reps.iter().enumerate() {
                let q = (p.0 + dir.0 * 2.5 * j as f64, p.1 + dir.1 * 2.5 * j as f64);
                if !area.contains(q) || water.contains(q) {
                    continue;
                }
                let id = if rep.is_empty() {
                    format!("{}_{voie}_{numero:05}", commune.insee)
                } else {
                    format!("{}_{voie}_{numero:05}_{rep}", commune.insee)
                };
                out.push(Address {
                    id,
                    numero,
                    rep,
                    nom_voie: nom_voie.clone(),
                    code_postal: names::postcode_at(commune, q),
                    commune,
                    p: q,
                });
            }
        });
    }
    out
}

/// The basin and the river: no address stands in the water.
struct Water {
    river: Vec<Pt>,
}

impl Water {
    fn new() -> Water {
        Water {
            river: super::landcover::river(),
        }
    }

    fn contains(&self, p: Pt) -> bool {
        let (x0, y0, x1, y1) = super::BASIN;
        if p.0 >= x0 - 2.0 && p.0 <= x1 + 2.0 && p.1 >= y0 - 2.0 && p.1 <= y1 + 2.0 {
            return true;
        }
        // The river is sampled every 25 m northwards: look at the nearby segments only.
        let first = self.river[0].1;
        let i = ((p.1 - first) / 25.0).floor() as i64;
        (i - 3..=i + 3)
            .filter(|&k| k >= 0 && (k as usize) + 1 < self.river.len())
            .any(|k| geom::segment_distance(p, self.river[k as usize], self.river[k as usize + 1]) < 25.0)
    }
}

/// Places `count` ERP in built parcels, plus the landmark town hall.
pub fn erps(lc: &LandCover, addresses: &[Address], count: usize, rng: &mut ChaCha8Rng) -> Vec<Erp> {
    let built: Vec<usize> = lc
        .parcels
        .iter()
        .enumerate()
        .filter(|(_, p)| p.cover[1] == Cover::Built)
        .map(|(i, _)| i)
        .collect();
    let index = AddressIndex::new(addresses);
    let mut out = Vec::with_capacity(count + 1);
    let landmark = names::commune_at(LANDMARK_ERP);
    out.push(Erp {
        id: format!("ERP{}{:06}", landmark.insee, 0),
        nom: "Hôtel de Ville de Montpellier".into(),
        type_erp: "W",
        categorie: 1,
        adresse: index.label(LANDMARK_ERP, addresses),
        commune: landmark,
        p: LANDMARK_ERP,
    });
    if built.is_empty() {
        return out;
    }
    for i in 1..=count {
        let parcel = &lc.parcels[*built.choose(rng).expect("built parcels exist")];
        let c = geom::centroid(&parcel.ring);
        let p = (c.0 + rng.gen_range(-2.0..2.0), c.1 + rng.gen_range(-2.0..2.0));
        let type_erp = weighted(names::ERP_TYPES, rng);
        let categorie = *[(5, 80), (4, 10), (3, 6), (2, 3), (1, 1)]
            .choose_weighted(rng, |c| c.1)
            .map(|c| &c.0)
            .unwrap_or(&5);
        let stem = names::erp_stems(type_erp).choose(rng).expect("stems exist");
        let tail = names::ERP_TAILS.choose(rng).expect("tails exist");
        let commune = names::commune_at(p);
        out.push(Erp {
            id: format!("ERP{}{:06}", commune.insee, i),
            nom: format!("{stem} {tail}"),
            type_erp,
            categorie,
            adresse: index.label(p, addresses),
            commune,
            p,
        });
    }
    out
}

/// A grid of address points, to give each ERP the address nearest to it.
struct AddressIndex {
    cells: HashMap<(i64, i64), Vec<usize>>,
}

const CELL: f64 = 100.0;

impl AddressIndex {
    fn new(addresses: &[Address]) -> AddressIndex {
        let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for (i, a) in addresses.iter().enumerate() {
            cells
                .entry(((a.p.0 / CELL).floor() as i64, (a.p.1 / CELL).floor() as i64))
                .or_default()
                .push(i);
        }
        AddressIndex { cells }
    }

    fn label(&self, p: Pt, addresses: &[Address]) -> String {
        let (cx, cy) = ((p.0 / CELL).floor() as i64, (p.1 / CELL).floor() as i64);
        for ring in 0..20i64 {
            let mut best: Option<(f64, usize)> = None;
            for dy in -ring..=ring {
                for dx in -ring..=ring {
                    if dx.abs() != ring && dy.abs() != ring {
                        continue;
                    }
                    for &i in self.cells.get(&(cx + dx, cy + dy)).map(Vec::as_slice).unwrap_or(&[]) {
                        let a = &addresses[i];
                        let d = (a.p.0 - p.0).powi(2) + (a.p.1 - p.1).powi(2);
                        if best.is_none_or(|(bd, bi)| d < bd || (d == bd && i < bi)) {
                            best = Some((d, i));
                        }
                    }
                }
            }
            if let Some((_, i)) = best {
                let a = &addresses[i];
                let rep = if a.rep.is_empty() {
                    String::new()
                } else {
                    format!(" {}", a.rep)
                };
                return format!("{}{rep} {}, {} {}", a.numero, a.nom_voie, a.code_postal, a.commune.name);
            }
        }
        String::new()
    }
}
