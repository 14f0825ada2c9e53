//! The trained act model: per side, one logistic head per act and a softmax over step
//! kinds, over hashed sparse features and (optionally) idf-weighted pretrained word-piece
//! vectors. Stored compactly (int8 weights for the buckets training saw) and read back
//! exactly as it is scored, so a model scores the same wherever it is loaded.

use serde::{Deserialize, Serialize};

use super::corpus::Example;
use super::embed::Embeddings;
use super::features::{self, Context, FeatureConfig};
use super::weights::{SideWeights, sigmoid, softmax};
use super::{Act, KINDS, NEGATIVE_HEAD, binary_heads, segment};
use crate::model::{Kind, Side, SignalType};

/// Why a model file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// Not a model file, cut short, or from another version.
    #[error("not a nextstep act model ({0})")]
    Format(String),
    /// Trained with pretrained vectors other than the ones this build ships.
    #[error(
        "the model was trained with embeddings {want}, but this build has {have}; retrain it with `nextstep train`"
    )]
    Embeddings {
        /// What the model names.
        want: String,
        /// What is compiled in.
        have: String,
    },
}

/// What a model says about itself: how it was trained and on what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Feature families.
    pub features: FeatureConfig,
    /// Digest of the pretrained vectors, when used.
    pub embeddings: Option<String>,
    /// The corpus files (and team files) it was fitted on, with their line counts.
    pub trained_on: Vec<(String, usize)>,
    /// SHA-256 over the training lines, in order.
    pub corpus_sha256: String,
    /// Threshold per prospect head with the best F1 on the dev split (the acts in the
    /// order of [`Act::PROSPECT`], then any negative signal): what the act scores report.
    pub prospect_thresholds: Vec<f32>,
    /// The same per seller act (the order of [`Act::SELLER`]).
    pub seller_thresholds: Vec<f32>,
    /// Threshold per prospect act at which the model is right at least
    /// `precision_target` of the time on the dev split: what the rules act on, since a
    /// call holds hundreds of sentences and a false act there costs a wrong judgement.
    pub prospect_confident: Vec<f32>,
    /// The same per seller act.
    pub seller_confident: Vec<f32>,
    /// The precision the confident thresholds were tuned to.
    pub precision_target: f32,
    /// The segmenter's decision threshold (best boundary F1 on dev).
    pub segment_threshold: f32,
}

/// A trained act model, ready to score sentences.
#[derive(Debug, Clone)]
pub struct ActModel {
    pub(crate) info: ModelInfo,
    pub(crate) prospect: SideWeights,
    pub(crate) seller: SideWeights,
    /// Sentence boundaries in unpunctuated text (see `segment.rs`).
    pub(crate) segmenter: SideWeights,
    /// idf per word piece (quantised: value / 16), empty without embeddings.
    pub(crate) idf: Vec<u8>,
    pub(crate) embeddings: Option<&'static Embeddings>,
}

/// What the model says about one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct ActScores {
    /// The speaker's side: which acts the probabilities are for.
    pub side: Side,
    /// Probability per head of the side: its acts in [`Act::of_side`] order, then (for
    /// the prospect) any negative signal.
    probs: [f32; 12],
    /// Acts over their best-F1 threshold, as a bit set over the same order.
    labelled: u16,
    /// Acts over their confident threshold: what the rules act on.
    fired: u16,
    /// The step kind the model reads, with its probability.
    pub kind: (Kind, f32),
}

impl ActScores {
    /// The probability of `act` (0 for the other side's acts).
    pub fn prob(&self, act: Act) -> f32 {
        if act.side() != self.side {
            return 0.0;
        }
        self.probs[act.head()]
    }

    /// `Some(probability)` when the model is confident the sentence performs `act`: the
    /// verdict the rules act on.
    pub fn fires(&self, act: Act) -> Option<f32> {
        (act.side() == self.side && self.fired & (1 << act.head()) != 0)
            .then(|| self.probs[act.head()])
    }

