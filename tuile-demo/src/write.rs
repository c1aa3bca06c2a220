//! Writes the generated layers as FlatGeobuf files with a packed R-tree.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::Context;
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, GeomProcessor, GeozeroGeometry, PropertyProcessor};

use super::geom::{self, Pt};
use super::landcover::{EDITIONS, LandCover};
use super::points::{Address, Erp};
use tuile_core::grid::{Crs, transform_xy};

struct PointGeom(Pt);

impl GeozeroGeometry for PointGeom {
    fn process_geom<P: GeomProcessor>(&self, p: &mut P) -> geozero::error::Result<()> {
        p.point_begin(0)?;
        p.xy(self.0.0, self.0.1, 0)?;
        p.point_end(0)
    }
}

struct PolygonGeom<'a>(&'a [Pt]);

impl GeozeroGeometry for PolygonGeom<'_> {
    fn process_geom<P: GeomProcessor>(&self, p: &mut P) -> geozero::error::Result<()> {
        let ring = self.0;
        p.polygon_begin(true, 1, 0)?;
        p.linestring_begin(false, ring.len() + 1, 0)?;
        for (i, pt) in ring.iter().chain(std::iter::once(&ring[0])).enumerate() {
            p.xy(pt.0, pt.1, i)?;
        }
        p.linestring_end(false, 0)?;
        p.polygon_end(true, 0)
    }
}

fn writer<'a>(
    name: &'a str,
    title: &'a str,
    ty: GeometryType,
    columns: &[(&str, ColumnType)],
) -> anyhow::Result<FgbWriter<'a>> {
    let mut fgb = FgbWriter::create_with_options(
        name,
        ty,
        FgbWriterOptions {
            write_index: true,
            detect_type: false,
            promote_to_multi: false,
            crs: FgbCrs {
                org: Some("EPSG"),
                code: 2154,
                ..Default::default()
            },
            title: Some(title),
            ..Default::default()
        },
    )?;
    for (col, ty) in columns {
        fgb.add_column(col, *ty, |_, c| c.nullable = true);
    }
    Ok(fgb)
}

fn finish(fgb: FgbWriter, path: &Path) -> anyhow::Result<()> {
    let tmp = path.with_extension("fgb.part");
    let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    fgb.write(BufWriter::with_capacity(1 << 20, file))?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn props(feat: &mut impl PropertyProcessor, columns: &[&str], values: &[ColumnValue]) {
    for (i, (name, v)) in columns.iter().zip(values).enumerate() {
        feat.property(i, name, v).expect("writing a property to memory");
    }
}

/// Writes both editions of the land cover; returns the feature count.
pub fn land_cover(path: &Path, lc: &LandCover) -> anyhow::Result<usize> {
    let cols = [
        ("id", ColumnType::String),
        ("code_cs", ColumnType::String),
        ("code_us", ColumnType::String),
        ("millesime", ColumnType::Int),
        ("surface", ColumnType::Double),
    ];
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let mut fgb = writer(
        "ocsol",
        "OCS GE – occupation du sol à grande échelle",
        GeometryType::Polygon,
        &cols,
    )?;
    let mut count = 0;
    for (e, year) in EDITIONS.iter().enumerate() {
        for (i, p) in lc.parcels.iter().enumerate() {
            let id = format!("OCSGE034-{year}-{:07}", i + 1);
            let surface = (geom::area(&p.ring) * 10.0).round() / 10.0;
            let values = [
                ColumnValue::String(&id),
                ColumnValue::String(p.cover[e].code()),
                ColumnValue::String(p.usage[e]),
                ColumnValue::Int(*year),
                ColumnValue::Double(surface),
            ];
            fgb.add_feature_geom(PolygonGeom(&p.ring), |f| props(f, &names, &values))?;
            count += 1;
        }
    }
    finish(fgb, path)?;
    Ok(count)
}

/// Longitudes and latitudes (WGS 84) of Lambert-93 points.
fn lon_lat(points: impl Iterator<Item = Pt>) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let (mut xs, mut ys): (Vec<f64>, Vec<f64>) = points.unzip();
    transform_xy(Crs::lambert93(), Crs::CRS84, &mut xs, &mut ys)?;
    Ok((xs, ys))
}

/// The BAN fields of the members-only copy, as the full BAN export has
/// them: how and by whom each point was placed, and the parcels it serves.
const TYPES_POSITION: [&str; 5] = ["entrée", "bâtiment", "délivrance postale", "parcelle", "segment"];
const SOURCES_POSITION: [&str; 5] = ["commune", "cadastre", "arcep", "laposte", "sdis"];

