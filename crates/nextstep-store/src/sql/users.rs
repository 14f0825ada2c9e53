//! Users, sessions, login throttling and the server's key.

use super::*;

/// `SELECT` of a [`User`]: 6 columns, decoded by [`user_at`].
pub(super) const USER_SELECT: &str = "SELECT u.id, u.email, u.role, u.rep_id, r.name, u.created_at \
     FROM users u LEFT JOIN reps r ON r.id = u.rep_id";

/// A [`User`] from [`USER_SELECT`]'s 6 columns.
pub(super) fn user_at(row: &DbRow) -> Result<User, StoreError> {
    Ok(User {
        id: col(row, 0, "users.id")?,
        email: col(row, 1, "users.email")?,
        role: parse_role(&col::<String>(row, 2, "users.role")?)?,
        rep_id: col(row, 3, "users.rep_id")?,
        rep_name: col(row, 4, "reps.name")?,
        created_at: col(row, 5, "users.created_at")?,
    })
}

/// The user with id `id`, inside a transaction.
pub(super) async fn user_by_id(conn: &mut Conn, id: i64) -> Result<User, StoreError> {
    let row = sqlx::query(concatcp!(USER_SELECT, " WHERE u.id = $1"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    user_at(&row)
}

/// The SQL of `TeamStore::create_user`.
pub(super) async fn create_user(store: &Backend, user: &NewUser) -> Result<User, StoreError> {
    let email = user.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(StoreError::Conflict("a user needs an email".into()));
    }
    let mut tx = store.begin_write().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!("user {email} already exists")));
    }
    let manager_rep = match &user.manager_email {
        None => None,
        Some(m) => {
            let m = m.trim().to_lowercase();
            let rep: Option<Option<i64>> =
                sqlx::query_scalar("SELECT rep_id FROM users WHERE email = $1")
                    .bind(&m)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
            match rep {
                Some(Some(rep)) => Some(rep),
                Some(None) => {
                    return Err(StoreError::Conflict(format!(
                        "manager {m} is not a rep or manager (no rep record)"
                    )));
                }
                None => {
                    return Err(StoreError::Conflict(format!(
                        "no user {m} to be the manager; add them first"
                    )));
                }
            }
        }
    };
    let needs_rep = user.role != Role::Admin || user.rep_name.is_some();
    let rep_id = if needs_rep {
        let by_name: Option<i64> = match &user.rep_name {
            Some(name) => sqlx::query_scalar("SELECT id FROM reps WHERE name = $1")
                .bind(name.trim())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?,
            None => sqlx::query_scalar(
                "SELECT id FROM reps WHERE lower(email) = $1 ORDER BY id LIMIT 1",
            )
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?,
        };
        match by_name {
            Some(id) => Some(id),
            None => {
                let name = user.rep_name.as_deref().map(str::trim).unwrap_or(&email);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO reps (name, email) VALUES ($1, $2) RETURNING id",
                )
                .bind(name)
                .bind(&email)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                Some(id)
            }
        }
    } else {
        None
    };
    if let (Some(rep), Some(manager)) = (rep_id, manager_rep) {
        if rep == manager {
            return Err(StoreError::Conflict(format!(
                "{email} cannot be their own manager"
            )));
        }
        sqlx::query("UPDATE reps SET manager_id = $1 WHERE id = $2")
            .bind(manager)
            .bind(rep)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, role, rep_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&email)
    .bind(&user.password_hash)
    .bind(role_str(user.role))
    .bind(rep_id)
    .bind(Utc::now())
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let created = user_by_id(&mut tx, id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(created)
}

/// The SQL of `TeamStore::list_users`.
pub(super) async fn list_users(store: &Backend) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query(concatcp!(USER_SELECT, " ORDER BY u.email"))
        .fetch_all(&store.pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(user_at).collect()
}

