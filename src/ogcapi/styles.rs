//! Styles for web maps: each collection's SLD styles as MapLibre style
//! documents over its vector tiles, with their sprites, and one combined
//! style (the orthophoto under every collection) for MapLibre portals and
//! the viewer. Paths follow OGC API – Styles.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Problem, check_params, collection, collections, link};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::layer::Layer;
use tuile_core::style::Style;
use tuile_core::style::maplibre::{self, Target};

pub const MIME: &str = "application/vnd.mapbox.style+json";
pub const STYLES_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/styles";
/// The combined style's identifier.
const COMBINED: &str = "default";

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::http::{get, read_only};
    let p = &super::PROTOCOL;
    cfg.service(read_only("/collections/{id}/styles", p).route(get().to(list)))
        .service(read_only("/collections/{id}/styles/{style}", p).route(get().to(one)))
        .service(read_only("/collections/{id}/styles/{style}/{file}", p).route(get().to(sprite)))
        .service(read_only("/fonts/{fontstack}/{range}", p).route(get().to(glyphs)))
        .service(read_only("/styles", p).route(get().to(combined_list)))
        .service(read_only("/styles/{style}", p).route(get().to(combined)));
}

/// A style's URL, for links.
pub fn style_href(b: &str, layer: &str, style: &str) -> String {
    format!("{b}/collections/{layer}/styles/{style}")
}

/// A JSON document answer to a request that may only carry `f=` (json or
/// the style's own `mapbox`).
fn answer(
    req: &HttpRequest,
    state: &AppState,
    make: impl FnOnce(&Catalog, &str) -> Result<(Value, &'static str), Problem>,
) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(req);
    let b = super::base(req, state, &catalog);
    let result = check_params(&kvp, &["f"], |_| false)
        .and_then(|_| match kvp.get("f") {
            None | Some("json" | "mapbox" | "application/json") => Ok(()),
            Some(MIME) => Ok(()),
            Some(f) => Err(Problem::bad_request(format!(
                "f={f}: styles are served as mapbox (MapLibre) JSON"
            ))),
        })
        .and_then(|_| make(&catalog, &b));
    match result {
        Ok((doc, mime)) => super::json_response(&doc, mime, &catalog),
        Err(e) => e.response(),
    }
}

fn style_of<'a>(layer: &'a Layer, name: &str) -> Result<&'a std::sync::Arc<Style>, Problem> {
    layer
        .styles
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| Problem::not_found(format!("`{}` has no style `{name}`", layer.name())))
}

async fn list(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    answer(&req, &state, |catalog, b| {
        let layer = collection(catalog, &id)?;
        let styles: Vec<Value> = layer
            .styles
            .iter()
            .map(|s| {
                json!({
                    "id": s.name,
                    "title": s.title,
                    "links": [link(&style_href(b, &id, &s.name), "stylesheet", MIME, "MapLibre / Mapbox GL style")],
                })
            })
            .collect();
        Ok((
            json!({
                "default": layer.default_style().name,
                "styles": styles,
                "links": [link(&format!("{b}/collections/{id}/styles"), "self", "application/json", "The styles")],
            }),
            "application/json",
        ))
    })
}

/// The layers of one collection's style, for a document with `sprite`
/// naming its icons' prefix.
fn style_layers(layer: &Layer, style: &Style, source: &str, sprite: &str) -> Vec<Value> {
    maplibre::layers(
        style,
        &Target {
            source,
            source_layer: layer.name(),
            id: layer.name(),
            sprite,
            min_scale: layer.config.min_scale,
            max_scale: layer.config.max_scale,
        },
    )
}

/// Where a MapLibre map of the collections starts: the middle of their
/// extent, at the zoom they start showing.
fn view(layers: &[&Layer]) -> (Value, f64) {
    let extent = layers.iter().map(|l| l.geographic_extent).reduce(|a, b| a.union(&b));
    let centre = extent.map_or(json!([0, 0]), |e| {
        json!([(e.minx + e.maxx) / 2.0, (e.miny + e.maxy) / 2.0])
    });
    let zoom = layers
        .iter()
        .filter_map(|l| l.config.max_scale)
        .map(maplibre::zoom_for_scale)
        .fold(f64::NAN, f64::max);
    (centre, if zoom.is_finite() { zoom.ceil() + 1.0 } else { 2.0 })
}

