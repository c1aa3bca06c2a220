//! WMTS 1.0.0 (KVP and RESTful), the tile matrix sets, and the tile cache:
//! capabilities validity, every error of the CITE checklist, tiles equal to
//! WMS maps, metatile edges, single flight, the byte cap, HTTP caching,
//! invalidation on file change, and the disk store filled by `tuile seed`.

mod common;

use std::sync::atomic::Ordering;

use actix_web::web;
use common::*;
use tuile::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::grid::{BBox, Crs, transform_bbox};

fn fresh_state(edit: impl FnOnce(&mut tuile_core::config::Config)) -> web::Data<AppState> {
    tuile_core::source::gdal::init(128);
    let mut config = common::config();
    edit(&mut config);
    web::Data::new(AppState::new(Catalog::load(config).unwrap()))
}

/// (z, row, col) of the tile of `tms` containing a Lambert-93 point.
fn tile_at(tms: &TileMatrixSet, z: usize, p: (f64, f64)) -> (u32, u32) {
    let b = transform_bbox(&BBox::new(p.0, p.1, p.0 + 0.01, p.1 + 0.01), Crs::lambert93(), tms.crs).unwrap();
    let r = tms.matrices[z].tile_range(&b).unwrap();
    (r.min_row, r.min_col)
}

fn rest(layer: &str, style: &str, tms: &str, z: usize, row: u32, col: u32, ext: &str) -> String {
    format!("/wmts/1.0.0/{layer}/{style}/{tms}/{z}/{row}/{col}.{ext}")
}

const BASIN_CENTRE: (f64, f64) = (770_250.0, 6_279_150.0);

// ---------------------------------------------------------------- capabilities

#[actix_web::test]
async fn capabilities_validate_and_describe_layers_and_sets() {
    let app = app(state()).await;
    let r = get(&app, "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities").await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/xml"));
    validate(
        &r.body,
        Schema::Xsd("cite-variants/wmts/1.0/wmtsGetCapabilities_response.xsd"),
    );
    validate(&r.body, Schema::Xsd("wmts/1.0/wmtsGetCapabilities_response.xsd"));
    let root = r.xml();
    let layers: Vec<String> = all(&root, "Layer")
        .iter()
        .map(|l| l.child("Identifier").unwrap().text())
        .collect();
    assert_eq!(layers, ["bdortho", "ocsol", "erp", "adresses"]);
    let sets = all(root.child("Contents").unwrap(), "TileMatrixSet")
        .into_iter()
        .filter(|t| t.child("Identifier").is_some())
        .map(|t| {
            (
                t.child("Identifier").unwrap().text(),
                t.child("SupportedCRS").unwrap().text(),
            )
        })
        .collect::<Vec<_>>();
    assert!(
        sets.contains(&("WebMercatorQuad".into(), "urn:ogc:def:crs:EPSG:6.18:3:3857".into())),
        "{sets:?}"
    );
    assert!(
        sets.contains(&("LAMB93".into(), "urn:ogc:def:crs:EPSG::2154".into())),
        "{sets:?}"
    );
    assert!(
        sets.contains(&("WorldCRS84Quad".into(), "urn:ogc:def:crs:OGC:1.3:CRS84".into())),
        "{sets:?}"
    );
    // Every Get DCP says which encoding it serves.
    for get in all(&root, "Get") {
        let c = get.child("Constraint").expect("a GetEncoding constraint");
        assert_eq!(c.attr("name"), Some("GetEncoding"));
    }
    let smu = root
        .child("ServiceMetadataURL")
        .unwrap()
        .attr("href")
        .unwrap()
        .to_string();
    assert!(smu.ends_with("/wmts/1.0.0/WMTSCapabilities.xml"));
    // Limits are inside their matrices, and LAMB93's top-left corner is IGN's.
    for link in all(&root, "TileMatrixSetLink") {
        for lim in all(link, "TileMatrixLimits") {
            let v = |n: &str| lim.child(n).unwrap().text().parse::<u32>().unwrap();
            assert!(v("MinTileRow") <= v("MaxTileRow") && v("MinTileCol") <= v("MaxTileCol"));
        }
    }
    assert!(r.text().contains("<TopLeftCorner>0 12000000</TopLeftCorner>"));
    // The ortho stops one level past its 20 cm pixels: LAMB93 level 19 (0.199 m) but not 20.
    let ortho = all(&root, "Layer")
        .into_iter()
        .find(|l| l.child("Identifier").unwrap().text() == "bdortho")
        .unwrap();
    let lamb = all(ortho, "TileMatrixSetLink")
        .into_iter()
        .find(|l| l.child("TileMatrixSet").unwrap().text() == "LAMB93")
        .unwrap();
    let levels: Vec<String> = all(lamb, "TileMatrix").iter().map(|m| m.text()).collect();
    assert_eq!(levels.last().map(String::as_str), Some("19"));
}

