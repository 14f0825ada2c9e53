//! Mapping files: how to read a CRM export no preset knows, or what to add to a preset.
//!
//! A mapping file exists because every CRM lets teams rename columns and invent stages;
//! rather than code for each, the user describes their export once in TOML. The format
//! is documented with an example in the [`deals`](crate::deals) module.

use chrono::format::{Item, StrftimeItems};
use nextstep_core::model::Outcome;

use crate::preset::Preset;
use crate::values::DecimalSeparator;

/// A deal field a column can fill; the names are the mapping file's `[columns]` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    ExternalId,
    Name,
    Account,
    Owner,
    Stage,
    Amount,
    Currency,
    ExpectedClose,
    Created,
    Closed,
    WonDate,
    LostDate,
    Status,
    IsClosed,
    IsWon,
    LossReason,
    Product,
    NextStep,
}

impl Field {
    pub(crate) const ALL: [Field; 18] = [
        Field::ExternalId,
        Field::Name,
        Field::Account,
        Field::Owner,
        Field::Stage,
        Field::Amount,
        Field::Currency,
        Field::ExpectedClose,
        Field::Created,
        Field::Closed,
        Field::WonDate,
        Field::LostDate,
        Field::Status,
        Field::IsClosed,
        Field::IsWon,
        Field::LossReason,
        Field::Product,
        Field::NextStep,
    ];

    /// The mapping file's key for the field.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Field::ExternalId => "external_id",
            Field::Name => "name",
            Field::Account => "account",
            Field::Owner => "owner",
            Field::Stage => "stage",
            Field::Amount => "amount",
            Field::Currency => "currency",
            Field::ExpectedClose => "expected_close",
            Field::Created => "created",
            Field::Closed => "closed",
            Field::WonDate => "won_date",
            Field::LostDate => "lost_date",
            Field::Status => "status",
            Field::IsClosed => "is_closed",
            Field::IsWon => "is_won",
            Field::LossReason => "loss_reason",
            Field::Product => "product",
            Field::NextStep => "next_step",
        }
    }

    fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// What to do with a stage neither the preset nor the map lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnknownStages {
    /// Reject the row: nextstep could not tell an open deal from a closed one.
    Reject,
    /// Keep the stage as written when the row's status columns give the outcome.
    Keep,
}

/// One `[stages]` entry: a source stage, the stage name kept, and the outcome it implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StageRule {
    pub source: String,
    pub stage: String,
    pub outcome: Option<Outcome>,
}

/// A parsed mapping file (see the [`deals`](crate::deals) module for the format).
///
/// It exists so any CRM export can be imported without code: it names the columns, the
/// date formats, the default currency and what each stage means, and it can extend a
/// preset (its columns replace the preset's, its stages are added).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealMap {
    pub(crate) preset: Option<Preset>,
    pub(crate) columns: Vec<(Field, Vec<String>)>,
    pub(crate) dates: Vec<String>,
    pub(crate) currency: Option<String>,
    pub(crate) decimal: Option<DecimalSeparator>,
    pub(crate) unknown_stages: Option<UnknownStages>,
    pub(crate) stages: Vec<StageRule>,
    pub(crate) status: Vec<(String, Option<Outcome>)>,
    pub(crate) products: Vec<(String, String)>,
}

/// Why a mapping file was refused; names the key so the user can find it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// Not TOML.
    #[error("the mapping file is not valid TOML: {0}")]
    Toml(String),
    /// A key with a wrong or unknown value.
    #[error("mapping file, {key}: {problem}")]
    Invalid {
        /// The key, dotted (`stages."Closed - Won".outcome`).
        key: String,
        /// What is wrong and what is expected.
        problem: String,
    },
}

fn invalid(key: impl Into<String>, problem: impl Into<String>) -> MapError {
    MapError::Invalid {
        key: key.into(),
        problem: problem.into(),
    }
}

/// Reads an outcome name as the mapping file writes it; `open` is no outcome.
pub(crate) fn parse_outcome(name: &str) -> Option<Option<Outcome>> {
    match name.trim().to_ascii_lowercase().as_str() {
        "open" => Some(None),
        "won" => Some(Some(Outcome::Won)),
        "lost" => Some(Some(Outcome::Lost)),
        "disqualified" => Some(Some(Outcome::Disqualified)),
        _ => None,
    }
}

/// The outcome's name in messages (`open` for none).
pub(crate) fn outcome_name(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        None => "open",
        Some(Outcome::Won) => "won",
        Some(Outcome::Lost) => "lost",
        Some(Outcome::Disqualified) => "disqualified",
    }
}

const OUTCOMES: &str = "expected \"open\", \"won\", \"lost\" or \"disqualified\"";

