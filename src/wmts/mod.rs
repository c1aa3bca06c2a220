//! WMTS 1.0.0: KVP at `/wmts` and RESTful at `/wmts/1.0.0/…`, a thin
//! adapter over the tile cache.

pub mod capabilities;
pub mod exception;

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::{Labels, Protocol, get, read_only};
use crate::ows::Kvp;
use crate::ows::feature_info::InfoFormat;
use crate::state::AppState;
use capabilities::Urls;
use exception::WmtsError;
use tuile_core::catalog::Catalog;
use tuile_core::error::ErrorKind;
use tuile_core::grid::tms::TILE_SIZE;
use tuile_core::metadata::Language;
use tuile_core::render::ImageFormat;
use tuile_core::tiles::{TileFormat, TileRequest};

pub static PROTOCOL: Protocol = Protocol { classify, error };

/// `/wmts` by its REQUEST and layer, and the RESTful resources by their shape.
fn classify(path: &[&str], query: &str) -> Option<Labels> {
    Some(match path {
        ["wmts"] => {
            let kvp = Kvp::parse(query);
            let known = [
                ("getcapabilities", "GetCapabilities"),
                ("gettile", "GetTile"),
                ("getfeatureinfo", "GetFeatureInfo"),
            ];
            Labels::new("wmts", kvp.operation(&known)).with_layer(kvp.get_nonempty("layer"))
        }
        ["wmts", "1.0.0", "WMTSCapabilities.xml"] => Labels::new("wmts", "GetCapabilities"),
        ["wmts", "1.0.0", layer, _, _, _, _, _] => Labels::new("wmts", "GetTile").with_layer(Some(layer)),
        ["wmts", "1.0.0", layer, _, _, _, _, _, _, _] => Labels::new("wmts", "GetFeatureInfo").with_layer(Some(layer)),
        ["wmts", ..] => Labels::new("wmts", "other"),
        _ => return None,
    })
}

/// An OWS exception report, for errors found before the request is read.
fn error(status: StatusCode, message: String) -> HttpResponse {
    let code = if status.is_server_error() {
        "NoApplicableCode"
    } else {
        "InvalidParameterValue"
    };
    WmtsError::new(status, code, "", message).response()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(read_only("/wmts", &PROTOCOL).route(get().to(kvp)))
        .service(
            web::scope("/wmts/1.0.0")
                .service(read_only("/WMTSCapabilities.xml", &PROTOCOL).route(get().to(rest_capabilities)))
                .default_service(web::to(rest)),
        )
        .service(read_only("/wmts/{tail:.*}", &PROTOCOL).route(get().to(rest_not_found)));
}

fn urls(req: &HttpRequest, state: &AppState, catalog: &Catalog) -> Urls {
    let base = state.base_url(req, catalog);
    Urls {
        wms: format!("{base}/wms"),
        kvp: format!("{base}/wmts"),
        rest: format!("{base}/wmts/1.0.0"),
        link_query: catalog.link_query.clone(),
    }
}

/// `GET /wmts?SERVICE=WMTS&REQUEST=…`
pub async fn kvp(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(&req);
    match kvp.get_nonempty("service") {
        None => return WmtsError::missing("service").response(),
        Some(s) if !s.eq_ignore_ascii_case("WMTS") => {
            return WmtsError::invalid("service", format!("this endpoint serves WMTS, not `{s}`")).response();
        }
        _ => {}
    }
    let request = kvp.get_nonempty("request").map(str::to_ascii_lowercase);
    let result = match request.as_deref() {
        None => Err(WmtsError::missing("request")),
        Some("getcapabilities") => get_capabilities(&req, &kvp, &catalog, &state),
        Some("gettile") => match tile_request_kvp(&kvp, &catalog) {
            Ok(t) => serve_tile(&req, &state, t).await,
            Err(e) => Err(e),
        },
        Some("getfeatureinfo") => match feature_info_kvp(&kvp, &catalog) {
            Ok((t, i, j, f)) => serve_feature_info(&req, &state, &catalog, t, i, j, f).await,
            Err(e) => Err(e),
        },
        Some(other) => Err(WmtsError::invalid(
            "request",
            format!("`{other}` is not a WMTS operation of this server"),
        )),
    };
    result.unwrap_or_else(|e| e.response())
}

