//! The catalog: layers built from the configuration, with their opened
//! sources, parsed styles and extents in every offered CRS.
//!
//! A layer whose source or style cannot be read is left out and reported;
//! the other layers keep serving.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::grid::{BBox, Crs};
use crate::layer::{Layer, OpenFailure};
use crate::legend::Legend;
use crate::metadata::ServiceMetadata;
use crate::source::SourceVersion;

pub struct Catalog {
    pub config: Config,
    pub metadata: ServiceMetadata,
    pub layers: Vec<Arc<Layer>>,
    /// Problems found while loading: each names the layer and the file.
    pub problems: Vec<String>,
    /// Configured layers that could not be opened, with why: requests naming
    /// them get a 503 that says so rather than "no such layer".
    pub broken: HashMap<String, String>,
    /// Layers whose styles or upstream failed (a reload keeps their previous version).
    pub passing_failures: Vec<String>,
    /// Changes whenever the configuration or a source changes: the
    /// revision clients compare (capabilities' `updateSequence`).
    pub update_sequence: u64,
    /// The default legend of every layer and style, rendered once.
    pub legends: HashMap<(String, String), Legend>,
    /// Every file the catalog was built from, with its state then (None:
    /// missing), so that a change, a fix or a removal can be noticed.
    watched: Vec<(PathBuf, Option<SourceVersion>)>,
    /// When the catalog was built: a cascaded layer that could not open is
    /// tried again [`RETRY_BROKEN_UPSTREAM`] later, not at every check.
    opened_at: std::time::Instant,
    /// The API keys, by digest.
    pub keys: crate::access::Keys,
    /// Which caller view this is (`all` for the full catalog): part of the
    /// key of every generated document.
    pub view: String,
    /// `apikey=…` to carry on in links, when the caller gave its key in the URL.
    pub link_query: Option<String>,
}

/// A layer's metadata from a partner's CSW, when configured; a catalogue
/// that cannot answer leaves the layer with its own metadata, and says so.
fn harvest(lc: &crate::config::LayerConfig) -> Option<crate::records::harvest::Harvested> {
    let (csw, id) = (lc.metadata.csw.as_deref()?, lc.metadata.id.as_deref()?);
    match crate::records::harvest::fetch(csw, id) {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::warn!(layer = %lc.name, "metadata not harvested, the configured one is used: {e}");
            None
        }
    }
}

/// How often a cascaded layer whose upstream was down when it opened is tried again.
pub const RETRY_BROKEN_UPSTREAM: std::time::Duration = std::time::Duration::from_secs(30);

impl Catalog {
    /// Reads a configuration file and opens its catalog, after GDAL's
    /// process-wide set-up; each broken layer is logged and left out.
    pub fn open(config_path: &std::path::Path) -> Result<Catalog, String> {
        let config = Config::load(config_path).map_err(|errors| {
            let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            format!("invalid configuration:\n  {}", text.join("\n  "))
        })?;
        crate::source::gdal::init(config.server.gdal_cache_mb);
        crate::source::datasets::set_capacity(config.server.max_open_datasets);
        let catalog = Catalog::load(config)?;
        catalog.log_problems();
        Ok(catalog)
    }

    /// The partners' hosts the cascaded layers read from, each with its
    /// name as a caller may see it and whether a public layer reads from
    /// it: a host that only restricted layers read from is never named to
    /// anyone (`restricted upstream N`).
    pub fn upstream_hosts(&self) -> Vec<(String, Arc<crate::upstream::Host>, bool)> {
        let mut out: Vec<(String, Arc<crate::upstream::Host>, bool)> = Vec::new();
        for l in &self.layers {
            let Some(host) = l.config.source.url.as_deref().and_then(crate::upstream::known_host) else {
                continue;
            };
            let public = l.config.is_public();
            match out.iter_mut().find(|(_, h, _)| Arc::ptr_eq(h, &host)) {
                Some(seen) => seen.2 |= public,
                None => out.push((host.name.clone(), host, public)),
            }
        }
        let mut hidden = 0;
        out.into_iter()
            .map(|(name, h, public)| {
                if public {
                    (name, h, true)
                } else {
                    hidden += 1;
                    (format!("restricted upstream {hidden}"), h, false)
                }
            })
            .collect()
    }

