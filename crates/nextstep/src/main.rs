//! `nextstep`: the command-line front of the analyzer (and, later, the pipeline).
//!
//! A thin binary: argument parsing, reading files, printing. All judgement lives in the
//! library crates; errors become one line on stderr that names the file and the line.

mod analyze_cmd;
mod inputs;
mod parse_cmd;
mod report;

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
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the utterances of one transcript, one per cue or line, in file order.
    Parse(parse_cmd::ParseArgs),
    /// Judge the next step and the seller's moments in calls (files or folders).
    Analyze(analyze_cmd::AnalyzeArgs),
    /// Print the cue lexicons in effect (the defaults merged with --rules).
    Rules(RulesArgs),
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
    let result = match cli.command {
        Command::Parse(args) => parse_cmd::run(&args),
        Command::Analyze(args) => analyze_cmd::run(&args),
        Command::Rules(args) => rules_cmd(&args),
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
