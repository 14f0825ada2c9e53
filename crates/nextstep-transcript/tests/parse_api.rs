//! The public API end to end: detection, every format through `parse`, errors with their
//! lines, and `turns()` on what real exporters write.

use nextstep_transcript::{Format, ParseError, Transcript, detect, parse};

fn ok(src: &str, format: Option<Format>) -> Transcript {
    parse(src.as_bytes(), format).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

/// (speaker, text) of each turn.
fn turns(t: &Transcript) -> Vec<(Option<String>, String)> {
    t.turns().into_iter().map(|u| (u.speaker, u.text)).collect()
}

fn said(rows: &[(Option<&str>, &str)]) -> Vec<(Option<String>, String)> {
    rows.iter()
        .map(|(s, t)| (s.map(str::to_string), t.to_string()))
        .collect()
}

#[test]
fn format_names() {
    let cases = [
        ("webvtt", Some(Format::WebVtt)),
        ("VTT", Some(Format::WebVtt)),
        ("WebVTT", Some(Format::WebVtt)),
        ("srt", Some(Format::Srt)),
        ("SRT", Some(Format::Srt)),
        ("plain", Some(Format::Plain)),
        ("txt", Some(Format::Plain)),
        ("Text", Some(Format::Plain)),
        ("otter", Some(Format::Otter)),
        ("json", Some(Format::Json)),
        ("JSON", Some(Format::Json)),
        ("meet", Some(Format::Meet)),
        ("Google-Meet", Some(Format::Meet)),
        ("docx", Some(Format::Docx)),
        ("yaml", None),
        ("", None),
    ];
    for (name, want) in cases {
        assert_eq!(Format::from_name(name), want, "name {name:?}");
    }
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.as_str()), Some(f));
        assert_eq!(f.to_string(), f.as_str());
        assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
    }
    let names: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(
        names,
        ["webvtt", "srt", "plain", "otter", "json", "meet", "docx"]
    );
}

#[test]
fn detection_picks_the_reader() {
    let cases: &[(&str, Format)] = &[
        (
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAnn: hi\n",
            Format::WebVtt,
        ),
        (
            "\u{FEFF}WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Ann>hi</v>\r\n",
            Format::WebVtt,
        ),
        (
            "1\r\n00:00:01,000 --> 00:00:02,000\r\nAnn: hi\r\n",
            Format::Srt,
        ),
        ("Ann Lee  0:03\nHi.\n\nBob  0:05\nHello.\n", Format::Otter),
        ("Ann Lee: Hi.\nBob: Hello.\n", Format::Plain),
        (
            "[00:00:03] Ann Lee: Hi.\n[00:00:05] Bob: Hello.\n",
            Format::Plain,
        ),
        ("[{\"speaker\": \"Ann\", \"text\": \"Hi.\"}]", Format::Json),
        (
            "Call - Transcript\nAttendees\nAnn Lee, Bob\nTranscript\n00:00:00\nAnn Lee: Hi.\nBob: Hello.\n",
            Format::Meet,
        ),
        (
            "00:00:00\nSpeaker 1: Hi.\nSpeaker 2: Hello.\n",
            Format::Meet,
        ),
    ];
    for (src, want) in cases {
        assert_eq!(detect(src), Some(*want), "{src:?}");
        assert_eq!(ok(src, None).format, *want, "{src:?}");
    }
}

