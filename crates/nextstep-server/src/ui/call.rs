//! The call page: the transcript as turns with the analyzer's moments marked (bail-outs,
//! confrontations, asks, negative signals, the next step) and the coaching beside them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use nextstep_analyzer::{Analysis, Side};
use nextstep_store::Store;
use nextstep_transcript::Format;

use super::highlight::{self, MomentClass, TurnIn, TurnView};
use super::{Chrome, UiError, UiResult, date, page_caller, render};
use crate::auth::Caller;
use crate::state::AppState;

/// The next step as the call page sums it up.
struct StepView {
    action: String,
    kind: String,
    defined_by: &'static str,
    confirmed: bool,
    owner: String,
    due: String,
}

/// A moment that matched no turn, listed under the transcript.
struct LostMoment {
    class: &'static str,
    label: &'static str,
    speaker: String,
    text: String,
    note: String,
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    chrome: Chrome,
    call_id: i64,
    deal_id: i64,
    deal_name: String,
    date: String,
    source: String,
    format: String,
    bail_out: bool,
    analysed: bool,
    step: Option<StepView>,
    coaching: Vec<String>,
    legend: Vec<(&'static str, &'static str, usize)>,
    turns: Vec<TurnView>,
    lost: Vec<LostMoment>,
    raw: Option<String>,
}

/// `GET /calls/{id}`: one call the caller may see.
pub async fn call_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    show(&state, &caller, &id)
        .await
        .map_err(|e| e.with_caller(Some(&caller)))
}

async fn show(state: &AppState, caller: &Caller, id: &str) -> UiResult {
    let scope = caller.scope();
    let not_found = || UiError::not_found(format!("There is no call {id:?} you can see."));
    let call_id: i64 = id.parse().map_err(|_| not_found())?;
    let call = state.db().find_call(&scope, call_id).await?;
    let deal = state
        .db()
        .find_deal(&scope, &call.deal_id.to_string())
        .await?;

    let analysis: Option<Analysis> = serde_json::from_value(call.analysis.clone()).ok();
    let parsed =
        nextstep_transcript::parse(call.transcript.as_bytes(), Format::from_name(&call.format))
            .map(|t| t.turns())
            .ok();

    let marked = analysis
        .as_ref()
        .map(highlight::moments)
        .unwrap_or_default();
    let side_of = |name: &str| {
        analysis
            .as_ref()
            .and_then(|a| a.speakers.iter().find(|s| s.name == name))
            .map(|s| s.role)
    };
    let (turns, lost, raw) = match &parsed {
        Some(utterances) => {
            let ins: Vec<TurnIn<'_>> = utterances
                .iter()
                .map(|u| TurnIn {
                    speaker: u.speaker.as_deref(),
                    start: u.start,
                    text: &u.text,
                })
                .collect();
            let (views, lost) = highlight::mark(&ins, &marked, side_of);
            let lost = lost
                .into_iter()
                .map(|m| LostMoment {
                    class: m.kind.class(),
                    label: m.kind.label(),
                    speaker: m.moment.speaker.clone(),
                    text: m.moment.text.clone(),
                    note: m.note.clone(),
                })
                .collect();
            (views, lost, None)
        }
        None => (Vec::new(), Vec::new(), Some(call.transcript.clone())),
    };
    let legend = MomentClass::ALL
        .into_iter()
        .map(|k| {
            (
                k.class(),
                k.label(),
                marked.iter().filter(|m| m.kind == k).count(),
            )
        })
        .filter(|(_, _, n)| *n > 0)
        .collect();
    let step = analysis
        .as_ref()
        .and_then(|a| a.next_step.as_ref())
        .map(|s| StepView {
            action: s.action.clone(),
            kind: s.kind.as_str().to_string(),
            defined_by: match s.defined_by {
                Side::Prospect => "prospect",
                Side::Seller => "seller",
            },
            confirmed: s.confirmed_by_prospect,
            owner: s.owner.as_str().to_string(),
            due: date(s.due),
        });
    let page = CallPage {
        chrome: Chrome::new(caller, "pipeline"),
        call_id: call.id,
        deal_id: deal.id,
        deal_name: deal.name,
        date: call.date.format("%Y-%m-%d").to_string(),
        source: call.source,
        format: call.format,
        bail_out: call.bail_out,
        analysed: analysis.is_some(),
        step,
        coaching: analysis
            .as_ref()
            .map(|a| a.coaching.clone())
            .unwrap_or_default(),
        legend,
        turns,
        lost,
        raw,
    };
    render(&page)
}
