//! Other tools' JSON exports mapped onto utterances, when the document is not the
//! `[{speaker, start, end, text}]` shape the fast reader (`json.rs`) takes.
//!
//! The mapping (also in the README):
//!
//! - **Where the turns are**: the first array, searched depth-first through objects in
//!   key order (up to [`MAX_DEPTH`] levels), whose elements are objects with a speaker
//!   key, or with a text key or a nested list of sentences or words — under any key
//!   (`utterances`, `segments`, `transcript`, `sentences`, `monologues`, `data`…).
//! - **Speaker**: `speaker`, `speaker_name`, `speakerName`, `name`, `speaker_label`,
//!   `participant`, `user`, `author`, `speakerId`, `speaker_id`; a number is `Speaker N`,
//!   an object gives its `name`, `display_name`, `displayName` or `label`.
//! - **Text**: `text`, `transcript`, `sentence`, `content`, `utterance`, `value`; or a
//!   nested list under `sentences`, `segments`, `utterances`, `elements`, `words`,
//!   `items`, `transcript`: sentences (objects with text) become one utterance each under
//!   the turn's speaker, words (objects with `word`/`text`/`value`, or strings) are
//!   joined into the turn's text.
//! - **Times** in seconds: `start`, `start_time`, `startTime`, `begin`, `from`, `ts`,
//!   `offset`, `start_seconds`; `end`, `end_time`, `endTime`, `to`, `end_ts`,
//!   `end_seconds`; in milliseconds: `start_ms`, `startMs`, `start_time_ms`,
//!   `startTimeMs`, `end_ms`, `endMs`, `end_time_ms`, `endTimeMs`. Numbers or clock
//!   strings (`00:01:02.5`). When every time in a file is a whole number and the largest
//!   exceeds ten hours of seconds, the file counts in milliseconds.

use serde_json::{Map, Value};

use crate::model::{ParseError, Utterance};
use crate::text::parse_clock;

/// How deep the search for the turns goes.
pub(crate) const MAX_DEPTH: usize = 6;

const SPEAKER_KEYS: [&str; 11] = [
    "speaker",
    "speaker_name",
    "speakerName",
    "name",
    "speaker_label",
    "participant",
    "user",
    "author",
    "speakerId",
    "speaker_id",
    "speaker_tag",
];
const TEXT_KEYS: [&str; 6] = [
    "text",
    "transcript",
    "sentence",
    "content",
    "utterance",
    "value",
];
const NESTED_KEYS: [&str; 7] = [
    "sentences",
    "segments",
    "utterances",
    "elements",
    "words",
    "items",
    "transcript",
];
const WORD_KEYS: [&str; 4] = ["word", "text", "value", "punctuated_word"];
const START_KEYS: [&str; 8] = [
    "start",
    "start_time",
    "startTime",
    "begin",
    "from",
    "ts",
    "offset",
    "start_seconds",
];
const END_KEYS: [&str; 6] = ["end", "end_time", "endTime", "to", "end_ts", "end_seconds"];
const START_MS_KEYS: [&str; 4] = ["start_ms", "startMs", "start_time_ms", "startTimeMs"];
const END_MS_KEYS: [&str; 4] = ["end_ms", "endMs", "end_time_ms", "endTimeMs"];

/// Ten hours in seconds: a time past it, in a file of whole numbers, means milliseconds.
const MS_THRESHOLD: f64 = 36_000.0;

/// Maps `text` (valid or not) onto utterances: `None` when it is not JSON or holds no
/// array that looks like turns, so the caller reports its own error.
pub(crate) fn parse(text: &str) -> Option<Result<Vec<Utterance>, ParseError>> {
    let doc: Value = serde_json::from_str(text).ok()?;
    let turns = find_turns(&doc, 0)?;
    let mut out = Vec::new();
    for (i, turn) in turns.iter().enumerate() {
        let Some(obj) = turn.as_object() else {
            return Some(Err(ParseError::Malformed {
                line: 1,
                reason: format!("turn {}: must be an object", i + 1),
            }));
        };
        let speaker = speaker_of(obj);
        let before = out.len();
        turn_utterances(obj, speaker.as_deref(), &mut out);
        if out.len() == before && !obj.is_empty() && text_of(obj).is_none() {
            // A turn with nothing said is skipped, like an empty cue.
            continue;
        }
    }
    if out.is_empty() {
        return Some(Err(ParseError::Malformed {
            line: 1,
            reason: "found a list of turns, but none of them holds any text".into(),
        }));
    }
    to_milliseconds_if_needed(&mut out);
    Some(Ok(out))
}

