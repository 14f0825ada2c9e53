//! The pipeline store: deals, their calls and their next steps, in SQLite (the default, a
//! file on the user's machine) or PostgreSQL (for teams).
//!
//! nextstep-core's `Store` and `TeamStore` traits, implemented once per backend
//! (`sqlite.rs`, `postgres.rs`), with one migrations folder per backend, and [`Db`], which
//! picks the backend at run time. This crate is the only place that knows SQL; callers
//! see nextstep-core's typed records and `StoreError`.
#![warn(missing_docs)]

use std::path::PathBuf;

mod errors;
pub mod facts;
mod import_plan;
mod pipeline;
pub mod postgres;
mod scope;
pub mod sqlite;

// The records, the traits and the error are nextstep-core's; the backends name them as
// `crate::…` (a private import: this crate re-exports none of them).
use nextstep_core::*;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// The store a command line or server opened: SQLite or PostgreSQL, chosen at run time from
/// `--db`/`NEXTSTEP_DATABASE_URL`, used through [`Store`] like either backend.
#[derive(Debug, Clone)]
pub enum Db {
    /// A SQLite file (the default) or in-memory database.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PgStore),
}

impl Db {
    /// Opens `url_or_path` and runs pending migrations: `postgres://…`/`postgresql://…` is
    /// PostgreSQL; `sqlite://…`, `sqlite:…`, `sqlite::memory:` or a plain file path is
    /// SQLite (the file and its folders are created on first use).
    pub async fn open(url_or_path: &str) -> Result<Self, StoreError> {
        if url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://") {
            Ok(Db::Postgres(PgStore::connect(url_or_path).await?))
        } else if url_or_path.starts_with("sqlite:") {
            Ok(Db::Sqlite(SqliteStore::open_url(url_or_path).await?))
        } else {
            Ok(Db::Sqlite(SqliteStore::open(url_or_path).await?))
        }
    }

    /// Opens the SQLite file at [`default_sqlite_path`]: what `nextstep` uses when no
    /// database is named.
    pub async fn open_default() -> Result<Self, StoreError> {
        let path = default_sqlite_path().ok_or_else(|| StoreError::Open {
            url: "$XDG_DATA_HOME/nextstep/nextstep.db".into(),
            reason: "neither XDG_DATA_HOME nor HOME is set".into(),
        })?;
        Ok(Db::Sqlite(SqliteStore::open(path).await?))
    }

    /// Which backend this is (`sqlite` or `postgres`), for messages and `--json` output.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection (for SQLite, checkpointing the WAL into the file).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => s.close().await,
            Db::Postgres(s) => s.close().await,
        }
    }
}

/// Where nextstep keeps its SQLite file by default, per the XDG base directory spec:
/// `$XDG_DATA_HOME/nextstep/nextstep.db`, else `$HOME/.local/share/nextstep/nextstep.db`;
/// `None` when neither variable is set (a relative `XDG_DATA_HOME` is ignored, as the
/// spec requires).
pub fn default_sqlite_path() -> Option<PathBuf> {
    data_path(
        std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
}

fn data_path(xdg_data_home: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    let base = match xdg_data_home.filter(|p| p.is_absolute()) {
        Some(xdg) => xdg,
        None => home
            .filter(|h| !h.as_os_str().is_empty())?
            .join(".local")
            .join("share"),
    };
    Some(base.join("nextstep").join("nextstep.db"))
}

macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Db::Sqlite($s) => $call,
            Db::Postgres($s) => $call,
        }
    };
}

