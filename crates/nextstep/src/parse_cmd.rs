//! `nextstep parse`: one transcript's utterances, exactly as the file has them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use nextstep_transcript::Format;
use serde::Serialize;

use crate::inputs;

/// Arguments of `nextstep parse`.
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// Read the file as this format instead of detecting it (webvtt, srt, plain, otter, json).
    #[arg(long, value_name = "F", value_parser = inputs::parse_format)]
    format: Option<Format>,
    /// Print one JSON object: {"format", "utterances": [{"id", "start", "end", "speaker", "text"}]}.
    #[arg(long)]
    json: bool,
    /// The transcript.
    file: PathBuf,
}

#[derive(Serialize)]
struct ParseOutput<'a> {
    format: &'static str,
    utterances: &'a [nextstep_transcript::Utterance],
}

/// Runs the command; a file that cannot be read is "nothing readable" (exit 2).
pub fn run(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    let transcript = match nextstep_transcript::parse(&bytes, args.format) {
        Ok(t) => t,
        Err(err) => {
            eprintln!("nextstep: {}: {err}", args.file.display());
            return Ok(ExitCode::from(2));
        }
    };
    if args.json {
        let out = ParseOutput {
            format: transcript.format.as_str(),
            utterances: &transcript.utterances,
        };
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!(
            "{} ({}, {} utterances)",
            args.file.display(),
            transcript.format,
            transcript.utterances.len()
        );
        for u in &transcript.utterances {
            let time = u.start.map(crate::report::timestamp).unwrap_or_default();
            let who = u.speaker.as_deref().unwrap_or("?");
            println!("{time:>8}  {who}: {}", u.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}
