//! The warper's commonest case done here: an 8-bit gray or RGB raster with
//! neither nodata nor mask, reprojected with bilinear resampling, every
//! output pixel well inside the raster (an orthophoto's tiles).
//!
//! It computes what `gdalwarp -r bilinear` computes, pixel for pixel: the same
//! overview choice, the same source coordinates (GDAL's own approximate
//! transformer, 0.125 px, row by row as the warp kernel asks), the same
//! kernel widened by the downsampling scale, the same rounding. What it saves
//! is the rest (profiled on bench scenario S1: two thirds of a reprojected
//! tile were GDAL's warp): options parsed and a transformer built for each
//! request (PROJ database look-ups), kernel weights computed once per band,
//! an in-memory dataset. Transformers are kept per render thread, for each
//! (file, target CRS, overview level). Whenever a choice falls near one of
//! GDAL's thresholds, or a pixel's kernel reaches the raster's edge, the
//! caller's GDAL warp does it instead (`None`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_int, c_void};
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

use gdal::Dataset;
use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal_sys::{CPLErr, GDALDataType, GDALRWFlag};

use super::raster::RgbaImage;
use crate::grid::{BBox, Crs};

/// gdalwarp's default error threshold, in source pixels.
const APPROX_ERROR: f64 = 0.125;
/// Edge samples per side of the output window, as GDAL's warper takes them.
const EDGE_STEPS: usize = 21;
/// (file, target CRS) pairs whose transformers a render thread keeps.
const MAX_CACHED: usize = 64;

/// The raster a warp reads: bands `1..=bands` (1 or 3) of `ds`, the file at
/// `path`, in `crs`.
pub(crate) struct Input<'a> {
    pub ds: &'a Dataset,
    pub path: &'a Path,
    pub crs: Crs,
    pub bands: usize,
}

/// Warps `input` onto `width` × `height` over `bbox` in `dst`, as GDALWarp
/// would; `None` when GDAL must do it.
pub(crate) fn bilinear(
    input: &Input,
    dst: Crs,
    bbox: &BBox,
    width: u32,
    height: u32,
) -> Option<Result<RgbaImage, String>> {
    let (ds, path, src) = (input.ds, input.path, input.crs);
    let gt = ds.geo_transform().ok()?;
    if gt[2] != 0.0 || gt[4] != 0.0 || width < 2 || height < 2 {
        return None;
    }
    let (w, h) = ds.raster_size();
    // SAFETY: band 1 exists (the source was opened with 1 or 3 bands).
    let band1 = unsafe { gdal_sys::GDALGetRasterBand(ds.c_dataset(), 1) };
    let (rx, ry) = (bbox.width() / width as f64, bbox.height() / height as f64);
    let dst_gt = [bbox.minx, rx, 0.0, bbox.maxy, 0.0, -ry];
    TRANSFORMERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (path.to_path_buf(), src, dst);
        if !cache.contains_key(&key) {
            // A mosaic's thousands of files: keep the recent ones only.
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            let reprojection = Reprojection::new(ds, src, dst)?;
            cache.insert(key.clone(), reprojection);
        }
        let reprojection = cache.get_mut(&key)?;
        let level = reprojection.overview(band1, (w, gt), &dst_gt, (width as usize, height as usize))?;
        let (ow, oh, ovr_gt) = match level {
            None => (w, h, gt),
            Some(i) => {
                // SAFETY: overview `i` exists (overview() counted them).
                let ob = unsafe { gdal_sys::GDALGetOverview(band1, i as c_int) };
                // SAFETY: a valid band handle.
                let (ow, oh) = unsafe {
                    (
                        gdal_sys::GDALGetRasterBandXSize(ob),
                        gdal_sys::GDALGetRasterBandYSize(ob),
                    )
                };
                let (ow, oh) = (ow as usize, oh as usize);
                let mut g = gt;
                g[1] *= w as f64 / ow as f64;
                g[5] *= h as f64 / oh as f64;
                (ow, oh, g)
            }
        };
        let t = reprojection.transformer(level, ovr_gt)?;
        t.set_destination(&dst_gt);
        let (window, scales) = t.source_window((width as usize, height as usize), (ow, oh))?;
        let coords = t.source_coordinates(width as usize, height as usize)?;
        resample(input, level, &window, scales, &coords, width, height)
    })
}

thread_local! {
    static TRANSFORMERS: RefCell<HashMap<(PathBuf, Crs, Crs), Reprojection>> = RefCell::new(HashMap::new());
}

