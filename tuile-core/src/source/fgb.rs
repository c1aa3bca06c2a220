//! FlatGeobuf sources.
//!
//! The packed R-tree is loaded once and searched in memory; features are then
//! read with positioned reads (`pread`) in runs of neighbouring offsets, which
//! the Hilbert ordering of the file makes common. Properties are decoded on
//! demand, so a filter on one attribute never decodes the others, and the
//! geometry is only decoded when the caller asks for it.

use std::path::Path;

use flatgeobuf::GeometryType;
use flatgeobuf::packed_r_tree::PackedRTree;

use super::bytes::ByteSource;
use super::{SourceError, SourceMeta};
use crate::feature::{Column, FeatureView};
use crate::grid::{BBox, Crs, Identified};

/// Largest gap between two wanted features that is read through rather than skipped.
const MAX_GAP: u64 = 64 * 1024;
/// Largest run of features fetched by one read.
const MAX_RUN: u64 = 4 * 1024 * 1024;
/// Largest feature accepted; a bigger size prefix means a corrupt file.
const MAX_FEATURE_SIZE: u64 = 64 * 1024 * 1024;

/// Where a sequential scan stands: byte offset in the feature section and
/// feature number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScanPosition {
    pub offset: u64,
    pub number: u64,
}

pub struct FgbSource {
    meta: SourceMeta,
    file: ByteSource,
    columns: Vec<Column>,
    geometry_type: GeometryType,
    index: Option<PackedRTree>,
    /// Byte offset (in the feature section) of every feature, by number:
    /// the index's leaves, which list the features in file order.
    offsets: Vec<u64>,
    features_offset: u64,
    features_count: u64,
    /// Per column, built on first use: (hash of the value, feature number),
    /// sorted, to find features by identifier without scanning.
    lookups: Vec<std::sync::OnceLock<Vec<(u64, u32)>>>,
}

/// The feature offsets stored in the leaves of a packed R-tree (the last
/// `count` nodes of 40 bytes: four f64 bounds and a u64 offset).
fn leaf_offsets(index: &[u8], count: usize) -> Result<Vec<u64>, String> {
    const NODE: usize = 40;
    let start = index
        .len()
        .checked_sub(count * NODE)
        .ok_or("the spatial index is shorter than its leaves")?;
    let offsets: Vec<u64> = index[start..]
        .chunks_exact(NODE)
        .map(|n| u64::from_le_bytes(n[32..40].try_into().expect("8 bytes")))
        .collect();
    if offsets.windows(2).any(|w| w[0] >= w[1]) {
        return Err("the spatial index does not list the features in file order".into());
    }
    Ok(offsets)
}

/// Checks the packed R-tree's structure (each parent points at its first
/// child, finite boxes that hold their children), so that a corrupt index is
/// reported at open, naming the file, instead of answering wrong or empty maps.
fn check_tree(index: &[u8], count: usize, node_size: usize) -> Result<(), String> {
    const NODE: usize = 40;
    let node_size = node_size.max(2);
    // Nodes per level, leaves first; the file stores them root first.
    let mut counts = vec![count];
    let mut n = count;
    loop {
        n = n.div_ceil(node_size);
        counts.push(n);
        if n == 1 {
            break;
        }
    }
    let total: usize = counts.iter().sum();
    if index.len() != total * NODE {
        return Err(format!(
            "the spatial index holds {} bytes, {} expected",
            index.len(),
            total * NODE
        ));
    }
    let node = |i: usize| {
        let b = &index[i * NODE..(i + 1) * NODE];
        let f = |k: usize| f64::from_le_bytes(b[k * 8..k * 8 + 8].try_into().expect("8 bytes"));
        (
            [f(0), f(1), f(2), f(3)],
            u64::from_le_bytes(b[32..40].try_into().expect("8 bytes")),
        )
    };
    // First node of each level, leaves first.
    let mut starts = Vec::with_capacity(counts.len());
    let mut end = total;
    for c in &counts {
        end -= c;
        starts.push(end);
    }
    for level in 1..counts.len() {
        let (children, child_count) = (starts[level - 1], counts[level - 1]);
        for p in 0..counts[level] {
            let (b, offset) = node(starts[level] + p);
            let first = children + p * node_size;
            if offset != first as u64 || !b.iter().all(|v| v.is_finite()) || b[0] > b[2] || b[1] > b[3] {
                return Err(format!("node {} of level {level} is corrupt", p));
            }
            let tol = 1e-6 * (1.0 + b[2].abs().max(b[3].abs()));
            for c in first..(first + node_size).min(children + child_count) {
                let (cb, _) = node(c);
                let inside = cb[0] >= b[0] - tol && cb[1] >= b[1] - tol && cb[2] <= b[2] + tol && cb[3] <= b[3] + tol;
                if !inside {
                    return Err(format!("node {c} lies outside its parent's box"));
                }
            }
        }
    }
    Ok(())
}

