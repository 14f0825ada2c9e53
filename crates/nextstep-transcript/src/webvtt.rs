//! WebVTT, read with the W3C WebVTT parser algorithm
//! (<https://w3c.github.io/webvtt/#webvtt-parser-algorithm>) so that odd files from Teams,
//! Zoom and hand editing split into cues exactly as browsers split them.
//!
//! The spec works on a character position in LF-normalised text. Here the text is a list of
//! lines (split at CRLF, CR or LF) and the position is a line index, which is equivalent
//! because the algorithm only ever moves the position to the start of a line. Line `i` of
//! the list is source line `i + 1`, which gives each cue the line it starts on.

use crate::model::{ParseError, Utterance};
use crate::text::{Draft, clean_cue_text, decode_lossy, resolve_prefixes, show, split_lines};

/// Reads WebVTT bytes: invalid UTF-8 and NUL become U+FFFD as the spec requires, so the only
/// error is a missing `WEBVTT` signature.
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<Utterance>, ParseError> {
    let text = decode_lossy(bytes);
    let lines = split_lines(&text);
    let cues = collect_cues(&lines)?;
    let drafts = cues
        .into_iter()
        .map(|c| {
            let cleaned = clean_cue_text(&c.payload);
            let utt = Utterance {
                id: (!c.id.is_empty()).then_some(c.id),
                start: Some(c.start),
                end: Some(c.end),
                speaker: cleaned.voice,
                text: cleaned.text,
                line: c.line,
            };
            Draft::new(utt, false)
        })
        .collect();
    Ok(resolve_prefixes(drafts))
}

/// A cue as the block algorithm returns it, before its payload is cleaned.
struct RawCue {
    id: String,
    start: f64,
    end: f64,
    payload: String,
    line: usize,
}

/// The parser's input and position: `lines` joined with LF is the spec's `input`, and `pos`
/// is the index of the line the spec's position points at the start of.
struct Input<'a> {
    lines: &'a [&'a str],
}

impl Input<'_> {
    /// The spec's "position is past the end of input" for a position at the start of line `i`.
    fn past_end(&self, i: usize) -> bool {
        let n = self.lines.len();
        i >= n || (i + 1 == n && self.lines[i].is_empty())
    }

    /// "Collect a sequence of code points that are U+000A LINE FEED": skips empty lines that
    /// are followed by a line end.
    fn skip_line_feeds(&self, mut i: usize) -> usize {
        while i + 1 < self.lines.len() && self.lines[i].is_empty() {
            i += 1;
        }
        i
    }
}

/// Runs the WebVTT parser algorithm over the lines and returns the cues in order.
fn collect_cues(all_lines: &[&str]) -> Result<Vec<RawCue>, ParseError> {
    // Leniency beyond the spec: blank lines before the signature are skipped.
    let first = all_lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(0);
    let first = first.min(all_lines.len().saturating_sub(1));
    let input = Input {
        lines: &all_lines[first..],
    };
    let line_no = |i: usize| first + i + 1;

    let sig = input.lines.first().copied().unwrap_or("");
    let signed = sig
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
    if !signed {
        return Err(ParseError::Malformed {
            line: 1,
            reason: format!(
                "a WebVTT file must start with \"WEBVTT\" (then a space, a tab or a line end), found {}",
                show(sig)
            ),
        });
    }
    let mut cues = Vec::new();
    // Steps 7–10: the signature line; a file that is only that line has no cues.
    if input.lines.len() == 1 {
        return Ok(cues);
    }
    let mut pos = 1;
    if input.past_end(pos) {
        return Ok(cues);
    }
    // Step 11, Header: a block in header mode, or a single line feed.
    if input.lines[pos].is_empty() {
        pos += 1;
    } else {
        pos = collect_block(&input, pos, true, &mut |_| {});
    }
    pos = input.skip_line_feeds(pos);
    // Block loop.
    while !input.past_end(pos) {
        pos = collect_block(&input, pos, false, &mut |mut cue: RawCue| {
            cue.line = line_no(cue.line);
            cues.push(cue);
        });
        pos = input.skip_line_feeds(pos);
    }
    Ok(cues)
}

