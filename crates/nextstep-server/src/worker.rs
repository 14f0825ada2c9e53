//! What a queue worker does with one upload: take it, judge it, store the call — or
//! record why not. Idempotent: an upload already done is skipped, and storing the call
//! and marking the upload done are one transaction.

use chrono::Utc;
use nextstep_core::facts::FactStore;
use nextstep_core::{Scope, Store, TeamStore, UploadStatus};

use crate::jobs::{AnalyzeUpload, Attempt, RefitForecast};
use crate::state::AppState;

/// Fits a scope's forecast model and its page chart and stores them, unless a fit of
/// the current data and day is stored already (a burst of requests queues several jobs;
/// the first one fits).
pub async fn refit_forecast(state: &AppState, job: &RefitForecast) -> Result<(), String> {
    let Some(scope) = crate::forecast_fits::parse_scope_key(&job.refit_forecast) else {
        return Err(format!("no such forecast scope: {:?}", job.refit_forecast));
    };
    if !crate::reports::behind(state, &scope).await {
        let chart = crate::forecast_fits::chart_key(&scope);
        if state
            .db()
            .stored_fit(&chart)
            .await
            .is_ok_and(|c| c.is_some())
        {
            return Ok(());
        }
    }
    // A worker always stores the chart with the fit: the server reads both.
    crate::reports::refit(state, &scope, true)
        .await
        .map(|_| ())
        .map_err(|e| format!("fitting the forecast of {scope:?}: {e}"))
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
    // The queue re-runs a job whose worker died without counting that against its
    // attempts; our own count does, so a transcript that kills its worker every time
    // stops here instead of looping.
    if upload.attempts > attempt.max as i64 {
        let error = format!(
            "{}: gave up after {} attempts (the worker stopped during each)",
            upload.file_name,
            upload.attempts - 1
        );
        db.fail_upload(upload.id, &error, true)
            .await
            .map_err(|e| format!("upload {}: {e}", upload.id))?;
        return Ok(());
    }
    let last = attempt.is_last();
    // The deal's owner and the team's roster are on the seller's side, with the names
    // the uploader gave.
    let deal = db
        .find_deal(&Scope::All, &upload.deal_id.to_string())
        .await
        .map_err(|e| format!("upload {}: {e}", upload.id))?;
    let sides = nextstep_core::ingest::team_sides(db, &deal, &upload.sellers)
        .await
        .map_err(|e| format!("upload {}: {e}", upload.id))?;
    let judged = nextstep_core::ingest::judge(
        &upload.content,
        &upload.file_name,
        None,
        upload.call_date,
        Utc::now().date_naive(),
        &sides,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::Queue;
    use crate::{AppState, ServerConfig};
    use nextstep_core::{NewDeal, NewUpload, Scope, Store};
    use nextstep_store::{Db, SqliteStore};

    const CALL: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Dana Seller>What would you like to do next?\n\n\
        00:00:05.000 --> 00:00:09.000\n<v Priya Buyer>Could you send me the security questionnaire by Friday?\n";

    async fn state_with_upload(content: &[u8]) -> (AppState, i64, i64) {
        let db = Db::Sqlite(SqliteStore::memory().await.unwrap());
        db.import_deals(&[NewDeal {
            external_id: "W-1".into(),
            name: "Deal".into(),
            stage: "Demo".into(),
            currency: "USD".into(),
            ..Default::default()
        }])
        .await
        .unwrap();
        let deal = db.find_deal(&Scope::All, "W-1").await.unwrap().id;
        let upload = db
            .create_upload(
                &Scope::All,
                &NewUpload {
                    deal_id: deal,
                    user_id: None,
                    file_name: "call-2026-04-14.vtt".into(),
                    content: content.to_vec(),
                    call_date: None,
                    job_id: Queue::new_job_id(),
                    idempotency_key: None,
                    sellers: Vec::new(),
                },
            )
            .await
            .unwrap()
            .upload;
        let queue = Queue::connect(&db, "worker-tests").await.unwrap();
        let rules = nextstep_analyzer::Rules::defaults();
        let state = AppState::new(db, queue, rules, None, ServerConfig::default());
        (state, deal, upload.id)
    }

    fn first_attempt() -> Attempt {
        Attempt {
            number: 1,
            max: crate::jobs::MAX_ATTEMPTS,
        }
    }

    #[tokio::test]
    async fn an_upload_becomes_one_call_even_when_run_twice() {
        let (state, deal, id) = state_with_upload(CALL.as_bytes()).await;
        let job = AnalyzeUpload { upload_id: id };
        analyze_upload(&state, job.clone(), first_attempt())
            .await
            .unwrap();
        analyze_upload(&state, job, first_attempt()).await.unwrap();
        let upload = state.db().find_upload(&Scope::All, id).await.unwrap();
        assert_eq!(upload.status, UploadStatus::Done);
        assert_eq!(state.db().calls_for_deal(deal).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_job_whose_worker_keeps_dying_is_given_up() {
        let (state, deal, id) = state_with_upload(CALL.as_bytes()).await;
        // Three runs started and never finished (the worker died in each); the queue
        // hands the job over again as if fresh.
        for _ in 0..crate::jobs::MAX_ATTEMPTS {
            state.db().start_upload(id).await.unwrap();
        }
        analyze_upload(&state, AnalyzeUpload { upload_id: id }, first_attempt())
            .await
            .unwrap();
        let upload = state.db().find_upload(&Scope::All, id).await.unwrap();
        assert_eq!(upload.status, UploadStatus::Failed);
        assert!(
            upload
                .error
                .as_deref()
                .unwrap_or("")
                .contains("gave up after 3 attempts"),
            "{:?}",
            upload.error
        );
        assert!(state.db().calls_for_deal(deal).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_unreadable_upload_fails_only_on_its_last_attempt() {
        let (state, _, id) = state_with_upload(&[0xff, 0xfe, 0x00, 0x01]).await;
        let job = AnalyzeUpload { upload_id: id };
        let err = analyze_upload(&state, job.clone(), first_attempt())
            .await
            .unwrap_err();
        assert!(err.contains("call-2026-04-14.vtt"), "{err}");
        let upload = state.db().find_upload(&Scope::All, id).await.unwrap();
        assert_eq!(upload.status, UploadStatus::Queued, "a retry is coming");
        let last = Attempt {
            number: crate::jobs::MAX_ATTEMPTS,
            max: crate::jobs::MAX_ATTEMPTS,
        };
        assert!(analyze_upload(&state, job, last).await.is_err());
        let upload = state.db().find_upload(&Scope::All, id).await.unwrap();
        assert_eq!(upload.status, UploadStatus::Failed);
        assert!(upload.error.is_some());
    }
}