/// One file seen from one target CRS.
struct Reprojection {
    src_srs: SpatialRef,
    dst_srs: SpatialRef,
    /// Transformers by overview level (index 0: full resolution).
    levels: Vec<Option<Transformer>>,
}

impl Reprojection {
    /// The file's own SRS when it has one (as GDALWarp reads it), else `src`.
    fn new(ds: &Dataset, src: Crs, dst: Crs) -> Option<Reprojection> {
        let mut src_srs = match ds.spatial_ref() {
            Ok(srs) => srs,
            Err(_) => SpatialRef::from_definition(&src.gdal_definition()).ok()?,
        };
        let mut dst_srs = SpatialRef::from_definition(&dst.gdal_definition()).ok()?;
        // x = easting or longitude, as gdalwarp reads them.
        src_srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        dst_srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        Some(Reprojection {
            src_srs,
            dst_srs,
            levels: Vec::new(),
        })
    }

    /// The overview gdalwarp would read for this output grid (`None`: full
    /// resolution), chosen as gdalwarp chooses when given `-te` and `-ts`:
    /// from the source columns a 10 × 10 grid over the output spans. The
    /// outer `None`: GDAL must do it.
    fn overview(
        &mut self,
        band1: gdal_sys::GDALRasterBandH,
        (w, gt): (usize, [f64; 6]),
        dst_gt: &[f64; 6],
        (width, height): (usize, usize),
    ) -> Option<Option<usize>> {
        let t = self.transformer(None, gt)?;
        t.set_destination(dst_gt);
        const N: usize = 10;
        let (mut xs, mut ys) = (Vec::with_capacity(N * N), Vec::with_capacity(N * N));
        for ix in 0..N {
            for iy in 0..N {
                xs.push(width as f64 * ix as f64 / (N - 1) as f64);
                ys.push(height as f64 * iy as f64 / (N - 1) as f64);
            }
        }
        let [minx, _, maxx, _] = t.to_source(&mut xs, &mut ys)?;
        let target = (maxx - minx) / width as f64;
        // SAFETY: a valid band handle.
        let count = unsafe { gdal_sys::GDALGetOverviewCount(band1) }.max(0) as isize;
        let ratio = |i: isize| -> f64 {
            if i < 0 {
                return 1.0;
            }
            // SAFETY: 0 <= i < count.
            w as f64 / unsafe { gdal_sys::GDALGetRasterBandXSize(gdal_sys::GDALGetOverview(band1, i as c_int)) } as f64
        };
        // On a threshold to the last bits, GDAL's arithmetic may fall on the other side.
        for i in -1..count {
            let d = (target - ratio(i)).abs();
            if d < 1e-9 || (d - 0.1).abs() < 1e-9 {
                return None;
            }
        }
        if target <= 1.0 || count == 0 {
            return Some(None);
        }
        // gdalwarp's loop: the last level whose ratio is below the target.
        let mut i: isize = -1;
        while i < count - 1 {
            let (r, next) = (ratio(i), ratio(i + 1));
            if (r < target && next > target) || (r - target).abs() < 0.1 {
                break;
            }
            i += 1;
        }
        Some(if i < 0 { None } else { Some(i as usize) })
    }

    fn transformer(&mut self, level: Option<usize>, gt: [f64; 6]) -> Option<&mut Transformer> {
        let slot = level.map_or(0, |i| i + 1);
        if self.levels.len() <= slot {
            self.levels.resize_with(slot + 1, || None);
        }
        // A file rewritten in place may have moved: its transformer with it.
        if self.levels[slot].as_ref().is_none_or(|t| t.src_gt != gt) {
            self.levels[slot] = Some(Transformer::new(&self.src_srs, gt, &self.dst_srs)?);
        }
        self.levels[slot].as_mut()
    }
}

/// GDAL's source-pixel ↔ destination-pixel transformer and its
/// approximation, as gdalwarp builds them.
struct Transformer {
    exact: *mut c_void,
    approx: *mut c_void,
    src_gt: [f64; 6],
}

