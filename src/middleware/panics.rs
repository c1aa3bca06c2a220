//! A panic in a handler becomes a logged 500 in the protocol's error
//! format; the worker goes on serving.

use std::panic::AssertUnwindSafe;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};
use futures_util::FutureExt;

pub async fn catch(
    req: ServiceRequest,
    next: Next<BoxBody>,
    error: fn(StatusCode, String) -> HttpResponse,
    id: &str,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // The request itself moves into routing (which needs it unshared);
    // a stand-in with the same method, URI and headers carries the 500.
    let mut stand_in = actix_web::test::TestRequest::default()
        .method(req.method().clone())
        .uri(&req.uri().to_string());
    for (name, value) in req.headers() {
        stand_in = stand_in.append_header((name.clone(), value.clone()));
    }
    let path = req.path().to_string();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(res) => res,
        Err(panic) => {
            let msg = tuile_core::metrics::caught_panic(panic.as_ref());
            tracing::error!(request_id = %id, %path, panic = %msg, "a handler panicked");
            let resp = error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error (request {id}); it has been logged"),
            );
            Ok(ServiceResponse::new(stand_in.to_http_request(), resp))
        }
    }
}
