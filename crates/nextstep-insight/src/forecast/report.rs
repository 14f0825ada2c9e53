//! Forecast categories, and the report: each open deal scored by the model and the
//! baseline, with totals per category.

use chrono::NaiveDate;
use nextstep_core::{Cents, Deal, DefinedBy};
use serde::{Deserialize, Serialize};

use super::baseline::StageBaseline;
use super::model::Coefficient;
use super::model::ForecastModel;
use super::snapshot::{Context, DealSnapshot, StageHistory};
use super::stored::Fit;
use super::{ALPHA, BEST_CASE_MIN, COMMIT_MIN, OMIT_BELOW, STALE_DAYS};
use crate::period::Quarter;
use nextstep_core::dataset::Dataset;
use nextstep_core::facts::OpenForecastInputs;

// ---------------------------------------------------------------------------------------
// Categories

/// Forecast categories, as sales managers call them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Likely, and the prospect stands behind the next step.
    Commit,
    /// Could close.
    BestCase,
    /// Open, not likely this time.
    Pipeline,
    /// Left out: unlikely, or nothing is happening on it.
    Omitted,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 4] = [
        Category::Commit,
        Category::BestCase,
        Category::Pipeline,
        Category::Omitted,
    ];

    /// The JSON and table name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Commit => "commit",
            Category::BestCase => "best_case",
            Category::Pipeline => "pipeline",
            Category::Omitted => "omitted",
        }
    }

    /// The rule, in words, as reports print it.
    pub fn rule(self) -> String {
        match self {
            Category::Commit => format!(
                "p >= {COMMIT_MIN:.2} and the open next step was defined or confirmed by the prospect and is not overdue"
            ),
            Category::BestCase => format!("p >= {BEST_CASE_MIN:.2} (and not commit)"),
            Category::Pipeline => "any other open deal".to_string(),
            Category::Omitted => format!(
                "p < {OMIT_BELOW:.2}, or no open next step and no call in the last {STALE_DAYS} days (this part only when the data records calls or steps); checked first"
            ),
        }
    }
}

/// The category of a deal with win probability `p` and evidence `snap` (module doc rules).
/// `activity_tracked` says whether the data records calls or steps at all.
pub fn categorize(p: f64, snap: &DealSnapshot, activity_tracked: bool) -> Category {
    let recent_call = snap.days_since_last_call.is_some_and(|d| d <= STALE_DAYS);
    let open = snap.open_step();
    if p < OMIT_BELOW || (activity_tracked && open.is_none() && !recent_call) {
        return Category::Omitted;
    }
    let backed =
        open.is_some_and(|s| (s.defined_by == DefinedBy::Prospect || s.confirmed) && !s.overdue);
    if p >= COMMIT_MIN && backed {
        Category::Commit
    } else if p >= BEST_CASE_MIN {
        Category::BestCase
    } else {
        Category::Pipeline
    }
}

// ---------------------------------------------------------------------------------------
// The report

/// A probability with what it means in money and category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Win probability.
    pub probability: f64,
    /// amount × probability, in cents (none without an amount).
    pub expected_value_cents: Option<Cents>,
    /// The category the rules give.
    pub category: Category,
}

/// One open deal in the forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastDeal {
    /// The deal.
    pub deal_id: i64,
    /// Its name.
    pub name: String,
    /// Owner.
    pub owner: Option<String>,
    /// Stage as stored.
    pub stage: String,
    /// Amount in cents.
    pub amount_cents: Option<Cents>,
    /// Expected close.
    pub expected_close: Option<NaiveDate>,
    /// True when the deal has no expected close (it is included in any period, and said so).
    pub no_expected_close: bool,
    /// The model's estimate (none when the model refused).
    pub model: Option<Estimate>,
    /// The stage-weighted estimate (none when no deal has closed).
    pub baseline: Option<Estimate>,
    /// What the baseline rate rests on.
    pub baseline_basis: Option<String>,
    /// The evidence: features as of the date, with call and step ids.
    pub evidence: DealSnapshot,
}

/// Count, amount and expected value of a set of deals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Total {
    /// Deals.
    pub deals: usize,
    /// Sum of their amounts, cents (deals without an amount add nothing).
    pub amount_cents: Cents,
    /// Sum of amount × probability, cents.
    pub expected_value_cents: Cents,
    /// The deals.
    pub deal_ids: Vec<i64>,
}

