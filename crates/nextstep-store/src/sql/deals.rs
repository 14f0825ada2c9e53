//! Deals: the bulk import (planned in `import_plan`), lookups, listings and stage history.

use super::*;

/// Whether deal `id` exists.
pub(super) async fn deal_exists(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM deals WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    Ok(found.is_some())
}

/// The stored deals among `external_ids`, by external id.
pub(super) async fn existing_deals(
    conn: &mut Conn,
    external_ids: &[&str],
) -> Result<HashMap<String, StoredDeal>, StoreError> {
    let mut found = HashMap::new();
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM deals LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    if any.is_none() {
        return Ok(found);
    }
    for chunk in external_ids.chunks(MAX_BINDS) {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT id, external_id, name, account_id, owner_id, stage, amount_cents, \
             currency, expected_close, created, closed, outcome, loss_reason, product, \
             crm_next_step FROM deals WHERE external_id IN (",
        );
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(")");
        for row in qb.build().fetch_all(&mut *conn).await.map_err(db_err)? {
            let external_id: String = col(&row, 1, "deals.external_id")?;
            let deal = StoredDeal {
                id: col(&row, 0, "deals.id")?,
                name: col(&row, 2, "deals.name")?,
                account_id: col(&row, 3, "deals.account_id")?,
                owner_id: col(&row, 4, "deals.owner_id")?,
                stage: col(&row, 5, "deals.stage")?,
                amount: col(&row, 6, "deals.amount_cents")?,
                currency: col(&row, 7, "deals.currency")?,
                expected_close: col(&row, 8, "deals.expected_close")?,
                created: col(&row, 9, "deals.created")?,
                closed: col(&row, 10, "deals.closed")?,
                outcome: parse_outcome(col(&row, 11, "deals.outcome")?)?,
                loss_reason: col(&row, 12, "deals.loss_reason")?,
                product: col(&row, 13, "deals.product")?,
                crm_next_step: col(&row, 14, "deals.crm_next_step")?,
            };
            found.insert(external_id, deal);
        }
    }
    Ok(found)
}

/// Inserts new deals in bulk; returns each one's id and stage for its history.
pub(super) async fn insert_deals(
    conn: &mut Conn,
    rows: &[Resolved<'_>],
) -> Result<Vec<(i64, String)>, StoreError> {
    const COLUMNS: usize = 14;
    let mut created = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(MAX_BINDS / COLUMNS) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO deals (external_id, name, account_id, owner_id, stage, \
             amount_cents, currency, expected_close, created, closed, outcome, \
             loss_reason, product, crm_next_step) ",
        );
        qb.push_values(chunk, |mut b, r| {
            let d = r.deal;
            b.push_bind(d.external_id.as_str())
                .push_bind(d.name.as_str())
                .push_bind(r.account_id)
                .push_bind(r.owner_id)
                .push_bind(d.stage.as_str())
                .push_bind(d.amount)
                .push_bind(d.currency.as_str())
                .push_bind(d.expected_close)
                .push_bind(d.created)
                .push_bind(d.closed)
                .push_bind(d.outcome.map(outcome_str))
                .push_bind(d.loss_reason.as_deref())
                .push_bind(d.product.as_deref())
                .push_bind(d.crm_next_step.as_deref());
        });
        qb.push(" RETURNING id, stage");
        for row in qb.build().fetch_all(&mut *conn).await.map_err(db_err)? {
            created.push((col(&row, 0, "deals.id")?, col(&row, 1, "deals.stage")?));
        }
    }
    Ok(created)
}

