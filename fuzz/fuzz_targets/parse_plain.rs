//! Fuzzes the plain reader: any bytes, read as plain, must give a transcript or an error,
//! never a panic; `turns()` and `speakers()` must cope with whatever comes out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextstep_transcript::{Format, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = parse(data, Some(Format::Plain)) {
        let _ = t.turns();
        let _ = t.speakers();
    }
});
