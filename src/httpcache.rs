//! Encoded images with their HTTP caching metadata, and the responses that
//! honour `If-None-Match` (strong ETags), `Cache-Control` and `Last-Modified`.

use std::time::SystemTime;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

/// An encoded image ready to be served, many times.
#[derive(Debug)]
pub struct Encoded {
    pub bytes: Bytes,
    pub content_type: &'static str,
    /// Strong validator: a hash of the bytes, so equal bytes share it.
    pub etag: String,
    pub last_modified: String,
    pub max_age: u32,
    /// Whether shared caches (CDNs, proxies) may keep it.
    pub public: bool,
}

impl Encoded {
    pub fn new(bytes: Bytes, content_type: &'static str, modified: SystemTime, max_age: u32) -> Encoded {
        Encoded {
            etag: etag_of(&bytes),
            bytes,
            content_type,
            last_modified: httpdate::fmt_http_date(modified),
            max_age,
            public: true,
        }
    }

    /// Memory it holds, for the cache's weigher.
    pub fn weight(&self) -> u32 {
        (self.bytes.len() + self.etag.len() + self.last_modified.len() + 96).min(u32::MAX as usize) as u32
    }

    fn cache_control(&self) -> String {
        let scope = if self.public { "public" } else { "private" };
        format!("{scope}, max-age={}", self.max_age)
    }

    /// 200 with the body, or 304 when the client's copy is current.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        if not_modified(req, &self.etag) {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, self.etag.as_str()))
                .insert_header((header::CACHE_CONTROL, self.cache_control()))
                .insert_header((header::LAST_MODIFIED, self.last_modified.as_str()))
                .finish();
        }
        HttpResponse::Ok()
            .content_type(self.content_type)
            .insert_header((header::ETAG, self.etag.as_str()))
            .insert_header((header::CACHE_CONTROL, self.cache_control()))
            .insert_header((header::LAST_MODIFIED, self.last_modified.as_str()))
            .body(self.bytes.clone())
    }
}

pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
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

    #[test]
    fn etags_are_strong_and_304_is_answered() {
        let e = Encoded::new(Bytes::from_static(b"png"), "image/png", SystemTime::UNIX_EPOCH, 60);
        assert!(e.etag.starts_with('"') && e.etag.ends_with('"'));
        let fresh = TestRequest::default()
            .insert_header(("If-None-Match", format!("\"x\", {}", e.etag)))
            .to_http_request();
        assert_eq!(e.respond(&fresh).status(), 304);
        let stale = TestRequest::default()
            .insert_header(("If-None-Match", "\"other\""))
            .to_http_request();
        let r = e.respond(&stale);
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers().get("cache-control").unwrap(), "public, max-age=60");
        assert_eq!(
            r.headers().get("last-modified").unwrap(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }
}
