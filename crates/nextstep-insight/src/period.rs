//! The periods reports are asked for: ISO weeks (the coaching trend and the weekly
//! digest) and calendar quarters (the forecast). Both print and parse in the forms the
//! command line takes (`2026-W48`, `2026-Q4`).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------
// ISO weeks

/// An ISO 8601 week (`2026-W48`): the unit of the weekly trend and of the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    year: i32,
    week: u32,
}

impl IsoWeek {
    /// The week, when it exists (week 53 exists only in some years).
    pub fn new(year: i32, week: u32) -> Option<IsoWeek> {
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(|_| IsoWeek { year, week })
    }

    /// The week a date falls in.
    pub fn of(date: NaiveDate) -> IsoWeek {
        let w = date.iso_week();
        IsoWeek {
            year: w.year(),
            week: w.week(),
        }
    }

    /// The ISO week-numbering year (not always the calendar year of every day).
    pub fn year(self) -> i32 {
        self.year
    }

    /// The week number, 1–53.
    pub fn week(self) -> u32 {
        self.week
    }

    /// The week's Monday (its first day).
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or(NaiveDate::MIN)
    }

    /// The week's Sunday (its last day).
    pub fn sunday(self) -> NaiveDate {
        self.monday() + Duration::days(6)
    }

    /// Whether the date falls in the week.
    pub fn contains(self, date: NaiveDate) -> bool {
        IsoWeek::of(date) == self
    }

    /// The week `n` weeks earlier.
    pub fn minus_weeks(self, n: u32) -> IsoWeek {
        IsoWeek::of(self.monday() - Duration::weeks(i64::from(n)))
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// Why a week could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekError {
    /// What was given.
    pub input: String,
}

impl fmt::Display for WeekError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected an ISO week like 2026-W48 (a week that exists in that year), found {:?}",
            self.input
        )
    }
}

impl std::error::Error for WeekError {}

/// Reads `2026-W48` (also `2026W48`, a lowercase `w`, a one-digit week): the `--week`
/// argument of `nextstep digest`.
pub fn parse_iso_week(text: &str) -> Result<IsoWeek, WeekError> {
    let err = || WeekError {
        input: text.to_string(),
    };
    let t = text.trim();
    let (year, week) = t
        .split_once(['W', 'w'])
        .ok_or_else(err)
        .map(|(y, w)| (y.strip_suffix('-').unwrap_or(y), w))?;
    let year_ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    let week_ok = (1..=2).contains(&week.len()) && week.bytes().all(|b| b.is_ascii_digit());
    if !year_ok || !week_ok {
        return Err(err());
    }
    let year: i32 = year.parse().map_err(|_| err())?;
    let week: u32 = week.parse().map_err(|_| err())?;
    IsoWeek::new(year, week).ok_or_else(err)
}

impl FromStr for IsoWeek {
    type Err = WeekError;

    fn from_str(s: &str) -> Result<IsoWeek, WeekError> {
        parse_iso_week(s)
    }
}

// ---------------------------------------------------------------------------------------
// Quarters

/// A calendar quarter such as `2026-Q4`, the period forecasts are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    quarter: u8,
}

/// A `--period` that is not `YYYY-Qn`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a quarter: {0:?} (expected YEAR-Qn, e.g. 2026-Q4)")]
pub struct ParseQuarterError(pub String);

impl Quarter {
    /// The quarter `quarter` (1–4) of `year`; `None` for any other quarter number.
    pub fn new(year: i32, quarter: u8) -> Option<Quarter> {
        let valid = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).is_some();
        // The next year must exist too: the last day is computed from its first.
        ((1..=4).contains(&quarter) && valid(year) && year.checked_add(1).is_some_and(valid))
            .then_some(Quarter { year, quarter })
    }

    /// The quarter a date falls in, e.g. to default `--period` to the current one.
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            quarter: (date.month0() / 3 + 1) as u8,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The quarter number, 1–4.
    pub fn quarter(self) -> u8 {
        self.quarter
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.quarter - 1) * 3 + 1, 1)
            .expect("quarter start is a valid date")
    }

    /// Its last day.
    pub fn last_day(self) -> NaiveDate {
        let (y, m) = if self.quarter == 4 {
            (self.year + 1, 1)
        } else {
            (self.year, u32::from(self.quarter) * 3 + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).expect("next quarter start is a valid date")
            - Duration::days(1)
    }

    /// Whether a date is in the quarter (both ends included).
    pub fn contains(self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.quarter)
    }
}

impl FromStr for Quarter {
    type Err = ParseQuarterError;

    /// `2026-Q4`, also `2026Q4`, `2026-q4` and `2026 Q4`.
    fn from_str(s: &str) -> Result<Quarter, ParseQuarterError> {
        let err = || ParseQuarterError(s.to_string());
        let t = s.trim();
        let upper = t.to_ascii_uppercase();
        let (year, q) = upper.split_once('Q').ok_or_else(err)?;
        let year = year.trim_end_matches(['-', ' ']);
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let q: u8 = q.parse().map_err(|_| err())?;
        Quarter::new(year, q).ok_or_else(err)
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
