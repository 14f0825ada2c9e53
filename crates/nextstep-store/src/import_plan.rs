//! The bulk import's plan: which incoming deals are new, changed or identical to the
//! stored ones, decided in Rust once the stored rows are read, so both backends write the
//! same rows.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::{NewDeal, Outcome, StoreError};

/// Most bind parameters one statement carries: under SQLite's 32,766 and PostgreSQL's 65,535.
pub(crate) const MAX_BINDS: usize = 30_000;

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

/// Equality for optional floats that treats two NaNs as the same stored value.
pub(crate) fn same_f64(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        (None, None) => true,
        _ => false,
    }
}
