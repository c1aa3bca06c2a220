//! The tile index of a mosaic, and the overview pyramid built from it.
//!
//! `tuile index` lists the files of a delivery (directories, list files or
//! object-storage prefixes), reads the header of each new or changed one
//! (in parallel; an unchanged file, same size and time, is not opened
//! again), and writes one FlatGeobuf: a footprint per file with its path,
//! edition, resolution, CRS and state. It then builds the pyramid: for each
//! edition, levels eight times coarser each (the first 1 to 8 times,
//! depending on the tiles' size), in cells of 4096 pixels, each cell a JPEG
//! COG made from the cells (or tiles) of the level below; a cell is rebuilt
//! only when one of its inputs changed.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use gdal::Dataset;
use geozero::{ColumnValue, GeomProcessor, GeozeroGeometry, PropertyProcessor};
use rayon::prelude::*;

use super::{FgbSource, SourceError};
use crate::error::{Error, ErrorKind};
use crate::feature::Shape;
use crate::grid::{BBox, Crs, Identified, transform_bbox};

/// Pixels on a side of a pyramid cell.
const CELL: u32 = 4096;
/// Each pyramid level is this many times coarser than the one below.
const STEP: f64 = 8.0;
/// Where the pyramid lives, beside the index.
const PYRAMID_DIR: &str = "pyramid";

/// One line of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// As stored: relative to the index's directory, or absolute (`/vsi…`).
    pub path: String,
    pub edition: String,
    pub level: u32,
    /// Ground size of a pixel, in the index's CRS units.
    pub resolution: f64,
    pub epsg: u32,
    pub bands: u32,
    /// Transparency in a mask band (a JPEG-compressed COG's alpha).
    pub mask: bool,
    /// The 8-bit nodata value of each data band, comma-separated; empty: none.
    pub nodata: String,
    /// Seconds since 1970 and bytes: a file in another state is read again.
    pub modified: i64,
    pub size: u64,
    /// For a pyramid cell, a hash of the files it was made from.
    pub inputs: String,
    /// Footprint in the index's CRS.
    pub bbox: BBox,
}

const COLUMNS: [(&str, ColumnType); 11] = [
    ("path", ColumnType::String),
    ("edition", ColumnType::String),
    ("level", ColumnType::Int),
    ("resolution", ColumnType::Double),
    ("epsg", ColumnType::Int),
    ("bands", ColumnType::Int),
    ("mask", ColumnType::Bool),
    ("nodata", ColumnType::String),
    ("modified", ColumnType::Long),
    ("size", ColumnType::Long),
    ("inputs", ColumnType::String),
];

/// Reads an index: its CRS (as the file says, or `crs`), how that CRS was
/// settled, and its rows.
pub fn read(index: &Path, crs: Option<Crs>) -> Result<(Crs, Identified, Vec<Row>), SourceError> {
    let src = FgbSource::open_with_crs(index, crs)?;
    let col = |name: &str| {
        src.columns().iter().position(|c| c.name == name).ok_or_else(|| {
            SourceError::open(
                index,
                format!("not a tile index (no `{name}` column): build one with `tuile index`"),
            )
        })
    };
    let cols: Vec<usize> = COLUMNS.iter().map(|(n, _)| col(n)).collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    let mut shape = Shape::default();
    src.scan(Default::default(), |f, _| {
        let text = |i: usize| f.property_at(cols[i]).to_text().unwrap_or_default();
        let number = |i: usize| f.property_at(cols[i]).as_f64().unwrap_or(0.0);
        f.read_shape(&mut shape);
        if let Some(bbox) = shape.bbox() {
            rows.push(Row {
                path: text(0),
                edition: text(1),
                level: number(2) as u32,
                resolution: number(3),
                epsg: number(4) as u32,
                bands: number(5) as u32,
                mask: number(6) != 0.0,
                nodata: text(7),
                modified: number(8) as i64,
                size: number(9) as u64,
                inputs: text(10),
                bbox,
            });
        }
        true
    })?;
    Ok((src.meta().crs, src.meta().crs_origin, rows))
}

struct Rect(BBox);

