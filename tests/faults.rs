//! Faults survived: sources deleted, truncated, replaced or corrupted while
//! serving, a broken style at reload, an unwritable tile store, panics,
//! and the limits (pixels, features, filter size, query string, body,
//! render time, concurrent renders). In each, the rest of the service keeps
//! answering correctly.

mod common;

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use actix_web::web;
use common::sandbox::Sandbox;
use common::*;
use tuile::state::AppState;
use tuile_core::catalog::Catalog;

const MAP: &str = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:2154&BBOX=769500,6278500,770500,6279500&WIDTH=256&HEIGHT=256&FORMAT=image/png&LAYERS=";

fn tile(layer: &str, style: &str) -> String {
    use tuile_core::grid::tms::TileMatrixSet;
    use tuile_core::grid::{BBox, Crs, transform_bbox};
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let p = (770_250.0, 6_279_150.0);
    let b = transform_bbox(&BBox::new(p.0, p.1, p.0 + 0.01, p.1 + 0.01), Crs::lambert93(), tms.crs).unwrap();
    let r = tms.matrices[16].tile_range(&b).unwrap();
    format!(
        "/wmts/1.0.0/{layer}/{style}/WebMercatorQuad/16/{}/{}.png",
        r.min_row, r.min_col
    )
}

/// Asserts an answer is a 503 exception naming `needle`, not a crash.
fn unavailable(r: &Reply, needle: &str) {
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains(needle), "{needle} in {}", r.text());
    assert!(r.headers.get("retry-after").is_some());
}

#[actix_web::test]
async fn a_source_truncated_deleted_then_replaced_while_serving() {
    let sandbox = Sandbox::new();
    let state = sandbox.state(|_| {});
    let app = app(state.clone()).await;
    let original = std::fs::read(sandbox.file("erp.fgb")).unwrap();
    assert_eq!(get(&app, &format!("{MAP}erp")).await.status, 200);
    let cached = get(&app, &tile("erp", "default")).await;
    assert_eq!(cached.status, 200);

    // Truncated: the header and index still read, the last features do not.
    std::fs::write(sandbox.file("erp.fgb"), &original[..original.len() * 2 / 3]).unwrap();
    sandbox.reload(&state);
    unavailable(&get(&app, &format!("{MAP}erp")).await, "erp.fgb");
    // The stale tile is gone: it is drawn again, and fails the same way.
    unavailable(&get(&app, &tile("erp", "default")).await, "erp.fgb");
    unavailable(&get(&app, "/collections/erp/items?limit=1000").await, "truncated");
    assert_eq!(
        get(&app, &format!("{MAP}ocsol")).await.status,
        200,
        "the other layers serve"
    );

    // Deleted: a 503 that names the layer and the file, everywhere.
    std::fs::remove_file(sandbox.file("erp.fgb")).unwrap();
    sandbox.reload(&state);
    unavailable(&get(&app, &format!("{MAP}erp")).await, "erp.fgb");
    unavailable(&get(&app, &tile("erp", "default")).await, "erp.fgb");
    unavailable(&get(&app, "/collections/erp/items").await, "erp.fgb");
    let ready = get(&app, "/ready").await;
    assert_eq!(ready.status, 503);
    assert!(ready.text().contains("erp.fgb"));
    assert!(
        !get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities")
            .await
            .text()
            .contains("<Name>erp</Name>")
    );
    assert_eq!(get(&app, &format!("{MAP}ocsol,adresses")).await.status, 200);

    // Replaced: the new data is served.
    std::fs::write(sandbox.file("erp.fgb"), &original).unwrap();
    sandbox.reload(&state);
    assert_eq!(get(&app, &format!("{MAP}erp")).await.status, 200);
    assert_eq!(get(&app, &tile("erp", "default")).await.status, 200);
    assert_eq!(get(&app, "/ready").await.status, 200);
}

