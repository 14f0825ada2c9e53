//! The server-rendered pages: askama templates over one shared layout, a stylesheet and
//! one small script, all served by this module so the strict CSP (`script-src 'self';
//! style-src 'self'`) holds with no inline code anywhere.
//!
//! Every page reads through the store with the caller's [`Scope`](nextstep_core::Scope),
//! so what a page shows is what the store lets the caller see; templates only escape and
//! lay out. Every form POST of a session carries the session's CSRF token (hidden field
//! `csrf`); the login form and the public confirmation page, which have no session, use
//! double-submit cookies instead.
//!
//! - [`session`]: `/login`, `/logout`.
//! - [`board`]: `/`, the pipeline board.
//! - [`deal`]: `/deals/{id}` and its confirmation-link form.
//! - [`call`] and [`highlight`]: `/calls/{id}`, the transcript with its moments marked.
//! - [`insight`]: `/coach`, `/team`, `/forecast`.
//! - [`uploads`]: `/uploads`, `/import`.
//! - [`confirm`]: `/confirm/{token}`, the prospect's public page.

pub mod board;
pub mod call;
pub mod confirm;
pub mod deal;
pub mod highlight;
pub mod insight;
pub mod session;
pub mod uploads;

#[cfg(test)]
mod page_tests;

use std::sync::OnceLock;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use nextstep_core::{Cents, Role};

use crate::auth::{Caller, Via, authenticate};
use crate::error::ApiError;
use crate::state::AppState;
use nextstep_core::secrets::constant_time_eq;

/// The stylesheet, compiled in so the binary is the whole deployment.
const APP_CSS: &str = include_str!("../../static/app.css");
/// The one script (dropzone, upload polling, CSV import progress, copy button).
const APP_JS: &str = include_str!("../../static/app.js");

/// The pages' routes, merged into the application router by [`crate::router`].
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/static/app.css", get(app_css))
        .route("/static/app.js", get(app_js))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/", get(board::board))
        .route("/deals/{id}", get(deal::deal_page))
        .route("/deals/{id}/confirm-link", post(deal::create_link))
        .route("/calls/{id}", get(call::call_page))
        .route("/calls/{id}/sides", post(call::change_side))
        .route("/coach", get(insight::coach_page))
        .route("/team", get(insight::team_page))
        .route("/forecast", get(insight::forecast_page))
        .route("/uploads", get(uploads::uploads_page))
        .route("/import", get(uploads::import_page))
        .route(
            "/confirm/{token}",
            get(confirm::confirm_page).post(confirm::confirm_answer),
        )
        .fallback(not_found)
}

/// A short fingerprint of the static files, appended to their URLs (`?v=…`) so browsers
/// may cache them for a long time yet fetch a new build's files at once.
pub fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let d = nextstep_core::secrets::digest(&format!("{APP_CSS}\u{0}{APP_JS}"));
        d[..12].to_string()
    })
}

fn static_file(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn app_css() -> Response {
    static_file(APP_CSS, "text/css; charset=utf-8")
}

async fn app_js() -> Response {
    static_file(APP_JS, "text/javascript; charset=utf-8")
}

async fn not_found(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // A signed-in user keeps the navigation on the error page; others get the bare page.
    let caller = authenticate(&state, &headers).await.ok().flatten();
    UiError::not_found("There is no page at this address.")
        .with_caller(caller.as_ref())
        .into_response()
}

// ----------------------------------------------------------------------------------------
// The layout's context

/// What the shared layout needs on every signed-in page: who is signed in (for the nav
/// and the logout form), the session's CSRF token (for forms and for `app.js`, which
/// reads it from `<meta name="csrf-token">`) and which nav entry is current.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The signed-in user's login.
    pub email: String,
    /// The user's role name.
    pub role: &'static str,
    /// Admins see the Import entry.
    pub is_admin: bool,
    /// The session's CSRF token (empty for API-token callers, who post no forms).
    pub csrf: String,
    /// The current nav entry (`pipeline`, `uploads`, `coach`, `team`, `forecast`, `import`).
    pub active: &'static str,
    /// Cache-busting suffix of the static files.
    pub version: &'static str,
}

