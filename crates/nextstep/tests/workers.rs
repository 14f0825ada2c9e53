//! Scale-out: two `nextstep worker` processes against one PostgreSQL database share a
//! queue of 1,000 uploaded calls — every call analysed and stored exactly once, none lost,
//! and both processes took a share.
//!
//! Needs `NEXTSTEP_TEST_POSTGRES_URL` (`.ci/run` sets it); skipped without it, except
//! under CI.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nextstep_core::{Scope, Store, TeamStore, UploadStatus};
use nextstep_server::jobs::Queue;
use nextstep_server::outbox::UploadRequest;
use nextstep_server::{AppState, ServerConfig};
use nextstep_store::{Db, PgStore};

const UPLOADS: usize = 1000;

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A short call with a next step, dated so every run judges the same.
const CALL: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Dana Seller>What would you like to do next?\n\n\
00:00:05.000 --> 00:00:09.000\n<v Priya Buyer>Could you send me the security questionnaire by Friday?\n\n\
00:00:10.000 --> 00:00:12.000\n<v Dana Seller>Yes, I will send it by Friday.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_a_thousand_calls_each_done_once() {
    let Some(url) = nextstep_synth::harness::postgres_url("workers") else {
        return;
    };
    let schema = format!(
        "workers_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let store = PgStore::connect_in_schema(&url, &schema)
        .await
        .expect("PostgreSQL");
    let db = Db::Postgres(store.clone());
    db.import_deals(&[nextstep_core::NewDeal {
        external_id: "W-1".into(),
        name: "Scale-out deal".into(),
        account: Some("Acme".into()),
        owner: Some("Dana Seller".into()),
        stage: "Engaging".into(),
        currency: "USD".into(),
        ..Default::default()
    }])
    .await
    .unwrap();
    let deal = db.find_deal(&Scope::All, "W-1").await.unwrap();

    // Queue the uploads as the server would (stored, then a job each); nobody works yet.
    let queue_name = format!("workers-test-{schema}");
    let queue = Queue::connect(&db, &queue_name).await.unwrap();
    let state = AppState::new(
        db.clone(),
        queue,
        nextstep_analyzer::Rules::defaults(),
        None,
        ServerConfig::default(),
    );
    for i in 0..UPLOADS {
        nextstep_server::outbox::enqueue(
            &state,
            &Scope::All,
            UploadRequest {
                deal_id: deal.id,
                user_id: None,
                file_name: format!("call-{i:04}-2026-04-14.vtt"),
                content: CALL.as_bytes().to_vec(),
                call_date: None,
                idempotency_key: None,
                sellers: Vec::new(),
            },
        )
        .await
        .unwrap();
    }

    // Two worker processes, the store's schema first on their search path.
    let sep = if url.contains('?') { '&' } else { '?' };
    let worker_url = format!("{url}{sep}options=-c%20search_path%3D{schema}%2Cpublic");
    let spawn = |name: &str| {
        Worker(
            Command::new(env!("CARGO_BIN_EXE_nextstep"))
                .args(["--db", &worker_url, "worker", "--workers", "2"])
                .args(["--queue", &queue_name, "--name", name])
                .env("NEXTSTEP_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start nextstep worker"),
        )
    };
    let workers = [spawn("alpha"), spawn("beta")];

    let deadline = Instant::now() + Duration::from_secs(300);
    let uploads = loop {
        let uploads = db
            .list_uploads(&Scope::All, 2 * UPLOADS as i64)
            .await
            .unwrap();
        let settled = uploads
            .iter()
            .filter(|u| matches!(u.status, UploadStatus::Done | UploadStatus::Failed))
            .count();
        if settled == UPLOADS || Instant::now() > deadline {
            break uploads;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    drop(workers);

    assert_eq!(uploads.len(), UPLOADS);
    let not_done: Vec<_> = uploads
        .iter()
        .filter(|u| u.status != UploadStatus::Done)
        .map(|u| (u.id, u.status, u.error.clone()))
        .collect();
    assert!(not_done.is_empty(), "uploads not done: {not_done:?}");
    let rerun: Vec<_> = uploads
        .iter()
        .filter(|u| u.attempts != 1)
        .map(|u| (u.id, u.attempts))
        .collect();
    assert!(rerun.is_empty(), "uploads run more than once: {rerun:?}");
    let calls = db.calls_for_deal(deal.id).await.unwrap();
    assert_eq!(
        calls.len(),
        UPLOADS,
        "one call per upload, no more, no fewer"
    );
    let mut call_ids: Vec<_> = uploads.iter().filter_map(|u| u.call_id).collect();
    call_ids.sort_unstable();
    call_ids.dedup();
    assert_eq!(call_ids.len(), UPLOADS, "each upload has its own call");

    // Both processes took a share: apalis records which worker locked each job.
    let pg = sqlx::PgPool::connect(&url).await.unwrap();
    let shares: Vec<(String, i64)> = sqlx::query_as(
        "SELECT split_part(lock_by, '-', 1), count(*) FROM apalis.jobs \
         WHERE job_type = $1 GROUP BY 1 ORDER BY 1",
    )
    .bind(&queue_name)
    .fetch_all(&pg)
    .await
    .unwrap();
    eprintln!("jobs per worker: {shares:?}");
    assert_eq!(shares.len(), 2, "both workers took jobs: {shares:?}");
    assert!(shares.iter().all(|(_, n)| *n > 0));
    sqlx::query("DELETE FROM apalis.jobs WHERE job_type = $1")
        .bind(&queue_name)
        .execute(&pg)
        .await
        .unwrap();
    store.drop_schema().await.unwrap();
}
