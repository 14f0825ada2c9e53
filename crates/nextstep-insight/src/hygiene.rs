//! The pipeline hygiene report: every open deal with its next step and the flags that
//! say what is wrong with it — no step, overdue, a step the seller defined that the
//! prospect never confirmed, no recent call, or a bail-out on the last call.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use nextstep_core::{Cents, DefinedBy, NextStepRecord, PipelineRow};
use serde::Serialize;

/// What can be wrong with an open deal's next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Flag {
    /// The deal has no open next step.
    NoNextStep,
    /// The open step's due date has passed.
    Overdue,
    /// The seller defined the step and the prospect never agreed to it.
    SellerDefinedUnconfirmed,
    /// No call in the last N days (or never).
    Stale,
    /// The latest call had a bail-out.
    BailOutLastCall,
}

impl Flag {
    /// Every flag, in report order.
    pub const ALL: [Flag; 5] = [
        Flag::NoNextStep,
        Flag::Overdue,
        Flag::SellerDefinedUnconfirmed,
        Flag::Stale,
        Flag::BailOutLastCall,
    ];

    /// The name reports and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::NoNextStep => "NO_NEXT_STEP",
            Flag::Overdue => "OVERDUE",
            Flag::SellerDefinedUnconfirmed => "SELLER_DEFINED_UNCONFIRMED",
            Flag::Stale => "STALE",
            Flag::BailOutLastCall => "BAIL_OUT_LAST_CALL",
        }
    }
}

/// Settings of one report run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// "Today", for overdue and stale (a parameter so reports are reproducible).
    pub today: NaiveDate,
    /// A deal with no call for more than this many days is stale.
    pub stale_days: i64,
}

/// Count and money behind one flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FlagTotal {
    /// Deals carrying the flag.
    pub deals: u64,
    /// Sum of their amounts, in cents: the money at risk.
    pub amount_at_risk_cents: Cents,
}

/// The report's header numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Open deals in the report.
    pub open_deals: u64,
    /// Their total amount, in cents.
    pub open_amount_cents: Cents,
    /// Deals with no flag at all.
    pub healthy_deals: u64,
    /// Per flag, in report order.
    pub flags: BTreeMap<Flag, FlagTotal>,
}

/// One open deal with its flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The store's row (deal, open step, last call).
    #[serde(flatten)]
    pub pipeline: PipelineRow,
    /// What is wrong, in [`Flag::ALL`] order.
    pub flags: Vec<Flag>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Header numbers.
    pub summary: Summary,
    /// Open deals, largest amount first.
    pub rows: Vec<Row>,
}

/// The flags of one open deal.
pub fn flags_for(row: &PipelineRow, opts: &Options) -> Vec<Flag> {
    let mut flags = Vec::new();
    match &row.next_step {
        None => flags.push(Flag::NoNextStep),
        Some(step) => {
            if step.due.is_some_and(|d| d < opts.today) {
                flags.push(Flag::Overdue);
            }
            if seller_unconfirmed(step) {
                flags.push(Flag::SellerDefinedUnconfirmed);
            }
        }
    }
    let stale = match row.last_call {
        None => true,
        Some(d) => (opts.today - d).num_days() > opts.stale_days,
    };
    if stale {
        flags.push(Flag::Stale);
    }
    if row.last_call_bail_out {
        flags.push(Flag::BailOutLastCall);
    }
    flags
}

fn seller_unconfirmed(step: &NextStepRecord) -> bool {
    step.defined_by == DefinedBy::Seller && !step.confirmed_by_prospect
}

/// Builds the report from the store's pipeline rows (open deals only are expected;
/// closed ones are dropped).
pub fn report(rows: Vec<PipelineRow>, opts: &Options) -> Report {
    let mut out: Vec<Row> = rows
        .into_iter()
        .filter(|r| r.deal.is_open())
        .map(|row| Row {
            flags: flags_for(&row, opts),
            pipeline: row,
        })
        .collect();
    out.sort_by(|a, b| {
        b.pipeline
            .deal
            .amount
            .unwrap_or(0)
            .cmp(&a.pipeline.deal.amount.unwrap_or(0))
            .then(a.pipeline.deal.id.cmp(&b.pipeline.deal.id))
    });
    Report {
        summary: summarize(out.iter()),
        rows: out,
    }
}

/// The header numbers of some report rows: how a filtered view (one owner, one flag)
/// gets its own totals without recomputing the flags.
pub fn summarize<'a>(rows: impl Iterator<Item = &'a Row>) -> Summary {
    let mut summary = Summary::empty();
    for row in rows {
        summary.add(
            row.flags.iter().copied(),
            row.pipeline.deal.amount.unwrap_or(0),
        );
    }
    summary
}

