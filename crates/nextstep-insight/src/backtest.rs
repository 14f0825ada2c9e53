//! The forecast backtest: would the model have beaten the stage-weighted baseline on deals
//! that had not closed yet?
//!
//! Given a cutoff date, both forecasts are fitted on what was known at the end of the day
//! before it (deals closed before the cutoff, calls and steps dated before it) and score
//! every dated deal that closed on or after it, from its features **as of that same day**
//! — never as of its close, which would peek at the outcome. A test deal created after the
//! cutoff is scored as it stood just before it was created (age 0, no calls yet): the
//! earliest forecast anyone could have made of it.
//!
//! Metrics, for model and baseline alike:
//!
//! - **Brier score**: mean of (p − y)², 0 is perfect, 0.25 is a coin flip.
//! - **Log loss**: mean of −[y·ln p + (1 − y)·ln(1 − p)], the probability given to what
//!   happened clipped below at [`LOG_LOSS_EPS`], so a certain miss costs ≈ 34.5, not ∞.
//! - **ROC AUC**: the chance a random won deal scores above a random lost one, ties
//!   counting one half (Mann–Whitney with average ranks); `None` when the test set has
//!   only one outcome.
//! - **Calibration**: [`CALIBRATION_BINS`] equal-width bins of predicted probability
//!   (`[0, 0.1)`, …, `[0.9, 1.0]`) with the mean prediction, the observed win rate and the
//!   count in each; [`reliability_svg`] draws them.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::forecast::{Context, ForecastError, ForecastModel, StageBaseline, StageHistory};
use nextstep_core::Outcome;
use nextstep_core::dataset::Dataset;

/// Log-loss clipping (scikit-learn's value): keeps one certain miss finite.
pub const LOG_LOSS_EPS: f64 = 1e-15;
/// Calibration bins: ten, the convention for reliability diagrams.
pub const CALIBRATION_BINS: usize = 10;

/// One bin of the calibration table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Lower edge of predicted probability (included).
    pub lower: f64,
    /// Upper edge (excluded, except 1.0 in the last bin).
    pub upper: f64,
    /// Mean prediction of the deals in the bin (none when empty).
    pub mean_predicted: Option<f64>,
    /// Share of them won (none when empty).
    pub observed_rate: Option<f64>,
    /// Deals in the bin.
    pub count: usize,
}

/// The scores of one forecast on the test deals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Brier score (lower is better).
    pub brier: f64,
    /// Clipped log loss (lower is better).
    pub log_loss: f64,
    /// ROC AUC (higher is better; 0.5 is chance); none with a one-outcome test set.
    pub auc: Option<f64>,
    /// The reliability table.
    pub calibration: Vec<CalibrationBin>,
}

impl Metrics {
    /// All the metrics of predictions `p` against outcomes `won` (same length).
    pub fn compute(p: &[f64], won: &[bool]) -> Metrics {
        Metrics {
            brier: brier_score(p, won),
            log_loss: log_loss(p, won),
            auc: roc_auc(p, won),
            calibration: calibration(p, won),
        }
    }
}

/// One test deal's outcome and both predictions, so each metric can be traced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestPrediction {
    /// The deal.
    pub deal_id: i64,
    /// The date its features were computed as of.
    pub as_of: NaiveDate,
    /// Whether it was won.
    pub won: bool,
    /// The model's probability.
    pub model: f64,
    /// The baseline's probability.
    pub baseline: f64,
}

/// The backtest, serialised as
/// `{"model": {"brier", "log_loss", "auc", "calibration"}, "baseline": {…}, "n_train", "n_test", …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// The model's scores.
    pub model: Metrics,
    /// The stage-weighted baseline's scores.
    pub baseline: Metrics,
    /// Dated deals closed before the cutoff (training).
    pub n_train: usize,
    /// Dated deals closed on or after it (scored).
    pub n_test: usize,
    /// The cutoff.
    pub cutoff: NaiveDate,
    /// Every test deal with both predictions.
    pub predictions: Vec<TestPrediction>,
}

/// Mean squared difference between probability and outcome; NaN for no predictions.
pub fn brier_score(p: &[f64], won: &[bool]) -> f64 {
    mean(
        p.iter()
            .zip(won)
            .map(|(p, y)| (p - f64::from(u8::from(*y))).powi(2)),
    )
}

