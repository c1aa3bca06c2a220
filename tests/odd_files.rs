//! Real-world file shapes, generated here with GDAL: each is either served
//! correctly (pixels and features checked) or refused at start with one
//! line naming the file, the problem and the fix.
//!
//! Rasters: nodata, an alpha band, a palette, 16-bit values, four bands
//! (RGB + infrared), JPEG 2000, a Lambert-93 whose datum is unnamed (as IGN
//! writes it), a CRS that matches no EPSG entry (refused, then served with
//! `crs` on the source). Vectors: mixed geometry types, empty and invalid
//! geometries, very long text, Latin-1 text, no spatial index, a CRS given
//! only as ESRI WKT.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use gdal::raster::{Buffer, ColorEntry, ColorInterpretation, ColorTable};
use gdal::spatial_ref::SpatialRef;
use gdal::{Dataset, DriverManager};
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;

/// Lower-left corner of every raster, in Lambert-93; 64 px of 1 m.
const X0: f64 = 770_000.0;
const Y0: f64 = 6_279_000.0;
const SIZE: usize = 64;

/// The IGN tile's own CRS: Lambert-93 on an unnamed datum, named "EPSG:2154".
const UNNAMED_LAMBERT: &str = r#"PROJCS["EPSG:2154",GEOGCS["unknown",DATUM["unnamed",SPHEROID["unretrievable - using WGS84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#;

/// A projection no EPSG entry has.
const CUSTOM: &str =
    "+proj=lcc +lat_0=40 +lon_0=7 +lat_1=41 +lat_2=39 +x_0=500000 +y_0=6000000 +ellps=GRS80 +units=m +no_defs";

/// Lambert-93 as ESRI writes it in a .prj.
const ESRI_LAMBERT: &str = r#"ESRI::PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",49.0],PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]"#;

fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch_dir("odd-files");
        std::fs::create_dir_all(dir.join("styles")).unwrap();
        tuile_core::source::gdal::init(64);
        make_rasters(&dir);
        make_vectors(&dir);
        dir
    })
}

/// A GeoTIFF of `bands` bands of `T`, the left half `left`, the right `right`.
fn tiff<T: Copy + gdal::raster::GdalType>(path: &Path, left: &[T], right: &[T], srs: &str) -> Dataset {
    let driver = DriverManager::get_driver_by_name("GTiff").unwrap();
    let mut ds = driver
        .create_with_band_type::<T, _>(path, SIZE, SIZE, left.len())
        .unwrap();
    ds.set_geo_transform(&[X0, 1.0, 0.0, Y0 + SIZE as f64, 0.0, -1.0])
        .unwrap();
    ds.set_spatial_ref(&SpatialRef::from_definition(srs).unwrap()).unwrap();
    for b in 0..left.len() {
        let data: Vec<T> = (0..SIZE * SIZE)
            .map(|i| if i % SIZE < SIZE / 2 { left[b] } else { right[b] })
            .collect();
        let mut buf = Buffer::new((SIZE, SIZE), data);
        ds.rasterband(b + 1)
            .unwrap()
            .write((0, 0), (SIZE, SIZE), &mut buf)
            .unwrap();
    }
    ds
}

