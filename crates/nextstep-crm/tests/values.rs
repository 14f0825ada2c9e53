//! Amount, date, boolean and currency parsing: input → expected, as tables.

use chrono::NaiveDate;
use nextstep_crm::values::{
    AmountError, CurrencyMark, DateError, DecimalSeparator, format_cents, parse_amount, parse_bool,
    parse_currency, parse_date,
};

/// `(input, cents, currency code the cell named)`.
const AMOUNTS: &[(&str, i64, Option<&str>)] = &[
    ("0", 0, None),
    ("1200", 120_000, None),
    ("1200.5", 120_050, None),
    ("1200.50", 120_050, None),
    ("12000.0", 1_200_000, None),
    ("12000.000", 1_200_000, None),
    ("  42  ", 4200, None),
    ("1,200", 120_000, None),
    ("1,234,567.89", 123_456_789, None),
    ("1.234.567,89", 123_456_789, None),
    ("1.234.567", 123_456_700, None),
    ("1,234,567", 123_456_700, None),
    ("12,5", 1250, None),
    ("0,500", 50, None),
    ("1234,56", 123_456, None),
    ("1 234 567,89", 123_456_789, None),
    ("1\u{a0}234,50", 123_450, None),
    ("1'234.50", 123_450, None),
    ("$1,200.00", 120_000, Some("USD")),
    ("$ 1,200", 120_000, Some("USD")),
    ("€12.000,00", 1_200_000, Some("EUR")),
    ("0.5", 50, None),
    ("1.234,56 €", 123_456, Some("EUR")),
    ("£99.99", 9999, Some("GBP")),
    ("¥5000", 500_000, Some("JPY")),
    ("USD 1,200", 120_000, Some("USD")),
    ("EUR1200", 120_000, Some("EUR")),
    ("1200 GBP", 120_000, Some("GBP")),
    ("US$15", 1500, Some("USD")),
    ("CA$15", 1500, Some("CAD")),
    ("-1200", -120_000, None),
    ("(1,200.00)", -120_000, None),
    ("-$5", -500, Some("USD")),
    ("$-5", -500, Some("USD")),
    ("$(5.25)", -525, Some("USD")),
    ("(€5)", -500, Some("EUR")),
    ("+7", 700, None),
    ("−7", -700, None),
    ("92233720368547758.07", i64::MAX, None),
    ("-92233720368547758.08", i64::MIN, None),
];

#[test]
fn amounts_parse_to_exact_cents() {
    for &(input, cents, currency) in AMOUNTS {
        let amount = parse_amount(input, DecimalSeparator::Auto)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"))
            .unwrap_or_else(|| panic!("{input:?}: empty"));
        assert_eq!(amount.cents, cents, "{input:?}");
        assert_eq!(
            amount.currency.as_ref().map(|m| m.default_code()),
            currency,
            "{input:?}"
        );
    }
}

#[test]
fn dollar_sign_is_a_symbol_that_allows_other_dollars() {
    let amount = parse_amount("$10", DecimalSeparator::Auto)
        .unwrap()
        .unwrap();
    let mark = amount.currency.unwrap();
    assert!(matches!(mark, CurrencyMark::Symbol { symbol: "$", .. }));
    assert!(mark.allows("USD") && mark.allows("CAD") && mark.allows("AUD"));
    assert!(!mark.allows("EUR"));
}

#[test]
fn empty_amounts_are_none() {
    for input in ["", "   ", "\t"] {
        assert_eq!(
            parse_amount(input, DecimalSeparator::Auto),
            Ok(None),
            "{input:?}"
        );
    }
}

const BAD_AMOUNTS: &[(&str, AmountError)] = &[
    ("abc", AmountError::NotANumber),
    ("12x", AmountError::NotANumber),
    ("$", AmountError::NotANumber),
    ("1,2,3", AmountError::BadGrouping),
    ("12,34,567", AmountError::BadGrouping),
    ("1234,567.00", AmountError::BadGrouping),
    ("1.234", AmountError::Ambiguous),
    ("1.000", AmountError::Ambiguous),
    ("12.345", AmountError::Ambiguous),
    ("€12.000", AmountError::Ambiguous),
    ("1234.567", AmountError::TooPrecise),
    ("0.001", AmountError::TooPrecise),
    ("1.2E+05", AmountError::Scientific),
    ("1e5", AmountError::Scientific),
    ("$12 EUR", AmountError::TwoCurrencies),
    ("--5", AmountError::TwoSigns),
    ("-(5)", AmountError::TwoSigns),
    ("1.234,56.78", AmountError::TwoDecimalSeparators),
    ("92233720368547758.08", AmountError::Overflow),
    ("99999999999999999999", AmountError::Overflow),
];

#[test]
fn bad_amounts_say_why() {
    for (input, expected) in BAD_AMOUNTS {
        assert_eq!(
            parse_amount(input, DecimalSeparator::Auto).as_ref(),
            Err(expected),
            "{input:?}"
        );
    }
}