/// Whether an object looks like a turn: a speaker, or text, or nested sentences/words.
fn looks_like_turn(obj: &Map<String, Value>) -> bool {
    SPEAKER_KEYS.iter().any(|k| obj.contains_key(*k))
        || text_of(obj).is_some()
        || NESTED_KEYS
            .iter()
            .any(|k| obj.get(*k).is_some_and(Value::is_array))
}

/// The first array of turn-like objects, depth first.
fn find_turns(v: &Value, depth: usize) -> Option<&Vec<Value>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        Value::Array(items) => {
            let objects: Vec<&Map<String, Value>> =
                items.iter().filter_map(Value::as_object).collect();
            if !objects.is_empty()
                && objects.len() * 2 >= items.len()
                && objects.iter().filter(|o| looks_like_turn(o)).count() * 2 >= objects.len()
            {
                return Some(items);
            }
            items.iter().find_map(|i| find_turns(i, depth + 1))
        }
        Value::Object(map) => map.values().find_map(|x| find_turns(x, depth + 1)),
        _ => None,
    }
}

/// A turn's speaker, if it names one.
fn speaker_of(obj: &Map<String, Value>) -> Option<String> {
    SPEAKER_KEYS.iter().find_map(|k| match obj.get(*k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(format!("Speaker {n}")),
        Value::Object(o) => ["name", "display_name", "displayName", "label"]
            .iter()
            .find_map(|n| o.get(*n)?.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        _ => None,
    })
}

/// A turn's own text, if it has a string under a text key.
fn text_of(obj: &Map<String, Value>) -> Option<String> {
    TEXT_KEYS
        .iter()
        .find_map(|k| obj.get(*k)?.as_str())
        .map(|s| s.trim().to_string())
}

/// A time under one of `keys` (seconds) or `ms_keys` (milliseconds).
fn time(obj: &Map<String, Value>, keys: &[&str], ms_keys: &[&str]) -> Option<f64> {
    let read = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<f64>().ok().or_else(|| parse_clock(s))
        }
        _ => None,
    };
    let found = keys
        .iter()
        .find_map(|k| obj.get(*k).and_then(read))
        .or_else(|| {
            ms_keys
                .iter()
                .find_map(|k| obj.get(*k).and_then(read))
                .map(|ms| ms / 1000.0)
        });
    found.filter(|t| t.is_finite() && *t >= 0.0)
}

/// The utterances of one turn: its text, or its sentences, or its words joined.
fn turn_utterances(obj: &Map<String, Value>, speaker: Option<&str>, out: &mut Vec<Utterance>) {
    let start = time(obj, &START_KEYS, &START_MS_KEYS);
    let end = time(obj, &END_KEYS, &END_MS_KEYS);
    let utterance = |text: String, start, end, speaker: Option<&str>| Utterance {
        id: None,
        start,
        end,
        speaker: speaker.map(str::to_string),
        text,
        line: 1,
    };
    if let Some(text) = text_of(obj).filter(|t| !t.is_empty()) {
        out.push(utterance(text, start, end, speaker));
        return;
    }
    let Some(nested) = NESTED_KEYS
        .iter()
        .find_map(|k| obj.get(*k)?.as_array().filter(|a| !a.is_empty()))
    else {
        return;
    };
    let is_word = |v: &Value| match v {
        Value::String(_) => true,
        Value::Object(o) => {
            o.contains_key("word")
                || o.contains_key("punctuated_word")
                || (o.get("type").is_some_and(|t| t == "text" || t == "punct"))
        }
        _ => false,
    };
    if nested.iter().all(is_word) {
        let mut text = String::new();
        let (mut first, mut last) = (None, None);
        for w in nested {
            let (piece, punct) = match w {
                Value::String(s) => (s.as_str(), false),
                Value::Object(o) => (
                    WORD_KEYS
                        .iter()
                        .find_map(|k| o.get(*k)?.as_str())
                        .unwrap_or(""),
                    o.get("type").is_some_and(|t| t == "punct"),
                ),
                _ => ("", false),
            };
            if let Value::Object(o) = w {
                let s = time(o, &START_KEYS, &START_MS_KEYS);
                first = first.or(s);
                last = time(o, &END_KEYS, &END_MS_KEYS).or(s).or(last);
            }
            let piece = piece.trim();
            if piece.is_empty() {
                continue;
            }
            let glue = punct || piece.starts_with(['.', ',', '?', '!', ';', ':']);
            if !text.is_empty() && !glue {
                text.push(' ');
            }
            text.push_str(piece);
        }
        if !text.is_empty() {
            out.push(utterance(text, start.or(first), end.or(last), speaker));
        }
        return;
    }
    for sentence in nested.iter().filter_map(Value::as_object) {
        let own = speaker_of(sentence);
        let who = own.as_deref().or(speaker);
        let before = out.len();
        turn_utterances(sentence, who, out);
        if out.len() > before && out[before].start.is_none() {
            out[before].start = start;
        }
    }
}

