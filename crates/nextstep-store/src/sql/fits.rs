//! Stored forecast fits, one per scope, so requests score deals without refitting.

use super::*;

/// The SQL of `FactStore::stored_fit`.
pub(super) async fn stored_fit(
    store: &Backend,
    key: &str,
) -> Result<Option<StoredFit>, StoreError> {
    let row = sqlx::query(
        "SELECT data_version, as_of, fitted_at, fit FROM forecast_fits \
         WHERE scope = $1",
    )
    .bind(key)
    .fetch_optional(&store.pool)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let fit: Json<serde_json::Value> = col(&row, 3, "forecast_fits.fit")?;
    Ok(Some(StoredFit {
        data_version: col(&row, 0, "forecast_fits.data_version")?,
        as_of: col(&row, 1, "forecast_fits.as_of")?,
        fitted_at: col(&row, 2, "forecast_fits.fitted_at")?,
        fit: fit.0,
    }))
}

/// The SQL of `FactStore::store_fit`.
pub(super) async fn store_fit(
    store: &Backend,
    key: &str,
    fit: &StoredFit,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO forecast_fits (scope, data_version, as_of, fitted_at, fit) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope) DO UPDATE SET \
         data_version = excluded.data_version, as_of = excluded.as_of, \
         fitted_at = excluded.fitted_at, fit = excluded.fit",
    )
    .bind(key)
    .bind(fit.data_version)
    .bind(fit.as_of)
    .bind(fit.fitted_at)
    .bind(Json(&fit.fit))
    .execute(&store.pool)
    .await
    .map_err(db_err)?;
    Ok(())
}
