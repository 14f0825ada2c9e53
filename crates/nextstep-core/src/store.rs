//! The storage boundary: the [`Store`] trait (the pipeline's deals, calls and next steps),
//! the [`TeamStore`] trait (what the team server keeps beside them) and [`StoreError`].
//! `nextstep-store` implements both for SQLite and PostgreSQL; everything else reaches
//! data only through them.

use chrono::NaiveDate;

use crate::*;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or reached.
    #[error("cannot open database {url}: {reason}")]
    Open {
        /// The URL or path (password removed).
        url: String,
        /// The driver's message.
        reason: String,
    },
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(String),
    /// A query failed.
    #[error("database error: {0}")]
    Query(String),
    /// No deal has this nextstep id or CRM external id.
    #[error("no deal with id or external id {0:?}")]
    DealNotFound(String),
    /// The deal has no open next step to close.
    #[error("deal {0} has no open next step")]
    NoOpenStep(i64),
    /// No record of this kind is visible under this key (absent, or outside the caller's
    /// scope: the two are indistinguishable on purpose).
    #[error("no {what} {key:?}")]
    NotFound {
        /// What was looked for (`call`, `user`, `upload`, `link`, …).
        what: &'static str,
        /// The key.
        key: String,
    },
    /// The write would break a rule (a user that exists, a rep without a rep record, …).
    #[error("{0}")]
    Conflict(String),
    /// A confirmation link past its expiry.
    #[error("this confirmation link expired on {0}")]
    LinkExpired(chrono::DateTime<chrono::Utc>),
    /// A confirmation link whose step is no longer the deal's open step (a newer step
    /// superseded it, or it was closed): the prospect would confirm something stale.
    #[error("this confirmation link's next step has been replaced or closed")]
    LinkSuperseded,
    /// An idempotency key sent again with a different request (another deal, file or
    /// content): the key names one request, so the second is refused.
    #[error("the idempotency key {0:?} was already used for a different upload")]
    IdempotencyKeyReused(String),
    /// A stored value the code cannot read back (a corrupt or foreign row).
    #[error("unreadable {field} in the database: {value:?}")]
    Corrupt {
        /// Column.
        field: &'static str,
        /// What was found.
        value: String,
    },
}

