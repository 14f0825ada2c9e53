//! The PostgreSQL backend: for a team sharing one pipeline.
//!
//! [`PgStore::connect_in_schema`] keeps a store inside its own schema (every pooled
//! connection's `search_path` points there), which is how the story tests run in parallel
//! against one database without seeing each other.

use std::time::Duration;

use chrono::NaiveDate;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use std::collections::HashMap;

use crate::errors::{db_err, open_err};
use crate::pipeline::assemble_pipeline;
use crate::{PipelineRow, StoreError};

/// The PostgreSQL migrations, embedded in the binary.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// How long to keep trying to reach the server before reporting it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`Store`](crate::Store) in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    schema: Option<String>,
}

impl PgStore {
    /// Connects to a `postgres://` (or `postgresql://`) URL and runs pending migrations.
    pub async fn connect(url: &str) -> Result<Self, crate::StoreError> {
        let pool = Self::pool_options()
            .connect(url)
            .await
            .map_err(|e| open_err(url, e))?;
        let store = Self { pool, schema: None };
        crate::Store::migrate(&store).await?;
        Ok(store)
    }

    /// Connects with every connection's `search_path` set to `schema` (created if missing)
    /// and runs the migrations inside it: one database can then hold several independent
    /// stores — parallel tests, or one team per schema.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, crate::StoreError> {
        let quoted = quote_ident(schema);
        let mut conn = PgConnection::connect(url)
            .await
            .map_err(|e| open_err(url, e))?;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {quoted}"
        )))
        .execute(&mut conn)
        .await
        .map_err(|e| open_err(url, e))?;
        conn.close().await.map_err(|e| open_err(url, e))?;

        let set_path = format!("SET search_path TO {quoted}");
        let pool = Self::pool_options()
            .after_connect(move |conn, _meta| {
                let set_path = set_path.clone();
                Box::pin(async move {
                    sqlx::raw_sql(AssertSqlSafe(set_path)).execute(conn).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| open_err(url, e))?;
        let store = Self {
            pool,
            schema: Some(schema.to_string()),
        };
        crate::Store::migrate(&store).await?;
        Ok(store)
    }

    fn pool_options() -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(CONNECT_TIMEOUT)
    }

    /// The connection pool, for the job queue (apalis) to keep its tables in the same
    /// database; nothing outside the store writes nextstep's own tables through it.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The schema this store lives in, when opened with [`PgStore::connect_in_schema`].
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// Drops this store's schema with everything in it and closes the pool: how a test
    /// cleans up after [`PgStore::connect_in_schema`]. Refuses a store without a schema of
    /// its own (it would have to drop the user's tables).
    pub async fn drop_schema(self) -> Result<(), crate::StoreError> {
        let Some(schema) = &self.schema else {
            return Err(crate::StoreError::Query(
                "this store has no schema of its own to drop".into(),
            ));
        };
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP SCHEMA {} CASCADE",
            quote_ident(schema)
        )))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        self.pool.close().await;
        Ok(())
    }

    /// Closes every connection; the store is unusable afterwards.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The pipeline report's second read: for each open deal (narrowed by `filter` on `d`)
/// that has calls or an open step, its latest call and its open step — one row per deal,
/// driven from the calls and steps (most open deals have neither) rather than probed
/// once per deal. Columns: deal id, call date, bail-out, then `sql::STEP_COLUMNS` (null when
/// the deal has no open step), decoded by `step_at`.
fn pipeline_activity_sql(filter: &str) -> String {
    [
        "WITH open AS (SELECT d.id FROM deals d WHERE d.outcome IS NULL",
        filter,
        "), \
         latest AS (SELECT DISTINCT ON (c.deal_id) c.deal_id, c.date, c.bail_out \
                    FROM calls c JOIN open o ON o.id = c.deal_id \
                    ORDER BY c.deal_id, c.date DESC, c.id DESC), \
         steps AS (SELECT s.* FROM next_steps s JOIN open o ON o.id = s.deal_id \
                   WHERE s.status = 'open') \
         SELECT COALESCE(s.deal_id, l.deal_id), l.date, l.bail_out, \
                s.id, s.deal_id, s.action, s.kind, s.owner, s.due, s.defined_by, \
                s.confirmed_by_prospect, s.source, s.call_id, s.evidence, s.status, \
                s.created_at, s.updated_at \
         FROM latest l FULL JOIN steps s ON s.deal_id = l.deal_id",
    ]
    .concat()
}

impl PgStore {
    /// Every open deal's pipeline row, in report order, from two set-based queries read in
    /// one snapshot: the open deals, then their latest calls and open steps.
    async fn pipeline_rows(
        &self,
        filter: &str,
        owner: Option<&str>,
    ) -> Result<Vec<PipelineRow>, StoreError> {
        let deals_sql = [DEAL_SELECT, " WHERE d.outcome IS NULL", filter].concat();
        let activity_sql = pipeline_activity_sql(filter);
        let query = |sql: &String| {
            let q = sqlx::query(AssertSqlSafe(sql.clone()));
            match owner {
                Some(owner) => q.bind(owner),
                None => q,
            }
        };
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(db_err)?;
        let deal_rows = query(&deals_sql)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        // The server runs the second query while this decodes the first's rows (`biased`:
        // the query is polled, so sent, first).
        let (activity, deals) = tokio::join!(
            biased;
            query(&activity_sql).fetch_all(&mut *tx),
            async {
                deal_rows
                    .iter()
                    .map(|row| deal_at(row, 0))
                    .collect::<Result<Vec<_>, _>>()
            },
        );
        let activity = activity.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;

        let mut calls = HashMap::new();
        let mut steps = HashMap::new();
        for row in &activity {
            let deal_id: i64 = col(row, 0, "calls.deal_id")?;
            let date: Option<NaiveDate> = col(row, 1, "calls.date")?;
            if date.is_some() {
                let bail_out: Option<bool> = col(row, 2, "calls.bail_out")?;
                calls.insert(deal_id, (date, bail_out.unwrap_or(false)));
            }
            let step_id: Option<i64> = col(row, 3, "next_steps.id")?;
            if step_id.is_some() {
                steps.insert(deal_id, step_at(row, 3)?);
            }
        }
        Ok(assemble_pipeline(deals?, calls, steps))
    }
}

/// `name` as a quoted SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The store type the shared SQL (`sql/`) implements the traits for.
type Backend = PgStore;
/// The sqlx driver the shared SQL runs on.
type Driver = sqlx::Postgres;
/// How a write transaction begins: PostgreSQL locks rows as it writes them.
const BEGIN_WRITE: &str = "BEGIN";
/// The ordered string aggregate, the one function the two databases name differently.
const LIST_AGG: &str = "string_agg";

/// The SQL both backends run, written once (`sql/mod.rs`), compiled here for this driver.
#[path = "sql/mod.rs"]
#[allow(clippy::duplicate_mod, reason = "mounted once per driver on purpose")]
mod sql;
use sql::{DEAL_SELECT, col, deal_at, step_at};
