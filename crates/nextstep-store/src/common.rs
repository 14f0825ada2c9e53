//! What both backends share that is not SQL: error mapping, the import plan (which deals
//! are new, changed or identical), the pipeline's assembly, and the scope conditions.
//! The enums' text forms and URL redaction are nextstep-core's (`text`, `redact`).

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use nextstep_core::redact::{redact_url, url_secrets};
pub(crate) use nextstep_core::text::{
    corrupt, defined_by_str, outcome_str, parse_defined_by, parse_outcome, parse_role,
    parse_source, parse_status, parse_upload_status, role_str, source_str, status_str,
};

use crate::{Deal, NewDeal, NextStepRecord, Outcome, PipelineRow, StoreError};

/// Most bind parameters one statement carries: under SQLite's 32,766 and PostgreSQL's 65,535.
pub(crate) const MAX_BINDS: usize = 30_000;

/// A driver error as a [`StoreError::Query`].
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Query(e.to_string())
}

/// A migration error as a [`StoreError::Migrate`].
pub(crate) fn migrate_err(e: sqlx::migrate::MigrateError) -> StoreError {
    StoreError::Migrate(e.to_string())
}

/// Refuses a slice naming the same key twice: which of the two should win is not the
/// store's guess to make, and a bulk update with two rows for one target is undefined.
pub(crate) fn check_unique<'a>(
    what: &str,
    keys: impl IntoIterator<Item = &'a str>,
) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            return Err(StoreError::Query(format!(
                "duplicate {what} {key:?} in one import"
            )));
        }
    }
    Ok(())
}

/// Distinct values in first-seen order.
pub(crate) fn distinct<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values.into_iter().filter(|v| seen.insert(*v)).collect()
}

/// A deal row as stored, with account and owner as ids: what an import compares against.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredDeal {
    pub id: i64,
    pub name: String,
    pub account_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub stage: String,
    pub amount: Option<i64>,
    pub currency: String,
    pub expected_close: Option<NaiveDate>,
    pub created: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub loss_reason: Option<String>,
    pub product: Option<String>,
    pub crm_next_step: Option<String>,
}

/// An incoming deal with its account and owner resolved to ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved<'a> {
    pub deal: &'a NewDeal,
    pub account_id: Option<i64>,
    pub owner_id: Option<i64>,
}

impl StoredDeal {
    /// Whether writing `new` would change nothing.
    fn same_as(&self, new: &Resolved<'_>) -> bool {
        let d = new.deal;
        self.name == d.name
            && self.account_id == new.account_id
            && self.owner_id == new.owner_id
            && self.stage == d.stage
            && self.amount == d.amount
            && self.currency == d.currency
            && self.expected_close == d.expected_close
            && self.created == d.created
            && self.closed == d.closed
            && self.outcome == d.outcome
            && self.loss_reason == d.loss_reason
            && self.product == d.product
            && self.crm_next_step == d.crm_next_step
    }
}

/// An existing deal to rewrite.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Update<'a> {
    pub id: i64,
    pub new: Resolved<'a>,
    pub stage_changed: bool,
}

/// What an import will write.
#[derive(Debug, Default)]
pub(crate) struct ImportPlan<'a> {
    pub inserts: Vec<Resolved<'a>>,
    pub updates: Vec<Update<'a>>,
    pub unchanged: u64,
}

/// Sorts the incoming deals into new, changed and identical ones.
///
/// `accounts` and `reps` must hold every name the deals use (the caller created the
/// missing ones); `existing` holds the stored deals by external id.
pub(crate) fn plan_import<'a>(
    deals: &'a [NewDeal],
    accounts: &HashMap<String, i64>,
    reps: &HashMap<String, i64>,
    existing: &HashMap<String, StoredDeal>,
) -> ImportPlan<'a> {
    let mut plan = ImportPlan::default();
    for deal in deals {
        let new = Resolved {
            deal,
            account_id: deal.account.as_ref().and_then(|a| accounts.get(a).copied()),
            owner_id: deal.owner.as_ref().and_then(|o| reps.get(o).copied()),
        };
        match existing.get(&deal.external_id) {
            None => plan.inserts.push(new),
            Some(old) if old.same_as(&new) => plan.unchanged += 1,
            Some(old) => plan.updates.push(Update {
                id: old.id,
                new,
                stage_changed: old.stage != deal.stage,
            }),
        }
    }
    plan
}

