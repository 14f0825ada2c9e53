//! Calls: storing one with the step it found, judging it again, and reading calls back.

use super::*;

/// Stores a call and the step it found (superseding the deal's open step) inside
/// the caller's transaction: `add_call`, and an upload's last step.
pub(super) async fn insert_call(
    conn: &mut Conn,
    deal_id: i64,
    call: &NewCall,
    step: Option<&NewNextStep>,
) -> Result<(Call, Option<NextStepRecord>), StoreError> {
    if !deal_exists(conn, deal_id).await? {
        return Err(StoreError::DealNotFound(deal_id.to_string()));
    }
    let row = sqlx::query(concatcp!(
        "INSERT INTO calls (deal_id, date, source, format, transcript, speakers, \
         analysis, bail_out) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
        CALL_COLUMNS
    ))
    .bind(deal_id)
    .bind(call.date)
    .bind(call.source.as_str())
    .bind(call.format.as_str())
    .bind(call.transcript.as_str())
    .bind(Json(&call.speakers))
    .bind(Json(&call.analysis))
    .bind(call.bail_out)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    let stored = call_at(&row)?;
    write_facts(
        conn,
        FactWrite::New,
        stored.id,
        deal_id,
        call.date,
        &call.analysis,
    )
    .await?;
    let Some(step) = step else {
        return Ok((stored, None));
    };
    // A call older than the one behind the open step (an old recording uploaded
    // late) adds its step to the history but leaves the newer step open.
    let newer: Option<i64> = sqlx::query_scalar(
        "SELECT s.id FROM next_steps s JOIN calls c ON c.id = s.call_id \
         WHERE s.deal_id = $1 AND s.status = 'open' AND c.date > $2",
    )
    .bind(deal_id)
    .bind(call.date)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    // A step found in this call points at it, whatever the caller had.
    let record = match newer {
        Some(open) => insert_step(conn, deal_id, step, Some(stored.id), Some(open)).await?,
        None => record_step(conn, deal_id, step, Some(stored.id)).await?,
    };
    Ok((stored, Some(record)))
}

/// The SQL of `Store::add_call`.
pub(super) async fn add_call(
    store: &Backend,
    deal_id: i64,
    call: &NewCall,
    step: Option<&NewNextStep>,
) -> Result<(Call, Option<NextStepRecord>), StoreError> {
    let mut tx = store.begin_write().await?;
    let stored = insert_call(&mut tx, deal_id, call, step).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(stored)
}

