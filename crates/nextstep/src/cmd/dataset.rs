//! Loads the pipeline for the reports, every deal in scope: whole (calls with their
//! analyses) for the digest, which quotes a week's calls; from the per-call facts for
//! coaching's outcomes and the forecast, which never read an analysis.

use nextstep_core::dataset::Dataset;
use nextstep_core::{Scope, Store};

/// Reads every deal, call (with its analysis), next step and rep.
pub async fn load(store: &impl Store) -> anyhow::Result<Dataset> {
    Ok(nextstep_core::dataset::load(store, &Scope::All).await?)
}

/// Every deal, each call's facts (not its analysis), every step without its text and
/// the reps: what the outcomes, the forecast and the backtest read, as the server reads it.
pub async fn load_facts(store: &nextstep_store::Db) -> anyhow::Result<Dataset> {
    Ok(nextstep_insight::stored_reports::facts_dataset(store, &Scope::All).await?)
}

/// The calls dated `since` to `until` (with their analyses) of the deals `owners` own,
/// those deals, and `roster` as the reps: what one rep's digest (one owner) or one team's
/// (its reps) reads, so a digest run holds one team's weeks at a time.
pub async fn load_owned_between(
    store: &impl Store,
    roster: &[nextstep_core::Rep],
    owners: &[i64],
    since: chrono::NaiveDate,
    until: chrono::NaiveDate,
) -> anyhow::Result<Dataset> {
    let mut data = Dataset {
        reps: roster.to_vec(),
        ..Dataset::default()
    };
    for &owner in owners {
        let part =
            nextstep_core::dataset::load_between(store, &Scope::Owner(owner), since, until).await?;
        data.deals.extend(part.deals);
        data.calls.extend(part.calls);
    }
    data.calls.sort_by_key(|c| (c.date, c.call_id));
    Ok(data)
}

/// The reps with at least one call, ever (from the per-call facts' weekly aggregates).
pub async fn reps_with_calls(
    store: &nextstep_store::Db,
) -> anyhow::Result<std::collections::BTreeSet<String>> {
    use nextstep_core::facts::{FactFilter, FactStore};
    let weeks = store.rep_weeks(&Scope::All, &FactFilter::default()).await?;
    Ok(weeks.into_iter().map(|w| w.rep).collect())
}

/// Every deal's stage history, for the forecast's stage-as-of-a-date.
pub async fn stage_history(
    store: &impl Store,
) -> anyhow::Result<nextstep_insight::forecast::StageHistory> {
    Ok(nextstep_core::dataset::stage_history(store, &Scope::All).await?)
}
