//! `nextstep export ics|deals`: open next steps to a calendar, deals back to a CRM.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use nextstep_core::{DealFilter, Store};
use nextstep_crm::{DealWithStep, Preset};

use crate::db::{DbArgs, block_on};

/// `nextstep export …`
#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Open next steps with a due date as iCalendar events (stable UIDs, so re-importing
    /// the file into a calendar updates events instead of duplicating them).
    Ics {
        /// Only this rep's deals.
        #[arg(long, value_name = "REP")]
        owner: Option<String>,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE.ics")]
        out: Option<PathBuf>,
    },
    /// Deals as a CRM import file, with each open step and its provenance.
    Deals {
        /// The CRM to write for (only salesforce for now).
        #[arg(long, value_parser = clap::value_parser!(Preset), default_value = "salesforce")]
        preset: Preset,
        /// Only this rep's deals.
        #[arg(long, value_name = "REP")]
        owner: Option<String>,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE.csv")]
        out: Option<PathBuf>,
    },
}

fn output(out: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("{}: cannot write", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    })
}

/// Runs `export …`.
pub fn run(cmd: &ExportCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        ExportCommand::Ics { owner, out } => {
            let rows = block_on(async {
                let store = db.open().await?;
                anyhow::Ok(
                    store
                        .pipeline(&nextstep_core::Scope::All, owner.as_deref())
                        .await?,
                )
            })??;
            let export = nextstep_crm::write_ics(nextstep_crm::pipeline_steps(&rows));
            output(out)?.write_all(export.calendar.as_bytes())?;
            eprintln!(
                "nextstep: {} events{}",
                export.events,
                if export.skipped_without_due > 0 {
                    format!(
                        "; {} open steps have no due date and are not in the calendar",
                        export.skipped_without_due
                    )
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Deals { preset, owner, out } => {
            if *preset != Preset::Salesforce {
                eprintln!("nextstep: export deals supports --preset salesforce only");
                return Ok(ExitCode::from(2));
            }
            let (deals, rows) = block_on(async {
                let store = db.open().await?;
                let filter = DealFilter {
                    owner: owner.clone(),
                    open_only: false,
                    ..Default::default()
                };
                let deals = store.list_deals(&filter).await?;
                let rows = store
                    .pipeline(&nextstep_core::Scope::All, owner.as_deref())
                    .await?;
                anyhow::Ok((deals, rows))
            })??;
            let steps: HashMap<i64, &nextstep_core::NextStepRecord> = rows
                .iter()
                .filter_map(|r| r.next_step.as_ref().map(|s| (r.deal.id, s)))
                .collect();
            let items = deals.iter().map(|d| DealWithStep {
                deal: d,
                step: steps.get(&d.id).copied(),
                call_date: None,
            });
            let written = nextstep_crm::write_salesforce_deals(output(out)?, items)?;
            eprintln!("nextstep: {written} deals written");
            Ok(ExitCode::SUCCESS)
        }
    }
}
