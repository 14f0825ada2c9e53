//! Fitting an act model to labelled sentences, and scoring one on held-out sentences.
//!
//! Training is deterministic (a seeded shuffle, AdaGrad, L2), so the shipped model can be
//! checked against a fresh run. It is fitted on the train split (plus a team's own
//! lines), its decision thresholds are tuned on the dev split, and it is only ever scored
//! on the test split.

use std::fmt::Write as _;

use sha2::Digest;

use super::corpus::{Example, Sampling, Style};
use super::embed::{Embeddings, SHIPPED_SHA256};
use super::features::{self, Context, FeatureConfig};
use super::model::{ActModel, ActScores, ModelInfo, Scratch, dense_features};
use super::weights::{SideWeights, sigmoid, softmax};
use super::{Act, KINDS, NEGATIVE_HEAD, binary_heads, segment};
use crate::Rules;
use crate::model::{Kind, Side};

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Feature families.
    pub features: FeatureConfig,
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad's base step.
    pub learning_rate: f32,
    /// L2 penalty per update.
    pub l2: f32,
    /// Buckets seen in fewer training sentences are dropped (keeps the model small).
    pub min_count: u32,
    /// Shuffle seed.
    pub seed: u64,
    /// How often the rules must be able to trust an act the model fires, in calls. 0.7
    /// rather than 0.8: the rules already guard each verdict (windows, supersession,
    /// the lexicon's guards), and at 0.8 most negative signals in fresh calls stayed
    /// below their thresholds, so most bail-outs were missed.
    pub precision_target: f32,
    /// Stricter targets for acts with many chances to misfire in a call: every
    /// discovery question could pass for an open ask, and one false ask flips the
    /// call's `asked`; a false negative signal matters only right before an offer.
    pub strict_acts: Vec<(Act, f32)>,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            features: FeatureConfig {
                bits: 18,
                trigrams: false,
                context: true,
                embed_dims: 0,
                cues: true,
            },
            epochs: 12,
            learning_rate: 0.05,
            l2: 1e-5,
            min_count: 2,
            seed: 0x5eed_ac75,
            precision_target: 0.7,
            strict_acts: vec![
                (Act::AskNextStep, 0.95),
                (Act::NameDifficulty, 0.9),
                (Act::Disqualify, 0.9),
            ],
        }
    }
}

/// Training lines from one source, with how much each line counts.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// File name, recorded in the model.
    pub name: String,
    /// Its lines.
    pub examples: &'a [Example],
    /// Weight of each line in the loss (a team's own lines may count more).
    pub weight: f32,
    /// How the lines were chosen: whole passages also say how often each act occurs.
    pub sampling: Sampling,
}

/// An example turned into the numbers the model reads.
struct Encoded {
    sparse: Vec<u32>,
    dense: Vec<f32>,
    acts: Vec<usize>,
    kind: Option<usize>,
    weight: f32,
}

/// The context a corpus line gives, as the model reads it: the other side's latest turn,
/// and whether the line continues its speaker's turn.
pub fn context_of<'e>(ex: &'e Example, cues: &'e [u8]) -> Context<'e> {
    Context {
        cues,
        other: ex
            .context
            .iter()
            .rev()
            .find(|t| t.side != ex.side)
            .map(|t| t.text.as_str()),
        mid_turn: ex.context.last().is_some_and(|t| t.side == ex.side),
    }
}

/// The default lexicon, whose cues the model reads as features (no act model attached).
fn default_lexicon() -> Rules {
    Rules::compile(crate::RuleSet::defaults()).expect("the default rules compile")
}

/// xorshift64*: a fixed, dependency-free shuffle.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// idf of every word piece over the training sentences, quantised as the model stores it.
fn idf_table(emb: &Embeddings, texts: &[&str]) -> Vec<u8> {
    let mut df = vec![0u32; emb.len()];
    let (mut buf, mut key, mut pieces) = (String::new(), String::new(), Vec::new());
    for text in texts {
        pieces.clear();
        let (words, _) = features::words(text, &mut buf);
        for w in words {
            emb.pieces(w, &mut key, &mut pieces);
        }
        pieces.sort_unstable();
        pieces.dedup();
        for &p in &pieces {
            df[p as usize] += 1;
        }
    }
    let n = texts.len() as f32;
    df.iter()
        .map(|&d| {
            let idf = ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0;
            (idf * 16.0).round().clamp(1.0, 255.0) as u8
        })
        .collect()
}

