//! Word documents (`.docx`) holding a transcript: Microsoft Teams' "Download as .docx"
//! and Google Meet's transcript document downloaded from Google Docs.
//!
//! A `.docx` is a zip archive; the text is in `word/document.xml`, one `<w:p>` paragraph
//! per line, its words in `<w:t>` runs. The archive is read with `zip` and the XML with
//! `quick-xml` (both widely used, maintained, pure Rust, no IO of their own: they read
//! the bytes in memory). The paragraphs become lines and the layout inside is detected:
//!
//! - Teams: a `Name   0:03` line, then what they said (the Otter layout);
//! - older Teams: `0:0:0.0 --> 0:0:3.450`, then the name, then what they said;
//! - Google Meet: `Name: text` paragraphs with a `00:05:00` line every few minutes;
//! - any `Name: text` lines.
//!
//! Utterance lines are the 1-based paragraph lines of the document's text.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::model::{Format, ParseError, Utterance};
use crate::text::parse_clock;
use crate::{detect, meet, otter, plain};

/// The most of `word/document.xml` read (bytes, after decompression): a transcript of a
/// whole day is a few megabytes; a zip bomb stops here.
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;

/// The zip signature every `.docx` starts with.
pub(crate) const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// An error about the document itself (not a line of its text).
fn bad(reason: impl Into<String>) -> ParseError {
    ParseError::Malformed {
        line: 1,
        reason: reason.into(),
    }
}

/// Reads a `.docx` transcript.
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<Utterance>, ParseError> {
    let lines = paragraphs(bytes)?;
    let text = lines.join("\n");
    parse_text(&text)
}

/// The document's paragraphs as lines of text (a line break inside a paragraph starts
/// a new line; tabs become two spaces, as a Teams `Name<tab>0:03` is `Name  0:03`).
pub(crate) fn paragraphs(bytes: &[u8]) -> Result<Vec<String>, ParseError> {
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(bad(
            "not a .docx Word document (it does not start as a zip archive does)",
        ));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable .docx Word document: {e}")))?;
    let mut xml = Vec::new();
    {
        let entry = archive
            .by_name("word/document.xml")
            .map_err(|_| bad("a zip archive without word/document.xml: not a Word document"))?;
        entry
            .take(MAX_XML_BYTES + 1)
            .read_to_end(&mut xml)
            .map_err(|e| bad(format!("cannot unpack word/document.xml: {e}")))?;
    }
    if xml.len() as u64 > MAX_XML_BYTES {
        return Err(bad(format!(
            "word/document.xml unpacks to more than {} MB; a transcript is far smaller",
            MAX_XML_BYTES / (1024 * 1024)
        )));
    }
    document_lines(&xml)
}

/// The lines of `word/document.xml`'s paragraphs.
fn document_lines(xml: &[u8]) -> Result<Vec<String>, ParseError> {
    let mut reader = Reader::from_reader(xml);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            bad(format!(
                "word/document.xml is not valid XML at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"p" if !current.is_empty() => flush(&mut current, &mut lines),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => flush(&mut current, &mut lines),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => current.push_str("  "),
                b"br" | b"cr" => flush(&mut current, &mut lines),
                b"p" => flush(&mut current, &mut lines),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t
                    .decode()
                    .map_err(|e| bad(format!("word/document.xml has undecodable text: {e}")))?;
                current.push_str(&s);
            }
            Event::CData(t) if in_text => {
                current.push_str(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) if in_text => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    let name: &[u8] = &r;
                    match name {
                        b"amp" => Some('&'),
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        _ => None,
                    }
                };
                current.push(resolved.unwrap_or('\u{FFFD}'));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !current.is_empty() {
        flush(&mut current, &mut lines);
    }
    Ok(lines)
}

/// Ends the line being built (empty lines are kept: they separate Teams entries).
fn flush(current: &mut String, lines: &mut Vec<String>) {
    lines.push(std::mem::take(current).trim_end().to_string());
}

/// Reads a document's text in the layout found inside it.
pub(crate) fn parse_text(text: &str) -> Result<Vec<Utterance>, ParseError> {
    if text.lines().any(|l| arrow(l.trim()).is_some()) {
        return arrow_blocks(text);
    }
    match detect::detect(text) {
        // Teams puts a title, the date and the length above the first speaker.
        Some(Format::Otter) => {
            otter::parse(text).map(|u| u.into_iter().skip_while(|u| u.speaker.is_none()).collect())
        }
        Some(Format::Meet) => meet::parse(text),
        Some(Format::Plain) => plain::parse(text),
        _ => {
            let first = text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0);
            Err(ParseError::UnknownFormat {
                line: first + 1,
                reason: "a Word document, but its paragraphs are not a transcript layout \
                         nextstep knows (Teams: a `Name  0:03` line, then the words; Google \
                         Meet: `Name: text` paragraphs with timestamp lines)"
                    .to_string(),
            })
        }
    }
}

/// An older Teams `.docx` timing line, `0:0:0.0 --> 0:0:3.450`: (start, end) seconds.
fn arrow(line: &str) -> Option<(f64, f64)> {
    let (a, b) = line.split_once("-->")?;
    let clock = |s: &str| {
        let s = s.trim();
        // Teams writes hours and minutes unpadded: 0:0:3.450.
        let mut parts = s.split(':').rev();
        let secs: f64 = parts.next()?.parse().ok()?;
        let mins: f64 = parts.next().map_or(Some(0.0), |m| m.parse().ok())?;
        let hours: f64 = parts.next().map_or(Some(0.0), |h| h.parse().ok())?;
        if parts.next().is_some() || !secs.is_finite() || secs < 0.0 {
            return parse_clock(s);
        }
        Some(hours * 3600.0 + mins * 60.0 + secs)
    };
    Some((clock(a)?, clock(b)?))
}

