//! The JSON API under `/api/v1`: deals, calls, next steps, uploads, confirmation links,
//! the pipeline, coaching and the forecast — every read narrowed to the caller's scope
//! by the store, every error in the one shape of [`ApiError`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use chrono::{Duration, NaiveDate, Utc};
use nextstep_analyzer::{Kind, Owner, Side};
use nextstep_core::{
    Call, ConfirmLink, Deal, DealFilter, DefinedBy, NewConfirmLink, NewNextStep, NextStepRecord,
    Role, Scope, StageChange, StepSource, StepStatus, Store, TeamStore, Upload, User,
};
use nextstep_insight::coach::CoachFilter;
use nextstep_insight::forecast::ForecastReport;
use nextstep_insight::hygiene::{self, Flag};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth::{ApiCaller, Caller};
use crate::error::{ApiError, ApiJson, ApiQuery, ApiResult};
use crate::limits;
use crate::state::AppState;
use nextstep_core::secrets::{digest, random_hex};

/// The request header that makes an upload safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// How long a prospect confirmation link works.
pub const LINK_DAYS: i64 = 14;

/// The OpenAPI document of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "nextstep", description = "Who defined the next step? The team server's API."),
    paths(
        me, list_deals, get_deal, upload_call, get_upload, list_uploads, get_call,
        set_call_side, set_next_step, close_next_step, create_confirm_link, pipeline, coach, forecast,
        import_deals, list_tokens, create_token, revoke_token
    ),
    components(schemas(
        ErrorBody, ErrorDetail, DealsQuery, PipelineQuery, ForecastQuery, UploadQuery, UploadAccepted,
        ManualStep, CloseStep, LinkCreated, ImportResult, Me, DealDetail, CallSummary,
        UploadState, NewToken, TokenCreated, SpeakerSide, SideChanged
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
    /// Stable code: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `method_not_allowed`, `conflict`, `no_open_step`, `no_public_url`, `link_expired`,
    /// `link_superseded`, `timeout`, `payload_too_large`, `uri_too_long`,
    /// `idempotency_key_reused`, `too_many_requests`, `unavailable`, `internal`.
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
        .route("/calls/{id}/sides", post(set_call_side))
        .route("/pipeline", get(pipeline))
        .route("/coach", get(coach))
        .route("/forecast", get(forecast))
        .route("/import/deals", post(import_deals))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
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
    if let Some(owner) = &q.owner {
        limits::line("owner", owner, limits::MAX_FILTER_CHARS)?;
    }
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
    /// The speakers on the seller's side, comma-separated (semicolons when a name holds a
    /// comma), matched forgivingly to the transcript's names. Besides them the deal's
    /// owner and the team's reps are on the seller's side; with none of them speaking,
    /// the sides are inferred.
    pub sellers: Option<String>,
}

/// What an upload answers at once: the analysis runs in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadAccepted {
    /// The upload's id (`GET /api/v1/uploads/{id}` follows it).
    pub upload_id: i64,
    /// The queue's job id.
    pub job_id: String,
    /// `queued` (or, for a replayed request, wherever the first upload is now).
    pub status: String,
    /// Where to poll.
    pub status_url: String,
}

