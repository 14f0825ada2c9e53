//! iCalendar export, checked by parsing the output back with two independent parsers:
//! the `ical` crate (structure; its values stay escaped, so this file unescapes them per
//! RFC 5545 §3.3.11) and `icalendar`'s own parser (which unescapes).

mod common;

use std::io::BufReader;

use common::{at, date, deal, seller_unconfirmed, step};
use nextstep_core::model::{PipelineRow, StepStatus};
use nextstep_crm::{StepOnDeal, step_uid, write_ics};

/// RFC 5545 TEXT unescaping: `\\` `\;` `\,` `\n` `\N`.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

struct Parsed {
    uid: String,
    dtstart: (String, Vec<(String, Vec<String>)>),
    dtend: String,
    dtstamp: String,
    summary: String,
    description: String,
    status: String,
}

fn parse_with_ical(text: &str) -> (Vec<(String, String)>, Vec<Parsed>) {
    let mut calendars: Vec<_> = ical::IcalParser::new(BufReader::new(text.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .expect("ical parses the export");
    assert_eq!(calendars.len(), 1);
    let calendar = calendars.remove(0);
    let props = calendar
        .properties
        .iter()
        .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
        .collect();
    let events = calendar
        .events
        .iter()
        .map(|event| {
            let get = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .unwrap_or_else(|| panic!("no {name}"))
            };
            let value = |name: &str| get(name).value.clone().unwrap_or_default();
            Parsed {
                uid: value("UID"),
                dtstart: (
                    value("DTSTART"),
                    get("DTSTART").params.clone().unwrap_or_default(),
                ),
                dtend: value("DTEND"),
                dtstamp: value("DTSTAMP"),
                summary: unescape(&value("SUMMARY")),
                description: unescape(&value("DESCRIPTION")),
                status: value("STATUS"),
            }
        })
        .collect();
    (props, events)
}

const TRICKY_ACTION: &str =
    "Security review with IT, procurement; legal\\counsel too\nthen a follow-up";
const LONG_ACTION: &str = "Präsentation für das Führungsteam: überarbeitete Preise, Zeitplan; Referenzkunden — 日本語のテキストも含む — und noch ein paar Wörter, damit die Zeile gefaltet wird";

fn sample() -> (
    Vec<nextstep_core::model::Deal>,
    Vec<nextstep_core::model::NextStepRecord>,
) {
    let deals = vec![
        deal(
            1,
            Some("0065g00000AbCdHAAV"),
            "Globex - Platform, expansion; phase 2",
        ),
        deal(2, None, "Initech – Analytics"),
    ];
    let mut confirmed = step(7, 1, TRICKY_ACTION, Some("2026-04-21"));
    confirmed.evidence = serde_json::json!([
        {"speaker": "Dana (Globex)", "start": 12.5, "text": "Let's book the security review, Tuesday; bring IT.", "why": "prospect_proposal"},
        {"speaker": "Sam", "start": 20.0, "text": "Works for me.", "why": "agreement"}
    ]);
    confirmed.updated_at = at("2026-04-15T09:30:00Z");
    let unconfirmed = seller_unconfirmed(step(3, 2, LONG_ACTION, Some("2026-04-18")));
    let undated = step(9, 2, "Check in", None);
    let mut done = step(11, 1, "Old step", Some("2026-04-01"));
    done.status = StepStatus::Done;
    (deals, vec![confirmed, unconfirmed, undated, done])
}

fn export() -> nextstep_crm::IcsExport {
    let (deals, steps) = sample();
    write_ics(steps.iter().map(|s| StepOnDeal {
        step: s,
        deal: deals.iter().find(|d| d.id == s.deal_id).unwrap(),
        call_date: (s.id == 7).then(|| date("2026-04-14")),
    }))
}

#[test]
fn events_parse_back_with_ical() {
    let out = export();
    assert_eq!(
        (out.events, out.skipped_without_due, out.skipped_not_open),
        (2, 1, 1)
    );
    let (props, events) = parse_with_ical(&out.calendar);
    assert!(
        props.contains(&("VERSION".into(), "2.0".into())),
        "{props:?}"
    );
    assert!(
        props
            .iter()
            .any(|(k, v)| k == "PRODID" && v.starts_with("-//nextstep//")),
        "{props:?}"
    );
    assert_eq!(events.len(), 2);

    // Sorted by due date: the seller's unconfirmed step (due the 18th) first.
    let first = &events[0];
    assert_eq!(first.uid, "nextstep-step-3@nextstep.local");
    assert_eq!(first.dtstart.0, "20260418");
    assert!(
        first
            .dtstart
            .1
            .contains(&("VALUE".into(), vec!["DATE".into()])),
        "{:?}",
        first.dtstart.1
    );
    assert_eq!(first.dtend, "20260419", "DTEND is exclusive: the next day");
    assert_eq!(
        first.summary,
        format!("Next step: {LONG_ACTION} — Initech – Analytics")
    );
    assert_eq!(first.status, "TENTATIVE");
    assert_eq!(
        first.description,
        "Defined by the seller; NOT confirmed by the prospect.\n\
         Kind: proposal\n\
         Owner: the seller\n\
         Deal: Initech – Analytics (nextstep deal 2)\n\
         Account: Globex Corporation\n\
         Deal owner: Dana Whitfield\n\
         Source: entered by hand"
    );

    let second = &events[1];
    assert_eq!(second.uid, step_uid(7));
    assert_eq!(second.dtstart.0, "20260421");
    assert_eq!(second.dtend, "20260422");
    assert_eq!(
        second.dtstamp, "20260415T093000Z",
        "DTSTAMP is the step's last change, not the clock"
    );
    assert_eq!(second.status, "CONFIRMED");
    assert_eq!(
        second.summary,
        format!("Next step: {TRICKY_ACTION} — Globex - Platform, expansion; phase 2")
    );
    assert_eq!(
        second.description,
        "Defined by the prospect; confirmed by the prospect.\n\
         Kind: meeting\n\
         Owner: both sides\n\
         Deal: Globex - Platform, expansion; phase 2 (CRM id 0065g00000AbCdHAAV)\n\
         Account: Globex Corporation\n\
         Deal owner: Dana Whitfield\n\
         Source: call on 2026-04-14\n\
         Evidence: \"Let's book the security review, Tuesday; bring IT.\" — Dana (Globex)\n\
         Evidence: \"Works for me.\" — Sam"
    );
}

#[test]
fn events_parse_back_with_icalendar() {
    use icalendar::Component;
    let out = export();
    let unfolded = icalendar::parser::unfold(&out.calendar);
    let parsed = icalendar::parser::read_calendar(&unfolded).expect("icalendar parses the export");
    let calendar: icalendar::Calendar = parsed.into();
    let events: Vec<&icalendar::Event> = calendar.events().collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].get_uid(), Some("nextstep-step-3@nextstep.local"));
    assert_eq!(
        events[1].get_summary(),
        Some(
            format!("Next step: {TRICKY_ACTION} — Globex - Platform, expansion; phase 2").as_str()
        )
    );
    assert!(
        events[1]
            .get_description()
            .unwrap()
            .contains("Tuesday; bring IT.")
    );
    assert_eq!(
        events[0].get_start(),
        Some(icalendar::DatePerhapsTime::Date(date("2026-04-18")))
    );
}