    /// The problems as anyone may read them: a restricted layer's could
    /// name its partner (or its file) to callers who may not know it
    /// exists, so it says only that a restricted layer cannot be served.
    pub fn public_problems(&self) -> Vec<String> {
        let restricted: Vec<&str> = self
            .config
            .layers
            .iter()
            .filter(|l| !l.is_public())
            .map(|l| l.name.as_str())
            .collect();
        self.problems
            .iter()
            .map(|p| {
                if restricted.iter().any(|name| p.starts_with(&format!("layer `{name}`:"))) {
                    "a restricted layer cannot be served (the server's log says why)".to_string()
                } else {
                    p.clone()
                }
            })
            .collect()
    }

    /// Logs every layer left out, with why.
    pub fn log_problems(&self) {
        for p in &self.problems {
            tracing::error!("{p}; the layer is left out, the others are served");
        }
    }

    /// Builds the catalog. Only unreadable service metadata is fatal; a broken
    /// layer is recorded in `problems` and left out.
    pub fn load(config: Config) -> Result<Catalog, String> {
        let metadata_path = config.resolve(&config.server.metadata);
        let metadata = ServiceMetadata::load(&metadata_path).map_err(|e| e.to_string())?;
        let mut layers = Vec::new();
        let mut problems = Vec::new();
        let mut broken = HashMap::new();
        let mut passing_failures = Vec::new();
        let mut newest = SourceVersion::of(&config.path)
            .map(|v| v.modified)
            .unwrap_or(UNIX_EPOCH);
        for lc in &config.layers {
            match Layer::open(&config, lc) {
                Ok(mut layer) => {
                    newest = newest.max(layer.source.meta().version.modified);
                    layer.harvested = harvest(lc);
                    layers.push(Arc::new(layer));
                }
                Err((failure, msg)) => {
                    let problem = format!("layer `{}`: {msg}", lc.name);
                    // A style being edited, a partner down for a moment: a
                    // reload keeps what served before.
                    if failure == OpenFailure::Style || lc.source.is_remote() {
                        passing_failures.push(lc.name.clone());
                    }
                    broken.insert(lc.name.clone(), problem.clone());
                    problems.push(problem);
                }
            }
        }
        let update_sequence = newest.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let mut paths = vec![config.path.clone(), metadata_path];
        for lc in config.layers.iter().filter(|l| !l.source.is_remote()) {
            paths.push(config.resolve(&lc.source.path));
            paths.extend(lc.styles.iter().map(|s| config.style_path(&lc.name, s)));
        }
        for l in &layers {
            paths.extend(l.source.meta().files.iter().map(|(f, _)| f.clone()));
        }
        paths.sort();
        paths.dedup();
        let watched = paths
            .into_iter()
            .map(|p| {
                let v = SourceVersion::of(&p).ok();
                (p, v)
            })
            .collect();
        let mut legends = HashMap::new();
        for l in &layers {
            for s in &l.styles {
                let legend = Legend::prerender(l, s).map_err(|e| e.to_string())?;
                legends.insert((l.name().to_string(), s.name.clone()), legend);
            }
        }
        Ok(Catalog {
            keys: crate::access::Keys::new(&config.auth),
            config,
            metadata,
            layers,
            problems,
            broken,
            passing_failures,
            update_sequence,
            legends,
            watched,
            opened_at: std::time::Instant::now(),
            view: "all".into(),
            link_query: None,
        })
    }

