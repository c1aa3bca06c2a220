//! The OpenAPI 3.0 definition at `/api`, self-contained (no remote `$ref`)
//! so that offline validators, ogctests and schemathesis can read it.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::items::DEFAULT_LIMIT;
use super::{OPENAPI_MIME, Problem, check_params, collections, crs_list};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::metadata::Language;

fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema})
}

fn responses(ok: Value) -> Value {
    let problem = json!({"description": "An error", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/exception"}}}});
    json!({
        "200": ok,
        "400": problem.clone(),
        "404": problem.clone(),
        "406": problem.clone(),
        "500": problem.clone(),
        "503": problem,
    })
}

fn ok(mime: &str, schema: &str, description: &str) -> Value {
    json!({"description": description, "content": {
        mime: {"schema": {"$ref": format!("#/components/schemas/{schema}")}},
        "text/html": {"schema": {"type": "string"}},
    }})
}

fn geometry_schemas() -> Value {
    let position = json!({"type": "array", "minItems": 2, "items": {"type": "number"}});
    let line = json!({"type": "array", "minItems": 2, "items": position});
    let ring = json!({"type": "array", "minItems": 4, "items": position});
    let geom = |ty: &str, coords: Value| {
        json!({"type": "object", "required": ["type", "coordinates"], "properties": {
            "type": {"type": "string", "enum": [ty]}, "coordinates": coords}})
    };
    json!({
        "pointGeoJSON": geom("Point", position.clone()),
        "multipointGeoJSON": geom("MultiPoint", json!({"type": "array", "items": position})),
        "linestringGeoJSON": geom("LineString", line.clone()),
        "multilinestringGeoJSON": geom("MultiLineString", json!({"type": "array", "items": line})),
        "polygonGeoJSON": geom("Polygon", json!({"type": "array", "items": ring.clone()})),
        "multipolygonGeoJSON": geom("MultiPolygon", json!({"type": "array", "items": {"type": "array", "items": ring}})),
        "geometryGeoJSON": {"oneOf": [
            {"$ref": "#/components/schemas/pointGeoJSON"},
            {"$ref": "#/components/schemas/multipointGeoJSON"},
            {"$ref": "#/components/schemas/linestringGeoJSON"},
            {"$ref": "#/components/schemas/multilinestringGeoJSON"},
            {"$ref": "#/components/schemas/polygonGeoJSON"},
            {"$ref": "#/components/schemas/multipolygonGeoJSON"},
        ]},
    })
}

/// Builds the document for the catalog's collections.
pub fn document(catalog: &Catalog, base: &str) -> Value {
    let max_features = catalog.config.server.limits.max_features;
    let m = &catalog.metadata;
    let ids: Vec<&str> = collections(catalog).map(|l| l.name()).collect();
    let crs: Vec<String> = {
        let mut all: Vec<String> = Vec::new();
        for l in collections(catalog) {
            for c in crs_list(l) {
                if !all.contains(&c.uri()) {
                    all.push(c.uri());
                }
            }
        }
        all
    };
    let crs_schema = json!({"type": "string", "format": "uri", "enum": crs});
    let f = query_param(
        "f",
        "The representation: json or html (otherwise negotiated with Accept).",
        json!({"type": "string", "enum": ["json", "html"]}),
    );
    let mut schemas = geometry_schemas();
    let link = json!({"type": "object", "required": ["href", "rel"], "properties": {
        "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
        "hreflang": {"type": "string"}, "title": {"type": "string"}, "length": {"type": "integer"}}});
    let extra = json!({
        "link": link,
        "exception": {"type": "object", "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}}},
        "landingPage": {"type": "object", "required": ["links"], "properties": {
            "title": {"type": "string"}, "description": {"type": "string"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}}},
        "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {
            "conformsTo": {"type": "array", "items": {"type": "string"}}}},
        "extent": {"type": "object", "properties": {
            "spatial": {"type": "object", "properties": {
                "bbox": {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
                "crs": {"type": "string"}}},
            "temporal": {"type": "object", "properties": {
                "interval": {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 2, "maxItems": 2,
                    "items": {"type": "string", "format": "date-time", "nullable": true}}},
                "trs": {"type": "string"}}}}},
        "collection": {"type": "object", "required": ["id", "links"], "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "extent": {"$ref": "#/components/schemas/extent"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"}}},
        "collections": {"type": "object", "required": ["links", "collections"], "properties": {
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}}}},
        "featureGeoJSON": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "geometry": {"allOf": [{"$ref": "#/components/schemas/geometryGeoJSON"}], "nullable": true},
            "properties": {"type": "object", "nullable": true},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}}},
        "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/featureGeoJSON"}},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0}}},
        "queryables": {"type": "object", "required": ["type", "properties"], "properties": {
            "$schema": {"type": "string"}, "$id": {"type": "string"}, "type": {"type": "string"},
            "title": {"type": "string"}, "properties": {"type": "object"}, "additionalProperties": {"type": "boolean"}}},
    });
    for (k, v) in extra.as_object().expect("an object") {
        schemas[k] = v.clone();
    }
    let collection_id = json!({"name": "collectionId", "in": "path", "required": true, "description": "A collection identifier.",
        "schema": {"type": "string", "enum": ids}});
    let feature_id = json!({"name": "featureId", "in": "path", "required": true, "description": "A feature identifier.", "schema": {"type": "string"}});
    let items_params = json!([
        collection_id,
        query_param(
            "limit",
            "The most features in one page.",
            json!({"type": "integer", "minimum": 1, "maximum": max_features, "default": DEFAULT_LIMIT.min(max_features)})
        ),
        query_param(
            "offset",
            "Matching features to skip.",
            json!({"type": "integer", "minimum": 0, "default": 0})
        ),
        query_param(
            "cursor",
            "Where the previous page stopped (from a `next` link).",
            json!({"type": "integer", "minimum": 0})
        ),
        query_param(
            "bbox",
            "Only features that intersect this box: minx,miny,maxx,maxy (in bbox-crs, CRS84 by default).",
            json!({"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}})
        ),
        query_param("bbox-crs", "The CRS of bbox.", crs_schema.clone()),
        query_param(
            "datetime",
            "An instant or an interval (RFC 3339), matched against the collection's editions.",
            json!({"type": "string"})
        ),
        query_param("crs", "The CRS of the returned geometries.", crs_schema.clone()),
        query_param("filter", "A CQL2 filter.", json!({"type": "string"})),
        query_param(
            "filter-lang",
            "The language of filter.",
            json!({"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"})
        ),
        query_param("filter-crs", "The CRS of the geometries in filter.", crs_schema.clone()),
        f.clone(),
    ]);
    // Tiles, styles and maps, each described next to its routes.
    let mut more_paths = super::tiles::openapi_paths(&collection_id, responses);
    for more in [
        super::styles::openapi_paths(&collection_id, responses),
        super::maps::openapi_paths(&collection_id, responses),
        super::records::openapi_paths(responses),
    ] {
        for (path, item) in more.as_object().expect("an object") {
            more_paths[path] = item.clone();
        }
    }
    let get = |summary: &str, op: &str, params: Value, resp: Value| json!({"get": {"summary": summary, "operationId": op, "parameters": params, "responses": responses(resp)}});
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": m.title.get(Language::Fr),
            "description": m.abstract_.get(Language::Fr),
            "version": env!("CARGO_PKG_VERSION"),
            "contact": {"name": m.contact.organization, "email": m.contact.email},
            "license": {"name": "Licence Ouverte / Etalab 2.0", "url": m.licence_url.clone().unwrap_or_default()},
        },
        "servers": [{"url": base}],
        "paths": {
            "/": get("Landing page", "getLandingPage", json!([f.clone()]), ok("application/json", "landingPage", "The landing page")),
            "/conformance": get("Conformance classes", "getConformance", json!([f.clone()]), ok("application/json", "confClasses", "The conformance classes")),
            "/api": {"get": {"summary": "This document", "operationId": "getApi", "parameters": [f.clone()], "responses": responses(json!({
                "description": "The API definition", "content": {OPENAPI_MIME: {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}}))}},
            "/collections": get("Feature collections", "getCollections", json!([f.clone()]), ok("application/json", "collections", "The collections")),
            "/collections/{collectionId}": get("A collection", "describeCollection", json!([collection_id, f.clone()]), ok("application/json", "collection", "The collection")),
            "/collections/{collectionId}/queryables": get("Queryable properties", "getQueryables", json!([collection_id, f.clone()]),
                ok("application/schema+json", "queryables", "A JSON Schema of the queryable properties")),
            "/collections/{collectionId}/items": get("Features", "getFeatures", items_params, ok("application/geo+json", "featureCollectionGeoJSON", "A page of features")),
            "/collections/{collectionId}/items/{featureId}": get("A feature", "getFeature",
                json!([collection_id, feature_id, query_param("crs", "The CRS of the returned geometry.", crs_schema), f]),
                ok("application/geo+json", "featureGeoJSON", "The feature")),
        },
        "components": {"schemas": schemas},
    });
    for (path, item) in more_paths.as_object().expect("an object") {
        doc["paths"][path] = item.clone();
    }
    doc
}

pub async fn api(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    if let Err(e) = check_params(&kvp, &["f"], |_| false) {
        return e.response();
    }
    let catalog = state.catalog_for(&req);
    let base = super::base(&req, &state, &catalog);
    let doc = document(&catalog, &base);
    match super::negotiate(&req, &kvp) {
        Ok(super::Format::Html) => {
            let mut rows = String::new();
            for (path, item) in doc["paths"].as_object().into_iter().flatten() {
                let summary = item["get"]["summary"].as_str().unwrap_or("");
                rows.push_str(&format!("<tr><td><code>GET {path}</code></td><td>{summary}</td></tr>"));
            }
            HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
                "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>API</title></head><body>\
                 <h1>{}</h1><p>OpenAPI 3.0 : <a href=\"{base}/api?f=json\">{base}/api</a></p><table>{rows}</table></body></html>",
                quick_xml::escape::escape(doc["info"]["title"].as_str().unwrap_or(""))
            ))
        }
        Ok(super::Format::Json) => HttpResponse::Ok().content_type(OPENAPI_MIME).body(doc.to_string()),
        Err(e) => Problem::response(&e),
    }
}
