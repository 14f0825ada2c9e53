//! Fuzzes the Google Meet text reader: any bytes, read as a Meet transcript, must give a
//! transcript or an error, never a panic; `turns()` and `speakers()` must cope.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextstep_transcript::{Format, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = parse(data, Some(Format::Meet)) {
        let _ = t.turns();
        let _ = t.speakers();
    }
});
