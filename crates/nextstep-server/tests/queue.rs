//! The analysis job queue against real stores: SQLite files and PostgreSQL schemas.
//!
//! PostgreSQL tests use `NEXTSTEP_TEST_POSTGRES_URL` and are skipped with a note when it
//! is not set — except under CI, where that fails them (nextstep-synth's harness).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nextstep_server::jobs::{AnalyzeUpload, Attempt, JobError, MAX_ATTEMPTS, Queue};
use nextstep_store::{Db, PgStore, SqliteStore};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A name no other test (or earlier run) uses.
fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{prefix}_{}_{nanos}_{n}", std::process::id())
}

fn temp_db_path() -> PathBuf {
    std::env::temp_dir().join(format!("{}.db", unique("nextstep_jobs")))
}

/// A store in `schema` (shared by two calls with one name), or `None` (test skipped)
/// when no PostgreSQL is configured: nextstep-synth's harness.
async fn pg_store(schema: &str) -> Option<PgStore> {
    nextstep_synth::harness::postgres_in(schema).await
}

/// Every run a handler saw: (upload id, attempt).
type Seen = Arc<Mutex<Vec<(i64, Attempt)>>>;

/// A handler that records its runs, fails for `fail_id`, and takes `work` per job.
fn recording_handler(
    seen: Seen,
    fail_id: Option<i64>,
    work: Duration,
) -> impl Fn(AnalyzeUpload, Attempt) -> futures::future::BoxFuture<'static, Result<(), String>>
+ Clone
+ Send
+ Sync
+ 'static {
    move |job: AnalyzeUpload, attempt: Attempt| {
        let seen = seen.clone();
        Box::pin(async move {
            seen.lock().unwrap().push((job.upload_id, attempt));
            if !work.is_zero() {
                tokio::time::sleep(work).await;
            }
            if Some(job.upload_id) == fail_id {
                Err(format!("cannot analyse upload {}", job.upload_id))
            } else {
                Ok(())
            }
        })
    }
}

/// A running `Queue::run` and the switch that stops it.
struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), JobError>>,
}

fn start(
    queue: &Queue,
    workers: usize,
    name: &str,
    seen: Seen,
    fail_id: Option<i64>,
    work: Duration,
) -> Running {
    let (stop, rx) = oneshot::channel::<()>();
    let queue = queue.clone();
    let name = name.to_string();
    let task = tokio::spawn(async move {
        queue
            .run(
                workers,
                &name,
                recording_handler(seen, fail_id, work),
                async move {
                    let _ = rx.await;
                },
            )
            .await
    });
    Running { stop, task }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        let result = tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("worker did not stop within 30 s")
            .expect("worker task panicked");
        result.expect("worker stopped with an error");
    }
}