/// One line of the totals table: a category (or `overall`), model beside baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalRow {
    /// `commit`, `best_case`, `pipeline`, `omitted` or `overall`.
    pub category: String,
    /// The rule for the category (empty for `overall`).
    pub rule: String,
    /// By the model's categories and probabilities (none when it refused).
    pub model: Option<Total>,
    /// By the baseline's.
    pub baseline: Option<Total>,
}

/// What the model was fitted on, or why it was not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// Fitted or not.
    pub available: bool,
    /// Why not (the polite refusal), when not.
    pub refused: Option<String>,
    /// Closed deals learnt from.
    pub n_deals: usize,
    /// Of which won.
    pub n_won: usize,
    /// Training rows (weekly snapshots).
    pub n_rows: usize,
    /// L2 weight given to linfa.
    pub alpha: f64,
    /// Log-odds intercept.
    pub intercept: f64,
    /// Weights per feature.
    pub coefficients: Vec<Coefficient>,
    /// The date whose closed deals the model learnt from (none when it refused).
    pub fitted_on: Option<NaiveDate>,
    /// When the model in use was fitted, if it was fitted earlier and stored (the
    /// server fits off the request path); none when it was fitted for this report.
    pub fitted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The store's data version the stored model was fitted on (with `fitted_at`).
    pub data_version: Option<i64>,
}

/// The forecast: every open deal with model and baseline side by side, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastReport {
    /// The date it describes.
    pub as_of: NaiveDate,
    /// The quarter asked for.
    pub period: Option<Quarter>,
    /// The model, or why not.
    pub model: ModelInfo,
    /// The baseline's table, when any deal has closed.
    pub baseline: Option<StageBaseline>,
    /// Which probability decides the headline category: `model` or `baseline`.
    pub category_source: String,
    /// Per category and overall.
    pub totals: Vec<TotalRow>,
    /// Every deal in the forecast, most expected value first.
    pub deals: Vec<ForecastDeal>,
    /// Their ids, in the same order.
    pub deal_ids: Vec<i64>,
    /// Deals included without an expected close.
    pub without_expected_close: Vec<i64>,
    /// Caveats in words (refusals, missing data).
    pub notes: Vec<String>,
}

fn expected_value(amount: Option<Cents>, p: f64) -> Option<Cents> {
    amount.map(|a| (a as f64 * p).round() as Cents)
}

/// The forecast as of `as_of`, without stage history.
pub fn forecast(data: &Dataset, period: Option<Quarter>, as_of: NaiveDate) -> ForecastReport {
    forecast_with_history(data, &StageHistory::default(), period, as_of)
}

/// The forecast as of `as_of`: the deals open at the end of that day (expected to close in
/// `period` when one is given; deals without an expected close are included and listed),
/// each with the model's and the baseline's probability, expected value and category.
pub fn forecast_with_history(
    data: &Dataset,
    history: &StageHistory,
    period: Option<Quarter>,
    as_of: NaiveDate,
) -> ForecastReport {
    let ctx = Context::new(data, history);
    let fit = match ForecastModel::fit_ctx(data, &ctx, as_of) {
        Ok(m) => Fit::Fitted(m),
        Err(e) => Fit::Refused(e.to_string()),
    };
    with_baseline(data, &ctx, history, fit, period, as_of)
}

/// [`report`] with the stage baseline fitted on the same data.
fn with_baseline(
    data: &Dataset,
    ctx: &Context<'_>,
    history: &StageHistory,
    fit: Fit,
    period: Option<Quarter>,
    as_of: NaiveDate,
) -> ForecastReport {
    let baseline = StageBaseline::fit_ctx(data, ctx, as_of);
    report(data, ctx, !history.is_empty(), fit, baseline, period, as_of)
}

/// Fits the model on the deals closed by the end of `as_of` (or says why it will not):
/// what the server does off the request path and stores.
pub fn fit(data: &Dataset, history: &StageHistory, as_of: NaiveDate) -> Fit {
    match ForecastModel::fit_with_history(data, history, as_of) {
        Ok(m) => Fit::Fitted(m),
        Err(e) => Fit::Refused(e.to_string()),
    }
}

