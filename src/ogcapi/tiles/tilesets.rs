//! What describes the tiles: tileset lists, tileset metadata (OGC API –
//! Tiles' tileSet), and TileJSON 3.0.0 for Web Mercator vector tiles.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Kind, TILEJSON_MIME, TILING_SCHEME_REL, dataset_default_layers, tile_set, tile_sets, union_link};
use crate::ogcapi::{GEOJSON, Problem, check_params, collection, json_type, link};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::layer::{Layer, TileSetLink};
use tuile_core::render::ImageFormat;
use tuile_core::source::Source;
use tuile_core::tiles::TileFormat;

/// The JSON answer of a metadata resource: only `f=json` (or none) is
/// served; `f=tilejson` where `tilejson` is given.
fn metadata(
    req: &HttpRequest,
    state: &AppState,
    answer: impl FnOnce(&Kvp, &Catalog, &str) -> Result<(Value, &'static str), Problem>,
) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(req);
    let b = crate::ogcapi::base(req, state, &catalog);
    let result = check_params(&kvp, &["f"], |_| false).and_then(|_| answer(&kvp, &catalog, &b));
    match result {
        Ok((doc, mime)) => crate::ogcapi::json_response(&doc, mime, &catalog),
        Err(e) => e.response(),
    }
}

fn json_only(kvp: &Kvp) -> Result<(), Problem> {
    match kvp.get("f") {
        None | Some("json") | Some("application/json") => Ok(()),
        Some(f) => Err(Problem::bad_request(format!("f={f}: this resource is served as json"))),
    }
}

/// A tileset's summary, as lists show it.
fn tileset_summary(title: &str, kind: Kind, tms: &TileMatrixSet, href: &str, b: &str) -> Value {
    let mut s = json!({
        "title": format!("{title} ({})", tms.id),
        "dataType": kind.data_type(),
        "crs": tms.crs.uri(),
        "links": [
            link(href, "self", "application/json", &format!("The tileset in {}", tms.id)),
            link(&format!("{b}/tileMatrixSets/{}", tms.id), TILING_SCHEME_REL, "application/json", tms.title),
        ],
    });
    if let Some(uri) = tms.uri {
        s["tileMatrixSetURI"] = json!(uri);
    }
    s
}

fn tileset_list(layer_title: &str, kind: Kind, sets: &[TileSetLink], base_href: &str, b: &str) -> Value {
    json!({
        "links": [link(base_href, "self", "application/json", "The tilesets")],
        "tilesets": sets
            .iter()
            .map(|s| tileset_summary(layer_title, kind, s.tms, &format!("{base_href}/{}", s.tms.id), b))
            .collect::<Vec<_>>(),
    })
}

pub(super) async fn collection_tilesets(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    tilesets_of(&req, &state, &id, Kind::Vector)
}

pub(super) async fn map_tilesets(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    tilesets_of(&req, &state, &id, Kind::Map)
}

fn tilesets_of(req: &HttpRequest, state: &AppState, id: &str, kind: Kind) -> HttpResponse {
    metadata(req, state, |kvp, catalog, b| {
        json_only(kvp)?;
        let layer = collection(catalog, id)?;
        let href = format!("{b}/collections/{id}/{}", kind.path());
        Ok((
            tileset_list(&layer.config.title, kind, &tile_sets(layer, kind), &href, b),
            "application/json",
        ))
    })
}

pub(super) async fn dataset_vector_tilesets(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    dataset_tilesets(&req, &state, Kind::Vector)
}

pub(super) async fn dataset_map_tilesets(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    dataset_tilesets(&req, &state, Kind::Map)
}

fn dataset_tilesets(req: &HttpRequest, state: &AppState, kind: Kind) -> HttpResponse {
    metadata(req, state, |kvp, catalog, b| {
        json_only(kvp)?;
        let layers = dataset_default_layers(catalog, kind);
        let sets: Vec<TileSetLink> = TileMatrixSet::all()
            .iter()
            .map(|t| union_link(&layers, t, kind))
            .filter(|s| !s.levels.is_empty())
            .collect();
        let title = &catalog.metadata.title.get(tuile_core::metadata::Language::Fr);
        Ok((
            tileset_list(title, kind, &sets, &format!("{b}/{}", kind.path()), b),
            "application/json",
        ))
    })
}

pub(super) async fn collection_tileset(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (id, tms) = path.into_inner();
    tileset_of(&req, &state, &id, &tms, Kind::Vector)
}

pub(super) async fn map_tileset(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (id, tms) = path.into_inner();
    tileset_of(&req, &state, &id, &tms, Kind::Map)
}

