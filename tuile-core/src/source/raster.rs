//! Raster sources read through GDAL: a COG or a VRT (one [`RasterFile`]),
//! or a mosaic of thousands of files behind a tile index ([`super::mosaic`]).
//!
//! GDAL datasets are not `Sync`: handles are borrowed from a pool shared by
//! the render threads ([`super::datasets`]), so that no request reopens a
//! file (the classic slowdown). Maps in another CRS go through GDAL's warper, the code behind `gdalwarp`, which
//! picks the best overview and reprojects in one pass; maps in the source's
//! own CRS are a resampled RasterIO read, as `gdal_translate` does.

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::ptr::null_mut;

use gdal::{Dataset, Metadata};
use gdal_sys::{CPLErr, GDALDataType, GDALRWFlag};

use super::{SourceError, SourceMeta, SourceVersion};
use crate::grid::{BBox, Crs};

/// Resampling kernels, named as `gdalwarp -r` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resampling {
    Nearest,
    #[default]
    Bilinear,
    Cubic,
    Lanczos,
    Average,
}

impl Resampling {
    pub fn gdal_name(&self) -> &'static str {
        match self {
            Resampling::Nearest => "near",
            Resampling::Bilinear => "bilinear",
            Resampling::Cubic => "cubic",
            Resampling::Lanczos => "lanczos",
            Resampling::Average => "average",
        }
    }

    fn rasterio(&self) -> gdal_sys::GDALRIOResampleAlg::Type {
        use gdal_sys::GDALRIOResampleAlg as R;
        match self {
            Resampling::Nearest => R::GRIORA_NearestNeighbour,
            Resampling::Bilinear => R::GRIORA_Bilinear,
            Resampling::Cubic => R::GRIORA_Cubic,
            Resampling::Lanczos => R::GRIORA_Lanczos,
            Resampling::Average => R::GRIORA_Average,
        }
    }
}

/// Non-premultiplied RGBA pixels, row by row.
#[derive(Debug)]
pub struct RgbaImage {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// What a raster layer reads: one file, or a mosaic behind a tile index.
pub struct RasterSource {
    meta: SourceMeta,
    /// Ground size of a full-resolution pixel, in CRS units.
    resolution: f64,
    inner: Inner,
}

enum Inner {
    File(RasterFile),
    Mosaic(super::mosaic::Mosaic),
}

/// One raster file as tuile reads it: 8-bit gray, RGB or RGBA.
pub struct RasterFile {
    /// The file itself, for messages.
    pub path: PathBuf,
    /// What GDAL opens: the file, or an in-memory VRT over it that makes it
    /// 8-bit gray, RGB or RGBA (see [`Normalised`]).
    open_path: PathBuf,
    version: SourceVersion,
    crs: Crs,
    band_count: usize,
    has_alpha: bool,
    /// Transparency held as a mask band beside the colour bands, as GDAL
    /// writes RGBA into a JPEG-compressed COG.
    mask: bool,
    /// Per data band, the value that means "no data": a pixel whose every
    /// band holds it is transparent (as `gdalwarp` reads nodata).
    nodata: Option<Vec<u8>>,
}

/// How an odd raster is read as 8-bit gray, RGB or RGBA: a paletted one
/// expanded, extra bands (infrared) left aside, 16-bit or float values
/// stretched from their minimum to maximum (their nodata turned into
/// alpha), a configured CRS assigned. Done once, by `gdal_translate` into a VRT in
/// GDAL's in-memory file system; plain 8-bit files are read as they are.
struct Normalised {
    args: Vec<String>,
    bands: usize,
    alpha: bool,
}

impl Normalised {
    fn plan(ds: &Dataset, path: &Path, crs: Option<Crs>) -> Result<Option<Normalised>, SourceError> {
        let err = |m: String| SourceError::open(path, m);
        let count = ds.raster_count();
        let band = |i: usize| ds.rasterband(i).map_err(|e| err(e.to_string()));
        let first = band(1)?;
        let last = band(count)?;
        let last_is_alpha = count > 1 && last.color_interpretation() == gdal::raster::ColorInterpretation::AlphaBand;
        let byte = first.band_type() == gdal::raster::GdalDataType::UInt8;
        let paletted = count == 1 && first.color_table().is_some();
        // 8-bit nodata is applied when reading (see `RasterSource::nodata`).
        let masked = !byte
            && !last_is_alpha
            && (first.no_data_value().is_some()
                || first
                    .mask_flags()
                    .is_ok_and(|f| f.is_per_dataset() && !f.is_all_valid()));
        let data_bands: Vec<usize> = match (count, last_is_alpha) {
            (1 | 2, _) => vec![1],
            (3, _) | (4, true) => vec![1, 2, 3],
            // RGBI (infrared fourth) and more: the first three, as RGB.
            _ => vec![1, 2, 3],
        };
        let plain = byte && !paletted && crs.is_none() && matches!((count, last_is_alpha), (1 | 3, _) | (2 | 4, true));
        if plain {
            return Ok(None);
        }
        let mut args: Vec<String> = vec!["-of".into(), "VRT".into()];
        if let Some(c) = crs {
            args.extend(["-a_srs".into(), c.gdal_definition()]);
        }
        if paletted {
            args.extend(["-expand".into(), "rgba".into()]);
            return Ok(Some(Normalised {
                args,
                bands: 4,
                alpha: true,
            }));
        }
        for b in &data_bands {
            args.extend(["-b".into(), b.to_string()]);
        }
        if !byte {
            let (mut lo, mut hi) = (f64::MAX, f64::MIN);
            for &b in &data_bands {
                let m = band(b)?
                    .compute_raster_min_max(true)
                    .map_err(|e| err(format!("cannot read its value range: {e}")))?;
                (lo, hi) = (lo.min(m.min), hi.max(m.max));
            }
            if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
                hi = lo + 1.0;
            }
            args.extend(["-ot".into(), "Byte".into()]);
            for (i, _) in data_bands.iter().enumerate() {
                args.extend([
                    format!("-scale_{}", i + 1),
                    lo.to_string(),
                    hi.to_string(),
                    "0".into(),
                    "255".into(),
                ]);
            }
        }
        let alpha = last_is_alpha || masked;
        if last_is_alpha {
            args.extend(["-b".into(), count.to_string()]);
        } else if masked {
            args.extend(["-b".into(), "mask".into()]);
        }
        let bands = data_bands.len() + alpha as usize;
        if alpha {
            args.extend([format!("-colorinterp_{bands}"), "alpha".into()]);
        }
        Ok(Some(Normalised { args, bands, alpha }))
    }

