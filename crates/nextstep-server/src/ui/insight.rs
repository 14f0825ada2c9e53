//! The coaching, team and forecast pages: the insight crate's reports over the data the
//! caller may see, with its SVG charts inlined.
//!
//! The charts are the only HTML not escaped by the templates: they come from
//! `nextstep_insight::charts` (which escapes every label it is given, rep names included)
//! and from the backtest's reliability diagram (which prints only numbers, dates and
//! fixed words).

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use nextstep_core::Role;
use nextstep_insight::charts::{bar_svg, line_svg};
use nextstep_insight::coach::{CoachFilter, CoachReport, MomentKind, Part, RepScorecard};
use nextstep_insight::forecast::{Category, Estimate, Total};

use super::{Chrome, UiResult, group, page_caller, pct, render};
use crate::auth::Caller;
use crate::state::AppState;

/// Forecast rows shown; the rest are counted.
pub const FORECAST_ROWS: usize = 200;

fn part_label(name: &str) -> &'static str {
    match name {
        "telling" => "Telling instead of asking",
        "seller_defined" => "Seller defined the step",
        "unconfirmed" => "Step not confirmed by the prospect",
        "bail_out" => "Bail-outs after a negative signal",
        "volunteering" => "Volunteering work",
        "avoiding_confrontation" => "Leaving negative signals unnamed",
        _ => "Other",
    }
}

fn kind_label(k: MomentKind) -> &'static str {
    match k {
        MomentKind::BailOut => "Bail-out",
        MomentKind::ToldUnconfirmed => "Told the step; prospect never agreed",
        MomentKind::Told => "Told the step",
        MomentKind::Volunteered => "Volunteered work",
    }
}

struct PartRow {
    label: &'static str,
    value: String,
    weight: String,
    contribution: String,
}

fn part_row(name: &str, p: &Part) -> PartRow {
    PartRow {
        label: part_label(name),
        value: pct(p.value),
        weight: format!("{:.0}%", p.effective_weight * 100.0),
        contribution: if p.value.is_some() {
            format!("{:.1}", p.contribution)
        } else {
            "left out".into()
        },
    }
}

struct MomentRow {
    kind: &'static str,
    call_id: i64,
    date: String,
    speaker: String,
    timestamp: String,
    quote: String,
    signal_quote: String,
    instead: String,
}

/// A metric beside the team's median.
struct Rate {
    label: &'static str,
    value: String,
    median: String,
}

struct RepView {
    name: String,
    anchor: String,
    manager: String,
    calls: usize,
    index: String,
    parts: Vec<PartRow>,
    rates: Vec<Rate>,
    moments: Vec<MomentRow>,
    chart: String,
}

fn anchor(name: &str) -> String {
    let slug = nextstep_insight::digest::slug(name);
    format!("rep-{slug}")
}

fn trend_chart(r: &RepScorecard) -> String {
    let points: Vec<(String, Option<f64>)> = r
        .weekly
        .iter()
        .map(|w| (w.week.clone(), Some(w.need_for_approval)))
        .collect();
    line_svg(
        &format!("{} — need-for-approval index by week", r.name),
        &points,
        100.0,
        None,
    )
}

fn rep_view(r: &RepScorecard, report: &CoachReport) -> RepView {
    let m = &report.team.medians;
    let num = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"));
    RepView {
        name: r.name.clone(),
        anchor: anchor(&r.name),
        manager: r.manager.clone().unwrap_or_default(),
        calls: r.calls,
        index: format!("{:.0}", r.need_for_approval),
        parts: r.parts.iter().iter().map(|(n, p)| part_row(n, p)).collect(),
        rates: vec![
            Rate {
                label: "Asked what the next step should be",
                value: pct(Some(r.ask_rate)),
                median: pct(m.ask_rate),
            },
            Rate {
                label: "Steps the prospect defined",
                value: pct(r.prospect_defined_share),
                median: pct(m.prospect_defined_share),
            },
            Rate {
                label: "Steps the prospect confirmed",
                value: pct(r.prospect_confirmed_share),
                median: pct(m.prospect_confirmed_share),
            },
            Rate {
                label: "Volunteered items per call",
                value: num(Some(r.volunteered_per_call)),
                median: num(m.volunteered_per_call),
            },
            Rate {
                label: "Bail-out rate (of calls with a negative signal)",
                value: pct(r.bail_out_rate),
                median: pct(m.bail_out_rate),
            },
            Rate {
                label: "Named the problem (of calls with a negative signal)",
                value: pct(r.confront_rate),
                median: pct(m.confront_rate),
            },
            Rate {
                label: "Early disqualifications",
                value: r.early_disqualifications.count.to_string(),
                median: num(m.early_disqualifications),
            },
        ],
        moments: r
            .moments
            .iter()
            .map(|mo| MomentRow {
                kind: kind_label(mo.kind),
                call_id: mo.call_id,
                date: mo.date.format("%Y-%m-%d").to_string(),
                speaker: mo.speaker.clone(),
                timestamp: mo.timestamp.clone().unwrap_or_default(),
                quote: mo.quote.clone(),
                signal_quote: mo.signal_quote.clone().unwrap_or_default(),
                instead: mo.instead.clone(),
            })
            .collect(),
        chart: trend_chart(r),
    }
}

