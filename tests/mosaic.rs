//! The mosaic source on a small delivery made by the region generator
//! (`tuile_demo::region::MosaicPlan::small`: 30 tiles of 5 km in 2021, 15
//! again in 2024): the tile index and its pyramid, editions as TIME values,
//! the files each request reads, the incremental update, and a broken file
//! named in the error while start-up opens none.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;
use tuile_core::grid::{BBox, Crs};
use tuile_core::source::Source;
use tuile_core::source::tile_index::{IndexOptions, IndexReport, build};
use tuile_demo::region::{MosaicPlan, Tile, write_mosaic};

/// A fresh delivery in its own directory: the tiles and the index.
struct Delivery {
    dir: PathBuf,
    tiles: Vec<Tile>,
    report: IndexReport,
}

fn delivery(name: &str) -> Delivery {
    tuile_core::source::gdal::init(64);
    let dir = scratch_dir(&format!("mosaic-{name}"));
    let tiles = write_mosaic(&MosaicPlan::small(), &dir.join("ortho")).unwrap();
    let report = index(&dir, &IndexOptions::default());
    Delivery { dir, tiles, report }
}

fn index(dir: &Path, options: &IndexOptions) -> IndexReport {
    build(
        &[dir.join("ortho").to_string_lossy().into_owned()],
        &dir.join("ortho/mosaic.fgb"),
        options,
        &|_| {},
    )
    .unwrap()
}

/// The shared delivery the read-only tests look at.
fn shared() -> &'static Delivery {
    static D: OnceLock<Delivery> = OnceLock::new();
    D.get_or_init(|| delivery("shared"))
}

fn catalog_at(dir: &Path, index: &str) -> Catalog {
    let toml = format!(
        "[server]\nmetadata = \"{}\"\n[[layers]]\nname = \"ortho\"\ntitle = \"BD ORTHO\"\nsource = {{ kind = \"mosaic\", path = \"ortho/{index}\" }}\ncrs = [\"EPSG:2154\", \"EPSG:3857\", \"EPSG:4326\"]\n",
        repo().join("capabilities/service.toml").display()
    );
    let path = dir.join(format!("tuile-{index}.toml"));
    std::fs::write(&path, toml).unwrap();
    Catalog::load(Config::load(&path).unwrap()).unwrap()
}

async fn map(catalog: Catalog, bbox: [f64; 4], w: u32, h: u32, extra: &str) -> image::RgbaImage {
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    let uri = format!(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:2154&BBOX={},{},{},{}&WIDTH={w}&HEIGHT={h}&FORMAT=image/png&TRANSPARENT=TRUE{extra}",
        bbox[0], bbox[1], bbox[2], bbox[3]
    );
    let r = get(&app, &uri).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.image()
}

/// The tile of `edition` whose top-left corner is (x0, y1).
fn tile<'a>(d: &'a Delivery, x0: f64, y1: f64, edition: &str) -> &'a Tile {
    d.tiles
        .iter()
        .find(|t| t.x0 == x0 && t.y1 == y1 && t.edition == edition)
        .unwrap_or_else(|| panic!("no {edition} tile at {x0},{y1}"))
}

/// Largest difference between two RGBA images (colour, opaque pixels).
fn max_diff(a: &[u8], b: &[u8]) -> u8 {
    a.chunks_exact(4)
        .zip(b.chunks_exact(4))
        .filter(|(p, q)| p[3] == 255 && q[3] == 255)
        .flat_map(|(p, q)| (0..3).map(move |c| p[c].abs_diff(q[c])))
        .max()
        .unwrap_or(0)
}

