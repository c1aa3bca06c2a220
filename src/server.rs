//! The HTTP server: shared state, routes and start-up.

use std::path::Path;
use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, guard, web};
use bytes::Bytes;
use parking_lot::RwLock;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::pool::RenderPool;
use crate::tiles::TileCache;

/// What every request handler shares.
pub struct AppState {
    catalog: RwLock<Arc<Catalog>>,
    pub pool: RenderPool,
    pub tiles: TileCache,
    /// Generated documents (capabilities), keyed by everything that changes them.
    documents: moka::sync::Cache<String, Bytes>,
    /// The catalog as each kind of caller sees it, built on first use.
    /// (the full catalog it was cut from, the view), by caller view id.
    views: parking_lot::Mutex<std::collections::HashMap<String, (Arc<Catalog>, Arc<Catalog>)>>,
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
            .with_observer(std::sync::Arc::new(|d| {
                crate::observe::METRICS.render_seconds.observe(d.as_secs_f64())
            })),
            tiles,
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
    pub fn caller(&self, req: &HttpRequest) -> crate::access::Caller {
        self.catalog.read().keys.caller(req)
    }

    /// The catalog as this request's caller may see it; a request keeps the
    /// one it started with.
    pub fn catalog_for(&self, req: &HttpRequest) -> Arc<Catalog> {
        let full = self.catalog();
        let caller = full.keys.caller(req);
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
        catalog.keep_on_style_failure(&old);
        catalog.log_problems();
        // Capabilities change only when something did: keep the sequence monotonic.
        catalog.update_sequence = catalog.update_sequence.max(old.update_sequence + 1);
        self.replace_catalog(catalog);
        Ok(())
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

/// The application: every route behind CORS and the request middleware
/// (request ids, key checks, cache scoping, metrics). `serve` and the tests
/// both use it.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    use actix_web::middleware::from_fn;
    let cors = cors(&state.catalog().config.server.cors);
    // The last wrapped runs first: CORS sees even the 401s of the middleware.
    App::new()
        .app_data(state)
        .wrap(from_fn(crate::observe::middleware))
        .wrap(cors)
        .wrap(from_fn(crate::observe::boxed))
        .configure(routes)
}

/// CORS from `[server.cors]`: read at start (a reload keeps it).
fn cors(config: &crate::config::CorsConfig) -> actix_cors::Cors {
    use actix_web::http::header;
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::ACCEPT,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::HeaderName::from_static("x-api-key"),
            crate::observe::REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LAST_MODIFIED,
            header::LINK,
            header::WARNING,
            header::HeaderName::from_static("content-crs"),
            crate::observe::REQUEST_ID,
        ])
        .max_age(config.max_age);
    for origin in &config.allowed_origins {
        cors = if origin == "*" {
            cors.allow_any_origin().send_wildcard()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

/// `GET /health`: the process answers.
async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({"status": "ok"}))
}

/// `GET /ready`: every configured layer has its source open. A layer left
/// out (broken source or style) makes it 503, naming the problem.
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let catalog = state.catalog();
    let body = serde_json::json!({
        "status": if catalog.problems.is_empty() { "ready" } else { "degraded" },
        "layers": catalog.layers.len(),
        "configured": catalog.config.layers.len(),
        "problems": catalog.problems,
        "updateSequence": catalog.update_sequence,
    });
    let mut resp = if catalog.problems.is_empty() && !catalog.layers.is_empty() {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    resp.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// GET and HEAD (actix answers HEAD with the headers only).
pub fn get() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A read-only resource: GET and HEAD, and a 405 with `Allow` for any other
/// method, in the format of the service the path belongs to.
pub fn read_only(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let mut resp = crate::observe::error_response(
        req.path(),
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not supported here; use GET or HEAD", req.method()),
    );
    resp.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static("GET, HEAD"),
    );
    resp
}

/// Registers every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::{tilematrixsets, wmts};
    cfg.service(read_only("/wms").route(get().to(crate::wms::handle)))
        .service(read_only("/wmts").route(get().to(wmts::kvp)))
        .service(
            web::scope("/wmts/1.0.0")
                .service(read_only("/WMTSCapabilities.xml").route(get().to(wmts::rest_capabilities)))
                .default_service(web::to(wmts::rest)),
        )
        .service(read_only("/wmts/{tail:.*}").route(get().to(wmts::rest_not_found)))
        .service(read_only("/schemas/tuile.xsd").route(get().to(feature_schema)))
        .service(read_only("/tileMatrixSets").route(get().to(tilematrixsets::list)))
        .service(read_only("/tileMatrixSets/{id}").route(get().to(tilematrixsets::one)))
        .service(read_only("/health").route(get().to(health)))
        .service(read_only("/ready").route(get().to(ready)))
        .service(read_only("/metrics").route(get().to(crate::observe::metrics)))
        .service(read_only("/viewer").route(get().to(crate::viewer::page)))
        .service(read_only("/viewer/assets/{name}").route(get().to(crate::viewer::asset)))
        .configure(crate::ogcapi::routes);
}

