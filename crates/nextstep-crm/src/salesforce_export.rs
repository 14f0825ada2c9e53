//! Deals → a Salesforce-loadable Opportunity CSV, so the honest next step nextstep keeps
//! goes back into the CRM the team lives in — with who defined it beside it.
//!
//! Columns: `Id`, `NextStep_External_Id__c`, `Name`, `Account.Name`, `StageName`,
//! `Amount`, `CurrencyIsoCode`, `CloseDate`, `NextStep`, `NextStep_Provenance__c`.
//!
//! - `Id` is the deal's external id when it looks like an Opportunity id (15 characters,
//!   or 18 with a valid case-safe suffix, starting `006`), else blank (Data Loader then
//!   inserts). `NextStep_External_Id__c` always carries nextstep's external id, for an
//!   upsert on an external-id field and so the file reads back to the same deals
//!   (the [`salesforce`](crate::Preset::Salesforce) preset prefers it to `Id`).
//! - `StageName` is the deal's stage, except that a closed deal whose stage is not a
//!   `Closed …` stage (Maven's `Won`) is written `Closed Won` / `Closed Lost`, since
//!   Salesforce decides closed-ness by the stage. Disqualified deals are `Closed Lost`.
//! - `Amount` is a plain decimal (`1234.50`), `CloseDate` `YYYY-MM-DD` (the closed date
//!   for closed deals, else the expected close).
//! - `NextStep` is the open step's action on one line, cut to Salesforce's 255-character
//!   limit ([`NEXT_STEP_LIMIT`]) with `…` when cut. The length is counted in UTF-16 code
//!   units, as Salesforce's Java platform counts string length, so an emoji counts two;
//!   that is never longer than 255 characters either way. Deals without an open step get
//!   an empty `NextStep` and provenance (Data Loader leaves blank fields unchanged).
//! - `NextStep_Provenance__c` says who defined the step, whether the prospect confirmed
//!   it, where it came from and when it is due: `prospect-defined, confirmed, from call
//!   2026-04-14, due 2026-04-21`.

use std::io;

use chrono::NaiveDate;
use nextstep_core::model::{Deal, DefinedBy, NextStepRecord, Outcome, StepSource, StepStatus};

use crate::values::format_cents;

/// Salesforce's length limit for the Opportunity `NextStep` field.
pub const NEXT_STEP_LIMIT: usize = 255;

/// The header [`write_salesforce_deals`] writes.
pub const SALESFORCE_COLUMNS: [&str; 10] = [
    "Id",
    "NextStep_External_Id__c",
    "Name",
    "Account.Name",
    "StageName",
    "Amount",
    "CurrencyIsoCode",
    "CloseDate",
    "NextStep",
    "NextStep_Provenance__c",
];

/// A deal to export, with its open step and the date of the call that step came from.
#[derive(Debug, Clone, Copy)]
pub struct DealWithStep<'a> {
    /// The deal.
    pub deal: &'a Deal,
    /// Its open step; a step that is not open is treated as none.
    pub step: Option<&'a NextStepRecord>,
    /// The date of the step's call, when the caller knows it.
    pub call_date: Option<NaiveDate>,
}

/// Whether `id` looks like a Salesforce Opportunity id: key prefix `006`, 15 alphanumeric
/// characters, or 18 whose last three encode the case of the first fifteen.
pub fn is_salesforce_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    if !(bytes.len() == 15 || bytes.len() == 18)
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
        || !id.starts_with("006")
    {
        return false;
    }
    if bytes.len() == 15 {
        return true;
    }
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    bytes[..15]
        .chunks(5)
        .zip(&bytes[15..])
        .all(|(chunk, &check)| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            ALPHABET[bits] == check
        })
}

/// The action on one line (runs of whitespace with a line break become one space), cut to
/// [`NEXT_STEP_LIMIT`] UTF-16 code units on a character boundary, ending in `…` when cut.
pub fn salesforce_next_step(action: &str) -> String {
    let one_line: String = action
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.encode_utf16().count() <= NEXT_STEP_LIMIT {
        return one_line;
    }
    let budget = NEXT_STEP_LIMIT - 1; // room for the ellipsis (one code unit)
    let mut used = 0;
    let mut end = 0;
    for (index, c) in one_line.char_indices() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        end = index + c.len_utf8();
    }
    format!("{}…", one_line[..end].trim_end())
}

/// The provenance line: `prospect-defined, confirmed, from call 2026-04-14, due
/// 2026-04-21` (or `seller-defined, not confirmed, entered by hand, no due date`).
pub fn provenance(step: &NextStepRecord, call_date: Option<NaiveDate>) -> String {
    let defined = match step.defined_by {
        DefinedBy::Prospect => "prospect-defined",
        DefinedBy::Seller => "seller-defined",
    };
    let confirmed = if step.confirmed_by_prospect {
        "confirmed"
    } else {
        "not confirmed"
    };
    let source = match (step.source, call_date) {
        (StepSource::Call, Some(date)) => format!("from call {date}"),
        (StepSource::Call, None) => "from a call".to_owned(),
        (StepSource::Manual, _) => "entered by hand".to_owned(),
    };
    let due = step
        .due
        .map_or_else(|| "no due date".to_owned(), |d| format!("due {d}"));
    format!("{defined}, {confirmed}, {source}, {due}")
}

fn stage_name(deal: &Deal) -> &str {
    let closed_stage = deal
        .stage
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("closed"));
    match deal.outcome {
        Some(Outcome::Won) if !closed_stage => "Closed Won",
        Some(Outcome::Lost | Outcome::Disqualified) if !closed_stage => "Closed Lost",
        _ => &deal.stage,
    }
}

/// Writes the deals as a Salesforce Opportunity CSV (see the module docs for each column)
/// and returns how many rows were written.
pub fn write_salesforce_deals<'a, W: io::Write>(
    writer: W,
    deals: impl IntoIterator<Item = DealWithStep<'a>>,
) -> Result<usize, csv::Error> {
    let mut out = csv::Writer::from_writer(writer);
    out.write_record(SALESFORCE_COLUMNS)?;
    let mut written = 0;
    for item in deals {
        let deal = item.deal;
        let external = deal.external_id.as_deref().unwrap_or("");
        let id = if is_salesforce_id(external) {
            external
        } else {
            ""
        };
        let step = item.step.filter(|s| s.status == StepStatus::Open);
        let amount = deal.amount.map(format_cents).unwrap_or_default();
        let close = if deal.outcome.is_some() {
            deal.closed.or(deal.expected_close)
        } else {
            deal.expected_close
        };
        let close = close
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let next_step = step
            .map(|s| salesforce_next_step(&s.action))
            .unwrap_or_default();
        let provenance = step
            .map(|s| provenance(s, item.call_date))
            .unwrap_or_default();
        out.write_record([
            id,
            external,
            &deal.name,
            deal.account.as_deref().unwrap_or(""),
            stage_name(deal),
            &amount,
            &deal.currency,
            &close,
            &next_step,
            &provenance,
        ])?;
        written += 1;
    }
    out.flush()?;
    Ok(written)
}
