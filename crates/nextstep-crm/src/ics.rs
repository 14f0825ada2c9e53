//! Open next steps → an iCalendar (RFC 5545) file, so a rep's calendar shows every
//! commitment a deal depends on — and whether the prospect actually agreed to it.
//!
//! One all-day `VEVENT` per open step with a due date. The calendar is built with the
//! `icalendar` crate, which escapes text (`\,` `\;` `\n` `\\`). Its lines are then folded
//! again ([`fold`]): at most 75 octets, on character boundaries, and never next to a space,
//! because common parsers trim whitespace at the ends of physical lines and would otherwise
//! lose the spaces where a line was folded. Choices that make re-exports safe to re-import
//! into a calendar:
//!
//! - `UID` is `nextstep-step-<step id>@nextstep.local` ([`step_uid`]): the same step keeps
//!   its event across exports, so a calendar updates it instead of duplicating it.
//! - `DTSTAMP` and `LAST-MODIFIED` are the step's last status change and `CREATED` its
//!   creation, never the clock: exporting twice gives the same bytes.
//! - `DTSTART`/`DTEND` are `VALUE=DATE` with `DTEND` the day after (RFC 5545's end is
//!   exclusive), `TRANSP:TRANSPARENT` (a reminder, not busy time), and `STATUS` is
//!   `CONFIRMED` when the prospect confirmed the step, `TENTATIVE` when not.
//! - Events are sorted by due date, then step id.

use chrono::{Days, NaiveDate};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use nextstep_core::model::{Deal, DefinedBy, NextStepRecord, PipelineRow, StepSource, StepStatus};

/// The `PRODID` nextstep writes, naming the product and version as RFC 5545 asks.
pub const PRODID: &str = concat!(
    "-//nextstep//nextstep-crm ",
    env!("CARGO_PKG_VERSION"),
    "//EN"
);

/// A step and the deal it belongs to — what one calendar event describes.
#[derive(Debug, Clone, Copy)]
pub struct StepOnDeal<'a> {
    /// The step (only open steps with a due date become events).
    pub step: &'a NextStepRecord,
    /// Its deal.
    pub deal: &'a Deal,
    /// The date of the call the step came from, when the caller knows it.
    pub call_date: Option<NaiveDate>,
}

/// The open steps of a pipeline report's rows, for [`write_ics`].
pub fn pipeline_steps(rows: &[PipelineRow]) -> impl Iterator<Item = StepOnDeal<'_>> {
    rows.iter().filter_map(|row| {
        row.next_step.as_ref().map(|step| StepOnDeal {
            step,
            deal: &row.deal,
            call_date: None,
        })
    })
}

/// The calendar text and what was left out, so the command line can say "3 steps have no
/// due date and are not in the calendar".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsExport {
    /// The VCALENDAR, CRLF line endings.
    pub calendar: String,
    /// Events written.
    pub events: usize,
    /// Open steps skipped because they have no due date.
    pub skipped_without_due: usize,
    /// Steps skipped because they are not open (done, missed, cancelled, superseded).
    pub skipped_not_open: usize,
}

/// The stable UID of a step's event.
pub fn step_uid(step_id: i64) -> String {
    format!("nextstep-step-{step_id}@nextstep.local")
}

/// Who defined the step and whether the prospect confirmed it, in words — the first line
/// of every event's description, because it is what the calendar reader must not forget.
pub fn provenance_sentence(defined_by: DefinedBy, confirmed: bool) -> &'static str {
    match (defined_by, confirmed) {
        (DefinedBy::Prospect, true) => "Defined by the prospect; confirmed by the prospect.",
        (DefinedBy::Prospect, false) => "Defined by the prospect; not confirmed.",
        (DefinedBy::Seller, true) => "Defined by the seller; confirmed by the prospect.",
        (DefinedBy::Seller, false) => "Defined by the seller; NOT confirmed by the prospect.",
    }
}