/// Queue a transcript (the request body, any format nextstep reads, a `.docx` as its
/// bytes) for analysis on a
/// deal: answers 202 with the job id at once. With an `Idempotency-Key` header, sending
/// the same request again (after a lost answer) answers the first upload — marked
/// `Idempotent-Replayed: true` — instead of storing a second; the same key with another
/// request is a 422.
#[utoipa::path(post, path = "/api/v1/deals/{id}/calls", security(("bearer" = [])),
    params(("id" = String, Path), UploadQuery,
           ("Idempotency-Key" = Option<String>, Header,
            description = "a key of the client's choosing, up to 255 visible ASCII characters; one per upload")),
    request_body(content = String, content_type = "text/plain"),
    responses((status = 202, body = UploadAccepted), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn upload_call(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, HeaderMap, Json<UploadAccepted>)> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the request body (the transcript) is empty",
        ));
    }
    let file_name = q.file_name.unwrap_or_else(|| "upload.txt".into());
    limits::line("file_name", &file_name, limits::MAX_FILE_NAME_CHARS)?;
    let sellers = limits::sellers(q.sellers.as_deref().unwrap_or(""))?;
    let idempotency_key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(v) => {
            let key = v.to_str().map_err(|_| {
                ApiError::bad_request("header `Idempotency-Key` must be visible ASCII")
            })?;
            limits::idempotency_key(key)?;
            Some(key.to_string())
        }
    };
    let scope = c.scope();
    let deal = state.db().find_deal(&scope, &id).await?;
    let stored = crate::outbox::enqueue(
        &state,
        &scope,
        crate::outbox::UploadRequest {
            deal_id: deal.id,
            user_id: Some(c.user.id),
            file_name,
            content: body.to_vec(),
            call_date: q.date,
            idempotency_key,
            sellers,
        },
    )
    .await?;
    let mut answer_headers = HeaderMap::new();
    if stored.replayed {
        answer_headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    let upload = stored.upload;
    Ok((
        StatusCode::ACCEPTED,
        answer_headers,
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

/// A speaker moved to a side by hand.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SpeakerSide {
    /// The speaker's name (or label, `Speaker 2`) exactly as the call lists it.
    pub speaker: String,
    /// `seller` or `prospect`.
    #[schema(value_type = String, example = "seller", pattern = "^(seller|prospect)$")]
    pub side: Side,
}

/// A call judged again after a side changed, and what became of the deal's step.
#[derive(Debug, Serialize, ToSchema)]
pub struct SideChanged {
    /// The call with its new speakers and analysis.
    pub call: Call,
    /// The step the new judgement recorded on the deal (none when the call now ends
    /// without a step, or the deal had moved on from this call's step).
    pub next_step: Option<NextStepRecord>,
}

/// Moves one speaker of a call the caller may see to `side`, keeps every other speaker
/// where the call had them, judges the call again and lets the deal's step follow: what
/// the API's `POST calls/{id}/sides` and the call page's side buttons do.
pub async fn change_side(
    state: &AppState,
    c: &Caller,
    call_id: &str,
    speaker: &str,
    side: Side,
) -> ApiResult<SideChanged> {
    limits::line("speaker", speaker, limits::MAX_SPEAKER_CHARS)?;
    let call = state.db().find_call(&c.scope(), id_of(call_id)?).await?;
    let judged = nextstep_core::ingest::rejudge_with_side(&call, speaker, side, state.rules())
        .map_err(|e| match e {
            nextstep_core::ingest::IngestError::Analyze(m)
            | nextstep_core::ingest::IngestError::Parse(m) => ApiError::bad_request(m),
            other => ApiError::internal(other),
        })?;
    let (call, next_step) = state
        .db()
        .rejudge_call(call.id, &judged.call, judged.step.as_ref())
        .await?;
    Ok(SideChanged { call, next_step })
}

/// Put a speaker of a call on the seller's or the prospect's side; the call is judged
/// again at once and the deal's next step follows (see `SideChanged`).
#[utoipa::path(post, path = "/api/v1/calls/{id}/sides", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SpeakerSide,
    responses((status = 200, body = SideChanged), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn set_call_side(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SpeakerSide>,
) -> ApiResult<Json<SideChanged>> {
    Ok(Json(
        change_side(&state, &c, &id, &body.speaker, body.side).await?,
    ))
}

/// A next step typed in by hand.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ManualStep {
    /// What happens next (up to 1,000 characters, one line).
    pub action: String,
    /// Who said so: `prospect` or `seller`.
    pub defined_by: DefinedBy,
    /// When, YYYY-MM-DD.
    pub due: Option<NaiveDate>,
    /// Who does it: `seller` (the default), `prospect` or `both`.
    #[serde(default = "default_owner")]
    #[schema(value_type = String, example = "seller", pattern = "^(seller|prospect|both)$")]
    pub owner: Owner,
    /// Kind: `meeting`, `demo`, `proposal`, `quote`, `trial`, `introduction`,
    /// `information`, `contract`, `follow_up` or `other` (the default).
    #[serde(default = "default_kind")]
    #[schema(value_type = String, example = "meeting")]
    pub kind: Kind,
}

fn default_owner() -> Owner {
    Owner::Seller
}

fn default_kind() -> Kind {
    Kind::Other
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
    let action = step.action.trim();
    if action.is_empty() {
        return Err(ApiError::bad_request("field `action` is empty"));
    }
    limits::line("action", action, limits::MAX_ACTION_CHARS)?;
    let deal = state.db().find_deal(&c.scope(), &id).await?;
    let record = state
        .db()
        .set_next_step(
            deal.id,
            &NewNextStep {
                action: action.to_string(),
                kind: step.kind.as_str().to_string(),
                owner: step.owner.as_str().to_string(),
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
pub async fn new_confirm_link(state: &AppState, c: &Caller, key: &str) -> ApiResult<LinkCreated> {
    let base = public_base(state)?;
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
        url: format!("{base}/confirm/{token}"),
        expires_at: link.expires_at,
        step_id: step.id,
    })
}

/// The server's address as the prospect will reach it: `--public-url`, else the address
/// the server listens on when that is loopback (a server on one's own machine, where the
/// prospect is oneself). Never the request's `Host` header: the client chooses it, and a
/// forged one would send prospects to someone else's site. Otherwise a 409 asking for
/// `--public-url`.
pub fn public_base(state: &AppState) -> ApiResult<String> {
    if let Some(url) = &state.config().public_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    match state.listening_on() {
        Some(addr) if addr.ip().is_loopback() => Ok(format!("http://{addr}")),
        _ => Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_public_url",
            "confirmation links need the address prospects reach this server at: \
             start the server with --public-url",
        )),
    }
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
) -> ApiResult<(StatusCode, Json<LinkCreated>)> {
    let link = new_confirm_link(&state, &c, &id).await?;
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
    Ok(state
        .pipeline_cache()
        .pipeline(state.db(), &c.scope(), state.config().stale_days)
        .await?)
}

/// A page of the caller's pipeline, filtered, from the cached report: the filters and
/// totals read the cache's per-row arrays; only the page's rows are copied.
pub async fn pipeline_page(
    state: &AppState,
    c: &Caller,
    q: &PipelineQuery,
) -> ApiResult<PipelinePage> {
    for (field, value) in [("owner", &q.owner), ("flag", &q.flag)] {
        if let Some(value) = value {
            limits::line(field, value, limits::MAX_FILTER_CHARS)?;
        }
    }
    let flag = match q.flag.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => Some(parse_flag(f)?),
        None => None,
    };
    let view = state
        .pipeline_cache()
        .pipeline(state.db(), &c.scope(), state.config().stale_days)
        .await?;
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
) -> ApiResult<axum::response::Response> {
    let report = crate::reports::cached_coach(&state, &c.scope(), &CoachFilter::default()).await?;
    // Serialised from the shared cached report as it is sent: no per-request copy, and
    // no buffer the size of the whole answer.
    Ok(crate::json_stream::json_stream(report))
}

