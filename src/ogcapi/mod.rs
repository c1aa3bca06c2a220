//! OGC API – Features (Parts 1, 2 and 3) at the server root: a thin adapter
//! over the catalog's vector layers and the feature query core.

pub mod html;
pub mod items;
pub mod maps;
pub mod openapi;
pub mod records;
pub mod styles;
pub mod tiles;
pub mod tiling_schemes;

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::http::{Labels, Protocol, get, read_only};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::grid::Crs;
use tuile_core::layer::Layer;

pub static PROTOCOL: Protocol = Protocol {
    classify,
    error: crate::http::problem,
};

/// The OGC API resources at the root, and the tile matrix sets.
fn classify(path: &[&str], _query: &str) -> Option<Labels> {
    Some(match path {
        ["collections", id, "tiles", _, _, _, _] => Labels::new("ogcapi", "tile").with_layer(Some(id)),
        ["collections", id, "map", "tiles", _, _, _, _] => Labels::new("ogcapi", "maptile").with_layer(Some(id)),
        ["collections", id, "tiles", ..] | ["collections", id, "map", "tiles", ..] => {
            Labels::new("ogcapi", "tilesets").with_layer(Some(id))
        }
        ["collections", id, "styles", ..] => Labels::new("ogcapi", "styles").with_layer(Some(id)),
        ["styles", ..] => Labels::new("ogcapi", "styles"),
        ["fonts", ..] => Labels::new("ogcapi", "fonts"),
        ["collections", id, "map"] => Labels::new("ogcapi", "map").with_layer(Some(id)),
        ["map"] => Labels::new("ogcapi", "map"),
        ["tiles", _, _, _, _] => Labels::new("ogcapi", "tile"),
        ["map", "tiles", _, _, _, _] => Labels::new("ogcapi", "maptile"),
        ["map", "tiles", ..] => Labels::new("ogcapi", "tilesets"),
        ["tiles", ..] => Labels::new("ogcapi", "tilesets"),
        ["collections", id, "items", _] => Labels::new("ogcapi", "item").with_layer(Some(id)),
        ["collections", id, "items"] => Labels::new("ogcapi", "items").with_layer(Some(id)),
        ["collections", id, "queryables"] => Labels::new("ogcapi", "queryables").with_layer(Some(id)),
        ["collections", id] => Labels::new("ogcapi", "collection").with_layer(Some(id)),
        ["collections"] => Labels::new("ogcapi", "collections"),
        [""] => Labels::new("ogcapi", "landing"),
        [op @ ("conformance" | "api")] => Labels::new("ogcapi", *op),
        ["tileMatrixSets", ..] => Labels::new("tms", "tileMatrixSets"),
        _ => return None,
    })
}

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
];

pub const OPENAPI_MIME: &str = "application/vnd.oai.openapi+json;version=3.0";
pub const GEOJSON: &str = "application/geo+json";
pub const QUERYABLES_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/queryables";

/// A 4xx/5xx answer as an RFC 7807 problem document.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: String,
}

impl Problem {
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::BAD_REQUEST,
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::NOT_FOUND,
            detail: detail.into(),
        }
    }

    /// The server's load (or a source being unreachable): 503, to retry.
    pub fn unavailable(detail: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            detail: detail.into(),
        }
    }

    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            detail: detail.into(),
        }
    }

    pub fn response(&self) -> HttpResponse {
        crate::http::problem(self.status, self.detail.clone())
    }
}

