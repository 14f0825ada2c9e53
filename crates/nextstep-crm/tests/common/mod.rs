//! Stored records for the export tests.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use nextstep_core::model::{Deal, DefinedBy, NextStepRecord, Outcome, StepSource, StepStatus};

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn deal(id: i64, external_id: Option<&str>, name: &str) -> Deal {
    Deal {
        id,
        external_id: external_id.map(str::to_owned),
        name: name.to_owned(),
        account: Some("Globex Corporation".to_owned()),
        owner: Some("Dana Whitfield".to_owned()),
        stage: "Proposal/Price Quote".to_owned(),
        amount: Some(8_650_000),
        currency: "USD".to_owned(),
        expected_close: Some(date("2026-06-01")),
        created: Some(date("2026-02-11")),
        closed: None,
        outcome: None,
        loss_reason: None,
        product: None,
        crm_next_step: None,
    }
}

pub fn closed(mut deal: Deal, outcome: Outcome, stage: &str, on: &str) -> Deal {
    deal.outcome = Some(outcome);
    deal.stage = stage.to_owned();
    deal.closed = Some(date(on));
    deal
}

pub fn step(id: i64, deal_id: i64, action: &str, due: Option<&str>) -> NextStepRecord {
    NextStepRecord {
        id,
        deal_id,
        action: action.to_owned(),
        kind: "meeting".to_owned(),
        owner: "both".to_owned(),
        due: due.map(date),
        defined_by: DefinedBy::Prospect,
        confirmed_by_prospect: true,
        source: StepSource::Call,
        call_id: Some(40 + id),
        evidence: serde_json::json!([]),
        status: StepStatus::Open,
        created_at: at("2026-04-14T15:04:05Z"),
        updated_at: at("2026-04-14T15:04:05Z"),
    }
}

pub fn seller_unconfirmed(mut step: NextStepRecord) -> NextStepRecord {
    step.defined_by = DefinedBy::Seller;
    step.confirmed_by_prospect = false;
    step.source = StepSource::Manual;
    step.call_id = None;
    step.kind = "proposal".to_owned();
    step.owner = "seller".to_owned();
    step
}
