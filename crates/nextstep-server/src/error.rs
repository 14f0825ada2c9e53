//! The API's one error shape, `{"error": {"code", "message"}}`, and how store and input
//! failures map onto HTTP statuses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nextstep_core::StoreError;

/// An API failure: an HTTP status, a stable machine-readable code and a sentence for
/// people. Internal failures keep their detail in the log, not in the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code (`not_found`, `unauthorized`, `forbidden`, `bad_request`, …).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl ApiError {
    /// A failure with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the request itself is wrong (names the field).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no valid session or token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "log in or send an API token as `Authorization: Bearer …`",
        )
    }

    /// 403: authenticated, but this role may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404: absent or not visible to the caller (indistinguishable on purpose).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500: something on the server's side; the detail goes to the log.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.message)
    }
}

impl From<nextstep_core::secrets::TokenError> for ApiError {
    fn from(e: nextstep_core::secrets::TokenError) -> Self {
        match e {
            nextstep_core::secrets::TokenError::Auth(e) => ApiError::internal(e),
            nextstep_core::secrets::TokenError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DealNotFound(key) => ApiError::not_found(format!("no deal {key:?}")),
            StoreError::NotFound { what, key } => ApiError::not_found(format!("no {what} {key:?}")),
            StoreError::NoOpenStep(deal) => ApiError::new(
                StatusCode::CONFLICT,
                "no_open_step",
                format!("deal {deal} has no open next step"),
            ),
            StoreError::Conflict(message) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
            }
            StoreError::LinkExpired(at) => ApiError::new(
                StatusCode::GONE,
                "link_expired",
                format!(
                    "this confirmation link expired on {}",
                    at.format("%Y-%m-%d")
                ),
            ),
            StoreError::LinkSuperseded => ApiError::new(
                StatusCode::GONE,
                "link_superseded",
                "this confirmation link's next step has been replaced or closed",
            ),
            StoreError::IdempotencyKeyReused(key) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                format!(
                    "the Idempotency-Key {key:?} was already used for a different upload; \
                     send a new key for a new upload"
                ),
            ),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message }
        });
        let mut response = (self.status, Json(body)).into_response();
        // Not ready yet (a first forecast fit): when to ask again.
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("30"),
            );
        }
        response
    }
}

/// What API handlers return.
pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON body whose rejection (not JSON, a missing or mistyped field) is a 400 in the
/// API's error shape, naming what was wrong — not axum's plain-text answer.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A query string whose rejection is a 400 in the API's error shape.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        // A body over the limit is the server's 413, not the client's malformed JSON.
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(
                r.status(),
                "payload_too_large",
                "the request body is over the server's limit (see --max-upload-mb)",
            );
        }
        ApiError::bad_request(r.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::bad_request(r.body_text())
    }
}