fn get_capabilities(
    req: &HttpRequest,
    kvp: &Kvp,
    catalog: &Arc<Catalog>,
    state: &AppState,
) -> Result<HttpResponse, WmtsError> {
    if let Some(versions) = kvp.get("acceptversions")
        && !versions.split(',').any(|v| v.trim() == "1.0.0")
    {
        return Err(WmtsError::new(
            StatusCode::BAD_REQUEST,
            "VersionNegotiationFailed",
            "",
            format!("none of the versions `{versions}` is supported; this server speaks 1.0.0"),
        ));
    }
    let sections: Option<Vec<&str>> = match kvp.get("sections") {
        None => None,
        Some(s) if s.trim().is_empty() => return Err(WmtsError::missing("sections")),
        Some(s) => {
            let mut list = Vec::new();
            for name in s.split(',').map(str::trim) {
                if name == "All" {
                    list.clear();
                    list.extend(capabilities::SECTIONS);
                    break;
                }
                let known = capabilities::SECTIONS
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(name))
                    .ok_or_else(|| WmtsError::invalid("sections", format!("`{name}` is not a capabilities section")))?;
                list.push(*known);
            }
            Some(list)
        }
    };
    let mut bare = false;
    if let Some(seq) = kvp.get_nonempty("updatesequence")
        && let Ok(asked) = seq.parse::<u64>()
    {
        if asked > catalog.update_sequence {
            return Err(WmtsError::new(
                StatusCode::BAD_REQUEST,
                "InvalidUpdateSequence",
                "updateSequence",
                format!("update sequence {asked} is newer than the server's"),
            ));
        }
        bare = asked == catalog.update_sequence;
    }
    Ok(capabilities_response(
        req,
        catalog,
        state,
        sections.as_deref(),
        bare,
        Language::from_param(kvp.get_nonempty("language")),
    ))
}

fn capabilities_response(
    req: &HttpRequest,
    catalog: &Arc<Catalog>,
    state: &AppState,
    sections: Option<&[&str]>,
    bare: bool,
    lang: Language,
) -> HttpResponse {
    let urls = urls(req, state, catalog);
    let key = format!(
        "wmts|{}|{sections:?}|{bare}|{lang:?}|{}|{}",
        urls.kvp, catalog.view, catalog.update_sequence
    );
    let body = state.document(key, || capabilities::document(catalog, &urls, sections, bare, lang));
    HttpResponse::Ok()
        .content_type("application/xml; charset=UTF-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// `GET /wmts/1.0.0/WMTSCapabilities.xml`: 406 when the client accepts no XML.
pub async fn rest_capabilities(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(accept) = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()) {
        let ok = accept
            .split(',')
            .map(|a| a.split(';').next().unwrap_or("").trim())
            .any(|m| {
                matches!(
                    m,
                    "application/xml" | "text/xml" | "*/*" | "application/*" | "text/*" | ""
                ) || m.ends_with("+xml")
            });
        if !ok {
            return WmtsError::new(
                StatusCode::NOT_ACCEPTABLE,
                "InvalidParameterValue",
                "Accept",
                format!("the capabilities are XML; `{accept}` is not accepted"),
            )
            .response();
        }
    }
    let catalog = state.catalog_for(&req);
    capabilities_response(&req, &catalog, &state, None, false, Language::Fr)
}

/// A RESTful resource under `/wmts/1.0.0/`, resolved against the catalog.
pub enum RestResource {
    Tile(TileRequest),
    FeatureInfo(TileRequest, u32, u32, InfoFormat),
}

/// Resolves the path under `/wmts/1.0.0/` (`{layer}/{style}/{tms}/{z}/{row}/{col}.png`,
/// or with `/{j}/{i}.json` for feature info) and the query string. Errors are
/// RESTful: 404 for what names nothing.
pub fn parse_rest(catalog: &Catalog, path: &str, query: &str) -> Result<RestResource, WmtsError> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let kvp = Kvp::parse(query);
    let time = kvp.get_nonempty("time");
    match parts.as_slice() {
        [layer, style, tms, z, row, file] => {
            let (col, ext) = file
                .rsplit_once('.')
                .ok_or_else(|| WmtsError::not_found(format!("`{file}` is not COL.png or COL.jpg")))?;
            let format = match ext {
                "png" => ImageFormat::Png,
                "jpg" | "jpeg" => ImageFormat::Jpeg,
                other => return Err(WmtsError::not_found(format!("tiles are .png or .jpg, not .{other}"))),
            };
            let params = TileParams {
                layer,
                style,
                format,
                tms,
                matrix: z,
                row,
                col,
                time,
            };
            params.resolve(catalog).map(RestResource::Tile).map_err(|e| e.as_rest())
        }
        [layer, style, tms, z, row, col, j, file] => {
            let (i, ext) = file.rsplit_once('.').ok_or_else(|| {
                WmtsError::not_found(format!("`{file}` is not I.json (or .html, .txt, .xml, .gml, .geojson)"))
            })?;
            let format = InfoFormat::from_extension(ext).ok_or_else(|| {
                WmtsError::not_found(format!(
                    "feature info is .json, .geojson, .html, .txt, .xml or .gml, not .{ext}"
                ))
            })?;
            let params = TileParams {
                layer,
                style,
                format: ImageFormat::Png,
                tms,
                matrix: z,
                row,
                col,
                time,
            };
            let t = params.resolve(catalog).map_err(|e| e.as_rest())?;
            let (i, j) = pixel(&t, i, j).map_err(|e| e.as_rest())?;
            Ok(RestResource::FeatureInfo(t, i, j, format))
        }
        _ => Err(WmtsError::not_found(format!(
            "no WMTS resource at /wmts/1.0.0/{}",
            path.trim_start_matches('/')
        ))),
    }
}

