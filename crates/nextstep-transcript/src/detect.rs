//! Format detection from content, so users can pass any transcript without `--format`.

use serde::de::IgnoredAny;

use crate::model::Format;
use crate::text::{prefix_candidate, split_lines};
use crate::{meet, otter, plain, srt};

/// How much of the start of a file detection looks at; formats show themselves early.
const HEAD_BYTES: usize = 16 * 1024;
/// How many non-blank lines the Otter/plain vote looks at.
const HEAD_LINES: usize = 40;

/// Guesses the format of a transcript from its content (after a BOM and leading whitespace):
/// `WEBVTT` → WebVTT; a `[`/`{` document that parses as JSON → JSON; a cue number over a
/// `-->` line → SRT; `Name  m:ss` headers over paragraphs → Otter; `Name: text` lines → plain.
/// `None` when nothing fits, so the caller can ask the user for `--format`.
pub fn detect(text: &str) -> Option<Format> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let body = text.trim_start();
    if body.is_empty() {
        return None;
    }
    if body.starts_with("WEBVTT") {
        return Some(Format::WebVtt);
    }
    // A plain line such as "[00:00:03] Ann: hi" starts with `[` too: only valid JSON counts.
    if body.starts_with(['[', '{']) && serde_json::from_str::<IgnoredAny>(body).is_ok() {
        return Some(Format::Json);
    }
    let mut lines = split_lines(head(body));
    if body.len() > HEAD_BYTES {
        lines.pop(); // probably cut short
    }
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].trim().is_empty())
        .take(HEAD_LINES)
        .collect();
    let first = *nonblank.first()?;
    let first_line = lines[first].trim();
    let next_has_arrow = lines.get(first + 1).is_some_and(|l| l.contains("-->"));
    if (first_line.bytes().all(|b| b.is_ascii_digit()) && next_has_arrow)
        || srt::timing(first_line).is_some()
    {
        return Some(Format::Srt);
    }
    let mut otter_votes = 0;
    let mut timestamp_lines = 0;
    let mut names = Vec::new();
    for &i in &nonblank {
        let line = lines[i].trim();
        if meet::is_timestamp_line(line) {
            timestamp_lines += 1;
            continue;
        }
        if otter::header(line, false).is_some() {
            let next = lines.get(i + 1).map_or("", |l| l.trim());
            if !next.is_empty() && otter::header(next, false).is_none() {
                otter_votes += 1;
            }
            continue;
        }
        let (_, rest) = plain::split_time_prefix(line);
        if let Some(colon) = prefix_candidate(rest, true) {
            names.push(rest[..colon].trim());
        }
    }
    let plain_votes = names
        .iter()
        .filter(|n| {
            n.starts_with(char::is_uppercase) || names.iter().filter(|m| m == n).count() >= 2
        })
        .count();
    if otter_votes > 0 && otter_votes >= plain_votes {
        Some(Format::Otter)
    } else if plain_votes > 0 && timestamp_lines > 0 {
        // Bare timestamp lines between `Name: text` paragraphs: Google Meet.
        Some(Format::Meet)
    } else if plain_votes > 0 {
        Some(Format::Plain)
    } else {
        None
    }
}

/// The first [`HEAD_BYTES`] of `s`, cut at a character boundary.
fn head(s: &str) -> &str {
    if s.len() <= HEAD_BYTES {
        return s;
    }
    let mut cut = HEAD_BYTES;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let cases: &[(&str, Option<Format>)] = &[
            (
                "WEBVTT\n\n00:01.000 --> 00:02.000\nhi",
                Some(Format::WebVtt),
            ),
            ("\u{FEFF}\r\n  WEBVTT", Some(Format::WebVtt)),
            (
                "[{\"speaker\": \"A\", \"text\": \"hi\"}]",
                Some(Format::Json),
            ),
            ("\n {\"utterances\": []}", Some(Format::Json)),
            (
                "[00:00:03] Lee Harper: Hi Gina\n[00:00:06] Gina Ruiz: Of course.",
                Some(Format::Plain),
            ),
            ("[1, 2", None),
            (
                "1\n00:00:03,000 --> 00:00:06,040\nDrew Collins: Hi Nadia.\n",
                Some(Format::Srt),
            ),
            (
                "\r\n\r\n1\r\n00:00:03,000 --> 00:00:06,040\r\nhi\r\n",
                Some(Format::Srt),
            ),
            ("00:00:03,000 --> 00:00:06,040\nhi\n", Some(Format::Srt)),
            (
                "Tara Quinn  0:03\nHi Ben, thanks for making the time today.\n\nBen Walsh  0:06\nOf course.\n",
                Some(Format::Otter),
            ),
            ("Speaker 1  0:03\nHi.\n", Some(Format::Otter)),
            (
                "Alex Rivera: Hi Jamie.\nJamie Cho: Of course, happy to.\n",
                Some(Format::Plain),
            ),
            ("00:00:07 Lee: Hi\n", Some(Format::Plain)),
            (
                "Ann: see you at\n3:30 sharp\nBob: ok\nAnn: great\n",
                Some(Format::Plain),
            ),
            ("bob: hi\nbob: again\n", Some(Format::Plain)),
            ("Speaker 1: hi\nSpeaker 2: hello\n", Some(Format::Plain)),
            ("just some words\nand more words\n", None),
            ("up: once\n", None),
            ("", None),
            (" \n\t\n", None),
            ("%PDF-1.4\n\u{FFFD}\u{FFFD}", None),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), *want, "text {text:?}");
        }
    }

    #[test]
    fn long_files_are_judged_by_their_head() {
        let line = "Alex Rivera: Hi Jamie, thanks for making the time today.\n";
        let text = line.repeat(2000);
        assert_eq!(detect(&text), Some(Format::Plain));
        let text = format!("{}{}", "é".repeat(HEAD_BYTES), "Alex: x");
        assert_eq!(detect(&text), None);
    }
}
