//! Fuzzes the .docx reader: any bytes, read as a Word document, must give a transcript or
//! an error, never a panic. Half of the inputs are wrapped as the paragraphs of a real
//! .docx first, so the fuzzer also reaches the layouts inside (Teams, Google Meet).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextstep_transcript::{Format, docx, parse};

fuzz_target!(|data: &[u8]| {
    let check = |bytes: &[u8]| {
        if let Ok(t) = parse(bytes, Some(Format::Docx)) {
            let _ = t.turns();
            let _ = t.speakers();
        }
    };
    match data.split_first() {
        Some((0, rest)) => {
            let text = String::from_utf8_lossy(rest);
            let paragraphs: Vec<&str> = text.split('\n').collect();
            check(&docx::build_docx(&paragraphs));
        }
        _ => check(data),
    }
});
