//! Every row error reason with its exact row, line, column and value; the rejects file;
//! CSV robustness (BOM, CRLF, quoted newlines); progress and streaming.

use std::io::Read;

use nextstep_crm::values::{AmountError, DateError};
use nextstep_crm::{
    DealMap, Preset, Reason, RowError, read_deals, read_deals_with_progress, write_rejects,
};

fn err(row: u64, line: u64, column: &str, value: &str, reason: Reason) -> RowError {
    RowError {
        row,
        line,
        column: column.to_owned(),
        value: value.to_owned(),
        reason,
    }
}

const MAVEN_HEADER: &str =
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value";

/// A Maven-shaped file with one problem per row; row 2 spans two lines so data row and
/// file line differ from there on.
fn maven_with_errors() -> String {
    [
        MAVEN_HEADER,
        "A1,Ann,GTX Basic,Acme,Won,2016-10-20,2017-03-01,\"1,054\"", // row 1, line 2: fine, but see row 8
        "A2,Ann,\"GTX\nBasic\",Acme,Engaging,2016-10-21,,",          // row 2, lines 3–4: fine
        "A3,Ann,GTX Basic,Acme,Won,2016-10-22,2017-03-01,12x",       // row 3, line 5
        "A4,Ann,GTX Basic,Acme,Won,2016-13-01,2017-03-01,100",       // row 4, line 6
        "A5,Ann,GTX Basic,Acme,Pending,2016-10-22,,",                // row 5, line 7
        ",Ann,GTX Basic,Acme,Won,2016-10-22,2017-03-01,100",         // row 6, line 8
        "A7,Ann,GTX Basic,Acme,,2016-10-22,,",                       // row 7, line 9
        "A1,Bob,MG Special,Beta,Lost,2016-10-23,2017-01-01,0",       // row 8, line 10
        "A9,Ann,GTX Basic",                                          // row 9, line 11
        "A10,Ann,,Acme,Engaging,2016-10-22,,",                       // row 10, line 12
        "A11,Ann,GTX Basic,Acme,Won,10/22/2016,3/1/2017,$500",       // row 11, line 13: fine
        "A12,Ann,GTX Basic,Acme,Won,yesterday,2017-03-01,1.5.5",     // row 12, line 14: two errors
        "",
    ]
    .join("\n")
}

#[test]
fn every_row_error_names_row_line_column_value_and_reason() {
    let file = read_deals(maven_with_errors().as_bytes(), None, None).unwrap();
    let ids: Vec<&str> = file.deals.iter().map(|d| d.external_id.as_str()).collect();
    assert_eq!(ids, ["A2", "A11"]);
    assert_eq!(file.rows, 12);
    let stages = vec![
        "Prospecting".to_owned(),
        "Engaging".to_owned(),
        "Won".to_owned(),
        "Lost".to_owned(),
    ];
    let expected: Vec<(u64, u64, Vec<RowError>)> = vec![
        (
            1,
            2,
            vec![err(
                1,
                2,
                "opportunity_id",
                "A1",
                Reason::Duplicate {
                    other_row: 8,
                    other_line: 10,
                },
            )],
        ),
        (
            3,
            5,
            vec![err(
                3,
                5,
                "close_value",
                "12x",
                Reason::Amount(AmountError::NotANumber),
            )],
        ),
        (
            4,
            6,
            vec![err(
                4,
                6,
                "engage_date",
                "2016-13-01",
                Reason::Date(DateError::NoSuchDate),
            )],
        ),
        (
            5,
            7,
            vec![err(
                5,
                7,
                "deal_stage",
                "Pending",
                Reason::UnknownStage { known: stages },
            )],
        ),
        (6, 8, vec![err(6, 8, "opportunity_id", "", Reason::Missing)]),
        (7, 9, vec![err(7, 9, "deal_stage", "", Reason::Missing)]),
        (
            8,
            10,
            vec![err(
                8,
                10,
                "opportunity_id",
                "A1",
                Reason::Duplicate {
                    other_row: 1,
                    other_line: 2,
                },
            )],
        ),
        (
            9,
            11,
            vec![
                err(
                    9,
                    11,
                    "(row)",
                    "",
                    Reason::FieldCount {
                        found: 3,
                        expected: 8,
                    },
                ),
                err(9, 11, "deal_stage", "", Reason::Missing),
            ],
        ),
        (10, 12, vec![err(10, 12, "product", "", Reason::Missing)]),
        (
            12,
            14,
            vec![
                err(
                    12,
                    14,
                    "engage_date",
                    "yesterday",
                    Reason::Date(DateError::NotADate {
                        extra: String::new(),
                    }),
                ),
                err(
                    12,
                    14,
                    "close_value",
                    "1.5.5",
                    Reason::Amount(AmountError::BadGrouping),
                ),
            ],
        ),
    ];
    let got: Vec<(u64, u64, Vec<RowError>)> = file
        .rejects
        .iter()
        .map(|r| (r.row, r.line, r.errors.clone()))
        .collect();
    assert_eq!(got, expected);
    // The original fields are kept, including the ones of the short row.
    assert_eq!(file.rejects[7].record, ["A9", "Ann", "GTX Basic"]);
    // errors() lists them all in file order.
    assert_eq!(file.errors().count(), 12);
    assert_eq!(
        file.errors().next().unwrap().to_string(),
        "row 1 (line 2), column \"opportunity_id\", value \"A1\": duplicate id: row 8 (line 10) has the same id"
    );
}