impl GeozeroGeometry for Rect {
    fn process_geom<P: GeomProcessor>(&self, p: &mut P) -> geozero::error::Result<()> {
        let b = &self.0;
        let ring = [
            (b.minx, b.miny),
            (b.maxx, b.miny),
            (b.maxx, b.maxy),
            (b.minx, b.maxy),
            (b.minx, b.miny),
        ];
        p.polygon_begin(true, 1, 0)?;
        p.linestring_begin(false, ring.len(), 0)?;
        for (i, (x, y)) in ring.iter().enumerate() {
            p.xy(*x, *y, i)?;
        }
        p.linestring_end(false, 0)?;
        p.polygon_end(true, 0)
    }
}

/// Writes an index (to a temporary file, then renamed over the old one).
pub fn write(index: &Path, crs: Crs, rows: &[Row]) -> Result<(), String> {
    let mut fgb = FgbWriter::create_with_options(
        "tiles",
        GeometryType::Polygon,
        FgbWriterOptions {
            write_index: true,
            detect_type: false,
            promote_to_multi: false,
            crs: FgbCrs {
                org: Some("EPSG"),
                code: crs.epsg().unwrap_or(4326) as i32,
                ..Default::default()
            },
            title: Some("tuile tile index"),
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    for (name, ty) in COLUMNS {
        fgb.add_column(name, ty, |_, c| c.nullable = true);
    }
    for r in rows {
        fgb.add_feature_geom(Rect(r.bbox), |f| {
            let values = [
                ColumnValue::String(&r.path),
                ColumnValue::String(&r.edition),
                ColumnValue::Int(r.level as i32),
                ColumnValue::Double(r.resolution),
                ColumnValue::Int(r.epsg as i32),
                ColumnValue::Int(r.bands as i32),
                ColumnValue::Bool(r.mask),
                ColumnValue::String(&r.nodata),
                ColumnValue::Long(r.modified),
                ColumnValue::Long(r.size as i64),
                ColumnValue::String(&r.inputs),
            ];
            for (i, ((name, _), v)) in COLUMNS.iter().zip(&values).enumerate() {
                f.property(i, name, v).expect("writing a property to memory");
            }
        })
        .map_err(|e| e.to_string())?;
    }
    let tmp = index.with_extension("fgb.part");
    let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    fgb.write(std::io::BufWriter::with_capacity(1 << 20, file))
        .map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, index).map_err(|e| format!("{}: {e}", index.display()))
}

/// How an index run is asked for.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// The edition of every file listed; otherwise the last year (19xx or
    /// 20xx) in each file's path.
    pub edition: Option<String>,
    /// Threads reading headers; 0: one per core.
    pub threads: usize,
    /// Skip the overview pyramid.
    pub no_pyramid: bool,
}