/// Dense AdaGrad weights of one side while training.
pub(crate) struct Fitting {
    heads: usize,
    w: Vec<f32>,
    g: Vec<f32>,
    bias: Vec<f32>,
    gb: Vec<f32>,
    dense: Vec<f32>,
    gd: Vec<f32>,
}

impl Fitting {
    pub(crate) fn new(bits: u8, heads: usize, dims: usize) -> Fitting {
        let size = (1usize << bits) * heads;
        Fitting {
            heads,
            w: vec![0.0; size],
            g: vec![0.0; size],
            bias: vec![0.0; heads],
            gb: vec![0.0; heads],
            dense: vec![0.0; dims * heads],
            gd: vec![0.0; dims * heads],
        }
    }

    fn logits(&self, e: &Encoded, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for &b in &e.sparse {
            let row = &self.w[b as usize * self.heads..][..self.heads];
            for (o, &w) in out.iter_mut().zip(row) {
                *o += w;
            }
        }
        for (d, &x) in e.dense.iter().enumerate() {
            let row = &self.dense[d * self.heads..][..self.heads];
            for (o, &w) in out.iter_mut().zip(row) {
                *o += w * x;
            }
        }
    }

    /// One AdaGrad step of independent logistic heads; `None` targets are not trained.
    pub(crate) fn step_binary(&mut self, sparse: &[u32], targets: &[Option<bool>], lr: f32) {
        let mut z = vec![0f32; self.heads];
        out_of_sparse(&self.w, &self.bias, self.heads, sparse, &mut z);
        const EPS: f32 = 1e-6;
        for (h, target) in targets.iter().enumerate() {
            let Some(y) = target else { continue };
            let g = sigmoid(z[h]) - if *y { 1.0 } else { 0.0 };
            self.gb[h] += g * g;
            self.bias[h] -= lr * g / (self.gb[h].sqrt() + EPS);
            for &b in sparse {
                let k = b as usize * self.heads + h;
                self.g[k] += g * g;
                self.w[k] -= lr * g / (self.g[k].sqrt() + EPS);
            }
        }
    }

    fn step(&mut self, e: &Encoded, n_acts: usize, lr: f32, l2: f32) {
        let mut z = vec![0f32; self.heads];
        self.logits(e, &mut z);
        let mut grad = vec![0f32; self.heads];
        for (i, g) in grad.iter_mut().enumerate().take(n_acts) {
            let y = if e.acts.contains(&i) { 1.0 } else { 0.0 };
            *g = (sigmoid(z[i]) - y) * e.weight;
        }
        if let Some(k) = e.kind {
            let kinds = &mut z[n_acts..];
            softmax(kinds);
            for (j, &p) in kinds.iter().enumerate() {
                let y = if j == k { 1.0 } else { 0.0 };
                grad[n_acts + j] = (p - y) * e.weight;
            }
        }
        const EPS: f32 = 1e-6;
        let update = |w: &mut f32, g2: &mut f32, grad: f32| {
            let gr = grad + l2 * *w;
            *g2 += gr * gr;
            *w -= lr * gr / (g2.sqrt() + EPS);
        };
        let live: Vec<(usize, f32)> = grad
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, g)| g != 0.0)
            .collect();
        for &(h, g) in &live {
            update(&mut self.bias[h], &mut self.gb[h], g);
        }
        for &b in &e.sparse {
            let base = b as usize * self.heads;
            for &(h, g) in &live {
                update(&mut self.w[base + h], &mut self.g[base + h], g);
            }
        }
        for (d, &x) in e.dense.iter().enumerate() {
            let base = d * self.heads;
            for &(h, g) in &live {
                update(&mut self.dense[base + h], &mut self.gd[base + h], g * x);
            }
        }
    }

    /// int8 rows for the buckets training kept.
    pub(crate) fn quantise(self, bits: u8, kept: &[bool]) -> SideWeights {
        let heads = self.heads;
        let mut scales = vec![0f32; heads];
        for (b, &k) in kept.iter().enumerate() {
            if k {
                let row = &self.w[b * heads..][..heads];
                for (s, w) in scales.iter_mut().zip(row) {
                    *s = s.max(w.abs());
                }
            }
        }
        for s in &mut scales {
            *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
        }
        let mut index = vec![u32::MAX; 1usize << bits];
        let mut buckets = Vec::new();
        let mut rows = Vec::new();
        for (b, &k) in kept.iter().enumerate() {
            if !k {
                continue;
            }
            let row: Vec<i8> = (0..heads)
                .map(|h| {
                    (self.w[b * heads + h] / scales[h])
                        .round()
                        .clamp(-127.0, 127.0) as i8
                })
                .collect();
            if row.iter().all(|&v| v == 0) {
                continue;
            }
            index[b] = buckets.len() as u32;
            buckets.push(b as u32);
            rows.extend(row);
        }
        SideWeights {
            heads,
            index,
            buckets,
            rows,
            scales,
            bias: self.bias,
            dense: self.dense,
        }
    }
}

