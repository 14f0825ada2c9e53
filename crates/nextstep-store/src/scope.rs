//! Scopes as SQL: the conditions that narrow every read to the deals a caller may see.

use chrono::NaiveDate;

/// The condition (` AND …`, or nothing for everyone) that narrows deals aliased `d` to
/// what `scope` may see. Rep ids are integers formatted by Rust, never caller text, so
/// the SQL stays injection-free without a bind (which would shift every caller's `$N`).
pub(crate) fn scope_condition(scope: &crate::Scope) -> String {
    match scope {
        crate::Scope::All => String::new(),
        crate::Scope::Owner(rep) => format!(" AND d.owner_id = {rep}"),
        crate::Scope::Team(manager) => format!(
            " AND d.owner_id IN (SELECT id FROM reps WHERE id = {manager} OR manager_id = {manager})"
        ),
    }
}

/// The condition (` AND …`, or nothing for everyone) that narrows rows with a deal id in
/// `column` to the deals `scope` sees: reads of calls, steps, stage history and uploads.
/// For [`Scope::All`](crate::Scope::All) — every command-line read — there is no
/// subquery at all.
pub(crate) fn visible_deal_ids(scope: &crate::Scope, column: &str) -> String {
    match scope {
        crate::Scope::All => String::new(),
        _ => format!(
            " AND {column} IN (SELECT d.id FROM deals d WHERE TRUE{})",
            scope_condition(scope)
        ),
    }
}

/// A deal (`d`) open at the end of `as_of`.
pub(crate) fn open_at(as_of: NaiveDate) -> String {
    format!("(d.outcome IS NULL OR d.closed > {})", date_literal(as_of))
}

/// `date` as an SQL literal both databases compare with a date column (`'YYYY-MM-DD'`):
/// formatted by Rust, never caller text, so it needs no bind.
pub(crate) fn date_literal(date: NaiveDate) -> String {
    format!("'{}'", date.format("%Y-%m-%d"))
}