#[test]
fn same_call_in_every_format() {
    let sources: &[(&str, Format)] = &[
        (
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAnn Lee: Hi Bob.\n\n2\n00:00:03.000 --> 00:00:04.000\nBob Ray: Hello.\n\n3\n00:00:05.000 --> 00:00:06.000\nand welcome.\n",
            Format::WebVtt,
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nAnn Lee: Hi Bob.\n\n2\n00:00:03,000 --> 00:00:04,000\nBob Ray: Hello.\n\n3\n00:00:05,000 --> 00:00:06,000\nand welcome.\n",
            Format::Srt,
        ),
        (
            "[00:00:01] Ann Lee: Hi Bob.\n[00:00:03] Bob Ray: Hello.\n[00:00:05] and welcome.\n",
            Format::Plain,
        ),
        (
            "Ann Lee  0:01\nHi Bob.\n\nBob Ray  0:03\nHello.\n\nand welcome.\n",
            Format::Otter,
        ),
        (
            "[{\"speaker\": \"Ann Lee\", \"start\": 1, \"text\": \"Hi Bob.\"}, {\"speaker\": \"Bob Ray\", \"start\": 3, \"text\": \"Hello.\"}, {\"speaker\": null, \"start\": 5, \"text\": \"and welcome.\"}]",
            Format::Json,
        ),
    ];
    for (src, format) in sources {
        let t = ok(src, None);
        assert_eq!(t.format, *format);
        assert_eq!(t.utterances.len(), 3, "{format}");
        assert_eq!(t.utterances[2].speaker, None, "{format}");
        assert_eq!(t.speakers(), ["Ann Lee", "Bob Ray"], "{format}");
        assert_eq!(
            turns(&t),
            said(&[
                (Some("Ann Lee"), "Hi Bob."),
                (Some("Bob Ray"), "Hello. and welcome.")
            ]),
            "{format}"
        );
        assert_eq!(t.turns()[1].start, Some(3.0), "{format}");
        // CRLF, lone CR and a BOM change nothing but the bytes.
        for variant in [
            src.replace('\n', "\r\n"),
            src.replace('\n', "\r"),
            format!("\u{FEFF}{src}"),
        ] {
            let v = ok(&variant, None);
            assert_eq!(v.format, *format, "{variant:?}");
            assert_eq!(v.utterances, t.utterances, "{variant:?}");
        }
    }
}

#[test]
fn teams_export() {
    let src = "WEBVTT\r\n\r\n\
        03ac3d3c-3be9-dcd1-d9dc-9febd1a1e426/11-0\r\n00:00:03.000 --> 00:00:06.030\r\n\
        <v Mart&#237;n Ortiz>Give me a quote for the enterprise tier by</v>\r\n\r\n\
        03ac3d3c-3be9-dcd1-d9dc-9febd1a1e426/11-1\r\n00:00:06.500 --> 00:00:08.000\r\n\
        <v Mart&#237;n Ortiz>Friday and I'll decide next week.</v>\r\n\r\n\
        8b963372-6366-dacc-e9d9-118ebaaef975/12-0\r\n00:00:08.640 --> 00:00:10.150\r\n\
        <v Cara Hill>Will do.\r\n\r\n\
        9b963372-6366-dacc-e9d9-118ebaaef975/13-0\r\n00:00:10.640 --> 00:00:11.150\r\n\
        <v Cara Hill>Anything else?</v>\r\n";
    let t = ok(src, None);
    assert_eq!(t.utterances.len(), 4);
    assert_eq!(t.utterances[2].line, 11);
    assert_eq!(t.speakers(), ["Martín Ortiz", "Cara Hill"]);
    let turns = t.turns();
    assert_eq!(turns.len(), 3);
    assert_eq!(
        turns[0].text,
        "Give me a quote for the enterprise tier by Friday and I'll decide next week."
    );
    assert_eq!((turns[0].start, turns[0].end), (Some(3.0), Some(8.0)));
    assert_eq!(
        turns[0].id.as_deref(),
        Some("03ac3d3c-3be9-dcd1-d9dc-9febd1a1e426/11-0")
    );
    assert_eq!(turns[1].text, "Will do.");
    assert_eq!(turns[2].text, "Anything else?");
}

#[test]
fn zoom_continuations() {
    let src = "WEBVTT\n\n10\n00:00:28.000 --> 00:00:31.000\nOscar Lind: Which of your tools would you like us to hook\n\n\
        11\n00:00:31.960 --> 00:00:34.990\nup: what systems do you need connected?\n\n\
        12\n00:00:35.600 --> 00:00:37.110\nFaye Wong: Just the CRM.\n\n\
        13\n00:00:38.000 --> 00:00:39.000\nAnd the billing system.\n";
    let t = ok(src, None);
    let speakers: Vec<_> = t.utterances.iter().map(|u| u.speaker.as_deref()).collect();
    assert_eq!(
        speakers,
        [Some("Oscar Lind"), None, Some("Faye Wong"), None]
    );
    assert_eq!(
        t.utterances[1].text,
        "up: what systems do you need connected?"
    );
    assert_eq!(
        turns(&t),
        said(&[
            (
                Some("Oscar Lind"),
                "Which of your tools would you like us to hook up: what systems do you need connected?"
            ),
            (Some("Faye Wong"), "Just the CRM. And the billing system."),
        ])
    );
}

