//! The pipeline's records: what the store keeps and what its callers hand it.
//!
//! Shared by every backend and by `nextstep-crm` (which turns CRM files into `NewDeal`s),
//! so these types carry no SQL and no backend detail.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Money in minor units (cents), never floating point: amounts are summed and compared.
pub type Cents = i64;

/// Why a deal closed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Closed won.
    Won,
    /// Closed lost.
    Lost,
    /// Closed because the seller disqualified it (no fit) — a good outcome for coaching.
    Disqualified,
}

impl Outcome {
    /// The stored and displayed name (`won`, `lost`, `disqualified`).
    pub fn as_str(self) -> &'static str {
        crate::text::outcome_str(self)
    }
}

/// A sales rep (or manager: managers are reps whom others report to).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRep {
    /// Full name, unique; deals refer to reps by it.
    pub name: String,
    /// The manager's name, when known (created as a rep if missing).
    pub manager: Option<String>,
    /// Team or regional office.
    pub team: Option<String>,
    /// Email, when known.
    pub email: Option<String>,
}

/// A rep as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rep {
    /// nextstep's id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Manager's name.
    pub manager: Option<String>,
    /// Team or regional office.
    pub team: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// A customer account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAccount {
    /// Name, unique; deals refer to accounts by it.
    pub name: String,
    /// Industry sector.
    pub sector: Option<String>,
    /// Year the company was established.
    pub year_established: Option<i32>,
    /// Annual revenue in millions, as CRM exports give it (kept as text-free number).
    pub revenue_millions: Option<f64>,
    /// Head count.
    pub employees: Option<i64>,
    /// Office location.
    pub location: Option<String>,
    /// Parent company name.
    pub parent: Option<String>,
}

/// A contact at an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewContact {
    /// The account's name.
    pub account: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
}

/// A deal as a CRM export describes it; upserted by `external_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewDeal {
    /// The CRM's id (Salesforce `Id`, Maven `opportunity_id`, …); the upsert key.
    pub external_id: String,
    /// Deal name.
    pub name: String,
    /// Account name (created if missing).
    pub account: Option<String>,
    /// Owner's rep name (created if missing).
    pub owner: Option<String>,
    /// Stage as the CRM names it (already validated by the importer).
    pub stage: String,
    /// Amount in cents.
    pub amount: Option<Cents>,
    /// ISO 4217 currency code.
    pub currency: String,
    /// Expected close date.
    pub expected_close: Option<NaiveDate>,
    /// When the deal was created (or engaged).
    pub created: Option<NaiveDate>,
    /// When it closed.
    pub closed: Option<NaiveDate>,
    /// Outcome when closed.
    pub outcome: Option<Outcome>,
    /// Loss reason, free text.
    pub loss_reason: Option<String>,
    /// Product, when the CRM has one.
    pub product: Option<String>,
    /// The CRM's own next-step text (Salesforce `NextStep`), kept verbatim: it says what,
    /// never who defined it, so it is not turned into a next step.
    pub crm_next_step: Option<String>,
}

/// A deal as stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    /// nextstep's id.
    pub id: i64,
    /// The CRM's id.
    pub external_id: Option<String>,
    /// Deal name.
    pub name: String,
    /// Account name.
    pub account: Option<String>,
    /// Owner's name.
    pub owner: Option<String>,
    /// Current stage.
    pub stage: String,
    /// Amount in cents.
    pub amount: Option<Cents>,
    /// Currency code.
    pub currency: String,
    /// Expected close.
    pub expected_close: Option<NaiveDate>,
    /// Created.
    pub created: Option<NaiveDate>,
    /// Closed.
    pub closed: Option<NaiveDate>,
    /// Outcome.
    pub outcome: Option<Outcome>,
    /// Loss reason.
    pub loss_reason: Option<String>,
    /// Product.
    pub product: Option<String>,
    /// The CRM's free-text next step.
    pub crm_next_step: Option<String>,
}

impl Deal {
    /// Open means not closed: no outcome.
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }
}

/// One stage change, kept forever.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageChange {
    /// The stage entered.
    pub stage: String,
    /// When the change was recorded.
    pub at: DateTime<Utc>,
}

