//! Hand-built datasets for the coaching, outcomes and digest tests: calls with analyses
//! constructed directly, so every expected number can be worked out by hand.
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone, Utc};
use nextstep_analyzer::{Analysis, Kind, Moment, NextStep, Owner, Side, SideBasis, SpeakerRole};
use nextstep_core::dataset::{CallRecord, Dataset};
use nextstep_core::{Deal, DefinedBy, NextStepRecord, Outcome, Rep, StepSource, StepStatus};

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

/// A moment as the analyzer writes one.
pub fn moment(speaker: &str, start: Option<f64>, text: &str, why: &str) -> Moment {
    Moment {
        speaker: speaker.into(),
        start,
        text: text.into(),
        why: why.into(),
        ..Moment::default()
    }
}

/// Builds one analysed call the way the analyzer would have judged it.
pub struct CallBuilder {
    rec: CallRecord,
    clock: f64,
}

/// A call with nothing in it yet.
pub fn call(id: i64, deal: i64, rep: &str, date: &str) -> CallBuilder {
    CallBuilder {
        rec: CallRecord {
            call_id: id,
            deal_id: deal,
            rep: Some(rep.to_string()),
            date: d(date),
            analysis: Analysis {
                speakers: vec![
                    SpeakerRole::new(rep, Side::Seller, SideBasis::Named, 1.0),
                    SpeakerRole::new("Pat Prospect", Side::Prospect, SideBasis::Unmatched, 1.0),
                ],
                inferred_sellers: Vec::new(),
                next_step: None,
                step_set_aside: None,
                asked_next_step: false,
                asks: Vec::new(),
                volunteered: Vec::new(),
                bail_outs: Vec::new(),
                confrontations: Vec::new(),
                negative_signals: Vec::new(),
                coaching: Vec::new(),
            },
        },
        clock: 60.0,
    }
}

impl CallBuilder {
    fn tick(&mut self) -> Option<f64> {
        self.clock += 5.0;
        Some(self.clock)
    }

    fn rep(&self) -> String {
        self.rec.rep.clone().unwrap_or_default()
    }

    /// The rep asked an open next-step question.
    pub fn asked(mut self) -> Self {
        let at = self.tick();
        let rep = self.rep();
        self.rec.analysis.asked_next_step = true;
        self.rec.analysis.asks.push(moment(
            &rep,
            at,
            "Where would you like to go from here?",
            "asked: \"where would you like to go from here\"",
        ));
        self
    }

    /// The call ended with a step.
    pub fn step(mut self, by: Side, confirmed: bool, kind: Kind, action: &str) -> Self {
        let at = self.tick();
        let speaker = match by {
            Side::Seller => self.rep(),
            Side::Prospect => "Pat Prospect".to_string(),
        };
        let rule = match by {
            Side::Seller => "seller defined",
            Side::Prospect => "prospect defined",
        };
        self.rec.analysis.next_step = Some(NextStep {
            action: action.into(),
            kind,
            defined_by: by,
            confirmed_by_prospect: confirmed || by == Side::Prospect,
            owner: Owner::Seller,
            due: None,
            evidence: vec![moment(
                &speaker,
                at,
                action,
                &format!("{rule}: \"{}\"", kind.as_str()),
            )],
        });
        self
    }

    /// The rep offered work nobody asked for.
    pub fn volunteered(mut self, text: &str) -> Self {
        let at = self.tick();
        let rep = self.rep();
        self.rec
            .analysis
            .volunteered
            .push(moment(&rep, at, text, "volunteered: \"proposal\""));
        self
    }

    /// The prospect showed a negative signal of this type.
    pub fn negative(mut self, kind: &str, text: &str) -> Self {
        let at = self.tick();
        self.rec.analysis.negative_signals.push(moment(
            "Pat Prospect",
            at,
            text,
            &format!("{kind}: \"{text}\""),
        ));
        self
    }

    /// A negative signal, then work volunteered without naming it: a bail-out.
    pub fn bail_out(mut self, kind: &str, signal: &str, offer: &str) -> Self {
        self = self.negative(kind, signal).volunteered(offer);
        let mut bail = self
            .rec
            .analysis
            .volunteered
            .last()
            .cloned()
            .expect("just volunteered");
        bail.why = format!("bail-out: volunteered after {kind} (\"{signal}\") without naming it");
        self.rec.analysis.bail_outs.push(bail);
        self
    }

    /// The rep named the difficulty.
    pub fn confront(mut self, text: &str) -> Self {
        let at = self.tick();
        let rep = self.rep();
        self.rec.analysis.confrontations.push(moment(
            &rep,
            at,
            text,
            "confronted: \"it looks like\"",
        ));
        self
    }

    /// The rep said there may be no fit.
    pub fn no_fit(mut self, text: &str) -> Self {
        let at = self.tick();
        let rep = self.rep();
        self.rec.analysis.confrontations.push(moment(
            &rep,
            at,
            text,
            "named no fit: \"not a good fit\"",
        ));
        self
    }

    /// The finished record.
    pub fn build(self) -> CallRecord {
        self.rec
    }
}

/// A rep with a manager.
pub fn rep(id: i64, name: &str, manager: Option<&str>) -> Rep {
    Rep {
        id,
        name: name.into(),
        manager: manager.map(str::to_string),
        team: None,
        email: None,
    }
}

/// A deal owned by `owner`, closed on `closed` with `outcome` when given.
pub fn deal(id: i64, owner: &str, outcome: Option<Outcome>, closed: Option<&str>) -> Deal {
    Deal {
        id,
        external_id: Some(format!("D{id}")),
        name: format!("Deal {id}"),
        account: None,
        owner: Some(owner.into()),
        stage: if outcome.is_some() {
            "Closed"
        } else {
            "Engaging"
        }
        .into(),
        amount: Some(100_000),
        currency: "USD".into(),
        expected_close: None,
        created: Some(d("2026-01-05")),
        closed: closed.map(d),
        outcome,
        loss_reason: None,
        product: None,
        crm_next_step: None,
    }
}

/// A recorded step on a deal, created (recorded) on `created`.
pub fn step(
    id: i64,
    deal: i64,
    by: DefinedBy,
    kind: &str,
    call_id: Option<i64>,
    created: &str,
) -> NextStepRecord {
    let at = Utc.from_utc_datetime(&d(created).and_hms_opt(12, 0, 0).expect("noon"));
    NextStepRecord {
        id,
        deal_id: deal,
        action: format!("{kind} for deal {deal}"),
        kind: kind.into(),
        owner: "seller".into(),
        due: None,
        defined_by: by,
        confirmed_by_prospect: by == DefinedBy::Prospect,
        source: if call_id.is_some() {
            StepSource::Call
        } else {
            StepSource::Manual
        },
        call_id,
        evidence: serde_json::Value::Array(Vec::new()),
        status: StepStatus::Superseded,
        created_at: at,
        updated_at: at,
    }
}

/// A dataset of these calls and reps (deals and steps empty).
pub fn dataset(calls: Vec<CallRecord>, reps: Vec<Rep>) -> Dataset {
    Dataset {
        deals: Vec::new(),
        calls,
        steps: Vec::new(),
        reps,
        facts: Vec::new(),
    }
}
