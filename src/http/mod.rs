//! HTTP helpers every protocol adapter shares, and [`Protocol`], what each
//! adapter tells the shared request handling about itself.

pub mod cache;
pub mod credentials;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, guard, web};

/// How a request is counted in metrics and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub service: &'static str,
    pub operation: String,
    /// The layer the request names, as sent (checked against the catalog
    /// before it becomes a label).
    pub layer: Option<String>,
}

impl Labels {
    pub fn new(service: &'static str, operation: impl Into<String>) -> Labels {
        Labels {
            service,
            operation: operation.into(),
            layer: None,
        }
    }

    pub fn with_layer(mut self, layer: Option<&str>) -> Labels {
        self.layer = layer.map(str::to_string);
        self
    }
}

/// What the shared request handling (limits, panics, 405s, metrics) needs
/// from a protocol: which requests are its own, and its error format.
pub struct Protocol {
    /// The labels of a request whose path is this protocol's (`None`
    /// otherwise); the path comes split at `/`.
    pub classify: fn(path: &[&str], query: &str) -> Option<Labels>,
    /// An error in the protocol's own format: exception report or problem.
    pub error: fn(StatusCode, String) -> HttpResponse,
}

/// The protocols a server speaks, in the order their paths are tried.
pub type Protocols = &'static [&'static Protocol];

/// The labels and error format of a request: the first protocol that
/// claims its path, or `other` with an RFC 7807 problem.
pub fn protocol_of(protocols: Protocols, path: &str, query: &str) -> (Labels, fn(StatusCode, String) -> HttpResponse) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    protocols
        .iter()
        .find_map(|p| (p.classify)(&segments, query).map(|l| (l, p.error)))
        .unwrap_or_else(|| (Labels::new("other", "other"), problem))
}

/// An RFC 7807 problem document: the error format of OGC API and of
/// anything outside the OGC services.
pub fn problem(status: StatusCode, detail: String) -> HttpResponse {
    if status.is_server_error() {
        tracing::error!(%status, %detail, "request failed");
    }
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .body(body.to_string())
}

/// GET and HEAD (actix answers HEAD with the headers only).
pub fn get() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A read-only resource: GET and HEAD, and a 405 with `Allow` for any other
/// method, in the format of `protocol`.
pub fn read_only(path: &str, protocol: &'static Protocol) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
        method_not_allowed(&req, protocol)
    }))
}

/// 405 with `Allow: GET, HEAD`, in the format of `protocol`.
pub fn method_not_allowed(req: &HttpRequest, protocol: &Protocol) -> HttpResponse {
    let mut resp = (protocol.error)(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not supported here; use GET or HEAD", req.method()),
    );
    *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    resp
}
