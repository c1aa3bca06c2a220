//! GDAL's process-wide settings, set once before any dataset opens.

pub fn init(cache_mb: u32) {
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
