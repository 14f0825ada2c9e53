//! The prospect's public confirmation page, reached from a link the seller sent: no
//! login, the token in the URL is the only key. It shows one thing — the next step in
//! plain words (what, who does it, when) — and asks whether it is the agreed one. No deal
//! data beyond that step, no navigation, none of the seller's flags.
//!
//! Its form is protected by a double-submit token: a value set as a SameSite=Strict
//! cookie scoped to `/confirm` and repeated in a hidden field, signed for this one link
//! ([`crate::form_token`]) so neither a made-up pair nor another link's token passes.
//!
//! A link asks about one step; once a newer step superseded it (or it was closed) the
//! link answers 410 and takes no answer — the prospect would confirm something stale.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use nextstep_core::{ConfirmLink, LinkAnswer, StepStatus, StoreError, TeamStore};
use serde::Deserialize;

use super::{
    UiError, UiResult, asset_version, csrf_cookie, double_submit_ok, form_fields, render_status,
};
use crate::auth::{behind_tls, cookie};
use crate::state::AppState;
use nextstep_core::secrets::digest;

/// The confirmation form's double-submit cookie.
pub const CONFIRM_CSRF_COOKIE: &str = "nextstep_confirm_csrf";
/// How long a confirmation form stays usable (seconds).
const FORM_SECONDS: i64 = 2 * 3600;
/// The longest correction kept (characters).
pub const MAX_CORRECTION_CHARS: usize = crate::limits::MAX_CORRECTION_CHARS;

/// Who carries out a step, said to the prospect.
pub fn who_does_it(owner: &str) -> &'static str {
    match owner {
        "prospect" => "You",
        "seller" => "Our team",
        "both" => "Both of us, together",
        _ => "To be agreed",
    }
}

/// A due date said in words: `Tuesday, 12 May 2026`.
pub fn when_words(due: Option<NaiveDate>) -> String {
    due.map(|d| d.format("%A, %-d %B %Y").to_string())
        .unwrap_or_else(|| "No date set yet".to_string())
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    version: &'static str,
    action: String,
    who: &'static str,
    when: String,
    csrf: String,
    previous: Option<String>,
    error: Option<String>,
}

/// Thank-you, expired and not-found pages share this template.
#[derive(Template)]
#[template(path = "confirm_message.html")]
struct ConfirmMessage {
    version: &'static str,
    id: &'static str,
    title: String,
    message: String,
}

fn message(status: StatusCode, id: &'static str, title: &str, text: &str) -> UiResult {
    render_status(
        status,
        &ConfirmMessage {
            version: asset_version(),
            id,
            title: title.into(),
            message: text.into(),
        },
    )
}

fn gone() -> UiResult {
    message(
        StatusCode::GONE,
        "confirm-expired",
        "This link has expired",
        "This confirmation link is no longer valid. If the next step still needs \
         confirming, ask your contact to send you a new link.",
    )
}

fn superseded() -> UiResult {
    message(
        StatusCode::GONE,
        "confirm-superseded",
        "This next step has changed",
        "The next step this link asked about has since been replaced or completed, so it \
         no longer needs your answer. If something is still unclear, reply to your contact.",
    )
}

/// What a link's form token is signed for: this link and no other.
fn purpose(token_hash: &str) -> String {
    format!("confirm:{token_hash}")
}

fn unknown() -> UiResult {
    message(
        StatusCode::NOT_FOUND,
        "confirm-unknown",
        "Link not found",
        "This confirmation link does not exist. Please check that you copied the whole \
         address from the message you received.",
    )
}

fn previous_answer(link: &ConfirmLink) -> Option<String> {
    match link.answer? {
        LinkAnswer::Yes => {
            Some("You already confirmed this next step. You can change your answer below.".into())
        }
        LinkAnswer::NotQuite => Some(
            "You already told us this is not quite right. You can change your answer below.".into(),
        ),
    }
}

async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    link: &ConfirmLink,
    token_hash: &str,
    status: StatusCode,
    error: Option<String>,
) -> UiResult {
    let token = state
        .form_tokens()
        .await?
        .issue(&purpose(token_hash), Utc::now().timestamp() + FORM_SECONDS)
        .map_err(UiError::internal)?;
    let page = ConfirmPage {
        version: asset_version(),
        action: link.step.action.clone(),
        who: who_does_it(&link.step.owner),
        when: when_words(link.step.due),
        csrf: token.clone(),
        previous: previous_answer(link),
        error,
    };
    let mut response: Response = render_status(status, &page)?;
    let c = csrf_cookie(
        CONFIRM_CSRF_COOKIE,
        &token,
        "/confirm",
        FORM_SECONDS,
        behind_tls(state, headers),
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, c.parse().map_err(UiError::internal)?);
    Ok(response)
}

