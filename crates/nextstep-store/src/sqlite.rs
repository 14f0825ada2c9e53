//! The SQLite backend: nextstep's default, one file on the user's machine.
//!
//! The file is opened in WAL mode with `synchronous = NORMAL` (every transaction is atomic
//! and survives a crash of the process; only the last ones may be lost on power failure)
//! and foreign keys enforced. Write transactions begin `IMMEDIATE`, so concurrent writers
//! wait for the lock (up to the busy timeout) instead of failing half-way.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::AssertSqlSafe;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};

use std::collections::HashMap;

use nextstep_core::text::{parse_defined_by, parse_source, parse_status};

use crate::errors::{corrupt, db_err, open_err};
use crate::pipeline::assemble_pipeline;
use crate::{Deal, NextStepRecord, PipelineRow, StoreError};

/// The SQLite migrations, embedded in the binary.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a writer waits for another one's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often opening a file (or migrating it) is tried while another process opening
/// it at the same time holds what it needs.
const OPEN_TRIES: u64 = 8;

/// Runs `attempt` until it succeeds, fails in a way `again` does not retry, or was tried
/// [`OPEN_TRIES`] times, waiting 100 ms longer after each failure.
async fn retried<T, E, Fut>(
    again: impl Fn(&E) -> bool,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if tries + 1 < OPEN_TRIES && again(&e) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100 * tries)).await;
            }
            result => return result,
        }
    }
}

/// Whether `e` is SQLite's "database is locked" (`SQLITE_BUSY`, code 5).
fn is_locked(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            // The primary code is the low byte of an extended one (517, BUSY_SNAPSHOT, …).
            d.code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| c & 0xff == 5)
                || d.message().contains("database is locked")
        }
        _ => false,
    }
}

/// Page cache per connection, in KiB (SQLite's `cache_size` takes negative KiB): the
/// default 2 MiB holds a tenth of a 100,000-deal database and every miss is a read system
/// call (the pipeline's second query took twice as long). Pages are allocated as read, so
/// the four connections' caches are part of the server's memory: at 64 MiB each they
/// made a quarter of a gigabyte once the reports had scanned a 500,000-call database.
/// 8 MiB: the server's peak serving the team reports at 500,000 calls was 294 MB at
/// 12 MiB and 283 MB at 8 MiB (target 300), with the pipeline API over 100,000 deals no
/// slower (p99 11 ms; its report is cached in memory) and the reports' cold requests
/// within their noise; the rest comes from the OS page cache.
const CACHE_KIB: &str = "-8192";

/// Rows the connection's worker thread may run ahead of the reader. sqlx's default (50)
/// hands a report's few hundred thousand rows over one small batch at a time, each a
/// thread wake-up; a larger buffer lets the worker step through a scan without waiting.
const ROW_CHANNEL: usize = 4096;

/// A [`Store`](crate::Store) in a SQLite file (or in memory, for tests).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: Option<PathBuf>,
    /// In memory: a connection outside the pool that keeps the database alive while the
    /// store lives, even when the pool drops its connection (sqlx closes a connection
    /// whose query was cancelled, which would otherwise take every table with it).
    _keeper: Option<std::sync::Arc<tokio::sync::Mutex<sqlx::SqliteConnection>>>,
}

impl SqliteStore {
    /// Opens (creating it and its parent folders on first use) the database file at `path`
    /// and runs pending migrations — what `nextstep` does with its default path. SQLite's
    /// `:memory:` is [`SqliteStore::memory`].
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, crate::StoreError> {
        let path = path.as_ref();
        if path == Path::new(":memory:") {
            return Self::memory().await;
        }
        let options = SqliteConnectOptions::new().filename(path);
        Self::open_file(options, &path.display().to_string()).await
    }

    /// Opens a `sqlite:` URL (`sqlite://path/to/file.db`, `sqlite:file.db`,
    /// `sqlite::memory:`), for `--db` and `NEXTSTEP_DATABASE_URL`.
    pub async fn open_url(url: &str) -> Result<Self, crate::StoreError> {
        if url.trim_start_matches("sqlite:").trim_start_matches("//") == ":memory:" {
            return Self::memory().await;
        }
        let options = SqliteConnectOptions::from_str(url).map_err(|e| open_err(url, e))?;
        Self::open_file(options, url).await
    }

