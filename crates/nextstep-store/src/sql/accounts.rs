//! Accounts and their contacts: bulk upserts by name, and the names deals and contacts point at.

use super::*;

/// The ids of `names` in `table` (`accounts` or `reps`), inserting the missing ones
/// (name only): deals and contacts name their account and owner, and may come first.
pub(super) async fn ensure_names(
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

/// The SQL of `Store::upsert_accounts`.
pub(super) async fn upsert_accounts(
    store: &Backend,
    accounts: &[NewAccount],
) -> Result<ImportStats, StoreError> {
    check_unique("account", accounts.iter().map(|a| a.name.as_str()))?;
    let mut stats = ImportStats::default();
    if accounts.is_empty() {
        return Ok(stats);
    }
    let mut tx = store.begin_write().await?;
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

/// The SQL of `Store::upsert_contacts`.
pub(super) async fn upsert_contacts(
    store: &Backend,
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
    let mut tx = store.begin_write().await?;
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
                (
                    col(&row, 1, "contacts.account_id")?,
                    col(&row, 2, "contacts.name")?,
                ),
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
        let mut qb =
            QueryBuilder::<Db>::new("INSERT INTO contacts (account_id, name, email, title) ");
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
