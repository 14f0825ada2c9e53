//! `nextstep coach`: a scorecard per rep — how often they ask, who defines their steps,
//! how often they bail out — and the team's ranking and medians; plus `--outcomes`,
//! what those habits did to closed deals.

use std::process::ExitCode;

use chrono::NaiveDate;
use nextstep_core::Scope;
use nextstep_insight::coach::{CoachFilter, CoachReport, RepScorecard};
use nextstep_insight::outcomes::outcomes;
use nextstep_insight::stored_reports::coach_report;

use crate::cmd::{dataset, percent};
use crate::db::{DbArgs, block_on};
use crate::inputs;

/// Arguments of `nextstep coach`.
#[derive(Debug, clap::Args)]
pub struct CoachArgs {
    /// Only this rep.
    #[arg(long, value_name = "NAME")]
    rep: Option<String>,
    /// Only the reps reporting to this manager.
    #[arg(long, value_name = "MANAGER")]
    team: Option<String>,
    /// Calls on or after this date.
    #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
    since: Option<NaiveDate>,
    /// Calls on or before this date.
    #[arg(long, value_parser = inputs::parse_date, value_name = "YYYY-MM-DD")]
    until: Option<NaiveDate>,
    /// Print JSON: {"reps": [...], "team": {...}, "outcomes": {...}}.
    #[arg(long)]
    json: bool,
    /// A rules file whose `[coaching]` questions replace the defaults (as `analyze
    /// --rules` reads it).
    #[arg(long, value_name = "FILE")]
    rules: Option<std::path::PathBuf>,
}

fn print_rep(r: &RepScorecard, rank: usize) {
    println!(
        "#{rank} {} — need-for-approval index {:.0}/100 ({} calls{})",
        r.name,
        r.need_for_approval,
        r.calls,
        r.manager
            .as_deref()
            .map(|m| format!(", manager {m}"))
            .unwrap_or_default()
    );
    println!(
        "   asked {} · prospect-defined {} · confirmed {} · volunteered {:.1}/call · bail-outs {} · confronted {} · early disqualifications {}",
        percent(Some(r.ask_rate)),
        percent(r.prospect_defined_share),
        percent(r.prospect_confirmed_share),
        r.volunteered_per_call,
        percent(r.bail_out_rate),
        percent(r.confront_rate),
        r.early_disqualifications.count
    );
    let parts: Vec<String> = r
        .parts
        .iter()
        .iter()
        .filter(|(_, p)| p.value.is_some())
        .map(|(name, p)| format!("{name} {:.1}", p.contribution))
        .collect();
    println!("   index parts: {}", parts.join(" + "));
    let trend: Vec<String> = r
        .weekly
        .iter()
        .map(|w| format!("{} {:.0}", w.week, w.need_for_approval))
        .collect();
    if !trend.is_empty() {
        println!("   weekly: {}", trend.join(" · "));
    }
    for m in &r.moments {
        println!(
            "   [{} call {}{}] \"{}\"\n      instead: {}",
            m.date,
            m.call_id,
            m.timestamp
                .as_deref()
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            m.quote,
            m.instead
        );
    }
}

/// Prints the team scorecard (also used by `nextstep demo`).
pub fn print_report(report: &CoachReport) {
    for (i, r) in report.reps.iter().enumerate() {
        print_rep(r, i + 1);
        println!();
    }
    let t = &report.team;
    println!(
        "Team{}: {} reps, {} calls; median index {}, median ask rate {}, median bail-out rate {}",
        t.manager
            .as_deref()
            .map(|m| format!(" of {m}"))
            .unwrap_or_default(),
        t.reps,
        t.calls,
        t.medians
            .need_for_approval
            .map(|v| format!("{v:.0}"))
            .unwrap_or_else(|| "–".into()),
        percent(t.medians.ask_rate),
        percent(t.medians.bail_out_rate),
    );
    println!("Ranking (best first): {}", t.ranking.join(", "));
}

/// Runs `nextstep coach`.
pub fn run(args: &CoachArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let filter = CoachFilter {
        rep: args.rep.clone(),
        team_manager: args.team.clone(),
        since: args.since,
        until: args.until,
    };
    let rules = inputs::load_rules(args.rules.as_deref())?;
    // Aggregated from the per-call facts, as the server does: no analysis is loaded but
    // those of the few calls the moments quote.
    let (report, data) = block_on(async {
        let store = db.open().await?;
        let report = coach_report(&store, &Scope::All, &filter, rules.ask_instead()).await?;
        anyhow::Ok((report, dataset::load_facts(&store).await?))
    })??;
    let outcomes = outcomes(&data);
    if args.json {
        let v = serde_json::json!({"reps": report.reps, "team": report.team, "outcomes": outcomes});
        println!("{}", serde_json::to_string(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if report.reps.is_empty() {
        println!(
            "No analysed calls match. Add calls with `nextstep calls add`, or run `nextstep demo`."
        );
        return Ok(ExitCode::SUCCESS);
    }
    print_report(&report);
    let by = &outcomes.by_last_step;
    println!(
        "\nOutcomes of {} closed deals: win rate when the last step was prospect-defined {}, seller-defined {}, none {}",
        outcomes.closed_deals,
        percent(by.prospect.win_rate),
        percent(by.seller.win_rate),
        percent(by.none.win_rate)
    );
    println!(
        "Proposals and quotes: volunteered won {} of {}, requested won {} of {}",
        outcomes.proposals.volunteered.wins.won,
        outcomes.proposals.volunteered.wins.deals,
        outcomes.proposals.requested.wins.won,
        outcomes.proposals.requested.wins.deals
    );
    Ok(ExitCode::SUCCESS)
}
