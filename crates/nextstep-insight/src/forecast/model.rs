//! The model: L2-regularised logistic regression on weekly as-of snapshots of closed
//! deals (features, training rows and regularisation in the [module doc](super)).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use nextstep_core::{Deal, DefinedBy};
use serde::Serialize;

use super::snapshot::{Context, DealSnapshot, StageHistory, closed_by, is_won, snapshot};
use super::{
    ALPHA, ForecastError, GRADIENT_TOLERANCE, MAX_ITERATIONS, MAX_TRAINING_ROWS, MIN_CLOSED_DEALS,
    MIN_PER_OUTCOME, RARE_OWNER_DEALS, SNAPSHOT_EVERY_DAYS,
};
use nextstep_core::dataset::Dataset;

const NUMERIC: [&str; 5] = [
    "age_days",
    "days_since_last_call",
    "log_amount",
    "bail_outs",
    "asked_rate",
];
const BINARY: [&str; 5] = [
    "no_call",
    "step_prospect_defined",
    "step_seller_defined",
    "step_confirmed",
    "step_overdue",
];
const OTHER_OWNER: &str = "(other)";

fn numeric_values(s: &DealSnapshot) -> [Option<f64>; 5] {
    [
        s.age_days.map(|d| d as f64),
        s.days_since_last_call.map(|d| d as f64),
        s.amount_cents.map(|c| (c as f64 / 100.0).max(0.01).ln()),
        Some(s.bail_outs as f64),
        s.asked_rate(),
    ]
}

fn binary_values(s: &DealSnapshot) -> [f64; 5] {
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    let step = s.step.as_ref();
    [
        b(s.call_ids.is_empty()),
        b(step.is_some_and(|t| t.defined_by == DefinedBy::Prospect)),
        b(step.is_some_and(|t| t.defined_by == DefinedBy::Seller)),
        b(step.is_some_and(|t| t.confirmed)),
        b(step.is_some_and(|t| t.overdue)),
    ]
}

/// One feature's weight in the fitted model (on the standardised scale for numeric ones),
/// so a manager can see what drives the forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// Feature name (module doc table).
    pub feature: String,
    /// Log-odds change per unit (per standard deviation for numeric features).
    pub weight: f64,
}

/// The fitted win-probability model: feature layout, standardisation and weights. Built
/// by [`ForecastModel::fit`] from the team's own closed deals.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastModel {
    as_of: NaiveDate,
    stages: Vec<String>,
    owners: Vec<String>,
    mean: [f64; 5],
    std: [f64; 5],
    /// Training means of the 0/1 columns (indicators and one-hots), subtracted so that
    /// the intercept is the average log-odds and L2 shrinks towards the average deal.
    center: Vec<f64>,
    weights: Vec<f64>,
    intercept: f64,
    n_deals: usize,
    n_won: usize,
    n_rows: usize,
    alpha: f64,
}

impl ForecastModel {
    /// Fits on the deals closed by the end of `as_of`, without stage history.
    pub fn fit(data: &Dataset, as_of: NaiveDate) -> Result<ForecastModel, ForecastError> {
        ForecastModel::fit_with_history(data, &StageHistory::default(), as_of)
    }

    /// Fits on the deals closed by the end of `as_of`, reading stages from `history`.
    pub fn fit_with_history(
        data: &Dataset,
        history: &StageHistory,
        as_of: NaiveDate,
    ) -> Result<ForecastModel, ForecastError> {
        ForecastModel::fit_ctx(data, &Context::new(data, history), as_of)
    }

