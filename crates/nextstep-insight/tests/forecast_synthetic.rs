//! A synthetic team whose outcomes are truly driven by next-step quality (who defined the
//! step, whether the prospect confirmed it, bail-outs, asking), with stages that carry a
//! little signal too. Built from a seeded generator, so the figures are reproducible.
//!
//! The model, which sees the next-step evidence, must beat the stage-weighted baseline,
//! which sees only stages: that is the claim that the features work.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use nextstep_analyzer::{Analysis, Moment};
use nextstep_core::dataset::{CallRecord, Dataset};
use nextstep_core::{
    Deal, DefinedBy, NextStepRecord, Outcome, StageChange, StepSource, StepStatus,
};
use nextstep_insight::backtest::{backtest_with_history, reliability_svg};
use nextstep_insight::forecast::{Category, ForecastError, StageHistory, forecast_with_history};

/// SplitMix64: tiny, seeded, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn at(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(10, 0, 0).unwrap().and_utc()
}

fn moment() -> Moment {
    Moment {
        speaker: "Seller".into(),
        start: Some(600.0),
        text: "Let me send you some more material.".into(),
        why: "bail_out".into(),
        ..Moment::default()
    }
}

const STAGES: [&str; 4] = ["Discovery", "Demo", "Proposal", "Negotiation"];
const REPS: [&str; 6] = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"];

/// Deals created through 2025 (and open ones late in the year) with weekly-ish calls, one
/// step per call, and stage changes.
fn team(seed: u64, n: usize) -> (Dataset, StageHistory) {
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let mut data = Dataset::default();
    let mut history: Vec<(i64, StageChange)> = Vec::new();
    let (mut call_id, mut step_id) = (1, 1);
    for i in 0..n {
        let id = i as i64 + 1;
        let created = start + Duration::days(rng.below(300) as i64);
        let length = 21 + rng.below(100) as i64;
        let closes = created + Duration::days(length);
        // Next-step quality: 0 none, 1 seller-defined unconfirmed, 2 seller-defined
        // confirmed, 3 prospect-defined. It decides most of the outcome.
        let q = rng.below(4) as usize;
        let p_win = [0.08, 0.22, 0.55, 0.85][q];
        let won = rng.unit() < p_win;
        let open = closes > end;
        // Stages: winners tend to get further, but only a little more than losers.
        let reach = if won { 1 + rng.below(3) } else { rng.below(3) } as usize;
        for (k, stage) in STAGES.iter().enumerate().take(reach + 1) {
            let day = created + Duration::days(length * k as i64 / 5);
            if day <= end {
                history.push((
                    id,
                    StageChange {
                        stage: stage.to_string(),
                        at: at(day),
                    },
                ));
            }
        }
        let current = STAGES[(0..=reach)
            .rev()
            .find(|k| created + Duration::days(length * *k as i64 / 5) <= end)
            .unwrap_or(0)];
        if !open {
            let closing = if won { "Closed Won" } else { "Closed Lost" };
            history.push((
                id,
                StageChange {
                    stage: closing.into(),
                    at: at(closes),
                },
            ));
        }
        data.deals.push(Deal {
            id,
            external_id: Some(format!("S{id}")),
            name: format!("Synthetic {id}"),
            account: None,
            owner: Some(REPS[rng.below(REPS.len() as u64) as usize].to_string()),
            stage: if open {
                current.to_string()
            } else if won {
                "Closed Won".into()
            } else {
                "Closed Lost".into()
            },
            amount: Some(((5_000 + rng.below(45_000)) * 100) as i64),
            currency: "USD".into(),
            expected_close: Some(closes),
            created: Some(created),
            closed: (!open).then_some(closes),
            outcome: (!open).then_some(if won { Outcome::Won } else { Outcome::Lost }),
            loss_reason: None,
            product: None,
            crm_next_step: None,
        });
        // Calls every 7–20 days until it closes (or the year ends).
        let mut day = created + Duration::days(2);
        let last_day = closes.min(end);
        let mut prev_step: Option<usize> = None;
        while day < last_day {
            let asked = rng.unit() < [0.15, 0.25, 0.6, 0.8][q];
            let bail = q <= 1 && rng.unit() < 0.4;
            data.calls.push(CallRecord {
                call_id,
                deal_id: id,
                rep: None,
                date: day,
                analysis: Analysis {
                    speakers: vec![],
                    inferred_sellers: vec![],
                    next_step: None,
                    step_set_aside: None,
                    asked_next_step: asked,
                    asks: vec![],
                    volunteered: vec![],
                    bail_outs: if bail { vec![moment()] } else { vec![] },
                    confrontations: vec![],
                    negative_signals: vec![],
                    coaching: vec![],
                },
            });
            if q > 0 {
                if let Some(prev) = prev_step {
                    data.steps[prev].status = StepStatus::Superseded;
                    data.steps[prev].updated_at = at(day);
                }
                let by = if q == 3 {
                    DefinedBy::Prospect
                } else {
                    DefinedBy::Seller
                };
                data.steps.push(NextStepRecord {
                    id: step_id,
                    deal_id: id,
                    action: "meet again".into(),
                    kind: "meeting".into(),
                    owner: "both".into(),
                    due: Some(day + Duration::days(if q == 1 { 3 } else { 10 })),
                    defined_by: by,
                    confirmed_by_prospect: q >= 2,
                    source: StepSource::Call,
                    call_id: Some(call_id),
                    evidence: serde_json::Value::Null,
                    status: StepStatus::Open,
                    created_at: at(day),
                    updated_at: at(day),
                });
                prev_step = Some(data.steps.len() - 1);
                step_id += 1;
            }
            call_id += 1;
            day += Duration::days(7 + rng.below(14) as i64);
        }
        if let (Some(prev), false) = (prev_step, open) {
            data.steps[prev].status = if won {
                StepStatus::Done
            } else {
                StepStatus::Missed
            };
            data.steps[prev].updated_at = at(closes);
        }
    }
    data.calls.sort_by_key(|c| (c.date, c.call_id));
    data.steps.sort_by_key(|s| (s.created_at, s.id));
    (data, history.into_iter().collect())
}

