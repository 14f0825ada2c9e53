//! The forecast model's contract: the polite refusal, features that never look past their
//! date, the category rules, quarters and the report's totals.

use chrono::{DateTime, NaiveDate, Utc};
use nextstep_analyzer::{Analysis, Moment};
use nextstep_core::dataset::{CallRecord, Dataset};
use nextstep_core::{
    Deal, DefinedBy, NextStepRecord, Outcome, StageChange, StepSource, StepStatus,
};
use nextstep_insight::forecast::{
    Category, DealSnapshot, ForecastError, ForecastModel, MIN_CLOSED_DEALS, Quarter, StageBaseline,
    StageHistory, StepAsOf, categorize, forecast, forecast_with_history, snapshot,
};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    d(s).and_hms_opt(12, 0, 0).unwrap().and_utc()
}

fn deal(
    id: i64,
    stage: &str,
    created: &str,
    closed: Option<&str>,
    outcome: Option<Outcome>,
) -> Deal {
    Deal {
        id,
        external_id: Some(format!("X{id}")),
        name: format!("Deal {id}"),
        account: None,
        owner: Some(format!("Rep {}", id % 3)),
        stage: stage.into(),
        amount: Some(100_000 + id * 1_000),
        currency: "USD".into(),
        expected_close: None,
        created: Some(d(created)),
        closed: closed.map(d),
        outcome,
        loss_reason: None,
        product: None,
        crm_next_step: None,
    }
}

fn moment() -> Moment {
    Moment {
        speaker: "Sam".into(),
        start: Some(1.0),
        text: "I'll send you a proposal.".into(),
        why: "bail_out".into(),
        ..Moment::default()
    }
}

