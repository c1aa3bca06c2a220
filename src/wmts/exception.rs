//! WMTS errors as OWS 1.1 ExceptionReports, with the HTTP status codes of
//! WMTS 1.0.0 §8 (400 for request errors, 404 for unknown RESTful
//! resources, 501 for unsupported operations).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

#[derive(Debug, Clone)]
pub struct WmtsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub locator: Option<String>,
    pub message: String,
}

impl WmtsError {
    pub fn new(status: StatusCode, code: &'static str, locator: &str, message: impl Into<String>) -> WmtsError {
        WmtsError {
            status,
            code,
            locator: (!locator.is_empty()).then(|| locator.to_string()),
            message: message.into(),
        }
    }

    /// The same error, located at a parameter.
    pub fn at(mut self, locator: &str) -> WmtsError {
        self.locator = Some(locator.to_string());
        self
    }

    pub fn missing(param: &str) -> WmtsError {
        WmtsError::new(
            StatusCode::BAD_REQUEST,
            "MissingParameterValue",
            param,
            format!("the {param} parameter is required"),
        )
    }

    pub fn invalid(param: &str, message: impl Into<String>) -> WmtsError {
        WmtsError::new(StatusCode::BAD_REQUEST, "InvalidParameterValue", param, message)
    }

    pub fn out_of_range(param: &str, message: impl Into<String>) -> WmtsError {
        WmtsError::new(StatusCode::BAD_REQUEST, "TileOutOfRange", param, message)
    }

    pub fn not_found(message: impl Into<String>) -> WmtsError {
        WmtsError::new(StatusCode::NOT_FOUND, "InvalidParameterValue", "", message)
    }

    /// The same error as the RESTful binding reports it: unknown resources are 404.
    pub fn as_rest(mut self) -> WmtsError {
        if matches!(self.code, "InvalidParameterValue" | "TileOutOfRange") {
            self.status = StatusCode::NOT_FOUND;
        }
        self
    }

    pub fn report(&self) -> Vec<u8> {
        crate::ows::common::exception_report(
            crate::ows::common::OwsVersion::V110,
            self.code,
            self.locator.as_deref(),
            &self.message,
        )
    }

    pub fn response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "WMTS request failed");
        }
        HttpResponse::build(self.status)
            .content_type("application/xml; charset=UTF-8")
            .body(self.report())
    }
}

impl From<tuile_core::error::Error> for WmtsError {
    /// The one mapping of core failures to WMTS exceptions (WMTS 1.0.0 §8).
    fn from(e: tuile_core::error::Error) -> WmtsError {
        use tuile_core::error::ErrorKind as K;
        let (status, code) = match e.kind() {
            K::NotFound => (StatusCode::NOT_FOUND, "InvalidParameterValue"),
            K::BadRequest => (StatusCode::BAD_REQUEST, "InvalidParameterValue"),
            K::Unavailable | K::Timeout => (StatusCode::SERVICE_UNAVAILABLE, "NoApplicableCode"),
            K::Upstream => (StatusCode::BAD_GATEWAY, "NoApplicableCode"),
            K::UpstreamTimeout => (StatusCode::GATEWAY_TIMEOUT, "NoApplicableCode"),
            K::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "NoApplicableCode"),
        };
        WmtsError::new(status, code, "", e.to_string())
    }
}