/// Fits the segmenter (`segment.rs`) on the corpus' punctuated texts. Each gap's example carries the
/// sentence start the decoder would know, so training sees what decoding sees.
fn fit_segmenter(examples: &[&Example], bits: u8, epochs: usize, lr: f32) -> SideWeights {
    // (fitted below; the decision threshold is tuned on dev by `tune_threshold`)
    let seqs = segment::sequences(examples);
    let mut data: Vec<(Vec<u32>, [Option<bool>; segment::HEADS])> = Vec::new();
    for (words, ends, questions) in &seqs {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut begin = 0;
        for i in 1..=w.len() {
            let mut f = Vec::new();
            segment::gap_features(bits, &w[begin..], i - begin, &mut f);
            let end = ends[i - 1];
            let target = if i == w.len() {
                // The text's end always ends a sentence; only the question head learns.
                [None, Some(questions[i - 1])]
            } else if end {
                [Some(true), Some(questions[i - 1])]
            } else {
                [Some(false), None]
            };
            data.push((f, target));
            if end {
                begin = i;
            }
        }
    }
    let mut fit = Fitting::new(bits, segment::HEADS, 0);
    let mut rng = Rng(0x5e6_3e47);
    let mut order: Vec<usize> = (0..data.len()).collect();
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            fit.step_binary(&data[i].0, &data[i].1, lr);
        }
    }
    let kept = vec![true; 1usize << bits];
    fit.quantise(bits, &kept)
}

/// Bias plus the sparse rows: the logits of a float model.
fn out_of_sparse(w: &[f32], bias: &[f32], heads: usize, sparse: &[u32], out: &mut [f32]) {
    out.copy_from_slice(bias);
    for &b in sparse {
        for (o, &x) in out.iter_mut().zip(&w[b as usize * heads..][..heads]) {
            *o += x;
        }
    }
}

fn encode(
    ex: &Example,
    weight: f32,
    cfg: &FeatureConfig,
    emb: Option<(&Embeddings, &[u8])>,
    lexicon: &Rules,
    s: &mut Scratch,
) -> Encoded {
    let mut sparse = Vec::new();
    let cues = lexicon.cue_codes(&ex.text);
    let Scratch {
        buf,
        key,
        hashes,
        pieces,
        context,
        ..
    } = s;
    let question = features::word_hashes(&ex.text, hashes);
    features::sparse(
        cfg,
        hashes,
        question,
        &context_of(ex, &cues),
        context,
        &mut sparse,
    );
    let mut dense = Vec::new();
    if let Some((e, idf)) = emb {
        let (words, _) = features::words(&ex.text, buf);
        dense.resize(cfg.embed_dims, 0.0);
        dense_features(e, idf, &words, key, pieces, &mut dense);
    }
    let side_acts = Act::of_side(ex.side);
    let mut acts: Vec<usize> = ex
        .acts
        .iter()
        .filter_map(|a| side_acts.iter().position(|x| x == a))
        .collect();
    if ex.side == Side::Prospect && ex.acts.iter().any(|a| a.signal().is_some()) {
        acts.push(NEGATIVE_HEAD);
    }
    Encoded {
        sparse,
        dense,
        acts,
        kind: ex.kind.and_then(|k| KINDS.iter().position(|&x| x == k)),
        weight,
    }
}