    /// Writes the VRT where every render thread can open it.
    fn write(&self, ds: &Dataset, path: &Path) -> Result<PathBuf, SourceError> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let vrt = PathBuf::from(format!(
            "/vsimem/tuile/{}-{}.vrt",
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let out = gdal_translate(ds, &vrt, &self.args).map_err(|m| SourceError::open(path, m))?;
        // SAFETY: `out` is the dataset GDALTranslate returned, closed once (which writes the VRT).
        unsafe { gdal_sys::GDALClose(out) };
        Ok(vrt)
    }
}

impl Drop for RasterFile {
    fn drop(&mut self) {
        if self.open_path != self.path
            && let Ok(p) = CString::new(self.open_path.to_string_lossy().as_bytes())
        {
            // SAFETY: a NUL-terminated path; unlinking a missing file is harmless.
            unsafe { gdal_sys::VSIUnlink(p.as_ptr()) };
        }
    }
}

impl RasterSource {
    /// Opens a raster file; `crs`, when given, overrides the one the file says.
    pub fn open(path: &Path, crs: Option<Crs>) -> Result<RasterSource, SourceError> {
        let ds = Dataset::open(path).map_err(|e| SourceError::open(path, e))?;
        let (w, h) = ds.raster_size();
        let gt = ds
            .geo_transform()
            .map_err(|e| SourceError::open(path, format!("no georeferencing ({e})")))?;
        if gt[2] != 0.0 || gt[4] != 0.0 {
            return Err(SourceError::open(path, "rotated rasters are not supported"));
        }
        let identified = match crs {
            Some(c) => (c, crate::grid::Identified::Configured),
            None => {
                let srs = ds.spatial_ref().map_err(|_| {
                    SourceError::open(path, "the file names no CRS; set `crs = \"EPSG:…\"` on the source")
                })?;
                Crs::identify(&srs).map_err(|m| SourceError::open(path, m))?
            }
        };
        let plan = Normalised::plan(&ds, path, crs)?;
        let (open_path, band_count, has_alpha) = match &plan {
            None => {
                let n = ds.raster_count();
                (path.to_path_buf(), n, n == 2 || n == 4)
            }
            Some(p) => (p.write(&ds, path)?, p.bands, p.alpha),
        };
        let nodata = if has_alpha { None } else { byte_nodata(&ds, band_count) };
        let mask = plan.is_none() && !has_alpha && nodata.is_none() && has_mask(&ds);
        let (x0, y0) = (gt[0], gt[3]);
        let (x1, y1) = (x0 + gt[1] * w as f64, y0 + gt[5] * h as f64);
        let extent = BBox::new(x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1));
        // Touch the first block so that a corrupt file fails here, not mid-request.
        ds.rasterband(1)
            .and_then(|b| b.read_as::<u8>((0, 0), (1, 1), (1, 1), None))
            .map_err(|e| SourceError::open(path, e))?;
        let meta =
            SourceMeta::new(path, identified, extent, file_list(&ds, path)).map_err(|e| SourceError::open(path, e))?;
        let file = RasterFile {
            path: path.to_path_buf(),
            open_path,
            version: meta.version,
            crs: meta.crs,
            band_count,
            has_alpha,
            mask,
            nodata,
        };
        Ok(RasterSource {
            meta,
            resolution: gt[1].abs(),
            inner: Inner::File(file),
        })
    }

