//! The data types shared by every format reader.

use serde::Serialize;

/// The transcript formats nextstep reads; detected from content unless forced.
///
/// Serialises as its [`Format::as_str`] name so `nextstep parse --json` output says which
/// reader was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// WebVTT as Microsoft Teams (`<v Name>` voice tags) and Zoom (`Name: text` cues) write it.
    WebVtt,
    /// SubRip subtitles, with `Name: text` payloads.
    Srt,
    /// Plain `Name: text` lines, optionally prefixed with `[hh:mm:ss]`.
    Plain,
    /// Otter.ai's text export: a `Name  m:ss` line, then the paragraph.
    Otter,
    /// A JSON array of `{speaker, start, end, text}` objects, or another tool's JSON
    /// export mapped onto them (see the `json` module's mapping).
    Json,
    /// Google Meet's transcript exported as text: a header, `Name: text` paragraphs and a
    /// `00:05:00` timestamp line every few minutes.
    Meet,
    /// A Word document (`.docx`): Microsoft Teams' transcript download or Google Meet's
    /// transcript document; the layout inside is detected.
    Docx,
}

impl Format {
    /// Every format, in the order detection prefers them; for `--help` texts and loops in tests.
    pub const ALL: [Format; 7] = [
        Format::WebVtt,
        Format::Srt,
        Format::Plain,
        Format::Otter,
        Format::Json,
        Format::Meet,
        Format::Docx,
    ];

    /// The name users type after `--format` and see in output: `webvtt`, `srt`, `plain`,
    /// `otter`, `json`, `meet` or `docx`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::WebVtt => "webvtt",
            Format::Srt => "srt",
            Format::Plain => "plain",
            Format::Otter => "otter",
            Format::Json => "json",
            Format::Meet => "meet",
            Format::Docx => "docx",
        }
    }

    /// Whether the format is binary (a `.docx`): such a transcript is kept and shown as
    /// its text form, the utterances as JSON ([`Format::text_form`]).
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Docx)
    }

    /// The format a stored transcript's text is read back in: itself, or for a binary
    /// format the JSON that [`Transcript`] serialises to (what `nextstep parse --json`
    /// prints), which the JSON reader accepts.
    pub fn text_form(self) -> Format {
        if self.is_binary() { Format::Json } else { self }
    }

    /// Reads a format name from the command line or a config file, case-insensitively:
    /// the [`Format::as_str`] names plus the file-extension spellings `vtt`, `txt` and `text`,
    /// and `google-meet` for `meet`.
    pub fn from_name(s: &str) -> Option<Format> {
        let s = s.trim();
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        if is("webvtt") || is("vtt") {
            Some(Format::WebVtt)
        } else if is("srt") {
            Some(Format::Srt)
        } else if is("plain") || is("txt") || is("text") {
            Some(Format::Plain)
        } else if is("otter") {
            Some(Format::Otter)
        } else if is("json") {
            Some(Format::Json)
        } else if is("meet") || is("google-meet") || is("googlemeet") {
            Some(Format::Meet)
        } else if is("docx") {
            Some(Format::Docx)
        } else {
            None
        }
    }
}

/// Prints the [`Format::as_str`] name, so messages and reports name formats the way users type them.
impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cue or line of a transcript, as the file has it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Utterance {
    /// The cue identifier (WebVTT/SRT), when the file gives one.
    pub id: Option<String>,
    /// Start time in seconds, when the format has times.
    pub start: Option<f64>,
    /// End time in seconds, when the format has times.
    pub end: Option<f64>,
    /// Who spoke, when the file says; `None` means unknown (or, for a Zoom cue with no
    /// prefix, "the previous speaker", which [`Transcript::turns`] resolves).
    pub speaker: Option<String>,
    /// What was said, with markup removed and character references decoded.
    pub text: String,
    /// 1-based line in the source file where this utterance starts, for error messages
    /// and for pointing users back at their file.
    #[serde(skip)]
    pub line: usize,
}

/// A parsed transcript: its format and its utterances in file order.
///
/// Serialises as `{"format": "...", "utterances": [...]}`, the shape `nextstep parse --json`
/// prints and the JSON reader accepts back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transcript {
    /// The format the content was read as.
    pub format: Format,
    /// One entry per cue or line, in file order, unmerged.
    pub utterances: Vec<Utterance>,
}

impl Transcript {
    /// Distinct speaker names in order of first appearance, so callers can list who took
    /// part (and let a user pick the seller) without walking the utterances themselves.
    pub fn speakers(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for u in &self.utterances {
            if let Some(name) = u.speaker.as_deref() {
                if seen.insert(name) {
                    out.push(name.to_string());
                }
            }
        }
        out
    }
}

/// Why a transcript could not be read; always names the 1-based line at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The content matches none of the known formats.
    #[error("line {line}: not a transcript nextstep can read ({reason})")]
    UnknownFormat {
        /// Line that decided it (usually the first non-blank line).
        line: usize,
        /// What was seen instead.
        reason: String,
    },
    /// The content is in the named format but broken at a line.
    #[error("line {line}: {reason}")]
    Malformed {
        /// 1-based line of the fault.
        line: usize,
        /// What is wrong, in words a user can act on.
        reason: String,
    },
}
