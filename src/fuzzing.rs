//! Entry points for the fuzz targets (`fuzz/`) and their regression tests:
//! every parser that reads what clients send, or what operators write,
//! driven from bytes. None may panic; errors are fine.

use std::path::Path;

use crate::ows::Kvp;
use crate::wms::WmsVersion;
use tuile_core::catalog::Catalog;

/// A WMS query string, as GetMap, GetFeatureInfo and the EXCEPTIONS modes read it.
pub fn wms_kvp(query: &str, catalog: &Catalog) {
    let kvp = Kvp::parse(query);
    let _ = crate::wms::getmap::exception_mode(&kvp);
    let _ = crate::wms::getmap::blank_parameters(&kvp, (4096, 4096));
    for version in [WmsVersion::V130, WmsVersion::V111] {
        if let Ok(map) = crate::wms::getmap::parse(&kvp, catalog, version) {
            let _ = map.as_tile();
            let _ = map.view.scale_denominator();
        }
        let _ = crate::wms::getfeatureinfo::parse(&kvp, catalog, version);
    }
}

/// A WMTS KVP query string (GetTile, GetFeatureInfo).
pub fn wmts_kvp(query: &str, catalog: &Catalog) {
    let kvp = Kvp::parse(query);
    let _ = crate::wmts::tile_request_kvp(&kvp, catalog).map(|t| t.key());
    let _ = crate::wmts::feature_info_kvp(&kvp, catalog);
}

/// A WMTS RESTful path under `/wmts/1.0.0/` and its query string.
pub fn wmts_rest(path: &str, query: &str, catalog: &Catalog) {
    let _ = crate::wmts::parse_rest(catalog, path, query);
}

/// An OGC API items query string, parsed and run for a page of at most 20
/// features, so that filters are evaluated on real data.
pub fn ogcapi_items(collection: &str, query: &str, catalog: &Catalog) {
    let uri = format!("/collections/{collection}/items?{query}");
    if actix_web::http::Uri::try_from(uri.as_str()).is_err() {
        return; // not a URI at all: actix refuses it before tuile sees it
    }
    let req = actix_web::test::TestRequest::with_uri(&uri).to_http_request();
    let kvp = Kvp::parse(query);
    let Ok(layer) = crate::ogcapi::collection(catalog, collection) else {
        return;
    };
    if let Ok(mut r) = crate::ogcapi::items::parse_items(&kvp, &req, catalog, layer) {
        r.query.limit = r.query.limit.min(20);
        let src = crate::ogcapi::items::source(&r.layer);
        let mut out = Vec::new();
        let _ = tuile_core::query::run(src, &r.query, |f, geom| {
            crate::ogcapi::items::write_item(&mut out, f, geom, src.meta().crs, r.crs, None);
            true
        });
    }
}

/// CQL2 text, or JSON when it parses as JSON, compiled against `erp`'s columns.
pub fn cql2(text: &str, catalog: &Catalog) {
    let Some(layer) = catalog.layer("erp") else { return };
    let src = crate::ogcapi::items::source(layer);
    for json in [false, true] {
        if let Ok(expr) = tuile_core::query::filter::parse(text, json) {
            let ctx = tuile_core::query::filter::Context {
                columns: src.columns(),
                storage: src.meta().crs,
                filter_crs: tuile_core::grid::Crs::CRS84,
                max_nodes: catalog.config.server.limits.max_filter_nodes,
            };
            if let Ok(node) = ctx.compile(&expr) {
                let _ = node.required_bbox();
            }
        }
    }
}

/// An SLD / SE document.
pub fn sld(text: &str) {
    let _ = tuile_core::style::sld::parse(text, Path::new("fuzz.sld"));
}

/// A `tuile.toml`.
pub fn config(text: &str) {
    let _ = tuile_core::config::Config::from_toml_with(text, Path::new("/nonexistent/fuzz.toml"), |_| None);
}

/// The catalog the request targets run against: the repo's configuration
/// over the small test data (`TUILE_DATA`, or `target/test-data`).
pub fn test_catalog() -> Catalog {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = std::env::var("TUILE_DATA").unwrap_or_else(|_| repo.join("target/test-data").to_string_lossy().into());
    tuile_core::source::gdal::init(64);
    let config =
        tuile_core::config::Config::load_with(&repo.join("tuile.toml"), |n| (n == "TUILE_DATA").then(|| data.clone()))
            .expect("the repo's tuile.toml");
    let catalog = Catalog::load(config).expect("the catalog loads");
    assert!(
        catalog.problems.is_empty(),
        "generate the test data first: {:?}",
        catalog.problems
    );
    catalog
}
