//! Coordinate reference systems: parsing of every spelling clients send, axis
//! order, units, and transforms through GDAL's OSR.
//!
//! Internally every coordinate is in "traditional GIS order" (x = east or
//! longitude, y = north or latitude). Axis order only matters at the protocol
//! edge, and [`Crs::authority_lat_lon`] is the one place that knows it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

use super::BBox;

/// Metres per degree on the WGS 84 equator, the OGC convention for turning
/// degrees into scale denominators (WMTS 1.0 annex E, 2D-TMS).
pub const METRES_PER_DEGREE: f64 = 6378137.0 * std::f64::consts::PI / 180.0;

/// The standardized rendering pixel size (OGC: 0.28 mm).
pub const STANDARD_PIXEL_SIZE: f64 = 0.00028;

/// A CRS tuile can use: an EPSG code or OGC's CRS84 (lon/lat WGS 84).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crs {
    /// EPSG code; 0 stands for OGC CRS84.
    code: u32,
    geographic: bool,
    lat_lon: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    #[error("unknown CRS `{0}`")]
    Unknown(String),
    #[error("cannot transform from {from} to {to}: {msg}")]
    Transform { from: Crs, to: Crs, msg: String },
}

impl Crs {
    pub const CRS84: Crs = Crs {
        code: 0,
        geographic: true,
        lat_lon: false,
    };

    /// Lambert-93, the storage CRS of every French reference layer.
    pub fn lambert93() -> Crs {
        Crs::from_epsg(2154).expect("EPSG:2154 is in every PROJ database")
    }

    pub fn web_mercator() -> Crs {
        Crs::from_epsg(3857).expect("EPSG:3857 is in every PROJ database")
    }

    pub fn wgs84() -> Crs {
        Crs::from_epsg(4326).expect("EPSG:4326 is in every PROJ database")
    }

