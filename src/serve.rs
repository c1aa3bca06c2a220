//! `tuile serve`: start-up, the listening servers, and reloads on SIGHUP
//! and on file change.

use std::path::Path;

use actix_web::{App, HttpServer, web};

use crate::state::AppState;
use tuile_core::catalog::Catalog;

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
    let main = HttpServer::new(move || crate::app::app(app_state.clone()))
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
        let admin_server =
            HttpServer::new(move || App::new().app_data(admin_state.clone()).configure(crate::admin::routes))
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
        let changed = tokio::task::spawn_blocking(move || catalog.changed_on_disk() || catalog.changed_upstream())
            .await
            .unwrap_or(false);
        if !changed {
            continue;
        }
        tracing::info!("configuration, style or source files, or a partner's capabilities changed: reloading");
        reload_in_background(state.clone()).await;
    }
}
