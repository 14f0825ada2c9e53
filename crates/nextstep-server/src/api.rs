//! The JSON API under `/api/v1`: deals, calls, next steps, uploads, confirmation links,
//! the pipeline, coaching and the forecast — every read narrowed to the caller's scope
//! by the store, every error in the one shape of [`ApiError`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{Duration, NaiveDate, Utc};
use nextstep_insight::coach::{CoachFilter, scorecards};
use nextstep_insight::hygiene::{self, Flag};
use nextstep_store::{
    Call, ConfirmLink, Deal, DealFilter, DefinedBy, NewConfirmLink, NewNextStep, NewUpload,
    NextStepRecord, Role, Scope, StageChange, StepSource, StepStatus, Store, TeamStore, Upload,
    User,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth::{ApiCaller, Caller, digest, random_hex};
use crate::error::{ApiError, ApiJson, ApiQuery, ApiResult};
use crate::state::AppState;

/// How long a prospect confirmation link works.
pub const LINK_DAYS: i64 = 14;

/// The OpenAPI document of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "nextstep", description = "Who defined the next step? The team server's API."),
    paths(
        me, list_deals, get_deal, upload_call, get_upload, list_uploads, get_call,
        set_next_step, close_next_step, create_confirm_link, pipeline, coach, forecast,
        import_deals
    ),
    components(schemas(
        ErrorBody, ErrorDetail, DealsQuery, PipelineQuery, UploadQuery, UploadAccepted,
        ManualStep, CloseStep, LinkCreated, ImportResult, Me, DealDetail, CallSummary,
        UploadState
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every error's body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// An error's code and message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `link_expired`, `internal`.
    pub code: String,
    /// For people.
    pub message: String,
}

/// The routes of the API, relative to `/api/v1`.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/me", get(me))
        .route("/deals", get(list_deals))
        .route("/deals/{id}", get(get_deal))
        .route("/deals/{id}/calls", post(upload_call))
        .route("/deals/{id}/next-step", post(set_next_step))
        .route("/deals/{id}/next-step/close", post(close_next_step))
        .route("/deals/{id}/confirm-links", post(create_confirm_link))
        .route("/uploads", get(list_uploads))
        .route("/uploads/{id}", get(get_upload))
        .route("/calls/{id}", get(get_call))
        .route("/pipeline", get(pipeline))
        .route("/coach", get(coach))
        .route("/forecast", get(forecast))
        .route("/import/deals", post(import_deals))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError::not_found("no such API route") })
}

async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// A `{id}` path segment as a number, or a 404 that names it.
fn id_of(raw: &str) -> ApiResult<i64> {
    raw.parse()
        .map_err(|_| ApiError::not_found(format!("{raw:?} is not an id")))
}

/// The caller and what they may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The user.
    pub user: User,
    /// Their visibility.
    pub scope: Scope,
}

/// Who you are and what you see.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn me(ApiCaller(c): ApiCaller) -> ApiResult<Json<Me>> {
    Ok(Json(Me {
        scope: c.scope(),
        user: c.user,
    }))
}

/// Filters of the deal list.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
pub struct DealsQuery {
    /// Only this owner's deals (rep name).
    pub owner: Option<String>,
    /// Only open deals.
    #[serde(default)]
    pub open: bool,
}

/// The deals you may see.
#[utoipa::path(get, path = "/api/v1/deals", params(DealsQuery), security(("bearer" = [])),
    responses((status = 200, body = [Deal]), (status = 401, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn list_deals(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<DealsQuery>,
) -> ApiResult<Json<Vec<Deal>>> {
    let deals = state
        .db()
        .list_deals(&DealFilter {
            owner: q.owner,
            open_only: q.open,
            scope: c.scope(),
        })
        .await?;
    Ok(Json(deals))
}

/// A call as a deal lists it (the transcript and analysis are at `/calls/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CallSummary {
    /// nextstep's id.
    pub id: i64,
    /// Call date.
    pub date: NaiveDate,
    /// File or upload name.
    pub source: String,
    /// Transcript format.
    pub format: String,
    /// Whether the seller bailed out.
    pub bail_out: bool,
}

/// Everything about one deal the deal page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealDetail {
    /// The deal.
    pub deal: Deal,
    /// Its calls, oldest first.
    pub calls: Vec<CallSummary>,
    /// Every next step it had, oldest first, with who defined it and the evidence.
    pub next_steps: Vec<NextStepRecord>,
    /// Its stage changes, oldest first.
    pub stage_history: Vec<StageChange>,
    /// Confirmation links sent for it, newest first, with the prospect's answers.
    pub confirm_links: Vec<ConfirmLink>,
}

