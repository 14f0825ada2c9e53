//! Salesforce Opportunity CSV: columns, the 255-character NextStep cut with multibyte
//! text, provenance, and a round trip through the salesforce reader.

mod common;

use common::{closed, date, deal, seller_unconfirmed, step};
use nextstep_core::model::{Outcome, StepStatus};
use nextstep_crm::salesforce_export::{
    NEXT_STEP_LIMIT, SALESFORCE_COLUMNS, is_salesforce_id, provenance, salesforce_next_step,
};
use nextstep_crm::{DealMap, DealWithStep, Preset, read_deals, write_salesforce_deals};

#[test]
fn next_step_is_cut_to_255_on_a_char_boundary() {
    let ascii_255 = "a".repeat(255);
    let ascii_256 = "a".repeat(256);
    let umlauts = "ü".repeat(300); // 2 bytes each, 1 UTF-16 unit
    let kanji = "日".repeat(300); // 3 bytes each, 1 UTF-16 unit
    let emoji = "🙂".repeat(200); // 4 bytes each, 2 UTF-16 units
    let words = format!("{} tail", "x".repeat(252)); // the cut lands after a space
    let table: Vec<(&str, String)> = vec![
        ("", String::new()),
        ("Send the proposal", "Send the proposal".to_owned()),
        (&ascii_255, ascii_255.clone()),
        (&ascii_256, format!("{}…", "a".repeat(254))),
        (&umlauts, format!("{}…", "ü".repeat(254))),
        (&kanji, format!("{}…", "日".repeat(254))),
        (&emoji, format!("{}…", "🙂".repeat(127))),
        (&words, format!("{} t…", "x".repeat(252))),
        (
            "Line one\r\n  line two\nline three",
            "Line one line two line three".to_owned(),
        ),
    ];
    for (input, expected) in table {
        let got = salesforce_next_step(input);
        assert_eq!(got, expected, "{input:?}");
        assert!(got.encode_utf16().count() <= NEXT_STEP_LIMIT);
        assert!(got.chars().count() <= NEXT_STEP_LIMIT);
    }
}

#[test]
fn salesforce_ids_are_recognised() {
    for (id, expected) in [
        ("0065g00000AbCdEAAV", true),
        ("0065g00000AbCdE", true),
        ("0065g00000AbCdEAAA", false), // wrong case-safe suffix
        ("0015g00000XyZaBAAV", false), // an Account id
        ("1C1I7A6R", false),           // Maven
        ("9001", false),               // HubSpot
        ("0065g00000AbCd-AAV", false),
        ("", false),
    ] {
        assert_eq!(is_salesforce_id(id), expected, "{id}");
    }
}

#[test]
fn provenance_lines() {
    let confirmed = step(1, 1, "Demo", Some("2026-04-21"));
    assert_eq!(
        provenance(&confirmed, Some(date("2026-04-14"))),
        "prospect-defined, confirmed, from call 2026-04-14, due 2026-04-21"
    );
    assert_eq!(
        provenance(&confirmed, None),
        "prospect-defined, confirmed, from a call, due 2026-04-21"
    );
    let manual = seller_unconfirmed(step(2, 1, "Proposal", None));
    assert_eq!(
        provenance(&manual, None),
        "seller-defined, not confirmed, entered by hand, no due date"
    );
}

