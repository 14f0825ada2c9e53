//! JSON transcripts: an array of `{speaker, start, end, text}` objects, or an object holding
//! such an array under `utterances` (what `nextstep parse --json` prints) or `segments`.
//! Other tools' shapes (the list under another key, other field names, sentences nested
//! under speaker turns, words) are mapped by `json_map.rs` when this reader finds no
//! utterances where it looks; a wrong value in a field it knows stays its error.
//!
//! The document is deserialised straight into [`Utterance`]s with serde visitors: no
//! `serde_json::Value` tree for the whole file, which would cost most of the time. serde
//! keeps no positions, so a small scanner then walks the (already validated) text to find
//! the line each utterance starts on, and, for a type error, the line of the field.

use std::fmt;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::model::{ParseError, Utterance};
use crate::text::{line_of_offset, parse_clock};

/// Keys of a wrapping object that may hold the utterance array, in order of preference.
const LIST_KEYS: [&str; 2] = ["utterances", "segments"];
/// Field names tried, in order, for the speaker.
const SPEAKER_KEYS: [&str; 3] = ["speaker", "speaker_name", "name"];

/// Reads a JSON transcript. Syntax errors carry serde's line; type errors name the line of
/// the field, the utterance's 1-based position and the field.
pub(crate) fn parse(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let mut utterances = match parse_shape(text) {
        Ok(u) => u,
        // The mapping's own complaints are vaguer than this reader's, which name lines.
        Err(Shape::Wrong(err)) => match crate::json_map::parse(text) {
            Some(Ok(mapped)) => return Ok(mapped),
            _ => return Err(err),
        },
        Err(Shape::Field(err)) => return Err(err),
    };
    crate::json_map::to_milliseconds_if_needed(&mut utterances);
    Ok(utterances)
}

/// Why the document is not the shape this reader takes: the wrong shape altogether
/// (another tool's, perhaps: try the mapping), or a field of the right shape with a wrong
/// value (the user's mistake to fix).
enum Shape {
    Wrong(ParseError),
    Field(ParseError),
}

/// Reads the `[{speaker, start, end, text}]` shape.
fn parse_shape(text: &str) -> Result<Vec<Utterance>, Shape> {
    let wrong = Shape::Wrong;
    let mut de = serde_json::Deserializer::from_str(text);
    let top = de
        .deserialize_any(TopVisitor)
        .map_err(|e| Shape::Field(syntax_error(e)))?;
    de.end().map_err(|e| Shape::Field(syntax_error(e)))?;
    let bytes = text.as_bytes();
    let first_line = || line_of_offset(bytes, text.len() - text.trim_start().len());
    let (list, key) = match top {
        Top::List(list) => (list, None),
        Top::Object(lists) => {
            let found = LIST_KEYS
                .into_iter()
                .zip(lists)
                .find_map(|(k, l)| l.map(|l| (k, l)));
            match found {
                Some((key, Ok(list))) => (list, Some(key)),
                Some((key, Err(found))) => {
                    let at = Scan::new(text).member_value(0, key).unwrap_or(0);
                    return Err(wrong(ParseError::Malformed {
                        line: line_of_offset(bytes, at),
                        reason: format!("\"{key}\" must be an array of utterances, found {found}"),
                    }));
                }
                None => {
                    return Err(wrong(ParseError::Malformed {
                        line: first_line(),
                        reason:
                            "expected an array of utterances, or an object with an \"utterances\" \
                                 or \"segments\" array (or another tool's export in a shape \
                                 nextstep maps: see the README's JSON mapping)"
                                .to_string(),
                    }));
                }
            }
        }
        Top::Other(found) => {
            return Err(wrong(ParseError::Malformed {
                line: first_line(),
                reason: format!("expected an array of utterances, found {found}"),
            }));
        }
    };
    let positions = Scan::new(text).element_positions(key);
    if let Some((index, err)) = list.first_error {
        let (offset, line) = positions.get(index).copied().unwrap_or((0, 1));
        // Another tool's turns (nested sentences or words, a speaker object) are not
        // mistakes in this shape; a bad time or id is.
        let other_shape = match &err {
            ItemError::NotObject(_) | ItemError::MissingText => true,
            ItemError::Field { key, found, .. } => {
                *key == "text"
                    || (found.starts_with('{') && !matches!(*key, "start" | "end" | "id"))
            }
        };
        let e = err.into_parse_error(text, index, offset, line);
        return Err(if other_shape {
            wrong(e)
        } else {
            Shape::Field(e)
        });
    }
    let mut utterances = list.utterances;
    for (u, &(_, line)) in utterances.iter_mut().zip(&positions) {
        u.line = line;
    }
    Ok(utterances)
}