    /// Opens a mosaic from its tile index (written by `tuile index`): no
    /// image file is opened until a request needs it.
    pub fn open_mosaic(index: &Path, crs: Option<Crs>) -> Result<RasterSource, SourceError> {
        let mosaic = super::mosaic::Mosaic::open(index, crs)?;
        Ok(RasterSource {
            meta: mosaic.meta().clone(),
            resolution: mosaic.resolution(),
            inner: Inner::Mosaic(mosaic),
        })
    }

    pub fn meta(&self) -> &SourceMeta {
        &self.meta
    }

    /// Ground size of a full-resolution pixel, in CRS units.
    pub fn resolution(&self) -> f64 {
        self.resolution
    }

    /// Bands as read (gray, gray + alpha, RGB or RGBA).
    pub fn band_count(&self) -> usize {
        match &self.inner {
            Inner::File(f) => f.band_count,
            Inner::Mosaic(m) => m.entries().first().map_or(3, |e| e.file.band_count),
        }
    }

    /// The mosaic behind the source, if it is one.
    pub fn mosaic(&self) -> Option<&super::mosaic::Mosaic> {
        match &self.inner {
            Inner::File(_) => None,
            Inner::Mosaic(m) => Some(m),
        }
    }

    /// The editions a mosaic holds, ascending; none for a single file.
    pub fn editions(&self) -> Vec<String> {
        match &self.inner {
            Inner::File(_) => Vec::new(),
            Inner::Mosaic(m) => m.editions(),
        }
    }

    /// The band values of the full-resolution pixel at (x, y), in the
    /// source CRS, for the view of `edition` (see [`RasterSource::warp`]);
    /// `None` outside the data.
    pub fn sample(&self, x: f64, y: f64, edition: Option<&str>) -> Result<Option<Vec<f64>>, SourceError> {
        match &self.inner {
            Inner::File(f) => f.sample(x, y),
            Inner::Mosaic(m) => m.sample(x, y, edition),
        }
    }

    /// Warps the source onto a `width` × `height` grid covering `bbox` (x/y
    /// order) in `crs`, as `gdalwarp -t_srs crs -te bbox -ts width height -r
    /// resampling -dstalpha` would. Pixels outside the data are transparent.
    /// A mosaic draws the view of `edition`: that edition where it covers,
    /// the latest before it elsewhere (all editions without one).
    pub fn warp(
        &self,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        resampling: Resampling,
        edition: Option<&str>,
    ) -> Result<RgbaImage, SourceError> {
        match &self.inner {
            Inner::File(f) => f.warp(crs, bbox, width, height, resampling),
            Inner::Mosaic(m) => m.warp(crs, bbox, width, height, resampling, edition),
        }
    }
}