/// Which deals of the forecast a page lists.
#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
pub struct ForecastQuery {
    /// Deals to skip.
    pub offset: Option<usize>,
    /// Deals to return (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// One page of the forecast: the whole report's model, baseline, totals and notes, and a
/// page of its deals (most expected value first). Borrowed from the cached report, so a
/// request copies nothing: at 500,000 calls the open pipeline is ~70,000 deals, too
/// many to clone or send on every request.
#[derive(Debug, Serialize)]
pub struct ForecastPage<'a> {
    /// The date it describes.
    pub as_of: NaiveDate,
    /// The quarter asked for.
    pub period: Option<nextstep_insight::forecast::Quarter>,
    /// The model, or why not.
    pub model: &'a nextstep_insight::forecast::ModelInfo,
    /// The baseline's table, when any deal has closed.
    pub baseline: &'a Option<nextstep_insight::forecast::StageBaseline>,
    /// Which probability decides the headline category.
    pub category_source: &'a str,
    /// Per category and overall, over every deal (not only this page).
    pub totals: &'a [nextstep_insight::forecast::TotalRow],
    /// Deals in the forecast.
    pub total_deals: usize,
    /// Deals skipped.
    pub offset: usize,
    /// Deals returned at most.
    pub limit: usize,
    /// This page's deals.
    pub deals: &'a [nextstep_insight::forecast::ForecastDeal],
    /// Deals included without an expected close (all of them).
    pub without_expected_close: &'a [i64],
    /// Caveats in words.
    pub notes: &'a [String],
}

