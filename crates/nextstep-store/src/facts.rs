//! Per-call facts: the few numbers of each call that the coaching, digest and forecast
//! reports count, kept in compact `call_facts` rows beside the call so that those reports
//! aggregate in SQL instead of loading every stored analysis.
//!
//! The facts are read from the analysis' JSON (the `analyze --json` contract) by
//! [`Facts::of`] when a call is stored or judged again, inside the same transaction; the
//! migration that created the table filled it for existing calls with the same rules
//! written in SQL. [`FactStore`] is the read side: aggregates per rep and ISO week, the
//! few calls the coaching moments quote, and the forecast's per-call rows.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::Value;

use crate::{Call, DefinedBy, NextStepRecord, Scope, StoreError};

/// What the reports count of one call, as [`Facts::of`] reads it from the analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The rep asked an open next-step question: the analyzer's flag, or any ask moment
    /// (what coaching's ask rate counts).
    pub asked: bool,
    /// The analyzer's `asked_next_step` flag alone (what the forecast's feature counts).
    pub asked_next_step: bool,
    /// Who defined the step the call ended with; `None` when it ended without one.
    pub step_by: Option<DefinedBy>,
    /// The prospect confirmed that step.
    pub confirmed: bool,
    /// Volunteered items (bail-outs included).
    pub volunteered: i32,
    /// Negative signals.
    pub negative_signals: i32,
    /// Bail-out moments.
    pub bail_outs: i32,
    /// The first bail-out's signal type, when it carries one.
    pub bail_out_signal: Option<String>,
    /// The rep named a difficulty (any confrontation).
    pub confronted: bool,
    /// A confrontation named no fit (act `disqualify`, or a `why` starting `named no fit`).
    pub no_fit: bool,
}

fn array_len(v: &Value, key: &str) -> i32 {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(0, |a| a.len().min(i32::MAX as usize) as i32)
}

