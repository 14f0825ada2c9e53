//! `nextstep train-steps`: fit the step chooser (which of the steps said in a call is
//! the one it ended with) to labelled calls, and write it for `--steps FILE` or to ship.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use nextstep_analyzer::{Kind, Side, StepChooser, StepLabel};
use serde::Deserialize;

use crate::{analyze_cmd, inputs};

/// Arguments of `nextstep train-steps`.
#[derive(Debug, clap::Args)]
pub struct TrainStepsArgs {
    /// A labels file (JSON lines: file, date, seller, defined_by, kind — the format of
    /// tests/fresh/GUIDE.md), optionally `:DIR` where its calls are (default: beside it).
    /// Repeat for several sets.
    #[arg(long = "calls", required = true, value_name = "LABELS.jsonl[:DIR]")]
    calls: Vec<String>,
    /// Where to write the chooser (use it with `--steps FILE`).
    #[arg(long, default_value = "nextstep-steps.json", value_name = "FILE")]
    out: PathBuf,
    /// L2 strength: higher keeps the chooser closer to "trust nothing in particular".
    #[arg(long, default_value_t = nextstep_analyzer::STEP_CHOOSER_L2, value_name = "L")]
    l2: f32,
    #[command(flatten)]
    judge: inputs::JudgeArgs,
}

/// One label line; only the fields the chooser learns from.
#[derive(Debug, Deserialize)]
struct Label {
    file: String,
    date: NaiveDate,
    seller: Vec<String>,
    defined_by: String,
    kind: Option<Vec<Kind>>,
    #[serde(default)]
    volunteered: Option<bool>,
}

/// One labelled call: where it is, how to read it, and what its label says.
struct LabelledCall {
    path: PathBuf,
    date: NaiveDate,
    sellers: Vec<String>,
    label: StepLabel,
}

/// The labels file one `--calls` argument names, and its calls (in the folder after `:`,
/// else beside it).
fn read_labels(arg: &str) -> anyhow::Result<(PathBuf, Vec<LabelledCall>)> {
    let (labels, dir) = match arg.rsplit_once(':') {
        Some((l, d)) if !d.is_empty() && Path::new(l).extension().is_some() => {
            (PathBuf::from(l), PathBuf::from(d))
        }
        _ => {
            let l = PathBuf::from(arg);
            let d = l.parent().map(Path::to_path_buf).unwrap_or_default();
            (l, d)
        }
    };
    let text = std::fs::read_to_string(&labels)
        .with_context(|| format!("{}: cannot read labels", labels.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a label line", labels.display(), n + 1))?;
        let defined_by = match label.defined_by.as_str() {
            "prospect" => Some(Side::Prospect),
            "seller" => Some(Side::Seller),
            "none" => None,
            other => bail!(
                "{}:{}: defined_by is {other:?}; expected prospect, seller or none",
                labels.display(),
                n + 1,
            ),
        };
        out.push(LabelledCall {
            path: dir.join(&label.file),
            date: label.date,
            sellers: label.seller,
            label: StepLabel {
                defined_by,
                kinds: label.kind.unwrap_or_default(),
                volunteered: label.volunteered,
            },
        });
    }
    Ok((labels, out))
}

/// Trains on every `--calls` set and writes the chooser.
pub fn run(args: &TrainStepsArgs) -> anyhow::Result<ExitCode> {
    let rules = args.judge.load()?;
    if rules.model().is_none() {
        bail!(
            "the step chooser learns from the act model's readings; train it with a model, not --model none"
        );
    }
    let mut examples = Vec::new();
    let mut sets = Vec::new();
    for arg in &args.calls {
        let (labels, calls) = read_labels(arg)?;
        sets.push(labels.display().to_string());
        for call in calls {
            let (transcript, ctx) =
                analyze_cmd::read_call(&call.path, None, Some(call.date), &call.sellers)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", call.path.display()))?;
            examples.push(
                nextstep_analyzer::step_example(&transcript.turns(), &ctx, &rules, &call.label)
                    .with_context(|| format!("{}", call.path.display()))?,
            );
        }
    }
    if examples.is_empty() {
        bail!("no labelled calls; nothing to learn from");
    }
    let chooser = StepChooser::train(&examples, args.l2);
    let picks: Vec<bool> = examples
        .iter()
        .filter_map(|e| chooser.picks_accepted(e))
        .collect();
    let reads: Vec<(bool, bool)> = examples
        .iter()
        .filter_map(|e| chooser.reads_volunteering(e))
        .collect();
    let agree = reads.iter().filter(|(r, l)| r == l).count();
    std::fs::write(
        &args.out,
        chooser.to_json(sets, examples.len(), args.l2) + "\n",
    )
    .with_context(|| format!("{}: cannot write", args.out.display()))?;
    println!(
        "trained on {} calls: the chooser picks an accepted step (or none) on {} of the {} \
         whose step was among those said ({:.1}%); the offer model agrees with {} of {} \
         volunteered labels; wrote {}",
        examples.len(),
        picks.iter().filter(|p| **p).count(),
        picks.len(),
        100.0 * picks.iter().filter(|p| **p).count() as f64 / picks.len().max(1) as f64,
        agree,
        reads.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
