//! What the OGC web services (WMS, WMTS, CSW) share: key-value-pair request
//! parsing, OWS Common sections, and the GML schema their feature info
//! answers point at.

pub mod common;
pub mod feature_info;
mod kvp;

pub use kvp::Kvp;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::{Protocol, get, problem, read_only};
use crate::state::AppState;

/// The schema route's errors (only a 405) are problems, as for any path
/// outside a service.
static SCHEMA: Protocol = Protocol {
    classify: |_, _| None,
    error: problem,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(read_only("/schemas/tuile.xsd", &SCHEMA).route(get().to(feature_schema)));
}

/// The XML schema of the GML that GetFeatureInfo answers.
async fn feature_schema(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let catalog = state.catalog_for(&req);
    let body = state.document(format!("schema|{}|{}", catalog.view, catalog.update_sequence), || {
        feature_info::schema(&catalog)
    });
    HttpResponse::Ok().content_type("application/xml").body(body)
}