impl RasterFile {
    /// A plain 8-bit file known from a tile index, opened only when read.
    pub fn indexed(
        path: PathBuf,
        version: SourceVersion,
        crs: Crs,
        band_count: usize,
        mask: bool,
        nodata: Option<Vec<u8>>,
    ) -> RasterFile {
        let has_alpha = band_count == 2 || band_count == 4;
        RasterFile {
            open_path: path.clone(),
            path,
            version,
            crs,
            band_count,
            has_alpha,
            mask: mask && !has_alpha,
            nodata,
        }
    }

    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// Whether every pixel is drawn (no alpha, mask or nodata).
    pub fn is_opaque(&self) -> bool {
        !self.has_alpha && !self.mask && self.nodata.is_none()
    }

    /// Runs `f` with a handle on the file, borrowed from the shared pool.
    fn with_dataset<R>(&self, f: impl FnOnce(&Dataset) -> R) -> Result<R, SourceError> {
        super::datasets::with(&self.open_path, self.version, f).map_err(|e| SourceError::open(&self.path, e))
    }

    /// The band values of the full-resolution pixel at (x, y), in the
    /// file's CRS; `None` outside the raster.
    pub fn sample(&self, x: f64, y: f64) -> Result<Option<Vec<f64>>, SourceError> {
        self.with_dataset(|ds| -> Result<Option<Vec<f64>>, SourceError> {
            let gt = ds.geo_transform().map_err(|e| SourceError::read(&self.path, e))?;
            let (w, h) = ds.raster_size();
            let col = ((x - gt[0]) / gt[1]).floor();
            let row = ((y - gt[3]) / gt[5]).floor();
            if col < 0.0 || row < 0.0 || col >= w as f64 || row >= h as f64 {
                return Ok(None);
            }
            let mut values = Vec::with_capacity(self.band_count);
            for b in 1..=self.band_count {
                let band = ds.rasterband(b).map_err(|e| SourceError::read(&self.path, e))?;
                let buf = band
                    .read_as::<f64>((col as isize, row as isize), (1, 1), (1, 1), None)
                    .map_err(|e| SourceError::read(&self.path, e))?;
                values.push(buf.data()[0]);
            }
            Ok(Some(values))
        })?
    }

    /// Warps the file onto a `width` × `height` grid covering `bbox` in
    /// `crs` (see [`RasterSource::warp`]).
    pub fn warp(
        &self,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        resampling: Resampling,
    ) -> Result<RgbaImage, SourceError> {
        // In the file's own CRS, inside its extent, a resampled read is
        // the same grid without the warper's per-pixel transform: about 2.4x
        // faster for an orthophoto map (profiled on bench scenario S2).
        if crs == self.crs {
            let read = self.with_dataset(|ds| self.read_window(ds, bbox, width, height, resampling))?;
            if let Some(image) = read {
                return image.map_err(|msg| SourceError::read(&self.path, msg));
            }
        }
        if resampling == Resampling::Bilinear
            && matches!(self.band_count, 1 | 3)
            && !self.has_alpha
            && !self.mask
            && self.nodata.is_none()
        {
            let fast = self.with_dataset(|ds| {
                let input = super::warp::Input {
                    ds,
                    path: &self.path,
                    crs: self.crs,
                    bands: self.band_count,
                };
                super::warp::bilinear(&input, crs, bbox, width, height)
            })?;
            if let Some(image) = fast {
                return image.map_err(|msg| SourceError::read(&self.path, msg));
            }
        }
        let mut args = warp_args(crs, bbox, width, height, resampling);
        args.extend(["-wm".into(), "64".into()]);
        if !self.has_alpha {
            args.push("-dstalpha".into());
        }
        let out = self.with_dataset(|ds| gdal_warp(ds, &args))??;
        take_rgba(out, width, height, self.band_count).map_err(|msg| SourceError::read(&self.path, msg))
    }
}

