//! A request id on every answer: the client's `X-Request-Id` when it is a
//! sane token, a new one otherwise; handlers that log find it in the
//! request's extensions.

use actix_web::HttpMessage;
use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being answered, for handlers that log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The request's id, recorded in its extensions.
pub fn assign(req: &ServiceRequest) -> String {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| {
            use rand::Rng;
            format!("{:016x}", rand::thread_rng().r#gen::<u64>())
        });
    req.extensions_mut().insert(RequestId(id.clone()));
    id
}

pub fn stamp(headers: &mut HeaderMap, id: &str) {
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(HEADER, v);
    }
}