#[test]
fn the_index_lists_every_file_and_builds_a_pyramid() {
    let d = shared();
    assert_eq!(d.tiles.len(), 45, "30 tiles in 2021, 15 in 2024");
    assert_eq!(d.report.files, 45);
    assert_eq!(d.report.read, 45);
    assert_eq!(d.report.problems, 0);
    // 256-px tiles: a first level at their resolution in 4096-px cells
    // (one per edition over this area), nothing coarser needed.
    assert!(d.report.cells_built >= 2, "{:?}", d.report);
    let cells: Vec<_> = walk(&d.dir.join("ortho/pyramid"));
    assert_eq!(cells.len(), d.report.cells_built, "{cells:?}");
    // The cells are JPEG COGs whose transparency is a mask.
    let ds = gdal::Dataset::open(&cells[0]).unwrap();
    assert_eq!(ds.raster_count(), 3);
    let flags = ds.rasterband(1).unwrap().mask_flags().unwrap();
    assert!(flags.is_per_dataset() && !flags.is_all_valid());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else if e.path().extension().is_some_and(|x| x == "tif") {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

#[actix_web::test]
async fn editions_are_time_values_and_the_latest_shows_at_each_place() {
    let d = shared();
    let catalog = catalog_at(&d.dir, "mosaic.fgb");
    assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    let caps = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").await;
    let root = caps.xml();
    let layer = all(&root, "Layer")
        .into_iter()
        .find(|l| l.child("Name").map(|n| n.text()) == Some("ortho".into()))
        .unwrap();
    let dim = layer.child("Dimension").expect("the ortho has a time dimension");
    assert_eq!(dim.attr("name"), Some("time"));
    assert_eq!(dim.attr("default"), Some("2024"));
    assert_eq!(dim.text(), "2021,2024");

    // East (flown in 2021 and 2024) and west (2021 only), inside one tile
    // each, at the tiles' resolution: each is the tile GDAL reads.
    let res = 5000.0 / 256.0;
    let window = |x0: f64, y1: f64| [x0 + 40.0 * res, y1 - 104.0 * res, x0 + 104.0 * res, y1 - 40.0 * res];
    let east = (780_000.0, 6_280_000.0);
    let west = (765_000.0, 6_280_000.0);
    let gdal = |t: &Tile, b: [f64; 4]| gdal_rgba(&t.path, "EPSG:2154", b, 64, 64, true);
    let cases = [
        (east, "", "2024"),
        (east, "&TIME=2021", "2021"),
        (east, "&TIME=2024", "2024"),
        (west, "", "2021"),
        (west, "&TIME=2024", "2021"),
    ];
    for ((x0, y1), time, shown) in cases {
        let b = window(x0, y1);
        let ours = map(catalog_at(&d.dir, "mosaic.fgb"), b, 64, 64, time).await;
        let theirs = gdal(tile(d, x0, y1, shown), b);
        let diff = max_diff(ours.as_raw(), &theirs);
        assert!(
            diff <= 2,
            "{x0},{y1}{time}: {diff} from the {shown} tile as gdal_translate reads it"
        );
    }
    // The two editions differ where both exist (the 2024 summer was dry).
    let b = window(east.0, east.1);
    let a = mean_rgb(
        &map(catalog_at(&d.dir, "mosaic.fgb"), b, 64, 64, "&TIME=2021").await,
        0,
        0,
        64,
        64,
    );
    let c = mean_rgb(
        &map(catalog_at(&d.dir, "mosaic.fgb"), b, 64, 64, "&TIME=2024").await,
        0,
        0,
        64,
        64,
    );
    assert!(c[0] - a[0] > 8.0, "2021 {a:?} vs 2024 {c:?}");
    // A year with no edition is refused, as for the land cover.
    let r = get(&app, "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:2154&BBOX=770000,6270000,775000,6275000&WIDTH=64&HEIGHT=64&FORMAT=image/png&TIME=2019").await;
    assert_eq!(r.exception().0, "InvalidDimensionValue");
}

#[actix_web::test]
async fn every_scale_reads_a_handful_of_files_and_the_pyramid_matches_the_tiles() {
    let d = shared();
    let catalog = catalog_at(&d.dir, "mosaic.fgb");
    let layer = catalog.layers.iter().find(|l| l.name() == "ortho").unwrap();
    let Source::Raster(raster) = &layer.source else {
        panic!("a raster layer")
    };
    let mosaic = raster.mosaic().expect("a mosaic");
    let l93 = Crs::from_epsg(2154).unwrap();
    // From a tenth of a tile to the whole delivery, 256 px maps and
    // 1400 × 740 ones, centred on the area, in either edition.
    let (cx, cy) = (775_000.0, 6_277_500.0);
    let mut widest = 0;
    for k in 0..12 {
        let half = 250.0 * 2f64.powi(k);
        for (w, h) in [(256, 256), (1400, 740)] {
            let b = BBox::new(
                cx - half,
                cy - half * h as f64 / w as f64,
                cx + half,
                cy + half * h as f64 / w as f64,
            );
            for edition in [None, Some("2021")] {
                let files = mosaic.files_for(l93, &b, w, h, edition);
                let limit = if w == 256 { 4 } else { 12 };
                assert!(files.len() <= limit, "{w}x{h} over {half} m: {} files", files.len());
                widest = widest.max(files.len());
            }
        }
    }
    assert!(widest >= 2);
    // At the tiles' resolution, the tiles themselves.
    let native = BBox::new(771_000.0, 6_276_000.0, 771_000.0 + 5000.0, 6_276_000.0 + 5000.0);
    assert!(
        mosaic
            .files_for(l93, &native, 256, 256, None)
            .iter()
            .all(|e| e.level == 0)
    );
    // The whole delivery at 256 px reads the pyramid only.
    let all = BBox::new(760_000.0, 6_265_000.0, 790_000.0, 6_290_000.0);
    assert!(mosaic.files_for(l93, &all, 256, 213, None).iter().all(|e| e.level > 0));
    // And looks like the tiles themselves (an index without pyramid).
    let flat = index_copy(d, "flat.fgb");
    assert_eq!(flat.cells_built, 0);
    let whole = [all.minx, all.miny, all.maxx, all.maxy];
    let a = map(catalog_at(&d.dir, "mosaic.fgb"), whole, 240, 200, "").await;
    let b = map(catalog_at(&d.dir, "flat.fgb"), whole, 240, 200, "").await;
    for (x0, y0) in [(10, 10), (130, 10), (10, 110), (130, 110)] {
        let (p, q) = (
            mean_rgb(&a, x0, y0, x0 + 90, y0 + 80),
            mean_rgb(&b, x0, y0, x0 + 90, y0 + 80),
        );
        assert!(
            (0..3).all(|c| (p[c] - q[c]).abs() < 4.0),
            "at {x0},{y0}: pyramid {p:?}, tiles {q:?}"
        );
    }
    // Web Mercator tiles come from the same files.
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog_at(
        &d.dir,
        "mosaic.fgb",
    ))))
    .await;
    let r = get(&app, "/wmts/1.0.0/ortho/default/WebMercatorQuad/9/186/261.png").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let img = r.image();
    assert!(img.pixels().any(|p| p[3] == 255), "the tile over Montpellier is drawn");
}