impl RasterFile {
    /// A resampled read of `bbox` (in the source CRS) through RasterIO, which
    /// picks the overview as the warper does. Output pixels whose centres
    /// fall outside the raster stay transparent, as the warper leaves them.
    /// `None` for a raster that is not north-up.
    fn read_window(
        &self,
        ds: &Dataset,
        bbox: &BBox,
        width: u32,
        height: u32,
        resampling: Resampling,
    ) -> Option<Result<RgbaImage, String>> {
        let gt = ds.geo_transform().ok()?;
        if gt[1] <= 0.0 || gt[5] >= 0.0 {
            return None;
        }
        let (w, h) = ds.raster_size();
        let (rx, ry) = (bbox.width() / width as f64, bbox.height() / height as f64);
        // The raster's edges, in output pixels.
        let left = (gt[0] - bbox.minx) / rx;
        let right = (gt[0] + gt[1] * w as f64 - bbox.minx) / rx;
        let top = (bbox.maxy - gt[3]) / ry;
        let bottom = (bbox.maxy - (gt[3] + gt[5] * h as f64)) / ry;
        // Output columns and rows whose centres are inside the raster.
        let c0 = (left - 0.5).ceil().max(0.0) as i64;
        let c1 = ((right - 0.5).floor() as i64).min(width as i64 - 1);
        let r0 = (top - 0.5).ceil().max(0.0) as i64;
        let r1 = ((bottom - 0.5).floor() as i64).min(height as i64 - 1);
        let mut data = vec![0u8; width as usize * height as usize * 4];
        if c0 > c1 || r0 > r1 {
            return Some(Ok(RgbaImage { width, height, data }));
        }
        let (bw, bh) = ((c1 - c0 + 1) as usize, (r1 - r0 + 1) as usize);
        // The source window of those pixels, clamped by at most half a pixel.
        let x = ((bbox.minx + c0 as f64 * rx - gt[0]) / gt[1]).clamp(0.0, w as f64);
        let y = ((bbox.maxy - r0 as f64 * ry - gt[3]) / gt[5]).clamp(0.0, h as f64);
        let xs = (bw as f64 * rx / gt[1]).min(w as f64 - x);
        let ys = (bh as f64 * ry / -gt[5]).min(h as f64 - y);
        if xs <= 0.0 || ys <= 0.0 {
            return Some(Ok(RgbaImage { width, height, data }));
        }
        let (x0, y0) = (x.floor() as i32, y.floor() as i32);
        let x1 = ((x + xs).ceil() as i32).min(w as i32).max(x0 + 1);
        let y1 = ((y + ys).ceil() as i32).min(h as i32).max(y0 + 1);
        let mut bands: Vec<i32> = match (self.band_count, self.has_alpha) {
            (1, _) => vec![1, 1, 1],
            (2, true) => vec![1, 1, 1, 2],
            (_, true) => vec![1, 2, 3, 4],
            _ => vec![1, 2, 3],
        };
        if !self.has_alpha {
            for r in r0 as usize..=r1 as usize {
                for c in c0 as usize..=c1 as usize {
                    data[(r * width as usize + c) * 4 + 3] = 255;
                }
            }
        }
        let mut extra = gdal_sys::GDALRasterIOExtraArg {
            nVersion: 1,
            eResampleAlg: resampling.rasterio(),
            pfnProgress: Some(continue_unless_overrun),
            pProgressData: null_mut(),
            bFloatingPointWindowValidity: 1,
            dfXOff: x,
            dfYOff: y,
            dfXSize: xs,
            dfYSize: ys,
        };
        let offset = (r0 as usize * width as usize + c0 as usize) * 4;
        // One band into byte `slot` of each 4-byte pixel of the block.
        let read_band = |band: gdal_sys::GDALRasterBandH,
                         slot: usize,
                         data: &mut [u8],
                         extra: &mut gdal_sys::GDALRasterIOExtraArg| {
            // SAFETY: the bw x bh block written from `offset + slot`, with
            // 4-byte pixels and 4*width-byte lines, ends inside the
            // width*height*4 buffer (c1 < width, r1 < height, slot < 4); the
            // source window is inside the raster.
            unsafe {
                gdal_sys::GDALRasterIOEx(
                    band,
                    GDALRWFlag::GF_Read,
                    x0,
                    y0,
                    x1 - x0,
                    y1 - y0,
                    data.as_mut_ptr().add(offset + slot).cast(),
                    bw as i32,
                    bh as i32,
                    GDALDataType::GDT_Byte,
                    4,
                    4 * width as i64,
                    extra,
                )
            }
        };
        let mut rc = if self.nodata.is_some() {
            // Band by band, as gdal_translate reads: the resampling then
            // leaves each band's nodata out of its kernel (the dataset-wide
            // read averages it in).
            let mut rc = CPLErr::CE_None;
            for (slot, &b) in bands.iter().enumerate() {
                // SAFETY: the band exists (b <= band count).
                let band = unsafe { gdal_sys::GDALGetRasterBand(ds.c_dataset(), b) };
                rc = read_band(band, slot, &mut data, &mut extra);
                if rc != CPLErr::CE_None {
                    break;
                }
            }
            rc
        } else {
            // SAFETY: the bw x bh block written from `offset`, with 4-byte pixels
            // and 4*width-byte lines, ends inside the width*height*4 buffer
            // (c1 < width, r1 < height); bands.len() <= 4 bytes of each pixel;
            // the source window is inside the raster.
            unsafe {
                gdal_sys::GDALDatasetRasterIOEx(
                    ds.c_dataset(),
                    GDALRWFlag::GF_Read,
                    x0,
                    y0,
                    x1 - x0,
                    y1 - y0,
                    data.as_mut_ptr().add(offset).cast(),
                    bw as i32,
                    bh as i32,
                    GDALDataType::GDT_Byte,
                    bands.len() as i32,
                    bands.as_mut_ptr(),
                    4,
                    4 * width as i64,
                    1,
                    &mut extra,
                )
            }
        };
        if rc == CPLErr::CE_None && self.mask {
            // SAFETY: every band has a mask band; it goes into the alpha byte.
            let band = unsafe { gdal_sys::GDALGetMaskBand(gdal_sys::GDALGetRasterBand(ds.c_dataset(), 1)) };
            rc = read_band(band, 3, &mut data, &mut extra);
        }
        if rc != CPLErr::CE_None {
            return Some(Err(last_gdal_error()));
        }
        if let Some(nodata) = &self.nodata {
            for r in r0 as usize..=r1 as usize {
                let row = &mut data[(r * width as usize + c0 as usize) * 4..(r * width as usize + c1 as usize + 1) * 4];
                for px in row.chunks_exact_mut(4) {
                    let hit = match nodata.as_slice() {
                        [v] => px[0] == *v,
                        v => px[..3] == v[..3],
                    };
                    if hit {
                        px[3] = 0;
                    }
                }
            }
        }
        Some(Ok(RgbaImage { width, height, data }))
    }
}

