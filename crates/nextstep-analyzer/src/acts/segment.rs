//! Sentence boundaries in text a speech recogniser wrote without punctuation or capitals.
//!
//! Why learned: "so what does the rollout look like and can you send me the pricing by
//! friday" holds two sentences, and only the words say where one ends. A small linear
//! model reads the words either side of every gap (discourse markers like "so" and
//! "anyway", a pronoun and verb starting a clause, a question word) and says whether a
//! sentence ends there, and whether the sentence that ends is a question. It is trained
//! from the corpus' punctuated sentences with their punctuation stripped, in the same
//! `nextstep train` run as the act model, and stored in the same file.

use super::corpus::{Example, Style};
use super::features;
use super::weights::{SideWeights, sigmoid};

/// Heads of the segmenter: a sentence ends at this gap; the sentence ending here is a
/// question.
pub(crate) const HEADS: usize = 2;

/// Words either side of a gap that the features look at.
const REACH: usize = 3;

/// A word of the original text: where it is, and its normalised form.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    pub norm: String,
}

/// The words of `text` with their byte ranges; fillers are kept (they belong to the
/// sentence's text) but marked by an empty normal form.
pub(crate) fn words_of(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start = None;
    let flush = |out: &mut Vec<Word>, s: usize, e: usize, buf: &mut String| {
        let w = buf.trim_matches('\'').to_string();
        buf.clear();
        if !w.is_empty() {
            let norm = if features::is_filler(&w) {
                String::new()
            } else {
                w
            };
            out.push(Word {
                start: s,
                end: e,
                norm,
            });
        }
    };
    for (i, c) in text.char_indices() {
        let keep = c.is_alphanumeric() || matches!(c, '\'' | '\u{2019}');
        if keep {
            if start.is_none() {
                start = Some(i);
            }
            if c == '\u{2019}' {
                buf.push('\'');
            } else {
                buf.extend(c.to_lowercase());
            }
        } else if let Some(s) = start.take() {
            flush(&mut out, s, i, &mut buf);
        }
    }
    if let Some(s) = start {
        flush(&mut out, s, text.len(), &mut buf);
    }
    out
}

/// The hashed features of the gap before word `i` (`i == words.len()`: the end).
pub(crate) fn gap_features(bits: u8, words: &[&str], i: usize, out: &mut Vec<u32>) {
    out.clear();
    let at = |k: isize| -> &str {
        let j = i as isize + k;
        if j < 0 {
            "<s>"
        } else {
            words.get(j as usize).copied().unwrap_or("</s>")
        }
    };
    let h = |family: u8, parts: &[&str]| features::bucket(bits, family, parts);
    for k in 1..=REACH as isize {
        out.push(h(20 + k as u8, &[at(-k)]));
        out.push(h(24 + k as u8, &[at(k - 1)]));
    }
    out.push(h(30, &[at(-2), at(-1)]));
    out.push(h(31, &[at(0), at(1)]));
    out.push(h(32, &[at(-1), at(0)]));
    out.push(h(33, &[at(-1), at(0), at(1)]));
    out.push(h(36, &[at(-2), at(-1), at(0)]));
    out.push(h(37, &[at(-1), at(1)]));
    out.push(h(34, &[]));
    // How far the sentence has run: long runs end sooner.
    let run = i.min(40) / 4;
    out.push(h(35, &[&run.to_string()]));
    out.sort_unstable();
    out.dedup();
}

/// One piece of unpunctuated text the segmenter cut: byte range and whether it reads as
/// a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    pub start: usize,
    pub end: usize,
    pub question: bool,
}

/// Cuts `text` (no sentence punctuation) into sentences with the trained weights.
pub(crate) fn segment(w: &SideWeights, bits: u8, threshold: f32, text: &str) -> Vec<Piece> {
    let all = words_of(text);
    // Features read the words without fillers; keep where each kept word sits.
    let kept: Vec<usize> = (0..all.len())
        .filter(|&i| !all[i].norm.is_empty())
        .collect();
    let norms: Vec<&str> = kept.iter().map(|&i| all[i].norm.as_str()).collect();
    let mut pieces = Vec::new();
    if norms.is_empty() {
        return pieces;
    }
    let mut feats = Vec::new();
    let mut logits = [0f32; HEADS];
    let mut begin = 0usize; // index into `kept` where the current sentence starts
    for i in 1..=norms.len() {
        gap_features(bits, &norms[begin..], i - begin, &mut feats);
        w.logits(&feats, &[], &mut logits);
        let ends = i == norms.len() || sigmoid(logits[0]) >= threshold;
        if ends {
            let first = if begin == 0 { 0 } else { kept[begin] };
            let last = if i == norms.len() {
                all.len() - 1
            } else {
                kept[i] - 1
            };
            pieces.push(Piece {
                start: all[first].start,
                end: all[last].end,
                question: logits[1] > 0.0,
            });
            begin = i;
        }
    }
    // Leading text before the first word (rare) and fillers are part of the pieces; the
    // last piece runs to the end of the text so no word is lost.
    if let Some(last) = pieces.last_mut() {
        last.end = text.trim_end().len().max(last.end);
    }
    if let Some(first) = pieces.first_mut() {
        first.start = 0;
    }
    pieces
}

