//! The SQL both backends run, written once.
//!
//! SQLite and PostgreSQL accept the same statements here: `$N` placeholders (SQLite reads
//! `$N` as parameter N), `RETURNING`, `UPDATE … FROM` a `VALUES` list, partial indexes.
//! What differs lives in the migrations (column types) and in each backend's module: how
//! it opens, how a write transaction begins, and the pipeline report, which each backend
//! fetches its fastest way. sqlx's `Any` driver cannot carry timestamps
//! or JSON, and code generic over `sqlx::Database` drowns in trait bounds, so
//! [`impl_sql_store!`] stamps this one implementation out for each concrete driver.

/// `SELECT` of a [`Deal`](crate::Deal): 15 columns, decoded by `deal_at`.
macro_rules! deal_select {
    () => {
        "SELECT d.id, d.external_id, d.name, a.name, r.name, d.stage, d.amount_cents, \
         d.currency, d.expected_close, d.created, d.closed, d.outcome, d.loss_reason, \
         d.product, d.crm_next_step \
         FROM deals d \
         LEFT JOIN accounts a ON a.id = d.account_id \
         LEFT JOIN reps r ON r.id = d.owner_id"
    };
}

/// Columns of a [`NextStepRecord`](crate::NextStepRecord): 14, decoded by `step_at`.
macro_rules! step_columns {
    () => {
        "id, deal_id, action, kind, owner, due, defined_by, confirmed_by_prospect, source, \
         call_id, evidence, status, created_at, updated_at"
    };
}

/// Columns of a [`Call`](crate::Call): 9, decoded by `call_at`.
macro_rules! call_columns {
    () => {
        "id, deal_id, date, source, format, transcript, speakers, analysis, bail_out"
    };
}

/// Narrows the pipeline report's reads to one owner's deals (`d`); binds the name as `$1`.
macro_rules! owner_filter {
    () => {
        " AND d.owner_id = (SELECT id FROM reps WHERE name = $1)"
    };
}

