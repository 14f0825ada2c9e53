//! Who is asking: argon2id passwords, random secrets stored only as digests, session
//! cookies with a CSRF token each, and bearer API tokens — turned into a [`Caller`]
//! whose [`Scope`](nextstep_core::Scope) every read then carries.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use chrono::{DateTime, Duration, Utc};
use nextstep_core::secrets::{constant_time_eq, digest, random_hex};
use nextstep_core::{NewSession, Role, Scope, TeamStore, User};

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "nextstep_session";
/// How long a login lasts.
pub const SESSION_DAYS: i64 = 14;
/// The header a cookie-authenticated API write carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Login attempts allowed per email within `LOCKOUT_WINDOW` before every further one
/// is refused unchecked (a success starts afresh). Counted by the store before the
/// password is checked, so parallel attempts cannot slip past it.
pub const MAX_LOGIN_ATTEMPTS: u32 = 5;
/// How long a window of attempts lasts (and so how long a locked email waits).
pub const LOCKOUT_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session; writes must carry this CSRF token.
    Session {
        /// The session's CSRF token.
        csrf: String,
    },
    /// A bearer API token (not sent automatically by browsers, so no CSRF).
    Token,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user: User,
    /// How they authenticated.
    pub via: Via,
}

impl Caller {
    /// What this caller may see.
    pub fn scope(&self) -> Scope {
        self.user.scope()
    }

    /// The session's CSRF token (empty for token callers, who post no forms).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf } => csrf,
            Via::Token => "",
        }
    }

    /// Refuses callers below `role` (admin > manager > rep).
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        let rank = |r: Role| match r {
            Role::Rep => 0,
            Role::Manager => 1,
            Role::Admin => 2,
        };
        if rank(self.user.role) >= rank(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role; you are a {}",
                role.as_str(),
                self.user.role.as_str()
            )))
        }
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Who sent these headers, if anyone: a bearer token first, then the session cookie.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Caller>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        return Ok(state
            .db()
            .token_user(&digest(token), Utc::now())
            .await?
            .map(|user| Caller {
                user,
                via: Via::Token,
            }));
    }
    let Some(session) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state
        .db()
        .session(&digest(session), Utc::now())
        .await?
        .map(|(user, csrf)| Caller {
            user,
            via: Via::Session { csrf },
        }))
}

/// An API caller: 401 JSON without credentials, and 403 for a cookie-authenticated
/// write without the session's `X-CSRF-Token` header.
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = authenticate(state, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let writes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if writes && let Via::Session { csrf } = &caller.via {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|s| constant_time_eq(s, csrf)) {
                return Err(ApiError::forbidden(
                    "a write with a session cookie needs the X-CSRF-Token header",
                ));
            }
        }
        Ok(ApiCaller(caller))
    }
}

/// A new login session for `user`: records its digest and returns the `Set-Cookie` value.
pub async fn start_session(
    state: &AppState,
    user: &User,
    secure: bool,
) -> Result<String, ApiError> {
    let secret = random_hex(32).map_err(ApiError::internal)?;
    let csrf = random_hex(16).map_err(ApiError::internal)?;
    let expires_at: DateTime<Utc> = Utc::now() + Duration::days(SESSION_DAYS);
    state
        .db()
        .create_session(&NewSession {
            id_hash: digest(&secret),
            user_id: user.id,
            csrf,
            expires_at,
        })
        .await?;
    Ok(session_cookie(&secret, SESSION_DAYS * 86_400, secure))
}

/// The `Set-Cookie` value for a session secret (empty with max-age 0 to log out):
/// HttpOnly (scripts cannot read it), SameSite=Lax (other sites' forms do not send it),
/// Secure when the server is behind TLS.
pub fn session_cookie(secret: &str, max_age: i64, secure: bool) -> String {
    let mut c =
        format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Whether the request came over TLS (directly configured, or said so by the proxy in
/// front), which decides the cookie's `Secure` attribute.
pub fn behind_tls(state: &AppState, headers: &HeaderMap) -> bool {
    state.config().secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_and_written_with_their_flags() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; nextstep_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
        let c = session_cookie("s", 60, true);
        for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(c.contains(flag), "{c}");
        }
        assert!(!session_cookie("s", 60, false).contains("Secure"));
    }
}
