//! OGC API – Maps 1.0: `/map` (every layer, or those `collections=`
//! names) and `/collections/{id}/map`, drawn by the WMS renderer. Core,
//! CRS, scaling, spatial subsetting, datetime and collections selection;
//! PNG and JPEG.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{Problem, check_params, collection};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::grid::{Crs, transform_bbox};
use tuile_core::layer::Layer;
use tuile_core::render::{self, DrawLayer, ImageFormat, MapView};
use tuile_core::style::Color;
use tuile_core::tiles::Encoded;

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/scaling",
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/spatial-subsetting",
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/datetime",
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/collections-selection",
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/png",
    "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/jpeg",
];

pub const MAP_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/map";

/// The longer side of a map whose request gives neither width nor height.
const DEFAULT_SIZE: u32 = 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::http::{get, read_only};
    let p = &super::PROTOCOL;
    cfg.service(read_only("/map", p).route(get().to(dataset_map)))
        .service(read_only("/collections/{id}/map", p).route(get().to(collection_map)));
}

async fn dataset_map(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    serve(&req, &state, None).await
}

async fn collection_map(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    serve(&req, &state, Some(&id)).await
}

/// A map request, read and checked.
struct MapRequest {
    layers: Vec<DrawLayer>,
    view: MapView,
    format: ImageFormat,
    background: Option<Color>,
    bgcolor: Color,
}

async fn serve(req: &HttpRequest, state: &AppState, id: Option<&str>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(req);
    let request = match parse(req, &kvp, &catalog, id) {
        Ok(r) => r,
        Err(e) => return e.response(),
    };
    let (modified, max_age) = tuile_core::layer::freshness(request.layers.iter().map(|l| &*l.layer));
    let (format, crs, bbox) = (request.format, request.view.crs, request.view.bbox);
    let drawn = render::map(
        &state.pool,
        request.view,
        request.layers,
        request.format,
        request.background,
        request.bgcolor,
    )
    .await;
    match drawn {
        Ok(bytes) => {
            let mut resp =
                crate::http::cache::respond(&Encoded::new(bytes.into(), format.mime(), modified, max_age), req);
            let [x0, y0, x1, y1] = crs.bbox_to_axis_order(&bbox, true);
            let headers = resp.headers_mut();
            if let Ok(v) = format!("<{}>", crs.uri()).parse() {
                headers.insert(actix_web::http::header::HeaderName::from_static("content-crs"), v);
            }
            if let Ok(v) = format!("{x0},{y0},{x1},{y1}").parse() {
                headers.insert(actix_web::http::header::HeaderName::from_static("content-bbox"), v);
            }
            resp
        }
        Err(e) => Problem::from(e).response(),
    }
}

fn parse(req: &HttpRequest, kvp: &Kvp, catalog: &Catalog, id: Option<&str>) -> Result<MapRequest, Problem> {
    let mut allowed = vec![
        "f",
        "bbox",
        "bbox-crs",
        "crs",
        "width",
        "height",
        "datetime",
        "transparent",
        "bgcolor",
    ];
    if id.is_none() {
        allowed.push("collections");
    }
    check_params(kvp, &allowed, |_| false)?;
    let layers: Vec<&Arc<Layer>> = match (id, kvp.get("collections")) {
        (Some(id), _) => vec![collection(catalog, id)?],
        (None, None) => catalog.layers.iter().collect(),
        (None, Some(list)) => list
            .split(',')
            .map(|n| {
                catalog
                    .layer(n.trim())
                    .ok_or_else(|| Problem::not_found(format!("no collection `{}`", n.trim())))
            })
            .collect::<Result<_, _>>()?,
    };
    if layers.is_empty() {
        return Err(Problem::bad_request("collections= names no collection"));
    }
    let crs = match kvp.get("crs") {
        None => Crs::CRS84,
        Some(c) => Crs::parse(c).map_err(|_| Problem::bad_request(format!("crs `{c}` is not a CRS tuile knows")))?,
    };
    if let Some(l) = layers.iter().find(|l| !l.offers_crs(crs) && !crs.is_crs84()) {
        return Err(Problem::bad_request(format!(
            "`{}` is not offered in {}",
            l.name(),
            crs.uri()
        )));
    }
    let bbox = match kvp.get("bbox") {
        Some(text) => {
            let values: Vec<f64> = text
                .split(',')
                .map(|v| v.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| Problem::bad_request(format!("bbox `{text}`: four numbers, minx,miny,maxx,maxy")))?;
            let [a, b, c, d] = values[..] else {
                return Err(Problem::bad_request(format!(
                    "bbox `{text}`: four numbers, minx,miny,maxx,maxy"
                )));
            };
            let bbox_crs = match kvp.get("bbox-crs") {
                None => Crs::CRS84,
                Some(c) => Crs::parse(c)
                    .map_err(|_| Problem::bad_request(format!("bbox-crs `{c}` is not a CRS tuile knows")))?,
            };
            let b = bbox_crs.bbox_from_axis_order([a, b, c, d], true);
            if !(b.minx < b.maxx && b.miny < b.maxy) {
                return Err(Problem::bad_request(format!("bbox `{text}` is empty or inverted")));
            }
            transform_bbox(&b, bbox_crs, crs).map_err(|e| Problem::bad_request(format!("bbox: {e}")))?
        }
        None => layers
            .iter()
            .filter_map(|l| {
                l.extent_in(crs)
                    .or_else(|| transform_bbox(&l.native_extent, l.source.meta().crs, crs).ok())
            })
            .reduce(|a, b| a.union(&b))
            .ok_or_else(|| Problem::bad_request("the collections have no extent in this CRS: give a bbox"))?,
    };
    let limits = &catalog.config.server.limits;
    let number = |name: &str| -> Result<Option<u32>, Problem> {
        kvp.get(name)
            .map(|v| match v.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(Problem::bad_request(format!(
                    "{name} `{v}` is not a positive whole number"
                ))),
            })
            .transpose()
    };
    let aspect = bbox.width() / bbox.height();
    let (width, height) = match (number("width")?, number("height")?) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, ((w as f64 / aspect).round() as u32).max(1)),
        (None, Some(h)) => (((h as f64 * aspect).round() as u32).max(1), h),
        (None, None) if aspect >= 1.0 => (DEFAULT_SIZE, ((DEFAULT_SIZE as f64 / aspect).round() as u32).max(1)),
        (None, None) => (((DEFAULT_SIZE as f64 * aspect).round() as u32).max(1), DEFAULT_SIZE),
    };
    if width > limits.max_width || height > limits.max_height {
        return Err(Problem::bad_request(format!(
            "a {width}×{height} map is larger than this server draws ({}×{} at most)",
            limits.max_width, limits.max_height
        )));
    }
    let format = map_format(req, kvp)?;
    let transparent = match kvp.get("transparent").map(str::to_ascii_lowercase).as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(v) => return Err(Problem::bad_request(format!("transparent `{v}`: true or false"))),
    };
    let bgcolor = match kvp.get("bgcolor") {
        None => Color::WHITE,
        Some(c) => {
            Color::parse_hex(c).ok_or_else(|| Problem::bad_request(format!("bgcolor `{c}`: #RRGGBB or 0xRRGGBB")))?
        }
    };
    let mut draw = Vec::with_capacity(layers.len());
    for l in layers {
        // An empty `datetime=` is refused here (it asks for the default on tiles).
        let time = super::edition(l, kvp.get("datetime"))?;
        draw.push(DrawLayer::new(Arc::clone(l), Arc::clone(l.default_style()), time));
    }
    Ok(MapRequest {
        layers: draw,
        view: MapView {
            crs,
            bbox,
            width,
            height,
        },
        background: format.background(transparent, bgcolor),
        format,
        bgcolor,
    })
}