fn tileset_of(req: &HttpRequest, state: &AppState, id: &str, tms: &str, kind: Kind) -> HttpResponse {
    metadata(req, state, |kvp, catalog, b| {
        let layer = collection(catalog, id)?;
        let set = tile_set(layer, tms, kind)?;
        let href = format!("{b}/collections/{id}/{}/{tms}", kind.path());
        let doc = tileset(&[layer], &set, kind, &layer.config.title, &href, b);
        answer_tileset(kvp, doc, &set, &[layer], &href)
    })
}

pub(super) async fn dataset_vector_tileset(
    req: HttpRequest,
    tms: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    dataset_tileset(&req, &state, &tms, Kind::Vector)
}

pub(super) async fn dataset_map_tileset(
    req: HttpRequest,
    tms: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    dataset_tileset(&req, &state, &tms, Kind::Map)
}

fn dataset_tileset(req: &HttpRequest, state: &AppState, tms: &str, kind: Kind) -> HttpResponse {
    metadata(req, state, |kvp, catalog, b| {
        let layers = dataset_default_layers(catalog, kind);
        let set = TileMatrixSet::get(tms).ok_or_else(|| Problem::not_found(format!("no tile matrix set `{tms}`")))?;
        let union = union_link(&layers, set, kind);
        if union.levels.is_empty() {
            return Err(Problem::not_found(format!("no collection is tiled in `{tms}`")));
        }
        let href = format!("{b}/{}/{tms}", kind.path());
        let title = catalog
            .metadata
            .title
            .get(tuile_core::metadata::Language::Fr)
            .to_string();
        let doc = tileset(&layers, &union, kind, &title, &href, b);
        answer_tileset(kvp, doc, &union, &layers, &href)
    })
}

/// The tileset document, or its TileJSON (`f=tilejson`, Web Mercator only).
fn answer_tileset(
    kvp: &Kvp,
    doc: Value,
    set: &TileSetLink,
    layers: &[&Arc<Layer>],
    href: &str,
) -> Result<(Value, &'static str), Problem> {
    match kvp.get("f") {
        Some("tilejson") if set.tms.id == "WebMercatorQuad" => Ok((tilejson(&doc, set, layers, href), TILEJSON_MIME)),
        Some("tilejson") => Err(Problem::not_found(format!(
            "no TileJSON of the {} tiles: TileJSON describes WebMercatorQuad tiles only",
            set.tms.id
        ))),
        _ => json_only(kvp).map(|_| (doc, "application/json")),
    }
}

/// The levels a set has, first and last.
fn level_range(set: &TileSetLink) -> (usize, usize) {
    let first = set.levels.first().map_or(0, |(z, _)| *z);
    let last = set.levels.last().map_or(0, |(z, _)| *z);
    (first, last)
}

/// A tileset's metadata (OGC API – Tiles, tileSet.yaml).
fn tileset(layers: &[&Arc<Layer>], set: &TileSetLink, kind: Kind, title: &str, href: &str, b: &str) -> Value {
    let tms = set.tms;
    let mime = match (kind, layers) {
        (Kind::Vector, _) => TileFormat::MVT_MIME,
        (Kind::Map, [one]) => one.tile_format().mime(),
        (Kind::Map, _) => ImageFormat::Png.mime(),
    };
    let (first, last) = level_range(set);
    let mut links = vec![
        link(href, "self", "application/json", "This tileset"),
        link(
            &format!("{b}/tileMatrixSets/{}", tms.id),
            TILING_SCHEME_REL,
            "application/json",
            tms.title,
        ),
        json!({
            "href": format!("{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"),
            "rel": "item",
            "type": mime,
            "templated": true,
            "title": "A tile",
        }),
    ];
    if kind == Kind::Map {
        for f in ImageFormat::ALL {
            links.push(json!({
                "href": format!("{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}?f={}", f.extension()),
                "rel": "item",
                "type": f.mime(),
                "templated": true,
                "title": format!("A tile as {}", f.mime()),
            }));
        }
    }
    if layers.len() == 1 {
        links.push(link(
            &format!("{b}/collections/{}", layers[0].name()),
            "http://www.opengis.net/def/rel/ogc/1.0/geodata",
            "application/json",
            "The collection",
        ));
    }
    if tms.id == "WebMercatorQuad" && kind == Kind::Vector {
        links.push(link(
            &format!("{href}?f=tilejson"),
            "alternate",
            TILEJSON_MIME,
            "This tileset as TileJSON",
        ));
    }
    let mut doc = json!({
        "title": format!("{title} ({})", tms.id),
        "dataType": kind.data_type(),
        "crs": tms.crs.uri(),
        "links": links,
        "tileMatrixSetLimits": set.levels.iter().map(|(z, r)| json!({
            "tileMatrix": tms.matrices[*z].id,
            "minTileRow": r.min_row,
            "maxTileRow": r.max_row,
            "minTileCol": r.min_col,
            "maxTileCol": r.max_col,
        })).collect::<Vec<_>>(),
        "layers": layers.iter().map(|l| layer_json(l, kind, &tms.matrices[first].id, &tms.matrices[last].id, b)).collect::<Vec<_>>(),
        "mediaTypes": [mime],
    });
    if let Some(uri) = tms.uri {
        doc["tileMatrixSetURI"] = json!(uri);
    }
    if let Some(bbox) = layers
        .iter()
        .filter_map(|l| l.extent_in(tms.crs))
        .reduce(|a, c| a.union(&c))
    {
        let [x0, y0, x1, y1] = tms.crs.bbox_to_axis_order(&bbox, true);
        doc["boundingBox"] = json!({"lowerLeft": [x0, y0], "upperRight": [x1, y1], "crs": tms.crs.uri()});
    }
    if let [l] = layers {
        if let Some(a) = &l.config.attribution {
            doc["attribution"] = json!(a.title);
        }
        if let Some(licence) = &l.config.licence {
            doc["license"] = json!(licence);
        }
    }
    doc
}

