//! The per-call facts the coaching and forecast reports aggregate: written with each call, read in SQL by rep, week and moment.

use super::*;

/// A fact row's membership bits (the `flag` constants of `crate::facts`), as SQL over `f`.
const FACT_FLAGS: &str = "(f.asked \
     + CASE WHEN f.step_by IS NULL THEN 0 ELSE 2 END \
     + CASE WHEN f.step_by = 'prospect' THEN 4 ELSE 0 END \
     + 8 * f.confirmed \
     + CASE WHEN f.volunteered > 0 THEN 16 ELSE 0 END \
     + CASE WHEN f.negative_signals > 0 THEN 32 ELSE 0 END \
     + CASE WHEN f.bail_outs > 0 THEN 64 ELSE 0 END \
     + 128 * f.confronted \
     + CASE WHEN f.step_by IS NULL AND f.no_fit = 1 THEN 256 ELSE 0 END)";

/// Binds a [`FactFilter`]'s values in the order [`fact_conditions`] numbered them (a
/// macro: `sqlx::query` and `sqlx::query_scalar` build different types).
macro_rules! bind_filter {
    ($q:expr, $filter:expr) => {{
        let mut q = $q;
        if let Some(rep) = &$filter.rep {
            q = q.bind(rep.clone());
        }
        if let Some(since) = $filter.since {
            q = q.bind(since);
        }
        if let Some(until) = $filter.until {
            q = q.bind(until);
        }
        q
    }};
}

/// The columns [`write_facts`] writes, in bind order.
const FACT_INSERT: &str = "INSERT INTO call_facts (call_id, deal_id, date, week, asked, \
     asked_next_step, step_by, confirmed, volunteered, negative_signals, bail_outs, \
     bail_out_signal, confronted, no_fit) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

/// Whether [`write_facts`] adds a new call's facts or rewrites a judged-again call's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FactWrite {
    /// A new call: a plain insert (no upsert's update triggers on PostgreSQL).
    New,
    /// A call judged again: replaces the row.
    Rewrite,
}

/// Writes (or rewrites) call `call_id`'s facts from its analysis, inside the
/// caller's transaction.
pub(super) async fn write_facts(
    conn: &mut Conn,
    write: FactWrite,
    call_id: i64,
    deal_id: i64,
    date: chrono::NaiveDate,
    analysis: &serde_json::Value,
) -> Result<(), StoreError> {
    let f = Facts::of(analysis);
    let b = |x: bool| i32::from(x);
    let sql = match write {
        FactWrite::New => FACT_INSERT,
        FactWrite::Rewrite => concatcp!(
            FACT_INSERT,
            " ON CONFLICT (call_id) DO UPDATE SET asked = excluded.asked, \
             asked_next_step = excluded.asked_next_step, step_by = excluded.step_by, \
             confirmed = excluded.confirmed, volunteered = excluded.volunteered, \
             negative_signals = excluded.negative_signals, bail_outs = excluded.bail_outs, \
             bail_out_signal = excluded.bail_out_signal, confronted = excluded.confronted, \
             no_fit = excluded.no_fit"
        ),
    };
    sqlx::query(sql)
        .bind(call_id)
        .bind(deal_id)
        .bind(date)
        .bind(week_monday(date))
        .bind(b(f.asked))
        .bind(b(f.asked_next_step))
        .bind(f.step_by.map(defined_by_str))
        .bind(b(f.confirmed))
        .bind(f.volunteered)
        .bind(f.negative_signals)
        .bind(f.bail_outs)
        .bind(f.bail_out_signal.as_deref())
        .bind(b(f.confronted))
        .bind(b(f.no_fit))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The ` AND …` conditions of a [`FactFilter`] over `f` and `r`, numbering binds
/// from `$first`; the caller binds rep, since, until in that order when present.
pub(super) fn fact_conditions(filter: &FactFilter, first: usize) -> String {
    let mut sql = String::new();
    let mut n = first;
    if filter.rep.is_some() {
        sql.push_str(&format!(" AND r.name = ${n}"));
        n += 1;
    }
    if filter.since.is_some() {
        sql.push_str(&format!(" AND f.date >= ${n}"));
        n += 1;
    }
    if filter.until.is_some() {
        sql.push_str(&format!(" AND f.date <= ${n}"));
    }
    if let Some(weeks) = &filter.weeks {
        // Dates formatted by chrono: literals, not binds, so the numbering above holds.
        let list: Vec<String> = weeks.iter().map(|w| date_literal(*w)).collect();
        if list.is_empty() {
            sql.push_str(" AND FALSE");
        } else {
            sql.push_str(&format!(" AND f.week IN ({})", list.join(", ")));
        }
    }
    sql
}

/// The SQL of `FactStore::report_position`.
pub(super) async fn report_position(store: &Backend) -> Result<ReportPosition, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT version FROM data_version WHERE id = 1), \
         CAST(COALESCE((SELECT MAX(seq) FROM report_changes), 0) AS BIGINT)",
    )
    .fetch_one(&store.pool)
    .await
    .map_err(db_err)?;
    Ok(ReportPosition {
        version: col(&row, 0, "data_version.version")?,
        seq: col(&row, 1, "report_changes.seq")?,
    })
}

