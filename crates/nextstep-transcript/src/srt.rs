//! SubRip (`.srt`): numbered blocks of `index / timing / text lines`, separated by blank
//! lines. Zoom and many captioning tools write the speaker as a `Name: text` prefix.

use crate::model::{ParseError, Utterance};
use crate::text::{Draft, clean_cue_text, digits, resolve_prefixes, show, split_lines};

/// How a broken timing line is reported; the example shows users what is expected.
const TIMING_HINT: &str = "expected a timing line like 00:00:01,000 --> 00:00:02,000";

/// Reads SRT text. A block whose timing line is broken is an error naming that line; blocks
/// missing their index are accepted, and a text-only block continues the previous cue.
pub(crate) fn parse(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let lines = split_lines(text);
    let n = lines.len();
    let mut cues: Vec<(Utterance, String)> = Vec::new();
    let mut i = 0;
    while i < n {
        let first = lines[i].trim();
        if first.is_empty() {
            i += 1;
            continue;
        }
        let block_line = i + 1;
        let is_index = first.bytes().all(|b| b.is_ascii_digit());
        let timing_at = if is_index {
            i + 1
        } else if first.contains("-->") {
            i
        } else {
            // Text after a blank line inside a cue: it continues the previous cue.
            let Some((_, payload)) = cues.last_mut() else {
                return Err(ParseError::Malformed {
                    line: block_line,
                    reason: format!(
                        "expected a cue number or a timing line like 00:00:01,000 --> 00:00:02,000, found {}",
                        show(first)
                    ),
                });
            };
            i = collect_payload(&lines, i, payload);
            continue;
        };
        let timing_line = lines.get(timing_at).map(|l| l.trim());
        let Some((start, end)) = timing_line.and_then(timing) else {
            let found = match timing_line {
                None => "the end of the file".to_string(),
                Some("") => "an empty line".to_string(),
                Some(l) => show(l),
            };
            return Err(ParseError::Malformed {
                line: timing_at + 1,
                reason: format!("{TIMING_HINT}, found {found}"),
            });
        };
        let mut payload = String::new();
        i = collect_payload(&lines, timing_at + 1, &mut payload);
        let utt = Utterance {
            id: is_index.then(|| first.to_string()),
            start: Some(start),
            end: Some(end),
            speaker: None,
            text: String::new(),
            line: block_line,
        };
        cues.push((utt, payload));
    }
    let drafts = cues
        .into_iter()
        .map(|(mut utt, payload)| {
            let cleaned = clean_cue_text(&payload);
            utt.speaker = cleaned.voice;
            utt.text = cleaned.text;
            Draft::new(utt, false)
        })
        .collect();
    Ok(resolve_prefixes(drafts))
}

/// Appends payload lines from `i` to `payload` (one per `\n`) until a blank line, or until a
/// new cue starts without the blank line before it; returns the index where it stopped.
fn collect_payload(lines: &[&str], mut i: usize, payload: &mut String) -> usize {
    while i < lines.len() {
        let line = lines[i].trim();
        if line.is_empty() || starts_cue(lines, i) {
            break;
        }
        if !payload.is_empty() {
            payload.push('\n');
        }
        payload.push_str(line);
        i += 1;
    }
    i
}

/// Whether line `i` opens a cue: a timing line, or an index followed by one.
fn starts_cue(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    if line.contains("-->") {
        return timing(line).is_some();
    }
    !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && lines
            .get(i + 1)
            .is_some_and(|next| timing(next.trim()).is_some())
}

/// Parses `hh:mm:ss,mmm --> hh:mm:ss,mmm` (`.` also accepted as the separator, 1–2 digit
/// hours, 1–3 fraction digits); anything after the end time (positions) is ignored.
pub(crate) fn timing(line: &str) -> Option<(f64, f64)> {
    let (left, right) = line.split_once("-->")?;
    let start = timestamp(left.trim())?;
    let right = right.trim_start();
    let end_token = right
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    let end = timestamp(end_token)?;
    Some((start, end))
}

