//! `nextstep deals list|show`: what the store holds about deals, as a table or JSON.

use std::process::ExitCode;

use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use nextstep_core::{DealFilter, Store};
use serde_json::json;

use crate::cmd::{money, units};
use crate::db::{DbArgs, block_on};

/// `nextstep deals …`
#[derive(Debug, clap::Subcommand)]
pub enum DealsCommand {
    /// List deals (open and closed unless --open).
    List {
        /// Only this owner's deals.
        #[arg(long, value_name = "REP")]
        owner: Option<String>,
        /// Only open deals.
        #[arg(long)]
        open: bool,
        /// Print a JSON array of deals.
        #[arg(long)]
        json: bool,
    },
    /// One deal with its next-step history, calls and stage history.
    Show {
        /// The deal's nextstep id or CRM external id.
        deal: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `deals list|show`.
pub fn run(cmd: &DealsCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = db.open().await?;
        match cmd {
            DealsCommand::List { owner, open, json } => {
                let deals = store
                    .list_deals(&DealFilter {
                        owner: owner.clone(),
                        open_only: *open,
                        ..Default::default()
                    })
                    .await?;
                if *json {
                    println!("{}", serde_json::to_string(&deals)?);
                } else {
                    let mut t = Table::new();
                    t.load_preset(UTF8_BORDERS_ONLY).set_header([
                        "id",
                        "external id",
                        "name",
                        "owner",
                        "stage",
                        "amount",
                        "outcome",
                    ]);
                    for d in &deals {
                        t.add_row([
                            d.id.to_string(),
                            d.external_id.clone().unwrap_or_default(),
                            d.name.clone(),
                            d.owner.clone().unwrap_or_default(),
                            d.stage.clone(),
                            money(d.amount),
                            d.outcome
                                .map(|o| o.as_str().to_string())
                                .unwrap_or_else(|| "open".into()),
                        ]);
                    }
                    println!("{t}\n{} deals", deals.len());
                }
            }
            DealsCommand::Show { deal, json } => {
                let d = store.find_deal(&nextstep_core::Scope::All, deal).await?;
                let steps = store.next_step_history(d.id).await?;
                let calls = store.calls_for_deal(d.id).await?;
                let stages = store.stage_history(d.id).await?;
                if *json {
                    let calls: Vec<_> = calls
                        .iter()
                        .map(|c| {
                            json!({"id": c.id, "date": c.date, "source": c.source,
                                   "format": c.format, "bail_out": c.bail_out,
                                   "analysis": c.analysis})
                        })
                        .collect();
                    let v = json!({"deal": d, "amount": units(d.amount), "next_steps": steps,
                                   "calls": calls, "stage_history": stages});
                    println!("{}", serde_json::to_string(&v)?);
                } else {
                    println!(
                        "Deal {} ({}): {}",
                        d.id,
                        d.external_id.as_deref().unwrap_or("no CRM id"),
                        d.name
                    );
                    println!(
                        "  account {}, owner {}, stage {}, amount {} {}",
                        d.account.as_deref().unwrap_or("-"),
                        d.owner.as_deref().unwrap_or("-"),
                        d.stage,
                        money(d.amount),
                        d.currency
                    );
                    if let Some(crm) = &d.crm_next_step {
                        println!("  CRM next step (free text, no provenance): {crm}");
                    }
                    println!("\nNext steps (newest last):");
                    if steps.is_empty() {
                        println!("  none recorded");
                    }
                    for s in &steps {
                        println!(
                            "  [{}] {} — {} ({}), defined by the {}, {}, due {}, from {}",
                            s.status.as_str(),
                            s.action,
                            s.kind,
                            s.owner,
                            s.defined_by.as_str(),
                            if s.confirmed_by_prospect {
                                "confirmed"
                            } else {
                                "NOT confirmed"
                            },
                            s.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                            match s.call_id {
                                Some(c) => format!("call {c}"),
                                None => "manual entry".into(),
                            }
                        );
                    }
                    println!("\nCalls:");
                    if calls.is_empty() {
                        println!("  none");
                    }
                    for c in &calls {
                        println!(
                            "  {} {} ({}){}",
                            c.id,
                            c.date,
                            c.source,
                            if c.bail_out { " — BAIL-OUT" } else { "" }
                        );
                    }
                    println!("\nStage history:");
                    for s in &stages {
                        println!("  {} {}", s.at.format("%Y-%m-%d %H:%M"), s.stage);
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })?
}