/// Indexes the shared delivery again into another index, without pyramid.
#[actix_web::test]
async fn the_edges_of_an_edition_have_no_seam_at_pyramid_scales() {
    // The 2024 edition's west edge (x = 775 km) and the delivery's top edge
    // (y = 6,290 km) on pixel boundaries, at 2×, 4× and 8× the first
    // pyramid level: the cells' overviews are read. A mask running a pixel
    // past the colours draws a dark line there.
    let d = shared();
    for res in [39.0625, 78.125, 156.25] {
        let (edge_x, top) = (775_000.0, 6_290_000.0);
        let b = [
            edge_x - 64.0 * res,
            top - 96.0 * res,
            edge_x + 64.0 * res,
            top + 32.0 * res,
        ];
        let img = map(catalog_at(&d.dir, "mosaic.fgb"), b, 128, 128, "").await;
        let column = |x: u32| mean_rgb(&img, x, 40, x + 1, 120).iter().sum::<f64>() / 3.0;
        let row = |y: u32| mean_rgb(&img, 8, y, 120, y + 1).iter().sum::<f64>() / 3.0;
        for x in [63, 64] {
            let around = column(59).min(column(68));
            assert!(
                column(x) > 0.75 * around,
                "{res} m: column {x} at {:.0} beside {around:.0}",
                column(x)
            );
        }
        assert!((8..120).all(|x| img.get_pixel(x, 31).0[3] == 0 && img.get_pixel(x, 32).0[3] == 255));
        assert!(
            row(32) > 0.75 * row(36),
            "{res} m: top row at {:.0} above {:.0}",
            row(32),
            row(36)
        );
    }
}

