//! Helpers shared by the format readers: decoding the bytes, splitting lines, character
//! references, cue-text markup, `Name: text` speaker prefixes and clock times.
//!
//! Everything here is hand-written byte/char scanning: it runs once per line of a
//! transcript, and a one-hour call must parse in well under a millisecond.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::model::{ParseError, Utterance};

/// Removes a leading UTF-8 byte order mark, which editors on Windows like to add.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Decodes UTF-8 strictly (after dropping a BOM): every format but WebVTT rejects invalid
/// bytes, naming the 1-based line of the first bad byte so the user can find it.
pub(crate) fn decode_strict(bytes: &[u8]) -> Result<&str, ParseError> {
    let bytes = strip_bom(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = line_of_offset(bytes, at);
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n' || b == b'\r')
            .map_or(0, |p| p + 1);
        ParseError::Malformed {
            line,
            reason: format!(
                "the file is not valid UTF-8 (byte 0x{:02X} at column {}); save it as UTF-8",
                bytes[at],
                at - line_start + 1
            ),
        }
    })
}

/// Decodes UTF-8 the way the W3C WebVTT parser does: invalid sequences and NUL become
/// U+FFFD, so a stray byte never loses a whole file.
pub(crate) fn decode_lossy(bytes: &[u8]) -> Cow<'_, str> {
    let text = utf8_lossy(strip_bom(bytes));
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        text
    }
}

/// `String::from_utf8_lossy`, but taking the much faster validating path first: almost every
/// transcript is valid UTF-8.
pub(crate) fn utf8_lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// 1-based line number of byte `offset`, counting CRLF, lone CR and LF as one line end each.
pub(crate) fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    let mut line = 1;
    for (i, &b) in bytes[..end].iter().enumerate() {
        match b {
            b'\n' => line += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
    }
    line
}

/// Splits text into lines at CRLF, lone CR or LF. Like `str::split('\n')` on normalised text,
/// a trailing line end yields a final empty line; index `i` is source line `i + 1`. A leading
/// BOM is dropped.
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() / 40 + 1);
    // `split('\n')` and `contains('\r')` run on memchr; CR is rare, so split on LF first.
    let mut segments = text.split('\n').peekable();
    while let Some(seg) = segments.next() {
        let is_last = segments.peek().is_none();
        // A CR right before an LF is part of a CRLF line end.
        let seg = match seg.strip_suffix('\r') {
            Some(stripped) if !is_last => stripped,
            _ => seg,
        };
        if seg.contains('\r') {
            out.extend(seg.split('\r'));
        } else {
            out.push(seg);
        }
    }
    out
}

/// Shows a line in an error message: quoted, escaped, and cut short if long.
pub(crate) fn show(line: &str) -> String {
    const MAX: usize = 60;
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &line[..cut]),
        None => format!("{line:?}"),
    }
}

/// Decodes the HTML character references transcript tools emit (`&amp;`, `&#233;`,
/// `&#xE9;` …). Anything that is not a valid reference is left exactly as written.
pub(crate) fn decode_char_refs(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find('&') else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut rest = &s[first..];
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // The longest reference we know is `&#x10FFFF;` / `&#1114111;` (10 bytes).
        let window = &rest.as_bytes()[1..rest.len().min(12)];
        let decoded = window
            .iter()
            .position(|&b| b == b';')
            .and_then(|semi| char_ref(&rest[1..1 + semi]).map(|c| (c, semi + 2)));
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a reference body (between `&` and `;`) stands for, if it is one we know.
fn char_ref(body: &str) -> Option<char> {
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let value = u32::from_str_radix(digits, radix).ok()?;
        return if value == 0 {
            None
        } else {
            char::from_u32(value)
        };
    }
    Some(match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201C}',
        "rdquo" => '\u{201D}',
        "hellip" => '\u{2026}',
        _ => return None,
    })
}

