//! Writes the short coaching lines from the findings, using the templates in the rules
//! file's `[coaching]` table so a team can phrase them its own way.

use std::collections::BTreeMap;

use crate::dialogue::Findings;
use crate::model::Side;

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
pub(crate) fn lines(findings: &Findings, templates: &BTreeMap<String, String>) -> Vec<String> {
    let t = |key: &str| templates.get(key).map(String::as_str).unwrap_or("");
    let mut out = Vec::new();
    for (bail, kind, signal) in &findings.bail_outs {
        let template = t(&format!("bail_out_{}", kind.as_str()));
        let line = fill(
            template,
            &[
                ("offer", &format!("\"{}\"", bail.text)),
                ("quote", &signal.text),
                ("speaker", &signal.speaker),
            ],
        );
        out.push(format!("{}{line}", stamp(bail.start)));
    }
    match &findings.next_step {
        Some(step) => {
            if step.defined_by == Side::Seller {
                out.push(fill(t("told_step"), &[("step", &step.action)]));
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
