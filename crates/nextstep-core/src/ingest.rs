//! A transcript's bytes → the call and next-step records the store keeps: parse, settle
//! the call date, judge, shape. Shared by `nextstep calls add` and the queue's workers,
//! so a call stored either way is the same record.

use crate::{Call, Deal, DefinedBy, NewCall, NewNextStep, StepSource, Store, StoreError};
use chrono::NaiveDate;
use nextstep_analyzer::{Analysis, CallContext, Rules, Side, SpeakerRole};
use nextstep_transcript::Format;

/// What is known about who is on the seller's side of a call before it is judged: the
/// names given with it, the deal's owner and the team's roster, and sides a user settled.
/// Everything here beats inference; see [`nextstep_analyzer::CallContext`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KnownSides {
    /// Speakers named as the seller's side (`--seller`, an upload's `sellers`).
    pub sellers: Vec<String>,
    /// The deal's owner.
    pub owner: Option<String>,
    /// Every rep the team has (users are reps when they own deals).
    pub roster: Vec<String>,
    /// Sides already settled (a flip on the call page).
    pub fixed: Vec<SpeakerRole>,
}

impl KnownSides {
    /// Only the named sellers (no roster): `nextstep analyze`, tests.
    pub fn named(sellers: &[String]) -> KnownSides {
        KnownSides {
            sellers: sellers.to_vec(),
            ..KnownSides::default()
        }
    }
}

/// The sides the team's records know for a call on `deal`: its owner and every rep,
/// plus the `sellers` named with the call. What `calls add` and the workers judge with.
pub async fn team_sides<S: Store>(
    store: &S,
    deal: &Deal,
    sellers: &[String],
) -> Result<KnownSides, StoreError> {
    let roster = store
        .list_reps()
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    Ok(KnownSides {
        sellers: sellers.to_vec(),
        owner: deal.owner.clone(),
        roster,
        fixed: Vec::new(),
    })
}

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
/// the text or `source`, else `today`) and judges it with what is known of the sides.
pub fn judge(
    bytes: &[u8],
    source: &str,
    format: Option<Format>,
    date: Option<NaiveDate>,
    today: NaiveDate,
    sides: &KnownSides,
    rules: &Rules,
) -> Result<Judged, IngestError> {
    let transcript =
        nextstep_transcript::parse(bytes, format).map_err(|e| IngestError::Parse(e.to_string()))?;
    let text = stored_text(bytes, &transcript)?;
    let date = date
        .or_else(|| nextstep_analyzer::call_date_hint(&text, source))
        .unwrap_or(today);
    let analysis = judge_turns(&transcript.turns(), date, sides, rules)?;
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

/// The text a call keeps of its transcript: the file as it is, or for a binary format
/// (a `.docx`) the utterances read from it as JSON ([`Format::text_form`]), so the call
/// page and a later re-judgement read it back without the original bytes.
pub fn stored_text(
    bytes: &[u8],
    transcript: &nextstep_transcript::Transcript,
) -> Result<String, IngestError> {
    if transcript.format.is_binary() {
        serde_json::to_string_pretty(transcript).map_err(|e| IngestError::Encode(e.to_string()))
    } else {
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Reads a stored call's transcript back (see [`stored_text`]).
pub fn stored_transcript(
    call: &Call,
) -> Result<nextstep_transcript::Transcript, nextstep_transcript::ParseError> {
    nextstep_transcript::parse(
        call.transcript.as_bytes(),
        Format::from_name(&call.format).map(Format::text_form),
    )
}

/// Judges merged turns with what is known of the sides.
fn judge_turns(
    turns: &[nextstep_transcript::Utterance],
    date: NaiveDate,
    sides: &KnownSides,
    rules: &Rules,
) -> Result<Analysis, IngestError> {
    let ctx = CallContext {
        date,
        sellers: sides.sellers.clone(),
        owner: sides.owner.clone(),
        roster: sides.roster.clone(),
        fixed: sides.fixed.clone(),
    };
    nextstep_analyzer::analyze(turns, &ctx, rules).map_err(|e| IngestError::Analyze(e.to_string()))
}

/// The sides a stored call was judged with, as the analysis recorded them.
pub fn stored_sides(call: &Call) -> Vec<SpeakerRole> {
    serde_json::from_value::<Analysis>(call.analysis.clone())
        .map(|a| a.speakers)
        .or_else(|_| serde_json::from_value(call.speakers.clone()))
        .unwrap_or_default()
}

/// Judges a stored call again with `speaker` moved to `side` (by hand) and every other
/// speaker kept on the side the call was judged with: what a flip on the call page does.
/// The call keeps its id, date, source and text; its speakers, analysis and step change.
pub fn rejudge_with_side(
    call: &Call,
    speaker: &str,
    side: Side,
    rules: &Rules,
) -> Result<Judged, IngestError> {
    let transcript = stored_transcript(call).map_err(|e| IngestError::Parse(e.to_string()))?;
    let turns = transcript.turns();
    let speaks = turns
        .iter()
        .any(|u| u.speaker.as_deref().map(str::trim) == Some(speaker));
    if !speaks {
        return Err(IngestError::Analyze(format!(
            "no speaker {speaker:?} in this call"
        )));
    }
    let mut fixed = stored_sides(call);
    fixed.retain(|r| r.name != speaker);
    fixed.push(SpeakerRole::new(
        speaker,
        side,
        nextstep_analyzer::SideBasis::User,
        1.0,
    ));
    let sides = KnownSides {
        fixed,
        ..KnownSides::default()
    };
    let analysis = judge_turns(&turns, call.date, &sides, rules)?;
    let encode = |e: serde_json::Error| IngestError::Encode(e.to_string());
    let new = NewCall {
        date: call.date,
        source: call.source.clone(),
        format: call.format.clone(),
        transcript: call.transcript.clone(),
        speakers: serde_json::to_value(&analysis.speakers).map_err(encode)?,
        analysis: serde_json::to_value(&analysis).map_err(encode)?,
        bail_out: !analysis.bail_outs.is_empty(),
    };
    Ok(Judged {
        step: step_from(&analysis),
        call: new,
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