/// A cue payload with its markup removed: the first `<v Name>` voice, if any, and the text.
pub(crate) struct CueText {
    /// The annotation of the first voice tag, decoded and whitespace-normalised.
    pub voice: Option<String>,
    /// The text: tags removed, references decoded, lines trimmed and joined with a space.
    pub text: String,
}

/// Strips WebVTT/SRT markup from a cue payload (lines separated by `\n`): voice, class,
/// italic, bold, `<font …>` and timestamp tags, and `{\an8}`-style override blocks.
/// A `<` that does not open a tag (`I <3 it`) is kept as text.
pub(crate) fn clean_cue_text(payload: &str) -> CueText {
    if !payload.contains(['<', '{', '&', '\n']) {
        return CueText {
            voice: None,
            text: payload.trim().to_string(),
        };
    }
    let b = payload.as_bytes();
    let mut voice = None;
    let mut raw = String::with_capacity(payload.len());
    let mut seg = 0;
    let mut i = 0;
    while i < b.len() {
        let end = match b[i] {
            b'<' => tag_end(b, i),
            b'{' if b.get(i + 1) == Some(&b'\\') => block_end(b, i),
            _ => None,
        };
        match end {
            Some(end) => {
                raw.push_str(&payload[seg..i]);
                if b[i] == b'<' && voice.is_none() {
                    voice = voice_annotation(&payload[i + 1..end]);
                }
                i = end + 1;
                seg = i;
            }
            None => i += 1,
        }
    }
    raw.push_str(&payload[seg..]);
    let decoded = decode_char_refs(&raw);
    CueText {
        voice,
        text: join_lines(&decoded),
    }
}

/// Index of the `>` closing a tag that opens at `start`, when `<` really opens one: it must
/// be followed by a letter, a digit (timestamp tag) or `/`, and close before the next `<`.
fn tag_end(b: &[u8], start: usize) -> Option<usize> {
    let next = *b.get(start + 1)?;
    if !(next.is_ascii_alphanumeric() || next == b'/') {
        return None;
    }
    for (k, &c) in b[start + 1..].iter().enumerate() {
        match c {
            b'>' => return Some(start + 1 + k),
            b'<' => return None,
            _ => {}
        }
    }
    None
}

/// Index of the `}` closing an override block such as `{\an8}` that opens at `start`;
/// stops at the next `{` so that unclosed braces cost linear time.
fn block_end(b: &[u8], start: usize) -> Option<usize> {
    for (k, &c) in b[start + 1..].iter().enumerate() {
        match c {
            b'}' => return Some(start + 1 + k),
            b'{' => return None,
            _ => {}
        }
    }
    None
}