    /// Every act the model is confident of, most probable first.
    pub fn fired(&self) -> Vec<(Act, f32)> {
        self.sorted(self.fired)
    }

    /// Every act over its best-F1 threshold, most probable first: the model's labels as
    /// the act scores measure them.
    pub fn labels(&self) -> Vec<(Act, f32)> {
        self.sorted(self.labelled)
    }

    fn sorted(&self, set: u16) -> Vec<(Act, f32)> {
        let mut out: Vec<(Act, f32)> = Act::of_side(self.side)
            .iter()
            .filter(|a| set & (1 << a.head()) != 0)
            .map(|&a| (a, self.probs[a.head()]))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// The probability of head `i` (an act's position, or the negative-signal head).
    pub(crate) fn head_prob(&self, i: usize) -> f32 {
        self.probs.get(i).copied().unwrap_or(0.0)
    }

    /// The negative signal the model is confident of, if any: its type is the most
    /// probable of the five, its probability the any-negative head's when that decided.
    pub fn signal(&self) -> Option<(SignalType, Act, f32)> {
        if self.side != Side::Prospect {
            return None;
        }
        if let Some((a, p)) = self.fired().into_iter().find(|(a, _)| a.signal().is_some()) {
            return a.signal().map(|s| (s, a, p));
        }
        if self.fired & (1 << NEGATIVE_HEAD) == 0 {
            return None;
        }
        let (act, _) = Act::PROSPECT
            .iter()
            .filter(|a| a.signal().is_some())
            .map(|&a| (a, self.prob(a)))
            .max_by(|x, y| x.1.total_cmp(&y.1))?;
        act.signal().map(|s| (s, act, self.probs[NEGATIVE_HEAD]))
    }
}

impl ActScores {
    /// The negative signal the sentence leans to when the model is not confident of one:
    /// the likeliest signal act, with the larger of its probability and the any-negative
    /// head's, when that reaches `floor`. Not a verdict to report; context in which the
    /// seller's next offer reads as escaping something.
    pub fn leaning_signal(&self, floor: f32) -> Option<(SignalType, Act, f32)> {
        if self.side != Side::Prospect {
            return None;
        }
        let (act, p) = Act::PROSPECT
            .iter()
            .filter(|a| a.signal().is_some())
            .map(|&a| (a, self.prob(a)))
            .max_by(|x, y| x.1.total_cmp(&y.1))?;
        let p = p.max(self.probs[NEGATIVE_HEAD]);
        if p < floor {
            return None;
        }
        act.signal().map(|s| (s, act, p))
    }
}

/// Reusable buffers for scoring, so a call's sentences allocate nothing new.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub buf: String,
    pub key: String,
    pub hashes: Vec<u64>,
    pub sparse: Vec<u32>,
    pub pieces: Vec<u32>,
    pub dense: Vec<f32>,
    pub context: features::ContextCache,
}

/// The idf-weighted mean of a sentence's word-piece vectors (its `words`),
/// L2-normalised, into `out`.
pub(crate) fn dense_features(
    emb: &Embeddings,
    idf: &[u8],
    words: &[&str],
    key: &mut String,
    pieces: &mut Vec<u32>,
    out: &mut [f32],
) {
    out.fill(0.0);
    pieces.clear();
    for w in words {
        emb.pieces(w, key, pieces);
    }
    let mut total = 0.0;
    for &p in pieces.iter() {
        let weight = idf.get(p as usize).map_or(1.0, |&q| f32::from(q) / 16.0);
        emb.add(p, weight, out);
        total += weight;
    }
    if total > 0.0 {
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in out.iter_mut() {
                *x /= norm;
            }
        }
    }
}

