//! GetMap: KVP parameters to a typed, validated map request.

use std::sync::Arc;

use super::WmsVersion;
use super::exception::{Code, WmsError};
use crate::ows::Kvp;
use tuile_core::catalog::Catalog;
use tuile_core::grid::Crs;
use tuile_core::render::{DrawLayer, ImageFormat, MapView};
use tuile_core::style::Color;
use tuile_core::tiles::{TileFormat, TileRequest};
use tuile_core::time::TimeDimension;

/// How errors are reported (EXCEPTIONS parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionMode {
    Xml,
    /// An image in the requested format, all background colour (or transparent).
    Blank,
    /// An image in the requested format with the error message written on it.
    InImage,
}

pub struct GetMap {
    pub layers: Vec<DrawLayer>,
    pub view: MapView,
    pub format: ImageFormat,
    pub transparent: bool,
    pub bgcolor: Color,
    /// Dimensions left out of the request and given their default, which
    /// WMS 1.3.0 (C.4.2) asks to report in an HTTP `Warning` header.
    pub defaulted: Vec<String>,
}

impl GetMap {
    /// The colour the canvas starts with: none when transparent.
    pub fn background(&self) -> Option<Color> {
        self.format.background(self.transparent, self.bgcolor)
    }

    /// The tile this map is, when it is one layer on exactly one tile of a
    /// tile matrix set the layer is tiled in (as TileWMS clients ask).
    pub fn as_tile(&self) -> Option<TileRequest> {
        let [only] = self.layers.as_slice() else {
            return None;
        };
        let v = &self.view;
        only.layer
            .tile_sets
            .iter()
            .filter(|link| link.tms.crs == v.crs)
            .find_map(|link| {
                let (z, row, col) = link.tms.tile_for(&v.bbox, v.width, v.height)?;
                link.limits(z)?.contains(row, col).then(|| TileRequest {
                    layer: Arc::clone(&only.layer),
                    style: Arc::clone(&only.style),
                    tms: link.tms,
                    z,
                    row,
                    col,
                    format: TileFormat::Image(self.format),
                    time: only.time.clone(),
                    background: self.background(),
                })
            })
    }
}

/// Reads EXCEPTIONS first, so that later errors are reported the way the client asked.
pub fn exception_mode(kvp: &Kvp) -> ExceptionMode {
    match kvp.get_nonempty("exceptions").map(str::to_ascii_lowercase).as_deref() {
        Some("blank" | "application/vnd.ogc.se_blank") => ExceptionMode::Blank,
        Some("inimage" | "application/vnd.ogc.se_inimage") => ExceptionMode::InImage,
        _ => ExceptionMode::Xml,
    }
}

/// Reads the size and colours needed to answer with a blank image, when possible.
pub fn blank_parameters(kvp: &Kvp, max: (u32, u32)) -> Option<(u32, u32, ImageFormat, bool, Color)> {
    let w = size(kvp, "width", max.0).ok()?;
    let h = size(kvp, "height", max.1).ok()?;
    let format = ImageFormat::from_mime(kvp.get_nonempty("format")?)?;
    let transparent = boolean(kvp, "transparent").ok()?;
    let bg = bgcolor(kvp).ok()?;
    Some((w, h, format, transparent, bg))
}

/// Parses a GetMap request.
pub fn parse(kvp: &Kvp, catalog: &Catalog, version: WmsVersion) -> Result<GetMap, WmsError> {
    parse_map(kvp, catalog, version, true)
}