/// Reads the older Teams layout: a timing line, the speaker's name on the next line,
/// then what they said until the next timing line.
fn arrow_blocks(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((start, end)) = arrow(lines[i].trim()) else {
            i += 1;
            continue;
        };
        let at = i + 1;
        i += 1;
        let mut body: Vec<&str> = Vec::new();
        while i < lines.len() && arrow(lines[i].trim()).is_none() {
            let l = lines[i].trim();
            if !l.is_empty() {
                body.push(l);
            }
            i += 1;
        }
        let (speaker, said) = match body.as_slice() {
            [] => continue,
            [only] => (None, only.to_string()),
            [name, rest @ ..] => (Some(name.to_string()), rest.join(" ")),
        };
        out.push(Utterance {
            id: None,
            start: Some(start),
            end: Some(end),
            speaker,
            text: said,
            line: at,
        });
    }
    if out.is_empty() {
        return Err(ParseError::Malformed {
            line: 1,
            reason: "timing lines (`0:0:0.0 --> 0:0:3.450`) without anything said under them"
                .to_string(),
        });
    }
    Ok(out)
}

/// Builds a minimal `.docx` holding `paragraphs`, for tests and fuzzing seeds: what Word,
/// Teams and Google Docs write, reduced to the parts a reader looks at.
#[doc(hidden)]
pub fn build_docx(paragraphs: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut body = String::new();
    for p in paragraphs {
        body.push_str("<w:p><w:r>");
        for (k, piece) in p.split('\t').enumerate() {
            if k > 0 {
                body.push_str("<w:tab/>");
            }
            let escaped = piece
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            body.push_str(&format!("<w:t xml:space=\"preserve\">{escaped}</w:t>"));
        }
        body.push_str("</w:r></w:p>");
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}</w:body></w:document>"
    );
    let mut out = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let files = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
            ),
            ("word/document.xml", xml.as_str()),
        ];
        for (name, content) in files {
            if zip.start_file(name, opts).is_err() || zip.write_all(content.as_bytes()).is_err() {
                return Vec::new();
            }
        }
        if zip.finish().is_err() {
            return Vec::new();
        }
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(u: &[Utterance]) -> Vec<(Option<&str>, &str, Option<f64>)> {
        u.iter()
            .map(|u| (u.speaker.as_deref(), u.text.as_str(), u.start))
            .collect()
    }

    #[test]
    fn paragraphs_become_lines() {
        let doc = build_docx(&["A\tB & <c>", "", "D"]);
        assert_eq!(paragraphs(&doc).unwrap(), ["A  B & <c>", "", "D"]);
    }

    #[test]
    fn teams_download() {
        let doc = build_docx(&[
            "Transcript",
            "April 14, 2026, 3:00PM",
            "12m 4s",
            "",
            "Priya Raman\t0:03",
            "Thanks for making the time, Dana & team.",
            "",
            "Dana Cole\t0:09",
            "Of course. Could you send us a proposal by Friday?",
        ]);
        let u = parse(&doc).unwrap();
        assert_eq!(
            said(&u),
            [
                (
                    Some("Priya Raman"),
                    "Thanks for making the time, Dana & team.",
                    Some(3.0)
                ),
                (
                    Some("Dana Cole"),
                    "Of course. Could you send us a proposal by Friday?",
                    Some(9.0)
                ),
            ]
        );
    }

    #[test]
    fn older_teams_download() {
        let doc = build_docx(&[
            "0:0:0.0 --> 0:0:3.450",
            "Priya Raman",
            "Thanks for making the time.",
            "0:0:3.450 --> 0:0:7.190",
            "Dana Cole",
            "Of course.",
        ]);
        let u = parse(&doc).unwrap();
        assert_eq!(
            said(&u),
            [
                (
                    Some("Priya Raman"),
                    "Thanks for making the time.",
                    Some(0.0)
                ),
                (Some("Dana Cole"), "Of course.", Some(3.45)),
            ]
        );
    }

    #[test]
    fn google_meet_download() {
        let doc = build_docx(&[
            "Renewal call (2026-04-14 10:00 GMT+1) - Transcript",
            "Attendees",
            "Priya Raman, Dana Cole",
            "Transcript",
            "00:00:00",
            "Priya Raman: Thanks for making the time.",
            "Dana Cole: Of course.",
            "00:05:00",
            "Dana Cole: Send us the quote.",
            "Meeting ended after 00:06:01",
        ]);
        let u = parse(&doc).unwrap();
        assert_eq!(
            said(&u),
            [
                (
                    Some("Priya Raman"),
                    "Thanks for making the time.",
                    Some(0.0)
                ),
                (Some("Dana Cole"), "Of course.", None),
                (Some("Dana Cole"), "Send us the quote.", Some(300.0)),
            ]
        );
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        // (bytes, a fragment the message must contain)
        let not_word = {
            let mut c = Cursor::new(Vec::new());
            let mut z = zip::ZipWriter::new(&mut c);
            z.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            z.finish().unwrap();
            c.into_inner()
        };
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"hello".to_vec(), "not a .docx"),
            (b"PK\x03\x04garbage".to_vec(), "not a readable .docx"),
            (not_word, "without word/document.xml"),
            (
                build_docx(&["Meeting notes", "Buy milk"]),
                "not a transcript layout",
            ),
            (build_docx(&[]), "not a transcript layout"),
        ];
        for (bytes, want) in cases {
            let err = parse(&bytes).unwrap_err().to_string();
            assert!(err.contains(want), "{want}: {err}");
        }
    }
}