/// The SQL of `Store::rejudge_call`.
pub(super) async fn rejudge_call(
    store: &Backend,
    call_id: i64,
    call: &NewCall,
    step: Option<&NewNextStep>,
) -> Result<(Call, Option<NextStepRecord>), StoreError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(concatcp!(
        "UPDATE calls SET speakers = $2, analysis = $3, bail_out = $4 \
         WHERE id = $1 RETURNING ",
        CALL_COLUMNS
    ))
    .bind(call_id)
    .bind(Json(&call.speakers))
    .bind(Json(&call.analysis))
    .bind(call.bail_out)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        return Err(StoreError::NotFound {
            what: "call",
            key: call_id.to_string(),
        });
    };
    let stored = call_at(&row)?;
    let deal_id = stored.deal_id;
    write_facts(
        &mut tx,
        FactWrite::Rewrite,
        call_id,
        deal_id,
        stored.date,
        &call.analysis,
    )
    .await?;
    let now = Utc::now();
    let open: Option<i64> =
        sqlx::query_scalar("SELECT id FROM next_steps WHERE call_id = $1 AND status = 'open'")
            .bind(call_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
    let record = if let Some(old) = open {
        // The call's step is the deal's open step: the new judgement replaces
        // it, or, when the call now ends without a step, the step it had
        // superseded is the deal's step again.
        sqlx::query(
            "UPDATE next_steps SET status = 'superseded', updated_at = $2 \
             WHERE id = $1",
        )
        .bind(old)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        match step {
            Some(step) => {
                let new = insert_step(&mut tx, deal_id, step, Some(call_id), None).await?;
                // The old step, and the step it had superseded, are now
                // superseded by the new one: the chain skips the old judgement.
                sqlx::query(
                    "UPDATE next_steps SET superseded_by = $1 \
                     WHERE id = $2 OR superseded_by = $2",
                )
                .bind(new.id)
                .bind(old)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                Some(new)
            }
            None => {
                sqlx::query(
                    "UPDATE next_steps SET status = 'open', superseded_by = NULL, \
                     updated_at = $2 WHERE superseded_by = $1 \
                     AND status = 'superseded' \
                     AND (call_id IS NULL OR call_id <> $3)",
                )
                .bind(old)
                .bind(now)
                .bind(call_id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                None
            }
        }
    } else {
        // The deal moved on from this call's step when a user closed it or a
        // step from elsewhere superseded it (a step an earlier judgement of
        // this call withdrew, or replaced by its own next judgement, does not
        // count).
        let moved_on: Option<i64> = sqlx::query_scalar(
            "SELECT s.id FROM next_steps s \
             LEFT JOIN next_steps n ON n.id = s.superseded_by \
             WHERE s.call_id = $1 AND (s.status IN ('done', 'missed', 'cancelled') \
             OR (s.status = 'superseded' AND n.id IS NOT NULL \
             AND (n.call_id IS NULL OR n.call_id <> $1))) LIMIT 1",
        )
        .bind(call_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match (moved_on, step) {
            // A call that ended without a step now has one: recorded as if the
            // call had just been added.
            (None, Some(step)) => {
                let newer: Option<i64> = sqlx::query_scalar(
                    "SELECT s.id FROM next_steps s JOIN calls c ON c.id = s.call_id \
                     WHERE s.deal_id = $1 AND s.status = 'open' AND c.date > $2",
                )
                .bind(deal_id)
                .bind(stored.date)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                Some(match newer {
                    Some(open) => {
                        insert_step(&mut tx, deal_id, step, Some(call_id), Some(open)).await?
                    }
                    None => record_step(&mut tx, deal_id, step, Some(call_id)).await?,
                })
            }
            // The deal has moved on (the step was closed or a later call's
            // superseded it): its history stays as it was.
            _ => None,
        }
    };
    tx.commit().await.map_err(db_err)?;
    Ok((stored, record))
}

/// The SQL of `Store::find_call`.
pub(super) async fn find_call(store: &Backend, scope: &Scope, id: i64) -> Result<Call, StoreError> {
    let sql = format!(
        "SELECT {CALL_COLUMNS} FROM calls WHERE id = $1{}",
        visible_deal_ids(scope, "deal_id")
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&store.pool)
        .await
        .map_err(db_err)?;
    match row {
        Some(row) => call_at(&row),
        None => Err(StoreError::NotFound {
            what: "call",
            key: id.to_string(),
        }),
    }
}

/// The SQL of `Store::calls_for_deal`.
pub(super) async fn calls_for_deal(store: &Backend, deal_id: i64) -> Result<Vec<Call>, StoreError> {
    let rows = sqlx::query(concatcp!(
        "SELECT ",
        CALL_COLUMNS,
        " FROM calls WHERE deal_id = $1 ORDER BY date, id"
    ))
    .bind(deal_id)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(call_at).collect()
}

/// The SQL of `Store::all_calls`.
pub(super) async fn all_calls(store: &Backend, scope: &Scope) -> Result<Vec<Call>, StoreError> {
    calls_where(store, scope, "").await
}

/// The SQL of `Store::calls_between`.
pub(super) async fn calls_between(
    store: &Backend,
    scope: &Scope,
    since: chrono::NaiveDate,
    until: chrono::NaiveDate,
) -> Result<Vec<Call>, StoreError> {
    let (since, until) = (date_literal(since), date_literal(until));
    let condition = format!(" AND date >= {since} AND date <= {until}");
    calls_where(store, scope, &condition).await
}

/// The calls on deals `scope` sees that `condition` (` AND …`, its values formatted by
/// Rust, never caller text) keeps, date then id order, without their transcript text:
/// reports read the analysis.
pub(super) async fn calls_where(
    store: &Backend,
    scope: &Scope,
    condition: &str,
) -> Result<Vec<Call>, StoreError> {
    let sql = format!(
        "SELECT {CALL_COLUMNS_WITHOUT_TEXT} FROM calls WHERE TRUE{condition}{} \
         ORDER BY date, id",
        visible_deal_ids(scope, "deal_id")
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&store.pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(call_at).collect()
}