/// The pipeline report's sort key: amount descending (deals without one last), then id.
pub(crate) fn pipeline_key(amount: Option<i64>, id: i64) -> (Reverse<Option<i64>>, i64) {
    (Reverse(amount), id)
}

/// Assembles the pipeline report from its two set-based reads: the open deals, and each
/// one's latest call (date, bail-out) and open step by deal id. Orders the rows by
/// [`pipeline_key`], sorting keys first so that each wide row is moved once.
///
/// Sorted here rather than in SQL: neither backend then sorts wide rows (PostgreSQL spilled
/// that sort to disk at 100,000 deals), and both order exactly alike.
pub(crate) fn assemble_pipeline(
    deals: Vec<Deal>,
    mut calls: HashMap<i64, (Option<NaiveDate>, bool)>,
    mut steps: HashMap<i64, NextStepRecord>,
) -> Vec<PipelineRow> {
    let mut order: Vec<_> = deals
        .iter()
        .enumerate()
        .map(|(i, d)| (pipeline_key(d.amount, d.id), i))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<Deal>> = deals.into_iter().map(Some).collect();
    let mut rows = Vec::with_capacity(order.len());
    for (_, i) in order {
        let Some(deal) = slots[i].take() else {
            continue;
        };
        let (last_call, last_call_bail_out) = calls.remove(&deal.id).unwrap_or((None, false));
        rows.push(PipelineRow {
            next_step: steps.remove(&deal.id),
            deal,
            last_call,
            last_call_bail_out,
        });
    }
    rows
}

/// Equality for optional floats that treats two NaNs as the same stored value.
pub(crate) fn same_f64(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        (None, None) => true,
        _ => false,
    }
}

/// A [`StoreError::Open`] for `url` that shows no password, neither in the URL nor in
/// the driver's message.
pub(crate) fn open_err(url: &str, reason: impl ToString) -> StoreError {
    let mut reason = reason.to_string();
    for secret in url_secrets(url) {
        reason = reason.replace(&secret, "***");
    }
    StoreError::Open {
        url: redact_url(url),
        reason,
    }
}

/// The condition (` AND …`, or nothing for everyone) that narrows deals aliased `d` to
/// what `scope` may see. Rep ids are integers formatted by Rust, never caller text, so
/// the SQL stays injection-free without a bind (which would shift every caller's `$N`).
pub(crate) fn scope_condition(scope: &crate::Scope) -> String {
    match scope {
        crate::Scope::All => String::new(),
        crate::Scope::Owner(rep) => format!(" AND d.owner_id = {rep}"),
        crate::Scope::Team(manager) => format!(
            " AND d.owner_id IN (SELECT id FROM reps WHERE id = {manager} OR manager_id = {manager})"
        ),
    }
}

/// The condition (` AND …`, or nothing for everyone) that narrows rows with a deal id in
/// `column` to the deals `scope` sees: reads of calls, steps, stage history and uploads.
/// For [`Scope::All`](crate::Scope::All) — every command-line read — there is no
/// subquery at all.
pub(crate) fn visible_deal_ids(scope: &crate::Scope, column: &str) -> String {
    match scope {
        crate::Scope::All => String::new(),
        _ => format!(
            " AND {column} IN (SELECT d.id FROM deals d WHERE TRUE{})",
            scope_condition(scope)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_errors_show_no_password() {
        let err = open_err(
            "postgres://alice:s3cret@h/db",
            "password authentication failed: s3cret",
        );
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
