//! Answers for encoded images that honour `If-None-Match` (strong ETags),
//! `Cache-Control` and `Last-Modified`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use tuile_core::tiles::Encoded;

/// 200 with the body, 204 when it is empty (a vector tile with no
/// feature), or 304 when the client's copy is current. A compressed body
/// goes as it is to a client that accepts its encoding, decoded to others.
pub fn respond(encoded: &Encoded, req: &HttpRequest) -> HttpResponse {
    let fresh = not_modified(req, &encoded.etag);
    let mut resp = if fresh {
        HttpResponse::NotModified()
    } else if encoded.bytes.is_empty() {
        HttpResponse::NoContent()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, encoded.etag.as_str()))
        .insert_header((header::CACHE_CONTROL, encoded.cache_control()))
        .insert_header((header::LAST_MODIFIED, encoded.last_modified.as_str()));
    if encoded.content_encoding.is_some() {
        resp.insert_header((header::VARY, "Accept-Encoding"));
    }
    if encoded.stale {
        // RFC 7234 §5.5.1: the upstream failed, this is the last good copy.
        resp.insert_header((header::WARNING, "110 tuile \"Response is Stale\""));
    }
    if fresh || encoded.bytes.is_empty() {
        return resp.finish();
    }
    let body = match encoded.content_encoding {
        Some(encoding) if accepts(req, encoding) => {
            resp.insert_header((header::CONTENT_ENCODING, encoding));
            encoded.bytes.clone()
        }
        Some(_) => match encoded.decoded() {
            Ok(bytes) => bytes,
            Err(e) => {
                return crate::http::problem(
                    actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                    format!("a cached tile does not decode: {e}"),
                );
            }
        },
        None => encoded.bytes.clone(),
    };
    resp.content_type(encoded.content_type).body(body)
}

/// Whether `Accept-Encoding` takes `encoding` (with a q above zero).
fn accepts(req: &HttpRequest, encoding: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name.eq_ignore_ascii_case(encoding) || name == "*") && !refused
        })
}

/// Whether `If-None-Match` names this ETag (or is `*`).
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use bytes::Bytes;
    use std::time::SystemTime;

    #[test]
    fn etags_are_strong_and_304_is_answered() {
        let e = Encoded::new(Bytes::from_static(b"png"), "image/png", SystemTime::UNIX_EPOCH, 60);
        assert!(e.etag.starts_with('"') && e.etag.ends_with('"'));
        let fresh = TestRequest::default()
            .insert_header(("If-None-Match", format!("\"x\", {}", e.etag)))
            .to_http_request();
        assert_eq!(respond(&e, &fresh).status(), 304);
        let stale = TestRequest::default()
            .insert_header(("If-None-Match", "\"other\""))
            .to_http_request();
        let r = respond(&e, &stale);
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers().get("cache-control").unwrap(), "public, max-age=60");
        assert_eq!(
            r.headers().get("last-modified").unwrap(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }
}
