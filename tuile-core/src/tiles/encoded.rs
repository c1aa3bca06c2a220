//! An encoded tile or map, with what HTTP caching needs to serve it many
//! times: a strong validator, its modification time and its lifetime.

use std::io::{Read, Write};
use std::time::SystemTime;

use bytes::Bytes;

use super::TileFormat;

/// An encoded image ready to be served, many times.
#[derive(Debug, Clone)]
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
    /// `gzip` when `bytes` are compressed (vector tiles are kept so: the
    /// usual client takes them so, and they weigh a fifth in the cache).
    pub content_encoding: Option<&'static str>,
    /// Until when a cascaded layer's tile is fresh; past it, it is drawn
    /// again, and served stale only while the upstream fails.
    pub fresh_until: Option<std::time::Instant>,
    /// Served past its freshness because the upstream failed (stale-if-error).
    pub stale: bool,
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
            content_encoding: None,
            fresh_until: None,
            stale: false,
        }
    }

    /// A vector tile, from its MVT bytes: gzipped unless empty (an empty
    /// tile is answered with no content).
    pub fn mvt(raw: &[u8], modified: SystemTime, max_age: u32) -> Encoded {
        if raw.is_empty() {
            return Encoded::new(Bytes::new(), TileFormat::MVT_MIME, modified, max_age);
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 3), flate2::Compression::fast());
        gz.write_all(raw).expect("writing to memory");
        let mut tile = Encoded::new(
            gz.finish().expect("writing to memory").into(),
            TileFormat::MVT_MIME,
            modified,
            max_age,
        );
        tile.content_encoding = Some("gzip");
        tile
    }

    /// A tile read back from the disk store, as it was written there.
    pub fn from_store(bytes: Bytes, format: &TileFormat, modified: SystemTime, max_age: u32) -> Encoded {
        let mut tile = Encoded::new(bytes, format.mime(), modified, max_age);
        if matches!(format, TileFormat::Mvt(_)) {
            tile.content_encoding = Some("gzip");
        }
        tile
    }

    /// The bytes as they were before compression.
    pub fn decoded(&self) -> std::io::Result<Bytes> {
        match self.content_encoding {
            Some("gzip") => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&self.bytes[..]).read_to_end(&mut out)?;
                Ok(out.into())
            }
            _ => Ok(self.bytes.clone()),
        }
    }

    /// Memory it holds, for the cache's weigher.
    pub fn weight(&self) -> u32 {
        (self.bytes.len() + self.etag.len() + self.last_modified.len() + 96).min(u32::MAX as usize) as u32
    }

    /// The `Cache-Control` value.
    pub fn cache_control(&self) -> String {
        let scope = if self.public { "public" } else { "private" };
        // A stale answer is not kept: the next request should find a fresh one.
        let max_age = if self.stale { 0 } else { self.max_age };
        format!("{scope}, max-age={max_age}")
    }

    /// Whether a cascaded layer's tile is past its freshness.
    pub fn is_expired(&self) -> bool {
        self.fresh_until.is_some_and(|t| std::time::Instant::now() >= t)
    }

    /// This tile, marked as served stale.
    pub fn as_stale(&self) -> Encoded {
        Encoded {
            stale: true,
            ..self.clone()
        }
    }
}

/// A strong ETag: a hash of the bytes, quoted.
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
}
