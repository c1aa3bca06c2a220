//! `/viewer`: an embeddable map page for partner portals. It shows the
//! layers the caller may see, over WMTS (Web Mercator or Lambert-93) or
//! WMS, with feature info on click, or as MapLibre draws the vector tiles
//! in the combined style. OpenLayers, proj4 and MapLibre come from npm at
//! build time (`viewer/node_modules`) and are served from here: no CDN at
//! run time.

use std::path::PathBuf;

use actix_files::NamedFile;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::http::{Labels, Protocol, get, problem, read_only};
use crate::state::AppState;
use tuile_core::catalog::Catalog;

pub static PROTOCOL: Protocol = Protocol {
    classify: |path, _| matches!(path, ["viewer", ..]).then(|| Labels::new("viewer", "viewer")),
    error: problem,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(read_only("/viewer", &PROTOCOL).route(get().to(page)))
        .service(read_only("/viewer/assets/{name}", &PROTOCOL).route(get().to(asset)));
}

/// The files the page loads, by the name it asks for: (path under the
/// viewer directory, content type).
const ASSETS: &[(&str, &str, &str)] = &[
    ("ol.js", "node_modules/ol/dist/ol.js", "text/javascript; charset=utf-8"),
    ("ol.css", "node_modules/ol/ol.css", "text/css; charset=utf-8"),
    (
        "proj4.js",
        "node_modules/proj4/dist/proj4.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "maplibre-gl.js",
        "node_modules/maplibre-gl/dist/maplibre-gl.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "maplibre-gl.css",
        "node_modules/maplibre-gl/dist/maplibre-gl.css",
        "text/css; charset=utf-8",
    ),
    ("viewer.js", "viewer.js", "text/javascript; charset=utf-8"),
    ("viewer.css", "viewer.css", "text/css; charset=utf-8"),
];

fn viewer_dir(catalog: &Catalog) -> PathBuf {
    catalog.config.resolve(&catalog.config.server.viewer_dir)
}

/// What the page needs to know, for this caller.
fn page_config(catalog: &Catalog, base: &str) -> serde_json::Value {
    let asset = |name: &str| catalog.keyed(&format!("{base}/viewer/assets/{name}"));
    let layers: Vec<_> = catalog
        .layers
        .iter()
        .map(|l| {
            // Over the orthophoto, land cover reads best in its see-through style.
            let style = if l.style("transparence").is_some() && l.is_vector() {
                "transparence".to_string()
            } else {
                l.default_style().name.clone()
            };
            json!({
                "name": l.name(),
                "title": l.config.title,
                "vector": l.is_vector(),
                "queryable": l.queryable(),
                "restricted": !l.config.is_public(),
                "style": style,
                "extent": [l.geographic_extent.minx, l.geographic_extent.miny, l.geographic_extent.maxx, l.geographic_extent.maxy],
            })
        })
        .collect();
    json!({
        "title": catalog.metadata.title.fr,
        "base": base,
        "keyQuery": catalog.link_query,
        "layers": layers,
        "extent": catalog.geographic_extent().map(|b| [b.minx, b.miny, b.maxx, b.maxy]),
        // Loaded when the MapLibre mode is chosen, not before.
        "maplibre": {"js": asset("maplibre-gl.js"), "css": asset("maplibre-gl.css")},
    })
}

/// `GET /viewer`: the page, with the caller's layers in it.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let catalog = state.catalog_for(&req);
    let dir = viewer_dir(&catalog);
    if !dir.join(ASSETS[0].1).is_file() {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body(format!(
                "the viewer's OpenLayers files are missing from {}: run `npm ci --prefix viewer` (make build does)\n",
                dir.display()
            ));
    }
    let base = state.base_url(&req, &catalog);
    // `</` cannot end the script element it sits in.
    let config = page_config(&catalog, &base).to_string().replace("</", "<\\/");
    let title = crate::html::escape(&catalog.metadata.title.fr);
    let asset = |name: &str| crate::html::escape(&catalog.keyed(&format!("{base}/viewer/assets/{name}")));
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{ol_css}">
<link rel="stylesheet" href="{viewer_css}">
<script id="tuile-config" type="application/json">{config}</script>
</head>
<body>
<div id="map" role="application" aria-label="Carte"></div>
<div id="gl" role="application" aria-label="Carte MapLibre" hidden></div>
<form id="panel" aria-label="Couches">
  <fieldset id="modes"><legend>Affichage</legend>
    <label><input type="radio" name="mode" value="WebMercatorQuad" checked> WMTS Web Mercator</label>
    <label><input type="radio" name="mode" value="LAMB93"> WMTS Lambert-93</label>
    <label><input type="radio" name="mode" value="WMS"> WMS Lambert-93</label>
    <label><input type="radio" name="mode" value="MapLibre"> MapLibre (tuiles vectorielles)</label>
  </fieldset>
  <fieldset id="layers"><legend>Couches</legend></fieldset>
</form>
<div id="popup" class="tuile-popup" hidden><button type="button" id="popup-close" aria-label="Fermer">×</button><div id="info"></div></div>
<script src="{proj4}"></script>
<script src="{ol}"></script>
<script src="{viewer}"></script>
</body>
</html>
"#,
        ol_css = asset("ol.css"),
        viewer_css = asset("viewer.css"),
        proj4 = asset("proj4.js"),
        ol = asset("ol.js"),
        viewer = asset("viewer.js"),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(html)
}

/// `GET /viewer/assets/{name}`: OpenLayers, proj4 and the page's own script and style.
pub async fn asset(
    req: HttpRequest,
    name: web::Path<String>,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let Some((_, rel, mime)) = ASSETS.iter().find(|(n, _, _)| *n == name.as_str()) else {
        return Ok(HttpResponse::NotFound().body("no such viewer file\n"));
    };
    let path = viewer_dir(&state.catalog()).join(rel);
    let file = NamedFile::open(&path).map_err(|_| {
        actix_web::error::ErrorServiceUnavailable(format!(
            "{} is missing: run `npm ci --prefix viewer`",
            path.display()
        ))
    })?;
    let mut resp = file
        .set_content_type(mime.parse().expect("a valid MIME type"))
        .use_etag(true)
        .use_last_modified(true)
        .into_response(&req);
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(resp)
}