/// Waits until `done(seen)` holds, failing after `limit`.
async fn wait_until(seen: &Seen, limit: Duration, done: impl Fn(&[(i64, Attempt)]) -> bool) {
    let start = Instant::now();
    loop {
        if done(&seen.lock().unwrap()) {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?}; seen {} runs",
            seen.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn runs_per_id(seen: &[(i64, Attempt)]) -> BTreeMap<i64, usize> {
    let mut counts = BTreeMap::new();
    for (id, _) in seen {
        *counts.entry(*id).or_default() += 1;
    }
    counts
}

async fn push_range(queue: &Queue, ids: impl IntoIterator<Item = i64>) -> HashMap<i64, String> {
    let mut job_ids = HashMap::new();
    for upload_id in ids {
        let id = queue.push(AnalyzeUpload { upload_id }).await.unwrap();
        job_ids.insert(upload_id, id);
    }
    job_ids
}

/// Every pushed job runs exactly once on two concurrent workers; the job ids answer status.
async fn each_job_once(queue: &Queue, count: i64) {
    let job_ids = push_range(queue, 1..=count).await;
    let seen = Seen::default();
    let started = Instant::now();
    let running = start(
        queue,
        2,
        "each-once",
        seen.clone(),
        None,
        Duration::from_millis(2),
    );
    wait_until(&seen, Duration::from_secs(60), |s| {
        s.len() >= count as usize
    })
    .await;
    let elapsed = started.elapsed();
    // Long enough for a duplicate delivery (or a retry) to show up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    running.stop().await;

    let seen = seen.lock().unwrap().clone();
    let counts = runs_per_id(&seen);
    assert_eq!(counts.len(), count as usize, "every job ran");
    assert!(
        counts.values().all(|&n| n == 1),
        "a job ran twice: {counts:?}"
    );
    assert!(
        seen.iter()
            .all(|(_, a)| a.number == 1 && a.max == MAX_ATTEMPTS)
    );
    eprintln!("{count} jobs, 2 workers: all done in {elapsed:?}");

    let status = queue
        .status(&job_ids[&1])
        .await
        .unwrap()
        .expect("status of a pushed job");
    assert_eq!(status.state, "Done");
    assert_eq!(status.attempts, 1);
    assert_eq!(status.last_error, None);
}

/// A failing job runs MAX_ATTEMPTS times (attempts 1, 2, 3) and then no more; the others once.
async fn failing_job_retried_then_left_failed(queue: &Queue) {
    let job_ids = push_range(queue, [1000, 1001]).await;
    let seen = Seen::default();
    let running = start(
        queue,
        2,
        "retries",
        seen.clone(),
        Some(1000),
        Duration::ZERO,
    );
    wait_until(&seen, Duration::from_secs(30), |s| {
        s.iter().filter(|(id, _)| *id == 1000).count() >= MAX_ATTEMPTS
            && s.iter().any(|(id, _)| *id == 1001)
    })
    .await;
    // Several poll intervals: a fourth attempt would show up here.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    running.stop().await;

    let seen = seen.lock().unwrap().clone();
    let failing: Vec<Attempt> = seen
        .iter()
        .filter(|(id, _)| *id == 1000)
        .map(|(_, a)| *a)
        .collect();
    let numbers: Vec<usize> = failing.iter().map(|a| a.number).collect();
    assert_eq!(numbers, (1..=MAX_ATTEMPTS).collect::<Vec<_>>());
    assert!(failing.iter().all(|a| a.max == MAX_ATTEMPTS));
    assert_eq!(
        failing.iter().map(|a| a.is_last()).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert_eq!(seen.iter().filter(|(id, _)| *id == 1001).count(), 1);

    let failed = queue.status(&job_ids[&1000]).await.unwrap().unwrap();
    assert_eq!(failed.state, "Failed");
    assert_eq!(failed.attempts, MAX_ATTEMPTS);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("cannot analyse upload 1000")
    );
    let done = queue.status(&job_ids[&1001]).await.unwrap().unwrap();
    assert_eq!((done.state.as_str(), done.last_error), ("Done", None));
    assert_eq!(
        queue.status("01ARZ3NDEKTSV4RRFFQ69G5FAV").await.unwrap(),
        None
    );
    assert_eq!(queue.status("not-a-job-id").await.unwrap(), None);
    eprintln!("failing job: attempts {numbers:?}, status {failed:?}");
}

/// On an idle queue a pushed job is picked up. How quickly is a benchmark, not a test
/// (`cargo run --release -p nextstep-server --example queue_latency`): on a loaded
/// two-core machine the first pushes after the worker idles have waited seconds.
async fn idle_queue_picks_up(queue: &Queue) {
    let seen = Seen::default();
    let running = start(queue, 1, "latency", seen.clone(), None, Duration::ZERO);
    // Let the worker register and go idle.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for i in 0..3 {
        let before = seen.lock().unwrap().len();
        queue
            .push(AnalyzeUpload {
                upload_id: 5000 + i,
            })
            .await
            .unwrap();
        wait_until(&seen, Duration::from_secs(30), |s| s.len() > before).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_each_job_exactly_once_and_retries_stop_at_max() {
    let path = temp_db_path();
    let db = Db::Sqlite(SqliteStore::open(&path).await.unwrap());
    let queue = Queue::connect(&db, "analysis").await.unwrap();
    each_job_once(&queue, 50).await;
    failing_job_retried_then_left_failed(&queue).await;
    idle_queue_picks_up(&queue).await;
    // The store still opens (and migrates) with apalis' tables in its file.
    drop((queue, db));
    SqliteStore::open(&path)
        .await
        .expect("store reopens beside apalis' tables");
    let _ = std::fs::remove_file(&path);
}

/// A server and a worker started together on a new SQLite file both set up the queue's
/// tables (each process has its own pool, as here): neither fails on the other's
/// half-applied migration.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_processes_starting_together_both_set_up_the_queue() {
    for _ in 0..5 {
        let path = temp_db_path();
        let mut dbs = Vec::new();
        for _ in 0..3 {
            dbs.push(Db::Sqlite(SqliteStore::open(&path).await.unwrap()));
        }
        let connects = dbs.iter().map(|db| Queue::connect(db, "analysis"));
        for result in futures::future::join_all(connects).await {
            result.expect("every process sets up the queue");
        }
        drop(dbs);
        let _ = std::fs::remove_file(&path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_jobs_survive_a_restart() {
    let path = temp_db_path();
    {
        let db = Db::Sqlite(SqliteStore::open(&path).await.unwrap());
        let queue = Queue::connect(&db, "analysis").await.unwrap();
        push_range(&queue, 1..=20).await;
        // Dropped without ever running: the jobs are rows in the file.
    }
    let db = Db::Sqlite(SqliteStore::open(&path).await.unwrap());
    let queue = Queue::connect(&db, "analysis").await.unwrap();
    let seen = Seen::default();
    let running = start(
        &queue,
        2,
        "after-restart",
        seen.clone(),
        None,
        Duration::ZERO,
    );
    wait_until(&seen, Duration::from_secs(20), |s| s.len() >= 20).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.stop().await;
    let counts = runs_per_id(&seen.lock().unwrap());
    assert_eq!(
        counts.keys().copied().collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
    assert!(counts.values().all(|&n| n == 1));
    let _ = std::fs::remove_file(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_in_memory_store_works() {
    let db = Db::Sqlite(SqliteStore::memory().await.unwrap());
    let queue = Queue::connect(&db, "analysis").await.unwrap();
    each_job_once(&queue, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn empty_namespace_is_refused() {
    let db = Db::Sqlite(SqliteStore::memory().await.unwrap());
    assert!(matches!(
        Queue::connect(&db, "").await,
        Err(JobError::InvalidNamespace(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn postgres_two_processes_share_a_queue_each_job_once() {
    let schema = unique("jobs_test");
    let Some(store_a) = pg_store(&schema).await else {
        return;
    };
    let store_b = pg_store(&schema).await.unwrap();
    let (db_a, db_b) = (Db::Postgres(store_a.clone()), Db::Postgres(store_b));
    // Two handles with their own pools, as two server processes would have.
    let queue_a = Queue::connect(&db_a, &schema).await.unwrap();
    let queue_b = Queue::connect(&db_b, &schema).await.unwrap();

    let pushed = Instant::now();
    push_range(&queue_a, 1..=250).await;
    push_range(&queue_b, 251..=500).await;
    eprintln!("pushed 500 jobs in {:?}", pushed.elapsed());

    let seen_a = Seen::default();
    let seen_b = Seen::default();
    let started = Instant::now();
    let run_a = start(
        &queue_a,
        2,
        "process-a",
        seen_a.clone(),
        None,
        Duration::from_millis(2),
    );
    let run_b = start(
        &queue_b,
        2,
        "process-b",
        seen_b.clone(),
        None,
        Duration::from_millis(2),
    );
    let total = Duration::from_secs(90);
    while seen_a.lock().unwrap().len() + seen_b.lock().unwrap().len() < 500 {
        assert!(started.elapsed() < total, "timed out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    run_a.stop().await;
    run_b.stop().await;

    let a = seen_a.lock().unwrap().clone();
    let b = seen_b.lock().unwrap().clone();
    let mut all = a.clone();
    all.extend(b.iter().cloned());
    let counts = runs_per_id(&all);
    assert_eq!(
        counts.keys().copied().collect::<Vec<_>>(),
        (1..=500).collect::<Vec<_>>()
    );
    assert!(counts.values().all(|&n| n == 1), "a job ran twice");
    assert!(!a.is_empty() && !b.is_empty(), "both processes took work");
    eprintln!(
        "500 jobs over 2 processes x 2 workers in {elapsed:?}: a ran {}, b ran {}",
        a.len(),
        b.len()
    );

    failing_job_retried_then_left_failed(&queue_a).await;
    idle_queue_picks_up(&queue_b).await;
    store_a.drop_schema().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn postgres_namespaces_do_not_see_each_other() {
    let (schema_x, schema_y) = (unique("jobs_test"), unique("jobs_test"));
    let Some(store_x) = pg_store(&schema_x).await else {
        return;
    };
    let store_y = pg_store(&schema_y).await.unwrap();
    let queue_x = Queue::connect(&Db::Postgres(store_x.clone()), &schema_x)
        .await
        .unwrap();
    let queue_y = Queue::connect(&Db::Postgres(store_y.clone()), &schema_y)
        .await
        .unwrap();

    let ids_x = push_range(&queue_x, 1..=20).await;
    let ids_y = push_range(&queue_y, 101..=120).await;
    assert_eq!(
        queue_y.status(&ids_x[&1]).await.unwrap(),
        None,
        "y sees x's job"
    );
    assert_eq!(
        queue_x.status(&ids_y[&101]).await.unwrap(),
        None,
        "x sees y's job"
    );

    // x's workers run x's jobs only; y's stay pending.
    let seen_x = Seen::default();
    let run_x = start(&queue_x, 2, "x", seen_x.clone(), None, Duration::ZERO);
    wait_until(&seen_x, Duration::from_secs(20), |s| s.len() >= 20).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    run_x.stop().await;
    let counts_x = runs_per_id(&seen_x.lock().unwrap());
    assert_eq!(
        counts_x.keys().copied().collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
    assert!(counts_x.values().all(|&n| n == 1));
    for id in ids_y.values() {
        assert_eq!(queue_y.status(id).await.unwrap().unwrap().state, "Pending");
    }

    // y's workers then run y's jobs only.
    let seen_y = Seen::default();
    let run_y = start(&queue_y, 2, "y", seen_y.clone(), None, Duration::ZERO);
    wait_until(&seen_y, Duration::from_secs(20), |s| s.len() >= 20).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    run_y.stop().await;
    let counts_y = runs_per_id(&seen_y.lock().unwrap());
    assert_eq!(
        counts_y.keys().copied().collect::<Vec<_>>(),
        (101..=120).collect::<Vec<_>>()
    );
    assert!(counts_y.values().all(|&n| n == 1));

    store_x.drop_schema().await.unwrap();
    store_y.drop_schema().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_jobs_survive_a_restart() {
    let schema = unique("jobs_test");
    {
        let Some(store) = pg_store(&schema).await else {
            return;
        };
        let queue = Queue::connect(&Db::Postgres(store.clone()), &schema)
            .await
            .unwrap();
        push_range(&queue, 1..=20).await;
        store.close().await;
    }
    let store = pg_store(&schema).await.unwrap();
    let queue = Queue::connect(&Db::Postgres(store.clone()), &schema)
        .await
        .unwrap();
    let seen = Seen::default();
    let running = start(
        &queue,
        2,
        "after-restart",
        seen.clone(),
        None,
        Duration::ZERO,
    );
    wait_until(&seen, Duration::from_secs(20), |s| s.len() >= 20).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.stop().await;
    let counts = runs_per_id(&seen.lock().unwrap());
    assert_eq!(
        counts.keys().copied().collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
    assert!(counts.values().all(|&n| n == 1));
    store.drop_schema().await.unwrap();
}

/// Stopping lets the running jobs finish and records them done.
async fn graceful_shutdown_finishes_running_jobs(queue: &Queue) {
    let job_ids = push_range(queue, [7001, 7002, 7003]).await;
    let seen = Seen::default();
    let finished = Arc::new(Mutex::new(Vec::<i64>::new()));
    let handler = {
        let (seen, finished) = (seen.clone(), finished.clone());
        move |job: AnalyzeUpload, attempt: Attempt| {
            let (seen, finished) = (seen.clone(), finished.clone());
            async move {
                seen.lock().unwrap().push((job.upload_id, attempt));
                tokio::time::sleep(Duration::from_millis(1000)).await;
                finished.lock().unwrap().push(job.upload_id);
                Ok(())
            }
        }
    };
    let (stop, rx) = oneshot::channel::<()>();
    let q = queue.clone();
    let task = tokio::spawn(async move {
        q.run(3, "graceful", handler, async move {
            let _ = rx.await;
        })
        .await
    });
    wait_until(&seen, Duration::from_secs(10), |s| s.len() >= 3).await;
    let stopping = Instant::now();
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    let took = stopping.elapsed();
    assert_eq!(
        finished.lock().unwrap().len(),
        3,
        "run returned before its jobs finished"
    );
    for id in job_ids.values() {
        assert_eq!(queue.status(id).await.unwrap().unwrap().state, "Done");
    }
    eprintln!("graceful stop with 3 running 1 s jobs took {took:?}");
}

/// A job whose worker died mid-run is run again by another worker, as its next attempt.
async fn dead_workers_job_is_run_again(queue: &Queue) {
    let job_id = queue.push(AnalyzeUpload { upload_id: 8001 }).await.unwrap();
    let seen = Seen::default();
    // Worker "a" hangs in the job, then dies (its task is aborted: no shutdown, no result).
    let hang = {
        let seen = seen.clone();
        move |job: AnalyzeUpload, attempt: Attempt| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push((job.upload_id, attempt));
                futures::future::pending::<()>().await;
                Ok(())
            }
        }
    };
    let q = queue.clone();
    let dying =
        tokio::spawn(async move { q.run(1, "dies", hang, futures::future::pending()).await });
    wait_until(&seen, Duration::from_secs(10), |s| !s.is_empty()).await;
    dying.abort();
    let died = Instant::now();

    let running = start(queue, 1, "survivor", seen.clone(), None, Duration::ZERO);
    wait_until(&seen, Duration::from_secs(60), |s| s.len() >= 2).await;
    let recovered_after = died.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.stop().await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!((seen[0].0, seen[0].1.number), (8001, 1));
    assert_eq!((seen[1].0, seen[1].1.number), (8001, 2));
    let status = queue.status(&job_id).await.unwrap().unwrap();
    assert_eq!((status.state.as_str(), status.attempts), ("Done", 2));
    eprintln!("dead worker's job re-run {recovered_after:?} after the worker died");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_graceful_shutdown_and_dead_worker_recovery() {
    let path = temp_db_path();
    let db = Db::Sqlite(SqliteStore::open(&path).await.unwrap());
    let queue = Queue::connect(&db, "analysis").await.unwrap();
    graceful_shutdown_finishes_running_jobs(&queue).await;
    dead_workers_job_is_run_again(&queue).await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_graceful_shutdown_and_dead_worker_recovery() {
    let schema = unique("jobs_test");
    let Some(store) = pg_store(&schema).await else {
        return;
    };
    let queue = Queue::connect(&Db::Postgres(store.clone()), &schema)
        .await
        .unwrap();
    graceful_shutdown_finishes_running_jobs(&queue).await;
    dead_workers_job_is_run_again(&queue).await;
    store.drop_schema().await.unwrap();
}

/// A job that runs longer than ORPHANED_AFTER is not taken over while its worker lives
/// (the worker keeps heartbeating while all its slots are busy), even with another
/// worker watching for orphans.
async fn long_job_is_not_stolen(queue: &Queue) {
    use nextstep_server::jobs::ORPHANED_AFTER;
    queue.push(AnalyzeUpload { upload_id: 9001 }).await.unwrap();
    let seen = Seen::default();
    let long = ORPHANED_AFTER + Duration::from_secs(8);
    let busy = start(queue, 1, "busy", seen.clone(), None, long);
    wait_until(&seen, Duration::from_secs(10), |s| !s.is_empty()).await;
    let watcher = start(queue, 1, "watcher", seen.clone(), None, Duration::ZERO);
    tokio::time::sleep(long + Duration::from_secs(1)).await;
    busy.stop().await;
    watcher.stop().await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the long job was handed out again: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_long_job_is_not_stolen() {
    let path = temp_db_path();
    let db = Db::Sqlite(SqliteStore::open(&path).await.unwrap());
    let queue = Queue::connect(&db, "analysis").await.unwrap();
    long_job_is_not_stolen(&queue).await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_long_job_is_not_stolen() {
    let schema = unique("jobs_test");
    let Some(store) = pg_store(&schema).await else {
        return;
    };
    let queue = Queue::connect(&Db::Postgres(store.clone()), &schema)
        .await
        .unwrap();
    long_job_is_not_stolen(&queue).await;
    store.drop_schema().await.unwrap();
}
