//! The HTTP door's one error type and its RFC 9457 problem-JSON form; what the use cases say
//! (`application::Error`) and the store's errors map onto it here, and nowhere below `http`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::Invalid;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// A bad request whose reason has a message a page says in the person's language.
    #[error(transparent)]
    Refused(crate::domain::Refusal),
    #[error("this request needs a valid bearer token (Authorization: Bearer ...)")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("this method is not allowed on this resource")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Input that was understood but refused, with every problem and where it is.
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<Invalid>,
    },
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    /// Over a rate (exports, a participant's writes): what the rate is, and when to go on.
    #[error("{what}: wait {retry_after_secs} seconds and try again")]
    RateLimited { what: String, retry_after_secs: u64 },
    #[error("the database is not reachable; try again shortly")]
    Unavailable,
    #[error("the request took longer than {0} s and was abandoned: try again, or ask for less")]
    RequestTimeout(u64),
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn invalid(detail: impl Into<String>, errors: Vec<Invalid>) -> Self {
        Self::Invalid {
            detail: detail.into(),
            errors,
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(detail.into())
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// This refusal as the members of a problem (RFC 9457 §3.1: `status`, `title`, `detail`),
    /// for a response that reports many outcomes, such as a bulk decision's refusals.
    pub fn problem_members(&self) -> serde_json::Value {
        let status = self.status();
        let mut members = json!({
            "status": status.as_u16(),
            "title": status.canonical_reason().unwrap_or("Error"),
            "detail": self.to_string(),
        });
        if let AppError::Refused(refusal) = self {
            members["code"] = json!(refusal.code);
            members["params"] = json!(refusal.params);
        }
        members
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::Refused(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } | AppError::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        if error.is_unavailable() {
            return AppError::Unavailable;
        }
        match error {
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::StaleRevision => AppError::PreconditionFailed(
                "it was changed meanwhile by someone else; reload it and try again".into(),
            ),
            StoreError::NotFound => AppError::NotFound("not found".into()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(error: serde_json::Error) -> Self {
        AppError::Internal(format!("could not write JSON: {error}"))
    }
}

impl From<crate::application::Error> for AppError {
    fn from(error: crate::application::Error) -> Self {
        use crate::application::Error;
        match error {
            Error::BadInput(words) => AppError::BadRequest(words),
            Error::Refused(refusal) => AppError::Refused(refusal),
            Error::Invalid { detail, errors } => AppError::Invalid { detail, errors },
            Error::NotAllowed(words) => AppError::Forbidden(words),
            Error::NotFound(words) => AppError::NotFound(words),
            Error::Unauthenticated => AppError::Unauthenticated,
            Error::TooManyAttempts { retry_after_secs } => {
                AppError::TooManyRequests { retry_after_secs }
            }
            Error::Conflict(words) => AppError::Conflict(words),
            Error::Stale(words) => AppError::PreconditionFailed(words),
            Error::RevisionRequired(words) => AppError::PreconditionRequired(words),
            Error::RateLimited {
                what,
                retry_after_secs,
            } => AppError::RateLimited {
                what,
                retry_after_secs,
            },
            Error::TooLarge(too_large) => too_large.into(),
            Error::Store(store) => store.into(),
            Error::Failed(text) => AppError::Internal(text),
        }
    }
}

impl From<crate::application::rates::OverRate> for AppError {
    fn from(over: crate::application::rates::OverRate) -> Self {
        AppError::RateLimited {
            what: over.says(),
            retry_after_secs: over.retry_after_secs,
        }
    }
}

impl From<crate::domain::access::ScopeRefusal> for AppError {
    fn from(refusal: crate::domain::access::ScopeRefusal) -> Self {
        AppError::Forbidden(refusal.to_string())
    }
}

impl From<crate::domain::priority::TooLarge> for AppError {
    /// A 422 whose error points at the resolution, with the one that would fit.
    fn from(error: crate::domain::priority::TooLarge) -> Self {
        let fix = match error.fits {
            Some(r) => format!("{r} would fit"),
            None => "no resolution fits: analyse less".to_owned(),
        };
        let mut params = crate::domain::Params::new();
        params.insert("resolution", error.resolution.into());
        let code = match error.fits {
            Some(fits) => {
                params.insert("fits", fits.into());
                "priority.too_large"
            }
            None => "priority.too_large_at_all",
        };
        let problem = Invalid::new("resolution", fix).said_as(code, params);
        AppError::invalid(error.to_string(), vec![problem])
    }
}

/// The text of an internal error, handed to the logging middleware in a response extension
/// so that the client never sees it and the conversion itself has no side effects.
#[derive(Debug, Clone)]
pub struct InternalErrorText(pub String);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": self.to_string(),
        });
        // RFC 9457 §3.2 extension members: every problem of invalid input, and the message
        // a page says a refusal with (`code`, `params`; see `domain::Refusal`).
        match &self {
            AppError::Invalid { errors, .. } => body["errors"] = json!(errors),
            AppError::Refused(refusal) => {
                body["code"] = json!(refusal.code);
                body["params"] = json!(refusal.params);
            }
            _ => {}
        }
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        match self {
            AppError::Unauthenticated => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"trama\""),
                );
            }
            AppError::TooManyRequests { retry_after_secs }
            | AppError::RateLimited {
                retry_after_secs, ..
            } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            AppError::Internal(text) => {
                response.extensions_mut().insert(InternalErrorText(text));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_text() {
        let response = AppError::Internal("disk I/O error at /var/secret".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.extensions().get::<InternalErrorText>().is_some());
        assert_eq!(AppError::Internal("x".into()).to_string(), "internal error");
    }

    #[test]
    fn validation_errors_are_problem_json_with_pointers() {
        let response = AppError::invalid("bad", vec![Invalid::new("/a", "b")]).into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}
