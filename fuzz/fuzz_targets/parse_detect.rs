//! Fuzzes format detection and whichever reader it picks: any bytes must give a transcript
//! or an error, never a panic; `turns()` and `speakers()` must cope with the result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextstep_transcript::parse;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = parse(data, None) {
        let _ = t.turns();
        let _ = t.speakers();
    }
});