impl From<tuile_core::error::Error> for Problem {
    /// The one mapping of core failures to HTTP statuses.
    fn from(e: tuile_core::error::Error) -> Problem {
        use tuile_core::error::ErrorKind as K;
        let status = match e.kind() {
            K::NotFound => StatusCode::NOT_FOUND,
            K::BadRequest => StatusCode::BAD_REQUEST,
            K::Unavailable | K::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            K::Upstream => StatusCode::BAD_GATEWAY,
            K::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            K::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Problem {
            status,
            detail: e.to_string(),
        }
    }
}

/// The representation a client asked for: `f=` first, then `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

pub fn negotiate(req: &HttpRequest, kvp: &Kvp) -> Result<Format, Problem> {
    if let Some(f) = kvp.get("f") {
        return match f.to_ascii_lowercase().as_str() {
            "json" | "geojson" | "application/json" | "application/geo+json" => Ok(Format::Json),
            "html" | "text/html" => Ok(Format::Html),
            other => Err(Problem::bad_request(format!("f={other}: use json or html"))),
        };
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // HTML only when a browser prefers it over JSON.
    let mut best = (Format::Json, -1.0f32);
    for part in accept.split(',') {
        let mut it = part.split(';');
        let mime = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok()))
            .next()
            .unwrap_or(1.0);
        let f = match mime.as_str() {
            "text/html" | "application/xhtml+xml" => Format::Html,
            "application/json" | "application/geo+json" | "application/schema+json" | "application/problem+json" => {
                Format::Json
            }
            _ if mime.contains("json") => Format::Json,
            _ => continue,
        };
        if q > best.1 || (q == best.1 && f == Format::Json) {
            best = (f, q);
        }
    }
    Ok(best.0)
}

/// Rejects parameters the endpoint does not define (OGC API: 400).
pub fn check_params(kvp: &Kvp, allowed: &[&str], extra: impl Fn(&str) -> bool) -> Result<(), Problem> {
    for name in kvp.names() {
        if !allowed.contains(&name) && name != tuile_core::access::KEY_PARAM && !extra(name) {
            return Err(Problem::bad_request(format!("unknown parameter `{name}`")));
        }
    }
    Ok(())
}

pub fn link(href: &str, rel: &str, mime: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": mime, "title": title})
}

/// A JSON answer; its links carry the caller's `apikey=` on when it gave
/// its key in the URL, so that clients following them keep their access.
fn json_response(v: &Value, mime: &str, catalog: &Catalog) -> HttpResponse {
    if catalog.link_query.is_none() {
        return HttpResponse::Ok().content_type(mime).body(v.to_string());
    }
    fn key_hrefs(v: &mut Value, catalog: &Catalog) {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter_mut() {
                    match child {
                        // Links, and the URLs of MapLibre styles and TileJSON.
                        Value::String(href) if matches!(k.as_str(), "href" | "url" | "sprite" | "glyphs") => {
                            *href = catalog.keyed(href)
                        }
                        Value::Array(urls) if k == "tiles" => {
                            for u in urls.iter_mut() {
                                if let Value::String(url) = u {
                                    *url = catalog.keyed(url);
                                }
                            }
                        }
                        _ => key_hrefs(child, catalog),
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|c| key_hrefs(c, catalog)),
            _ => {}
        }
    }
    let mut v = v.clone();
    key_hrefs(&mut v, catalog);
    HttpResponse::Ok().content_type(mime).body(v.to_string())
}

fn html_response(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body)
}

/// The feature collections: the vector layers.
pub fn collections(catalog: &Catalog) -> impl Iterator<Item = &Arc<Layer>> {
    catalog.layers.iter().filter(|l| l.is_vector())
}

pub fn collection<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Arc<Layer>, Problem> {
    match catalog.lookup(id) {
        Ok(l) if l.is_vector() => Ok(l),
        Err(e) if e.kind() != tuile_core::error::ErrorKind::NotFound => Err(e.into()),
        _ => Err(Problem::not_found(format!("no collection `{id}`"))),
    }
}

/// The CRSs a collection offers, CRS84 first (OGC API Part 2).
pub fn crs_list(layer: &Layer) -> Vec<Crs> {
    let mut list = vec![Crs::CRS84];
    list.extend(layer.crs.iter().copied().filter(|c| !c.is_crs84()));
    list
}

