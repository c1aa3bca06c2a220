//! WMS 1.3.0 and 1.1.1 at `/wms`: a thin adapter that turns KVP requests
//! into core calls and core results into WMS responses.

pub mod capabilities;
pub mod exception;
pub mod getfeatureinfo;
pub mod getlegendgraphic;
pub mod getmap;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::{Labels, Protocol, get, read_only};
use crate::ows::Kvp;
use crate::state::AppState;
use exception::{Code, WmsError};
use getmap::ExceptionMode;
use tuile_core::catalog::Catalog;
use tuile_core::metadata::Language;
use tuile_core::render::{self, ImageFormat, MapView};
use tuile_core::tiles::Encoded;

pub static PROTOCOL: Protocol = Protocol { classify, error };

/// `/wms`, by its REQUEST and the first layer it names.
fn classify(path: &[&str], query: &str) -> Option<Labels> {
    let ["wms"] = path else { return None };
    let kvp = Kvp::parse(query);
    let layer = ["query_layers", "layers", "layer"]
        .iter()
        .find_map(|k| kvp.get_nonempty(k))
        .map(|l| l.split(',').next().unwrap_or(""));
    Some(Labels::new("wms", kvp.operation(OPERATIONS)).with_layer(layer))
}

/// The operations `handle` answers, as REQUEST spells them and as metrics
/// label them.
const OPERATIONS: &[(&str, &str)] = &[
    ("getcapabilities", "GetCapabilities"),
    ("capabilities", "GetCapabilities"),
    ("getmap", "GetMap"),
    ("map", "GetMap"),
    ("getfeatureinfo", "GetFeatureInfo"),
    ("feature_info", "GetFeatureInfo"),
    ("getlegendgraphic", "GetLegendGraphic"),
];

/// A 1.3.0 exception report, for errors found before the request is read.
fn error(status: StatusCode, message: String) -> HttpResponse {
    let code = if status.is_server_error() {
        Code::Internal
    } else {
        Code::InvalidParameterValue
    };
    let mut resp = WmsError::new(code, "", message).response(WmsVersion::V130);
    *resp.status_mut() = status;
    resp
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(read_only("/wms", &PROTOCOL).route(get().to(handle)));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WmsVersion {
    V111,
    V130,
}

impl WmsVersion {
    pub fn as_str(&self) -> &'static str {
        match self {
            WmsVersion::V111 => "1.1.1",
            WmsVersion::V130 => "1.3.0",
        }
    }

    /// Version negotiation (WMS 1.3.0 §6.2.4): the requested version when
    /// supported, else the highest below it, else the lowest.
    pub fn negotiate(requested: Option<&str>) -> WmsVersion {
        let Some(parsed) = requested.and_then(parse_version) else {
            return WmsVersion::V130;
        };
        if parsed >= (1, 3, 0) {
            WmsVersion::V130
        } else {
            WmsVersion::V111
        }
    }
}

fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().split('.').map(|p| p.parse::<u32>().ok());
    let major = it.next()??;
    let minor = it.next().unwrap_or(Some(0))?;
    let patch = it.next().unwrap_or(Some(0))?;
    Some((major, minor, patch))
}

/// VERSION wins over the pre-1.1 WMTVER when both are given.
fn requested_version(kvp: &Kvp) -> Option<&str> {
    kvp.get_nonempty("version").or_else(|| kvp.get_nonempty("wmtver"))
}

/// The version to report an early error in: what the client seems to speak.
fn version_hint(kvp: &Kvp) -> WmsVersion {
    match requested_version(kvp).and_then(parse_version) {
        Some(v) if v < (1, 3, 0) => WmsVersion::V111,
        _ => WmsVersion::V130,
    }
}

