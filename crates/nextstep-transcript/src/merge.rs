//! [`Transcript::turns`]: from the cues a file has to the utterances people spoke.

use crate::model::{Transcript, Utterance};

impl Transcript {
    /// The utterances the analyzer reasons about: cues that belong together merged.
    ///
    /// In file order: Teams cues split from one utterance (ids `<guid>/<n>-0`, `<guid>/<n>-1`,
    /// same speaker) become one; a cue without a speaker (Zoom's prefix-less continuation,
    /// a plain line without `Name:`) is joined to the utterance before it when that one has
    /// a speaker. Separate consecutive utterances of one speaker are *not* merged: the
    /// analyzer needs them apart. Merged text is joined with a space; the merged utterance
    /// keeps the first cue's id, line and start and the last cue's end. Utterances whose text
    /// is empty are dropped.
    pub fn turns(&self) -> Vec<Utterance> {
        let mut out: Vec<Utterance> = Vec::with_capacity(self.utterances.len());
        let mut last_key: Option<&str> = None;
        for u in &self.utterances {
            let key = u.id.as_deref().and_then(teams_key);
            if let Some(prev) = out.last_mut() {
                let split_cue = key.is_some() && key == last_key && prev.speaker == u.speaker;
                let continuation = u.speaker.is_none() && prev.speaker.is_some();
                if split_cue || continuation {
                    join(prev, u);
                    if key.is_some() {
                        last_key = key;
                    }
                    continue;
                }
            }
            out.push(u.clone());
            last_key = key;
        }
        out.retain(|u| !u.text.is_empty());
        out
    }
}

/// The `<guid>/<n>` part of a Teams cue id `<guid>/<n>-<k>`, which all parts of one split
/// utterance share.
fn teams_key(id: &str) -> Option<&str> {
    let (key, part) = id.rsplit_once('-')?;
    let (guid, n) = key.rsplit_once('/')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (!guid.is_empty() && all_digits(n) && all_digits(part)).then_some(key)
}

/// Appends `next` to `into`: text joined with a space, end time taken from `next`.
fn join(into: &mut Utterance, next: &Utterance) {
    if !next.text.is_empty() {
        if !into.text.is_empty() {
            into.text.push(' ');
        }
        into.text.push_str(&next.text);
    }
    if next.end.is_some() {
        into.end = next.end;
    }
    if into.start.is_none() {
        into.start = next.start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    /// (id, speaker, text, start, end, line) of a turn.
    type Row = (Option<String>, Option<String>, String, f64, f64, usize);

    fn utt(
        id: Option<&str>,
        speaker: Option<&str>,
        text: &str,
        start: f64,
        line: usize,
    ) -> Utterance {
        Utterance {
            id: id.map(str::to_string),
            start: Some(start),
            end: Some(start + 1.0),
            speaker: speaker.map(str::to_string),
            text: text.to_string(),
            line,
        }
    }

    fn turns(utterances: Vec<Utterance>) -> Vec<Row> {
        let t = Transcript {
            format: Format::WebVtt,
            utterances,
        };
        t.turns()
            .into_iter()
            .map(|u| {
                (
                    u.id,
                    u.speaker,
                    u.text,
                    u.start.unwrap(),
                    u.end.unwrap(),
                    u.line,
                )
            })
            .collect()
    }

    fn row(
        id: Option<&str>,
        speaker: Option<&str>,
        text: &str,
        start: f64,
        end: f64,
        line: usize,
    ) -> Row {
        (
            id.map(str::to_string),
            speaker.map(str::to_string),
            text.to_string(),
            start,
            end,
            line,
        )
    }

    #[test]
    fn teams_split_cues() {
        let g = "e0f17043-29c8-316b-6a9f-617178e04480";
        let got = turns(vec![
            utt(
                Some(&format!("{g}/17-0")),
                Some("Laura"),
                "Our next step is a review in",
                10.0,
                3,
            ),
            utt(
                Some(&format!("{g}/17-1")),
                Some("Laura"),
                "the spring.",
                12.0,
                7,
            ),
            utt(
                Some(&format!("{g}/18-0")),
                Some("Laura"),
                "Separate.",
                14.0,
                11,
            ),
            utt(
                Some(&format!("{g}/18-1")),
                Some("Kai"),
                "Other speaker.",
                16.0,
                15,
            ),
            utt(Some("x/19-0"), Some("Kai"), "", 18.0, 19),
        ]);
        assert_eq!(
            got,
            [
                row(
                    Some(&format!("{g}/17-0")),
                    Some("Laura"),
                    "Our next step is a review in the spring.",
                    10.0,
                    13.0,
                    3
                ),
                row(
                    Some(&format!("{g}/18-0")),
                    Some("Laura"),
                    "Separate.",
                    14.0,
                    15.0,
                    11
                ),
                row(
                    Some(&format!("{g}/18-1")),
                    Some("Kai"),
                    "Other speaker.",
                    16.0,
                    17.0,
                    15
                ),
            ]
        );
    }

    #[test]
    fn continuations_and_same_speaker_runs() {
        let got = turns(vec![
            utt(None, None, "orphan start", 0.0, 1),
            utt(None, None, "second orphan", 1.0, 2),
            utt(Some("33"), Some("Ann"), "And", 2.0, 3),
            utt(Some("34"), None, "that", 3.0, 4),
            utt(Some("35"), Some("Ann"), "Again.", 4.0, 5),
            utt(Some("36"), Some("Bob"), "", 5.0, 6),
            utt(Some("37"), None, "Bob's words", 6.0, 7),
        ]);
        assert_eq!(
            got,
            [
                row(None, None, "orphan start", 0.0, 1.0, 1),
                row(None, None, "second orphan", 1.0, 2.0, 2),
                row(Some("33"), Some("Ann"), "And that", 2.0, 4.0, 3),
                row(Some("35"), Some("Ann"), "Again.", 4.0, 5.0, 5),
                row(Some("36"), Some("Bob"), "Bob's words", 5.0, 7.0, 6),
            ]
        );
    }

    #[test]
    fn teams_keys() {
        let cases = [
            (
                "235fa3b4-b3ce-bc45-ecc9-db16e457174e/11-0",
                Some("235fa3b4-b3ce-bc45-ecc9-db16e457174e/11"),
            ),
            ("g/1-12", Some("g/1")),
            ("/1-0", None),
            ("g/1-", None),
            ("g/x-0", None),
            ("g-1-0", None),
            ("12", None),
            ("", None),
        ];
        for (id, want) in cases {
            assert_eq!(teams_key(id), want, "id {id:?}");
        }
    }
}