async fn one(req: HttpRequest, path: web::Path<(String, String)>, state: web::Data<AppState>) -> HttpResponse {
    let (id, name) = path.into_inner();
    answer(&req, &state, |catalog, b| {
        let layer = collection(catalog, &id)?;
        let style = style_of(layer, &name)?;
        let (center, zoom) = view(&[layer]);
        let href = style_href(b, &id, &name);
        Ok((
            json!({
                "version": 8,
                "name": format!("{} – {}", layer.config.title, style.title),
                "center": center,
                "zoom": zoom,
                "sources": {"tuile": {
                    "type": "vector",
                    "url": format!("{b}/collections/{id}/tiles/WebMercatorQuad?f=tilejson"),
                    "attribution": layer.config.attribution.as_ref().map(|a| a.title.clone()).unwrap_or_default(),
                }},
                "sprite": format!("{href}/sprite"),
                "glyphs": glyphs_url(b),
                "layers": style_layers(layer, style, "tuile", ""),
            }),
            MIME,
        ))
    })
}

/// `sprite.json`, `sprite.png`, `sprite@2x.json`, `sprite@2x.png`.
async fn sprite(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (id, name, file) = path.into_inner();
    let kvp = Kvp::parse(req.query_string());
    let found = check_params(&kvp, &[], |_| false).and_then(|_| {
        let catalog = state.catalog_for(&req);
        let layer = collection(&catalog, &id)?;
        let style = std::sync::Arc::clone(style_of(layer, &name)?);
        let (ratio, png) = match file.as_str() {
            "sprite.json" => (1, false),
            "sprite.png" => (1, true),
            "sprite@2x.json" => (2, false),
            "sprite@2x.png" => (2, true),
            _ => return Err(Problem::not_found(format!("no `{file}` in style `{name}`"))),
        };
        Ok((layer.modified, layer.max_age, style, ratio, png))
    });
    let (modified, max_age, style, ratio, png) = match found {
        Ok(f) => f,
        Err(e) => return e.response(),
    };
    match tuile_core::render::sprite::sprite(&style, ratio) {
        Ok((image, index)) => {
            let (bytes, mime) = if png {
                (image, "image/png")
            } else {
                (index.to_string().into_bytes(), "application/json")
            };
            crate::http::cache::respond(
                &tuile_core::tiles::Encoded::new(bytes.into(), mime, modified, max_age),
                &req,
            )
        }
        Err(e) => Problem::internal(e.to_string()).response(),
    }
}

fn glyphs_url(b: &str) -> String {
    format!("{b}/fonts/{{fontstack}}/{{range}}.pbf")
}

/// `/fonts/{fontstack}/{start}-{end}.pbf`: 256 glyphs of the first face of
/// the stack, as distance fields (the faces the WMS labels are drawn with).
async fn glyphs(req: HttpRequest, path: web::Path<(String, String)>, state: web::Data<AppState>) -> HttpResponse {
    let (stack, range) = path.into_inner();
    let kvp = Kvp::parse(req.query_string());
    let found = check_params(&kvp, &[], |_| false).and_then(|_| {
        let start = range
            .strip_suffix(".pbf")
            .and_then(|r| r.split_once('-'))
            .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
            .filter(|(a, b)| a % 256 == 0 && *b == a + 255 && *b <= 0xFFFF)
            .map(|(a, _)| a)
            .ok_or_else(|| {
                Problem::not_found(format!("no glyph range `{range}`: ranges are 0-255.pbf, 256-511.pbf…"))
            })?;
        let name = stack.split(',').next().unwrap_or("").trim().to_string();
        let (family, bold, italic) = maplibre::parse_font_name(&name);
        let face = tuile_core::style::font::face(&family, bold, italic).map_err(Problem::not_found)?;
        Ok((face, name, start))
    });
    let (face, name, start) = match found {
        Ok(f) => f,
        Err(e) => return e.response(),
    };
    let modified = state
        .catalog()
        .layers
        .iter()
        .map(|l| l.modified)
        .max()
        .unwrap_or(std::time::UNIX_EPOCH);
    match state
        .pool
        .run(move || tuile_core::render::glyphs::range(&face, &name, start))
        .await
    {
        Ok(bytes) => crate::http::cache::respond(
            &tuile_core::tiles::Encoded::new(bytes.into(), "application/x-protobuf", modified, 86_400),
            &req,
        ),
        Err(e) => Problem::from(tuile_core::error::Error::from(e)).response(),
    }
}

async fn combined_list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    answer(&req, &state, |_, b| {
        Ok((
            json!({
                "default": COMBINED,
                "styles": [{
                    "id": COMBINED,
                    "title": "Toutes les couches / Every layer",
                    "links": [link(&format!("{b}/styles/{COMBINED}"), "stylesheet", MIME, "MapLibre / Mapbox GL style")],
                }],
                "links": [link(&format!("{b}/styles"), "self", "application/json", "The styles")],
            }),
            "application/json",
        ))
    })
}

