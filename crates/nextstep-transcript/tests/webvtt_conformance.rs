//! The W3C web-platform-tests WebVTT parsing vectors (see `fixtures/webvtt-wpt/README.md`),
//! checked the way the project's `webvtt_conformance.py` harness checks `nextstep parse`:
//! cue count, ids, trimmed text and start/end times.

use nextstep_transcript::{Format, Utterance, parse};

/// Expectations for one vector, mirroring the Python harness's `EXPECT` table.
struct Expect {
    name: &'static str,
    source: &'static str,
    count: usize,
    ids: &'static [&'static str],
    ids_at: &'static [(usize, &'static str)],
    texts: &'static [&'static str],
    times: &'static [(f64, f64)],
}

const T2: &[&str] = &["text1", "text2"];
const T3: &[&str] = &["text1", "text2", "text3"];
const T4: &[&str] = &["text1", "text2", "text3", "text4"];

const VECTORS: &[Expect] = &[
    Expect {
        name: "arrows",
        source: include_str!("fixtures/webvtt-wpt/arrows.test"),
        count: 6,
        ids: &[],
        ids_at: &[],
        texts: &["text1", "text2", "text3", "text4", "text5", "text6"],
        times: &[],
    },
    Expect {
        name: "ids",
        source: include_str!("fixtures/webvtt-wpt/ids.test"),
        count: 5,
        ids: &[" leading space", "trailing space ", "-- >", "->", " "],
        ids_at: &[],
        texts: &[],
        times: &[],
    },
    Expect {
        name: "nulls",
        source: include_str!("fixtures/webvtt-wpt/nulls.test"),
        count: 7,
        ids: &[],
        ids_at: &[
            (1, "\u{FFFD} (null in id)"),
            (2, "\u{FFFD} (null in cue data)"),
        ],
        texts: &[
            "text1",
            "text2",
            "\u{FFFD}text\u{FFFD}3",
            "text4",
            "text5",
            "text6",
            "text7",
        ],
        times: &[],
    },
    Expect {
        name: "signature-no-newline",
        source: include_str!("fixtures/webvtt-wpt/signature-no-newline.test"),
        count: 0,
        ids: &[],
        ids_at: &[],
        texts: &[],
        times: &[],
    },
    Expect {
        name: "timings-negative",
        source: include_str!("fixtures/webvtt-wpt/timings-negative.test"),
        count: 4,
        ids: &[],
        ids_at: &[],
        texts: T4,
        times: &[(0.0, 0.0), (1.0, 0.999), (60.0, 59.999), (3600.0, 3599.999)],
    },
    Expect {
        name: "timings-omitted-hours",
        source: include_str!("fixtures/webvtt-wpt/timings-omitted-hours.test"),
        count: 3,
        ids: &[],
        ids_at: &[],
        texts: T3,
        times: &[(0.0, 1.0), (0.0, 1.0), (0.0, 1.0)],
    },
    Expect {
        name: "timings-too-long",
        source: include_str!("fixtures/webvtt-wpt/timings-too-long.test"),
        count: 2,
        ids: &[],
        ids_at: &[],
        texts: T2,
        times: &[(0.0, 1.0), (0.0, 1.0)],
    },
    Expect {
        name: "timings-too-short",
        source: include_str!("fixtures/webvtt-wpt/timings-too-short.test"),
        count: 2,
        ids: &[],
        ids_at: &[],
        texts: T2,
        times: &[(0.0, 1.0), (0.0, 1.0)],
    },
    Expect {
        name: "whitespace-chars",
        source: include_str!("fixtures/webvtt-wpt/whitespace-chars.test"),
        count: 3,
        ids: &["spaces", "tabs", "form feed"],
        ids_at: &[],
        texts: T3,
        times: &[],
    },
];

/// The WebVTT body of a `.test` file, decoded like the harness does: the text after the
/// `===` line, with backslash-newline joins removed and the escapes replaced.
fn body(test_file: &str) -> String {
    let (_, raw) = test_file
        .split_once("\n===\n")
        .expect("a .test file has a === line");
    let raw = raw.replace("\\\n", "");
    const ESCAPES: [(&str, &str); 8] = [
        ("\\x20", " "),
        ("\\r", "\r"),
        ("\\n", "\n"),
        ("\\t", "\t"),
        ("\\f", "\x0C"),
        ("\\v", "\x0B"),
        ("\\0", "\0"),
        ("\\uFFFD", "\u{FFFD}"),
    ];
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw.as_str();
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match ESCAPES.iter().find(|(esc, _)| rest.starts_with(esc)) {
            Some((esc, ch)) => {
                out.push_str(ch);
                rest = &rest[esc.len()..];
            }
            None => {
                out.push('\\');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn check(v: &Expect, cues: &[Utterance]) -> Vec<String> {
    let mut errs = Vec::new();
    if cues.len() != v.count {
        return vec![format!(
            "expected {} cues, got {}: {cues:#?}",
            v.count,
            cues.len()
        )];
    }
    let ids = v
        .ids
        .iter()
        .copied()
        .enumerate()
        .chain(v.ids_at.iter().copied());
    for (i, id) in ids {
        if cues[i].id.as_deref() != Some(id) {
            errs.push(format!("cue {i} id {:?} != {id:?}", cues[i].id));
        }
    }
    for (i, text) in v.texts.iter().enumerate() {
        if cues[i].text.trim() != *text {
            errs.push(format!("cue {i} text {:?} != {text:?}", cues[i].text));
        }
    }
    for (i, &(start, end)) in v.times.iter().enumerate() {
        let ok = |got: Option<f64>, want: f64| got.is_some_and(|g| (g - want).abs() <= 1e-6);
        if !ok(cues[i].start, start) || !ok(cues[i].end, end) {
            errs.push(format!(
                "cue {i} times {:?},{:?} != {start},{end}",
                cues[i].start, cues[i].end
            ));
        }
    }
    errs
}

#[test]
fn w3c_webvtt_vectors() {
    let mut failures = Vec::new();
    for v in VECTORS {
        let bytes = body(v.source).into_bytes();
        for format in [None, Some(Format::WebVtt)] {
            match parse(&bytes, format) {
                Ok(t) => {
                    assert_eq!(t.format, Format::WebVtt, "{}", v.name);
                    let errs = check(v, &t.utterances);
                    if !errs.is_empty() {
                        failures.push(format!("{} ({format:?}): {}", v.name, errs.join("; ")));
                    }
                    let _ = t.turns();
                }
                Err(e) => failures.push(format!("{} ({format:?}): {e}", v.name)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn vector_bodies_decode_like_the_harness() {
    let nulls = body(VECTORS[2].source);
    assert!(nulls.starts_with("WEBVTT\n\0\n(null in previous line"));
    assert!(nulls.contains("\n\u{FFFD}text\u{0}3\n"));
    assert!(nulls.contains("\n\u{0}00:00:00.000 --> 00:00:01.000\n"));
    assert_eq!(body(VECTORS[3].source), "WEBVTT");
    let ws = body(VECTORS[8].source);
    assert!(ws.contains("\nspaces\n   00:00:00.000    -->  00:00:01.000 \n   text1\n"));
    assert!(ws.contains("\x0B\x0B\x0B00:00:00.000"));
}
