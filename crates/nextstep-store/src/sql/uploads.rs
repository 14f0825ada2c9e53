//! Uploads: queued call files, idempotent by key, and their job states.

use super::*;

/// Columns of an [`Upload`], the bytes included: 14, decoded by [`upload_at`].
const UPLOAD_COLUMNS: &str = "id, deal_id, user_id, file_name, content, call_date, job_id, \
     status, attempts, error, call_id, created_at, updated_at, sellers";

/// [`UPLOAD_COLUMNS`] with an empty slice of the bytes, for listings and replies.
const UPLOAD_COLUMNS_WITHOUT_CONTENT: &str = "id, deal_id, user_id, file_name, \
     substr(content, 1, 0), call_date, job_id, status, attempts, error, call_id, created_at, \
     updated_at, sellers";

/// An [`Upload`] from [`UPLOAD_COLUMNS`].
pub(super) fn upload_at(row: &DbRow) -> Result<Upload, StoreError> {
    let content: Option<Vec<u8>> = col(row, 4, "uploads.content")?;
    Ok(Upload {
        id: col(row, 0, "uploads.id")?,
        deal_id: col(row, 1, "uploads.deal_id")?,
        user_id: col(row, 2, "uploads.user_id")?,
        file_name: col(row, 3, "uploads.file_name")?,
        content: content.unwrap_or_default(),
        call_date: col(row, 5, "uploads.call_date")?,
        job_id: col(row, 6, "uploads.job_id")?,
        status: parse_upload_status(&col::<String>(row, 7, "uploads.status")?)?,
        attempts: col(row, 8, "uploads.attempts")?,
        error: col(row, 9, "uploads.error")?,
        call_id: col(row, 10, "uploads.call_id")?,
        created_at: col(row, 11, "uploads.created_at")?,
        updated_at: col(row, 12, "uploads.updated_at")?,
        sellers: col::<Json<Vec<String>>>(row, 13, "uploads.sellers")?.0,
    })
}

/// The SQL of `TeamStore::create_upload`.
pub(super) async fn create_upload(
    store: &Backend,
    scope: &Scope,
    upload: &NewUpload,
) -> Result<StoredUpload, StoreError> {
    let mut tx = store.begin_write().await?;
    if !deal_visible(&mut tx, scope, upload.deal_id).await? {
        return Err(StoreError::DealNotFound(upload.deal_id.to_string()));
    }
    let now = Utc::now();
    // A key used before answers the first upload — if this is the same request.
    // (PostgreSQL: a second writer of the same key waits on the unique index
    // and then finds nothing inserted; SQLite: writers queue on the lock.)
    let row = sqlx::query(concatcp!(
        "INSERT INTO uploads (deal_id, user_id, file_name, content, call_date, \
         job_id, idempotency_key, status, attempts, created_at, updated_at, \
         sellers) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8, $9) \
         ON CONFLICT DO NOTHING RETURNING ",
        UPLOAD_COLUMNS_WITHOUT_CONTENT
    ))
    .bind(upload.deal_id)
    .bind(upload.user_id)
    .bind(&upload.file_name)
    .bind(&upload.content)
    .bind(upload.call_date)
    .bind(&upload.job_id)
    .bind(&upload.idempotency_key)
    .bind(now)
    .bind(Json(&upload.sellers))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    if let Some(row) = row {
        let created = upload_at(&row)?;
        tx.commit().await.map_err(db_err)?;
        return Ok(StoredUpload {
            upload: created,
            replayed: false,
        });
    }
    let Some(key) = &upload.idempotency_key else {
        return Err(StoreError::Conflict(format!(
            "upload job {} exists already",
            upload.job_id
        )));
    };
    let first = sqlx::query(concatcp!(
        "SELECT ",
        UPLOAD_COLUMNS,
        " FROM uploads WHERE user_id IS NOT DISTINCT FROM $1 AND idempotency_key = $2"
    ))
    .bind(upload.user_id)
    .bind(key)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    let mut first = upload_at(&first)?;
    let same = first.deal_id == upload.deal_id
        && first.file_name == upload.file_name
        && first.call_date == upload.call_date
        && first.sellers == upload.sellers
        && first.content == upload.content;
    if !same {
        return Err(StoreError::IdempotencyKeyReused(key.clone()));
    }
    first.content = Vec::new();
    Ok(StoredUpload {
        upload: first,
        replayed: true,
    })
}