impl Transformer {
    fn new(src: &SpatialRef, src_gt: [f64; 6], dst: &SpatialRef) -> Option<Transformer> {
        let identity = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        // SAFETY: the SRS handles and geotransforms outlive the call, which
        // copies what it keeps.
        let exact = unsafe {
            gdal_sys::GDALCreateGenImgProjTransformer4(
                src.to_c_hsrs(),
                src_gt.as_ptr(),
                dst.to_c_hsrs(),
                identity.as_ptr(),
                null(),
            )
        };
        if exact.is_null() {
            return None;
        }
        // SAFETY: `exact` is a GenImgProj transformer, destroyed after its approximation.
        let approx = unsafe {
            gdal_sys::GDALCreateApproxTransformer(Some(gdal_sys::GDALGenImgProjTransform), exact, APPROX_ERROR)
        };
        if approx.is_null() {
            // SAFETY: created above, not shared.
            unsafe { gdal_sys::GDALDestroyGenImgProjTransformer(exact) };
            return None;
        }
        Some(Transformer { exact, approx, src_gt })
    }

    fn set_destination(&self, gt: &[f64; 6]) {
        // SAFETY: `exact` is a GenImgProj transformer; the geotransform is copied.
        unsafe { gdal_sys::GDALSetGenImgProjTransformerDstGeoTransform(self.exact, gt.as_ptr()) };
    }

    /// Transforms the points exactly from destination to source pixels;
    /// their extent, `None` if one fails.
    fn to_source(&self, xs: &mut [f64], ys: &mut [f64]) -> Option<[f64; 4]> {
        if !transform(gdal_sys::GDALGenImgProjTransform, self.exact, xs, ys) {
            return None;
        }
        let mut e = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for (&x, &y) in xs.iter().zip(ys.iter()) {
            if !(x.is_finite() && y.is_finite()) {
                return None;
            }
            e = [e[0].min(x), e[1].min(y), e[2].max(x), e[3].max(y)];
        }
        Some(e)
    }

    /// The source window GDALWarpOperation reads for this output grid and
    /// the warp kernel's scales (GDALWarpKernel::PerformWarp); `None` when
    /// the window reaches the raster's edge (GDAL clips kernels there) or a
    /// scale falls near one of GDAL's thresholds. The window matters to the
    /// last bit: an overview read through a VRT is resampled from the files'
    /// own overviews, and its pixels depend on the window asked for.
    fn source_window(&self, (width, height): (usize, usize), (ow, oh): (usize, usize)) -> Option<(Window, (f64, f64))> {
        let (mut xs, mut ys) = edge_samples(width as f64, height as f64);
        let [minx, miny, maxx, maxy] = self.to_source(&mut xs, &mut ys)?;
        // One axis: (offset, size, kernel scale).
        let axis = |dst: usize, min: f64, max: f64, size: usize| -> Option<(i64, usize, f64)> {
            let raw = max - min;
            if raw <= 0.0 || min < 0.0 || max.ceil() > size as f64 {
                return None;
            }
            let window_scale = dst as f64 / raw;
            let r = if window_scale < 0.95 {
                (1.0 / window_scale).ceil() as i64
            } else {
                1
            };
            let (lo, hi) = (min as i64, max.ceil() as i64);
            if lo - r < 0 || hi + r > size as i64 {
                return None;
            }
            let (off, len) = (lo - r, (hi + r - (lo - r)) as usize);
            let extra = len as f64 - raw;
            let mut s = dst as f64 / (len as f64 - extra);
            if len >= dst && len as f64 <= dst as f64 + extra {
                s = 1.0;
            }
            if s < 1.0 {
                let inv = 1.0 / s;
                let n = (inv + 0.5) as i64 as f64;
                let d = (inv - n).abs();
                if (d - 0.05).abs() < 1e-6 {
                    return None;
                }
                if d < 0.05 {
                    s = 1.0 / n;
                }
            }
            // The four-sample formula starts at 0.95.
            if (s - 0.95).abs() < 1e-9 {
                return None;
            }
            Some((off, len, s))
        };
        let (x0, w, sx) = axis(width, minx, maxx, ow)?;
        let (y0, h, sy) = axis(height, miny, maxy, oh)?;
        Some((
            Window {
                x0,
                y0,
                width: w,
                height: h,
            },
            (sx, sy),
        ))
    }

    /// The source pixel of every output pixel centre, row by row through the
    /// approximate transformer, as the warp kernel asks for them.
    fn source_coordinates(&self, width: usize, height: usize) -> Option<Vec<(f64, f64)>> {
        let mut out = Vec::with_capacity(width * height);
        let (mut xs, mut ys) = (vec![0.0; width], vec![0.0; width]);
        for row in 0..height {
            for (i, (x, y)) in xs.iter_mut().zip(ys.iter_mut()).enumerate() {
                *x = i as f64 + 0.5;
                *y = row as f64 + 0.5;
            }
            if !transform(gdal_sys::GDALApproxTransform, self.approx, &mut xs, &mut ys) {
                return None;
            }
            out.extend(xs.iter().copied().zip(ys.iter().copied()));
        }
        Some(out)
    }
}