#[actix_web::test]
async fn capabilities_are_the_same_for_any_case_and_order_and_over_rest() {
    let app = app(state()).await;
    let a = get(&app, "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities").await.body;
    let b = get(
        &app,
        "/wmts?request=GetCapabilities&service=WMTS&AcceptFormats=text/bogus",
    )
    .await
    .body;
    let c = get(&app, "/wmts/1.0.0/WMTSCapabilities.xml").await.body;
    assert_eq!(a, b);
    assert_eq!(a, c);
    let r = get_with(
        &app,
        "/wmts/1.0.0/WMTSCapabilities.xml",
        &[("Accept", "example/unknown")],
    )
    .await;
    assert_eq!(r.status, 406);
    let r = get(&app, "/wmts/1.0.0/WMTSCapabilities.xml/Bogus").await;
    assert_eq!(r.status, 404);
    validate(&r.body, Schema::Xsd("ows/1.1.0/owsExceptionReport.xsd"));
}

#[actix_web::test]
async fn capabilities_sections_versions_and_update_sequence() {
    let app = app(state()).await;
    let root = get(&app, "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&Sections=Contents")
        .await
        .xml();
    let children: Vec<&str> = root.elements().map(|e| e.name.as_str()).collect();
    assert_eq!(children, ["Contents"]);
    let root = get(
        &app,
        "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&Sections=ServiceIdentification,OperationsMetadata",
    )
    .await
    .xml();
    let children: Vec<&str> = root.elements().map(|e| e.name.as_str()).collect();
    assert_eq!(children, ["ServiceIdentification", "OperationsMetadata"]);
    let seq: u64 = root.attr("updateSequence").unwrap().parse().unwrap();
    let bare = get(
        &app,
        &format!("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&UpdateSequence={seq}"),
    )
    .await
    .xml();
    assert_eq!(bare.elements().count(), 0);
    assert_eq!(bare.attr("version"), Some("1.0.0"));
    let older = get(
        &app,
        &format!("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&UpdateSequence={}", seq - 1),
    )
    .await
    .xml();
    assert!(older.child("Contents").is_some());
    expect(
        &app,
        &format!("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&UpdateSequence={}", seq + 1),
        400,
        "InvalidUpdateSequence",
        Some("updateSequence"),
    )
    .await;
    expect(
        &app,
        "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&Sections=Bogus",
        400,
        "InvalidParameterValue",
        Some("sections"),
    )
    .await;
    expect(
        &app,
        "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&Sections=",
        400,
        "MissingParameterValue",
        Some("sections"),
    )
    .await;
    expect(
        &app,
        "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&AcceptVersions=2.0.0",
        400,
        "VersionNegotiationFailed",
        None,
    )
    .await;
    let ok = get(
        &app,
        "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&AcceptVersions=2.0.0,1.0.0",
    )
    .await;
    assert_eq!(ok.status, 200);
}

// ---------------------------------------------------------------- errors

async fn expect<S>(app: &S, uri: &str, status: u16, code: &str, locator: Option<&str>)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let r = get(app, uri).await;
    assert_eq!(r.status, status, "{uri}: {}", r.text());
    validate(&r.body, Schema::Xsd("ows/1.1.0/owsExceptionReport.xsd"));
    let (got, loc) = r.exception();
    assert_eq!(got, code, "{uri}");
    assert_eq!(
        loc.map(|l| l.to_ascii_lowercase()),
        locator.map(|l| l.to_ascii_lowercase()),
        "{uri}"
    );
}