pub fn base(req: &HttpRequest, state: &AppState, catalog: &Catalog) -> String {
    state.base_url(req, catalog)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    let p = &PROTOCOL;
    // The catalogue first: its paths would otherwise read as a collection's.
    cfg.configure(records::routes)
        .configure(tiles::routes)
        .configure(styles::routes)
        .configure(maps::routes);
    cfg.service(read_only("/conformance", p).route(get().to(conformance)))
        .service(read_only("/api", p).route(get().to(openapi::api)))
        .service(read_only("/collections", p).route(get().to(collections_page)))
        .service(read_only("/collections/{id}", p).route(get().to(collection_page)))
        .service(read_only("/collections/{id}/queryables", p).route(get().to(queryables)))
        .service(read_only("/collections/{id}/items", p).route(get().to(items::items)))
        .service(read_only("/collections/{id}/items/{fid}", p).route(get().to(items::item)))
        .service(read_only("/tileMatrixSets", p).route(get().to(tiling_schemes::list)))
        .service(read_only("/tileMatrixSets/{id}", p).route(get().to(tiling_schemes::one)))
        .service(read_only("/", p).route(get().to(landing)));
}

pub async fn landing(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    resource(&req, &state, |format, catalog, b| {
        let m = &catalog.metadata;
        let lang = tuile_core::metadata::Language::Fr;
        let links = vec![
            link(&format!("{b}/"), "self", "application/json", "This document"),
            link(
                &format!("{b}/?f=html"),
                "alternate",
                "text/html",
                "This document as HTML",
            ),
            link(
                &format!("{b}/api"),
                "service-desc",
                OPENAPI_MIME,
                "The API definition (OpenAPI 3.0)",
            ),
            link(
                &format!("{b}/api?f=html"),
                "service-doc",
                "text/html",
                "The API documentation",
            ),
            link(
                &format!("{b}/conformance"),
                "conformance",
                "application/json",
                "Conformance classes",
            ),
            link(
                &format!("{b}/collections"),
                "data",
                "application/json",
                "Feature collections",
            ),
            link(
                &format!("{b}/tiles"),
                tiles::TILESETS_VECTOR_REL,
                "application/json",
                "Vector tilesets of every collection",
            ),
            link(&format!("{b}/map"), maps::MAP_REL, "image/png", "A map of every layer"),
            link(
                &format!("{b}/map/tiles"),
                tiles::TILESETS_MAP_REL,
                "application/json",
                "Map tilesets of every layer",
            ),
            link(
                &format!("{b}/styles"),
                styles::STYLES_REL,
                "application/json",
                "Styles for MapLibre maps",
            ),
            link(
                &format!("{b}/tileMatrixSets"),
                "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                "application/json",
                "Tile matrix sets",
            ),
            link(
                &format!("{b}/collections/{}", records::ID),
                "http://www.opengis.net/def/rel/ogc/1.0/catalog",
                "application/json",
                "The catalogue (OGC API - Records): find the data",
            ),
            link(
                &format!("{b}/collections/{}/items?f=html", records::ID),
                "search",
                "text/html",
                "Find the data (search page)",
            ),
            link(
                &format!("{b}/dcat"),
                "describedby",
                "application/ld+json",
                "The catalogue in DCAT-AP (JSON-LD)",
            ),
            link(
                &format!("{b}/dcat?f=ttl"),
                "describedby",
                "text/turtle",
                "The catalogue in DCAT-AP (Turtle)",
            ),
            link(
                &format!("{b}/csw?SERVICE=CSW&REQUEST=GetCapabilities"),
                "service",
                "application/xml",
                "CSW 2.0.2 catalogue (ISO application profile)",
            ),
            link(
                &format!("{b}/wms?SERVICE=WMS&REQUEST=GetCapabilities"),
                "service",
                "text/xml",
                "WMS 1.3.0",
            ),
            link(
                &format!("{b}/wmts/1.0.0/WMTSCapabilities.xml"),
                "service",
                "application/xml",
                "WMTS 1.0.0",
            ),
        ];
        let doc = json!({
            "title": m.title.get(lang),
            "description": m.abstract_.get(lang),
            "links": links,
        });
        match format {
            Format::Json => json_response(&doc, "application/json", catalog),
            Format::Html => html_response(html::landing(catalog, b)),
        }
    })
}