#[test]
fn rejects_file_keeps_the_columns_and_adds_the_reasons() {
    let file = read_deals(maven_with_errors().as_bytes(), None, None).unwrap();
    let mut out = Vec::new();
    write_rejects(&mut out, &file.headers, &file.rejects).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("{MAVEN_HEADER},nextstep_error"));
    assert_eq!(
        lines[1],
        "A1,Ann,GTX Basic,Acme,Won,2016-10-20,2017-03-01,\"1,054\",\"opportunity_id \"\"A1\"\": duplicate id: row 8 (line 10) has the same id\""
    );
    assert_eq!(
        lines[2],
        "A3,Ann,GTX Basic,Acme,Won,2016-10-22,2017-03-01,12x,\"close_value \"\"12x\"\": not an amount (expected digits such as 1,234.56, optionally with $ € £ ¥ or a currency code)\""
    );
    // The short row is padded so the reason sits under nextstep_error.
    assert_eq!(
        lines[8],
        "A9,Ann,GTX Basic,,,,,,(row): the row has 3 fields but the header has 8 (an unquoted comma?); deal_stage: required value is empty"
    );
    // Two reasons in one cell, separated by "; ".
    assert!(lines[10].ends_with(
        "\"engage_date \"\"yesterday\"\": not a date (expected YYYY-MM-DD, an ISO date-time, M/D/YYYY or M/D/YY); close_value \"\"1.5.5\"\": digit groups after a thousands separator must have three digits\""
    ), "{}", lines[10]);
    assert_eq!(lines.len(), 11);

    // The rejects file reads back with the same preset (the extra column is ignored), and
    // fixing a row makes it import.
    let fixed = text.replace(",12x,", ",1200,");
    let again = read_deals(fixed.as_bytes(), None, None).unwrap();
    assert_eq!(again.preset, Some(Preset::Maven));
    assert!(
        again
            .deals
            .iter()
            .any(|d| d.external_id == "A3" && d.amount == Some(120_000))
    );
    // Writing its rejects again replaces the reasons instead of adding a second column.
    let mut out = Vec::new();
    write_rejects(&mut out, &again.headers, &again.rejects).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        format!("{MAVEN_HEADER},nextstep_error")
    );
    assert!(!text.contains(",12x,"));
}

#[test]
fn classic_mac_line_endings_count_lines() {
    let csv = format!("{MAVEN_HEADER}\rA,a,GTX Basic,,Engaging,,,\rB,b,GTX Basic,,Nope,,,\r");
    let file = read_deals(csv.as_bytes(), None, None).unwrap();
    assert_eq!(file.deals.len(), 1);
    let error = file.errors().next().unwrap();
    assert_eq!((error.row, error.line), (2, 3));
}

const SF_HEADER: &str = "Id,Name,StageName,Amount,CurrencyIsoCode,CloseDate,IsClosed,IsWon";