impl ActModel {
    /// What the model says about itself.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn side(&self, side: Side) -> &SideWeights {
        match side {
            Side::Prospect => &self.prospect,
            Side::Seller => &self.seller,
        }
    }

    fn thresholds(&self, side: Side) -> (&[f32], &[f32]) {
        match side {
            Side::Prospect => (
                &self.info.prospect_thresholds,
                &self.info.prospect_confident,
            ),
            Side::Seller => (&self.info.seller_thresholds, &self.info.seller_confident),
        }
    }

    /// Scores one sentence said by `side` after `ctx`.
    pub fn score(&self, side: Side, text: &str, ctx: &Context<'_>) -> ActScores {
        self.score_with(side, text, ctx, &mut Scratch::default())
    }

    pub(crate) fn score_with(
        &self,
        side: Side,
        text: &str,
        ctx: &Context<'_>,
        s: &mut Scratch,
    ) -> ActScores {
        let cfg = &self.info.features;
        let Scratch {
            buf,
            key,
            hashes,
            sparse,
            pieces,
            dense,
            context,
        } = s;
        let question = features::word_hashes(text, hashes);
        features::sparse(cfg, hashes, question, ctx, context, sparse);
        match self.embeddings {
            Some(emb) if cfg.embed_dims > 0 => {
                let (words, _) = features::words(text, buf);
                dense.resize(cfg.embed_dims, 0.0);
                dense_features(emb, &self.idf, &words, key, pieces, dense);
            }
            _ => dense.clear(),
        }
        let w = self.side(side);
        let n_bin = binary_heads(side);
        let mut logits = [0f32; 32];
        let logits = &mut logits[..w.heads];
        w.logits(sparse, dense, logits);
        let mut probs = [0f32; 12];
        let (mut labelled, mut fired) = (0u16, 0u16);
        let (best, confident) = self.thresholds(side);
        for i in 0..n_bin {
            probs[i] = sigmoid(logits[i]);
            if probs[i] >= best.get(i).copied().unwrap_or(0.5) {
                labelled |= 1 << i;
            }
            if probs[i] >= confident.get(i).copied().unwrap_or(1.0) {
                fired |= 1 << i;
            }
        }
        let kinds = &mut logits[n_bin..];
        softmax(kinds);
        let (k, p) = kinds
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, &p)| (KINDS[i], p))
            .unwrap_or((Kind::Other, 0.0));
        ActScores {
            side,
            probs,
            labelled,
            fired,
            kind: (k, p),
        }
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(b"NSACT001");
        let meta = serde_json::to_vec(&self.info).unwrap_or_default();
        out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        out.extend_from_slice(&meta);
        for w in [&self.prospect, &self.seller, &self.segmenter] {
            out.extend_from_slice(&(w.heads as u32).to_le_bytes());
            out.extend_from_slice(&(w.buckets.len() as u32).to_le_bytes());
            for s in &w.scales {
                out.extend_from_slice(&s.to_le_bytes());
            }
            for b in &w.bias {
                out.extend_from_slice(&b.to_le_bytes());
            }
            for b in &w.buckets {
                out.extend_from_slice(&b.to_le_bytes());
            }
            out.extend(w.rows.iter().map(|&v| v as u8));
            out.extend_from_slice(&(w.dense.len() as u32).to_le_bytes());
            for d in &w.dense {
                out.extend_from_slice(&d.to_le_bytes());
            }
        }
        out.extend_from_slice(&(self.idf.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.idf);
        out
    }

    /// Reads a model file. Models trained with pretrained vectors need the ones compiled
    /// into this build.
    pub fn from_bytes(bytes: &[u8]) -> Result<ActModel, ModelError> {
        let mut r = Reader(bytes);
        if r.take(8)? != b"NSACT001" {
            return Err(ModelError::Format("bad magic".into()));
        }
        let meta_len = r.u32()? as usize;
        let info: ModelInfo = serde_json::from_slice(r.take(meta_len)?)
            .map_err(|e| ModelError::Format(format!("header: {e}")))?;
        if !(8..=24).contains(&info.features.bits) {
            return Err(ModelError::Format("bucket bits out of range".into()));
        }
        let prospect = r.side(&info, binary_heads(Side::Prospect))?;
        let seller = r.side(&info, binary_heads(Side::Seller))?;
        let segmenter = r.weights(&info, segment::HEADS, 0)?;
        let n_idf = r.u32()? as usize;
        let idf = r.take(n_idf)?.to_vec();
        if info.prospect_thresholds.len() != binary_heads(Side::Prospect)
            || info.seller_thresholds.len() != binary_heads(Side::Seller)
            || info.prospect_confident.len() != binary_heads(Side::Prospect)
            || info.seller_confident.len() != binary_heads(Side::Seller)
        {
            return Err(ModelError::Format(
                "thresholds do not match the acts".into(),
            ));
        }
        let embeddings = match &info.embeddings {
            None => None,
            Some(want) => {
                let have = Embeddings::shipped();
                if have.sha256() != want {
                    return Err(ModelError::Embeddings {
                        want: want.clone(),
                        have: have.sha256().into(),
                    });
                }
                Some(have)
            }
        };
        Ok(ActModel {
            info,
            prospect,
            seller,
            segmenter,
            idf,
            embeddings,
        })
    }

    /// Cuts text a speech recogniser wrote without punctuation into sentences: byte
    /// ranges, and whether each reads as a question.
    pub(crate) fn segment(&self, text: &str) -> Vec<segment::Piece> {
        segment::segment(
            &self.segmenter,
            self.info.features.bits,
            self.info.segment_threshold,
            text,
        )
    }

    /// How the segmenter does on punctuated sentences with their punctuation stripped:
    /// (precision, recall, F1) of the sentence ends it finds.
    pub fn segmenter_scores(&self, examples: &[Example]) -> (f64, f64, f64) {
        let refs: Vec<&Example> = examples.iter().collect();
        segment::boundary_scores(
            &self.segmenter,
            self.info.features.bits,
            self.info.segment_threshold,
            &refs,
        )
    }

    /// The model shipped with nextstep (`model/acts.model`).
    pub fn shipped() -> ActModel {
        ActModel::from_bytes(SHIPPED).expect("the shipped act model decodes")
    }
}

