//! Cell values as CRM exports write them: amounts, dates, booleans and currency codes.
//!
//! These parsers exist because every CRM (and every spreadsheet a file passed through)
//! writes money and dates its own way, and nextstep must read all of them *exactly*:
//! amounts become integer cents by parsing the decimal string (never through `f64`), and a
//! value that could mean two things is an error rather than a guess.
//!
//! # Amounts ([`parse_amount`])
//!
//! - An optional currency before or after the number: a symbol (`$ € £ ¥ ₹ ₩`, and the
//!   prefixed dollars `US$ C$ CA$ A$ AU$ NZ$ R$`) or an ISO 4217 code (`USD 1,200`,
//!   `1.200,00 EUR`), with or without a space.
//! - An optional sign: `-1200`, `+1200`, or accounting parentheses `(1,200.00)`; the sign
//!   may stand before or after the currency (`-$5`, `$-5`, `$(5)`).
//! - Digit grouping with `,`, `.`, spaces (also no-break spaces) or `'`; groups after the
//!   first must have exactly three digits (`1,234,567.89`, `1.234.567,89`, `1 234,5`,
//!   `1'234.50`).
//! - **The decimal-separator rule** (with [`DecimalSeparator::Auto`]): when both `.` and
//!   `,` occur, the last one is the decimal separator (`1,234.56` and `1.234,56` are both
//!   1234.56). When only one kind occurs more than once, it groups (`1,234,567`,
//!   `1.234.567`). A single `,` followed by exactly three digits groups (`1,200` is 1200,
//!   as US exports mean it); otherwise a single `,` is a decimal comma (`12,5`, `1234,56`).
//!   A single `.` is a decimal point; with exactly three digits after it (`1.234`) the value
//!   is ambiguous — 1234 in European notation, a sub-cent amount in US notation — and is
//!   rejected: a mapping file's `decimal_separator` settles it.
//! - At most two decimal places (more are accepted only when the extra digits are zeros,
//!   as in `12000.000`), since amounts are kept in cents and rounding would change money.
//! - Scientific notation (`1.2E+05`, as spreadsheets sometimes save large numbers) is
//!   rejected with a hint.
//!
//! # Dates ([`parse_date`])
//!
//! ISO dates (`2026-04-14`, also `2026/04/14`), ISO date-times in the forms CRMs write
//! (`2026-04-14T10:00:00Z`, Salesforce's `2026-04-14T10:00:00.000+0000`,
//! `2026-04-14 10:00:00`), and US dates `M/D/YYYY` and `M/D/YY` (optionally followed by a
//! time such as `10:00 AM`). Slash dates are always month first: a day-first export needs
//! a mapping file's `dates = ["%d/%m/%Y"]`, whose formats are tried before the built-in
//! ones. The date is taken as written: a date-time's offset is not used to move it to
//! another day.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use nextstep_core::model::Cents;

/// How to read `.` and `,` in amounts, because `1.234` means 1234 to a German export and
/// 1.234 to an American one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DecimalSeparator {
    /// Decide per value by the rule in the [module docs](self); ambiguous values are
    /// rejected.
    #[default]
    Auto,
    /// `.` is the decimal point; `,` only groups digits.
    Dot,
    /// `,` is the decimal separator; `.` only groups digits.
    Comma,
}

/// An amount read from a cell: cents, and the currency the cell itself named (if any), so
/// the importer can check it against a currency column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// The value in minor units.
    pub cents: Cents,
    /// The currency the cell named.
    pub currency: Option<CurrencyMark>,
}

/// How a cell named its currency: an ISO code is definite, a symbol like `$` only narrows
/// it down (US, Canadian, Australian dollars…), so the two are kept apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrencyMark {
    /// An ISO 4217 code written in the cell (`USD`), or a symbol only one currency uses
    /// (`€`, `£`, `US$`).
    Code(String),
    /// A symbol several currencies share; `codes[0]` is what it means alone.
    Symbol {
        /// The symbol as written (`$`, `¥`).
        symbol: &'static str,
        /// Currencies written with it, the default first.
        codes: &'static [&'static str],
    },
}

