//! Checks against real data from `../shared/data` (`make test-real`; not
//! part of `make test`, which carries its own data). Every test here fails
//! loudly when the data is missing: run them with `--ignored`.

mod common;

use std::path::PathBuf;

use common::*;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;

fn real(rel: &str) -> PathBuf {
    let base = std::env::var_os("TUILE_REAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/data"));
    let path = base.join(rel);
    assert!(
        path.is_file(),
        "{} is missing: make test-real needs ../shared/data",
        path.display()
    );
    path.canonicalize().unwrap()
}

fn catalog_of(files: &[PathBuf]) -> Catalog {
    let dir = repo().join("target/real-data");
    std::fs::create_dir_all(&dir).unwrap();
    let mut toml = format!(
        "[server]\nmetadata = \"{}\"\n",
        repo().join("capabilities/service.toml").display()
    );
    for (i, f) in files.iter().enumerate() {
        toml.push_str(&format!(
            "[[layers]]\nname = \"l{i}\"\ntitle = \"{}\"\nsource = {{ kind = \"raster\", path = \"{}\" }}\ncrs = [\"EPSG:2154\", \"EPSG:3857\"]\n",
            f.display(),
            f.display()
        ));
    }
    let path = dir.join("tuile.toml");
    std::fs::write(&path, toml).unwrap();
    tuile_core::source::gdal::init(64);
    Catalog::load(Config::load(&path).unwrap()).unwrap()
}

/// IGN's BD ORTHO tile, whose CRS is Lambert-93 on an unnamed datum, is
/// served, and drawn as gdal_translate and gdalwarp draw the same file.
#[actix_web::test]
#[ignore = "needs ../shared/data: make test-real"]
async fn the_real_ign_tiles_are_served_as_gdal_draws_them() {
    let rgb = real("bdortho-sample/test_data_rgb.tif");
    let irc = real("bdortho-sample/test_data_irc.tif");
    let catalog = catalog_of(&[rgb.clone(), irc]);
    assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
    let layer = catalog.layer("l0").unwrap();
    assert_eq!(layer.source.meta().crs, tuile_core::grid::Crs::lambert93());
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    // Inside the tile (origin 770549.8 / 6277600.2, 252 px of 20 cm).
    let l93 = [770_560.0, 6_277_560.0, 770_590.0, 6_277_590.0];
    for (name, crs) in [
        ("EPSG:2154", tuile_core::grid::Crs::lambert93()),
        ("EPSG:3857", tuile_core::grid::Crs::web_mercator()),
    ] {
        let b = tuile_core::grid::transform_bbox(
            &tuile_core::grid::BBox::new(l93[0], l93[1], l93[2], l93[3]),
            tuile_core::grid::Crs::lambert93(),
            crs,
        )
        .unwrap();
        let (w, h) = (120, 120);
        for layer in ["l0", "l1"] {
            let q = format!(
                "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS={name}&BBOX={},{},{},{}&WIDTH={w}&HEIGHT={h}&FORMAT=image/png&TRANSPARENT=TRUE",
                b.minx, b.miny, b.maxx, b.maxy
            );
            let r = get(&app, &q).await;
            assert_eq!(r.status, 200, "{}", r.text());
            let ours = r.image().into_raw();
            let source = if layer == "l0" {
                rgb.clone()
            } else {
                real("bdortho-sample/test_data_irc.tif")
            };
            // In Lambert-93, gdal_translate's resampled read (tuile's own
            // path); its alpha, band 1's nodata mask resampled, is not
            // compared: tuile and gdalwarp take a pixel as nodata (255) only
            // when all its bands are.
            let theirs = gdalwarp_rgba(&source, name, [b.minx, b.miny, b.maxx, b.maxy], w, h);
            let (mut worst, mut compared) = (0i32, 0);
            for (a, g) in ours.chunks_exact(4).zip(theirs.chunks_exact(4)) {
                if a[3] == 255 && (name == "EPSG:2154" || g[3] == 255) {
                    compared += 1;
                    for c in 0..3 {
                        worst = worst.max((a[c] as i32 - g[c] as i32).abs());
                    }
                }
            }
            assert!(
                compared > (w * h) as usize * 9 / 10,
                "{layer} {name}: {compared} pixels compared"
            );
            assert!(worst <= 2, "{layer} {name}: differs from GDAL by up to {worst}");
        }
    }
}