/// Features whose text is checked to be UTF-8 at open.
const TEXT_SAMPLE: usize = 1000;

/// The refusal of a file without a spatial index, with the command that adds one.
fn no_index(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "the file has no spatial index; add one with `ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=YES indexed-{name} {name}`"
    )
}

/// The CRS a header names: its EPSG code, or its WKT identified.
fn header_crs(header: &flatgeobuf::Header) -> Result<(Crs, Identified), String> {
    let Some(c) = header.crs() else {
        return Err("the file names no CRS; set `crs = \"EPSG:…\"` on the source".into());
    };
    let org = c.org().unwrap_or("EPSG");
    if c.code() > 0 && org.eq_ignore_ascii_case("EPSG") {
        return Crs::from_epsg(c.code() as u32)
            .map(|crs| (crs, Identified::Declared))
            .map_err(|e| e.to_string());
    }
    let definition = c.wkt().filter(|w| !w.trim().is_empty()).or(c.code_string());
    let Some(definition) = definition else {
        return Err(
            "the file's CRS has neither an EPSG code nor a definition; set `crs = \"EPSG:…\"` on the source".into(),
        );
    };
    let srs = gdal::spatial_ref::SpatialRef::from_definition(definition)
        .map_err(|e| format!("its CRS cannot be read ({e}); set `crs = \"EPSG:…\"` on the source"))?;
    Crs::identify(&srs)
}

impl FgbSource {
    pub fn open(path: &Path) -> Result<FgbSource, SourceError> {
        FgbSource::open_with_crs(path, None)
    }

    /// Refuses a file whose first features hold text that is not UTF-8
    /// (FlatGeobuf's encoding), such as a Latin-1 export.
    fn check_text(&self, sample: usize) -> Result<(), SourceError> {
        let mut bad = None;
        let mut seen = 0;
        self.scan(ScanPosition::default(), |f, _| {
            seen += 1;
            if f.has_invalid_text() {
                bad = Some(f.index);
                return false;
            }
            seen < sample
        })?;
        match bad {
            None => Ok(()),
            Some(n) => Err(SourceError::open(
                &self.meta.path,
                format!(
                    "feature {n} holds text that is not UTF-8 (a Latin-1 export?); export it again with its \
                     encoding declared, such as `ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=YES out.fgb source.shp \
                     --config SHAPE_ENCODING ISO-8859-1`"
                ),
            )),
        }
    }

