//! `nextstep forecast [backtest]`: each open deal's win probability from next-step
//! evidence beside the plain stage-weighted forecast, and an honest backtest of both.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use nextstep_core::dataset::Dataset;
use nextstep_insight::backtest::{BacktestReport, Metrics, backtest_with_history, reliability_svg};
use nextstep_insight::forecast::{ForecastReport, Quarter, StageHistory, forecast_with_history};

use crate::cmd::{dataset, money, percent};
use crate::db::{DbArgs, block_on};
use crate::inputs;

/// Arguments of `nextstep forecast`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ForecastArgs {
    /// Score the model against the past instead of forecasting.
    #[command(subcommand)]
    backtest: Option<BacktestCommand>,
    /// Only deals expected to close in this quarter, e.g. 2026-Q4.
    #[arg(long, value_parser = clap::value_parser!(Quarter))]
    period: Option<Quarter>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Forecast as of this date (default: today).
    #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
    today: Option<NaiveDate>,
}

/// `nextstep forecast backtest`.
#[derive(Debug, clap::Subcommand)]
pub enum BacktestCommand {
    /// Train on deals closed before the cutoff, score those closed after: Brier score,
    /// log loss, ROC AUC and calibration for the model and the stage-weighted baseline.
    Backtest {
        /// The cutoff (default: the close date that leaves 30% of closed deals after it).
        #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
        cutoff: Option<NaiveDate>,
        /// Print JSON: {"model": {...}, "baseline": {...}, "n_train", "n_test"}.
        #[arg(long)]
        json: bool,
        /// Write the reliability diagram here.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
}

async fn load(db: &DbArgs) -> anyhow::Result<(Dataset, StageHistory)> {
    let store = db.open().await?;
    let data = dataset::load_facts(&store).await?;
    let history = dataset::stage_history(&store).await?;
    Ok((data, history))
}

/// Prints the forecast totals (also used by `nextstep demo`).
pub fn print_forecast(r: &ForecastReport) {
    if let Some(refused) = &r.model.refused {
        println!("Model: not fitted — {refused}");
    } else {
        println!(
            "Model: logistic regression on {} closed deals ({} won), L2 alpha {}",
            r.model.n_deals, r.model.n_won, r.model.alpha
        );
    }
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        "category",
        "deals",
        "amount",
        "expected (next-step model)",
        "expected (stage-weighted)",
        "rule",
    ]);
    for row in &r.totals {
        let m = row.model.as_ref();
        let b = row.baseline.as_ref();
        t.add_row([
            row.category.clone(),
            m.or(b).map(|x| x.deals.to_string()).unwrap_or_default(),
            m.or(b)
                .map(|x| money(Some(x.amount_cents)))
                .unwrap_or_default(),
            m.map(|x| money(Some(x.expected_value_cents)))
                .unwrap_or_else(|| "–".into()),
            b.map(|x| money(Some(x.expected_value_cents)))
                .unwrap_or_else(|| "–".into()),
            row.rule.clone(),
        ]);
    }
    println!("{t}");
    for note in &r.notes {
        println!("note: {note}");
    }
}

fn print_deals(r: &ForecastReport) {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        "deal",
        "name",
        "owner",
        "stage",
        "amount",
        "p (model)",
        "p (stage)",
        "category",
    ]);
    for d in &r.deals {
        t.add_row([
            d.deal_id.to_string(),
            d.name.clone(),
            d.owner.clone().unwrap_or_default(),
            d.stage.clone(),
            money(d.amount_cents),
            d.model
                .as_ref()
                .map(|e| percent(Some(e.probability)))
                .unwrap_or_else(|| "–".into()),
            d.baseline
                .as_ref()
                .map(|e| percent(Some(e.probability)))
                .unwrap_or_else(|| "–".into()),
            d.model
                .as_ref()
                .or(d.baseline.as_ref())
                .map(|e| e.category.as_str().to_string())
                .unwrap_or_default(),
        ]);
    }
    println!("{t}");
}

fn metrics_row(name: &str, m: &Metrics) -> [String; 4] {
    [
        name.to_string(),
        format!("{:.4}", m.brier),
        format!("{:.4}", m.log_loss),
        m.auc
            .map(|a| format!("{a:.3}"))
            .unwrap_or_else(|| "–".into()),
    ]
}

fn print_backtest(r: &BacktestReport) {
    println!(
        "Backtest at {}: trained on {} deals closed before, scored {} closed after",
        r.cutoff, r.n_train, r.n_test
    );
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        "forecast",
        "Brier (lower is better)",
        "log loss",
        "ROC AUC",
    ]);
    t.add_row(metrics_row("next-step model", &r.model));
    t.add_row(metrics_row("stage-weighted", &r.baseline));
    println!("{t}");
    let mut c = Table::new();
    c.load_preset(UTF8_BORDERS_ONLY).set_header([
        "bin",
        "model: predicted",
        "observed",
        "deals",
        "stage: predicted",
        "observed",
        "deals",
    ]);
    for (m, b) in r.model.calibration.iter().zip(&r.baseline.calibration) {
        let cell = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into());
        c.add_row([
            format!("{:.1}–{:.1}", m.lower, m.upper),
            cell(m.mean_predicted),
            cell(m.observed_rate),
            m.count.to_string(),
            cell(b.mean_predicted),
            cell(b.observed_rate),
            b.count.to_string(),
        ]);
    }
    println!("{c}");
}

/// Runs `nextstep forecast` or `nextstep forecast backtest`.
pub fn run(args: &ForecastArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let (data, history) = block_on(load(db))??;
    match &args.backtest {
        None => {
            let today = args
                .today
                .unwrap_or_else(|| chrono::Local::now().date_naive());
            let report = forecast_with_history(&data, &history, args.period, today);
            if args.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print_forecast(&report);
                print_deals(&report);
            }
        }
        Some(BacktestCommand::Backtest { cutoff, json, plot }) => {
            let Some(cutoff) = cutoff.or_else(|| nextstep_insight::backtest::default_cutoff(&data))
            else {
                eprintln!("nextstep: no closed deals with a close date to backtest on");
                return Ok(ExitCode::from(1));
            };
            let report = match backtest_with_history(&data, &history, cutoff) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("nextstep: cannot backtest at {cutoff}: {e}");
                    return Ok(ExitCode::from(1));
                }
            };
            if let Some(path) = plot {
                std::fs::write(path, reliability_svg(&report))
                    .with_context(|| format!("{}: cannot write the plot", path.display()))?;
            }
            if *json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print_backtest(&report);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
