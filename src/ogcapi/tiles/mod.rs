//! OGC API – Tiles 1.0: vector tiles (MVT) and map tiles (PNG, JPEG) of
//! each collection and of the whole dataset ([`serve`]), their tileset
//! metadata, lists and TileJSON 3.0.0 ([`tilesets`]), and their OpenAPI
//! paths. A thin adapter over the tile cache, which renders, encodes and
//! keeps the tiles; this module holds what both halves share: which tiles
//! exist, and the request parameters.

mod openapi;
mod serve;
mod tilesets;

pub use openapi::openapi_paths;

use std::sync::Arc;

use actix_web::{HttpRequest, web};

use super::{Problem, collection, collections};
use crate::ows::Kvp;
use serve::{collection_tile, dataset_map_tile, dataset_tile, map_tile};
use tilesets::{
    collection_tileset, collection_tilesets, dataset_map_tileset, dataset_map_tilesets, dataset_vector_tileset,
    dataset_vector_tilesets, map_tileset, map_tilesets,
};
use tuile_core::catalog::Catalog;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::layer::{Layer, TileSetLink};
use tuile_core::render::ImageFormat;
use tuile_core::tiles::TileFormat;

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
pub const TILEJSON_MIME: &str = "application/vnd.mapbox.tile+json";

/// Which tiles a route serves: features (MVT) or a rendered map (PNG,
/// JPEG), of one collection or of the dataset (every layer, or those
/// `collections=` names).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Vector,
    Map,
}

impl Kind {
    pub(super) fn data_type(self) -> &'static str {
        match self {
            Kind::Vector => "vector",
            Kind::Map => "map",
        }
    }

    pub(super) fn path(self) -> &'static str {
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
pub(super) fn tile_set(layer: &Layer, tms: &str, kind: Kind) -> Result<TileSetLink, Problem> {
    let set = match kind {
        Kind::Vector => layer.vector_tile_set(tms),
        Kind::Map => layer.tile_set(tms).cloned(),
    };
    set.ok_or_else(|| Problem::not_found(format!("`{}` is not tiled in `{tms}`", layer.name())))
}

/// Every tile set of a layer, of a kind.
pub(super) fn tile_sets(layer: &Layer, kind: Kind) -> Vec<TileSetLink> {
    layer
        .tile_sets
        .iter()
        .filter_map(|s| tile_set(layer, s.tms.id, kind).ok())
        .collect()
}

/// A tile's path parameters, checked against the tile set's limits: 404
/// outside them, as the standard asks.
pub(super) fn tile_at(set: &TileSetLink, z: &str, row: &str, col: &str) -> Result<(usize, u32, u32), Problem> {
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

/// The edition `datetime=` names, or the layer's default one (an empty
/// value asks for the default).
pub(super) fn edition(layer: &Layer, kvp: &Kvp) -> Result<Option<String>, Problem> {
    super::edition(layer, kvp.get_nonempty("datetime"))
}

/// `properties=a,b`: the properties a vector tile keeps (`None`: the
/// ones its style reads).
pub(super) fn properties(kvp: &Kvp) -> Option<Arc<[String]>> {
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
pub(super) fn tile_format(
    req: &HttpRequest,
    kvp: &Kvp,
    kind: Kind,
    default_image: ImageFormat,
) -> Result<TileFormat, Problem> {
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

/// The layers of a dataset tile: every feature collection (vector tiles)
/// or every layer (maps), or those `collections=` names (each must exist
/// for the caller).
pub(super) fn dataset_layers<'a>(catalog: &'a Catalog, kvp: &Kvp, kind: Kind) -> Result<Vec<&'a Arc<Layer>>, Problem> {
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

/// Every layer a dataset tileset draws by default, of a kind.
pub(super) fn dataset_default_layers(catalog: &Catalog, kind: Kind) -> Vec<&Arc<Layer>> {
    match kind {
        Kind::Vector => collections(catalog).collect(),
        Kind::Map => catalog.layers.iter().collect(),
    }
}

/// The tiles of several layers in one set: at each level, the smallest
/// range covering all of theirs.
pub(super) fn union_link(layers: &[&Arc<Layer>], tms: &'static TileMatrixSet, kind: Kind) -> TileSetLink {
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
