//! What every request handler shares: the catalog (swapped atomically on
//! reload, and cut per caller), the render pool, the tile cache and the
//! generated documents.

use std::sync::Arc;

use actix_web::HttpRequest;
use bytes::Bytes;
use parking_lot::RwLock;

use tuile_core::catalog::Catalog;
use tuile_core::config::Config;
use tuile_core::pool::RenderPool;
use tuile_core::tiles::TileCache;

/// `name[:port]` or `[v6]:port`, as a Host header may carry.
fn is_host(h: &str) -> bool {
    !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b))
}

/// A caller's view and the full catalog it was cut from.
type CallerView = (Arc<Catalog>, Arc<Catalog>);

/// What every request handler shares.
pub struct AppState {
    catalog: RwLock<Arc<Catalog>>,
    pub pool: RenderPool,
    pub tiles: TileCache,
    /// Request rates per caller, as configured at start.
    pub rates: crate::middleware::rate::RateLimits,
    /// Generated documents (capabilities), keyed by everything that changes them.
    documents: moka::sync::Cache<String, Bytes>,
    /// The catalog as each kind of caller sees it, built on first use.
    /// (the full catalog it was cut from, the view), by caller view id.
    views: parking_lot::Mutex<std::collections::HashMap<String, CallerView>>,
}

impl AppState {
    pub fn new(catalog: Catalog) -> AppState {
        let server = &catalog.config.server;
        let disk = server.cache.disk.as_ref().map(|d| catalog.config.resolve(d));
        let tiles = TileCache::new(&server.cache, disk);
        tiles.configure(&catalog);
        AppState {
            pool: RenderPool::new(
                server.render_threads,
                server.limits.max_concurrent_renders,
                std::time::Duration::from_millis(server.limits.render_timeout_ms),
            )
            .with_observer(Arc::new(|d| {
                crate::observe::METRICS.render_seconds.observe(d.as_secs_f64())
            })),
            tiles,
            rates: crate::middleware::rate::RateLimits::new(&server.rate_limit),
            catalog: RwLock::new(Arc::new(catalog)),
            documents: moka::sync::Cache::builder().max_capacity(256).build(),
            views: Default::default(),
        }
    }

    /// The whole current catalog, restricted layers included: for the
    /// server's own use, never to answer a request (see `catalog_for`).
    pub fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.catalog.read())
    }

    /// Who is calling, from the key the request presents.
    pub fn caller(&self, req: &HttpRequest) -> tuile_core::access::Caller {
        self.catalog
            .read()
            .keys
            .caller(&crate::http::credentials::presented(req))
    }

    /// The catalog as this request's caller may see it; a request keeps the
    /// one it started with.
    pub fn catalog_for(&self, req: &HttpRequest) -> Arc<Catalog> {
        let full = self.catalog();
        let caller = full.keys.caller(&crate::http::credentials::presented(req));
        let id = caller.view_id();
        let mut views = self.views.lock();
        if let Some((from, view)) = views.get(&id)
            && Arc::ptr_eq(from, &full)
        {
            return Arc::clone(view);
        }
        let view = Arc::new(full.view_for(&caller));
        views.insert(id, (full, Arc::clone(&view)));
        view
    }

    /// Swaps in a new catalog atomically and drops the tiles of every layer
    /// whose data, styles or settings changed. In-flight requests finish on
    /// the catalog they started with.
    pub fn replace_catalog(&self, catalog: Catalog) {
        let old = self.catalog();
        let changed: Vec<String> = old
            .layers
            .iter()
            .filter(|l| catalog.layer(l.name()).is_none_or(|n| n.stamp != l.stamp))
            .map(|l| l.name().to_string())
            .collect();
        self.tiles.configure(&catalog);
        *self.catalog.write() = Arc::new(catalog);
        self.views.lock().clear();
        for name in &changed {
            tracing::info!(layer = %name, "layer changed: its cached tiles are dropped");
            self.tiles.invalidate_layer(name);
        }
        self.documents.invalidate_all();
    }

    /// Reloads the configuration and every source from disk.
    pub fn reload(&self) -> anyhow::Result<()> {
        let config = Config::load(&self.catalog().config.path).map_err(|errors| {
            let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            anyhow::anyhow!("invalid configuration:\n  {}", text.join("\n  "))
        })?;
        self.reload_from(config)
    }

    /// Replaces the catalog with one built from `config`: a layer whose
    /// styles fail keeps its previous version, and `updateSequence` moves on.
    pub fn reload_from(&self, config: Config) -> anyhow::Result<()> {
        let old = self.catalog();
        let mut catalog = Catalog::load(config).map_err(|e| anyhow::anyhow!(e))?;
        catalog.keep_on_failure(&old);
        catalog.log_problems();
        // Capabilities change only when something did: keep the sequence monotonic.
        catalog.update_sequence = catalog.update_sequence.max(old.update_sequence + 1);
        self.replace_catalog(catalog);
        Ok(())
    }

    /// The server's base URL as clients reach it: the configured public URL,
    /// or the scheme and host of the request (proxy headers included). A
    /// host that is not a host name or address with a port (a hostile
    /// `Host` header) gives way to the listening address, so that it can
    /// neither be echoed into documents nor fill the document cache.
    pub fn base_url(&self, req: &HttpRequest, catalog: &Catalog) -> String {
        let server = &catalog.config.server;
        if let Some(url) = &server.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let info = req.connection_info();
        let scheme = if info.scheme() == "https" { "https" } else { "http" };
        let host = Some(info.host()).filter(|h| is_host(h)).unwrap_or(&server.bind);
        format!("{scheme}://{host}")
    }

    /// A generated document, built once per key.
    pub fn document(&self, key: String, build: impl FnOnce() -> Vec<u8>) -> Bytes {
        self.documents.get_with(key, || Bytes::from(build()))
    }
}
