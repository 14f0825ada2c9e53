//! Fuzzes the JSON mapping of other tools' shapes: the input is wrapped as the value of a
//! turn's field under a key the canonical reader does not take, so every input reaches
//! the mapping (nested sentences, words, speaker objects, millisecond times).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextstep_transcript::{Format, parse};

fuzz_target!(|data: &[u8]| {
    let inner = String::from_utf8_lossy(data);
    for doc in [
        format!("{{\"transcript\": [{{\"speaker_name\": \"A\", \"sentences\": {inner}}}]}}"),
        format!("{{\"monologues\": [{{\"speaker\": 0, \"elements\": {inner}}}]}}"),
        inner.to_string(),
    ] {
        if let Ok(t) = parse(doc.as_bytes(), Some(Format::Json)) {
            let _ = t.turns();
            let _ = t.speakers();
        }
    }
});