async fn conformance(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    resource(&req, &state, |format, catalog, b| match format {
        Format::Json => {
            let classes: Vec<&str> = CONFORMANCE
                .iter()
                .chain(tiles::CONFORMANCE)
                .chain(maps::CONFORMANCE)
                .chain(records::CONFORMANCE)
                .copied()
                .collect();
            json_response(&json!({"conformsTo": classes}), "application/json", catalog)
        }
        Format::Html => html_response(html::conformance(b)),
    })
}

/// The description of one collection, as `/collections` and `/collections/{id}` show it.
pub fn collection_json(layer: &Layer, b: &str) -> Value {
    let id = layer.name();
    let g = layer.geographic_extent;
    let mut extent = json!({
        "spatial": {"bbox": [[g.minx, g.miny, g.maxx, g.maxy]], "crs": Crs::CRS84.uri()},
    });
    if let Some(t) = &layer.time {
        let first = t.values.first().cloned().unwrap_or_default();
        let last = t.values.last().cloned().unwrap_or_default();
        extent["temporal"] = json!({
            "interval": [[format!("{first}-01-01T00:00:00Z"), format!("{last}-12-31T23:59:59Z")]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        });
    }
    let c = &layer.config;
    json!({
        "id": id,
        "title": c.title,
        "description": c.abstract_,
        "keywords": c.keywords,
        "attribution": c.attribution.as_ref().map(|a| a.title.clone()),
        "license": c.licence,
        "extent": extent,
        "itemType": "feature",
        "crs": crs_list(layer).iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "storageCrs": layer.source.meta().crs.uri(),
        "links": [
            link(&format!("{b}/collections/{id}"), "self", "application/json", "This collection"),
            link(&format!("{b}/collections/{id}?f=html"), "alternate", "text/html", "This collection as HTML"),
            link(&format!("{b}/collections/{id}/items"), "items", GEOJSON, "The features"),
            link(&format!("{b}/collections/{id}/items?f=html"), "items", "text/html", "The features as HTML"),
            link(&format!("{b}/collections/{id}/queryables"), QUERYABLES_REL, "application/schema+json", "Queryable properties"),
            link(&format!("{b}/collections/{id}/tiles"), tiles::TILESETS_VECTOR_REL, "application/json", "Vector tilesets"),
            link(&format!("{b}/collections/{id}/map/tiles"), tiles::TILESETS_MAP_REL, "application/json", "Map tilesets"),
            link(&format!("{b}/collections/{id}/styles"), styles::STYLES_REL, "application/json", "Styles"),
            link(&format!("{b}/collections/{id}/map"), maps::MAP_REL, "image/png", "A map of the collection"),
            link(&styles::style_href(b, id, &layer.default_style().name), "stylesheet", styles::MIME, "The default style for MapLibre"),
            link(&format!("{b}/wms?SERVICE=WMS&REQUEST=GetCapabilities"), "related", "text/xml", "The same layer in WMS"),
        ],
    })
}

fn with_record_links(mut doc: Value, catalog: &Catalog, layer: &Layer, b: &str) -> Value {
    if let Some(links) = doc["links"].as_array_mut() {
        links.extend(record_links(catalog, layer, b));
    }
    doc
}

/// A collection's links to its catalogue record, in ISO 19139 and JSON.
pub fn record_links(catalog: &Catalog, layer: &Layer, b: &str) -> Vec<Value> {
    let r = tuile_core::records::dataset_identity(catalog, &layer.config);
    vec![
        link(
            &format!("{b}/collections/{}/items/{}?f=xml", records::ID, r.uuid),
            "describedby",
            "application/vnd.iso.19139+xml",
            "The metadata record (ISO 19139)",
        ),
        link(
            &format!("{b}/collections/{}/items/{}", records::ID, r.uuid),
            "describedby",
            "application/geo+json",
            "The metadata record (OGC API - Records)",
        ),
    ]
}

async fn collections_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    resource(&req, &state, |format, catalog, b| {
        let mut list: Vec<Value> = collections(catalog)
            .map(|l| with_record_links(collection_json(l, b), catalog, l, b))
            .collect();
        list.push(records::collection_json(catalog, b));
        let doc = json!({
            "links": [
                link(&format!("{b}/collections"), "self", "application/json", "The feature collections"),
                link(&format!("{b}/collections?f=html"), "alternate", "text/html", "The feature collections as HTML"),
            ],
            "collections": list,
        });
        match format {
            Format::Json => json_response(&doc, "application/json", catalog),
            Format::Html => html_response(html::collections(catalog, b)),
        }
    })
}