pub async fn handle(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(&req);
    if let Some(service) = kvp.get_nonempty("service")
        && !service.eq_ignore_ascii_case("WMS")
    {
        return WmsError::invalid("SERVICE", format!("this endpoint serves WMS, not `{service}`"))
            .response(version_hint(&kvp));
    }
    let request = kvp.get_nonempty("request").map(str::to_ascii_lowercase);
    match request.as_deref() {
        Some("getcapabilities" | "capabilities") => get_capabilities(&req, &kvp, &catalog, &state),
        Some("getmap" | "map") => get_map(&req, &kvp, catalog, &state).await,
        Some("getfeatureinfo" | "feature_info") => get_feature_info(&req, &kvp, catalog, &state).await,
        Some("getlegendgraphic") => {
            getlegendgraphic::get_legend_graphic(&req, &kvp, catalog, &state, version_hint(&kvp)).await
        }
        Some(other) => WmsError::new(
            Code::OperationNotSupported,
            "REQUEST",
            format!("`{other}` is not a WMS operation of this server"),
        )
        .response(version_hint(&kvp)),
        None => WmsError::missing("REQUEST").response(version_hint(&kvp)),
    }
}

fn get_capabilities(req: &HttpRequest, kvp: &Kvp, catalog: &Arc<Catalog>, state: &AppState) -> HttpResponse {
    let version = WmsVersion::negotiate(requested_version(kvp));
    if let Some(seq) = kvp.get_nonempty("updatesequence") {
        let current = catalog.update_sequence;
        if let Ok(asked) = seq.parse::<u64>() {
            if asked == current {
                return WmsError::new(
                    Code::CurrentUpdateSequence,
                    "UPDATESEQUENCE",
                    "the capabilities have not changed since this update sequence",
                )
                .response(version);
            }
            if asked > current {
                return WmsError::new(
                    Code::InvalidUpdateSequence,
                    "UPDATESEQUENCE",
                    format!("update sequence {asked} is newer than the server's ({current})"),
                )
                .response(version);
            }
        }
    }
    let lang = Language::from_param(kvp.get_nonempty("language"));
    let url = format!("{}/wms", state.base_url(req, catalog));
    let key = format!(
        "wms|{}|{}|{:?}|{}|{}",
        version.as_str(),
        url,
        lang,
        catalog.view,
        catalog.update_sequence
    );
    let body = state.document(key, || capabilities::document(catalog, version, &url, lang));
    let content_type = match version {
        WmsVersion::V130 => "text/xml; charset=UTF-8",
        WmsVersion::V111 => "application/vnd.ogc.wms_xml; charset=UTF-8",
    };
    HttpResponse::Ok().content_type(content_type).body(body)
}

async fn get_map(req: &HttpRequest, kvp: &Kvp, catalog: Arc<Catalog>, state: &AppState) -> HttpResponse {
    let version = match operation_version(kvp) {
        Ok(v) => v,
        Err(e) => return e.response(WmsVersion::V130),
    };
    let mode = getmap::exception_mode(kvp);
    let limits = &catalog.config.server.limits;
    let blank = if mode != ExceptionMode::Xml {
        getmap::blank_parameters(kvp, (limits.max_width, limits.max_height))
    } else {
        None
    };
    let request = match getmap::parse(kvp, &catalog, version) {
        Ok(r) => r,
        Err(e) => return error_answer(e, version, mode, blank, state).await,
    };
    let warnings = request.defaulted.join(", ");
    let warn = move |mut resp: HttpResponse| {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&warnings)
            && !warnings.is_empty()
        {
            resp.headers_mut().insert(actix_web::http::header::WARNING, v);
        }
        resp
    };
    // Tiled WMS (one layer on a tile of a tile matrix set) shares the tile cache.
    if let Some(tile) = request.as_tile() {
        return match state.tiles.get(&tile, &state.pool).await {
            Ok(t) => warn(crate::http::cache::respond(&t, req)),
            Err(e) => error_answer(e.into(), version, mode, blank, state).await,
        };
    }
    let format = request.format;
    let (modified, max_age) = tuile_core::layer::freshness(request.layers.iter().map(|l| &*l.layer));
    let background = request.background();
    let drawn = render::map(
        &state.pool,
        request.view,
        request.layers,
        request.format,
        background,
        request.bgcolor,
    )
    .await;
    match drawn {
        Ok(bytes) => warn(crate::http::cache::respond(
            &Encoded::new(bytes.into(), format.mime(), modified, max_age),
            req,
        )),
        Err(e) => error_answer(e.into(), version, mode, blank, state).await,
    }
}

