//! The stage-weighted baseline: the win rate per stage among the team's closed deals.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::MIN_STAGE_DEALS;
use super::snapshot::{Context, StageHistory, closed_by, is_won};
use nextstep_core::dataset::Dataset;

/// One row of the baseline's table: how the team's closed deals that were in a stage ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRate {
    /// The stage.
    pub stage: String,
    /// Closed deals that were in it.
    pub closed: usize,
    /// Of which won.
    pub won: usize,
    /// won / closed.
    pub win_rate: f64,
    /// Whether the rate is used ([`MIN_STAGE_DEALS`] deals or more); else the overall rate is.
    pub used: bool,
}

/// The stage-weighted forecast: historic win rate per stage from the team's own closed
/// deals — what most CRMs show, and what the model has to beat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageBaseline {
    /// Closed deals it counted.
    pub n_deals: usize,
    /// Of which won.
    pub n_won: usize,
    /// The fallback: won / closed over all of them.
    pub overall_win_rate: f64,
    /// Per stage, by name.
    pub stages: Vec<StageRate>,
}

impl StageBaseline {
    /// The table from deals closed by the end of `as_of`; `None` when no deal has closed.
    pub fn fit(data: &Dataset, history: &StageHistory, as_of: NaiveDate) -> Option<StageBaseline> {
        StageBaseline::fit_ctx(data, &Context::new(data, history), as_of)
    }

    pub(crate) fn fit_ctx(
        data: &Dataset,
        ctx: &Context<'_>,
        as_of: NaiveDate,
    ) -> Option<StageBaseline> {
        let train = closed_by(data, as_of);
        if train.is_empty() {
            return None;
        }
        let n_won = train.iter().filter(|d| is_won(d)).count();
        let mut table: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for deal in &train {
            for stage in ctx.stages_passed(deal) {
                let e = table.entry(stage).or_default();
                e.0 += 1;
                e.1 += usize::from(is_won(deal));
            }
        }
        Some(StageBaseline {
            n_deals: train.len(),
            n_won,
            overall_win_rate: n_won as f64 / train.len() as f64,
            stages: table
                .into_iter()
                .map(|(stage, (closed, won))| StageRate {
                    stage,
                    closed,
                    won,
                    win_rate: won as f64 / closed as f64,
                    used: closed >= MIN_STAGE_DEALS,
                })
                .collect(),
        })
    }

    /// The probability for a deal whose stage (as of the date) is `stage`, and what it rests
    /// on, in words.
    pub fn rate_for(&self, stage: Option<&str>) -> (f64, String) {
        let row = stage.and_then(|s| self.stages.iter().find(|r| r.stage == s));
        match (stage, row) {
            (Some(s), Some(r)) if r.used => (
                r.win_rate,
                format!("stage {s}: {} of {} closed deals won", r.won, r.closed),
            ),
            (Some(s), Some(r)) => (
                self.overall_win_rate,
                format!(
                    "overall win rate ({} of {}): stage {s} has only {} closed deals",
                    self.n_won, self.n_deals, r.closed
                ),
            ),
            (Some(s), None) => (
                self.overall_win_rate,
                format!(
                    "overall win rate ({} of {}): no closed deal recorded in stage {s}",
                    self.n_won, self.n_deals
                ),
            ),
            (None, _) => (
                self.overall_win_rate,
                format!(
                    "overall win rate ({} of {}): stage unknown at the date",
                    self.n_won, self.n_deals
                ),
            ),
        }
    }
}
