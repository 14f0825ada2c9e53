//! Loads the whole pipeline into an insight `Dataset` for the reports that read it all
//! (coaching, outcomes, digest, forecast): the server's loader with every deal in scope.

use nextstep_core::dataset::Dataset;
use nextstep_core::{Scope, Store};

/// Reads every deal, call (with its analysis), next step and rep.
pub async fn load(store: &impl Store) -> anyhow::Result<Dataset> {
    Ok(nextstep_core::dataset::load(store, &Scope::All).await?)
}

/// Every deal's stage history, for the forecast's stage-as-of-a-date.
pub async fn stage_history(
    store: &impl Store,
) -> anyhow::Result<nextstep_insight::forecast::StageHistory> {
    Ok(nextstep_core::dataset::stage_history(store, &Scope::All).await?)
}
