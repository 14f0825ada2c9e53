//! Loads the whole pipeline into an insight `Dataset` for the reports that read it all
//! (coaching, outcomes, digest, forecast).

use anyhow::Context;
use nextstep_insight::{CallRecord, Dataset};
use nextstep_store::{DealFilter, Store};

/// Reads every deal, call (with its analysis), next step and rep.
pub async fn load(store: &impl Store) -> anyhow::Result<Dataset> {
    let deals = store.list_deals(&DealFilter::default()).await?;
    let owners: std::collections::HashMap<i64, Option<String>> =
        deals.iter().map(|d| (d.id, d.owner.clone())).collect();
    let mut calls = Vec::new();
    for c in store.all_calls().await? {
        let analysis = serde_json::from_value(c.analysis.clone())
            .with_context(|| format!("call {}: its stored analysis is unreadable", c.id))?;
        calls.push(CallRecord {
            call_id: c.id,
            deal_id: c.deal_id,
            rep: owners.get(&c.deal_id).cloned().flatten(),
            date: c.date,
            analysis,
        });
    }
    calls.sort_by_key(|c| (c.date, c.call_id));
    Ok(Dataset {
        deals,
        calls,
        steps: store.all_next_steps().await?,
        reps: store.list_reps().await?,
    })
}

/// Every deal's stage history, for the forecast's stage-as-of-a-date.
pub async fn stage_history(
    store: &impl Store,
) -> anyhow::Result<nextstep_insight::forecast::StageHistory> {
    Ok(store.all_stage_history().await?.into_iter().collect())
}
