//! Getting an upload into the queue exactly once, whatever dies when. Storing an upload
//! and pushing its job cannot be one transaction (the queue's tables are written through
//! apalis), so the upload row is its own outbox entry:
//!
//! 1. the job id is chosen first ([`Queue::new_job_id`]) and stored *in* the upload's
//!    row, which is written in one insert — with the client's `Idempotency-Key`, so a
//!    retried request finds the first upload instead of storing a second;
//! 2. the job is pushed under that id ([`Queue::push_as`]), then the row is marked
//!    enqueued;
//! 3. [`run_sweeper`] (in `serve` and in `nextstep worker`, at start and every
//!    [`SWEEP_INTERVAL`]) pushes the job of every upload stored but not marked — the
//!    process died between 1 and 2 — unless the queue already has it.
//!
//! Pushing is safe to repeat: a job id the queue already holds is never pushed twice, so
//! an upload has one job, and the worker's done-check makes one call of it.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use nextstep_core::{NewUpload, Scope, StoreError, StoredUpload, TeamStore};

use crate::jobs::{AnalyzeUpload, JobError, Queue};
use crate::state::AppState;

/// How often the sweeper looks for uploads whose job was never pushed.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(5);
/// How old an unmarked upload must be before the sweeper takes it: younger ones belong
/// to a request that is still pushing their job.
pub const SWEEP_GRACE: Duration = Duration::from_secs(2);
/// Uploads one sweep handles (the next sweep takes the rest).
const SWEEP_BATCH: i64 = 500;

/// An upload as a client sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadRequest {
    /// The deal the call belongs to (already found in the caller's scope).
    pub deal_id: i64,
    /// Who uploads it.
    pub user_id: Option<i64>,
    /// The file's name.
    pub file_name: String,
    /// The transcript's bytes.
    pub content: Vec<u8>,
    /// The call's date, when given.
    pub call_date: Option<NaiveDate>,
    /// The client's `Idempotency-Key`, when sent.
    pub idempotency_key: Option<String>,
    /// Speakers the client named as the seller's side.
    pub sellers: Vec<String>,
}

/// Stores an upload (or finds the first one stored under its idempotency key) and hands
/// its job to the queue. The answer is durable either way: if the push fails, the upload
/// is still stored and the sweeper pushes its job later. Fails only when the store
/// refuses the upload (a deal out of scope, an idempotency key reused for another file).
pub async fn enqueue(
    state: &AppState,
    scope: &Scope,
    request: UploadRequest,
) -> Result<StoredUpload, StoreError> {
    let job_id = Queue::new_job_id();
    let stored = state
        .db()
        .create_upload(
            scope,
            &NewUpload {
                deal_id: request.deal_id,
                user_id: request.user_id,
                file_name: request.file_name,
                content: request.content,
                call_date: request.call_date,
                job_id,
                idempotency_key: request.idempotency_key,
                sellers: request.sellers,
            },
        )
        .await?;
    if let Some(job) = &stored.upload.job_id {
        // A fresh upload's job cannot exist yet; a replayed one's may.
        if let Err(e) = dispatch(state, stored.upload.id, job, stored.replayed).await {
            tracing::warn!(
                upload = stored.upload.id,
                "could not queue the upload now ({e}); the sweeper will"
            );
        }
    }
    Ok(stored)
}

/// Pushes upload `id`'s job `job_id` unless the queue has it (`check` first: the job may
/// exist), then marks the upload enqueued.
async fn dispatch(state: &AppState, id: i64, job_id: &str, check: bool) -> Result<(), String> {
    let queue = state.queue();
    let exists = async || -> Result<bool, JobError> { Ok(queue.status(job_id).await?.is_some()) };
    let held = check && exists().await.map_err(|e| e.to_string())?;
    if !held
        && let Err(push) = queue.push_as(job_id, AnalyzeUpload { upload_id: id }).await
        && !exists().await.map_err(|e| e.to_string())?
    {
        return Err(push.to_string());
    }
    state
        .db()
        .mark_upload_enqueued(id)
        .await
        .map_err(|e| e.to_string())
}

/// One sweep: pushes the job of every upload stored more than [`SWEEP_GRACE`] ago and
/// not yet marked enqueued; returns how many it handled.
pub async fn sweep(state: &AppState) -> Result<usize, String> {
    let grace = chrono::Duration::from_std(SWEEP_GRACE).unwrap_or_default();
    let pending = state
        .db()
        .pending_uploads(Utc::now() - grace, SWEEP_BATCH)
        .await
        .map_err(|e| e.to_string())?;
    for (id, job) in &pending {
        let job = match job {
            Some(job) => job.clone(),
            None => state
                .db()
                .assign_upload_job(*id, &Queue::new_job_id())
                .await
                .map_err(|e| e.to_string())?,
        };
        dispatch(state, *id, &job, true).await?;
    }
    if !pending.is_empty() {
        tracing::info!(
            "queued {} upload(s) whose job had not been pushed",
            pending.len()
        );
    }
    Ok(pending.len())
}

/// Sweeps at once and then every [`SWEEP_INTERVAL`] until `stop` resolves; a failed sweep
/// (the database away) is logged and tried again next time.
pub async fn run_sweeper(state: &AppState, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        if let Err(e) = sweep(state).await {
            tracing::warn!("upload sweep failed: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_INTERVAL) => {}
            _ = &mut stop => return,
        }
    }
}
