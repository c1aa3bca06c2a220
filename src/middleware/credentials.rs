//! Credentials at the door: a key that matches none is refused with 401
//! (rather than served as anonymous, so a typo is not mistaken for missing
//! layers), and answers that depend on the key are kept out of shared caches.

use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderMap, HeaderValue};

use tuile_core::access::Caller;

pub fn refuse(caller: &Caller) -> Option<HttpResponse> {
    if *caller != Caller::UnknownKey {
        return None;
    }
    let body = serde_json::json!({
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "the API key is not valid",
    });
    Some(
        HttpResponse::Unauthorized()
            .content_type("application/problem+json")
            .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"tuile\""))
            .body(body.to_string()),
    )
}

/// `Vary` when keys exist (the same URL answers differently with one), and
/// `Cache-Control: private` on answers to a key holder.
pub fn scope(headers: &mut HeaderMap, caller: &Caller, keys_exist: bool) {
    if keys_exist {
        headers.append(header::VARY, HeaderValue::from_static("Authorization, X-API-Key"));
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
}