#[actix_web::test]
async fn kvp_errors_follow_the_checklist() {
    let app = app(state()).await;
    expect(
        &app,
        "/wmts?REQUEST=GetCapabilities",
        400,
        "MissingParameterValue",
        Some("service"),
    )
    .await;
    expect(
        &app,
        "/wmts?SERVICE=BOGUS&REQUEST=GetCapabilities",
        400,
        "InvalidParameterValue",
        Some("service"),
    )
    .await;
    expect(
        &app,
        "/wmts?SERVICE=WMTS&REQUEST=GetBOGUS",
        400,
        "InvalidParameterValue",
        Some("request"),
    )
    .await;
    expect(
        &app,
        "/wmts?SERVICE=WMTS&REQUEST",
        400,
        "MissingParameterValue",
        Some("request"),
    )
    .await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 16, BASIN_CENTRE);
    let ok = format!(
        "SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=ocsol&STYLE=couverture&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=16&TILEROW={row}&TILECOL={col}"
    );
    let r = get(&app, &format!("/wmts?{ok}")).await;
    assert_eq!((r.status, r.content_type.as_str()), (200, "image/png"), "{}", r.text());
    assert_eq!(r.image().dimensions(), (256, 256));
    for p in [
        "LAYER",
        "STYLE",
        "FORMAT",
        "TILEMATRIXSET",
        "TILEMATRIX",
        "TILEROW",
        "TILECOL",
    ] {
        let without: Vec<&str> = ok.split('&').filter(|kv| !kv.starts_with(&format!("{p}="))).collect();
        expect(
            &app,
            &format!("/wmts?{}", without.join("&")),
            400,
            "MissingParameterValue",
            Some(p),
        )
        .await;
    }
    let bad = |from: &str, to: &str| format!("/wmts?{}", ok.replace(from, to));
    let (tr, tc) = (format!("TILEROW={row}"), format!("TILECOL={col}"));
    let cases = [
        (bad("LAYER=ocsol", "LAYER=bogus"), "InvalidParameterValue", "Layer"),
        (bad("STYLE=couverture", "STYLE=bogus"), "InvalidParameterValue", "Style"),
        (
            bad("FORMAT=image/png", "FORMAT=image/bogus"),
            "InvalidParameterValue",
            "Format",
        ),
        (
            bad("TILEMATRIXSET=WebMercatorQuad", "TILEMATRIXSET=bogus"),
            "InvalidParameterValue",
            "TileMatrixSet",
        ),
        (
            bad("TILEMATRIX=16", "TILEMATRIX=bogus"),
            "InvalidParameterValue",
            "TileMatrix",
        ),
        (
            bad("TILEMATRIX=16", "TILEMATRIX=3"),
            "InvalidParameterValue",
            "TileMatrix",
        ),
        (bad(&tr, "TILEROW=7"), "TileOutOfRange", "TileRow"),
        (bad(&tc, "TILECOL=-1"), "TileOutOfRange", "TileCol"),
        (bad(&tc, "TILECOL=x"), "InvalidParameterValue", "TileCol"),
        (format!("/wmts?{ok}&TIME=1999"), "InvalidParameterValue", "time"),
        (
            bad("VERSION=1.0.0", "VERSION=2.0.0"),
            "InvalidParameterValue",
            "version",
        ),
    ];
    for (uri, code, locator) in cases {
        expect(&app, &uri, 400, code, Some(locator)).await;
    }
}

#[actix_web::test]
async fn rest_tiles_and_their_errors() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("LAMB93").unwrap();
    let (row, col) = tile_at(tms, 17, BASIN_CENTRE);
    let r = get(&app, &rest("bdortho", "default", "LAMB93", 17, row, col, "jpg")).await;
    assert_eq!((r.status, r.content_type.as_str()), (200, "image/jpeg"));
    assert_eq!(r.image().dimensions(), (256, 256));
    let r = get(&app, &rest("bdortho", "default", "LAMB93", 17, row, col, "png")).await;
    assert_eq!(r.content_type, "image/png");
    for uri in [
        rest("bogus", "default", "LAMB93", 17, row, col, "png"),
        rest("bdortho", "bogus", "LAMB93", 17, row, col, "png"),
        rest("bdortho", "default", "Bogus", 17, row, col, "png"),
        rest("bdortho", "default", "LAMB93", 99, row, col, "png"),
        rest("bdortho", "default", "LAMB93", 17, 1, col, "png"),
        rest("bdortho", "default", "LAMB93", 17, row, col, "gif"),
    ] {
        let r = get(&app, &uri).await;
        assert_eq!(r.status, 404, "{uri}");
        validate(&r.body, Schema::Xsd("ows/1.1.0/owsExceptionReport.xsd"));
    }
    // The land cover's time dimension, through the template's query.
    let (row, col) = tile_at(TileMatrixSet::get("WebMercatorQuad").unwrap(), 15, BASIN_CENTRE);
    let base = rest("ocsol", "couverture", "WebMercatorQuad", 15, row, col, "png");
    let latest = get(&app, &base).await.body;
    assert_eq!(get(&app, &format!("{base}?time=2022")).await.body, latest);
    assert_ne!(get(&app, &format!("{base}?time=2019")).await.body, latest);
    assert_eq!(get(&app, &format!("{base}?time=1999")).await.status, 404);
}

