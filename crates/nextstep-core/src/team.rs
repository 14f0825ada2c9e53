//! The team server's records: users and what they may see, sessions, API tokens,
//! prospect confirmation links and uploaded transcripts. Like [`crate::model`], no SQL.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a user may do and see.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and works their own deals and calls.
    Rep,
    /// Sees their own deals and those of the reps who report to them.
    Manager,
    /// Sees everything; manages users and imports.
    Admin,
}

impl Role {
    /// The stored and displayed name (`rep`, `manager`, `admin`).
    pub fn as_str(self) -> &'static str {
        crate::text::role_str(self)
    }

    /// Reads a role name as typed on the command line or stored.
    pub fn parse(s: &str) -> Option<Role> {
        crate::text::parse_role(s).ok()
    }
}

/// Which deals (and so which calls, steps, uploads and links) a read may return. Every
/// read the server makes takes one, so visibility lives in the SQL, not in templates.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Scope {
    /// Every deal: admins, and the command line (which runs as the database's owner).
    #[default]
    All,
    /// Deals owned by this rep id.
    Owner(i64),
    /// Deals owned by this manager's rep id or by reps whose manager it is.
    Team(i64),
}

/// A user to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Login, unique (compared as given, after trimming and lower-casing by the store).
    pub email: String,
    /// The argon2id PHC string; the store never sees a password.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// The rep this user is, by name (created if missing; default: the rep with this
    /// email, else a new rep named after the email). Required in effect for reps and
    /// managers, whose visibility is their rep's deals; optional for admins.
    pub rep_name: Option<String>,
    /// The manager's login: the user's rep then reports to the manager's rep.
    pub manager_email: Option<String>,
}

/// A stored user (never with the password hash: see [`crate::TeamStore::login_lookup`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// nextstep's id.
    pub id: i64,
    /// Login.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The rep this user is.
    pub rep_id: Option<i64>,
    /// That rep's name.
    pub rep_name: Option<String>,
    /// When the user was added.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// What this user may see: an admin everything, a manager their team, a rep their own
    /// deals. A rep or manager without a rep (impossible through the store) sees nothing.
    pub fn scope(&self) -> Scope {
        match (self.role, self.rep_id) {
            (Role::Admin, _) => Scope::All,
            (Role::Manager, Some(rep)) => Scope::Team(rep),
            (Role::Rep, Some(rep)) => Scope::Owner(rep),
            (_, None) => Scope::Owner(-1),
        }
    }
}

/// A login session to record: the cookie's value is kept only as its digest.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// SHA-256 hex of the session cookie value.
    pub id_hash: String,
    /// Whose.
    pub user_id: i64,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
    /// When it stops being valid.
    pub expires_at: DateTime<Utc>,
}

/// A prospect confirmation link to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConfirmLink {
    /// SHA-256 hex of the link's token (the token itself exists only in the URL).
    pub token_hash: String,
    /// The deal.
    pub deal_id: i64,
    /// The step the prospect is asked to confirm.
    pub step_id: i64,
    /// The user who created it.
    pub created_by: Option<i64>,
    /// After this the public page refuses it.
    pub expires_at: DateTime<Utc>,
}

/// The prospect's answer on a confirmation page.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkAnswer {
    /// "Yes, this is our agreed next step": sets `confirmed_by_prospect`.
    Yes,
    /// "Not quite" (with a correction): clears `confirmed_by_prospect`.
    NotQuite,
}

/// A stored confirmation link with the step it asks about.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmLink {
    /// nextstep's id.
    pub id: i64,
    /// The deal.
    pub deal_id: i64,
    /// The deal's name (the public page shows it).
    pub deal_name: String,
    /// The step asked about.
    pub step: crate::NextStepRecord,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The prospect's answer, once given.
    pub answer: Option<LinkAnswer>,
    /// The prospect's correction ("Not quite").
    pub correction: Option<String>,
    /// When answered.
    pub answered_at: Option<DateTime<Utc>>,
}

/// Where an uploaded transcript is in the analysis queue.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Waiting for a worker (or for a retry).
    Queued,
    /// A worker has it.
    Running,
    /// Analysed and stored as a call.
    Done,
    /// Failed on its last attempt; `error` says why.
    Failed,
}

impl UploadStatus {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        crate::text::upload_status_str(self)
    }
}

/// A transcript uploaded for analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUpload {
    /// The deal the call belongs to.
    pub deal_id: i64,
    /// Who uploaded it.
    pub user_id: Option<i64>,
    /// The file's name as uploaded.
    pub file_name: String,
    /// The file's bytes, kept until analysed (and after, for a retry to re-read).
    pub content: Vec<u8>,
    /// The call's date, when the uploader gave one.
    pub call_date: Option<NaiveDate>,
    /// The queue job that will analyse it, chosen before the upload is stored so that the
    /// row names its job from the start (the upload is its own outbox entry until
    /// [`crate::TeamStore::mark_upload_enqueued`]).
    pub job_id: String,
    /// The client's `Idempotency-Key`, if it sent one: a second upload by the same user
    /// with the same key stores nothing and answers the first.
    pub idempotency_key: Option<String>,
    /// Speakers the uploader named as the seller's side (empty: the deal's owner and the
    /// team's roster decide, then inference).
    pub sellers: Vec<String>,
}

/// A stored upload; `content` is empty in listings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Upload {
    /// nextstep's id.
    pub id: i64,
    /// The deal.
    pub deal_id: i64,
    /// Who uploaded it.
    pub user_id: Option<i64>,
    /// File name.
    pub file_name: String,
    /// The bytes (empty in listings).
    #[serde(skip)]
    pub content: Vec<u8>,
    /// The call's date, when given.
    pub call_date: Option<NaiveDate>,
    /// The queue's job id.
    pub job_id: Option<String>,
    /// Where it is.
    pub status: UploadStatus,
    /// Attempts started.
    pub attempts: i64,
    /// The last attempt's error.
    pub error: Option<String>,
    /// The call it became.
    pub call_id: Option<i64>,
    /// When uploaded.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
    /// Speakers the uploader named as the seller's side.
    pub sellers: Vec<String>,
}

/// What the store answered when it counted a login attempt ([`crate::TeamStore::count_login_attempt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    /// The password may be checked: this is attempt number `attempt` in the window.
    Open {
        /// 1 for the first attempt of a window.
        attempt: u32,
    },
    /// Too many attempts: none is checked until `until`.
    Locked {
        /// When the window ends.
        until: DateTime<Utc>,
    },
}

/// An API token to record: its digest, whose, a label, and when it stops working.
#[derive(Debug, Clone, PartialEq)]
pub struct NewApiToken {
    /// The user it authenticates as.
    pub user_id: i64,
    /// A label to recognise it by in `token list`.
    pub name: String,
    /// SHA-256 hex of the token (the token itself is shown once and never stored).
    pub token_hash: String,
    /// After this it authenticates no one; `None`: until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A stored API token, as `token list` and `GET /api/v1/tokens` show it: never its digest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    /// nextstep's id (what `token revoke` takes).
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// That user's login.
    pub email: String,
    /// Its label.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working (`None`: until revoked).
    pub expires_at: Option<DateTime<Utc>>,
}

/// What [`crate::TeamStore::create_upload`] did: stored a new upload, or found the one a
/// previous request with the same idempotency key stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUpload {
    /// The upload (new, or the first one stored under the key).
    pub upload: Upload,
    /// `true` when the key had been used before and nothing new was stored.
    pub replayed: bool,
}
