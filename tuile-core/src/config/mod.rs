//! The `tuile.toml` configuration: server settings and layers.
//!
//! Parsing is strict (unknown keys are errors) because a typo that silently
//! drops a setting is worse than a refusal to start. Every error names the
//! file, the key and, where there is one, the layer.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod env;
mod validate;

use crate::source::SourceKind;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default, rename = "layers")]
    pub layers: Vec<LayerConfig>,
    /// How tuile behaves as a client of each partner host (`[upstreams."host"]`,
    /// the host as in the URL, with its port when it has one).
    #[serde(default)]
    pub upstreams: std::collections::BTreeMap<String, crate::upstream::HostConfig>,
    /// The directory relative paths are resolved against (the config file's).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The file this configuration was read from, for error messages.
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address `tuile serve` listens on when `--bind` is not given.
    pub bind: String,
    /// The public base URL written into capabilities and links, such as
    /// `https://geo.example.org/tuile`. Without it, it is derived from each
    /// request's Host header.
    pub public_url: Option<String>,
    /// Service metadata (titles, contact, fees, access constraints).
    pub metadata: PathBuf,
    /// Directory holding `<layer>/<style>.sld` files.
    pub styles_dir: PathBuf,
    /// The embeddable map page's files, with OpenLayers installed by npm.
    pub viewer_dir: PathBuf,
    /// Worker threads for rendering and GDAL reads; 0 means one per core.
    pub render_threads: usize,
    /// GDAL block cache size, in MiB.
    pub gdal_cache_mb: u32,
    /// Raster files kept open between requests, shared by the render
    /// threads (a mosaic opens only the files a request needs, and closes
    /// the least recently used past this many).
    pub max_open_datasets: usize,
    /// Seconds between checks of the source files for changes (0: never).
    pub watch_interval_s: u64,
    pub limits: Limits,
    pub cache: CacheConfig,
    pub admin: AdminConfig,
    pub cors: CorsConfig,
    pub rate_limit: RateLimitConfig,
}

/// Request rates allowed per caller: off (0) unless set. A caller with a
/// key is counted by its key, any other by its address; past the rate, the
/// answer is a 429 with `Retry-After`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Requests per second for each API key holder.
    pub per_key: u32,
    /// Requests per second for each client address without a key.
    pub per_address: u32,
    /// Requests a caller may make at once above its rate (default: one
    /// second's worth).
    pub burst: u32,
    /// Count addresses from `Forwarded` / `X-Forwarded-For` (behind a proxy
    /// that sets them); otherwise from the connection.
    pub trust_forwarded: bool,
}

/// Cross-origin access, so partner portals can call the services from a browser.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CorsConfig {
    /// Origins allowed, such as `https://portail.example.org`; `*` allows any.
    /// Empty: no CORS headers at all.
    pub allowed_origins: Vec<String>,
    /// How long a browser may keep a preflight answer, in seconds.
    pub max_age: usize,
}

impl Default for CorsConfig {
    fn default() -> Self {
        CorsConfig {
            allowed_origins: vec!["*".into()],
            max_age: 3600,
        }
    }
}

/// API keys and the groups they grant. Keys are stored as SHA-256 digests,
/// never in clear: `tuile hash-key` prints the digest of a key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub keys: Vec<ApiKey>,
    /// A separate TOML file of `[[keys]]`, such as a mounted secret.
    pub keys_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// Who holds the key, for logs.
    pub name: String,
    /// Lowercase hex SHA-256 of the key.
    pub sha256: String,
    pub groups: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    #[serde(default)]
    keys: Vec<ApiKey>,
}

