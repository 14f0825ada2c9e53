//! A fitted model as the store keeps it, so the server can fit off the request path and
//! score open deals with the stored fit: the fit (or the refusal) as JSON, every float
//! kept as its exact bits so a stored model scores exactly as the fresh one did.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::ForecastModel;

/// The outcome of a fit, stored: the model, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// A fitted model.
    Fitted(ForecastModel),
    /// The polite refusal (too few closed deals, …), as the report words it.
    Refused(String),
}

#[derive(Serialize, Deserialize)]
struct Parts {
    as_of: NaiveDate,
    stages: Vec<String>,
    owners: Vec<String>,
    /// mean, std (5 each), intercept, alpha, then center and weights: `f64::to_bits`.
    floats: Vec<u64>,
    n_center: usize,
    n_deals: usize,
    n_won: usize,
    n_rows: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stored {
    Fitted(Parts),
    Refused(String),
}

impl Fit {
    /// The JSON the store keeps.
    pub fn to_json(&self) -> serde_json::Value {
        let stored = match self {
            Fit::Refused(why) => Stored::Refused(why.clone()),
            Fit::Fitted(m) => {
                let (as_of, stages, owners, mean, std, center, weights, intercept, counts, alpha) =
                    m.parts();
                let mut floats: Vec<u64> =
                    mean.iter().chain(std.iter()).map(|x| x.to_bits()).collect();
                floats.push(intercept.to_bits());
                floats.push(alpha.to_bits());
                floats.extend(center.iter().chain(weights.iter()).map(|x| x.to_bits()));
                Stored::Fitted(Parts {
                    as_of,
                    stages: stages.to_vec(),
                    owners: owners.to_vec(),
                    floats,
                    n_center: center.len(),
                    n_deals: counts.0,
                    n_won: counts.1,
                    n_rows: counts.2,
                })
            }
        };
        serde_json::to_value(stored).unwrap_or(serde_json::Value::Null)
    }

    /// Reads back [`Fit::to_json`]'s JSON; `None` when it is not that shape.
    pub fn from_json(v: &serde_json::Value) -> Option<Fit> {
        match serde_json::from_value::<Stored>(v.clone()).ok()? {
            Stored::Refused(why) => Some(Fit::Refused(why)),
            Stored::Fitted(p) => {
                let f: Vec<f64> = p.floats.iter().map(|b| f64::from_bits(*b)).collect();
                if f.len() < 12 + p.n_center {
                    return None;
                }
                let mean: [f64; 5] = f[0..5].try_into().ok()?;
                let std: [f64; 5] = f[5..10].try_into().ok()?;
                let (intercept, alpha) = (f[10], f[11]);
                let center = f[12..12 + p.n_center].to_vec();
                let weights = f[12 + p.n_center..].to_vec();
                Some(Fit::Fitted(ForecastModel::from_parts(
                    p.as_of,
                    p.stages,
                    p.owners,
                    mean,
                    std,
                    center,
                    weights,
                    intercept,
                    (p.n_deals, p.n_won, p.n_rows),
                    alpha,
                )))
            }
        }
    }
}