/// One layer of a tileset: what its features are and carry.
fn layer_json(layer: &Layer, kind: Kind, min: &str, max: &str, b: &str) -> Value {
    let mut l = json!({
        "id": layer.name(),
        "title": layer.config.title,
        "description": layer.config.abstract_,
        "dataType": kind.data_type(),
        "minTileMatrix": min,
        "maxTileMatrix": max,
        "links": [link(&format!("{b}/collections/{}/items", layer.name()), "items", GEOJSON, "The features")],
    });
    if let Source::Vector(v) = &layer.source {
        if let Some(d) = geometry_dimension(v.geometry_type()) {
            l["geometryDimension"] = json!(d);
        }
        if kind == Kind::Vector {
            l["propertiesSchema"] = properties_schema(layer);
        }
    }
    l
}

fn geometry_dimension(t: tuile_core::feature::GeometryType) -> Option<u8> {
    use tuile_core::feature::GeometryType as G;
    match t {
        G::Point | G::MultiPoint => Some(0),
        G::LineString | G::MultiLineString => Some(1),
        G::Polygon | G::MultiPolygon => Some(2),
        G::Any => None,
    }
}

/// The properties a layer's vector tiles carry by default, as JSON Schema.
fn properties_schema(layer: &Layer) -> Value {
    let Ok(Some(m)) = tuile_core::tiles::mvt_layer(layer, layer.default_style(), None, None) else {
        return json!({"type": "object", "properties": {}});
    };
    let Source::Vector(v) = &layer.source else {
        return json!({"type": "object", "properties": {}});
    };
    let mut props = serde_json::Map::new();
    for &c in &m.columns {
        let col = &v.columns()[c];
        props.insert(col.name.clone(), json!({"type": json_type(col.kind())}));
    }
    json!({"type": "object", "properties": props})
}

/// TileJSON 3.0.0 of a Web Mercator vector tileset, from its metadata.
fn tilejson(doc: &Value, set: &TileSetLink, layers: &[&Arc<Layer>], href: &str) -> Value {
    let (first, last) = level_range(set);
    let bounds = layers
        .iter()
        .map(|l| l.geographic_extent)
        .reduce(|a, c| a.union(&c))
        .map(|g| [g.minx, g.miny, g.maxx, g.maxy]);
    let vector_layers: Vec<Value> = layers
        .iter()
        .map(|l| {
            let fields: serde_json::Map<String, Value> = properties_schema(l)["properties"]
                .as_object()
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| (k.clone(), json!(v["type"].as_str().unwrap_or("string"))))
                        .collect()
                })
                .unwrap_or_default();
            json!({"id": l.name(), "description": l.config.title, "minzoom": first, "maxzoom": last, "fields": fields})
        })
        .collect();
    let mut tj = json!({
        "tilejson": "3.0.0",
        "name": doc["title"],
        "tiles": [format!("{href}/{{z}}/{{y}}/{{x}}")],
        "vector_layers": vector_layers,
        "minzoom": first,
        "maxzoom": last,
        "scheme": "xyz",
    });
    if let Some(b) = bounds {
        tj["bounds"] = json!(b);
        tj["center"] = json!([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, first]);
    }
    if let Some(a) = doc.get("attribution") {
        tj["attribution"] = a.clone();
    }
    tj
}
