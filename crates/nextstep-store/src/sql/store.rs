//! The three store traits for this backend: which aggregate's file answers each method.

use super::*;
use super::{accounts, calls, deals, facts, fits, links, reps, steps, tokens, uploads, users};

impl crate::Store for Backend {
    async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(migrate_err)
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
        // Each backend fetches (and orders, by `pipeline::pipeline_key`) its own way.
        let mut filter = scope_condition(scope);
        if owner.is_some() {
            filter.push_str(OWNER_FILTER);
        }
        self.pipeline_rows(&filter, owner).await
    }
    async fn upsert_reps(&self, reps: &[NewRep]) -> Result<ImportStats, StoreError> {
        reps::upsert_reps(self, reps).await
    }
    async fn list_reps(&self) -> Result<Vec<Rep>, StoreError> {
        reps::list_reps(self).await
    }
    async fn upsert_accounts(&self, accounts: &[NewAccount]) -> Result<ImportStats, StoreError> {
        accounts::upsert_accounts(self, accounts).await
    }
    async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<ImportStats, StoreError> {
        accounts::upsert_contacts(self, contacts).await
    }
    async fn import_deals(&self, deals: &[NewDeal]) -> Result<ImportStats, StoreError> {
        deals::import_deals(self, deals).await
    }
    async fn find_deal(&self, scope: &Scope, key: &str) -> Result<Deal, StoreError> {
        deals::find_deal(self, scope, key).await
    }
    async fn list_deals(&self, filter: &DealFilter) -> Result<Vec<Deal>, StoreError> {
        deals::list_deals(self, filter).await
    }
    async fn stage_history(&self, deal_id: i64) -> Result<Vec<StageChange>, StoreError> {
        deals::stage_history(self, deal_id).await
    }
    async fn all_stage_history(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(i64, StageChange)>, StoreError> {
        deals::all_stage_history(self, scope).await
    }
    async fn add_call(
        &self,
        deal_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
        calls::add_call(self, deal_id, call, step).await
    }
    async fn rejudge_call(
        &self,
        call_id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<(Call, Option<NextStepRecord>), StoreError> {
        calls::rejudge_call(self, call_id, call, step).await
    }
    async fn find_call(&self, scope: &Scope, id: i64) -> Result<Call, StoreError> {
        calls::find_call(self, scope, id).await
    }
    async fn calls_for_deal(&self, deal_id: i64) -> Result<Vec<Call>, StoreError> {
        calls::calls_for_deal(self, deal_id).await
    }
    async fn all_calls(&self, scope: &Scope) -> Result<Vec<Call>, StoreError> {
        calls::all_calls(self, scope).await
    }
    async fn calls_between(
        &self,
        scope: &Scope,
        since: chrono::NaiveDate,
        until: chrono::NaiveDate,
    ) -> Result<Vec<Call>, StoreError> {
        calls::calls_between(self, scope, since, until).await
    }
    async fn all_next_steps(&self, scope: &Scope) -> Result<Vec<NextStepRecord>, StoreError> {
        steps::all_next_steps(self, scope).await
    }
    async fn set_next_step(
        &self,
        deal_id: i64,
        step: &NewNextStep,
    ) -> Result<NextStepRecord, StoreError> {
        steps::set_next_step(self, deal_id, step).await
    }
    async fn close_next_step(
        &self,
        deal_id: i64,
        status: StepStatus,
    ) -> Result<NextStepRecord, StoreError> {
        steps::close_next_step(self, deal_id, status).await
    }
    async fn next_step_history(&self, deal_id: i64) -> Result<Vec<NextStepRecord>, StoreError> {
        steps::next_step_history(self, deal_id).await
    }
}

impl crate::TeamStore for Backend {
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        users::create_user(self, user).await
    }
    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        users::list_users(self).await
    }
    async fn login_lookup(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        users::login_lookup(self, email).await
    }
    async fn set_password(&self, email: &str, password_hash: &str) -> Result<(), StoreError> {
        users::set_password(self, email, password_hash).await
    }
    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        users::create_session(self, session).await
    }
    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, String)>, StoreError> {
        users::session(self, id_hash, now).await
    }
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        users::delete_session(self, id_hash).await
    }
    async fn count_login_attempt(
        &self,
        email: &str,
        now: DateTime<Utc>,
        max: u32,
        window: chrono::Duration,
    ) -> Result<LoginGate, StoreError> {
        users::count_login_attempt(self, email, now, max, window).await
    }
    async fn clear_login_attempts(&self, email: &str) -> Result<(), StoreError> {
        users::clear_login_attempts(self, email).await
    }
    async fn server_key(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        users::server_key(self, name, candidate).await
    }
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        tokens::create_api_token(self, token).await
    }
    async fn list_api_tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError> {
        tokens::list_api_tokens(self, user_id).await
    }
    async fn revoke_api_token(&self, id: i64, user_id: Option<i64>) -> Result<(), StoreError> {
        tokens::revoke_api_token(self, id, user_id).await
    }
    async fn token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        tokens::token_user(self, token_hash, now).await
    }
    async fn create_confirm_link(
        &self,
        scope: &Scope,
        link: &NewConfirmLink,
    ) -> Result<ConfirmLink, StoreError> {
        links::create_confirm_link(self, scope, link).await
    }
    async fn confirm_link(&self, token_hash: &str) -> Result<Option<ConfirmLink>, StoreError> {
        links::confirm_link(self, token_hash).await
    }
    async fn answer_confirm_link(
        &self,
        token_hash: &str,
        answer: LinkAnswer,
        correction: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ConfirmLink, StoreError> {
        links::answer_confirm_link(self, token_hash, answer, correction, now).await
    }
    async fn confirm_links_for_deal(&self, deal_id: i64) -> Result<Vec<ConfirmLink>, StoreError> {
        links::confirm_links_for_deal(self, deal_id).await
    }
    async fn create_upload(
        &self,
        scope: &Scope,
        upload: &NewUpload,
    ) -> Result<StoredUpload, StoreError> {
        uploads::create_upload(self, scope, upload).await
    }
    async fn mark_upload_enqueued(&self, id: i64) -> Result<(), StoreError> {
        uploads::mark_upload_enqueued(self, id).await
    }
    async fn pending_uploads(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        uploads::pending_uploads(self, before, limit).await
    }
    async fn assign_upload_job(&self, id: i64, job_id: &str) -> Result<String, StoreError> {
        uploads::assign_upload_job(self, id, job_id).await
    }
    async fn find_upload(&self, scope: &Scope, id: i64) -> Result<Upload, StoreError> {
        uploads::find_upload(self, scope, id).await
    }
    async fn list_uploads(&self, scope: &Scope, limit: i64) -> Result<Vec<Upload>, StoreError> {
        uploads::list_uploads(self, scope, limit).await
    }
    async fn start_upload(&self, id: i64) -> Result<Upload, StoreError> {
        uploads::start_upload(self, id).await
    }
    async fn finish_upload(
        &self,
        id: i64,
        call: &NewCall,
        step: Option<&NewNextStep>,
    ) -> Result<Call, StoreError> {
        uploads::finish_upload(self, id, call, step).await
    }
    async fn fail_upload(
        &self,
        id: i64,
        error: &str,
        last_attempt: bool,
    ) -> Result<(), StoreError> {
        uploads::fail_upload(self, id, error, last_attempt).await
    }
}

