//! Reps: the bulk upsert (with managers) and the roster.

use super::*;

/// The SQL of `Store::upsert_reps`.
pub(super) async fn upsert_reps(
    store: &Backend,
    reps: &[NewRep],
) -> Result<ImportStats, StoreError> {
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
    let mut tx = store.begin_write().await?;

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
    let by_name: HashMap<&str, &NewRep> = reps.iter().map(|r| (r.name.as_str(), r)).collect();
    let missing: Vec<(&str, Option<&str>, Option<&str>)> = names
        .iter()
        .filter(|n| !stored.contains_key(**n))
        .map(|n| match by_name.get(n) {
            Some(r) => (*n, r.team.as_deref(), r.email.as_deref()),
            None => (*n, None, None),
        })
        .collect();
    let mut ids: HashMap<String, i64> = stored.iter().map(|(n, s)| (n.clone(), s.0)).collect();
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
            Some((_, m, t, e)) if *m == manager_id && *t == rep.team && *e == rep.email => {
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
        sqlx::query("UPDATE reps SET manager_id = $2, team = $3, email = $4 WHERE id = $1")
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

/// The SQL of `Store::list_reps`.
pub(super) async fn list_reps(store: &Backend) -> Result<Vec<Rep>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.id, r.name, m.name, r.team, r.email FROM reps r \
         LEFT JOIN reps m ON m.id = r.manager_id ORDER BY r.name",
    )
    .fetch_all(&store.pool)
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