/// The SQL of `TeamStore::mark_upload_enqueued`.
pub(super) async fn mark_upload_enqueued(store: &Backend, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE uploads SET enqueued_at = $2 WHERE id = $1 AND enqueued_at IS NULL")
        .bind(id)
        .bind(Utc::now())
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The SQL of `TeamStore::pending_uploads`.
pub(super) async fn pending_uploads(
    store: &Backend,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(i64, Option<String>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, job_id FROM uploads WHERE enqueued_at IS NULL \
         AND status = 'queued' AND created_at < $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| Ok((col(row, 0, "uploads.id")?, col(row, 1, "uploads.job_id")?)))
        .collect()
}

/// The SQL of `TeamStore::assign_upload_job`.
pub(super) async fn assign_upload_job(
    store: &Backend,
    id: i64,
    job_id: &str,
) -> Result<String, StoreError> {
    sqlx::query("UPDATE uploads SET job_id = $2 WHERE id = $1 AND job_id IS NULL")
        .bind(id)
        .bind(job_id)
        .execute(&store.pool)
        .await
        .map_err(db_err)?;
    let stored: Option<Option<String>> =
        sqlx::query_scalar("SELECT job_id FROM uploads WHERE id = $1")
            .bind(id)
            .fetch_optional(&store.pool)
            .await
            .map_err(db_err)?;
    match stored {
        Some(Some(job)) => Ok(job),
        _ => Err(StoreError::NotFound {
            what: "upload",
            key: id.to_string(),
        }),
    }
}

/// The SQL of `TeamStore::find_upload`.
pub(super) async fn find_upload(
    store: &Backend,
    scope: &Scope,
    id: i64,
) -> Result<Upload, StoreError> {
    let sql = format!(
        "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1{}",
        visible_deal_ids(scope, "deal_id")
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&store.pool)
        .await
        .map_err(db_err)?;
    match row {
        Some(row) => upload_at(&row),
        None => Err(StoreError::NotFound {
            what: "upload",
            key: id.to_string(),
        }),
    }
}

/// The SQL of `TeamStore::list_uploads`.
pub(super) async fn list_uploads(
    store: &Backend,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<Upload>, StoreError> {
    let sql = format!(
        "SELECT {UPLOAD_COLUMNS_WITHOUT_CONTENT} FROM uploads WHERE TRUE{} ORDER BY id DESC LIMIT $1",
        visible_deal_ids(scope, "deal_id")
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(&store.pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(upload_at).collect()
}

/// The SQL of `TeamStore::start_upload`.
pub(super) async fn start_upload(store: &Backend, id: i64) -> Result<Upload, StoreError> {
    let row = sqlx::query(concatcp!(
        "UPDATE uploads SET status = 'running', attempts = attempts + 1, \
         updated_at = $2 WHERE id = $1 AND status <> 'done' RETURNING ",
        UPLOAD_COLUMNS
    ))
    .bind(id)
    .bind(Utc::now())
    .fetch_optional(&store.pool)
    .await
    .map_err(db_err)?;
    match row {
        Some(row) => upload_at(&row),
        None => find_upload(store, &Scope::All, id).await,
    }
}

/// The SQL of `TeamStore::finish_upload`.
pub(super) async fn finish_upload(
    store: &Backend,
    id: i64,
    call: &NewCall,
    step: Option<&NewNextStep>,
) -> Result<Call, StoreError> {
    let mut tx = store.begin_write().await?;
    // Claiming the row first locks it (PostgreSQL) and answers "already done?"
    // in the same statement, so two finishers cannot both insert a call.
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE uploads SET status = 'done', error = NULL, updated_at = $2, \
         enqueued_at = COALESCE(enqueued_at, $2) \
         WHERE id = $1 AND status <> 'done' RETURNING deal_id",
    )
    .bind(id)
    .bind(Utc::now())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(deal_id) = claimed else {
        tx.rollback().await.map_err(db_err)?;
        let done = find_upload(store, &Scope::All, id).await?;
        return match done.call_id {
            Some(call) => crate::Store::find_call(store, &Scope::All, call).await,
            None => Err(StoreError::Conflict(format!(
                "upload {id} is done but its call was deleted"
            ))),
        };
    };
    let (stored, _) = insert_call(&mut tx, deal_id, call, step).await?;
    sqlx::query("UPDATE uploads SET call_id = $1 WHERE id = $2")
        .bind(stored.id)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(stored)
}

/// The SQL of `TeamStore::fail_upload`.
pub(super) async fn fail_upload(
    store: &Backend,
    id: i64,
    error: &str,
    last_attempt: bool,
) -> Result<(), StoreError> {
    let status = if last_attempt {
        UploadStatus::Failed
    } else {
        UploadStatus::Queued
    };
    sqlx::query(
        "UPDATE uploads SET status = $1, error = $2, updated_at = $3 \
         WHERE id = $4 AND status <> 'done'",
    )
    .bind(status.as_str())
    .bind(error)
    .bind(Utc::now())
    .bind(id)
    .execute(&store.pool)
    .await
    .map_err(db_err)?;
    Ok(())
}