impl Chrome {
    /// The layout context for `caller` on the page named `active`.
    pub fn new(caller: &Caller, active: &'static str) -> Chrome {
        Chrome {
            email: caller.user.email.clone(),
            role: caller.user.role.as_str(),
            is_admin: caller.user.role == Role::Admin,
            csrf: caller.csrf().to_string(),
            active,
            version: asset_version(),
        }
    }
}

// ----------------------------------------------------------------------------------------
// Errors as pages

/// Why a page could not be shown: either "sign in first" (a redirect to `/login`) or an
/// HTML error page with a status — never the API's JSON, since a person reads it.
#[derive(Debug)]
pub enum UiError {
    /// No session: go to the login page.
    Login,
    /// An error page.
    Page {
        /// HTTP status.
        status: StatusCode,
        /// The page's heading.
        title: String,
        /// A sentence for the reader.
        message: String,
        /// The signed-in user, when known, so the page keeps its navigation (boxed: the
        /// error travels through every handler's `Result`).
        chrome: Option<Box<Chrome>>,
    },
}

impl UiError {
    /// An error page with this status, heading and sentence.
    pub fn page(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        UiError::Page {
            status,
            title: title.into(),
            message: message.into(),
            chrome: None,
        }
    }

    /// 404: absent, or not visible to the caller (the two look the same on purpose).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::page(StatusCode::NOT_FOUND, "Not found", message)
    }

    /// 403: signed in, but not allowed (or a form without its CSRF token).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::page(StatusCode::FORBIDDEN, "Not allowed", message)
    }

    /// 500: the detail goes to the log, the reader gets a sentence.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("page error: {detail}");
        Self::page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The server could not show this page; its log has the details.",
        )
    }

    /// Keeps the navigation of the signed-in `caller` on the error page.
    pub fn with_caller(self, caller: Option<&Caller>) -> Self {
        match self {
            UiError::Page {
                status,
                title,
                message,
                ..
            } => UiError::Page {
                status,
                title,
                message,
                chrome: caller.map(|c| Box::new(Chrome::new(c, ""))),
            },
            other => other,
        }
    }
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        let title = match e.status {
            StatusCode::UNAUTHORIZED => return UiError::Login,
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::CONFLICT => "Not possible right now",
            StatusCode::GONE => "Expired",
            StatusCode::SERVICE_UNAVAILABLE => "Not ready yet",
            _ => "Something went wrong",
        };
        UiError::page(e.status, title, e.message)
    }
}

impl From<nextstep_core::StoreError> for UiError {
    fn from(e: nextstep_core::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<crate::reports::ForecastUnavailable> for UiError {
    fn from(e: crate::reports::ForecastUnavailable) -> Self {
        ApiError::from(e).into()
    }
}

impl From<askama::Error> for UiError {
    fn from(e: askama::Error) -> Self {
        UiError::internal(e)
    }
}

/// The error page (also the 404 and 403 pages).
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Option<Chrome>,
    status: u16,
    title: String,
    message: String,
    version: &'static str,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        match self {
            UiError::Login => Redirect::to("/login").into_response(),
            UiError::Page {
                status,
                title,
                message,
                chrome,
            } => {
                let page = ErrorPage {
                    chrome: chrome.map(|c| *c),
                    status: status.as_u16(),
                    title,
                    message,
                    version: asset_version(),
                };
                match page.render() {
                    Ok(html) => {
                        let mut response = with_no_store((status, Html(html)).into_response());
                        // Not ready yet (a first forecast fit): the page asks again itself.
                        if status == StatusCode::SERVICE_UNAVAILABLE {
                            response.headers_mut().insert(
                                axum::http::header::REFRESH,
                                axum::http::HeaderValue::from_static("30"),
                            );
                        }
                        response
                    }
                    Err(e) => {
                        tracing::error!("cannot render the error page: {e}");
                        (status, "error").into_response()
                    }
                }
            }
        }
    }
}

/// What page handlers return.
pub type UiResult<T = Response> = Result<T, UiError>;

/// Renders a template as a 200 page that no cache keeps (pages carry private data).
pub fn render(t: &impl Template) -> UiResult {
    render_status(StatusCode::OK, t)
}

/// Renders a template with a status, uncached.
pub fn render_status(status: StatusCode, t: &impl Template) -> UiResult {
    let html = t.render()?;
    Ok(with_no_store((status, Html(html)).into_response()))
}