/// Fits a model on `sources` and tunes its thresholds on `dev`.
pub fn train(sources: &[Source<'_>], dev: &[Example], opts: &TrainOptions) -> ActModel {
    let cfg = opts.features;
    let emb = (cfg.embed_dims > 0).then(Embeddings::shipped);
    let cfg = FeatureConfig {
        embed_dims: emb.map_or(0, |e| cfg.embed_dims.min(e.dims())),
        ..cfg
    };
    let texts: Vec<&str> = sources
        .iter()
        .flat_map(|s| s.examples.iter().map(|e| e.text.as_str()))
        .collect();
    let idf = emb.map(|e| idf_table(e, &texts)).unwrap_or_default();
    let lexicon = default_lexicon();
    let mut hasher = sha2::Sha256::new();
    for s in sources {
        for e in s.examples {
            hasher.update(e.id.as_bytes());
            hasher.update(e.text.as_bytes());
        }
    }
    let mut scratch = Scratch::default();
    let mut sides = Vec::new();
    for side in [Side::Prospect, Side::Seller] {
        let n_acts = binary_heads(side);
        let mut data: Vec<Encoded> = sources
            .iter()
            .flat_map(|s| s.examples.iter().map(move |e| (e, s.weight)))
            .filter(|(e, _)| e.side == side)
            .map(|(e, w)| {
                encode(
                    e,
                    w,
                    &cfg,
                    emb.map(|e| (e, idf.as_slice())),
                    &lexicon,
                    &mut scratch,
                )
            })
            .collect();
        // Buckets too rare to trust are dropped before fitting, so the model never leans
        // on them.
        let mut counts = vec![0u32; 1usize << cfg.bits];
        for e in &data {
            for &b in &e.sparse {
                counts[b as usize] += 1;
            }
        }
        let kept: Vec<bool> = counts.iter().map(|&c| c >= opts.min_count).collect();
        for e in &mut data {
            e.sparse.retain(|&b| kept[b as usize]);
        }
        let mut fit = Fitting::new(cfg.bits, n_acts + KINDS.len(), cfg.embed_dims);
        let mut rng = Rng(opts.seed ^ (side as u64 + 1));
        let mut order: Vec<usize> = (0..data.len()).collect();
        for _ in 0..opts.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                fit.step(&data[i], n_acts, opts.learning_rate, opts.l2);
            }
        }
        sides.push(fit.quantise(cfg.bits, &kept));
    }
    let seller = sides.pop().unwrap_or_else(|| unreachable!());
    let prospect = sides.pop().unwrap_or_else(|| unreachable!());
    let all: Vec<&Example> = sources.iter().flat_map(|s| s.examples.iter()).collect();
    let segmenter = fit_segmenter(&all, cfg.bits, 4, 0.1);
    let dev_refs: Vec<&Example> = dev.iter().collect();
    let segment_threshold = segment::tune_threshold(&segmenter, cfg.bits, &dev_refs);
    let mut model = ActModel {
        info: ModelInfo {
            features: cfg,
            embeddings: emb.map(|_| SHIPPED_SHA256.to_string()),
            trained_on: sources
                .iter()
                .map(|s| (s.name.clone(), s.examples.len()))
                .collect(),
            corpus_sha256: hex::encode(hasher.finalize()),
            prospect_thresholds: vec![0.5; binary_heads(Side::Prospect)],
            seller_thresholds: vec![0.5; binary_heads(Side::Seller)],
            prospect_confident: vec![0.9; binary_heads(Side::Prospect)],
            seller_confident: vec![0.9; binary_heads(Side::Seller)],
            precision_target: opts.precision_target,
            segment_threshold,
        },
        prospect,
        seller,
        segmenter,
        idf,
        embeddings: emb,
    };
    let priors = base_rates(sources, dev);
    tune_thresholds(&mut model, dev, opts, &priors);
    // What is scored is what a file holds: read the model back from its bytes.
    ActModel::from_bytes(&model.to_bytes()).unwrap_or(model)
}