// ---------------------------------------------------------------- tiles = maps

/// Stitches four tiles (two rows of two) into a 512×512 image.
fn stitch(tiles: [image::RgbaImage; 4]) -> image::RgbaImage {
    let mut out = image::RgbaImage::new(512, 512);
    for (i, t) in tiles.iter().enumerate() {
        image::imageops::replace(&mut out, t, (i as i64 % 2) * 256, (i as i64 / 2) * 256);
    }
    out
}

/// Largest channel difference and share of pixels differing by more than 8.
fn compare(a: &image::RgbaImage, b: &image::RgbaImage) -> (u8, f64) {
    let mut worst = 0u8;
    let mut off = 0usize;
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d = p.0.iter().zip(q.0).map(|(x, y)| x.abs_diff(y)).max().unwrap();
        worst = worst.max(d);
        if d > 8 {
            off += 1;
        }
    }
    (worst, off as f64 / (a.width() * a.height()) as f64)
}

async fn tiles_vs_map<S>(
    app: &S,
    layer: &str,
    tms_id: &str,
    z: usize,
    p: (f64, f64),
    ext: &str,
) -> (image::RgbaImage, image::RgbaImage)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let tms = TileMatrixSet::get(tms_id).unwrap();
    let (row, col) = tile_at(tms, z, p);
    let mut tiles = Vec::new();
    for (dr, dc) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let r = get(app, &rest(layer, "default", tms_id, z, row + dr, col + dc, ext)).await;
        assert_eq!(r.status, 200, "{}", r.text());
        tiles.push(r.image());
    }
    let b = tms.matrices[z].range_bbox(row, col, row + 2, col + 2);
    let v = tms.crs.bbox_to_axis_order(&b, true);
    let format = if ext == "png" {
        "image/png&TRANSPARENT=TRUE"
    } else {
        "image/jpeg"
    };
    let q = format!(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS={}&BBOX={},{},{},{}&WIDTH=512&HEIGHT=512&FORMAT={format}",
        tms.crs.identifier(),
        v[0],
        v[1],
        v[2],
        v[3]
    );
    let map = get(app, &q).await;
    assert_eq!(map.status, 200, "{}", map.text());
    (stitch(tiles.try_into().unwrap()), map.image())
}

#[actix_web::test]
async fn tiles_equal_wms_maps_in_every_set() {
    let app = app(state()).await;
    for (tms, z) in [("WebMercatorQuad", 17), ("LAMB93", 16), ("WorldCRS84Quad", 16)] {
        // Raster: one tile per metatile, the same warp as GetMap.
        let (tiles, map) = tiles_vs_map(&app, "bdortho", tms, z, BASIN_CENTRE, "png").await;
        let (worst, share) = compare(&tiles, &map);
        assert!(share < 0.01 && worst < 40, "bdortho {tms}: {worst} {share}");
        // Vectors: drawn in 4×4 metatiles with a buffer.
        let (tiles, map) = tiles_vs_map(&app, "ocsol", tms, z, BASIN_CENTRE, "png").await;
        let (worst, share) = compare(&tiles, &map);
        assert!(share < 0.005, "ocsol {tms}: {worst} {share}");
    }
}

#[actix_web::test]
async fn symbols_are_whole_across_metatile_edges() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    // Two tiles either side of a metatile edge (columns 4k-1 and 4k), where
    // the address points are dense.
    let z = 18;
    let (_, col) = tile_at(tms, z, BASIN_CENTRE);
    let edge_col = (col / 4) * 4 + 4;
    let p = {
        let b = tms.matrices[z].tile_bbox(tile_at(tms, z, BASIN_CENTRE).0, edge_col);
        let l93 = transform_bbox(&b, tms.crs, Crs::lambert93()).unwrap();
        (l93.minx - 1.0, l93.maxy - 1.0)
    };
    let mut found_crossing = false;
    for dy in 0..6u32 {
        let (row, c) = tile_at(tms, z, (p.0, p.1 - dy as f64 * 150.0));
        assert_eq!(c, edge_col - 1);
        let left = get(&app, &rest("adresses", "default", "WebMercatorQuad", z, row, c, "png"))
            .await
            .image();
        let right = get(
            &app,
            &rest("adresses", "default", "WebMercatorQuad", z, row, c + 1, "png"),
        )
        .await
        .image();
        let crossing = (0..256)
            .filter(|&y| left.get_pixel(255, y).0[3] > 0 && right.get_pixel(0, y).0[3] > 0)
            .count();
        if crossing == 0 {
            continue;
        }
        found_crossing = true;
        // The stitched pair equals one map of both: nothing is cut at the edge.
        let b = tms.matrices[z].range_bbox(row, c, row + 1, c + 2);
        let q = format!(
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=adresses&STYLES=&CRS=EPSG:3857&BBOX={},{},{},{}&WIDTH=512&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE",
            b.minx, b.miny, b.maxx, b.maxy
        );
        let map = get(&app, &q).await.image();
        let mut both = image::RgbaImage::new(512, 256);
        image::imageops::replace(&mut both, &left, 0, 0);
        image::imageops::replace(&mut both, &right, 256, 0);
        let (worst, share) = compare(&both, &map);
        assert!(share < 0.002, "{worst} {share}");
        break;
    }
    assert!(
        found_crossing,
        "no symbol straddles the metatile edge in the rows tried"
    );
}

