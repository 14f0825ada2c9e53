//! The call page: the transcript as turns with the analyzer's moments marked (bail-outs,
//! confrontations, asks, negative signals, the next step) and the coaching beside them.
//!
//! Long transcripts are paged ([`TURNS_PER_PAGE`] turns a page, `?page=N`), and a
//! transcript that does not split into turns is shown only up to [`RAW_SHOWN_BYTES`]: a
//! 1 MB transcript once rendered a 49 MB page in one piece.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use nextstep_analyzer::{Analysis, Side, SideBasis};
use nextstep_core::Store;
use serde::Deserialize;

use super::highlight::{self, MomentClass, TurnIn, TurnView};
use super::{Chrome, UiError, UiResult, check_csrf, date, form_fields, page_caller, render};
use crate::auth::Caller;
use crate::state::AppState;

/// Turns shown on one page of a call.
pub const TURNS_PER_PAGE: usize = 200;
/// The most of an unsplittable transcript shown on its page (bytes).
pub const RAW_SHOWN_BYTES: usize = 256 * 1024;

/// Which page of a long call.
#[derive(Debug, Deserialize)]
pub struct CallQuery {
    /// 1-based page of turns.
    pub page: Option<usize>,
}

/// Where the shown turns sit in the call, for the pager.
struct Pager {
    page: usize,
    pages: usize,
    first: usize,
    last: usize,
    total: usize,
}

/// The next step as the call page sums it up.
struct StepView {
    action: String,
    kind: String,
    defined_by: &'static str,
    confirmed: bool,
    owner: String,
    due: String,
}

/// A speaker, their side, why, and the side a click would move them to.
struct SpeakerView {
    name: String,
    /// `seller` or `prospect`.
    side: &'static str,
    reason: String,
    /// The other side, as the form sends it.
    flip_to: &'static str,
    /// The button's words.
    flip_label: &'static str,
    /// 1-based position, for element ids.
    index: usize,
}

/// The side form posted from the call page.
#[derive(Debug, Deserialize)]
pub struct SideForm {
    /// The session's CSRF token.
    pub csrf: Option<String>,
    /// The speaker, as the call lists them.
    pub speaker: String,
    /// `seller` or `prospect`.
    pub side: String,
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
    /// With no step: what the rules read as one and why it did not count.
    set_aside: Option<(String, String)>,
    coaching: Vec<String>,
    speakers: Vec<SpeakerView>,
    legend: Vec<(&'static str, &'static str, usize)>,
    turns: Vec<TurnView>,
    pager: Option<Pager>,
    lost: Vec<LostMoment>,
    raw: Option<String>,
    raw_cut: bool,
}

/// `GET /calls/{id}`: one call the caller may see.
pub async fn call_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<CallQuery>, QueryRejection>,
) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    // A malformed page number shows the first page.
    let page = query.ok().and_then(|Query(q)| q.page).unwrap_or(1).max(1);
    show(&state, &caller, &id, page)
        .await
        .map_err(|e| e.with_caller(Some(&caller)))
}

async fn show(state: &AppState, caller: &Caller, id: &str, page: usize) -> UiResult {
    let scope = caller.scope();
    let not_found = || UiError::not_found(format!("There is no call {id:?} you can see."));
    let call_id: i64 = id.parse().map_err(|_| not_found())?;
    let call = state.db().find_call(&scope, call_id).await?;
    let deal = state
        .db()
        .find_deal(&scope, &call.deal_id.to_string())
        .await?;

    let analysis: Option<Analysis> = serde_json::from_value(call.analysis.clone()).ok();
    let parsed = nextstep_core::ingest::stored_transcript(&call)
        .map(|t| t.turns())
        .ok();

    let marked = analysis
        .as_ref()
        .map(|a| highlight::moments(a, state.rules().ask_instead()))
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
        None => (Vec::new(), Vec::new(), Some(call.transcript.as_str())),
    };
    let (turns, pager, lost) = page_of(turns, lost, page);
    let (raw, raw_cut) = match raw {
        Some(text) if text.len() > RAW_SHOWN_BYTES => {
            let mut end = RAW_SHOWN_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            (Some(text[..end].to_string()), true)
        }
        Some(text) => (Some(text.to_string()), false),
        None => (None, false),
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
    let set_aside = analysis
        .as_ref()
        .and_then(|a| a.step_set_aside.as_ref())
        .map(|m| (m.text.clone(), m.why.clone()));
    let speakers = analysis
        .as_ref()
        .map(|a| {
            a.speakers
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let (side, flip_to, flip_label) = match s.role {
                        Side::Seller => ("seller", "prospect", "Move to the prospect's side"),
                        Side::Prospect => ("prospect", "seller", "Move to the seller's side"),
                    };
                    SpeakerView {
                        name: s.name.clone(),
                        side,
                        reason: match s.basis {
                            // Names given with a call come with its upload (or `calls add`).
                            SideBasis::Named => "named at upload".into(),
                            _ => s.reason_text(),
                        },
                        flip_to,
                        flip_label,
                        index: i + 1,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
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
        set_aside,
        coaching: analysis
            .as_ref()
            .map(|a| a.coaching.clone())
            .unwrap_or_default(),
        speakers,
        legend,
        turns,
        pager,
        lost,
        raw,
        raw_cut,
    };
    render(&page)
}

/// `POST /calls/{id}/sides`: the call page's side buttons. Moves the speaker, judges
/// the call again (the deal's step follows) and shows the call page again.
pub async fn change_side(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    posted: Result<Form<SideForm>, FormRejection>,
) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    let form = form_fields(posted)?;
    check_csrf(&caller, form.csrf.as_deref())?;
    let side = match form.side.as_str() {
        "seller" => Side::Seller,
        "prospect" => Side::Prospect,
        _ => {
            return Err(UiError::page(
                axum::http::StatusCode::BAD_REQUEST,
                "Bad request",
                "A side is `seller` or `prospect`.",
            )
            .with_caller(Some(&caller)));
        }
    };
    crate::api::change_side(&state, &caller, &id, &form.speaker, side)
        .await
        .map_err(|e| UiError::from(e).with_caller(Some(&caller)))?;
    Ok(Redirect::to(&format!("/calls/{id}#speakers")).into_response())
}

/// The turns of page `page` (clamped to the last), the pager when there is more than one
/// page, and the unplaced moments (listed on the first page only).
fn page_of<T>(
    turns: Vec<TurnView>,
    lost: Vec<T>,
    page: usize,
) -> (Vec<TurnView>, Option<Pager>, Vec<T>) {
    let total = turns.len();
    if total <= TURNS_PER_PAGE {
        return (turns, None, lost);
    }
    let pages = total.div_ceil(TURNS_PER_PAGE);
    let page = page.clamp(1, pages);
    let first = (page - 1) * TURNS_PER_PAGE;
    let shown: Vec<TurnView> = turns.into_iter().skip(first).take(TURNS_PER_PAGE).collect();
    let pager = Pager {
        page,
        pages,
        first: first + 1,
        last: first + shown.len(),
        total,
    };
    let lost = if page == 1 { lost } else { Vec::new() };
    (shown, Some(pager), lost)
}
