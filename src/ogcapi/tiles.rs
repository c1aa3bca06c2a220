//! OGC API – Tiles 1.0: vector tiles (MVT) of each feature collection and
//! of the whole dataset, map tiles (PNG, JPEG) of each collection, their
//! tileset metadata and lists, and TileJSON 3.0.0 for Web Mercator. A thin
//! adapter over the tile cache, which renders, encodes and keeps the tiles.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{GEOJSON, Problem, check_params, collection, collections, link};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::layer::{Layer, TileSetLink};
use tuile_core::render::ImageFormat;
use tuile_core::source::Source;
use tuile_core::tiles::{TileFormat, TileRequest, mvt};

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/collections-selection",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/datetime",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/jpeg",
];

pub const TILING_SCHEME_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
pub const TILESETS_VECTOR_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
pub const TILESETS_MAP_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map";
const TILEJSON_MIME: &str = "application/vnd.mapbox.tile+json";

/// Which tiles a route serves: the features of one collection, of the
/// dataset (every collection, or those `collections=` names), or a
/// collection's rendered map.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Vector,
    Map,
}

impl Kind {
    fn data_type(self) -> &'static str {
        match self {
            Kind::Vector => "vector",
            Kind::Map => "map",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Vector => "tiles",
            Kind::Map => "map/tiles",
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::http::{get, read_only};
    let p = &super::PROTOCOL;
    cfg.service(read_only("/collections/{id}/tiles", p).route(get().to(collection_tilesets)))
        .service(read_only("/collections/{id}/tiles/{tms}", p).route(get().to(collection_tileset)))
        .service(read_only("/collections/{id}/tiles/{tms}/{z}/{row}/{col}", p).route(get().to(collection_tile)))
        .service(read_only("/collections/{id}/map/tiles", p).route(get().to(map_tilesets)))
        .service(read_only("/collections/{id}/map/tiles/{tms}", p).route(get().to(map_tileset)))
        .service(read_only("/collections/{id}/map/tiles/{tms}/{z}/{row}/{col}", p).route(get().to(map_tile)))
        .service(read_only("/tiles", p).route(get().to(dataset_vector_tilesets)))
        .service(read_only("/tiles/{tms}", p).route(get().to(dataset_vector_tileset)))
        .service(read_only("/tiles/{tms}/{z}/{row}/{col}", p).route(get().to(dataset_tile)))
        .service(read_only("/map/tiles", p).route(get().to(dataset_map_tilesets)))
        .service(read_only("/map/tiles/{tms}", p).route(get().to(dataset_map_tileset)))
        .service(read_only("/map/tiles/{tms}/{z}/{row}/{col}", p).route(get().to(dataset_map_tile)));
}

/// A layer's tiles of a kind in a tile matrix set.
fn tile_set(layer: &Layer, tms: &str, kind: Kind) -> Result<TileSetLink, Problem> {
    let set = match kind {
        Kind::Vector => layer.vector_tile_set(tms),
        Kind::Map => layer.tile_set(tms).cloned(),
    };
    set.ok_or_else(|| Problem::not_found(format!("`{}` is not tiled in `{tms}`", layer.name())))
}

/// Every tile set of a layer, of a kind.
fn tile_sets(layer: &Layer, kind: Kind) -> Vec<TileSetLink> {
    layer
        .tile_sets
        .iter()
        .filter_map(|s| tile_set(layer, s.tms.id, kind).ok())
        .collect()
}

/// A tile's path parameters, checked against the tile set's limits: 404
/// outside them, as the standard asks.
fn tile_at(set: &TileSetLink, z: &str, row: &str, col: &str) -> Result<(usize, u32, u32), Problem> {
    let outside = || Problem::not_found(format!("no tile {z}/{row}/{col} in `{}`", set.tms.id));
    let (z, _) = set.tms.matrix(z).ok_or_else(outside)?;
    let limits = set.limits(z).ok_or_else(outside)?;
    let (row, col) = match (row.parse::<u32>(), col.parse::<u32>()) {
        (Ok(r), Ok(c)) => (r, c),
        _ => {
            return Err(Problem::bad_request(format!(
                "tileRow `{row}` and tileCol `{col}` must be whole numbers"
            )));
        }
    };
    if !limits.contains(row, col) {
        return Err(outside());
    }
    Ok((z, row, col))
}

/// The edition `datetime=` names (a year, a date, an instant in it), or
/// the layer's default one.
fn edition(layer: &Layer, kvp: &Kvp) -> Result<Option<String>, Problem> {
    let Some(dim) = &layer.time else {
        return Ok(None);
    };
    let asked = kvp.get_nonempty("datetime").map(|d| d.get(..4).unwrap_or(d));
    dim.resolve(asked)
        .map(|v| Some(v.to_string()))
        .map_err(|e| Problem::bad_request(format!("datetime: {e}")))
}

/// `properties=a,b`: the properties a vector tile keeps (`None`: the
/// ones its style reads).
fn properties(kvp: &Kvp) -> Option<Arc<[String]>> {
    let list = kvp.get("properties")?;
    let mut names: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    names.sort();
    names.dedup();
    Some(names.into())
}

/// `f=` for a tile: `mvt` for vector tiles, `png` or `jpeg` for maps,
/// else what `Accept` prefers among them.
fn tile_format(req: &HttpRequest, kvp: &Kvp, kind: Kind, default_image: ImageFormat) -> Result<TileFormat, Problem> {
    let wanted = kvp.get_nonempty("f").map(str::to_string).or_else(|| {
        let accept = req.headers().get("accept")?.to_str().ok()?;
        accept
            .split(',')
            .map(|a| a.split(';').next().unwrap_or("").trim().to_string())
            .find(|a| {
                TileFormat::from_mime(a).is_some_and(|f| matches!(f, TileFormat::Mvt(_)) == (kind == Kind::Vector))
            })
    });
    let format = match wanted {
        None => match kind {
            Kind::Vector => TileFormat::Mvt(None),
            Kind::Map => TileFormat::Image(default_image),
        },
        Some(f) => TileFormat::from_mime(&f)
            .filter(|t| matches!(t, TileFormat::Mvt(_)) == (kind == Kind::Vector))
            .ok_or_else(|| {
                Problem::bad_request(match kind {
                    Kind::Vector => format!("f={f}: vector tiles are `mvt`"),
                    Kind::Map => format!("f={f}: map tiles are `png` or `jpeg`"),
                })
            })?,
    };
    Ok(match format {
        TileFormat::Mvt(_) => TileFormat::Mvt(properties(kvp)),
        image => image,
    })
}

async fn collection_tile(
    req: HttpRequest,
    path: web::Path<(String, String, String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    serve_tile(&req, &state, Kind::Vector, path.into_inner()).await
}

async fn map_tile(
    req: HttpRequest,
    path: web::Path<(String, String, String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    serve_tile(&req, &state, Kind::Map, path.into_inner()).await
}

async fn serve_tile(
    req: &HttpRequest,
    state: &AppState,
    kind: Kind,
    (id, tms, z, row, col): (String, String, String, String, String),
) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let request = (|| {
        let allowed: &[&str] = match kind {
            Kind::Vector => &["f", "datetime", "properties"],
            Kind::Map => &["f", "datetime"],
        };
        check_params(&kvp, allowed, |_| false)?;
        let catalog = state.catalog_for(req);
        let layer = collection(&catalog, &id)?;
        let format = tile_format(req, &kvp, kind, layer.tile_format())?;
        if let TileFormat::Mvt(Some(fields)) = &format {
            tuile_core::tiles::mvt_layer(layer, layer.default_style(), Some(fields), None)?;
        }
        let set = tile_set(layer, &tms, kind)?;
        let (z, row, col) = tile_at(&set, &z, &row, &col)?;
        Ok::<_, Problem>(TileRequest {
            layer: Arc::clone(layer),
            style: Arc::clone(layer.default_style()),
            tms: set.tms,
            z,
            row,
            col,
            background: format.tile_background(),
            format,
            time: edition(layer, &kvp)?,
        })
    })();
    match request {
        Ok(t) => match state.tiles.get(&t, &state.pool).await {
            Ok(tile) => crate::http::cache::respond(&tile, req),
            Err(e) => Problem::from(e).response(),
        },
        Err(e) => e.response(),
    }
}

/// `/tiles/{tms}/{z}/{row}/{col}`: the features of every collection (or
/// those `collections=` lists) in one vector tile, one MVT layer each.
/// Not cached: the collections chosen are the caller's.
async fn dataset_tile(
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (tms, z, row, col) = path.into_inner();
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(&req);
    let job = (|| {
        check_params(&kvp, &["f", "datetime", "collections"], |_| false)?;
        tile_format(&req, &kvp, Kind::Vector, ImageFormat::Png)?;
        dataset_tile_layers(&catalog, &kvp, Kind::Vector, (&tms, &z, &row, &col))
    })();
    let (chosen, tms, z, row, col) = match job {
        Ok(j) => j,
        Err(e) => return e.response(),
    };
    let (modified, max_age) = tuile_core::layer::freshness(chosen.iter().map(|(l, _)| &**l));
    let encoded = state
        .pool
        .run(move || {
            let mut layers = Vec::new();
            for (l, time) in &chosen {
                if let Some(m) = tuile_core::tiles::mvt_layer(l, l.default_style(), None, time.as_deref())? {
                    layers.push(m);
                }
            }
            mvt::encode(&layers, tms.crs, &tms.matrices[z], row, col).map_err(tuile_core::error::Error::from)
        })
        .await;
    match encoded.map_err(tuile_core::error::Error::from).and_then(|r| r) {
        Ok(bytes) => crate::http::cache::respond(&tuile_core::tiles::Encoded::mvt(&bytes, modified, max_age), &req),
        Err(e) => Problem::from(e).response(),
    }
}

/// The layers a dataset tile holds, each with its edition, and where the
/// tile is: every chosen layer whose tiles reach it.
type DatasetTile = (
    Vec<(Arc<Layer>, Option<String>)>,
    &'static TileMatrixSet,
    usize,
    u32,
    u32,
);

fn dataset_tile_layers(
    catalog: &Catalog,
    kvp: &Kvp,
    kind: Kind,
    (tms, z, row, col): (&str, &str, &str, &str),
) -> Result<DatasetTile, Problem> {
    let layers = dataset_layers(catalog, kvp, kind)?;
    let tms = TileMatrixSet::get(tms).ok_or_else(|| Problem::not_found(format!("no tile matrix set `{tms}`")))?;
    let set = union_link(&layers, tms, kind);
    let (z, row, col) = tile_at(&set, z, row, col)?;
    let mut chosen = Vec::new();
    for l in layers {
        if tile_set(l, tms.id, kind).is_ok_and(|s| s.limits(z).is_some_and(|r| r.contains(row, col))) {
            chosen.push((Arc::clone(l), edition(l, kvp)?));
        }
    }
    Ok((chosen, tms, z, row, col))
}

/// The layers of a dataset tile: every feature collection (vector tiles)
/// or every layer (maps), or those `collections=` names (each must exist
/// for the caller).
fn dataset_layers<'a>(catalog: &'a Catalog, kvp: &Kvp, kind: Kind) -> Result<Vec<&'a Arc<Layer>>, Problem> {
    let named = |id: &str| match kind {
        Kind::Vector => collection(catalog, id),
        Kind::Map => catalog
            .layer(id)
            .ok_or_else(|| Problem::not_found(format!("no collection `{id}`"))),
    };
    match (kvp.get_nonempty("collections"), kind) {
        (None, Kind::Vector) => Ok(collections(catalog).collect()),
        (None, Kind::Map) => Ok(catalog.layers.iter().collect()),
        (Some(list), _) => list.split(',').map(|id| named(id.trim())).collect(),
    }
}