// ---------------------------------------------------------------- cache

#[actix_web::test]
async fn concurrent_requests_for_one_metatile_render_it_once() {
    let state = fresh_state(|_| {});
    let app = app(state.clone()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 17, BASIN_CENTRE);
    let (r0, c0) = (row / 4 * 4, col / 4 * 4);
    let uris: Vec<String> = (0..4)
        .flat_map(|dr| (0..4).map(move |dc| (dr, dc)))
        .map(|(dr, dc)| rest("erp", "default", "WebMercatorQuad", 17, r0 + dr, c0 + dc, "png"))
        .collect();
    let replies = futures_util::future::join_all(uris.iter().map(|u| get(&app, u))).await;
    assert!(replies.iter().all(|r| r.status == 200));
    assert_eq!(
        state.tiles.renders.load(Ordering::SeqCst),
        1,
        "16 tiles, one metatile, one render"
    );
    // And again: all from memory.
    futures_util::future::join_all(uris.iter().map(|u| get(&app, u))).await;
    assert_eq!(state.tiles.renders.load(Ordering::SeqCst), 1);
    assert!(state.tiles.hits.load(Ordering::SeqCst) >= 16);
}

#[actix_web::test]
async fn the_memory_cap_is_never_exceeded() {
    let state = fresh_state(|c| c.server.cache.memory_mb = 1);
    let app = app(state.clone()).await;
    let tms = TileMatrixSet::get("LAMB93").unwrap();
    let z = 18;
    let (row, col) = tile_at(tms, z, BASIN_CENTRE);
    let cap = state.tiles.cap_bytes();
    let mut served = 0;
    for dr in 0..6 {
        // Bursts of concurrent requests, each tile ~100 KB of PNG: well over 1 MiB in all.
        let uris: Vec<String> = (0..6)
            .map(|dc| rest("bdortho", "default", "LAMB93", z, row - 3 + dr, col - 3 + dc, "png"))
            .collect();
        let replies = futures_util::future::join_all(uris.iter().map(|u| get(&app, u))).await;
        for r in replies {
            assert_eq!(r.status, 200);
            served += r.body.len();
        }
        assert!(state.tiles.used_bytes() <= cap, "{} > {cap}", state.tiles.used_bytes());
    }
    state.tiles.sync().await;
    assert!(
        served as u64 > 2 * cap,
        "the test served {served} bytes, more than the cap"
    );
    assert!(state.tiles.used_bytes() <= cap);
    assert!(
        state.tiles.used_bytes() > cap / 4,
        "the cache is used: {}",
        state.tiles.used_bytes()
    );
}

#[actix_web::test]
async fn etag_304_cache_control_and_last_modified() {
    let app = app(state()).await;
    let (row, col) = tile_at(TileMatrixSet::get("WebMercatorQuad").unwrap(), 16, BASIN_CENTRE);
    let uri = rest("ocsol", "couverture", "WebMercatorQuad", 16, row, col, "png");
    let r = get(&app, &uri).await;
    let etag = r.headers.get("etag").unwrap().to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "strong: {etag}");
    assert_eq!(r.headers.get("cache-control").unwrap(), "public, max-age=3600");
    let lm = r.headers.get("last-modified").unwrap().to_str().unwrap();
    assert!(httpdate::parse_http_date(lm).is_ok());
    let again = get_with(&app, &uri, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.headers.get("etag").unwrap().to_str().unwrap(), etag);
    let other = get_with(&app, &uri, &[("If-None-Match", "\"nope\"")]).await;
    assert_eq!(other.status, 200);
    // WMS maps carry the same headers.
    let map = get(&app, "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocsol,erp&STYLES=&CRS=EPSG:2154&BBOX=770000,6279000,770400,6279400&WIDTH=300&HEIGHT=300&FORMAT=image/png").await;
    let etag = map.headers.get("etag").unwrap().to_str().unwrap().to_string();
    assert!(map.headers.get("cache-control").is_some() && map.headers.get("last-modified").is_some());
    let q = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocsol,erp&STYLES=&CRS=EPSG:2154&BBOX=770000,6279000,770400,6279400&WIDTH=300&HEIGHT=300&FORMAT=image/png";
    assert_eq!(get_with(&app, q, &[("If-None-Match", &etag)]).await.status, 304);
}