impl Summary {
    /// No deals yet, every flag listed at zero (reports always show all five).
    pub fn empty() -> Summary {
        Summary {
            flags: Flag::ALL
                .iter()
                .map(|f| (*f, FlagTotal::default()))
                .collect(),
            ..Summary::default()
        }
    }

    /// Counts one open deal of `amount` cents carrying `flags`.
    pub fn add(&mut self, flags: impl IntoIterator<Item = Flag>, amount: Cents) {
        self.open_deals += 1;
        self.open_amount_cents += amount;
        let mut healthy = true;
        for f in flags {
            healthy = false;
            let total = self.flags.entry(f).or_default();
            total.deals += 1;
            total.amount_at_risk_cents += amount;
        }
        if healthy {
            self.healthy_deals += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use nextstep_core::{Deal, Outcome, StepSource, StepStatus};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn deal(id: i64, amount: Option<Cents>, outcome: Option<Outcome>) -> Deal {
        Deal {
            id,
            external_id: Some(format!("X{id}")),
            name: format!("Deal {id}"),
            account: None,
            owner: Some("Rep".into()),
            stage: "Engaging".into(),
            amount,
            currency: "USD".into(),
            expected_close: None,
            created: None,
            closed: None,
            outcome,
            loss_reason: None,
            product: None,
            crm_next_step: None,
        }
    }

    fn step(defined_by: DefinedBy, confirmed: bool, due: Option<&str>) -> NextStepRecord {
        NextStepRecord {
            id: 1,
            deal_id: 1,
            action: "Demo for the ops team".into(),
            kind: "demo".into(),
            owner: "both".into(),
            due: due.map(d),
            defined_by,
            confirmed_by_prospect: confirmed,
            source: StepSource::Call,
            call_id: None,
            evidence: serde_json::Value::Null,
            status: StepStatus::Open,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn flags_follow_the_step_and_the_last_call() {
        let opts = Options {
            today: d("2026-04-20"),
            stale_days: 14,
        };
        let row = |s: Option<NextStepRecord>, call: Option<&str>, bail: bool| PipelineRow {
            deal: deal(1, Some(100), None),
            next_step: s,
            last_call: call.map(d),
            last_call_bail_out: bail,
        };
        use Flag::*;
        let cases: Vec<(PipelineRow, Vec<Flag>)> = vec![
            (row(None, None, false), vec![NoNextStep, Stale]),
            (
                row(None, Some("2026-04-10"), true),
                vec![NoNextStep, BailOutLastCall],
            ),
            (
                row(
                    Some(step(DefinedBy::Prospect, true, Some("2026-04-21"))),
                    Some("2026-04-19"),
                    false,
                ),
                vec![],
            ),
            (
                row(
                    Some(step(DefinedBy::Prospect, true, Some("2026-04-19"))),
                    Some("2026-04-19"),
                    false,
                ),
                vec![Overdue],
            ),
            (
                row(
                    Some(step(DefinedBy::Seller, false, None)),
                    Some("2026-04-06"),
                    false,
                ),
                vec![SellerDefinedUnconfirmed],
            ),
            (
                row(
                    Some(step(DefinedBy::Seller, true, None)),
                    Some("2026-04-05"),
                    false,
                ),
                vec![Stale],
            ),
        ];
        for (i, (r, want)) in cases.iter().enumerate() {
            assert_eq!(&flags_for(r, &opts), want, "case {i}");
        }
    }

    #[test]
    fn the_report_sorts_by_amount_and_totals_money_at_risk() {
        let opts = Options {
            today: d("2026-04-20"),
            stale_days: 30,
        };
        let rows = vec![
            PipelineRow {
                deal: deal(1, Some(500), None),
                next_step: None,
                last_call: Some(d("2026-04-19")),
                last_call_bail_out: false,
            },
            PipelineRow {
                deal: deal(2, Some(900), None),
                next_step: Some(step(DefinedBy::Prospect, true, None)),
                last_call: Some(d("2026-04-19")),
                last_call_bail_out: false,
            },
            PipelineRow {
                deal: deal(3, Some(10_000), Some(Outcome::Won)),
                next_step: None,
                last_call: None,
                last_call_bail_out: false,
            },
        ];
        let r = report(rows, &opts);
        assert_eq!(
            r.rows
                .iter()
                .map(|r| r.pipeline.deal.id)
                .collect::<Vec<_>>(),
            [2, 1]
        );
        assert_eq!(r.summary.open_deals, 2);
        assert_eq!(r.summary.open_amount_cents, 1400);
        assert_eq!(r.summary.healthy_deals, 1);
        let none = r.summary.flags[&Flag::NoNextStep];
        assert_eq!((none.deals, none.amount_at_risk_cents), (1, 500));
        assert_eq!(r.summary.flags[&Flag::Stale].deals, 0);
    }
}
