//! The uploads list (recent transcripts and where each is in the analysis queue, failed
//! ones with their error) and the admins' CSV import page, whose form posts the file to
//! the API from `app.js` with a progress bar.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use nextstep_core::{Role, TeamStore, UploadStatus};

use super::{Chrome, UiResult, page_caller, render};
use crate::state::AppState;

/// Uploads listed.
pub const UPLOADS_SHOWN: i64 = 200;

struct UploadRow {
    id: i64,
    deal_id: i64,
    file_name: String,
    status: &'static str,
    status_class: &'static str,
    attempts: i64,
    error: String,
    call_id: Option<i64>,
    created: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "uploads.html")]
struct UploadsPage {
    chrome: Chrome,
    rows: Vec<UploadRow>,
    pending: bool,
}

/// `GET /uploads`: the newest uploads the caller may see.
pub async fn uploads_page(State(state): State<AppState>, headers: HeaderMap) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    async {
        let uploads = state
            .db()
            .list_uploads(&caller.scope(), UPLOADS_SHOWN)
            .await?;
        let rows: Vec<UploadRow> = uploads
            .into_iter()
            .map(|u| UploadRow {
                id: u.id,
                deal_id: u.deal_id,
                file_name: u.file_name,
                status: u.status.as_str(),
                status_class: match u.status {
                    UploadStatus::Queued => "status status-queued",
                    UploadStatus::Running => "status status-running",
                    UploadStatus::Done => "status status-done",
                    UploadStatus::Failed => "status status-failed",
                },
                attempts: u.attempts,
                error: u.error.unwrap_or_default(),
                call_id: u.call_id,
                created: u.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                updated: u.updated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            })
            .collect();
        let page = UploadsPage {
            chrome: Chrome::new(&caller, "uploads"),
            pending: rows
                .iter()
                .any(|r| matches!(r.status, "queued" | "running")),
            rows,
        };
        render(&page)
    }
    .await
    .map_err(|e| e.with_caller(Some(&caller)))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    max_mb: usize,
}

/// `GET /import` (admins): the CSV import form.
pub async fn import_page(State(state): State<AppState>, headers: HeaderMap) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    caller
        .require(Role::Admin)
        .map_err(|e| super::UiError::from(e).with_caller(Some(&caller)))?;
    render(&ImportPage {
        chrome: Chrome::new(&caller, "import"),
        max_mb: state.config().max_body_bytes / (1024 * 1024),
    })
}