#[test]
fn output_is_folded_crlf_and_deterministic() {
    let out = export();
    assert!(out.calendar.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(out.calendar.ends_with("END:VCALENDAR\r\n"));
    assert!(!out.calendar.replace("\r\n", "").contains('\n'), "bare LF");
    let mut folded = 0;
    for line in out.calendar.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        if line.starts_with(' ') {
            folded += 1;
        }
    }
    assert!(folded > 3, "long text is folded");
    assert_eq!(out.calendar, export().calendar, "same steps → same bytes");
    assert_eq!(out.calendar.matches("BEGIN:VEVENT").count(), 2);
}

#[test]
fn pipeline_rows_feed_the_calendar() {
    let (deals, steps) = sample();
    let rows = vec![
        PipelineRow {
            deal: deals[0].clone(),
            next_step: Some(steps[0].clone()),
            last_call: None,
            last_call_bail_out: false,
        },
        PipelineRow {
            deal: deals[1].clone(),
            next_step: None,
            last_call: None,
            last_call_bail_out: false,
        },
    ];
    let out = write_ics(nextstep_crm::pipeline_steps(&rows));
    assert_eq!(out.events, 1);
    assert!(out.calendar.contains("UID:nextstep-step-7@nextstep.local"));
    let empty = write_ics(std::iter::empty());
    assert_eq!(empty.events, 0);
    let (_, events) = parse_with_ical(&empty.calendar);
    assert!(events.is_empty());
}

#[test]
fn folding_keeps_every_value_and_avoids_whitespace_at_folds() {
    let long_words = "word ".repeat(40);
    let spaces = " ".repeat(200);
    let kanji = "日本語".repeat(40);
    let emoji = "🙂 ok ".repeat(30);
    let mixed = format!("a{}", "é".repeat(100));
    for value in [
        long_words.as_str(),
        spaces.as_str(),
        kanji.as_str(),
        emoji.as_str(),
        mixed.as_str(),
        "short",
    ] {
        let text = format!("BEGIN:VCALENDAR\r\nX-TEST:{value}\r\nEND:VCALENDAR\r\n");
        let folded = nextstep_crm::ics::fold(&text);
        for line in folded.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        // RFC unfolding gives the value back exactly.
        assert_eq!(folded.replace("\r\n ", ""), text, "{value:?}");
        // So does a parser that trims each physical line, unless the value is all spaces.
        if !value.starts_with(' ') {
            let (props, _) = parse_with_ical(&folded);
            let got = props
                .iter()
                .find(|(k, _)| k == "X-TEST")
                .map(|(_, v)| v.as_str());
            assert_eq!(got, Some(value.trim_end()), "{value:?}");
        }
        // Folding is idempotent.
        assert_eq!(nextstep_crm::ics::fold(&folded), folded);
    }
}
