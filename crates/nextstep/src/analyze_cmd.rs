//! `nextstep analyze`: judge every call under the given paths, one report (or JSON line)
//! per file, failures reported per file without stopping the others.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use nextstep_analyzer::{Analysis, CallContext, Rules};
use nextstep_transcript::Format;
use serde::Serialize;

use crate::{inputs, report};

/// Arguments of `nextstep analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Print one JSON object per file, one per line, instead of the report.
    #[arg(long)]
    json: bool,
    /// The call date, for resolving "Thursday" or "the 7th" (default: a date in the file,
    /// else today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = inputs::parse_date)]
    date: Option<NaiveDate>,
    /// A speaker on the seller's side (repeat for several; names match forgivingly:
    /// case, accents, "Priya R."); everyone else is the prospect. Without it the seller's
    /// side — one speaker or several — is inferred and the report says how sure.
    #[arg(long, value_name = "NAME")]
    seller: Vec<String>,
    /// Read files as this format instead of detecting it.
    #[arg(long, value_name = "F", value_parser = inputs::parse_format)]
    format: Option<Format>,
    #[command(flatten)]
    judge: inputs::JudgeArgs,
    /// Instead of judging, list each sentence with the cues that fired in it (to see why a
    /// judgement came out as it did, or to test a rules file).
    #[arg(long)]
    explain: bool,
    /// Transcript files or folders (walked for .vtt, .srt, .txt, .json).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// One file's `--json` line: the analysis with where it came from.
#[derive(Serialize)]
struct JsonReport<'a> {
    source: String,
    format: &'static str,
    date: NaiveDate,
    #[serde(flatten)]
    analysis: &'a Analysis,
}

/// What was computed for a file: the judgement, or the `--explain` trace.
enum Judged {
    Analysis(Box<Analysis>),
    Explained(Vec<nextstep_analyzer::ExplainedSentence>),
}

/// A file's outcome: what was computed or the one-line reason it failed.
type Outcome = Result<(Format, NaiveDate, Judged), String>;

/// One transcript read and judged: what `analyze` prints.
pub struct JudgedCall {
    /// The format it was read as.
    pub format: Format,
    /// The call date used.
    pub date: NaiveDate,
    /// The judgement.
    pub analysis: Analysis,
}

/// Reads and judges one file; the error is the one line to print after the file name.
pub fn judge_file(
    path: &Path,
    format: Option<Format>,
    date: Option<NaiveDate>,
    sellers: &[String],
    rules: &Rules,
) -> Result<JudgedCall, String> {
    let (transcript, ctx) = read_call(path, format, date, sellers)?;
    let analysis =
        nextstep_analyzer::analyze(&transcript.turns(), &ctx, rules).map_err(|e| e.to_string())?;
    Ok(JudgedCall {
        format: transcript.format,
        date: ctx.date,
        analysis,
    })
}

/// Reads and parses one transcript and settles its call date: what judging and
/// `--explain` both start from.
pub fn read_call(
    path: &Path,
    format: Option<Format>,
    date: Option<NaiveDate>,
    sellers: &[String],
) -> Result<(nextstep_transcript::Transcript, CallContext), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let transcript = nextstep_transcript::parse(&bytes, format).map_err(|e| e.to_string())?;
    let ctx = CallContext {
        date: date.unwrap_or_else(|| inputs::call_date(&String::from_utf8_lossy(&bytes), path)),
        sellers: sellers.to_vec(),
        ..Default::default()
    };
    Ok((transcript, ctx))
}

fn analyze_file(path: &Path, args: &AnalyzeArgs, rules: &Rules) -> Outcome {
    if args.explain {
        let (transcript, ctx) = read_call(path, args.format, args.date, &args.seller)?;
        let trace = nextstep_analyzer::explain(&transcript.turns(), &ctx, rules)
            .map_err(|e| e.to_string())?;
        return Ok((transcript.format, ctx.date, Judged::Explained(trace)));
    }
    let judged = judge_file(path, args.format, args.date, &args.seller, rules)?;
    Ok((
        judged.format,
        judged.date,
        Judged::Analysis(Box::new(judged.analysis)),
    ))
}

/// Analyses files on all cores, keeping the input order for output. Workers take the
/// next file from a shared counter, so one long call does not leave a core idle.
fn analyze_all(files: &[PathBuf], args: &AnalyzeArgs, rules: &Rules) -> Vec<Outcome> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len().max(1));
    if workers <= 1 {
        return files.iter().map(|f| analyze_file(f, args, rules)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        mine.push((i, analyze_file(file, args, rules)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    let mut out: Vec<Outcome> = Vec::with_capacity(files.len());
    let mut it = done.into_iter().peekable();
    for i in 0..files.len() {
        match it.next_if(|(j, _)| *j == i) {
            Some((_, outcome)) => out.push(outcome),
            None => out.push(Err("internal error while analysing".into())),
        }
    }
    out
}

/// Runs the command: exit 0 when every file was analysed, 1 when some failed, 2 when
/// none could be read.
pub fn run(args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let rules = args.judge.load()?;
    let (files, path_errors) = inputs::expand_paths(&args.paths);
    for e in &path_errors {
        eprintln!("nextstep: {e}");
    }
    if files.is_empty() {
        eprintln!("nextstep: no transcript files found");
        return Ok(ExitCode::from(2));
    }
    let outcomes = analyze_all(&files, args, &rules);
    let mut ok = 0usize;
    let mut failed = path_errors.len();
    let mut stdout = std::io::stdout().lock();
    for (path, outcome) in files.iter().zip(outcomes) {
        match outcome {
            Ok((format, date, Judged::Explained(trace))) => {
                ok += 1;
                if args.json {
                    report::write_line(&mut stdout, &serde_json::to_string(&trace)?)?;
                } else {
                    report::write_explained(&mut stdout, path, format, date, &trace)?;
                }
            }
            Ok((format, date, Judged::Analysis(analysis))) => {
                ok += 1;
                if args.json {
                    let line = JsonReport {
                        source: path.display().to_string(),
                        format: format.as_str(),
                        date,
                        analysis: &analysis,
                    };
                    report::write_line(&mut stdout, &serde_json::to_string(&line)?)?;
                } else {
                    report::write_report(&mut stdout, path, format, date, &analysis)?;
                }
            }
            Err(reason) => {
                failed += 1;
                eprintln!("nextstep: {}: {reason}", path.display());
            }
        }
    }
    Ok(match (ok, failed) {
        (0, _) => ExitCode::from(2),
        (_, 0) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}