#[test]
fn export_writes_loadable_rows_and_reads_back() {
    let open_sf = deal(1, Some("0065g00000AbCdHAAV"), "Hooli - Security suite");
    let mut maven = deal(2, Some("1C1I7A6R"), "GTX Pro – Isdom, \"EU\"");
    maven.stage = "Engaging".to_owned();
    maven.amount = Some(-12_345);
    let won = closed(
        deal(3, Some("0065g00000AbCdJAAV"), "Vandelay"),
        Outcome::Won,
        "Closed Won",
        "2026-02-27",
    );
    let maven_lost = closed(
        deal(4, Some("Z063OYW0"), "MG Special – Cancity"),
        Outcome::Lost,
        "Lost",
        "2017-03-07",
    );
    let mut no_amount = deal(5, None, "No id, no amount");
    no_amount.amount = None;
    no_amount.expected_close = None;
    no_amount.account = None;

    let long_action = format!("Revisión técnica con el equipo de TI — {}", "ñ".repeat(300));
    let step_sf = step(10, 1, &long_action, Some("2026-04-21"));
    let step_maven = seller_unconfirmed(step(11, 2, "Send pricing, then call", Some("2026-05-02")));
    let mut superseded = step(12, 3, "Old", None);
    superseded.status = StepStatus::Superseded;

    let rows = [
        DealWithStep {
            deal: &open_sf,
            step: Some(&step_sf),
            call_date: Some(date("2026-04-14")),
        },
        DealWithStep {
            deal: &maven,
            step: Some(&step_maven),
            call_date: None,
        },
        DealWithStep {
            deal: &won,
            step: Some(&superseded),
            call_date: None,
        },
        DealWithStep {
            deal: &maven_lost,
            step: None,
            call_date: None,
        },
        DealWithStep {
            deal: &no_amount,
            step: None,
            call_date: None,
        },
    ];
    let mut out = Vec::new();
    assert_eq!(write_salesforce_deals(&mut out, rows).unwrap(), 5);
    let text = String::from_utf8(out).unwrap();

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        SALESFORCE_COLUMNS
    );
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
    let cut = salesforce_next_step(&long_action);
    assert_eq!(cut.chars().count(), 255);
    assert!(cut.ends_with("ñ…"));
    let expected: Vec<Vec<&str>> = vec![
        vec![
            "0065g00000AbCdHAAV",
            "0065g00000AbCdHAAV",
            "Hooli - Security suite",
            "Globex Corporation",
            "Proposal/Price Quote",
            "86500.00",
            "USD",
            "2026-06-01",
            &cut,
            "prospect-defined, confirmed, from call 2026-04-14, due 2026-04-21",
        ],
        vec![
            "",
            "1C1I7A6R",
            "GTX Pro – Isdom, \"EU\"",
            "Globex Corporation",
            "Engaging",
            "-123.45",
            "USD",
            "2026-06-01",
            "Send pricing, then call",
            "seller-defined, not confirmed, entered by hand, due 2026-05-02",
        ],
        vec![
            "0065g00000AbCdJAAV",
            "0065g00000AbCdJAAV",
            "Vandelay",
            "Globex Corporation",
            "Closed Won",
            "86500.00",
            "USD",
            "2026-02-27",
            "",
            "",
        ],
        vec![
            "",
            "Z063OYW0",
            "MG Special – Cancity",
            "Globex Corporation",
            "Closed Lost",
            "86500.00",
            "USD",
            "2017-03-07",
            "",
            "",
        ],
        vec![
            "",
            "",
            "No id, no amount",
            "",
            "Proposal/Price Quote",
            "",
            "USD",
            "",
            "",
            "",
        ],
    ];
    let got: Vec<Vec<&str>> = records.iter().map(|r| r.iter().collect()).collect();
    assert_eq!(got, expected);

    // Back through the salesforce reader: same deals (the one without any id is rejected,
    // as a Salesforce file without Id would be). Maven's open stage is not a Salesforce
    // stage, so without a map that row is rejected too.
    let strict = read_deals(text.as_bytes(), None, None).unwrap();
    assert_eq!(strict.rejects.len(), 2);
    assert_eq!(strict.rejects[0].errors[0].column, "StageName");
    let map = DealMap::from_toml("[stages]\n\"Engaging\" = {}\n").unwrap();
    let back = read_deals(text.as_bytes(), None, Some(&map)).unwrap();
    assert_eq!(back.preset, Some(Preset::Salesforce));
    assert_eq!(back.rejects.len(), 1);
    assert_eq!(back.rejects[0].row, 5);
    assert_eq!(back.rejects[0].errors[0].column, "NextStep_External_Id__c");
    let ids: Vec<&str> = back.deals.iter().map(|d| d.external_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "0065g00000AbCdHAAV",
            "1C1I7A6R",
            "0065g00000AbCdJAAV",
            "Z063OYW0"
        ]
    );
    let first = &back.deals[0];
    assert_eq!(first.name, open_sf.name);
    assert_eq!(first.account, open_sf.account);
    assert_eq!(first.stage, open_sf.stage);
    assert_eq!(first.amount, open_sf.amount);
    assert_eq!(first.expected_close, open_sf.expected_close);
    assert_eq!(first.crm_next_step.as_deref(), Some(cut.as_str()));
    assert_eq!(back.deals[1].amount, Some(-12_345));
    assert_eq!(back.deals[1].name, maven.name);
    assert_eq!(back.deals[1].stage, "Engaging", "kept: the map adds it");
    assert_eq!(
        (back.deals[2].outcome, back.deals[2].closed),
        (Some(Outcome::Won), Some(date("2026-02-27")))
    );
    assert_eq!(back.deals[3].outcome, Some(Outcome::Lost));
    assert_eq!(back.deals[3].stage, "Closed Lost");
}
