//! A mosaic of raster files behind a tile index: thousands of COGs (or
//! JPEG 2000 tiles), in yearly editions, with a built overview pyramid, as
//! IGN delivers BD ORTHO per département and per year.
//!
//! The index (a FlatGeobuf written by `tuile index`, see [`super::tile_index`])
//! lists every file with its footprint, edition, pyramid level, CRS and
//! state. Nothing is opened at start; a request picks the pyramid level
//! that matches its resolution, reads only the files it intersects
//! (through the shared pool of open datasets) and lays the editions on top
//! of each other, the latest last. With a pyramid level for every
//! eightfold change of scale, no request reads more than a handful of
//! files, whatever its scale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::raster::{RasterFile, Resampling, RgbaImage};
use super::{SourceError, SourceMeta, SourceVersion};
use crate::grid::{BBox, Crs, transform_bbox};

/// One file of the mosaic.
pub struct Entry {
    pub file: RasterFile,
    /// Footprint in the mosaic's CRS.
    pub bbox: BBox,
    pub edition: String,
    /// 0: a delivered tile; 1 and up: the pyramid, coarser each.
    pub level: u32,
    /// Ground size of a pixel, in the mosaic's CRS units.
    pub resolution: f64,
}

pub struct Mosaic {
    meta: SourceMeta,
    entries: Vec<Entry>,
    /// Pyramid levels each edition has, with their resolution.
    levels: BTreeMap<String, BTreeMap<u32, f64>>,
}

impl Mosaic {
    pub fn open(index: &Path, crs: Option<Crs>) -> Result<Mosaic, SourceError> {
        let err = |m: String| SourceError::open(index, m);
        let (crs, origin, rows) = super::tile_index::read(index, crs)?;
        let dir = index.parent().unwrap_or(Path::new("."));
        let entries = rows
            .into_iter()
            .map(|r| {
                let file_crs = Crs::from_epsg(r.epsg).map_err(|e| err(format!("{}: {e}", r.path)))?;
                let path = if r.path.starts_with('/') {
                    PathBuf::from(&r.path)
                } else {
                    dir.join(&r.path)
                };
                let version = SourceVersion {
                    modified: UNIX_EPOCH + Duration::from_secs(r.modified.max(0) as u64),
                    len: r.size,
                };
                let nodata = (!r.nodata.is_empty())
                    .then(|| r.nodata.split(',').map(|v| v.trim().parse::<u8>().ok()).collect())
                    .flatten();
                Ok(Entry {
                    file: RasterFile::indexed(path, version, file_crs, r.bands as usize, r.mask, nodata),
                    bbox: r.bbox,
                    edition: r.edition,
                    level: r.level,
                    resolution: r.resolution,
                })
            })
            .collect::<Result<Vec<_>, SourceError>>()?;
        let tiles: Vec<&Entry> = entries.iter().filter(|e| e.level == 0).collect();
        let extent = tiles
            .iter()
            .map(|e| e.bbox)
            .reduce(|a, b| a.union(&b))
            .ok_or_else(|| err("the tile index lists no file: run `tuile index` on the delivery".into()))?;
        let mut levels: BTreeMap<String, BTreeMap<u32, f64>> = BTreeMap::new();
        for e in &entries {
            let r = levels
                .entry(e.edition.clone())
                .or_default()
                .entry(e.level)
                .or_insert(e.resolution);
            *r = r.min(e.resolution);
        }
        let meta =
            SourceMeta::new(index, (crs, origin), extent, vec![index.to_path_buf()]).map_err(|e| err(e.to_string()))?;
        Ok(Mosaic { meta, entries, levels })
    }

    pub fn meta(&self) -> &SourceMeta {
        &self.meta
    }

    /// The finest resolution of the delivered tiles.
    pub fn resolution(&self) -> f64 {
        self.levels
            .values()
            .filter_map(|l| l.get(&0))
            .copied()
            .fold(f64::MAX, f64::min)
    }

