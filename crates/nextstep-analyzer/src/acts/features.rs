//! A sentence (and the turn before it) as the model sees it: hashed sparse features —
//! word uni-, bi- and trigrams, the sentence's first and last words, the other side's
//! last words, the lexicon's cues — and, optionally, the word pieces whose pretrained
//! vectors give a dense part.
//!
//! Every word is hashed once; n-grams combine word hashes, so a sentence costs a pass
//! over its bytes and a few integer mixes per word.
//!
//! Speech-recogniser text is read like punctuated text: words are lower-cased, fillers
//! ("um", "uh") dropped and stutters ("we we were") collapsed before anything is counted.

use serde::{Deserialize, Serialize};

/// Which feature families a model uses; stored in the model so scoring matches training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// log2 of the number of hash buckets.
    pub bits: u8,
    /// Word trigrams as well as uni- and bigrams.
    pub trigrams: bool,
    /// The other side's last words before the sentence.
    pub context: bool,
    /// Leading dimensions of the pretrained token vectors used (0: none).
    pub embed_dims: usize,
    /// The lexicon's cues in the sentence (which lists matched, whether a step frame
    /// governs a kind, whether a guard spoke): what the rules already know, weighed by
    /// the model instead of obeyed.
    #[serde(default)]
    pub cues: bool,
}

/// What was said before a sentence, as far as the model looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The other side's most recent turn.
    pub other: Option<&'a str>,
    /// The sentence is not the first of its speaker's turn.
    pub mid_turn: bool,
    /// Codes of the lexicon cues the sentence fired (see `sentence::cue_codes`).
    pub cues: &'a [u8],
}

/// Words nobody means: dropped before features are counted.
const FILLERS: [&str; 8] = ["um", "uh", "umm", "uhh", "erm", "er", "uhm", "ehm"];

/// Whether a (lower-cased) word is a filler nobody means.
pub(crate) fn is_filler(word: &str) -> bool {
    FILLERS.contains(&word)
}

/// The bucket of a feature made of a family byte and its parts.
pub(crate) fn bucket(bits: u8, family: u8, parts: &[&str]) -> u32 {
    let mut h = Hasher::new(family);
    for p in parts {
        h.bytes(p.as_bytes());
    }
    h.bucket(bits)
}

/// How many of the other side's last words the context features look at.
const CONTEXT_WORDS: usize = 24;

