//! The application: every protocol's routes behind CORS and the shared
//! request handling. `serve` and the tests both build it here.

use actix_web::{App, web};

use crate::http::Protocols;
use crate::state::AppState;

/// Every protocol the server speaks, in the order their paths are tried.
pub static PROTOCOLS: Protocols = &[
    &crate::wms::PROTOCOL,
    &crate::wmts::PROTOCOL,
    &crate::csw::PROTOCOL,
    &crate::ogcapi::PROTOCOL,
    &crate::ops::PROTOCOL,
    &crate::viewer::PROTOCOL,
];

/// The application: every route behind CORS and the request middleware
/// (request ids, limits, key checks, cache scoping, panics, metrics).
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    use actix_web::middleware::from_fn;
    let cors = cors(&state.catalog().config.server.cors);
    // The last wrapped runs first: CORS sees even the 401s of the middleware.
    App::new()
        .app_data(state)
        .app_data(PROTOCOLS)
        .wrap(from_fn(crate::middleware::handle))
        .wrap(cors)
        .wrap(from_fn(crate::middleware::boxed))
        .configure(routes)
}

/// Registers every protocol's routes; OGC API last, as it holds `/`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(crate::wms::routes)
        .configure(crate::wmts::routes)
        .configure(crate::csw::routes)
        .configure(crate::ows::routes)
        .configure(crate::ops::routes)
        .configure(crate::viewer::routes)
        .configure(crate::ogcapi::routes);
}

/// CORS from `[server.cors]`: read at start (a reload keeps it).
fn cors(config: &tuile_core::config::CorsConfig) -> actix_cors::Cors {
    use actix_web::http::header;
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::HeaderName::from_static("x-api-key"),
            crate::middleware::request_id::HEADER,
        ])
        .expose_headers([
            header::ETAG,
            header::LAST_MODIFIED,
            header::LINK,
            header::WARNING,
            header::HeaderName::from_static("content-crs"),
            header::HeaderName::from_static("content-bbox"),
            crate::middleware::request_id::HEADER,
        ])
        .max_age(config.max_age);
    for origin in &config.allowed_origins {
        cors = if origin == "*" {
            cors.allow_any_origin().send_wildcard()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::protocol_of;

    #[test]
    fn requests_are_classified_by_their_protocol() {
        let labels = |path: &str, q: &str| {
            let (l, _) = protocol_of(PROTOCOLS, path, q);
            (l.service, l.operation, l.layer)
        };
        assert_eq!(
            labels("/wms", "SERVICE=WMS&REQUEST=GetMap&LAYERS=ocsol,erp"),
            ("wms", "GetMap".into(), Some("ocsol".into()))
        );
        assert_eq!(
            labels("/wmts/1.0.0/ocsol/couverture/WebMercatorQuad/16/1/2.png", ""),
            ("wmts", "GetTile".into(), Some("ocsol".into()))
        );
        assert_eq!(
            labels("/collections/erp/items", ""),
            ("ogcapi", "items".into(), Some("erp".into()))
        );
        assert_eq!(labels("/", ""), ("ogcapi", "landing".into(), None));
        assert_eq!(labels("/tileMatrixSets/LAMB93", "").0, "tms");
        assert_eq!(labels("/ready", "").1, "ready");
        assert_eq!(labels("/viewer/assets/ol.js", "").0, "viewer");
        assert_eq!(labels("/nowhere", "").0, "other");
        // Operations are labelled by a fixed list: any other REQUEST is `other`.
        assert_eq!(labels("/wms", "REQUEST=<script>alert(1)</script>").1, "other");
        assert_eq!(labels("/wms", "request=getmap").1, "GetMap");
        assert_eq!(labels("/wms", "SERVICE=WMS").1, "none");
        assert_eq!(labels("/wmts", "REQUEST=GetTile123").1, "other");
    }

    #[test]
    fn unknown_layer_names_never_become_labels() {
        use crate::middleware::metrics::layer_label;
        assert_eq!(layer_label(Some("<garbage>"), None), "unknown");
        assert_eq!(layer_label(Some(""), None), "");
        assert_eq!(layer_label(None, None), "");
    }
}
