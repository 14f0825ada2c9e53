//! What a queue worker does with one upload: take it, judge it, store the call — or
//! record why not. Idempotent: an upload already done is skipped, and storing the call
//! and marking the upload done are one transaction.

use chrono::Utc;
use nextstep_store::{NewUpload, Scope, TeamStore, Upload, UploadStatus};

use crate::error::ApiError;
use crate::jobs::{AnalyzeUpload, Attempt};
use crate::state::AppState;

/// Stores an upload and queues its analysis; answers at once with the upload (its job id
/// set). The bytes live in the store, the job carries only the upload's id.
pub async fn enqueue(
    state: &AppState,
    scope: &Scope,
    upload: &NewUpload,
) -> Result<Upload, ApiError> {
    let mut stored = state.db().create_upload(scope, upload).await?;
    let job_id = state
        .queue()
        .push(AnalyzeUpload {
            upload_id: stored.id,
        })
        .await
        .map_err(ApiError::internal)?;
    state.db().set_upload_job(stored.id, &job_id).await?;
    stored.job_id = Some(job_id);
    Ok(stored)
}

/// Runs one attempt at an upload. `Err` makes the queue retry (up to its limit); the
/// upload records each error, and `failed` after the last attempt.
pub async fn analyze_upload(
    state: &AppState,
    job: AnalyzeUpload,
    attempt: Attempt,
) -> Result<(), String> {
    let db = state.db();
    let upload = db
        .start_upload(job.upload_id)
        .await
        .map_err(|e| format!("upload {}: {e}", job.upload_id))?;
    if upload.status == UploadStatus::Done {
        return Ok(());
    }
    let last = attempt.is_last();
    let judged = crate::ingest::judge(
        &upload.content,
        &upload.file_name,
        None,
        upload.call_date,
        Utc::now().date_naive(),
        &[],
        state.rules(),
    );
    let outcome = match judged {
        Ok(j) => db
            .finish_upload(upload.id, &j.call, j.step.as_ref())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(format!("{}: {e}", upload.file_name)),
    };
    if let Err(error) = &outcome {
        tracing::warn!(
            upload = upload.id,
            attempt = attempt.number,
            "analysis failed: {error}"
        );
        db.fail_upload(upload.id, error, last)
            .await
            .map_err(|e| format!("upload {}: {e}", upload.id))?;
    }
    outcome
}