/// The forecast as of `as_of` with a model fitted earlier ([`fit`], stored): the open
/// deals scored by it, beside the baseline. Equal to [`forecast_with_history`] when `fit`
/// was fitted on the same data and date.
pub fn forecast_with_fit(
    data: &Dataset,
    history: &StageHistory,
    fit: Fit,
    period: Option<Quarter>,
    as_of: NaiveDate,
) -> ForecastReport {
    let ctx = Context::new(data, history);
    with_baseline(data, &ctx, history, fit, period, as_of)
}

/// The forecast as of `as_of` from the open pipeline alone
/// (`FactStore::open_forecast_inputs`), with the model and the stage baseline fitted
/// earlier on the same data and stored ([`fit`], [`StageBaseline::fit`]): equal to
/// [`forecast_with_fit`] over every deal, at a cost that follows the open deals.
pub fn forecast_open(
    inputs: OpenForecastInputs,
    fit: Fit,
    baseline: Option<StageBaseline>,
    period: Option<Quarter>,
    as_of: NaiveDate,
) -> ForecastReport {
    forecast_open_keeping(inputs, fit, baseline, period, as_of).0
}

/// [`forecast_open`], handing the inputs back: a cache that keeps them to merge the next
/// write's changes into ([`OpenForecastInputs::merge`]) scores without a copy.
pub fn forecast_open_keeping(
    inputs: OpenForecastInputs,
    fit: Fit,
    baseline: Option<StageBaseline>,
    period: Option<Quarter>,
    as_of: NaiveDate,
) -> (ForecastReport, OpenForecastInputs) {
    let OpenForecastInputs {
        deals,
        facts,
        steps,
        history: changes,
        closed_stages,
        activity_recorded,
        history_recorded,
    } = inputs;
    let data = Dataset {
        deals,
        calls: Vec::new(),
        steps,
        reps: Vec::new(),
        facts,
    };
    let history: StageHistory = changes.iter().cloned().collect();
    let report = {
        let mut ctx = Context::new(&data, &history);
        // What the open deals alone cannot say: which stages only closed deals end in,
        // and whether anything in scope records activity.
        ctx.set_closed_stages(closed_stages.iter().map(String::as_str), &data, &history);
        ctx.activity_tracked = activity_recorded;
        report(&data, &ctx, history_recorded, fit, baseline, period, as_of)
    };
    let Dataset {
        deals,
        steps,
        facts,
        ..
    } = data;
    let inputs = OpenForecastInputs {
        deals,
        facts,
        steps,
        history: changes,
        closed_stages,
        activity_recorded,
        history_recorded,
    };
    (report, inputs)
}