/// One SRT timestamp: `h:mm:ss,mmm` or `hh:mm:ss.mmm`.
fn timestamp(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (h, nh) = digits(b);
    if !(1..=2).contains(&nh) || b.get(nh) != Some(&b':') {
        return None;
    }
    let mut pos = nh + 1;
    let (m, nm) = digits(&b[pos..]);
    if nm != 2 || m > 59 || b.get(pos + 2) != Some(&b':') {
        return None;
    }
    pos += 3;
    let (sec, ns) = digits(&b[pos..]);
    if ns != 2 || sec > 59 || !matches!(b.get(pos + 2), Some(b',' | b'.')) {
        return None;
    }
    pos += 3;
    let (frac, nf) = digits(&b[pos..]);
    if !(1..=3).contains(&nf) || pos + nf != b.len() {
        return None;
    }
    Some(h as f64 * 3600.0 + m as f64 * 60.0 + sec as f64 + frac as f64 / 10f64.powi(nf as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings() {
        let cases = [
            ("00:00:01,000 --> 00:00:02,500", Some((1.0, 2.5))),
            ("00:00:01.000-->00:00:02.500", Some((1.0, 2.5))),
            ("0:00:01,000 --> 1:00:00,000", Some((1.0, 3600.0))),
            ("00:00:01,5 --> 00:00:02,25", Some((1.5, 2.25))),
            (
                "00:00:01,000 --> 00:00:02,000  X1:100 X2:200",
                Some((1.0, 2.0)),
            ),
            ("00:00:01 --> 00:00:02", None),
            ("000:00:01,000 --> 00:00:02,000", None),
            ("00:60:01,000 --> 00:00:02,000", None),
            ("00:00:01,0000 --> 00:00:02,000", None),
            ("00:00:01,000 -> 00:00:02,000", None),
            ("00:00:01,000 --> ", None),
        ];
        for (line, want) in cases {
            assert_eq!(timing(line), want, "line {line:?}");
        }
    }

    #[test]
    fn cues() {
        // (source, expected (id, start, speaker, text, line))
        type Row = (
            Option<&'static str>,
            f64,
            Option<&'static str>,
            &'static str,
            usize,
        );
        let cases: &[(&str, &[Row])] = &[
            (
                "1\n00:00:03,000 --> 00:00:06,040\nDrew Collins: Hi Nadia.\n\n2\n00:00:06,640 --> 00:00:08,160\nNadia Ali: Of course.\n",
                &[
                    (Some("1"), 3.0, Some("Drew Collins"), "Hi Nadia.", 1),
                    (Some("2"), 6.64, Some("Nadia Ali"), "Of course.", 5),
                ],
            ),
            (
                "\u{FEFF}1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>Ann: two</i>\r\nlines\r\n\r\n\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nwhole text\r\n",
                &[
                    (Some("1"), 1.0, Some("Ann"), "two lines", 1),
                    (Some("2"), 3.0, None, "whole text", 8),
                ],
            ),
            (
                "00:00:01,000 --> 00:00:02,000\n<font color=\"red\">No index</font>\n",
                &[(None, 1.0, None, "No index", 1)],
            ),
            (
                "1\n00:00:01,000 --> 00:00:02,000\nAnn: a\n2\n00:00:03,000 --> 00:00:04,000\nAnn: b\n",
                &[
                    (Some("1"), 1.0, Some("Ann"), "a", 1),
                    (Some("2"), 3.0, Some("Ann"), "b", 4),
                ],
            ),
            (
                "1\n00:00:01,000 --> 00:00:02,000\nAnn: first paragraph\n\nsecond paragraph\n",
                &[(
                    Some("1"),
                    1.0,
                    Some("Ann"),
                    "first paragraph second paragraph",
                    1,
                )],
            ),
            (
                "1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nAnn: b\n",
                &[
                    (Some("1"), 1.0, None, "", 1),
                    (Some("2"), 3.0, Some("Ann"), "b", 4),
                ],
            ),
            ("\n\n\n", &[]),
        ];
        for (src, want) in cases {
            let got = parse(src).unwrap();
            let got: Vec<_> = got
                .iter()
                .map(|u| {
                    (
                        u.id.as_deref(),
                        u.start.unwrap(),
                        u.speaker.as_deref(),
                        u.text.as_str(),
                        u.line,
                    )
                })
                .collect();
            assert_eq!(&got, want, "source {src:?}");
        }
    }

    #[test]
    fn broken_timing_lines_name_their_line() {
        let cases = [
            (
                "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03 --> 00:00:04\nbad\n",
                6,
                "found \"00:00:03 --> 00:00:04\"",
            ),
            (
                "1\r\n00:00:01,000 -> 00:00:02,000\r\n",
                2,
                "found \"00:00:01,000 -> 00:00:02,000\"",
            ),
            ("\n\n7\n\nhello\n", 4, "found an empty line"),
            (
                "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2",
                6,
                "found the end of the file",
            ),
            (
                "1\n00:00:01,000 --> 00:00:02,000\nok\n\n00:00:0x,000 --> 00:00:04,000\n",
                5,
                "found \"00:00:0x",
            ),
            ("hello there\n", 1, "expected a cue number or a timing line"),
        ];
        for (src, line, needle) in cases {
            match parse(src) {
                Err(ParseError::Malformed { line: l, reason }) => {
                    assert_eq!(l, line, "source {src:?}: {reason}");
                    assert!(reason.contains(needle), "source {src:?}: {reason}");
                }
                other => panic!("{src:?}: {other:?}"),
            }
        }
    }
}
