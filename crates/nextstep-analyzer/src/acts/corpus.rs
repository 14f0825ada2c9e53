//! The labelled utterance corpus: one JSON object per line (see `acts/GUIDE.md`), read
//! into [`Example`]s with errors that name the file, the line and the field.

use serde::Deserialize;

use super::Act;
use crate::model::{Kind, Side};

/// Which part of the corpus a file belongs to. Files are split by author, so the test
/// split measures wording the model never saw from people it never read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Fitted on.
    Train,
    /// Decision thresholds are tuned on it (and it is then trained on too).
    Dev,
    /// Only ever scored.
    Test,
}

impl Split {
    /// The folder name under `acts/`.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Dev => "dev",
            Split::Test => "test",
        }
    }
}

/// How a file's sentences were chosen, which decides what its act frequencies mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Sentences written to show each act (and its hard negatives): act-rich, far more
    /// acts per sentence than a call has.
    Targeted,
    /// Whole stretches of calls with every sentence labelled: acts as often as calls
    /// have them, so precision measured against them is what a call will see.
    Passages,
}

/// How a line is written; reports break scores down by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// Careful, complete sentences.
    Formal,
    /// Everyday spoken English.
    Casual,
    /// English as a second language.
    NonNative,
    /// A speech recogniser's output: lower case, no punctuation, fillers.
    Asr,
}

/// A turn said before the labelled sentence.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Turn {
    /// Who said it.
    pub side: Side,
    /// What was said.
    pub text: String,
}

/// One labelled sentence with what was said just before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// `author-number`, or `file:line` when the line has no id.
    pub id: String,
    /// The one or two turns before the sentence, oldest first.
    pub context: Vec<Turn>,
    /// Who says the sentence.
    pub side: Side,
    /// The sentence.
    pub text: String,
    /// Its acts (empty: none).
    pub acts: Vec<Act>,
    /// The step's kind, for acts that name a step.
    pub kind: Option<Kind>,
    /// How it is written, when the line says.
    pub style: Option<Style>,
}

/// A corpus line that cannot be used, located precisely.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{source_name}: line {line}: {reason}")]
pub struct CorpusError {
    /// The file (or other source) name.
    pub source_name: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, naming the field.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    context: Vec<Turn>,
    side: Side,
    text: String,
    acts: Vec<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    style: Option<Style>,
}

/// Reads a JSONL corpus. Blank lines are skipped; every other line must be a labelled
/// sentence, and the first bad line is reported with its number and field.
pub fn parse_corpus(source_name: &str, text: &str) -> Result<Vec<Example>, CorpusError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let err = |reason: String| CorpusError {
            source_name: source_name.to_string(),
            line: line_no,
            reason,
        };
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        let raw: RawLine = serde_json::from_str(trimmed).map_err(|e| err(e.to_string()))?;
        if raw.text.trim().is_empty() {
            return Err(err("field `text` is empty".into()));
        }
        let mut acts = Vec::new();
        for name in &raw.acts {
            if name == "none" {
                continue;
            }
            let act = Act::from_name(name).ok_or_else(|| {
                err(format!(
                    "field `acts`: {name:?} is not an act (see acts/GUIDE.md)"
                ))
            })?;
            if act.side() != raw.side {
                return Err(err(format!(
                    "field `acts`: {name:?} is a {} act, but `side` is {}",
                    act.side().as_str(),
                    raw.side.as_str()
                )));
            }
            if !acts.contains(&act) {
                acts.push(act);
            }
        }
        if raw.acts.is_empty() {
            return Err(err("field `acts` is empty (write [\"none\"])".into()));
        }
        let needs_kind = acts.iter().any(|a| a.takes_kind());
        let kind = match (&raw.kind, needs_kind) {
            (Some(k), true) => Some(
                Kind::from_name(k)
                    .ok_or_else(|| err(format!("field `kind`: {k:?} is not a kind")))?,
            ),
            (None, true) => {
                return Err(err(
                    "field `kind` is missing: a step act needs the step's kind".into(),
                ));
            }
            (Some(_), false) | (None, false) => None,
        };
        out.push(Example {
            id: raw.id.unwrap_or_else(|| format!("{source_name}:{line_no}")),
            context: raw.context,
            side: raw.side,
            text: raw.text,
            acts,
            kind,
            style: raw.style,
        });
    }
    Ok(out)
}

