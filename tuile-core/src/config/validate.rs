//! Checks of a parsed configuration, one function per section. Every
//! problem is reported (not just the first), with its key and layer.

use std::collections::HashSet;

use super::{Config, ConfigError, LayerConfig};
use crate::grid::Crs;
use crate::grid::tms::TileMatrixSet;
use crate::source::SourceKind;

/// Collects problems for one configuration file.
struct Report<'a> {
    config: &'a Config,
    errors: Vec<ConfigError>,
}

impl Report<'_> {
    fn err(&mut self, layer: Option<&str>, key: String, message: String) {
        self.errors.push(ConfigError {
            file: self.config.path.clone(),
            line: None,
            layer: layer.map(str::to_string),
            key: Some(key),
            message,
        });
    }
}

pub(super) fn validate(config: &Config) -> Vec<ConfigError> {
    let mut r = Report {
        config,
        errors: Vec::new(),
    };
    limits(&mut r);
    server(&mut r);
    cache(&mut r);
    admin(&mut r);
    let granted = auth(&mut r);
    let mut names = HashSet::new();
    for (i, layer) in config.layers.iter().enumerate() {
        self::layer(&mut r, i, layer, &granted, &mut names);
    }
    r.errors
}

fn limits(r: &mut Report) {
    let l = &r.config.server.limits;
    if l.max_width == 0
        || l.max_height == 0
        || l.max_layers == 0
        || l.max_pixels == 0
        || l.max_features == 0
        || l.max_filter_nodes == 0
        || l.render_timeout_ms == 0
        || l.max_concurrent_renders == 0
        || l.max_query_length < 256
        || l.client_timeout_s == 0
    {
        r.err(
            None,
            "server.limits".into(),
            "limits must be positive (max_query_length at least 256)".into(),
        );
    }
}

fn server(r: &mut Report) {
    if let Some(url) = &r.config.server.public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        let message = format!("`{url}` is not an http(s) URL");
        r.err(None, "server.public_url".into(), message);
    }
}

fn cache(r: &mut Report) {
    let c = &r.config.server.cache;
    if c.metatile_vector == 0 || c.metatile_raster == 0 || c.metatile_vector > 16 || c.metatile_raster > 16 {
        r.err(
            None,
            "server.cache.metatile_*".into(),
            "metatiles are 1 to 16 tiles wide".into(),
        );
    }
    if c.memory_mb == 0 {
        r.err(
            None,
            "server.cache.memory_mb".into(),
            "the memory cache needs at least 1 MiB".into(),
        );
    }
    if c.disk_write && c.disk.is_none() {
        r.err(
            None,
            "server.cache.disk_write".into(),
            "writing needs `server.cache.disk`".into(),
        );
    }
}

fn admin(r: &mut Report) {
    let admin = &r.config.server.admin;
    if !admin.enabled {
        return;
    }
    let loopback = admin
        .bind
        .parse::<std::net::SocketAddr>()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(false);
    if !loopback {
        let message = format!(
            "`{}` is not a loopback address: the admin endpoint never listens elsewhere",
            admin.bind
        );
        r.err(None, "server.admin.bind".into(), message);
    }
}

/// Checks the keys; returns every group some key grants.
fn auth(r: &mut Report) -> HashSet<String> {
    let mut granted = HashSet::new();
    for (i, key) in r.config.auth.keys.iter().enumerate() {
        if key.sha256.len() != 64
            || !key
                .sha256
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        {
            let message = format!(
                "the key `{}` needs the 64 lowercase hex digits of its SHA-256 (tuile hash-key prints them)",
                key.name
            );
            r.err(None, format!("auth.keys[{i}].sha256"), message);
        }
        if key.groups.is_empty() {
            r.err(
                None,
                format!("auth.keys[{i}].groups"),
                format!("the key `{}` grants no group", key.name),
            );
        }
        granted.extend(key.groups.iter().cloned());
    }
    granted
}