/// The version a GetMap or GetFeatureInfo speaks; it must say (WMS 1.3.0 §7.3.2).
fn operation_version(kvp: &Kvp) -> Result<WmsVersion, WmsError> {
    match requested_version(kvp) {
        None => Err(WmsError::missing("VERSION")),
        Some(v) => match parse_version(v) {
            Some((1, 3, 0)) => Ok(WmsVersion::V130),
            Some((1, 0 | 1, _)) => Ok(WmsVersion::V111),
            _ => Err(WmsError::invalid(
                "VERSION",
                format!("VERSION `{v}` is not 1.3.0 or 1.1.1"),
            )),
        },
    }
}

async fn get_feature_info(req: &HttpRequest, kvp: &Kvp, catalog: Arc<Catalog>, state: &AppState) -> HttpResponse {
    let version = match operation_version(kvp) {
        Ok(v) => v,
        Err(e) => return e.response(WmsVersion::V130),
    };
    let request = match getfeatureinfo::parse(kvp, &catalog, version) {
        Ok(r) => r,
        Err(e) => return e.response(version),
    };
    let schema_url = format!("{}/schemas/tuile.xsd", state.base_url(req, &catalog));
    let format = request.format;
    let answered = tuile_core::identify::answer(
        &state.pool,
        request.query,
        request.map.view,
        (request.i, request.j),
        request.count,
        move |answers| crate::ows::feature_info::encode(&answers, format, &schema_url),
    )
    .await;
    match answered {
        Ok(body) => HttpResponse::Ok().content_type(format.content_type()).body(body),
        Err(e) => WmsError::from(e).response(version),
    }
}

/// Answers an error as XML, or as a blank image when EXCEPTIONS=BLANK asked for one.
async fn error_answer(
    e: WmsError,
    version: WmsVersion,
    mode: ExceptionMode,
    blank: Option<(u32, u32, ImageFormat, bool, tuile_core::style::Color)>,
    state: &AppState,
) -> HttpResponse {
    let Some((width, height, format, transparent, bg)) = blank else {
        return e.response(version);
    };
    let view = MapView {
        crs: tuile_core::grid::Crs::CRS84,
        bbox: tuile_core::grid::BBox::new(0.0, 0.0, 1.0, 1.0),
        width,
        height,
    };
    let background = format.background(transparent, bg);
    let message = (mode == ExceptionMode::InImage).then(|| format!("{}: {}", e.code.name(version), e.message));
    let image = state
        .pool
        .run(move || {
            let mut pixmap = render::render(&view, &[], background).ok()?;
            if let Some(m) = message {
                render::text::write_message(&mut pixmap, &m);
            }
            render::encode(&pixmap, format, bg, 85).ok()
        })
        .await;
    match image {
        Ok(Some(bytes)) => HttpResponse::Ok().content_type(format.mime()).body(bytes),
        _ => e.response(version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_negotiation() {
        assert_eq!(WmsVersion::negotiate(None), WmsVersion::V130);
        assert_eq!(WmsVersion::negotiate(Some("1.3.0")), WmsVersion::V130);
        assert_eq!(WmsVersion::negotiate(Some("100.0.0")), WmsVersion::V130);
        assert_eq!(WmsVersion::negotiate(Some("1.1.1")), WmsVersion::V111);
        assert_eq!(WmsVersion::negotiate(Some("1.2.0")), WmsVersion::V111);
        assert_eq!(WmsVersion::negotiate(Some("0.0.1")), WmsVersion::V111);
        assert_eq!(WmsVersion::negotiate(Some("garbage")), WmsVersion::V130);
    }
}
