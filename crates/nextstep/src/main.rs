//! `nextstep`: the command-line front of the analyzer (and, later, the pipeline).
//!
//! A thin binary: argument parsing, reading files, printing. All judgement lives in the
//! library crates; errors become one line on stderr that names the file and the line.

mod analyze_cmd;
mod cmd;
mod db;
mod inputs;
mod parse_cmd;
mod report;
mod train_cmd;
mod train_steps_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Who defined the next step? Reads sales-call transcripts and judges each call's next
/// step, who defined it, and the seller's moments, with quoted evidence.
#[derive(Debug, Parser)]
#[command(name = "nextstep", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    db: db::DbArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the utterances of one transcript, one per cue or line, in file order.
    Parse(parse_cmd::ParseArgs),
    /// Judge the next step and the seller's moments in calls (files or folders).
    Analyze(analyze_cmd::AnalyzeArgs),
    /// Print the cue lexicons in effect (the defaults merged with --rules).
    Rules(RulesArgs),
    /// Train the dialogue-act model from the shipped corpus plus your own labelled
    /// sentences; use the result with `--model FILE`.
    Train(train_cmd::TrainArgs),
    /// Train the step chooser (which of the steps said in a call is the one it ended
    /// with) from labelled calls; use the result with `--steps FILE`.
    #[command(name = "train-steps")]
    TrainSteps(train_steps_cmd::TrainStepsArgs),
    /// Store transcripts on a deal and record the next step each one ended with.
    #[command(subcommand)]
    Calls(cmd::calls::CallsCommand),
    /// Record or close a deal's next step agreed outside a recorded call.
    #[command(subcommand, name = "next-step")]
    NextStep(cmd::steps::StepCommand),
    /// List deals or show one.
    #[command(subcommand)]
    Deals(cmd::deals::DealsCommand),
    /// The hygiene report: every open deal's next step and what is wrong with it.
    Pipeline(cmd::pipeline::PipelineArgs),
    /// Import deals, accounts or reps from CRM CSV files.
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
    /// Export open next steps as iCalendar, or deals as a CRM CSV.
    #[command(subcommand)]
    Export(cmd::export::ExportCommand),
    /// A scorecard per rep: ask rate, who defines their steps, bail-outs, and the
    /// need-for-approval index; the team's ranking and medians; outcomes.
    Coach(cmd::coach::CoachArgs),
    /// Each open deal's win probability from next-step evidence beside the
    /// stage-weighted forecast; `forecast backtest` scores both against the past.
    Forecast(cmd::forecast::ForecastArgs),
    /// Write (and with --smtp, mail) each rep's and manager's weekly digest.
    Digest(cmd::digest::DigestArgs),
    /// Seed a demo team (six reps with different habits, 200 deals, their calls) and
    /// show the pipeline, the scorecard and the forecast.
    Demo(cmd::demo::DemoArgs),
    /// Run the team server: JSON API, web UI and analysis workers.
    Serve(cmd::server::ServeArgs),
    /// Run analysis workers only, against the server's database (to add machines).
    Worker(cmd::server::WorkerArgs),
    /// Manage the server's users.
    #[command(subcommand)]
    User(cmd::server::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(cmd::server::TokenCommand),
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
}

/// `nextstep db …`
#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Run pending migrations (they also run on every open).
    Migrate,
}

/// Arguments of `nextstep rules`.
#[derive(Debug, clap::Args)]
struct RulesArgs {
    /// A rules file to merge into the defaults.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Print only the plain cue phrases, one per line (for `rg -f`).
    #[arg(long)]
    phrases: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve(_) | Command::Worker(_)) {
        cap_malloc_arenas();
        ignore_sigpipe();
    } else {
        restore_sigpipe();
    }
    let result = match cli.command {
        Command::Parse(args) => parse_cmd::run(&args),
        Command::Analyze(args) => analyze_cmd::run(&args),
        Command::Rules(args) => rules_cmd(&args),
        Command::Train(args) => train_cmd::run(&args),
        Command::TrainSteps(args) => train_steps_cmd::run(&args),
        Command::Calls(c) => cmd::calls::run(&c, &cli.db),
        Command::NextStep(c) => cmd::steps::run(&c, &cli.db),
        Command::Deals(c) => cmd::deals::run(&c, &cli.db),
        Command::Pipeline(a) => cmd::pipeline::run(&a, &cli.db),
        Command::Import(c) => cmd::import::run(&c, &cli.db),
        Command::Export(c) => cmd::export::run(&c, &cli.db),
        Command::Coach(a) => cmd::coach::run(&a, &cli.db),
        Command::Forecast(a) => cmd::forecast::run(&a, &cli.db),
        Command::Digest(a) => cmd::digest::run(&a, &cli.db),
        Command::Demo(a) => cmd::demo::run(&a, &cli.db),
        Command::Serve(a) => cmd::server::serve(&a, &cli.db),
        Command::Worker(a) => cmd::server::worker(&a, &cli.db),
        Command::User(c) => cmd::server::user(&c, &cli.db),
        Command::Token(c) => cmd::server::token(&c, &cli.db),
        Command::Db(DbCommand::Migrate) => db_migrate(&cli.db),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("nextstep: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn rules_cmd(args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let rules = inputs::load_rules(args.rules.as_deref())?;
    if args.phrases {
        for p in rules.rule_set().phrases() {
            println!("{p}");
        }
    } else {
        print!("{}", toml::to_string(rules.rule_set())?);
    }
    Ok(ExitCode::SUCCESS)
}

fn db_migrate(db: &db::DbArgs) -> anyhow::Result<ExitCode> {
    db::block_on(async {
        use nextstep_core::Store;
        let store = db.open().await?;
        store.migrate().await?;
        println!(
            "database at {} is up to date",
            nextstep_core::redact_url(&db.location()?)
        );
        anyhow::Ok(ExitCode::SUCCESS)
    })?
}

/// `nextstep pipeline | head` should stop quietly when `head` exits, as other Unix tools
/// do; Rust ignores SIGPIPE by default, which turns the closed pipe into a panic.
fn restore_sigpipe() {
    set_sigpipe(true);
}

/// The server and the workers must outlive any client: a browser or API client that
/// closes its connection while a response is being written must cost that response an
/// `EPIPE`, never the process its life (SIGPIPE's default action is to terminate).
fn ignore_sigpipe() {
    set_sigpipe(false);
}

/// The server's memory must stay bounded while it rebuilds its reports: glibc gives each
/// thread that allocates (the async workers, the blocking pool, the four SQLite
/// connections' threads) an arena of its own and keeps what a report freed in it, so the
/// resident size climbed by a report's size on every rebuild (0.84 → 1.06 → 1.32 GB over
/// three cold requests at 500,000 calls) where two arenas held it near 0.6 GB. Blocks
/// of 1 MiB and more are mapped on their own and returned when freed: glibc's default
/// raises that threshold to the largest block freed so far, after which a report's big
/// lists stayed in the arenas (peak 325 → 280 MB serving the forecast, then coaching).
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called in main before any thread exists; `mallopt` only sets an allocator
    // tunable, and a refused value leaves glibc's default in place.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn set_sigpipe(default_action: bool) {
    #[cfg(unix)]
    // SAFETY: called in main right after argument parsing, before any thread exists;
    // setting a signal's disposition has no other effect on the program's state.
    unsafe {
        let action = if default_action {
            libc::SIG_DFL
        } else {
            libc::SIG_IGN
        };
        libc::signal(libc::SIGPIPE, action);
    }
    #[cfg(not(unix))]
    let _ = default_action;
}