#[actix_web::test]
async fn empty_tiles_share_one_small_png() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    // In the middle of the water basin there is no address (a level-20 tile
    // is about 27 m wide there; the basin is 100 m wide).
    let (row, col) = tile_at(tms, 20, BASIN_CENTRE);
    let r = get(
        &app,
        &rest("adresses", "default", "WebMercatorQuad", 20, row, col, "png"),
    )
    .await;
    assert_eq!(r.status, 200);
    let opaque: Vec<(u32, u32)> = r
        .image()
        .enumerate_pixels()
        .filter(|p| p.2.0[3] > 0)
        .map(|p| (p.0, p.1))
        .take(5)
        .collect();
    assert!(opaque.is_empty(), "{opaque:?}");
    let empty = tuile_core::tiles::empty_png();
    assert!(
        r.body == empty.as_ref(),
        "the shared empty tile ({} bytes, not {})",
        empty.len(),
        r.body.len()
    );
    assert!(empty.len() < 1000, "{}", empty.len());
    let img = image::load_from_memory(&empty).unwrap().to_rgba8();
    assert_eq!(img.dimensions(), (256, 256));
    assert!(img.pixels().all(|p| p.0[3] == 0));
}

#[actix_web::test]
async fn tiled_wms_requests_share_the_tile_cache() {
    let state = fresh_state(|_| {});
    let app = app(state.clone()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 17, BASIN_CENTRE);
    let b = tms.matrices[17].tile_bbox(row, col);
    let q = format!(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocsol&STYLES=&CRS=EPSG:3857&BBOX={},{},{},{}&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE&TILED=true",
        b.minx, b.miny, b.maxx, b.maxy
    );
    let wms = get(&app, &q).await;
    assert_eq!(wms.status, 200);
    assert_eq!(state.tiles.renders.load(Ordering::SeqCst), 1);
    let wmts = get(
        &app,
        &rest("ocsol", "couverture", "WebMercatorQuad", 17, row, col, "png"),
    )
    .await;
    assert_eq!(wmts.body, wms.body);
    assert_eq!(state.tiles.renders.load(Ordering::SeqCst), 1, "served from the cache");
}