/// Every RESTful resource under `/wmts/1.0.0/` but the capabilities: split
/// here rather than by the router, whose pattern matching (a regex per
/// request) cost more than serving a cached tile.
pub async fn rest(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    use actix_web::http::Method;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return crate::http::method_not_allowed(&req, &PROTOCOL);
    }
    let catalog = state.catalog_for(&req);
    let result = match parse_rest(&catalog, req.match_info().unprocessed(), req.query_string()) {
        Ok(RestResource::Tile(t)) => serve_tile(&req, &state, t).await,
        Ok(RestResource::FeatureInfo(t, i, j, format)) => {
            serve_feature_info(&req, &state, &catalog, t, i, j, format).await
        }
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| e.response())
}

/// Validates I and J against the tile size.
fn pixel(t: &TileRequest, i: &str, j: &str) -> Result<(u32, u32), WmtsError> {
    if !t.layer.queryable() {
        return Err(WmtsError::new(
            StatusCode::NOT_IMPLEMENTED,
            "OperationNotSupported",
            "",
            format!("layer `{}` cannot be queried", t.layer.name()),
        ));
    }
    let parse = |name: &str, v: &str| match v.parse::<i64>() {
        Ok(n) if (0..TILE_SIZE as i64).contains(&n) => Ok(n as u32),
        _ => Err(WmtsError::invalid(
            name,
            format!("{name}={v} is not a pixel of the {TILE_SIZE}-pixel tile"),
        )),
    };
    Ok((parse("I", i)?, parse("J", j)?))
}

pub fn feature_info_kvp(kvp: &Kvp, catalog: &Catalog) -> Result<(TileRequest, u32, u32, InfoFormat), WmtsError> {
    let tile = tile_request_kvp(kvp, catalog)?;
    let i = kvp.get_nonempty("i").ok_or_else(|| WmtsError::missing("I"))?;
    let j = kvp.get_nonempty("j").ok_or_else(|| WmtsError::missing("J"))?;
    let f = kvp
        .get_nonempty("infoformat")
        .ok_or_else(|| WmtsError::missing("InfoFormat"))?;
    let format = InfoFormat::from_mime(f)
        .ok_or_else(|| WmtsError::invalid("InfoFormat", format!("InfoFormat `{f}` is not supported")))?;
    let (i, j) = pixel(&tile, i, j)?;
    Ok((tile, i, j, format))
}

async fn serve_feature_info(
    req: &HttpRequest,
    state: &AppState,
    catalog: &Catalog,
    t: TileRequest,
    i: u32,
    j: u32,
    format: InfoFormat,
) -> Result<HttpResponse, WmtsError> {
    let schema_url = format!("{}/schemas/tuile.xsd", state.base_url(req, catalog));
    let view = tuile_core::render::MapView {
        crs: t.tms.crs,
        bbox: t.tms.matrices[t.z].tile_bbox(t.row, t.col),
        width: TILE_SIZE,
        height: TILE_SIZE,
    };
    let layers = vec![tuile_core::render::DrawLayer::new(t.layer, t.style, t.time)];
    let body = tuile_core::identify::answer(&state.pool, layers, view, (i, j), 10, move |answers| {
        crate::ows::feature_info::encode(&answers, format, &schema_url)
    })
    .await?;
    Ok(HttpResponse::Ok().content_type(format.content_type()).body(body))
}

