//! A real Zoom transcript (see `fixtures/zoom/LICENSE.md`): 300 `N / timing / Name: text`
//! cues with CRLF line ends, five speakers and two cues without a speaker prefix.

use nextstep_transcript::{Format, parse};

const MEETING: &[u8] = include_bytes!("fixtures/zoom/meeting003_transcript.vtt");

#[test]
fn parse_keeps_every_cue() {
    let t = parse(MEETING, None).unwrap();
    assert_eq!(t.format, Format::WebVtt);
    assert_eq!(t.utterances.len(), 300);
    assert_eq!(
        t.speakers(),
        [
            "Andrew Knight",
            "Paul McCartney",
            "George Harrison",
            "Ringo Starr",
            "John Lennon"
        ]
    );
    let first = &t.utterances[0];
    assert_eq!(first.id.as_deref(), Some("1"));
    assert_eq!(first.line, 3);
    assert_eq!((first.start, first.end), (Some(4.859), Some(7.41)));
    assert_eq!(first.speaker.as_deref(), Some("Andrew Knight"));
    assert_eq!(first.text, "Okay, so we're recording. We're streaming");
    let last = t.utterances.last().unwrap();
    assert_eq!(last.id.as_deref(), Some("300"));
    for (i, u) in t.utterances.iter().enumerate() {
        assert_eq!(u.id.as_deref(), Some((i + 1).to_string().as_str()));
        assert!(!u.text.is_empty(), "{u:?}");
    }
}

#[test]
fn prefixless_cues_continue_the_previous_speaker() {
    let t = parse(MEETING, None).unwrap();
    let unnamed: Vec<_> = t
        .utterances
        .iter()
        .filter(|u| u.speaker.is_none())
        .map(|u| (u.id.as_deref(), u.text.as_str(), u.line))
        .collect();
    assert_eq!(
        unnamed,
        [
            (Some("34"), "And that", 135),
            (Some("38"), "Yes. Okay.", 151)
        ]
    );

    let turns = t.turns();
    assert_eq!(turns.len(), 298);
    assert!(turns.iter().all(|u| u.speaker.is_some()));
    let merged = turns
        .iter()
        .find(|u| u.id.as_deref() == Some("33"))
        .unwrap();
    assert_eq!(merged.speaker.as_deref(), Some("Andrew Knight"));
    assert!(
        merged
            .text
            .ends_with("just so that it's always there for you. Thanks. And that")
    );
    assert_eq!((merged.start, merged.end), (Some(142.44), Some(150.42)));
    let merged = turns
        .iter()
        .find(|u| u.id.as_deref() == Some("37"))
        .unwrap();
    assert_eq!(merged.text, "So were you the 917 Yes. Okay.");
    assert!(
        !turns
            .iter()
            .any(|u| matches!(u.id.as_deref(), Some("34" | "38")))
    );
}