/// Divides every time by 1000 when the file evidently counts milliseconds.
pub(crate) fn to_milliseconds_if_needed(out: &mut [Utterance]) {
    let times = out.iter().flat_map(|u| [u.start, u.end]).flatten();
    let mut max = 0.0f64;
    let mut whole = true;
    let mut any = false;
    for t in times {
        any = true;
        max = max.max(t);
        whole &= t.fract() == 0.0;
    }
    if any && whole && max > MS_THRESHOLD {
        for u in out {
            u.start = u.start.map(|t| t / 1000.0);
            u.end = u.end.map(|t| t / 1000.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Vec<(Option<String>, String, Option<f64>)> {
        parse(text)
            .expect("a shape")
            .expect("mapped")
            .into_iter()
            .map(|u| (u.speaker, u.text, u.start))
            .collect()
    }

    fn row(s: &str, t: &str, at: Option<f64>) -> (Option<String>, String, Option<f64>) {
        (Some(s.to_string()), t.to_string(), at)
    }

    #[test]
    fn sentences_nested_under_speaker_turns_in_milliseconds() {
        // Shaped like a conversation-intelligence export (Gong's call transcripts).
        let doc = r#"{"requestId": "x", "callTranscripts": [{"callId": "7782342274025937895",
          "transcript": [
            {"speakerId": "6432345678555530067", "topic": "Call Setup",
             "sentences": [{"start": 460230, "end": 462343, "text": "Thanks for joining."},
                           {"start": 462560, "end": 464000, "text": "Where do we go from here?"}]},
            {"speakerId": "2345678901234567890", "topic": null,
             "sentences": [{"start": 465000, "end": 468000, "text": "Send me a quote."}]}]}]}"#;
        assert_eq!(
            said(doc),
            [
                row("6432345678555530067", "Thanks for joining.", Some(460.23)),
                row(
                    "6432345678555530067",
                    "Where do we go from here?",
                    Some(462.56)
                ),
                row("2345678901234567890", "Send me a quote.", Some(465.0)),
            ]
        );
    }

    #[test]
    fn a_list_under_another_key_with_other_field_names() {
        // Shaped like a note-taker's export (Fireflies' transcript sentences).
        let doc = r#"{"data": {"transcript": {"title": "Renewal", "sentences": [
            {"index": 0, "speaker_name": "Priya Raman", "start_time": 3.1, "end_time": 5.0,
             "text": "What would you like to do from here?", "raw_text": "what would"},
            {"index": 1, "speaker_name": "Dana Cole", "start_time": 6.2, "end_time": 9.9,
             "text": "Send us a proposal by Friday."}]}}}"#;
        assert_eq!(
            said(doc),
            [
                row(
                    "Priya Raman",
                    "What would you like to do from here?",
                    Some(3.1)
                ),
                row("Dana Cole", "Send us a proposal by Friday.", Some(6.2)),
            ]
        );
    }

    #[test]
    fn words_are_joined_and_numbered_speakers_named() {
        // Shaped like a speech-to-text service's monologues (Rev.ai).
        let doc = r#"{"monologues": [
            {"speaker": 0, "elements": [
                {"type": "text", "value": "hi", "ts": 0.5, "end_ts": 0.7},
                {"type": "punct", "value": ","},
                {"type": "text", "value": "there", "ts": 0.8, "end_ts": 1.0},
                {"type": "punct", "value": "."}]},
            {"speaker": 1, "elements": [{"type": "text", "value": "hello", "ts": 1.5}]}]}"#;
        assert_eq!(
            said(doc),
            [
                row("Speaker 0", "hi, there.", Some(0.5)),
                row("Speaker 1", "hello", Some(1.5))
            ]
        );
        let objects = r#"{"transcript": [{"speaker": {"name": "Ann"}, "words": ["so", "yes"]}]}"#;
        assert_eq!(said(objects), [row("Ann", "so yes", None)]);
    }

    #[test]
    fn not_a_shape_is_none_and_empty_turns_are_an_error() {
        assert!(parse("{\"a\": 1}").is_none());
        assert!(parse("[1, 2]").is_none());
        assert!(parse("not json").is_none());
        assert!(matches!(
            parse("{\"turns\": [{\"speaker\": \"A\"}]}"),
            Some(Err(ParseError::Malformed { .. }))
        ));
    }
}
