//! Plain `Name: text` transcripts, one utterance per line, as people paste them from chat
//! tools or meeting notes; each line may start with a `[hh:mm:ss]`-style time.

use crate::model::{ParseError, Utterance};
use crate::text::{Draft, parse_clock, resolve_prefixes, split_lines};

/// Reads plain text. Every non-blank line is one utterance; a line without a speaker prefix
/// has speaker `None` and is treated by [`crate::Transcript::turns`] as a continuation.
pub(crate) fn parse(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let drafts = split_lines(text)
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            if line.is_empty() {
                return None;
            }
            let (start, rest) = split_time_prefix(line);
            let utt = Utterance {
                id: None,
                start,
                end: None,
                speaker: None,
                text: rest.to_string(),
                line: i + 1,
            };
            Some(Draft::new(utt, true))
        })
        .collect();
    Ok(resolve_prefixes(drafts))
}

/// Splits a leading `[hh:mm:ss]`, `[mm:ss]`, `(hh:mm:ss)` or bare `hh:mm:ss ` time off a
/// trimmed line: (seconds, rest of the line). Lines without one come back whole.
pub(crate) fn split_time_prefix(line: &str) -> (Option<f64>, &str) {
    let bracketed = |open: char, close: char| {
        let inner = line.strip_prefix(open)?;
        let end = inner.find(close)?;
        let secs = parse_clock(inner[..end].trim())?;
        Some((secs, inner[end + close.len_utf8()..].trim_start()))
    };
    let found = bracketed('[', ']')
        .or_else(|| bracketed('(', ')'))
        .or_else(|| {
            if !line.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            let end = line.find(char::is_whitespace)?;
            let secs = parse_clock(&line[..end])?;
            Some((secs, line[end..].trim_start()))
        });
    match found {
        Some((secs, rest)) => (Some(secs), rest),
        None => (None, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_prefixes() {
        let cases = [
            ("[00:00:03] Lee Harper: Hi", (Some(3.0), "Lee Harper: Hi")),
            ("[01:02] Lee: Hi", (Some(62.0), "Lee: Hi")),
            ("(1:00:00) Lee: Hi", (Some(3600.0), "Lee: Hi")),
            ("00:00:07 Lee: Hi", (Some(7.0), "Lee: Hi")),
            ("[00:00:03.500]Lee: Hi", (Some(3.5), "Lee: Hi")),
            ("00:00:07Lee: Hi", (None, "00:00:07Lee: Hi")),
            ("[note] Lee: Hi", (None, "[note] Lee: Hi")),
            ("[00:00:03]", (Some(3.0), "")),
            ("Lee: at 10:30 we meet", (None, "Lee: at 10:30 we meet")),
        ];
        for (line, want) in cases {
            assert_eq!(split_time_prefix(line), want, "line {line:?}");
        }
    }

    #[test]
    fn lines() {
        type Row = (Option<f64>, Option<&'static str>, &'static str, usize);
        let cases: &[(&str, &[Row])] = &[
            (
                "Alex Rivera: Hi Jamie.\nJamie Cho: Of course.\n",
                &[
                    (None, Some("Alex Rivera"), "Hi Jamie.", 1),
                    (None, Some("Jamie Cho"), "Of course.", 2),
                ],
            ),
            (
                "\u{FEFF}[00:00:03] Lee Harper: Hi\r\n\r\n\r\n[00:00:06] Gina Ruiz:   Of course.  \r\nand more\r\n",
                &[
                    (Some(3.0), Some("Lee Harper"), "Hi", 1),
                    (Some(6.0), Some("Gina Ruiz"), "Of course.", 4),
                    (None, None, "and more", 5),
                ],
            ),
            (
                "José Núñez: hola\n1st: not a name\nso: once\nmia: one\nmia: two\n",
                &[
                    (None, Some("José Núñez"), "hola", 1),
                    (None, None, "1st: not a name", 2),
                    (None, None, "so: once", 3),
                    (None, Some("mia"), "one", 4),
                    (None, Some("mia"), "two", 5),
                ],
            ),
            ("Well, here: no\n", &[(None, None, "Well, here: no", 1)]),
            (
                "Speaker 1: hi\nSpeaker 2: at 10: ok\n",
                &[
                    (None, Some("Speaker 1"), "hi", 1),
                    (None, Some("Speaker 2"), "at 10: ok", 2),
                ],
            ),
            ("\n \n\t\n", &[]),
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
