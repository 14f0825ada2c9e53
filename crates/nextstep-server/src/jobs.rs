//! The analysis job queue: uploaded transcripts are analysed by background workers, not in
//! the request that uploaded them.
//!
//! Built on [apalis] 1.0 with its SQL backends, so a job is a row in the store's own
//! database: it survives a restart of the server, and several server processes can share
//! one queue. On SQLite the job tables (`Jobs`, `Workers`, apalis' migration history in
//! `_apalis_migrations`) sit in the store's file; on PostgreSQL apalis keeps them in its own
//! `apalis` schema (hard-coded in its SQL), shared by every store in that database — which is
//! why every [`Queue`] has a namespace (apalis' queue name, the `job_type` column): stores
//! that share a database but not a namespace never see each other's jobs.
//!
//! Delivery: a worker claims a job in one statement (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite's single writer on SQLite), so no job is handed to two live workers.
//! A job whose handler fails is retried until it was tried [`MAX_ATTEMPTS`] times; a job
//! whose worker died mid-run (crash, kill -9, lost database) is put back by the next
//! worker's heartbeat once the dead worker missed its heartbeats ([`ORPHANED_AFTER`]), and
//! that counts as an attempt.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use apalis::prelude::{
    BackendExt, FetchById, FromRequest, Status, Strategy, Task, TaskBuilder, TaskId, TaskSink,
    WaitForCompletion, WorkerBuilder, WorkerBuilderExt, WorkerError,
};
use apalis_postgres::{PostgresStorage, Pubsub};
use apalis_sqlite::SqliteStorage;
use nextstep_store::Db;
use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use ulid::Ulid;

/// The one job nextstep queues: analyse one uploaded transcript (its bytes live in the
/// store's uploads table, so the job carries only the id and stays valid however large the
/// transcript is).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct AnalyzeUpload {
    /// The upload (`uploads.id`) to analyse.
    pub upload_id: i64,
}

/// Fit one scope's forecast model again and store it with its backtest chart: queued by
/// a server that does not fit in its own process (`serve --workers 0`), so the model's
/// memory is a worker's, never the server's. The scope is its stored key (`all`,
/// `owner:ID`, `team:ID`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct RefitForecast {
    /// The scope's key (`forecast_fits::scope_key`).
    pub refit_forecast: String,
}

/// Every job the queue carries. Untagged, so an upload's job is still the
/// `{"upload_id": N}` that earlier versions queued.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Job {
    /// Analyse an uploaded transcript.
    AnalyzeUpload(AnalyzeUpload),
    /// Refit a scope's forecast model.
    RefitForecast(RefitForecast),
}

/// How often a failing job is tried before it is left failed: enough to ride out a
/// transient error (database busy, a restart mid-job), few enough that a transcript that
/// cannot be analysed is reported failed within seconds.
pub const MAX_ATTEMPTS: usize = 3;

/// How often an idle SQLite worker looks for new jobs. SQLite has no cross-process
/// notification, so it polls: 100 ms keeps the start of a queued job well under the 200 ms
/// target, and the claim is one indexed `UPDATE … RETURNING` that finds nothing.
pub const SQLITE_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How often an idle PostgreSQL worker polls besides listening: new jobs wake it at once by
/// `LISTEN/NOTIFY` (apalis' insert trigger), but retries, jobs put back from a dead worker
/// and notifications lost while the listener reconnected raise no notification.
pub const POSTGRES_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How often a worker tells the database it is alive (apalis' `Workers.last_seen`).
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(5);

/// How many heartbeats a worker may miss before its running jobs are considered orphaned.
const MISSED_HEARTBEATS: usize = 3;

/// How long after its last heartbeat a dead worker's jobs are put back in the queue (by the
/// heartbeat of any other live worker of the same namespace, or of the next one started):
/// long enough that a busy-but-alive worker is never robbed of its job (heartbeats run on
/// their own timer while jobs run), short enough that a crash delays a job by seconds.
pub const ORPHANED_AFTER: Duration =
    Duration::from_secs(HEARTBEAT_INTERVAL.as_secs() * MISSED_HEARTBEATS as u64);

/// Connections in the queue's own PostgreSQL pool: one held by each running worker's
/// `LISTEN`, the rest for claims, heartbeats, results, pushes and status reads.
const POSTGRES_POOL_SIZE: u32 = 6;

/// The longest namespace accepted (apalis' own limit on a queue name is 512).
const MAX_NAMESPACE_LEN: usize = 200;

/// How often a SQLite process tries to set up the queue's tables while another one is
/// setting them up (see `Queue::connect`).
const MIGRATE_TRIES: usize = 8;

/// Why a queue operation failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The namespace is empty or too long.
    #[error("invalid job queue namespace {0:?}: it must have 1 to 200 characters")]
    InvalidNamespace(String),
    /// apalis' tables could not be created or upgraded.
    #[error("cannot set up the job queue tables: {0}")]
    Migrate(String),
    /// The queue's database could not be reached or refused a query.
    #[error("job queue database error: {0}")]
    Database(String),
    /// The job could not be encoded for storage.
    #[error("cannot encode the job: {0}")]
    Encode(String),
    /// The worker stopped on an error of its own (usually the database going away) rather
    /// than on the shutdown signal; the caller decides whether to start it again.
    #[error("job worker stopped: {0}")]
    Worker(String),
}