/// The admin endpoint, on loopback only: `POST /admin/invalidate?layer=NAME`
/// (or without `layer`, everything) and `POST /admin/reload`.
pub fn admin_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/invalidate", web::post().to(admin_invalidate))
        .route("/admin/reload", web::post().to(admin_reload));
}

async fn admin_invalidate(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = crate::ows::Kvp::parse(req.query_string());
    match kvp.get_nonempty("layer") {
        Some(name) if state.catalog().layer(name).is_none() => {
            HttpResponse::NotFound().body(format!("no layer named `{name}`\n"))
        }
        Some(name) => {
            state.tiles.invalidate_layer(name);
            HttpResponse::Ok().body(format!("tiles of `{name}` dropped\n"))
        }
        None => {
            state.tiles.invalidate_all();
            HttpResponse::Ok().body("all tiles dropped\n")
        }
    }
}

async fn admin_reload(state: web::Data<AppState>) -> HttpResponse {
    match state.reload() {
        Ok(()) => HttpResponse::Ok().body("reloaded\n"),
        Err(e) => HttpResponse::UnprocessableEntity().body(format!("{e:#}\n")),
    }
}

/// The XML schema of the GML that GetFeatureInfo answers.
async fn feature_schema(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let catalog = state.catalog_for(&req);
    let body = state.document(format!("schema|{}|{}", catalog.view, catalog.update_sequence), || {
        crate::featureinfo::schema(&catalog)
    });
    HttpResponse::Ok().content_type("application/xml").body(body)
}

pub async fn serve(config_path: &Path, bind: Option<String>) -> anyhow::Result<()> {
    let catalog = Catalog::open(config_path).map_err(|e| anyhow::anyhow!(e))?;
    let bind = bind.unwrap_or_else(|| catalog.config.server.bind.clone());
    let names: Vec<&str> = catalog.layers.iter().map(|l| l.name()).collect();
    tracing::info!(layers = ?names, "serving on http://{bind}/");
    let admin = catalog.config.server.admin.clone();
    let watch = catalog.config.server.watch_interval_s;
    let state = web::Data::new(AppState::new(catalog));
    if watch > 0 {
        actix_web::rt::spawn(watch_sources(state.clone(), std::time::Duration::from_secs(watch)));
    }
    actix_web::rt::spawn(reload_on_sighup(state.clone()));
    let app_state = state.clone();
    let limits = state.catalog().config.server.limits.clone();
    let main = HttpServer::new(move || app(app_state.clone()))
        .on_connect(disable_nagle)
        // Slow clients (slowloris) are cut off; SIGTERM lets requests in flight finish.
        .client_request_timeout(std::time::Duration::from_secs(limits.client_timeout_s))
        .client_disconnect_timeout(std::time::Duration::from_secs(2))
        .shutdown_timeout(limits.shutdown_timeout_s)
        .bind(&bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?
        .run();
    if admin.enabled {
        tracing::info!("admin endpoint on http://{}/admin/", admin.bind);
        let admin_state = state.clone();
        let admin_server = HttpServer::new(move || App::new().app_data(admin_state.clone()).configure(admin_routes))
            .workers(1)
            .bind(&admin.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", admin.bind))?
            .run();
        futures_util::future::try_join(main, admin_server).await?;
    } else {
        main.await?;
    }
    Ok(())
}

/// Streamed responses end with a small chunk; with Nagle on, it waits for the
/// client's delayed ACK and every keep-alive request stalls ~40 ms (GDAL's
/// OAPIF driver pages through items this way).
fn disable_nagle(connection: &dyn std::any::Any, _: &mut actix_web::dev::Extensions) {
    if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
        let _ = stream.set_nodelay(true);
    }
}

/// Reloads the configuration, styles and sources on SIGHUP. Requests in
/// flight finish on the catalog they started with.
async fn reload_on_sighup(state: web::Data<AppState>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP: reload by file change or the admin endpoint only");
        return;
    };
    while hup.recv().await.is_some() {
        tracing::info!("SIGHUP: reloading the configuration");
        reload_in_background(state.clone()).await;
    }
}

async fn reload_in_background(state: web::Data<AppState>) {
    match tokio::task::spawn_blocking(move || state.reload()).await {
        Ok(Ok(())) => tracing::info!("configuration reloaded"),
        Ok(Err(e)) => tracing::error!("reload failed, the previous configuration is kept: {e:#}"),
        Err(e) => tracing::error!("reload panicked: {e}"),
    }
}

/// Polls the files the catalog was built from; when one changes, reloads
/// and drops the tiles of the layers concerned.
pub async fn watch_sources(state: web::Data<AppState>, every: std::time::Duration) {
    let mut tick = actix_web::rt::time::interval(every);
    loop {
        tick.tick().await;
        let catalog = state.catalog();
        let changed = tokio::task::spawn_blocking(move || catalog.changed_on_disk())
            .await
            .unwrap_or(false);
        if !changed {
            continue;
        }
        tracing::info!("configuration, style or source files changed on disk: reloading");
        reload_in_background(state.clone()).await;
    }
}
