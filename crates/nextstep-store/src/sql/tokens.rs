//! API tokens: created, listed, revoked, and resolved to their user.

use super::*;

/// `SELECT` of an [`ApiToken`]: 6 columns, decoded by [`token_at`].
const TOKEN_SELECT: &str = "SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.expires_at \
     FROM api_tokens t JOIN users u ON u.id = t.user_id";

/// An [`ApiToken`] from [`TOKEN_SELECT`]'s 6 columns.
pub(super) fn token_at(row: &DbRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: col(row, 0, "api_tokens.id")?,
        user_id: col(row, 1, "api_tokens.user_id")?,
        email: col(row, 2, "users.email")?,
        name: col(row, 3, "api_tokens.name")?,
        created_at: col(row, 4, "api_tokens.created_at")?,
        expires_at: col(row, 5, "api_tokens.expires_at")?,
    })
}

/// The SQL of `TeamStore::create_api_token`.
pub(super) async fn create_api_token(
    store: &Backend,
    token: &NewApiToken,
) -> Result<ApiToken, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(token.user_id)
    .bind(&token.name)
    .bind(&token.token_hash)
    .bind(Utc::now())
    .bind(token.expires_at)
    .fetch_one(&store.pool)
    .await
    .map_err(db_err)?;
    let row = sqlx::query(concatcp!(TOKEN_SELECT, " WHERE t.id = $1"))
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .map_err(db_err)?;
    token_at(&row)
}

/// The SQL of `TeamStore::list_api_tokens`.
pub(super) async fn list_api_tokens(
    store: &Backend,
    user_id: Option<i64>,
) -> Result<Vec<ApiToken>, StoreError> {
    let rows = sqlx::query(concatcp!(
        TOKEN_SELECT,
        " WHERE $1 IS NULL OR t.user_id = $1 ORDER BY t.id"
    ))
    .bind(user_id)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(token_at).collect()
}

/// The SQL of `TeamStore::revoke_api_token`.
pub(super) async fn revoke_api_token(
    store: &Backend,
    id: i64,
    user_id: Option<i64>,
) -> Result<(), StoreError> {
    let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND ($2 IS NULL OR user_id = $2)")
        .bind(id)
        .bind(user_id)
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "API token",
            key: id.to_string(),
        });
    }
    Ok(())
}

/// The SQL of `TeamStore::token_user`.
pub(super) async fn token_user(
    store: &Backend,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(concatcp!(
        USER_SELECT,
        " JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 \
         AND (t.expires_at IS NULL OR t.expires_at > $2)"
    ))
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&store.pool)
    .await
    .map_err(db_err)?;
    row.as_ref().map(user_at).transpose()
}