/// Lower-cases `text` into `buf` (apostrophes kept inside words, everything else that is
/// not a letter or digit a space) and returns its words, fillers dropped and immediate
/// repeats collapsed. Returns whether the text holds a question mark.
pub(crate) fn words<'b>(text: &str, buf: &'b mut String) -> (Vec<&'b str>, bool) {
    buf.clear();
    buf.reserve(text.len());
    let mut question = false;
    for c in text.chars() {
        match c {
            'a'..='z' | '0'..='9' => buf.push(c),
            'A'..='Z' => buf.push(c.to_ascii_lowercase()),
            '\'' | '\u{2019}' | '\u{2018}' => buf.push('\''),
            '?' => {
                question = true;
                buf.push(' ');
            }
            c if !c.is_ascii() && c.is_alphanumeric() => buf.extend(c.to_lowercase()),
            _ => buf.push(' '),
        }
    }
    let mut out: Vec<&str> = Vec::with_capacity(buf.len() / 5 + 1);
    for w in buf.split_ascii_whitespace() {
        let w = w.trim_matches('\'');
        if w.is_empty() || FILLERS.contains(&w) || out.last() == Some(&w) {
            continue;
        }
        out.push(w);
    }
    (out, question)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// splitmix64's finaliser: spreads every input bit over the output.
fn spread(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Two hashes in order as one.
fn pair(a: u64, b: u64) -> u64 {
    spread(a.rotate_left(17) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The bucket of a hash within a feature family.
fn slot(h: u64, family: u8, bits: u8) -> u32 {
    (spread(h ^ u64::from(family).wrapping_mul(0xd6e8_feb8_6659_fd93)) >> (64 - u32::from(bits)))
        as u32
}

/// The words of `text` as hashes, lower-cased, with apostrophes kept inside words,
/// fillers dropped and immediate repeats collapsed (the same words [`words`] returns);
/// and whether the text holds a question mark. Hashes as it reads: no word is copied.
pub(crate) fn word_hashes(text: &str, out: &mut Vec<u64>) -> bool {
    /// The word being read: its hash so far, length, apostrophes not yet known to be
    /// inside the word, and its first bytes (to recognise fillers).
    struct Word {
        h: u64,
        len: usize,
        apostrophes: usize,
        head: [u8; 4],
    }
    impl Word {
        fn new() -> Word {
            Word {
                h: FNV_OFFSET,
                len: 0,
                apostrophes: 0,
                head: [0; 4],
            }
        }
        fn byte(&mut self, b: u8) {
            if self.len > 0 {
                // An apostrophe counts once a letter follows it ("don't"), never at the
                // word's edges ("'quoted'").
                for _ in 0..self.apostrophes {
                    self.push(b'\'');
                }
            }
            self.apostrophes = 0;
            self.push(b);
        }
        fn push(&mut self, b: u8) {
            if let Some(slot) = self.head.get_mut(self.len) {
                *slot = b;
            }
            self.len += 1;
            self.h = (self.h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
        fn is_filler(&self) -> bool {
            self.len <= 4
                && FILLERS
                    .iter()
                    .any(|f| f.as_bytes() == &self.head[..self.len])
        }
    }
    out.clear();
    let mut question = false;
    let mut w = Word::new();
    let finish = |w: &mut Word, out: &mut Vec<u64>| {
        if w.len > 0 && !w.is_filler() && out.last() != Some(&w.h) {
            out.push(w.h);
        }
        *w = Word::new();
    };
    let mut utf8 = [0u8; 4];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            match b {
                b'a'..=b'z' | b'0'..=b'9' => w.byte(b),
                b'A'..=b'Z' => w.byte(b.to_ascii_lowercase()),
                b'\'' => w.apostrophes += 1,
                _ => {
                    question |= b == b'?';
                    finish(&mut w, out);
                }
            }
            i += 1;
            continue;
        }
        // A multi-byte character: decode it (the text is valid UTF-8).
        let c = text[i..].chars().next().unwrap_or(' ');
        i += c.len_utf8();
        match c {
            '\u{2019}' | '\u{2018}' => w.apostrophes += 1,
            c if c.is_alphanumeric() => {
                for l in c.to_lowercase() {
                    for &b in l.encode_utf8(&mut utf8).as_bytes() {
                        w.byte(b);
                    }
                }
            }
            _ => finish(&mut w, out),
        }
    }
    finish(&mut w, out);
    question
}

/// FNV-1a over a feature's family byte and its parts.
struct Hasher(u64);

impl Hasher {
    fn new(family: u8) -> Hasher {
        let mut h = Hasher(0xcbf2_9ce4_8422_2325);
        h.byte(family);
        h
    }
    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }
    fn bytes(&mut self, s: &[u8]) -> &mut Hasher {
        for &b in s {
            self.byte(b);
        }
        self.byte(0xff);
        self
    }
    fn bucket(&self, bits: u8) -> u32 {
        // Fold the high bits in: FNV's low bits alone mix poorly.
        let h = self.0 ^ (self.0 >> 29) ^ (self.0 >> 43);
        (h & ((1u64 << bits) - 1)) as u32
    }
}

fn length_class(n: usize) -> u8 {
    match n {
        0..=1 => 0,
        2 => 1,
        3 => 2,
        4..=6 => 3,
        7..=12 => 4,
        13..=25 => 5,
        _ => 6,
    }
}

/// The context features of one stretch the other side said, kept while the sentences
/// answering it are scored: a turn's sentences all look back at the same words.
#[derive(Debug, Default)]
///
/// The cache knows a text by its address and length, so it must not outlive the texts
/// it was asked about: every user keeps one per call (or per training run) whose texts
/// all stay borrowed until it is dropped.
pub(crate) struct ContextCache {
    at: (usize, usize),
    buckets: Vec<u32>,
    hashes: Vec<u64>,
}

impl ContextCache {
    fn buckets(&mut self, bits: u8, other: &str) -> &[u32] {
        let at = (other.as_ptr() as usize, other.len());
        if self.buckets.is_empty() || self.at != at {
            self.at = at;
            self.buckets.clear();
            let question = word_hashes(other, &mut self.hashes);
            let from = self.hashes.len().saturating_sub(CONTEXT_WORDS);
            for &h in &self.hashes[from..] {
                self.buckets.push(slot(h, 10, bits));
            }
            if question {
                self.buckets.push(slot(0, 11, bits));
            }
            self.buckets.push(slot(0, 15, bits));
        }
        &self.buckets
    }
}

/// The hashed sparse features of one sentence (its word hashes, from [`word_hashes`]); a
/// feature met twice counts twice.
pub(crate) fn sparse(
    cfg: &FeatureConfig,
    w: &[u64],
    question: bool,
    ctx: &Context<'_>,
    cache: &mut ContextCache,
    out: &mut Vec<u32>,
) {
    out.clear();
    let bits = cfg.bits;
    for (i, &h) in w.iter().enumerate() {
        out.push(slot(h, 1, bits));
        if let Some(&next) = w.get(i + 1) {
            let bigram = pair(h, next);
            out.push(slot(bigram, 2, bits));
            if cfg.trigrams
                && let Some(&third) = w.get(i + 2)
            {
                out.push(slot(pair(bigram, third), 3, bits));
            }
        }
    }
    if let Some(&first) = w.first() {
        out.push(slot(first, 5, bits));
        if let Some(&second) = w.get(1) {
            out.push(slot(pair(first, second), 6, bits));
        }
    }
    if let Some(&last) = w.last() {
        out.push(slot(last, 7, bits));
    }
    if question {
        out.push(slot(0, 8, bits));
    }
    out.push(slot(u64::from(length_class(w.len())), 9, bits));
    if cfg.context {
        match ctx.other {
            Some(other) => out.extend_from_slice(cache.buckets(bits, other)),
            None => out.push(slot(0, 12, bits)),
        }
        if ctx.mid_turn {
            out.push(slot(0, 13, bits));
        }
    }
    if cfg.cues {
        for &c in ctx.cues {
            out.push(slot(u64::from(c), 14, bits));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_fillers_and_stutters() {
        let cases: &[(&str, &[&str], bool)] = &[
            (
                "Um, we we were gonna—uh—send it?",
                &["we", "were", "gonna", "send", "it"],
                true,
            ),
            (
                "I’ll SEND the quote.",
                &["i'll", "send", "the", "quote"],
                false,
            ),
            ("'quoted' words", &["quoted", "words"], false),
            ("", &[], false),
        ];
        for (text, want, q) in cases {
            let mut buf = String::new();
            let (got, question) = words(text, &mut buf);
            assert_eq!(got, *want, "{text:?}");
            assert_eq!(question, *q, "{text:?}");
        }
    }

    #[test]
    fn word_hashes_read_the_same_words_as_words() {
        let texts = [
            "Um, we we were gonna—uh—send it?",
            "I’ll SEND the 'quote' now.",
            "Können Sie das schicken",
            "",
        ];
        for text in texts {
            let mut buf = String::new();
            let (w, q1) = words(text, &mut buf);
            let mut hashes = Vec::new();
            let q2 = word_hashes(text, &mut hashes);
            assert_eq!(q1, q2, "{text:?}");
            assert_eq!(w.len(), hashes.len(), "{text:?}");
            // Same words, same hashes: a word's hash is FNV-1a of its text.
            for (word, h) in w.iter().zip(&hashes) {
                let mut want = FNV_OFFSET;
                for &b in word.as_bytes() {
                    want = (want ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                }
                assert_eq!(*h, want, "{word:?} in {text:?}");
            }
        }
    }

    #[test]
    fn punctuation_and_case_do_not_change_the_words() {
        let cfg = FeatureConfig {
            bits: 18,
            trigrams: true,
            context: true,
            embed_dims: 0,
            cues: false,
        };
        let (mut ha, mut hb) = (Vec::new(), Vec::new());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let ctx = Context::default();
        let mut cache = ContextCache::default();
        let qa = word_hashes("Honestly, I don't see the value.", &mut ha);
        let qb = word_hashes("honestly i don't see the value", &mut hb);
        sparse(&cfg, &ha, qa, &ctx, &mut cache, &mut a);
        sparse(&cfg, &hb, qb, &ctx, &mut cache, &mut b);
        assert!(!a.is_empty());
        assert_eq!(a, b);
    }
}