/// The shipped model file.
pub(crate) const SHIPPED: &[u8] = include_bytes!("../../model/acts.model");

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.0.len() < n {
            return Err(ModelError::Format("the file is cut short".into()));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32s(&mut self, n: usize) -> Result<Vec<f32>, ModelError> {
        (0..n).map(|_| Ok(f32::from_bits(self.u32()?))).collect()
    }
    fn side(&mut self, info: &ModelInfo, acts: usize) -> Result<SideWeights, ModelError> {
        self.weights(info, acts + KINDS.len(), info.features.embed_dims)
    }

    fn weights(
        &mut self,
        info: &ModelInfo,
        heads_wanted: usize,
        dims: usize,
    ) -> Result<SideWeights, ModelError> {
        let heads = self.u32()? as usize;
        if heads != heads_wanted || heads > 32 {
            return Err(ModelError::Format(
                "head count does not match the acts".into(),
            ));
        }
        let n = self.u32()? as usize;
        let scales = self.f32s(heads)?;
        let bias = self.f32s(heads)?;
        let size = 1usize << info.features.bits;
        let mut index = vec![u32::MAX; size];
        let mut buckets = Vec::with_capacity(n);
        for row in 0..n {
            let b = self.u32()?;
            let slot = index
                .get_mut(b as usize)
                .ok_or_else(|| ModelError::Format("bucket out of range".into()))?;
            *slot = row as u32;
            buckets.push(b);
        }
        let rows = self.take(n * heads)?.iter().map(|&b| b as i8).collect();
        let n_dense = self.u32()? as usize;
        if n_dense != dims * heads {
            return Err(ModelError::Format("dense weights do not match".into()));
        }
        let dense = self.f32s(n_dense)?;
        Ok(SideWeights {
            heads,
            index,
            buckets,
            rows,
            scales,
            bias,
            dense,
        })
    }
}