/// Parses the map part of a GetMap or GetFeatureInfo request; FORMAT is
/// optional in the latter (clients often leave it out), PNG by default.
pub fn parse_map(kvp: &Kvp, catalog: &Catalog, version: WmsVersion, format_required: bool) -> Result<GetMap, WmsError> {
    let limits = &catalog.config.server.limits;

    let names: Vec<&str> = kvp
        .get_nonempty("layers")
        .ok_or_else(|| WmsError::missing("LAYERS"))?
        .split(',')
        .map(str::trim)
        .collect();
    if names.len() > limits.max_layers as usize {
        return Err(WmsError::invalid(
            "LAYERS",
            format!("at most {} layers per request (LayerLimit)", limits.max_layers),
        ));
    }
    let layers = names
        .iter()
        .map(|n| catalog.lookup(n).cloned().map_err(|l| WmsError::for_layer(l, "LAYERS")))
        .collect::<Result<Vec<_>, _>>()?;

    // STYLES may be absent, empty, all commas, or one entry per layer.
    let styles: Vec<&str> = match kvp.get("styles") {
        Some(s) if !s.trim().is_empty() => s.split(',').map(str::trim).collect(),
        _ => Vec::new(),
    };
    let all_default = styles.iter().all(|s| s.is_empty());
    if !all_default && styles.len() != layers.len() {
        return Err(WmsError::new(
            Code::StyleNotDefined,
            "STYLES",
            format!("{} styles given for {} layers", styles.len(), layers.len()),
        ));
    }

    let crs_param = match version {
        WmsVersion::V130 => "CRS",
        WmsVersion::V111 => "SRS",
    };
    let crs_text = kvp
        .get_nonempty(&crs_param.to_ascii_lowercase())
        // Accept the other version's spelling rather than refuse a clear request.
        .or_else(|| kvp.get_nonempty(if version == WmsVersion::V130 { "srs" } else { "crs" }))
        .ok_or_else(|| WmsError::missing(crs_param))?;
    let crs = Crs::parse(crs_text).map_err(|_| {
        WmsError::new(
            Code::InvalidCrs,
            crs_param,
            format!("`{crs_text}` is not a supported CRS"),
        )
    })?;
    for l in &layers {
        if !l.offers_crs(crs) {
            return Err(WmsError::new(
                Code::InvalidCrs,
                crs_param,
                format!("layer `{}` is not offered in {crs}", l.name()),
            ));
        }
    }

    let bbox_values = parse_bbox(kvp.get_nonempty("bbox").ok_or_else(|| WmsError::missing("BBOX"))?)?;
    // WMS 1.3.0 follows the CRS's axis order (lat/lon for EPSG:4326); 1.1.1 is always x/y.
    let bbox = crs.bbox_from_axis_order(bbox_values, version == WmsVersion::V130);
    if !bbox.is_valid() {
        return Err(WmsError::invalid(
            "BBOX",
            "BBOX must be minx,miny,maxx,maxy with minx < maxx and miny < maxy",
        ));
    }

    let width = size(kvp, "width", limits.max_width)?;
    let height = size(kvp, "height", limits.max_height)?;
    if width as u64 * height as u64 > limits.max_pixels {
        return Err(WmsError::invalid(
            "WIDTH",
            format!(
                "{width}×{height} is {} pixels, above the maximum of {}",
                width as u64 * height as u64,
                limits.max_pixels
            ),
        ));
    }

    let format_text = match kvp.get_nonempty("format") {
        Some(f) => f,
        None if format_required => return Err(WmsError::missing("FORMAT")),
        None => "image/png",
    };
    let format = ImageFormat::from_mime(format_text).ok_or_else(|| {
        WmsError::new(
            Code::InvalidFormat,
            "FORMAT",
            format!("`{format_text}` is not one of image/png, image/jpeg"),
        )
    })?;
    let transparent = boolean(kvp, "transparent")?;
    let bgcolor = bgcolor(kvp)?;
    let time_param = kvp.get_nonempty("time");

    let mut defaulted = Vec::new();
    let mut draw = Vec::with_capacity(layers.len());
    for (i, layer) in layers.into_iter().enumerate() {
        let style_name = styles.get(i).copied().unwrap_or("");
        let style = layer.style(style_name).cloned().ok_or_else(|| {
            WmsError::new(
                Code::StyleNotDefined,
                "STYLES",
                format!("layer `{}` has no style `{style_name}`", layer.name()),
            )
        })?;
        let time = match &layer.time {
            Some(dim) => {
                let value = resolve_time(dim, time_param)?;
                if time_param.is_none() {
                    defaulted.push(format!("99 Default value used: time={value} ISO8601"));
                }
                Some(value)
            }
            None => None,
        };
        draw.push(DrawLayer::new(Arc::clone(&layer), style, time));
    }
    Ok(GetMap {
        layers: draw,
        view: MapView {
            crs,
            bbox,
            width,
            height,
        },
        format,
        transparent,
        bgcolor,
        defaulted,
    })
}