    /// A CRS from an EPSG code, checked against the PROJ database once per code.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        static KNOWN: OnceLock<Mutex<HashMap<u32, Option<Crs>>>> = OnceLock::new();
        let known = KNOWN.get_or_init(Default::default);
        if let Some(found) = known.lock().unwrap().get(&code) {
            return found.ok_or_else(|| CrsError::Unknown(format!("EPSG:{code}")));
        }
        let found = SpatialRef::from_epsg(code).ok().map(|srs| Crs {
            code,
            geographic: srs.is_geographic(),
            lat_lon: srs.is_geographic() && srs_is_lat_lon(&srs),
        });
        known.lock().unwrap().insert(code, found);
        found.ok_or_else(|| CrsError::Unknown(format!("EPSG:{code}")))
    }

    /// Parses every spelling OGC clients use: `EPSG:2154`, `CRS:84`,
    /// `OGC:CRS84`, `urn:ogc:def:crs:EPSG::2154`, `urn:ogc:def:crs:EPSG:6.18:3:3857`,
    /// `http://www.opengis.net/def/crs/EPSG/0/2154` and the CRS84 URIs.
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let unknown = || CrsError::Unknown(text.to_string());
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "crs:84"
                | "ogc:crs84"
                | "urn:ogc:def:crs:ogc:1.3:crs84"
                | "urn:ogc:def:crs:ogc::crs84"
                | "http://www.opengis.net/def/crs/ogc/1.3/crs84"
                | "https://www.opengis.net/def/crs/ogc/1.3/crs84"
                | "http://www.opengis.net/def/crs/ogc/0/crs84"
        ) {
            return Ok(Crs::CRS84);
        }
        let code = if let Some(rest) = lower.strip_prefix("epsg:") {
            rest
        } else if let Some(rest) = lower.strip_prefix("urn:ogc:def:crs:epsg:") {
            // urn:ogc:def:crs:EPSG:{version}:{code}; the version may be empty.
            rest.rsplit(':').next().unwrap_or("")
        } else if let Some(rest) = lower
            .strip_prefix("http://www.opengis.net/def/crs/epsg/")
            .or_else(|| lower.strip_prefix("https://www.opengis.net/def/crs/epsg/"))
        {
            rest.rsplit('/').next().unwrap_or("")
        } else {
            return Err(unknown());
        };
        let code: u32 = code.parse().map_err(|_| unknown())?;
        Crs::from_epsg(code).map_err(|_| unknown())
    }

    pub fn epsg(&self) -> Option<u32> {
        (self.code != 0).then_some(self.code)
    }

    pub fn is_crs84(&self) -> bool {
        self.code == 0
    }

    pub fn is_geographic(&self) -> bool {
        self.geographic
    }

    /// True when the authority defines latitude first (EPSG:4326, EPSG:4171),
    /// which WMS 1.3.0, WMTS and OGC API honour and WMS 1.1.1 does not.
    pub fn authority_lat_lon(&self) -> bool {
        self.lat_lon
    }

    /// The short identifier: `EPSG:2154` or `CRS:84`.
    pub fn identifier(&self) -> String {
        match self.code {
            0 => "CRS:84".to_string(),
            c => format!("EPSG:{c}"),
        }
    }

    /// The OGC URN, as WMTS capabilities write it.
    pub fn urn(&self) -> String {
        match self.code {
            0 => "urn:ogc:def:crs:OGC:1.3:CRS84".to_string(),
            c => format!("urn:ogc:def:crs:EPSG::{c}"),
        }
    }

    /// The OGC http URI, as OGC API writes it.
    pub fn uri(&self) -> String {
        match self.code {
            0 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84".to_string(),
            c => format!("http://www.opengis.net/def/crs/EPSG/0/{c}"),
        }
    }

    /// What GDAL understands in `-t_srs` or `SetFromUserInput`.
    pub fn gdal_definition(&self) -> String {
        match self.code {
            0 => "OGC:CRS84".to_string(),
            c => format!("EPSG:{c}"),
        }
    }

    /// Metres per CRS unit, for scale denominators.
    pub fn metres_per_unit(&self) -> f64 {
        if self.geographic { METRES_PER_DEGREE } else { 1.0 }
    }

    /// The OGC scale denominator of a pixel `resolution` CRS units wide.
    pub fn scale_denominator(&self, resolution: f64) -> f64 {
        resolution * self.metres_per_unit() / STANDARD_PIXEL_SIZE
    }

    /// The resolution in CRS units per pixel of a scale denominator.
    pub fn resolution(&self, scale_denominator: f64) -> f64 {
        scale_denominator * STANDARD_PIXEL_SIZE / self.metres_per_unit()
    }

    /// Reorders a box given in this CRS's authority axis order into x/y order,
    /// when `honour_axis_order` says the protocol uses authority order.
    pub fn bbox_from_axis_order(&self, values: [f64; 4], honour_axis_order: bool) -> BBox {
        if honour_axis_order && self.lat_lon {
            BBox::new(values[1], values[0], values[3], values[2])
        } else {
            BBox::new(values[0], values[1], values[2], values[3])
        }
    }

    /// The inverse of [`Crs::bbox_from_axis_order`].
    pub fn bbox_to_axis_order(&self, bbox: &BBox, honour_axis_order: bool) -> [f64; 4] {
        if honour_axis_order && self.lat_lon {
            [bbox.miny, bbox.minx, bbox.maxy, bbox.maxx]
        } else {
            [bbox.minx, bbox.miny, bbox.maxx, bbox.maxy]
        }
    }

    /// The valid x/y range of the CRS, when it has a natural one.
    pub fn world_bounds(&self) -> Option<BBox> {
        if self.geographic {
            Some(BBox::new(-180.0, -90.0, 180.0, 90.0))
        } else if self.code == 3857 {
            let m = 20037508.342789244;
            Some(BBox::new(-m, -m, m, m))
        } else {
            None
        }
    }

    fn spatial_ref(&self) -> Result<SpatialRef, CrsError> {
        let mut srs = SpatialRef::from_definition(&self.gdal_definition())
            .map_err(|_| CrsError::Unknown(self.gdal_definition()))?;
        srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        Ok(srs)
    }
}

/// How a source's CRS was matched to an EPSG entry, for `check-config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identified {
    /// The configuration gives it (`crs` on the source).
    Configured,
    /// The file names its EPSG code.
    Declared,
    /// GDAL recognised the definition (OSR's identification).
    Recognised,
    /// The definition carries an EPSG name and the same projection, only its
    /// datum is unnamed or its ellipsoid approximate (as in many real files).
    ByNameAndProjection,
}

impl fmt::Display for Identified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Identified::Configured => "as configured",
            Identified::Declared => "declared by the file",
            Identified::Recognised => "recognised from its definition",
            Identified::ByNameAndProjection => "by its name and projection (unnamed datum)",
        })
    }
}