/// Everything about one deal the caller may see.
pub async fn deal_detail(state: &AppState, c: &Caller, key: &str) -> ApiResult<DealDetail> {
    let db = state.db();
    let deal = db.find_deal(&c.scope(), key).await?;
    let calls = db
        .calls_for_deal(deal.id)
        .await?
        .into_iter()
        .map(|call| CallSummary {
            id: call.id,
            date: call.date,
            source: call.source,
            format: call.format,
            bail_out: call.bail_out,
        })
        .collect();
    Ok(DealDetail {
        calls,
        next_steps: db.next_step_history(deal.id).await?,
        stage_history: db.stage_history(deal.id).await?,
        confirm_links: db.confirm_links_for_deal(deal.id).await?,
        deal,
    })
}

/// One deal with its calls, next-step history (who defined each, with evidence), stage
/// history and confirmation links.
#[utoipa::path(get, path = "/api/v1/deals/{id}", security(("bearer" = [])),
    params(("id" = String, Path, description = "nextstep id or CRM external id")),
    responses((status = 200, body = DealDetail), (status = 404, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn get_deal(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<DealDetail>> {
    Ok(Json(deal_detail(&state, &c, &id).await?))
}

/// Where an upload's transcript is named and dated.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
pub struct UploadQuery {
    /// The file's name (shown on the call; may carry its date).
    pub file_name: Option<String>,
    /// The call's date, YYYY-MM-DD (default: a date in the file or its name, else today).
    pub date: Option<NaiveDate>,
}

/// What an upload answers at once: the analysis runs in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadAccepted {
    /// The upload's id (`GET /api/v1/uploads/{id}` follows it).
    pub upload_id: i64,
    /// The queue's job id.
    pub job_id: String,
    /// `queued`.
    pub status: String,
    /// Where to poll.
    pub status_url: String,
}

/// Queue a transcript (the request body, any format nextstep reads) for analysis on a
/// deal: answers 202 with the job id at once.
#[utoipa::path(post, path = "/api/v1/deals/{id}/calls", security(("bearer" = [])),
    params(("id" = String, Path), UploadQuery),
    request_body(content = String, content_type = "text/plain"),
    responses((status = 202, body = UploadAccepted), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn upload_call(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<UploadAccepted>)> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the request body (the transcript) is empty",
        ));
    }
    let scope = c.scope();
    let deal = state.db().find_deal(&scope, &id).await?;
    let upload = crate::worker::enqueue(
        &state,
        &scope,
        &NewUpload {
            deal_id: deal.id,
            user_id: Some(c.user.id),
            file_name: q.file_name.unwrap_or_else(|| "upload.txt".into()),
            content: body.to_vec(),
            call_date: q.date,
        },
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(UploadAccepted {
            upload_id: upload.id,
            job_id: upload.job_id.unwrap_or_default(),
            status: upload.status.as_str().into(),
            status_url: format!("/api/v1/uploads/{}", upload.id),
        }),
    ))
}

/// An upload's state: queued, running, done (with its call) or failed (with the error).
#[utoipa::path(get, path = "/api/v1/uploads/{id}", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = UploadState), (status = 404, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn get_upload(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<UploadState>> {
    let upload = state.db().find_upload(&c.scope(), id_of(&id)?).await?;
    let job = match &upload.job_id {
        Some(job_id) => state.queue().status(job_id).await.ok().flatten(),
        None => None,
    };
    Ok(Json(UploadState { upload, job }))
}

/// An upload with what the queue knows of its job.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadState {
    /// The upload (its status, attempts, last error, and the call it became).
    #[serde(flatten)]
    pub upload: Upload,
    /// The queue's view of the job, when it still has it.
    pub job: Option<crate::jobs::JobStatus>,
}

/// Recent uploads you may see, newest first.
#[utoipa::path(get, path = "/api/v1/uploads", security(("bearer" = [])),
    responses((status = 200, body = [Upload]),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn list_uploads(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<Vec<Upload>>> {
    Ok(Json(state.db().list_uploads(&c.scope(), 200).await?))
}

/// A call with its transcript and the analyzer's judgement.
#[utoipa::path(get, path = "/api/v1/calls/{id}", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Call), (status = 404, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn get_call(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Call>> {
    Ok(Json(state.db().find_call(&c.scope(), id_of(&id)?).await?))
}

/// A next step typed in by hand.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ManualStep {
    /// What happens next.
    pub action: String,
    /// Who said so: `prospect` or `seller`.
    pub defined_by: DefinedBy,
    /// When, YYYY-MM-DD.
    pub due: Option<NaiveDate>,
    /// Who does it (`seller`, `prospect`, `both`).
    #[serde(default = "default_owner")]
    pub owner: String,
    /// Kind (`meeting`, `demo`, `proposal`, …; default `other`).
    #[serde(default = "default_kind")]
    pub kind: String,
}

fn default_owner() -> String {
    "seller".into()
}

fn default_kind() -> String {
    "other".into()
}