#[actix_web::test]
async fn a_cog_with_a_corrupt_block() {
    let sandbox = Sandbox::new();
    let cogs: Vec<PathBuf> = std::fs::read_dir(sandbox.file("bdortho"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tif"))
        .collect();
    assert!(!cogs.is_empty());
    // Garbage over the middle of every tile's data, past the headers.
    for cog in &cogs {
        let mut bytes = std::fs::read(cog).unwrap();
        let (from, to) = (bytes.len() / 3, bytes.len() * 2 / 3);
        for (i, b) in bytes[from..to].iter_mut().enumerate() {
            *b = (i * 7919 % 251) as u8;
        }
        std::fs::write(cog, bytes).unwrap();
    }
    let state = sandbox.state(|_| {});
    let app = app(state).await;
    for size in [256, 1024] {
        let r = get(
            &app,
            &format!("{MAP}bdortho").replace("WIDTH=256&HEIGHT=256", &format!("WIDTH={size}&HEIGHT={size}")),
        )
        .await;
        assert!(r.status == 200 || r.status == 503, "{}: {}", r.status, r.text());
        if r.status == 503 {
            assert!(
                r.text().contains("bdortho") || r.text().contains(".tif"),
                "{}",
                r.text()
            );
        }
    }
    // The vector layers are untouched, and the server still answers after the errors.
    assert_eq!(get(&app, &format!("{MAP}ocsol,erp")).await.status, 200);
    assert_eq!(get(&app, "/health").await.status, 200);
}

#[actix_web::test]
async fn a_flatgeobuf_with_a_broken_index_names_its_file() {
    let sandbox = Sandbox::new();
    let path = sandbox.file("adresses.fgb");
    let mut bytes = std::fs::read(&path).unwrap();
    // The index starts after the 8 magic bytes, the size and the header.
    let header = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let index = 12 + header;
    for b in &mut bytes[index + 64..index + 4096] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, bytes).unwrap();
    let state = sandbox.state(|_| {});
    let catalog = state.catalog();
    assert_eq!(catalog.problems.len(), 1, "{:?}", catalog.problems);
    assert!(
        catalog.problems[0].contains("adresses") && catalog.problems[0].contains("index"),
        "{:?}",
        catalog.problems
    );
    let app = app(state.clone()).await;
    unavailable(&get(&app, &format!("{MAP}adresses")).await, "adresses.fgb");
    assert_eq!(get(&app, &format!("{MAP}erp,ocsol")).await.status, 200);
}

#[actix_web::test]
async fn a_style_error_at_reload_keeps_the_previous_style() {
    let sandbox = Sandbox::new();
    let state = sandbox.state(|_| {});
    let app = app(state.clone()).await;
    let before = get(&app, &format!("{MAP}erp")).await;
    assert_eq!(before.status, 200);
    let style = sandbox.dir.join("styles/erp/default.sld");
    let text = std::fs::read_to_string(&style).unwrap();
    std::fs::write(&style, text.replacen("<se:Rule>", "<se:Rule><se:Bogus/>", 1)).unwrap();
    sandbox.reload(&state);
    let after = get(&app, &format!("{MAP}erp")).await;
    assert_eq!(after.status, 200, "the layer is still served");
    assert_eq!(xxhash(&after.body), xxhash(&before.body), "with its previous style");
    let ready = get(&app, "/ready").await;
    assert_eq!(ready.status, 503);
    assert!(
        ready.text().contains("default.sld") && ready.text().contains("previous version"),
        "{}",
        ready.text()
    );
    assert!(
        get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities")
            .await
            .text()
            .contains("<Name>erp</Name>")
    );
    // Fixed: served from the file again.
    std::fs::write(&style, text).unwrap();
    sandbox.reload(&state);
    assert_eq!(get(&app, "/ready").await.status, 200);
}

fn xxhash(b: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(b)
}

#[actix_web::test]
async fn an_unwritable_tile_store_only_costs_the_disk_level() {
    let sandbox = Sandbox::new();
    // Nothing can be created under /proc, not even by root.
    let state = sandbox.state(|c| {
        c.server.cache.disk = Some(PathBuf::from("/proc/tuile-tiles"));
        c.server.cache.disk_write = true;
    });
    let app = app(state).await;
    for (layer, style) in [("ocsol", "couverture"), ("erp", "default")] {
        let r = get(&app, &tile(layer, style)).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.image().dimensions(), (256, 256));
    }
}

#[actix_web::test]
async fn a_panic_in_a_handler_is_a_logged_500_in_the_protocols_format() {
    use actix_web::middleware::from_fn;
    let boom = || async {
        panic!("deliberate");
        #[allow(unreachable_code)]
        actix_web::HttpResponse::Ok().finish()
    };
    let svc = actix_web::test::init_service(
        actix_web::App::new()
            .app_data(state())
            .app_data(tuile::app::PROTOCOLS)
            .wrap(from_fn(tuile::middleware::handle))
            .route("/wms", web::get().to(boom))
            .route("/collections/{id}", web::get().to(boom))
            .route("/health", web::get().to(|| async { "ok" })),
    )
    .await;
    let before = tuile_core::metrics::PANICS.load(Ordering::SeqCst);
    let wms = get(&svc, "/wms?SERVICE=WMS&REQUEST=GetMap").await;
    assert_eq!(wms.status, 500);
    validate(&wms.body, Schema::WmsException130);
    let api = get(&svc, "/collections/erp").await;
    assert_eq!(api.status, 500);
    assert_eq!(api.content_type, "application/problem+json");
    assert!(api.text().contains("internal error"));
    assert!(!api.text().contains("deliberate"), "panic messages stay in the logs");
    assert_eq!(get(&svc, "/health").await.status, 200, "the worker survived");
    assert!(tuile_core::metrics::PANICS.load(Ordering::SeqCst) >= before + 2);
}

// --------------------------------------------------------------------- limits