impl Crs {
    /// The EPSG CRS a source's definition stands for: its declared code, or
    /// the entry GDAL's OSR identifies (with a confidence of at least 70 of
    /// 100), or the code its name gives when the projection is the same
    /// (a Lambert-93 written with an unnamed datum, as IGN's GeoTIFFs are).
    pub fn identify(srs: &SpatialRef) -> Result<(Crs, Identified), String> {
        let declared = srs
            .auth_name()
            .filter(|a| a.eq_ignore_ascii_case("EPSG"))
            .and_then(|_| srs.auth_code().ok());
        if let Some(code) = declared
            && let Ok(crs) = Crs::from_epsg(code as u32)
        {
            return Ok((crs, Identified::Declared));
        }
        if let Some(code) = best_match(srs)
            && let Ok(crs) = Crs::from_epsg(code)
        {
            return Ok((crs, Identified::Recognised));
        }
        let name = srs.name().unwrap_or_default();
        let named = name
            .trim()
            .strip_prefix("EPSG:")
            .and_then(|c| c.trim().parse::<u32>().ok());
        if let Some(code) = named
            && let Ok(crs) = Crs::from_epsg(code)
            && let Ok(epsg) = SpatialRef::from_epsg(code)
            && same_projection(srs, &epsg)
        {
            return Ok((crs, Identified::ByNameAndProjection));
        }
        let proj = srs.to_proj4().unwrap_or_default();
        Err(format!(
            "its CRS (`{}`{}) matches no EPSG entry; set `crs = \"EPSG:…\"` on the source",
            if name.is_empty() { "unnamed" } else { &name },
            if proj.is_empty() {
                String::new()
            } else {
                format!(", {}", proj.trim())
            }
        ))
    }
}

/// The EPSG code OSR finds for a definition, when it is confident enough.
fn best_match(srs: &SpatialRef) -> Option<u32> {
    let mut candidate = srs.clone();
    if candidate.auto_identify_epsg().is_ok()
        && let Ok(code) = candidate.auth_code()
    {
        return Some(code as u32);
    }
    // SAFETY: OSRFindMatches returns a list of `count` handles and their
    // confidences, both freed here; the source handle outlives the call.
    unsafe {
        let mut count = 0;
        let mut confidences: *mut std::ffi::c_int = std::ptr::null_mut();
        let list = gdal_sys::OSRFindMatches(srs.to_c_hsrs(), std::ptr::null_mut(), &mut count, &mut confidences);
        if list.is_null() {
            return None;
        }
        let mut best = None;
        for i in 0..count as usize {
            let confidence = *confidences.add(i);
            let m = *list.add(i);
            let code = gdal_sys::OSRGetAuthorityCode(m, std::ptr::null());
            let auth = gdal_sys::OSRGetAuthorityName(m, std::ptr::null());
            let is_epsg = !auth.is_null() && std::ffi::CStr::from_ptr(auth).to_bytes().eq_ignore_ascii_case(b"EPSG");
            if confidence >= 70 && is_epsg && !code.is_null() && best.is_none() {
                best = std::ffi::CStr::from_ptr(code)
                    .to_str()
                    .ok()
                    .and_then(|c| c.parse().ok());
            }
        }
        gdal_sys::OSRFreeSRSArray(list);
        gdal_sys::VSIFree(confidences.cast());
        best
    }
}

/// Whether two definitions project the same way, datum and ellipsoid aside
/// (GRS80 and WGS84 differ by a tenth of a millimetre in the semi-minor axis).
fn same_projection(a: &SpatialRef, b: &SpatialRef) -> bool {
    let params = |s: &SpatialRef| -> Option<Vec<String>> {
        let mut p: Vec<String> = s
            .to_proj4()
            .ok()?
            .split_whitespace()
            .filter(|t| {
                !["+ellps=", "+datum=", "+towgs84=", "+no_defs", "+type="]
                    .iter()
                    .any(|k| t.starts_with(k))
            })
            .map(str::to_string)
            .collect();
        p.sort();
        Some(p)
    };
    a.is_projected() == b.is_projected() && params(a).is_some_and(|p| Some(p) == params(b))
}

fn srs_is_lat_lon(srs: &SpatialRef) -> bool {
    // SAFETY: the handle is valid for the lifetime of `srs`.
    unsafe { gdal_sys::OSREPSGTreatsAsLatLong(srs.to_c_hsrs()) != 0 }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.identifier())
    }
}

impl fmt::Debug for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.identifier())
    }
}