impl CurrencyMark {
    /// The currency this mark means when nothing else says which.
    pub fn default_code(&self) -> &str {
        match self {
            CurrencyMark::Code(code) => code,
            CurrencyMark::Symbol { codes, .. } => codes[0],
        }
    }

    /// Whether `code` is consistent with the mark (`CAD` is, for `$`).
    pub fn allows(&self, code: &str) -> bool {
        match self {
            CurrencyMark::Code(own) => own == code,
            CurrencyMark::Symbol { codes, .. } => codes.contains(&code),
        }
    }
}

/// Why a cell is not an amount; each reason says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a number at all.
    #[error(
        "not an amount (expected digits such as 1,234.56, optionally with $ € £ ¥ or a currency code)"
    )]
    NotANumber,
    /// Separators in places no grouping allows (`1,23,4`).
    #[error("digit groups after a thousands separator must have three digits")]
    BadGrouping,
    /// More than one decimal separator.
    #[error("more than one decimal separator")]
    TwoDecimalSeparators,
    /// `1.234`: thousands or decimals?
    #[error(
        "ambiguous: a single '.' followed by three digits could be thousands (European) or decimals; set decimal_separator in the mapping file"
    )]
    Ambiguous,
    /// Sub-cent precision.
    #[error("more than two decimal places (amounts are kept in cents)")]
    TooPrecise,
    /// `1.2E+05`.
    #[error("scientific notation; format the column as a plain number before exporting")]
    Scientific,
    /// Two currency marks (`$12 EUR`).
    #[error("two currencies in one amount")]
    TwoCurrencies,
    /// More than one sign.
    #[error("more than one sign")]
    TwoSigns,
    /// Does not fit in 64-bit cents.
    #[error("amount too large")]
    Overflow,
}

/// Why a cell is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// No accepted format matches.
    #[error("not a date (expected YYYY-MM-DD, an ISO date-time, M/D/YYYY or M/D/YY{extra})")]
    NotADate {
        /// Mention of the mapping file's own formats, when it has any.
        extra: String,
    },
    /// The fields are in range of no calendar date (`2/30/2026`).
    #[error("no such date")]
    NoSuchDate,
}

/// Symbols, longest first so `US$` wins over `$`; each with the codes written with it.
const SYMBOLS: &[(&str, &[&str])] = &[
    ("US$", &["USD"]),
    ("CA$", &["CAD"]),
    ("AU$", &["AUD"]),
    ("NZ$", &["NZD"]),
    ("C$", &["CAD"]),
    ("A$", &["AUD"]),
    ("R$", &["BRL"]),
    ("$", &["USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"]),
    ("€", &["EUR"]),
    ("£", &["GBP"]),
    ("¥", &["JPY", "CNY"]),
    ("₹", &["INR"]),
    ("₩", &["KRW"]),
];

