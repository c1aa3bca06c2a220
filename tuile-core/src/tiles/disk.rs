//! The on-disk tile store: a directory tree `layer/style/set/z/row/col.ext`
//! that `tuile seed` fills and `serve` reads behind its memory cache.
//!
//! A tile file older than its layer's data or styles is stale and ignored.
//! Every I/O error is logged and treated as a miss: a full or read-only
//! disk slows the server down, it never breaks it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;

use super::TileKey;

#[derive(Clone)]
pub struct DiskStore {
    root: Arc<PathBuf>,
}

impl DiskStore {
    pub fn new(root: PathBuf) -> DiskStore {
        DiskStore { root: Arc::new(root) }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a tile lives. Dimensions and background colours get their own
    /// directories so that every variant of a tile has its own file.
    pub fn path(&self, k: &TileKey) -> PathBuf {
        let mut p = self.root.join(&*k.layer).join(&*k.style).join(k.tms);
        if let Some(t) = &k.time {
            p.push(format!("time-{}", sanitize(t)));
        }
        if let Some([r, g, b, a]) = k.background {
            p.push(format!("bg-{r:02x}{g:02x}{b:02x}{a:02x}"));
        }
        if let super::TileFormat::Mvt(Some(fields)) = &k.format {
            p.push(format!(
                "props-{:016x}",
                xxhash_rust::xxh3::xxh3_64(fields.join(",").as_bytes())
            ));
        }
        p.push(k.z.to_string());
        p.push(k.row.to_string());
        p.push(format!("{}.{}", k.col, k.format.extension()));
        p
    }

    /// The tile's bytes when present and newer than `inputs_modified`.
    pub fn read(&self, k: &TileKey, inputs_modified: SystemTime) -> Option<Bytes> {
        let path = self.path(k);
        let meta = std::fs::metadata(&path).ok()?;
        if meta.modified().ok()? < inputs_modified {
            return None;
        }
        match std::fs::read(&path) {
            Ok(b) if !b.is_empty() => Some(Bytes::from(b)),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("tile store: cannot read {}: {e}", path.display());
                None
            }
        }
    }

    /// Writes a tile atomically (temporary file, then rename).
    pub fn write(&self, k: &TileKey, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(k);
        let dir = path.parent().expect("tile paths have a directory");
        std::fs::create_dir_all(dir)?;
        let tmp = path.with_extension(format!("{}.tmp{}", k.format.extension(), std::process::id()));
        let mut f = std::fs::File::create(&tmp)?;
        if let Err(e) = f.write_all(bytes).and_then(|_| f.sync_data()) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &path)
    }

    pub fn write_logged(&self, k: &TileKey, bytes: &[u8]) {
        if let Err(e) = self.write(k, bytes) {
            tracing::warn!("tile store: cannot write under {}: {e}", self.root.display());
        }
    }
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect()
}