/// `/map/tiles/{tms}/{z}/{row}/{col}`: every layer (or those
/// `collections=` lists) drawn on one tile, bottom first. Not cached: the
/// layers chosen are the caller's.
async fn dataset_map_tile(
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (tms, z, row, col) = path.into_inner();
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(&req);
    let job = (|| {
        check_params(&kvp, &["f", "datetime", "collections"], |_| false)?;
        // PNG by default: the layers over each other keep their transparency.
        let format = match tile_format(&req, &kvp, Kind::Map, ImageFormat::Png)? {
            TileFormat::Image(f) => f,
            TileFormat::Mvt(_) => ImageFormat::Png,
        };
        let found = dataset_tile_layers(&catalog, &kvp, Kind::Map, (&tms, &z, &row, &col))?;
        Ok::<_, Problem>((found, format))
    })();
    let ((chosen, tms, z, row, col), format) = match job {
        Ok(j) => j,
        Err(e) => return e.response(),
    };
    let (modified, max_age) = tuile_core::layer::freshness(chosen.iter().map(|(l, _)| &**l));
    let view = tuile_core::render::MapView {
        crs: tms.crs,
        bbox: tms.matrices[z].tile_bbox(row, col),
        width: tuile_core::grid::tms::TILE_SIZE,
        height: tuile_core::grid::tms::TILE_SIZE,
    };
    let layers: Vec<tuile_core::render::DrawLayer> = chosen
        .into_iter()
        .map(|(layer, time)| tuile_core::render::DrawLayer {
            style: Arc::clone(layer.default_style()),
            layer,
            time,
        })
        .collect();
    let background = format.tile_background();
    let drawn = state
        .pool
        .run(move || -> Result<Vec<u8>, tuile_core::error::Error> {
            let pixmap = tuile_core::render::render(&view, &layers, background)?;
            Ok(tuile_core::render::encode(
                &pixmap,
                format,
                tuile_core::style::Color::WHITE,
                85,
            )?)
        })
        .await;
    match drawn.map_err(tuile_core::error::Error::from).and_then(|r| r) {
        Ok(bytes) => crate::http::cache::respond(
            &tuile_core::tiles::Encoded::new(bytes.into(), format.mime(), modified, max_age),
            &req,
        ),
        Err(e) => Problem::from(e).response(),
    }
}