    pub fn editions(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .entries
            .iter()
            .filter(|e| e.level == 0)
            .map(|e| &e.edition)
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Editions drawn for the view of `edition`, oldest first.
    fn shown(&self, edition: Option<&str>) -> Vec<&String> {
        self.levels
            .keys()
            .filter(|e| edition.is_none_or(|x| e.as_str() <= x))
            .collect()
    }

    /// The coarsest pyramid level of `edition` not coarser than
    /// `resolution`; the delivered tiles at their resolution or finer.
    fn level_for(&self, edition: &str, resolution: f64) -> u32 {
        let Some(levels) = self.levels.get(edition) else {
            return 0;
        };
        if levels.get(&0).is_some_and(|r0| resolution <= r0 * 1.01) {
            return 0;
        }
        levels
            .iter()
            .filter(|(_, r)| **r <= resolution * 1.01)
            .map(|(l, _)| *l)
            .max()
            .unwrap_or(0)
    }

    /// The files a map of `bbox` (in `crs`) at `width` × `height` reads,
    /// in drawing order: for each edition shown, oldest first, the files of
    /// the pyramid level that matches the map's resolution.
    pub fn files_for(&self, crs: Crs, bbox: &BBox, width: u32, height: u32, edition: Option<&str>) -> Vec<&Entry> {
        let Ok(area) = transform_bbox(bbox, crs, self.meta.crs) else {
            return Vec::new();
        };
        let resolution = (area.width() / width as f64).min(area.height() / height as f64);
        let mut out: Vec<&Entry> = Vec::new();
        for shown in self.shown(edition) {
            let level = self.level_for(shown, resolution);
            let layer: Vec<&Entry> = self
                .entries
                .iter()
                .filter(|e| &e.edition == shown && e.level == level && e.bbox.intersects(&area))
                .collect();
            // What a newer edition covers with opaque pixels is not read.
            out.retain(|old| {
                let Some(seen) = old.bbox.intersection(&area) else {
                    return true;
                };
                !layer.iter().any(|new| new.file.is_opaque() && new.bbox.contains(&seen))
            });
            out.extend(layer);
        }
        out
    }

    pub fn warp(
        &self,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        resampling: Resampling,
        edition: Option<&str>,
    ) -> Result<RgbaImage, SourceError> {
        let mut canvas = RgbaImage {
            width,
            height,
            data: vec![0; width as usize * height as usize * 4],
        };
        for e in self.files_for(crs, bbox, width, height, edition) {
            let image = e.file.warp(crs, bbox, width, height, resampling)?;
            over(&mut canvas, &image);
        }
        Ok(canvas)
    }

    /// The pixel at (x, y) of the topmost delivered tile there.
    pub fn sample(&self, x: f64, y: f64, edition: Option<&str>) -> Result<Option<Vec<f64>>, SourceError> {
        for shown in self.shown(edition).into_iter().rev() {
            for e in self
                .entries
                .iter()
                .filter(|e| &e.edition == shown && e.level == 0 && e.bbox.contains_point(x, y))
            {
                let (fx, fy) = if e.file_crs() == self.meta.crs {
                    (x, y)
                } else {
                    match crate::grid::transform_point(self.meta.crs, e.file_crs(), x, y) {
                        Some(p) => p,
                        None => continue,
                    }
                };
                if let Some(values) = e.file.sample(fx, fy)? {
                    return Ok(Some(values));
                }
            }
        }
        Ok(None)
    }

    /// Every file of the mosaic (the indexer and the pyramid builder read them).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

impl Entry {
    fn file_crs(&self) -> Crs {
        self.file.crs()
    }
}

/// Lays `src` over `dst` (both non-premultiplied RGBA, the same size).
pub(crate) fn over(dst: &mut RgbaImage, src: &RgbaImage) {
    for (d, s) in dst.data.chunks_exact_mut(4).zip(src.data.chunks_exact(4)) {
        match s[3] {
            0 => {}
            255 => d.copy_from_slice(s),
            a => {
                let (sa, da) = (a as u32, d[3] as u32);
                let out = sa + da * (255 - sa) / 255;
                for c in 0..3 {
                    d[c] = ((s[c] as u32 * sa + d[c] as u32 * da * (255 - sa) / 255) / out.max(1)) as u8;
                }
                d[3] = out as u8;
            }
        }
    }
}

/// When a file was last changed, as the index stores it (whole seconds).
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
