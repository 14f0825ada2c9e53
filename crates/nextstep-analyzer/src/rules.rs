//! The cue lexicons as data: the TOML shape users edit, and its merge with the defaults.
//!
//! Rules live in `rules/default.toml` (compiled into the binary) so a sales team can read
//! and extend them without touching Rust; this module only gives that file a typed shape.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The default lexicons shipped with nextstep.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.toml");

/// Why a rules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file is not valid TOML of the expected shape.
    #[error("rules file is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    /// A `/regex/` entry does not compile.
    #[error("rules [{section}] {list}: bad regular expression {pattern:?}: {reason}")]
    Regex {
        /// Table holding the entry (`frames`, `kinds`, …).
        section: String,
        /// List holding the entry (`commit`, `meeting`, …).
        list: String,
        /// The entry as written.
        pattern: String,
        /// The regex crate's message.
        reason: String,
    },
    /// A list name the analyzer does not know, so its cues would silently do nothing.
    #[error("rules [{section}]: unknown list {list:?} (known: {known})")]
    UnknownList {
        /// Table holding the list.
        section: String,
        /// The unknown name.
        list: String,
        /// The names that table accepts.
        known: String,
    },
    /// A `[normalize] contractions` entry that is not `word -> contraction`.
    #[error(
        "rules [normalize] contractions: {entry:?} is not \"bare -> contracted\" (one word on the left)"
    )]
    BadContraction {
        /// The entry as written.
        entry: String,
    },
    /// A cue phrase that can never match (empty after normalisation).
    #[error("rules [{section}] {list}: empty cue phrase")]
    EmptyPhrase {
        /// Table holding the entry.
        section: String,
        /// List holding the entry.
        list: String,
    },
}

/// The rules file as written: named lists of cue phrases per table.
///
/// Kept as plain maps (not one field per list) so a team's extension file can only add
/// to lists the analyzer reads; unknown names are rejected in [`crate::Rules::compile`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// When true in an extension file, its lists replace the defaults instead of extending.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replace: bool,
    /// `commit`, `request`, `joint` frames.
    #[serde(default)]
    pub frames: BTreeMap<String, Vec<String>>,
    /// One list per step kind.
    #[serde(default)]
    pub kinds: BTreeMap<String, Vec<String>>,
    /// Dialogue-act cues (`ask_next_step`, `agreement`, …).
    #[serde(default)]
    pub cues: BTreeMap<String, Vec<String>>,
    /// Negative signals by type.
    #[serde(default)]
    pub negative: BTreeMap<String, Vec<String>>,
    /// Guards that stop a sentence from defining a step.
    #[serde(default)]
    pub guards: BTreeMap<String, Vec<String>>,
    /// Seller-inference cues (`seller`, `prospect`).
    #[serde(default)]
    pub speakers: BTreeMap<String, Vec<String>>,
    /// Text normalisation lists (`fillers`).
    #[serde(default)]
    pub normalize: BTreeMap<String, Vec<String>>,
    /// Coaching line templates.
    #[serde(default)]
    pub coaching: BTreeMap<String, String>,
}

impl RuleSet {
    /// The shipped defaults.
    pub fn defaults() -> RuleSet {
        // The default file is part of the binary and covered by tests, so failing here is
        // a build defect, never a user-input problem.
        toml::from_str(DEFAULT_RULES).expect("rules/default.toml is valid")
    }

    /// Reads a rules file's text.
    pub fn from_toml(text: &str) -> Result<RuleSet, RulesError> {
        Ok(toml::from_str(text)?)
    }

    /// Adds `other`'s cues to these (or replaces them when `other.replace` is set).
    pub fn merge(mut self, other: RuleSet) -> RuleSet {
        if other.replace {
            return RuleSet {
                replace: false,
                ..other
            };
        }
        fn extend(into: &mut BTreeMap<String, Vec<String>>, from: BTreeMap<String, Vec<String>>) {
            for (name, list) in from {
                let target = into.entry(name).or_default();
                for cue in list {
                    if !target.contains(&cue) {
                        target.push(cue);
                    }
                }
            }
        }
        extend(&mut self.frames, other.frames);
        extend(&mut self.kinds, other.kinds);
        extend(&mut self.cues, other.cues);
        extend(&mut self.negative, other.negative);
        extend(&mut self.guards, other.guards);
        extend(&mut self.normalize, other.normalize);
        extend(&mut self.speakers, other.speakers);
        self.coaching.extend(other.coaching);
        self
    }

    /// Every plain cue phrase (not the `/regex/` ones), one per line, for tools such as
    /// `rg -f` that want the same phrase list.
    pub fn phrases(&self) -> Vec<String> {
        let mut out: Vec<String> = [
            &self.frames,
            &self.kinds,
            &self.cues,
            &self.negative,
            &self.guards,
        ]
        .into_iter()
        .flat_map(|t| t.values().flatten())
        .filter(|p| !is_regex(p))
        .cloned()
        .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Whether a lexicon entry is a `/regex/` rather than a phrase.
pub(crate) fn is_regex(entry: &str) -> bool {
    entry.len() >= 2 && entry.starts_with('/') && entry.ends_with('/')
}
