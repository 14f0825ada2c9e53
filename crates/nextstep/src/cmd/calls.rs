//! `nextstep calls add`: store transcripts on a deal, judge them, and record the next step
//! each call ended with — with its provenance (the call) and its evidence.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use nextstep_core::Store;
use nextstep_transcript::Format;

use crate::db::{DbArgs, block_on};
use crate::inputs;
use nextstep_core::ingest::{self, Judged};

/// `nextstep calls …`
#[derive(Debug, clap::Subcommand)]
pub enum CallsCommand {
    /// Store transcripts on a deal and record the next step each one ended with.
    Add {
        /// The deal's nextstep id or CRM external id.
        #[arg(long)]
        deal: String,
        /// A speaker on the seller's side (repeat for several). Besides them the deal's
        /// owner and the team's reps are; with none of them speaking, the sides are inferred.
        #[arg(long, value_name = "NAME")]
        seller: Vec<String>,
        /// The call date (default: a date in the file, else today).
        #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
        date: Option<NaiveDate>,
        /// Force a transcript format.
        #[arg(long, value_name = "F", value_parser = inputs::parse_format)]
        format: Option<Format>,
        #[command(flatten)]
        judge: inputs::JudgeArgs,
        /// Transcript files, stored in the order given.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Runs `calls add`: exit 0 when every file was stored, 1 when some failed.
pub fn run(cmd: &CallsCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let CallsCommand::Add {
        deal,
        seller,
        date,
        format,
        judge,
        files,
    } = cmd;
    let rules = judge.load()?;
    block_on(async {
        let store = db.open().await?;
        let d = store.find_deal(&nextstep_core::Scope::All, deal).await?;
        // The deal's owner and the team's reps are on the seller's side, with `--seller`.
        let sides = ingest::team_sides(&store, &d, seller).await?;
        let mut failed = 0;
        for file in files {
            let judged = std::fs::read(file)
                .map_err(|e| format!("cannot read: {e}"))
                .and_then(|bytes| {
                    ingest::judge(
                        &bytes,
                        &file.display().to_string(),
                        *format,
                        *date,
                        chrono::Local::now().date_naive(),
                        &sides,
                        &rules,
                    )
                    .map_err(|e| e.to_string())
                });
            let Judged {
                call,
                step,
                analysis: a,
            } = match judged {
                Ok(j) => j,
                Err(reason) => {
                    eprintln!("nextstep: {}: {reason}", file.display());
                    failed += 1;
                    continue;
                }
            };
            let (stored, rec) = store.add_call(d.id, &call, step.as_ref()).await?;
            match rec {
                Some(r) => println!(
                    "{}: call {} on deal {}: next step \"{}\" ({}, defined by the {}{}{})",
                    file.display(),
                    stored.id,
                    d.id,
                    r.action,
                    r.kind,
                    r.defined_by.as_str(),
                    if r.confirmed_by_prospect {
                        ", confirmed"
                    } else {
                        ", NOT confirmed"
                    },
                    r.due.map(|d| format!(", due {d}")).unwrap_or_default()
                ),
                None => println!(
                    "{}: call {} on deal {}: no next step — the deal's open step, if any, stays",
                    file.display(),
                    stored.id,
                    d.id
                ),
            }
            if !a.bail_outs.is_empty() {
                println!("  bail-out: \"{}\"", a.bail_outs[0].text);
            }
        }
        Ok(if failed == 0 {
            ExitCode::SUCCESS
        } else if failed == files.len() {
            ExitCode::from(2)
        } else {
            ExitCode::from(1)
        })
    })?
}