/// Mean negative log-likelihood, the probability given to what happened clipped below at
/// [`LOG_LOSS_EPS`]; NaN for no predictions.
pub fn log_loss(p: &[f64], won: &[bool]) -> f64 {
    mean(p.iter().zip(won).map(|(p, y)| {
        let q = if *y { *p } else { 1.0 - p };
        -q.clamp(LOG_LOSS_EPS, 1.0).ln()
    }))
}

fn mean(it: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = it.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

/// Area under the ROC curve by the rank-sum formula, tied scores sharing their average
/// rank (a tie between a win and a loss counts ½); `None` without both outcomes.
pub fn roc_auc(p: &[f64], won: &[bool]) -> Option<f64> {
    let n_pos = won.iter().filter(|w| **w).count();
    let n_neg = won.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|a, b| p[*a].total_cmp(&p[*b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && p[idx[j + 1]] == p[idx[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their average.
        let avg = (i + j + 2) as f64 / 2.0;
        rank_sum_pos += avg * idx[i..=j].iter().filter(|k| won[**k]).count() as f64;
        i = j + 1;
    }
    let (np, nn) = (n_pos as f64, n_neg as f64);
    Some((rank_sum_pos - np * (np + 1.0) / 2.0) / (np * nn))
}

/// The [`CALIBRATION_BINS`]-bin reliability table (empty bins included, with no means).
pub fn calibration(p: &[f64], won: &[bool]) -> Vec<CalibrationBin> {
    let k = CALIBRATION_BINS;
    let mut sums = vec![(0.0, 0usize, 0usize); k];
    for (p, y) in p.iter().zip(won) {
        let b = ((p * k as f64).floor().max(0.0) as usize).min(k - 1);
        sums[b].0 += p;
        sums[b].1 += usize::from(*y);
        sums[b].2 += 1;
    }
    sums.into_iter()
        .enumerate()
        .map(|(i, (sp, w, n))| CalibrationBin {
            lower: i as f64 / k as f64,
            upper: (i + 1) as f64 / k as f64,
            mean_predicted: (n > 0).then(|| sp / n as f64),
            observed_rate: (n > 0).then(|| w as f64 / n as f64),
            count: n,
        })
        .collect()
}

/// Backtest at `cutoff` without stage history (module doc).
pub fn backtest(data: &Dataset, cutoff: NaiveDate) -> Result<BacktestReport, ForecastError> {
    backtest_with_history(data, &StageHistory::default(), cutoff)
}

/// Backtest at `cutoff`, reading stages from `history` (module doc).
pub fn backtest_with_history(
    data: &Dataset,
    history: &StageHistory,
    cutoff: NaiveDate,
) -> Result<BacktestReport, ForecastError> {
    let eve = cutoff - Duration::days(1);
    let ctx = Context::new(data, history);
    let mut test: Vec<_> = data
        .deals
        .iter()
        .filter(|d| d.outcome.is_some() && d.closed.is_some_and(|c| c >= cutoff))
        .collect();
    if test.is_empty() {
        return Err(ForecastError::NoDealsAfterCutoff { cutoff });
    }
    test.sort_by_key(|d| (d.closed, d.id));
    let model = ForecastModel::fit_ctx(data, &ctx, eve)?;
    let baseline = StageBaseline::fit_ctx(data, &ctx, eve)
        .expect("the model's fit succeeded, so deals closed before the cutoff");

    let predictions: Vec<TestPrediction> = test
        .iter()
        .map(|deal| {
            let closed = deal.closed.expect("test deals are dated");
            let as_of = match deal.created {
                Some(c) if c > cutoff => c - Duration::days(1),
                _ => eve,
            }
            .min(closed - Duration::days(1));
            let snap = ctx.snapshot(deal, as_of);
            TestPrediction {
                deal_id: deal.id,
                as_of,
                won: deal.outcome == Some(Outcome::Won),
                model: model.predict_snapshot(&snap),
                baseline: baseline.rate_for(snap.stage.as_deref()).0,
            }
        })
        .collect();
    let won: Vec<bool> = predictions.iter().map(|t| t.won).collect();
    let pm: Vec<f64> = predictions.iter().map(|t| t.model).collect();
    let pb: Vec<f64> = predictions.iter().map(|t| t.baseline).collect();
    Ok(BacktestReport {
        model: Metrics::compute(&pm, &won),
        baseline: Metrics::compute(&pb, &won),
        n_train: model.n_deals(),
        n_test: predictions.len(),
        cutoff,
        predictions,
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"))
}

/// A self-contained SVG reliability diagram of both forecasts: mean predicted probability
/// against observed win rate per bin (dot area ∝ deals), with the diagonal of perfect
/// calibration — what `forecast backtest --plot` writes.
pub fn reliability_svg(report: &BacktestReport) -> String {
    const W: f64 = 520.0;
    const H: f64 = 460.0;
    const L: f64 = 60.0;
    const T: f64 = 40.0;
    const S: f64 = 340.0;
    let px = |x: f64| L + x * S;
    let py = |y: f64| T + (1.0 - y) * S;
    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        o,
        r##"<title>Reliability diagram, backtest at {}</title><rect width="100%" height="100%" fill="#fff"/>"##,
        report.cutoff
    );
    let _ = writeln!(
        o,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="14" font-weight="bold">Reliability at cutoff {} ({} train, {} test deals)</text>"#,
        W / 2.0,
        report.cutoff,
        report.n_train,
        report.n_test
    );
    for i in 0..=5 {
        let v = i as f64 / 5.0;
        let _ = writeln!(
            o,
            r##"<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="#eee"/><line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="#eee"/><text x="{x}" y="{tb}" text-anchor="middle">{v:.1}</text><text x="{tl}" y="{ty}" text-anchor="end">{v:.1}</text>"##,
            x = px(v),
            y = py(v),
            t = T,
            b = T + S,
            l = L,
            r = L + S,
            tb = T + S + 16.0,
            tl = L - 6.0,
            ty = py(v) + 4.0,
        );
    }
    let _ = writeln!(
        o,
        r##"<rect x="{L}" y="{T}" width="{S}" height="{S}" fill="none" stroke="#444"/><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999" stroke-dasharray="4 4"/>"##,
        px(0.0),
        py(0.0),
        px(1.0),
        py(1.0)
    );
    let _ = writeln!(
        o,
        r#"<text x="{}" y="{}" text-anchor="middle">mean predicted probability</text><text x="16" y="{}" text-anchor="middle" transform="rotate(-90 16 {})">observed win rate</text>"#,
        L + S / 2.0,
        T + S + 36.0,
        T + S / 2.0,
        T + S / 2.0
    );
    let max_count = report
        .model
        .calibration
        .iter()
        .chain(&report.baseline.calibration)
        .map(|b| b.count)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let series = [
        ("model", "#1f77b4", &report.model),
        ("baseline", "#ff7f0e", &report.baseline),
    ];
    for (k, (name, colour, m)) in series.iter().enumerate() {
        let pts: Vec<(f64, f64, usize)> = m
            .calibration
            .iter()
            .filter_map(|b| Some((b.mean_predicted?, b.observed_rate?, b.count)))
            .collect();
        if pts.len() > 1 {
            let path: Vec<String> = pts
                .iter()
                .map(|(x, y, _)| format!("{:.1},{:.1}", px(*x), py(*y)))
                .collect();
            let _ = writeln!(
                o,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.5"/>"#,
                path.join(" ")
            );
        }
        for (x, y, n) in &pts {
            let r = 3.0 + 9.0 * (*n as f64 / max_count).sqrt();
            let _ = writeln!(
                o,
                r#"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="{colour}" fill-opacity="0.45" stroke="{colour}"><title>{}: predicted {x:.3}, observed {y:.3}, {n} deals</title></circle>"#,
                px(*x),
                py(*y),
                esc(name)
            );
        }
        let ly = T + S + 56.0 + 18.0 * k as f64;
        let _ = writeln!(
            o,
            r#"<circle cx="{}" cy="{}" r="6" fill="{colour}" fill-opacity="0.45" stroke="{colour}"/><text x="{}" y="{}">{}: Brier {:.3}, log loss {:.3}, AUC {}</text>"#,
            L + 6.0,
            ly - 4.0,
            L + 18.0,
            ly,
            esc(name),
            m.brier,
            m.log_loss,
            fmt_opt(m.auc)
        );
    }
    o.push_str("</svg>\n");
    o
}

/// The backtest's default cutoff: the date by which 70% of the closed deals had closed,
/// so the model learns from the older 70% and is tested on the rest. `None` without
/// closed deals that have a close date.
pub fn default_cutoff(data: &Dataset) -> Option<NaiveDate> {
    let mut closed: Vec<NaiveDate> = data
        .deals
        .iter()
        .filter(|d| d.outcome.is_some())
        .filter_map(|d| d.closed)
        .collect();
    closed.sort();
    closed.get(closed.len() * 7 / 10).copied()
}
