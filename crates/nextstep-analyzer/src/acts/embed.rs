//! Pretrained meaning for words the corpus never showed: static vectors for the word
//! pieces of all-MiniLM-L6-v2, distilled by `scripts/build-embeddings.py` (provenance,
//! licence and hashes in `model/PROVENANCE.md`), and the WordPiece split that maps a
//! word onto them.
//!
//! The split is the greedy longest-match-first WordPiece of BERT's uncased tokenizer,
//! written out here rather than taken from the `tokenizers` crate: that crate's
//! normaliser, pre-tokenizer and regex engine cost more than the whole analyzer's budget
//! per call, and the vocabulary we need is a plain lookup table.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// Why an embeddings file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmbedError {
    /// Not an embeddings file, or cut short.
    #[error("not a nextstep embeddings file ({0})")]
    Format(String),
}

/// Static token vectors, int8 with one scale.
#[derive(Debug)]
pub struct Embeddings {
    dims: usize,
    scale: f32,
    vocab: FxHashMap<Box<str>, u32>,
    vectors: Vec<i8>,
    sha256: String,
}

/// The vectors shipped with nextstep.
const SHIPPED: &[u8] = include_bytes!("../../model/minilm-static.bin");

/// The SHA-256 of [`SHIPPED`], as `model/PROVENANCE.md` records it; a model trained with
/// embeddings names the vectors it was trained with by this digest.
pub const SHIPPED_SHA256: &str = "a37fda9897593607e95ccd5c0c46ef9a23091ac223edce26a9c1fdd3bbcd495b";

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], EmbedError> {
    if bytes.len() < n {
        return Err(EmbedError::Format("the file is cut short".into()));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

fn u32_le(bytes: &mut &[u8]) -> Result<u32, EmbedError> {
    let b = take(bytes, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Embeddings {
    /// The shipped vectors, decoded once.
    pub fn shipped() -> &'static Embeddings {
        static CELL: OnceLock<Embeddings> = OnceLock::new();
        CELL.get_or_init(|| {
            Embeddings::from_bytes(SHIPPED, SHIPPED_SHA256.into())
                .expect("the shipped embeddings decode")
        })
    }

    /// Decodes the format `scripts/build-embeddings.py` writes.
    pub fn from_bytes(mut bytes: &[u8], sha256: String) -> Result<Embeddings, EmbedError> {
        if take(&mut bytes, 8)? != b"NSEMB001" {
            return Err(EmbedError::Format("bad magic".into()));
        }
        let dims = u32_le(&mut bytes)? as usize;
        let n = u32_le(&mut bytes)? as usize;
        let scale = f32::from_bits(u32_le(&mut bytes)?);
        let mut vocab = FxHashMap::default();
        vocab.reserve(n);
        for id in 0..n {
            let len = take(&mut bytes, 1)?[0] as usize;
            let token = std::str::from_utf8(take(&mut bytes, len)?)
                .map_err(|_| EmbedError::Format(format!("token {id} is not UTF-8")))?;
            vocab.insert(token.into(), id as u32);
        }
        let vectors: Vec<i8> = take(&mut bytes, n * dims)?
            .iter()
            .map(|&b| b as i8)
            .collect();
        Ok(Embeddings {
            dims,
            scale,
            vocab,
            vectors,
            sha256,
        })
    }

    /// Dimensions per vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// How many word pieces have a vector.
    pub fn len(&self) -> usize {
        self.vocab.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.vocab.is_empty()
    }

    /// The digest that names these vectors.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Adds `weight` times the first `dims` values of piece `id`'s vector to `acc`.
    pub(crate) fn add(&self, id: u32, weight: f32, acc: &mut [f32]) {
        let row = &self.vectors[id as usize * self.dims..][..acc.len().min(self.dims)];
        let w = weight * self.scale;
        for (a, &v) in acc.iter_mut().zip(row) {
            *a += w * f32::from(v);
        }
    }

    /// The word pieces of one lower-cased word, appended to `out`; a word with a part no
    /// piece covers adds nothing (BERT would make it `[UNK]`).
    pub(crate) fn pieces(&self, word: &str, key: &mut String, out: &mut Vec<u32>) {
        for part in word.split('\'') {
            if part.is_empty() {
                continue;
            }
            if let Some(&id) = self.vocab.get(part) {
                out.push(id);
                continue;
            }
            let mark = out.len();
            let mut start = 0;
            while start < part.len() {
                let mut end = part.len();
                let mut found = None;
                while end > start {
                    if part.is_char_boundary(end) {
                        key.clear();
                        if start > 0 {
                            key.push_str("##");
                        }
                        key.push_str(&part[start..end]);
                        if let Some(&id) = self.vocab.get(key.as_str()) {
                            found = Some(id);
                            break;
                        }
                    }
                    end -= 1;
                }
                match found {
                    Some(id) => {
                        out.push(id);
                        start = end;
                    }
                    None => {
                        out.truncate(mark);
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_vectors_decode_and_split_words_into_pieces() {
        let e = Embeddings::shipped();
        assert!(e.len() > 20_000);
        let mut key = String::new();
        let mut ids = Vec::new();
        e.pieces("spreadsheets", &mut key, &mut ids);
        assert!(!ids.is_empty());
        ids.clear();
        e.pieces("i'll", &mut key, &mut ids);
        assert_eq!(ids.len(), 2, "i + ll");
    }

    #[test]
    fn the_shipped_digest_is_the_files() {
        use sha2::Digest;
        let got = hex::encode(sha2::Sha256::digest(SHIPPED));
        assert_eq!(got, SHIPPED_SHA256);
    }
}
