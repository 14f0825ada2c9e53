//! `nextstep pipeline`: the hygiene report — every open deal with its next step and what
//! is wrong with it, money at risk per flag on top.

use std::process::ExitCode;

use chrono::NaiveDate;
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use nextstep_core::{NextStepRecord, Store};
use nextstep_insight::hygiene::{self, Flag, Options, Report};
use serde_json::json;

use crate::cmd::{money, units};
use crate::db::{DbArgs, block_on};
use crate::inputs;

/// Arguments of `nextstep pipeline`.
#[derive(Debug, clap::Args)]
pub struct PipelineArgs {
    /// Only this rep's deals.
    #[arg(long, value_name = "REP")]
    owner: Option<String>,
    /// A deal with no call in more than this many days is STALE.
    #[arg(long, default_value_t = 14, value_name = "N")]
    stale_days: i64,
    /// Print JSON: {"summary": {...}, "deals": [...]}.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV, one row per open deal.
    #[arg(long)]
    csv: bool,
    /// The date the report is for (default: today); overdue and stale count from it.
    #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
    today: Option<NaiveDate>,
}

fn step_json(s: &NextStepRecord) -> serde_json::Value {
    json!({"id": s.id, "action": s.action, "kind": s.kind, "owner": s.owner, "due": s.due,
           "defined_by": s.defined_by, "confirmed_by_prospect": s.confirmed_by_prospect,
           "source": s.source, "call_id": s.call_id})
}

fn flag_names(flags: &[Flag]) -> Vec<&'static str> {
    flags.iter().map(|f| f.as_str()).collect()
}

fn to_json(r: &Report) -> serde_json::Value {
    let flags: serde_json::Map<String, serde_json::Value> = r
        .summary
        .flags
        .iter()
        .map(|(f, t)| {
            (
                f.as_str().to_string(),
                json!({"deals": t.deals, "amount_at_risk": units(Some(t.amount_at_risk_cents))}),
            )
        })
        .collect();
    let deals: Vec<_> = r
        .rows
        .iter()
        .map(|row| {
            let d = &row.pipeline.deal;
            json!({"id": d.id, "external_id": d.external_id, "name": d.name, "owner": d.owner,
                   "stage": d.stage, "amount": units(d.amount), "currency": d.currency,
                   "next_step": row.pipeline.next_step.as_ref().map(step_json),
                   "last_call": row.pipeline.last_call,
                   "flags": flag_names(&row.flags)})
        })
        .collect();
    json!({"summary": {"open_deals": r.summary.open_deals,
                       "open_amount": units(Some(r.summary.open_amount_cents)),
                       "healthy_deals": r.summary.healthy_deals,
                       "flags": flags},
           "deals": deals})
}

fn write_csv(r: &Report) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record([
        "id",
        "external_id",
        "name",
        "owner",
        "stage",
        "amount",
        "currency",
        "next_step",
        "next_step_due",
        "defined_by",
        "confirmed_by_prospect",
        "last_call",
        "flags",
    ])?;
    for row in &r.rows {
        let d = &row.pipeline.deal;
        let s = row.pipeline.next_step.as_ref();
        w.write_record([
            d.id.to_string(),
            d.external_id.clone().unwrap_or_default(),
            d.name.clone(),
            d.owner.clone().unwrap_or_default(),
            d.stage.clone(),
            d.amount
                .map(|c| format!("{:.2}", c as f64 / 100.0))
                .unwrap_or_default(),
            d.currency.clone(),
            s.map(|s| s.action.clone()).unwrap_or_default(),
            s.and_then(|s| s.due)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            s.map(|s| s.defined_by.as_str().to_string())
                .unwrap_or_default(),
            s.map(|s| s.confirmed_by_prospect.to_string())
                .unwrap_or_default(),
            row.pipeline
                .last_call
                .map(|d| d.to_string())
                .unwrap_or_default(),
            flag_names(&row.flags).join(" "),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn print_table(r: &Report) {
    println!(
        "{} open deals, {} in total; {} with no flag",
        r.summary.open_deals,
        money(Some(r.summary.open_amount_cents)),
        r.summary.healthy_deals
    );
    let mut top = Table::new();
    top.load_preset(UTF8_BORDERS_ONLY)
        .set_header(["flag", "deals", "amount at risk"]);
    for (f, t) in &r.summary.flags {
        top.add_row([
            f.as_str().to_string(),
            t.deals.to_string(),
            money(Some(t.amount_at_risk_cents)),
        ]);
    }
    println!("{top}");
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        "deal",
        "name",
        "owner",
        "stage",
        "amount",
        "next step",
        "flags",
    ]);
    for row in &r.rows {
        let d = &row.pipeline.deal;
        let step = match &row.pipeline.next_step {
            None => "—".to_string(),
            Some(s) => {
                let mut action: String = s.action.chars().take(48).collect();
                if s.action.chars().count() > 48 {
                    action.push('…');
                }
                format!(
                    "{action} ({}, {}{})",
                    s.defined_by.as_str(),
                    if s.confirmed_by_prospect {
                        "confirmed"
                    } else {
                        "unconfirmed"
                    },
                    s.due.map(|d| format!(", due {d}")).unwrap_or_default()
                )
            }
        };
        t.add_row([
            d.external_id.clone().unwrap_or_else(|| d.id.to_string()),
            d.name.clone(),
            d.owner.clone().unwrap_or_default(),
            d.stage.clone(),
            money(d.amount),
            step,
            flag_names(&row.flags).join(" "),
        ]);
    }
    println!("{t}");
}

/// Runs the report.
pub fn run(args: &PipelineArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let rows = block_on(async {
        let store = db.open().await?;
        anyhow::Ok(
            store
                .pipeline(&nextstep_core::Scope::All, args.owner.as_deref())
                .await?,
        )
    })??;
    let opts = Options {
        today: args
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        stale_days: args.stale_days,
    };
    let report = hygiene::report(rows, &opts);
    if args.json {
        println!("{}", serde_json::to_string(&to_json(&report))?);
    } else if args.csv {
        write_csv(&report)?;
    } else {
        print_table(&report);
    }
    Ok(ExitCode::SUCCESS)
}