impl Store for Db {
    async fn migrate(&self) -> Result<(), StoreError> {
        delegate!(self, s => s.migrate().await)
    }
    async fn upsert_reps(&self, reps: &[NewRep]) -> Result<ImportStats, StoreError> {
        delegate!(self, s => s.upsert_reps(reps).await)
    }
    async fn upsert_accounts(&self, accounts: &[NewAccount]) -> Result<ImportStats, StoreError> {
        delegate!(self, s => s.upsert_accounts(accounts).await)
    }
    async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<ImportStats, StoreError> {
        delegate!(self, s => s.upsert_contacts(contacts).await)
    }
    async fn import_deals(&self, deals: &[NewDeal]) -> Result<ImportStats, StoreError> {
        delegate!(self, s => s.import_deals(deals).await)
    }
    async fn find_deal(&self, scope: &Scope, key: &str) -> Result<Deal, StoreError> {
        delegate!(self, s => s.find_deal(scope, key).await)
    }
    async fn find_call(&self, scope: &Scope, id: i64) -> Result<Call, StoreError> {
        delegate!(self, s => s.find_call(scope, id).await)
    }
    async fn list_deals(&self, filter: &DealFilter) -> Result<Vec<Deal>, StoreError> {
        delegate!(self, s => s.list_deals(filter).await)
    }
    async fn stage_history(&self, deal_id: i64) -> Result<Vec<StageChange>, StoreError> {
        delegate!(self, s => s.stage_history(deal_id).await)
    }
    async fn list_reps(&self) -> Result<Vec<Rep>, StoreError> {
        delegate!(self, s => s.list_reps().await)
    }
    async fn all_calls(&self, scope: &Scope) -> Result<Vec<Call>, StoreError> {
        delegate!(self, s => s.all_calls(scope).await)
    }
    async fn calls_between(
        &self,
        scope: &Scope,
        since: chrono::NaiveDate,
        until: chrono::NaiveDate,
    ) -> Result<Vec<Call>, StoreError> {
        delegate!(self, s => s.calls_between(scope, since, until).await)
    }
    async fn all_next_steps(&self, scope: &Scope) -> Result<Vec<NextStepRecord>, StoreError> {
        delegate!(self, s => s.all_next_steps(scope).await)
    }
    async fn all_stage_history(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(i64, StageChange)>, StoreError> {
        delegate!(self, s => s.all_stage_history(scope).await)
    }
    async fn add_call(
        &self,
        deal_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
        delegate!(self, s => s.add_call(deal_id, call, step).await)
    }
    async fn rejudge_call(
        &self,
        call_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
        delegate!(self, s => s.rejudge_call(call_id, call, step).await)
    }
    async fn calls_for_deal(&self, deal_id: i64) -> Result<Vec<Call>, StoreError> {
        delegate!(self, s => s.calls_for_deal(deal_id).await)
    }
    async fn set_next_step(
        &self,
        deal_id: i64,
        step: &NewNextStep,
    ) -> Result<NextStepRecord, StoreError> {
        delegate!(self, s => s.set_next_step(deal_id, step).await)
    }
    async fn close_next_step(
        &self,
        deal_id: i64,
        status: StepStatus,
    ) -> Result<NextStepRecord, StoreError> {
        delegate!(self, s => s.close_next_step(deal_id, status).await)
    }
    async fn next_step_history(&self, deal_id: i64) -> Result<Vec<NextStepRecord>, StoreError> {
        delegate!(self, s => s.next_step_history(deal_id).await)
    }
    async fn data_version(&self) -> Result<i64, StoreError> {
        delegate!(self, s => s.data_version().await)
    }
    async fn pipeline(
        &self,
        scope: &Scope,
        owner: Option<&str>,
    ) -> Result<Vec<PipelineRow>, StoreError> {
        delegate!(self, s => s.pipeline(scope, owner).await)
    }
}

impl TeamStore for Db {
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        delegate!(self, s => s.create_user(user).await)
    }
    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        delegate!(self, s => s.list_users().await)
    }
    async fn login_lookup(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        delegate!(self, s => s.login_lookup(email).await)
    }
    async fn set_password(&self, email: &str, password_hash: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.set_password(email, password_hash).await)
    }
    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        delegate!(self, s => s.create_session(session).await)
    }
    async fn session(
        &self,
        id_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<(User, String)>, StoreError> {
        delegate!(self, s => s.session(id_hash, now).await)
    }
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.delete_session(id_hash).await)
    }
    async fn count_login_attempt(
        &self,
        email: &str,
        now: chrono::DateTime<chrono::Utc>,
        max: u32,
        window: chrono::Duration,
    ) -> Result<LoginGate, StoreError> {
        delegate!(self, s => s.count_login_attempt(email, now, max, window).await)
    }
    async fn clear_login_attempts(&self, email: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.clear_login_attempts(email).await)
    }
    async fn server_key(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        delegate!(self, s => s.server_key(name, candidate).await)
    }
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        delegate!(self, s => s.create_api_token(token).await)
    }
    async fn list_api_tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError> {
        delegate!(self, s => s.list_api_tokens(user_id).await)
    }
    async fn revoke_api_token(&self, id: i64, user_id: Option<i64>) -> Result<(), StoreError> {
        delegate!(self, s => s.revoke_api_token(id, user_id).await)
    }
    async fn token_user(
        &self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<User>, StoreError> {
        delegate!(self, s => s.token_user(token_hash, now).await)
    }
    async fn create_confirm_link(
        &self,
        scope: &Scope,
        link: &NewConfirmLink,
    ) -> Result<ConfirmLink, StoreError> {
        delegate!(self, s => s.create_confirm_link(scope, link).await)
    }
    async fn confirm_link(&self, token_hash: &str) -> Result<Option<ConfirmLink>, StoreError> {
        delegate!(self, s => s.confirm_link(token_hash).await)
    }
    async fn answer_confirm_link(
        &self,
        token_hash: &str,
        answer: LinkAnswer,
        correction: Option<&str>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<ConfirmLink, StoreError> {
        delegate!(self, s => s.answer_confirm_link(token_hash, answer, correction, now).await)
    }
    async fn confirm_links_for_deal(&self, deal_id: i64) -> Result<Vec<ConfirmLink>, StoreError> {
        delegate!(self, s => s.confirm_links_for_deal(deal_id).await)
    }
    async fn create_upload(
        &self,
        scope: &Scope,
        upload: &NewUpload,
    ) -> Result<StoredUpload, StoreError> {
        delegate!(self, s => s.create_upload(scope, upload).await)
    }
    async fn mark_upload_enqueued(&self, id: i64) -> Result<(), StoreError> {
        delegate!(self, s => s.mark_upload_enqueued(id).await)
    }
    async fn pending_uploads(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        delegate!(self, s => s.pending_uploads(before, limit).await)
    }
    async fn assign_upload_job(&self, id: i64, job_id: &str) -> Result<String, StoreError> {
        delegate!(self, s => s.assign_upload_job(id, job_id).await)
    }
    async fn find_upload(&self, scope: &Scope, id: i64) -> Result<Upload, StoreError> {
        delegate!(self, s => s.find_upload(scope, id).await)
    }
    async fn list_uploads(&self, scope: &Scope, limit: i64) -> Result<Vec<Upload>, StoreError> {
        delegate!(self, s => s.list_uploads(scope, limit).await)
    }
    async fn start_upload(&self, id: i64) -> Result<Upload, StoreError> {
        delegate!(self, s => s.start_upload(id).await)
    }
    async fn finish_upload(
        &self,
        id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<Call, StoreError> {
        delegate!(self, s => s.finish_upload(id, call, step).await)
    }
    async fn fail_upload(
        &self,
        id: i64,
        error: &str,
        last_attempt: bool,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.fail_upload(id, error, last_attempt).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_follows_xdg() {
        let p = |x: Option<&str>, h: Option<&str>| {
            data_path(x.map(PathBuf::from), h.map(PathBuf::from))
        };
        assert_eq!(
            p(Some("/data"), Some("/home/u")),
            Some(PathBuf::from("/data/nextstep/nextstep.db"))
        );
        assert_eq!(
            p(None, Some("/home/u")),
            Some(PathBuf::from("/home/u/.local/share/nextstep/nextstep.db"))
        );
        assert_eq!(
            p(Some("relative"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.local/share/nextstep/nextstep.db"))
        );
        assert_eq!(p(None, None), None);
    }

    #[tokio::test]
    async fn open_errors_hide_passwords() {
        let err = Db::open("postgres://alice:s3cret@127.0.0.1:99999/db")
            .await
            .expect_err("port out of range");
        let shown = err.to_string();
        assert!(matches!(err, StoreError::Open { .. }), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("alice:***@"), "{shown}");
    }

    #[tokio::test]
    async fn open_picks_the_backend() {
        for url in ["sqlite::memory:", ":memory:"] {
            let db = Db::open(url).await.expect(url);
            assert_eq!(db.backend(), "sqlite");
            // One database behind every pooled connection: what one call wrote, the next reads.
            let reps = [NewRep {
                name: "Ana".into(),
                manager: None,
                team: None,
                email: None,
            }];
            db.upsert_reps(&reps).await.expect("write");
            for _ in 0..3 {
                assert_eq!(db.list_reps().await.expect("read").len(), 1, "{url}");
            }
        }
        let dir = std::env::temp_dir().join(format!("nextstep-store-open-{}", std::process::id()));
        let url = format!("sqlite://{}", dir.join("a/b/nextstep.db").display());
        let db = Db::open(&url).await.expect("sqlite url");
        db.close().await;
        assert!(dir.join("a/b/nextstep.db").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