fn symbol_mark(symbol: &'static str, codes: &'static [&'static str]) -> CurrencyMark {
    if codes.len() == 1 {
        CurrencyMark::Code(codes[0].to_owned())
    } else {
        CurrencyMark::Symbol { symbol, codes }
    }
}

/// Whether a character separates digit groups without ever being a decimal separator.
fn is_space_group(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
}

/// Reads an amount cell; an empty (or whitespace-only) cell is `Ok(None)`.
///
/// The rules are in the [module docs](self). The result is exact: `0.1 + 0.2` problems
/// cannot occur because no floating point is involved.
pub fn parse_amount(text: &str, decimal: DecimalSeparator) -> Result<Option<Amount>, AmountError> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Ok(None);
    }
    let mut negative = false;
    let mut signs = 0;
    let mut currency: Option<CurrencyMark> = None;
    // Peel sign, parentheses and currency marks off both ends until only the number is
    // left; each layer may appear in any order (`-$5`, `$-5`, `($5)`, `5 €`).
    loop {
        let before = rest;
        if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            signs += 1;
            negative = true;
            rest = inner.trim();
        }
        if let Some(r) = rest.strip_prefix(['-', '−']) {
            signs += 1;
            negative = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix('+') {
            signs += 1;
            rest = r.trim_start();
        }
        if let Some((mark, r)) = strip_currency_prefix(rest) {
            if currency.is_some() {
                return Err(AmountError::TwoCurrencies);
            }
            currency = Some(mark);
            rest = r.trim_start();
        }
        if let Some((mark, r)) = strip_currency_suffix(rest) {
            if currency.is_some() {
                return Err(AmountError::TwoCurrencies);
            }
            currency = Some(mark);
            rest = r.trim_end();
        }
        if rest == before {
            break;
        }
    }
    if signs > 1 {
        return Err(AmountError::TwoSigns);
    }
    let magnitude = parse_number(rest, decimal)?;
    let signed = if negative { -magnitude } else { magnitude };
    let cents = Cents::try_from(signed).map_err(|_| AmountError::Overflow)?;
    Ok(Some(Amount { cents, currency }))
}

fn strip_currency_prefix(s: &str) -> Option<(CurrencyMark, &str)> {
    for &(symbol, codes) in SYMBOLS {
        if let Some(rest) = s.strip_prefix(symbol) {
            return Some((symbol_mark(symbol, codes), rest));
        }
    }
    let bytes = s.as_bytes();
    if bytes.len() > 3
        && bytes[..3].iter().all(u8::is_ascii_uppercase)
        && !bytes[3].is_ascii_alphabetic()
    {
        return Some((CurrencyMark::Code(s[..3].to_owned()), &s[3..]));
    }
    None
}

fn strip_currency_suffix(s: &str) -> Option<(CurrencyMark, &str)> {
    for &(symbol, codes) in SYMBOLS {
        if let Some(rest) = s.strip_suffix(symbol) {
            return Some((symbol_mark(symbol, codes), rest));
        }
    }
    let bytes = s.as_bytes();
    let n = bytes.len();
    if n > 3
        && bytes[n - 3..].iter().all(u8::is_ascii_uppercase)
        && !bytes[n - 4].is_ascii_alphabetic()
    {
        return Some((CurrencyMark::Code(s[n - 3..].to_owned()), &s[..n - 3]));
    }
    None
}

