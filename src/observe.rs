//! What operators see: a request id on every answer, access logs, and
//! Prometheus metrics (requests by service, operation, layer and status;
//! latency; cache and render figures; open datasets).
//!
//! One middleware does the per-request part: it also refuses unknown API
//! keys and keeps answers to keyed callers out of shared HTTP caches.

use std::sync::LazyLock;
use std::time::Instant;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use futures_util::FutureExt;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use std::panic::AssertUnwindSafe;

use crate::access::Caller;
use crate::catalog::Catalog;
use crate::ows::Kvp;
use crate::server::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Process-wide metrics (one server per process).
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pub render_seconds: Histogram,
    cache: IntGaugeVec,
    pub open_datasets: IntGauge,
    layers: IntGauge,
    panics: IntCounter,
    renders_in_flight: IntGauge,
}

pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new_custom(Some("tuile".into()), None).expect("a valid prefix");
    let requests = IntCounterVec::new(
        Opts::new(
            "requests_total",
            "Requests answered, by service, operation, layer and HTTP status",
        ),
        &["service", "operation", "layer", "status"],
    )
    .expect("valid metric");
    let latency = HistogramVec::new(
        HistogramOpts::new("request_duration_seconds", "Time to answer, by service and operation").buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ]),
        &["service", "operation"],
    )
    .expect("valid metric");
    let render_seconds = Histogram::with_opts(
        HistogramOpts::new(
            "render_duration_seconds",
            "Time of each render or read job on the render pool",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ]),
    )
    .expect("valid metric");
    let cache = IntGaugeVec::new(
        Opts::new(
            "tile_cache",
            "Tile cache figures: hits, misses, renders and evictions since start, bytes held and the cap",
        ),
        &["figure"],
    )
    .expect("valid metric");
    let open_datasets = IntGauge::new("open_datasets", "GDAL datasets held open by the render threads").expect("valid");
    let layers = IntGauge::new("layers", "Layers being served").expect("valid metric");
    let panics =
        IntCounter::new("panics_total", "Panics caught in handlers and render jobs since start").expect("valid");
    let renders_in_flight =
        IntGauge::new("renders_in_flight", "Render and read jobs running or waiting").expect("valid metric");
    for m in [
        Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(latency.clone()),
        Box::new(render_seconds.clone()),
        Box::new(cache.clone()),
        Box::new(open_datasets.clone()),
        Box::new(layers.clone()),
        Box::new(panics.clone()),
        Box::new(renders_in_flight.clone()),
    ] {
        registry.register(m).expect("metric names are unique");
    }
    Metrics {
        registry,
        requests,
        latency,
        render_seconds,
        cache,
        open_datasets,
        layers,
        panics,
        renders_in_flight,
    }
});

/// Service, operation and layer of a request, for metrics. Only layer names
/// the catalog knows become labels, so garbage input cannot explode them.
pub fn classify(path: &str, query: &str, catalog: &Catalog) -> (&'static str, String, String) {
    let known = |name: &str| -> String {
        if catalog.layer(name).is_some() {
            name.to_string()
        } else if name.is_empty() {
            String::new()
        } else {
            "unknown".into()
        }
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let kvp_op = |kvp: &Kvp| {
        kvp.get_nonempty("request")
            .map(|r| {
                r.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .take(32)
                    .collect::<String>()
            })
            .unwrap_or_default()
    };
    match segments.as_slice() {
        ["wms"] => {
            let kvp = Kvp::parse(query);
            let layer = ["query_layers", "layers", "layer"]
                .iter()
                .find_map(|k| kvp.get_nonempty(k))
                .map(|l| known(l.split(',').next().unwrap_or("")))
                .unwrap_or_default();
            ("wms", kvp_op(&kvp), layer)
        }
        ["wmts"] => {
            let kvp = Kvp::parse(query);
            let layer = kvp.get_nonempty("layer").map(known).unwrap_or_default();
            ("wmts", kvp_op(&kvp), layer)
        }
        ["wmts", "1.0.0", "WMTSCapabilities.xml"] => ("wmts", "GetCapabilities".into(), String::new()),
        ["wmts", "1.0.0", layer, _, _, _, _, _] => ("wmts", "GetTile".into(), known(layer)),
        ["wmts", "1.0.0", layer, _, _, _, _, _, _, _] => ("wmts", "GetFeatureInfo".into(), known(layer)),
        ["wmts", ..] => ("wmts", "other".into(), String::new()),
        ["collections", id, "items", _] => ("ogcapi", "item".into(), known(id)),
        ["collections", id, "items"] => ("ogcapi", "items".into(), known(id)),
        ["collections", id, "queryables"] => ("ogcapi", "queryables".into(), known(id)),
        ["collections", id] => ("ogcapi", "collection".into(), known(id)),
        ["collections"] => ("ogcapi", "collections".into(), String::new()),
        [""] => ("ogcapi", "landing".into(), String::new()),
        ["conformance"] | ["api"] => ("ogcapi", segments[0].into(), String::new()),
        ["tileMatrixSets", ..] => ("tms", "tileMatrixSets".into(), String::new()),
        ["viewer", ..] => ("viewer", "viewer".into(), String::new()),
        ["health"] | ["ready"] | ["metrics"] => ("ops", segments[0].into(), String::new()),
        _ => ("other", "other".into(), String::new()),
    }
}

/// A request id: the client's `X-Request-Id` when it is a sane token, a new one otherwise.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| {
            use rand::Rng;
            format!("{:016x}", rand::thread_rng().r#gen::<u64>())
        })
}