impl<'a> ForecastPage<'a> {
    /// The page of `report` that `q` asks for.
    pub fn of(report: &'a ForecastReport, q: &ForecastQuery) -> ForecastPage<'a> {
        let limit = q.limit.unwrap_or(100).min(MAX_PAGE);
        let start = q.offset.unwrap_or(0).min(report.deals.len());
        let end = start.saturating_add(limit).min(report.deals.len());
        ForecastPage {
            as_of: report.as_of,
            period: report.period,
            model: &report.model,
            baseline: &report.baseline,
            category_source: &report.category_source,
            totals: &report.totals,
            total_deals: report.deals.len(),
            offset: start,
            limit,
            deals: &report.deals[start..end],
            without_expected_close: &report.without_expected_close,
            notes: &report.notes,
        }
    }
}

/// This quarter's forecast of the deals you see, from next-step quality: the totals over
/// every deal, and a page of the deals (`limit` ≤ 1000, default 100).
#[utoipa::path(get, path = "/api/v1/forecast", params(ForecastQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn forecast(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<ForecastQuery>,
) -> ApiResult<axum::response::Response> {
    let report = crate::reports::cached_forecast(&state, &c.scope()).await?;
    Ok(Json(ForecastPage::of(&report, &q)).into_response())
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
    let read = nextstep_crm::read_deals(csv, None, None)
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

/// A token to create for yourself.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// A label to recognise it by (up to 100 characters).
    pub name: String,
    /// Days until it stops working (1 to 3650); absent: until revoked.
    pub expires_in_days: Option<i64>,
}

/// A token just created: the secret itself appears only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    /// Send it as `Authorization: Bearer …`; only its digest is kept.
    pub token: String,
    /// The stored record (what `GET /api/v1/tokens` lists).
    #[serde(flatten)]
    pub record: nextstep_core::ApiToken,
}

/// Your API tokens (an admin's: everyone's), without their secrets.
#[utoipa::path(get, path = "/api/v1/tokens", security(("bearer" = [])),
    responses((status = 200, body = [nextstep_core::ApiToken]),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn list_tokens(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<Vec<nextstep_core::ApiToken>>> {
    let whose = (c.user.role != Role::Admin).then_some(c.user.id);
    Ok(Json(state.db().list_api_tokens(whose).await?))
}

/// Create an API token for yourself, optionally expiring; the answer is the only place
/// the token ever appears.
#[utoipa::path(post, path = "/api/v1/tokens", security(("bearer" = [])), request_body = NewToken,
    responses((status = 201, body = TokenCreated), (status = 400, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(new): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<TokenCreated>)> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(ApiError::bad_request("field `name` is empty"));
    }
    limits::line("name", name, limits::MAX_TOKEN_NAME_CHARS)?;
    let expires_at = match new.expires_in_days {
        None => None,
        Some(days) if (1..=limits::MAX_TOKEN_DAYS).contains(&days) => {
            Some(Utc::now() + Duration::days(days))
        }
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "field `expires_in_days` must be 1 to {}",
                limits::MAX_TOKEN_DAYS
            )));
        }
    };
    let (token, record) =
        nextstep_core::secrets::issue_api_token(state.db(), c.user.id, name, expires_at)
            .await
            .map_err(ApiError::from)?;
    Ok((StatusCode::CREATED, Json(TokenCreated { token, record })))
}

/// Revoke one of your API tokens (an admin: anyone's); it authenticates no one from now
/// on. Someone else's token id is a 404, like one that does not exist.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = "4XX", description = "the error, in the one shape", body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let whose = (c.user.role != Role::Admin).then_some(c.user.id);
    state.db().revoke_api_token(id_of(&id)?, whose).await?;
    Ok(StatusCode::NO_CONTENT)
}