/// Rewrites changed deals in bulk (`UPDATE … FROM` a `VALUES` list).
pub(super) async fn update_deals(conn: &mut Conn, rows: &[Update<'_>]) -> Result<(), StoreError> {
    const COLUMNS: usize = 14;
    for chunk in rows.chunks(MAX_BINDS / COLUMNS) {
        let mut qb = QueryBuilder::<Db>::new(
            "WITH v (id, name, account_id, owner_id, stage, amount_cents, currency, \
             expected_close, created, closed, outcome, loss_reason, product, \
             crm_next_step) AS (",
        );
        qb.push_values(chunk, |mut b, u| {
            let d = u.new.deal;
            b.push_bind(u.id)
                .push_bind(d.name.as_str())
                .push_bind(u.new.account_id)
                .push_bind(u.new.owner_id)
                .push_bind(d.stage.as_str())
                .push_bind(d.amount)
                .push_bind(d.currency.as_str())
                .push_bind(d.expected_close)
                .push_bind(d.created)
                .push_bind(d.closed)
                .push_bind(d.outcome.map(outcome_str))
                .push_bind(d.loss_reason.as_deref())
                .push_bind(d.product.as_deref())
                .push_bind(d.crm_next_step.as_deref());
        });
        qb.push(
            ") UPDATE deals SET name = v.name, account_id = v.account_id, \
             owner_id = v.owner_id, stage = v.stage, amount_cents = v.amount_cents, \
             currency = v.currency, expected_close = v.expected_close, \
             created = v.created, closed = v.closed, outcome = v.outcome, \
             loss_reason = v.loss_reason, product = v.product, \
             crm_next_step = v.crm_next_step \
             FROM v WHERE deals.id = v.id",
        );
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

/// Appends stage history rows, all recorded at `at`.
pub(super) async fn insert_history(
    conn: &mut Conn,
    rows: &[(i64, &str)],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_BINDS / 3) {
        let mut qb = QueryBuilder::<Db>::new("INSERT INTO stage_history (deal_id, stage, at) ");
        qb.push_values(chunk, |mut b, (deal_id, stage)| {
            b.push_bind(*deal_id).push_bind(*stage).push_bind(at);
        });
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

/// The SQL of `Store::import_deals`.
pub(super) async fn import_deals(
    store: &Backend,
    deals: &[NewDeal],
) -> Result<ImportStats, StoreError> {
    check_unique("external id", deals.iter().map(|d| d.external_id.as_str()))?;
    if deals.is_empty() {
        return Ok(ImportStats::default());
    }
    let now = Utc::now();
    let mut tx = store.begin_write().await?;
    let account_names = distinct(deals.iter().filter_map(|d| d.account.as_deref()));
    let accounts = ensure_names(&mut tx, "accounts", &account_names).await?;
    let owner_names = distinct(deals.iter().filter_map(|d| d.owner.as_deref()));
    let owners = ensure_names(&mut tx, "reps", &owner_names).await?;
    let external_ids: Vec<&str> = deals.iter().map(|d| d.external_id.as_str()).collect();
    let existing = existing_deals(&mut tx, &external_ids).await?;
    let ImportPlan {
        inserts,
        updates,
        unchanged,
    } = plan_import(deals, &accounts, &owners, &existing);

    let created = insert_deals(&mut tx, &inserts).await?;
    update_deals(&mut tx, &updates).await?;
    let history: Vec<(i64, &str)> = created
        .iter()
        .map(|(id, stage)| (*id, stage.as_str()))
        .chain(
            updates
                .iter()
                .filter(|u| u.stage_changed)
                .map(|u| (u.id, u.new.deal.stage.as_str())),
        )
        .collect();
    insert_history(&mut tx, &history, now).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(ImportStats {
        imported: inserts.len() as u64,
        updated: updates.len() as u64,
        unchanged,
    })
}

/// The SQL of `Store::find_deal`.
pub(super) async fn find_deal(
    store: &Backend,
    scope: &Scope,
    key: &str,
) -> Result<Deal, StoreError> {
    let key = key.trim();
    let visible = scope_condition(scope);
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(id) = key.parse::<i64>() {
            let sql = format!("{DEAL_SELECT} WHERE d.id = $1{visible}");
            let row = sqlx::query(AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&store.pool)
                .await
                .map_err(db_err)?;
            if let Some(row) = row {
                return deal_at(&row, 0);
            }
        }
    }
    let sql = format!("{DEAL_SELECT} WHERE d.external_id = $1{visible}");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(&store.pool)
        .await
        .map_err(db_err)?;
    match row {
        Some(row) => deal_at(&row, 0),
        None => Err(StoreError::DealNotFound(key.to_string())),
    }
}

/// The SQL of `Store::list_deals`.
pub(super) async fn list_deals(
    store: &Backend,
    filter: &DealFilter,
) -> Result<Vec<Deal>, StoreError> {
    let mut qb = QueryBuilder::<Db>::new(DEAL_SELECT);
    let mut glue = " WHERE ";
    if let Some(owner) = &filter.owner {
        qb.push(glue).push("r.name = ").push_bind(owner.as_str());
        glue = " AND ";
    }
    if filter.open_only {
        qb.push(glue).push("d.outcome IS NULL");
        glue = " AND ";
    }
    if filter.scope != Scope::All {
        // The condition starts with " AND "; "TRUE" gives it something to follow.
        qb.push(glue)
            .push("TRUE")
            .push(scope_condition(&filter.scope));
    }
    qb.push(" ORDER BY d.id");
    let rows = qb.build().fetch_all(&store.pool).await.map_err(db_err)?;
    rows.iter().map(|row| deal_at(row, 0)).collect()
}

/// The SQL of `Store::stage_history`.
pub(super) async fn stage_history(
    store: &Backend,
    deal_id: i64,
) -> Result<Vec<StageChange>, StoreError> {
    let rows =
        sqlx::query("SELECT stage, at FROM stage_history WHERE deal_id = $1 ORDER BY at, id")
            .bind(deal_id)
            .fetch_all(&store.pool)
            .await
            .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(StageChange {
                stage: col(row, 0, "stage_history.stage")?,
                at: col(row, 1, "stage_history.at")?,
            })
        })
        .collect()
}

/// The SQL of `Store::all_stage_history`.
pub(super) async fn all_stage_history(
    store: &Backend,
    scope: &Scope,
) -> Result<Vec<(i64, StageChange)>, StoreError> {
    stage_history_where(store, &visible_deal_ids(scope, "deal_id")).await
}

/// The stage changes of the deals `condition` (` AND …` over `deal_id`) keeps, by deal
/// then time.
pub(super) async fn stage_history_where(
    store: &Backend,
    condition: &str,
) -> Result<Vec<(i64, StageChange)>, StoreError> {
    let sql = format!(
        "SELECT deal_id, stage, at FROM stage_history WHERE TRUE{condition} \
         ORDER BY deal_id, at, id"
    );
    fetch_decoded(store, sql, |row| {
        Ok((
            col(row, 0, "stage_history.deal_id")?,
            StageChange {
                stage: col(row, 1, "stage_history.stage")?,
                at: col(row, 2, "stage_history.at")?,
            },
        ))
    })
    .await
}

/// Whether `scope` sees deal `deal_id`.
pub(super) async fn deal_visible(
    conn: &mut Conn,
    scope: &Scope,
    deal_id: i64,
) -> Result<bool, StoreError> {
    let sql = format!(
        "SELECT d.id FROM deals d WHERE d.id = $1{}",
        scope_condition(scope)
    );
    let found: Option<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(deal_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(found.is_some())
}