/// The 8-bit nodata value of each data band (1 for gray, 3 for colour),
/// when every one has one.
fn byte_nodata(ds: &Dataset, bands: usize) -> Option<Vec<u8>> {
    let data_bands = if bands >= 3 { 3 } else { 1 };
    (1..=data_bands)
        .map(|b| {
            let v = ds.rasterband(b).ok()?.no_data_value()?;
            (v.fract() == 0.0 && (0.0..=255.0).contains(&v)).then_some(v as u8)
        })
        .collect()
}

/// Whether a file keeps its transparency in a mask band (not alpha, not nodata).
pub(crate) fn has_mask(ds: &Dataset) -> bool {
    ds.rasterband(1)
        .and_then(|b| b.mask_flags())
        .is_ok_and(|f| f.is_per_dataset() && !f.is_all_valid() && !f.is_alpha() && !f.is_nodata())
}

/// The files GDAL reads for a dataset: for a VRT, the VRT and its sources.
fn file_list(ds: &Dataset, path: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    // SAFETY: GDALGetFileList returns a NULL-terminated list we own and free.
    unsafe {
        let list = gdal_sys::GDALGetFileList(ds.c_dataset());
        if !list.is_null() {
            let mut i = 0;
            while !(*list.add(i)).is_null() {
                files.push(PathBuf::from(
                    CStr::from_ptr(*list.add(i)).to_string_lossy().into_owned(),
                ));
                i += 1;
            }
            gdal_sys::CSLDestroy(list);
        }
    }
    if files.is_empty() {
        files.push(path.to_path_buf());
    }
    files
}

pub(crate) fn last_gdal_error() -> String {
    // SAFETY: CPLGetLastErrorMsg returns a valid C string owned by GDAL.
    unsafe { CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) }
        .to_string_lossy()
        .into_owned()
}

/// GDAL's progress callback: 0 (stop) once the job is past its deadline.
unsafe extern "C" fn continue_unless_overrun(
    _complete: f64,
    _message: *const c_char,
    _data: *mut std::ffi::c_void,
) -> std::ffi::c_int {
    (!crate::pool::overrun()) as std::ffi::c_int
}