/// Everything nextstep keeps, whatever the backend.
///
/// Every method that writes several rows does so in one transaction: a failure (or a
/// killed process) leaves the database as it was.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// Runs pending migrations (also done on open).
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Upserts reps by name (managers named in `manager` are created as reps too).
    async fn upsert_reps(&self, reps: &[NewRep]) -> Result<ImportStats, StoreError>;
    /// Upserts accounts by name.
    async fn upsert_accounts(&self, accounts: &[NewAccount]) -> Result<ImportStats, StoreError>;
    /// Upserts contacts by (account, name).
    async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<ImportStats, StoreError>;
    /// Upserts deals by external id in ONE transaction; creates missing accounts and owners;
    /// appends stage history when a stage changes. Re-importing the same deals reports
    /// them all `unchanged` and writes nothing.
    async fn import_deals(&self, deals: &[NewDeal]) -> Result<ImportStats, StoreError>;

    /// The deal whose nextstep id (digits) or CRM external id is `key`, if `scope` sees it.
    async fn find_deal(&self, scope: &Scope, key: &str) -> Result<Deal, StoreError>;
    /// Deals matching the filter, by id.
    async fn list_deals(&self, filter: &DealFilter) -> Result<Vec<Deal>, StoreError>;
    /// A deal's stage history, oldest first.
    async fn stage_history(&self, deal_id: i64) -> Result<Vec<StageChange>, StoreError>;
    /// All reps.
    async fn list_reps(&self) -> Result<Vec<Rep>, StoreError>;

    /// Stores a call and, when given, the next step it found — in one transaction. The new
    /// step supersedes the deal's open step (kept, status `superseded`) — unless that step
    /// came from a later call, in which case the new one goes straight into the history.
    async fn add_call(
        &self,
        deal_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError>;
    /// Stores a new judgement of call `call_id` (its speakers, analysis and bail-out; the
    /// text stays) and lets the deal's next step follow, in one transaction: when the
    /// call's step is the deal's open step it is superseded by the new one — or, when the
    /// call now ends without a step, the step it had superseded is open again; when the
    /// call had no step and now has one, it is recorded as [`Store::add_call`] would.
    /// A step from this call that was closed or superseded since stays in the history.
    async fn rejudge_call(
        &self,
        call_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError>;
    /// The call with this id, if `scope` sees its deal ([`StoreError::NotFound`] if not).
    async fn find_call(&self, scope: &Scope, id: i64) -> Result<Call, StoreError>;
    /// A deal's calls, oldest first.
    async fn calls_for_deal(&self, deal_id: i64) -> Result<Vec<Call>, StoreError>;

    /// Every call on deals `scope` sees (without its transcript text), oldest first: what coaching and the
    /// forecast read.
    async fn all_calls(&self, scope: &Scope) -> Result<Vec<Call>, StoreError>;
    /// The calls dated `since` to `until` (both included) on deals `scope` sees, without
    /// their transcript text, oldest first: what a weekly digest reads (a few weeks, not
    /// the whole history).
    async fn calls_between(
        &self,
        scope: &Scope,
        since: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<Call>, StoreError>;
    /// Every next step ever recorded on deals `scope` sees, oldest first.
    async fn all_next_steps(&self, scope: &Scope) -> Result<Vec<NextStepRecord>, StoreError>;
    /// Every visible deal's stage changes as `(deal_id, change)`, by deal then time.
    async fn all_stage_history(&self, scope: &Scope)
    -> Result<Vec<(i64, StageChange)>, StoreError>;

    /// Records a step on a deal, superseding its open step.
    async fn set_next_step(
        &self,
        deal_id: i64,
        step: &NewNextStep,
    ) -> Result<NextStepRecord, StoreError>;
    /// Closes the deal's open step as done, missed or cancelled.
    async fn close_next_step(
        &self,
        deal_id: i64,
        status: StepStatus,
    ) -> Result<NextStepRecord, StoreError>;
    /// Every step the deal ever had, oldest first.
    async fn next_step_history(&self, deal_id: i64) -> Result<Vec<NextStepRecord>, StoreError>;

    /// A number that changes whenever deals, calls, next steps, reps or accounts change
    /// (a trigger-maintained counter): a cache of a report built from them is current
    /// while this stays the same. One single-row read.
    async fn data_version(&self) -> Result<i64, StoreError>;

    /// Every open deal `scope` sees (optionally one owner's) with its open step, latest
    /// call date and whether that call had a bail-out — what the hygiene report's flags
    /// need.
    async fn pipeline(
        &self,
        scope: &Scope,
        owner: Option<&str>,
    ) -> Result<Vec<PipelineRow>, StoreError>;
}

/// What the team server keeps beside the pipeline: users, sessions, API tokens, prospect
/// confirmation links and uploads. Secrets arrive already hashed; reads that return deal
/// data take a [`Scope`].
#[allow(async_fn_in_trait)]
pub trait TeamStore {
    /// Adds a user, creating or linking its rep and setting the rep's manager.
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError>;
    /// Every user, by email.
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// The user with this login and their password hash, for a login attempt.
    async fn login_lookup(&self, email: &str) -> Result<Option<(User, String)>, StoreError>;
    /// Replaces a user's password hash.
    async fn set_password(&self, email: &str, password_hash: &str) -> Result<(), StoreError>;

    /// Records a login session.
    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError>;
    /// The user and CSRF token of an unexpired session.
    async fn session(
        &self,
        id_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<(User, String)>, StoreError>;
    /// Ends a session (log out).
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError>;

    /// Counts a login attempt for `email` *before* its password is checked, in one
    /// atomic statement: the first `max` attempts of a `window` (which starts at the first
    /// attempt) are [`LoginGate::Open`], every later one [`LoginGate::Locked`] until the
    /// window ends — however many arrive at once. Rows of ended windows are deleted.
    async fn count_login_attempt(
        &self,
        email: &str,
        now: chrono::DateTime<chrono::Utc>,
        max: u32,
        window: chrono::Duration,
    ) -> Result<LoginGate, StoreError>;
    /// Forgets `email`'s attempts (a successful login).
    async fn clear_login_attempts(&self, email: &str) -> Result<(), StoreError>;
    /// The server key named `name`, stored with `candidate` if it has none yet (the first
    /// server to ask wins; every later one gets the same key): what signs the login and
    /// confirmation forms' tokens, shared by every server process of one database.
    async fn server_key(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError>;

    /// Records an API token (its digest) for a user.
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError>;
    /// API tokens, oldest first: one user's, or everyone's (`None`).
    async fn list_api_tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError>;
    /// Deletes token `id` — only if it is `user_id`'s when one is given
    /// ([`StoreError::NotFound`] otherwise): it authenticates no one from now on.
    async fn revoke_api_token(&self, id: i64, user_id: Option<i64>) -> Result<(), StoreError>;
    /// The user a token digest belongs to, if the token has not expired at `now`.
    async fn token_user(
        &self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<User>, StoreError>;

    /// Records a confirmation link for a step of a deal `scope` sees.
    async fn create_confirm_link(
        &self,
        scope: &Scope,
        link: &NewConfirmLink,
    ) -> Result<ConfirmLink, StoreError>;
    /// The link with this token digest (public: no scope; the token is the capability).
    async fn confirm_link(&self, token_hash: &str) -> Result<Option<ConfirmLink>, StoreError>;
    /// Records the prospect's answer and sets (yes) or clears (not quite) the step's
    /// `confirmed_by_prospect`, in one transaction; refuses an expired link
    /// ([`StoreError::LinkExpired`]) and one whose step is no longer open
    /// ([`StoreError::LinkSuperseded`]).
    async fn answer_confirm_link(
        &self,
        token_hash: &str,
        answer: LinkAnswer,
        correction: Option<&str>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<ConfirmLink, StoreError>;
    /// A deal's links, newest first.
    async fn confirm_links_for_deal(&self, deal_id: i64) -> Result<Vec<ConfirmLink>, StoreError>;

    /// Stores an uploaded transcript (status queued, not yet enqueued) on a deal `scope`
    /// sees — or, when the same user already stored an upload under the same idempotency
    /// key, returns that one (`replayed`) if it is the same request, and
    /// [`StoreError::IdempotencyKeyReused`] if it is not. One insert: the upload and the
    /// record that its job is still to be pushed are written together.
    async fn create_upload(
        &self,
        scope: &Scope,
        upload: &NewUpload,
    ) -> Result<StoredUpload, StoreError>;
    /// Notes that the queue holds upload `id`'s job (the outbox entry is done).
    async fn mark_upload_enqueued(&self, id: i64) -> Result<(), StoreError>;
    /// Uploads still waiting to be handed to the queue (queued, not enqueued) that were
    /// stored before `before`, oldest first, as `(id, job id)`; the job id is `None` only
    /// for uploads stored before job ids were chosen up front.
    async fn pending_uploads(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> Result<Vec<(i64, Option<String>)>, StoreError>;
    /// Gives upload `id` the job id `job_id` unless it has one; returns the job id it has.
    async fn assign_upload_job(&self, id: i64, job_id: &str) -> Result<String, StoreError>;
    /// An upload (with its bytes) if `scope` sees its deal.
    async fn find_upload(&self, scope: &Scope, id: i64) -> Result<Upload, StoreError>;
    /// Uploads on deals `scope` sees, newest first, without their bytes.
    async fn list_uploads(&self, scope: &Scope, limit: i64) -> Result<Vec<Upload>, StoreError>;
    /// A worker takes an upload: status running, one more attempt; returns it with its
    /// bytes. An upload already done comes back as it is (the caller skips it).
    async fn start_upload(&self, id: i64) -> Result<Upload, StoreError>;
    /// Stores the call an upload became (and its step) and marks the upload done, in one
    /// transaction; an upload already done is left alone and its call returned, so a job
    /// run twice still makes one call.
    async fn finish_upload(
        &self,
        id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<Call, StoreError>;
    /// Records an attempt's error: `failed` when it was the last attempt, else back to
    /// `queued` for the retry.
    async fn fail_upload(&self, id: i64, error: &str, last_attempt: bool)
    -> Result<(), StoreError>;
}
