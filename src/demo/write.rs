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
use crate::grid::{Crs, transform_xy};

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

pub fn addresses(path: &Path, addresses: &[Address]) -> anyhow::Result<()> {
    let cols = [
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
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let (lons, lats) = lon_lat(addresses.iter().map(|a| a.p))?;
    let mut fgb = writer("adresses", "Base Adresse Nationale", GeometryType::Point, &cols)?;
    for (i, a) in addresses.iter().enumerate() {
        let round = |v: f64, k: f64| (v * k).round() / k;
        let values = [
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