    /// A fresh private in-memory database, migrated: for tests and dry runs. It lives as
    /// long as this store (and its clones).
    pub async fn memory() -> Result<Self, crate::StoreError> {
        use sqlx::ConnectOptions as _;
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        // A named shared-cache database, private to this store: the keeper connection
        // holds it open, the pool's one connection does the work.
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = format!(
            "sqlite:file:nextstep-memory-{}-{n}?mode=memory&cache=shared",
            std::process::id()
        );
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|e| open_err(&url, e))?
            .foreign_keys(true);
        let keeper = options.connect().await.map_err(|e| open_err(&url, e))?;
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| open_err(&url, e))?;
        let store = Self {
            pool,
            path: None,
            _keeper: Some(std::sync::Arc::new(tokio::sync::Mutex::new(keeper))),
        };
        crate::Store::migrate(&store).await?;
        Ok(store)
    }

    async fn open_file(
        options: SqliteConnectOptions,
        shown: &str,
    ) -> Result<Self, crate::StoreError> {
        let path = options.get_filename().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| open_err(shown, format!("cannot create {}: {e}", parent.display())))?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("cache_size", CACHE_KIB)
            .row_buffer_size(ROW_CHANNEL);
        // Processes opening a new file at once (a server and its workers) race twice: for
        // the lock that switches it to WAL, which SQLite refuses at once rather than
        // waiting out the busy timeout, and over the migrations, which sqlx does not lock
        // on SQLite (the loser fails on a migration the winner is applying). Both are
        // tried again after a moment, when the winner is done.
        let pool = retried(is_locked, || {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.clone())
        })
        .await
        .map_err(|e| open_err(shown, e))?;
        let store = Self {
            pool,
            path: Some(path),
            _keeper: None,
        };
        retried(|_| true, || crate::Store::migrate(&store)).await?;
        Ok(store)
    }

    /// The connection pool, for the job queue (apalis) to keep its tables in the same
    /// database file; nothing outside the store writes nextstep's own tables through it.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The database file, `None` in memory: for `nextstep` to say where the data is.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Closes every connection (checkpointing the WAL into the main file); the store is
    /// unusable afterwards. Dropping the store also closes it, without waiting.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The pipeline report's open deals as ONE value: a JSON array with one array per open
/// deal (its columns but `outcome`, which is null for every open deal), in no particular
/// order; `filter` narrows the deals (`d`).
///
/// Why JSON: sqlx's SQLite driver copies every column of every row into its own SQLite
/// allocation and hands rows over one by one from its worker thread; at 24,000 rows × 31
/// columns that cost ~470 ms, twenty times the query. Built inside SQLite and parsed by
/// serde straight into typed tuples, the same data takes ~25 ms. The deal columns come
/// from the covering index `deals_open_pipeline` alone.
fn pipeline_deals_sql(filter: &str) -> String {
    [
        "SELECT json_group_array(json_array( \
             d.id, d.external_id, d.name, a.name, r.name, d.stage, d.amount_cents, \
             d.currency, d.expected_close, d.created, d.closed, d.loss_reason, d.product, \
             d.crm_next_step)) \
         FROM deals d \
         LEFT JOIN accounts a ON a.id = d.account_id \
         LEFT JOIN reps r ON r.id = d.owner_id \
         WHERE d.outcome IS NULL",
        filter,
    ]
    .concat()
}

/// The rest of the report as ONE JSON object: `calls`, each open deal's latest call
/// (`[deal id, date, bail-out]`), and `steps`, the open steps of open deals. Driven from
/// the calls and steps (through `calls_deal_latest` and `next_steps_one_open`) rather
/// than probed once per deal: most open deals have neither.
fn pipeline_extra_sql(filter: &str) -> String {
    [
        "SELECT json_object( \
             'calls', (SELECT json_group_array(json_array(deal_id, date, bail_out)) \
                       FROM (SELECT c.deal_id, c.date, c.bail_out, row_number() OVER ( \
                                 PARTITION BY c.deal_id ORDER BY c.date DESC, c.id DESC \
                             ) AS n \
                             FROM calls c JOIN deals d ON d.id = c.deal_id \
                             WHERE d.outcome IS NULL",
        filter,
        ") WHERE n = 1), \
             'steps', (SELECT json_group_array(json_array( \
                           s.id, s.deal_id, s.action, s.kind, s.owner, s.due, \
                           s.defined_by, s.confirmed_by_prospect, s.source, s.call_id, \
                           json(s.evidence), s.status, s.created_at, s.updated_at)) \
                       FROM next_steps s JOIN deals d ON d.id = s.deal_id \
                       WHERE s.status = 'open' AND d.outcome IS NULL",
        filter,
        "))",
    ]
    .concat()
}