#[test]
fn empty_cues_are_kept_by_parse_and_dropped_by_turns() {
    let src = "WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:02.000 --> 00:03.000\n<v Ann></v>\n\n00:03.000 --> 00:04.000\n<v Ann>hi</v>\n";
    let t = ok(src, None);
    assert_eq!(t.utterances.len(), 3);
    assert_eq!(turns(&t), said(&[(Some("Ann"), "hi")]));
}

#[test]
fn errors_name_the_line() {
    let cases: &[(&[u8], Option<Format>, ParseError)] = &[
        (b"", None, unknown(1, "the file is empty")),
        (
            b"\xEF\xBB\xBF \r\n\t\n",
            None,
            unknown(1, "the file is empty"),
        ),
        (b"\n\nhello world\nnothing here\n", None, unknown(3, "")),
        (b"Ann: hi\nBob: yo \xff\n", None, malformed(2, "UTF-8")),
        (
            b"Ann: hi\r\nBob: yo\r\n\xc3\x28",
            Some(Format::Plain),
            malformed(3, "UTF-8"),
        ),
        (
            b"1\n00:00:01,000 --> 00:00:02,000\nhi\xfe\n",
            None,
            malformed(3, "UTF-8"),
        ),
        (
            b"Ann  0:01\nhi\n\nBob  0:02\n\x80\n",
            None,
            malformed(5, "UTF-8"),
        ),
        (
            b"[{\"text\": \"\xff\"}]",
            Some(Format::Json),
            malformed(1, "UTF-8"),
        ),
        (b"hello", Some(Format::WebVtt), malformed(1, "WEBVTT")),
        (
            b"1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:03.000 -> 00:00:04.000\nyo\n",
            None,
            malformed(
                6,
                "expected a timing line like 00:00:01,000 --> 00:00:02,000, found \"00:00:03.000 -> 00:00:04.000\"",
            ),
        ),
        (
            b"[\n  {\"text\": \"a\"},\n  {\"text\": \"b\",\n   \"end\": \"soon\"}\n]",
            None,
            malformed(
                4,
                "utterance 2: \"end\" must be a number of seconds, found \"soon\"",
            ),
        ),
        (
            b"{\"utterances\": [\n{\"text\": \"a\"\n]}",
            Some(Format::Json),
            malformed(3, "invalid JSON"),
        ),
    ];
    for (bytes, format, want) in cases {
        let got = parse(bytes, *format).expect_err("must fail");
        let same = match (&got, want) {
            (
                ParseError::UnknownFormat { line, reason },
                ParseError::UnknownFormat { line: l, reason: r },
            )
            | (
                ParseError::Malformed { line, reason },
                ParseError::Malformed { line: l, reason: r },
            ) => line == l && reason.contains(r.as_str()),
            _ => false,
        };
        assert!(
            same,
            "{:?}: got {got:?}, want {want:?}",
            String::from_utf8_lossy(bytes)
        );
        // Messages always start with the line, for the CLI to print as is.
        assert!(got.to_string().starts_with("line "), "{got}");
    }
}

#[test]
fn invalid_utf8_in_webvtt_is_replaced() {
    let t = parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\nAnn: caf\xe9\n", None).unwrap();
    assert_eq!(t.utterances[0].speaker.as_deref(), Some("Ann"));
    assert_eq!(t.utterances[0].text, "caf\u{FFFD}");
}

#[test]
fn parse_output_reads_back_as_json() {
    let src = "WEBVTT\n\nabc/1-0\n00:01.000 --> 00:02.500\n<v Ann>hi &amp; bye</v>\n\n00:03.000 --> 00:04.000\nso\n";
    let t = ok(src, None);
    let json = serde_json::to_string_pretty(&t).unwrap();
    assert!(json.contains("\"format\": \"webvtt\""), "{json}");
    let back = ok(&json, None);
    assert_eq!(back.format, Format::Json);
    let strip = |t: &Transcript| -> Vec<_> {
        t.utterances
            .iter()
            .map(|u| {
                (
                    u.id.clone(),
                    u.start,
                    u.end,
                    u.speaker.clone(),
                    u.text.clone(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&back), strip(&t));
}

fn unknown(line: usize, reason: &str) -> ParseError {
    ParseError::UnknownFormat {
        line,
        reason: reason.to_string(),
    }
}

fn malformed(line: usize, reason: &str) -> ParseError {
    ParseError::Malformed {
        line,
        reason: reason.to_string(),
    }
}
