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
    let hosts = catalog.upstream_hosts();
    let upstreams_down = hosts.iter().any(|(_, h, _)| !h.is_up());
    let upstreams: Vec<serde_json::Value> = hosts
        .into_iter()
        .map(|(name, h, public)| {
            let s = h.state();
            serde_json::json!({
                "host": name,
                "up": s.failures_in_a_row == 0,
                "failuresInARow": s.failures_in_a_row,
                "lastSuccess": s.last_success,
                // A restricted layer's partner is named in no error either.
                "lastError": if public { s.last_error } else { None },
            })
        })
        .collect();
    let body = serde_json::json!({
        "status": if catalog.problems.is_empty() && !upstreams_down { "ready" } else { "degraded" },
        "layers": catalog.layers.len(),
        "configured": catalog.config.layers.len(),
        "problems": catalog.public_problems(),
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