/// How often each act occurs among one side's sentences in real calls: measured on the
/// whole-passage sources (every sentence labelled), else on `dev`.
fn base_rates(sources: &[Source<'_>], dev: &[Example]) -> Vec<(Act, f64)> {
    let passages: Vec<&Example> = sources
        .iter()
        .filter(|s| s.sampling == Sampling::Passages)
        .flat_map(|s| s.examples.iter())
        .collect();
    let pool: Vec<&Example> = if passages.is_empty() {
        dev.iter().collect()
    } else {
        passages
    };
    Act::PROSPECT
        .iter()
        .chain(Act::SELLER.iter())
        .map(|&act| {
            let side: Vec<&&Example> = pool.iter().filter(|e| e.side == act.side()).collect();
            let n = side.iter().filter(|e| e.acts.contains(&act)).count();
            // Add-one smoothing: an act never seen in the passages is rare, not impossible.
            (act, (n as f64 + 1.0) / (side.len() as f64 + 2.0))
        })
        .collect()
}

/// Per act, the threshold with the best F1 on `dev` (0.5 when dev has no such act), and
/// the lowest threshold at which the model's precision *in real calls* reaches `target`
/// (never below the best-F1 one; 0.99 when none does). Precision in calls is estimated
/// from dev's recall and false-positive rate at the act's real base rate, since dev, like
/// the corpus, holds far more acts per sentence than a call does.
fn tune_thresholds(
    model: &mut ActModel,
    dev: &[Example],
    opts: &TrainOptions,
    priors: &[(Act, f64)],
) {
    let mut scratch = Scratch::default();
    let lexicon = default_lexicon();
    let scored: Vec<(&Example, ActScores)> = dev
        .iter()
        .map(|e| {
            let cues = lexicon.cue_codes(&e.text);
            let s = model.score_with(e.side, &e.text, &context_of(e, &cues), &mut scratch);
            (e, s)
        })
        .collect();
    for side in [Side::Prospect, Side::Seller] {
        let acts = Act::of_side(side);
        let heads = binary_heads(side);
        let mut best = vec![0.5f32; heads];
        let mut confident = vec![0.99f32; heads];
        for i in 0..heads {
            // The head's gold label and probability on one sentence.
            let gold = |e: &Example| match acts.get(i) {
                Some(act) => e.acts.contains(act),
                None => e.acts.iter().any(|a| a.signal().is_some()),
            };
            let pairs: Vec<(bool, f32)> = scored
                .iter()
                .filter(|(e, _)| e.side == side)
                .map(|(e, s)| (gold(e), s.head_prob(i)))
                .collect();
            if !pairs.iter().any(|p| p.0) {
                continue;
            }
            let mut best_f1 = -1.0;
            for step in 0..=12 {
                let t = 0.2 + 0.05 * step as f32;
                let f1 = f1_of(pairs.iter().map(|&(g, p)| (g, p >= t)));
                if f1 > best_f1 + 1e-9 {
                    best_f1 = f1;
                    best[i] = t;
                }
            }
            let prior = match acts.get(i) {
                Some(&act) => priors
                    .iter()
                    .find(|(a, _)| *a == act)
                    .map_or(0.01, |&(_, p)| p),
                // Any negative signal: the types' rates added (they rarely overlap).
                None => priors
                    .iter()
                    .filter(|(a, _)| a.signal().is_some())
                    .map(|&(_, p)| p)
                    .sum(),
            };
            let target = acts
                .get(i)
                .and_then(|a| opts.strict_acts.iter().find(|(x, _)| x == a))
                .map_or(opts.precision_target, |&(_, t)| t);
            let positives = pairs.iter().filter(|p| p.0).count().max(1) as f64;
            let negatives = pairs.iter().filter(|p| !p.0).count().max(1) as f64;
            for step in 0..=39 {
                let t = best[i].max(0.5 + 0.0125 * step as f32);
                let tp = pairs.iter().filter(|p| p.0 && p.1 >= t).count() as f64;
                // One false positive is assumed even when none fired: dev is small.
                let fp = (pairs.iter().filter(|p| !p.0 && p.1 >= t).count() as f64).max(0.5);
                let (tpr, fpr) = (tp / positives, fp / negatives);
                let precision = tpr * prior / (tpr * prior + fpr * (1.0 - prior));
                if tp >= 3.0 && precision >= f64::from(target) {
                    confident[i] = t;
                    break;
                }
            }
        }
        match side {
            Side::Prospect => {
                model.info.prospect_thresholds = best;
                model.info.prospect_confident = confident;
            }
            Side::Seller => {
                model.info.seller_thresholds = best;
                model.info.seller_confident = confident;
            }
        }
    }
}

fn f1_of(pairs: impl Iterator<Item = (bool, bool)>) -> f64 {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (g, p) in pairs {
        match (g, p) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            _ => {}
        }
    }
    if tp == 0 {
        return if fp == 0 && fn_ == 0 { 1.0 } else { 0.0 };
    }
    let p = tp as f64 / (tp + fp) as f64;
    let r = tp as f64 / (tp + fn_) as f64;
    2.0 * p * r / (p + r)
}

