//! The SQL both backends run, written once and compiled twice.
//!
//! SQLite and PostgreSQL accept the same statements here: `$N` placeholders (SQLite reads
//! `$N` as parameter N), `RETURNING`, `UPDATE … FROM` a `VALUES` list, partial indexes.
//! What differs lives in the migrations (column types) and in each backend's module: how
//! it opens, how a write transaction begins, the one aggregate spelled differently, and
//! the pipeline report, which each backend fetches its fastest way.
//!
//! sqlx's `Any` driver cannot carry timestamps or JSON, and code generic over
//! `sqlx::Database` drowns in trait bounds, so each backend mounts this folder as its own
//! child module (`#[path = "sql/mod.rs"] mod sql;` in `sqlite.rs` and `postgres.rs`) after
//! naming what differs: `Backend` (its store type, with a `pool` field), `Driver` (the sqlx
//! database), `MIGRATOR`, `BEGIN_WRITE` and `LIST_AGG`. The code here is plain Rust that
//! rustfmt formats and the compiler points into; each file holds one aggregate's SQL, and
//! [`store`] says which file answers each method of the three store traits.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use const_format::concatcp;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, QueryBuilder, Row as _};

use super::{BEGIN_WRITE, Backend, Driver, LIST_AGG, MIGRATOR};
use nextstep_core::text::{
    defined_by_str, outcome_str, parse_defined_by, parse_outcome, parse_role, parse_source,
    parse_status, parse_upload_status, role_str, source_str, status_str,
};

use nextstep_core::facts::{OpenForecastInputs, ReportChanges, ReportPosition};

use crate::errors::{corrupt, db_err, migrate_err};
use crate::facts::{
    CallFactRow, DisqualifiedDeal, FactFilter, Facts, RepWeek, StoredFit, week_monday,
};
use crate::import_plan::{
    ImportPlan, MAX_BINDS, Resolved, StoredDeal, Update, check_unique, distinct, plan_import,
    same_f64,
};
use crate::scope::{date_literal, open_at, scope_condition, visible_deal_ids};
use crate::{
    ApiToken, Call, ConfirmLink, Deal, DealFilter, ImportStats, LinkAnswer, LoginGate, NewAccount,
    NewApiToken, NewCall, NewConfirmLink, NewContact, NewDeal, NewNextStep, NewRep, NewSession,
    NewUpload, NewUser, NextStepRecord, PipelineRow, Rep, Role, Scope, StageChange, StepStatus,
    StoreError, StoredUpload, Upload, UploadStatus, User,
};

mod accounts;
mod calls;
mod deals;
mod facts;
mod fits;
mod links;
mod reps;
mod steps;
mod store;
mod tokens;
mod uploads;
mod users;

// Helpers more than one aggregate's SQL runs, for `use super::*` in each file.
use accounts::ensure_names;
use calls::{calls_where, insert_call};
use deals::{deal_exists, deal_visible};
use facts::{FactWrite, write_facts};
use steps::{insert_step, record_step};
use users::{USER_SELECT, user_at};

/// The driver's database type, under the name the SQL files use.
type Db = Driver;
/// One connection (or a transaction, through `&mut *tx`).
type Conn = <Driver as sqlx::Database>::Connection;
/// One result row.
type DbRow = <Driver as sqlx::Database>::Row;
/// A write transaction, begun with [`Backend::begin_write`].
type Tx = sqlx::Transaction<'static, Driver>;

/// Runs the read `sql` and decodes each row as the driver streams it: a report's hundreds
/// of thousands of rows are never held twice at once (the driver's copies of every row
/// beside the decoded values), which is what bounds the server's memory at scale.
async fn fetch_decoded<T>(
    store: &Backend,
    sql: String,
    decode: impl Fn(&DbRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    use futures_util::TryStreamExt as _;
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&store.pool);
    let mut decoded = Vec::new();
    while let Some(row) = rows.try_next().await.map_err(db_err)? {
        decoded.push(decode(&row)?);
    }
    // Doubling left up to half the list unused; a cache may keep it for a day.
    decoded.shrink_to_fit();
    Ok(decoded)
}

/// `SELECT` of a [`Deal`]: 15 columns, decoded by [`deal_at`].
pub(super) const DEAL_SELECT: &str = "SELECT d.id, d.external_id, d.name, a.name, r.name, \
     d.stage, d.amount_cents, d.currency, d.expected_close, d.created, d.closed, d.outcome, \
     d.loss_reason, d.product, d.crm_next_step \
     FROM deals d \
     LEFT JOIN accounts a ON a.id = d.account_id \
     LEFT JOIN reps r ON r.id = d.owner_id";