    /// The catalog as a caller sees it: only the layers its groups may see.
    /// Everything else (documents, lookups, legends) follows from that.
    pub fn view_for(&self, caller: &crate::access::Caller) -> Catalog {
        let groups = caller.groups();
        let visible = |name: &str| {
            self.config
                .layers
                .iter()
                .find(|l| l.name == name)
                .is_some_and(|l| crate::access::may_see(&l.groups, groups))
        };
        let mut config = self.config.clone();
        config.layers.retain(|l| crate::access::may_see(&l.groups, groups));
        Catalog {
            config,
            metadata: self.metadata.clone(),
            layers: self.layers.iter().filter(|l| visible(l.name())).cloned().collect(),
            problems: Vec::new(),
            broken: self
                .broken
                .iter()
                .filter(|(name, _)| {
                    self.config
                        .layers
                        .iter()
                        .any(|l| &l.name == *name && crate::access::may_see(&l.groups, groups))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            passing_failures: Vec::new(),
            update_sequence: self.update_sequence,
            legends: self
                .legends
                .iter()
                .filter(|((layer, _), _)| visible(layer))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            watched: Vec::new(),
            opened_at: self.opened_at,
            keys: self.keys.clone(),
            view: caller.view_id(),
            link_query: caller.link_query(),
        }
    }

    /// `url` with the caller's `apikey=…` added, when it has one to carry on.
    pub fn keyed(&self, url: &str) -> String {
        match &self.link_query {
            Some(q) if url.contains('?') => format!("{url}&{q}"),
            Some(q) => format!("{url}?{q}"),
            None => url.to_string(),
        }
    }

    /// Whether a file the catalog was built from changed, appeared or vanished.
    /// Whether a cascaded layer needs a reload: its upstream's capabilities
    /// changed (checked every `refresh_s`), or it could not open and its
    /// upstream may be back.
    pub fn changed_upstream(&self) -> bool {
        let retry = self.opened_at.elapsed() >= RETRY_BROKEN_UPSTREAM
            && self
                .config
                .layers
                .iter()
                .any(|lc| lc.source.is_remote() && self.broken.contains_key(&lc.name));
        retry
            || self.layers.iter().any(|l| match &l.source {
                crate::source::Source::Remote(r) => {
                    r.due_for_refresh() && r.changed_upstream(&self.config, &l.config.source)
                }
                _ => false,
            })
    }

    pub fn changed_on_disk(&self) -> bool {
        self.watched.iter().any(|(p, v)| SourceVersion::of(p).ok() != *v)
    }

    pub fn layer(&self, name: &str) -> Option<&Arc<Layer>> {
        self.layers.iter().find(|l| l.name() == name)
    }

    /// A layer by name, or why there is none to serve: not found (for this
    /// caller), or unavailable when it is configured but its source or style
    /// is broken (the message names the file).
    pub fn lookup(&self, name: &str) -> Result<&Arc<Layer>, Error> {
        match self.layer(name) {
            Some(l) => Ok(l),
            None => match self.broken.get(name) {
                Some(problem) => Err(Error::new(ErrorKind::Unavailable, problem.clone())),
                None => Err(Error::new(ErrorKind::NotFound, format!("no layer named `{name}`"))),
            },
        }
    }

    /// Keeps `old`'s version of every layer whose new styles failed to load
    /// or whose upstream did not answer: a bad edit of a style file, or a
    /// partner's restart, does not take the layer down.
    pub fn keep_on_failure(&mut self, old: &Catalog) {
        for name in std::mem::take(&mut self.passing_failures) {
            let Some(previous) = old.layer(&name) else { continue };
            let at = self
                .config
                .layers
                .iter()
                .position(|l| l.name == name)
                .map(|i| {
                    self.config.layers[..i]
                        .iter()
                        .filter(|l| self.layer(&l.name).is_some())
                        .count()
                })
                .unwrap_or(self.layers.len());
            self.layers.insert(at.min(self.layers.len()), Arc::clone(previous));
            for ((layer, style), legend) in &old.legends {
                if *layer == name {
                    self.legends.insert((layer.clone(), style.clone()), legend.clone());
                }
            }
            self.broken.remove(&name);
            for p in self
                .problems
                .iter_mut()
                .filter(|p| p.starts_with(&format!("layer `{name}`:")))
            {
                p.push_str(" (the previous version of the layer is kept)");
            }
        }
    }

    pub fn legend(&self, layer: &str, style: &str) -> Option<&Legend> {
        self.legends.get(&(layer.to_string(), style.to_string()))
    }

    /// CRSs every layer offers, in the order of the first layer's list.
    pub fn common_crs(&self) -> Vec<Crs> {
        let Some(first) = self.layers.first() else {
            return Vec::new();
        };
        first
            .crs
            .iter()
            .copied()
            .filter(|c| self.layers.iter().all(|l| l.offers_crs(*c)))
            .collect()
    }

    /// The union of every layer's CRS84 extent.
    pub fn geographic_extent(&self) -> Option<BBox> {
        self.layers
            .iter()
            .map(|l| l.geographic_extent)
            .reduce(|a, b| a.union(&b))
    }
}