/// Record a next step by hand (it supersedes the open one).
#[utoipa::path(post, path = "/api/v1/deals/{id}/next-step", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ManualStep,
    responses((status = 201, body = NextStepRecord), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn set_next_step(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    ApiJson(step): ApiJson<ManualStep>,
) -> ApiResult<(StatusCode, Json<NextStepRecord>)> {
    if step.action.trim().is_empty() {
        return Err(ApiError::bad_request("field `action` is empty"));
    }
    let deal = state.db().find_deal(&c.scope(), &id).await?;
    let record = state
        .db()
        .set_next_step(
            deal.id,
            &NewNextStep {
                action: step.action.trim().to_string(),
                kind: step.kind,
                owner: step.owner,
                due: step.due,
                defined_by: step.defined_by,
                confirmed_by_prospect: false,
                source: StepSource::Manual,
                call_id: None,
                evidence: serde_json::json!([]),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// How an open step ended.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseStep {
    /// `done`, `missed` or `cancelled`.
    #[schema(value_type = String, example = "done", pattern = "^(done|missed|cancelled)$")]
    pub status: StepStatus,
}

/// Close the deal's open step as done, missed or cancelled.
#[utoipa::path(post, path = "/api/v1/deals/{id}/next-step/close", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CloseStep,
    responses((status = 200, body = NextStepRecord), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn close_next_step(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    ApiJson(close): ApiJson<CloseStep>,
) -> ApiResult<Json<NextStepRecord>> {
    if matches!(close.status, StepStatus::Open | StepStatus::Superseded) {
        return Err(ApiError::bad_request(
            "field `status`: must be done, missed or cancelled",
        ));
    }
    let deal = state.db().find_deal(&c.scope(), &id).await?;
    Ok(Json(
        state.db().close_next_step(deal.id, close.status).await?,
    ))
}

/// A new confirmation link: the URL to send the prospect (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkCreated {
    /// The public page's address.
    pub url: String,
    /// When it stops working (14 days).
    pub expires_at: chrono::DateTime<Utc>,
    /// The step it asks about.
    pub step_id: i64,
}

/// Creates a confirmation link for the deal's open step; the token exists only in the
/// returned URL.
pub async fn new_confirm_link(
    state: &AppState,
    c: &Caller,
    key: &str,
    headers: &HeaderMap,
) -> ApiResult<LinkCreated> {
    let scope = c.scope();
    let deal = state.db().find_deal(&scope, key).await?;
    let step = state
        .db()
        .next_step_history(deal.id)
        .await?
        .into_iter()
        .rfind(|s| s.status == StepStatus::Open)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "no_open_step",
                "this deal has no open next step to confirm",
            )
        })?;
    let token = random_hex(16).map_err(ApiError::internal)?;
    let link = state
        .db()
        .create_confirm_link(
            &scope,
            &NewConfirmLink {
                token_hash: digest(&token),
                deal_id: deal.id,
                step_id: step.id,
                created_by: Some(c.user.id),
                expires_at: Utc::now() + Duration::days(LINK_DAYS),
            },
        )
        .await?;
    Ok(LinkCreated {
        url: format!("{}/confirm/{token}", public_base(state, headers)),
        expires_at: link.expires_at,
        step_id: step.id,
    })
}

/// The server's address as the prospect will reach it.
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config().public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if crate::auth::behind_tls(state, headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// Create a recap link (128-bit token, 14 days) asking the prospect to confirm the
/// deal's open next step.
#[utoipa::path(post, path = "/api/v1/deals/{id}/confirm-links", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = LinkCreated), (status = 409, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn create_confirm_link(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<LinkCreated>)> {
    let link = new_confirm_link(&state, &c, &id, &headers).await?;
    Ok((StatusCode::CREATED, Json(link)))
}

/// Filters of the pipeline board.
#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
pub struct PipelineQuery {
    /// Only this owner's deals (rep name).
    pub owner: Option<String>,
    /// Only deals with this flag (`NO_NEXT_STEP`, `OVERDUE`,
    /// `SELLER_DEFINED_UNCONFIRMED`, `STALE`, `BAIL_OUT_LAST_CALL`).
    pub flag: Option<String>,
    /// Rows to skip.
    pub offset: Option<usize>,
    /// Rows to return (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// The flag named `name`, or a 400 listing the names.
pub fn parse_flag(name: &str) -> ApiResult<Flag> {
    Flag::ALL
        .into_iter()
        .find(|f| f.as_str().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let names: Vec<_> = Flag::ALL.iter().map(|f| f.as_str()).collect();
            ApiError::bad_request(format!(
                "field `flag`: {name:?} is not one of {}",
                names.join(", ")
            ))
        })
}

/// The largest page of pipeline rows one request returns.
pub const MAX_PAGE: usize = 1000;

