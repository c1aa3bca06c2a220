//! Limits on what a request may carry (query string, body), answered in
//! the protocol's format; and `Retry-After` on every 503, since those are
//! the server's load, not the client's fault.

use actix_web::HttpResponse;
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};

use tuile_core::config::Limits;

/// The refusal of a request over a limit, if it is.
pub fn check(
    req: &ServiceRequest,
    limits: &Limits,
    error: fn(StatusCode, String) -> HttpResponse,
) -> Option<HttpResponse> {
    let query = req.query_string().len();
    if query > limits.max_query_length {
        return Some(error(
            StatusCode::URI_TOO_LONG,
            format!(
                "the query string is {query} bytes long; at most {} are accepted",
                limits.max_query_length
            ),
        ));
    }
    let body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    if body > limits.max_body_bytes {
        return Some(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request bodies are limited to {} bytes", limits.max_body_bytes),
        ));
    }
    None
}

pub fn retry_after(status: StatusCode, headers: &mut HeaderMap) {
    if status == StatusCode::SERVICE_UNAVAILABLE && !headers.contains_key(header::RETRY_AFTER) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
}