/// Text as RFC 5545 TEXT allows it: line breaks normalised to LF (escaped as `\n` on
/// output), other control characters dropped.
fn clean(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// Quotes from the step's evidence (the analyzer's moments: `[{speaker, text, …}]`), as
/// `"text" — speaker` lines.
fn evidence_quotes(evidence: &serde_json::Value) -> Vec<String> {
    let moments: Vec<&serde_json::Value> = match evidence {
        serde_json::Value::Array(items) => items.iter().collect(),
        serde_json::Value::Object(_) => vec![evidence],
        serde_json::Value::String(_) => vec![evidence],
        _ => Vec::new(),
    };
    moments
        .into_iter()
        .filter_map(|m| {
            let (text, speaker) = match m {
                serde_json::Value::String(text) => (text.as_str(), None),
                _ => (
                    m.get("text")?.as_str()?,
                    m.get("speaker").and_then(serde_json::Value::as_str),
                ),
            };
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            Some(match speaker {
                Some(speaker) if !speaker.trim().is_empty() => {
                    format!("\"{text}\" — {}", speaker.trim())
                }
                _ => format!("\"{text}\""),
            })
        })
        .collect()
}

/// The event description: provenance first, then kind, owner, deal, account, source and
/// the evidence quotes.
fn description(item: &StepOnDeal<'_>) -> String {
    let step = item.step;
    let deal = item.deal;
    let mut lines =
        vec![provenance_sentence(step.defined_by, step.confirmed_by_prospect).to_owned()];
    lines.push(format!("Kind: {}", step.kind));
    lines.push(format!("Owner: {}", owner_words(&step.owner)));
    let id = deal.external_id.as_deref().map_or_else(
        || format!("nextstep deal {}", deal.id),
        |e| format!("CRM id {e}"),
    );
    lines.push(format!("Deal: {} ({id})", deal.name));
    if let Some(account) = &deal.account {
        lines.push(format!("Account: {account}"));
    }
    if let Some(owner) = &deal.owner {
        lines.push(format!("Deal owner: {owner}"));
    }
    lines.push(match (step.source, item.call_date) {
        (StepSource::Call, Some(date)) => format!("Source: call on {date}"),
        (StepSource::Call, None) => "Source: a recorded call".to_owned(),
        (StepSource::Manual, _) => "Source: entered by hand".to_owned(),
    });
    for quote in evidence_quotes(&step.evidence) {
        lines.push(format!("Evidence: {quote}"));
    }
    clean(&lines.join("\n"))
}

fn owner_words(owner: &str) -> String {
    match owner {
        "prospect" => "the prospect".to_owned(),
        "seller" => "the seller".to_owned(),
        "both" => "both sides".to_owned(),
        other => other.to_owned(),
    }
}

/// Writes the open, dated steps as a VCALENDAR (see the module docs for every choice).
/// Steps that are not open or have no due date are counted, not written.
pub fn write_ics<'a>(steps: impl IntoIterator<Item = StepOnDeal<'a>>) -> IcsExport {
    let mut skipped_without_due = 0;
    let mut skipped_not_open = 0;
    let mut dated: Vec<(NaiveDate, StepOnDeal<'a>)> = Vec::new();
    for item in steps {
        if item.step.status != StepStatus::Open {
            skipped_not_open += 1;
        } else if let Some(due) = item.step.due {
            dated.push((due, item));
        } else {
            skipped_without_due += 1;
        }
    }
    dated.sort_by_key(|(due, item)| (*due, item.step.id));

    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .append_property(Property::new("X-WR-CALNAME", "nextstep: next steps"));
    for (due, item) in &dated {
        let step = item.step;
        let summary = clean(&format!("Next step: {} — {}", step.action, item.deal.name));
        let end = due.checked_add_days(Days::new(1)).unwrap_or(*due);
        let event = Event::new()
            .uid(&step_uid(step.id))
            .timestamp(step.updated_at)
            .created(step.created_at)
            .last_modified(step.updated_at)
            .starts(*due)
            .ends(end)
            .summary(&summary)
            .description(&description(item))
            .status(if step.confirmed_by_prospect {
                EventStatus::Confirmed
            } else {
                EventStatus::Tentative
            })
            .add_property("TRANSP", "TRANSPARENT")
            .done();
        calendar.push(event);
    }
    IcsExport {
        calendar: fold(&calendar.done().to_string()),
        events: dated.len(),
        skipped_without_due,
        skipped_not_open,
    }
}

/// Folds every content line of an iCalendar text to at most 75 octets (RFC 5545 §3.1),
/// after undoing any folding already there. Splits fall on character boundaries and,
/// where the line allows, between two non-whitespace characters, so a parser that trims
/// physical lines (many do) still reads the value exactly.
pub fn fold(text: &str) -> String {
    const LIMIT: usize = 75;
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 32);
    for line in unfolded.split_terminator("\r\n") {
        let mut rest = line;
        let mut limit = LIMIT;
        while rest.len() > limit {
            let split = split_point(rest, limit);
            out.push_str(&rest[..split]);
            out.push_str("\r\n ");
            rest = &rest[split..];
            limit = LIMIT - 1; // the leading space counts
        }
        out.push_str(rest);
        out.push_str("\r\n");
    }
    out
}

/// The byte index at which to cut `line` so the first part has at most `limit` octets:
/// the last character boundary with no whitespace on either side, looking back a little;
/// else the last character boundary.
fn split_point(line: &str, limit: usize) -> usize {
    let mut end = limit;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    let hard = end;
    let floor = limit.saturating_sub(24).max(1);
    while end > floor {
        let before = line[..end].chars().next_back();
        let after = line[end..].chars().next();
        if !before.is_some_and(char::is_whitespace) && !after.is_some_and(char::is_whitespace) {
            return end;
        }
        end -= 1;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
    }
    hard
}