/// The SQL of `FactStore::report_changes`.
pub(super) async fn report_changes(
    store: &Backend,
    since: i64,
    limit: usize,
) -> Result<Option<ReportChanges>, StoreError> {
    let first: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM report_changes")
        .fetch_one(&store.pool)
        .await
        .map_err(db_err)?;
    // Entries after `since` were pruned: what they touched is unknown.
    if first.is_some_and(|first| first > since + 1) && since > 0 {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT DISTINCT week, deal_id, call_id FROM report_changes WHERE seq > $1 \
         ORDER BY week, deal_id, call_id LIMIT $2",
    )
    .bind(since)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1))
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    if rows.len() > limit {
        return Ok(None);
    }
    let mut changes = ReportChanges::default();
    for row in &rows {
        let week: Option<chrono::NaiveDate> = col(row, 0, "report_changes.week")?;
        let deal: Option<i64> = col(row, 1, "report_changes.deal_id")?;
        if week.is_none() && deal.is_none() {
            return Ok(None);
        }
        let call: Option<i64> = col(row, 2, "report_changes.call_id")?;
        changes.weeks.extend(week);
        changes.deals.extend(deal);
        changes.calls.extend(call);
    }
    changes.weeks.sort_unstable();
    changes.weeks.dedup();
    changes.deals.sort_unstable();
    changes.deals.dedup();
    changes.calls.sort_unstable();
    changes.calls.dedup();
    Ok(Some(changes))
}

/// The SQL of `FactStore::rep_weeks`.
pub(super) async fn rep_weeks(
    store: &Backend,
    scope: &Scope,
    filter: &FactFilter,
) -> Result<Vec<RepWeek>, StoreError> {
    // Each row lists its calls as `id:flags[:deal]`, joined by the backend's ordered
    // string aggregate (`LIST_AGG`).
    let sql = format!(
        "SELECT r.name, f.week, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(f.volunteered) AS BIGINT), CAST(SUM(f.bail_outs) AS BIGINT), \
         {LIST_AGG}(CAST(f.call_id AS TEXT) || ':' || CAST({FACT_FLAGS} AS TEXT) \
         || CASE WHEN f.step_by IS NULL AND f.no_fit = 1 \
         THEN ':' || CAST(f.deal_id AS TEXT) ELSE '' END, \
         ',' ORDER BY f.date, f.call_id) \
         FROM call_facts f JOIN deals d ON d.id = f.deal_id \
         JOIN reps r ON r.id = d.owner_id WHERE TRUE{}{} \
         GROUP BY r.name, f.week ORDER BY r.name, f.week",
        scope_condition(scope),
        fact_conditions(filter, 1)
    );
    let mut rows = bind_filter!(sqlx::query(AssertSqlSafe(sql)), filter).fetch(&store.pool);
    let mut weeks = Vec::new();
    // Decoded as streamed: each row's id list is parsed before the next arrives.
    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows)
        .await
        .map_err(db_err)?
    {
        let list: Option<String> = col(&row, 5, "call_facts list")?;
        weeks.push(RepWeek {
            rep: col(&row, 0, "reps.name")?,
            week: col(&row, 1, "call_facts.week")?,
            calls: col(&row, 2, "count")?,
            volunteered_items: col(&row, 3, "call_facts.volunteered")?,
            bail_out_items: col(&row, 4, "call_facts.bail_outs")?,
            call_ids: crate::facts::parse_flagged(list.as_deref())?,
        });
    }
    Ok(weeks)
}

/// The SQL of `FactStore::calls_by_ids`.
pub(super) async fn calls_by_ids(
    store: &Backend,
    scope: &Scope,
    ids: &[i64],
) -> Result<Vec<Call>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    calls_where(store, scope, &format!(" AND id IN ({list})")).await
}

/// The SQL of `FactStore::disqualified_deals`.
pub(super) async fn disqualified_deals(
    store: &Backend,
    scope: &Scope,
) -> Result<Vec<DisqualifiedDeal>, StoreError> {
    let sql = format!(
        "SELECT d.id, r.name, d.closed FROM deals d JOIN reps r ON r.id = d.owner_id \
         WHERE d.outcome = 'disqualified'{} ORDER BY d.id",
        scope_condition(scope)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&store.pool)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(DisqualifiedDeal {
                deal_id: col(row, 0, "deals.id")?,
                owner: col(row, 1, "reps.name")?,
                closed: col(row, 2, "deals.closed")?,
            })
        })
        .collect()
}

/// The SQL of `FactStore::call_fact_rows`.
pub(super) async fn call_fact_rows(
    store: &Backend,
    scope: &Scope,
) -> Result<Vec<CallFactRow>, StoreError> {
    fact_rows_where(store, &visible_deal_ids(scope, "f.deal_id")).await
}