fn report(
    data: &Dataset,
    ctx: &Context<'_>,
    history_recorded: bool,
    fit: Fit,
    baseline: Option<StageBaseline>,
    period: Option<Quarter>,
    as_of: NaiveDate,
) -> ForecastReport {
    let mut notes = Vec::new();
    let model = match fit {
        Fit::Fitted(m) => Some(m),
        Fit::Refused(why) => {
            notes.push(why);
            None
        }
    };
    if baseline.is_none() {
        notes.push("no closed deal yet: no stage-weighted baseline either".to_string());
    }
    if !ctx.activity_tracked {
        notes.push(
            "the data has no calls or next steps: the next-step features are empty and the no-activity rule of `omitted` is not applied"
                .to_string(),
        );
    }
    if !history_recorded {
        notes.push(
            "no stage history: closed deals count for the stage they are stored with (terminal stages such as Won/Lost count only for the overall rate)"
                .to_string(),
        );
    }

    let open_then = |d: &&Deal| {
        let open = match (d.outcome, d.closed) {
            (None, _) => true,
            (Some(_), Some(c)) => c > as_of,
            (Some(_), None) => false,
        };
        open && d.created.is_none_or(|c| c <= as_of)
    };
    let in_period = |d: &&Deal| match (period, d.expected_close) {
        (None, _) | (_, None) => true,
        (Some(q), Some(e)) => q.contains(e),
    };

    // Counted first so the list is allocated once at its size: at 70,000 open deals the
    // doubling growth of a collect left a third of a large allocation unused.
    let forecast: Vec<&Deal> = data
        .deals
        .iter()
        .filter(open_then)
        .filter(in_period)
        .collect();
    let mut deals: Vec<ForecastDeal> = Vec::with_capacity(forecast.len());
    deals.extend(forecast.into_iter().map(|deal| {
        let snap = ctx.snapshot(deal, as_of);
        let estimate = |p: f64| Estimate {
            probability: p,
            expected_value_cents: expected_value(deal.amount, p),
            category: categorize(p, &snap, ctx.activity_tracked),
        };
        let m = model.as_ref().map(|m| estimate(m.predict_snapshot(&snap)));
        let (b, basis) = match &baseline {
            Some(b) => {
                let (p, why) = b.rate_for(snap.stage.as_deref());
                (Some(estimate(p)), Some(why))
            }
            None => (None, None),
        };
        ForecastDeal {
            deal_id: deal.id,
            name: deal.name.clone(),
            owner: deal.owner.clone(),
            stage: deal.stage.clone(),
            amount_cents: deal.amount,
            expected_close: deal.expected_close,
            no_expected_close: deal.expected_close.is_none(),
            model: m,
            baseline: b,
            baseline_basis: basis,
            evidence: snap,
        }
    }));
    let headline = |d: &ForecastDeal| {
        d.model
            .as_ref()
            .or(d.baseline.as_ref())
            .and_then(|e| e.expected_value_cents)
            .unwrap_or(0)
    };
    deals.sort_by(|a, b| {
        headline(b)
            .cmp(&headline(a))
            .then(a.deal_id.cmp(&b.deal_id))
    });

    let total = |pick: fn(&ForecastDeal) -> Option<&Estimate>, cat: Option<Category>| {
        let mut t = Total::default();
        for d in &deals {
            let Some(e) = pick(d) else { continue };
            if cat.is_some_and(|c| c != e.category) {
                continue;
            }
            t.deals += 1;
            t.amount_cents += d.amount_cents.unwrap_or(0);
            t.expected_value_cents += e.expected_value_cents.unwrap_or(0);
            t.deal_ids.push(d.deal_id);
        }
        t
    };
    fn pick_model(d: &ForecastDeal) -> Option<&Estimate> {
        d.model.as_ref()
    }
    fn pick_base(d: &ForecastDeal) -> Option<&Estimate> {
        d.baseline.as_ref()
    }
    let mut totals: Vec<TotalRow> = Category::ALL
        .iter()
        .map(|c| TotalRow {
            category: c.as_str().to_string(),
            rule: c.rule(),
            model: model.as_ref().map(|_| total(pick_model, Some(*c))),
            baseline: baseline.as_ref().map(|_| total(pick_base, Some(*c))),
        })
        .collect();
    totals.push(TotalRow {
        category: "overall".to_string(),
        rule: String::new(),
        model: model.as_ref().map(|_| total(pick_model, None)),
        baseline: baseline.as_ref().map(|_| total(pick_base, None)),
    });

    let without: Vec<i64> = deals
        .iter()
        .filter(|d| d.no_expected_close)
        .map(|d| d.deal_id)
        .collect();
    if !without.is_empty() {
        notes.push(format!(
            "{} deal(s) have no expected close date and are included{}",
            without.len(),
            if period.is_some() {
                " in the period regardless"
            } else {
                ""
            }
        ));
    }
    let info = match &model {
        Some(m) => ModelInfo {
            available: true,
            refused: None,
            n_deals: m.n_deals(),
            n_won: m.n_won(),
            n_rows: m.n_rows(),
            alpha: m.alpha(),
            intercept: m.intercept(),
            coefficients: m.coefficients(),
            fitted_on: Some(m.as_of()),
            fitted_at: None,
            data_version: None,
        },
        None => ModelInfo {
            available: false,
            refused: notes.first().cloned(),
            n_deals: 0,
            n_won: 0,
            n_rows: 0,
            alpha: ALPHA,
            intercept: 0.0,
            coefficients: Vec::new(),
            fitted_on: None,
            fitted_at: None,
            data_version: None,
        },
    };
    ForecastReport {
        as_of,
        period,
        category_source: if model.is_some() { "model" } else { "baseline" }.to_string(),
        model: info,
        baseline,
        totals,
        deal_ids: deals.iter().map(|d| d.deal_id).collect(),
        without_expected_close: without,
        deals,
        notes,
    }
}
