//! tuile's demo and test data: `tuile demo-data` writes a synthetic data
//! set over Montpellier, in Lambert-93, with the real schemas of the shared
//! layers:
//!
//! - `bdortho/`: 20 cm RGB orthophoto tiles (JPEG COGs) and a VRT mosaic;
//! - `ocsol.fgb`: OCS GE land cover, two editions (2019, 2022);
//! - `erp.fgb`: établissements recevant du public;
//! - `adresses.fgb`: BAN addresses.
//! - `adresses_cadastre.fgb`: the same with the members-only BAN fields.
//!
//! At `--scale region` ([`region`]) it writes a delivery the size of
//! Occitanie instead: thousands of small COGs in two editions with their
//! tile index and pyramid, and ten million addresses around the same town.
//!
//! The choice that shapes it: everything comes from one fixed seed, so the
//! same command always yields the same files, and tests can look for known
//! features at known places ([`BASIN`], [`LANDMARK_ERP`]).

mod geom;
mod landcover;
mod names;
pub mod ortho;
mod points;
pub mod region;
mod write;

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use points::LANDMARK_ERP;

const SEED: u64 = 0x7475_696c_6534; // "tuile4"

/// A water basin parcel at a fixed place, visible in the ortho and the land
/// cover, for tests to look at: (x0, y0, x1, y1) in Lambert-93.
pub const BASIN: (f64, f64, f64, f64) = (770_200.0, 6_279_100.0, 770_300.0, 6_279_200.0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Same schemas, a few square kilometres: generated in seconds, for tests.
    Small,
    /// The whole demo area: ≥100k land cover polygons, ≥10k ERP, ≥1M addresses.
    Full,
    /// For benchmarks: the BD ORTHO delivery of all Occitanie (over 3,000
    /// COGs, two editions, indexed) and 10M addresses; see [`region`].
    Region,
}

impl Scale {
    /// Every scale, by the name the command line gives it.
    pub const ALL: [(&str, Scale); 3] = [
        ("small", Scale::Small),
        ("full", Scale::Full),
        ("region", Scale::Region),
    ];
}

impl std::str::FromStr for Scale {
    type Err = String;

    fn from_str(s: &str) -> Result<Scale, String> {
        Scale::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map(|(_, scale)| *scale)
            .ok_or_else(|| format!("`{s}` is not a scale: small, full or region"))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Area {
    pub fn contains(&self, p: (f64, f64)) -> bool {
        p.0 >= self.x0 && p.0 <= self.x1 && p.1 >= self.y0 && p.1 <= self.y1
    }
}

struct Plan {
    vectors: Area,
    ortho: Area,
    density: f64,
    addresses: usize,
    erp: usize,
}

fn plan(scale: Scale) -> Plan {
    match scale {
        Scale::Full | Scale::Region => Plan {
            vectors: Area {
                x0: 765_000.0,
                y0: 6_275_000.0,
                x1: 775_000.0,
                y1: 6_285_000.0,
            },
            ortho: Area {
                x0: 768_000.0,
                y0: 6_277_000.0,
                x1: 772_000.0,
                y1: 6_281_000.0,
            },
            density: 1.05,
            addresses: 1_050_000,
            erp: 12_000,
        },
        Scale::Small => Plan {
            vectors: Area {
                x0: 769_000.0,
                y0: 6_278_000.0,
                x1: 771_000.0,
                y1: 6_280_000.0,
            },
            ortho: Area {
                x0: 769_000.0,
                y0: 6_278_000.0,
                x1: 771_000.0,
                y1: 6_280_000.0,
            },
            density: 0.5,
            addresses: 12_000,
            erp: 400,
        },
    }
}

/// Generates the data set into `out`. A `MANIFEST.json` written last marks
/// a complete set (`make run` checks for it).
pub fn generate(out: &Path, scale: Scale) -> anyhow::Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let manifest = out.join("MANIFEST.json");
    let _ = std::fs::remove_file(&manifest);
    tuile_core::source::gdal::init(512);
    if scale == Scale::Region {
        region::generate(out, 10_000_000)?;
        std::fs::write(
            &manifest,
            serde_json::to_vec_pretty(&serde_json::json!({"scale": "region", "seed": SEED}))?,
        )?;
        eprintln!("region data written to {} in {:.1?}", out.display(), started.elapsed());
        return Ok(());
    }
    let plan = plan(scale);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);

