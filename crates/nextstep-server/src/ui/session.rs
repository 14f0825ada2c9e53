//! Signing in and out. The login form has no session yet, so its CSRF protection is a
//! double-submit cookie (`nextstep_login_csrf`, SameSite=Strict, scoped to `/login`)
//! whose value the form repeats — a token the servers signed ([`crate::form_token`]), so
//! a made-up matching pair is refused. Logging out is a POST carrying the session's token.
//!
//! A login attempt passes, in order: the form token, the per-address limit
//! ([`crate::address_limit`]), a turn in the bounded password-checking pool
//! ([`crate::hashing`]; 503 when the server is busy), the store's atomic per-email count
//! ([`TeamStore::count_login_attempt`]; 429 after five), and only then the password check.

use std::sync::OnceLock;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use chrono::Utc;
use nextstep_core::{LoginGate, TeamStore};
use serde::Deserialize;

use super::{
    UiError, UiResult, asset_version, check_csrf, csrf_cookie, double_submit_ok, form_fields,
    page_caller, render_status,
};
use crate::auth::{
    LOCKOUT_WINDOW, MAX_LOGIN_ATTEMPTS, SESSION_COOKIE, authenticate, behind_tls, cookie,
    session_cookie, start_session,
};
use crate::limits::{MAX_EMAIL_CHARS, MAX_PASSWORD_BYTES};
use crate::state::AppState;
use nextstep_core::secrets::{digest, hash_password};

/// The login form's double-submit cookie.
pub const LOGIN_CSRF_COOKIE: &str = "nextstep_login_csrf";
/// How long a login form stays usable (seconds).
const LOGIN_FORM_SECONDS: i64 = 3600;
/// What the login form's token is signed for.
const LOGIN_PURPOSE: &str = "login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    version: &'static str,
    csrf: String,
    email: String,
    error: Option<String>,
}

/// What the login form posts.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// The login.
    #[serde(default)]
    pub email: String,
    /// The password.
    #[serde(default)]
    pub password: String,
    /// The double-submit token (equal to the cookie).
    pub csrf: Option<String>,
}

/// What the logout form posts.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token.
    pub csrf: Option<String>,
}

/// The login form with a fresh signed double-submit token (its cookie set alongside);
/// `status` is 200 for the first showing and the refusal's status after a failed
/// attempt; `retry_after` (seconds) tells a refused client when to try again.
async fn login_response(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    error: Option<String>,
    retry_after: Option<u64>,
) -> UiResult {
    let expires = Utc::now().timestamp() + LOGIN_FORM_SECONDS;
    let token = state
        .form_tokens()
        .await?
        .issue(LOGIN_PURPOSE, expires)
        .map_err(UiError::internal)?;
    let secure = behind_tls(state, headers);
    let email: String = email.chars().take(MAX_EMAIL_CHARS).collect();
    let page = LoginPage {
        version: asset_version(),
        csrf: token.clone(),
        email,
        error,
    };
    let mut response = render_status(status, &page)?;
    let c = csrf_cookie(
        LOGIN_CSRF_COOKIE,
        &token,
        "/login",
        LOGIN_FORM_SECONDS,
        secure,
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, c.parse().map_err(UiError::internal)?);
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    }
    Ok(response)
}

/// `GET /login`: the form (or straight to the board when already signed in).
pub async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> UiResult {
    if authenticate(&state, &headers)
        .await
        .ok()
        .flatten()
        .is_some()
    {
        return Ok(Redirect::to("/").into_response());
    }
    login_response(&state, &headers, StatusCode::OK, String::new(), None, None).await
}

/// A PHC string to verify against when the email is unknown, so a wrong email takes as
/// long as a wrong password and response times do not reveal who has an account.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("nextstep decoy password").unwrap_or_default())
}

