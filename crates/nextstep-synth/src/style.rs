//! The six ways meeting tools export a transcript, shared by both generators so a demo
//! call and a benchmark call in the same style are written for the same reader path.

use nextstep_transcript::Format;

/// How a generated call file is written: the five text [`Format`]s, with WebVTT in both
/// of the dialects users meet (Teams voice tags, Zoom `Name: text` cues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// Microsoft Teams WebVTT: GUID cue ids `<guid>/<n>-<k>`, `<v Name>` voice tags, long
    /// turns split over several cues, non-ASCII names as `&#233;` references.
    TeamsVtt,
    /// Zoom WebVTT: numbered cues with `Name: text`, and now and then a continuation cue
    /// with no name that starts in lowercase.
    ZoomVtt,
    /// SubRip with `Name: text` payloads.
    Srt,
    /// Plain `[hh:mm:ss] Name: text` lines.
    Plain,
    /// Otter.ai export: a `Name  m:ss` line, the paragraph, a blank line.
    Otter,
    /// A JSON array of `{"speaker", "start", "end", "text"}`.
    Json,
}

impl Style {
    /// Every style, in the order both generators rotate through them, so every style
    /// appears.
    pub const ALL: [Style; 6] = [
        Style::TeamsVtt,
        Style::ZoomVtt,
        Style::Srt,
        Style::Plain,
        Style::Otter,
        Style::Json,
    ];

    /// The transcript format the file is in (what detection should find).
    pub fn format(self) -> Format {
        match self {
            Style::TeamsVtt | Style::ZoomVtt => Format::WebVtt,
            Style::Srt => Format::Srt,
            Style::Plain => Format::Plain,
            Style::Otter => Format::Otter,
            Style::Json => Format::Json,
        }
    }

    /// The file extension `nextstep analyze` picks up when walking a folder.
    pub fn extension(self) -> &'static str {
        match self {
            Style::TeamsVtt | Style::ZoomVtt => "vtt",
            Style::Srt => "srt",
            Style::Plain | Style::Otter => "txt",
            Style::Json => "json",
        }
    }

    /// A short name for benchmark ids, generated file names and test output (stable:
    /// benchmark baselines are keyed by it).
    pub fn name(self) -> &'static str {
        match self {
            Style::TeamsVtt => "teams_vtt",
            Style::ZoomVtt => "zoom_vtt",
            Style::Srt => "srt",
            Style::Plain => "plain",
            Style::Otter => "otter",
            Style::Json => "json",
        }
    }
}
