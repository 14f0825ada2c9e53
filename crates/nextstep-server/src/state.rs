//! What every request handler shares: the store, the job queue, the analyzer's rules,
//! the metrics registry, the server's settings and its login guards (the password
//! checking pool, the per-address limit, the form-token key) — one `Arc`, cheap to clone.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use nextstep_analyzer::Rules;
use nextstep_store::Db;

use crate::error::ApiError;
use crate::jobs::Queue;

/// Settings of one server run.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (the server is reached over TLS); also set per request by
    /// `X-Forwarded-Proto: https` from a proxy.
    pub secure_cookies: bool,
    /// The address prospects reach the server at, for confirmation links. Without it,
    /// links use the address the server listens on when that is loopback (a server on
    /// one's own machine) and cannot be made otherwise — never the request's `Host`
    /// header, which the client chooses.
    pub public_url: Option<String>,
    /// A deal with no call for more than this many days is stale on the board.
    pub stale_days: i64,
    /// The largest request body any route reads (bytes): transcripts, CSV imports and
    /// forms alike (`--max-upload-mb`). Larger ones answer 413 in the JSON error shape.
    pub max_body_bytes: usize,
    /// How long one request may take, body included, before it answers 408: long enough
    /// for a maximal upload over a slow link, short enough that a stalled client does not
    /// hold a connection's handler for ever.
    pub request_timeout: std::time::Duration,
}

/// The default of `--max-upload-mb`: what the import page promises.
pub const DEFAULT_MAX_UPLOAD_MB: usize = 20;

/// The default [`ServerConfig::request_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            secure_cookies: false,
            public_url: None,
            stale_days: 30,
            max_body_bytes: DEFAULT_MAX_UPLOAD_MB * 1024 * 1024,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

struct Inner {
    db: Db,
    queue: Queue,
    rules: Rules,
    metrics: Option<PrometheusHandle>,
    config: ServerConfig,
    pipeline_cache: crate::cache::PipelineCache,
    report_caches: crate::report_cache::ReportCaches,
    refits: crate::forecast_fits::Refits,
    hash_pool: crate::hashing::HashPool,
    address_limit: crate::address_limit::AddressLimit,
    form_tokens: tokio::sync::OnceCell<crate::form_token::FormTokens>,
    listening_on: std::sync::OnceLock<std::net::SocketAddr>,
}

/// The shared state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// Bundles the parts; `metrics` is `None` when another recorder is installed (tests).
    pub fn new(
        db: Db,
        queue: Queue,
        rules: Rules,
        metrics: Option<PrometheusHandle>,
        config: ServerConfig,
    ) -> Self {
        AppState {
            inner: Arc::new(Inner {
                db,
                queue,
                rules,
                metrics,
                config,
                pipeline_cache: Default::default(),
                report_caches: Default::default(),
                refits: Default::default(),
                hash_pool: crate::hashing::HashPool::for_this_machine(),
                address_limit: Default::default(),
                form_tokens: Default::default(),
                listening_on: Default::default(),
            }),
        }
    }

    /// The store.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The analysis queue.
    pub fn queue(&self) -> &Queue {
        &self.inner.queue
    }

    /// The analyzer's rules.
    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    /// The Prometheus registry, when this server owns one.
    pub fn metrics(&self) -> Option<&PrometheusHandle> {
        self.inner.metrics.as_ref()
    }

    /// The pipeline reports, by scope.
    pub fn pipeline_cache(&self) -> &crate::cache::PipelineCache {
        &self.inner.pipeline_cache
    }

    /// The coaching and forecast reports, by scope.
    pub fn report_caches(&self) -> &crate::report_cache::ReportCaches {
        &self.inner.report_caches
    }

    /// The forecast scopes waiting for their model to be fitted again.
    pub fn refits(&self) -> &crate::forecast_fits::Refits {
        &self.inner.refits
    }

    /// The bounded pool every password check runs in.
    pub fn hash_pool(&self) -> &crate::hashing::HashPool {
        &self.inner.hash_pool
    }

    /// Login attempts per client address.
    pub fn address_limit(&self) -> &crate::address_limit::AddressLimit {
        &self.inner.address_limit
    }

    /// The signer of the login and confirmation forms' tokens, with the key every server
    /// of this database shares (read from the store, or stored, on first use).
    pub async fn form_tokens(&self) -> Result<&crate::form_token::FormTokens, ApiError> {
        use nextstep_core::TeamStore;
        self.inner
            .form_tokens
            .get_or_try_init(|| async {
                let candidate =
                    crate::form_token::FormTokens::random_key().map_err(ApiError::internal)?;
                let key = self
                    .db()
                    .server_key(crate::form_token::KEY_NAME, &candidate)
                    .await?;
                Ok(crate::form_token::FormTokens::new(key))
            })
            .await
    }

    /// Records the address [`crate::serve`] bound (once).
    pub fn set_listening_on(&self, addr: std::net::SocketAddr) {
        let _ = self.inner.listening_on.set(addr);
    }

    /// The address the server listens on, once it does.
    pub fn listening_on(&self) -> Option<std::net::SocketAddr> {
        self.inner.listening_on.get().copied()
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }
}
