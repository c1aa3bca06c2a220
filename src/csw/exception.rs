//! CSW errors as OWS 1.0.0 exception reports (CSW 2.0.2 §10.3.7), with a
//! 4xx status for what the request got wrong.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

#[derive(Debug, Clone)]
pub struct CswError {
    pub status: StatusCode,
    pub code: &'static str,
    pub locator: Option<String>,
    pub message: String,
}

impl CswError {
    pub fn new(status: StatusCode, code: &'static str, locator: &str, message: impl Into<String>) -> CswError {
        CswError {
            status,
            code,
            locator: (!locator.is_empty()).then(|| locator.to_string()),
            message: message.into(),
        }
    }

    pub fn missing(param: &str) -> CswError {
        CswError::new(
            StatusCode::BAD_REQUEST,
            "MissingParameterValue",
            param,
            format!("the {param} parameter is required"),
        )
    }

    pub fn invalid(param: &str, message: impl Into<String>) -> CswError {
        CswError::new(StatusCode::BAD_REQUEST, "InvalidParameterValue", param, message)
    }

    pub fn report(&self) -> Vec<u8> {
        crate::ows::common::exception_report(
            crate::ows::common::OwsVersion::V100,
            self.code,
            self.locator.as_deref(),
            &self.message,
        )
    }

    pub fn response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "CSW request failed");
        }
        HttpResponse::build(self.status)
            .content_type("application/xml; charset=UTF-8")
            .body(self.report())
    }
}
