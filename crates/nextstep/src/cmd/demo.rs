//! `nextstep demo`: seeds a database with a realistic team — a manager, six reps with
//! different habits, 200 deals over two quarters, their calls in every transcript format —
//! then prints the pipeline report, the team scorecard and the forecast. The first
//! command of the README, so a newcomer sees everything nextstep does in one go.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use nextstep_analyzer::Rules;
use nextstep_core::Store;
use nextstep_core::ingest;
use nextstep_insight::coach::{CoachFilter, scorecards};
use nextstep_insight::forecast::forecast_with_history;
use nextstep_insight::hygiene::{self, Options};
use nextstep_synth::demo;

use crate::cmd::{coach, dataset, forecast, money};
use crate::db::{DbArgs, block_on};
use crate::inputs;

/// Arguments of `nextstep demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The generator's seed: the same seed and date give the same team and calls.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The demo's "today" (default: today).
    #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
    today: Option<NaiveDate>,
    /// Also write every generated transcript here, to read them or `analyze` them.
    #[arg(long, value_name = "DIR")]
    calls_dir: Option<PathBuf>,
}

/// Where the demo goes without `--db`: its own file, never the user's pipeline.
/// Seeds the demo team (reps, accounts, deals, and every call judged and stored with its
/// next step) unless it is already there; `true` when it seeded. `nextstep demo` and
/// `nextstep serve --demo` share it.
pub async fn seed_demo_team(
    store: &nextstep_store::Db,
    data: &demo::DemoData,
) -> anyhow::Result<bool> {
    let rules = Rules::defaults();
    let already = store
        .find_deal(&nextstep_core::Scope::All, "DEMO-0001")
        .await
        .ok();
    let seeded = match &already {
        Some(d) => !store.calls_for_deal(d.id).await?.is_empty(),
        None => false,
    };
    if seeded {
        return Ok(false);
    }
    store.upsert_reps(&data.reps).await?;
    store.upsert_accounts(&data.accounts).await?;
    store.import_deals(&data.deals).await?;
    for call in &data.calls {
        let judged = ingest::judge(
            call.text.as_bytes(),
            &call.file_name,
            None,
            Some(call.date),
            call.date,
            &ingest::KnownSides::named(&call.sellers),
            &rules,
        )
        .with_context(|| format!("demo call {}", call.file_name))?;
        let deal = store
            .find_deal(&nextstep_core::Scope::All, &call.deal_external_id)
            .await?;
        store
            .add_call(deal.id, &judged.call, judged.step.as_ref())
            .await?;
    }
    Ok(true)
}

/// Where the demo lives: `--db`, else a `demo.db` beside the default database, removed
/// first when `fresh` (so `nextstep demo` always shows a new team).
pub fn demo_location(db: &DbArgs, fresh: bool) -> anyhow::Result<(DbArgs, bool)> {
    if db.db.is_some() {
        return Ok((db.clone(), false));
    }
    let path = nextstep_store::default_sqlite_path()
        .context("cannot find a data directory: pass --db")?
        .with_file_name("demo.db");
    if fresh {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok((
        DbArgs {
            db: Some(path.display().to_string()),
        },
        true,
    ))
}

/// Runs the demo.
pub fn run(args: &DemoArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let (db, fresh) = demo_location(db, true)?;
    let data = demo::generate(args.seed, today);
    if let Some(dir) = &args.calls_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        for call in &data.calls {
            std::fs::write(dir.join(&call.file_name), &call.text)
                .with_context(|| format!("{}: cannot write", dir.display()))?;
        }
    }
    let (dataset, history) = block_on(async {
        let store = db.open().await?;
        if !seed_demo_team(&store, &data).await? {
            eprintln!("nextstep: the demo team is already in this database; showing its reports");
        }
        let dataset = dataset::load(&store).await?;
        let history = dataset::stage_history(&store).await?;
        anyhow::Ok((dataset, history))
    })??;
    println!(
        "Demo team seeded{} in {}: {} reps, {} deals, {} calls in six transcript formats (today = {today})\n",
        if fresh { " afresh" } else { "" },
        db.db.as_deref().unwrap_or_default(),
        data.reps.len(),
        data.deals.len(),
        data.calls.len(),
    );

    println!("== Pipeline hygiene (open deals)\n");
    let rows: Vec<_> = block_on(async {
        let store = db.open().await?;
        anyhow::Ok(store.pipeline(&nextstep_core::Scope::All, None).await?)
    })??;
    let report = hygiene::report(
        rows,
        &Options {
            today,
            stale_days: 14,
        },
    );
    println!(
        "{} open deals, {} in total; {} with no flag",
        report.summary.open_deals,
        money(Some(report.summary.open_amount_cents)),
        report.summary.healthy_deals
    );
    for (flag, total) in &report.summary.flags {
        println!(
            "  {:<28} {:>4} deals  {:>14} at risk",
            flag.as_str(),
            total.deals,
            money(Some(total.amount_at_risk_cents))
        );
    }
    println!(
        "  (details: nextstep --db {} pipeline)\n",
        db.db.as_deref().unwrap_or_default()
    );

    println!("== Team scorecard (best first)\n");
    let scores = scorecards(
        &dataset,
        &CoachFilter::default(),
        nextstep_analyzer::AskInstead::shipped(),
    );
    coach::print_report(&scores);

    println!("\n== Forecast (next-step evidence vs stage-weighted)\n");
    let fc = forecast_with_history(&dataset, &history, None, today);
    forecast::print_forecast(&fc);
    println!(
        "\nMore: nextstep --db {0} coach --json · forecast backtest · digest --out DIR · deals show DEMO-0001",
        db.db.as_deref().unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
