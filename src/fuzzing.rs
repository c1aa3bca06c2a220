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

/// CQL2 text, or JSON when it parses as JSON, compiled against `erp`'s
/// columns; text is also read by the `cql2` crate, which must agree.
pub fn cql2(text: &str, catalog: &Catalog) {
    if let Err(divergence) = tuile_core::query::cql2_text::differential(text) {
        panic!("the CQL2 parsers disagree: {divergence}");
    }
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

/// A whole request through the in-process server, and the checks every
/// answer must pass (see [`check_answer`]). `target` is a path and query
/// string, as a client sends them; `None` when it is not one (the HTTP
/// layer refuses it before tuile sees it).
pub fn request(target: &str) -> Result<Option<Answer>, String> {
    type Call = Box<dyn Fn(actix_http::Request) -> futures_util::future::LocalBoxFuture<'static, Answer>>;
    thread_local! {
        // Leaked: actix's own thread-locals may be gone when this one would be dropped.
        static SERVER: std::cell::OnceCell<&'static (actix_web::rt::SystemRunner, Call)> =
            const { std::cell::OnceCell::new() };
    }
    if !target.starts_with('/') || actix_web::http::Uri::try_from(target).is_err() {
        return Ok(None);
    }
    SERVER.with(|cell| {
        let (runner, call) = *cell.get_or_init(|| {
            let runner = actix_web::rt::System::new();
            let call = runner.block_on(async {
                let state = actix_web::web::Data::new(crate::state::AppState::new(fuzz_catalog()));
                let app = std::rc::Rc::new(actix_web::test::init_service(crate::app::app(state)).await);
                Box::new(move |req: actix_http::Request| {
                    let app = std::rc::Rc::clone(&app);
                    Box::pin(async move {
                        let resp = actix_web::test::call_service(&*app, req).await;
                        let status = resp.status().as_u16();
                        let headers = resp.headers().clone();
                        let body = actix_web::test::read_body(resp).await.to_vec();
                        Answer { status, headers, body }
                    }) as futures_util::future::LocalBoxFuture<'static, Answer>
                }) as Call
            });
            Box::leak(Box::new((runner, call)))
        });
        let req = actix_web::test::TestRequest::get().uri(target).to_request();
        let answer = runner.block_on(call(req));
        check_answer(target, &answer)?;
        Ok(Some(answer))
    })
}

/// An answer as the checks see it.
pub struct Answer {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

/// What every answer must be, whatever the request: no 5xx but a standard
/// 501 (operation not supported) or a limit's 503 (with `Retry-After`);
/// XML well-formed, JSON that parses, images that decode (to the size asked
/// for, for maps and tiles), HTML with its Content-Security-Policy.
pub fn check_answer(target: &str, a: &Answer) -> Result<(), String> {
    use actix_web::http::header;
    let fail = |why: String| Err(format!("{target}: {} {why}", a.status));
    let retry = a.headers.contains_key(header::RETRY_AFTER);
    if a.status >= 500 && a.status != 501 && !(a.status == 503 && retry) {
        return fail(format!("server error: {}", String::from_utf8_lossy(&a.body)));
    }
    let ctype = a
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if a.status == 304 || a.body.is_empty() && a.status != 200 {
        return Ok(());
    }
    if ctype.contains("xml") {
        if let Err(e) = well_formed(&a.body) {
            return fail(format!("malformed XML ({e}): {}", String::from_utf8_lossy(&a.body)));
        }
    } else if ctype.contains("json") {
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&a.body) {
            return fail(format!("JSON that does not parse ({e})"));
        }
    } else if ctype.starts_with("image/") {
        let image = match image::load_from_memory(&a.body) {
            Ok(i) => i,
            Err(e) => return fail(format!("an image that does not decode ({e})")),
        };
        if let Some((w, h)) = expected_size(target)
            && (image.width(), image.height()) != (w, h)
        {
            return fail(format!("a {}×{} image for {w}×{h}", image.width(), image.height()));
        }
    } else if ctype.starts_with(tuile_core::tiles::TileFormat::MVT_MIME) {
        if let Err(e) = tuile_core::tiles::mvt::layer_names(&a.body) {
            return fail(format!("a vector tile that does not decode ({e})"));
        }
    } else if ctype.starts_with("text/html") && !a.headers.contains_key("content-security-policy") {
        return fail("HTML without a Content-Security-Policy".into());
    }
    Ok(())
}

/// The size a map or tile answer must have.
fn expected_size(target: &str) -> Option<(u32, u32)> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path.starts_with("/wmts") || path.contains("/map/tiles/") {
        return Some((256, 256));
    }
    let kvp = Kvp::parse(query);
    let n = |k: &str| kvp.get_nonempty(k)?.parse::<u32>().ok();
    if path == "/map" || path.starts_with("/collections/") && path.ends_with("/map") {
        return Some((n("width")?, n("height")?));
    }
    let getmap = kvp.get("request").is_some_and(|r| r.eq_ignore_ascii_case("getmap"));
    if path == "/wms" && getmap {
        return Some((n("width")?, n("height")?));
    }
    None
}

/// XML 1.0 well-formedness as far as a reader can tell: only allowed
/// characters, one root element, every tag closed in order.
pub fn well_formed(doc: &[u8]) -> Result<(), String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(doc).map_err(|e| e.to_string())?;
    if let Some(c) = text
        .chars()
        .find(|&c| !(matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')))
    {
        return Err(format!("character U+{:04X} is not allowed in XML", c as u32));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(_) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Event::Empty(_) if depth == 0 => roots += 1,
            Event::End(_) => depth = depth.checked_sub(1).ok_or("a closing tag without its opening")?,
            Event::Text(t) if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                return Err("text outside the root element".into());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (depth, roots) {
        (0, 1) => Ok(()),
        (0, n) => Err(format!("{n} root elements")),
        (d, _) => Err(format!("{d} elements left open")),
    }
}

/// The test catalog with small limits, so that every fuzzed request is
/// answered in milliseconds.
fn fuzz_catalog() -> Catalog {
    let mut config = test_catalog().config.clone();
    let l = &mut config.server.limits;
    (l.max_width, l.max_height, l.max_pixels) = (512, 512, 512 * 512);
    l.max_features = 50;
    l.render_timeout_ms = 2_000;
    Catalog::load(config).expect("the catalog loads")
}
