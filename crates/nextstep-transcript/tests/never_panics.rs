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