/// The corpus shipped with nextstep, compiled in so that `nextstep train --add` works
/// without a checkout: (file name, split, text).
pub const SHIPPED: &[(&str, Split, Sampling, &str)] = &[
    (
        "train/au01.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au01.jsonl"),
    ),
    (
        "train/au02.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au02.jsonl"),
    ),
    (
        "train/au03.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au03.jsonl"),
    ),
    (
        "train/au04.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au04.jsonl"),
    ),
    (
        "train/au05.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au05.jsonl"),
    ),
    (
        "train/au06.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au06.jsonl"),
    ),
    (
        "train/au10.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au10.jsonl"),
    ),
    (
        "train/au11.jsonl",
        Split::Train,
        Sampling::Passages,
        include_str!("../../acts/train/au11.jsonl"),
    ),
    (
        "train/au12.jsonl",
        Split::Train,
        Sampling::Passages,
        include_str!("../../acts/train/au12.jsonl"),
    ),
    (
        "dev/au13.jsonl",
        Split::Dev,
        Sampling::Passages,
        include_str!("../../acts/dev/au13.jsonl"),
    ),
    (
        "dev/au07.jsonl",
        Split::Dev,
        Sampling::Targeted,
        include_str!("../../acts/dev/au07.jsonl"),
    ),
    (
        "test/au08.jsonl",
        Split::Test,
        Sampling::Targeted,
        include_str!("../../acts/test/au08.jsonl"),
    ),
    (
        "test/au09.jsonl",
        Split::Test,
        Sampling::Targeted,
        include_str!("../../acts/test/au09.jsonl"),
    ),
    (
        "test/au14.jsonl",
        Split::Test,
        Sampling::Passages,
        include_str!("../../acts/test/au14.jsonl"),
    ),
    (
        "train/au15.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au15.jsonl"),
    ),
    (
        "train/au16.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au16.jsonl"),
    ),
    (
        "train/au17.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au17.jsonl"),
    ),
    (
        "dev/au18.jsonl",
        Split::Dev,
        Sampling::Targeted,
        include_str!("../../acts/dev/au18.jsonl"),
    ),
    (
        "train/au19.jsonl",
        Split::Train,
        Sampling::Passages,
        include_str!("../../acts/train/au19.jsonl"),
    ),
    (
        "train/au20.jsonl",
        Split::Train,
        Sampling::Passages,
        include_str!("../../acts/train/au20.jsonl"),
    ),
    (
        "train/au21.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au21.jsonl"),
    ),
    (
        "train/au22.jsonl",
        Split::Train,
        Sampling::Targeted,
        include_str!("../../acts/train/au22.jsonl"),
    ),
];

/// One file of the shipped corpus, parsed.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Its path under `acts/`.
    pub name: &'static str,
    /// Which split it belongs to.
    pub split: Split,
    /// How its sentences were chosen.
    pub sampling: Sampling,
    /// Its lines.
    pub examples: Vec<Example>,
}

/// The shipped corpus, parsed, file by file.
pub fn shipped_corpus() -> Result<Vec<CorpusFile>, CorpusError> {
    SHIPPED
        .iter()
        .map(|&(name, split, sampling, text)| {
            Ok(CorpusFile {
                name,
                split,
                sampling,
                examples: parse_corpus(name, text)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_name_their_line_and_field() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"side": "prospect", "text": "send it", "acts": ["request_step"]}"#,
                "line 1: field `kind` is missing",
            ),
            (
                r#"{"side": "prospect", "text": "x", "acts": ["commit"], "kind": "quote"}"#,
                "line 1: field `acts`: \"commit\" is a seller act",
            ),
            (
                r#"{"side": "seller", "text": "x", "acts": ["waffle"]}"#,
                "line 1: field `acts`: \"waffle\" is not an act",
            ),
            (
                r#"{"side": "seller", "text": "x", "acts": []}"#,
                "line 1: field `acts` is empty",
            ),
            (
                "\n{\"side\": \"buyer\", \"text\": \"x\", \"acts\": [\"none\"]}",
                "line 2: unknown variant `buyer`",
            ),
            (
                r#"{"side": "seller", "text": "x", "acts": ["suggest"], "kind": "lunch"}"#,
                "field `kind`: \"lunch\" is not a kind",
            ),
        ];
        for (text, want) in cases {
            let err = parse_corpus("team.jsonl", text).unwrap_err().to_string();
            assert!(err.contains(want), "{text}: got {err:?}, want {want:?}");
            assert!(err.starts_with("team.jsonl: line "), "{err}");
        }
    }

    #[test]
    fn a_minimal_line_is_enough() {
        let got = parse_corpus(
            "team.jsonl",
            r#"{"side": "prospect", "text": "Give two analysts logins for a week.", "acts": ["request_step"], "kind": "trial"}"#,
        )
        .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].acts, vec![Act::RequestStep]);
        assert_eq!(got[0].kind, Some(Kind::Trial));
        assert_eq!(got[0].id, "team.jsonl:1");
    }

    #[test]
    fn the_shipped_corpus_parses() {
        let corpus = shipped_corpus().unwrap();
        let n: usize = corpus.iter().map(|f| f.examples.len()).sum();
        assert!(n > 1000, "{n} examples");
    }
}