/// The tiles of several layers in one set: at each level, the smallest
/// range covering all of theirs.
fn union_link(layers: &[&Arc<Layer>], tms: &'static TileMatrixSet, kind: Kind) -> TileSetLink {
    let mut levels: Vec<(usize, tuile_core::grid::tms::TileRange)> = Vec::new();
    for l in layers {
        let Ok(set) = tile_set(l, tms.id, kind) else { continue };
        for (z, r) in set.levels {
            match levels.iter_mut().find(|(lz, _)| *lz == z) {
                Some((_, u)) => {
                    u.min_row = u.min_row.min(r.min_row);
                    u.min_col = u.min_col.min(r.min_col);
                    u.max_row = u.max_row.max(r.max_row);
                    u.max_col = u.max_col.max(r.max_col);
                }
                None => levels.push((z, r)),
            }
        }
    }
    levels.sort_by_key(|(z, _)| *z);
    TileSetLink { tms, levels }
}

/// The JSON answer of a metadata resource: only `f=json` (or none) is
/// served; `f=tilejson` where `tilejson` is given.
fn metadata(
    req: &HttpRequest,
    state: &AppState,
    answer: impl FnOnce(&Kvp, &Catalog, &str) -> Result<(Value, &'static str), Problem>,
) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(req);
    let b = super::base(req, state, &catalog);
    let result = check_params(&kvp, &["f"], |_| false).and_then(|_| answer(&kvp, &catalog, &b));
    match result {
        Ok((doc, mime)) => super::json_response(&doc, mime, &catalog),
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

async fn collection_tilesets(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    tilesets_of(&req, &state, &id, Kind::Vector)
}

async fn map_tilesets(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
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

async fn dataset_vector_tilesets(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    dataset_tilesets(&req, &state, Kind::Vector)
}

async fn dataset_map_tilesets(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    dataset_tilesets(&req, &state, Kind::Map)
}

/// Every layer a dataset tileset draws by default, of a kind.
fn dataset_default_layers(catalog: &Catalog, kind: Kind) -> Vec<&Arc<Layer>> {
    match kind {
        Kind::Vector => collections(catalog).collect(),
        Kind::Map => catalog.layers.iter().collect(),
    }
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

async fn collection_tileset(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (id, tms) = path.into_inner();
    tileset_of(&req, &state, &id, &tms, Kind::Vector)
}

async fn map_tileset(req: HttpRequest, path: web::Path<(String, String)>, state: web::Data<AppState>) -> HttpResponse {
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

async fn dataset_vector_tileset(req: HttpRequest, tms: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    dataset_tileset(&req, &state, &tms, Kind::Vector)
}

async fn dataset_map_tileset(req: HttpRequest, tms: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
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

fn json_type(kind: tuile_core::feature::ValueKind) -> &'static str {
    use tuile_core::feature::ValueKind as K;
    match kind {
        K::Boolean => "boolean",
        K::Integer => "integer",
        K::Number => "number",
        K::Text => "string",
    }
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

/// The tiles' paths for the OpenAPI document at `/api`.
pub fn openapi_paths(collection_id: &Value, responses: impl Fn(Value) -> Value) -> Value {
    let path_param = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema});
    let query = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema});
    let sets: Vec<&str> = TileMatrixSet::all().iter().map(|t| t.id).collect();
    let tms = path_param(
        "tileMatrixSetId",
        "A tile matrix set (see /tileMatrixSets).",
        json!({"type": "string", "enum": sets}),
    );
    let matrix = path_param("tileMatrix", "A tile matrix of the set.", json!({"type": "string"}));
    let row = path_param(
        "tileRow",
        "The tile's row, from the top.",
        json!({"type": "integer", "minimum": 0}),
    );
    let col = path_param(
        "tileCol",
        "The tile's column, from the left.",
        json!({"type": "integer", "minimum": 0}),
    );
    let datetime = query(
        "datetime",
        "The edition: a year or an instant in it (the latest by default).",
        json!({"type": "string"}),
    );
    let properties = query(
        "properties",
        "The properties the vector tile keeps (comma-separated; by default those its style reads).",
        json!({"type": "string"}),
    );
    let collections = query(
        "collections",
        "The collections the dataset tile holds (comma-separated; all by default).",
        json!({"type": "string"}),
    );
    let json_only = query(
        "f",
        "The representation: json.",
        json!({"type": "string", "enum": ["json"]}),
    );
    let tileset_f = query(
        "f",
        "The representation: json, or tilejson (WebMercatorQuad only).",
        json!({"type": "string", "enum": ["json", "tilejson"]}),
    );
    let mvt_f = query("f", "The tile format: mvt.", json!({"type": "string", "enum": ["mvt"]}));
    let map_f = query(
        "f",
        "The tile format: png or jpeg.",
        json!({"type": "string", "enum": ["png", "jpeg"]}),
    );
    let doc = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"type": "object"}}}});
    let tileset_doc = json!({"description": "The tileset", "content": {
        "application/json": {"schema": {"type": "object"}},
        TILEJSON_MIME: {"schema": {"type": "object"}},
    }});
    let tile = |mimes: &[&str]| {
        let content: serde_json::Map<String, Value> = mimes
            .iter()
            .map(|m| (m.to_string(), json!({"schema": {"type": "string", "format": "binary"}})))
            .collect();
        let mut r = responses(json!({"description": "The tile", "content": content}));
        r["204"] = json!({"description": "No feature in this tile"});
        r
    };
    let op = |summary: &str, id: &str, params: Value, resp: Value| json!({"get": {"summary": summary, "operationId": id, "parameters": params, "responses": resp}});
    let map_mimes: Vec<&str> = ImageFormat::ALL.iter().map(|f| f.mime()).collect();
    json!({
        "/collections/{collectionId}/tiles": op("The vector tilesets of a collection", "getCollectionVectorTileSetsList",
            json!([collection_id, json_only]), responses(doc("The tilesets"))),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}": op("A vector tileset of a collection", "getCollectionVectorTileSet",
            json!([collection_id, tms, tileset_f]), responses(tileset_doc.clone())),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A vector tile of a collection", "getCollectionVectorTile",
            json!([collection_id, tms, matrix, row, col, datetime, properties, mvt_f]), tile(&[TileFormat::MVT_MIME])),
        "/collections/{collectionId}/map/tiles": op("The map tilesets of a collection", "getCollectionMapTileSetsList",
            json!([collection_id, json_only]), responses(doc("The tilesets"))),
        "/collections/{collectionId}/map/tiles/{tileMatrixSetId}": op("A map tileset of a collection", "getCollectionMapTileSet",
            json!([collection_id, tms, json_only]), responses(doc("The tileset"))),
        "/collections/{collectionId}/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A map tile of a collection", "getCollectionMapTile",
            json!([collection_id, tms, matrix, row, col, datetime, map_f]), tile(&map_mimes)),
        "/tiles": op("The vector tilesets of the dataset", "getDatasetVectorTileSetsList", json!([json_only]), responses(doc("The tilesets"))),
        "/tiles/{tileMatrixSetId}": op("A vector tileset of the dataset", "getDatasetVectorTileSet",
            json!([tms, tileset_f]), responses(tileset_doc)),
        "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A vector tile of the dataset", "getDatasetVectorTile",
            json!([tms, matrix, row, col, datetime, collections, mvt_f]), tile(&[TileFormat::MVT_MIME])),
        "/map/tiles": op("The map tilesets of the dataset", "getDatasetMapTileSetsList", json!([json_only]), responses(doc("The tilesets"))),
        "/map/tiles/{tileMatrixSetId}": op("A map tileset of the dataset", "getDatasetMapTileSet",
            json!([tms, json_only]), responses(doc("The tileset"))),
        "/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A map tile of the dataset", "getDatasetMapTile",
            json!([tms, matrix, row, col, datetime, collections, map_f]), tile(&map_mimes)),
    })
}