fn make_rasters(dir: &Path) {
    let lambert = "EPSG:2154";
    {
        let ds = tiff::<u8>(&dir.join("nodata.tif"), &[0, 0, 0], &[200, 100, 50], lambert);
        for b in 1..=3 {
            ds.rasterband(b).unwrap().set_no_data_value(Some(0.0)).unwrap();
        }
    }
    {
        let ds = tiff::<u8>(&dir.join("alpha.tif"), &[90, 90, 90, 0], &[10, 200, 10, 255], lambert);
        ds.rasterband(4)
            .unwrap()
            .set_color_interpretation(ColorInterpretation::AlphaBand)
            .unwrap();
    }
    {
        let ds = tiff::<u8>(&dir.join("palette.tif"), &[1], &[2], lambert);
        let mut table = ColorTable::new(gdal::raster::PaletteInterpretation::Rgba);
        table.set_color_entry(0, &ColorEntry::rgba(0, 0, 0, 0));
        table.set_color_entry(1, &ColorEntry::rgba(220, 20, 20, 255));
        table.set_color_entry(2, &ColorEntry::rgba(20, 20, 220, 255));
        ds.rasterband(1).unwrap().set_color_table(&table);
    }
    drop(tiff::<u16>(
        &dir.join("uint16.tif"),
        &[1000, 1000, 1000],
        &[4000, 4000, 4000],
        lambert,
    ));
    drop(tiff::<u8>(
        &dir.join("rgbi.tif"),
        &[50, 60, 70, 250],
        &[50, 60, 70, 250],
        lambert,
    ));
    {
        let rgb = tiff::<u8>(&dir.join("rgb.tif"), &[180, 40, 40], &[40, 40, 180], lambert);
        let jp2 = DriverManager::get_driver_by_name("JP2OpenJPEG").unwrap();
        let options = gdal::raster::RasterCreationOptions::from_iter(["REVERSIBLE=YES", "QUALITY=100"]);
        rgb.create_copy(&jp2, dir.join("ortho.jp2"), &options).unwrap();
    }
    drop(tiff::<u8>(
        &dir.join("unnamed-datum.tif"),
        &[30, 130, 30],
        &[30, 130, 30],
        UNNAMED_LAMBERT,
    ));
    drop(tiff::<u8>(
        &dir.join("custom.tif"),
        &[130, 30, 30],
        &[130, 30, 30],
        CUSTOM,
    ));
}

fn ogr2ogr(dir: &Path, out: &str, geojson: &str, extra: &[&str]) {
    let src = dir.join(format!("{out}.geojson"));
    std::fs::write(&src, geojson).unwrap();
    let status = std::process::Command::new("ogr2ogr")
        .args(["-f", "FlatGeobuf"])
        .args(extra)
        .arg(dir.join(out))
        .arg(&src)
        .status()
        .expect("ogr2ogr is installed (make deps)");
    assert!(status.success(), "ogr2ogr {out}");
}

/// GeoJSON features in Lambert-93 (the `crs` member is what GDAL reads).
fn collection(features: &[&str]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::2154"}}}},"features":[{}]}}"#,
        features.join(",")
    )
}