fn call(call_id: i64, deal_id: i64, date: &str, asked: bool, bail_outs: usize) -> CallRecord {
    CallRecord {
        call_id,
        deal_id,
        rep: Some("Rep".into()),
        date: d(date),
        analysis: Analysis {
            speakers: vec![],
            inferred_sellers: vec![],
            next_step: None,
            step_set_aside: None,
            asked_next_step: asked,
            asks: vec![],
            volunteered: vec![],
            bail_outs: vec![moment(); bail_outs],
            confrontations: vec![],
            negative_signals: vec![],
            coaching: vec![],
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn step(
    id: i64,
    deal_id: i64,
    created: &str,
    by: DefinedBy,
    confirmed: bool,
    due: Option<&str>,
    status: StepStatus,
    updated: &str,
) -> NextStepRecord {
    NextStepRecord {
        id,
        deal_id,
        action: "demo".into(),
        kind: "demo".into(),
        owner: "both".into(),
        due: due.map(d),
        defined_by: by,
        confirmed_by_prospect: confirmed,
        source: StepSource::Call,
        call_id: None,
        evidence: serde_json::Value::Null,
        status,
        created_at: at(created),
        updated_at: at(updated),
    }
}

/// `n` closed deals, `won` of them won, closing through 2025, plus one open deal (id 1000).
fn closed_deals(n: usize, won: usize) -> Dataset {
    let mut deals: Vec<Deal> = (0..n)
        .map(|i| {
            let created = d("2025-01-01") + chrono::Duration::days(i as i64 * 3);
            let closed = created + chrono::Duration::days(20 + (i as i64 % 5) * 7);
            let outcome = if i < won { Outcome::Won } else { Outcome::Lost };
            let mut x = deal(i as i64 + 1, "Won", "2025-01-01", None, Some(outcome));
            x.stage = if i < won { "Won".into() } else { "Lost".into() };
            x.created = Some(created);
            x.closed = Some(closed);
            x
        })
        .collect();
    deals.push(deal(1000, "Engaging", "2025-11-01", None, None));
    Dataset {
        deals,
        ..Dataset::default()
    }
}

#[test]
fn refuses_politely_with_too_few_closed_deals() {
    let as_of = d("2026-06-30");
    let data = closed_deals(29, 15);
    let err = ForecastModel::fit(&data, as_of).unwrap_err();
    assert_eq!(err, ForecastError::TooFewClosedDeals { have: 29, need: 30 });
    let msg = err.to_string();
    assert!(
        msg.contains("29") && msg.contains("30") && msg.contains("baseline"),
        "{msg}"
    );

    // Closed deals without a close date cannot be placed in time and do not count.
    let mut undated = closed_deals(30, 15);
    undated.deals[0].closed = None;
    assert_eq!(
        ForecastModel::fit(&undated, as_of).unwrap_err(),
        ForecastError::TooFewClosedDeals {
            have: 29,
            need: MIN_CLOSED_DEALS
        }
    );

    // Deals closing after the date are not known yet.
    assert_eq!(
        ForecastModel::fit(&closed_deals(40, 20), d("2025-02-01")).unwrap_err(),
        ForecastError::TooFewClosedDeals { have: 2, need: 30 }
    );

    let one_sided = closed_deals(40, 3);
    assert_eq!(
        ForecastModel::fit(&one_sided, as_of).unwrap_err(),
        ForecastError::TooFewOfAnOutcome {
            won: 3,
            not_won: 37,
            need_each: 5
        }
    );

    assert!(ForecastModel::fit(&closed_deals(30, 15), as_of).is_ok());

    // The forecast still runs: the baseline alone, with the refusal in words.
    let report = forecast(&data, None, as_of);
    assert!(!report.model.available);
    assert!(
        report
            .model
            .refused
            .as_deref()
            .unwrap()
            .contains("29 closed deals")
    );
    assert_eq!(report.category_source, "baseline");
    assert_eq!(report.deal_ids, vec![1000]);
    let only = &report.deals[0];
    assert!(only.model.is_none());
    let b = only.baseline.as_ref().unwrap();
    assert!((b.probability - 15.0 / 29.0).abs() < 1e-12);
    assert!(
        report
            .totals
            .iter()
            .all(|t| t.model.is_none() && t.baseline.is_some())
    );
}

/// A dataset with one deal whose calls, steps and stages straddle 2025-06-15.
fn straddling() -> (Dataset, StageHistory) {
    let mut data = Dataset {
        deals: vec![deal(
            1,
            "Negotiation",
            "2025-05-01",
            Some("2025-08-01"),
            Some(Outcome::Won),
        )],
        ..Dataset::default()
    };
    data.deals
        .push(deal(2, "Negotiation", "2025-05-01", None, None));
    data.calls = vec![
        call(10, 1, "2025-05-10", true, 0),
        call(11, 1, "2025-06-15", false, 1),
        // Later calls: must not count as of 2025-06-15.
        call(12, 1, "2025-06-16", true, 3),
        call(13, 1, "2025-07-20", true, 2),
    ];
    data.steps = vec![
        step(
            20,
            1,
            "2025-05-10",
            DefinedBy::Seller,
            false,
            Some("2025-05-20"),
            StepStatus::Superseded,
            "2025-06-15",
        ),
        // Recorded on the date; done only later, so open and (due passed) overdue then.
        step(
            21,
            1,
            "2025-06-15",
            DefinedBy::Seller,
            false,
            Some("2025-06-10"),
            StepStatus::Done,
            "2025-07-01",
        ),
        // Later steps.
        step(
            22,
            1,
            "2025-06-16",
            DefinedBy::Prospect,
            true,
            Some("2025-07-01"),
            StepStatus::Open,
            "2025-06-16",
        ),
    ];
    let history: StageHistory = [
        (
            1,
            StageChange {
                stage: "Discovery".into(),
                at: at("2025-05-01"),
            },
        ),
        (
            1,
            StageChange {
                stage: "Demo".into(),
                at: at("2025-06-01"),
            },
        ),
        (
            1,
            StageChange {
                stage: "Negotiation".into(),
                at: at("2025-06-20"),
            },
        ),
        (
            1,
            StageChange {
                stage: "Closed Won".into(),
                at: at("2025-08-01"),
            },
        ),
    ]
    .into_iter()
    .collect();
    (data, history)
}

#[test]
fn features_as_of_a_date_ignore_later_calls_steps_and_stages() {
    let (data, history) = straddling();
    let date = d("2025-06-15");
    let s = snapshot(&data.deals[0], &data, &history, date);
    assert_eq!(s.call_ids, vec![10, 11]);
    assert_eq!(s.last_call, Some(date));
    assert_eq!(s.days_since_last_call, Some(0));
    assert_eq!((s.asked_calls, s.bail_outs), (1, 1));
    assert_eq!(s.asked_rate(), Some(0.5));
    assert_eq!(s.age_days, Some(45));
    assert_eq!(s.stage.as_deref(), Some("Demo"));
    let step = s.step.as_ref().unwrap();
    assert_eq!(step.step_id, 21);
    assert!(step.open && step.overdue && !step.confirmed);
    assert_eq!(step.defined_by, DefinedBy::Seller);

    // Removing everything dated later changes nothing.
    let mut past = data.clone();
    past.calls.retain(|c| c.date <= date);
    past.steps.retain(|s| s.created_at.date_naive() <= date);
    let past_history: StageHistory = history
        .changes(1)
        .iter()
        .filter(|c| c.at.date_naive() <= date)
        .map(|c| (1, c.clone()))
        .collect();
    assert_eq!(snapshot(&past.deals[0], &past, &past_history, date), s);

    // A day later the later call and step are seen.
    let next = snapshot(&data.deals[0], &data, &history, d("2025-06-16"));
    assert_eq!(next.call_ids, vec![10, 11, 12]);
    assert_eq!(next.step.as_ref().unwrap().step_id, 22);
}

#[test]
fn predictions_as_of_a_date_ignore_later_calls_and_steps() {
    let (extra, _) = straddling();
    let date = d("2025-06-15");
    let mut data = closed_deals(40, 20);
    // Give the training deals calls and steps so the next-step weights are not all zero.
    for (i, x) in data
        .deals
        .clone()
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_open())
    {
        let day = x.created.unwrap() + chrono::Duration::days(2);
        let won = x.outcome == Some(Outcome::Won);
        data.calls.push(call(
            5000 + i as i64,
            x.id,
            &day.to_string(),
            won,
            usize::from(!won),
        ));
        let by = if won {
            DefinedBy::Prospect
        } else {
            DefinedBy::Seller
        };
        data.steps.push(step(
            6000 + i as i64,
            x.id,
            &day.to_string(),
            by,
            won,
            None,
            StepStatus::Open,
            &day.to_string(),
        ));
    }
    let mut target = extra.deals[1].clone();
    target.id = 2000;
    data.deals.push(target.clone());
    let model = ForecastModel::fit(&data, date).unwrap();
    let before = model.predict(&target, &data, date);

    let mut with_future = data.clone();
    with_future
        .calls
        .push(call(7000, 2000, "2025-06-16", true, 0));
    with_future
        .calls
        .push(call(7001, 2000, "2025-07-16", false, 4));
    with_future.steps.push(step(
        7002,
        2000,
        "2025-06-20",
        DefinedBy::Prospect,
        true,
        None,
        StepStatus::Open,
        "2025-06-20",
    ));
    // Deals closing after the date do not change the fit either.
    let mut late = deal(
        3000,
        "Won",
        "2025-06-01",
        Some("2025-07-01"),
        Some(Outcome::Won),
    );
    late.amount = Some(1);
    with_future.deals.push(late);
    let model2 = ForecastModel::fit(&with_future, date).unwrap();
    assert_eq!(model2.coefficients(), model.coefficients());
    assert_eq!(model2.predict(&target, &with_future, date), before);
    // …while as of a later date the new evidence moves the probability.
    assert_ne!(
        model.predict(&target, &with_future, d("2025-07-20")),
        model.predict(&target, &data, d("2025-07-20"))
    );
}

#[test]
fn closed_deals_stage_is_not_read_before_they_closed() {
    let mut data = closed_deals(1, 1); // a Maven-style deal stored as "Won", and an open one
    let won = data.deals[0].clone();
    let closed = won.closed.unwrap();
    let none = StageHistory::new();
    // Terminal stage: never read, before or after closing.
    assert_eq!(
        snapshot(&won, &data, &none, closed - chrono::Duration::days(1)).stage,
        None
    );
    assert_eq!(snapshot(&won, &data, &none, closed).stage, None);
    // A closed deal stored in an ordinary stage (Pipedrive keeps won deals in the stage they
    // were won from): known from its close on, unknown before.
    let mut kept = won.clone();
    kept.id = 77;
    kept.stage = "Engaging".into();
    data.deals.push(kept.clone());
    assert_eq!(
        snapshot(&kept, &data, &none, closed - chrono::Duration::days(1)).stage,
        None
    );
    assert_eq!(
        snapshot(&kept, &data, &none, closed).stage.as_deref(),
        Some("Engaging")
    );
    // An open deal's stored stage is its current one.
    let open = data.deals.iter().find(|x| x.is_open()).unwrap();
    assert_eq!(
        snapshot(open, &data, &none, d("2025-12-01"))
            .stage
            .as_deref(),
        Some("Engaging")
    );
}

#[test]
fn baseline_uses_history_else_stored_stage_else_overall_rate() {
    // Ten closed deals stored as Won/Lost: without history only the overall rate exists.
    let data = closed_deals(10, 4);
    let as_of = d("2026-01-01");
    let b = StageBaseline::fit(&data, &StageHistory::new(), as_of).unwrap();
    assert!(b.stages.is_empty());
    assert!((b.overall_win_rate - 0.4).abs() < 1e-12);
    let (p, why) = b.rate_for(Some("Engaging"));
    assert!((p - 0.4).abs() < 1e-12 && why.contains("overall"), "{why}");

    // With history, every deal counts for each stage it passed before closing.
    let history: StageHistory = data
        .deals
        .iter()
        .filter(|x| !x.is_open())
        .flat_map(|x| {
            let c = x.created.unwrap();
            let mut v = vec![(
                x.id,
                StageChange {
                    stage: "Engaging".into(),
                    at: c.and_hms_opt(9, 0, 0).unwrap().and_utc(),
                },
            )];
            // The four winners (ids 1–4) and one loser reached Proposal.
            if x.id <= 5 {
                v.push((
                    x.id,
                    StageChange {
                        stage: "Proposal".into(),
                        at: (c + chrono::Duration::days(5))
                            .and_hms_opt(9, 0, 0)
                            .unwrap()
                            .and_utc(),
                    },
                ));
            }
            v
        })
        .collect();
    let b = StageBaseline::fit(&data, &history, as_of).unwrap();
    let row = |s: &str| b.stages.iter().find(|r| r.stage == s).unwrap().clone();
    assert_eq!((row("Engaging").closed, row("Engaging").won), (10, 4));
    assert_eq!((row("Proposal").closed, row("Proposal").won), (5, 4));
    assert!(row("Proposal").used);
    assert!((b.rate_for(Some("Proposal")).0 - 0.8).abs() < 1e-12);
    // A stage with no closed deal behind it falls back to the overall rate.
    assert!((b.rate_for(Some("Contract")).0 - 0.4).abs() < 1e-12);
    assert!((b.rate_for(None).0 - 0.4).abs() < 1e-12);
}

#[test]
fn step_status_as_of_a_date() {
    let mut data = Dataset {
        deals: vec![deal(1, "Demo", "2025-01-01", None, None)],
        ..Dataset::default()
    };
    let date = d("2025-03-01");
    // (status, updated, due) → (open, overdue) as of 2025-03-01
    let table: &[(StepStatus, &str, Option<&str>, bool, bool)] = &[
        (
            StepStatus::Open,
            "2025-02-01",
            Some("2025-03-10"),
            true,
            false,
        ),
        (
            StepStatus::Open,
            "2025-02-01",
            Some("2025-02-20"),
            true,
            true,
        ),
        (StepStatus::Open, "2025-02-01", None, true, false),
        // Done after the date: it was still open then.
        (
            StepStatus::Done,
            "2025-03-05",
            Some("2025-02-20"),
            true,
            true,
        ),
        // Done before the date: neither open nor overdue.
        (
            StepStatus::Done,
            "2025-02-25",
            Some("2025-02-20"),
            false,
            false,
        ),
        (
            StepStatus::Cancelled,
            "2025-02-25",
            Some("2025-02-20"),
            false,
            false,
        ),
        // Missed by then: no longer open, and overdue.
        (
            StepStatus::Missed,
            "2025-02-25",
            Some("2025-02-20"),
            false,
            true,
        ),
        // Due on the date itself is not overdue yet.
        (
            StepStatus::Open,
            "2025-02-01",
            Some("2025-03-01"),
            true,
            false,
        ),
    ];
    for (status, updated, due, open, overdue) in table {
        data.steps = vec![step(
            1,
            1,
            "2025-02-01",
            DefinedBy::Prospect,
            true,
            *due,
            *status,
            updated,
        )];
        let s = snapshot(&data.deals[0], &data, &StageHistory::new(), date);
        let st = s.step.unwrap();
        assert_eq!(
            (st.open, st.overdue),
            (*open, *overdue),
            "{status:?} {updated} {due:?}"
        );
    }
}

fn snap(step: Option<(DefinedBy, bool, bool, bool)>, days_since_call: Option<i64>) -> DealSnapshot {
    DealSnapshot {
        deal_id: 1,
        as_of: d("2026-01-01"),
        stage: None,
        age_days: Some(10),
        amount_cents: Some(100),
        owner: None,
        call_ids: days_since_call.map(|_| vec![1]).unwrap_or_default(),
        last_call: None,
        days_since_last_call: days_since_call,
        asked_calls: 0,
        bail_outs: 0,
        step: step.map(|(defined_by, confirmed, open, overdue)| StepAsOf {
            step_id: 1,
            defined_by,
            confirmed,
            due: None,
            open,
            overdue,
        }),
    }
}

/// (p, step (defined by, confirmed, open, overdue), days since last call, data tracks
/// activity, expected category)
type CategoryCase = (f64, Option<StepSpec>, Option<i64>, bool, Category);
type StepSpec = (DefinedBy, bool, bool, bool);
/// (text, (year, quarter, first day, last day) or a parse error)
type QuarterCase<'a> = (&'a str, Option<(i32, u8, &'a str, &'a str)>);

#[test]
fn category_rules() {
    use Category::*;
    use DefinedBy::*;
    // (p, step (by, confirmed, open, overdue), days since last call, data tracks activity, want)
    let table: &[CategoryCase] = &[
        (
            0.80,
            Some((Prospect, true, true, false)),
            Some(3),
            true,
            Commit,
        ),
        (
            0.70,
            Some((Seller, true, true, false)),
            Some(3),
            true,
            Commit,
        ),
        // Seller-defined and unconfirmed: not commit, however likely.
        (
            0.95,
            Some((Seller, false, true, false)),
            Some(3),
            true,
            BestCase,
        ),
        // Overdue: not commit.
        (
            0.90,
            Some((Prospect, true, true, true)),
            Some(3),
            true,
            BestCase,
        ),
        // The step is done: no open step, but a recent call keeps it in.
        (
            0.90,
            Some((Prospect, true, false, false)),
            Some(3),
            true,
            BestCase,
        ),
        (
            0.69,
            Some((Prospect, true, true, false)),
            Some(3),
            true,
            BestCase,
        ),
        (0.40, None, Some(30), true, BestCase),
        (0.39, None, Some(30), true, Pipeline),
        (
            0.10,
            Some((Seller, false, true, false)),
            None,
            true,
            Pipeline,
        ),
        // Unlikely: omitted whatever the evidence.
        (
            0.09,
            Some((Prospect, true, true, false)),
            Some(1),
            true,
            Omitted,
        ),
        // No open step and no call in 30 days (or ever): omitted, however likely.
        (0.90, None, Some(31), true, Omitted),
        (0.90, None, None, true, Omitted),
        (
            0.90,
            Some((Prospect, true, false, false)),
            Some(45),
            true,
            Omitted,
        ),
        // An open step keeps a quiet deal in.
        (
            0.50,
            Some((Seller, false, true, false)),
            Some(90),
            true,
            BestCase,
        ),
        // Data without calls or steps (a CRM export alone): the activity rule is off.
        (0.90, None, None, false, BestCase),
        (0.20, None, None, false, Pipeline),
        (0.05, None, None, false, Omitted),
    ];
    for (p, step, days, tracked, want) in table {
        let got = categorize(*p, &snap(*step, *days), *tracked);
        assert_eq!(
            got, *want,
            "p {p} step {step:?} days {days:?} tracked {tracked}"
        );
    }
    for c in Category::ALL {
        assert!(!c.rule().is_empty());
    }
}

#[test]
fn quarters_parse_and_contain() {
    let table: &[QuarterCase] = &[
        ("2026-Q4", Some((2026, 4, "2026-10-01", "2026-12-31"))),
        ("2026q1", Some((2026, 1, "2026-01-01", "2026-03-31"))),
        (" 2024-Q1 ", Some((2024, 1, "2024-01-01", "2024-03-31"))),
        ("2024 Q2", Some((2024, 2, "2024-04-01", "2024-06-30"))),
        ("2025-Q3", Some((2025, 3, "2025-07-01", "2025-09-30"))),
        ("2026-Q5", None),
        ("2026-Q0", None),
        ("26-Q1", None),
        ("2026-Q", None),
        ("2026-Q11", None),
        ("Q4-2026", None),
        ("", None),
    ];
    for (text, want) in table {
        let got: Result<Quarter, _> = text.parse();
        match (got, want) {
            (Ok(q), Some((y, n, first, last))) => {
                assert_eq!((q.year(), q.quarter()), (*y, *n), "{text}");
                assert_eq!((q.first_day(), q.last_day()), (d(first), d(last)), "{text}");
                assert!(q.contains(d(first)) && q.contains(d(last)));
                assert!(!q.contains(d(first) - chrono::Duration::days(1)));
                assert_eq!(Quarter::of(d(last)), q);
                assert_eq!(q.to_string().parse::<Quarter>().unwrap(), q);
            }
            (Err(e), None) => assert!(e.to_string().contains("2026-Q4"), "{e}"),
            (got, want) => panic!("{text:?}: {got:?} != {want:?}"),
        }
    }
    assert_eq!(
        serde_json::to_string(&Quarter::new(2026, 4).unwrap()).unwrap(),
        "\"2026-Q4\""
    );
}

#[test]
fn forecast_filters_the_period_and_adds_up() {
    let mut data = closed_deals(40, 20);
    let q4 = "2026-Q4".parse::<Quarter>().unwrap();
    let as_of = d("2026-09-30");
    let mut inside = deal(500, "Engaging", "2026-08-01", None, None);
    inside.expected_close = Some(d("2026-11-15"));
    let mut outside = deal(501, "Engaging", "2026-08-01", None, None);
    outside.expected_close = Some(d("2027-02-01"));
    let mut undated = deal(502, "Engaging", "2026-08-01", None, None);
    undated.amount = None;
    // Created after the date: not in the forecast yet.
    let future = deal(503, "Engaging", "2026-10-05", None, None);
    // Closed after the date: it was open then.
    let mut later = deal(
        504,
        "Won",
        "2026-08-01",
        Some("2026-10-10"),
        Some(Outcome::Won),
    );
    later.expected_close = Some(d("2026-10-10"));
    data.deals.extend([inside, outside, undated, future, later]);
    data.deals.retain(|x| x.id != 1000);

    let r = forecast_with_history(&data, &StageHistory::new(), Some(q4), as_of);
    let mut ids = r.deal_ids.clone();
    ids.sort();
    assert_eq!(ids, vec![500, 502, 504]);
    assert_eq!(r.without_expected_close, vec![502]);
    assert!(
        r.deals
            .iter()
            .find(|x| x.deal_id == 502)
            .unwrap()
            .no_expected_close
    );
    assert!(r.notes.iter().any(|n| n.contains("no expected close")));
    assert_eq!(r.period, Some(q4));
    assert!(r.model.available && r.category_source == "model");

    let overall = r.totals.iter().find(|t| t.category == "overall").unwrap();
    for pick in [
        |t: &nextstep_insight::forecast::TotalRow| t.model.clone(),
        |t: &nextstep_insight::forecast::TotalRow| t.baseline.clone(),
    ] {
        let all = pick(overall).unwrap();
        assert_eq!(all.deals, 3);
        let parts: Vec<_> = r
            .totals
            .iter()
            .filter(|t| t.category != "overall")
            .map(|t| pick(t).unwrap())
            .collect();
        assert_eq!(parts.iter().map(|t| t.deals).sum::<usize>(), 3);
        assert_eq!(
            parts.iter().map(|t| t.expected_value_cents).sum::<i64>(),
            all.expected_value_cents
        );
        assert_eq!(
            parts.iter().map(|t| t.amount_cents).sum::<i64>(),
            all.amount_cents
        );
    }
    for x in &r.deals {
        let m = x.model.as_ref().unwrap();
        assert!((0.0..=1.0).contains(&m.probability));
        match x.amount_cents {
            Some(a) => assert_eq!(
                m.expected_value_cents,
                Some((a as f64 * m.probability).round() as i64)
            ),
            None => assert_eq!(m.expected_value_cents, None),
        }
        assert!(x.baseline_basis.is_some());
    }
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["period"], "2026-Q4");
    assert_eq!(json["totals"].as_array().unwrap().len(), 5);
    assert!(
        json["totals"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("prospect")
    );

    // Without a period every deal open on the date is in.
    let all = forecast(&data, None, as_of);
    let mut ids = all.deal_ids.clone();
    ids.sort();
    assert_eq!(ids, vec![500, 501, 502, 504]);
}

#[test]
fn a_step_from_a_call_counts_from_the_call_date_not_when_it_was_stored() {
    // Calls imported in bulk months later: the steps' created_at is the import day.
    let open = deal(1, "Demo", "2026-01-02", None, None);
    let mut first = step(
        10,
        1,
        "2026-06-01",
        DefinedBy::Seller,
        false,
        None,
        StepStatus::Superseded,
        "2026-06-01",
    );
    first.call_id = Some(100);
    let mut second = step(
        11,
        1,
        "2026-06-01",
        DefinedBy::Prospect,
        true,
        None,
        StepStatus::Open,
        "2026-06-01",
    );
    second.call_id = Some(101);
    let data = Dataset {
        deals: vec![open.clone()],
        calls: vec![
            call(100, 1, "2026-01-10", false, 0),
            call(101, 1, "2026-02-10", true, 0),
        ],
        steps: vec![first, second],
        reps: vec![],
        facts: vec![],
    };
    let history = StageHistory::default();
    // (as of, expected step id): before any call, after the first, after the second.
    let cases = [
        ("2026-01-05", None),
        ("2026-01-20", Some(10)),
        ("2026-03-01", Some(11)),
    ];
    for (as_of, want) in cases {
        let snap = snapshot(&open, &data, &history, d(as_of));
        assert_eq!(snap.step.as_ref().map(|s| s.step_id), want, "as of {as_of}");
        if let Some(s) = &snap.step {
            assert!(
                snap.open_step().is_some(),
                "step {} was open as of {as_of}",
                s.step_id
            );
        }
    }
}