fn index_copy(d: &Delivery, name: &str) -> IndexReport {
    build(
        &[d.dir.join("ortho").to_string_lossy().into_owned()],
        &d.dir.join("ortho").join(name),
        &IndexOptions {
            no_pyramid: true,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap()
}

#[actix_web::test]
async fn a_new_delivery_updates_only_what_changed() {
    let d = delivery("update");
    let first = d.report.clone();
    // Nothing changed: nothing read, nothing built.
    let again = index(&d.dir, &IndexOptions::default());
    assert_eq!((again.read, again.cells_built, again.removed), (0, 0, 0), "{again:?}");
    assert_eq!(again.cells_kept, first.cells_built);

    // One 2024 tile redelivered (red), one gone, one new edition's tile.
    let changed = tile(&d, 780_000.0, 6_280_000.0, "2024").path.clone();
    let gone = tile(&d, 760_000.0, 6_270_000.0, "2021").path.clone();
    let red: Vec<u8> = (0..256 * 256).flat_map(|_| [200u8, 20, 20]).collect();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    tuile_demo::ortho::write_cog(&changed, 780_000.0, 6_280_000.0, 5000.0 / 256.0, 256, &red).unwrap();
    std::fs::remove_file(&gone).unwrap();
    let new = d
        .dir
        .join("ortho/BDORTHO_2-0_RVB-0M20_JPEG_LAMB93_D034_2025/34-2025-0770-6275-LA93-0M20-E080.tif");
    std::fs::create_dir_all(new.parent().unwrap()).unwrap();
    let blue: Vec<u8> = (0..256 * 256).flat_map(|_| [20u8, 20, 200]).collect();
    tuile_demo::ortho::write_cog(&new, 770_000.0, 6_275_000.0, 5000.0 / 256.0, 256, &blue).unwrap();

    let update = index(&d.dir, &IndexOptions::default());
    assert_eq!(update.files, 45, "{update:?}");
    assert_eq!(update.read, 2, "the changed and the new file only: {update:?}");
    assert_eq!(update.removed, 1, "{update:?}");
    // 2021 lost a tile, 2024 changed one, 2025 is new: each edition's cell
    // is rebuilt, and no other.
    assert!(update.cells_built >= 3 && update.cells_kept == 0, "{update:?}");

    // The layer shows it with no configuration change: a new TIME value,
    // the red tile at full resolution and in the pyramid.
    let catalog = catalog_at(&d.dir, "mosaic.fgb");
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    let caps = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .await
        .text();
    assert!(caps.contains("2021,2024,2025"), "{caps}");
    let near = map(
        catalog_at(&d.dir, "mosaic.fgb"),
        [781_000.0, 6_276_000.0, 783_000.0, 6_278_000.0],
        64,
        64,
        "",
    )
    .await;
    let c = mean_rgb(&near, 0, 0, 64, 64);
    assert!(c[0] > 150.0 && c[2] < 60.0, "red at full resolution: {c:?}");
    let far = map(
        catalog_at(&d.dir, "mosaic.fgb"),
        [760_000.0, 6_265_000.0, 790_000.0, 6_290_000.0],
        120,
        100,
        "",
    )
    .await;
    let red_cell = mean_rgb(&far, 84, 44, 96, 56);
    assert!(
        red_cell[0] > 150.0 && red_cell[2] < 60.0,
        "red in the pyramid: {red_cell:?}"
    );
    let blue_cell = mean_rgb(&far, 44, 64, 56, 76);
    assert!(blue_cell[2] > 150.0, "the 2025 tile on top: {blue_cell:?}");
    let gone_cell = mean_rgb(
        &map(
            catalog_at(&d.dir, "mosaic.fgb"),
            [760_000.0, 6_265_000.0, 765_000.0, 6_270_000.0],
            16,
            16,
            "&TIME=2021",
        )
        .await,
        2,
        2,
        14,
        14,
    );
    assert_eq!(gone_cell, [0.0; 3], "the removed tile is gone");
    let _ = std::fs::remove_dir_all(&d.dir);
}

#[actix_web::test]
async fn start_up_opens_no_image_and_a_broken_file_is_named() {
    let d = delivery("broken");
    // A tile broken after indexing: the layer still opens (it reads the
    // index only), and the map over that tile names it.
    let victim = tile(&d, 770_000.0, 6_280_000.0, "2021").path.clone();
    std::fs::write(&victim, b"not a tiff").unwrap();
    let catalog = catalog_at(&d.dir, "mosaic.fgb");
    assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    let r = get(&app, "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:2154&BBOX=771000,6276000,772250,6277250&WIDTH=64&HEIGHT=64&FORMAT=image/png&TIME=2021").await;
    assert_eq!(r.status, 503, "{}", r.text());
    let text = r.text();
    assert!(text.contains("34-2021-0770-6280"), "the file is named: {text}");
    let _ = std::fs::remove_dir_all(&d.dir);
}