/// A serde syntax error as a [`ParseError`], keeping serde's line and column.
fn syntax_error(e: serde_json::Error) -> ParseError {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(cut) => &msg[..cut],
        None => &msg,
    };
    ParseError::Malformed {
        line: e.line().max(1),
        reason: format!("invalid JSON: {msg} (column {})", e.column()),
    }
}

/// A JSON value shown in an error message, cut short if long.
fn show_value(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// The top of the document: the utterance array, an object (with what was found under each
/// of [`LIST_KEYS`]), or something else (shown as found).
enum Top {
    List(List),
    Object([Option<Result<List, String>>; 2]),
    Other(String),
}

/// The utterance array read: every utterance that converted, and the first element that
/// did not (its 0-based index and why).
#[derive(Default)]
struct List {
    utterances: Vec<Utterance>,
    first_error: Option<(usize, ItemError)>,
}

/// Why one element of the array is not an utterance.
enum ItemError {
    NotObject(String),
    Field {
        key: &'static str,
        what: &'static str,
        found: String,
    },
    MissingText,
}

impl ItemError {
    /// The error for utterance `index`, which starts at byte `offset` on line `line`; a field
    /// error names the line where the field's value is written.
    fn into_parse_error(self, text: &str, index: usize, offset: usize, line: usize) -> ParseError {
        let n = index + 1;
        match self {
            ItemError::NotObject(found) => ParseError::Malformed {
                line,
                reason: format!("utterance {n}: must be an object, found {found}"),
            },
            ItemError::MissingText => ParseError::Malformed {
                line,
                reason: format!("utterance {n}: \"text\" is missing"),
            },
            ItemError::Field { key, what, found } => {
                let line = Scan::new(text)
                    .member_value(offset, key)
                    .map_or(line, |at| line_of_offset(text.as_bytes(), at));
                ParseError::Malformed {
                    line,
                    reason: format!("utterance {n}: \"{key}\" must be {what}, found {found}"),
                }
            }
        }
    }
}

/// Describes any JSON value for "found …" in messages, consuming it.
struct Describe;

/// Implements the scalar `visit_*` methods as "describe what was found", wrapped by `$out`.
macro_rules! describe_scalars {
    ($out:expr) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok($out(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok($out(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok($out(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok($out(show_value(&Value::from(v))))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok($out(show_value(&Value::from(v))))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($out("null".to_string()))
        }
    };
}

impl<'de> Visitor<'de> for Describe {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    describe_scalars!(|s| s);

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<String, A::Error> {
        Ok(show_value(&Value::deserialize(
            SeqAccessDeserializer::new(seq),
        )?))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<String, A::Error> {
        Ok(show_value(&Value::deserialize(
            MapAccessDeserializer::new(map),
        )?))
    }
}

/// Reads the document's top level.
struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of utterances")
    }

    describe_scalars!(Top::Other);

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        read_list(seq).map(Top::List)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut lists = [None, None];
        while let Some(key) = map.next_key::<String>()? {
            match LIST_KEYS.iter().position(|k| *k == key) {
                // A later duplicate wins, as in a `serde_json::Map`.
                Some(slot) => lists[slot] = Some(map.next_value_seed(ListSeed)?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Top::Object(lists))
    }
}

/// Reads the utterance array, converting each element as it comes.
fn read_list<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<List, A::Error> {
    let mut list = List::default();
    let mut index = 0;
    while let Some(item) = seq.next_element_seed(ItemSeed)? {
        match item {
            Ok(u) => list.utterances.push(u),
            Err(e) => {
                list.first_error.get_or_insert((index, e));
            }
        }
        index += 1;
    }
    Ok(list)
}

/// Reads the value under `utterances`/`segments`: the array, or a description of what was
/// there instead.
struct ListSeed;

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Result<List, String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = Result<List, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of utterances")
    }

    describe_scalars!(Err);

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        read_list(seq).map(Ok)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Describe.visit_map(map).map(Err)
    }
}

/// The keys an utterance object may have; any other key is skipped unread.
enum FieldKey {
    Id,
    Start,
    End,
    Speaker(usize),
    Text,
    Other,
}

impl<'de> Deserialize<'de> for FieldKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FieldKey, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FieldKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldKey, E> {
                Ok(match v {
                    "id" => FieldKey::Id,
                    "start" => FieldKey::Start,
                    "end" => FieldKey::End,
                    "text" => FieldKey::Text,
                    _ => SPEAKER_KEYS
                        .iter()
                        .position(|k| *k == v)
                        .map_or(FieldKey::Other, FieldKey::Speaker),
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Reads one element of the utterance array as an utterance (its `line` is set later).
struct ItemSeed;

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Result<Utterance, ItemError>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed {
    type Value = Result<Utterance, ItemError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an utterance object")
    }

    describe_scalars!(|found| Err(ItemError::NotObject(found)));

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Describe
            .visit_seq(seq)
            .map(|found| Err(ItemError::NotObject(found)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Later duplicates win, as in a `serde_json::Map`.
        let (mut id, mut start, mut end, mut text) = (None, None, None, None);
        let mut speakers: [Option<Value>; 3] = [None, None, None];
        while let Some(key) = map.next_key::<FieldKey>()? {
            match key {
                FieldKey::Id => id = Some(map.next_value()?),
                FieldKey::Start => start = Some(map.next_value()?),
                FieldKey::End => end = Some(map.next_value()?),
                FieldKey::Text => text = Some(map.next_value()?),
                FieldKey::Speaker(i) => speakers[i] = Some(map.next_value()?),
                FieldKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let speaker = SPEAKER_KEYS
            .into_iter()
            .zip(speakers)
            .find_map(|(k, v)| v.filter(|v| !v.is_null()).map(|v| (k, v)));
        Ok(utterance(id, start, end, speaker, text))
    }
}

/// Converts the fields of one utterance object, checking their types.
fn utterance(
    id: Option<Value>,
    start: Option<Value>,
    end: Option<Value>,
    speaker: Option<(&'static str, Value)>,
    text: Option<Value>,
) -> Result<Utterance, ItemError> {
    let wrong = |key, what, found: &Value| ItemError::Field {
        key,
        what,
        found: show_value(found),
    };
    let id = match id {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => return Err(wrong("id", "a string or a number", &other)),
    };
    let seconds = |key, value: Option<Value>| match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let secs = match &value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => {
                    let s = s.trim();
                    s.parse::<f64>().ok().or_else(|| parse_clock(s))
                }
                _ => None,
            };
            match secs.filter(|f| f.is_finite()) {
                Some(f) => Ok(Some(f)),
                None => Err(wrong(key, "a number of seconds", &value)),
            }
        }
    };
    let start = seconds("start", start)?;
    let end = seconds("end", end)?;
    let speaker = match speaker {
        None => None,
        Some((_, Value::String(s))) => Some(trimmed(s)).filter(|s| !s.is_empty()),
        Some((key, other)) => return Err(wrong(key, "a string or null", &other)),
    };
    let text = match text {
        Some(Value::String(s)) => trimmed(s),
        Some(other) => return Err(wrong("text", "a string", &other)),
        None => return Err(ItemError::MissingText),
    };
    Ok(Utterance {
        id,
        start,
        end,
        speaker,
        text,
        line: 0,
    })
}

/// `s` without surrounding whitespace, reusing its allocation when nothing is trimmed.
fn trimmed(s: String) -> String {
    if s.trim().len() == s.len() {
        s
    } else {
        s.trim().to_string()
    }
}

/// A position scanner over JSON text that serde has already accepted, so it only needs to
/// tell strings, containers and scalars apart. It never panics on other input either. It
/// counts lines as it skips whitespace (JSON strings cannot hold raw line breaks).
struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Scan {
            text,
            b: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b' ' | b'\t' => {}
                b'\n' => self.line += 1,
                b'\r' if self.b.get(self.pos + 1) != Some(&b'\n') => self.line += 1,
                b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skips a string starting at `"`.
    fn skip_string(&mut self) {
        self.pos += 1;
        while self.pos < self.b.len() {
            match self.b[self.pos] {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return;
                }
                _ => self.pos += 1,
            }
        }
        self.pos = self.pos.min(self.b.len());
    }

    /// Skips one value of any kind (iteratively, so nesting depth costs no stack).
    fn skip_value(&mut self) {
        let mut depth = 0usize;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(b'"') => self.skip_string(),
                Some(b'[' | b'{') => {
                    depth += 1;
                    self.pos += 1;
                }
                Some(b']' | b'}') => {
                    depth = depth.saturating_sub(1);
                    self.pos += 1;
                }
                Some(b',' | b':') => self.pos += 1,
                Some(_) => {
                    while self.pos < self.b.len()
                        && !matches!(
                            self.b[self.pos],
                            b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r'
                        )
                    {
                        self.pos += 1;
                    }
                }
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// Calls `each(key, value offset)` for every member of the object at `self.pos`.
    fn members(&mut self, mut each: impl FnMut(&str, usize)) {
        self.skip_ws();
        if self.peek() != Some(b'{') {
            return;
        }
        self.pos += 1;
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return;
            }
            let key_start = self.pos;
            self.skip_string();
            let raw = &self.text[key_start..self.pos];
            self.skip_ws();
            if self.peek() != Some(b':') {
                return;
            }
            self.pos += 1;
            self.skip_ws();
            each(raw, self.pos);
            self.skip_value();
            self.skip_ws();
            if self.peek() != Some(b',') {
                return;
            }
            self.pos += 1;
        }
    }

    /// Offset of the value of the last member named `key` of the object at `offset`.
    fn member_value(mut self, offset: usize, key: &str) -> Option<usize> {
        self.pos = offset;
        let mut found = None;
        self.members(|raw, at| {
            if key_is(raw, key) {
                found = Some(at);
            }
        });
        found
    }

    /// (byte offset, 1-based line) of each element of the utterance array: the top-level
    /// array, or the array under `key` of the top-level object.
    fn element_positions(mut self, key: Option<&str>) -> Vec<(usize, usize)> {
        self.skip_ws();
        if let Some(key) = key {
            match Scan::new(self.text).member_value(self.pos, key) {
                Some(at) => {
                    self.line = line_of_offset(self.b, at);
                    self.pos = at;
                }
                None => return Vec::new(),
            }
        }
        let mut out = Vec::new();
        if self.peek() != Some(b'[') {
            return out;
        }
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(b']') => return out,
                Some(_) => {}
            }
            out.push((self.pos, self.line));
            self.skip_value();
            self.skip_ws();
            if self.peek() != Some(b',') {
                return out;
            }
            self.pos += 1;
        }
    }
}

/// Whether the raw (quoted, possibly escaped) member key `raw` spells `key`.
fn key_is(raw: &str, key: &str) -> bool {
    let inner = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'));
    match inner {
        Some(inner) if !inner.contains('\\') => inner == key,
        _ => serde_json::from_str::<String>(raw).is_ok_and(|k| k == key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        type Row = (
            Option<&'static str>,
            Option<f64>,
            Option<f64>,
            Option<&'static str>,
            &'static str,
            usize,
        );
        let cases: &[(&str, &[Row])] = &[
            (
                "[\n {\n  \"speaker\": \"Sam Ortiz\",\n  \"start\": 3.0,\n  \"end\": 6.04,\n  \"text\": \"Hi Wendy.\"\n },\n {\"speaker\": null, \"text\": \" more \"}\n]",
                &[
                    (
                        None,
                        Some(3.0),
                        Some(6.04),
                        Some("Sam Ortiz"),
                        "Hi Wendy.",
                        2,
                    ),
                    (None, None, None, None, "more", 8),
                ],
            ),
            (
                "{\"format\": \"webvtt\", \"utterances\": [{\"id\": \"a/1-0\", \"start\": \"1.5\", \"end\": \"00:00:02.250\", \"speaker\": \"Ann\", \"text\": \"hi\"}]}",
                &[(Some("a/1-0"), Some(1.5), Some(2.25), Some("Ann"), "hi", 1)],
            ),
            (
                "{\"segments\": [\r\n{\"id\": 7, \"speaker_name\": \"Bob\", \"text\": \"yo\"},\r\n{\"name\": \" \", \"text\": \"\"}]}",
                &[
                    (Some("7"), None, None, Some("Bob"), "yo", 2),
                    (None, None, None, None, "", 3),
                ],
            ),
            ("[]", &[]),
            ("{\"utterances\": []}", &[]),
            (
                "[{\"text\": \"a \\\"]}[{ b\", \"start\": 1}, {\"text\": \"c\"}]",
                &[
                    (None, Some(1.0), None, None, "a \"]}[{ b", 1),
                    (None, None, None, None, "c", 1),
                ],
            ),
        ];
        for (src, want) in cases {
            let got = parse(src).unwrap();
            let got: Vec<_> = got
                .iter()
                .map(|u| {
                    (
                        u.id.as_deref(),
                        u.start,
                        u.end,
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
    fn errors_name_line_and_field() {
        let four = "[\n{\"text\": \"a\"},\n{\"text\": \"b\"},\n{\"text\": \"c\"},\n{\n  \"speaker\": \"Ann\",\n  \"start\": \"abc\",\n  \"text\": \"d\"\n}\n]";
        let cases = [
            (
                four,
                7,
                "utterance 4: \"start\" must be a number of seconds, found \"abc\"",
            ),
            (
                "[{\"text\": 5}]",
                1,
                "utterance 1: \"text\" must be a string, found 5",
            ),
            (
                "[\n\n{\"speaker\": \"x\"}]",
                3,
                "utterance 1: \"text\" is missing",
            ),
            (
                "[{\"text\": \"a\",\n\"speaker\": 3}]",
                2,
                "utterance 1: \"speaker\" must be a string or null, found 3",
            ),
            (
                "[{\"text\": \"a\",\n\"name\": [1]}]",
                2,
                "utterance 1: \"name\" must be a string or null, found [1]",
            ),
            (
                "[{\"text\": \"a\", \"end\": true}]",
                1,
                "utterance 1: \"end\" must be a number of seconds, found true",
            ),
            (
                "[{\"text\": \"a\", \"start\": \"NaN\"}]",
                1,
                "\"start\" must be a number of seconds",
            ),
            (
                "[{\"text\": \"a\", \"id\": {}}]",
                1,
                "utterance 1: \"id\" must be a string or a number, found {}",
            ),
            ("[\n1]", 2, "utterance 1: must be an object, found 1"),
            (
                "{\"utterances\":\n\n 3}",
                3,
                "\"utterances\" must be an array of utterances, found 3",
            ),
            ("\n{\"x\": []}", 2, "an object with an \"utterances\""),
            (
                "\"text\"",
                1,
                "expected an array of utterances, found \"text\"",
            ),
            (
                "[\n{\"text\": \"a\"},\n{\"text\": \"b\",}\n]",
                3,
                "invalid JSON",
            ),
            ("[{\"text\": \"a\"}", 1, "invalid JSON: EOF"),
            ("", 1, "invalid JSON"),
            ("[{\"te\\u0078t\": 1}]", 1, "\"text\" must be a string"),
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

    #[test]
    fn scanner_finds_members() {
        let src = "{\"a\": [1, {\"b\": 2}], \"k\\\"ey\": \"x\", \"c\" :\n 3, \"c\": 4}";
        assert_eq!(Scan::new(src).member_value(0, "c"), Some(src.len() - 2));
        assert_eq!(
            Scan::new(src).member_value(0, "k\"ey"),
            Some(src.find("\"x\"").unwrap())
        );
        assert_eq!(Scan::new(src).member_value(0, "zz"), None);
        assert_eq!(Scan::new("garbage").member_value(0, "a"), None);
    }
}
