//! Puts every speaker on the seller's or the prospect's side: from `--seller` names when
//! given, otherwise by how sellers talk (they open, thank, ask discovery questions and
//! describe "our" product; prospects describe "our" team and ask "can you…").

use crate::AnalyzeError;
use crate::model::{Side, SpeakerRole};

/// Folds a name for comparison: case, spacing and accents written as entities already
/// decoded by the transcript reader.
fn fold(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Assigns sides from the seller names the user gave.
pub(crate) fn from_names(
    speakers: &[String],
    sellers: &[String],
) -> Result<Vec<SpeakerRole>, AnalyzeError> {
    let wanted: Vec<String> = sellers.iter().map(|s| fold(s)).collect();
    let mut roles: Vec<SpeakerRole> = speakers
        .iter()
        .map(|name| {
            let is_seller = wanted.contains(&fold(name));
            SpeakerRole {
                name: name.clone(),
                role: if is_seller {
                    Side::Seller
                } else {
                    Side::Prospect
                },
                inferred: false,
                confidence: 1.0,
            }
        })
        .collect();
    if roles.iter().all(|r| r.role == Side::Prospect) {
        // Users often type only a first name ("--seller Priya"): accept a name that is the
        // first word of exactly one speaker.
        for w in &wanted {
            let matches: Vec<usize> = roles
                .iter()
                .enumerate()
                .filter(|(_, r)| fold(&r.name).split(' ').next() == Some(w.as_str()))
                .map(|(i, _)| i)
                .collect();
            if let [only] = matches[..] {
                roles[only].role = Side::Seller;
            }
        }
    }
    if roles.iter().all(|r| r.role == Side::Prospect) {
        return Err(AnalyzeError::SellerNotFound {
            sellers: sellers.join(", "),
            speakers: speakers.join(", "),
        });
    }
    Ok(roles)
}

/// The seller-inference cues compiled for a case-insensitive scan: pattern ids below
/// `seller_cues` point towards the seller, the rest towards the prospect.
#[derive(Debug)]
pub(crate) struct SideCues {
    automaton: aho_corasick::AhoCorasick,
    seller_cues: usize,
}

impl SideCues {
    /// Compiles the `[speakers]` lists (unknown list names are rejected).
    pub fn compile(rules: &crate::RuleSet) -> Result<SideCues, crate::RulesError> {
        for name in rules.speakers.keys() {
            if name != "seller" && name != "prospect" {
                return Err(crate::RulesError::UnknownList {
                    section: "speakers".into(),
                    list: name.clone(),
                    known: "seller, prospect".into(),
                });
            }
        }
        let list = |name: &str| rules.speakers.get(name).cloned().unwrap_or_default();
        let seller = list("seller");
        let seller_cues = seller.len();
        let automaton = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(seller.iter().chain(list("prospect").iter()))
            .map_err(|e| crate::RulesError::Regex {
                section: "speakers".into(),
                list: "all".into(),
                pattern: String::new(),
                reason: e.to_string(),
            })?;
        Ok(SideCues {
            automaton,
            seller_cues,
        })
    }

    /// Seller points minus prospect points in one utterance.
    fn score(&self, text: &str) -> f64 {
        self.automaton
            .find_overlapping_iter(text)
            .map(|m| {
                if m.pattern().as_usize() < self.seller_cues {
                    1.0
                } else {
                    -1.0
                }
            })
            .sum()
    }
}

/// Guesses which speaker is the seller. Exactly one speaker is put on the seller's side;
/// the confidence reflects the margin over the runner-up.
pub(crate) fn infer(
    speakers: &[String],
    said: &[(usize, &str)],
    cues: &SideCues,
) -> Vec<SpeakerRole> {
    let mut scores = vec![0.0f64; speakers.len()];
    for (pos, (speaker, text)) in said.iter().enumerate() {
        let mut s = cues.score(text);
        if pos == 0 {
            s += 1.0; // the seller usually opens the call
        }
        if text.trim_end().ends_with('?') {
            s += 0.6; // sellers ask more questions
        }
        scores[*speaker] += s;
    }
    let best = (0..speakers.len())
        .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
        .unwrap_or(0);
    let runner_up = (0..speakers.len())
        .filter(|&i| i != best)
        .map(|i| scores[i])
        .fold(f64::NEG_INFINITY, f64::max);
    let margin = if runner_up.is_finite() {
        scores[best] - runner_up
    } else {
        0.0
    };
    // A logistic squash of the margin: 0 points → 0.5, 3 points → ~0.95.
    let confidence = 1.0 / (1.0 + (-margin).exp());
    speakers
        .iter()
        .enumerate()
        .map(|(i, name)| SpeakerRole {
            name: name.clone(),
            role: if i == best {
                Side::Seller
            } else {
                Side::Prospect
            },
            inferred: true,
            confidence: (confidence * 100.0).round() / 100.0,
        })
        .collect()
}