/// What the import did, for the `imported N, updated M, rejected K` summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStats {
    /// New records.
    pub imported: u64,
    /// Existing records whose fields changed.
    pub updated: u64,
    /// Existing records identical to the file (re-import changes nothing).
    pub unchanged: u64,
}

/// A call transcript attached to a deal, with the analyzer's judgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCall {
    /// Call date.
    pub date: NaiveDate,
    /// Where it came from (file path or upload name).
    pub source: String,
    /// Transcript format name (`webvtt`, …).
    pub format: String,
    /// The transcript text as uploaded.
    pub transcript: String,
    /// Speakers with roles, as the analyzer's JSON gives them.
    pub speakers: serde_json::Value,
    /// The analyzer's full JSON judgement.
    pub analysis: serde_json::Value,
    /// Whether the analysis found a bail-out (kept as a column for the pipeline report).
    pub bail_out: bool,
}

/// A stored call.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// nextstep's id.
    pub id: i64,
    /// The deal.
    pub deal_id: i64,
    /// Call date.
    pub date: NaiveDate,
    /// Source name.
    pub source: String,
    /// Format name.
    pub format: String,
    /// Transcript text.
    pub transcript: String,
    /// Speakers JSON: `[{name, role, inferred, confidence}]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub speakers: serde_json::Value,
    /// Analysis JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub analysis: serde_json::Value,
    /// Bail-out found.
    pub bail_out: bool,
}

/// Who defined a step — the product's central question, recorded for every step.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinedBy {
    /// The prospect stated or asked for it.
    Prospect,
    /// The seller proposed or announced it.
    Seller,
}

impl DefinedBy {
    /// The stored and displayed name (`prospect`, `seller`).
    pub fn as_str(self) -> &'static str {
        crate::text::defined_by_str(self)
    }
}

/// Where a step came from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepSource {
    /// The analyzer found it in a recorded call.
    Call,
    /// A user entered it (`nextstep next-step set`).
    Manual,
}

/// A step's life.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// The deal's current step.
    Open,
    /// It happened.
    Done,
    /// Its date passed without it happening.
    Missed,
    /// Called off.
    Cancelled,
    /// Replaced by a newer step (history is kept, never overwritten).
    Superseded,
}

impl StepStatus {
    /// The stored and displayed name (`open`, `done`, …).
    pub fn as_str(self) -> &'static str {
        crate::text::status_str(self)
    }
}

/// A next step to record on a deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewNextStep {
    /// What was agreed.
    pub action: String,
    /// Kind name (`meeting`, `demo`, …, as the analyzer names them).
    pub kind: String,
    /// Owner side (`prospect`, `seller`, `both`).
    pub owner: String,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Who defined it.
    pub defined_by: DefinedBy,
    /// Whether the prospect explicitly agreed.
    pub confirmed_by_prospect: bool,
    /// Call or manual.
    pub source: StepSource,
    /// The call it came from, for `source = call`.
    pub call_id: Option<i64>,
    /// Evidence moments (the analyzer's JSON), empty for manual steps.
    pub evidence: serde_json::Value,
}

/// A stored next step.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStepRecord {
    /// nextstep's id.
    pub id: i64,
    /// The deal.
    pub deal_id: i64,
    /// What was agreed.
    pub action: String,
    /// Kind name.
    pub kind: String,
    /// Owner side.
    pub owner: String,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Who defined it.
    pub defined_by: DefinedBy,
    /// Prospect agreed.
    pub confirmed_by_prospect: bool,
    /// Call or manual.
    pub source: StepSource,
    /// Originating call.
    pub call_id: Option<i64>,
    /// Evidence JSON: the quoted utterances, `[{speaker, start, text, why}]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub evidence: serde_json::Value,
    /// Status.
    pub status: StepStatus,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

/// Which deals to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealFilter {
    /// Only this owner's deals (rep name).
    pub owner: Option<String>,
    /// Only open deals.
    pub open_only: bool,
    /// Only deals this scope sees.
    pub scope: crate::Scope,
}

/// One open deal in the hygiene report, with what the flags are computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineRow {
    /// The deal.
    pub deal: Deal,
    /// Its current (open) next step.
    pub next_step: Option<NextStepRecord>,
    /// Date of its latest call.
    pub last_call: Option<NaiveDate>,
    /// Whether its latest call had a bail-out.
    pub last_call_bail_out: bool,
}
