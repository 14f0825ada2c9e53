//! Signing in and out. The login form has no session yet, so its CSRF protection is a
//! double-submit cookie (`nextstep_login_csrf`, SameSite=Strict, scoped to `/login`)
//! whose value the form repeats; logging out is a POST carrying the session's token.

use std::sync::OnceLock;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use nextstep_store::TeamStore;
use serde::Deserialize;

use super::{
    UiError, UiResult, asset_version, check_csrf, csrf_cookie, double_submit_ok, form_fields,
    page_caller, render_status,
};
use crate::auth::{
    SESSION_COOKIE, authenticate, behind_tls, cookie, digest, hash_password, random_hex,
    session_cookie, start_session, verify_password,
};
use crate::state::AppState;

/// The login form's double-submit cookie.
pub const LOGIN_CSRF_COOKIE: &str = "nextstep_login_csrf";
/// How long a login form stays usable (seconds).
const LOGIN_FORM_SECONDS: i64 = 3600;

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

/// The login form with a fresh double-submit token (its cookie set alongside); `status`
/// is 200 for the first showing and 401 after a wrong password.
fn login_response(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> UiResult {
    let token = random_hex(16).map_err(UiError::internal)?;
    let secure = behind_tls(state, headers);
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
    login_response(&state, &headers, StatusCode::OK, String::new(), None)
}

/// A PHC string to verify against when the email is unknown, so a wrong email takes as
/// long as a wrong password and response times do not reveal who has an account.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("nextstep decoy password").unwrap_or_default())
}

/// `POST /login`: checks the double-submit token, then the password; starts a session
/// and goes to the board, or shows the form again (401) saying "wrong email or password".
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Result<Form<LoginForm>, FormRejection>,
) -> UiResult {
    let form = form_fields(posted)?;
    if !double_submit_ok(cookie(&headers, LOGIN_CSRF_COOKIE), form.csrf.as_deref()) {
        return login_response(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            form.email,
            Some("The form expired. Please sign in again.".into()),
        );
    }
    let email = form.email.trim().to_lowercase();
    let now = std::time::Instant::now();
    if let Some(wait) = state.login_throttle().locked_for(&email, now) {
        return login_response(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            form.email,
            Some(format!(
                "too many wrong passwords for this email; try again in {} minutes",
                wait.as_secs().div_ceil(60)
            )),
        );
    }
    let found = if email.is_empty() {
        None
    } else {
        state.db().login_lookup(&email).await?
    };
    let password = form.password;
    let user = match found {
        Some((user, phc)) => {
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
                .await
                .unwrap_or(false);
            ok.then_some(user)
        }
        None => {
            let _ =
                tokio::task::spawn_blocking(move || verify_password(&password, decoy_hash())).await;
            None
        }
    };
    let Some(user) = user else {
        state.login_throttle().failed(&email, now);
        return login_response(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            form.email,
            Some("wrong email or password".into()),
        );
    };
    state.login_throttle().succeeded(&email);
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
