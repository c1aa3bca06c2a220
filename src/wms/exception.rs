//! WMS errors and their ServiceExceptionReport documents (1.3.0 schema,
//! 1.1.1 DTD).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::WmsVersion;
use tuile_core::xml::XmlWriter;

/// The exception codes of WMS 1.3.0 (annex A.4 / E), plus the OWS codes
/// clients understand for parameter errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    InvalidFormat,
    InvalidCrs,
    LayerNotDefined,
    StyleNotDefined,
    LayerNotQueryable,
    InvalidPoint,
    CurrentUpdateSequence,
    InvalidUpdateSequence,
    MissingDimensionValue,
    InvalidDimensionValue,
    OperationNotSupported,
    MissingParameterValue,
    InvalidParameterValue,
    /// The layer's data could not be read; not the client's fault.
    SourceUnavailable,
    /// A cascaded layer's upstream failed (502) or did not answer in time (504).
    UpstreamFailed,
    UpstreamTimeout,
    /// A bug, caught and logged.
    Internal,
}

impl Code {
    pub fn name(&self, version: WmsVersion) -> &'static str {
        match self {
            Code::InvalidFormat => "InvalidFormat",
            Code::InvalidCrs => match version {
                WmsVersion::V130 => "InvalidCRS",
                WmsVersion::V111 => "InvalidSRS",
            },
            Code::LayerNotDefined => "LayerNotDefined",
            Code::StyleNotDefined => "StyleNotDefined",
            Code::LayerNotQueryable => "LayerNotQueryable",
            Code::InvalidPoint => "InvalidPoint",
            Code::CurrentUpdateSequence => "CurrentUpdateSequence",
            Code::InvalidUpdateSequence => "InvalidUpdateSequence",
            Code::MissingDimensionValue => "MissingDimensionValue",
            Code::InvalidDimensionValue => "InvalidDimensionValue",
            Code::OperationNotSupported => "OperationNotSupported",
            Code::MissingParameterValue => "MissingParameterValue",
            Code::InvalidParameterValue => "InvalidParameterValue",
            Code::SourceUnavailable | Code::UpstreamFailed | Code::UpstreamTimeout | Code::Internal => {
                "NoApplicableCode"
            }
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            // Answers about the age of the client's copy of the capabilities.
            Code::CurrentUpdateSequence | Code::InvalidUpdateSequence => StatusCode::OK,
            Code::SourceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::UpstreamFailed => StatusCode::BAD_GATEWAY,
            Code::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::OperationNotSupported => StatusCode::NOT_IMPLEMENTED,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WmsError {
    pub code: Code,
    pub locator: Option<String>,
    pub message: String,
}

impl WmsError {
    pub fn new(code: Code, locator: &str, message: impl Into<String>) -> WmsError {
        WmsError {
            code,
            locator: (!locator.is_empty()).then(|| locator.to_string()),
            message: message.into(),
        }
    }

    pub fn missing(param: &str) -> WmsError {
        WmsError::new(
            Code::MissingParameterValue,
            param,
            format!("the {param} parameter is required"),
        )
    }

    pub fn invalid(param: &str, message: impl Into<String>) -> WmsError {
        WmsError::new(Code::InvalidParameterValue, param, message)
    }

    /// The exception report document for `version`.
    pub fn report(&self, version: WmsVersion) -> Vec<u8> {
        let mut w = XmlWriter::new();
        let code = self.code.name(version);
        let mut attrs = vec![("code", code)];
        if let Some(l) = &self.locator {
            attrs.push(("locator", l.as_str()));
        }
        match version {
            WmsVersion::V130 => {
                w.start(
                    "ServiceExceptionReport",
                    &[
                        ("version", "1.3.0"),
                        ("xmlns", "http://www.opengis.net/ogc"),
                        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                        (
                            "xsi:schemaLocation",
                            "http://www.opengis.net/ogc http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd",
                        ),
                    ],
                );
                w.leaf("ServiceException", &attrs, &self.message);
            }
            WmsVersion::V111 => {
                w.raw(r#"ServiceExceptionReport SYSTEM "http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd""#);
                w.start("ServiceExceptionReport", &[("version", "1.1.1")]);
                // The 1.1.1 DTD has no locator attribute.
                w.leaf("ServiceException", &[("code", code)], &self.message);
            }
        }
        w.end("ServiceExceptionReport");
        w.finish()
    }

    pub fn response(&self, version: WmsVersion) -> HttpResponse {
        let content_type = match version {
            WmsVersion::V130 => "text/xml; charset=UTF-8",
            WmsVersion::V111 => "application/vnd.ogc.se_xml; charset=UTF-8",
        };
        if matches!(self.code, Code::SourceUnavailable | Code::Internal) {
            tracing::error!(code = ?self.code, message = %self.message, "WMS request failed");
        }
        HttpResponse::build(self.code.status())
            .content_type(content_type)
            .body(self.report(version))
    }
}

impl std::fmt::Display for WmsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl From<tuile_core::error::Error> for WmsError {
    /// The one mapping of core failures to WMS exceptions: a source that
    /// cannot be read, load and time-outs are a 503 to retry; a bug a 500.
    fn from(e: tuile_core::error::Error) -> WmsError {
        use tuile_core::error::ErrorKind as K;
        let code = match e.kind() {
            K::NotFound | K::BadRequest => Code::InvalidParameterValue,
            K::Unavailable | K::Timeout => Code::SourceUnavailable,
            K::Upstream => Code::UpstreamFailed,
            K::UpstreamTimeout => Code::UpstreamTimeout,
            K::Internal => Code::Internal,
        };
        WmsError::new(code, "", e.to_string())
    }
}

impl WmsError {
    /// The error for a layer name that names nothing servable: not defined,
    /// or defined but with a broken source (503, naming the file).
    pub fn for_layer(lookup: tuile_core::error::Error, locator: &str) -> WmsError {
        let code = match lookup.kind() {
            tuile_core::error::ErrorKind::NotFound => Code::LayerNotDefined,
            _ => WmsError::from(lookup.clone()).code,
        };
        WmsError::new(code, locator, lookup.to_string())
    }
}
