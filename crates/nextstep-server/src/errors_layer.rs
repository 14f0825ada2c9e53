//! The last word on every response: an error that did not come from a handler of ours —
//! axum's 405 (empty), a body over the limit (tower-http's and axum's `text/plain` 413),
//! the request timeout (an empty 408), a URI over [`MAX_URI_BYTES`] — leaves in the API's
//! one shape, `{"error": {"code", "message"}}`, so a client never has to parse anything
//! else. Errors a handler already answered as JSON, and the HTML error pages people read,
//! pass untouched.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The longest path and query string the server reads (bytes): far above any URL the
/// pages or the API make, far below what would let a client make the server carry
/// megabytes of URL through routing and logs. Longer ones answer 414 in the JSON shape.
/// (hyper itself refuses URIs over 64 KiB before any of this code runs, with an empty
/// 414; see SECURITY.md.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Refuses over-long URIs, then reshapes any error response that is neither JSON nor an
/// HTML page.
pub async fn shape_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let uri_len = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().len())
        .unwrap_or(0);
    if uri_len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the URI is {uri_len} bytes; the limit is {MAX_URI_BYTES}"),
        )
        .into_response();
    }
    let method = req.method().clone();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || already_shaped(&response) {
        return response;
    }
    let allow = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            match &allow {
                Some(allow) if !allow.is_empty() => {
                    format!("this address does not take {method}; it takes {allow}")
                }
                _ => format!("this address does not take {method}"),
            },
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            format!(
                "the request body is over the server's limit of {} bytes ({} MB; see --max-upload-mb)",
                state.config().max_body_bytes,
                state.config().max_body_bytes / (1024 * 1024)
            ),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            format!(
                "the request took longer than the server's limit of {} s",
                state.config().request_timeout.as_secs()
            ),
        ),
        other => (code_for(other), reason(other)),
    };
    let mut shaped = ApiError::new(status, code, message).into_response();
    if let Some(allow) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
        shaped.headers_mut().insert(header::ALLOW, allow);
    }
    shaped
}

/// Whether a handler of ours already answered in a deliberate shape: JSON for the API,
/// an HTML page for people.
fn already_shaped(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/html"))
}

/// A stable code for a status nothing else named.
pub fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::CONFLICT => "conflict",
        StatusCode::GONE => "gone",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "error",
    }
}

/// The status's reason phrase as a sentence.
fn reason(status: StatusCode) -> String {
    status
        .canonical_reason()
        .map(|r| r.to_lowercase())
        .unwrap_or_else(|| format!("status {}", status.as_u16()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_a_code() {
        for (status, code) in [
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            (StatusCode::URI_TOO_LONG, "uri_too_long"),
            (StatusCode::BAD_GATEWAY, "internal"),
            (StatusCode::IM_A_TEAPOT, "error"),
        ] {
            assert_eq!(code_for(status), code);
        }
        assert_eq!(reason(StatusCode::NOT_FOUND), "not found");
    }
}
