//! Google Meet transcripts, as Meet writes them into a Google Doc and as that document is
//! exported as text: a header (the meeting's title and date, `Attendees` and their names,
//! `Transcript`), then `Name: text` paragraphs with a bare `00:05:00` timestamp line
//! every few minutes, and a footer (`Meeting ended after 00:32:10`, "This editable
//! transcript was computer generated…").
//!
//! Meet stamps time only every few minutes, so the first paragraph after a timestamp
//! line starts at that time and the others have no time of their own.

use crate::model::{ParseError, Utterance};
use crate::text::{parse_clock, prefix_candidate, split_lines};

/// Whether a trimmed line is a Meet timestamp line: a clock and nothing else
/// (`00:05:00`, `1:02:03`, `05:00`).
pub(crate) fn is_timestamp_line(line: &str) -> bool {
    timestamp(line).is_some()
}

/// The seconds of a timestamp line.
fn timestamp(line: &str) -> Option<f64> {
    let line = line.trim();
    if line.len() < 4
        || line.len() > 12
        || !line.contains(':')
        || !line
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
    {
        return None;
    }
    parse_clock(line)
}

/// Footer lines Meet adds after the transcript; they are not speech.
fn is_footer(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.starts_with("meeting ended after")
        || lower.starts_with("this editable transcript was computer generated")
        || lower.starts_with("transcription ended after")
}

/// Reads a Meet transcript: every `Name: text` paragraph is one utterance (a paragraph
/// without a name continues the previous one), timestamp lines set the next paragraph's
/// start, and lines before the first paragraph (the header) are skipped.
pub(crate) fn parse(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let lines = split_lines(text);
    let mut out: Vec<Utterance> = Vec::new();
    let mut pending_time: Option<f64> = None;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() || is_footer(line) {
            continue;
        }
        if let Some(secs) = timestamp(line) {
            pending_time = Some(secs);
            continue;
        }
        match prefix_candidate(line, true) {
            Some(colon) => {
                let speaker = line[..colon].trim().to_string();
                let said = line[colon + 1..].trim().to_string();
                out.push(Utterance {
                    id: None,
                    start: pending_time.take(),
                    end: None,
                    speaker: Some(speaker),
                    text: said,
                    line: i + 1,
                });
            }
            // A paragraph the recorder broke in two belongs to the speaker before;
            // before the first paragraph is the header (title, date, attendees).
            None => {
                if let Some(last) = out.last_mut() {
                    if !last.text.is_empty() {
                        last.text.push(' ');
                    }
                    last.text.push_str(line);
                }
            }
        }
    }
    if out.is_empty() {
        return Err(ParseError::Malformed {
            line: lines
                .iter()
                .rposition(|l| !l.trim().is_empty())
                .unwrap_or(0)
                + 1,
            reason: "a Google Meet transcript needs `Name: text` paragraphs after its header; \
                     none were found"
                .to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEET: &str = "Acme / Northwind renewal (2026-04-14 10:00 GMT+1) - Transcript\n\
Attendees\n\
Priya Raman, Dana Cole, Speaker 3\n\
Transcript\n\
00:00:00\n\
\n\
Priya Raman: Thanks for making the time, Dana.\n\
Dana Cole: Of course.\n\
It has been a busy month.\n\
00:05:00\n\
\n\
Priya Raman: What would you like to do from here?\n\
Speaker 3: Send us a proposal.\n\
Meeting ended after 00:06:12 👋\n\
This editable transcript was computer generated and might contain errors.\n";

    #[test]
    fn reads_paragraphs_with_times_and_skips_header_and_footer() {
        let u = parse(MEET).unwrap();
        let got: Vec<(Option<f64>, &str, &str, usize)> = u
            .iter()
            .map(|u| {
                (
                    u.start,
                    u.speaker.as_deref().unwrap(),
                    u.text.as_str(),
                    u.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some(0.0),
                    "Priya Raman",
                    "Thanks for making the time, Dana.",
                    7
                ),
                (None, "Dana Cole", "Of course. It has been a busy month.", 8),
                (
                    Some(300.0),
                    "Priya Raman",
                    "What would you like to do from here?",
                    12
                ),
                (None, "Speaker 3", "Send us a proposal.", 13),
            ]
        );
    }

    #[test]
    fn timestamp_lines() {
        for (line, want) in [
            ("00:05:00", true),
            (" 1:02:03 ", true),
            ("05:00", true),
            ("00:05:00 Ann: hi", false),
            ("12", false),
            ("99:99:99:99:99", false),
            ("Ann: 10:30", false),
        ] {
            assert_eq!(is_timestamp_line(line), want, "{line:?}");
        }
    }

    #[test]
    fn no_paragraphs_is_an_error_naming_the_last_line() {
        let err = parse("Title - Transcript\nAttendees\nAnn, Bob\n").unwrap_err();
        assert!(
            matches!(err, ParseError::Malformed { line: 3, .. }),
            "{err}"
        );
    }
}