/// The filter a caller's coaching pages use: reps see only themselves (their scope
/// already limits the data; this also drops calls on deals they see but do not own).
fn filter_for(caller: &Caller) -> CoachFilter {
    match (caller.user.role, &caller.user.rep_name) {
        (Role::Rep, Some(name)) => CoachFilter {
            rep: Some(name.clone()),
            ..CoachFilter::default()
        },
        _ => CoachFilter::default(),
    }
}

async fn coach_report(state: &AppState, caller: &Caller) -> UiResult<Arc<CoachReport>> {
    Ok(crate::reports::cached_coach(state, &caller.scope(), &filter_for(caller)).await?)
}

#[derive(Template)]
#[template(path = "coach.html")]
struct CoachPage {
    chrome: Chrome,
    reps: Vec<RepView>,
    team_calls: usize,
    median_index: String,
}

/// `GET /coach`: each visible rep's scorecard — the need-for-approval index with its
/// parts, the rates beside the team's medians, a weekly trend chart and the most
/// instructive moments quoted from their calls.
pub async fn coach_page(State(state): State<AppState>, headers: HeaderMap) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    async {
        let report = coach_report(&state, &caller).await?;
        let page = CoachPage {
            chrome: Chrome::new(&caller, "coach"),
            reps: report.reps.iter().map(|r| rep_view(r, &report)).collect(),
            team_calls: report.team.calls,
            median_index: report
                .team
                .medians
                .need_for_approval
                .map_or_else(|| "—".into(), |v| format!("{v:.0}")),
        };
        render(&page)
    }
    .await
    .map_err(|e| e.with_caller(Some(&caller)))
}

struct TeamRow {
    name: String,
    anchor: String,
    manager: String,
    calls: usize,
    index: String,
    ask_rate: String,
    bail_out_rate: String,
    chart: String,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Chrome,
    own_only: bool,
    ranking_chart: String,
    rows: Vec<TeamRow>,
    median_index: String,
    calls: usize,
}

/// `GET /team`: managers and admins see every rep visible to them ranked, with a bar
/// chart of the index and each rep's trend; a rep sees their own line.
pub async fn team_page(State(state): State<AppState>, headers: HeaderMap) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    async {
        let report = coach_report(&state, &caller).await?;
        let bars: Vec<(String, f64)> = report
            .reps
            .iter()
            .map(|r| (r.name.clone(), r.need_for_approval))
            .collect();
        let page = TeamPage {
            chrome: Chrome::new(&caller, "team"),
            own_only: caller.user.role == Role::Rep,
            ranking_chart: bar_svg(
                "Need-for-approval index by rep (lower is better)",
                &bars,
                100.0,
                None,
            ),
            rows: report
                .reps
                .iter()
                .map(|r| TeamRow {
                    name: r.name.clone(),
                    anchor: anchor(&r.name),
                    manager: r.manager.clone().unwrap_or_default(),
                    calls: r.calls,
                    index: format!("{:.0}", r.need_for_approval),
                    ask_rate: pct(Some(r.ask_rate)),
                    bail_out_rate: pct(r.bail_out_rate),
                    chart: trend_chart(r),
                })
                .collect(),
            median_index: report
                .team
                .medians
                .need_for_approval
                .map_or_else(|| "—".into(), |v| format!("{v:.0}")),
            calls: report.team.calls,
        };
        render(&page)
    }
    .await
    .map_err(|e| e.with_caller(Some(&caller)))
}

