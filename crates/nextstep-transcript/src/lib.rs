//! Transcript formats → utterances.
//!
//! This crate turns the bytes of a call transcript into a flat list of [`Utterance`]s,
//! one per cue or line, in file order. It does no IO and never panics: every input,
//! however broken, yields either a [`Transcript`] or a [`ParseError`] that names the line.
//!
//! Two views exist on purpose: [`parse`] keeps one entry per cue (what `nextstep parse`
//! prints and what the W3C conformance vectors check), and [`Transcript::turns`] merges
//! cues that belong together (Teams' split cues, Zoom's prefix-less continuation cues)
//! into the utterances the analyzer reasons about.

#![warn(missing_docs)]

mod detect;
pub mod docx;
mod json;
mod json_map;
mod meet;
mod merge;
mod model;
mod otter;
mod plain;
mod srt;
mod text;
mod webvtt;

pub use detect::detect;
pub use model::{Format, ParseError, Transcript, Utterance};

/// Reads a transcript in `format`, or in the format [`detect`] finds when `format` is `None`.
///
/// This is the crate's one entry point for bytes: a UTF-8 BOM is dropped and CRLF, CR and LF
/// all end lines. WebVTT decodes invalid UTF-8 and NUL to U+FFFD as the W3C parser does; the
/// other formats reject invalid UTF-8 with [`ParseError::Malformed`] naming the line. Content
/// that matches no format is [`ParseError::UnknownFormat`].
pub fn parse(bytes: &[u8], format: Option<Format>) -> Result<Transcript, ParseError> {
    let format = match format {
        Some(format) => format,
        // A zip archive is a Word document or nothing nextstep reads.
        None if bytes.starts_with(docx::ZIP_MAGIC) => Format::Docx,
        None => {
            let text = text::utf8_lossy(text::strip_bom(bytes));
            detect(&text).ok_or_else(|| unknown_format(&text))?
        }
    };
    let utterances = match format {
        Format::WebVtt => webvtt::parse(bytes)?,
        Format::Srt => srt::parse(text::decode_strict(bytes)?)?,
        Format::Plain => plain::parse(text::decode_strict(bytes)?)?,
        Format::Otter => otter::parse(text::decode_strict(bytes)?)?,
        Format::Json => json::parse(text::decode_strict(bytes)?)?,
        Format::Meet => meet::parse(text::decode_strict(bytes)?)?,
        Format::Docx => docx::parse(bytes)?,
    };
    Ok(Transcript { format, utterances })
}

/// The error for content [`detect`] could not place, naming its first non-blank line.
fn unknown_format(text: &str) -> ParseError {
    let lines = text::split_lines(text);
    match lines.iter().position(|l| !l.trim().is_empty()) {
        None => ParseError::UnknownFormat {
            line: 1,
            reason: "the file is empty".to_string(),
        },
        Some(i) => ParseError::UnknownFormat {
            line: i + 1,
            reason: format!(
                "expected WebVTT, SRT, JSON, an Otter export, a Google Meet transcript, a .docx \
                 or `Name: text` lines, found {}; \
                 name the format if you know it",
                text::show(lines[i].trim())
            ),
        },
    }
}