/// `f=png|jpeg`, else what `Accept` prefers of them, else PNG.
fn map_format(req: &HttpRequest, kvp: &Kvp) -> Result<ImageFormat, Problem> {
    if let Some(f) = kvp.get("f") {
        return ImageFormat::from_mime(f).ok_or_else(|| Problem::bad_request(format!("f={f}: maps are png or jpeg")));
    }
    let accept = req.headers().get("accept").and_then(|v| v.to_str().ok()).unwrap_or("");
    Ok(accept
        .split(',')
        .find_map(|a| ImageFormat::from_mime(a.split(';').next().unwrap_or("")))
        .unwrap_or(ImageFormat::Png))
}

/// The maps' paths for the OpenAPI document at `/api`.
pub fn openapi_paths(
    collection_id: &serde_json::Value,
    responses: impl Fn(serde_json::Value) -> serde_json::Value,
) -> serde_json::Value {
    let q = |name: &str, description: &str, schema: serde_json::Value| json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema});
    let common = vec![
        q(
            "bbox",
            "The map's box: minx,miny,maxx,maxy in bbox-crs (CRS84 by default); the collections' extent by default.",
            json!({"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}),
        ),
        q("bbox-crs", "The CRS of bbox.", json!({"type": "string"})),
        q("crs", "The map's CRS (CRS84 by default).", json!({"type": "string"})),
        q(
            "width",
            "Width in pixels (from height and the box's shape by default).",
            json!({"type": "integer", "minimum": 1}),
        ),
        q(
            "height",
            "Height in pixels (from width and the box's shape by default).",
            json!({"type": "integer", "minimum": 1}),
        ),
        q(
            "datetime",
            "The edition: a year or an instant in it (the latest by default).",
            json!({"type": "string"}),
        ),
        q(
            "transparent",
            "Whether the background is transparent (PNG).",
            json!({"type": "boolean", "default": true}),
        ),
        q("bgcolor", "The background colour, #RRGGBB.", json!({"type": "string"})),
        q(
            "f",
            "The format: png or jpeg.",
            json!({"type": "string", "enum": ["png", "jpeg"]}),
        ),
    ];
    let image = json!({"description": "The map", "content": {
        "image/png": {"schema": {"type": "string", "format": "binary"}},
        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    }});
    let mut dataset = common.clone();
    dataset.push(q(
        "collections",
        "The layers drawn, bottom first (all by default).",
        json!({"type": "string"}),
    ));
    let mut one = vec![collection_id.clone()];
    one.extend(common);
    json!({
        "/map": {"get": {"summary": "A map of the dataset", "operationId": "getDatasetMap", "parameters": dataset, "responses": responses(image.clone())}},
        "/collections/{collectionId}/map": {"get": {"summary": "A map of a collection", "operationId": "getCollectionMap", "parameters": one, "responses": responses(image)}},
    })
}