impl crate::facts::FactStore for Backend {
    async fn rep_weeks(
        &self,
        scope: &Scope,
        filter: &FactFilter,
    ) -> Result<Vec<RepWeek>, StoreError> {
        facts::rep_weeks(self, scope, filter).await
    }
    async fn calls_by_ids(&self, scope: &Scope, ids: &[i64]) -> Result<Vec<Call>, StoreError> {
        facts::calls_by_ids(self, scope, ids).await
    }
    async fn disqualified_deals(&self, scope: &Scope) -> Result<Vec<DisqualifiedDeal>, StoreError> {
        facts::disqualified_deals(self, scope).await
    }
    async fn call_fact_rows(&self, scope: &Scope) -> Result<Vec<CallFactRow>, StoreError> {
        facts::call_fact_rows(self, scope).await
    }
    async fn step_rows(&self, scope: &Scope) -> Result<Vec<NextStepRecord>, StoreError> {
        facts::step_rows(self, scope).await
    }
    async fn open_forecast_inputs(
        &self,
        scope: &Scope,
        as_of: chrono::NaiveDate,
        only: Option<&[i64]>,
    ) -> Result<OpenForecastInputs, StoreError> {
        facts::open_forecast_inputs(self, scope, as_of, only).await
    }
    async fn report_position(&self) -> Result<ReportPosition, StoreError> {
        facts::report_position(self).await
    }
    async fn report_changes(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Option<ReportChanges>, StoreError> {
        facts::report_changes(self, since, limit).await
    }
    async fn stored_fit(&self, key: &str) -> Result<Option<StoredFit>, StoreError> {
        fits::stored_fit(self, key).await
    }
    async fn store_fit(&self, key: &str, fit: &StoredFit) -> Result<(), StoreError> {
        fits::store_fit(self, key, fit).await
    }
}