impl DealMap {
    /// Parses a mapping file. Unknown keys are errors (a typo would otherwise be ignored
    /// silently), and so are invalid date formats, outcomes and currency codes.
    pub fn from_toml(text: &str) -> Result<DealMap, MapError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| MapError::Toml(e.to_string().trim_end().to_owned()))?;
        let mut map = DealMap::default();
        for (key, value) in &table {
            match key.as_str() {
                "preset" => {
                    let name = as_str(key, value)?;
                    map.preset = Some(Preset::from_name(name).ok_or_else(|| {
                        invalid(
                            key,
                            format!(
                                "unknown preset {name:?}; expected one of {}",
                                Preset::NAMES.join(", ")
                            ),
                        )
                    })?);
                }
                "currency" => {
                    let code = as_str(key, value)?;
                    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                        return Err(invalid(key, "expected an ISO 4217 code such as \"EUR\""));
                    }
                    map.currency = Some(code.to_ascii_uppercase());
                }
                "decimal_separator" => {
                    map.decimal = Some(match as_str(key, value)? {
                        "." => DecimalSeparator::Dot,
                        "," => DecimalSeparator::Comma,
                        "auto" => DecimalSeparator::Auto,
                        _ => return Err(invalid(key, "expected \".\", \",\" or \"auto\"")),
                    });
                }
                "unknown_stages" => {
                    map.unknown_stages = Some(match as_str(key, value)? {
                        "reject" => UnknownStages::Reject,
                        "keep" => UnknownStages::Keep,
                        _ => return Err(invalid(key, "expected \"reject\" or \"keep\"")),
                    });
                }
                "dates" => {
                    for format in as_strings(key, value)? {
                        let bad =
                            StrftimeItems::new(&format).any(|item| matches!(item, Item::Error));
                        if bad || format.is_empty() {
                            return Err(invalid(
                                key,
                                format!(
                                    "{format:?} is not a valid chrono format (such as \"%d.%m.%Y\")"
                                ),
                            ));
                        }
                        map.dates.push(format);
                    }
                }
                "columns" => {
                    let columns = as_table(key, value)?;
                    for (name, names) in columns {
                        let dotted = format!("columns.{name}");
                        let field = Field::from_key(name).ok_or_else(|| {
                            let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
                            invalid(
                                &dotted,
                                format!("unknown field; expected one of {}", keys.join(", ")),
                            )
                        })?;
                        let names = as_strings(&dotted, names)?;
                        if names.is_empty() {
                            return Err(invalid(dotted, "expected at least one column name"));
                        }
                        map.columns.push((field, names));
                    }
                }
                "stages" => {
                    for (source, entry) in as_table(key, value)? {
                        map.stages.push(parse_stage(source, entry)?);
                    }
                }
                "status" => {
                    for (source, outcome) in as_table(key, value)? {
                        let dotted = format!("status.{source:?}");
                        let name = as_str(&dotted, outcome)?;
                        let outcome =
                            parse_outcome(name).ok_or_else(|| invalid(&dotted, OUTCOMES))?;
                        map.status.push((source.clone(), outcome));
                    }
                }
                "products" => {
                    for (source, product) in as_table(key, value)? {
                        let dotted = format!("products.{source:?}");
                        map.products
                            .push((source.clone(), as_str(&dotted, product)?.to_owned()));
                    }
                }
                _ => {
                    return Err(invalid(
                        key,
                        "unknown key; expected preset, columns, dates, currency, decimal_separator, unknown_stages, stages, status or products",
                    ));
                }
            }
        }
        Ok(map)
    }

    /// The preset the file extends (its `preset` key), if any.
    pub fn preset(&self) -> Option<Preset> {
        self.preset
    }
}

fn parse_stage(source: &str, entry: &toml::Value) -> Result<StageRule, MapError> {
    let dotted = format!("stages.{source:?}");
    match entry {
        toml::Value::String(stage) => Ok(StageRule {
            source: source.to_owned(),
            stage: stage.clone(),
            outcome: None,
        }),
        toml::Value::Table(table) => {
            let mut rule = StageRule {
                source: source.to_owned(),
                stage: source.to_owned(),
                outcome: None,
            };
            for (key, value) in table {
                let inner = format!("{dotted}.{key}");
                match key.as_str() {
                    "stage" => rule.stage = as_str(&inner, value)?.to_owned(),
                    "outcome" => {
                        rule.outcome = parse_outcome(as_str(&inner, value)?)
                            .ok_or_else(|| invalid(&inner, OUTCOMES))?;
                    }
                    _ => return Err(invalid(inner, "unknown key; expected stage or outcome")),
                }
            }
            Ok(rule)
        }
        _ => Err(invalid(
            dotted,
            "expected a stage name or a table such as { stage = \"Won\", outcome = \"won\" }",
        )),
    }
}

fn as_str<'v>(key: &str, value: &'v toml::Value) -> Result<&'v str, MapError> {
    value
        .as_str()
        .ok_or_else(|| invalid(key, "expected a string"))
}

fn as_strings(key: &str, value: &toml::Value) -> Result<Vec<String>, MapError> {
    match value {
        toml::Value::String(s) => Ok(vec![s.clone()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| as_str(key, item).map(str::to_owned))
            .collect(),
        _ => Err(invalid(key, "expected a string or a list of strings")),
    }
}

fn as_table<'v>(key: &str, value: &'v toml::Value) -> Result<&'v toml::Table, MapError> {
    value
        .as_table()
        .ok_or_else(|| invalid(key, "expected a table"))
}