/// What an index run reports as it goes.
pub enum IndexProgress {
    /// Files to read (their header): new or changed ones.
    Reading(usize),
    Read,
    /// Pyramid cells to build at a level.
    Building {
        level: u32,
        cells: usize,
    },
    Built,
    Problem(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexReport {
    pub files: usize,
    /// Headers read: files new or changed since the last run.
    pub read: usize,
    pub removed: usize,
    pub cells_built: usize,
    pub cells_kept: usize,
    pub problems: usize,
}

/// The raster files of the sources: files, directories (searched
/// recursively), list files (`.txt`/`.lst`, a path per line) and GDAL
/// virtual directories (`/vsis3/bucket/prefix/`).
pub fn list_files(sources: &[String], index_dir: &Path) -> Result<Vec<String>, String> {
    let is_raster = |p: &str| {
        let l = p.to_ascii_lowercase();
        l.ends_with(".tif") || l.ends_with(".tiff") || l.ends_with(".jp2")
    };
    let pyramid = index_dir.join(PYRAMID_DIR);
    let mut out = Vec::new();
    for s in sources {
        let path = Path::new(s);
        if s.starts_with("/vsi") {
            out.extend(vsi_read_dir_recursive(s)?.into_iter().filter(|p| is_raster(p)));
        } else if path.is_dir() {
            let mut stack = vec![path.to_path_buf()];
            while let Some(dir) = stack.pop() {
                if dir == pyramid {
                    continue;
                }
                let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                for e in entries.flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if is_raster(&p.to_string_lossy()) {
                        out.push(p.to_string_lossy().into_owned());
                    }
                }
            }
        } else if s.ends_with(".txt") || s.ends_with(".lst") {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{s}: {e}"))?;
            out.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from),
            );
        } else {
            out.push(s.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn vsi_read_dir_recursive(prefix: &str) -> Result<Vec<String>, String> {
    let c = CString::new(prefix).map_err(|_| "a NUL in the path".to_string())?;
    // SAFETY: a NUL-terminated path; the returned list is ours to free.
    unsafe {
        let list = gdal_sys::VSIReadDirRecursive(c.as_ptr());
        if list.is_null() {
            return Err(format!("{prefix}: cannot list it"));
        }
        let mut out = Vec::new();
        let mut i = 0;
        while !(*list.add(i)).is_null() {
            let name = CStr::from_ptr(*list.add(i)).to_string_lossy();
            out.push(format!("{}/{}", prefix.trim_end_matches('/'), name));
            i += 1;
        }
        gdal_sys::CSLDestroy(list);
        Ok(out)
    }
}

/// A file's state: seconds since 1970 and bytes.
fn stat(path: &str) -> Option<(i64, u64)> {
    if path.starts_with("/vsi") {
        let c = CString::new(path).ok()?;
        // SAFETY: VSIStatBufL is the C library's `struct stat64` (opaque in
        // the bindings); VSIStatL fills it, a non-zero return is a failure.
        unsafe {
            let mut st: libc::stat64 = std::mem::zeroed();
            let ok = gdal_sys::VSIStatL(c.as_ptr(), (&raw mut st).cast()) == 0;
            ok.then_some((st.st_mtime, st.st_size as u64))
        }
    } else {
        let m = std::fs::metadata(path).ok()?;
        let t = m.modified().ok().map_or(0, super::mosaic::unix_seconds);
        Some((t, m.len()))
    }
}

/// The last year (1900–2099) in a path, as the edition of a delivery such as
/// `BDORTHO_…_D034_2021-01-01/`.
fn year_in(path: &str) -> Option<String> {
    let b = path.as_bytes();
    (0..b.len().saturating_sub(3))
        .rev()
        .find(|&i| {
            let digits = b[i..i + 4].iter().all(u8::is_ascii_digit);
            let bounded = (i == 0 || !b[i - 1].is_ascii_digit()) && (i + 4 == b.len() || !b[i + 4].is_ascii_digit());
            digits && bounded && (b[i..i + 2] == *b"19" || b[i..i + 2] == *b"20")
        })
        .map(|i| path[i..i + 4].to_string())
}

/// What a file's header says, as a row of the index (in `crs`).
fn read_header(
    path: &str,
    stored: String,
    crs: Option<Crs>,
    edition: &str,
    state: (i64, u64),
) -> Result<(Row, Crs), String> {
    let ds = Dataset::open(path).map_err(|e| e.to_string())?;
    let gt = ds.geo_transform().map_err(|e| format!("no georeferencing ({e})"))?;
    if gt[2] != 0.0 || gt[4] != 0.0 {
        return Err("rotated rasters are not supported".into());
    }
    let srs = ds.spatial_ref().map_err(|_| "names no CRS".to_string())?;
    let (file_crs, _) = Crs::identify(&srs)?;
    let count = ds.raster_count();
    let band = ds.rasterband(1).map_err(|e| e.to_string())?;
    if band.band_type() != gdal::raster::GdalDataType::UInt8
        || band.color_table().is_some()
        || !(1..=4).contains(&count)
    {
        return Err(format!(
            "not 8-bit gray, RGB or RGBA ({count} bands of {:?}); convert it first, e.g. `gdal_translate -ot Byte -scale -of COG`",
            band.band_type()
        ));
    }
    let mask = super::raster::has_mask(&ds);
    let nodata: Vec<String> = (1..=count.min(3))
        .filter_map(|b| ds.rasterband(b).ok()?.no_data_value())
        .filter(|v| v.fract() == 0.0 && (0.0..=255.0).contains(v))
        .map(|v| (v as u8).to_string())
        .collect();
    let (w, h) = ds.raster_size();
    let (x0, y0) = (gt[0], gt[3]);
    let (x1, y1) = (x0 + gt[1] * w as f64, y0 + gt[5] * h as f64);
    let own = BBox::new(x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1));
    let target = crs.unwrap_or(file_crs);
    let bbox = transform_bbox(&own, file_crs, target).map_err(|e| e.to_string())?;
    let resolution = gt[1].abs() * bbox.width() / own.width();
    Ok((
        Row {
            path: stored,
            edition: edition.to_string(),
            level: 0,
            resolution,
            epsg: file_crs.epsg().unwrap_or(4326),
            bands: count as u32,
            mask,
            nodata: if nodata.len() == count.min(3) {
                nodata.join(",")
            } else {
                String::new()
            },
            modified: state.0,
            size: state.1,
            inputs: String::new(),
            bbox,
        },
        file_crs,
    ))
}

/// Builds or updates the index at `index` from `sources`, then its pyramid.
pub fn build(
    sources: &[String],
    index: &Path,
    options: &IndexOptions,
    progress: &(dyn Fn(IndexProgress) + Sync),
) -> Result<IndexReport, Error> {
    let bad = |m: String| Error::new(ErrorKind::BadRequest, m);
    let dir = index.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let (mut crs, old) = if index.exists() {
        let (c, _, rows) = read(index, None).map_err(|e| bad(e.to_string()))?;
        (Some(c), rows)
    } else {
        (None, Vec::new())
    };
    let stored = |p: &str| -> String {
        let abs = std::fs::canonicalize(p).ok();
        let base = std::fs::canonicalize(&dir).ok();
        match (abs, base) {
            (Some(a), Some(b)) => a.strip_prefix(&b).map_or_else(
                |_| a.to_string_lossy().into_owned(),
                |r| r.to_string_lossy().into_owned(),
            ),
            _ => p.to_string(),
        }
    };
    let files = list_files(sources, &dir).map_err(bad)?;
    if files.is_empty() {
        return Err(bad("no raster file (.tif, .tiff, .jp2) in the sources".into()));
    }
    let known: HashMap<&str, &Row> = old
        .iter()
        .filter(|r| r.level == 0)
        .map(|r| (r.path.as_str(), r))
        .collect();
    let mut report = IndexReport {
        files: files.len(),
        ..Default::default()
    };
    let mut tiles = Vec::new();
    let mut to_read = Vec::new();
    for f in &files {
        let key = stored(f);
        let state = stat(f);
        match (known.get(key.as_str()), state) {
            (Some(r), Some(s)) if (r.modified, r.size) == s => tiles.push((*r).clone()),
            (_, Some(s)) => to_read.push((f.clone(), key, s)),
            (_, None) => {
                report.problems += 1;
                progress(IndexProgress::Problem(format!("{f}: cannot read its size and time")));
            }
        }
    }
    report.removed = known.len().saturating_sub(
        tiles.len()
            + to_read
                .iter()
                .filter(|(_, k, _)| known.contains_key(k.as_str()))
                .count(),
    );
    progress(IndexProgress::Reading(to_read.len()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(crate::pool::worker_threads(options.threads))
        .build()
        .map_err(|e| Error::caused_by(ErrorKind::Internal, e))?;
    // The index's CRS: the existing one, else that of the first file read.
    if crs.is_none()
        && let Some((f, _, _)) = to_read.first()
        && let Ok(ds) = Dataset::open(f)
        && let Ok(srs) = ds.spatial_ref()
    {
        crs = Crs::identify(&srs).ok().map(|(c, _)| c);
    }
    let problems = AtomicUsize::new(0);
    let read: Vec<Row> = pool.install(|| {
        to_read
            .par_iter()
            .filter_map(|(f, key, state)| {
                let edition = options.edition.clone().or_else(|| year_in(key)).unwrap_or_default();
                let row = read_header(f, key.clone(), crs, &edition, *state);
                progress(IndexProgress::Read);
                match row {
                    Ok((r, _)) => Some(r),
                    Err(m) => {
                        problems.fetch_add(1, Ordering::Relaxed);
                        progress(IndexProgress::Problem(format!("{f}: {m}")));
                        None
                    }
                }
            })
            .collect()
    });
    report.read = read.len();
    report.problems += problems.into_inner();
    tiles.extend(read);
    tiles.sort_by(|a, b| a.path.cmp(&b.path));
    let crs = crs.ok_or_else(|| bad("no file could be read".into()))?;
    let mut rows = tiles.clone();
    if !options.no_pyramid {
        let old_cells: HashMap<&str, &Row> = old
            .iter()
            .filter(|r| r.level > 0)
            .map(|r| (r.path.as_str(), r))
            .collect();
        let (cells, built, kept) = pyramid(&dir, crs, &tiles, &old_cells, &pool, progress).map_err(bad)?;
        rows.extend(cells);
        report.cells_built = built;
        report.cells_kept = kept;
        // Cells no longer part of the pyramid.
        for (path, _) in old_cells {
            if !rows.iter().any(|r| r.path == path) {
                let _ = std::fs::remove_file(dir.join(path));
            }
        }
    }
    write(index, crs, &rows).map_err(bad)?;
    Ok(report)
}

/// Builds every level of every edition's pyramid; returns the cells, how
/// many were built and how many kept.
fn pyramid(
    dir: &Path,
    crs: Crs,
    tiles: &[Row],
    old: &HashMap<&str, &Row>,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(IndexProgress) + Sync),
) -> Result<(Vec<Row>, usize, usize), String> {
    let mut editions: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    for t in tiles {
        editions.entry(t.edition.as_str()).or_default().push(t.clone());
    }
    let (mut out, mut built, mut kept) = (Vec::new(), 0, 0);
    for (edition, base) in editions {
        let extent = base
            .iter()
            .map(|r| r.bbox)
            .reduce(|a, b| a.union(&b))
            .expect("an edition has tiles");
        let r0 = base.iter().map(|r| r.resolution).fold(f64::MAX, f64::min);
        let first = first_step(&base);
        let mut below = base;
        let mut level = 1;
        loop {
            let res = r0 * first * STEP.powi(level as i32 - 1);
            let size = res * CELL as f64;
            let (c0, c1) = ((extent.minx / size).floor() as i64, (extent.maxx / size).ceil() as i64);
            let (r0i, r1i) = ((extent.miny / size).floor() as i64, (extent.maxy / size).ceil() as i64);
            let mut jobs = Vec::new();
            for col in c0..c1 {
                for row in r0i..r1i {
                    let bbox = BBox::new(
                        col as f64 * size,
                        row as f64 * size,
                        (col + 1) as f64 * size,
                        (row + 1) as f64 * size,
                    );
                    let inputs: Vec<&Row> = below.iter().filter(|r| r.bbox.intersects(&bbox)).collect();
                    if inputs.is_empty() {
                        continue;
                    }
                    let hash = {
                        let mut keys: Vec<String> = inputs
                            .iter()
                            .map(|r| format!("{}|{}|{}", r.path, r.modified, r.size))
                            .collect();
                        keys.sort();
                        keys.push(CELL_FORMAT.to_string());
                        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(keys.join("\n").as_bytes()))
                    };
                    let path = format!("{PYRAMID_DIR}/{edition}/L{level}/{col}_{row}.tif");
                    jobs.push((path, bbox, inputs, hash));
                }
            }
            progress(IndexProgress::Building {
                level,
                cells: jobs.len(),
            });
            let results: Vec<Result<Option<Row>, String>> = pool.install(|| {
                jobs.par_iter()
                    .map(|(path, bbox, inputs, hash)| {
                        let file = dir.join(path);
                        if let Some(prev) = old.get(path.as_str())
                            && prev.inputs == *hash
                            && stat(&file.to_string_lossy()) == Some((prev.modified, prev.size))
                        {
                            progress(IndexProgress::Built);
                            return Ok(Some(Row {
                                inputs: hash.clone(),
                                ..(*prev).clone()
                            }));
                        }
                        let made = build_cell(dir, &file, crs, bbox, res, inputs)?;
                        progress(IndexProgress::Built);
                        Ok(made.map(|(bands, modified, size)| Row {
                            path: path.clone(),
                            edition: edition.to_string(),
                            level,
                            resolution: res,
                            epsg: crs.epsg().unwrap_or(4326),
                            bands,
                            mask: true,
                            nodata: String::new(),
                            modified,
                            size,
                            inputs: hash.clone(),
                            bbox: *bbox,
                        }))
                    })
                    .collect()
            });
            let mut cells = Vec::new();
            for r in results {
                if let Some(cell) = r? {
                    if old
                        .get(cell.path.as_str())
                        .is_some_and(|p| p.inputs == cell.inputs && p.modified == cell.modified)
                    {
                        kept += 1;
                    } else {
                        built += 1;
                    }
                    cells.push(cell);
                }
            }
            let done = cells.len() <= 1;
            out.extend(cells.iter().cloned());
            below = cells;
            if done || below.is_empty() {
                break;
            }
            level += 1;
        }
    }
    Ok((out, built, kept))
}

/// How much coarser the first pyramid level is than the delivered tiles:
/// [`STEP`] for real tiles (IGN's are 25,000 px), less for smaller ones,
/// so that a map just too fine for the first level still spans at most two
/// tiles across per 1024 px. Tiles under 1024 px get a first level at their
/// own resolution: the same pixels in fewer, larger files.
fn first_step(tiles: &[Row]) -> f64 {
    let mut px: Vec<f64> = tiles.iter().map(|r| r.bbox.width() / r.resolution).collect();
    px.sort_by(f64::total_cmp);
    let median = px.get(px.len() / 2).copied().unwrap_or(CELL as f64);
    let mut step = 1.0;
    while step < STEP && median / 512.0 >= step * 2.0 {
        step *= 2.0;
    }
    step
}

/// One pyramid cell: its inputs warped onto the cell's grid (average), as
/// a JPEG COG with its transparency in a mask; its colour bands, time and
/// size, or `None` when nothing of the inputs falls in it.
/// Part of each cell's inputs hash: bumped when cells are made differently,
/// so that a pyramid built by an older tuile is rebuilt by the next index run.
const CELL_FORMAT: &str = "cell-v2: JPEG COG, AVERAGE overviews";

fn build_cell(
    dir: &Path,
    file: &Path,
    crs: Crs,
    bbox: &BBox,
    res: f64,
    inputs: &[&Row],
) -> Result<Option<(u32, i64, u64)>, String> {
    let sources: Vec<Dataset> = inputs
        .iter()
        .map(|r| {
            let p = if r.path.starts_with('/') {
                PathBuf::from(&r.path)
            } else {
                dir.join(&r.path)
            };
            Dataset::open(&p).map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect::<Result<_, _>>()?;
    let args: Vec<String> = ["-of", "MEM", "-q", "-r", "average", "-dstalpha", "-t_srs"]
        .iter()
        .map(|s| s.to_string())
        .chain([crs.gdal_definition(), "-te".into()])
        .chain([bbox.minx, bbox.miny, bbox.maxx, bbox.maxy].map(|v| format!("{v:.6}")))
        .chain(["-tr".into(), format!("{res}"), format!("{res}")])
        .collect();
    let mem = super::raster::warp_many(&sources, &args)?;
    // A cell the inputs leave transparent is not written.
    let bands = mem.raster_count();
    let alpha = mem.rasterband(bands).map_err(|e| e.to_string())?;
    let stats = alpha.compute_raster_min_max(false).map_err(|e| e.to_string())?;
    if stats.max == 0.0 {
        return Ok(None);
    }
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let cog = gdal::DriverManager::get_driver_by_name("COG").map_err(|e| e.to_string())?;
    // AVERAGE overviews: the colour and mask overviews then keep the same
    // edges (with the default, the mask runs a pixel past the colours at 1:4
    // and draws a dark line along every edge of an edition).
    let options = gdal::raster::RasterCreationOptions::from_iter([
        "COMPRESS=JPEG",
        "QUALITY=85",
        "OVERVIEWS=AUTO",
        "OVERVIEW_RESAMPLING=AVERAGE",
    ]);
    let tmp = file.with_extension("tif.part");
    mem.create_copy(&cog, &tmp, &options)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    std::fs::rename(&tmp, file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(stat(&file.to_string_lossy()).map(|(t, n)| ((bands - 1) as u32, t, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_are_read_from_paths() {
        assert_eq!(
            year_in("BDORTHO_2-0_RVB-0M20_JP2-E080_LAMB93_D034_2021-01-01/x/34-2021-0770-6280.jp2").as_deref(),
            Some("2021")
        );
        assert_eq!(year_in("ortho/2024/tile_0770_6280.tif").as_deref(), Some("2024"));
        assert_eq!(year_in("tile_0770_6280.tif"), None);
        assert_eq!(year_in("x12024y.tif"), None);
    }
}