/// Implements [`Store`](crate::Store) for `$store` (in a module that imports
/// `sqlx::AssertSqlSafe`; a struct with a `pool` field, a
/// `static MIGRATOR` in scope and an inherent `pipeline_rows`, the report each backend
/// fetches its own way) on the concrete sqlx driver `$db`, beginning write
/// transactions with `$begin` (SQLite takes the write lock up front with `BEGIN IMMEDIATE`,
/// so two writers queue instead of failing when a reader upgrades).
macro_rules! impl_sql_store {
    ($store:ident, $db:ty, begin = $begin:literal) => {
        use std::collections::HashMap;

        use chrono::{DateTime, Utc};
        use sqlx::types::Json;
        use sqlx::{QueryBuilder, Row as _};

        use crate::common::{
            check_unique, corrupt, db_err, defined_by_str, distinct, migrate_err, outcome_str,
            parse_defined_by, parse_outcome, parse_source, parse_status, plan_import, same_f64,
            scope_condition, source_str, status_str, visible_deal_ids, ImportPlan, Resolved,
            StoredDeal, Update, MAX_BINDS,
        };
        use crate::{
            Call, Deal, DealFilter, ImportStats, NewAccount, NewCall, NewContact, NewDeal,
            NewNextStep, NewRep, NextStepRecord, PipelineRow, Rep, Scope, StageChange,
            StepStatus, StoreError,
        };

        type Db = $db;
        type Conn = <$db as sqlx::Database>::Connection;
        type DbRow = <$db as sqlx::Database>::Row;
        type Tx = sqlx::Transaction<'static, $db>;

        /// Column `index` of `row`; a value that will not decode is [`StoreError::Corrupt`].
        fn col<'r, T>(row: &'r DbRow, index: usize, field: &'static str) -> Result<T, StoreError>
        where
            T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
        {
            row.try_get(index).map_err(|e| corrupt(field, e))
        }

        /// A [`Deal`] from the 15 columns of `deal_select!` starting at `i`.
        fn deal_at(row: &DbRow, i: usize) -> Result<Deal, StoreError> {
            Ok(Deal {
                id: col(row, i, "deals.id")?,
                external_id: col(row, i + 1, "deals.external_id")?,
                name: col(row, i + 2, "deals.name")?,
                account: col(row, i + 3, "accounts.name")?,
                owner: col(row, i + 4, "reps.name")?,
                stage: col(row, i + 5, "deals.stage")?,
                amount: col(row, i + 6, "deals.amount_cents")?,
                currency: col(row, i + 7, "deals.currency")?,
                expected_close: col(row, i + 8, "deals.expected_close")?,
                created: col(row, i + 9, "deals.created")?,
                closed: col(row, i + 10, "deals.closed")?,
                outcome: parse_outcome(col(row, i + 11, "deals.outcome")?)?,
                loss_reason: col(row, i + 12, "deals.loss_reason")?,
                product: col(row, i + 13, "deals.product")?,
                crm_next_step: col(row, i + 14, "deals.crm_next_step")?,
            })
        }

        /// A [`NextStepRecord`] from the 14 `step_columns!` starting at `i`.
        fn step_at(row: &DbRow, i: usize) -> Result<NextStepRecord, StoreError> {
            let evidence: Json<serde_json::Value> = col(row, i + 10, "next_steps.evidence")?;
            Ok(NextStepRecord {
                id: col(row, i, "next_steps.id")?,
                deal_id: col(row, i + 1, "next_steps.deal_id")?,
                action: col(row, i + 2, "next_steps.action")?,
                kind: col(row, i + 3, "next_steps.kind")?,
                owner: col(row, i + 4, "next_steps.owner")?,
                due: col(row, i + 5, "next_steps.due")?,
                defined_by: parse_defined_by(col(row, i + 6, "next_steps.defined_by")?)?,
                confirmed_by_prospect: col(row, i + 7, "next_steps.confirmed_by_prospect")?,
                source: parse_source(col(row, i + 8, "next_steps.source")?)?,
                call_id: col(row, i + 9, "next_steps.call_id")?,
                evidence: evidence.0,
                status: parse_status(col(row, i + 11, "next_steps.status")?)?,
                created_at: col(row, i + 12, "next_steps.created_at")?,
                updated_at: col(row, i + 13, "next_steps.updated_at")?,
            })
        }

        /// A [`Call`] from the 9 `call_columns!`.
        fn call_at(row: &DbRow) -> Result<Call, StoreError> {
            let speakers: Json<serde_json::Value> = col(row, 6, "calls.speakers")?;
            let analysis: Json<serde_json::Value> = col(row, 7, "calls.analysis")?;
            Ok(Call {
                id: col(row, 0, "calls.id")?,
                deal_id: col(row, 1, "calls.deal_id")?,
                date: col(row, 2, "calls.date")?,
                source: col(row, 3, "calls.source")?,
                format: col(row, 4, "calls.format")?,
                transcript: col(row, 5, "calls.transcript")?,
                speakers: speakers.0,
                analysis: analysis.0,
                bail_out: col(row, 8, "calls.bail_out")?,
            })
        }

        /// Whether deal `id` exists.
        async fn deal_exists(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM deals WHERE id = $1")
                .bind(id)
                .fetch_optional(conn)
                .await
                .map_err(db_err)?;
            Ok(found.is_some())
        }

        /// The ids of `names` in `table` (`accounts` or `reps`), inserting the missing ones
        /// (name only): deals and contacts name their account and owner, and may come first.
        async fn ensure_names(
            conn: &mut Conn,
            table: &'static str,
            names: &[&str],
        ) -> Result<HashMap<String, i64>, StoreError> {
            let mut ids = HashMap::with_capacity(names.len());
            for chunk in names.chunks(MAX_BINDS) {
                let mut qb = QueryBuilder::<Db>::new("SELECT id, name FROM ");
                qb.push(table).push(" WHERE name IN (");
                let mut list = qb.separated(", ");
                for name in chunk {
                    list.push_bind(*name);
                }
                qb.push(")");
                for row in qb.build().fetch_all(&mut *conn).await.map_err(db_err)? {
                    ids.insert(col(&row, 1, "name")?, col(&row, 0, "id")?);
                }
            }
            let missing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !ids.contains_key(*n))
                .collect();
            for chunk in missing.chunks(MAX_BINDS) {
                let mut qb = QueryBuilder::<Db>::new("INSERT INTO ");
                qb.push(table).push(" (name) ");
                qb.push_values(chunk, |mut b, name| {
                    b.push_bind(*name);
                });
                qb.push(" RETURNING id, name");
                for row in qb.build().fetch_all(&mut *conn).await.map_err(db_err)? {
                    ids.insert(col(&row, 1, "name")?, col(&row, 0, "id")?);
                }
            }
            Ok(ids)
        }

        /// The stored deals among `external_ids`, by external id.
        async fn existing_deals(
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
        async fn insert_deals(
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
        async fn update_deals(conn: &mut Conn, rows: &[Update<'_>]) -> Result<(), StoreError> {
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
        async fn insert_history(
            conn: &mut Conn,
            rows: &[(i64, &str)],
            at: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            for chunk in rows.chunks(MAX_BINDS / 3) {
                let mut qb =
                    QueryBuilder::<Db>::new("INSERT INTO stage_history (deal_id, stage, at) ");
                qb.push_values(chunk, |mut b, (deal_id, stage)| {
                    b.push_bind(*deal_id).push_bind(*stage).push_bind(at);
                });
                qb.build().execute(&mut *conn).await.map_err(db_err)?;
            }
            Ok(())
        }

        /// Records `step` as the deal's open step, superseding the current one (kept, with
        /// `superseded_by` pointing at its successor). Runs inside the caller's transaction.
        async fn record_step(
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

        /// Stores a call and the step it found (superseding the deal's open step) inside
        /// the caller's transaction: `add_call`, and an upload's last step.
        async fn insert_call(
            conn: &mut Conn,
            deal_id: i64,
            call: &NewCall,
            step: Option<&NewNextStep>,
        ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
            if !deal_exists(conn, deal_id).await? {
                return Err(StoreError::DealNotFound(deal_id.to_string()));
            }
            let row = sqlx::query(concat!(
                "INSERT INTO calls (deal_id, date, source, format, transcript, speakers, \
                 analysis, bail_out) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
                call_columns!()
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
            write_facts(conn, stored.id, deal_id, call.date, &call.analysis).await?;
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

        /// Inserts a step: open, or (with `superseded_by`) straight into the history as
        /// superseded by that step. Runs inside the caller's transaction.
        async fn insert_step(
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
            let row = sqlx::query(concat!(
                "INSERT INTO next_steps (deal_id, action, kind, owner, due, defined_by, \
                 confirmed_by_prospect, source, call_id, evidence, status, created_at, \
                 updated_at, superseded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) \
                 RETURNING ",
                step_columns!()
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

        impl $store {
            /// Begins a write transaction.
            async fn begin_write(&self) -> Result<Tx, StoreError> {
                self.pool.begin_with($begin).await.map_err(db_err)
            }
        }

        impl crate::Store for $store {
            async fn migrate(&self) -> Result<(), StoreError> {
                MIGRATOR.run(&self.pool).await.map_err(migrate_err)
            }

            async fn upsert_reps(&self, reps: &[NewRep]) -> Result<ImportStats, StoreError> {
                check_unique("rep", reps.iter().map(|r| r.name.as_str()))?;
                let mut stats = ImportStats::default();
                if reps.is_empty() {
                    return Ok(stats);
                }
                let names = distinct(
                    reps.iter()
                        .map(|r| r.name.as_str())
                        .chain(reps.iter().filter_map(|r| r.manager.as_deref())),
                );
                let mut tx = self.begin_write().await?;

                // What is stored: id, manager id, team, email by name.
                type Stored = (i64, Option<i64>, Option<String>, Option<String>);
                let mut stored: HashMap<String, Stored> = HashMap::new();
                for chunk in names.chunks(MAX_BINDS) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "SELECT id, name, manager_id, team, email FROM reps WHERE name IN (",
                    );
                    let mut list = qb.separated(", ");
                    for name in chunk {
                        list.push_bind(*name);
                    }
                    qb.push(")");
                    for row in qb.build().fetch_all(&mut *tx).await.map_err(db_err)? {
                        stored.insert(
                            col(&row, 1, "reps.name")?,
                            (
                                col(&row, 0, "reps.id")?,
                                col(&row, 2, "reps.manager_id")?,
                                col(&row, 3, "reps.team")?,
                                col(&row, 4, "reps.email")?,
                            ),
                        );
                    }
                }

                // Every missing name first (managers only named in `manager` too), so that
                // manager ids exist before anyone points at them.
                let by_name: HashMap<&str, &NewRep> =
                    reps.iter().map(|r| (r.name.as_str(), r)).collect();
                let missing: Vec<(&str, Option<&str>, Option<&str>)> = names
                    .iter()
                    .filter(|n| !stored.contains_key(**n))
                    .map(|n| match by_name.get(n) {
                        Some(r) => (*n, r.team.as_deref(), r.email.as_deref()),
                        None => (*n, None, None),
                    })
                    .collect();
                let mut ids: HashMap<String, i64> =
                    stored.iter().map(|(n, s)| (n.clone(), s.0)).collect();
                for chunk in missing.chunks(MAX_BINDS / 3) {
                    let mut qb = QueryBuilder::<Db>::new("INSERT INTO reps (name, team, email) ");
                    qb.push_values(chunk, |mut b, (name, team, email)| {
                        b.push_bind(*name).push_bind(*team).push_bind(*email);
                    });
                    qb.push(" RETURNING id, name");
                    for row in qb.build().fetch_all(&mut *tx).await.map_err(db_err)? {
                        ids.insert(col(&row, 1, "reps.name")?, col(&row, 0, "reps.id")?);
                    }
                }
                stats.imported = missing.len() as u64;

                for rep in reps {
                    let manager_id = rep.manager.as_ref().and_then(|m| ids.get(m).copied());
                    let id = match stored.get(&rep.name) {
                        Some((_, m, t, e))
                            if *m == manager_id && *t == rep.team && *e == rep.email =>
                        {
                            stats.unchanged += 1;
                            continue;
                        }
                        Some((id, ..)) => {
                            stats.updated += 1;
                            *id
                        }
                        None if manager_id.is_none() => continue,
                        None => match ids.get(&rep.name) {
                            Some(id) => *id,
                            None => continue,
                        },
                    };
                    sqlx::query(
                        "UPDATE reps SET manager_id = $2, team = $3, email = $4 WHERE id = $1",
                    )
                        .bind(id)
                        .bind(manager_id)
                        .bind(rep.team.as_deref())
                        .bind(rep.email.as_deref())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(stats)
            }

            async fn upsert_accounts(
                &self,
                accounts: &[NewAccount],
            ) -> Result<ImportStats, StoreError> {
                check_unique("account", accounts.iter().map(|a| a.name.as_str()))?;
                let mut stats = ImportStats::default();
                if accounts.is_empty() {
                    return Ok(stats);
                }
                let mut tx = self.begin_write().await?;
                let mut stored: HashMap<String, (i64, NewAccount)> = HashMap::new();
                for chunk in accounts.chunks(MAX_BINDS) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "SELECT id, name, sector, year_established, revenue_millions, employees, \
                         location, parent FROM accounts WHERE name IN (",
                    );
                    let mut list = qb.separated(", ");
                    for a in chunk {
                        list.push_bind(a.name.as_str());
                    }
                    qb.push(")");
                    for row in qb.build().fetch_all(&mut *tx).await.map_err(db_err)? {
                        let account = NewAccount {
                            name: col(&row, 1, "accounts.name")?,
                            sector: col(&row, 2, "accounts.sector")?,
                            year_established: col(&row, 3, "accounts.year_established")?,
                            revenue_millions: col(&row, 4, "accounts.revenue_millions")?,
                            employees: col(&row, 5, "accounts.employees")?,
                            location: col(&row, 6, "accounts.location")?,
                            parent: col(&row, 7, "accounts.parent")?,
                        };
                        let id = col(&row, 0, "accounts.id")?;
                        stored.insert(account.name.clone(), (id, account));
                    }
                }
                let mut missing = Vec::new();
                for a in accounts {
                    match stored.get(&a.name) {
                        None => missing.push(a),
                        Some((_, old))
                            if old.sector == a.sector
                                && old.year_established == a.year_established
                                && same_f64(old.revenue_millions, a.revenue_millions)
                                && old.employees == a.employees
                                && old.location == a.location
                                && old.parent == a.parent =>
                        {
                            stats.unchanged += 1;
                        }
                        Some((id, _)) => {
                            stats.updated += 1;
                            sqlx::query(
                                "UPDATE accounts SET sector = $2, year_established = $3, \
                                 revenue_millions = $4, employees = $5, location = $6, \
                                 parent = $7 WHERE id = $1",
                            )
                            .bind(*id)
                            .bind(a.sector.as_deref())
                            .bind(a.year_established)
                            .bind(a.revenue_millions)
                            .bind(a.employees)
                            .bind(a.location.as_deref())
                            .bind(a.parent.as_deref())
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        }
                    }
                }
                for chunk in missing.chunks(MAX_BINDS / 7) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "INSERT INTO accounts (name, sector, year_established, revenue_millions, \
                         employees, location, parent) ",
                    );
                    qb.push_values(chunk, |mut b, a| {
                        b.push_bind(a.name.as_str())
                            .push_bind(a.sector.as_deref())
                            .push_bind(a.year_established)
                            .push_bind(a.revenue_millions)
                            .push_bind(a.employees)
                            .push_bind(a.location.as_deref())
                            .push_bind(a.parent.as_deref());
                    });
                    qb.build().execute(&mut *tx).await.map_err(db_err)?;
                }
                stats.imported = missing.len() as u64;
                tx.commit().await.map_err(db_err)?;
                Ok(stats)
            }

            async fn upsert_contacts(
                &self,
                contacts: &[NewContact],
            ) -> Result<ImportStats, StoreError> {
                let keys: Vec<String> = contacts
                    .iter()
                    .map(|c| format!("{} at {}", c.name, c.account))
                    .collect();
                check_unique("contact", keys.iter().map(String::as_str))?;
                let mut stats = ImportStats::default();
                if contacts.is_empty() {
                    return Ok(stats);
                }
                let mut tx = self.begin_write().await?;
                let account_names = distinct(contacts.iter().map(|c| c.account.as_str()));
                let accounts = ensure_names(&mut tx, "accounts", &account_names).await?;
                let account_ids: Vec<i64> = accounts.values().copied().collect();

                type Stored = (i64, Option<String>, Option<String>);
                let mut stored: HashMap<(i64, String), Stored> = HashMap::new();
                for chunk in account_ids.chunks(MAX_BINDS) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "SELECT id, account_id, name, email, title FROM contacts \
                         WHERE account_id IN (",
                    );
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                    for row in qb.build().fetch_all(&mut *tx).await.map_err(db_err)? {
                        stored.insert(
                            (col(&row, 1, "contacts.account_id")?, col(&row, 2, "contacts.name")?),
                            (
                                col(&row, 0, "contacts.id")?,
                                col(&row, 3, "contacts.email")?,
                                col(&row, 4, "contacts.title")?,
                            ),
                        );
                    }
                }
                let mut missing = Vec::new();
                for c in contacts {
                    let Some(&account_id) = accounts.get(&c.account) else {
                        return Err(StoreError::Query(format!(
                            "account {:?} vanished during the import",
                            c.account
                        )));
                    };
                    match stored.get(&(account_id, c.name.clone())) {
                        None => missing.push((account_id, c)),
                        Some((_, email, title)) if *email == c.email && *title == c.title => {
                            stats.unchanged += 1;
                        }
                        Some((id, ..)) => {
                            stats.updated += 1;
                            sqlx::query("UPDATE contacts SET email = $2, title = $3 WHERE id = $1")
                                .bind(*id)
                                .bind(c.email.as_deref())
                                .bind(c.title.as_deref())
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err)?;
                        }
                    }
                }
                for chunk in missing.chunks(MAX_BINDS / 4) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "INSERT INTO contacts (account_id, name, email, title) ",
                    );
                    qb.push_values(chunk, |mut b, (account_id, c)| {
                        b.push_bind(*account_id)
                            .push_bind(c.name.as_str())
                            .push_bind(c.email.as_deref())
                            .push_bind(c.title.as_deref());
                    });
                    qb.build().execute(&mut *tx).await.map_err(db_err)?;
                }
                stats.imported = missing.len() as u64;
                tx.commit().await.map_err(db_err)?;
                Ok(stats)
            }

            async fn import_deals(&self, deals: &[NewDeal]) -> Result<ImportStats, StoreError> {
                check_unique("external id", deals.iter().map(|d| d.external_id.as_str()))?;
                if deals.is_empty() {
                    return Ok(ImportStats::default());
                }
                let now = Utc::now();
                let mut tx = self.begin_write().await?;
                let account_names = distinct(deals.iter().filter_map(|d| d.account.as_deref()));
                let accounts = ensure_names(&mut tx, "accounts", &account_names).await?;
                let owner_names = distinct(deals.iter().filter_map(|d| d.owner.as_deref()));
                let owners = ensure_names(&mut tx, "reps", &owner_names).await?;
                let external_ids: Vec<&str> =
                    deals.iter().map(|d| d.external_id.as_str()).collect();
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

            async fn find_deal(&self, scope: &Scope, key: &str) -> Result<Deal, StoreError> {
                let key = key.trim();
                let visible = scope_condition(scope);
                if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(id) = key.parse::<i64>() {
                        let sql = format!(concat!(deal_select!(), " WHERE d.id = $1{}"), visible);
                        let row = sqlx::query(AssertSqlSafe(sql))
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_err)?;
                        if let Some(row) = row {
                            return deal_at(&row, 0);
                        }
                    }
                }
                let sql = format!(concat!(deal_select!(), " WHERE d.external_id = $1{}"), visible);
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                match row {
                    Some(row) => deal_at(&row, 0),
                    None => Err(StoreError::DealNotFound(key.to_string())),
                }
            }

            async fn list_deals(&self, filter: &DealFilter) -> Result<Vec<Deal>, StoreError> {
                let mut qb = QueryBuilder::<Db>::new(deal_select!());
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
                    qb.push(glue).push("TRUE").push(scope_condition(&filter.scope));
                }
                qb.push(" ORDER BY d.id");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(|row| deal_at(row, 0)).collect()
            }

            async fn stage_history(&self, deal_id: i64) -> Result<Vec<StageChange>, StoreError> {
                let rows = sqlx::query(
                    "SELECT stage, at FROM stage_history WHERE deal_id = $1 ORDER BY at, id",
                )
                .bind(deal_id)
                .fetch_all(&self.pool)
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

            async fn list_reps(&self) -> Result<Vec<Rep>, StoreError> {
                let rows = sqlx::query(
                    "SELECT r.id, r.name, m.name, r.team, r.email FROM reps r \
                     LEFT JOIN reps m ON m.id = r.manager_id ORDER BY r.name",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter()
                    .map(|row| {
                        Ok(Rep {
                            id: col(row, 0, "reps.id")?,
                            name: col(row, 1, "reps.name")?,
                            manager: col(row, 2, "reps.manager")?,
                            team: col(row, 3, "reps.team")?,
                            email: col(row, 4, "reps.email")?,
                        })
                    })
                    .collect()
            }

            async fn add_call(
                &self,
                deal_id: i64,
                call: &NewCall,
                step: Option<&NewNextStep>,
            ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
                let mut tx = self.begin_write().await?;
                let stored = insert_call(&mut tx, deal_id, call, step).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(stored)
            }

            async fn rejudge_call(
                &self,
                call_id: i64,
                call: &NewCall,
                step: Option<&NewNextStep>,
            ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
                let mut tx = self.begin_write().await?;
                let row = sqlx::query(concat!(
                    "UPDATE calls SET speakers = $2, analysis = $3, bail_out = $4 \
                     WHERE id = $1 RETURNING ",
                    call_columns!()
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
                write_facts(&mut tx, call_id, deal_id, stored.date, &call.analysis).await?;
                let now = Utc::now();
                let open: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM next_steps WHERE call_id = $1 AND status = 'open'",
                )
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
                            let new =
                                insert_step(&mut tx, deal_id, step, Some(call_id), None).await?;
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
                                    insert_step(&mut tx, deal_id, step, Some(call_id), Some(open))
                                        .await?
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

            async fn find_call(&self, scope: &Scope, id: i64) -> Result<Call, StoreError> {
                let sql = format!(
                    concat!(
                        "SELECT ",
                        call_columns!(),
                        " FROM calls WHERE id = $1{}"
                    ),
                    visible_deal_ids(scope, "deal_id")
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(&self.pool)
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

            async fn calls_for_deal(&self, deal_id: i64) -> Result<Vec<Call>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ",
                    call_columns!(),
                    " FROM calls WHERE deal_id = $1 ORDER BY date, id"
                ))
                .bind(deal_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter().map(call_at).collect()
            }

            async fn all_calls(&self, scope: &Scope) -> Result<Vec<Call>, StoreError> {
                // The transcript text stays in the database: reports read the analysis.
                let sql = format!(
                    "SELECT id, deal_id, date, source, format, '' AS transcript, speakers, \
                     analysis, bail_out FROM calls WHERE TRUE{} ORDER BY date, id",
                    visible_deal_ids(scope, "deal_id")
                );
                let rows = sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter().map(call_at).collect()
            }

            async fn all_next_steps(
                &self,
                scope: &Scope,
            ) -> Result<Vec<NextStepRecord>, StoreError> {
                let sql = format!(
                    concat!(
                        "SELECT ",
                        step_columns!(),
                        " FROM next_steps WHERE TRUE{} ORDER BY id"
                    ),
                    visible_deal_ids(scope, "deal_id")
                );
                let rows = sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter().map(|row| step_at(row, 0)).collect()
            }

            async fn all_stage_history(
                &self,
                scope: &Scope,
            ) -> Result<Vec<(i64, StageChange)>, StoreError> {
                let sql = format!(
                    "SELECT deal_id, stage, at FROM stage_history WHERE TRUE{} \
                     ORDER BY deal_id, at, id",
                    visible_deal_ids(scope, "deal_id")
                );
                let rows = sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter()
                    .map(|row| {
                        Ok((
                            col(row, 0, "stage_history.deal_id")?,
                            StageChange {
                                stage: col(row, 1, "stage_history.stage")?,
                                at: col(row, 2, "stage_history.at")?,
                            },
                        ))
                    })
                    .collect()
            }

            async fn set_next_step(
                &self,
                deal_id: i64,
                step: &NewNextStep,
            ) -> Result<NextStepRecord, StoreError> {
                let mut tx = self.begin_write().await?;
                if !deal_exists(&mut tx, deal_id).await? {
                    return Err(StoreError::DealNotFound(deal_id.to_string()));
                }
                let record = record_step(&mut tx, deal_id, step, step.call_id).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(record)
            }

            async fn close_next_step(
                &self,
                deal_id: i64,
                status: StepStatus,
            ) -> Result<NextStepRecord, StoreError> {
                if matches!(status, StepStatus::Open | StepStatus::Superseded) {
                    return Err(StoreError::Query(format!(
                        "a step is closed as done, missed or cancelled, not {}",
                        status_str(status)
                    )));
                }
                let mut tx = self.begin_write().await?;
                let row = sqlx::query(concat!(
                    "UPDATE next_steps SET status = $2, updated_at = $3 \
                     WHERE deal_id = $1 AND status = 'open' RETURNING ",
                    step_columns!()
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

            async fn next_step_history(
                &self,
                deal_id: i64,
            ) -> Result<Vec<NextStepRecord>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ",
                    step_columns!(),
                    " FROM next_steps WHERE deal_id = $1 ORDER BY id"
                ))
                .bind(deal_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter().map(|row| step_at(row, 0)).collect()
            }

            async fn data_version(&self) -> Result<i64, StoreError> {
                sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)
            }

            async fn pipeline(
                &self,
                scope: &Scope,
                owner: Option<&str>,
            ) -> Result<Vec<PipelineRow>, StoreError> {
                // Each backend fetches (and orders, by `common::pipeline_key`) its own way.
                let mut filter = scope_condition(scope);
                if owner.is_some() {
                    filter.push_str(owner_filter!());
                }
                self.pipeline_rows(&filter, owner).await
            }
        }
    };
}