struct TotalView {
    category: String,
    rule: String,
    model: [String; 3],
    baseline: [String; 3],
}

fn total_cells(t: Option<&Total>) -> [String; 3] {
    match t {
        None => ["—".into(), "—".into(), "—".into()],
        Some(t) => [
            t.deals.to_string(),
            units(t.amount_cents),
            units(t.expected_value_cents),
        ],
    }
}

fn units(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}", group(cents.unsigned_abs() / 100))
}

fn category_label(name: &str) -> String {
    match name {
        "commit" => "Commit".into(),
        "best_case" => "Best case".into(),
        "pipeline" => "Pipeline".into(),
        "omitted" => "Omitted".into(),
        "overall" => "Overall".into(),
        other => other.to_string(),
    }
}

struct EstimateView {
    p: String,
    category: &'static str,
    class: &'static str,
}

fn estimate(e: Option<&Estimate>) -> EstimateView {
    match e {
        None => EstimateView {
            p: "—".into(),
            category: "",
            class: "cat",
        },
        Some(e) => EstimateView {
            p: format!("{:.0}%", e.probability * 100.0),
            category: match e.category {
                Category::Commit => "commit",
                Category::BestCase => "best case",
                Category::Pipeline => "pipeline",
                Category::Omitted => "omitted",
            },
            class: match e.category {
                Category::Commit => "cat cat-commit",
                Category::BestCase => "cat cat-best-case",
                Category::Pipeline => "cat cat-pipeline",
                Category::Omitted => "cat cat-omitted",
            },
        },
    }
}

struct DealView {
    id: i64,
    name: String,
    owner: String,
    stage: String,
    amount: String,
    expected_close: String,
    model: EstimateView,
    baseline: EstimateView,
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    chrome: Chrome,
    as_of: String,
    source: String,
    model_line: String,
    notes: Vec<String>,
    totals: Vec<TotalView>,
    deals: Vec<DealView>,
    more: usize,
    calibration_svg: Option<String>,
    calibration_note: String,
}

/// `GET /forecast`: totals by category (model beside the stage-weighted baseline), the
/// deals, and the backtest's reliability chart when enough deals have closed.
pub async fn forecast_page(State(state): State<AppState>, headers: HeaderMap) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    async {
        let (report, calibration) =
            crate::reports::cached_forecast_page(&state, &caller.scope()).await?;
        let calibration = Result::clone(&calibration);
        let model_line = if report.model.available {
            format!(
                "Model fitted on {} closed deals ({} won, {} weekly snapshots){}.",
                report.model.n_deals,
                report.model.n_won,
                report.model.n_rows,
                report
                    .model
                    .fitted_at
                    .map_or_else(String::new, |at| format!(
                        ", at {} UTC",
                        at.format("%Y-%m-%d %H:%M:%S")
                    ))
            )
        } else {
            report
                .model
                .refused
                .clone()
                .unwrap_or_else(|| "The model is not available.".into())
        };
        let (calibration_svg, calibration_note) = match calibration {
            Ok((svg, note)) => (Some(svg), note),
            Err(note) => (None, note),
        };
        let page = ForecastPage {
            chrome: Chrome::new(&caller, "forecast"),
            as_of: report.as_of.format("%Y-%m-%d").to_string(),
            source: report.category_source.clone(),
            model_line,
            notes: report.notes.clone(),
            totals: report
                .totals
                .iter()
                .map(|t| TotalView {
                    category: category_label(&t.category),
                    rule: t.rule.clone(),
                    model: total_cells(t.model.as_ref()),
                    baseline: total_cells(t.baseline.as_ref()),
                })
                .collect(),
            more: report.deals.len().saturating_sub(FORECAST_ROWS),
            deals: report
                .deals
                .iter()
                .take(FORECAST_ROWS)
                .map(|d| DealView {
                    id: d.deal_id,
                    name: d.name.clone(),
                    owner: d.owner.clone().unwrap_or_default(),
                    stage: d.stage.clone(),
                    amount: d.amount_cents.map_or_else(|| "—".to_string(), units),
                    expected_close: super::date(d.expected_close),
                    model: estimate(d.model.as_ref()),
                    baseline: estimate(d.baseline.as_ref()),
                })
                .collect(),
            calibration_svg,
            calibration_note,
        };
        render(&page)
    }
    .await
    .map_err(|e| e.with_caller(Some(&caller)))
}
