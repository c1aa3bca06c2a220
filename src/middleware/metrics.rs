//! Each answer counted (by service, operation, layer and status), timed,
//! and written to the access log. Only layer names the catalog knows
//! become labels, so garbage input cannot explode them.

use std::time::Instant;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;

use crate::http::Labels;
use crate::observe::METRICS;
use tuile_core::access::Caller;
use tuile_core::catalog::Catalog;

/// What is known of a request before it is answered.
pub struct Entry {
    labels: Labels,
    method: Method,
    path: String,
    /// The query string, with any `apikey` value blanked.
    query: String,
    key: String,
}

impl Entry {
    pub fn new(req: &ServiceRequest, labels: Labels, caller: &Caller) -> Entry {
        Entry {
            labels,
            method: req.method().clone(),
            path: req.path().to_string(),
            query: redacted(req.query_string()),
            key: match caller {
                Caller::Member { name, .. } => name.clone(),
                _ => String::new(),
            },
        }
    }

    pub fn record(self, res: &ServiceResponse<BoxBody>, catalog: Option<&Catalog>, started: Instant, id: &str) {
        let status = res.status().as_u16();
        let elapsed = started.elapsed();
        let Entry {
            labels,
            method,
            path,
            query,
            key,
        } = self;
        let layer = layer_label(labels.layer.as_deref(), catalog);
        METRICS
            .requests
            .with_label_values(&[labels.service, &labels.operation, &layer, &status.to_string()])
            .inc();
        METRICS
            .latency
            .with_label_values(&[labels.service, &labels.operation])
            .observe(elapsed.as_secs_f64());
        let ms = elapsed.as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::error!(target: "access", request_id = %id, %method, %path, status, ms, key, "request failed");
        } else if status >= 400 {
            tracing::info!(target: "access", request_id = %id, %method, %path, status, ms, key, "request refused");
        } else {
            tracing::debug!(target: "access", request_id = %id, %method, %path, %query, status, ms, key, "request");
        }
    }
}

/// A query string for the log: an API key given in it is not written.
fn redacted(query: &str) -> String {
    if !query.to_ascii_lowercase().contains(tuile_core::access::KEY_PARAM) {
        return query.to_string();
    }
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case(tuile_core::access::KEY_PARAM) => format!("{k}=…"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A layer name as a label: itself when the catalog knows it, `unknown`
/// when it does not, empty when the request names none.
pub fn layer_label(name: Option<&str>, catalog: Option<&Catalog>) -> String {
    match name {
        None | Some("") => String::new(),
        Some(n) if catalog.is_some_and(|c| c.layer(n).is_some()) => n.to_string(),
        Some(_) => "unknown".into(),
    }
}