/// A token that could be one: the links' tokens are hex; anything else is not looked up.
fn plausible(token: &str) -> bool {
    !token.is_empty() && token.len() <= 128 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /confirm/{token}`: the question, or a page saying the link is unknown (404) or
/// expired (410).
pub async fn confirm_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> UiResult {
    if !plausible(&token) {
        return unknown();
    }
    let hash = digest(&token);
    let Some(link) = state.db().confirm_link(&hash).await? else {
        return unknown();
    };
    if link.expires_at < Utc::now() {
        return gone();
    }
    if link.step.status != StepStatus::Open {
        return superseded();
    }
    form_page(&state, &headers, &link, &hash, StatusCode::OK, None).await
}

/// What the confirmation form posts.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// `yes` or `not_quite`.
    pub answer: Option<String>,
    /// The prospect's correction ("Not quite").
    pub correction: Option<String>,
    /// The double-submit token.
    pub csrf: Option<String>,
}

/// `POST /confirm/{token}`: records the answer and thanks the prospect.
pub async fn confirm_answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    posted: Result<Form<AnswerForm>, FormRejection>,
) -> UiResult {
    let form = form_fields(posted)?;
    if !plausible(&token) {
        return unknown();
    }
    let hash = digest(&token);
    let Some(link) = state.db().confirm_link(&hash).await? else {
        return unknown();
    };
    if link.expires_at < Utc::now() {
        return gone();
    }
    if link.step.status != StepStatus::Open {
        return superseded();
    }
    let sent = form.csrf.as_deref();
    let tokens = state.form_tokens().await?;
    let signed = sent.is_some_and(|t| tokens.check(&purpose(&hash), t, Utc::now().timestamp()));
    if !signed || !double_submit_ok(cookie(&headers, CONFIRM_CSRF_COOKIE), sent) {
        return form_page(
            &state,
            &headers,
            &link,
            &hash,
            StatusCode::FORBIDDEN,
            Some(
                "Your answer was not saved because the page had expired. Please answer again."
                    .into(),
            ),
        )
        .await;
    }
    let answer = match form.answer.as_deref() {
        Some("yes") => LinkAnswer::Yes,
        Some("not_quite") => LinkAnswer::NotQuite,
        _ => {
            return form_page(
                &state,
                &headers,
                &link,
                &hash,
                StatusCode::BAD_REQUEST,
                Some("Please choose “Yes” or “Not quite”.".into()),
            )
            .await;
        }
    };
    let correction: Option<String> = form
        .correction
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && answer == LinkAnswer::NotQuite)
        .map(|c| {
            c.chars()
                .filter(|ch| !ch.is_control() || matches!(ch, '\n' | '\t'))
                .take(MAX_CORRECTION_CHARS)
                .collect()
        });
    match state
        .db()
        .answer_confirm_link(&hash, answer, correction.as_deref(), Utc::now())
        .await
    {
        Ok(_) => {}
        Err(StoreError::LinkExpired(_)) => return gone(),
        Err(StoreError::LinkSuperseded) => return superseded(),
        Err(StoreError::NotFound { .. }) => return unknown(),
        Err(e) => return Err(e.into()),
    }
    let mut response = match answer {
        LinkAnswer::Yes => message(
            StatusCode::OK,
            "confirm-thanks",
            "Thank you",
            "Thanks for confirming — we'll go ahead with this next step.",
        )?,
        LinkAnswer::NotQuite => message(
            StatusCode::OK,
            "confirm-thanks",
            "Thank you",
            "Thanks for letting us know. We'll look at your correction and get back to you.",
        )?,
    };
    let clear = csrf_cookie(
        CONFIRM_CSRF_COOKIE,
        "",
        "/confirm",
        0,
        behind_tls(&state, &headers),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        clear.parse().map_err(UiError::internal)?,
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_said_in_plain_words() {
        assert_eq!(who_does_it("prospect"), "You");
        assert_eq!(who_does_it("both"), "Both of us, together");
        assert_eq!(
            when_words(Some(NaiveDate::from_ymd_opt(2026, 5, 12).unwrap())),
            "Tuesday, 12 May 2026"
        );
        assert_eq!(when_words(None), "No date set yet");
        assert!(plausible("0123abcdef"));
        assert!(!plausible("../etc"));
        assert!(!plausible(""));
    }
}