/// The tile cache: memory (level 1) and an optional directory (level 2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Memory for encoded tiles, in MiB; never exceeded.
    pub memory_mb: u64,
    /// Directory of the on-disk tile store, written by `tuile seed` and read
    /// behind the memory cache. None: no disk store.
    pub disk: Option<PathBuf>,
    /// Whether `serve` also writes the tiles it renders to the disk store.
    pub disk_write: bool,
    /// HTTP `Cache-Control: max-age` for tiles and maps, in seconds.
    pub max_age: u32,
    /// Tiles rendered at once (N×N) for vector layers.
    pub metatile_vector: u32,
    /// Tiles rendered at once (N×N) for raster layers.
    pub metatile_raster: u32,
    /// Pixels drawn around a metatile so that symbols are not cut at its edges.
    pub buffer: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            memory_mb: 512,
            disk: None,
            disk_write: false,
            max_age: 3600,
            metatile_vector: 4,
            metatile_raster: 1,
            buffer: 64,
        }
    }
}

/// The admin endpoint (cache invalidation): off unless enabled, and only on loopback.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    pub enabled: bool,
    pub bind: String,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            enabled: false,
            bind: "127.0.0.1:8081".into(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "127.0.0.1:8080".to_string(),
            public_url: None,
            metadata: PathBuf::from("capabilities/service.toml"),
            styles_dir: PathBuf::from("styles"),
            viewer_dir: PathBuf::from("viewer"),
            render_threads: 0,
            gdal_cache_mb: 256,
            max_open_datasets: 256,
            watch_interval_s: 2,
            limits: Limits::default(),
            cache: CacheConfig::default(),
            admin: AdminConfig::default(),
            cors: CorsConfig::default(),
            rate_limit: RateLimitConfig::default(),
        }
    }
}

/// Request limits, enforced and advertised in capabilities.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_width: u32,
    pub max_height: u32,
    /// Most pixels in one image (width × height), whatever its shape.
    pub max_pixels: u64,
    /// Most layers in one GetMap (WMS LayerLimit).
    pub max_layers: u32,
    /// Most features in one page of OGC API items (larger `limit`s are clamped).
    pub max_features: usize,
    /// Most nodes in a CQL2 filter.
    pub max_filter_nodes: usize,
    /// Milliseconds a render or read may take before it is cancelled and
    /// answered with an exception.
    pub render_timeout_ms: u64,
    /// Renders and reads running or waiting at once; past it, 503 with
    /// Retry-After (cached tiles are still served).
    pub max_concurrent_renders: usize,
    /// Longest query string accepted, in bytes (414 beyond).
    pub max_query_length: usize,
    /// Largest request body accepted, in bytes (413 beyond): every service is GET.
    pub max_body_bytes: usize,
    /// Seconds a client has to send its request headers (slow clients are cut off).
    pub client_timeout_s: u64,
    /// Seconds in-flight requests get to finish on SIGTERM.
    pub shutdown_timeout_s: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_width: 4096,
            max_height: 4096,
            max_pixels: 4096 * 4096,
            max_layers: 10,
            max_features: 10_000,
            max_filter_nodes: 2_000,
            render_timeout_ms: 30_000,
            max_concurrent_renders: 64,
            max_query_length: 16 * 1024,
            max_body_bytes: 64 * 1024,
            client_timeout_s: 5,
            shutdown_timeout_s: 30,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    pub name: String,
    /// Required, but for a cascaded layer (the upstream's by default).
    #[serde(default)]
    pub title: String,
    pub title_en: Option<String>,
    #[serde(rename = "abstract", default)]
    pub abstract_: String,
    pub abstract_en: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub attribution: Option<Attribution>,
    pub licence: Option<String>,
    /// Where the licence's text is read (a public layer's default: the service's).
    pub licence_url: Option<String>,
    pub source: SourceConfig,
    /// The style used when a request names none; the first of `styles` by default.
    pub default_style: Option<String>,
    /// Style names, each read from `<styles_dir>/<layer>/<style>.sld`.
    #[serde(default)]
    pub styles: Vec<String>,
    /// CRSs offered, as `EPSG:nnnn` or `CRS:84`.
    pub crs: Vec<String>,
    /// Smallest scale denominator the layer is drawn at (the most zoomed-in).
    pub min_scale: Option<f64>,
    /// Largest scale denominator the layer is drawn at (the most zoomed-out).
    pub max_scale: Option<f64>,
    /// A time dimension read from a feature property, such as OCS GE millésimes.
    pub time: Option<TimeConfig>,
    /// Whether GetFeatureInfo answers for this layer (true by default).
    pub queryable: Option<bool>,
    /// Tile matrix sets the layer is tiled in; all those whose CRS it offers by default.
    pub tile_matrix_sets: Option<Vec<String>>,
    /// HTTP `Cache-Control: max-age` for this layer, overriding the server's.
    pub cache_max_age: Option<u32>,
    /// How long this layer's tiles stay in memory, in seconds (default: until evicted).
    pub cache_ttl: Option<u64>,
    /// Groups whose members may see the layer; empty: public. To anyone
    /// else the layer does not exist, in every service.
    #[serde(default)]
    pub groups: Vec<String>,
    /// What only a person can say of the data, for its catalogue record;
    /// everything else is read from the data.
    #[serde(default)]
    pub metadata: LayerMetadata,
}

