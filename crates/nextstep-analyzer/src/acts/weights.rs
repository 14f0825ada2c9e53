//! One side's trained weights and the arithmetic that applies them, shared by the act
//! model (which stores and scores them), the segmenter (which decodes with them) and
//! training (which fits and quantises them), so none of those three has to import another
//! for it.

/// One side's weights.
#[derive(Debug, Clone)]
pub(crate) struct SideWeights {
    /// Acts, then kinds.
    pub heads: usize,
    /// Bucket → row in `rows` (u32::MAX: no weights).
    pub index: Vec<u32>,
    /// The buckets that have a row, in row order (kept for writing the file).
    pub buckets: Vec<u32>,
    /// int8 weights, `heads` per row.
    pub rows: Vec<i8>,
    /// Per-head scale of `rows`.
    pub scales: Vec<f32>,
    pub bias: Vec<f32>,
    /// Dense weights, `heads` per embedding dimension.
    pub dense: Vec<f32>,
}

impl SideWeights {
    pub(crate) fn logits(&self, sparse: &[u32], dense: &[f32], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        let mut acc = [0i32; 32];
        let acc = &mut acc[..self.heads];
        for &b in sparse {
            let r = self.index[b as usize];
            if r == u32::MAX {
                continue;
            }
            let row = &self.rows[r as usize * self.heads..][..self.heads];
            for (a, &w) in acc.iter_mut().zip(row) {
                *a += i32::from(w);
            }
        }
        for ((o, &a), &s) in out.iter_mut().zip(acc.iter()).zip(&self.scales) {
            *o += a as f32 * s;
        }
        for (d, &x) in dense.iter().enumerate() {
            let row = &self.dense[d * self.heads..][..self.heads];
            for (o, &w) in out.iter_mut().zip(row) {
                *o += w * x;
            }
        }
    }
}

/// A linear model's score: the weights applied to one feature row.
pub(crate) fn dot(row: &[f32], weights: &[f32]) -> f32 {
    row.iter().zip(weights).map(|(x, w)| x * w).sum()
}

/// The logistic function.
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Softmax of `logits` in place.
pub(crate) fn softmax(logits: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = (*l - max).exp();
        sum += *l;
    }
    for l in logits.iter_mut() {
        *l /= sum;
    }
}
