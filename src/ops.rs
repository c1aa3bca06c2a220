//! Operations endpoints: `/health` (the process answers), `/ready` (every
//! layer serves) and `/metrics` (Prometheus).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::http::{Labels, Protocol, get, problem, read_only};
use crate::state::AppState;

pub static PROTOCOL: Protocol = Protocol {
    classify,
    error: problem,
};

fn classify(path: &[&str], _query: &str) -> Option<Labels> {
    match path {
        [op @ ("health" | "ready" | "metrics")] => Some(Labels::new("ops", *op)),
        _ => None,
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(read_only("/health", &PROTOCOL).route(get().to(health)))
        .service(read_only("/ready", &PROTOCOL).route(get().to(ready)))
        .service(read_only("/metrics", &PROTOCOL).route(get().to(crate::observe::metrics)));
}

/// `GET /health`: the process answers.
async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({"status": "ok"}))
}

/// `GET /ready`: every configured layer has its source open. A layer left
/// out (broken source or style) makes it 503, naming the problem.
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let catalog = state.catalog();
    // A partner that fails degrades its cascaded layers only: the server
    // stays ready (every other layer serves), and says which is down.
    let upstreams: Vec<serde_json::Value> = catalog
        .upstream_hosts()
        .into_iter()
        .map(|(name, h)| {
            let s = h.state();
            serde_json::json!({
                "host": name,
                "up": s.failures_in_a_row == 0,
                "failuresInARow": s.failures_in_a_row,
                "lastSuccess": s.last_success,
                "lastError": if name.starts_with("restricted") { None } else { s.last_error },
            })
        })
        .collect();
    let upstreams_down = upstreams.iter().any(|u| u["up"] == false);
    // A restricted layer's trouble is told to no one here: it could name
    // its partner (or the file) to callers who may not know it exists.
    let restricted: Vec<&str> = catalog
        .config
        .layers
        .iter()
        .filter(|l| !l.is_public())
        .map(|l| l.name.as_str())
        .collect();
    let problems: Vec<String> = catalog
        .problems
        .iter()
        .map(|p| {
            if restricted.iter().any(|name| p.starts_with(&format!("layer `{name}`:"))) {
                "a restricted layer cannot be served (the server's log says why)".to_string()
            } else {
                p.clone()
            }
        })
        .collect();
    let body = serde_json::json!({
        "status": if catalog.problems.is_empty() && !upstreams_down { "ready" } else { "degraded" },
        "layers": catalog.layers.len(),
        "configured": catalog.config.layers.len(),
        "problems": problems,
        "upstreams": upstreams,
        "updateSequence": catalog.update_sequence,
    });
    let status = if catalog.problems.is_empty() && !catalog.layers.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut resp = HttpResponse::build(status);
    resp.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(body)
}