/// The number without sign or currency → cents (wider than [`Cents`] so the sign can be
/// applied before the range check: `i64::MIN` cents is representable).
fn parse_number(s: &str, decimal: DecimalSeparator) -> Result<i128, AmountError> {
    if s.is_empty() {
        return Err(AmountError::NotANumber);
    }
    if s.chars().any(|c| c == 'e' || c == 'E')
        && s.chars()
            .all(|c| c.is_ascii_digit() || "eE+-.,".contains(c))
    {
        return Err(AmountError::Scientific);
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_space_group(c))
    {
        return Err(AmountError::NotANumber);
    }
    if !s.starts_with(|c: char| c.is_ascii_digit()) || !s.ends_with(|c: char| c.is_ascii_digit()) {
        return Err(AmountError::NotANumber);
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let decimal_char = match decimal {
        DecimalSeparator::Dot => Some('.').filter(|_| dots > 0),
        DecimalSeparator::Comma => Some(',').filter(|_| commas > 0),
        DecimalSeparator::Auto => {
            if dots > 0 && commas > 0 {
                let last_dot = s.rfind('.').unwrap_or(0);
                let last_comma = s.rfind(',').unwrap_or(0);
                Some(if last_dot > last_comma { '.' } else { ',' })
            } else if commas == 1 {
                let (before, after) = s.split_once(',').unwrap_or((s, ""));
                let plain_before = before.chars().all(|c| c.is_ascii_digit());
                // 1,200 (US thousands) or 1 234,567 (groups, checked below); a single
                // comma after 0 or after four or more plain digits is a decimal comma.
                let us_thousands =
                    plain_before && (1..=3).contains(&before.len()) && !before.starts_with('0');
                if after.len() == 3 && (!plain_before || us_thousands) {
                    None
                } else {
                    Some(',')
                }
            } else if dots == 1 {
                let (before, after) = s.rsplit_once('.').unwrap_or((s, ""));
                let plain_before = before.chars().all(|c| c.is_ascii_digit());
                let could_group =
                    plain_before && (1..=3).contains(&before.len()) && !before.starts_with('0');
                if after.len() == 3 && could_group {
                    return Err(AmountError::Ambiguous);
                }
                Some('.')
            } else {
                None
            }
        }
    };
    let (int_part, frac_part) = match decimal_char {
        Some(d) => {
            if s.matches(d).count() > 1 {
                return Err(AmountError::TwoDecimalSeparators);
            }
            let (i, f) = s.rsplit_once(d).unwrap_or((s, ""));
            (i, f)
        }
        None => (s, ""),
    };
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return Err(AmountError::BadGrouping);
    }
    // Integer part: digits separated by group marks; the first group 1–3 digits and every
    // later one exactly 3 (when there are group marks at all).
    let groups: Vec<&str> = int_part
        .split(|c: char| c == '.' || c == ',' || is_space_group(c))
        .collect();
    if groups.iter().any(|g| g.is_empty()) {
        return Err(AmountError::BadGrouping);
    }
    if groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return Err(AmountError::BadGrouping);
    }
    let mut cents: i128 = 0;
    for digit in groups.iter().flat_map(|g| g.bytes()) {
        cents = cents
            .checked_mul(10)
            .and_then(|c| c.checked_add(i128::from(digit - b'0')))
            .filter(|c| *c <= i128::from(Cents::MAX) + 1)
            .ok_or(AmountError::Overflow)?;
    }
    let frac = frac_part.as_bytes();
    if frac.len() > 2 && frac[2..].iter().any(|&b| b != b'0') {
        return Err(AmountError::TooPrecise);
    }
    let tens = frac.first().map_or(0, |b| i128::from(b - b'0'));
    let ones = frac.get(1).map_or(0, |b| i128::from(b - b'0'));
    cents
        .checked_mul(100)
        .and_then(|c| c.checked_add(tens * 10 + ones))
        .ok_or(AmountError::Overflow)
}