    pub(crate) fn fit_ctx(
        data: &Dataset,
        ctx: &Context<'_>,
        as_of: NaiveDate,
    ) -> Result<ForecastModel, ForecastError> {
        let train = closed_by(data, as_of);
        let n_won = train.iter().filter(|d| is_won(d)).count();
        let not_won = train.len() - n_won;
        if train.len() < MIN_CLOSED_DEALS {
            return Err(ForecastError::TooFewClosedDeals {
                have: train.len(),
                need: MIN_CLOSED_DEALS,
            });
        }
        if n_won < MIN_PER_OUTCOME || not_won < MIN_PER_OUTCOME {
            return Err(ForecastError::TooFewOfAnOutcome {
                won: n_won,
                not_won,
                need_each: MIN_PER_OUTCOME,
            });
        }

        // Snapshot dates: weekly from creation to the day before closing.
        let total_days: i64 = train
            .iter()
            .map(|d| match (d.created, d.closed) {
                (Some(s), Some(c)) => (c - s).num_days().max(1),
                _ => 1,
            })
            .sum();
        let every =
            SNAPSHOT_EVERY_DAYS.max((total_days as f64 / MAX_TRAINING_ROWS as f64).ceil() as i64);
        let mut snaps: Vec<(DealSnapshot, bool)> = Vec::new();
        for deal in &train {
            let closed = deal.closed.expect("training deals are dated");
            let last = closed - Duration::days(1);
            match deal.created.filter(|s| *s <= last) {
                Some(mut day) => {
                    while day <= last {
                        snaps.push((ctx.snapshot(deal, day), is_won(deal)));
                        day += Duration::days(every);
                    }
                }
                None => snaps.push((ctx.snapshot(deal, last), is_won(deal))),
            }
        }

        // Layout: stages seen, owners with enough deals.
        let stages: Vec<String> = snaps
            .iter()
            .filter_map(|(s, _)| s.stage.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut owner_deals: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &train {
            if let Some(o) = d.owner.as_deref() {
                *owner_deals.entry(o).or_default() += 1;
            }
        }
        let owners: Vec<String> = owner_deals
            .iter()
            .filter(|(_, n)| **n >= RARE_OWNER_DEALS)
            .map(|(o, _)| o.to_string())
            .collect();

        // Standardisation from the training rows.
        let mut mean = [0.0; 5];
        let mut std = [1.0; 5];
        for j in 0..NUMERIC.len() {
            let vals: Vec<f64> = snaps
                .iter()
                .filter_map(|(s, _)| numeric_values(s)[j])
                .collect();
            if vals.is_empty() {
                continue;
            }
            let m = vals.iter().sum::<f64>() / vals.len() as f64;
            let var = vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / vals.len() as f64;
            mean[j] = m;
            std[j] = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
        }

        let n_rows = snaps.len();
        let alpha = ALPHA * n_rows as f64 / train.len() as f64;
        let mut model = ForecastModel {
            as_of,
            stages,
            owners,
            mean,
            std,
            center: Vec::new(),
            weights: Vec::new(),
            intercept: 0.0,
            n_deals: train.len(),
            n_won,
            n_rows,
            alpha,
        };
        let width = model.feature_names().len();
        let mut x = Array2::<f64>::zeros((n_rows, width));
        for (i, (s, _)) in snaps.iter().enumerate() {
            for (j, v) in model.encode(s).into_iter().enumerate() {
                x[[i, j]] = v;
            }
        }
        // Centre the 0/1 columns (the numeric ones are standardised already).
        model.center = (NUMERIC.len()..width)
            .map(|j| x.column(j).sum() / n_rows as f64)
            .collect();
        for (k, c) in model.center.iter().enumerate() {
            x.column_mut(NUMERIC.len() + k).mapv_inplace(|v| v - c);
        }
        let y: Array1<bool> = snaps.iter().map(|(_, won)| *won).collect();
        let fitted = LogisticRegression::default()
            .alpha(alpha)
            .max_iterations(MAX_ITERATIONS)
            .gradient_tolerance(GRADIENT_TOLERANCE * n_rows as f64)
            .fit(&DatasetBase::new(x, y))
            .map_err(|e| ForecastError::Fit(e.to_string()))?;
        // linfa's "positive" class is the more frequent label: turn the weights round so
        // that they always give P(won).
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        model.weights = fitted.params().iter().map(|w| sign * w).collect();
        model.intercept = sign * fitted.intercept();
        if model.weights.iter().any(|w| !w.is_finite()) || !model.intercept.is_finite() {
            return Err(ForecastError::Fit(
                "the optimiser returned non-finite weights".into(),
            ));
        }
        Ok(model)
    }

    /// The feature vector of a snapshot: numeric features standardised, 0/1 ones centred
    /// (once the centres are known).
    fn encode(&self, s: &DealSnapshot) -> Vec<f64> {
        let mut v = Vec::with_capacity(10 + self.stages.len() + self.owners.len() + 1);
        for (j, x) in numeric_values(s).into_iter().enumerate() {
            v.push(x.map_or(0.0, |x| (x - self.mean[j]) / self.std[j]));
        }
        v.extend(binary_values(s));
        for st in &self.stages {
            v.push(if s.stage.as_deref() == Some(st.as_str()) {
                1.0
            } else {
                0.0
            });
        }
        let known_owner = s
            .owner
            .as_deref()
            .and_then(|o| self.owners.iter().position(|x| x == o));
        for i in 0..self.owners.len() {
            v.push(if known_owner == Some(i) { 1.0 } else { 0.0 });
        }
        v.push(if known_owner.is_none() { 1.0 } else { 0.0 });
        for (x, c) in v[NUMERIC.len()..].iter_mut().zip(&self.center) {
            *x -= c;
        }
        v
    }

    /// Column names, in the order of [`ForecastModel::coefficients`].
    pub fn feature_names(&self) -> Vec<String> {
        let mut names: Vec<String> = NUMERIC
            .iter()
            .chain(BINARY.iter())
            .map(|s| s.to_string())
            .collect();
        names.extend(self.stages.iter().map(|s| format!("stage={s}")));
        names.extend(self.owners.iter().map(|o| format!("owner={o}")));
        names.push(format!("owner={OTHER_OWNER}"));
        names
    }

    /// Each feature's weight, so reports can say what moves the forecast.
    pub fn coefficients(&self) -> Vec<Coefficient> {
        self.feature_names()
            .into_iter()
            .zip(&self.weights)
            .map(|(feature, weight)| Coefficient {
                feature,
                weight: *weight,
            })
            .collect()
    }

    /// The log-odds of winning when every feature is at its reference value.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The date whose closed deals it was fitted on.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Closed deals it learnt from.
    pub fn n_deals(&self) -> usize {
        self.n_deals
    }

    /// Of which won.
    pub fn n_won(&self) -> usize {
        self.n_won
    }

    /// Training rows (weekly snapshots of those deals).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The L2 weight linfa was given (ALPHA × snapshots per deal).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Every field, for the stored form (`stored.rs`).
    #[allow(clippy::type_complexity)]
    pub(crate) fn parts(
        &self,
    ) -> (
        NaiveDate,
        &[String],
        &[String],
        [f64; 5],
        [f64; 5],
        &[f64],
        &[f64],
        f64,
        (usize, usize, usize),
        f64,
    ) {
        (
            self.as_of,
            &self.stages,
            &self.owners,
            self.mean,
            self.std,
            &self.center,
            &self.weights,
            self.intercept,
            (self.n_deals, self.n_won, self.n_rows),
            self.alpha,
        )
    }

    /// A model from the fields [`ForecastModel::parts`] gave.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        as_of: NaiveDate,
        stages: Vec<String>,
        owners: Vec<String>,
        mean: [f64; 5],
        std: [f64; 5],
        center: Vec<f64>,
        weights: Vec<f64>,
        intercept: f64,
        (n_deals, n_won, n_rows): (usize, usize, usize),
        alpha: f64,
    ) -> ForecastModel {
        ForecastModel {
            as_of,
            stages,
            owners,
            mean,
            std,
            center,
            weights,
            intercept,
            n_deals,
            n_won,
            n_rows,
            alpha,
        }
    }

    /// Probability of a snapshot ending in a win.
    pub fn predict_snapshot(&self, s: &DealSnapshot) -> f64 {
        let z: f64 = self.intercept
            + self
                .encode(s)
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The probability that `deal` is won, from what was known at the end of `as_of`.
    pub fn predict(&self, deal: &Deal, data: &Dataset, as_of: NaiveDate) -> f64 {
        self.predict_with_history(deal, data, &StageHistory::default(), as_of)
    }

    /// [`ForecastModel::predict`] reading stages from `history`.
    pub fn predict_with_history(
        &self,
        deal: &Deal,
        data: &Dataset,
        history: &StageHistory,
        as_of: NaiveDate,
    ) -> f64 {
        self.predict_snapshot(&snapshot(deal, data, history, as_of))
    }
}