    let lc = landcover::generate(&plan.vectors, plan.density, &mut rng);
    let ocsol = write::land_cover(&out.join("ocsol.fgb"), &lc)?;
    eprintln!(
        "ocsol: {ocsol} polygons ({} per edition, {} roads) in {:.1?}",
        lc.parcels.len(),
        lc.roads.len(),
        started.elapsed()
    );

    let addresses = points::addresses(&lc, &plan.vectors, plan.addresses, &mut rng);
    write::addresses(&out.join("adresses.fgb"), &addresses, false)?;
    write::addresses(&out.join("adresses_cadastre.fgb"), &addresses, true)?;
    eprintln!("adresses: {} points in {:.1?}", addresses.len(), started.elapsed());

    let erps = points::erps(&lc, &addresses, plan.erp, &mut rng);
    write::erps(&out.join("erp.fgb"), &erps)?;
    eprintln!("erp: {} points in {:.1?}", erps.len(), started.elapsed());

    let vrt = ortho::write(&out.join("bdortho"), &plan.ortho, &lc)?;
    eprintln!("bdortho: {} in {:.1?}", vrt.display(), started.elapsed());

    let summary = serde_json::json!({
        "scale": format!("{scale:?}").to_lowercase(),
        "seed": SEED,
        "crs": "EPSG:2154",
        "vector_extent": [plan.vectors.x0, plan.vectors.y0, plan.vectors.x1, plan.vectors.y1],
        "ortho_extent": [plan.ortho.x0, plan.ortho.y0, plan.ortho.x1, plan.ortho.y1],
        "ocsol": ocsol,
        "erp": erps.len(),
        "adresses": addresses.len(),
        "basin": [BASIN.0, BASIN.1, BASIN.2, BASIN.3],
        "landmark_erp": [LANDMARK_ERP.0, LANDMARK_ERP.1],
    });
    std::fs::write(&manifest, serde_json::to_vec_pretty(&summary)?)?;
    eprintln!(
        "demo data ({scale:?}) written to {} in {:.1?}",
        out.display(),
        started.elapsed()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_land_cover_and_addresses() {
        let area = plan(Scale::Small).vectors;
        let run = || {
            let mut rng = ChaCha8Rng::seed_from_u64(SEED);
            let lc = landcover::generate(&area, 0.5, &mut rng);
            let addresses = points::addresses(&lc, &area, 2000, &mut rng);
            let rings: Vec<Vec<(f64, f64)>> = lc.parcels.iter().map(|p| p.ring.clone()).collect();
            let ids: Vec<String> = addresses.iter().map(|a| a.id.clone()).collect();
            (rings, ids)
        };
        let (a, b) = (run(), run());
        assert!(!a.0.is_empty() && !a.1.is_empty());
        assert_eq!(a, b);
    }

    #[test]
    fn the_basin_is_one_water_parcel_and_parcels_tile_the_area() {
        let area = plan(Scale::Small).vectors;
        let lc = landcover::generate(&area, 0.5, &mut ChaCha8Rng::seed_from_u64(SEED));
        let inside = |p: (f64, f64)| p.0 > BASIN.0 && p.0 < BASIN.2 && p.1 > BASIN.1 && p.1 < BASIN.3;
        let basin: Vec<_> = lc.parcels.iter().filter(|p| inside(geom::centroid(&p.ring))).collect();
        assert_eq!(basin.len(), 1);
        assert_eq!(basin[0].cover, [landcover::Cover::Water; 2]);
        let total: f64 = lc.parcels.iter().map(|p| geom::area(&p.ring)).sum();
        let expected = (area.x1 - area.x0) * (area.y1 - area.y0);
        assert!(
            (total - expected).abs() < 1e-3 * expected,
            "{total} vs {expected}: no overlap, no gap"
        );
    }
}