impl Facts {
    /// Reads the facts from an analysis as stored (the analyzer's JSON). Missing fields
    /// count as absent, so a foreign or older analysis gives zeros, never an error.
    pub fn of(analysis: &Value) -> Facts {
        let flag = analysis
            .get("asked_next_step")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let step = analysis.get("next_step").filter(|s| s.is_object());
        let step_by = step
            .and_then(|s| s.get("defined_by"))
            .and_then(Value::as_str)
            .and_then(|s| match s {
                "prospect" => Some(DefinedBy::Prospect),
                "seller" => Some(DefinedBy::Seller),
                _ => None,
            });
        let confirmed = step
            .and_then(|s| s.get("confirmed_by_prospect"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let confrontations = analysis
            .get("confrontations")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let no_fit = confrontations.iter().any(|m| {
            m.get("act").and_then(Value::as_str) == Some("disqualify")
                || m.get("why")
                    .and_then(Value::as_str)
                    .is_some_and(|w| w.starts_with("named no fit"))
        });
        Facts {
            asked: flag || array_len(analysis, "asks") > 0,
            asked_next_step: flag,
            step_by,
            confirmed,
            volunteered: array_len(analysis, "volunteered"),
            negative_signals: array_len(analysis, "negative_signals"),
            bail_outs: array_len(analysis, "bail_outs"),
            bail_out_signal: analysis
                .get("bail_outs")
                .and_then(|b| b.get(0))
                .and_then(|b| b.get("signal"))
                .and_then(Value::as_str)
                .map(str::to_string),
            confronted: !confrontations.is_empty(),
            no_fit,
        }
    }
}

/// The Monday of `date`'s ISO week (the coaching trend's unit, kept in each fact row).
pub fn week_monday(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

pub(crate) use nextstep_core::dataset::CallFactRow;
pub(crate) use nextstep_core::facts::{
    DisqualifiedDeal, FactCall, FactFilter, FactStore, RepWeek, StoredFit,
};

macro_rules! delegate_facts {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            crate::Db::Sqlite($s) => $call,
            crate::Db::Postgres($s) => $call,
        }
    };
}

impl FactStore for crate::Db {
    async fn rep_weeks(
        &self,
        scope: &Scope,
        filter: &FactFilter,
    ) -> Result<Vec<RepWeek>, StoreError> {
        delegate_facts!(self, s => s.rep_weeks(scope, filter).await)
    }
    async fn calls_by_ids(&self, scope: &Scope, ids: &[i64]) -> Result<Vec<Call>, StoreError> {
        delegate_facts!(self, s => s.calls_by_ids(scope, ids).await)
    }
    async fn disqualified_deals(&self, scope: &Scope) -> Result<Vec<DisqualifiedDeal>, StoreError> {
        delegate_facts!(self, s => s.disqualified_deals(scope).await)
    }
    async fn call_fact_rows(&self, scope: &Scope) -> Result<Vec<CallFactRow>, StoreError> {
        delegate_facts!(self, s => s.call_fact_rows(scope).await)
    }
    async fn step_rows(&self, scope: &Scope) -> Result<Vec<NextStepRecord>, StoreError> {
        delegate_facts!(self, s => s.step_rows(scope).await)
    }
    async fn open_forecast_inputs(
        &self,
        scope: &Scope,
        as_of: NaiveDate,
        only: Option<&[i64]>,
    ) -> Result<nextstep_core::facts::OpenForecastInputs, StoreError> {
        delegate_facts!(self, s => s.open_forecast_inputs(scope, as_of, only).await)
    }
    async fn report_position(&self) -> Result<nextstep_core::facts::ReportPosition, StoreError> {
        delegate_facts!(self, s => s.report_position().await)
    }
    async fn report_changes(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Option<nextstep_core::facts::ReportChanges>, StoreError> {
        delegate_facts!(self, s => s.report_changes(since, limit).await)
    }
    async fn stored_fit(&self, key: &str) -> Result<Option<StoredFit>, StoreError> {
        delegate_facts!(self, s => s.stored_fit(key).await)
    }
    async fn store_fit(&self, key: &str, fit: &StoredFit) -> Result<(), StoreError> {
        delegate_facts!(self, s => s.store_fit(key, fit).await)
    }
}

/// Parses the `id:flags[:deal],…` list the aggregate query builds.
pub(crate) fn parse_flagged(list: Option<&str>) -> Result<Vec<FactCall>, StoreError> {
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(|item| {
            let bad = || crate::errors::corrupt("call_facts list", item);
            let mut parts = item.split(':');
            let call_id = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            let flags = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            let deal_id = match parts.next() {
                Some(p) => Some(p.parse().map_err(|_| bad())?),
                None => None,
            };
            if parts.next().is_some() {
                return Err(bad());
            }
            Ok(FactCall {
                call_id,
                flags,
                deal_id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn facts_read_from_the_analysis_json() {
        let table = [
            (json!({}), Facts::default()),
            (
                json!({"asked_next_step": false, "asks": [{}], "next_step": null,
                       "volunteered": [{}, {}], "bail_outs": [{"signal": "doubt"}],
                       "negative_signals": [{}], "confrontations": []}),
                Facts {
                    asked: true,
                    volunteered: 2,
                    bail_outs: 1,
                    negative_signals: 1,
                    bail_out_signal: Some("doubt".into()),
                    ..Facts::default()
                },
            ),
            (
                json!({"asked_next_step": true, "asks": [],
                       "next_step": {"defined_by": "seller", "confirmed_by_prospect": true},
                       "confrontations": [{"why": "named no fit: \"x\""}]}),
                Facts {
                    asked: true,
                    asked_next_step: true,
                    step_by: Some(DefinedBy::Seller),
                    confirmed: true,
                    confronted: true,
                    no_fit: true,
                    ..Facts::default()
                },
            ),
            (
                json!({"confrontations": [{"act": "disqualify", "why": "classifier"},
                                          {"why": "named it"}]}),
                Facts {
                    confronted: true,
                    no_fit: true,
                    ..Facts::default()
                },
            ),
        ];
        for (analysis, want) in table {
            assert_eq!(Facts::of(&analysis), want, "{analysis}");
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(week_monday(d("2026-11-29")), d("2026-11-23")); // Sunday
        assert_eq!(week_monday(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(week_monday(d("2027-01-01")), d("2026-12-28"));
    }

    #[test]
    fn flagged_lists_parse_and_refuse_garbage() {
        assert_eq!(parse_flagged(None).unwrap(), vec![]);
        assert_eq!(
            parse_flagged(Some("3:1,10:256:7")).unwrap(),
            vec![
                FactCall {
                    call_id: 3,
                    flags: 1,
                    deal_id: None
                },
                FactCall {
                    call_id: 10,
                    flags: 256,
                    deal_id: Some(7)
                }
            ]
        );
        for bad in ["3;1", "3:x", "3:1:2:4", "3:1:"] {
            assert!(parse_flagged(Some(bad)).is_err(), "{bad}");
        }
    }
}
