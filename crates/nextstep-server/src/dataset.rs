//! Loads what coaching, the digest and the forecast read — deals, calls with their
//! analyses, steps, reps and stage history — narrowed to one caller's [`Scope`].

use std::collections::HashMap;

use nextstep_insight::forecast::StageHistory;
use nextstep_insight::{CallRecord, Dataset};
use nextstep_store::{DealFilter, Scope, Store, StoreError};

/// Reads every deal `scope` sees with its calls (and analyses), next steps and the reps.
pub async fn load(store: &impl Store, scope: &Scope) -> Result<Dataset, StoreError> {
    let deals = store
        .list_deals(&DealFilter {
            scope: *scope,
            ..DealFilter::default()
        })
        .await?;
    let owners: HashMap<i64, Option<String>> =
        deals.iter().map(|d| (d.id, d.owner.clone())).collect();
    let mut calls = Vec::new();
    for c in store.all_calls(scope).await? {
        let analysis =
            serde_json::from_value(c.analysis.clone()).map_err(|e| StoreError::Corrupt {
                field: "calls.analysis",
                value: format!("call {}: {e}", c.id),
            })?;
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
        steps: store.all_next_steps(scope).await?,
        reps: store.list_reps().await?,
        facts: Vec::new(),
    })
}

/// Every visible deal's stage history, for the forecast's stage-as-of-a-date.
pub async fn stage_history(store: &impl Store, scope: &Scope) -> Result<StageHistory, StoreError> {
    Ok(store.all_stage_history(scope).await?.into_iter().collect())
}