/// A GDAL transformer function (exact or approximate).
type TransformFn = unsafe extern "C" fn(*mut c_void, c_int, c_int, *mut f64, *mut f64, *mut f64, *mut c_int) -> c_int;

/// Moves the points from destination to source pixels through `func`;
/// false when one fails.
fn transform(func: TransformFn, arg: *mut c_void, xs: &mut [f64], ys: &mut [f64]) -> bool {
    let n = xs.len().min(ys.len());
    let mut zs = vec![0.0; n];
    let mut ok = vec![0 as c_int; n];
    // SAFETY: `arg` is the transformer `func` expects; four arrays of n elements.
    let all = unsafe {
        func(
            arg,
            1,
            n as c_int,
            xs.as_mut_ptr(),
            ys.as_mut_ptr(),
            zs.as_mut_ptr(),
            ok.as_mut_ptr(),
        )
    };
    all != 0 && !ok.contains(&0)
}

impl Drop for Transformer {
    fn drop(&mut self) {
        // SAFETY: both were created in new() and are destroyed once, the
        // approximation (which does not own its base) first.
        unsafe {
            gdal_sys::GDALDestroyApproxTransformer(self.approx);
            gdal_sys::GDALDestroyGenImgProjTransformer(self.exact);
        }
    }
}

/// Points along the four edges of a `w` × `h` pixel grid, 21 per side.
fn edge_samples(w: f64, h: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut xs, mut ys) = (Vec::with_capacity(4 * EDGE_STEPS), Vec::with_capacity(4 * EDGE_STEPS));
    for i in 0..EDGE_STEPS {
        let t = i as f64 / (EDGE_STEPS - 1) as f64;
        for (x, y) in [(t * w, 0.0), (t * w, h), (0.0, t * h), (w, t * h)] {
            xs.push(x);
            ys.push(y);
        }
    }
    (xs, ys)
}

/// The bilinear kernel, widened by 1/scale when downsampling.
fn weight(x: f64) -> f64 {
    let a = x.abs();
    if a <= 1.0 { 1.0 - a } else { 0.0 }
}

/// `v.floor()` without a libm call (no SSE4.1 in the baseline target).
fn floor(v: f64) -> i64 {
    let t = v as i64;
    if (t as f64) > v { t - 1 } else { t }
}

/// The kernel GDAL's warper applies: four samples from 0.95 of full scale
/// up, otherwise a bilinear kernel widened to `r` taps each side.
struct Kernel {
    four: bool,
    rx: i64,
    ry: i64,
    kx: f64,
    ky: f64,
}

impl Kernel {
    fn new((sx, sy): (f64, f64)) -> Kernel {
        let four = sx >= 0.95 && sy >= 0.95;
        let radius = |s: f64| if four || s >= 1.0 { 1 } else { (1.0 / s).ceil() as i64 };
        Kernel {
            four,
            rx: radius(sx),
            ry: radius(sy),
            kx: sx.min(1.0),
            ky: sy.min(1.0),
        }
    }
}

/// Reads `window` at `level` and samples it for each output pixel; `None`
/// when a kernel would reach past the window (GDAL clips it there).
fn resample(
    input: &Input,
    level: Option<usize>,
    window: &Window,
    scales: (f64, f64),
    coords: &[(f64, f64)],
    width: u32,
    height: u32,
) -> Option<Result<RgbaImage, String>> {
    let k = Kernel::new(scales);
    for &(x, y) in coords {
        let (ix, iy) = (floor(x - 0.5) - window.x0, floor(y - 0.5) - window.y0);
        if ix + 1 - k.rx < 0
            || iy + 1 - k.ry < 0
            || ix + k.rx > window.width as i64 - 1
            || iy + k.ry > window.height as i64 - 1
        {
            return None;
        }
    }
    let result = match input.bands {
        1 => sample::<1>(input.ds, level, window, &k, coords, width, height),
        3 => sample::<3>(input.ds, level, window, &k, coords, width, height),
        _ => return None,
    };
    Some(result)
}

/// The part of the source (at the chosen level) the kernels read.
struct Window {
    x0: i64,
    y0: i64,
    width: usize,
    height: usize,
}

