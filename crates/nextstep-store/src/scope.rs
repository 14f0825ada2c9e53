//! Scopes as SQL: the conditions that narrow every read to the deals a caller may see.

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
