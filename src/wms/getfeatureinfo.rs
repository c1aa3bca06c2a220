//! WMS GetFeatureInfo: the map part of GetMap plus QUERY_LAYERS,
//! INFO_FORMAT, I/J (X/Y in 1.1.1) and FEATURE_COUNT.

use super::WmsVersion;
use super::exception::{Code, WmsError};
use super::getmap::{GetMap, parse_map};
use crate::ows::Kvp;
use crate::ows::feature_info::InfoFormat;
use tuile_core::catalog::Catalog;
use tuile_core::render::DrawLayer;

/// The most features one layer may return.
pub const MAX_FEATURE_COUNT: usize = 50;

pub struct InfoRequest {
    pub map: GetMap,
    pub query: Vec<DrawLayer>,
    pub format: InfoFormat,
    pub i: u32,
    pub j: u32,
    pub count: usize,
}

pub fn parse(kvp: &Kvp, catalog: &Catalog, version: WmsVersion) -> Result<InfoRequest, WmsError> {
    let map = parse_map(kvp, catalog, version, false)?;
    let names = kvp
        .get_nonempty("query_layers")
        .ok_or_else(|| WmsError::missing("QUERY_LAYERS"))?;
    let mut query = Vec::new();
    for name in names.split(',').map(str::trim) {
        let layer = catalog
            .lookup(name)
            .map_err(|l| WmsError::for_layer(l, "QUERY_LAYERS"))?;
        if !layer.queryable() {
            return Err(WmsError::new(
                Code::LayerNotQueryable,
                "QUERY_LAYERS",
                format!("layer `{name}` cannot be queried"),
            ));
        }
        let drawn = map.layers.iter().find(|d| d.layer.name() == name).ok_or_else(|| {
            WmsError::new(
                Code::LayerNotDefined,
                "QUERY_LAYERS",
                format!("layer `{name}` is not one of LAYERS"),
            )
        })?;
        query.push(drawn.clone());
    }
    let format_text = kvp
        .get_nonempty("info_format")
        .ok_or_else(|| WmsError::missing("INFO_FORMAT"))?;
    let format = InfoFormat::from_mime(format_text).ok_or_else(|| {
        WmsError::new(
            Code::InvalidFormat,
            "INFO_FORMAT",
            format!("INFO_FORMAT `{format_text}` is not supported"),
        )
    })?;
    let (ni, nj) = match version {
        WmsVersion::V130 => ("I", "J"),
        WmsVersion::V111 => ("X", "Y"),
    };
    let point = |name: &str, max: u32| -> Result<u32, WmsError> {
        let lower = name.to_ascii_lowercase();
        // Accept the other version's name too (I for X and the reverse).
        let other = match name {
            "I" => "x",
            "J" => "y",
            "X" => "i",
            _ => "j",
        };
        let text = kvp
            .get_nonempty(&lower)
            .or_else(|| kvp.get_nonempty(other))
            .ok_or_else(|| WmsError::missing(name))?;
        match text.parse::<i64>() {
            Ok(v) if v >= 0 && v < max as i64 => Ok(v as u32),
            _ => Err(WmsError::new(
                Code::InvalidPoint,
                name,
                format!("{name}={text} is not a pixel of the {max}-pixel map"),
            )),
        }
    };
    let i = point(ni, map.view.width)?;
    let j = point(nj, map.view.height)?;
    let count = match kvp.get_nonempty("feature_count") {
        None => 1,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(MAX_FEATURE_COUNT),
            _ => {
                return Err(WmsError::invalid(
                    "FEATURE_COUNT",
                    format!("`{t}` is not a positive whole number"),
                ));
            }
        },
    };
    Ok(InfoRequest {
        map,
        query,
        format,
        i,
        j,
        count,
    })
}
