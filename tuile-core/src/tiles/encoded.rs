//! An encoded tile or map, with what HTTP caching needs to serve it many
//! times: a strong validator, its modification time and its lifetime.

use std::time::SystemTime;

use bytes::Bytes;

/// An encoded image ready to be served, many times.
#[derive(Debug)]
pub struct Encoded {
    pub bytes: Bytes,
    pub content_type: &'static str,
    /// Strong validator: a hash of the bytes, so equal bytes share it.
    pub etag: String,
    /// HTTP date of the last change of the inputs.
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

    /// The `Cache-Control` value.
    pub fn cache_control(&self) -> String {
        let scope = if self.public { "public" } else { "private" };
        format!("{scope}, max-age={}", self.max_age)
    }
}

/// A strong ETag: a hash of the bytes, quoted.
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
}