/// Every image layer (WMTS tiles) under every collection (vector tiles),
/// each in its default style.
async fn combined(req: HttpRequest, name: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    answer(&req, &state, |catalog, b| {
        if *name != COMBINED {
            return Err(Problem::not_found(format!("no style `{name}`; see {b}/styles")));
        }
        let mut sources = serde_json::Map::new();
        let mut layers = Vec::new();
        let mut sprites = Vec::new();
        for l in catalog.layers.iter().filter(|l| !l.is_vector()) {
            let Some(set) = l.tile_set("WebMercatorQuad") else {
                continue;
            };
            let format = l.tile_format();
            sources.insert(
                l.name().to_string(),
                json!({
                    "type": "raster",
                    "tiles": [format!("{b}/wmts/1.0.0/{}/default/WebMercatorQuad/{{z}}/{{y}}/{{x}}.{}", l.name(), format.extension())],
                    "tileSize": 256,
                    "minzoom": set.levels.first().map_or(0, |(z, _)| *z),
                    "maxzoom": set.levels.last().map_or(0, |(z, _)| *z),
                    "attribution": l.config.attribution.as_ref().map(|a| a.title.clone()).unwrap_or_default(),
                }),
            );
            layers.push(json!({"id": l.name(), "type": "raster", "source": l.name()}));
        }
        sources.insert(
            "tuile".into(),
            json!({"type": "vector", "url": format!("{b}/tiles/WebMercatorQuad?f=tilejson")}),
        );
        let vector: Vec<&Layer> = collections(catalog).map(|l| l.as_ref()).collect();
        for l in &vector {
            let style = l.default_style();
            sprites.push(json!({"id": l.name(), "url": format!("{}/sprite", style_href(b, l.name(), &style.name))}));
            layers.extend(style_layers(l, style, "tuile", &format!("{}:", l.name())));
        }
        let (center, zoom) = view(&vector);
        Ok((
            json!({
                "version": 8,
                "name": catalog.metadata.title.get(tuile_core::metadata::Language::Fr),
                "center": center,
                "zoom": zoom,
                "sources": sources,
                "sprite": sprites,
                "glyphs": glyphs_url(b),
                "layers": layers,
            }),
            MIME,
        ))
    })
}

/// The styles' paths for the OpenAPI document at `/api`.
pub fn openapi_paths(collection_id: &Value, responses: impl Fn(Value) -> Value) -> Value {
    let f = json!({"name": "f", "in": "query", "required": false, "style": "form", "explode": false,
        "description": "The representation: json (for lists) or mapbox (for styles, the same JSON).",
        "schema": {"type": "string", "enum": ["json", "mapbox"]}});
    let style_id = json!({"name": "styleId", "in": "path", "required": true, "description": "A style of the collection.", "schema": {"type": "string"}});
    let file = json!({"name": "file", "in": "path", "required": true, "description": "A sprite file.",
        "schema": {"type": "string", "enum": ["sprite.json", "sprite.png", "sprite@2x.json", "sprite@2x.png"]}});
    let json_doc = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"type": "object"}}}});
    let style_doc = json!({"description": "A MapLibre style", "content": {MIME: {"schema": {"type": "object"}}}});
    let op = |summary: &str, id: &str, params: Value, resp: Value| json!({"get": {"summary": summary, "operationId": id, "parameters": params, "responses": resp}});
    json!({
        "/collections/{collectionId}/styles": op("The styles of a collection", "getCollectionStyles", json!([collection_id, f]), responses(json_doc("The styles"))),
        "/collections/{collectionId}/styles/{styleId}": op("A style of a collection, for MapLibre", "getCollectionStyle",
            json!([collection_id, style_id, f]), responses(style_doc.clone())),
        "/collections/{collectionId}/styles/{styleId}/{file}": op("The sprite of a style", "getCollectionStyleSprite",
            json!([collection_id, style_id, file]), responses(json!({"description": "The sprite's index or image", "content": {
                "application/json": {"schema": {"type": "object"}}, "image/png": {"schema": {"type": "string", "format": "binary"}}}}))),
        "/styles": op("The styles of the dataset", "getStyles", json!([f]), responses(json_doc("The styles"))),
        "/fonts/{fontstack}/{range}": op("Glyphs of a font for MapLibre labels", "getGlyphs",
            json!([{"name": "fontstack", "in": "path", "required": true, "description": "Font names, comma-separated (the first is used).", "schema": {"type": "string"}},
                   {"name": "range", "in": "path", "required": true, "description": "256 characters: 0-255.pbf, 256-511.pbf…", "schema": {"type": "string"}}]),
            responses(json!({"description": "The glyphs (PBF)", "content": {"application/x-protobuf": {"schema": {"type": "string", "format": "binary"}}}}))),
        "/styles/{styleId}": op("A style of every layer, for MapLibre", "getStyle",
            json!([{"name": "styleId", "in": "path", "required": true, "description": "A style.", "schema": {"type": "string", "enum": [COMBINED]}}, f]),
            responses(style_doc)),
    })
}