/// `POST /login`: checks the signed double-submit token, the address's and the email's
/// attempt budgets and the password, in that order (see the module doc); starts a
/// session and goes to the board, or shows the form again saying why.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    posted: Result<Form<LoginForm>, FormRejection>,
) -> UiResult {
    let form = form_fields(posted)?;
    let refuse = async |status: StatusCode, message: String, retry_after: Option<u64>| {
        login_response(
            &state,
            &headers,
            status,
            form.email.clone(),
            Some(message),
            retry_after,
        )
        .await
    };
    let sent = form.csrf.as_deref();
    let signed = match sent {
        Some(t) => state
            .form_tokens()
            .await?
            .check(LOGIN_PURPOSE, t, Utc::now().timestamp()),
        None => false,
    };
    if !signed || !double_submit_ok(cookie(&headers, LOGIN_CSRF_COOKIE), sent) {
        return refuse(
            StatusCode::FORBIDDEN,
            "The form expired. Please sign in again.".into(),
            None,
        )
        .await;
    }
    if form.email.chars().count() > MAX_EMAIL_CHARS || form.password.len() > MAX_PASSWORD_BYTES {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "the email may have up to {MAX_EMAIL_CHARS} characters and the password up \
                 to {MAX_PASSWORD_BYTES} bytes"
            ),
            None,
        )
        .await;
    }
    if let Some(ip) = crate::address_limit::peer_ip(&extensions)
        && let Err(wait) = state.address_limit().check(ip)
    {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many sign-in attempts from your address; try again in {} seconds",
                wait.as_secs().max(1)
            ),
            Some(wait.as_secs()),
        )
        .await;
    }
    let email = form.email.trim().to_lowercase();
    // A turn first: a busy server refuses before anyone is charged an attempt.
    let turn = match state.hash_pool().turn().await {
        Ok(turn) => turn,
        Err(busy) => {
            return refuse(StatusCode::SERVICE_UNAVAILABLE, busy.to_string(), Some(1)).await;
        }
    };
    let found = if email.is_empty() {
        None
    } else {
        let window = chrono::Duration::from_std(LOCKOUT_WINDOW).unwrap_or_default();
        let gate = state
            .db()
            .count_login_attempt(&email, Utc::now(), MAX_LOGIN_ATTEMPTS, window)
            .await?;
        if let LoginGate::Locked { until } = gate {
            let wait = (until - Utc::now()).num_seconds().max(1);
            drop(turn);
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many sign-in attempts for this email; try again in {} minutes",
                    wait.unsigned_abs().div_ceil(60)
                ),
                Some(wait.unsigned_abs()),
            )
            .await;
        }
        state.db().login_lookup(&email).await?
    };
    let password = form.password.clone();
    let user = match found {
        Some((user, phc)) => turn.verify(password, phc).await.then_some(user),
        None => {
            let decoy = tokio::task::spawn_blocking(|| decoy_hash().to_string())
                .await
                .unwrap_or_default();
            turn.verify(password, decoy).await;
            None
        }
    };
    let Some(user) = user else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "wrong email or password".into(),
            None,
        )
        .await;
    };
    state.db().clear_login_attempts(&email).await?;
    let secure = behind_tls(&state, &headers);
    let session = start_session(&state, &user, secure).await?;
    let clear = csrf_cookie(LOGIN_CSRF_COOKIE, "", "/login", 0, secure);
    Ok((
        AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, clear)]),
        Redirect::to("/"),
    )
        .into_response())
}

/// `POST /logout`: ends the session (CSRF-checked) and clears its cookie.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, UiError> {
    let caller = page_caller(&state, &headers).await?;
    let form = form_fields(posted)?;
    check_csrf(&caller, form.csrf.as_deref())?;
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        state.db().delete_session(&digest(secret)).await?;
    }
    let clear = session_cookie("", 0, behind_tls(&state, &headers));
    Ok((
        AppendHeaders([(header::SET_COOKIE, clear)]),
        Redirect::to("/login"),
    )
        .into_response())
}