/// Columns of a [`NextStepRecord`]: 14, decoded by [`step_at`].
const STEP_COLUMNS: &str = "id, deal_id, action, kind, owner, due, defined_by, \
     confirmed_by_prospect, source, call_id, evidence, status, created_at, updated_at";

/// Columns of a [`Call`]: 9, decoded by [`call_at`].
const CALL_COLUMNS: &str =
    "id, deal_id, date, source, format, transcript, speakers, analysis, bail_out";

/// [`CALL_COLUMNS`] with the transcript text left in the database: what reports read.
const CALL_COLUMNS_WITHOUT_TEXT: &str =
    "id, deal_id, date, source, format, '' AS transcript, speakers, analysis, bail_out";

/// Narrows the pipeline report's reads to one owner's deals (`d`); binds the name as `$1`.
const OWNER_FILTER: &str = " AND d.owner_id = (SELECT id FROM reps WHERE name = $1)";

/// Column `index` of `row`; a value that will not decode is [`StoreError::Corrupt`].
pub(super) fn col<'r, T>(row: &'r DbRow, index: usize, field: &'static str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    row.try_get(index).map_err(|e| corrupt(field, e))
}

/// A [`Deal`] from the 15 columns of `DEAL_SELECT` starting at `i`.
pub(super) fn deal_at(row: &DbRow, i: usize) -> Result<Deal, StoreError> {
    Ok(Deal {
        id: col(row, i, "deals.id")?,
        external_id: col(row, i + 1, "deals.external_id")?,
        name: col(row, i + 2, "deals.name")?,
        account: col(row, i + 3, "accounts.name")?,
        owner: col(row, i + 4, "reps.name")?,
        stage: col(row, i + 5, "deals.stage")?,
        amount: col(row, i + 6, "deals.amount_cents")?,
        currency: col(row, i + 7, "deals.currency")?,
        expected_close: col(row, i + 8, "deals.expected_close")?,
        created: col(row, i + 9, "deals.created")?,
        closed: col(row, i + 10, "deals.closed")?,
        outcome: parse_outcome(col(row, i + 11, "deals.outcome")?)?,
        loss_reason: col(row, i + 12, "deals.loss_reason")?,
        product: col(row, i + 13, "deals.product")?,
        crm_next_step: col(row, i + 14, "deals.crm_next_step")?,
    })
}

/// A [`NextStepRecord`] from the 14 `STEP_COLUMNS` starting at `i`.
pub(super) fn step_at(row: &DbRow, i: usize) -> Result<NextStepRecord, StoreError> {
    let evidence: Json<serde_json::Value> = col(row, i + 10, "next_steps.evidence")?;
    Ok(NextStepRecord {
        id: col(row, i, "next_steps.id")?,
        deal_id: col(row, i + 1, "next_steps.deal_id")?,
        action: col(row, i + 2, "next_steps.action")?,
        kind: col(row, i + 3, "next_steps.kind")?,
        owner: col(row, i + 4, "next_steps.owner")?,
        due: col(row, i + 5, "next_steps.due")?,
        defined_by: parse_defined_by(col(row, i + 6, "next_steps.defined_by")?)?,
        confirmed_by_prospect: col(row, i + 7, "next_steps.confirmed_by_prospect")?,
        source: parse_source(col(row, i + 8, "next_steps.source")?)?,
        call_id: col(row, i + 9, "next_steps.call_id")?,
        evidence: evidence.0,
        status: parse_status(col(row, i + 11, "next_steps.status")?)?,
        created_at: col(row, i + 12, "next_steps.created_at")?,
        updated_at: col(row, i + 13, "next_steps.updated_at")?,
    })
}

/// A [`Call`] from the 9 `CALL_COLUMNS`.
pub(super) fn call_at(row: &DbRow) -> Result<Call, StoreError> {
    let speakers: Json<serde_json::Value> = col(row, 6, "calls.speakers")?;
    let analysis: Json<serde_json::Value> = col(row, 7, "calls.analysis")?;
    Ok(Call {
        id: col(row, 0, "calls.id")?,
        deal_id: col(row, 1, "calls.deal_id")?,
        date: col(row, 2, "calls.date")?,
        source: col(row, 3, "calls.source")?,
        format: col(row, 4, "calls.format")?,
        transcript: col(row, 5, "calls.transcript")?,
        speakers: speakers.0,
        analysis: analysis.0,
        bail_out: col(row, 8, "calls.bail_out")?,
    })
}

impl Backend {
    /// Begins a write transaction the backend's way (SQLite takes the write lock up front
    /// with `BEGIN IMMEDIATE`, so two writers queue instead of failing when a reader
    /// upgrades).
    async fn begin_write(&self) -> Result<Tx, StoreError> {
        self.pool.begin_with(BEGIN_WRITE).await.map_err(db_err)
    }
}