#[actix_web::test]
async fn pixel_feature_filter_query_and_body_limits() {
    let state = {
        tuile_core::source::gdal::init(128);
        let mut config = common::config();
        let l = &mut config.server.limits;
        l.max_pixels = 1000 * 1000;
        l.max_features = 50;
        l.max_filter_nodes = 10;
        l.max_query_length = 1000;
        l.max_body_bytes = 100;
        web::Data::new(AppState::new(Catalog::load(config).unwrap()))
    };
    let app = app(state).await;
    let big = get(
        &app,
        &format!("{MAP}ocsol").replace("WIDTH=256&HEIGHT=256", "WIDTH=1200&HEIGHT=1200"),
    )
    .await;
    assert_eq!(big.exception().0, "InvalidParameterValue");
    assert!(big.text().contains("1440000 pixels"), "{}", big.text());
    assert_eq!(
        get(
            &app,
            &format!("{MAP}ocsol").replace("WIDTH=256&HEIGHT=256", "WIDTH=1000&HEIGHT=1000")
        )
        .await
        .status,
        200
    );

    let page: serde_json::Value =
        serde_json::from_slice(&get(&app, "/collections/adresses/items?limit=500").await.body).unwrap();
    assert_eq!(page["numberReturned"], 50);
    let api: serde_json::Value = serde_json::from_slice(&get(&app, "/api").await.body).unwrap();
    assert!(
        api.to_string().contains("\"maximum\":50"),
        "the OpenAPI document advertises it"
    );

    let filter = "numero IN (1,2,3,4,5,6,7,8,9,10,11,12)";
    let r = get(
        &app,
        &format!("/collections/adresses/items?filter={}", filter.replace(' ', "%20")),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("at most 10"), "{}", r.text());

    let long = format!("/collections/erp/items?bbox={}", "1,".repeat(600));
    let r = get(&app, &long).await;
    assert_eq!(r.status, 414);
    assert_eq!(r.content_type, "application/problem+json");
    let r = get(
        &app,
        &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&x={}", "a".repeat(1200)),
    )
    .await;
    assert_eq!(r.status, 414);
    validate(&r.body, Schema::WmsException130);

    let r = get_with(&app, "/collections", &[("Content-Length", "5000")]).await;
    assert_eq!(r.status, 413);
}

#[actix_web::test]
async fn an_overrunning_render_is_cancelled_and_answered() {
    let state = {
        tuile_core::source::gdal::init(128);
        let mut config = common::config();
        config.server.limits.render_timeout_ms = 1;
        web::Data::new(AppState::new(Catalog::load(config).unwrap()))
    };
    let app = app(state).await;
    let r = get(
        &app,
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=bdortho,ocsol,erp,adresses&STYLES=&CRS=EPSG:3857&BBOX=429000,5402000,432000,5405000&WIDTH=2048&HEIGHT=2048&FORMAT=image/png",
    )
    .await;
    unavailable(&r, "took longer");
    validate(&r.body, Schema::WmsException130);
    assert_eq!(get(&app, "/health").await.status, 200);
}

#[actix_web::test]
async fn past_the_render_limit_new_renders_wait_outside_and_cached_tiles_still_serve() {
    let state = {
        tuile_core::source::gdal::init(128);
        let mut config = common::config();
        config.server.limits.max_concurrent_renders = 2;
        web::Data::new(AppState::new(Catalog::load(config).unwrap()))
    };
    let app = app(state.clone()).await;
    let cached = tile("ocsol", "couverture");
    assert_eq!(get(&app, &cached).await.status, 200);
    // Two renders in flight, held here.
    let held = [state.pool.spawn(|| ()).unwrap(), state.pool.spawn(|| ()).unwrap()];
    unavailable(&get(&app, &format!("{MAP}ocsol")).await, "busy");
    unavailable(&get(&app, &tile("erp", "default")).await, "busy");
    unavailable(&get(&app, "/collections/erp/items").await, "busy");
    let r = get(&app, &cached).await;
    assert_eq!(r.status, 200, "a cached tile needs no render");
    drop(held);
    assert_eq!(get(&app, &format!("{MAP}ocsol")).await.status, 200);
}

#[actix_web::test]
async fn other_methods_get_a_405_in_the_protocols_format() {
    use actix_web::http::Method;
    let app = app(state()).await;
    for (method, path) in [
        (Method::POST, "/wms?SERVICE=WMS&REQUEST=GetCapabilities"),
        (Method::DELETE, "/wmts/1.0.0/WMTSCapabilities.xml"),
        (Method::PUT, "/wmts/1.0.0/erp/default/WebMercatorQuad/0/0/0.png"),
        (Method::TRACE, "/collections"),
        (Method::PATCH, "/collections/erp/items/1"),
    ] {
        let r = call(&app, method.clone(), path, &[]).await;
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.headers.get("allow").unwrap(), "GET, HEAD");
        if path.starts_with("/wms?") {
            validate(&r.body, Schema::WmsException130);
        } else if path.starts_with("/wmts") {
            assert!(r.text().contains("ExceptionReport"), "{}", r.text());
        } else {
            assert_eq!(r.content_type, "application/problem+json");
        }
    }
    assert_eq!(call(&app, Method::HEAD, "/collections", &[]).await.status, 200);
}