#[test]
fn salesforce_row_errors() {
    let csv = [
        SF_HEADER,
        "S1,Fine,Closed Won,100,USD,2026-01-01,true,true",
        "S2,Conflict,Closed Won,100,USD,2026-01-01,true,false",
        "S3,Bad bool,Prospecting,100,USD,2026-01-01,maybe,false",
        "S4,Currency clash,Prospecting,€100,USD,2026-01-01,false,false",
        "S5,Bad currency,Prospecting,100,dollars,2026-01-01,false,false",
        "S6,,Prospecting,100,USD,2026-01-01,false,false",
        "S7,Dollar ok,Prospecting,$100,CAD,2026-01-01,false,false",
        "S8,Open stage closed,Qualification,100,USD,2026-01-01,true,false",
    ]
    .join("\r\n");
    let file = read_deals(csv.as_bytes(), None, None).unwrap();
    let ids: Vec<&str> = file.deals.iter().map(|d| d.external_id.as_str()).collect();
    assert_eq!(ids, ["S1", "S7", "S8"]);
    assert_eq!(
        file.deals[1].currency, "CAD",
        "$ agrees with a CAD currency column"
    );
    assert_eq!(
        file.deals[2].outcome,
        Some(nextstep_core::model::Outcome::Lost),
        "status closes an open stage"
    );
    let got: Vec<RowError> = file.errors().cloned().collect();
    assert_eq!(
        got,
        vec![
            err(
                2,
                3,
                "StageName",
                "Closed Won",
                Reason::OutcomeConflict {
                    stage: "won".into(),
                    column: "IsClosed/IsWon".into(),
                    status: "lost".into()
                }
            ),
            err(3, 4, "IsClosed", "maybe", Reason::NotABoolean),
            err(
                4,
                5,
                "Amount",
                "€100",
                Reason::CurrencyConflict {
                    amount: "EUR".into(),
                    column: "USD".into()
                }
            ),
            err(5, 6, "CurrencyIsoCode", "dollars", Reason::NotACurrency),
            err(6, 7, "Name", "", Reason::Missing),
        ]
    );
}

#[test]
fn pipedrive_unknown_status_and_invalid_utf8() {
    let mut csv = b"Deal - ID,Deal - Title,Deal - Stage,Deal - Status\n1,A,Qualified,deleted\n2,B,Qualified,open\n3,".to_vec();
    csv.extend_from_slice(b"Caf\xe9,Qualified,open\n");
    let file = read_deals(&csv[..], None, None).unwrap();
    assert_eq!(file.deals.len(), 1);
    let got: Vec<RowError> = file.errors().cloned().collect();
    assert_eq!(
        got,
        vec![
            err(1, 2, "Deal - Status", "deleted", Reason::UnknownStatus),
            err(3, 4, "Deal - Title", "Caf\u{fffd}", Reason::NotUtf8),
        ]
    );
    assert_eq!(file.rejects[1].record[1], "Caf\u{fffd}");
}