/// The SQL of `TeamStore::login_lookup`.
pub(super) async fn login_lookup(
    store: &Backend,
    email: &str,
) -> Result<Option<(User, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, u.rep_id, r.name, u.created_at, \
         u.password_hash FROM users u LEFT JOIN reps r ON r.id = u.rep_id \
         WHERE u.email = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(&store.pool)
    .await
    .map_err(db_err)?;
    match row {
        Some(row) => Ok(Some((user_at(&row)?, col(&row, 6, "users.password_hash")?))),
        None => Ok(None),
    }
}

/// The SQL of `TeamStore::set_password`.
pub(super) async fn set_password(
    store: &Backend,
    email: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
        .bind(password_hash)
        .bind(email.trim().to_lowercase())
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "user",
            key: email.to_string(),
        });
    }
    Ok(())
}

/// The SQL of `TeamStore::create_session`.
pub(super) async fn create_session(
    store: &Backend,
    session: &NewSession,
) -> Result<(), StoreError> {
    // Expired sessions go as new ones come, so the table holds live ones only.
    // (SQLite compares the RFC 3339 UTC texts, which sort as time does.)
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(Utc::now())
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session.id_hash)
    .bind(session.user_id)
    .bind(&session.csrf)
    .bind(Utc::now())
    .bind(session.expires_at)
    .execute(&store.pool)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The SQL of `TeamStore::session`.
pub(super) async fn session(
    store: &Backend,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(User, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, u.rep_id, r.name, u.created_at, s.csrf, \
         s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN reps r ON r.id = u.rep_id WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(&store.pool)
    .await
    .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let expires: DateTime<Utc> = col(&row, 7, "sessions.expires_at")?;
    if expires <= now {
        return Ok(None);
    }
    Ok(Some((user_at(&row)?, col(&row, 6, "sessions.csrf")?)))
}

/// The SQL of `TeamStore::delete_session`.
pub(super) async fn delete_session(store: &Backend, id_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The SQL of `TeamStore::count_login_attempt`.
pub(super) async fn count_login_attempt(
    store: &Backend,
    email: &str,
    now: DateTime<Utc>,
    max: u32,
    window: chrono::Duration,
) -> Result<LoginGate, StoreError> {
    let email = email.trim().to_lowercase();
    let ended = now - window;
    sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
        .bind(ended)
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    // One statement takes the attempt's number or refuses it: parallel attempts
    // are serialised by the row (PostgreSQL) or the write lock (SQLite), so no
    // more than `max` of a window ever see `Open`.
    let counted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO login_attempts (email, attempts, window_start) \
         VALUES ($1, 1, $2) \
         ON CONFLICT (email) DO UPDATE SET \
           attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 \
                      ELSE login_attempts.attempts + 1 END, \
           window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 \
                          ELSE login_attempts.window_start END \
         WHERE login_attempts.window_start <= $3 OR login_attempts.attempts < $4 \
         RETURNING attempts",
    )
    .bind(&email)
    .bind(now)
    .bind(ended)
    .bind(i64::from(max))
    .fetch_optional(&store.pool)
    .await
    .map_err(db_err)?;
    if let Some(attempt) = counted {
        return Ok(LoginGate::Open {
            attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
        });
    }
    let started: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT window_start FROM login_attempts WHERE email = $1")
            .bind(&email)
            .fetch_optional(&store.pool)
            .await
            .map_err(db_err)?;
    Ok(LoginGate::Locked {
        until: started.unwrap_or(now) + window,
    })
}

/// The SQL of `TeamStore::clear_login_attempts`.
pub(super) async fn clear_login_attempts(store: &Backend, email: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_attempts WHERE email = $1")
        .bind(email.trim().to_lowercase())
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The SQL of `TeamStore::server_key`.
pub(super) async fn server_key(
    store: &Backend,
    name: &str,
    candidate: &[u8],
) -> Result<Vec<u8>, StoreError> {
    sqlx::query(
        "INSERT INTO server_keys (name, key, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .bind(Utc::now())
    .execute(&store.pool)
    .await
    .map_err(db_err)?;
    sqlx::query_scalar("SELECT key FROM server_keys WHERE name = $1")
        .bind(name)
        .fetch_one(&store.pool)
        .await
        .map_err(db_err)
}