/// The spec's "collect a WebVTT block" from the start of line `start`. Hands a cue (with
/// `line` holding the 0-based index of its first line) to `emit`, and returns the new position.
fn collect_block(
    input: &Input<'_>,
    start: usize,
    in_header: bool,
    emit: &mut dyn FnMut(RawCue),
) -> usize {
    let lines = input.lines;
    let n = lines.len();
    let mut pos = start;
    let mut line_count = 0usize;
    let mut previous = pos;
    let mut buffer = String::new();
    let mut seen_arrow = false;
    let mut cue: Option<RawCue> = None;
    loop {
        if pos >= n {
            break; // cannot happen when called as the spec calls it; keeps indexing safe
        }
        let line = lines[pos];
        line_count += 1;
        let seen_eof = pos + 1 == n;
        pos += 1;
        if line.contains("-->") {
            if !in_header && (line_count == 1 || (line_count == 2 && !seen_arrow)) {
                seen_arrow = true;
                previous = pos;
                let timing_index = pos - 1;
                cue = cue_timings(line).map(|(start_time, end_time)| {
                    let id = std::mem::take(&mut buffer);
                    RawCue {
                        line: if id.is_empty() {
                            timing_index
                        } else {
                            timing_index - 1
                        },
                        id,
                        start: start_time,
                        end: end_time,
                        payload: String::new(),
                    }
                });
            } else {
                pos = previous;
                break;
            }
        } else if line.is_empty() {
            break;
        } else {
            // STYLE and REGION blocks only matter for rendering; their content is dropped
            // with the block because it never becomes a cue.
            if !buffer.is_empty() {
                buffer.push('\n');
            }
            buffer.push_str(line);
            previous = pos;
        }
        if seen_eof {
            break;
        }
    }
    if let Some(mut cue) = cue {
        cue.payload = buffer;
        emit(cue);
    }
    pos
}

/// ASCII whitespace as the spec's "skip whitespace" means it: space, tab, LF, FF, CR — not
/// vertical tab.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

/// The spec's "collect WebVTT cue timings and settings", keeping only the times: settings
/// after the end time are ignored.
fn cue_timings(line: &str) -> Option<(f64, f64)> {
    let b = line.as_bytes();
    let mut pos = 0;
    while pos < b.len() && is_ws(b[pos]) {
        pos += 1;
    }
    let start = timestamp(b, &mut pos)?;
    while pos < b.len() && is_ws(b[pos]) {
        pos += 1;
    }
    if !b[pos..].starts_with(b"-->") {
        return None;
    }
    pos += 3;
    while pos < b.len() && is_ws(b[pos]) {
        pos += 1;
    }
    let end = timestamp(b, &mut pos)?;
    Some((start, end))
}