/// One act's scores on a set of sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct ActReport {
    /// The act.
    pub act: Act,
    /// Sentences labelled with it.
    pub support: usize,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

/// A model (or the rules) scored on labelled sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Sentences scored.
    pub sentences: usize,
    /// Per act, prospect acts first.
    pub acts: Vec<ActReport>,
    /// Mean F1 over the acts.
    pub macro_f1: f64,
    /// Share of step sentences whose kind is right.
    pub kind_accuracy: f64,
    /// Step sentences with a kind.
    pub kind_support: usize,
    /// Macro-F1 per style, for the styles present.
    pub by_style: Vec<(Style, usize, f64)>,
    /// (gold, predicted, count) over sentences with at most one act; `none` for no act.
    pub confusion: Vec<(String, String, usize)>,
}

/// What a predictor says about one sentence: its acts (most probable first) and the step
/// kind it reads.
pub type Prediction = (Vec<Act>, Option<Kind>);

/// Scores any predictor on labelled sentences.
pub fn evaluate_with(
    examples: &[Example],
    mut predict: impl FnMut(&Example) -> Prediction,
) -> Evaluation {
    let preds: Vec<Prediction> = examples.iter().map(&mut predict).collect();
    let per_act = |subset: &[usize]| -> Vec<ActReport> {
        Act::PROSPECT
            .iter()
            .chain(Act::SELLER.iter())
            .map(|&act| {
                let pairs: Vec<(bool, bool)> = subset
                    .iter()
                    .filter(|&&i| examples[i].side == act.side())
                    .map(|&i| (examples[i].acts.contains(&act), preds[i].0.contains(&act)))
                    .collect();
                let tp = pairs.iter().filter(|p| p.0 && p.1).count();
                let fp = pairs.iter().filter(|p| !p.0 && p.1).count();
                let fn_ = pairs.iter().filter(|p| p.0 && !p.1).count();
                let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
                ActReport {
                    act,
                    support: tp + fn_,
                    precision: ratio(tp, tp + fp),
                    recall: ratio(tp, tp + fn_),
                    f1: f1_of(pairs.into_iter()),
                }
            })
            .collect()
    };
    let macro_of = |r: &[ActReport]| {
        let scored: Vec<f64> = r.iter().filter(|a| a.support > 0).map(|a| a.f1).collect();
        if scored.is_empty() {
            0.0
        } else {
            scored.iter().sum::<f64>() / scored.len() as f64
        }
    };
    let all: Vec<usize> = (0..examples.len()).collect();
    let acts = per_act(&all);
    let mut by_style = Vec::new();
    for style in [Style::Formal, Style::Casual, Style::NonNative, Style::Asr] {
        let subset: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| examples[i].style == Some(style))
            .collect();
        if !subset.is_empty() {
            by_style.push((style, subset.len(), macro_of(&per_act(&subset))));
        }
    }
    let kinded: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| examples[i].kind.is_some())
        .collect();
    let kind_right = kinded
        .iter()
        .filter(|&&i| preds[i].1 == examples[i].kind)
        .count();
    let mut confusion: Vec<(String, String, usize)> = Vec::new();
    for &i in &all {
        let e = &examples[i];
        if e.acts.len() > 1 {
            continue;
        }
        let name = |a: Option<&Act>, side: Side| match a {
            Some(a) => a.as_str().to_string(),
            None => format!("none ({})", side.as_str()),
        };
        let gold = name(e.acts.first(), e.side);
        let got = name(preds[i].0.first(), e.side);
        match confusion.iter_mut().find(|c| c.0 == gold && c.1 == got) {
            Some(c) => c.2 += 1,
            None => confusion.push((gold, got, 1)),
        }
    }
    confusion.sort();
    Evaluation {
        sentences: examples.len(),
        macro_f1: macro_of(&acts),
        acts,
        kind_accuracy: if kinded.is_empty() {
            0.0
        } else {
            kind_right as f64 / kinded.len() as f64
        },
        kind_support: kinded.len(),
        by_style,
        confusion,
    }
}

