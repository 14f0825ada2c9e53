//! Writes the short coaching lines from the findings, using the templates in the rules
//! file's `[coaching]` table so a team can phrase them its own way.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::dialogue::Findings;
use crate::model::{Side, SignalType};

/// The questions coaching suggests in place of what the seller did: naming each kind of
/// negative signal, asking instead of telling the step, asking instead of volunteering.
/// They come from the rules' `[coaching]` table, so a team's own rules file changes them
/// in the analyzer's report, the scorecards, the digests and the call page alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskInstead {
    /// Per signal type (in [`SignalType`] order), then for a signal of unknown type.
    name_it: [String; 6],
    ask: String,
    volunteer: String,
}

impl AskInstead {
    /// Reads the `name_it_*`, `ask_instead` and `volunteer_instead` entries; a missing
    /// entry (a team file with `replace = true`) falls back to the shipped wording.
    pub fn from_table(table: &BTreeMap<String, String>) -> AskInstead {
        let shipped = crate::RuleSet::defaults().coaching;
        let get = |key: &str| {
            table
                .get(key)
                .or_else(|| shipped.get(key))
                .cloned()
                .unwrap_or_default()
        };
        AskInstead {
            name_it: [
                get("name_it_confusion"),
                get("name_it_doubt"),
                get("name_it_objection"),
                get("name_it_disinterest"),
                get("name_it_stall"),
                get("name_it_unnamed"),
            ],
            ask: get("ask_instead"),
            volunteer: get("volunteer_instead"),
        }
    }

    /// The shipped wording.
    pub fn shipped() -> &'static AskInstead {
        static CELL: OnceLock<AskInstead> = OnceLock::new();
        CELL.get_or_init(|| AskInstead::from_table(&crate::RuleSet::defaults().coaching))
    }

    /// The question that names a negative signal of this type instead of bailing out.
    pub fn name_it(&self, signal: Option<SignalType>) -> &str {
        let i = match signal {
            Some(SignalType::Confusion) => 0,
            Some(SignalType::Doubt) => 1,
            Some(SignalType::Objection) => 2,
            Some(SignalType::Disinterest) => 3,
            Some(SignalType::Stall) => 4,
            None => 5,
        };
        &self.name_it[i]
    }

    /// The open question to ask instead of telling the next step.
    pub fn ask(&self) -> &str {
        &self.ask
    }

    /// The question to ask instead of volunteering work nobody asked for.
    pub fn volunteer(&self) -> &str {
        &self.volunteer
    }
}

fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in pairs {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

fn stamp(start: Option<f64>) -> String {
    match start {
        Some(t) if t.is_finite() && t >= 0.0 => {
            let t = t as u64;
            format!("[{}:{:02}] ", t / 60, t % 60)
        }
        _ => String::new(),
    }
}

/// One line per bail-out, then one about the step (told, unconfirmed or missing), then
/// one about plain volunteering; at most one line per volunteered moment.
pub(crate) fn lines(
    findings: &Findings,
    templates: &BTreeMap<String, String>,
    instead: &AskInstead,
) -> Vec<String> {
    let t = |key: &str| templates.get(key).map(String::as_str).unwrap_or("");
    let mut out = Vec::new();
    for (bail, kind, signal) in &findings.bail_outs {
        // A team's own per-signal template wins over the shared one.
        let own = format!("bail_out_{}", kind.as_str());
        let template = templates
            .get(&own)
            .map(String::as_str)
            .unwrap_or_else(|| t("bail_out"));
        let line = fill(
            template,
            &[
                ("offer", &format!("\"{}\"", bail.text)),
                ("quote", &signal.text),
                ("speaker", &signal.speaker),
                ("name_it", instead.name_it(Some(*kind))),
            ],
        );
        out.push(format!("{}{line}", stamp(bail.start)));
    }
    match &findings.next_step {
        Some(step) => {
            if step.defined_by == Side::Seller {
                out.push(fill(
                    t("told_step"),
                    &[("step", &step.action), ("ask_instead", instead.ask())],
                ));
            } else if !findings.asks.is_empty() {
                out.push(t("asked_well").to_string());
            }
            if !step.confirmed_by_prospect {
                out.push(fill(t("unconfirmed"), &[("step", &step.action)]));
            }
        }
        None if findings.disqualified => out.push(t("no_step_disqualified").to_string()),
        None => out.push(t("no_step").to_string()),
    }
    if findings.bail_outs.is_empty()
        && let Some(v) = findings.volunteered.first()
    {
        let line = fill(t("volunteered"), &[("offer", &format!("\"{}\"", v.text))]);
        out.push(format!("{}{line}", stamp(v.start)));
    }
    out.retain(|l| !l.trim().is_empty());
    out
}
