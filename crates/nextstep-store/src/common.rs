//! What both backends share that is not SQL: the text form of the enums, error mapping,
//! the import plan (which deals are new, changed or identical), URL redaction.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::{
    Deal, DefinedBy, NewDeal, NextStepRecord, Outcome, PipelineRow, StepSource, StepStatus,
    StoreError,
};

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

/// A column that would not decode.
pub(crate) fn corrupt(field: &'static str, value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        field,
        value: value.to_string(),
    }
}

/// The stored text of an outcome (the `deals.outcome` CHECK lists the same words).
pub(crate) fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Won => "won",
        Outcome::Lost => "lost",
        Outcome::Disqualified => "disqualified",
    }
}

/// Reads back `deals.outcome`.
pub(crate) fn parse_outcome(s: Option<String>) -> Result<Option<Outcome>, StoreError> {
    match s.as_deref() {
        None => Ok(None),
        Some("won") => Ok(Some(Outcome::Won)),
        Some("lost") => Ok(Some(Outcome::Lost)),
        Some("disqualified") => Ok(Some(Outcome::Disqualified)),
        Some(other) => Err(corrupt("deals.outcome", other)),
    }
}

/// The stored text of who defined a step.
pub(crate) fn defined_by_str(d: DefinedBy) -> &'static str {
    match d {
        DefinedBy::Prospect => "prospect",
        DefinedBy::Seller => "seller",
    }
}

/// Reads back `next_steps.defined_by`.
pub(crate) fn parse_defined_by(s: &str) -> Result<DefinedBy, StoreError> {
    match s {
        "prospect" => Ok(DefinedBy::Prospect),
        "seller" => Ok(DefinedBy::Seller),
        other => Err(corrupt("next_steps.defined_by", other)),
    }
}

/// The stored text of a step's source.
pub(crate) fn source_str(s: StepSource) -> &'static str {
    match s {
        StepSource::Call => "call",
        StepSource::Manual => "manual",
    }
}

/// Reads back `next_steps.source`.
pub(crate) fn parse_source(s: &str) -> Result<StepSource, StoreError> {
    match s {
        "call" => Ok(StepSource::Call),
        "manual" => Ok(StepSource::Manual),
        other => Err(corrupt("next_steps.source", other)),
    }
}

/// The stored text of a step status (the partial unique index says `status = 'open'`).
pub(crate) fn status_str(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Open => "open",
        StepStatus::Done => "done",
        StepStatus::Missed => "missed",
        StepStatus::Cancelled => "cancelled",
        StepStatus::Superseded => "superseded",
    }
}

/// Reads back `next_steps.status`.
pub(crate) fn parse_status(s: &str) -> Result<StepStatus, StoreError> {
    match s {
        "open" => Ok(StepStatus::Open),
        "done" => Ok(StepStatus::Done),
        "missed" => Ok(StepStatus::Missed),
        "cancelled" => Ok(StepStatus::Cancelled),
        "superseded" => Ok(StepStatus::Superseded),
        other => Err(corrupt("next_steps.status", other)),
    }
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

/// `url` with any password replaced by `***`, fit for error messages and logs.
///
/// Covers the user-info form (`postgres://user:secret@host/db`) and a `password=` query
/// parameter (`postgres://host/db?password=secret`).
pub(crate) fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = url.find("://") {
        let rest_start = scheme_end + 3;
        let rest = &url[rest_start..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                let end = rest_start + at;
                out.replace_range(start..end, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", redacted.join("&"));
    }
    out
}

/// The passwords written in `url` (user-info and `password=`), to scrub from driver messages.
pub(crate) fn url_secrets(url: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some((_, pw)) = authority
            .rfind('@')
            .and_then(|at| authority[..at].split_once(':'))
        {
            secrets.push(pw.to_string());
        }
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some((k, v)) if k.eq_ignore_ascii_case("password") => secrets.push(v.to_string()),
                _ => {}
            }
        }
    }
    secrets.retain(|s| !s.is_empty());
    secrets
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

pub(crate) fn role_str(r: crate::Role) -> &'static str {
    match r {
        crate::Role::Rep => "rep",
        crate::Role::Manager => "manager",
        crate::Role::Admin => "admin",
    }
}

pub(crate) fn parse_role(s: &str) -> Result<crate::Role, StoreError> {
    match s {
        "rep" => Ok(crate::Role::Rep),
        "manager" => Ok(crate::Role::Manager),
        "admin" => Ok(crate::Role::Admin),
        other => Err(corrupt("users.role", other)),
    }
}

pub(crate) fn upload_status_str(s: crate::UploadStatus) -> &'static str {
    match s {
        crate::UploadStatus::Queued => "queued",
        crate::UploadStatus::Running => "running",
        crate::UploadStatus::Done => "done",
        crate::UploadStatus::Failed => "failed",
    }
}

pub(crate) fn parse_upload_status(s: &str) -> Result<crate::UploadStatus, StoreError> {
    match s {
        "queued" => Ok(crate::UploadStatus::Queued),
        "running" => Ok(crate::UploadStatus::Running),
        "done" => Ok(crate::UploadStatus::Done),
        "failed" => Ok(crate::UploadStatus::Failed),
        other => Err(corrupt("uploads.status", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_shown() {
        let cases = [
            (
                "postgres://alice:s3cret@db.example:5432/crm",
                "postgres://alice:***@db.example:5432/crm",
            ),
            (
                "postgresql://alice:p%40ss@host/db?sslmode=require",
                "postgresql://alice:***@host/db?sslmode=require",
            ),
            (
                "postgres://host/db?user=bob&password=hunter2&sslmode=disable",
                "postgres://host/db?user=bob&password=***&sslmode=disable",
            ),
            ("postgres://bob@host/db", "postgres://bob@host/db"),
            (
                "/home/u/.local/share/nextstep/nextstep.db",
                "/home/u/.local/share/nextstep/nextstep.db",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
        let err = open_err(
            "postgres://alice:s3cret@h/db",
            "password authentication failed: s3cret",
        );
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn enum_texts_round_trip() {
        for o in [Outcome::Won, Outcome::Lost, Outcome::Disqualified] {
            assert_eq!(
                parse_outcome(Some(outcome_str(o).into())).ok(),
                Some(Some(o))
            );
        }
        for s in [
            StepStatus::Open,
            StepStatus::Done,
            StepStatus::Missed,
            StepStatus::Cancelled,
            StepStatus::Superseded,
        ] {
            assert_eq!(parse_status(status_str(s)).ok(), Some(s));
        }
        assert!(matches!(
            parse_status("pending"),
            Err(StoreError::Corrupt {
                field: "next_steps.status",
                ..
            })
        ));
    }
}