#[actix_web::test]
async fn a_changed_source_file_drops_its_layer_tiles() {
    // A private copy of the ERP file, so that the test can touch it.
    let dir = repo().join(format!("target/watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let erp = dir.join("erp.fgb");
    std::fs::copy(data_dir().join("erp.fgb"), &erp).unwrap();
    let text = std::fs::read_to_string(repo().join("tuile.toml"))
        .unwrap()
        .replace("${TUILE_DATA:-data}/erp.fgb", &erp.display().to_string())
        .replace("metadata = \"", "metadata = \"../../")
        .replace("styles_dir = \"", "styles_dir = \"../../");
    let cfg = dir.join("tuile.toml");
    std::fs::write(&cfg, text).unwrap();
    let data = data_dir().to_string_lossy().into_owned();
    let config = tuile_core::config::Config::load_with(&cfg, |n| (n == "TUILE_DATA").then(|| data.clone())).unwrap();
    let state = web::Data::new(AppState::new(Catalog::load(config).unwrap()));
    actix_web::rt::spawn(tuile::serve::watch_sources(
        state.clone(),
        std::time::Duration::from_millis(100),
    ));
    let app = app(state.clone()).await;
    let (row, col) = tile_at(TileMatrixSet::get("WebMercatorQuad").unwrap(), 16, BASIN_CENTRE);
    let uri = rest("erp", "default", "WebMercatorQuad", 16, row, col, "png");
    assert_eq!(get(&app, &uri).await.status, 200);
    assert_eq!(state.tiles.renders.load(Ordering::SeqCst), 1);
    let stamp = state.catalog().layer("erp").unwrap().stamp;
    // The data is republished (a new modification time).
    let f = std::fs::File::options().write(true).open(&erp).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(f);
    let mut waited = 0;
    while state.catalog().layer("erp").unwrap().stamp == stamp {
        assert!(waited < 200, "the change was not noticed within 20 s");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(get(&app, &uri).await.status, 200);
    assert_eq!(
        state.tiles.renders.load(Ordering::SeqCst),
        2,
        "the tile was rendered again"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn admin_invalidation_is_off_by_default_and_loopback_only() {
    // Not routed on the public server.
    let public = app(state()).await;
    let r = actix_web::test::call_service(
        &public,
        actix_web::test::TestRequest::post()
            .uri("/admin/invalidate")
            .to_request(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 404);
    // Refused on a public address.
    let text = std::fs::read_to_string(repo().join("tuile.toml")).unwrap().replace(
        "[server.limits]",
        "[server.admin]\nenabled = true\nbind = \"0.0.0.0:9999\"\n\n[server.limits]",
    );
    let errs = tuile_core::config::Config::from_toml_with(&text, std::path::Path::new("t.toml"), |_| Some("x".into()))
        .unwrap_err();
    assert!(
        errs.iter().any(|e| e.key.as_deref() == Some("server.admin.bind")),
        "{errs:?}"
    );
    // On loopback it drops a layer's tiles.
    let state = fresh_state(|_| {});
    let admin = actix_web::test::init_service(
        actix_web::App::new()
            .app_data(state.clone())
            .configure(tuile::admin::routes),
    )
    .await;
    let app = app(state.clone()).await;
    let (row, col) = tile_at(TileMatrixSet::get("WebMercatorQuad").unwrap(), 16, BASIN_CENTRE);
    let uri = rest("erp", "default", "WebMercatorQuad", 16, row, col, "png");
    get(&app, &uri).await;
    let r = actix_web::test::call_service(
        &admin,
        actix_web::test::TestRequest::post()
            .uri("/admin/invalidate?layer=erp")
            .to_request(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    state.tiles.sync().await;
    get(&app, &uri).await;
    assert_eq!(state.tiles.renders.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn seeded_tiles_are_served_from_the_disk_store() {
    let store = repo().join(format!("target/store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    let b = BBox::new(770_200.0, 6_279_100.0, 770_300.0, 6_279_200.0);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tuile"))
        .env("TUILE_DATA", data_dir())
        .args(["seed", "--config"])
        .arg(repo().join("tuile.toml"))
        .args(["--layer", "ocsol", "--tms", "LAMB93", "--levels", "16-17", "--bbox"])
        .arg(format!("{},{},{},{}", b.minx, b.miny, b.maxx, b.maxy))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tiles written"), "{stderr}");
    let state = fresh_state(|c| c.server.cache.disk = Some(store.clone()));
    let app = app(state.clone()).await;
    let (row, col) = tile_at(TileMatrixSet::get("LAMB93").unwrap(), 17, BASIN_CENTRE);
    let r = get(&app, &rest("ocsol", "couverture", "LAMB93", 17, row, col, "png")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        state.tiles.renders.load(Ordering::SeqCst),
        0,
        "read from the store, not rendered"
    );
    let file = store.join(format!("ocsol/couverture/LAMB93/time-2022/17/{row}/{col}.png"));
    assert!(std::fs::read(file).unwrap() == r.body);
    // A tile outside the seeded box is rendered.
    let r = get(&app, &rest("ocsol", "couverture", "LAMB93", 17, row + 2, col, "png")).await;
    assert_eq!(r.status, 200);
    assert_eq!(state.tiles.renders.load(Ordering::SeqCst), 1);
    let _ = std::fs::remove_dir_all(store);
}

#[actix_web::test]
async fn tile_matrix_sets_as_json() {
    let app = app(state()).await;
    let list: serde_json::Value = serde_json::from_slice(&get(&app, "/tileMatrixSets").await.body).unwrap();
    let ids: Vec<&str> = list["tileMatrixSets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["WebMercatorQuad", "LAMB93", "WorldCRS84Quad"]);
    let l93: serde_json::Value = serde_json::from_slice(&get(&app, "/tileMatrixSets/LAMB93").await.body).unwrap();
    assert_eq!(l93["crs"], "http://www.opengis.net/def/crs/EPSG/0/2154");
    let m19 = &l93["tileMatrices"][19];
    assert!((m19["cellSize"].as_f64().unwrap() - 0.19937160730).abs() < 1e-6);
    assert_eq!(m19["pointOfOrigin"], serde_json::json!([0.0, 12000000.0]));
    let wm: serde_json::Value =
        serde_json::from_slice(&get(&app, "/tileMatrixSets/WebMercatorQuad").await.body).unwrap();
    assert_eq!(
        wm["uri"],
        "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    );
    assert_eq!(wm["tileMatrices"][0]["matrixWidth"], 1);
    let crs84: serde_json::Value =
        serde_json::from_slice(&get(&app, "/tileMatrixSets/WorldCRS84Quad").await.body).unwrap();
    assert_eq!(crs84["orderedAxes"], serde_json::json!(["Lon", "Lat"]));
    assert_eq!(get(&app, "/tileMatrixSets/Bogus").await.status, 404);
}

#[actix_web::test]
async fn feature_info_over_kvp_and_rest() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let z = 18;
    let landmark = tuile_demo::LANDMARK_ERP;
    let (row, col) = tile_at(tms, z, landmark);
    // The landmark's pixel in its tile.
    let m = &tms.matrices[z];
    let (x, y) = tuile_core::grid::transform_point(Crs::lambert93(), tms.crs, landmark.0, landmark.1).unwrap();
    let b = m.tile_bbox(row, col);
    let (i, j) = (((x - b.minx) / m.cell_size) as u32, ((b.maxy - y) / m.cell_size) as u32);
    let r = get(
        &app,
        &format!("/wmts/1.0.0/erp/default/WebMercatorQuad/{z}/{row}/{col}/{j}/{i}.json"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        json["features"][0]["properties"]["nom"],
        "Hôtel de Ville de Montpellier"
    );
    let kvp = format!(
        "/wmts?SERVICE=WMTS&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER=erp&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={row}&TILECOL={col}&I={i}&J={j}&INFOFORMAT=text/html"
    );
    let r = get(&app, &kvp).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.text().contains("Hôtel de Ville de Montpellier"));
    expect(
        &app,
        &kvp.replace(&format!("&I={i}"), "&I=300"),
        400,
        "InvalidParameterValue",
        Some("I"),
    )
    .await;
    expect(
        &app,
        &kvp.replace(&format!("&J={j}"), "&J=-2"),
        400,
        "InvalidParameterValue",
        Some("J"),
    )
    .await;
    expect(
        &app,
        &kvp.replace("text/html", "text/bogus"),
        400,
        "InvalidParameterValue",
        Some("InfoFormat"),
    )
    .await;
    expect(
        &app,
        &kvp.replace(&format!("&I={i}"), ""),
        400,
        "MissingParameterValue",
        Some("I"),
    )
    .await;
    expect(
        &app,
        &kvp.replace("&INFOFORMAT=text/html", ""),
        400,
        "MissingParameterValue",
        Some("InfoFormat"),
    )
    .await;
    let r = get(
        &app,
        &format!("/wmts/1.0.0/erp/default/WebMercatorQuad/{z}/{row}/{col}/{j}/999.json"),
    )
    .await;
    assert_eq!(r.status, 404);
    // Capabilities declare the formats and a FeatureInfo template.
    let caps = get(&app, "/wmts/1.0.0/WMTSCapabilities.xml").await.text();
    assert!(caps.contains("<InfoFormat>application/json</InfoFormat>"));
    assert!(caps.contains(r#"resourceType="FeatureInfo""#));
}

#[actix_web::test]
async fn labels_are_never_cut_at_metatile_edges() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    // Level 19 (1:1,100): ERP names and address numbers are written.
    let z = 19;
    let (row0, col0) = tile_at(tms, z, BASIN_CENTRE);
    let mut content_near_edges = 0;
    for layer in ["erp", "adresses"] {
        for dr in 0..8u32 {
            // Columns 4k-1 | 4k: the two tiles either side of a metatile edge.
            let row = row0 - 4 + dr;
            let c = (col0 / 4) * 4 + 3;
            let left = get(&app, &rest(layer, "default", "WebMercatorQuad", z, row, c, "png"))
                .await
                .image();
            let right = get(&app, &rest(layer, "default", "WebMercatorQuad", z, row, c + 1, "png"))
                .await
                .image();
            for y in 0..256 {
                let (l, r) = (left.get_pixel(255, y).0[3] > 0, right.get_pixel(0, y).0[3] > 0);
                // Whatever touches the edge continues across it (symbols are
                // drawn by both metatiles; labels are kept whole in one).
                assert_eq!(l, r, "{layer} row {row} y {y}: cut at the metatile edge");
                content_near_edges += (0..32).filter(|&x| left.get_pixel(255 - x, y).0[3] > 0).count();
            }
        }
    }
    assert!(
        content_near_edges > 50,
        "the test looked at tiles with something near the edge ({content_near_edges})"
    );
}
