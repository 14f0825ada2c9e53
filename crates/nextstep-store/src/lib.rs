//! The pipeline store: deals, their calls and their next steps, in SQLite (the default, a
//! file on the user's machine) or PostgreSQL (for teams).
//!
//! One [`Store`] trait, one implementation per backend (`sqlite.rs`, `postgres.rs`), one
//! migrations folder per backend. This crate is the only place that knows SQL; callers
//! see typed records ([`model`]) and typed errors ([`StoreError`]).
#![warn(missing_docs)]

use std::path::PathBuf;

mod common;
#[macro_use]
mod sql;
pub mod model;
pub mod postgres;
pub mod sqlite;

pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

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

    /// The deal whose nextstep id (digits) or CRM external id is `key`.
    async fn find_deal(&self, key: &str) -> Result<Deal, StoreError>;
    /// Deals matching the filter, by id.
    async fn list_deals(&self, filter: &DealFilter) -> Result<Vec<Deal>, StoreError>;
    /// A deal's stage history, oldest first.
    async fn stage_history(&self, deal_id: i64) -> Result<Vec<StageChange>, StoreError>;
    /// All reps.
    async fn list_reps(&self) -> Result<Vec<Rep>, StoreError>;

    /// Stores a call and, when given, the next step it found — in one transaction. The new
    /// step supersedes the deal's open step (kept, status `superseded`).
    async fn add_call(
        &self,
        deal_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError>;
    /// A deal's calls, oldest first.
    async fn calls_for_deal(&self, deal_id: i64) -> Result<Vec<Call>, StoreError>;

    /// Every call (without its transcript text), oldest first: what coaching and the
    /// forecast read.
    async fn all_calls(&self) -> Result<Vec<Call>, StoreError>;
    /// Every next step ever recorded, oldest first.
    async fn all_next_steps(&self) -> Result<Vec<NextStepRecord>, StoreError>;
    /// Every deal's stage changes as `(deal_id, change)`, by deal then time.
    async fn all_stage_history(&self) -> Result<Vec<(i64, StageChange)>, StoreError>;

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

    /// Every open deal (optionally one owner's) with its open step, latest call date and
    /// whether that call had a bail-out — what the hygiene report's flags need.
    async fn pipeline(&self, owner: Option<&str>) -> Result<Vec<PipelineRow>, StoreError>;
}

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
    async fn find_deal(&self, key: &str) -> Result<Deal, StoreError> {
        delegate!(self, s => s.find_deal(key).await)
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
    async fn all_calls(&self) -> Result<Vec<Call>, StoreError> {
        delegate!(self, s => s.all_calls().await)
    }
    async fn all_next_steps(&self) -> Result<Vec<NextStepRecord>, StoreError> {
        delegate!(self, s => s.all_next_steps().await)
    }
    async fn all_stage_history(&self) -> Result<Vec<(i64, StageChange)>, StoreError> {
        delegate!(self, s => s.all_stage_history().await)
    }
    async fn add_call(
        &self,
        deal_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
        delegate!(self, s => s.add_call(deal_id, call, step).await)
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
    async fn pipeline(&self, owner: Option<&str>) -> Result<Vec<PipelineRow>, StoreError> {
        delegate!(self, s => s.pipeline(owner).await)
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
