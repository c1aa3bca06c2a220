//! The tiles themselves: a collection's (through the tile cache) and the
//! dataset's (drawn or encoded for the caller's layers).

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};

use super::{Kind, dataset_layers, edition, tile_at, tile_format, tile_set, union_link};
use crate::ogcapi::{Problem, check_params, collection};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::layer::Layer;
use tuile_core::render::ImageFormat;
use tuile_core::tiles::{TileFormat, TileRequest, mvt};

pub(super) async fn collection_tile(
    req: HttpRequest,
    path: web::Path<(String, String, String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    serve_tile(&req, &state, Kind::Vector, path.into_inner()).await
}

pub(super) async fn map_tile(
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
pub(super) async fn dataset_tile(
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let ((chosen, tms, z, row, col), _) = match dataset_request(&req, &state, Kind::Vector, path.into_inner()) {
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

/// A dataset tile's request read and checked: the layers the tile holds
/// and where it is, and the format asked for (PNG for maps by default).
fn dataset_request(
    req: &HttpRequest,
    state: &AppState,
    kind: Kind,
    (tms, z, row, col): (String, String, String, String),
) -> Result<(DatasetTile, TileFormat), Problem> {
    let kvp = Kvp::parse(req.query_string());
    check_params(&kvp, &["f", "datetime", "collections"], |_| false)?;
    let format = tile_format(req, &kvp, kind, ImageFormat::Png)?;
    let catalog = state.catalog_for(req);
    Ok((
        dataset_tile_layers(&catalog, &kvp, kind, (&tms, &z, &row, &col))?,
        format,
    ))
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

/// `/map/tiles/{tms}/{z}/{row}/{col}`: every layer (or those
/// `collections=` lists) drawn on one tile, bottom first. Not cached: the
/// layers chosen are the caller's.
pub(super) async fn dataset_map_tile(
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let ((chosen, tms, z, row, col), format) = match dataset_request(&req, &state, Kind::Map, path.into_inner()) {
        Ok(j) => j,
        Err(e) => return e.response(),
    };
    // PNG by default (`dataset_request`): the layers over each other keep their transparency.
    let format = match format {
        TileFormat::Image(f) => f,
        TileFormat::Mvt(_) => ImageFormat::Png,
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
        .map(|(layer, time)| {
            tuile_core::render::DrawLayer::new(Arc::clone(&layer), Arc::clone(layer.default_style()), time)
        })
        .collect();
    let background = format.tile_background();
    let drawn = tuile_core::render::map(
        &state.pool,
        view,
        layers,
        format,
        background,
        tuile_core::style::Color::WHITE,
    )
    .await;
    match drawn {
        Ok(bytes) => crate::http::cache::respond(
            &tuile_core::tiles::Encoded::new(bytes.into(), format.mime(), modified, max_age),
            &req,
        ),
        Err(e) => Problem::from(e).response(),
    }
}