/// Writes the addresses; with `cadastre`, also the members-only fields.
pub fn addresses(path: &Path, addresses: &[Address], cadastre: bool) -> anyhow::Result<()> {
    let mut cols = vec![
        ("id", ColumnType::String),
        ("numero", ColumnType::Int),
        ("rep", ColumnType::String),
        ("nom_voie", ColumnType::String),
        ("code_postal", ColumnType::String),
        ("code_insee", ColumnType::String),
        ("nom_commune", ColumnType::String),
        ("x", ColumnType::Double),
        ("y", ColumnType::Double),
        ("lon", ColumnType::Double),
        ("lat", ColumnType::Double),
    ];
    if cadastre {
        cols.extend([
            ("type_position", ColumnType::String),
            ("source_position", ColumnType::String),
            ("certification_commune", ColumnType::Bool),
            ("cad_parcelles", ColumnType::String),
            ("date_der_maj", ColumnType::String),
        ]);
    }
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let (lons, lats) = lon_lat(addresses.iter().map(|a| a.p))?;
    let (name, title) = if cadastre {
        ("adresses_cadastre", "Base Adresse Nationale, champs complets (membres)")
    } else {
        ("adresses", "Base Adresse Nationale")
    };
    let mut fgb = writer(name, title, GeometryType::Point, &cols)?;
    for (i, a) in addresses.iter().enumerate() {
        let round = |v: f64, k: f64| (v * k).round() / k;
        let mut values = vec![
            ColumnValue::String(&a.id),
            ColumnValue::Int(a.numero),
            ColumnValue::String(a.rep),
            ColumnValue::String(&a.nom_voie),
            ColumnValue::String(a.code_postal),
            ColumnValue::String(a.commune.insee),
            ColumnValue::String(a.commune.name),
            ColumnValue::Double(round(a.p.0, 100.0)),
            ColumnValue::Double(round(a.p.1, 100.0)),
            ColumnValue::Double(round(lons[i], 1e7)),
            ColumnValue::Double(round(lats[i], 1e7)),
        ];
        // Derived from the id, so that the copy needs no random draws.
        let h = xxhash_rust::xxh3::xxh3_64(a.id.as_bytes());
        // Cadastral sections are 2 letters on a 500 m grid, parcels numbered within.
        let section: String = [(a.p.0 / 500.0) as u64, (a.p.1 / 500.0) as u64]
            .iter()
            .map(|v| (b'A' + (v % 26) as u8) as char)
            .collect();
        let parcel = format!("{}000{section}{:04}", a.commune.insee, 1 + h % 2400);
        let date = format!(
            "20{:02}-{:02}-{:02}",
            19 + (h >> 8) % 7,
            1 + (h >> 16) % 12,
            1 + (h >> 24) % 28
        );
        if cadastre {
            values.extend([
                ColumnValue::String(TYPES_POSITION[(h % 100 / 20) as usize % 5]),
                ColumnValue::String(SOURCES_POSITION[((h >> 32) % 5) as usize]),
                ColumnValue::Bool((h >> 40) % 10 < 7),
                ColumnValue::String(&parcel),
                ColumnValue::String(&date),
            ]);
        }
        fgb.add_feature_geom(PointGeom(a.p), |f| props(f, &names, &values))?;
    }
    finish(fgb, path)
}

pub fn erps(path: &Path, erps: &[Erp]) -> anyhow::Result<()> {
    let cols = [
        ("id", ColumnType::String),
        ("nom", ColumnType::String),
        ("type_erp", ColumnType::String),
        ("categorie_erp", ColumnType::Int),
        ("adresse", ColumnType::String),
        ("code_insee", ColumnType::String),
        ("commune", ColumnType::String),
    ];
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let mut fgb = writer("erp", "Établissements recevant du public", GeometryType::Point, &cols)?;
    for e in erps {
        let values = [
            ColumnValue::String(&e.id),
            ColumnValue::String(&e.nom),
            ColumnValue::String(e.type_erp),
            ColumnValue::Int(e.categorie),
            ColumnValue::String(&e.adresse),
            ColumnValue::String(e.commune.insee),
            ColumnValue::String(e.commune.name),
        ];
        fgb.add_feature_geom(PointGeom(e.p), |f| props(f, &names, &values))?;
    }
    finish(fgb, path)
}