/// Four numbers; exponent notation (GDAL's `%g`) and a leading `+` are accepted.
fn parse_bbox(text: &str) -> Result<[f64; 4], WmsError> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let bad = || WmsError::invalid("BBOX", format!("`{text}` is not four comma-separated numbers"));
    if parts.len() != 4 {
        return Err(bad());
    }
    let mut out = [0.0; 4];
    for (o, p) in out.iter_mut().zip(parts) {
        *o = p.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(bad)?;
    }
    Ok(out)
}

fn size(kvp: &Kvp, name: &str, max: u32) -> Result<u32, WmsError> {
    let upper = name.to_ascii_uppercase();
    let text = kvp.get_nonempty(name).ok_or_else(|| WmsError::missing(&upper))?;
    match text.parse::<u32>() {
        Ok(v) if v >= 1 && v <= max => Ok(v),
        Ok(v) if v > max => Err(WmsError::invalid(
            &upper,
            format!("{upper}={v} is above the maximum of {max} pixels"),
        )),
        _ => Err(WmsError::invalid(
            &upper,
            format!("{upper} must be a positive whole number of pixels, not `{text}`"),
        )),
    }
}

fn boolean(kvp: &Kvp, name: &str) -> Result<bool, WmsError> {
    match kvp.get_nonempty(name).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(WmsError::invalid(
            &name.to_ascii_uppercase(),
            format!("`{other}` is not TRUE or FALSE"),
        )),
    }
}

fn bgcolor(kvp: &Kvp) -> Result<Color, WmsError> {
    match kvp.get_nonempty("bgcolor") {
        None => Ok(Color::WHITE),
        Some(t) => {
            Color::parse_hex(t).ok_or_else(|| WmsError::invalid("BGCOLOR", format!("`{t}` is not a 0xRRGGBB colour")))
        }
    }
}

/// The edition a TIME value names (WMS 1.3.0 C.4: InvalidDimensionValue otherwise).
fn resolve_time(dim: &TimeDimension, requested: Option<&str>) -> Result<String, WmsError> {
    dim.resolve(requested)
        .map(str::to_string)
        .map_err(|e| WmsError::new(Code::InvalidDimensionValue, "TIME", format!("TIME: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_accepts_exponents_and_rejects_garbage() {
        assert!(
            parse_bbox("-.0005E1,-25E-4,%2B05E-3,.00025E%2B1").is_err(),
            "percent escapes are decoded before this point"
        );
        assert_eq!(
            parse_bbox("-.0005E1,-25E-4,+05E-3,.00025E+1").unwrap(),
            [-0.005, -0.0025, 0.005, 0.0025]
        );
        assert_eq!(parse_bbox("7.7e+05,6.27e6,771000,6280000").unwrap()[0], 770000.0);
        assert!(parse_bbox("1,2,3").is_err());
        assert!(parse_bbox("1,2,3,NaN").is_err());
        assert!(parse_bbox("a,b,c,d").is_err());
    }

    #[test]
    fn a_time_naming_no_edition_is_an_invalid_dimension_value() {
        let dim = TimeDimension {
            field: "millesime".into(),
            values: vec!["2019".into(), "2022".into()],
            default: "2022".into(),
        };
        assert_eq!(resolve_time(&dim, Some("2019-06-01T00:00:00Z")).unwrap(), "2019");
        let e = resolve_time(&dim, Some("2020")).unwrap_err();
        assert_eq!(
            (e.code, e.locator.as_deref()),
            (Code::InvalidDimensionValue, Some("TIME"))
        );
    }
}