/// A layer's catalogue metadata, written once (see `records`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerMetadata {
    /// The resource identifier's code in the catalogue's namespace (default: the layer name).
    pub identifier: Option<String>,
    /// The record's file identifier, when an existing catalogue already
    /// gave one; by default a UUID derived from the resource identifier.
    pub uuid: Option<String>,
    /// The INSPIRE theme's code (`oi`, `lc`, `ad`, `us`…).
    pub theme: Option<String>,
    /// The ISO 19115 topic category (default: the theme's).
    pub topic: Option<String>,
    /// How the data was made.
    pub lineage: Option<crate::metadata::Localized>,
    /// English keywords, next to the French ones of `keywords`.
    #[serde(default)]
    pub keywords_en: Vec<String>,
    /// A partner's CSW holding the dataset's record (with `id`): its
    /// titles, abstracts, keywords, lineage and use limitation replace
    /// these, and are read again on every reload.
    pub csw: Option<String>,
    /// The record's identifier in that CSW.
    pub id: Option<String>,
}

impl LayerConfig {
    pub fn is_public(&self) -> bool {
        self.groups.is_empty()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribution {
    pub title: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub kind: SourceKind,
    /// The file (local sources).
    #[serde(default)]
    pub path: PathBuf,
    /// The CRS of the data, when the file does not say it in a way tuile
    /// can match to an EPSG entry (`EPSG:2154`): overrides the file's. For a
    /// remote WMS, the CRS asked upstream when it does not offer the
    /// request's (default: the first it offers among tuile's).
    pub crs: Option<String>,
    /// A partner's service (remote sources): the WMS or WMTS endpoint
    /// (capabilities are asked there) or the OGC API collection's URL.
    pub url: Option<String>,
    /// The remote WMS layers drawn, in order (bottom first).
    #[serde(default)]
    pub layers: Vec<String>,
    /// The remote WMTS layer.
    pub layer: Option<String>,
    /// The remote style (default: the upstream's default).
    pub style: Option<String>,
    /// The image format asked upstream (default: PNG when offered).
    pub format: Option<String>,
    /// The most features mirrored from a remote collection (default 500 000).
    pub max_features: Option<usize>,
    /// The one upstream tile matrix set to read (remote WMTS; default: the
    /// one in the request's CRS when there is one, else the first).
    pub matrix_set: Option<String>,
    /// A key the upstream needs, sent with every request to it.
    pub key: Option<crate::upstream::KeyConfig>,
    /// Seconds between reads of the upstream's capabilities (0: only on reload).
    #[serde(default)]
    pub refresh_s: u64,
    /// How long an expired cached answer is still served while the upstream
    /// fails, in seconds (stale-if-error).
    #[serde(default = "default_stale_grace")]
    pub stale_grace_s: u64,
}

fn default_stale_grace() -> u64 {
    86_400
}

impl SourceConfig {
    /// Whether the source is a partner's service rather than a file.
    pub fn is_remote(&self) -> bool {
        self.kind.is_remote()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeConfig {
    /// The feature property holding the edition, such as `millesime`.
    pub field: String,
    /// The edition drawn when a request gives no TIME; the latest by default.
    pub default: Option<String>,
}

/// One configuration problem, located by file, line, key and layer.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub layer: Option<String>,
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    pub fn new(file: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: file.to_path_buf(),
            line: None,
            layer: None,
            key: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(layer) = &self.layer {
            write!(f, "layer `{layer}`, ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "key `{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The `name` of the n-th `[[layers]]` table, read from the text itself so
/// that it works when the file does not parse.
fn layer_name_in_text(text: &str, n: usize) -> Option<String> {
    let text = format!("\n{text}");
    let mut tables = text.split("\n[[layers]]").skip(1);
    let table = tables.nth(n)?;
    let body = table.split("\n[").next()?;
    body.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Replaces `${NAME}` and `${NAME:-default}`; an unset variable without a
/// default is an error at its line.
fn expand_vars(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let line = text[..text.len() - rest.len() + start].matches('\n').count() + 1;
        let Some(len) = rest[start..].find('}') else {
            return Err((line, "`${` without a closing `}`".into()));
        };
        let inner = &rest[start + 2..start + len];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err((line, format!("`${{{inner}}}` is not a variable reference")));
        }
        match lookup(name).filter(|v| !v.is_empty()).or(default.map(str::to_string)) {
            Some(v) => out.push_str(&v),
            None => return Err((line, format!("environment variable {name} is not set"))),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Locates a TOML error: its line, and the `[[layers]]` entry it falls in.
pub fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let mut err = ConfigError::new(path, e.message());
    if let Some(span) = e.span() {
        let before = &text[..span.start.min(text.len())];
        err.line = Some(before.matches('\n').count() + 1);
        let nth = before
            .lines()
            .filter(|l| l.trim_start().starts_with("[[layers]]"))
            .count();
        if nth > 0 {
            err.layer = Some(layer_name_in_text(text, nth - 1).unwrap_or_else(|| format!("layers[{}]", nth - 1)));
        }
    }
    err
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads and checks a configuration file. Source files are not opened
    /// here; the catalog does that and reports each failure on its own.
    pub fn load(path: &Path) -> Result<Config, Vec<ConfigError>> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![ConfigError::new(path, format!("cannot read the configuration: {e}"))])?;
        Config::from_toml(&text, path)
    }

    /// Parses configuration text as if read from `path`, with `${VAR}`
    /// references taken from the process environment.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, Vec<ConfigError>> {
        Config::parse(text, path, |name| std::env::var(name).ok(), std::env::vars())
    }

    /// Parses configuration text, expanding `${VAR}` and `${VAR:-default}`
    /// with `lookup` (so containers and tests can move data without editing).
    pub fn from_toml_with(
        text: &str,
        path: &Path,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, Vec<ConfigError>> {
        Config::parse(text, path, lookup, std::iter::empty())
    }

    /// Parses configuration text: `${VAR}` expansion, then the
    /// `TUILE_<SECTION>__<KEY>` settings of `env`, then checks.
    pub fn parse(
        text: &str,
        path: &Path,
        lookup: impl Fn(&str) -> Option<String>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, Vec<ConfigError>> {
        let text = &expand_vars(text, lookup).map_err(|(line, message)| {
            vec![ConfigError {
                line: Some(line),
                ..ConfigError::new(path, message)
            }]
        })?;
        let settings = env::settings(env);
        let mut config: Config = if settings.is_empty() {
            toml::from_str(text).map_err(|e| vec![toml_error(path, text, &e)])?
        } else {
            // Environment settings go into the parsed tree; errors then have
            // no line, but name the key.
            let mut table: toml::Table = toml::from_str(text).map_err(|e| vec![toml_error(path, text, &e)])?;
            env::apply(&mut table, &settings).map_err(|m| vec![ConfigError::new(path, m)])?;
            toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| {
                vec![ConfigError::new(
                    path,
                    format!("{} (with the TUILE_* environment settings)", e.message()),
                )]
            })?
        };
        config.path = path.to_path_buf();
        config.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(file) = config.auth.keys_file.clone() {
            let file = config.resolve(&file);
            let text = std::fs::read_to_string(&file)
                .map_err(|e| vec![ConfigError::new(&file, format!("cannot read the keys file: {e}"))])?;
            let keys: KeysFile = toml::from_str(&text).map_err(|e| vec![toml_error(&file, &text, &e)])?;
            config.auth.keys.extend(keys.keys);
        }
        let errors = validate::validate(&config);
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }

    /// Loads a file with `${VAR}` references taken from `lookup`.
    pub fn load_with(path: &Path, lookup: impl Fn(&str) -> Option<String>) -> Result<Config, Vec<ConfigError>> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![ConfigError::new(path, format!("cannot read the configuration: {e}"))])?;
        Config::from_toml_with(&text, path, lookup)
    }

    /// A path from the configuration, resolved against the config's directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    /// The path of a layer's style file.
    pub fn style_path(&self, layer: &str, style: &str) -> PathBuf {
        self.resolve(&self.server.styles_dir)
            .join(layer)
            .join(format!("{style}.sld"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[layers]]
name = "erp"
title = "ERP"
source = { kind = "flatgeobuf", path = "data/erp.fgb" }
styles = ["default"]
crs = ["EPSG:2154", "CRS:84"]
"#;

    #[test]
    fn minimal_config_loads_with_defaults() {
        let c = Config::from_toml(MINIMAL, Path::new("conf/tuile.toml")).unwrap();
        assert_eq!(c.server.bind, "127.0.0.1:8080");
        assert_eq!(c.server.limits.max_width, 4096);
        assert_eq!(c.resolve(&c.layers[0].source.path), PathBuf::from("conf/data/erp.fgb"));
    }

    #[test]
    fn unknown_key_names_file_and_position() {
        let text = MINIMAL.replace("styles =", "stiles =");
        let errs = Config::from_toml(&text, Path::new("tuile.toml")).unwrap_err();
        let msg = errs[0].to_string();
        assert!(msg.starts_with("tuile.toml:6: layer `erp`, "), "{msg}");
        assert!(msg.contains("stiles"), "{msg}");
    }

    #[test]
    fn semantic_errors_name_layer_and_key() {
        let text = MINIMAL.replace("\"CRS:84\"", "\"EPSG:999999\"");
        let errs = Config::from_toml(&text, Path::new("tuile.toml")).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].layer.as_deref(), Some("erp"));
        assert_eq!(errs[0].key.as_deref(), Some("layers[0].crs[1]"));
        assert!(errs[0].to_string().contains("layer `erp`"));
    }

    #[test]
    fn variables_expand_with_defaults() {
        let text = MINIMAL.replace("data/erp.fgb", "${TUILE_DATA:-data}/erp.fgb");
        let c = Config::from_toml_with(&text, Path::new("t.toml"), |_| None).unwrap();
        assert_eq!(c.layers[0].source.path, PathBuf::from("data/erp.fgb"));
        let c = Config::from_toml_with(&text, Path::new("t.toml"), |n| {
            (n == "TUILE_DATA").then(|| "/srv".into())
        })
        .unwrap();
        assert_eq!(c.layers[0].source.path, PathBuf::from("/srv/erp.fgb"));
        let text = MINIMAL.replace("data/erp.fgb", "${NOPE}/erp.fgb");
        let e = Config::from_toml_with(&text, Path::new("t.toml"), |_| None).unwrap_err();
        assert_eq!(e[0].line, Some(5));
        assert!(e[0].message.contains("NOPE"));
    }

    #[test]
    fn duplicate_names_and_bad_scales_are_reported_together() {
        let text = format!(
            "{MINIMAL}{}",
            MINIMAL.replace("crs =", "min_scale = 10.0\nmax_scale = 5.0\ncrs =")
        );
        let errs = Config::from_toml(&text, Path::new("tuile.toml")).unwrap_err();
        let keys: Vec<_> = errs.iter().filter_map(|e| e.key.as_deref()).collect();
        assert!(keys.contains(&"layers[1].name"), "{keys:?}");
        assert!(keys.contains(&"layers[1].min_scale"), "{keys:?}");
    }
}
