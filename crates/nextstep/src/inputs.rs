//! Reading what the user pointed at: files and folders, rules files, call dates.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use nextstep_analyzer::acts::ActModel;
use nextstep_analyzer::{Rules, StepChooser};
use nextstep_transcript::Format;

/// File name endings `analyze` picks up when walking a folder.
const TRANSCRIPT_EXTENSIONS: [&str; 5] = ["vtt", "srt", "txt", "json", "docx"];

/// Expands folders into the transcript files below them (sorted, hidden entries
/// skipped); files named directly are kept whatever their extension.
pub fn expand_paths(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let ext = e
                            .path()
                            .extension()
                            .map(|x| x.to_string_lossy().to_ascii_lowercase())
                            .unwrap_or_default();
                        if TRANSCRIPT_EXTENSIONS.contains(&ext.as_str()) {
                            files.push(e.into_path());
                        }
                    }
                    Ok(_) => {}
                    Err(err) => errors.push(format!("{}: {err}", path.display())),
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            errors.push(format!("{}: no such file or folder", path.display()));
        }
    }
    (files, errors)
}

/// What judges calls: the rules file and the act model, for every command that judges.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct JudgeArgs {
    /// A rules file whose cue lists extend the defaults (see `nextstep rules`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// An act model from `nextstep train` instead of the shipped one; `none` judges with
    /// the rules alone.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// A step chooser from `nextstep train-steps` instead of the shipped one; `none`
    /// keeps the rules' own pick of the call's step.
    #[arg(long, value_name = "FILE")]
    pub steps: Option<PathBuf>,
}

impl JudgeArgs {
    /// The default rules extended by `--rules`, consulting the model `--model` names.
    pub fn load(&self) -> anyhow::Result<Rules> {
        let rules = load_rules(self.rules.as_deref())?;
        let rules = match self.model.as_deref() {
            None => rules,
            Some(p) if p.as_os_str() == "none" => rules.with_model(None),
            Some(p) => rules.with_model(Some(load_model(p)?)),
        };
        Ok(match self.steps.as_deref() {
            None => rules,
            Some(p) if p.as_os_str() == "none" => rules.with_chooser(None),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("{}: cannot read step chooser", p.display()))?;
                let chooser =
                    StepChooser::from_json(&text).with_context(|| format!("{}", p.display()))?;
                rules.with_chooser(Some(chooser))
            }
        })
    }
}

/// Reads an act model file written by `nextstep train`.
pub fn load_model(path: &Path) -> anyhow::Result<ActModel> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read model file", path.display()))?;
    ActModel::from_bytes(&bytes).with_context(|| format!("{}", path.display()))
}

/// The default rules, extended by `path` when given.
pub fn load_rules(path: Option<&Path>) -> anyhow::Result<Rules> {
    match path {
        None => Ok(Rules::defaults()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("{}: cannot read rules file", p.display()))?;
            Rules::with_extension(&text).with_context(|| format!("{}", p.display()))
        }
    }
}

/// Parses `--format`.
pub fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        format!(
            "unknown format {name:?} (expected one of: {})",
            Format::ALL.map(|f| f.as_str()).join(", ")
        )
    })
}

/// Parses `--date`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date like 2026-04-14"))
}

/// The call date when `--date` is not given: an ISO date near the top of the file (a
/// header or NOTE line), else one in the file name, else today.
pub fn call_date(text: &str, path: &Path) -> NaiveDate {
    nextstep_analyzer::call_date_hint(text, &path.to_string_lossy())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_call_date_in_the_header_or_the_file_name() {
        let cases = [
            (
                "WEBVTT\nNOTE recorded 2026-04-14\n",
                "call.vtt",
                Some("2026-04-14"),
            ),
            (
                "Alex: hi\n",
                "calls/2025-12-01-acme.txt",
                Some("2025-12-01"),
            ),
            ("Alex: order 12026-04-140\n", "x.txt", None),
        ];
        for (text, path, want) in cases {
            let got = call_date(text, Path::new(path));
            match want {
                Some(w) => assert_eq!(got.to_string(), w, "{path}"),
                None => assert_eq!(got, chrono::Local::now().date_naive(), "{path}"),
            }
        }
    }
}