fn make_vectors(dir: &Path) {
    let square = |x: f64, y: f64, d: f64| {
        format!(
            "[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]",
            x + d,
            x + d,
            y + d,
            y + d
        )
    };
    let index = ["-lco", "SPATIAL_INDEX=YES"];
    ogr2ogr(
        dir,
        "mixed.fgb",
        &collection(&[
            &format!(
                r#"{{"type":"Feature","properties":{{"nom":"point"}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
                X0 + 10.0,
                Y0 + 10.0
            ),
            &format!(
                r#"{{"type":"Feature","properties":{{"nom":"carré"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}"#,
                square(X0 + 30.0, Y0 + 30.0, 20.0)
            ),
            &format!(
                r#"{{"type":"Feature","properties":{{"nom":"ligne"}},"geometry":{{"type":"LineString","coordinates":[[{},{}],[{},{}]]}}}}"#,
                X0,
                Y0 + 60.0,
                X0 + 60.0,
                Y0 + 60.0
            ),
        ]),
        &index,
    );
    let bowtie = format!(
        "[[[{x},{y}],[{},{}],[{},{y}],[{x},{}],[{x},{y}]]]",
        X0 + 40.0,
        Y0 + 40.0,
        X0 + 40.0,
        Y0 + 40.0,
        x = X0,
        y = Y0
    );
    ogr2ogr(
        dir,
        "invalid.fgb",
        &collection(&[
            &format!(
                r#"{{"type":"Feature","properties":{{"nom":"noeud papillon"}},"geometry":{{"type":"Polygon","coordinates":{bowtie}}}}}"#
            ),
            r#"{"type":"Feature","properties":{"nom":"sans géométrie"},"geometry":null}"#,
            &format!(
                r#"{{"type":"Feature","properties":{{"nom":"carré"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}"#,
                square(X0 + 50.0, Y0 + 50.0, 10.0)
            ),
        ]),
        &index,
    );
    let long = "é".repeat(60_000);
    ogr2ogr(
        dir,
        "long-text.fgb",
        &collection(&[&format!(
            r#"{{"type":"Feature","properties":{{"nom":"{long}"}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
            X0 + 32.0,
            Y0 + 32.0
        )]),
        &index,
    );
    ogr2ogr(
        dir,
        "latin1.fgb",
        &collection(&[&format!(
            r#"{{"type":"Feature","properties":{{"nom":"Béziers"}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
            X0 + 32.0,
            Y0 + 32.0
        )]),
        &index,
    );
    // The UTF-8 `é` (C3 A9) becomes Latin-1's E9 and a space: same length, not UTF-8.
    let path = dir.join("latin1.fgb");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(2)
        .rposition(|w| w == [0xC3, 0xA9])
        .expect("the é is in the feature");
    bytes[at..at + 2].copy_from_slice(&[0xE9, b' ']);
    std::fs::write(&path, bytes).unwrap();
    let point = format!(
        r#"{{"type":"Feature","properties":{{"nom":"ici"}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
        X0 + 32.0,
        Y0 + 32.0
    );
    ogr2ogr(
        dir,
        "no-index.fgb",
        &collection(&[&point]),
        &["-lco", "SPATIAL_INDEX=NO"],
    );
    ogr2ogr(
        dir,
        "esri.fgb",
        &collection(&[&point]),
        &["-lco", "SPATIAL_INDEX=YES", "-a_srs", ESRI_LAMBERT],
    );
}

/// A style drawing any geometry, for the vector layers.
const STYLE: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se">
 <NamedLayer><se:Name>x</se:Name><UserStyle><se:Name>default</se:Name><se:FeatureTypeStyle>
  <se:Rule>
   <se:PolygonSymbolizer><se:Fill><se:SvgParameter name="fill">#d01010</se:SvgParameter></se:Fill></se:PolygonSymbolizer>
   <se:LineSymbolizer><se:Stroke><se:SvgParameter name="stroke">#d01010</se:SvgParameter><se:SvgParameter name="stroke-width">3</se:SvgParameter></se:Stroke></se:LineSymbolizer>
   <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>square</se:WellKnownName><se:Fill><se:SvgParameter name="fill">#d01010</se:SvgParameter></se:Fill></se:Mark><se:Size>10</se:Size></se:Graphic></se:PointSymbolizer>
  </se:Rule>
 </se:FeatureTypeStyle></UserStyle></NamedLayer>
</StyledLayerDescriptor>"##;

/// A catalog of one layer per file (`crs` set where given).
fn catalog_of(files: &[(&str, Option<&str>)]) -> Catalog {
    let dir = dir();
    let mut toml = format!(
        "[server]\nmetadata = \"{}\"\nstyles_dir = \"styles\"\n",
        repo().join("capabilities/service.toml").display()
    );
    for (i, (file, crs)) in files.iter().enumerate() {
        let name = format!("l{i}");
        let vector = file.ends_with(".fgb");
        let kind = if vector { "flatgeobuf" } else { "raster" };
        let crs_line = crs.map(|c| format!(", crs = \"{c}\"")).unwrap_or_default();
        toml.push_str(&format!(
            "[[layers]]\nname = \"{name}\"\ntitle = \"{file}\"\nsource = {{ kind = \"{kind}\", path = \"{file}\"{crs_line} }}\ncrs = [\"EPSG:2154\", \"EPSG:3857\"]\n"
        ));
        if vector {
            toml.push_str("styles = [\"default\"]\n");
            std::fs::create_dir_all(dir.join("styles").join(&name)).unwrap();
            std::fs::write(dir.join("styles").join(&name).join("default.sld"), STYLE).unwrap();
        }
    }
    let path = dir.join(format!("tuile-{}.toml", files.len()));
    std::fs::write(&path, &toml).unwrap();
    Catalog::load(Config::load(&path).unwrap()).unwrap()
}

