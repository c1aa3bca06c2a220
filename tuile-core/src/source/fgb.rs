//! FlatGeobuf sources.
//!
//! The packed R-tree is loaded once and searched in memory; features are then
//! read with positioned reads (`pread`) in runs of neighbouring offsets, which
//! the Hilbert ordering of the file makes common. Properties are decoded on
//! demand, so a filter on one attribute never decodes the others, and the
//! geometry is only decoded when the caller asks for it.

use std::path::Path;

use flatgeobuf::GeometryType;

use super::bytes::ByteSource;
use super::rtree::{self, PackedIndex};
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
    /// The packed R-tree, mapped (local files) or read (remote ones); its
    /// leaves give every feature's offset, in file order.
    index: Option<PackedIndex>,
    features_offset: u64,
    features_count: u64,
    /// Per column, built on first use: (hash of the value, feature number),
    /// sorted, to find features by identifier without scanning.
    lookups: Vec<std::sync::OnceLock<Vec<(u64, u32)>>>,
}

/// Above this many features, the index is checked on a sample at open.
const LARGE: usize = 1_000_000;

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
            let (count, nodes) = (features_count as usize, node_size as usize);
            let size = rtree::index_size(count, nodes) as u64;
            let tree = match &file {
                ByteSource::Local(f) => PackedIndex::map(f, index_start, count, nodes),
                ByteSource::Virtual(_) => {
                    let mut buf = vec![0u8; size as usize];
                    file.read_exact_at(&mut buf, index_start)
                        .map_err(|e| err(format!("truncated spatial index: {e}")))?;
                    PackedIndex::loaded(buf, count, nodes)
                }
            }
            .map_err(err)?;
            // A large tree is checked on a sample: it is not paged in whole at start.
            tree.check(count > LARGE)
                .map_err(|m| err(format!("corrupt spatial index: {m}")))?;
            (Some(tree), size)
        } else {
            (None, 0)
        };
        let envelope = header.envelope().filter(|e| e.len() >= 4);
        let extent = match (&index, envelope) {
            (_, Some(e)) => BBox::new(e.get(0), e.get(1), e.get(2), e.get(3)),
            (Some(tree), None) => tree.extent(),
            (None, None) => return Err(err(no_index(path))),
        };
        if index.is_none() {
            return Err(err(no_index(path)));
        }
        let features_offset = index_start + index_size;
        // The last feature read whole: a truncated file is caught at open.
        let last_offset = index
            .as_ref()
            .and_then(|t| t.feature_offset(features_count.saturating_sub(1)));
        if let Some(last) = last_offset {
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
                        features_count.saturating_sub(1)
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

    /// [`FgbSource::query`] for a render job: only the features of one
    /// edition (`time`: its value and the column holding it), and a stop
    /// with `Cancelled` once the job is past its deadline. The first error
    /// `visit` returns stops the query and is its result.
    pub fn query_for_render(
        &self,
        bbox: &BBox,
        time: Option<(&str, usize)>,
        mut visit: impl FnMut(&FeatureView) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        let mut failure = None;
        let mut seen = 0u32;
        self.query(bbox, |f| {
            seen = seen.wrapping_add(1);
            if seen.is_multiple_of(512) && crate::pool::overrun() {
                failure = Some(SourceError::Cancelled);
                return false;
            }
            if let Some((value, col)) = time
                && f.property_at(col).to_text().as_deref() != Some(value)
            {
                return true;
            }
            visit(f).map_err(|e| failure = Some(e)).is_ok()
        })?;
        failure.map_or(Ok(()), Err)
    }

    /// Visits every feature whose bounding box intersects `bbox` (in the
    /// source CRS), in file order. `visit` returns false to stop early.
    pub fn query(&self, bbox: &BBox, mut visit: impl FnMut(&FeatureView) -> bool) -> Result<(), SourceError> {
        let Some(index) = &self.index else {
            return Ok(());
        };
        let hits = index.search(bbox);
        let mut buf = Vec::new();
        let mut i = 0;
        while i < hits.len() {
            // Gather a run of features close to each other in the file.
            let start = hits[i].1;
            let mut j = i + 1;
            while j < hits.len() {
                let off = hits[j].1;
                if off - hits[j - 1].1 > MAX_GAP || off - start > MAX_RUN {
                    break;
                }
                j += 1;
            }
            let last = hits[j - 1].1;
            // Read the run plus a margin for the last feature; grown if short.
            let mut len = (last - start) + 4096;
            buf.resize(len as usize, 0);
            let got = self.read_at(&mut buf, start)?;
            buf.truncate(got);
            for &(number, offset) in &hits[i..j] {
                let rel = (offset - start) as usize;
                let size = match buf.get(rel..rel + 4) {
                    Some(b) => u32::from_le_bytes(b.try_into().unwrap()) as u64,
                    None => return Err(self.corrupt(number)),
                };
                if size > MAX_FEATURE_SIZE {
                    return Err(self.corrupt(number));
                }
                let need = rel + 4 + size as usize;
                if need > buf.len() {
                    len = need as u64;
                    buf.resize(len as usize, 0);
                    let got = self.read_at(&mut buf, start)?;
                    if got < need {
                        return Err(self.corrupt(number));
                    }
                }
                let feature =
                    flatgeobuf::size_prefixed_root_as_feature(&buf[rel..need]).map_err(|_| self.corrupt(number))?;
                let view = FeatureView::new(feature, &self.columns, self.geometry_type, number);
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
        let offset = self.index.as_ref()?.feature_offset(n)?;
        Some(ScanPosition { offset, number: n })
    }

    /// The feature numbers (in file order) whose bounding box intersects
    /// `bbox`, from the packed R-tree.
    pub fn search(&self, bbox: &BBox) -> Result<Vec<u64>, SourceError> {
        let Some(index) = &self.index else {
            return Ok(Vec::new());
        };
        Ok(index.search(bbox).into_iter().map(|(n, _)| n).collect())
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
                let offset = self.position_of(n).ok_or_else(|| self.corrupt(n))?.offset;
                let rel = (offset - first) as usize;
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