fn with_no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

// ----------------------------------------------------------------------------------------
// Who is asking

/// The signed-in caller of a page, or [`UiError::Login`] (a redirect) without one.
pub async fn page_caller(state: &AppState, headers: &HeaderMap) -> UiResult<Caller> {
    authenticate(state, headers).await?.ok_or(UiError::Login)
}

/// A posted form's fields, or a 400 page (not axum's plain-text rejection) when the body
/// is not a form.
pub fn form_fields<T>(
    posted: Result<axum::Form<T>, axum::extract::rejection::FormRejection>,
) -> UiResult<T> {
    posted.map(|axum::Form(t)| t).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return UiError::page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too large",
                "The form is larger than the server accepts.",
            );
        }
        UiError::page(
            StatusCode::BAD_REQUEST,
            "Bad request",
            format!("The form could not be read: {}", e.body_text()),
        )
    })
}

/// Refuses a form POST whose `csrf` field is not the session's token (403). API-token
/// callers are let through: browsers never send bearer tokens on their own, so a forged
/// cross-site form cannot carry one.
pub fn check_csrf(caller: &Caller, sent: Option<&str>) -> UiResult<()> {
    match &caller.via {
        Via::Token => Ok(()),
        Via::Session { csrf } => {
            if !csrf.is_empty() && sent.is_some_and(|s| constant_time_eq(s, csrf)) {
                Ok(())
            } else {
                Err(UiError::forbidden(
                    "This form is missing its security token or has an old one. \
                     Reload the page and try again.",
                )
                .with_caller(Some(caller)))
            }
        }
    }
}

/// Whether a double-submit token from a form matches its cookie: both present, non-empty
/// and equal (compared in constant time).
pub fn double_submit_ok(cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        (Some(c), Some(f)) => !c.is_empty() && constant_time_eq(c, f),
        _ => false,
    }
}

/// A short-lived double-submit cookie (HttpOnly, SameSite=Strict) scoped to `path`.
pub fn csrf_cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> String {
    let mut c =
        format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}");
    if secure {
        c.push_str("; Secure");
    }
    c
}

// ----------------------------------------------------------------------------------------
// Formatting shared by the pages

/// Money in minor units as people read it: `12,345 USD` (cents shown only when present).
pub fn money(cents: Option<Cents>, currency: &str) -> String {
    match cents {
        None => "—".to_string(),
        Some(c) => {
            let sign = if c < 0 { "-" } else { "" };
            let abs = c.unsigned_abs();
            let units = group(abs / 100);
            let frac = abs % 100;
            let cur = if currency.is_empty() { "" } else { currency };
            let num = if frac == 0 {
                format!("{sign}{units}")
            } else {
                format!("{sign}{units}.{frac:02}")
            };
            if cur.is_empty() {
                num
            } else {
                format!("{num} {cur}")
            }
        }
    }
}

/// Whole currency units with thousands separators: `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A date as `2026-05-12`, or a dash.
pub fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".to_string())
}

/// A share 0–1 as a whole percentage, or a dash.
pub fn pct(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) => format!("{:.0}%", v * 100.0),
        None => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands_and_keeps_cents() {
        assert_eq!(money(Some(123_456_700), "USD"), "1,234,567 USD");
        assert_eq!(money(Some(99), "EUR"), "0.99 EUR");
        assert_eq!(money(Some(-500_000), ""), "-5,000");
        assert_eq!(money(None, "USD"), "—");
        assert_eq!(group(0), "0");
        assert_eq!(group(100), "100");
        assert_eq!(group(1000), "1,000");
    }

    #[test]
    fn double_submit_needs_both_halves_equal() {
        assert!(double_submit_ok(Some("abc"), Some("abc")));
        assert!(!double_submit_ok(Some("abc"), Some("abd")));
        assert!(!double_submit_ok(None, Some("abc")));
        assert!(!double_submit_ok(Some("abc"), None));
        assert!(!double_submit_ok(Some(""), Some("")));
    }

    #[test]
    fn csrf_cookies_are_strict_and_scoped() {
        let c = csrf_cookie("x", "v", "/confirm", 600, true);
        for part in [
            "x=v",
            "Path=/confirm",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
        ] {
            assert!(c.contains(part), "{c}");
        }
    }
}
