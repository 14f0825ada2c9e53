//! No panic on any input: the readers and value parsers return errors, never unwind.

use nextstep_crm::values::{
    DecimalSeparator, parse_amount, parse_bool, parse_currency, parse_date,
};
use nextstep_crm::{DealMap, Preset, read_accounts, read_deals, read_reps};
use proptest::prelude::*;

fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    // Headers that hit each preset, then rows of cells drawn from separators, quotes,
    // line breaks, digits, currency marks and arbitrary bytes.
    let header = prop::sample::select(vec![
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n",
        "Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CurrencyIsoCode\n",
        "Deal Name,Deal Stage,Amount,Create Date\n",
        "Deal - ID,Deal - Title,Deal - Stage,Deal - Status,Deal - Value\n",
        "account,sector,year_established,revenue,employees\n",
        "name,manager,team,email\n",
    ]);
    let cell = prop::collection::vec(
        prop_oneof![
            Just(b','),
            Just(b'"'),
            Just(b'\n'),
            Just(b'\r'),
            Just(b'.'),
            Just(b'-'),
            Just(b'('),
            Just(b'/'),
            Just(b'$'),
            b'0'..=b'9',
            any::<u8>(),
        ],
        0..200,
    );
    let stage = prop::sample::select(vec![
        "Won",
        "Lost",
        "Closed Won",
        "closedwon",
        "open",
        "won",
        "Prospecting",
        "true",
    ]);
    (header, prop::collection::vec((cell, stage), 0..8)).prop_map(|(header, rows)| {
        let mut out = header.as_bytes().to_vec();
        for (cell, stage) in rows {
            out.extend_from_slice(&cell);
            out.push(b',');
            out.extend_from_slice(stage.as_bytes());
            out.push(b'\n');
        }
        out
    })
}

proptest! {
    #[test]
    fn readers_never_panic(bytes in csv_like()) {
        for preset in [None, Some(Preset::Maven), Some(Preset::Salesforce), Some(Preset::Hubspot), Some(Preset::Pipedrive)] {
            let _ = read_deals(&bytes[..], preset, None);
        }
        let _ = read_accounts(&bytes[..]);
        let _ = read_reps(&bytes[..]);
    }

    #[test]
    fn value_parsers_never_panic(text in "\\PC{0,40}") {
        for decimal in [DecimalSeparator::Auto, DecimalSeparator::Dot, DecimalSeparator::Comma] {
            let _ = parse_amount(&text, decimal);
        }
        let _ = parse_date(&text, &[]);
        let _ = parse_date(&text, &["%d.%m.%Y".to_owned()]);
        let _ = parse_bool(&text);
        let _ = parse_currency(&text);
        let _ = DealMap::from_toml(&text);
    }

    #[test]
    fn amounts_round_trip_through_their_plain_form(
        cents in prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), -1000i64..1000]
    ) {
        let text = nextstep_crm::values::format_cents(cents);
        let back = parse_amount(&text, DecimalSeparator::Auto).unwrap().unwrap();
        prop_assert_eq!(back.cents, cents);
    }
}
