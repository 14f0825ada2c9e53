//! The deal page: header, calls, next-step history (who defined each, with its evidence),
//! stage history, confirmation links and their answers, the "create confirmation link"
//! form, and the drop zone that uploads a call through the API.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use nextstep_analyzer::Moment;
use nextstep_core::{
    ConfirmLink, DefinedBy, LinkAnswer, NextStepRecord, StepSource, StepStatus, Store, TeamStore,
};

use super::board::{Badge, overdue};
use super::session::CsrfForm;
use super::{Chrome, UiResult, check_csrf, date, form_fields, money, page_caller, render_status};
use crate::api::new_confirm_link;
use crate::auth::Caller;
use crate::state::AppState;

struct CallRow {
    id: i64,
    date: String,
    source: String,
    format: String,
    bail_out: bool,
}

struct StepRow {
    action: String,
    kind: String,
    defined_by: &'static str,
    defined_class: &'static str,
    confirmed: bool,
    status: &'static str,
    due: String,
    source: &'static str,
    call_id: Option<i64>,
    quote: Option<(String, String)>,
    recorded: String,
}

struct StageRow {
    stage: String,
    at: String,
}

struct LinkRow {
    created: String,
    expires: String,
    step: String,
    /// `answered-yes`, `answered-not-quite`, `expired` or `waiting`.
    state: &'static str,
    answer: String,
}

/// The link just created, shown once.
struct NewLink {
    url: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage {
    chrome: Chrome,
    id: i64,
    name: String,
    external_id: String,
    account: String,
    owner: String,
    stage: String,
    amount: String,
    expected_close: String,
    outcome: String,
    crm_next_step: String,
    calls: Vec<CallRow>,
    steps: Vec<StepRow>,
    stages: Vec<StageRow>,
    links: Vec<LinkRow>,
    has_open_step: bool,
    badge_class: &'static str,
    badge_label: &'static str,
    overdue: bool,
    new_link: Option<NewLink>,
    notice: Option<String>,
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn step_row(s: &NextStepRecord) -> StepRow {
    let evidence: Vec<Moment> = serde_json::from_value(s.evidence.clone()).unwrap_or_default();
    StepRow {
        action: s.action.clone(),
        kind: s.kind.clone(),
        defined_by: s.defined_by.as_str(),
        defined_class: match s.defined_by {
            DefinedBy::Prospect => "who who-prospect",
            DefinedBy::Seller => "who who-seller",
        },
        confirmed: s.confirmed_by_prospect,
        status: s.status.as_str(),
        due: date(s.due),
        source: match s.source {
            StepSource::Call => "call",
            StepSource::Manual => "manual",
        },
        call_id: s.call_id,
        quote: evidence.into_iter().next().map(|m| (m.speaker, m.text)),
        recorded: s.created_at.format("%Y-%m-%d").to_string(),
    }
}

fn link_row(l: &ConfirmLink, now: DateTime<Utc>) -> LinkRow {
    let (state, answer) = match (l.answer, l.answered_at) {
        (Some(LinkAnswer::Yes), at) => (
            "answered-yes",
            format!(
                "Prospect confirmed on {}",
                at.map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "an unknown date".into())
            ),
        ),
        (Some(LinkAnswer::NotQuite), _) => (
            "answered-not-quite",
            format!(
                "Prospect said not quite: {}",
                l.correction
                    .as_deref()
                    .filter(|c| !c.trim().is_empty())
                    .unwrap_or("(no correction given)")
            ),
        ),
        (None, _) if l.expires_at < now => ("expired", "Expired without an answer".into()),
        (None, _) => ("waiting", "Waiting for the prospect".into()),
    };
    LinkRow {
        created: when(l.created_at),
        expires: when(l.expires_at),
        step: l.step.action.clone(),
        state,
        answer,
    }
}

async fn build(
    state: &AppState,
    caller: &Caller,
    key: &str,
    new_link: Option<NewLink>,
    notice: Option<String>,
) -> UiResult<DealPage> {
    let db = state.db();
    let deal = db.find_deal(&caller.scope(), key).await?;
    let calls = db.calls_for_deal(deal.id).await?;
    let steps = db.next_step_history(deal.id).await?;
    let stages = db.stage_history(deal.id).await?;
    let links = db.confirm_links_for_deal(deal.id).await?;
    let now = Utc::now();
    let open = steps.iter().rfind(|s| s.status == StepStatus::Open);
    let badge = Badge::for_step(open);
    Ok(DealPage {
        chrome: Chrome::new(caller, "pipeline"),
        id: deal.id,
        name: deal.name.clone(),
        external_id: deal.external_id.clone().unwrap_or_default(),
        account: deal.account.clone().unwrap_or_else(|| "—".into()),
        owner: deal.owner.clone().unwrap_or_else(|| "—".into()),
        stage: deal.stage.clone(),
        amount: money(deal.amount, &deal.currency),
        expected_close: date(deal.expected_close),
        outcome: deal
            .outcome
            .map(|o| o.as_str().to_string())
            .unwrap_or_default(),
        crm_next_step: deal.crm_next_step.clone().unwrap_or_default(),
        calls: calls
            .iter()
            .rev()
            .map(|c| CallRow {
                id: c.id,
                date: c.date.format("%Y-%m-%d").to_string(),
                source: c.source.clone(),
                format: c.format.clone(),
                bail_out: c.bail_out,
            })
            .collect(),
        has_open_step: open.is_some(),
        badge_class: badge.class(),
        badge_label: badge.label(),
        overdue: overdue(open, now.date_naive()),
        steps: steps.iter().rev().map(step_row).collect(),
        stages: stages
            .iter()
            .rev()
            .map(|s| StageRow {
                stage: s.stage.clone(),
                at: when(s.at),
            })
            .collect(),
        links: links.iter().map(|l| link_row(l, now)).collect(),
        new_link,
        notice,
    })
}

/// `GET /deals/{id}`: one deal the caller may see (by nextstep id or CRM id).
pub async fn deal_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    async {
        let page = build(&state, &caller, &id, None, None).await?;
        render_status(StatusCode::OK, &page)
    }
    .await
    .map_err(|e| e.with_caller(Some(&caller)))
}

/// `POST /deals/{id}/confirm-link`: creates a confirmation link for the open step and
/// shows the deal page with the link's URL — the only time it is ever shown.
pub async fn create_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    posted: Result<Form<CsrfForm>, FormRejection>,
) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    let form = form_fields(posted)?;
    check_csrf(&caller, form.csrf.as_deref())?;
    async {
        match new_confirm_link(&state, &caller, &id).await {
            Ok(link) => {
                let shown = NewLink {
                    url: link.url,
                    expires: when(link.expires_at),
                };
                let page = build(&state, &caller, &id, Some(shown), None).await?;
                render_status(StatusCode::OK, &page)
            }
            Err(e) if e.status == StatusCode::CONFLICT => {
                let page = build(&state, &caller, &id, None, Some(e.message)).await?;
                render_status(StatusCode::CONFLICT, &page)
            }
            Err(e) => Err(e.into()),
        }
    }
    .await
    .map_err(|e| e.with_caller(Some(&caller)))
}