#[test]
fn model_beats_the_stage_baseline_when_next_steps_drive_outcomes() {
    let (data, history) = team(20_251_231, 900);
    let cutoff = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
    let r = backtest_with_history(&data, &history, cutoff).unwrap();
    let (m, b) = (&r.model, &r.baseline);
    println!(
        "synthetic backtest: n_train {} n_test {}\n  model    Brier {:.4} log loss {:.4} AUC {:.4}\n  baseline Brier {:.4} log loss {:.4} AUC {:.4}",
        r.n_train,
        r.n_test,
        m.brier,
        m.log_loss,
        m.auc.unwrap(),
        b.brier,
        b.log_loss,
        b.auc.unwrap()
    );
    let closed = data.deals.iter().filter(|d| d.closed.is_some()).count();
    assert_eq!(r.n_train + r.n_test, closed);
    assert!(r.n_test >= 100, "{}", r.n_test);
    // The baseline is not a straw man: stages carry some signal.
    assert!(b.auc.unwrap() > 0.5, "baseline AUC {:?}", b.auc);
    assert!(
        m.auc.unwrap() > b.auc.unwrap() + 0.05,
        "model {:?} vs baseline {:?}",
        m.auc,
        b.auc
    );
    assert!(m.brier < b.brier);
    assert!(m.log_loss < b.log_loss);
    assert_eq!(r.predictions.len(), r.n_test);

    let svg = reliability_svg(&r);
    assert!(
        svg.starts_with("<svg") && svg.contains("model: Brier") && svg.contains("baseline: Brier")
    );
    let json = serde_json::to_value(&r).unwrap();
    for key in ["model", "baseline", "n_train", "n_test"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    for key in ["brier", "log_loss", "auc", "calibration"] {
        assert!(json["model"].get(key).is_some() && json["baseline"].get(key).is_some());
    }
}

#[test]
fn the_backtest_is_reproducible_and_refuses_bad_cutoffs() {
    let (data, history) = team(7, 300);
    let cutoff = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
    let a = backtest_with_history(&data, &history, cutoff).unwrap();
    let b = backtest_with_history(&data, &history, cutoff).unwrap();
    assert_eq!(a, b);
    // Nothing closed after it.
    let late = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    assert_eq!(
        backtest_with_history(&data, &history, late).unwrap_err(),
        ForecastError::NoDealsAfterCutoff { cutoff: late }
    );
    // Too little closed before it.
    let early = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
    assert!(matches!(
        backtest_with_history(&data, &history, early).unwrap_err(),
        ForecastError::TooFewClosedDeals { .. }
    ));
}

#[test]
fn the_forecast_uses_next_step_evidence_for_commit() {
    let (data, history) = team(99, 900);
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let r = forecast_with_history(&data, &history, "2026-Q1".parse().ok(), as_of);
    assert!(r.model.available);
    assert!(!r.deals.is_empty());
    let weight = |name: &str| {
        r.model
            .coefficients
            .iter()
            .find(|c| c.feature == name)
            .unwrap()
            .weight
    };
    // The model learnt what the generator put in.
    assert!(weight("step_prospect_defined") > 0.0);
    assert!(weight("step_confirmed") > 0.0);
    for d in &r.deals {
        let m = d.model.as_ref().unwrap();
        if m.category == Category::Commit {
            let s = d.evidence.open_step().unwrap();
            assert!(m.probability >= 0.7 && !s.overdue);
            assert!(s.defined_by == DefinedBy::Prospect || s.confirmed);
        }
        if let Some(e) = d.expected_close {
            assert!(e >= "2026-01-01".parse().unwrap() && e <= "2026-03-31".parse().unwrap());
        }
    }
    assert!(
        r.deals
            .iter()
            .any(|d| d.model.as_ref().unwrap().category == Category::Commit),
        "some prospect-backed deal reaches commit"
    );
    let model_ev = r
        .totals
        .last()
        .unwrap()
        .model
        .as_ref()
        .unwrap()
        .expected_value_cents;
    let base_ev = r
        .totals
        .last()
        .unwrap()
        .baseline
        .as_ref()
        .unwrap()
        .expected_value_cents;
    println!(
        "synthetic Q1 forecast: {} deals, model EV {model_ev} vs baseline EV {base_ev} cents",
        r.deals.len()
    );
}
