//! `nextstep next-step set|done|missed|cancel`: steps agreed outside recorded calls. The
//! user must say who defined the step — that is the point of recording it.

use std::process::ExitCode;

use chrono::NaiveDate;
use nextstep_core::{DefinedBy, NewNextStep, StepSource, StepStatus, Store};

use crate::db::{DbArgs, block_on};
use crate::inputs;

/// Who defined a manually entered step.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DefinedByArg {
    /// The prospect stated or asked for it.
    Prospect,
    /// The seller proposed it.
    Seller,
}

/// `nextstep next-step …`
#[derive(Debug, clap::Subcommand)]
pub enum StepCommand {
    /// Record the deal's next step (supersedes its open step, which is kept in history).
    Set {
        /// The deal's nextstep id or CRM external id.
        deal: String,
        /// What was agreed.
        #[arg(long)]
        action: String,
        /// Who defined it.
        #[arg(long, value_enum)]
        defined_by: DefinedByArg,
        /// The prospect explicitly agreed to it.
        #[arg(long)]
        confirmed: bool,
        /// Due date.
        #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
        due: Option<NaiveDate>,
        /// Kind: meeting, demo, proposal, quote, trial, introduction, information,
        /// contract, follow_up or other.
        #[arg(long, default_value = "other", value_parser = parse_kind)]
        kind: String,
        /// Who carries it out: prospect, seller or both (default: from the kind).
        #[arg(long, value_parser = ["prospect", "seller", "both"])]
        owner: Option<String>,
    },
    /// The deal's open step happened.
    Done {
        /// The deal's nextstep id or CRM external id.
        deal: String,
    },
    /// The deal's open step did not happen.
    Missed {
        /// The deal's nextstep id or CRM external id.
        deal: String,
    },
    /// The deal's open step was called off.
    Cancel {
        /// The deal's nextstep id or CRM external id.
        deal: String,
    },
}

fn parse_kind(s: &str) -> Result<String, String> {
    nextstep_analyzer::Kind::from_name(s)
        .map(|k| k.as_str().to_string())
        .ok_or_else(|| format!("unknown kind {s:?}"))
}

fn default_owner(kind: &str) -> &'static str {
    match kind {
        "proposal" | "quote" | "information" | "contract" => "seller",
        "introduction" => "prospect",
        _ => "both",
    }
}

/// Runs `next-step …`.
pub fn run(cmd: &StepCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = db.open().await?;
        let (deal_key, status) = match cmd {
            StepCommand::Set {
                deal,
                action,
                defined_by,
                confirmed,
                due,
                kind,
                owner,
            } => {
                let d = store.find_deal(&nextstep_core::Scope::All, deal).await?;
                let defined_by = match defined_by {
                    DefinedByArg::Prospect => DefinedBy::Prospect,
                    DefinedByArg::Seller => DefinedBy::Seller,
                };
                let step = NewNextStep {
                    action: action.clone(),
                    kind: kind.clone(),
                    owner: owner.clone().unwrap_or_else(|| default_owner(kind).into()),
                    due: *due,
                    defined_by,
                    // A step the prospect defined is confirmed by definition.
                    confirmed_by_prospect: *confirmed || defined_by == DefinedBy::Prospect,
                    source: StepSource::Manual,
                    call_id: None,
                    evidence: serde_json::Value::Array(vec![]),
                };
                let rec = store.set_next_step(d.id, &step).await?;
                println!(
                    "deal {}: next step {} recorded ({}, defined by the {}{})",
                    d.id,
                    rec.id,
                    rec.action,
                    rec.defined_by.as_str(),
                    if rec.confirmed_by_prospect {
                        ", confirmed"
                    } else {
                        ", not confirmed"
                    }
                );
                return Ok(ExitCode::SUCCESS);
            }
            StepCommand::Done { deal } => (deal, StepStatus::Done),
            StepCommand::Missed { deal } => (deal, StepStatus::Missed),
            StepCommand::Cancel { deal } => (deal, StepStatus::Cancelled),
        };
        let d = store
            .find_deal(&nextstep_core::Scope::All, deal_key)
            .await?;
        let rec = store.close_next_step(d.id, status).await?;
        println!(
            "deal {}: next step {} ({}) is now {}",
            d.id,
            rec.id,
            rec.action,
            rec.status.as_str()
        );
        Ok(ExitCode::SUCCESS)
    })?
}
