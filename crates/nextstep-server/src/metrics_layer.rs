//! Request metrics for `/metrics`: a counter and a latency histogram per route pattern
//! (`/api/v1/deals/{id}`, not each id, so the series stay few) and status.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Counts and times one request.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let start = std::time::Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("nextstep_http_requests_total", &labels).increment(1);
    metrics::histogram!("nextstep_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    response
}
