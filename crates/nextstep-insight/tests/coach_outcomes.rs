//! The outcomes report on a hand-made set of closed deals, worked out by hand.

mod coach_support;

use coach_support::{call, dataset, deal, step};
use nextstep_core::dataset::Dataset;
use nextstep_core::{DefinedBy, Outcome};
use nextstep_insight::outcomes::{OutcomesReport, WinGroup, outcomes};

use DefinedBy::{Prospect, Seller};
use Outcome::{Disqualified, Lost, Won};

fn data() -> Dataset {
    let calls = vec![
        call(101, 1, "Ann", "2026-02-01").build(),
        call(102, 3, "Ann", "2026-03-02").build(),
        call(103, 2, "Ann", "2026-02-15").build(),
        call(104, 2, "Ann", "2026-02-20").build(),
        call(105, 9, "Ann", "2026-04-12").build(),
        call(106, 7, "Ann", "2026-04-12").build(),
        call(107, 6, "Ann", "2026-01-20").build(),
        call(108, 4, "Ann", "2026-03-01").build(),
    ];
    let mut data = dataset(calls, Vec::new());
    data.deals = vec![
        deal(1, "Ann", Some(Won), Some("2026-03-01")),
        deal(2, "Ann", Some(Lost), Some("2026-03-10")),
        deal(3, "Ann", Some(Won), Some("2026-04-01")),
        deal(4, "Ann", Some(Lost), Some("2026-04-05")),
        deal(5, "Ann", Some(Won), Some("2026-04-10")),
        deal(6, "Ann", Some(Disqualified), Some("2026-02-01")),
        deal(7, "Ann", None, None),
        deal(8, "Ann", Some(Lost), Some("2026-05-01")),
        deal(9, "Ann", Some(Lost), Some("2026-05-02")),
        deal(10, "Ann", Some(Won), Some("2026-06-01")),
    ];
    data.steps = vec![
        // Deal 1: a volunteered proposal from call 101, then a step the prospect defined.
        step(1, 1, Seller, "proposal", Some(101), "2026-02-03"),
        step(2, 1, Prospect, "meeting", None, "2026-02-10"),
        // Deal 2: a volunteered quote, entered by hand.
        step(3, 2, Seller, "quote", None, "2026-02-20"),
        // Deal 3: a requested proposal, recorded late: dated by its call (2026-03-02).
        step(4, 3, Prospect, "proposal", Some(102), "2026-03-20"),
        // Deal 6 (disqualified): a volunteered proposal.
        step(5, 6, Seller, "proposal", None, "2026-01-20"),
        // Deal 7 (open): ignored.
        step(6, 7, Seller, "proposal", None, "2026-04-01"),
        // Deal 8: a seller-defined meeting — not volunteered work.
        step(7, 8, Seller, "meeting", None, "2026-04-01"),
        // Deal 9: requested quote, then a volunteered proposal.
        step(8, 9, Prospect, "quote", None, "2026-04-02"),
        step(9, 9, Seller, "proposal", None, "2026-04-12"),
        // Deal 10: a requested quote recorded after the close: 0 days.
        step(10, 10, Prospect, "quote", None, "2026-06-05"),
    ];
    data
}

fn group(won: &[i64], lost: &[i64]) -> WinGroup {
    let deals = won.len() + lost.len();
    WinGroup {
        deals,
        won: won.len(),
        lost: lost.len(),
        win_rate: (deals > 0).then(|| won.len() as f64 / deals as f64),
        won_deal_ids: won.to_vec(),
        lost_deal_ids: lost.to_vec(),
    }
}

#[test]
fn win_rates_by_who_defined_the_last_step() {
    let r = outcomes(&data());
    assert_eq!(r.closed_deals, 8);
    assert_eq!(r.win_rate, Some(0.5));
    assert_eq!(r.disqualified.deals, 1);
    assert_eq!(r.disqualified.deal_ids, vec![6]);
    let cases = [
        (
            "prospect",
            &r.by_last_step.prospect,
            group(&[1, 3, 10], &[]),
        ),
        ("seller", &r.by_last_step.seller, group(&[], &[2, 8, 9])),
        ("none", &r.by_last_step.none, group(&[5], &[4])),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, &want, "{name}");
    }
}

#[test]
fn volunteered_and_requested_proposals() {
    let r = outcomes(&data());
    let v = &r.proposals.volunteered;
    assert_eq!(v.wins, group(&[1], &[2, 9]));
    assert_eq!(v.disqualified, 1);
    assert_eq!(v.step_ids, vec![1, 3, 5, 9]);
    // Days: deal 1 28 (from call 101's date), deal 2 18, deal 9 20.
    assert_eq!(v.median_days_to_close, Some(20.0));
    assert_eq!(v.median_days_to_close_won, Some(28.0));

    let q = &r.proposals.requested;
    assert_eq!(q.wins, group(&[3, 10], &[9]));
    assert_eq!(q.disqualified, 0);
    assert_eq!(q.step_ids, vec![4, 8, 10]);
    // Days: deal 3 30 (call date, not the late created_at), deal 9 30, deal 10 0.
    assert_eq!(q.median_days_to_close, Some(30.0));
    assert_eq!(q.median_days_to_close_won, Some(15.0));
}

#[test]
fn time_spent_on_deals_lost_after_volunteering() {
    let r = outcomes(&data());
    let t = &r.time_lost_after_volunteering;
    assert_eq!(t.deal_ids, vec![2, 9]);
    assert_eq!(t.call_ids, vec![103, 104, 105]);
    assert_eq!(t.calls, 3);
    assert_eq!(t.calls_on_closed_deals, 7);
    assert_eq!(t.share, Some(3.0 / 7.0));
}

#[test]
fn nothing_closed_gives_empty_groups_and_null_rates() {
    let r = outcomes(&Dataset::default());
    assert_eq!(r, OutcomesReport::default());
    assert_eq!(r.win_rate, None);
    assert_eq!(r.time_lost_after_volunteering.share, None);
    let v = serde_json::to_value(&r).expect("serialises");
    assert!(v["by_last_step"]["prospect"]["win_rate"].is_null());
    assert!(v["proposals"]["volunteered"]["median_days_to_close"].is_null());
}

#[test]
fn json_shape() {
    let v = serde_json::to_value(outcomes(&data())).expect("serialises");
    assert_eq!(
        v["by_last_step"]["prospect"]["win_rate"].as_f64(),
        Some(1.0)
    );
    assert_eq!(
        v["by_last_step"]["seller"]["lost_deal_ids"],
        serde_json::json!([2, 8, 9])
    );
    // The win group is flattened into the proposal group.
    assert_eq!(v["proposals"]["volunteered"]["won"], 1);
    assert_eq!(v["proposals"]["volunteered"]["disqualified"], 1);
    assert_eq!(
        v["time_lost_after_volunteering"]["call_ids"],
        serde_json::json!([103, 104, 105])
    );
}
