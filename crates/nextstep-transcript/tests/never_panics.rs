//! Property tests: no input makes the readers panic, whatever format is forced, and
//! `turns()`/`speakers()` cope with whatever `parse` returns.

use nextstep_transcript::{Format, detect, parse};
use proptest::prelude::*;

fn exercise(bytes: &[u8]) {
    let formats = std::iter::once(None).chain(Format::ALL.map(Some));
    for format in formats {
        if let Ok(t) = parse(bytes, format) {
            if let Some(f) = format {
                assert_eq!(t.format, f);
            }
            let turns = t.turns();
            assert!(turns.len() <= t.utterances.len());
            assert!(turns.iter().all(|u| !u.text.is_empty()));
            let _ = t.speakers();
        }
    }
    let _ = detect(&String::from_utf8_lossy(bytes));
}

/// Pieces of the formats, so random strings reach deep into the parsers.
const FRAGMENTS: &[&str] = &[
    "WEBVTT\n",
    "WEBVTT",
    "WEBVTT ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "\x0C",
    "\x0B",
    "\0",
    "-->",
    " --> ",
    "->",
    "00:00:01.000",
    "00:01.000",
    "0:00:00.000",
    "00:00:01,000",
    "1:02:03",
    "0:03",
    "[00:00:03] ",
    "(00:01) ",
    "1",
    "12",
    "<v ",
    "<v.loud Ann>",
    "</v>",
    "<i>",
    "</i>",
    "<",
    ">",
    "<00:00:01.000>",
    "{\\an8}",
    "&#",
    "&#x",
    "233;",
    "&amp;",
    "&",
    ";",
    ":",
    ": ",
    "Ann",
    "Bob Lee",
    "up",
    "Speaker 1  ",
    "  0:03\n",
    "[",
    "]",
    "{",
    "}",
    "\"",
    ",",
    "\"text\"",
    "\"start\"",
    "\"speaker\"",
    "\"utterances\"",
    "null",
    "1.5",
    "\"abc\"",
    "NOTE",
    "STYLE",
    "REGION",
    "Transcribed by https://otter.ai",
    "\u{FEFF}",
    "é",
    "\u{FFFD}",
    "abc/1-0",
    "abc/1-1",
    "\\",
    "00:05:00\n",
    "Meeting ended after 00:32:10",
    "Attendees\n",
    "0:0:3.450 --> 0:0:7.190\n",
    "Speaker 1: ",
    "SPEAKER_00: ",
    "Priya R.: ",
    "\"sentences\"",
    "\"words\"",
    "\"speaker_name\"",
    "\"start_time\"",
    "\"start_ms\"",
    "\"monologues\"",
    "\"elements\"",
    "PK\u{3}\u{4}",
];

fn formatish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..80).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise(&bytes);
    }

    #[test]
    fn format_fragments_never_panic(text in formatish()) {
        exercise(text.as_bytes());
        let vtt = format!("WEBVTT\n\n{text}");
        exercise(vtt.as_bytes());
        let json = format!("[{{\"text\": \"a\", {text}}}]");
        exercise(json.as_bytes());
    }

    #[test]
    fn docx_paragraphs_never_panic(paragraphs in proptest::collection::vec(formatish(), 0..12)) {
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let doc = nextstep_transcript::docx::build_docx(&refs);
        exercise(&doc);
    }

    #[test]
    fn damaged_docx_never_panics(
        paragraphs in proptest::collection::vec("[A-Za-z :0-9.]{0,30}", 1..6),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let mut doc = nextstep_transcript::docx::build_docx(&refs);
        for (at, byte) in damage {
            let i = at.index(doc.len());
            doc[i] = byte;
        }
        exercise(&doc);
        doc.truncate(cut.index(doc.len() + 1));
        exercise(&doc);
    }

    #[test]
    fn meet_text_never_panics(text in formatish()) {
        let meet = format!("Call - Transcript\nAttendees\nAnn, Bob\nTranscript\n00:00:00\n{text}");
        exercise(meet.as_bytes());
        if let Ok(t) = parse(meet.as_bytes(), Some(Format::Meet)) {
            prop_assert!(t.utterances.iter().all(|u| u.speaker.is_some()));
        }
    }

    #[test]
    fn mapped_json_shapes_never_panic(
        keys in proptest::collection::vec(proptest::sample::select(&[
            "speaker", "speaker_name", "speakerId", "text", "sentences", "words", "elements",
            "start", "start_ms", "end_ts", "type", "value", "data", "transcript",
        ][..]), 1..6),
        values in proptest::collection::vec(proptest::sample::select(&[
            "null", "1", "-3.5", "1e400", "\"a\"", "\"00:01:02\"", "[]", "{}", "[\"x\", 1]",
            "{\"name\": \"Ann\"}", "[{\"word\": \"hi\", \"start\": 1}]",
            "[{\"text\": \"hi\"}]", "{\"type\": \"punct\"}",
        ][..]), 1..6),
        nest in 0usize..4,
    ) {
        let members: Vec<String> = keys
            .iter()
            .zip(values.iter().cycle())
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        let mut doc = format!("[{{{}}}]", members.join(", "));
        for _ in 0..nest {
            doc = format!("{{\"wrap\": {doc}}}");
        }
        exercise(doc.as_bytes());
    }

    #[test]
    fn generated_json_reads_back(rows in proptest::collection::vec(
        (proptest::option::of("[A-Za-z ]{0,12}"), proptest::option::of(0.0f64..1e6), "[^\"\\\\]{0,20}"), 0..20)) {
        let items: Vec<String> = rows
            .iter()
            .map(|(speaker, start, text)| {
                let speaker = serde_json::to_string(speaker).unwrap();
                let start = serde_json::to_string(start).unwrap();
                let text = serde_json::to_string(text).unwrap();
                format!("{{\"speaker\": {speaker}, \"start\": {start}, \"text\": {text}}}")
            })
            .collect();
        let src = format!("[\n{}\n]", items.join(",\n"));
        let t = parse(src.as_bytes(), Some(Format::Json)).unwrap();
        prop_assert_eq!(t.utterances.len(), rows.len());
        for (i, (u, (_, start, _))) in t.utterances.iter().zip(&rows).enumerate() {
            prop_assert_eq!(u.line, i + 2);
            // serde_json's default float parsing may be off in the last bit.
            let close = match (u.start, *start) {
                (Some(a), Some(b)) => (a - b).abs() <= b.abs() * 1e-12,
                (a, b) => a == b,
            };
            prop_assert!(close, "{:?} != {:?}", u.start, start);
        }
    }
}