thread_local! {
    /// OSR transforms are costly to create and not `Send`: one per thread and pair.
    static TRANSFORMS: RefCell<HashMap<(Crs, Crs), CoordTransform>> = RefCell::new(HashMap::new());
}

fn with_transform<R>(from: Crs, to: Crs, f: impl FnOnce(&CoordTransform) -> R) -> Result<R, CrsError> {
    TRANSFORMS.with(|cell| {
        let mut map = cell.borrow_mut();
        if let std::collections::hash_map::Entry::Vacant(e) = map.entry((from, to)) {
            let t = CoordTransform::new(&from.spatial_ref()?, &to.spatial_ref()?).map_err(|e| CrsError::Transform {
                from,
                to,
                msg: e.to_string(),
            })?;
            e.insert(t);
        }
        Ok(f(&map[&(from, to)]))
    })
}

/// Transforms a box between CRSs: the envelope of its outline, 21 points
/// between corners (as OSR's default) so that curved projections of straight edges are
/// enclosed. Points outside the target's domain are skipped. (OSR's
/// TransformBounds does the same but builds a new PROJ pipeline, about
/// 10 ms, on every call; this reuses the thread's cached transform.)
pub fn transform_bbox(bbox: &BBox, from: Crs, to: Crs) -> Result<BBox, CrsError> {
    if from == to {
        return Ok(*bbox);
    }
    let (mut xs, mut ys) = outline(bbox, 22);
    transform_xy(from, to, &mut xs, &mut ys)?;
    let mut out = BBox::new(f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (x, y) in xs.into_iter().zip(ys).filter(|(x, y)| x.is_finite() && y.is_finite()) {
        out = BBox::new(out.minx.min(x), out.miny.min(y), out.maxx.max(x), out.maxy.max(y));
    }
    if out.is_valid() {
        Ok(out)
    } else {
        Err(CrsError::Transform {
            from,
            to,
            msg: format!("no valid result for {bbox:?}"),
        })
    }
}

/// The points of a box's boundary, `per_edge` segments per edge, closed.
fn outline(bbox: &BBox, per_edge: usize) -> (Vec<f64>, Vec<f64>) {
    let n = per_edge.max(1);
    let step = |a: f64, b: f64, i: usize| a + (b - a) * i as f64 / n as f64;
    let (x0, y0, x1, y1) = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy);
    let mut xs = Vec::with_capacity(4 * n + 1);
    let mut ys = Vec::with_capacity(4 * n + 1);
    for i in 0..n {
        xs.push(step(x0, x1, i));
        ys.push(y0);
    }
    for i in 0..n {
        xs.push(x1);
        ys.push(step(y0, y1, i));
    }
    for i in 0..n {
        xs.push(step(x1, x0, i));
        ys.push(y1);
    }
    for i in 0..n {
        xs.push(x0);
        ys.push(step(y1, y0, i));
    }
    xs.push(x0);
    ys.push(y0);
    (xs, ys)
}

/// The outline of a box in another CRS: its edges cut into `per_edge`
/// segments each, transformed, as a closed ring. A box's edges are
/// straight in its own CRS and curved in most others.
pub fn transform_outline(bbox: &BBox, from: Crs, to: Crs, per_edge: usize) -> Result<Vec<(f64, f64)>, CrsError> {
    let (mut xs, mut ys) = outline(bbox, per_edge);
    transform_xy(from, to, &mut xs, &mut ys)?;
    if xs.iter().chain(&ys).any(|v| !v.is_finite()) {
        return Err(CrsError::Transform {
            from,
            to,
            msg: format!("{bbox:?} leaves the domain of the target CRS"),
        });
    }
    Ok(xs.into_iter().zip(ys).collect())
}

/// Transforms coordinates in place. Points that cannot be transformed come
/// back as non-finite values for the caller to skip.
pub fn transform_xy(from: Crs, to: Crs, xs: &mut [f64], ys: &mut [f64]) -> Result<(), CrsError> {
    if from == to || xs.is_empty() {
        return Ok(());
    }
    with_transform(from, to, |t| {
        // A partial failure marks the failed points with HUGE_VAL and keeps the others.
        if t.transform_coords(xs, ys, &mut []).is_err() {
            for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
                if x.abs() > 1e300 || y.abs() > 1e300 {
                    *x = f64::NAN;
                    *y = f64::NAN;
                }
            }
        }
    })
}

