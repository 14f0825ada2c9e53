//! Next steps: recording one (superseding the open step), closing it, and its history.

use super::*;

/// Records `step` as the deal's open step, superseding the current one (kept, with
/// `superseded_by` pointing at its successor). Runs inside the caller's transaction.
pub(super) async fn record_step(
    conn: &mut Conn,
    deal_id: i64,
    step: &NewNextStep,
    call_id: Option<i64>,
) -> Result<NextStepRecord, StoreError> {
    let now = Utc::now();
    // The old step must leave `open` before the new one enters it (one open per deal).
    let old: Option<i64> = sqlx::query_scalar(
        "UPDATE next_steps SET status = 'superseded', updated_at = $2 \
         WHERE deal_id = $1 AND status = 'open' RETURNING id",
    )
    .bind(deal_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let record = insert_step(conn, deal_id, step, call_id, None).await?;
    if let Some(old) = old {
        sqlx::query("UPDATE next_steps SET superseded_by = $1 WHERE id = $2")
            .bind(record.id)
            .bind(old)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(record)
}

/// Inserts a step: open, or (with `superseded_by`) straight into the history as
/// superseded by that step. Runs inside the caller's transaction.
pub(super) async fn insert_step(
    conn: &mut Conn,
    deal_id: i64,
    step: &NewNextStep,
    call_id: Option<i64>,
    superseded_by: Option<i64>,
) -> Result<NextStepRecord, StoreError> {
    let status = if superseded_by.is_some() {
        StepStatus::Superseded
    } else {
        StepStatus::Open
    };
    let row = sqlx::query(concatcp!(
        "INSERT INTO next_steps (deal_id, action, kind, owner, due, defined_by, \
         confirmed_by_prospect, source, call_id, evidence, status, created_at, \
         updated_at, superseded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) \
         RETURNING ",
        STEP_COLUMNS
    ))
    .bind(deal_id)
    .bind(step.action.as_str())
    .bind(step.kind.as_str())
    .bind(step.owner.as_str())
    .bind(step.due)
    .bind(defined_by_str(step.defined_by))
    .bind(step.confirmed_by_prospect)
    .bind(source_str(step.source))
    .bind(call_id)
    .bind(Json(&step.evidence))
    .bind(status_str(status))
    .bind(Utc::now())
    .bind(superseded_by)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    step_at(&row, 0)
}

/// The SQL of `Store::all_next_steps`.
pub(super) async fn all_next_steps(
    store: &Backend,
    scope: &Scope,
) -> Result<Vec<NextStepRecord>, StoreError> {
    let sql = format!(
        "SELECT {STEP_COLUMNS} FROM next_steps WHERE TRUE{} ORDER BY id",
        visible_deal_ids(scope, "deal_id")
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&store.pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(|row| step_at(row, 0)).collect()
}

/// The SQL of `Store::set_next_step`.
pub(super) async fn set_next_step(
    store: &Backend,
    deal_id: i64,
    step: &NewNextStep,
) -> Result<NextStepRecord, StoreError> {
    let mut tx = store.begin_write().await?;
    if !deal_exists(&mut tx, deal_id).await? {
        return Err(StoreError::DealNotFound(deal_id.to_string()));
    }
    let record = record_step(&mut tx, deal_id, step, step.call_id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(record)
}

/// The SQL of `Store::close_next_step`.
pub(super) async fn close_next_step(
    store: &Backend,
    deal_id: i64,
    status: StepStatus,
) -> Result<NextStepRecord, StoreError> {
    if matches!(status, StepStatus::Open | StepStatus::Superseded) {
        return Err(StoreError::Query(format!(
            "a step is closed as done, missed or cancelled, not {}",
            status_str(status)
        )));
    }
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(concatcp!(
        "UPDATE next_steps SET status = $2, updated_at = $3 \
         WHERE deal_id = $1 AND status = 'open' RETURNING ",
        STEP_COLUMNS
    ))
    .bind(deal_id)
    .bind(status_str(status))
    .bind(Utc::now())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        return Err(if deal_exists(&mut tx, deal_id).await? {
            StoreError::NoOpenStep(deal_id)
        } else {
            StoreError::DealNotFound(deal_id.to_string())
        });
    };
    let record = step_at(&row, 0)?;
    tx.commit().await.map_err(db_err)?;
    Ok(record)
}

/// The SQL of `Store::next_step_history`.
pub(super) async fn next_step_history(
    store: &Backend,
    deal_id: i64,
) -> Result<Vec<NextStepRecord>, StoreError> {
    let rows = sqlx::query(concatcp!(
        "SELECT ",
        STEP_COLUMNS,
        " FROM next_steps WHERE deal_id = $1 ORDER BY id"
    ))
    .bind(deal_id)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(|row| step_at(row, 0)).collect()
}
