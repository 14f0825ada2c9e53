//! Each preset (and a mapping file) on a small realistic export: file → expected deals.

use std::fs::File;
use std::path::PathBuf;

use chrono::NaiveDate;
use nextstep_core::model::{NewDeal, Outcome};
use nextstep_crm::{DealMap, DealsFile, ImportError, Preset, read_deals};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str, preset: Option<Preset>, map: Option<&DealMap>) -> DealsFile {
    let file = File::open(fixture(name)).unwrap();
    read_deals(file, preset, map).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn date(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

/// The fields a preset decides, in one line per deal.
#[derive(Debug, PartialEq)]
struct Expect {
    id: &'static str,
    name: &'static str,
    account: Option<&'static str>,
    owner: Option<&'static str>,
    stage: &'static str,
    amount: Option<i64>,
    currency: &'static str,
    expected_close: Option<&'static str>,
    created: Option<&'static str>,
    closed: Option<&'static str>,
    outcome: Option<Outcome>,
}

fn check(deals: &[NewDeal], expected: &[Expect]) {
    assert_eq!(deals.len(), expected.len(), "{deals:#?}");
    for (deal, e) in deals.iter().zip(expected) {
        let ctx = e.id;
        assert_eq!(deal.external_id, e.id, "{ctx}");
        assert_eq!(deal.name, e.name, "{ctx}");
        assert_eq!(deal.account.as_deref(), e.account, "{ctx}");
        assert_eq!(deal.owner.as_deref(), e.owner, "{ctx}");
        assert_eq!(deal.stage, e.stage, "{ctx}");
        assert_eq!(deal.amount, e.amount, "{ctx}");
        assert_eq!(deal.currency, e.currency, "{ctx}");
        assert_eq!(
            deal.expected_close,
            e.expected_close.and_then(date),
            "{ctx}"
        );
        assert_eq!(deal.created, e.created.and_then(date), "{ctx}");
        assert_eq!(deal.closed, e.closed.and_then(date), "{ctx}");
        assert_eq!(deal.outcome, e.outcome, "{ctx}");
    }
}

#[allow(clippy::too_many_arguments)]
const fn e(
    id: &'static str,
    name: &'static str,
    account: Option<&'static str>,
    owner: Option<&'static str>,
    stage: &'static str,
    amount: Option<i64>,
    currency: &'static str,
    expected_close: Option<&'static str>,
    created: Option<&'static str>,
    closed: Option<&'static str>,
    outcome: Option<Outcome>,
) -> Expect {
    Expect {
        id,
        name,
        account,
        owner,
        stage,
        amount,
        currency,
        expected_close,
        created,
        closed,
        outcome,
    }
}

const WON: Option<Outcome> = Some(Outcome::Won);
const LOST: Option<Outcome> = Some(Outcome::Lost);

#[test]
fn salesforce_opportunity_export() {
    // Data Loader style: BOM, CRLF, every field quoted, a NextStep with a line break.
    let file = read("salesforce_opportunities.csv", None, None);
    assert_eq!(file.preset, Some(Preset::Salesforce));
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    assert_eq!(file.headers[0], "Id", "BOM stripped from the first header");
    let d = Some("Dana Whitfield");
    let m = Some("Marco Ruiz");
    check(
        &file.deals,
        &[
            e(
                "0065g00000AbCdEAAV",
                "Globex - Platform expansion",
                Some("Globex Corporation"),
                d,
                "Prospecting",
                Some(1_500_000),
                "USD",
                Some("2026-06-30"),
                Some("2026-03-02"),
                None,
                None,
            ),
            e(
                "0065g00000AbCdFAAV",
                "Initech - Analytics add-on",
                Some("Initech"),
                d,
                "Qualification",
                Some(4_800_050),
                "USD",
                Some("2026-07-15"),
                Some("2026-03-05"),
                None,
                None,
            ),
            e(
                "0065g00000AbCdGAAV",
                "Umbrella - Renewal 2026",
                Some("Umbrella Corp"),
                m,
                "Id. Decision Makers",
                Some(12_000_000),
                "USD",
                Some("2026-05-31"),
                Some("2026-01-20"),
                None,
                None,
            ),
            e(
                "0065g00000AbCdHAAV",
                "Hooli - Security suite",
                Some("Hooli"),
                m,
                "Proposal/Price Quote",
                Some(8_650_000),
                "USD",
                Some("2026-06-01"),
                Some("2026-02-11"),
                None,
                None,
            ),
            e(
                "0065g00000AbCdIAAV",
                "Soylent - Pilot",
                Some("Soylent"),
                d,
                "Negotiation/Review",
                None,
                "USD",
                Some("2026-05-15"),
                Some("2026-02-28"),
                None,
                None,
            ),
            e(
                "0065g00000AbCdJAAV",
                "Vandelay - Import module",
                Some("Vandelay Industries"),
                m,
                "Closed Won",
                Some(3_200_000),
                "USD",
                Some("2026-02-27"),
                Some("2025-11-03"),
                Some("2026-02-27"),
                WON,
            ),
            e(
                "0065g00000AbCdKAAV",
                "Stark - Data pipeline",
                Some("Stark Industries"),
                d,
                "Closed Lost",
                Some(25_000_000),
                "USD",
                Some("2026-03-10"),
                Some("2025-12-01"),
                Some("2026-03-10"),
                LOST,
            ),
            // Account.Name empty → AccountId, per row.
            e(
                "0065g00000AbCdLAAV",
                "Wayne - Perception study",
                Some("0015g00000XyZaBAAV"),
                m,
                "Perception Analysis",
                Some(999_999),
                "USD",
                Some("2026-08-01"),
                Some("2026-03-20"),
                None,
                None,
            ),
        ],
    );
    assert_eq!(
        file.deals[3].crm_next_step.as_deref(),
        Some("Proposal review with:\nIT security\nProcurement"),
        "quoted newlines kept"
    );
    assert_eq!(
        file.deals[1].crm_next_step.as_deref(),
        Some("Call with CFO, then send pricing")
    );
    assert_eq!(file.deals[2].crm_next_step, None);
}

#[test]
fn hubspot_deals_export() {
    let file = read("hubspot_deals.csv", None, None);
    assert_eq!(file.preset, Some(Preset::Hubspot));
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    let p = Some("Priya Shah");
    let t = Some("Tom Becker");
    check(
        &file.deals,
        &[
            e(
                "9001",
                "Northwind - Onboarding",
                Some("Northwind Traders"),
                p,
                "Appointment Scheduled",
                Some(1_250_000),
                "USD",
                Some("2026-05-30"),
                Some("2026-04-01"),
                None,
                None,
            ),
            e(
                "9002",
                "Contoso - Seats expansion",
                Some("Contoso"),
                p,
                "Qualified To Buy",
                Some(800_000),
                "USD",
                Some("2026-06-15"),
                Some("2026-03-28"),
                None,
                None,
            ),
            e(
                "9003",
                "Fabrikam - Annual plan",
                Some("Fabrikam"),
                t,
                "Presentation Scheduled",
                Some(2_400_000),
                "USD",
                Some("2026-06-30"),
                Some("2026-03-15"),
                None,
                None,
            ),
            e(
                "9004",
                "Tailspin - Fleet tracking",
                Some("Tailspin Toys"),
                t,
                "Decision Maker Bought-In",
                Some(5_600_000),
                "USD",
                Some("2026-05-20"),
                Some("2026-02-10"),
                None,
                None,
            ),
            e(
                "9005",
                "Litware - Migration",
                Some("Litware"),
                p,
                "Contract Sent",
                Some(1_800_000),
                "USD",
                Some("2026-04-30"),
                Some("2026-01-22"),
                None,
                None,
            ),
            e(
                "9006",
                "Adventure Works - Renewal",
                Some("Adventure Works"),
                t,
                "Closed Won",
                Some(3_000_000),
                "USD",
                Some("2026-03-31"),
                Some("2025-12-05"),
                Some("2026-03-31"),
                WON,
            ),
            e(
                "9007",
                "Proseware - Pilot",
                Some("Proseware"),
                p,
                "Closed Lost",
                Some(750_000),
                "USD",
                Some("2026-03-15"),
                Some("2026-01-05"),
                Some("2026-03-15"),
                LOST,
            ),
        ],
    );
    assert_eq!(
        file.deals[0].crm_next_step.as_deref(),
        Some("Discovery call booked")
    );
}

#[test]
fn hubspot_without_record_id_gets_stable_hashed_ids() {
    let first = read("hubspot_deals_no_id.csv", None, None);
    let again = read("hubspot_deals_no_id.csv", Some(Preset::Hubspot), None);
    assert!(first.rejects.is_empty(), "{:#?}", first.rejects);
    assert_eq!(first.deals.len(), 2);
    let ids: Vec<&str> = first.deals.iter().map(|d| d.external_id.as_str()).collect();
    let again_ids: Vec<&str> = again.deals.iter().map(|d| d.external_id.as_str()).collect();
    assert_eq!(ids, again_ids, "same file → same ids");
    for id in &ids {
        assert!(
            id.starts_with("hubspot-") && id.len() == "hubspot-".len() + 16,
            "{id}"
        );
    }
    assert_ne!(ids[0], ids[1]);
    // The id hashes the parsed date, so an export in ISO dates gives the same ids.
    let iso = "Deal Name,Deal Stage,Create Date\nNorthwind - Onboarding,appointmentscheduled,2026-04-01\n";
    let iso = read_deals(iso.as_bytes(), None, None).unwrap();
    assert_eq!(iso.deals[0].external_id, ids[0]);
    // US dates in this export.
    assert_eq!(first.deals[0].expected_close, date("2026-05-30"));
    assert_eq!(first.deals[1].outcome, WON);
    assert_eq!(first.deals[1].closed, date("2026-03-31"));
}

#[test]
fn pipedrive_deals_export() {
    let file = read("pipedrive_deals.csv", None, None);
    assert_eq!(file.preset, Some(Preset::Pipedrive));
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    let a = Some("Ana Lima");
    let j = Some("Jonas Berg");
    check(
        &file.deals,
        &[
            e(
                "101",
                "Acme GmbH - Lizenzen",
                Some("Acme GmbH"),
                a,
                "Qualified",
                Some(150_000),
                "EUR",
                Some("2026-05-30"),
                Some("2026-04-01"),
                None,
                None,
            ),
            // Won from an open stage: the status decides; closed = Won time.
            e(
                "102",
                "Blue Yonder - Rollout",
                Some("Blue Yonder"),
                a,
                "Proposal Made",
                Some(4_200_000),
                "USD",
                Some("2026-04-15"),
                Some("2026-02-02"),
                Some("2026-04-10"),
                WON,
            ),
            e(
                "103",
                "Cobalt - Trial",
                Some("Cobalt Ltd"),
                j,
                "Negotiations Started",
                Some(980_000),
                "USD",
                Some("2026-04-20"),
                Some("2026-01-15"),
                Some("2026-03-28"),
                LOST,
            ),
            // A custom stage: kept, because the status gives the outcome.
            e(
                "104",
                "Delta Air - Security review",
                Some("Delta Air"),
                j,
                "Security Review",
                Some(6_400_000),
                "USD",
                Some("2026-07-01"),
                Some("2026-03-10"),
                None,
                None,
            ),
            e(
                "105",
                "Echo Media - Demo",
                Some("Echo Media"),
                a,
                "Demo Scheduled",
                None,
                "USD",
                None,
                Some("2026-04-05"),
                None,
                None,
            ),
            e(
                "106",
                "Foxtrot - Upsell",
                None,
                j,
                "Contact Made",
                Some(320_000),
                "GBP",
                Some("2026-06-10"),
                Some("2026-04-08"),
                None,
                None,
            ),
        ],
    );
    assert_eq!(file.deals[2].loss_reason.as_deref(), Some("Price too high"));
}

#[test]
fn pipedrive_custom_stage_without_status_is_rejected() {
    let csv = "Deal - ID,Deal - Title,Deal - Stage,Deal - Status\n1,A,Security Review,\n2,B,Security Review,open\n";
    let file = read_deals(csv.as_bytes(), None, None).unwrap();
    assert_eq!(file.deals.len(), 1);
    assert_eq!(file.deals[0].external_id, "2");
    assert_eq!(file.rejects.len(), 1);
    let error = &file.rejects[0].errors[0];
    assert_eq!(
        (error.row, error.line, error.column.as_str()),
        (1, 2, "Deal - Stage")
    );
    assert!(
        error
            .reason
            .to_string()
            .starts_with("unknown stage; known stages: Qualified, Contact Made")
    );
}

#[test]
fn maven_sample() {
    let file = read("maven_sample.csv", None, None);
    assert_eq!(file.preset, Some(Preset::Maven));
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    assert_eq!(file.rows, 199);
    assert_eq!(file.deals.len(), 199);
    let s = |s| Some(s);
    check(
        &file.deals[..4],
        &[
            e(
                "1C1I7A6R",
                "GTX Plus Basic – Cancity",
                s("Cancity"),
                s("Moses Frase"),
                "Won",
                Some(105_400),
                "USD",
                None,
                s("2016-10-20"),
                s("2017-03-01"),
                WON,
            ),
            // GTXPro → GTX Pro, in the product and the name.
            e(
                "Z063OYW0",
                "GTX Pro – Isdom",
                s("Isdom"),
                s("Darcel Schlecht"),
                "Won",
                Some(451_400),
                "USD",
                None,
                s("2016-10-25"),
                s("2017-03-11"),
                WON,
            ),
            e(
                "EC4QE1BX",
                "MG Special – Cancity",
                s("Cancity"),
                s("Darcel Schlecht"),
                "Won",
                Some(5000),
                "USD",
                None,
                s("2016-10-25"),
                s("2017-03-07"),
                WON,
            ),
            e(
                "MV1LWRNH",
                "GTX Basic – Codehow",
                s("Codehow"),
                s("Moses Frase"),
                "Won",
                Some(58_800),
                "USD",
                None,
                s("2016-10-25"),
                s("2017-03-09"),
                WON,
            ),
        ],
    );
    assert_eq!(file.deals[1].product.as_deref(), Some("GTX Pro"));
    assert!(
        file.deals
            .iter()
            .all(|d| d.product.as_deref() != Some("GTXPro"))
    );
    // The Prospecting rows appended at the end: no dates, no amount, maybe no account.
    let prospecting: Vec<&NewDeal> = file
        .deals
        .iter()
        .filter(|d| d.stage == "Prospecting")
        .collect();
    assert_eq!(prospecting.len(), 5);
    let no_account = prospecting
        .iter()
        .find(|d| d.external_id == "3LCLVRVV")
        .unwrap();
    assert_eq!(no_account.name, "GTX Basic – no account");
    assert_eq!(no_account.account, None);
    assert_eq!(
        (
            no_account.amount,
            no_account.created,
            no_account.closed,
            no_account.outcome
        ),
        (None, None, None, None)
    );
    // Lost deals carry close_value 0, an amount of zero (not none).
    let lost = file.deals.iter().find(|d| d.outcome == LOST).unwrap();
    assert_eq!(lost.amount, Some(0));
    assert!(lost.closed.is_some());
    // Open Engaging deals: engaged, not closed, no amount.
    let engaging = file.deals.iter().find(|d| d.stage == "Engaging").unwrap();
    assert_eq!(
        (engaging.amount, engaging.closed, engaging.outcome),
        (None, None, None)
    );
    assert!(engaging.created.is_some());
}

#[test]
fn mapping_file_reads_any_export() {
    let map =
        DealMap::from_toml(&std::fs::read_to_string(fixture("custom_map.toml")).unwrap()).unwrap();
    let file = read("custom_export.csv", None, Some(&map));
    assert_eq!(file.preset, None);
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    let l = Some("Lena Vogt");
    let m = Some("Max Kern");
    check(
        &file.deals,
        &[
            e(
                "C-1",
                "Atlas - Wartung",
                Some("Atlas AG"),
                l,
                "Discovery",
                Some(123_456),
                "EUR",
                Some("2026-06-30"),
                Some("2026-04-01"),
                None,
                None,
            ),
            e(
                "C-2",
                "Boreal - Plattform",
                Some("Boreal SE"),
                l,
                "Qualification",
                Some(1_200_000),
                "EUR",
                Some("2026-07-15"),
                Some("2026-04-02"),
                None,
                None,
            ),
            e(
                "C-3",
                "Cirrus - Lizenz",
                Some("Cirrus GmbH"),
                m,
                "Closed - Won",
                Some(850_000),
                "EUR",
                Some("2026-03-31"),
                Some("2026-01-10"),
                Some("2026-03-31"),
                WON,
            ),
            e(
                "C-4",
                "Dune - Pilot",
                Some("Dune KG"),
                m,
                "Closed Lost",
                Some(99_000),
                "EUR",
                Some("2026-03-20"),
                Some("2026-02-05"),
                Some("2026-03-20"),
                LOST,
            ),
            e(
                "C-5",
                "Eon - Beratung",
                Some("Eon Partners"),
                l,
                "No fit",
                None,
                "EUR",
                Some("2026-03-01"),
                Some("2026-02-15"),
                Some("2026-03-01"),
                Some(Outcome::Disqualified),
            ),
        ],
    );
}

#[test]
fn a_map_extends_a_preset() {
    // A Salesforce org with a custom stage and a renamed column.
    let csv = "Id,Name,StageName,Deal Value,CloseDate\n\
               0065g00000AbCdEAAV,A,Security Review,\"$1,000\",2026-05-01\n\
               0065g00000AbCdFAAV,B,Closed Won,500,2026-04-01\n";
    let map = DealMap::from_toml(
        "[columns]\namount = \"Deal Value\"\n[stages]\n\"Security Review\" = {}\n",
    )
    .unwrap();
    let file = read_deals(csv.as_bytes(), None, Some(&map)).unwrap();
    assert_eq!(
        file.preset,
        Some(Preset::Salesforce),
        "detected, then extended"
    );
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    assert_eq!(file.deals[0].stage, "Security Review");
    assert_eq!(file.deals[0].amount, Some(100_000));
    assert_eq!(
        file.deals[1].outcome, WON,
        "the preset's stages are still there"
    );

    // The map's `preset` key does the same when the header is not recognisable.
    let map = DealMap::from_toml("preset = \"maven\"\n").unwrap();
    assert_eq!(map.preset(), Some(Preset::Maven));
}

#[test]
fn presets_are_detected_from_the_header() {
    let table: &[(&str, Option<Preset>)] = &[
        (
            "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value",
            Some(Preset::Maven),
        ),
        ("Id,Name,StageName,Amount", Some(Preset::Salesforce)),
        ("ID,NAME,STAGENAME", Some(Preset::Salesforce)),
        ("Opportunity Name,Stage,Amount", Some(Preset::Salesforce)),
        (
            "Record ID,Deal Name,Deal Stage,Amount",
            Some(Preset::Hubspot),
        ),
        (
            "Deal - ID,Deal - Title,Deal - Stage",
            Some(Preset::Pipedrive),
        ),
        ("\u{feff}opportunity_id,deal_stage", Some(Preset::Maven)),
        ("id,title,phase", None),
    ];
    for (header, expected) in table {
        let headers: Vec<String> = header.split(',').map(str::to_owned).collect();
        assert_eq!(Preset::detect(&headers), *expected, "{header}");
    }
}

#[test]
fn unknown_header_without_map_lists_presets() {
    let err = read_deals("id,title,phase\n1,a,b\n".as_bytes(), None, None).unwrap_err();
    assert!(matches!(err, ImportError::UnknownHeader { .. }), "{err:?}");
    let message = err.to_string();
    for name in Preset::NAMES {
        assert!(message.contains(name), "{message}");
    }
    assert!(message.contains("id, title, phase"), "{message}");
}

#[test]
fn file_level_errors() {
    // A preset named explicitly whose columns are absent.
    let err = read_deals("ref,title\n".as_bytes(), Some(Preset::Salesforce), None).unwrap_err();
    match &err {
        ImportError::MissingColumn {
            field, expected, ..
        } => {
            assert_eq!(*field, "external_id");
            assert!(expected.contains(&"Id".to_owned()));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("\"Id\""), "{err}");
    // A map without a stage column.
    let map = DealMap::from_toml("[columns]\nexternal_id = \"id\"\nname = \"title\"\n").unwrap();
    let err = read_deals("id,title\n".as_bytes(), None, Some(&map)).unwrap_err();
    assert!(
        matches!(err, ImportError::MissingColumn { field: "stage", .. }),
        "{err:?}"
    );
    // Empty files.
    assert!(matches!(
        read_deals("".as_bytes(), None, None),
        Err(ImportError::Empty)
    ));
    assert!(matches!(
        read_deals("\u{feff}".as_bytes(), None, None),
        Err(ImportError::Empty)
    ));
    // A mapped column present twice.
    let err = read_deals("Id,Name,StageName,Name\n".as_bytes(), None, None).unwrap_err();
    assert!(
        matches!(err, ImportError::DuplicateColumn { ref column } if column == "Name"),
        "{err:?}"
    );
    // A quote left open runs to the end of the file: the csv crate reads it as one field,
    // so the row has too few fields.
    let file = read_deals(
        "Id,Name,StageName\n1,\"open,Prospecting\n".as_bytes(),
        None,
        None,
    )
    .unwrap();
    assert_eq!(file.rejects.len(), 1);
}

#[test]
fn mapping_file_errors_name_the_key() {
    let table = [
        ("colums = {}", "colums"),
        ("[columns]\nexternal = \"Id\"", "columns.external"),
        ("preset = \"zoho\"", "preset"),
        ("currency = \"euro\"", "currency"),
        ("decimal_separator = \";\"", "decimal_separator"),
        ("unknown_stages = \"maybe\"", "unknown_stages"),
        ("dates = [\"%Q\"]", "dates"),
        (
            "[stages]\n\"Won\" = { outcome = \"yes\" }",
            "stages.\"Won\".outcome",
        ),
        (
            "[stages]\n\"Won\" = { result = \"won\" }",
            "stages.\"Won\".result",
        ),
        ("[stages]\n\"Won\" = 1", "stages.\"Won\""),
        (
            "[status]\n\"Gewonnen\" = \"gewonnen\"",
            "status.\"Gewonnen\"",
        ),
        ("[columns]\nname = []", "columns.name"),
    ];
    for (text, key) in table {
        let err = DealMap::from_toml(text).unwrap_err();
        match &err {
            nextstep_crm::MapError::Invalid { key: got, .. } => assert_eq!(got, key, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    assert!(matches!(
        DealMap::from_toml("[columns"),
        Err(nextstep_crm::MapError::Toml(_))
    ));
}

#[test]
fn status_synonyms_and_unknown_stages_keep() {
    let csv =
        "ref,title,phase,result\nA,One,Custom,Gewonnen\nB,Two,Custom,offen\nC,Three,Custom,\n";
    let map = DealMap::from_toml(
        "unknown_stages = \"keep\"\n[columns]\nexternal_id = \"ref\"\nname = \"title\"\nstage = \"phase\"\nstatus = \"result\"\n[status]\n\"Gewonnen\" = \"won\"\n\"offen\" = \"open\"\n",
    )
    .unwrap();
    let file = read_deals(csv.as_bytes(), None, Some(&map)).unwrap();
    assert_eq!(file.deals.len(), 2);
    assert_eq!(file.deals[0].outcome, WON);
    assert_eq!(file.deals[1].outcome, None);
    assert_eq!(
        file.rejects.len(),
        1,
        "no status → the unknown stage cannot be kept"
    );
    assert_eq!(file.rejects[0].row, 3);
}