/// Transforms one point; `None` when it is outside the target's domain.
pub fn transform_point(from: Crs, to: Crs, x: f64, y: f64) -> Option<(f64, f64)> {
    let (mut xs, mut ys) = ([x], [y]);
    transform_xy(from, to, &mut xs, &mut ys).ok()?;
    (xs[0].is_finite() && ys[0].is_finite()).then_some((xs[0], ys[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached-transform envelope agrees with OSR's TransformBounds.
    #[test]
    fn transform_bbox_matches_osr_transform_bounds() {
        crate::source::gdal::init(16);
        let cases = [
            (BBox::new(3.80, 43.55, 3.95, 43.65), Crs::CRS84, Crs::lambert93()),
            (BBox::new(-5.5, 41.0, 10.0, 51.5), Crs::CRS84, Crs::lambert93()),
            (
                BBox::new(765000.0, 6275000.0, 775000.0, 6285000.0),
                Crs::lambert93(),
                Crs::web_mercator(),
            ),
            (
                BBox::new(765000.0, 6275000.0, 775000.0, 6285000.0),
                Crs::lambert93(),
                Crs::wgs84(),
            ),
        ];
        for (b, from, to) in cases {
            let ours = transform_bbox(&b, from, to).unwrap();
            let t = CoordTransform::new(&from.spatial_ref().unwrap(), &to.spatial_ref().unwrap()).unwrap();
            let osr = t.transform_bounds(&[b.minx, b.miny, b.maxx, b.maxy], 21).unwrap();
            let tol = (osr[2] - osr[0]).abs().max((osr[3] - osr[1]).abs()) * 1e-6;
            for (a, o) in [ours.minx, ours.miny, ours.maxx, ours.maxy].iter().zip(osr) {
                assert!((a - o).abs() <= tol, "{b:?} {from:?}->{to:?}: {ours:?} vs {osr:?}");
            }
        }
    }

    #[test]
    fn parses_every_spelling() {
        for s in [
            "EPSG:2154",
            "epsg:2154",
            "urn:ogc:def:crs:EPSG::2154",
            "urn:ogc:def:crs:EPSG:9.2:2154",
            "http://www.opengis.net/def/crs/EPSG/0/2154",
        ] {
            assert_eq!(Crs::parse(s).unwrap().epsg(), Some(2154), "{s}");
        }
        for s in [
            "CRS:84",
            "OGC:CRS84",
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        ] {
            assert!(Crs::parse(s).unwrap().is_crs84(), "{s}");
        }
        assert!(Crs::parse("EPSG:999999").is_err());
        assert!(Crs::parse("UndefinedCRS").is_err());
    }

    #[test]
    fn axis_order_is_known() {
        assert!(Crs::parse("EPSG:4326").unwrap().authority_lat_lon());
        assert!(Crs::parse("EPSG:4171").unwrap().authority_lat_lon());
        assert!(!Crs::CRS84.authority_lat_lon());
        assert!(!Crs::lambert93().authority_lat_lon());
        assert!(!Crs::web_mercator().authority_lat_lon());
        let wgs = Crs::wgs84();
        let b = wgs.bbox_from_axis_order([43.5, 3.8, 43.7, 4.0], true);
        assert_eq!(b, BBox::new(3.8, 43.5, 4.0, 43.7));
        assert_eq!(wgs.bbox_to_axis_order(&b, false), [3.8, 43.5, 4.0, 43.7]);
    }

    #[test]
    fn transforms_lambert93_to_lon_lat() {
        // Montpellier, place de la Comédie, is near 770900 / 6279400.
        let (lon, lat) = transform_point(Crs::lambert93(), Crs::CRS84, 770900.0, 6279400.0).unwrap();
        assert!((lon - 3.880).abs() < 0.01, "{lon}");
        assert!((lat - 43.608).abs() < 0.01, "{lat}");
        let (lon2, lat2) = transform_point(Crs::lambert93(), Crs::wgs84(), 770900.0, 6279400.0).unwrap();
        assert_eq!((lon, lat), (lon2, lat2), "internal order is always x=lon");
    }

    #[test]
    fn scale_denominators_use_the_standard_pixel() {
        let l93 = Crs::lambert93();
        assert!((l93.scale_denominator(0.28) - 1000.0).abs() < 1e-9);
        assert!((Crs::CRS84.scale_denominator(1.0) - 397_569_609.975_2).abs() < 1.0);
    }
}