/// Any other path under `/wmts/`: a 404 that still carries an ExceptionReport.
pub async fn rest_not_found(req: HttpRequest) -> HttpResponse {
    WmtsError::not_found(format!("no WMTS resource at {}", req.path())).response()
}

async fn serve_tile(req: &HttpRequest, state: &AppState, t: TileRequest) -> Result<HttpResponse, WmtsError> {
    let tile = state.tiles.get(&t, &state.pool).await?;
    Ok(crate::http::cache::respond(&tile, req))
}

/// GetTile parameters, before validation.
struct TileParams<'a> {
    layer: &'a str,
    style: &'a str,
    format: ImageFormat,
    tms: &'a str,
    matrix: &'a str,
    row: &'a str,
    col: &'a str,
    time: Option<&'a str>,
}

pub fn tile_request_kvp(kvp: &Kvp, catalog: &Catalog) -> Result<TileRequest, WmtsError> {
    match kvp.get_nonempty("version") {
        None => return Err(WmtsError::missing("version")),
        Some("1.0.0") => {}
        Some(v) => {
            return Err(WmtsError::invalid("version", format!("VERSION `{v}` is not 1.0.0")));
        }
    }
    let need = |name: &'static str| {
        kvp.get_nonempty(&name.to_ascii_lowercase())
            .ok_or_else(|| WmtsError::missing(name))
    };
    let layer = need("Layer")?;
    let style = kvp.get("style").ok_or_else(|| WmtsError::missing("Style"))?;
    let format_text = need("Format")?;
    let tms = need("TileMatrixSet")?;
    let matrix = need("TileMatrix")?;
    let row = need("TileRow")?;
    let col = need("TileCol")?;
    let format = ImageFormat::from_mime(format_text)
        .ok_or_else(|| WmtsError::invalid("Format", format!("`{format_text}` is not image/png or image/jpeg")))?;
    TileParams {
        layer,
        style,
        format,
        tms,
        matrix,
        row,
        col,
        time: kvp.get_nonempty("time"),
    }
    .resolve(catalog)
}

impl TileParams<'_> {
    fn resolve(&self, catalog: &Catalog) -> Result<TileRequest, WmtsError> {
        let layer = catalog.lookup(self.layer).map_err(|e| match e.kind() {
            ErrorKind::NotFound => WmtsError::invalid("Layer", e.to_string()),
            _ => WmtsError::from(e).at("Layer"),
        })?;
        let style = layer.style(self.style).ok_or_else(|| {
            WmtsError::invalid("Style", format!("layer `{}` has no style `{}`", self.layer, self.style))
        })?;
        let link = layer.tile_set(self.tms).ok_or_else(|| {
            WmtsError::invalid(
                "TileMatrixSet",
                format!("layer `{}` is not tiled in `{}`", self.layer, self.tms),
            )
        })?;
        let (z, _) = link.tms.matrix(self.matrix).ok_or_else(|| {
            WmtsError::invalid(
                "TileMatrix",
                format!("`{}` has no tile matrix `{}`", self.tms, self.matrix),
            )
        })?;
        let limits = link.limits(z).ok_or_else(|| {
            WmtsError::invalid(
                "TileMatrix",
                format!("layer `{}` is not drawn at tile matrix `{}`", self.layer, self.matrix),
            )
        })?;
        let number = |name: &str, v: &str| -> Result<i64, WmtsError> {
            v.parse::<i64>()
                .map_err(|_| WmtsError::invalid(name, format!("{name} `{v}` is not a whole number")))
        };
        let within = |name: &str, v: &str, min: u32, max: u32| -> Result<u32, WmtsError> {
            let n = number(name, v)?;
            if n < min as i64 || n > max as i64 {
                return Err(WmtsError::out_of_range(
                    name,
                    format!("{name} {n} is outside {min}..={max}"),
                ));
            }
            Ok(n as u32)
        };
        let row = within("TileRow", self.row, limits.min_row, limits.max_row)?;
        let col = within("TileCol", self.col, limits.min_col, limits.max_col)?;
        let time = match &layer.time {
            Some(dim) => Some(
                dim.resolve(self.time)
                    .map_err(|e| WmtsError::invalid("time", e.to_string()))?
                    .to_string(),
            ),
            None => None,
        };
        Ok(TileRequest {
            layer: Arc::clone(layer),
            style: Arc::clone(style),
            tms: link.tms,
            z,
            row,
            col,
            format: TileFormat::Image(self.format),
            time,
            background: self.format.tile_background(),
        })
    }
}
