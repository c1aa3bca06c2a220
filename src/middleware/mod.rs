//! The request handling every route shares, one concern per module: a
//! request id and the access log, limits on what a request may carry,
//! credentials (unknown keys refused, keyed answers kept out of shared
//! caches), request rates, panics caught, security headers, and metrics. One actix middleware runs them in
//! order, so that a cached tile pays for one layer, not five.

pub mod credentials;
pub mod limits;
pub mod metrics;
pub mod panics;
pub mod rate;
pub mod request_id;
pub mod security;

use std::time::Instant;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::http::{Protocols, protocol_of};
use crate::state::AppState;
use tuile_core::access::Caller;

/// Runs every concern around the routes.
pub async fn handle(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = request_id::assign(&req);
    let protocols: Protocols = req.app_data::<Protocols>().copied().unwrap_or(&[]);
    let (labels, error) = protocol_of(protocols, req.path(), req.query_string());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let catalog = state.as_ref().map(|s| s.catalog());
    let caller = match &catalog {
        Some(c) => c.keys.caller(&crate::http::credentials::presented(req.request())),
        None => Caller::Anonymous,
    };
    let limits = catalog
        .as_ref()
        .map(|c| c.config.server.limits.clone())
        .unwrap_or_default();
    let entry = metrics::Entry::new(&req, labels, &caller);
    let refusal = limits::check(&req, &limits, error)
        .or_else(|| credentials::refuse(&caller))
        .or_else(|| state.as_ref().and_then(|s| s.rates.check(&req, &caller, error)));
    let mut res = match refusal {
        Some(resp) => req.into_response(resp),
        None => panics::catch(req, next, error, &id).await?,
    };
    let headers = res.headers_mut();
    request_id::stamp(headers, &id);
    credentials::scope(headers, &caller, catalog.as_ref().is_some_and(|c| !c.keys.is_empty()));
    limits::retry_after(res.status(), res.headers_mut());
    security::protect(res.headers_mut());
    entry.record(&res, catalog.as_deref(), started, &id);
    Ok(res)
}

/// Gives every answer the same body type, whatever wraps the routes.
pub async fn boxed(
    req: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    Ok(next.call(req).await?.map_into_boxed_body())
}
