//! The core's error: what went wrong, in words that name the layer and the
//! file, and its kind, which is all a protocol needs to choose its answer
//! (an exception code, a status). Each protocol maps kinds in one place.

use std::sync::Arc;

/// How a protocol should answer a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// What the request names does not exist (for this caller).
    NotFound,
    /// The request itself is wrong.
    BadRequest,
    /// A source cannot be read, or the server is too busy: try again later.
    Unavailable,
    /// The work took longer than allowed and was stopped.
    Timeout,
    /// A partner's service (a cascaded layer's upstream) failed: 502.
    Upstream,
    /// A partner's service did not answer in time: 504.
    UpstreamTimeout,
    /// A bug, caught.
    Internal,
}

#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// An error whose message is its cause's, kept as its source.
    pub fn caused_by(kind: ErrorKind, cause: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error {
            kind,
            message: cause.to_string(),
            source: Some(Arc::new(cause)),
        }
    }

    /// The error, its message prefixed with the layer it concerns.
    pub fn in_layer(mut self, layer: &str) -> Error {
        self.message = format!("layer `{layer}`: {}", self.message);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<crate::pool::PoolError> for Error {
    fn from(e: crate::pool::PoolError) -> Error {
        use crate::pool::PoolError as P;
        let kind = match e {
            P::Busy(_) | P::Closed => ErrorKind::Unavailable,
            P::Timeout(_) => ErrorKind::Timeout,
            P::Panicked(_) => ErrorKind::Internal,
        };
        Error::caused_by(kind, e)
    }
}

/// A read that failed is the source's trouble; one that was stopped, the deadline's.
fn source_kind(e: &crate::source::SourceError) -> ErrorKind {
    match e {
        crate::source::SourceError::Cancelled => ErrorKind::Timeout,
        _ => ErrorKind::Unavailable,
    }
}

impl From<crate::source::SourceError> for Error {
    fn from(e: crate::source::SourceError) -> Error {
        Error::caused_by(source_kind(&e), e)
    }
}

impl From<crate::render::RenderError> for Error {
    fn from(e: crate::render::RenderError) -> Error {
        let kind = match &e {
            crate::render::RenderError::Source { source, .. } => source_kind(source),
            crate::render::RenderError::Size(..) => ErrorKind::Internal,
        };
        Error::caused_by(kind, e)
    }
}

impl From<crate::render::encode::EncodeError> for Error {
    fn from(e: crate::render::encode::EncodeError) -> Error {
        Error::caused_by(ErrorKind::Internal, e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_cause() {
        use crate::pool::PoolError;
        assert_eq!(Error::from(PoolError::Busy(3)).kind(), ErrorKind::Unavailable);
        assert_eq!(Error::from(PoolError::Timeout(10)).kind(), ErrorKind::Timeout);
        assert_eq!(Error::from(PoolError::Panicked("x".into())).kind(), ErrorKind::Internal);
        let read = crate::source::SourceError::read(std::path::Path::new("/d/a.tif"), "truncated");
        let e = Error::from(read);
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        assert!(e.to_string().contains("/d/a.tif"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(
            Error::from(crate::source::SourceError::Cancelled).kind(),
            ErrorKind::Timeout
        );
    }
}
