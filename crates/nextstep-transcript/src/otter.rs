//! Otter.ai's text export: a `Name  m:ss` header line over each paragraph.
//!
//! ```text
//! Tara Quinn  0:03
//! Hi Ben, thanks for making the time today.
//!
//! Ben Walsh  0:06
//! Of course, happy to.
//!
//! Transcribed by https://otter.ai
//! ```

use crate::model::{ParseError, Utterance};
use crate::text::{parse_clock, split_lines};

/// Reads an Otter export. Text before the first header, or a paragraph after a blank line
/// with no header of its own, gets speaker `None` (a continuation for `turns()`).
pub(crate) fn parse(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let mut out = Vec::new();
    let mut current: Option<Utterance> = None;
    for (i, raw) in split_lines(text).iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() || is_trailer(line) {
            out.extend(current.take());
            continue;
        }
        // Inside a block only a header in Otter's own two-space form starts a new one, so a
        // sentence that happens to end in a time ("see you at 3:30") stays text.
        if let Some((name, secs)) = header(line, current.is_some()) {
            out.extend(current.take());
            current = Some(Utterance {
                id: None,
                start: Some(secs),
                end: None,
                speaker: Some(name.to_string()),
                text: String::new(),
                line: i + 1,
            });
            continue;
        }
        match current.as_mut() {
            Some(u) => {
                if !u.text.is_empty() {
                    u.text.push(' ');
                }
                u.text.push_str(line);
            }
            None => {
                current = Some(Utterance {
                    id: None,
                    start: None,
                    end: None,
                    speaker: None,
                    text: line.to_string(),
                    line: i + 1,
                });
            }
        }
    }
    out.extend(current);
    Ok(out)
}

/// Otter's closing "Transcribed by https://otter.ai" line, which is not part of the call.
fn is_trailer(line: &str) -> bool {
    let lower = line
        .get(..14)
        .is_some_and(|p| p.eq_ignore_ascii_case("transcribed by"));
    lower && line.contains("otter.ai")
}

/// Parses a trimmed header line `Name  m:ss` / `Name h:mm:ss`: (name, start seconds). With
/// `two_spaces`, at least two whitespace characters must separate name and time.
pub(crate) fn header(line: &str, two_spaces: bool) -> Option<(&str, f64)> {
    let split = line.rfind(char::is_whitespace)?;
    let time = line[split..].trim_start();
    if !time.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let secs = parse_clock(time).filter(|_| !time.contains([',', '.']))?;
    let before = &line[..split];
    let name = before.trim();
    if two_spaces && before.len() == before.trim_end().len() {
        return None;
    }
    is_otter_name(name).then_some((name, secs))
}

/// An Otter speaker label: 1–5 words, at most 50 characters, starting with a letter, with no
/// colon or sentence punctuation. Digits are fine (`Speaker 1`), and so are initials (`J. Doe`).
fn is_otter_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name.chars().count() <= 50
        && name.starts_with(char::is_alphabetic)
        && !name.contains([':', '?', '!', ',', ';'])
        && name.split_whitespace().count() <= 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let cases = [
            ("Tara Quinn  0:03", false, Some(("Tara Quinn", 3.0))),
            ("Tara Quinn 0:03", false, Some(("Tara Quinn", 3.0))),
            ("Tara Quinn 0:03", true, None),
            ("Tara Quinn\t\t1:02:03", true, Some(("Tara Quinn", 3723.0))),
            ("Speaker 1  12:45", false, Some(("Speaker 1", 765.0))),
            ("J. Doe  0:03", false, Some(("J. Doe", 3.0))),
            ("Ann: hi  0:03", false, None),
            ("Well, see you at  3:30", false, None),
            ("0:03", false, None),
            ("Tara Quinn  0:03.5", false, None),
            ("Tara Quinn  0:75", false, None),
            ("one two three four five six  0:03", false, None),
        ];
        for (line, two, want) in cases {
            assert_eq!(header(line, two), want, "line {line:?}");
        }
    }

    #[test]
    fn paragraphs() {
        type Row = (Option<f64>, Option<&'static str>, &'static str, usize);
        let cases: &[(&str, &[Row])] = &[
            (
                "Tara Quinn  0:03\nHi Ben, thanks.\n\nBen Walsh  0:06\nOf course,\nhappy to.\n\nTranscribed by https://otter.ai\n",
                &[
                    (Some(3.0), Some("Tara Quinn"), "Hi Ben, thanks.", 1),
                    (Some(6.0), Some("Ben Walsh"), "Of course, happy to.", 4),
                ],
            ),
            (
                "\u{FEFF}Meeting notes\r\n\r\nAnn  1:00:00\r\nLet's meet at 3:30\r\nok?\r\n\r\n\r\nmore from Ann\r\nBob  1:00:09\r\nSure.",
                &[
                    (None, None, "Meeting notes", 1),
                    (Some(3600.0), Some("Ann"), "Let's meet at 3:30 ok?", 3),
                    (None, None, "more from Ann", 8),
                    (Some(3609.0), Some("Bob"), "Sure.", 9),
                ],
            ),
            (
                "Ann  0:01\nBob  0:02\nhello\nAnn  0:05\n",
                &[
                    (Some(1.0), Some("Ann"), "", 1),
                    (Some(2.0), Some("Bob"), "hello", 2),
                    (Some(5.0), Some("Ann"), "", 4),
                ],
            ),
        ];
        for (src, want) in cases {
            let got = parse(src).unwrap();
            let got: Vec<_> = got
                .iter()
                .map(|u| (u.start, u.speaker.as_deref(), u.text.as_str(), u.line))
                .collect();
            assert_eq!(&got, want, "source {src:?}");
        }
    }
}
