//! A transcript's bytes → the call and next-step records the store keeps: parse, settle
//! the call date, judge, shape. Shared by `nextstep calls add` and the queue's workers,
//! so a call stored either way is the same record.

use chrono::NaiveDate;
use nextstep_analyzer::{Analysis, CallContext, Rules, Side};
use nextstep_store::{DefinedBy, NewCall, NewNextStep, StepSource};
use nextstep_transcript::Format;

/// Why a transcript could not become a call (the message names what was wrong).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The bytes are not a transcript in any format nextstep reads.
    #[error("{0}")]
    Parse(String),
    /// The analyzer refused the transcript (no speakers, …).
    #[error("{0}")]
    Analyze(String),
    /// The analysis could not be turned into JSON (never for a well-formed analysis).
    #[error("cannot encode the analysis: {0}")]
    Encode(String),
}

/// One transcript read and judged, ready to store.
#[derive(Debug, Clone)]
pub struct Judged {
    /// The call record.
    pub call: NewCall,
    /// The next step it ended with, if any.
    pub step: Option<NewNextStep>,
    /// The judgement itself.
    pub analysis: Analysis,
}

/// Reads `bytes` (format detected unless given), dates the call (`date`, else a date in
/// the text or `source`, else `today`) and judges it.
pub fn judge(
    bytes: &[u8],
    source: &str,
    format: Option<Format>,
    date: Option<NaiveDate>,
    today: NaiveDate,
    sellers: &[String],
    rules: &Rules,
) -> Result<Judged, IngestError> {
    let transcript =
        nextstep_transcript::parse(bytes, format).map_err(|e| IngestError::Parse(e.to_string()))?;
    let text = String::from_utf8_lossy(bytes).into_owned();
    let date = date
        .or_else(|| nextstep_analyzer::call_date_hint(&text, source))
        .unwrap_or(today);
    let ctx = CallContext {
        date,
        sellers: sellers.to_vec(),
    };
    let analysis = nextstep_analyzer::analyze(&transcript.turns(), &ctx, rules)
        .map_err(|e| IngestError::Analyze(e.to_string()))?;
    let call = new_call(
        source.to_string(),
        &text,
        transcript.format,
        date,
        &analysis,
    )?;
    Ok(Judged {
        step: step_from(&analysis),
        call,
        analysis,
    })
}

/// The call record to store for a judged transcript.
pub fn new_call(
    source: String,
    text: &str,
    format: Format,
    date: NaiveDate,
    a: &Analysis,
) -> Result<NewCall, IngestError> {
    let encode = |e: serde_json::Error| IngestError::Encode(e.to_string());
    Ok(NewCall {
        date,
        source,
        format: format.as_str().to_string(),
        transcript: text.to_string(),
        speakers: serde_json::to_value(&a.speakers).map_err(encode)?,
        analysis: serde_json::to_value(a).map_err(encode)?,
        bail_out: !a.bail_outs.is_empty(),
    })
}

/// The next step a judged call ended with, as the store records it (provenance: call).
pub fn step_from(a: &Analysis) -> Option<NewNextStep> {
    a.next_step.as_ref().map(|s| NewNextStep {
        action: s.action.clone(),
        kind: s.kind.as_str().to_string(),
        owner: s.owner.as_str().to_string(),
        due: s.due,
        defined_by: match s.defined_by {
            Side::Prospect => DefinedBy::Prospect,
            Side::Seller => DefinedBy::Seller,
        },
        confirmed_by_prospect: s.confirmed_by_prospect,
        source: StepSource::Call,
        call_id: None,
        evidence: serde_json::to_value(&s.evidence).unwrap_or_default(),
    })
}