/// One element of [`pipeline_deals_sql`]'s array, read straight into a [`Deal`].
struct JsonDeal(Deal);

impl<'de> serde::Deserialize<'de> for JsonDeal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Columns;

        impl<'de> serde::de::Visitor<'de> for Columns {
            type Value = JsonDeal;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of a deal's 14 columns")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<JsonDeal, A::Error> {
                let mut n = 0;
                let mut next = || {
                    n += 1;
                    n - 1
                };
                macro_rules! column {
                    () => {{
                        let i = next();
                        seq.next_element()?
                            .ok_or_else(|| serde::de::Error::invalid_length(i, &self))?
                    }};
                }
                let id = column!();
                let external_id = column!();
                let name = column!();
                let account = column!();
                let owner = column!();
                let stage = column!();
                let amount = column!();
                let currency = column!();
                let json::Date(expected_close) = column!();
                let json::Date(created) = column!();
                let json::Date(closed) = column!();
                let loss_reason = column!();
                let product = column!();
                let crm_next_step = column!();
                Ok(JsonDeal(Deal {
                    id,
                    external_id,
                    name,
                    account,
                    owner,
                    stage,
                    amount,
                    currency,
                    expected_close,
                    created,
                    closed,
                    outcome: None,
                    loss_reason,
                    product,
                    crm_next_step,
                }))
            }
        }

        d.deserialize_seq(Columns)
    }
}

/// [`pipeline_extra_sql`]'s object.
#[derive(serde::Deserialize)]
struct JsonExtra {
    calls: Vec<JsonCall>,
    steps: Vec<JsonStep>,
}

/// A deal's latest call: deal id, date, bail-out (0 or 1).
#[derive(serde::Deserialize)]
struct JsonCall(i64, json::Date, i64);

/// An open step, in `sql::STEP_COLUMNS` order.
#[derive(serde::Deserialize)]
struct JsonStep(
    i64,
    i64,
    String,
    String,
    String,
    json::Date,
    String,
    i64,
    String,
    Option<i64>,
    serde_json::Value,
    String,
    String,
    String,
);

impl JsonStep {
    fn into_record(self) -> Result<NextStepRecord, StoreError> {
        let JsonStep(
            id,
            deal_id,
            action,
            kind,
            owner,
            json::Date(due),
            defined_by,
            confirmed_by_prospect,
            source,
            call_id,
            evidence,
            status,
            created_at,
            updated_at,
        ) = self;
        Ok(NextStepRecord {
            id,
            deal_id,
            action,
            kind,
            owner,
            due,
            defined_by: parse_defined_by(&defined_by)?,
            confirmed_by_prospect: confirmed_by_prospect != 0,
            source: parse_source(&source)?,
            call_id,
            evidence,
            status: parse_status(&status)?,
            created_at: json::timestamp(&created_at, "next_steps.created_at")?,
            updated_at: json::timestamp(&updated_at, "next_steps.updated_at")?,
        })
    }
}

/// Reads [`pipeline_deals_sql`]'s value.
fn parse_deals(row: &SqliteRow) -> Result<Vec<Deal>, StoreError> {
    let deals: Vec<JsonDeal> = serde_json::from_str(col(row, 0, "pipeline deals")?)
        .map_err(|e| corrupt("pipeline deals", e))?;
    Ok(deals.into_iter().map(|JsonDeal(deal)| deal).collect())
}

/// Reads [`pipeline_extra_sql`]'s value: latest calls and open steps by deal id.
#[allow(clippy::type_complexity)]
fn parse_extra(
    row: &SqliteRow,
) -> Result<
    (
        HashMap<i64, (Option<NaiveDate>, bool)>,
        HashMap<i64, NextStepRecord>,
    ),
    StoreError,