/// Formats cents as a plain decimal (`-1234.50`), as Salesforce's Data Loader and most
/// importers want amounts: no currency, no grouping, `.` as decimal point.
pub fn format_cents(cents: Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Reads a date cell; an empty cell is `Ok(None)`.
///
/// `formats` are chrono `strftime` patterns (a mapping file's `dates`), tried first, each
/// as a date, a date-time and a date-time with offset. Then the built-in forms in the
/// [module docs](self).
pub fn parse_date(text: &str, formats: &[String]) -> Result<Option<NaiveDate>, DateError> {
    let s = text.trim();
    if s.is_empty() {
        return Ok(None);
    }
    for format in formats {
        if let Ok(date) = NaiveDate::parse_from_str(s, format) {
            return Ok(Some(date));
        }
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(Some(dt.date()));
        }
        if let Ok(dt) = DateTime::parse_from_str(s, format) {
            return Ok(Some(dt.naive_local().date()));
        }
    }
    let not_a_date = || DateError::NotADate {
        extra: if formats.is_empty() {
            String::new()
        } else {
            format!(", or the mapping file's {}", formats.join(", "))
        },
    };
    let split = s.find(['T', ' ']).unwrap_or(s.len());
    let (date_part, time_part) = s.split_at(split);
    if !time_part.is_empty() && !looks_like_time(&time_part[1..]) {
        return Err(not_a_date());
    }
    let (y, m, d) = if let Some(ymd) = split_numbers(date_part, '-')
        .or_else(|| split_numbers(date_part, '/').filter(|p| p.0.len() == 4))
    {
        // ISO: YYYY-MM-DD (or YYYY/MM/DD).
        if ymd.0.len() != 4 || ymd.1.len() > 2 || ymd.2.len() > 2 {
            return Err(not_a_date());
        }
        (ymd.0, ymd.1, ymd.2)
    } else if let Some(mdy) = split_numbers(date_part, '/') {
        // US: M/D/YYYY or M/D/YY.
        if mdy.0.len() > 2 || mdy.1.len() > 2 || !(mdy.2.len() == 4 || mdy.2.len() == 2) {
            return Err(not_a_date());
        }
        (mdy.2, mdy.0, mdy.1)
    } else {
        return Err(not_a_date());
    };
    let mut year: i32 = y.parse().map_err(|_| not_a_date())?;
    if y.len() == 2 {
        // chrono's %y pivot: 00–68 → 20xx, 69–99 → 19xx.
        year += if year < 69 { 2000 } else { 1900 };
    }
    let month: u32 = m.parse().map_err(|_| not_a_date())?;
    let day: u32 = d.parse().map_err(|_| not_a_date())?;
    NaiveDate::from_ymd_opt(year, month, day)
        .map(Some)
        .ok_or(DateError::NoSuchDate)
}

/// `a<sep>b<sep>c` with three non-empty all-digit parts.
fn split_numbers(s: &str, sep: char) -> Option<(&str, &str, &str)> {
    let mut parts = s.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (digits(a) && digits(b) && digits(c)).then_some((a, b, c))
}

/// Whether what follows a date looks like a time of day (`10:00`, `10:00:00.000+0000`,
/// `10:00 AM`, `10:00:00Z`): what CRMs append, and nothing else.
fn looks_like_time(s: &str) -> bool {
    let s = s.trim();
    let bytes = s.as_bytes();
    bytes.len() >= 4
        && bytes[0].is_ascii_digit()
        && s.contains(':')
        && s.chars()
            .all(|c| c.is_ascii_digit() || ":.+-Z ".contains(c) || "AaPpMm".contains(c))
}

/// Reads a boolean cell (`true/false`, `1/0`, `yes/no`, `y/n`, `t/f`, any case); an empty
/// cell is `Ok(None)`, anything else `Err(())`.
#[allow(clippy::result_unit_err)]
pub fn parse_bool(text: &str) -> Result<Option<bool>, ()> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" | "y" | "t" => Ok(Some(true)),
        "false" | "0" | "no" | "n" | "f" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// Reads a currency cell: an ISO 4217 code in any case (`usd`), a code in parentheses as
/// some CRMs write it (`US Dollar (USD)`), or a symbol only one currency uses (`€`).
/// Returns the upper-case code, or `None` when the cell names no currency it can tell.
pub fn parse_currency(text: &str) -> Option<String> {
    let s = text.trim();
    let code = |c: &str| {
        (c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic())).then(|| c.to_ascii_uppercase())
    };
    if let Some(c) = code(s) {
        return Some(c);
    }
    if let Some(inner) = s.rfind('(').and_then(|i| s[i + 1..].strip_suffix(')')) {
        return code(inner.trim());
    }
    SYMBOLS
        .iter()
        .find(|(symbol, _)| *symbol == s)
        .map(|(_, codes)| codes[0].to_owned())
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.currency {
            Some(mark) => write!(f, "{} {}", format_cents(self.cents), mark.default_code()),
            None => f.write_str(&format_cents(self.cents)),
        }
    }
}

/// How headers are compared: trimmed, BOM-less, case-insensitive.
pub(crate) fn normalise_header(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_lowercase()
}