/// Calls `GDALTranslate` (the library form of `gdal_translate`) into `dest`.
fn gdal_translate(ds: &Dataset, dest: &Path, args: &[String]) -> Result<gdal_sys::GDALDatasetH, String> {
    let cargs: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_str()).map_err(|_| "a NUL in translate arguments".to_string()))
        .collect::<Result<_, _>>()?;
    let mut argv: Vec<*mut c_char> = cargs.iter().map(|a| a.as_ptr() as *mut c_char).collect();
    argv.push(null_mut());
    let dest = CString::new(dest.to_string_lossy().as_bytes()).map_err(|_| "a NUL in the path".to_string())?;
    // SAFETY: argv is NULL-terminated and outlives the call; the options are
    // freed once; the source handle is valid while `ds` is borrowed.
    unsafe {
        let opts = gdal_sys::GDALTranslateOptionsNew(argv.as_mut_ptr(), null_mut());
        if opts.is_null() {
            return Err(format!("bad translate options: {}", last_gdal_error()));
        }
        let mut usage_error = 0;
        let out = gdal_sys::GDALTranslate(dest.as_ptr(), ds.c_dataset(), opts, &mut usage_error);
        gdal_sys::GDALTranslateOptionsFree(opts);
        if out.is_null() {
            return Err(format!("cannot read it as 8-bit imagery: {}", last_gdal_error()));
        }
        Ok(out)
    }
}

/// `gdalwarp` arguments for an in-memory `width` × `height` grid over `bbox` in `crs`.
pub(super) fn warp_args(crs: Crs, bbox: &BBox, width: u32, height: u32, resampling: Resampling) -> Vec<String> {
    vec![
        "-of".into(),
        "MEM".into(),
        "-q".into(),
        "-t_srs".into(),
        crs.gdal_definition(),
        "-te".into(),
        format!("{:.17e}", bbox.minx),
        format!("{:.17e}", bbox.miny),
        format!("{:.17e}", bbox.maxx),
        format!("{:.17e}", bbox.maxy),
        "-ts".into(),
        width.to_string(),
        height.to_string(),
        "-r".into(),
        resampling.gdal_name().into(),
    ]
}

/// Calls `GDALWarp` (the library form of `gdalwarp`) on one source dataset.
fn gdal_warp(ds: &Dataset, args: &[String]) -> Result<gdal_sys::GDALDatasetH, SourceError> {
    warp_handles(&[ds.c_dataset()], args).map_err(|e| match e {
        None => SourceError::Cancelled,
        Some(msg) => SourceError::Read {
            path: PathBuf::from(ds.description().unwrap_or_default()),
            msg,
        },
    })
}

/// Warps several datasets into one, as `gdalwarp a.tif b.tif … out` does
/// (the pyramid builder's call).
pub(crate) fn warp_many(sources: &[Dataset], args: &[String]) -> Result<Dataset, String> {
    let handles: Vec<gdal_sys::GDALDatasetH> = sources.iter().map(|d| d.c_dataset()).collect();
    let out = warp_handles(&handles, args).map_err(|e| e.unwrap_or_else(|| "cancelled".into()))?;
    // SAFETY: GDALWarp returned a new dataset that nothing else owns.
    Ok(unsafe { Dataset::from_c_dataset(out) })
}

/// GDALWarp over `sources`; `Err(None)` when the job's deadline stopped it.
pub(super) fn warp_handles(
    sources: &[gdal_sys::GDALDatasetH],
    args: &[String],
) -> Result<gdal_sys::GDALDatasetH, Option<String>> {
    let cargs: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_str()).expect("warp arguments hold no NUL"))
        .collect();
    let mut argv: Vec<*mut c_char> = cargs.iter().map(|a| a.as_ptr() as *mut c_char).collect();
    argv.push(null_mut());
    let mut src = sources.to_vec();
    // SAFETY: argv is NULL-terminated and outlives the call; the options are
    // freed once; the source handles are valid while their datasets are borrowed.
    unsafe {
        let opts = gdal_sys::GDALWarpAppOptionsNew(argv.as_mut_ptr(), null_mut());
        if opts.is_null() {
            return Err(Some(format!("bad warp options: {}", last_gdal_error())));
        }
        // GDAL asks after each chunk whether to go on: not past the job's deadline.
        gdal_sys::GDALWarpAppOptionsSetProgress(opts, Some(continue_unless_overrun), null_mut());
        let mut usage_error = 0;
        let out = gdal_sys::GDALWarp(
            c"".as_ptr(),
            null_mut(),
            src.len() as i32,
            src.as_mut_ptr(),
            opts,
            &mut usage_error,
        );
        gdal_sys::GDALWarpAppOptionsFree(opts);
        if out.is_null() {
            if crate::pool::overrun() {
                return Err(None);
            }
            return Err(Some(format!("warp failed: {}", last_gdal_error())));
        }
        Ok(out)
    }
}