> {
    let JsonExtra { calls, steps } = serde_json::from_str(col(row, 0, "pipeline calls and steps")?)
        .map_err(|e| corrupt("pipeline calls and steps", e))?;
    let calls = calls
        .into_iter()
        .map(|JsonCall(deal, json::Date(date), bail_out)| (deal, (date, bail_out != 0)))
        .collect();
    let steps = steps
        .into_iter()
        .map(|s| s.into_record().map(|s| (s.deal_id, s)))
        .collect::<Result<_, _>>()?;
    Ok((calls, steps))
}

impl SqliteStore {
    /// Every open deal's pipeline row, in report order, from two set-based queries read in
    /// one snapshot (see [`pipeline_deals_sql`] for why they return JSON).
    async fn pipeline_rows(
        &self,
        filter: &str,
        owner: Option<&str>,
    ) -> Result<Vec<PipelineRow>, StoreError> {
        let (deals_sql, extra_sql) = (pipeline_deals_sql(filter), pipeline_extra_sql(filter));
        let query = |sql: &String| {
            let q = sqlx::query(AssertSqlSafe(sql.clone()));
            match owner {
                Some(owner) => q.bind(owner),
                None => q,
            }
        };
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let deals_row = query(&deals_sql)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        // SQLite runs the second query on its worker thread while this one parses the
        // first's deals (`biased`: the query is polled, so sent, first).
        let (extra_row, deals) = tokio::join!(
            biased;
            query(&extra_sql).fetch_one(&mut *tx),
            async { parse_deals(&deals_row) },
        );
        let extra_row = extra_row.map_err(db_err)?;
        tx.rollback().await.map_err(db_err)?;
        let (calls, steps) = parse_extra(&extra_row)?;
        Ok(assemble_pipeline(deals?, calls, steps))
    }
}

/// Reading back what SQLite's JSON functions write.
mod json {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    use serde::{Deserialize, Deserializer};

    use crate::StoreError;
    use crate::errors::corrupt;

    /// An ISO date (`YYYY-MM-DD`, as sqlx stores a `NaiveDate`) or null, with a fast path:
    /// chrono's general parser would be a third of the report's time.
    pub(super) struct Date(pub(super) Option<NaiveDate>);

    impl<'de> Deserialize<'de> for Date {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let Some(text) = Option::<&str>::deserialize(d)? else {
                return Ok(Date(None));
            };
            fast_date(text)
                .or_else(|| NaiveDate::parse_from_str(text, "%F").ok())
                .map(|date| Date(Some(date)))
                .ok_or_else(|| serde::de::Error::custom(format!("invalid date {text:?}")))
        }
    }

    fn fast_date(text: &str) -> Option<NaiveDate> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
    }

    /// A timestamp as sqlx stores a `DateTime<Utc>` (RFC 3339), or SQLite's own
    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    pub(super) fn timestamp(text: &str, field: &'static str) -> Result<DateTime<Utc>, StoreError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%F %T%.f").map(|t| t.and_utc()))
            .map_err(|_| corrupt(field, text))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn dates_and_timestamps() {
            assert_eq!(
                fast_date("2017-02-28"),
                NaiveDate::from_ymd_opt(2017, 2, 28)
            );
            assert_eq!(fast_date("2017-02-30"), None);
            assert_eq!(fast_date("2017-2-28"), None);
            assert_eq!(fast_date("20x7-02-28"), None);
            let t = timestamp("2026-04-14T10:00:00.123456+00:00", "t").expect("rfc3339");
            assert_eq!(t.timestamp_subsec_micros(), 123_456);
            assert!(timestamp("2026-04-14 10:00:00", "t").is_ok());
            assert!(matches!(
                timestamp("yesterday", "t"),
                Err(StoreError::Corrupt { field: "t", .. })
            ));
        }
    }
}

/// The store type the shared SQL (`sql/`) implements the traits for.
type Backend = SqliteStore;
/// The sqlx driver the shared SQL runs on.
type Driver = sqlx::Sqlite;
/// How a write transaction begins: `IMMEDIATE` takes the write lock up front, so two
/// writers queue instead of failing when a reader upgrades.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
/// The ordered string aggregate, the one function the two databases name differently.
const LIST_AGG: &str = "group_concat";

/// The SQL both backends run, written once (`sql/mod.rs`), compiled here for this driver.
#[path = "sql/mod.rs"]
#[allow(clippy::duplicate_mod, reason = "mounted once per driver on purpose")]
mod sql;
use sql::col;
