//! How long a job pushed to an idle queue waits before a worker starts it: the
//! upload-to-analysis delay a user sees. A benchmark, not a test — its figure depends on
//! the machine and its load, so it is printed, not asserted.
//!
//!   cargo run --release -p nextstep-server --example queue_latency [N] [POSTGRES_URL]
//!
//! Times N pushes (default 20) on a new SQLite file, and on PostgreSQL when a URL is
//! given (or `NEXTSTEP_TEST_POSTGRES_URL` is set), with the worker idle before each.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nextstep_server::jobs::{AnalyzeUpload, Attempt, Queue};
use nextstep_store::{Db, PgStore, SqliteStore};

/// Upload ids the worker has started.
type Started = Arc<Mutex<Vec<i64>>>;

async fn latencies(db: &Db, namespace: &str, n: usize) -> Vec<Duration> {
    let queue = Queue::connect(db, namespace).await.expect("queue");
    let started: Started = Arc::default();
    let seen = started.clone();
    let handler = move |job: AnalyzeUpload, _: Attempt| {
        let seen = seen.clone();
        Box::pin(async move {
            seen.lock().unwrap().push(job.upload_id);
            Ok::<(), String>(())
        }) as futures::future::BoxFuture<'static, Result<(), String>>
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker_queue = queue.clone();
    let worker = tokio::spawn(async move {
        worker_queue
            .run(1, "latency", handler, async move {
                let _ = stopped.await;
            })
            .await
    });
    // Let the worker register and go idle.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut out = Vec::new();
    for i in 0..n {
        let id = 9000 + i as i64;
        let pushed = Instant::now();
        queue
            .push(AnalyzeUpload { upload_id: id })
            .await
            .expect("push");
        while !started.lock().unwrap().contains(&id) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        out.push(pushed.elapsed());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let _ = stop.send(());
    let _ = worker.await;
    out
}

fn report(name: &str, mut l: Vec<Duration>) {
    let first = l.first().copied().unwrap_or_default();
    l.sort();
    let pick = |q: f64| l[((l.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:10} n={:3}  first {:>8.1?}  p50 {:>8.1?}  p90 {:>8.1?}  max {:>8.1?}",
        l.len(),
        first,
        pick(0.5),
        pick(0.9),
        pick(1.0)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let pg = args
        .next()
        .or_else(|| std::env::var("NEXTSTEP_TEST_POSTGRES_URL").ok());
    let path = std::env::temp_dir().join(format!("nextstep-latency-{}.db", std::process::id()));
    let sqlite = Db::Sqlite(SqliteStore::open(&path).await.expect("sqlite"));
    report("sqlite", latencies(&sqlite, "latency", n).await);
    drop(sqlite);
    let _ = std::fs::remove_file(&path);
    if let Some(url) = pg {
        let schema = format!("latency_{}", std::process::id());
        let store = PgStore::connect_in_schema(&url, &schema)
            .await
            .expect("postgres");
        report(
            "postgres",
            latencies(&Db::Postgres(store.clone()), &schema, n).await,
        );
        store.drop_schema().await.expect("drop the schema");
    }
}
