//! Prometheus metrics: requests by service, operation, layer and status;
//! latency; render time; tile cache figures; open datasets; panics. The
//! core counts, this module exports.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::state::AppState;

/// Process-wide metrics (one server per process).
pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub render_seconds: Histogram,
    cache: IntGaugeVec,
    pub open_datasets: IntGauge,
    layers: IntGauge,
    panics: IntCounter,
    renders_in_flight: IntGauge,
    memory: IntGaugeVec,
    upstream: IntGaugeVec,
}

pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new_custom(Some("tuile".into()), None).expect("a valid prefix");
    let requests = IntCounterVec::new(
        Opts::new(
            "requests_total",
            "Requests answered, by service, operation, layer and HTTP status",
        ),
        &["service", "operation", "layer", "status"],
    )
    .expect("valid metric");
    let latency = HistogramVec::new(
        HistogramOpts::new("request_duration_seconds", "Time to answer, by service and operation").buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ]),
        &["service", "operation"],
    )
    .expect("valid metric");
    let render_seconds = Histogram::with_opts(
        HistogramOpts::new(
            "render_duration_seconds",
            "Time of each render or read job on the render pool",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ]),
    )
    .expect("valid metric");
    let cache = IntGaugeVec::new(
        Opts::new(
            "tile_cache",
            "Tile cache figures: hits, misses, renders and evictions since start, bytes held and the cap",
        ),
        &["figure"],
    )
    .expect("valid metric");
    let open_datasets = IntGauge::new("open_datasets", "GDAL datasets held open by the render threads").expect("valid");
    let layers = IntGauge::new("layers", "Layers being served").expect("valid metric");
    let panics =
        IntCounter::new("panics_total", "Panics caught in handlers and render jobs since start").expect("valid");
    let renders_in_flight =
        IntGauge::new("renders_in_flight", "Render and read jobs running or waiting").expect("valid metric");
    let memory = IntGaugeVec::new(
        Opts::new(
            "resident_memory_bytes",
            "Resident memory: anonymous (the heap) and file-backed (mapped indexes, which the kernel pages in and out)",
        ),
        &["kind"],
    )
    .expect("valid metric");
    let upstream = IntGaugeVec::new(
        Opts::new(
            "upstream",
            "Partner hosts of cascaded layers: up (1/0), failures in a row, and requests, errors and retries since start",
        ),
        &["host", "figure"],
    )
    .expect("valid metric");
    for m in [
        Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(upstream.clone()),
        Box::new(latency.clone()),
        Box::new(render_seconds.clone()),
        Box::new(cache.clone()),
        Box::new(open_datasets.clone()),
        Box::new(layers.clone()),
        Box::new(panics.clone()),
        Box::new(renders_in_flight.clone()),
        Box::new(memory.clone()),
    ] {
        registry.register(m).expect("metric names are unique");
    }
    Metrics {
        registry,
        requests,
        latency,
        render_seconds,
        cache,
        open_datasets,
        layers,
        panics,
        renders_in_flight,
        memory,
        upstream,
    }
});

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    use std::sync::atomic::Ordering::Relaxed;
    let m = &*METRICS;
    let t = &state.tiles;
    for (figure, value) in [
        ("hits", t.hits.load(Relaxed)),
        ("misses", t.misses.load(Relaxed)),
        ("renders", t.renders.load(Relaxed)),
        ("evictions", t.evictions.load(Relaxed)),
        ("stale_served", t.stale_served.load(Relaxed)),
        ("bytes", t.used_bytes()),
        ("cap_bytes", t.cap_bytes()),
    ] {
        m.cache.with_label_values(&[figure]).set(value as i64);
    }
    m.upstream.reset();
    for (name, h, _) in state.catalog().upstream_hosts() {
        let s = h.state();
        for (figure, value) in [
            ("up", (s.failures_in_a_row == 0) as u64),
            ("failures_in_a_row", s.failures_in_a_row as u64),
            ("requests", h.requests.load(Relaxed)),
            ("errors", h.errors.load(Relaxed)),
            ("retries", h.retries.load(Relaxed)),
        ] {
            m.upstream.with_label_values(&[name.as_str(), figure]).set(value as i64);
        }
    }
    m.open_datasets.set(tuile_core::metrics::OPEN_DATASETS.load(Relaxed));
    m.layers.set(state.catalog().layers.len() as i64);
    // A counter that follows the process-wide count of caught panics.
    m.panics
        .inc_by(tuile_core::metrics::PANICS.load(Relaxed).saturating_sub(m.panics.get()));
    m.renders_in_flight.set(state.pool.in_flight() as i64);
    for (kind, bytes) in resident_memory() {
        m.memory.with_label_values(&[kind]).set(bytes);
    }
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut out) {
        return HttpResponse::InternalServerError().body(e.to_string());
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(out)
}

/// Resident memory by kind, from the kernel's own accounting.
fn resident_memory() -> Vec<(&'static str, i64)> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<i64>().ok())
    };
    [("anonymous", "RssAnon:"), ("file", "RssFile:")]
        .into_iter()
        .filter_map(|(kind, key)| Some((kind, kb(key)? * 1024)))
        .collect()
}