/// Scores a model on labelled sentences.
pub fn evaluate(model: &ActModel, examples: &[Example]) -> Evaluation {
    let mut scratch = Scratch::default();
    let lexicon = default_lexicon();
    evaluate_with(examples, |e| {
        let cues = lexicon.cue_codes(&e.text);
        let s = model.score_with(e.side, &e.text, &context_of(e, &cues), &mut scratch);
        let acts: Vec<Act> = s.labels().into_iter().map(|(a, _)| a).collect();
        let kind = acts.iter().any(|a| a.takes_kind()).then_some(s.kind.0);
        (acts, kind.or(Some(s.kind.0)))
    })
}

impl Evaluation {
    /// The report as Markdown: per-act table, styles, and the confusion table.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} sentences · macro-F1 {:.3} · kind accuracy {:.3} ({} step sentences)\n",
            self.sentences, self.macro_f1, self.kind_accuracy, self.kind_support
        );
        let _ = writeln!(out, "| act | side | support | precision | recall | F1 |");
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
        for a in &self.acts {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.3} | {:.3} | {:.3} |",
                a.act.as_str(),
                a.act.side().as_str(),
                a.support,
                a.precision,
                a.recall,
                a.f1
            );
        }
        if !self.by_style.is_empty() {
            let _ = writeln!(out, "\n| style | sentences | macro-F1 |\n|---|---:|---:|");
            for (style, n, f1) in &self.by_style {
                let _ = writeln!(out, "| {style:?} | {n} | {f1:.3} |");
            }
        }
        for side in [Side::Prospect, Side::Seller] {
            let mut labels: Vec<String> = Act::of_side(side)
                .iter()
                .map(|a| a.as_str().to_string())
                .collect();
            let none = format!("none ({})", side.as_str());
            labels.push(none);
            let _ = writeln!(
                out,
                "\nConfusion, {} sentences with one act or none (rows: label, columns: predicted first act)\n",
                side.as_str()
            );
            let short = |l: &str| {
                l.split(' ')
                    .next()
                    .unwrap_or(l)
                    .chars()
                    .take(8)
                    .collect::<String>()
            };
            let _ = write!(out, "| |");
            for l in &labels {
                let _ = write!(out, " {} |", short(l));
            }
            let _ = write!(out, "\n|---|");
            for _ in &labels {
                let _ = write!(out, "---:|");
            }
            let _ = writeln!(out);
            for gold in &labels {
                let _ = write!(out, "| {} |", short(gold));
                for got in &labels {
                    let n = self
                        .confusion
                        .iter()
                        .find(|c| &c.0 == gold && &c.1 == got)
                        .map_or(0, |c| c.2);
                    let _ = write!(out, " {n} |");
                }
                let _ = writeln!(out);
            }
        }
        out
    }
}
