//! Data sources: what a layer reads from. Sources know nothing of protocols;
//! they answer "what is in this box" in their own CRS.

pub mod bytes;
pub mod datasets;
pub mod fgb;
pub mod gdal;
pub mod mosaic;
pub mod raster;
pub mod remote;
mod rtree;
pub mod tile_index;
mod warp;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::grid::{BBox, Crs};
use serde::Deserialize;

pub use fgb::FgbSource;
pub use raster::{RasterSource, Resampling, RgbaImage};

/// What a layer reads, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Anything GDAL opens as a raster: a COG, a VRT mosaic.
    Raster,
    /// A FlatGeobuf file with its packed R-tree index.
    Flatgeobuf,
    /// A mosaic of raster files behind a tile index (`tuile index`).
    Mosaic,
    /// A partner's WMS layer (cascaded).
    Wms,
    /// A partner's WMTS layer (cascaded).
    Wmts,
    /// A partner's OGC API – Features collection (mirrored).
    #[serde(rename = "ogcapi-features")]
    OgcapiFeatures,
}

impl SourceKind {
    /// Whether the layer is drawn from pixels (a file or a mosaic).
    pub fn is_raster(self) -> bool {
        matches!(
            self,
            SourceKind::Raster | SourceKind::Mosaic | SourceKind::Wms | SourceKind::Wmts
        )
    }

    /// Whether the layer is a partner's service rather than a file.
    pub fn is_remote(self) -> bool {
        matches!(self, SourceKind::Wms | SourceKind::Wmts | SourceKind::OgcapiFeatures)
    }

    /// Whether the layer is drawn from features (a file or a partner's collection).
    pub fn is_vector(self) -> bool {
        matches!(self, SourceKind::Flatgeobuf | SourceKind::OgcapiFeatures)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot open {}: {msg}", path.display())]
    Open { path: PathBuf, msg: String },
    #[error("cannot read {}: {msg}", path.display())]
    Read { path: PathBuf, msg: String },
    /// The job ran past its deadline and stopped (see `pool::overrun`).
    #[error("the render took longer than allowed and was cancelled")]
    Cancelled,
}

impl SourceError {
    pub fn open(path: &Path, msg: impl ToString) -> SourceError {
        SourceError::Open {
            path: path.to_path_buf(),
            msg: msg.to_string(),
        }
    }

    pub fn read(path: &Path, msg: impl ToString) -> SourceError {
        SourceError::Read {
            path: path.to_path_buf(),
            msg: msg.to_string(),
        }
    }
}

/// Identifies one state of a source file (modification time and size), so
/// that caches and ETags change when the data does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceVersion {
    pub modified: SystemTime,
    pub len: u64,
}

impl SourceVersion {
    pub fn of(path: &Path) -> std::io::Result<SourceVersion> {
        if bytes::is_virtual(path) {
            return bytes::virtual_version(path);
        }
        let meta = std::fs::metadata(path)?;
        Ok(SourceVersion {
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            len: meta.len(),
        })
    }
}

/// A source's file, CRS, extent (in that CRS) and version.
#[derive(Debug, Clone)]
pub struct SourceMeta {
    pub path: PathBuf,
    pub crs: Crs,
    /// How the CRS was settled on (`tuile check-config` says it).
    pub crs_origin: crate::grid::Identified,
    pub extent: BBox,
    /// The newest modification time and total size of all its files.
    pub version: SourceVersion,
    /// Every file the source reads (a VRT and its COGs), with its version when opened.
    pub files: Vec<(PathBuf, SourceVersion)>,
}

impl SourceMeta {
    pub fn new(
        path: &Path,
        (crs, crs_origin): (Crs, crate::grid::Identified),
        extent: BBox,
        files: Vec<PathBuf>,
    ) -> std::io::Result<SourceMeta> {
        let mut versions = Vec::with_capacity(files.len());
        for f in files {
            let v = SourceVersion::of(&f)?;
            versions.push((f, v));
        }
        let version = SourceVersion {
            modified: versions
                .iter()
                .map(|(_, v)| v.modified)
                .max()
                .unwrap_or(SystemTime::UNIX_EPOCH),
            len: versions.iter().map(|(_, v)| v.len).sum(),
        };
        Ok(SourceMeta {
            path: path.to_path_buf(),
            crs,
            crs_origin,
            extent,
            version,
            files: versions,
        })
    }
}

pub enum Source {
    Raster(RasterSource),
    Vector(FgbSource),
    /// A partner's WMS or WMTS layer, drawn as a raster.
    Remote(Box<remote::RemoteSource>),
}

impl Source {
    /// Opens a source; `crs`, when given, overrides what the file says.
    pub fn open(kind: SourceKind, path: &Path, crs: Option<Crs>) -> Result<Source, SourceError> {
        Ok(match kind {
            SourceKind::Raster => Source::Raster(RasterSource::open(path, crs)?),
            SourceKind::Mosaic => Source::Raster(RasterSource::open_mosaic(path, crs)?),
            SourceKind::Flatgeobuf => Source::Vector(FgbSource::open_with_crs(path, crs)?),
            SourceKind::Wms | SourceKind::Wmts | SourceKind::OgcapiFeatures => {
                return Err(SourceError::open(path, "a remote source opens with its configuration"));
            }
        })
    }

    /// What every source knows of itself: file, CRS, extent, version.
    pub fn meta(&self) -> &SourceMeta {
        match self {
            Source::Raster(r) => r.meta(),
            Source::Vector(v) => v.meta(),
            Source::Remote(r) => r.meta(),
        }
    }
}