/// The speaker named by a `v` start tag body (`v Name`, `v.loud Name`), if `inner` is one.
fn voice_annotation(inner: &str) -> Option<String> {
    let rest = inner.strip_prefix('v')?;
    let name_end = rest
        .find(|c: char| c == '.' || c.is_ascii_whitespace())
        .unwrap_or(rest.len());
    if name_end != 0 {
        return None; // a longer tag name such as `<var>`
    }
    let after = &rest[name_end..];
    let annotation = match after.find(|c: char| c.is_ascii_whitespace()) {
        Some(ws) => &after[ws..],
        None => return None,
    };
    let words: Vec<&str> = annotation.split_ascii_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let joined = words.join(" ");
    let name = decode_char_refs(&joined);
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Trims each line and joins the non-empty ones with a single space.
pub(crate) fn join_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s.split('\n') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// Where a `Name: text` prefix ends: the byte index of the `:` that follows the name, when
/// the text before it is shaped like a name (see [`is_name_shaped`]).
pub(crate) fn prefix_candidate(text: &str, letter_start: bool) -> Option<usize> {
    // Names are short: only look at the first few hundred bytes.
    let b = text.as_bytes();
    let limit = b.len().min(256);
    let colon = (0..limit).find(|&k| b[k] == b':' && matches!(b.get(k + 1), Some(b' ' | b'\t')))?;
    is_name_shaped(&text[..colon], letter_start).then_some(colon)
}

/// Labels that diarizing tools put before a number for unnamed voices (`Speaker 1`).
const NUMBERED_LABELS: [&str; 8] = [
    "speaker",
    "participant",
    "person",
    "guest",
    "caller",
    "interviewer",
    "interviewee",
    "unknown speaker",
];

/// Whether `name` looks like a speaker name: 1–5 words, at most 50 characters, none of
/// `.?!,;:` and no word made only of digits (so `at 10: …` is not a speaker), except the
/// numbered labels transcription tools give unnamed voices (`Speaker 1`, `Guest 2`). With
/// `letter_start`, it must also begin with a letter.
pub(crate) fn is_name_shaped(name: &str, letter_start: bool) -> bool {
    let name = name.trim();
    if let Some((label, number)) = name.rsplit_once(' ') {
        let label = label.trim_end();
        if !number.is_empty()
            && number.len() <= 3
            && number.bytes().all(|b| b.is_ascii_digit())
            && NUMBERED_LABELS
                .iter()
                .any(|l| l.eq_ignore_ascii_case(label))
        {
            return true;
        }
    }
    is_plain_name(name, letter_start)
}

/// [`is_name_shaped`] without the numbered-label exception.
fn is_plain_name(name: &str, letter_start: bool) -> bool {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 || name.chars().count() > 50 {
        return false;
    }
    if name.contains(['?', '!', ',', ';', ':']) {
        return false;
    }
    // A full stop only ends a title or an initial (`Dr. Kavitha Rao`, `Priya R.`), so a
    // sentence before a colon (`Yes. Note: …`) is still not a name.
    if name.contains('.') && !name.split_whitespace().all(abbreviation_or_word) {
        return false;
    }
    if letter_start && !name.chars().next().is_some_and(char::is_alphabetic) {
        return false;
    }
    let mut words = 0;
    for w in name.split_whitespace() {
        words += 1;
        if words > 5 || w.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    words >= 1
}

/// A word of a name: no full stop, or a title or an initial ending in one.
fn abbreviation_or_word(w: &str) -> bool {
    const TITLES: [&str; 10] = [
        "Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "Sr", "Jr", "St", "Fr",
    ];
    match w.strip_suffix('.') {
        None => !w.contains('.'),
        Some(stem) => {
            TITLES.contains(&stem)
                || (stem.chars().count() == 1 && stem.chars().all(char::is_uppercase))
        }
    }
}

/// An utterance before `Name: text` prefixes are resolved: `prefix` is the byte index of the
/// colon of a name-shaped prefix in `utt.text`.
pub(crate) struct Draft {
    pub utt: Utterance,
    pub prefix: Option<usize>,
}

impl Draft {
    /// A draft whose text may start with a `Name: ` prefix.
    pub(crate) fn new(utt: Utterance, letter_start: bool) -> Draft {
        let prefix = if utt.speaker.is_none() {
            prefix_candidate(&utt.text, letter_start)
        } else {
            None
        };
        Draft { utt, prefix }
    }
}

/// Turns name-shaped prefixes into speakers: a prefix is a speaker when it starts with an
/// uppercase letter or appears on at least two utterances of the file. This keeps Zoom's
/// continuation cues (`up: what systems do you need connected?`) whole.
pub(crate) fn resolve_prefixes(drafts: Vec<Draft>) -> Vec<Utterance> {
    fn name_of(d: &Draft) -> Option<&str> {
        d.prefix.map(|p| d.utt.text[..p].trim())
    }
    let needs_count = |n: &str| !n.chars().next().is_some_and(char::is_uppercase);
    let accepted: Vec<bool> = {
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for d in &drafts {
            if let Some(n) = name_of(d).filter(|n| needs_count(n)) {
                *counts.entry(n).or_default() += 1;
            }
        }
        drafts
            .iter()
            .map(|d| {
                name_of(d)
                    .is_some_and(|n| !needs_count(n) || counts.get(n).copied().unwrap_or(0) >= 2)
            })
            .collect()
    };
    drafts
        .into_iter()
        .zip(accepted)
        .map(|(mut d, ok)| {
            if let (true, Some(p)) = (ok, d.prefix) {
                let text = &mut d.utt.text;
                d.utt.speaker = Some(text[..p].trim().to_string());
                // The text is already trimmed at the end; drop the prefix in place.
                let rest = p + 1 + (text.len() - p - 1 - text[p + 1..].trim_start().len());
                text.replace_range(..rest, "");
            }
            d.utt
        })
        .collect()
}

/// Reads a run of ASCII digits at the start of `s`: (value, digit count). The value
/// saturates instead of overflowing.
pub(crate) fn digits(s: &[u8]) -> (u64, usize) {
    let mut value: u64 = 0;
    let mut n = 0;
    while n < s.len() && s[n].is_ascii_digit() {
        value = value
            .saturating_mul(10)
            .saturating_add(u64::from(s[n] - b'0'));
        n += 1;
    }
    (value, n)
}

/// Parses a clock time as people write it in plain transcripts, Otter headers and JSON:
/// `h:mm:ss` or `m:ss`, with an optional `.fff` or `,fff` fraction. The first field may
/// have 1–3 digits (2 when hours are present); minutes and seconds are two digits ≤ 59.
pub(crate) fn parse_clock(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (first, n1) = digits(b);
    if n1 == 0 || n1 > 3 || b.get(n1) != Some(&b':') {
        return None;
    }
    let mut pos = n1 + 1;
    let (second, n2) = digits(&b[pos..]);
    if n2 != 2 || second > 59 {
        return None;
    }
    pos += 2;
    let mut secs = first as f64 * 60.0 + second as f64;
    if b.get(pos) == Some(&b':') {
        let (third, n3) = digits(&b[pos + 1..]);
        if n1 > 2 || n3 != 2 || third > 59 {
            return None;
        }
        pos += 3;
        secs = first as f64 * 3600.0 + second as f64 * 60.0 + third as f64;
    }
    if matches!(b.get(pos), Some(b'.' | b',')) {
        let (frac, nf) = digits(&b[pos + 1..]);
        if nf == 0 || nf > 9 {
            return None;
        }
        secs += frac as f64 / 10f64.powi(nf as i32);
        pos += 1 + nf;
    }
    (pos == b.len()).then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_refs() {
        let cases = [
            ("plain", "plain"),
            ("B&#233;n", "Bén"),
            ("B&#xE9;n &#XE9;", "Bén é"),
            ("Jos&#237;", "Josí"),
            (
                "a &amp; b &lt;i&gt; &quot;q&quot; &apos;",
                "a & b <i> \"q\" '",
            ),
            ("x&nbsp;y&lrm;&rlm;", "x\u{A0}y\u{200E}\u{200F}"),
            (
                "AT&T &; &#; &#x; &#xZZ; &bogus; &#0; &#xD800; &#1114112;",
                "AT&T &; &#; &#x; &#xZZ; &bogus; &#0; &#xD800; &#1114112;",
            ),
            ("&&amp;", "&&"),
            ("trailing &", "trailing &"),
            ("&#233", "&#233"),
            ("é&amp;é", "é&é"),
        ];
        for (input, want) in cases {
            assert_eq!(decode_char_refs(input), want, "input {input:?}");
        }
    }

    #[test]
    fn lines() {
        let cases: [(&str, &[&str]); 6] = [
            ("", &[""]),
            ("a", &["a"]),
            ("a\n", &["a", ""]),
            ("a\r\nb\rc\nd", &["a", "b", "c", "d"]),
            ("\r\r\n\n", &["", "", "", ""]),
            ("é\r\n", &["é", ""]),
        ];
        for (input, want) in cases {
            assert_eq!(split_lines(input), want, "input {input:?}");
        }
    }

    #[test]
    fn strict_utf8_names_the_line() {
        let cases: [(&[u8], usize); 5] = [
            (b"\xff", 1),
            (b"a\nb\n\xffc", 3),
            (b"a\r\nb\r\n\xc3", 3),
            (b"a\rb\r\r\xe2\x82", 4),
            (b"\xEF\xBB\xBFok\n\x80", 2),
        ];
        for (input, line) in cases {
            match decode_strict(input) {
                Err(ParseError::Malformed { line: l, reason }) => {
                    assert_eq!(l, line, "input {input:?}");
                    assert!(reason.contains("UTF-8"), "{reason}");
                }
                other => panic!("{input:?}: {other:?}"),
            }
        }
        assert_eq!(decode_strict(b"\xEF\xBB\xBFok").unwrap(), "ok");
    }

    #[test]
    fn cue_text() {
        let cases = [
            (
                "<v Kai Tanaka>Hi there.</v>",
                Some("Kai Tanaka"),
                "Hi there.",
            ),
            ("<v.loud.first Esme>It's blue!", Some("Esme"), "It's blue!"),
            ("<v  B&#233;n   Ortiz >Hola</v>", Some("Bén Ortiz"), "Hola"),
            (
                "<v Ann>first line\nsecond line</v>",
                Some("Ann"),
                "first line second line",
            ),
            (
                "<i>italic</i> and <b>bold</b> <c.yellow>c</c>",
                None,
                "italic and bold c",
            ),
            ("<00:00:01.000>timed <u>u</u>", None, "timed u"),
            ("<font color=\"#ff0000\">red</font>", None, "red"),
            ("{\\an8}top", None, "top"),
            ("I <3 it & x < y", None, "I <3 it & x < y"),
            ("&lt;v Fake&gt; text", None, "<v Fake> text"),
            ("<var>x</var>", None, "x"),
            ("<v>no name", None, "no name"),
            ("<v Ann>hi</v> <v Bob>yo</v>", Some("Ann"), "hi yo"),
            ("  spaced  \n\n   ", None, "spaced"),
            ("<v Ann", None, "<v Ann"),
        ];
        for (input, voice, text) in cases {
            let c = clean_cue_text(input);
            assert_eq!(c.voice.as_deref(), voice, "input {input:?}");
            assert_eq!(c.text, text, "input {input:?}");
        }
    }

    #[test]
    fn name_shapes() {
        let long = "x".repeat(51);
        let cases = [
            ("Andrew Knight", true),
            ("José", true),
            ("up", true),
            ("A B C D E", true),
            ("A B C D E F", false),
            ("Dr. Smith", true),
            ("Priya R.", true),
            ("Yes. Note", false),
            ("Okay. So", false),
            ("Dr.Smith", false),
            ("e.g. this", false),
            ("Ana M. Ruiz", true),
            ("Ok. So", false),
            ("Priya r.", false),
            ("Priya R.R.", false),
            ("SPEAKER_00", true),
            ("Unknown Speaker", true),
            ("Well, yes", false),
            ("at 10", false),
            ("Speaker 1", true),
            ("speaker 12", true),
            ("Unknown Speaker 2", true),
            ("Guest 1234", false),
            ("Speaker 1 2", false),
            ("Meeting 1", false),
            ("", false),
            ("12:30", false),
            (long.as_str(), false),
        ];
        for (name, want) in cases {
            assert_eq!(is_name_shaped(name, false), want, "name {name:?}");
        }
        assert!(!is_name_shaped("[Music]", true));
        assert!(is_name_shaped("[Music]", false));
    }

    #[test]
    fn clocks() {
        let cases = [
            ("0:03", Some(3.0)),
            ("12:45", Some(765.0)),
            ("1:02:03", Some(3723.0)),
            ("01:02:03.5", Some(3723.5)),
            ("00:00:01,250", Some(1.25)),
            ("100:00", Some(6000.0)),
            ("0:60", None),
            ("1:2", None),
            ("100:00:00", None),
            ("1:00:", None),
            ("1:00.", None),
            ("abc", None),
            ("", None),
            ("1:00x", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_clock(input), want, "input {input:?}");
        }
    }
}
