//! nextstep's team server: one place for a sales team to see the pipeline, upload calls
//! and coach, over the same SQLite file or PostgreSQL database the command line uses.
//!
//! The public surface is what `nextstep serve` and `nextstep worker` call: [`AppState`]
//! and [`ServerConfig`], [`router`], [`serve`], [`work`], [`run_workers`],
//! [`install_metrics`], the queue ([`jobs`]) and the upload outbox ([`outbox`]). The
//! rest — the JSON API, the pages, authentication, the pipeline cache — is private.
//! The use-cases the command line shares (judging a transcript, loading the reports'
//! data, passwords and tokens) are `nextstep-core`'s.
//!
//! This crate is the only one that speaks HTTP; it reaches data only through the
//! store's traits.
#![warn(missing_docs)]

mod address_limit;
mod api;
mod auth;
mod cache;
mod error;
mod errors_layer;
mod forecast_fits;
mod form_token;
mod hashing;
pub mod jobs;
mod json_stream;
mod limits;
mod metrics_layer;
pub mod outbox;
mod report_cache;
mod reports;
mod state;
mod ui;
mod worker;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use state::{AppState, DEFAULT_MAX_UPLOAD_MB, ServerConfig};

/// Logins one peer address may try at once: for the crate's own tests of the limit.
pub use address_limit::BURST as ADDRESS_BURST;
/// Login attempts per email before the lockout, and the session cookie's name: what the
/// crate's own tests of logins and sessions assert against.
pub use auth::{MAX_LOGIN_ATTEMPTS, SESSION_COOKIE};

/// The Content-Security-Policy every response carries: scripts and styles only from the
/// server's own files, so text from a transcript can never run even if it escaped
/// the templates' escaping.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                       img-src 'self' data:; object-src 'none'; base-uri 'none'; \
                       frame-ancestors 'none'; form-action 'self'";

/// The whole application: API, pages, health and metrics. One body limit
/// ([`ServerConfig::max_body_bytes`]) for every route — checked from `Content-Length`
/// before reading and again while reading — and one request timeout; errors that layers
/// rather than handlers produce are reshaped into the JSON error shape on the way out.
pub fn router(state: AppState) -> Router {
    let limit = state.config().max_body_bytes;
    let timeout = state.config().request_timeout;
    Router::new()
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn(metrics_layer::track))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            errors_layer::shape_errors,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state)
}

/// Liveness and the database's reachability: 200 `ok`, or 503 naming the failure (in
/// the JSON error shape, like every error).
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    use nextstep_core::Store;
    match state.db().data_version().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => error::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            format!("database unreachable: {e}"),
        )
        .into_response(),
    }
}

/// Prometheus text exposition of the request counters and latencies.
async fn metrics(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    let body = state.metrics().map(|m| m.render()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// Installs the process's Prometheus recorder (once; `None` if one is installed).
pub fn install_metrics() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&[
            0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ])
        .ok()?
        .install_recorder()
        .ok()
}

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS's reason.
        reason: String,
    },
    /// The server failed while running.
    #[error("server error: {0}")]
    Io(String),
    /// The queue's workers failed.
    #[error("job queue: {0}")]
    Jobs(#[from] jobs::JobError),
}

/// Serves `state` on `addr` with `workers` in-process queue workers (0: none, for when
/// `nextstep worker` processes do the analysis) until `shutdown` resolves; in-flight
/// requests and jobs finish first. `on_listening` learns the bound address (port 0 picks
/// a free one).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    workers: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Bind {
            addr,
            reason: e.to_string(),
        })?;
    let local = listener
        .local_addr()
        .map_err(|e| ServeError::Io(e.to_string()))?;
    state.set_listening_on(local);
    on_listening(local);
    let stop = broadcast(shutdown);
    let sweeper = {
        let (s, stop) = (state.clone(), stop.clone());
        tokio::spawn(async move { outbox::run_sweeper(&s, stopped(stop)).await })
    };
    let refits = {
        let (s, stop) = (state.clone(), stop.clone());
        tokio::spawn(async move { reports::run_refits(&s, stopped(stop)).await })
    };
    if workers == 0 {
        // The workers are other processes: they fit the forecast too.
        state.refits().fit_elsewhere();
    }
    let jobs = if workers > 0 {
        let (s, stop) = (state.clone(), stop.clone());
        Some(tokio::spawn(async move {
            workers_until(&s, workers, "server", stop).await
        }))
    } else {
        None
    };
    // The peer address reaches handlers as `ConnectInfo` (the per-address login limit).
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let http = axum::serve(listener, app).with_graceful_shutdown(stopped(stop));
    http.await.map_err(|e| ServeError::Io(e.to_string()))?;
    if let Some(jobs) = jobs {
        jobs.await.map_err(|e| ServeError::Io(e.to_string()))??;
    }
    sweeper.await.map_err(|e| ServeError::Io(e.to_string()))?;
    refits.await.map_err(|e| ServeError::Io(e.to_string()))?;
    Ok(())
}

/// Turns a shutdown future into a signal any number of tasks can wait on.
fn broadcast(
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = tx.send(true);
    });
    rx
}

/// Resolves once `stop` has been signalled.
async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Runs `count` queue workers over `state`'s queue until `shutdown`: what the server does
/// in-process and what `nextstep worker` does on other machines. The queue stops its
/// worker on a database error (a restart, a network blip); this starts it again after a
/// pause, so workers outlive the outage — jobs it held are recovered by the queue.
pub async fn run_workers(
    state: &AppState,
    count: usize,
    name: &str,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), jobs::JobError> {
    workers_until(state, count, name, broadcast(shutdown)).await
}

/// What `nextstep worker` runs: [`run_workers`] plus the upload outbox's sweeper
/// ([`outbox::run_sweeper`]), so uploads whose job was never pushed get queued even when
/// no server is running.
pub async fn work(
    state: &AppState,
    count: usize,
    name: &str,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), jobs::JobError> {
    let stop = broadcast(shutdown);
    let sweeper = {
        let (s, stop) = (state.clone(), stop.clone());
        tokio::spawn(async move { outbox::run_sweeper(&s, stopped(stop)).await })
    };
    let result = workers_until(state, count, name, stop).await;
    let _ = sweeper.await;
    result
}

/// [`run_workers`] until `stop` is signalled.
async fn workers_until(
    state: &AppState,
    count: usize,
    name: &str,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), jobs::JobError> {
    loop {
        let s = state.clone();
        let result = state
            .queue()
            .run(
                count,
                name,
                move |job, attempt| {
                    let s = s.clone();
                    async move {
                        match job {
                            jobs::Job::AnalyzeUpload(job) => {
                                worker::analyze_upload(&s, job, attempt).await
                            }
                            jobs::Job::RefitForecast(job) => worker::refit_forecast(&s, &job).await,
                        }
                    }
                },
                stopped(stop.clone()),
            )
            .await;
        if *stop.borrow() {
            return result;
        }
        if let Err(e) = &result {
            tracing::error!("queue worker stopped: {e}; restarting in 5 s");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stopped(stop.clone()) => return Ok(()),
        }
    }
}