/// A resource that takes only `f`: `answer` gets the format asked for, the
/// caller's catalog and the base URL.
fn resource(
    req: &HttpRequest,
    state: &AppState,
    answer: impl FnOnce(Format, &Catalog, &str) -> HttpResponse,
) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let result = (|| {
        check_params(&kvp, &["f"], |_| false)?;
        let format = negotiate(req, &kvp)?;
        let catalog = state.catalog_for(req);
        let b = base(req, state, &catalog);
        Ok(answer(format, &catalog, &b))
    })();
    result.unwrap_or_else(|e: Problem| e.response())
}

/// A page about one collection (itself, its queryables): only `f` is
/// accepted; `answer` gets the format asked for, the caller's catalog, the
/// collection and the base URL.
fn collection_resource(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    answer: impl FnOnce(Format, &Catalog, &Layer, &str) -> HttpResponse,
) -> HttpResponse {
    resource(req, state, |format, catalog, b| match collection(catalog, id) {
        Ok(layer) => answer(format, catalog, layer, b),
        Err(e) => e.response(),
    })
}

async fn collection_page(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    collection_resource(&req, &state, &id, |format, catalog, layer, b| match format {
        Format::Json => json_response(
            &with_record_links(collection_json(layer, b), catalog, layer, b),
            "application/json",
            catalog,
        ),
        Format::Html => html_response(html::collection(layer, b, html::basemap(catalog).as_deref())),
    })
}

/// The edition `datetime` names (a year, a date, an instant in it), or the
/// layer's default one when it names none; `None` for a layer without
/// editions.
pub fn edition(layer: &Layer, datetime: Option<&str>) -> Result<Option<String>, Problem> {
    let Some(dim) = &layer.time else {
        return Ok(None);
    };
    let asked = datetime.map(|d| d.get(..4).unwrap_or(d));
    dim.resolve(asked)
        .map(|v| Some(v.to_string()))
        .map_err(|e| Problem::bad_request(format!("datetime: {e}")))
}

/// The JSON Schema type of a column's values.
pub fn json_type(kind: tuile_core::feature::ValueKind) -> &'static str {
    use tuile_core::feature::ValueKind as K;
    match kind {
        K::Boolean => "boolean",
        K::Integer => "integer",
        K::Number => "number",
        K::Text => "string",
    }
}

/// The queryables of a collection as a JSON Schema (Part 3).
pub fn queryables_json(layer: &Layer, b: &str) -> Value {
    let mut props = serde_json::Map::new();
    let geometry_format = match &layer.source {
        tuile_core::source::Source::Vector(v) => match v.geometry_type() {
            tuile_core::feature::GeometryType::Any => "geometry-any".to_string(),
            t => format!("geometry-{}", t.name().to_ascii_lowercase()),
        },
        _ => "geometry-any".to_string(),
    };
    props.insert(
        "geometry".into(),
        json!({"title": "Géométrie / Geometry", "format": geometry_format, "x-ogc-role": "primary-geometry"}),
    );
    if let tuile_core::source::Source::Vector(v) = &layer.source {
        for c in v.columns() {
            props.insert(c.name.clone(), json!({"title": c.name, "type": json_type(c.kind())}));
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{b}/collections/{}/queryables", layer.name()),
        "type": "object",
        "title": layer.config.title,
        "properties": props,
        "additionalProperties": false,
    })
}

async fn queryables(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    collection_resource(&req, &state, &id, |format, catalog, layer, b| {
        let doc = queryables_json(layer, b);
        match format {
            Format::Json => json_response(&doc, "application/schema+json", catalog),
            Format::Html => html_response(html::queryables(layer, &doc, b)),
        }
    })
}
