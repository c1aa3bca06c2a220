//! `/tileMatrixSets` and `/tileMatrixSets/{id}`: the sets as OGC
//! Two-Dimensional Tile Matrix Set 2.0 JSON.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::state::AppState;
use tuile_core::grid::tms::{TILE_SIZE, TileMatrixSet};

fn ordered_axes(tms: &TileMatrixSet) -> [&'static str; 2] {
    if tms.crs.is_geographic() {
        if tms.crs.authority_lat_lon() {
            ["Lat", "Lon"]
        } else {
            ["Lon", "Lat"]
        }
    } else {
        ["E", "N"]
    }
}

pub fn tms_json(tms: &TileMatrixSet, self_url: &str) -> Value {
    let axis_swap = tms.crs.authority_lat_lon();
    let matrices: Vec<Value> = tms
        .matrices
        .iter()
        .map(|m| {
            let origin = if axis_swap {
                [m.origin.1, m.origin.0]
            } else {
                [m.origin.0, m.origin.1]
            };
            json!({
                "id": m.id,
                "scaleDenominator": m.scale_denominator,
                "cellSize": m.cell_size,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": origin,
                "tileWidth": TILE_SIZE,
                "tileHeight": TILE_SIZE,
                "matrixWidth": m.matrix_width,
                "matrixHeight": m.matrix_height,
                // TMS 1.0's names, which GDAL before 3.7 (Debian 12's 3.6, and
                // the QGIS built on it) reads in place of `id` and `pointOfOrigin`.
                "identifier": m.id,
                "topLeftCorner": origin,
            })
        })
        .collect();
    let mut doc = json!({
        "id": tms.id,
        "title": tms.title,
        "crs": tms.crs.uri(),
        // TMS 1.0's type tag and name of `crs`, for GDAL before 3.7 (see
        // the matrices): it reads a set only when it finds the tag.
        "type": "TileMatrixSetType",
        "supportedCRS": tms.crs.uri(),
        "orderedAxes": ordered_axes(tms),
        "tileMatrices": matrices,
        "links": [{"rel": "self", "type": "application/json", "title": tms.title, "href": self_url}],
    });
    if let Some(uri) = tms.uri {
        doc["uri"] = json!(uri);
    }
    if let Some(wkss) = tms.well_known_scale_set {
        doc["wellKnownScaleSet"] =
            json!(wkss.replace("urn:ogc:def:wkss:OGC:1.0:", "http://www.opengis.net/def/wkss/OGC/1.0/"));
    }
    doc
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let base = state.base_url(&req, &state.catalog_for(&req));
    let sets: Vec<Value> = TileMatrixSet::all()
        .iter()
        .map(|t| {
            let mut v = json!({
                "id": t.id,
                "title": t.title,
                "crs": t.crs.uri(),
                "links": [{"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "type": "application/json",
                           "title": t.title, "href": format!("{base}/tileMatrixSets/{}", t.id)}],
            });
            if let Some(uri) = t.uri {
                v["uri"] = json!(uri);
            }
            v
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "links": [{"rel": "self", "type": "application/json", "title": "Tile matrix sets", "href": format!("{base}/tileMatrixSets")}],
        "tileMatrixSets": sets,
    }))
}

pub async fn one(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let base = state.base_url(&req, &state.catalog_for(&req));
    match TileMatrixSet::get(&id) {
        Some(t) => HttpResponse::Ok().json(tms_json(t, &format!("{base}/tileMatrixSets/{}", t.id))),
        None => super::Problem::not_found(format!("no tile matrix set `{id}`; see {base}/tileMatrixSets")).response(),
    }
}