/// Request ids, access logs, metrics, key checks and cache scoping.
pub async fn middleware(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (caller, auth_enabled, labels) = match &state {
        Some(state) => {
            let catalog = state.catalog();
            let caller = catalog.keys.caller(req.request());
            let labels = classify(req.path(), req.query_string(), &catalog);
            (caller, !catalog.keys.is_empty(), labels)
        }
        None => (Caller::Anonymous, false, ("other", "other".into(), String::new())),
    };
    let method = req.method().clone();
    let path = req.path().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let limits = state
        .as_ref()
        .map(|s| s.catalog().config.server.limits.clone())
        .unwrap_or_default();
    let body_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);

    let mut res = if req.query_string().len() > limits.max_query_length {
        let resp = error_response(
            &path,
            StatusCode::URI_TOO_LONG,
            format!(
                "the query string is {} bytes long; at most {} are accepted",
                req.query_string().len(),
                limits.max_query_length
            ),
        );
        req.into_response(resp)
    } else if body_len > limits.max_body_bytes {
        let resp = error_response(
            &path,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request bodies are limited to {} bytes", limits.max_body_bytes),
        );
        req.into_response(resp)
    } else if caller == Caller::UnknownKey {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": "Unauthorized",
            "status": 401,
            "detail": "the API key is not valid",
        });
        let resp = HttpResponse::Unauthorized()
            .content_type("application/problem+json")
            .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"tuile\""))
            .body(body.to_string());
        req.into_response(resp)
    } else {
        // A panic in a handler becomes a logged 500 in the protocol's
        // error format; the worker goes on serving.
        // The request itself moves into routing (which needs it unshared);
        // a stand-in with the same method, URI and headers carries the 500.
        let mut stand_in = actix_web::test::TestRequest::default()
            .method(method.clone())
            .uri(&req.uri().to_string());
        for (name, value) in req.headers() {
            stand_in = stand_in.append_header((name.clone(), value.clone()));
        }
        match AssertUnwindSafe(next.call(req)).catch_unwind().await {
            Ok(res) => res?,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                crate::metrics::PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::error!(request_id = %id, %path, panic = %msg, "a handler panicked");
                let resp = error_response(
                    &path,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("internal error (request {id}); it has been logged"),
                );
                ServiceResponse::new(stand_in.to_http_request(), resp)
            }
        }
    };

    let unavailable = res.status() == StatusCode::SERVICE_UNAVAILABLE;
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, v);
    }
    if auth_enabled {
        // The same URL answers differently with a key: shared caches must tell.
        headers.append(header::VARY, HeaderValue::from_static("Authorization, X-API-Key"));
    }
    if unavailable && !headers.contains_key(header::RETRY_AFTER) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    if matches!(caller, Caller::Member { .. }) {
        let scoped = headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.replace("public", "private"))
            .unwrap_or_else(|| "private".into());
        if let Ok(v) = HeaderValue::from_str(&scoped) {
            headers.insert(header::CACHE_CONTROL, v);
        }
    }

    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    let (service, operation, layer) = labels;
    let m = &*METRICS;
    m.requests
        .with_label_values(&[service, &operation, &layer, &status.to_string()])
        .inc();
    m.latency
        .with_label_values(&[service, &operation])
        .observe(elapsed.as_secs_f64());
    let ms = elapsed.as_secs_f64() * 1000.0;
    let who = match &caller {
        Caller::Member { name, .. } => name.as_str(),
        _ => "",
    };
    if status >= 500 {
        tracing::error!(target: "access", request_id = %id, %method, %path, status, ms, key = who, "request failed");
    } else if status >= 400 {
        tracing::info!(target: "access", request_id = %id, %method, %path, status, ms, key = who, "request refused");
    } else {
        tracing::debug!(target: "access", request_id = %id, %method, %path, status, ms, key = who, "request");
    }
    Ok(res)
}