/// The training sequences: punctuated texts of the corpus, punctuation stripped, with
/// where their sentences ended and which were questions. Besides the turns as written,
/// consecutive corpus sentences are chained into runs of two to four, as a recogniser
/// runs sentences together: most corpus lines hold one sentence, and a sentence's end
/// is learnt from what ends one sentence and starts the next.
pub(crate) fn sequences(examples: &[&Example]) -> Vec<(Vec<String>, Vec<bool>, Vec<bool>)> {
    let mut seen = std::collections::HashSet::new();
    let mut texts: Vec<Vec<&str>> = Vec::new();
    let punctuated: Vec<&Example> = examples
        .iter()
        .copied()
        .filter(|e| e.style != Some(Style::Asr))
        .collect();
    for e in &punctuated {
        for t in &e.context {
            if seen.insert(t.text.as_str()) {
                texts.push(vec![t.text.as_str()]);
            }
        }
    }
    const RUNS: [usize; 4] = [2, 3, 1, 4];
    let mut at = 0;
    let mut k = 0;
    while at < punctuated.len() {
        let n = RUNS[k % RUNS.len()].min(punctuated.len() - at);
        texts.push(
            punctuated[at..at + n]
                .iter()
                .map(|e| e.text.as_str())
                .collect(),
        );
        at += n;
        k += 1;
    }
    let mut out = Vec::new();
    for parts in texts {
        let mut words = Vec::new();
        let mut ends = Vec::new();
        let mut questions = Vec::new();
        for text in parts {
            for s in crate::sentence::split_sentences(text) {
                let ws: Vec<String> = words_of(s)
                    .into_iter()
                    .filter(|w| !w.norm.is_empty())
                    .map(|w| w.norm)
                    .collect();
                if ws.is_empty() {
                    continue;
                }
                let question = s.trim_end_matches(['"', ')', '\'']).ends_with('?');
                let n = ws.len();
                words.extend(ws);
                ends.extend(std::iter::repeat_n(false, n - 1));
                ends.push(true);
                questions.extend(std::iter::repeat_n(false, n - 1));
                questions.push(question);
            }
        }
        if !words.is_empty() {
            out.push((words, ends, questions));
        }
    }
    out
}

/// How well the segmenter finds sentence ends in punctuated texts it never saw, read
/// with their punctuation and case stripped: (precision, recall, F1) over word gaps.
pub(crate) fn boundary_scores(
    w: &SideWeights,
    bits: u8,
    threshold: f32,
    examples: &[&Example],
) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (words, ends, _) in sequences(examples) {
        let text = words.join(" ");
        let mut got = vec![false; words.len()];
        // Map each piece's end back to its last word.
        let mut offset = 0;
        let starts: Vec<usize> = words
            .iter()
            .map(|wd| {
                let s = offset;
                offset += wd.len() + 1;
                s
            })
            .collect();
        for p in segment(w, bits, threshold, &text) {
            if let Some(last) = starts.iter().rposition(|&s| s < p.end) {
                got[last] = true;
            }
        }
        // The text's own end is not a decision.
        for i in 0..words.len().saturating_sub(1) {
            match (ends[i], got[i]) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f1)
}

/// The decision threshold with the best boundary F1 on `dev`.
pub(crate) fn tune_threshold(w: &SideWeights, bits: u8, dev: &[&Example]) -> f32 {
    let mut best = (0.5f32, -1.0f64);
    for step in 0..=14 {
        let t = 0.15 + 0.05 * step as f32;
        let (_, _, f1) = boundary_scores(w, bits, t, dev);
        if f1 > best.1 + 1e-9 {
            best = (t, f1);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_places_and_mark_fillers() {
        let w = words_of("um So we’ll send it");
        let got: Vec<(&str, &str)> = w
            .iter()
            .map(|w| (&"um So we’ll send it"[w.start..w.end], w.norm.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("um", ""),
                ("So", "so"),
                ("we’ll", "we'll"),
                ("send", "send"),
                ("it", "it")
            ]
        );
    }
}