/// The spec's "collect a WebVTT timestamp": `[h…h:]mm:ss.ttt`, where the first field is
/// hours when it is not exactly two digits or is above 59.
fn timestamp(b: &[u8], pos: &mut usize) -> Option<f64> {
    let take_digits = |pos: &mut usize| {
        let (value, count) = crate::text::digits(&b[*pos..]);
        *pos += count;
        (value, count)
    };
    if !b.get(*pos).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (mut v1, n1) = take_digits(pos);
    let hours = n1 != 2 || v1 > 59;
    if b.get(*pos) != Some(&b':') {
        return None;
    }
    *pos += 1;
    let (mut v2, n2) = take_digits(pos);
    if n2 != 2 {
        return None;
    }
    let v3;
    if hours || b.get(*pos) == Some(&b':') {
        if b.get(*pos) != Some(&b':') {
            return None;
        }
        *pos += 1;
        let (v, n3) = take_digits(pos);
        if n3 != 2 {
            return None;
        }
        v3 = v;
    } else {
        v3 = v2;
        v2 = v1;
        v1 = 0;
    }
    if b.get(*pos) != Some(&b'.') {
        return None;
    }
    *pos += 1;
    let (v4, n4) = take_digits(pos);
    if n4 != 3 || v2 > 59 || v3 > 59 {
        return None;
    }
    Some(v1 as f64 * 3600.0 + v2 as f64 * 60.0 + v3 as f64 + v4 as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(src: &str) -> Vec<Utterance> {
        parse(src.as_bytes()).unwrap()
    }

    #[test]
    fn timestamps() {
        let cases = [
            ("00:00.000", Some(0.0)),
            ("00:01.500", Some(1.5)),
            ("01:02:03.004", Some(3723.004)),
            ("0:00:00.000", Some(0.0)),
            ("000:00:01.000", Some(1.0)),
            ("60:00.000", None),
            ("100:00:00.000", Some(360000.0)),
            ("00:60:00.000", None),
            ("00:00:60.000", None),
            ("00:00.00", None),
            ("00:00.0000", None),
            ("0:00.000", None),
            ("00:0:00.000", None),
            ("00:00:00", None),
            ("\u{b}00:00.000", None),
            (
                "99999999999999999999999:00:00.000",
                Some(u64::MAX as f64 * 3600.0),
            ),
        ];
        for (input, want) in cases {
            let mut pos = 0;
            let got = timestamp(input.as_bytes(), &mut pos);
            assert_eq!(got, want, "input {input:?}");
        }
    }

    #[test]
    fn timing_lines() {
        let cases = [
            ("00:00.000 --> 00:01.000", Some((0.0, 1.0))),
            ("00:00.000-->00:01.000", Some((0.0, 1.0))),
            (
                " \t\x0C00:00.000 \t\x0C-->\x0C\t 00:01.000 align:end",
                Some((0.0, 1.0)),
            ),
            ("00:00.000 --> 00:01.000\u{FFFD}align:end", Some((0.0, 1.0))),
            ("\x0B00:00.000 --> 00:01.000", None),
            ("00:00.000 \x0B--> 00:01.000", None),
            ("00:00.000 -> 00:01.000", None),
            ("00:00.000 -->", None),
            ("-->", None),
        ];
        for (input, want) in cases {
            assert_eq!(cue_timings(input), want, "input {input:?}");
        }
    }

    #[test]
    fn teams_voice_tags_and_references() {
        let src = "WEBVTT\r\n\r\n\
            235fa3b4-b3ce-bc45-ecc9-db16e457174e/11-0\r\n\
            00:00:03.000 --> 00:00:06.030\r\n\
            <v B&#233;n Ortiz>Hi Laura, thanks for making the time today.</v>\r\n\r\n\
            e0f17043-29c8-316b-6a9f-617178e04480/17-0\r\n\
            00:00:20.000 --> 00:00:22.100\r\n\
            <v Laura Finch>Our next step internally is a budget review in</v>\r\n\r\n\
            e0f17043-29c8-316b-6a9f-617178e04480/17-1\r\n\
            00:00:22.730 --> 00:00:24.810\r\n\
            <v Laura Finch>the spring.</v>\r\n";
        let got = cues(src);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].speaker.as_deref(), Some("Bén Ortiz"));
        assert_eq!(
            got[0].id.as_deref(),
            Some("235fa3b4-b3ce-bc45-ecc9-db16e457174e/11-0")
        );
        assert_eq!(got[0].line, 3);
        assert_eq!(got[0].start, Some(3.0));
        assert_eq!(got[0].end, Some(6.03));
        assert_eq!(got[2].line, 11);
        assert_eq!(got[2].text, "the spring.");
    }

    #[test]
    fn payload_shapes() {
        // (payload, speaker, text)
        let cases = [
            (
                "<v Mart&#237;n Mar&#xED;a>Hola</v>",
                Some("Martín María"),
                "Hola",
            ),
            ("<v Ann>no closing tag", Some("Ann"), "no closing tag"),
            ("<v.loud Ann>with class</v>", Some("Ann"), "with class"),
            ("<v Ann>two\nlines</v>", Some("Ann"), "two lines"),
            (
                "<v Ann><i>styled</i> &amp; <c.x>classed</c></v>",
                Some("Ann"),
                "styled & classed",
            ),
            (
                "Andrew Knight: Okay, so we're recording.",
                Some("Andrew Knight"),
                "Okay, so we're recording.",
            ),
            (
                "Andrew Knight: multi\nline",
                Some("Andrew Knight"),
                "multi line",
            ),
            ("And that", None, "And that"),
            (
                "up: what systems do you need connected?",
                None,
                "up: what systems do you need connected?",
            ),
            ("Note this. Really: yes", None, "Note this. Really: yes"),
            ("at 10: we start", None, "at 10: we start"),
            ("<i>Ann: hi</i>", Some("Ann"), "hi"),
            ("", None, ""),
        ];
        for (payload, speaker, text) in cases {
            let src = format!("WEBVTT\n\n00:01.000 --> 00:02.000\n{payload}\n");
            let got = cues(&src);
            assert_eq!(got.len(), 1, "payload {payload:?}");
            assert_eq!(got[0].speaker.as_deref(), speaker, "payload {payload:?}");
            assert_eq!(got[0].text, text, "payload {payload:?}");
        }
    }

    #[test]
    fn lowercase_prefix_counts_when_repeated() {
        let src = "WEBVTT\n\n1\n00:01.000 --> 00:02.000\nbob: hi\n\n2\n00:02.000 --> 00:03.000\nbob: again\n\n\
                   3\n00:03.000 --> 00:04.000\nup: one-off\n";
        let got = cues(src);
        let speakers: Vec<_> = got.iter().map(|u| u.speaker.as_deref()).collect();
        assert_eq!(speakers, [Some("bob"), Some("bob"), None]);
        assert_eq!(got[2].text, "up: one-off");
    }

    #[test]
    fn structure() {
        // (source, expected (id, text, line) per cue)
        type Case = (
            &'static str,
            &'static [(Option<&'static str>, &'static str, usize)],
        );
        let cases: &[Case] = &[
            ("WEBVTT", &[]),
            ("WEBVTT\n", &[]),
            (
                "WEBVTT header text\n\n00:01.000 --> 00:02.000\na\n",
                &[(None, "a", 3)],
            ),
            (
                "WEBVTT\nKind: captions\nLanguage: en\n\n\n\n00:01.000 --> 00:02.000\na",
                &[(None, "a", 7)],
            ),
            (
                "\u{FEFF}WEBVTT\n\n00:01.000 --> 00:02.000\na\n",
                &[(None, "a", 3)],
            ),
            (
                "WEBVTT\r\rid\r00:01.000 --> 00:02.000\ra\rb\r",
                &[(Some("id"), "a b", 3)],
            ),
            (
                "WEBVTT\n\nNOTE a comment\nover lines\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r\n\n00:01.000 --> 00:02.000\na\n",
                &[(None, "a", 12)],
            ),
            (
                "WEBVTT\n\ngarbage\nmore garbage\n\n00:01.000 --> 00:02.000\na\n",
                &[(None, "a", 6)],
            ),
            (
                "WEBVTT\n\n00:01.000 --> 00:02.000\na\n00:03.000 --> 00:04.000\nb\n",
                &[(None, "a", 3), (None, "b", 5)],
            ),
            ("WEBVTT\n\n00:01.000 --> 00:02.000\n\n\n", &[(None, "", 3)]),
            (
                "\n\n  \nWEBVTT\n\n00:01.000 --> 00:02.000\na",
                &[(None, "a", 6)],
            ),
            ("WEBVTT\n00:01.000 --> 00:02.000\na", &[(None, "a", 2)]),
        ];
        for (src, want) in cases {
            let got = cues(src);
            let got: Vec<_> = got
                .iter()
                .map(|u| (u.id.as_deref(), u.text.as_str(), u.line))
                .collect();
            assert_eq!(&got, want, "source {src:?}");
        }
    }

    #[test]
    fn bad_signatures() {
        for src in [
            "",
            "WEBVT",
            "WEBVTTX",
            "webvtt\n",
            "1\n00:00:01,000 --> 00:00:02,000\nhi",
            "WEBVTT\0",
        ] {
            match parse(src.as_bytes()) {
                Err(ParseError::Malformed { line: 1, reason }) => {
                    assert!(reason.contains("WEBVTT"), "{reason}")
                }
                other => panic!("{src:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn invalid_utf8_and_nul_become_replacement_characters() {
        let got = parse(b"WEBVTT\n\n\xff id\n00:01.000 --> 00:02.000\n<v A\xc3>x\0y\n").unwrap();
        assert_eq!(got[0].id.as_deref(), Some("\u{FFFD} id"));
        assert_eq!(got[0].speaker.as_deref(), Some("A\u{FFFD}"));
        assert_eq!(got[0].text, "x\u{FFFD}y");
    }
}