/// The call facts of the deals `condition` (` AND …` over `f`) keeps.
async fn fact_rows_where(store: &Backend, condition: &str) -> Result<Vec<CallFactRow>, StoreError> {
    let sql = format!(
        "SELECT f.call_id, f.deal_id, f.date, f.asked_next_step, f.bail_outs \
         FROM call_facts f WHERE TRUE{condition} ORDER BY f.date, f.call_id"
    );
    fetch_decoded(store, sql, |row| {
        let asked: i32 = col(row, 3, "call_facts.asked_next_step")?;
        Ok(CallFactRow {
            call_id: col(row, 0, "call_facts.call_id")?,
            deal_id: col(row, 1, "call_facts.deal_id")?,
            date: col(row, 2, "call_facts.date")?,
            asked_next_step: asked != 0,
            bail_outs: col(row, 4, "call_facts.bail_outs")?,
        })
    })
    .await
}

/// The SQL of `FactStore::step_rows`.
pub(super) async fn step_rows(
    store: &Backend,
    scope: &Scope,
) -> Result<Vec<NextStepRecord>, StoreError> {
    step_rows_where(store, &visible_deal_ids(scope, "deal_id")).await
}

/// The steps (no text) of the deals `condition` (` AND …` over `deal_id`) keeps.
async fn step_rows_where(
    store: &Backend,
    condition: &str,
) -> Result<Vec<NextStepRecord>, StoreError> {
    let sql = format!(
        "SELECT id, deal_id, kind, owner, due, defined_by, confirmed_by_prospect, \
         source, call_id, status, created_at, updated_at \
         FROM next_steps WHERE TRUE{condition} ORDER BY id"
    );
    fetch_decoded(store, sql, |row| {
        Ok(NextStepRecord {
            id: col(row, 0, "next_steps.id")?,
            deal_id: col(row, 1, "next_steps.deal_id")?,
            action: String::new(),
            kind: col(row, 2, "next_steps.kind")?,
            owner: col(row, 3, "next_steps.owner")?,
            due: col(row, 4, "next_steps.due")?,
            defined_by: parse_defined_by(col(row, 5, "next_steps.defined_by")?)?,
            confirmed_by_prospect: col(row, 6, "next_steps.confirmed_by_prospect")?,
            source: parse_source(col(row, 7, "next_steps.source")?)?,
            call_id: col(row, 8, "next_steps.call_id")?,
            evidence: serde_json::Value::Null,
            status: parse_status(col(row, 9, "next_steps.status")?)?,
            created_at: col(row, 10, "next_steps.created_at")?,
            updated_at: col(row, 11, "next_steps.updated_at")?,
        })
    })
    .await
}

/// The SQL of `FactStore::open_forecast_inputs`.
pub(super) async fn open_forecast_inputs(
    store: &Backend,
    scope: &Scope,
    as_of: chrono::NaiveDate,
    only: Option<&[i64]>,
) -> Result<OpenForecastInputs, StoreError> {
    // Deal ids are integers formatted here: literals, never caller text.
    let only = match only {
        None => String::new(),
        Some([]) => " AND FALSE".to_string(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND d.id IN ({})", list.join(","))
        }
    };
    let open = format!("{}{}{only}", open_at(as_of), scope_condition(scope));
    let open_ids =
        |column: &str| format!(" AND {column} IN (SELECT d.id FROM deals d WHERE {open})");
    let deals_sql = format!("{DEAL_SELECT} WHERE {open} ORDER BY d.id");
    let deals = fetch_decoded(store, deals_sql, |row| deal_at(row, 0)).await?;
    let facts = fact_rows_where(store, &open_ids("f.deal_id")).await?;
    let steps = step_rows_where(store, &open_ids("deal_id")).await?;
    let history = deals::stage_history_where(store, &open_ids("deal_id")).await?;
    let stages_sql = format!(
        "SELECT DISTINCT d.stage FROM deals d WHERE d.outcome IS NOT NULL{} ORDER BY d.stage",
        scope_condition(scope)
    );
    let closed_stages = sqlx::query_scalar(AssertSqlSafe(stages_sql))
        .fetch_all(&store.pool)
        .await
        .map_err(db_err)?;
    let visible = visible_deal_ids(scope, "deal_id");
    let flags_sql = format!(
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM calls WHERE TRUE{visible}) \
         OR EXISTS (SELECT 1 FROM next_steps WHERE TRUE{visible}) THEN 1 ELSE 0 END AS BIGINT), \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM stage_history WHERE TRUE{visible}) \
         THEN 1 ELSE 0 END AS BIGINT)"
    );
    let flags = sqlx::query(AssertSqlSafe(flags_sql))
        .fetch_one(&store.pool)
        .await
        .map_err(db_err)?;
    let activity: i64 = col(&flags, 0, "activity recorded")?;
    let history_recorded: i64 = col(&flags, 1, "stage history recorded")?;
    Ok(OpenForecastInputs {
        deals,
        facts,
        steps,
        history,
        closed_stages,
        activity_recorded: activity != 0,
        history_recorded: history_recorded != 0,
    })
}
