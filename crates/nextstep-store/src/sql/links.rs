//! Confirmation links: a step sent to the prospect to confirm or correct.

use super::*;

/// `SELECT` of a [`ConfirmLink`]: 8 link columns then the step's 14 ([`step_at`]
/// order), decoded by [`link_at`].
const LINK_SELECT: &str = "SELECT l.id, l.deal_id, d.name, l.created_at, l.expires_at, l.answer, \
     l.correction, l.answered_at, s.id, s.deal_id, s.action, s.kind, s.owner, s.due, \
     s.defined_by, s.confirmed_by_prospect, s.source, s.call_id, s.evidence, s.status, \
     s.created_at, s.updated_at \
     FROM confirm_links l JOIN deals d ON d.id = l.deal_id \
     JOIN next_steps s ON s.id = l.step_id";

/// A [`ConfirmLink`] from [`LINK_SELECT`]'s columns.
pub(super) fn link_at(row: &DbRow) -> Result<ConfirmLink, StoreError> {
    let answer: Option<String> = col(row, 5, "confirm_links.answer")?;
    let answer = match answer.as_deref() {
        None => None,
        Some("yes") => Some(LinkAnswer::Yes),
        Some("not_quite") => Some(LinkAnswer::NotQuite),
        Some(other) => return Err(corrupt("confirm_links.answer", other)),
    };
    Ok(ConfirmLink {
        id: col(row, 0, "confirm_links.id")?,
        deal_id: col(row, 1, "confirm_links.deal_id")?,
        deal_name: col(row, 2, "deals.name")?,
        created_at: col(row, 3, "confirm_links.created_at")?,
        expires_at: col(row, 4, "confirm_links.expires_at")?,
        answer,
        correction: col(row, 6, "confirm_links.correction")?,
        answered_at: col(row, 7, "confirm_links.answered_at")?,
        step: step_at(row, 8)?,
    })
}

/// The link with id `id`.
pub(super) async fn link_by_id(conn: &mut Conn, id: i64) -> Result<ConfirmLink, StoreError> {
    let row = sqlx::query(concatcp!(LINK_SELECT, " WHERE l.id = $1"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    link_at(&row)
}

/// The SQL of `TeamStore::create_confirm_link`.
pub(super) async fn create_confirm_link(
    store: &Backend,
    scope: &Scope,
    link: &NewConfirmLink,
) -> Result<ConfirmLink, StoreError> {
    let mut tx = store.begin_write().await?;
    if !deal_visible(&mut tx, scope, link.deal_id).await? {
        return Err(StoreError::DealNotFound(link.deal_id.to_string()));
    }
    let step: Option<i64> =
        sqlx::query_scalar("SELECT id FROM next_steps WHERE id = $1 AND deal_id = $2")
            .bind(link.step_id)
            .bind(link.deal_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
    if step.is_none() {
        return Err(StoreError::NotFound {
            what: "next step on this deal",
            key: link.step_id.to_string(),
        });
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO confirm_links (token_hash, deal_id, step_id, created_by, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&link.token_hash)
    .bind(link.deal_id)
    .bind(link.step_id)
    .bind(link.created_by)
    .bind(Utc::now())
    .bind(link.expires_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let created = link_by_id(&mut tx, id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(created)
}

/// The SQL of `TeamStore::confirm_link`.
pub(super) async fn confirm_link(
    store: &Backend,
    token_hash: &str,
) -> Result<Option<ConfirmLink>, StoreError> {
    let row = sqlx::query(concatcp!(LINK_SELECT, " WHERE l.token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(&store.pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(link_at).transpose()
}

/// The SQL of `TeamStore::answer_confirm_link`.
pub(super) async fn answer_confirm_link(
    store: &Backend,
    token_hash: &str,
    answer: LinkAnswer,
    correction: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ConfirmLink, StoreError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(concatcp!(LINK_SELECT, " WHERE l.token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    let Some(row) = row else {
        return Err(StoreError::NotFound {
            what: "confirmation link",
            key: "(token)".into(),
        });
    };
    let link = link_at(&row)?;
    if link.expires_at <= now {
        return Err(StoreError::LinkExpired(link.expires_at));
    }
    if link.step.status != crate::StepStatus::Open {
        return Err(StoreError::LinkSuperseded);
    }
    let (answer_text, confirmed) = match answer {
        LinkAnswer::Yes => ("yes", true),
        LinkAnswer::NotQuite => ("not_quite", false),
    };
    // Only while the step is still open: the condition and the write are one
    // statement, so a step superseded meanwhile takes no answer.
    let updated = sqlx::query(
        "UPDATE next_steps SET confirmed_by_prospect = $1, updated_at = $2 \
         WHERE id = $3 AND status = 'open'",
    )
    .bind(confirmed)
    .bind(now)
    .bind(link.step.id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::LinkSuperseded);
    }
    let correction = correction.map(str::trim).filter(|c| !c.is_empty());
    sqlx::query(
        "UPDATE confirm_links SET answer = $1, correction = $2, answered_at = $3 \
         WHERE id = $4",
    )
    .bind(answer_text)
    .bind(correction)
    .bind(now)
    .bind(link.id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    let answered = link_by_id(&mut tx, link.id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(answered)
}

/// The SQL of `TeamStore::confirm_links_for_deal`.
pub(super) async fn confirm_links_for_deal(
    store: &Backend,
    deal_id: i64,
) -> Result<Vec<ConfirmLink>, StoreError> {
    let rows = sqlx::query(concatcp!(
        LINK_SELECT,
        " WHERE l.deal_id = $1 ORDER BY l.id DESC"
    ))
    .bind(deal_id)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(link_at).collect()
}