/// A 64×64 map of the rasters' square, in Lambert-93, as RGBA.
async fn map(catalog: Catalog, layer: &str) -> image::RgbaImage {
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    let uri = format!(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:2154&BBOX={X0},{Y0},{},{}&WIDTH={SIZE}&HEIGHT={SIZE}&FORMAT=image/png&TRANSPARENT=TRUE",
        X0 + SIZE as f64,
        Y0 + SIZE as f64
    );
    let r = get(&app, &uri).await;
    assert_eq!(r.status, 200, "{layer}: {}", r.text());
    r.image()
}

/// The mean colour (with alpha) of the left and right halves.
fn halves(img: &image::RgbaImage) -> ([f64; 4], [f64; 4]) {
    let mean = |x0: u32, x1: u32| {
        let mut sum = [0f64; 4];
        let mut n = 0.0;
        for y in 8..(SIZE as u32 - 8) {
            for x in x0..x1 {
                let p = img.get_pixel(x, y);
                for c in 0..4 {
                    sum[c] += p[c] as f64;
                }
                n += 1.0;
            }
        }
        sum.map(|s| s / n)
    };
    (mean(4, SIZE as u32 / 2 - 4), mean(SIZE as u32 / 2 + 4, SIZE as u32 - 4))
}

fn close(a: [f64; 4], b: [f64; 4], tol: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

#[actix_web::test]
async fn odd_rasters_are_read_as_8_bit_colour() {
    let cases: &[(&str, [f64; 4], [f64; 4])] = &[
        // nodata: transparent where the value is the nodata value
        ("nodata.tif", [0.0, 0.0, 0.0, 0.0], [200.0, 100.0, 50.0, 255.0]),
        ("alpha.tif", [0.0, 0.0, 0.0, 0.0], [10.0, 200.0, 10.0, 255.0]),
        ("palette.tif", [220.0, 20.0, 20.0, 255.0], [20.0, 20.0, 220.0, 255.0]),
        // 16-bit: stretched from the minimum (1000) to the maximum (4000)
        ("uint16.tif", [0.0, 0.0, 0.0, 255.0], [255.0, 255.0, 255.0, 255.0]),
        // RGB + infrared: the first three bands, opaque
        ("rgbi.tif", [50.0, 60.0, 70.0, 255.0], [50.0, 60.0, 70.0, 255.0]),
        ("ortho.jp2", [180.0, 40.0, 40.0, 255.0], [40.0, 40.0, 180.0, 255.0]),
        (
            "unnamed-datum.tif",
            [30.0, 130.0, 30.0, 255.0],
            [30.0, 130.0, 30.0, 255.0],
        ),
    ];
    let files: Vec<(&str, Option<&str>)> = cases.iter().map(|(f, _, _)| (*f, None)).collect();
    let catalog = catalog_of(&files);
    assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
    let origin = catalog.layer("l6").unwrap().source.meta().crs_origin;
    assert_eq!(origin, tuile_core::grid::Identified::ByNameAndProjection);
    for (i, (file, left, right)) in cases.iter().enumerate() {
        let img = map(catalog_of(&files), &format!("l{i}")).await;
        let (l, r) = halves(&img);
        assert!(close(l, *left, 12.0) && close(r, *right, 12.0), "{file}: {l:?} {r:?}");
    }
}

#[actix_web::test]
async fn a_crs_without_an_epsg_match_is_refused_until_the_source_names_one() {
    let catalog = catalog_of(&[("custom.tif", None)]);
    assert_eq!(catalog.problems.len(), 1);
    let p = &catalog.problems[0];
    assert!(!p.contains('\n'), "one line: {p}");
    assert!(p.contains("custom.tif") && p.contains("crs = \"EPSG:"), "{p}");
    let fixed = catalog_of(&[("custom.tif", Some("EPSG:2154"))]);
    assert!(fixed.problems.is_empty(), "{:?}", fixed.problems);
    let (l, r) = halves(&map(fixed, "l0").await);
    assert!(close(l, [130.0, 30.0, 30.0, 255.0], 5.0) && close(r, l, 1.0), "{l:?}");
}

#[actix_web::test]
async fn odd_vectors_are_served_or_refused_with_the_fix() {
    let catalog = catalog_of(&[
        ("mixed.fgb", None),
        ("invalid.fgb", None),
        ("long-text.fgb", None),
        ("esri.fgb", None),
        ("latin1.fgb", None),
        ("no-index.fgb", None),
    ]);
    let problems = catalog.problems.clone();
    assert_eq!(problems.len(), 2, "{problems:?}");
    let latin1 = problems
        .iter()
        .find(|p| p.contains("latin1.fgb"))
        .expect("latin1 refused");
    assert!(latin1.contains("not UTF-8") && latin1.contains("ogr2ogr"), "{latin1}");
    let no_index = problems
        .iter()
        .find(|p| p.contains("no-index.fgb"))
        .expect("no-index refused");
    assert!(no_index.contains("SPATIAL_INDEX=YES"), "{no_index}");
    assert!(problems.iter().all(|p| !p.contains('\n')), "{problems:?}");
    assert_eq!(
        catalog.layer("l3").unwrap().source.meta().crs,
        tuile_core::grid::Crs::lambert93(),
        "ESRI WKT identified"
    );
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    // Mixed types: every geometry in the items and on the map.
    let items = get(&app, "/collections/l0/items").await;
    let v: serde_json::Value = serde_json::from_slice(&items.body).unwrap();
    let mut types: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["geometry"]["type"].as_str().unwrap())
        .collect();
    types.sort();
    assert_eq!(types, ["LineString", "Point", "Polygon"]);
    // A self-intersecting polygon: listed, drawn, filtered, no panic. (The
    // feature without geometry is dropped by GDAL's writer, which leaves
    // null and empty geometries out of an indexed file.)
    let items = get(&app, "/collections/l1/items").await;
    let v: serde_json::Value = serde_json::from_slice(&items.body).unwrap();
    assert_eq!(v["numberReturned"], 2);
    let filtered = get(
        &app,
        "/collections/l1/items?filter=S_INTERSECTS(geometry,POINT(3.837%2043.597))&filter-lang=cql2-text",
    )
    .await;
    assert_eq!(filtered.status, 200, "{}", filtered.text());
    for layer in ["l0", "l1", "l2", "l3"] {
        let uri = format!(
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:2154&BBOX={X0},{Y0},{},{}&WIDTH=64&HEIGHT=64&FORMAT=image/png&TRANSPARENT=TRUE",
            X0 + 64.0,
            Y0 + 64.0
        );
        let r = get(&app, &uri).await;
        assert_eq!(r.status, 200, "{layer}");
        let red = r.image().pixels().filter(|p| p[3] > 0 && p[0] > 150).count();
        assert!(red > 20, "{layer}: {red} red pixels");
    }
    // Very long text comes back whole.
    let items = get(&app, "/collections/l2/items").await;
    let v: serde_json::Value = serde_json::from_slice(&items.body).unwrap();
    assert_eq!(
        v["features"][0]["properties"]["nom"].as_str().unwrap().chars().count(),
        60_000
    );
}