/// One page of the pipeline: totals of the whole filtered view, then its rows.
#[derive(Debug, Serialize)]
pub struct PipelinePage {
    /// Totals over every row matching the filters (not only this page).
    pub summary: nextstep_insight::hygiene::Summary,
    /// Rows matching the filters.
    pub total: usize,
    /// Rows skipped.
    pub offset: usize,
    /// Page size asked for.
    pub limit: usize,
    /// This page's rows, largest amount first.
    pub rows: Vec<hygiene::Row>,
}

/// The caller's whole pipeline report (cached; shared, not copied), for the board, which
/// filters it itself.
pub async fn pipeline_report(
    state: &AppState,
    c: &Caller,
) -> ApiResult<std::sync::Arc<crate::cache::Pipeline>> {
    Ok(crate::cache::pipeline(state, &c.scope()).await?)
}

/// A page of the caller's pipeline, filtered, from the cached report: the filters and
/// totals read the cache's per-row arrays; only the page's rows are copied.
pub async fn pipeline_page(
    state: &AppState,
    c: &Caller,
    q: &PipelineQuery,
) -> ApiResult<PipelinePage> {
    let flag = match q.flag.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => Some(parse_flag(f)?),
        None => None,
    };
    let view = crate::cache::pipeline(state, &c.scope()).await?;
    let owner = q.owner.as_deref().filter(|o| !o.is_empty());
    let limit = q.limit.unwrap_or(100).min(MAX_PAGE);
    let offset = q.offset.unwrap_or(0);
    let (summary, total, rows) = if owner.is_none() && flag.is_none() {
        let rows = &view.report.rows;
        let page = rows.iter().skip(offset).take(limit).cloned().collect();
        (view.report.summary.clone(), rows.len(), page)
    } else {
        let matching: Vec<usize> = view.select(owner, flag).collect();
        let page = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&i| view.report.rows[i].clone())
            .collect();
        (view.summary_of(&matching), matching.len(), page)
    };
    Ok(PipelinePage {
        summary,
        total,
        offset,
        limit,
        rows,
    })
}

/// The open deals you see, each with its next step and flags, and the totals; paged
/// (`limit` ≤ 1000, default 100).
#[utoipa::path(get, path = "/api/v1/pipeline", params(PipelineQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn pipeline(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<PipelineQuery>,
) -> ApiResult<Json<PipelinePage>> {
    Ok(Json(pipeline_page(&state, &c, &q).await?))
}

/// Scorecards (need-for-approval index and its parts) of the reps you see.
#[utoipa::path(get, path = "/api/v1/coach", security(("bearer" = [])),
    responses((status = 200, body = Object),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn coach(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<nextstep_insight::coach::CoachReport>> {
    let data = crate::dataset::load(state.db(), &c.scope()).await?;
    Ok(Json(scorecards(&data, &CoachFilter::default())))
}

/// This quarter's forecast of the deals you see, from next-step quality.
#[utoipa::path(get, path = "/api/v1/forecast", security(("bearer" = [])),
    responses((status = 200, body = Object),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn forecast(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<nextstep_insight::forecast::ForecastReport>> {
    let scope = c.scope();
    let data = crate::dataset::load(state.db(), &scope).await?;
    let history = crate::dataset::stage_history(state.db(), &scope).await?;
    let today = Utc::now().date_naive();
    Ok(Json(nextstep_insight::forecast::forecast_with_history(
        &data, &history, None, today,
    )))
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// The CRM format detected.
    pub preset: String,
    /// New deals.
    pub imported: u64,
    /// Changed deals.
    pub updated: u64,
    /// Deals identical to the file.
    pub unchanged: u64,
    /// Rows refused, each with its line and reason.
    pub rejected: Vec<String>,
}

/// Imports a CRM deals CSV (Maven, Salesforce, HubSpot or Pipedrive; detected).
pub async fn import_csv(state: &AppState, c: &Caller, csv: &[u8]) -> ApiResult<ImportResult> {
    c.require(Role::Admin)?;
    let read = nextstep_io::read_deals(csv, None, None)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let stats = state.db().import_deals(&read.deals).await?;
    Ok(ImportResult {
        preset: read.preset.map(|p| p.name()).unwrap_or("map").to_string(),
        imported: stats.imported,
        updated: stats.updated,
        unchanged: stats.unchanged,
        rejected: read
            .rejects
            .iter()
            .map(|r| format!("line {}: {}", r.line, r.reasons()))
            .collect(),
    })
}

/// Import a CRM deals CSV (admins): the request body is the file.
#[utoipa::path(post, path = "/api/v1/import/deals", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportResult), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn import_deals(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    body: Bytes,
) -> ApiResult<Json<ImportResult>> {
    Ok(Json(import_csv(&state, &c, &body).await?))
}