/// What a handler learns about the run it is in: from apalis' own attempt counter (stored in
/// the job's row), so it survives restarts; a handler marks its upload failed when
/// [`Attempt::is_last`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// This run's number, 1-based: 1 on the first try, [`MAX_ATTEMPTS`] on the last.
    pub number: usize,
    /// How many runs the job gets in all ([`MAX_ATTEMPTS`] for jobs pushed by [`Queue::push`]).
    pub max: usize,
}

impl Attempt {
    /// Whether a failure now is final (no retry follows). `>=` rather than `==`: a job put
    /// back after its worker died counts that run too, so it can get one run past `max`.
    pub fn is_last(&self) -> bool {
        self.number >= self.max
    }
}

/// apalis hands each handler call its `Task`; by the time the handler runs, apalis'
/// lifecycle layer has already counted this run into the task's attempt counter.
impl FromRequest<Task<Value>> for Attempt {
    type Error = Infallible;

    async fn from_request(task: &Task<Value>) -> Result<Self, Infallible> {
        let ctx = task.ctx();
        Ok(Attempt {
            number: ctx.attempt().max(1),
            max: ctx.max_attempts().unwrap_or(MAX_ATTEMPTS),
        })
    }
}

/// A job's state as apalis records it, for `GET /api/v1/jobs/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// apalis' status: `Pending` (waiting), `Queued` (claimed by a worker), `Running`,
    /// `Done`, `Failed` (final once `attempts` reached the maximum, otherwise waiting for its
    /// retry) or `Killed`.
    pub state: String,
    /// Runs so far (a run interrupted by a dead worker included).
    pub attempts: usize,
    /// The handler's error, once the job has failed for good (apalis exposes a job's result
    /// only when it is final: `Done`, `Killed`, or `Failed` with no attempt left).
    pub last_error: Option<String>,
}

impl JobStatus {
    /// Whether a worker has the job (claimed or running it): what a caller waiting for
    /// its result asks before giving up on the workers. apalis' names stay in this file.
    pub fn taken(&self) -> bool {
        self.state == Status::Queued.to_string() || self.state == Status::Running.to_string()
    }
}

/// The job queue of one namespace in the store's database: cheap to clone, one per server.
///
/// Jobs are stored as JSON (`{"upload_id": 7}`) and decoded by the worker, so a row that no
/// longer decodes fails like a handler error instead of stopping the worker.
#[derive(Clone)]
pub struct Queue {
    backend: Backend,
    namespace: String,
}

/// The apalis storage behind a [`Queue`].
#[derive(Clone)]
enum Backend {
    Sqlite(SqliteStorage<Value>),
    Postgres(PostgresStorage<Value>),
}

impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        };
        f.debug_struct("Queue")
            .field("backend", &backend)
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl Queue {
    /// Sets up apalis' tables (its migrations) in the store's database and returns a handle
    /// to the queue named `namespace` — pass something unique to the store (the PostgreSQL
    /// schema name, say) when several stores share a database.
    ///
    /// SQLite: the queue uses the store's pool; apalis' migration history goes to its own
    /// `_apalis_migrations` table so the store's `_sqlx_migrations` never sees versions it
    /// does not know. (apalis' `SqliteStorage::setup` is not called: it would also switch one
    /// of the store's pooled connections to `synchronous = OFF`.)
    ///
    /// PostgreSQL: the queue opens its own small pool with the store's connection options
    /// but without its `search_path` hook, because apalis' tables live in the shared
    /// `apalis` schema and its `hstore` type (extension created in `public` on first use)
    /// must resolve; the migration history is kept in `apalis._sqlx_migrations`, next to the
    /// tables it describes, so stores in different schemas do not each try to re-run them.
    pub async fn connect(db: &Db, namespace: &str) -> Result<Queue, JobError> {
        if namespace.is_empty() || namespace.chars().count() > MAX_NAMESPACE_LEN {
            return Err(JobError::InvalidNamespace(namespace.to_string()));
        }
        let backend = match db {
            Db::Sqlite(store) => {
                let pool = store.pool();
                let mut migrator = SqliteStorage::migrations();
                migrator.dangerous_set_table_name("_apalis_migrations");
                // sqlx takes no lock to migrate SQLite: a server and a worker started
                // together on a new file race, and the loser fails half-way through a
                // migration the winner is applying (its transaction rolls back). The
                // winner finishes within moments; trying again then finds it applied.
                let mut tries = 0;
                while let Err(e) = migrator.run(pool).await {
                    tries += 1;
                    if tries >= MIGRATE_TRIES {
                        return Err(JobError::Migrate(e.to_string()));
                    }
                    tokio::time::sleep(Duration::from_millis(100 * tries as u64)).await;
                }
                let config = apalis_sqlite::Config::default()
                    .queue(namespace)
                    .batch_size(1)
                    .heartbeat_interval(HEARTBEAT_INTERVAL)
                    .missed_heartbeats(MISSED_HEARTBEATS);
                Backend::Sqlite(SqliteStorage::new(pool).with_config(config))
            }
            Db::Postgres(store) => {
                let options = store.pool().connect_options();
                let pool = PgPoolOptions::new()
                    .max_connections(POSTGRES_POOL_SIZE)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with((*options).clone())
                    .await
                    .map_err(|e| JobError::Database(e.to_string()))?;
                let mut migrator = PostgresStorage::migrations();
                migrator.create_schema("apalis");
                migrator.dangerous_set_table_name("apalis._sqlx_migrations");
                migrator
                    .run(&pool)
                    .await
                    .map_err(|e| JobError::Migrate(e.to_string()))?;
                let config = apalis_postgres::Config::default()
                    .queue(namespace)
                    .batch_size(1)
                    .heartbeat_interval(HEARTBEAT_INTERVAL)
                    .missed_heartbeats(MISSED_HEARTBEATS);
                Backend::Postgres(PostgresStorage::new(&pool).with_config(config))
            }
        };
        Ok(Queue {
            backend,
            namespace: namespace.to_string(),
        })
    }

    /// The queue name this handle reads and writes (apalis' `job_type`).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// A fresh job id (a ULID): chosen before an upload is stored, so the upload's row
    /// names its job from the start and a job can be pushed again under the same id
    /// without ever making a second one.
    pub fn new_job_id() -> String {
        Ulid::generate().to_string()
    }

    /// Enqueues a job under a fresh id (one row, committed before this returns) and
    /// returns the id: what [`Queue::status`] takes.
    pub async fn push(&self, job: AnalyzeUpload) -> Result<String, JobError> {
        let id = Queue::new_job_id();
        self.push_as(&id, job).await?;
        Ok(id)
    }

    /// Enqueues a job under the id `id` (from [`Queue::new_job_id`]). A second push of
    /// the same id fails on the job table's unique id ([`JobError::Database`]) and adds
    /// nothing, which is what makes pushing from the outbox safe to repeat.
    pub async fn push_as(&self, id: &str, job: AnalyzeUpload) -> Result<(), JobError> {
        self.push_job(id, &Job::AnalyzeUpload(job)).await
    }

    /// Enqueues a refit of the forecast of the scope stored under `scope_key`; returns
    /// the job's id.
    pub async fn push_refit(&self, scope_key: &str) -> Result<String, JobError> {
        let id = Queue::new_job_id();
        let job = Job::RefitForecast(RefitForecast {
            refit_forecast: scope_key.to_string(),
        });
        self.push_job(&id, &job).await?;
        Ok(id)
    }

    /// Enqueues `job` under the id `id`.
    async fn push_job(&self, id: &str, job: &Job) -> Result<(), JobError> {
        let ulid =
            Ulid::from_str(id).map_err(|e| JobError::Encode(format!("job id {id:?}: {e}")))?;
        let args = serde_json::to_value(job).map_err(|e| JobError::Encode(e.to_string()))?;
        let task = TaskBuilder::new(args)
            .task_id(TaskId::from_ulid(ulid))
            .max_attempts(MAX_ATTEMPTS)
            .build();
        match &self.backend {
            Backend::Sqlite(storage) => storage
                .clone()
                .push_task(task)
                .await
                .map_err(|e| JobError::Database(e.to_string()))?,
            Backend::Postgres(storage) => storage
                .clone()
                .push_task(task)
                .await
                .map_err(|e| JobError::Database(e.to_string()))?,
        }
        Ok(())
    }

    /// The job's state, runs so far and final error; `None` for an id this queue never
    /// issued (unknown, malformed, or another namespace's).
    pub async fn status(&self, id: &str) -> Result<Option<JobStatus>, JobError> {
        let Ok(ulid) = Ulid::from_str(id) else {
            return Ok(None);
        };
        let task_id = TaskId::from_ulid(ulid);
        let db = |e: &dyn fmt::Display| JobError::Database(e.to_string());
        let task = match &self.backend {
            Backend::Sqlite(storage) => storage
                .clone()
                .fetch_by_id(&task_id)
                .await
                .map_err(|e| db(&e))?,
            Backend::Postgres(storage) => storage
                .clone()
                .fetch_by_id(&task_id)
                .await
                .map_err(|e| db(&e))?,
        };
        let Some(task) = task else {
            return Ok(None);
        };
        let ctx = task.ctx();
        if ctx.queue().map(|q| q.as_ref()) != Some(self.namespace.as_str()) {
            return Ok(None);
        }
        let state = ctx.status();
        let attempts = ctx.attempt();
        let last_error = if matches!(state, Status::Done | Status::Failed | Status::Killed) {
            let results = match &self.backend {
                Backend::Sqlite(storage) => {
                    WaitForCompletion::<Value>::check_status(&mut storage.clone(), [task_id])
                        .await
                        .map_err(|e| db(&e))?
                }
                Backend::Postgres(storage) => {
                    WaitForCompletion::<Value>::check_status(&mut storage.clone(), [task_id])
                        .await
                        .map_err(|e| db(&e))?
                }
            };
            results.into_iter().next().and_then(|r| r.result.err())
        } else {
            None
        };
        Ok(Some(JobStatus {
            state: state.to_string(),
            attempts,
            last_error,
        }))
    }

    /// Runs one apalis worker (named `name` plus a fresh ULID, so a restarted process never
    /// collides with its predecessor's registration) that runs up to `workers` jobs at once,
    /// until `shutdown` resolves; then it takes no new job, lets the running ones finish and
    /// records their results before returning `Ok`.
    ///
    /// Each job runs on its own tokio task, so a slow or CPU-heavy handler never holds up
    /// the worker's heartbeat (a silent worker would have its jobs taken over) and a
    /// panicking handler counts as a failure. The handler's `Err(String)` is a failure:
    /// apalis runs the job again until it was tried [`MAX_ATTEMPTS`] times in all.
    ///
    /// Returns [`JobError::Worker`] if the worker dies before `shutdown` (typically the
    /// database becoming unreachable: apalis stops a worker on any storage error). Its
    /// running jobs are abandoned and picked up again after [`ORPHANED_AFTER`]; calling
    /// `run` again (after a pause) starts a fresh worker.
    ///
    /// `J` is what the handler takes: [`Job`] for nextstep's workers; a test may take one
    /// kind of job (a payload of another kind then fails as malformed).
    pub async fn run<J, F, Fut>(
        &self,
        workers: usize,
        name: &str,
        handler: F,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), JobError>
    where
        J: serde::de::DeserializeOwned + Send + 'static,
        F: Fn(J, Attempt) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let worker_name = format!("{name}-{}", Ulid::generate());
        let service = move |args: Value, attempt: Attempt| {
            let handler = handler.clone();
            async move {
                let job: J = serde_json::from_value(args)
                    .map_err(|e| format!("malformed job payload: {e}"))?;
                match tokio::spawn(handler(job, attempt)).await {
                    Ok(result) => result,
                    Err(e) if e.is_panic() => Err(format!(
                        "the analysis panicked: {}",
                        panic_message(e.into_panic())
                    )),
                    Err(e) => Err(format!("the analysis was cancelled: {e}")),
                }
            }
        };
        let signal = async move {
            shutdown.await;
            Ok::<(), WorkerError>(())
        };
        let concurrency = workers.max(1);
        let outcome = match &self.backend {
            Backend::Sqlite(storage) => {
                let backend = storage.clone().poll_with_interval(SQLITE_POLL_INTERVAL);
                WorkerBuilder::new(worker_name.as_str())
                    .backend(backend)
                    .concurrency(concurrency)
                    .build(service)
                    .run_until(signal)
                    .await
            }
            Backend::Postgres(storage) => {
                let strategy = Strategy::new()
                    .stream(Pubsub::new(storage.pool().clone(), self.namespace.clone()))
                    .interval(POSTGRES_POLL_INTERVAL);
                let backend = storage.clone().poll_with_strategy(strategy);
                WorkerBuilder::new(worker_name.as_str())
                    .backend(backend)
                    .concurrency(concurrency)
                    .build(service)
                    .run_until(signal)
                    .await
            }
        };
        outcome.map_err(|e| JobError::Worker(e.to_string()))
    }
}

/// The text of a panic payload (a `&str` or `String` for `panic!` with a message).
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_string(),
            Err(_) => "(no message)".to_string(),
        },
    }
}