/// An error in the format of the service the path belongs to: a WMS or
/// WMTS exception report, or a problem document.
pub fn error_response(path: &str, status: StatusCode, message: String) -> HttpResponse {
    let mut resp = if path == "/wms" {
        let code = if status.is_server_error() {
            crate::wms::exception::Code::Internal
        } else {
            crate::wms::exception::Code::InvalidParameterValue
        };
        crate::wms::exception::WmsError::new(code, "", message).response(crate::wms::WmsVersion::V130)
    } else if path == "/wmts" || path.starts_with("/wmts/") {
        let code = if status.is_server_error() {
            "NoApplicableCode"
        } else {
            "InvalidParameterValue"
        };
        crate::wmts::exception::WmtsError::new(status, code, "", message).response()
    } else {
        crate::ogcapi::Problem {
            status,
            detail: message,
        }
        .response()
    };
    *resp.status_mut() = status;
    resp
}

/// Gives every answer the same body type, whatever wraps the routes.
pub async fn boxed(
    req: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The id of the request being answered, for handlers that log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    use std::sync::atomic::Ordering::Relaxed;
    let m = &*METRICS;
    let t = &state.tiles;
    for (figure, value) in [
        ("hits", t.hits.load(Relaxed)),
        ("misses", t.misses.load(Relaxed)),
        ("renders", t.renders.load(Relaxed)),
        ("evictions", t.evictions.load(Relaxed)),
        ("bytes", t.used_bytes()),
        ("cap_bytes", t.cap_bytes()),
    ] {
        m.cache.with_label_values(&[figure]).set(value as i64);
    }
    m.open_datasets.set(crate::metrics::OPEN_DATASETS.load(Relaxed));
    m.layers.set(state.catalog().layers.len() as i64);
    // A counter that follows the process-wide count of caught panics.
    m.panics
        .inc_by(crate::metrics::PANICS.load(Relaxed).saturating_sub(m.panics.get()));
    m.renders_in_flight.set(state.pool.in_flight() as i64);
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut out) {
        return HttpResponse::InternalServerError().body(e.to_string());
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classified_without_trusting_names() {
        let catalog_free = |path: &str, q: &str| {
            let (s, o, _) = classify_without_catalog(path, q);
            (s, o)
        };
        assert_eq!(
            catalog_free("/wms", "SERVICE=WMS&REQUEST=GetMap"),
            ("wms", "GetMap".to_string())
        );
        assert_eq!(
            catalog_free("/wmts/1.0.0/ocsol/couverture/WebMercatorQuad/16/1/2.png", ""),
            ("wmts", "GetTile".to_string())
        );
        assert_eq!(
            catalog_free("/collections/erp/items", ""),
            ("ogcapi", "items".to_string())
        );
        assert_eq!(catalog_free("/", ""), ("ogcapi", "landing".to_string()));
        assert_eq!(
            catalog_free("/wms", "REQUEST=<script>alert(1)</script>").1,
            "scriptalert1script"
        );
    }

    /// The catalog only filters layer labels; an empty one makes them all "unknown".
    fn classify_without_catalog(path: &str, q: &str) -> (&'static str, String, String) {
        classify(path, q, &EMPTY)
    }

    static EMPTY: LazyLock<Catalog> = LazyLock::new(|| {
        let dir = std::env::temp_dir().join(format!("tuile-observe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let meta = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/service.toml");
        let text = format!("[server]\nmetadata = \"{}\"\n", meta.display());
        let config = crate::config::Config::from_toml_with(&text, &dir.join("t.toml"), |_| None).unwrap();
        Catalog::load(config).unwrap()
    });
}