    /// Opens a file; `crs`, when given, overrides the one its header names.
    pub fn open_with_crs(path: &Path, crs: Option<Crs>) -> Result<FgbSource, SourceError> {
        let err = |msg: String| SourceError::open(path, msg);
        let file = ByteSource::open(path).map_err(|e| err(e.to_string()))?;
        let mut magic = [0u8; 12];
        file.read_exact_at(&mut magic, 0)
            .map_err(|_| err("too short to be a FlatGeobuf file".into()))?;
        if &magic[0..3] != b"fgb" || &magic[4..7] != b"fgb" {
            return Err(err("not a FlatGeobuf file (bad magic bytes)".into()));
        }
        let header_size = u32::from_le_bytes(magic[8..12].try_into().unwrap()) as usize;
        if !(8..=10 * 1024 * 1024).contains(&header_size) {
            return Err(err(format!("bad header size {header_size}")));
        }
        let mut header_buf = vec![0u8; header_size + 4];
        header_buf[..4].copy_from_slice(&magic[8..12]);
        file.read_exact_at(&mut header_buf[4..], 12)
            .map_err(|e| err(format!("truncated header: {e}")))?;
        let header =
            flatgeobuf::size_prefixed_root_as_header(&header_buf).map_err(|e| err(format!("corrupt header: {e}")))?;
        let columns: Vec<Column> = header
            .columns()
            .map(|cols| {
                cols.iter()
                    .map(|c| Column {
                        name: c.name().to_string(),
                        ty: c.type_(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let crs = match crs {
            Some(c) => (c, Identified::Configured),
            None => header_crs(&header).map_err(err)?,
        };
        let features_count = header.features_count();
        let geometry_type = header.geometry_type();
        let node_size = header.index_node_size();
        let index_start = 12 + header_size as u64;
        let (index, index_size) = if node_size > 0 && features_count > 0 {
            let size = PackedRTree::index_size(features_count as usize, node_size) as u64;
            let mut buf = vec![0u8; size as usize];
            file.read_exact_at(&mut buf, index_start)
                .map_err(|e| err(format!("truncated spatial index: {e}")))?;
            check_tree(&buf, features_count as usize, node_size as usize)
                .map_err(|m| err(format!("corrupt spatial index: {m}")))?;
            let tree = PackedRTree::from_buf(&buf[..], features_count as usize, node_size)
                .map_err(|e| err(format!("corrupt spatial index: {e}")))?;
            (Some((tree, leaf_offsets(&buf, features_count as usize))), size)
        } else {
            (None, 0)
        };
        let (index, offsets) = match index {
            Some((tree, offsets)) => (
                Some(tree),
                offsets.map_err(|m| err(format!("corrupt spatial index: {m}")))?,
            ),
            None => (None, Vec::new()),
        };
        let envelope = header.envelope().filter(|e| e.len() >= 4);
        let extent = match (&index, envelope) {
            (_, Some(e)) => BBox::new(e.get(0), e.get(1), e.get(2), e.get(3)),
            (Some(tree), None) => {
                let e = tree.extent();
                BBox::new(e.min_x, e.min_y, e.max_x, e.max_y)
            }
            (None, None) => return Err(err(no_index(path))),
        };
        if index.is_none() {
            return Err(err(no_index(path)));
        }
        let features_offset = index_start + index_size;
        // The last feature read whole: a truncated file is caught at open.
        if let Some(&last) = offsets.last() {
            let mut size = [0u8; 4];
            let at = features_offset + last;
            file.read_exact_at(&mut size, at)
                .and_then(|_| {
                    let mut feature = vec![0u8; u32::from_le_bytes(size) as usize];
                    file.read_exact_at(&mut feature, at + 4)
                })
                .map_err(|_| {
                    err(format!(
                        "truncated: feature {} ends past the end of the file",
                        offsets.len() - 1
                    ))
                })?;
        }
        let lookups = (0..columns.len()).map(|_| std::sync::OnceLock::new()).collect();
        let source = FgbSource {
            lookups,
            meta: SourceMeta::new(path, crs, extent, vec![path.to_path_buf()]).map_err(|e| err(e.to_string()))?,
            file,
            columns,
            geometry_type,
            index,
            offsets,
            features_offset,
            features_count,
        };
        source.check_text(TEXT_SAMPLE)?;
        Ok(source)
    }

    pub fn meta(&self) -> &SourceMeta {
        &self.meta
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn features_count(&self) -> u64 {
        self.features_count
    }

    /// The geometry type the file declares.
    pub fn geometry_type(&self) -> crate::feature::GeometryType {
        use crate::feature::GeometryType as G;
        match self.geometry_type {
            GeometryType::Point => G::Point,
            GeometryType::MultiPoint => G::MultiPoint,
            GeometryType::LineString => G::LineString,
            GeometryType::MultiLineString => G::MultiLineString,
            GeometryType::Polygon => G::Polygon,
            GeometryType::MultiPolygon => G::MultiPolygon,
            _ => G::Any,
        }
    }

    /// Visits every feature whose bounding box intersects `bbox` (in the
    /// source CRS), in file order. `visit` returns false to stop early.
    pub fn query(&self, bbox: &BBox, mut visit: impl FnMut(&FeatureView) -> bool) -> Result<(), SourceError> {
        let Some(index) = &self.index else {
            return Ok(());
        };
        let hits = index
            .search(bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
            .map_err(|e| SourceError::read(&self.meta.path, e))?;
        let mut buf = Vec::new();
        let mut i = 0;
        while i < hits.len() {
            // Gather a run of features close to each other in the file.
            let start = hits[i].offset as u64;
            let mut j = i + 1;
            while j < hits.len() {
                let off = hits[j].offset as u64;
                if off - hits[j - 1].offset as u64 > MAX_GAP || off - start > MAX_RUN {
                    break;
                }
                j += 1;
            }
            let last = hits[j - 1].offset as u64;
            // Read the run plus a margin for the last feature; grown if short.
            let mut len = (last - start) + 4096;
            buf.resize(len as usize, 0);
            let got = self.read_at(&mut buf, start)?;
            buf.truncate(got);
            for hit in &hits[i..j] {
                let rel = (hit.offset as u64 - start) as usize;
                let size = match buf.get(rel..rel + 4) {
                    Some(b) => u32::from_le_bytes(b.try_into().unwrap()) as u64,
                    None => return Err(self.corrupt(hit.index)),
                };
                if size > MAX_FEATURE_SIZE {
                    return Err(self.corrupt(hit.index));
                }
                let need = rel + 4 + size as usize;
                if need > buf.len() {
                    len = need as u64;
                    buf.resize(len as usize, 0);
                    let got = self.read_at(&mut buf, start)?;
                    if got < need {
                        return Err(self.corrupt(hit.index));
                    }
                }
                let feature =
                    flatgeobuf::size_prefixed_root_as_feature(&buf[rel..need]).map_err(|_| self.corrupt(hit.index))?;
                let view = FeatureView::new(feature, &self.columns, self.geometry_type, hit.index as u64);
                if !visit(&view) {
                    return Ok(());
                }
            }
            i = j;
        }
        Ok(())
    }

    /// The number of the feature whose column `col` holds `value` (the
    /// first one, in file order). The lookup table is built on first use.
    pub fn find_by(&self, col: usize, value: &str) -> Result<Option<u64>, SourceError> {
        let hash = |v: &str| xxhash_rust::xxh3::xxh3_64(v.as_bytes());
        let Some(cell) = self.lookups.get(col) else {
            return Ok(None);
        };
        let table = match cell.get() {
            Some(t) => t,
            None => {
                let mut t = Vec::with_capacity(self.features_count as usize);
                self.scan(Default::default(), |f, _| {
                    if let Some(v) = f.property_at(col).to_text() {
                        t.push((hash(&v), f.index as u32));
                    }
                    true
                })?;
                t.sort_unstable();
                cell.get_or_init(|| t)
            }
        };
        let h = hash(value);
        let first = table.partition_point(|(x, _)| *x < h);
        let candidates: Vec<u64> = table[first..]
            .iter()
            .take_while(|(x, _)| *x == h)
            .map(|(_, n)| *n as u64)
            .collect();
        let mut found = None;
        // Equal hashes may be different values: check each candidate.
        self.visit_numbers(&candidates, |f| {
            if f.property_at(col).to_text().as_deref() == Some(value) {
                found = Some(f.index);
                return false;
            }
            true
        })?;
        Ok(found)
    }

    /// Where feature number `n` starts, to resume a scan there.
    pub fn position_of(&self, n: u64) -> Option<ScanPosition> {
        let offset = *self.offsets.get(n as usize)?;
        Some(ScanPosition { offset, number: n })
    }

    /// The feature numbers (in file order) whose bounding box intersects
    /// `bbox`, from the packed R-tree.
    pub fn search(&self, bbox: &BBox) -> Result<Vec<u64>, SourceError> {
        let Some(index) = &self.index else {
            return Ok(Vec::new());
        };
        let hits = index
            .search(bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
            .map_err(|e| SourceError::read(&self.meta.path, e))?;
        Ok(hits.into_iter().map(|h| h.index as u64).collect())
    }

    /// Visits the features with the given numbers (ascending), reading
    /// neighbours in runs; `visit` returns false to stop.
    pub fn visit_numbers(
        &self,
        numbers: &[u64],
        mut visit: impl FnMut(&FeatureView) -> bool,
    ) -> Result<(), SourceError> {
        let mut buf = Vec::new();
        let mut i = 0;
        while i < numbers.len() {
            let first = self
                .position_of(numbers[i])
                .ok_or_else(|| self.corrupt(numbers[i]))?
                .offset;
            let mut j = i + 1;
            while j < numbers.len() {
                let (Some(prev), Some(next)) = (self.position_of(numbers[j - 1]), self.position_of(numbers[j])) else {
                    break;
                };
                if next.offset - prev.offset > MAX_GAP || next.offset - first > MAX_RUN {
                    break;
                }
                j += 1;
            }
            // The run ends where the feature after its last one starts (or at the end of the file).
            let end = match self.position_of(numbers[j - 1] + 1) {
                Some(p) => p.offset,
                None => self.meta.version.len.saturating_sub(self.features_offset),
            };
            let len = end.saturating_sub(first);
            buf.resize(len as usize, 0);
            let got = self.read_at(&mut buf, first)?;
            buf.truncate(got);
            for &n in &numbers[i..j] {
                let rel = (self.offsets[n as usize] - first) as usize;
                let size = match buf.get(rel..rel + 4) {
                    Some(b) => u32::from_le_bytes(b.try_into().unwrap()) as usize,
                    None => return Err(self.corrupt(n)),
                };
                let Some(bytes) = buf.get(rel..rel + 4 + size) else {
                    return Err(self.corrupt(n));
                };
                let feature = flatgeobuf::size_prefixed_root_as_feature(bytes).map_err(|_| self.corrupt(n))?;
                let view = FeatureView::new(feature, &self.columns, self.geometry_type, n);
                if !visit(&view) {
                    return Ok(());
                }
            }
            i = j;
        }
        Ok(())
    }

    /// Visits every feature in file order, starting at `from`; `visit` gets
    /// the position of the next feature and returns false to stop. Used for
    /// full scans and for paging that resumes where the last page ended.
    pub fn scan(
        &self,
        from: ScanPosition,
        mut visit: impl FnMut(&FeatureView, ScanPosition) -> bool,
    ) -> Result<(), SourceError> {
        let mut buf = vec![0u8; 1024 * 1024];
        let mut pos = from.offset;
        let mut number = from.number;
        loop {
            let got = self.read_at(&mut buf, pos)?;
            if got < 4 {
                return Ok(());
            }
            let mut rel = 0usize;
            let mut progressed = false;
            while rel + 4 <= got {
                let size = u32::from_le_bytes(buf[rel..rel + 4].try_into().unwrap()) as usize;
                if size as u64 > MAX_FEATURE_SIZE {
                    return Err(self.corrupt(number));
                }
                if rel + 4 + size > got {
                    if !progressed && rel + 4 + size > buf.len() {
                        buf.resize(rel + 4 + size, 0);
                    }
                    break;
                }
                let feature = flatgeobuf::size_prefixed_root_as_feature(&buf[rel..rel + 4 + size])
                    .map_err(|_| self.corrupt(number))?;
                let view = FeatureView::new(feature, &self.columns, self.geometry_type, number);
                rel += 4 + size;
                number += 1;
                progressed = true;
                let next = ScanPosition {
                    offset: pos + rel as u64,
                    number,
                };
                if !visit(&view, next) {
                    return Ok(());
                }
            }
            if !progressed && got < buf.len() {
                // A size prefix that runs past the end of the file.
                return Err(self.corrupt(number));
            }
            pos += rel as u64;
        }
    }

    fn read_at(&self, buf: &mut [u8], feature_offset: u64) -> Result<usize, SourceError> {
        self.file
            .read_at(buf, self.features_offset + feature_offset)
            .map_err(|e| SourceError::read(&self.meta.path, e))
    }

    fn corrupt(&self, feature: impl std::fmt::Display) -> SourceError {
        SourceError::read(&self.meta.path, format!("corrupt or truncated feature {feature}"))
    }
}
