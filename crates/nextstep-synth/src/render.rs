//! The one call renderer: writes a generated call in any of the six ways real meeting
//! tools export transcripts ([`Style`]), so the demo, the benchmarks and the tests feed
//! every reader the kind of file users will, and a change to how a style is written is
//! made once.
//!
//! Callers hand it an utterance list ([`Utt`]) and an [`Rng`]: the demo its calls' lines
//! with their timing, `long_calls` its turns with their sentences joined. The rng draws
//! Teams' cue ids and decides which long turns are split into several cues and whether an
//! Otter export carries its footer, so the same stream gives the same bytes.

use crate::rng::Rng;
use crate::style::Style;

/// One utterance with its timing, ready to be written: what both generators reduce a
/// call to, so the renderer needs to know neither's model.
#[derive(Debug, Clone, PartialEq)]
pub struct Utt {
    /// Speaker name, UTF-8.
    pub speaker: String,
    /// What was said.
    pub text: String,
    /// Seconds from the start of the call.
    pub start: f64,
    /// Seconds from the start of the call.
    pub end: f64,
}

/// The file content for `utts` in `style`: the single entry point every generated call
/// file is written through. `date` goes into a WebVTT `NOTE` block; `rng` decides cue
/// ids, which long turns are split and the Otter footer.
pub fn render(style: Style, utts: &[Utt], date: chrono::NaiveDate, rng: &mut Rng) -> String {
    match style {
        Style::TeamsVtt => teams(utts, date, rng),
        Style::ZoomVtt => zoom(utts, date, rng),
        Style::Srt => srt(utts),
        Style::Plain => plain(utts),
        Style::Otter => otter(utts, rng),
        Style::Json => json(utts),
    }
}

/// `hh:mm:ss` + `sep` + milliseconds.
fn clock(secs: f64, sep: char) -> String {
    let ms = (secs * 1000.0).round().max(0.0) as u64;
    format!(
        "{:02}:{:02}:{:02}{sep}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Escapes text for a WebVTT cue payload.
fn vtt_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A name as Teams writes it inside `<v …>`: non-ASCII letters as decimal references.
fn teams_name(name: &str) -> String {
    let mut out = String::new();
    for c in vtt_escape(name).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("&#{};", c as u32));
        }
    }
    out
}

/// Where to split a long turn in two: a sentence end nearest the middle, else a comma.
/// Returns the byte offset where the second part starts.
fn split_point(text: &str, comma_ok: bool) -> Option<usize> {
    let mid = text.len() / 2;
    let mut best: Option<usize> = None;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let sentence_end = matches!(b, b'.' | b'?' | b'!') && bytes.get(i + 1) == Some(&b' ');
        let comma = comma_ok && b == b',' && bytes.get(i + 1) == Some(&b' ');
        if (sentence_end || comma) && i > 20 && i + 20 < text.len() {
            let at = i + 2;
            if best.is_none_or(|b| at.abs_diff(mid) < b.abs_diff(mid)) {
                best = Some(at);
            }
        }
    }
    best
}

fn teams(utts: &[Utt], date: chrono::NaiveDate, rng: &mut Rng) -> String {
    let mut out = format!("WEBVTT\n\nNOTE call date {date}\n\n");
    let first = rng.range(3, 30);
    for (n, u) in (first..).zip(utts) {
        let guid = rng.guid();
        let name = teams_name(&u.speaker);
        let parts: Vec<(&str, f64, f64)> =
            match split_point(&u.text, true).filter(|_| u.text.len() > 110 && rng.chance(0.8)) {
                Some(at) => {
                    let cut = u.start + (u.end - u.start) * at as f64 / u.text.len() as f64;
                    vec![
                        (u.text[..at].trim_end(), u.start, cut),
                        (&u.text[at..], cut + 0.01, u.end),
                    ]
                }
                None => vec![(u.text.as_str(), u.start, u.end)],
            };
        for (k, (text, start, end)) in parts.into_iter().enumerate() {
            out.push_str(&format!(
                "{guid}/{n}-{k}\n{} --> {}\n<v {name}>{}</v>\n\n",
                clock(start, '.'),
                clock(end, '.'),
                vtt_escape(text)
            ));
        }
    }
    out
}

fn zoom(utts: &[Utt], date: chrono::NaiveDate, rng: &mut Rng) -> String {
    let mut out = format!("WEBVTT\n\nNOTE call date {date}\n\n");
    let mut n = 1;
    let mut cue = |out: &mut String, start: f64, end: f64, payload: String| {
        out.push_str(&format!(
            "{n}\n{} --> {}\n{payload}\n\n",
            clock(start, '.'),
            clock(end, '.')
        ));
        n += 1;
    };
    for u in utts {
        // Zoom starts a new cue mid-sentence without repeating the name; the continuation
        // begins in lowercase after a comma.
        let split = split_point(&u.text, true)
            .filter(|&at| {
                u.text[..at].ends_with(", ") && u.text[at..].starts_with(|c: char| c.is_lowercase())
            })
            .filter(|_| u.text.len() > 90 && rng.chance(0.7));
        match split {
            Some(at) => {
                let cut = u.start + (u.end - u.start) * at as f64 / u.text.len() as f64;
                cue(
                    &mut out,
                    u.start,
                    cut,
                    format!("{}: {}", u.speaker, vtt_escape(u.text[..at].trim_end())),
                );
                cue(&mut out, cut + 0.01, u.end, vtt_escape(&u.text[at..]));
            }
            None => cue(
                &mut out,
                u.start,
                u.end,
                format!("{}: {}", u.speaker, vtt_escape(&u.text)),
            ),
        }
    }
    out
}

fn srt(utts: &[Utt]) -> String {
    let mut out = String::new();
    for (i, u) in utts.iter().enumerate() {
        out.push_str(&format!(
            "{}\n{} --> {}\n{}: {}\n\n",
            i + 1,
            clock(u.start, ','),
            clock(u.end, ','),
            u.speaker,
            u.text
        ));
    }
    out
}

fn plain(utts: &[Utt]) -> String {
    let mut out = String::new();
    for u in utts {
        let clock = clock(u.start, '.');
        out.push_str(&format!("[{}] {}: {}\n", &clock[..8], u.speaker, u.text));
    }
    out
}

fn otter(utts: &[Utt], rng: &mut Rng) -> String {
    let mut out = String::new();
    for u in utts {
        let secs = u.start.max(0.0) as u64;
        let time = if secs >= 3600 {
            format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
        } else {
            format!("{}:{:02}", secs / 60, secs % 60)
        };
        out.push_str(&format!("{}  {time}\n{}\n\n", u.speaker, u.text));
    }
    if rng.chance(0.5) {
        out.push_str("Transcribed by https://otter.ai\n");
    }
    out
}

fn json(utts: &[Utt]) -> String {
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let items: Vec<serde_json::Value> = utts
        .iter()
        .map(|u| {
            serde_json::json!({
                "speaker": u.speaker,
                "start": round(u.start),
                "end": round(u.end),
                "text": u.text,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}