#[test]
fn a_forced_decimal_separator_settles_ambiguity() {
    let table: &[(&str, DecimalSeparator, Result<i64, AmountError>)] = &[
        ("1.234", DecimalSeparator::Comma, Ok(123_400)),
        ("1.234,5", DecimalSeparator::Comma, Ok(123_450)),
        ("1,5", DecimalSeparator::Comma, Ok(150)),
        ("1,234", DecimalSeparator::Dot, Ok(123_400)),
        ("1.5", DecimalSeparator::Dot, Ok(150)),
        ("1,5", DecimalSeparator::Dot, Err(AmountError::BadGrouping)),
        (
            "1,234",
            DecimalSeparator::Comma,
            Err(AmountError::TooPrecise),
        ),
    ];
    for (input, decimal, expected) in table {
        let got = parse_amount(input, *decimal).map(|a| a.unwrap().cents);
        assert_eq!(&got, expected, "{input:?} with {decimal:?}");
    }
}

#[test]
fn cents_format_as_plain_decimals() {
    let table = [
        (0, "0.00"),
        (5, "0.05"),
        (120_050, "1200.50"),
        (-525, "-5.25"),
        (i64::MIN, "-92233720368547758.08"),
    ];
    for (cents, text) in table {
        assert_eq!(format_cents(cents), text);
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn dates_parse_in_every_export_form() {
    let table = [
        ("2026-04-14", date(2026, 4, 14)),
        ("2026/04/14", date(2026, 4, 14)),
        ("2026-4-9", date(2026, 4, 9)),
        ("2026-04-14T10:00:00Z", date(2026, 4, 14)),
        ("2026-04-14T10:00:00.000+0000", date(2026, 4, 14)),
        ("2026-04-14T23:30:00-07:00", date(2026, 4, 14)),
        ("2026-04-14 10:00:00", date(2026, 4, 14)),
        ("2026-04-14 10:00", date(2026, 4, 14)),
        ("4/14/2026", date(2026, 4, 14)),
        ("04/14/2026", date(2026, 4, 14)),
        ("4/14/26", date(2026, 4, 14)),
        ("12/31/99", date(1999, 12, 31)),
        ("1/2/2026", date(2026, 1, 2)),
        ("4/14/2026 10:00 AM", date(2026, 4, 14)),
        ("2/29/2028", date(2028, 2, 29)),
        (" 2026-04-14 ", date(2026, 4, 14)),
    ];
    for (input, expected) in table {
        assert_eq!(parse_date(input, &[]), Ok(Some(expected)), "{input:?}");
    }
    assert_eq!(parse_date("", &[]), Ok(None));
}

#[test]
fn bad_dates_say_why() {
    let not_a_date = DateError::NotADate {
        extra: String::new(),
    };
    let table = [
        ("tomorrow", not_a_date.clone()),
        ("14.04.2026", not_a_date.clone()),
        ("2026-04", not_a_date.clone()),
        ("26-04-14", not_a_date.clone()),
        ("4/14/202", not_a_date.clone()),
        ("2026-04-14 later", not_a_date.clone()),
        ("14/4/2026", DateError::NoSuchDate),
        ("2/30/2026", DateError::NoSuchDate),
        ("2026-13-01", DateError::NoSuchDate),
        ("2/29/2026", DateError::NoSuchDate),
    ];
    for (input, expected) in table {
        assert_eq!(parse_date(input, &[]), Err(expected), "{input:?}");
    }
}

#[test]
fn map_date_formats_come_first() {
    let formats = vec!["%d/%m/%Y".to_owned(), "%d.%m.%Y".to_owned()];
    assert_eq!(parse_date("4/5/2026", &formats), Ok(Some(date(2026, 5, 4))));
    assert_eq!(
        parse_date("14.04.2026", &formats),
        Ok(Some(date(2026, 4, 14)))
    );
    assert_eq!(
        parse_date("2026-04-14", &formats),
        Ok(Some(date(2026, 4, 14)))
    );
    let err = parse_date("soon", &formats).unwrap_err();
    assert!(err.to_string().contains("%d.%m.%Y"), "{err}");
}

#[test]
fn booleans_and_currencies() {
    for (input, expected) in [
        ("true", Ok(Some(true))),
        ("TRUE", Ok(Some(true))),
        ("1", Ok(Some(true))),
        ("Yes", Ok(Some(true))),
        ("false", Ok(Some(false))),
        ("0", Ok(Some(false))),
        ("no", Ok(Some(false))),
        ("", Ok(None)),
        ("maybe", Err(())),
    ] {
        assert_eq!(parse_bool(input), expected, "{input:?}");
    }
    for (input, expected) in [
        ("USD", Some("USD")),
        ("eur", Some("EUR")),
        (" gbp ", Some("GBP")),
        ("US Dollar (USD)", Some("USD")),
        ("€", Some("EUR")),
        ("$", Some("USD")),
        ("dollars", None),
        ("US", None),
    ] {
        assert_eq!(parse_currency(input).as_deref(), expected, "{input:?}");
    }
}