fn layer(r: &mut Report, i: usize, layer: &LayerConfig, granted: &HashSet<String>, names: &mut HashSet<String>) {
    let name = Some(layer.name.as_str());
    if layer.name.is_empty()
        || !layer
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        r.err(
            name,
            format!("layers[{i}].name"),
            "a layer name is made of ASCII letters, digits, `_` and `-`".into(),
        );
    }
    if layer.name == "catalog" {
        r.err(
            name,
            format!("layers[{i}].name"),
            "`catalog` is the catalogue's collection (OGC API - Records): choose another name".into(),
        );
    }
    if !names.insert(layer.name.clone()) {
        r.err(
            name,
            format!("layers[{i}].name"),
            "this name is used by another layer".into(),
        );
    }
    // A cascaded layer's title comes from the upstream's capabilities.
    if layer.title.trim().is_empty() && !layer.source.is_remote() {
        r.err(name, format!("layers[{i}].title"), "a title is required".into());
    }
    remote_source(r, i, name, &layer.source);
    if layer.crs.is_empty() {
        r.err(name, format!("layers[{i}].crs"), "list at least one CRS".into());
    }
    for (j, c) in layer.crs.iter().enumerate() {
        if Crs::parse(c).is_err() {
            r.err(
                name,
                format!("layers[{i}].crs[{j}]"),
                format!("`{c}` is not a CRS that PROJ knows"),
            );
        }
    }
    if let Some(c) = &layer.source.crs
        && Crs::parse(c).is_err()
    {
        r.err(
            name,
            format!("layers[{i}].source.crs"),
            format!("`{c}` is not a CRS that PROJ knows"),
        );
    }
    if let (Some(min), Some(max)) = (layer.min_scale, layer.max_scale)
        && !(min >= 0.0 && min < max)
    {
        r.err(
            name,
            format!("layers[{i}].min_scale"),
            format!("min_scale ({min}) must be below max_scale ({max})"),
        );
    }
    if let Some(default) = &layer.default_style
        && !layer.styles.is_empty()
        && !layer.styles.contains(default)
    {
        r.err(
            name,
            format!("layers[{i}].default_style"),
            format!("`{default}` is not one of the layer's styles"),
        );
    }
    if matches!(layer.source.kind, SourceKind::Wms | SourceKind::Wmts) && !layer.styles.is_empty() {
        r.err(
            name,
            format!("layers[{i}].styles"),
            "a cascaded layer is drawn as its upstream draws it: choose the upstream's style with `source.style`"
                .into(),
        );
    }
    if layer.source.kind.is_vector() && layer.styles.is_empty() {
        r.err(
            name,
            format!("layers[{i}].styles"),
            "a vector layer needs at least one style".into(),
        );
    }
    for (j, t) in layer.tile_matrix_sets.iter().flatten().enumerate() {
        if TileMatrixSet::get(t).is_none() {
            r.err(
                name,
                format!("layers[{i}].tile_matrix_sets[{j}]"),
                format!("`{t}` is not WebMercatorQuad, LAMB93 or WorldCRS84Quad"),
            );
        }
    }
    for (j, g) in layer.groups.iter().enumerate() {
        if !granted.contains(g) {
            r.err(
                name,
                format!("layers[{i}].groups[{j}]"),
                format!("no API key grants the group `{g}`: nobody could see this layer"),
            );
        }
    }
    metadata(r, i, name, &layer.metadata);
    if layer.time.is_some() && !layer.source.kind.is_vector() {
        r.err(
            name,
            format!("layers[{i}].time"),
            "a time dimension is read from vector features (a mosaic's editions come from its index)".into(),
        );
    }
}

/// A file source names its file; a remote one its URL and what to draw there.
fn remote_source(r: &mut Report, i: usize, name: Option<&str>, s: &super::SourceConfig) {
    let key = |k: &str| format!("layers[{i}].source.{k}");
    if !s.is_remote() {
        if s.path.as_os_str().is_empty() {
            r.err(name, key("path"), "a file source needs `path`".into());
        }
        for (set, k) in [
            (s.url.is_some(), "url"),
            (s.layer.is_some(), "layer"),
            (!s.layers.is_empty(), "layers"),
        ] {
            if set {
                r.err(
                    name,
                    key(k),
                    format!("`{k}` is for remote sources (kind = \"wms\", \"wmts\" or \"ogcapi-features\")"),
                );
            }
        }
        return;
    }
    match s.url.as_deref().map(crate::upstream::host_of) {
        None => r.err(name, key("url"), "a remote source needs the service's `url`".into()),
        Some(Err(e)) => r.err(name, key("url"), e),
        Some(Ok(_)) => {}
    }
    match s.kind {
        SourceKind::Wms if s.layers.is_empty() => {
            r.err(name, key("layers"), "name the upstream WMS layers to draw".into())
        }
        SourceKind::Wmts if s.layer.is_none() => r.err(name, key("layer"), "name the upstream WMTS layer".into()),
        _ => {}
    }
    if let Some(k) = &s.key
        && let Err(e) = k.read()
    {
        r.err(name, key("key"), e);
    }
}

/// A layer's catalogue metadata names a known theme and topic, and a UUID
/// that is one.
fn metadata(r: &mut Report, i: usize, name: Option<&str>, m: &super::LayerMetadata) {
    use crate::records::Theme;
    if let Some(t) = &m.theme
        && Theme::by_code(t).is_none()
    {
        r.err(
            name,
            format!("layers[{i}].metadata.theme"),
            format!("`{t}` is not an INSPIRE theme code (oi, lc, lu, ad, cp, us, bu, au…)"),
        );
    }
    if let Some(t) = &m.topic
        && crate::records::topic_category(t).is_none()
    {
        r.err(
            name,
            format!("layers[{i}].metadata.topic"),
            format!(
                "`{t}` is not an ISO 19115 topic category (imageryBaseMapsEarthCover, location, planningCadastre…)"
            ),
        );
    }
    match (&m.csw, &m.id) {
        (Some(url), Some(_)) if !(url.starts_with("http://") || url.starts_with("https://")) => r.err(
            name,
            format!("layers[{i}].metadata.csw"),
            format!("`{url}` is not an http(s) URL of a CSW"),
        ),
        (Some(_), None) => r.err(
            name,
            format!("layers[{i}].metadata.id"),
            "`csw` needs the record's `id`".into(),
        ),
        (None, Some(_)) => r.err(
            name,
            format!("layers[{i}].metadata.csw"),
            "`id` needs the `csw` holding it".into(),
        ),
        _ => {}
    }
    if let Some(u) = &m.uuid
        && uuid::Uuid::parse_str(u).is_err()
    {
        r.err(
            name,
            format!("layers[{i}].metadata.uuid"),
            format!("`{u}` is not a UUID"),
        );
    }
}
