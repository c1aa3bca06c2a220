//! The HTTP server: shared state, routes and start-up.

use std::path::Path;
use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use bytes::Bytes;
use parking_lot::RwLock;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::pool::RenderPool;

/// What every request handler shares.
pub struct AppState {
    catalog: RwLock<Arc<Catalog>>,
    pub pool: RenderPool,
    /// Generated documents (capabilities), keyed by everything that changes them.
    documents: moka::sync::Cache<String, Bytes>,
}

impl AppState {
    pub fn new(catalog: Catalog) -> AppState {
        let threads = catalog.config.server.render_threads;
        AppState {
            catalog: RwLock::new(Arc::new(catalog)),
            pool: RenderPool::new(threads),
            documents: moka::sync::Cache::builder().max_capacity(256).build(),
        }
    }

    /// The current catalog; a request keeps the one it started with.
    pub fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.catalog.read())
    }

    /// The server's base URL as clients reach it: the configured public URL,
    /// or the scheme and host of the request (proxy headers included).
    pub fn base_url(&self, req: &HttpRequest, catalog: &Catalog) -> String {
        if let Some(url) = &catalog.config.server.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    }

    /// A generated document, built once per key.
    pub fn document(&self, key: String, build: impl FnOnce() -> Vec<u8>) -> Bytes {
        self.documents.get_with(key, || Bytes::from(build()))
    }
}

/// Registers every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/wms", web::get().to(crate::wms::handle))
        .route("/", web::get().to(landing));
}

async fn landing(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let catalog = state.catalog();
    let base = state.base_url(&req, &catalog);
    let lang = crate::metadata::Language::Fr;
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{0}</title></head><body><h1>{0}</h1><p>{1}</p><ul>",
        escape(catalog.metadata.title.get(lang)),
        escape(catalog.metadata.abstract_.get(lang)),
    );
    html.push_str(&format!(
        "<li><a href=\"{base}/wms?SERVICE=WMS&amp;REQUEST=GetCapabilities\">WMS 1.3.0</a> · <a href=\"{base}/wms?SERVICE=WMS&amp;VERSION=1.1.1&amp;REQUEST=GetCapabilities\">WMS 1.1.1</a></li>"
    ));
    html.push_str("</ul><h2>Couches / Layers</h2><ul>");
    for l in &catalog.layers {
        html.push_str(&format!(
            "<li><code>{}</code> — {}</li>",
            escape(l.name()),
            escape(l.title(lang))
        ));
    }
    html.push_str("</ul></body></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Process-wide GDAL settings, set once before any dataset opens.
pub fn init_gdal(cache_mb: u32) {
    let set = |k: &str, v: &str| {
        if let Err(e) = gdal::config::set_config_option(k, v) {
            tracing::warn!("cannot set GDAL option {k}: {e}");
        }
    };
    set("GDAL_CACHEMAX", &cache_mb.to_string());
    // Opening a COG must not list its directory (slow on big mosaics and remote storage).
    set("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
    set("GDAL_PAM_ENABLED", "NO");
    gdal::config::set_error_handler(|class, number, message| {
        tracing::debug!(?class, number, "GDAL: {message}");
    });
}

/// Loads the configuration and catalog, logging every broken layer.
pub fn load(config_path: &Path) -> anyhow::Result<Catalog> {
    let config = Config::load(config_path).map_err(|errors| {
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        anyhow::anyhow!("invalid configuration:\n  {}", text.join("\n  "))
    })?;
    init_gdal(config.server.gdal_cache_mb);
    let catalog = Catalog::load(config).map_err(|e| anyhow::anyhow!(e))?;
    for p in &catalog.problems {
        tracing::error!("{p}; the layer is left out, the others are served");
    }
    Ok(catalog)
}

pub async fn serve(config_path: &Path, bind: Option<String>) -> anyhow::Result<()> {
    let catalog = load(config_path)?;
    let bind = bind.unwrap_or_else(|| catalog.config.server.bind.clone());
    let names: Vec<&str> = catalog.layers.iter().map(|l| l.name()).collect();
    tracing::info!(layers = ?names, "serving on http://{bind}/");
    let state = web::Data::new(AppState::new(catalog));
    HttpServer::new(move || App::new().app_data(state.clone()).configure(routes))
        .bind(&bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?
        .run()
        .await?;
    Ok(())
}
