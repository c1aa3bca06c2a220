//! Headers that keep HTML answers inert in a browser: a Content-Security-
//! Policy (scripts only from tuile itself) and no MIME sniffing.

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::html::CONTENT_SECURITY_POLICY;

pub fn protect(headers: &mut HeaderMap) {
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html {
        headers.insert(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}