/// Reads `window` pixel-interleaved, `B` bands, and applies the kernel.
fn sample<const B: usize>(
    ds: &Dataset,
    level: Option<usize>,
    window: &Window,
    k: &Kernel,
    coords: &[(f64, f64)],
    width: u32,
    height: u32,
) -> Result<RgbaImage, String> {
    let ww = window.width;
    let mut pixels = vec![0u8; ww * window.height * B];
    for b in 0..B {
        // SAFETY: band b+1 exists; its overview `level` exists (counted).
        let band = unsafe {
            let full = gdal_sys::GDALGetRasterBand(ds.c_dataset(), b as c_int + 1);
            match level {
                None => full,
                Some(i) => gdal_sys::GDALGetOverview(full, i as c_int),
            }
        };
        // SAFETY: the window is inside the band (checked by the caller); band
        // b goes to byte b of each B-byte pixel of the ww × height buffer.
        let rc = unsafe {
            gdal_sys::GDALRasterIOEx(
                band,
                GDALRWFlag::GF_Read,
                window.x0 as c_int,
                window.y0 as c_int,
                ww as c_int,
                window.height as c_int,
                pixels.as_mut_ptr().add(b).cast(),
                ww as c_int,
                window.height as c_int,
                GDALDataType::GDT_Byte,
                B as i64,
                (B * ww) as i64,
                null_mut(),
            )
        };
        if rc != CPLErr::CE_None {
            return Err(super::raster::last_gdal_error());
        }
    }
    let mut data = vec![0u8; width as usize * height as usize * 4];
    let (tx, ty) = (2 * k.rx as usize, 2 * k.ry as usize);
    let mut wxs = vec![0.0f32; tx];
    let mut wys = vec![0.0f32; ty];
    let line = ww * B;
    for (px, &(x, y)) in data.chunks_exact_mut(4).zip(coords) {
        let (x, y) = (x - window.x0 as f64, y - window.y0 as f64);
        let (ix, iy) = (floor(x - 0.5), floor(y - 0.5));
        let mut value = [0.0f64; B];
        if k.four {
            // GWKBilinearResampleNoMasks4SampleT.
            let (fx, fy) = (1.5 - (x - ix as f64), 1.5 - (y - iy as f64));
            let o = iy as usize * line + ix as usize * B;
            for (c, v) in value.iter_mut().enumerate() {
                let at = |i: usize| pixels[o + i + c] as f64;
                *v = (at(0) * fx + at(B) * (1.0 - fx)) * fy + (at(line) * fx + at(line + B) * (1.0 - fx)) * (1.0 - fy);
            }
            for (d, v) in px.iter_mut().zip(value) {
                *d = (v + 0.5) as u8;
            }
        } else {
            // GWKResampleNoMasks_SSE2_T: a separable kernel over taps
            // 1-r..=r around the pixel, normalised by its weights' sums.
            let (dx, dy) = (x - 0.5 - ix as f64, y - 0.5 - iy as f64);
            let mut sum_x = 0.0;
            for (i, w) in wxs.iter_mut().enumerate() {
                let wx = weight((i as f64 + 1.0 - k.rx as f64 - dx) * k.kx);
                sum_x += wx;
                *w = wx as f32;
            }
            let mut sum_y = 0.0;
            for (j, w) in wys.iter_mut().enumerate() {
                let wy = weight((j as f64 + 1.0 - k.ry as f64 - dy) * k.ky);
                sum_y += wy;
                *w = wy as f32;
            }
            let start = (iy + 1 - k.ry) as usize * line + (ix + 1 - k.rx) as usize * B;
            let mut acc = [0.0f32; B];
            for (j, wy) in wys.iter().enumerate() {
                let row = &pixels[start + j * line..][..tx * B];
                let mut across = [0.0f32; B];
                for (taps, wx) in row.chunks_exact(B).zip(&wxs) {
                    for c in 0..B {
                        across[c] += taps[c] as f32 * wx;
                    }
                }
                for c in 0..B {
                    acc[c] += wy * across[c];
                }
            }
            let norm = sum_x * sum_y;
            for (d, a) in px.iter_mut().zip(acc) {
                let v = a as f64 / norm;
                *d = if v < 0.0 {
                    0
                } else if v > 255.0 {
                    255
                } else {
                    (v + 0.5) as u8
                };
            }
        }
        if B == 1 {
            px[1] = px[0];
            px[2] = px[0];
        }
        px[3] = 255;
    }
    Ok(RgbaImage { width, height, data })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::transform_bbox;
    use crate::source::raster::{take_rgba, warp_args, warp_handles};
    use gdal::DriverManager;

    /// An RGB Lambert-93 raster of 0.2 m pixels with sharp patterns (the
    /// worst case for any difference in coordinates) and overviews.
    fn raster() -> Dataset {
        crate::source::gdal::init(64);
        let mut ds = DriverManager::get_driver_by_name("MEM")
            .unwrap()
            .create_with_band_type::<u8, _>("", 1500, 1500, 3)
            .unwrap();
        ds.set_geo_transform(&[769_000.0, 0.2, 0.0, 6_280_000.0, 0.0, -0.2])
            .unwrap();
        ds.set_spatial_ref(&SpatialRef::from_epsg(2154).unwrap()).unwrap();
        for b in 1..=3usize {
            let data: Vec<u8> = (0..1500 * 1500)
                .map(|i| {
                    let (x, y) = (i % 1500, i / 1500);
                    ((x * (3 + b) + y * 7) ^ ((x / 9) * (y / 13))) as u8
                })
                .collect();
            let mut buf = gdal::raster::Buffer::new((1500, 1500), data);
            ds.rasterband(b).unwrap().write((0, 0), (1500, 1500), &mut buf).unwrap();
        }
        ds.build_overviews("AVERAGE", &[2, 4, 8], &[]).unwrap();
        ds
    }

    fn gdalwarp(ds: &Dataset, crs: Crs, bbox: &BBox, w: u32, h: u32) -> RgbaImage {
        let mut args = warp_args(crs, bbox, w, h, super::super::raster::Resampling::Bilinear);
        args.push("-dstalpha".into());
        let out = warp_handles(&[ds.c_dataset()], &args).unwrap();
        take_rgba(out, w, h, 3).unwrap()
    }

    #[test]
    fn matches_gdalwarp_in_every_crs_and_at_every_scale() {
        let ds = raster();
        let l93 = Crs::lambert93();
        let mut fast = 0;
        for (i, (crs, metres, size)) in [
            (Crs::web_mercator(), 40.0, 256),
            (Crs::web_mercator(), 70.0, 256),
            (Crs::web_mercator(), 150.0, 256),
            (Crs::web_mercator(), 250.0, 200),
            (Crs::wgs84(), 60.0, 128),
            (Crs::wgs84(), 200.0, 300),
            (Crs::parse("EPSG:3944").unwrap(), 100.0, 256),
            (Crs::web_mercator(), 30.0, 300),
        ]
        .into_iter()
        .enumerate()
        {
            let (cx, cy) = (769_150.0 + i as f64 * 4.0, 6_279_850.0 - i as f64 * 3.0);
            let b = BBox::new(
                cx - metres / 2.0,
                cy - metres / 2.0,
                cx + metres / 2.0,
                cy + metres / 2.0,
            );
            let bbox = transform_bbox(&b, l93, crs).unwrap();
            let h = (size as f64 * bbox.height() / bbox.width()).round() as u32;
            let path = PathBuf::from(format!("/test/warp-{i}"));
            let theirs = gdalwarp(&ds, crs, &bbox, size, h);
            let input = Input {
                ds: &ds,
                path: &path,
                crs: l93,
                bands: 3,
            };
            let Some(ours) = bilinear(&input, crs, &bbox, size, h) else {
                continue;
            };
            fast += 1;
            let ours = ours.unwrap();
            let worst = ours
                .data
                .iter()
                .zip(&theirs.data)
                .map(|(a, b)| (*a as i32 - *b as i32).abs())
                .max()
                .unwrap();
            assert!(
                worst <= 1,
                "case {i} ({metres} m in {size} px): differs from gdalwarp by {worst}"
            );
        }
        assert!(fast >= 6, "the fast path took {fast} of 8 cases");
    }

    #[test]
    fn leaves_the_raster_edge_to_gdal() {
        let ds = raster();
        let l93 = Crs::lambert93();
        // Half outside the raster.
        let b = BBox::new(768_950.0, 6_279_800.0, 769_050.0, 6_279_900.0);
        let bbox = transform_bbox(&b, l93, Crs::web_mercator()).unwrap();
        let input = Input {
            ds: &ds,
            path: Path::new("/test/edge"),
            crs: l93,
            bands: 3,
        };
        assert!(bilinear(&input, Crs::web_mercator(), &bbox, 256, 256).is_none());
    }
}