#[test]
fn three_rows_with_one_id_are_all_rejected_naming_each_other() {
    let csv = format!(
        "{MAVEN_HEADER}\nX,a,GTX Basic,,Engaging,,,\nX,b,GTX Basic,,Engaging,,,\nY,c,GTX Basic,,Engaging,,,\nX,d,GTX Basic,,Engaging,,,\n"
    );
    let file = read_deals(csv.as_bytes(), None, None).unwrap();
    assert_eq!(file.deals.len(), 1);
    assert_eq!(file.deals[0].external_id, "Y");
    let rows: Vec<(u64, Vec<String>)> = file
        .rejects
        .iter()
        .map(|r| {
            (
                r.row,
                r.errors.iter().map(|e| e.reason.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                1,
                vec![
                    "duplicate id: row 2 (line 3) has the same id".to_owned(),
                    "duplicate id: row 4 (line 5) has the same id".to_owned()
                ]
            ),
            (
                2,
                vec!["duplicate id: row 1 (line 2) has the same id".to_owned()]
            ),
            (
                4,
                vec!["duplicate id: row 1 (line 2) has the same id".to_owned()]
            ),
        ]
    );
}

#[test]
fn bom_crlf_quoted_newlines_and_blank_rows() {
    let csv = "\u{feff}opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\r\n\
               A,\"Smith, Ann\",\"GTX\r\nBasic\",\"Acme \"\"Intl\"\"\",Won,2016-10-20,2017-03-01,100\r\n\
               \r\n\
               ,,,,,,,\r\n\
               B,Bob,MG Special,,Lost,2016-10-20,2017-03-01,0\r\n";
    let file = read_deals(csv.as_bytes(), None, None).unwrap();
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    assert_eq!(file.headers[0], "opportunity_id");
    assert_eq!(file.deals.len(), 2);
    assert_eq!(file.deals[0].owner.as_deref(), Some("Smith, Ann"));
    assert_eq!(file.deals[0].product.as_deref(), Some("GTX\r\nBasic"));
    assert_eq!(file.deals[0].account.as_deref(), Some("Acme \"Intl\""));
    assert_eq!(file.deals[1].external_id, "B");
    assert_eq!(file.rows, 2, "blank and all-empty rows are skipped");
}

#[test]
fn a_bad_row_after_a_blank_row_reports_its_real_line() {
    let csv = format!("{MAVEN_HEADER}\n\nA,a,GTX Basic,,Nope,,,\n");
    let file = read_deals(csv.as_bytes(), None, None).unwrap();
    let error = file.errors().next().unwrap();
    assert_eq!((error.row, error.line), (1, 3));
}

/// Generates a Maven-shaped file lazily, so reading it proves the reader streams.
struct Generated {
    rows: usize,
    next: usize,
    buffer: Vec<u8>,
    position: usize,
    served: usize,
}

impl Generated {
    fn new(rows: usize) -> Self {
        let mut buffer = MAVEN_HEADER.as_bytes().to_vec();
        buffer.push(b'\n');
        Generated {
            rows,
            next: 0,
            buffer,
            position: 0,
            served: 0,
        }
    }
}

const STAGES: [&str; 4] = ["Prospecting", "Engaging", "Won", "Lost"];

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.buffer.len() && self.next < self.rows {
            self.buffer.clear();
            self.position = 0;
            for _ in 0..64.min(self.rows - self.next) {
                let i = self.next;
                let stage = STAGES[i % 4];
                let (engaged, closed, value) = match stage {
                    "Prospecting" => ("", "", String::new()),
                    "Engaging" => ("2017-01-02", "", String::new()),
                    "Won" => ("2017-01-02", "2017-05-06", (i % 5000).to_string()),
                    _ => ("2017-01-02", "2017-05-06", "0".to_owned()),
                };
                let line = format!(
                    "ID{i:08},Agent {},GTXPro,Account {},{stage},{engaged},{closed},{value}\n",
                    i % 35,
                    i % 85
                );
                self.buffer.extend_from_slice(line.as_bytes());
                self.next += 1;
            }
        }
        let n = out.len().min(self.buffer.len() - self.position);
        out[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
        self.position += n;
        self.served += n;
        Ok(n)
    }
}

#[test]
fn reads_100k_rows_streaming_with_progress() {
    let mut calls: Vec<(u64, u64)> = Vec::new();
    let started = std::time::Instant::now();
    let file = read_deals_with_progress(Generated::new(100_000), None, None, |rows, bytes| {
        calls.push((rows, bytes));
    })
    .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(file.deals.len(), 100_000);
    assert!(file.rejects.is_empty());
    assert_eq!(
        file.deals.iter().filter(|d| d.outcome.is_none()).count(),
        50_000
    );
    assert_eq!(file.deals[7].name, "GTX Pro – Account 7");
    // Progress came many times, rows and bytes rising, the last at the end of the file.
    assert!(calls.len() > 20, "{}", calls.len());
    assert!(
        calls
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
    );
    let (rows, bytes) = *calls.last().unwrap();
    assert_eq!(rows, 100_000);
    assert!(bytes > 5_000_000, "{bytes}");
    // The first report came after a small part of the file: the reader did not slurp it.
    assert!(calls[0].1 < bytes / 10, "{:?}", calls[0]);
    eprintln!(
        "read 100,000 rows in {elapsed:?} (debug builds are slower; see benches/read_deals.rs)"
    );
}

#[test]
fn the_map_default_currency_and_the_symbol() {
    // `$` alone means USD, unless the map's default is another dollar.
    let csv = "id,name,stage,amount\n1,a,Open,$5\n2,b,Open,5\n3,c,Open,€5\n";
    let map = |extra: &str| {
        DealMap::from_toml(&format!(
            "{extra}\n[columns]\nexternal_id = \"id\"\nname = \"name\"\nstage = \"stage\"\namount = \"amount\"\n[stages]\n\"Open\" = {{}}\n"
        ))
        .unwrap()
    };
    let plain = read_deals(csv.as_bytes(), None, Some(&map(""))).unwrap();
    let currencies: Vec<&str> = plain.deals.iter().map(|d| d.currency.as_str()).collect();
    assert_eq!(currencies, ["USD", "USD", "EUR"]);
    let aud = read_deals(csv.as_bytes(), None, Some(&map("currency = \"AUD\""))).unwrap();
    let currencies: Vec<&str> = aud.deals.iter().map(|d| d.currency.as_str()).collect();
    assert_eq!(currencies, ["AUD", "AUD", "EUR"]);
}