/// Reads the MEM dataset GDALWarp returned (gray+alpha, RGB+alpha or RGBA)
/// as RGBA, and closes it.
pub(super) fn take_rgba(
    ds: gdal_sys::GDALDatasetH,
    width: u32,
    height: u32,
    source_bands: usize,
) -> Result<RgbaImage, String> {
    let mut data = vec![0u8; width as usize * height as usize * 4];
    // Band map onto R, G, B, A: gray sources (with their alpha, or the
    // warper's) repeat band 1.
    let bands: [i32; 4] = if source_bands <= 2 { [1, 1, 1, 2] } else { [1, 2, 3, 4] };
    // SAFETY: the buffer holds width*height*4 bytes, matching the spacings given.
    let rc = unsafe {
        gdal_sys::GDALDatasetRasterIO(
            ds,
            GDALRWFlag::GF_Read,
            0,
            0,
            width as i32,
            height as i32,
            data.as_mut_ptr().cast(),
            width as i32,
            height as i32,
            GDALDataType::GDT_Byte,
            4,
            bands.as_ptr() as *mut i32,
            4,
            4 * width as i32,
            1,
        )
    };
    let result = if rc != CPLErr::CE_None {
        Err(last_gdal_error())
    } else {
        Ok(RgbaImage { width, height, data })
    };
    // SAFETY: `ds` is the MEM dataset GDALWarp returned, closed exactly once, here.
    unsafe { gdal_sys::GDALClose(ds) };
    result
}

/// Warps an RGBA image placed at `image.bbox` in `image.crs` onto a
/// `width` × `height` grid over `bbox` in `crs` (a cascaded layer's
/// upstream image), through an in-memory dataset and GDALWarp.
pub(crate) fn warp_rgba(
    image: &super::remote::Fetched,
    crs: Crs,
    bbox: &BBox,
    width: u32,
    height: u32,
    resampling: Resampling,
) -> Result<RgbaImage, String> {
    let (w, h) = (image.image.width as usize, image.image.height as usize);
    let driver = gdal::DriverManager::get_driver_by_name("MEM").map_err(|e| e.to_string())?;
    let mut ds = driver
        .create_with_band_type::<u8, _>("", w, h, 4)
        .map_err(|e| e.to_string())?;
    let b = &image.bbox;
    ds.set_geo_transform(&[b.minx, b.width() / w as f64, 0.0, b.maxy, 0.0, -b.height() / h as f64])
        .map_err(|e| e.to_string())?;
    let srs =
        gdal::spatial_ref::SpatialRef::from_definition(&image.crs.gdal_definition()).map_err(|e| e.to_string())?;
    ds.set_spatial_ref(&srs).map_err(|e| e.to_string())?;
    let mut plane = vec![0u8; w * h];
    for band in 0..4 {
        for (dst, px) in plane.iter_mut().zip(image.image.data.chunks_exact(4)) {
            *dst = px[band];
        }
        let mut rb = ds.rasterband(band + 1).map_err(|e| e.to_string())?;
        let mut buffer = gdal::raster::Buffer::new((w, h), std::mem::take(&mut plane));
        rb.write((0, 0), (w, h), &mut buffer).map_err(|e| e.to_string())?;
        plane = buffer.into_shape_and_vec().1;
        if band == 3 {
            rb.set_color_interpretation(gdal::raster::ColorInterpretation::AlphaBand)
                .map_err(|e| e.to_string())?;
        }
    }
    let args = warp_args(crs, bbox, width, height, resampling);
    let out = warp_handles(&[ds.c_dataset()], &args).map_err(|e| e.unwrap_or_else(|| "cancelled".into()))?;
    take_rgba(out, width, height, 4)
}
