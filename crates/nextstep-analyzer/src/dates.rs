//! Resolves the spoken dates of a next step ("Thursday", "next Tuesday", "the 7th",
//! "August 3rd", "tomorrow") against the call date, by the rules in the corpus guide.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;

const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const WEEKDAYS: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?x)
        \b(?P<iso>(?P<iy>20\d\d)-(?P<im>\d\d)-(?P<id>\d\d))\b
      | \b(?P<mdy>(?P<sm>\d{{1,2}})/(?P<sd>\d{{1,2}})(?:/(?P<sy>\d{{2,4}}))?)\b
      | \b(?P<md>(?P<m1>{MONTHS})\.?\s+(?:the\s+)?(?P<d1>\d{{1,2}})(?P<s1>st|nd|rd|th)?\b(?:,?\s+(?P<y1>20\d\d))?)
      | \b(?P<dm>(?:the\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTHS})\b(?:,?\s+(?P<y2>20\d\d))?)
      | \b(?P<nth>the\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th))\b
      | \b(?P<wd>(?P<wmod>next\s+|this\s+|coming\s+|this\s+coming\s+)?(?P<w>{WEEKDAYS})(?P<wnext>\s+(?:of\s+)?next\s+week)?)\b
      | \b(?P<eodtomorrow>end\s+of\s+(?:the\s+)?day\s+tomorrow|tomorrow\s+(?:morning|afternoon|evening|night))\b
      | \b(?P<today>today|tonight|this\s+afternoon|this\s+evening|this\s+morning|end\s+of\s+(?:the\s+)?day|by\s+(?:the\s+)?evening|eod|close\s+of\s+(?:business|play))\b
      | \b(?P<dat>(?:the\s+)?day\s+after\s+tomorrow)\b
      | \b(?P<tomorrow>tomorrow)\b
      | \b(?P<nextweek>next\s+week)\b
        "
    );
    Regex::new(&pattern).expect("date pattern compiles")
});

/// A verb reporting what was said or done on the call, before a bare "today" in the same
/// sentence ("the numbers you gave us today", "what we discussed today"): that "today"
/// is the conversation's day, never a step's due date.
static REPORTED_TODAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(gave|given|told|said|showed|shown|shared|discussed|covered|mentioned|talked|heard|saw|seen|learned|learnt|went through|walked (?:us|me) through)\b",
    )
    .expect("reporting verbs compile")
});

/// The words before a date that make it the edge of a time someone is away or a freeze
/// ("we close from the nineteenth", "out until the fifth", "through New Year's"): not
/// when anything is due. "From" needs the absence said just before it ("I can have one
/// set up for you from Monday" is a date).
static ABSENCE_EDGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\b(?:until|till|til|through|thru)|\b(?:out|away|off|close|closed|closes|closing|shut|freeze|frozen|holiday|holidays|leave|vacation|break|gone)\b(?:\s+\S+){0,3}?\s+from)(?:\s+the)?\s*$",
    )
    .expect("absence edges compile")
});

/// What the last date scan learned beyond a date: whether "next week" has been said, so
/// that a weekday named in answer to it lands in the following week.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DateContext {
    pub next_week_said: bool,
    /// The day each weekday (Monday first) was last pinned to — "next Thursday",
    /// "Thursday the 19th" — so that a bare "Thursday" said after it means that day.
    pinned: [Option<NaiveDate>; 7],
}

/// What the dates of `text` teach about the ones said after it ("next week", a weekday
/// pinned to a day), without taking a date from it: for the turns before a step.
pub(crate) fn remember(text: &str, call: NaiveDate, ctx: &mut DateContext) {
    let text = &*ordinals_as_numbers(text);
    for caps in DATE.captures_iter(text) {
        if caps.name("nextweek").is_some() {
            ctx.next_week_said = true;
        } else if caps.name("wd").is_some() {
            weekday_date(&caps, text, call, ctx);
        }
    }
}

/// The day a spoken weekday means: the day of the month said with it ("Thursday the
/// 19th"), the following week's when "next" goes with it, the day the same weekday was
/// pinned to earlier, the following week's in answer to "next week", else the first such
/// day after the call.
fn weekday_date(
    caps: &regex::Captures<'_>,
    text: &str,
    call: NaiveDate,
    ctx: &mut DateContext,
) -> Option<NaiveDate> {
    static DAY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*,?\s*(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b").expect("day pattern compiles")
    });
    let weekday = parse_weekday(&caps["w"])?;
    let slot = weekday.num_days_from_monday() as usize;
    let end = caps.get(0).map_or(0, |m| m.end());
    let rest = text.get(end..).unwrap_or("");
    if let Some(date) = DAY_AFTER
        .captures(rest)
        .and_then(|d| d[1].parse().ok())
        .and_then(|d| next_day_of_month(call, d))
    {
        ctx.pinned[slot] = Some(date);
        return Some(date);
    }
    let explicit_next = caps
        .name("wmod")
        .is_some_and(|m| m.as_str().trim_start().starts_with("next"));
    // "Thursday afternoon next week": "next week" a few words on still decides.
    let cut = rest.char_indices().nth(28).map_or(rest.len(), |(i, _)| i);
    let near = &rest[..cut];
    // Within its own phrase: "friday and i'll decide next week" is Friday.
    let stop = [",", ".", ";", " and ", " but ", " then ", " or "]
        .iter()
        .filter_map(|p| near.find(p))
        .min()
        .unwrap_or(near.len());
    if explicit_next || caps.name("wnext").is_some() || near[..stop].contains("next week") {
        let date = weekday_of_following_week(call, weekday);
        ctx.pinned[slot] = Some(date);
        return Some(date);
    }
    if let Some(date) = ctx.pinned[slot] {
        return Some(date);
    }
    Some(if ctx.next_week_said {
        weekday_of_following_week(call, weekday)
    } else {
        first_weekday_after(call, weekday)
    })
}

/// Spoken ordinals ("the eighth", "twenty-first") written as numbers ("the 8th", "21st")
/// where they name a day: after "the" or a month, or before "of <month>". Speech
/// recognisers and careful speakers alike write them out.
fn ordinals_as_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    static ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
        let units = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth";
        let pattern = format!(
            r"\b(?P<before>the|{MONTHS})\s+(?P<tens>twenty|thirty)?[\s-]?(?P<ord>{units}|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)\b"
        );
        Regex::new(&pattern).expect("ordinal pattern compiles")
    });
    const WORDS: [&str; 20] = [
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
    ];
    if !ORDINAL.is_match(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    ORDINAL.replace_all(text, |c: &regex::Captures<'_>| {
        let ord = &c["ord"];
        let base = match ord {
            "thirtieth" => 30,
            o => WORDS.iter().position(|w| *w == o).map_or(0, |i| i + 1),
        };
        let tens = match c.name("tens").map(|t| t.as_str()) {
            Some("twenty") if base < 10 => 20,
            Some("thirty") if base < 2 => 30,
            _ => 0,
        };
        let day = tens + base;
        // "The third option" is no date: after "the", an ordinal names a day only when
        // nothing or a word that cannot be its noun follows.
        if &c["before"] == "the" {
            let end = c.get(0).map_or(text.len(), |m| m.end());
            let next = text[end..]
                .split(|ch: char| !ch.is_alphanumeric())
                .find(|w| !w.is_empty());
            const AFTER_A_DATE: [&str; 24] = [
                "of",
                "at",
                "in",
                "is",
                "works",
                "work",
                "would",
                "should",
                "then",
                "or",
                "and",
                "for",
                "if",
                "ok",
                "okay",
                "please",
                "suits",
                "morning",
                "afternoon",
                "evening",
                "latest",
                "by",
                "that",
                "we",
            ];
            let ends_here = text[end..].trim_start().is_empty()
                || text[end..]
                    .trim_start()
                    .starts_with(['.', ',', '?', '!', ';']);
            if !ends_here && !next.is_some_and(|w| AFTER_A_DATE.contains(&w)) {
                return c[0].to_string();
            }
        }
        let suffix = match day % 10 {
            1 if day != 11 => "st",
            2 if day != 12 => "nd",
            3 if day != 13 => "rd",
            _ => "th",
        };
        let sep = if tens == 0 && c.name("tens").is_some() {
            // "the twenty fourth" with a base ≥ 10 is not a date form; keep the words.
            return c[0].to_string();
        } else {
            " "
        };
        format!("{}{sep}{day}{suffix}", &c["before"])
    })
}

/// The first concrete date in `text` (lower-cased), resolved against `call`.
pub(crate) fn first_date(text: &str, call: NaiveDate, ctx: &mut DateContext) -> Option<NaiveDate> {
    scan(text, call, ctx, true)
}

/// Like [`first_date`], but a bare "today" ("thanks for making the time today") is no
/// date: for turns read only for context, where it is rarely a deadline.
pub(crate) fn named_date(text: &str, call: NaiveDate, ctx: &mut DateContext) -> Option<NaiveDate> {
    scan(text, call, ctx, false)
}

fn scan(text: &str, call: NaiveDate, ctx: &mut DateContext, bare_today: bool) -> Option<NaiveDate> {
    let text = &*ordinals_as_numbers(text);
    // "What sits in SAP today, and I'll email it to you tomorrow": "today" often means
    // "nowadays"; it is the date only when no other date is named.
    let mut today = None;
    for caps in DATE.captures_iter(text) {
        if caps.name("nextweek").is_some() {
            ctx.next_week_said = true;
            continue;
        }
        let before = &text[..caps.get(0).map_or(0, |c| c.start())];
        if ABSENCE_EDGE.is_match(before) {
            continue;
        }
        if caps.name("iso").is_some() {
            let y = caps["iy"].parse().ok()?;
            let m = caps["im"].parse().ok()?;
            let d = caps["id"].parse().ok()?;
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                return Some(date);
            }
            continue;
        }
        if caps.name("mdy").is_some() {
            let (Ok(m), Ok(d)) = (caps["sm"].parse::<u32>(), caps["sd"].parse::<u32>()) else {
                continue;
            };
            let year = caps
                .name("sy")
                .and_then(|y| y.as_str().parse::<i32>().ok())
                .map(|y| if y < 100 { 2000 + y } else { y });
            if let Some(date) = month_day(call, m, d, year) {
                return Some(date);
            }
            continue;
        }
        if caps.name("md").is_some() || caps.name("dm").is_some() {
            let (mname, dname, yname) = if caps.name("md").is_some() {
                ("m1", "d1", "y1")
            } else {
                ("m2", "d2", "y2")
            };
            let m = month_number(&caps[mname])?;
            // "may" is usually the verb: "we may 2 things" is no date, "May 2nd" is.
            let before = text[..caps.get(0).map_or(0, |c| c.start())].trim_end();
            let dated_may = caps.name("s1").is_some()
                || ["on", "by", "before", "until", "from", "starting", "of"]
                    .iter()
                    .any(|w| before.ends_with(w));
            if m == 5 && mname == "m1" && !dated_may {
                continue;
            }
            let Ok(d) = caps[dname].parse::<u32>() else {
                continue;
            };
            let year = caps.name(yname).and_then(|y| y.as_str().parse().ok());
            if let Some(date) = month_day(call, m, d, year) {
                return Some(date);
            }
            continue;
        }
        if caps.name("nth").is_some() {
            if let Some(date) = caps["d3"]
                .parse()
                .ok()
                .and_then(|d| next_day_of_month(call, d))
            {
                return Some(date);
            }
            continue;
        }
        if caps.name("wd").is_some() {
            return weekday_date(&caps, text, call, ctx);
        }
        if caps.name("eodtomorrow").is_some() {
            return call.checked_add_days(Days::new(1));
        }
        if let Some(m) = caps.name("today") {
            if m.as_str() != "today" {
                return Some(call); // tonight, this afternoon, end of day
            }
            // "The numbers you gave us today": the day of the conversation, not a deadline.
            let before = &text[..m.start()];
            if bare_today && !REPORTED_TODAY.is_match(before) {
                today = today.or(Some(call));
            }
            continue;
        }
        if caps.name("dat").is_some() {
            return call.checked_add_days(Days::new(2));
        }
        if caps.name("tomorrow").is_some() {
            return call.checked_add_days(Days::new(1));
        }
    }
    today
}

fn month_number(name: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let prefix = name.get(..3)?;
    NAMES
        .iter()
        .position(|n| *n == prefix)
        .map(|i| i as u32 + 1)
}

fn parse_weekday(name: &str) -> Option<Weekday> {
    name.parse().ok()
}

/// A month-day: this year's, or next year's when this year's has already passed.
fn month_day(call: NaiveDate, month: u32, day: u32, year: Option<i32>) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    let this_year = NaiveDate::from_ymd_opt(call.year(), month, day);
    match this_year {
        Some(d) if d >= call => Some(d),
        _ => NaiveDate::from_ymd_opt(call.year() + 1, month, day),
    }
}

/// "The 7th": the next 7th on or after the call date.
fn next_day_of_month(call: NaiveDate, day: u32) -> Option<NaiveDate> {
    if !(1..=31).contains(&day) {
        return None;
    }
    let mut year = call.year();
    let mut month = call.month();
    for _ in 0..13 {
        if let Some(d) = NaiveDate::from_ymd_opt(year, month, day)
            && d >= call
        {
            return Some(d);
        }
        month += 1;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    None
}

/// A bare weekday: the first such day after the call date.
fn first_weekday_after(call: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (weekday.num_days_from_monday() + 7 - call.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    call + Days::new(u64::from(ahead))
}

/// "Next Tuesday": the Tuesday of the following Monday-to-Sunday week.
fn weekday_of_following_week(call: NaiveDate, weekday: Weekday) -> NaiveDate {
    let monday = call - Days::new(u64::from(call.weekday().num_days_from_monday()));
    monday + Days::new(7 + u64::from(weekday.num_days_from_monday()))
}

/// The call's date as its transcript or file name states it: the first ISO date
/// (`YYYY-MM-DD`, not part of a longer number) in the first 30 lines, else in `name`.
/// Transcript formats carry times, not dates, so this is the best evidence there is.
pub fn call_date_hint(text: &str, name: &str) -> Option<NaiveDate> {
    text.lines()
        .take(30)
        .chain(std::iter::once(name))
        .find_map(find_iso_date)
}

fn find_iso_date(line: &str) -> Option<NaiveDate> {
    let b = line.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let w = line.get(i..i + 10)?;
        let shaped = w.bytes().enumerate().all(|(k, c)| {
            if k == 4 || k == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 10 == b.len() || !b[i + 10].is_ascii_digit());
        if shaped && bounded {
            NaiveDate::parse_from_str(w, "%Y-%m-%d").ok()
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn resolves_spoken_dates_by_the_guide() {
        // (call date, text, expected)
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "2026-02-02",
                "i'll have it to you by wednesday.",
                Some("2026-02-04"),
            ),
            // The edges of an absence are not when anything is due.
            (
                "2026-12-10",
                "she's out from the eighteenth through new year's, so could we do january sixth",
                Some("2027-01-06"),
            ),
            (
                "2026-12-03",
                "we close from the nineteenth until january fifth, so the twelfth of january",
                Some("2027-01-12"),
            ),
            (
                "2025-12-03",
                "most start with a two-week pilot. i can have one set up for you from monday.",
                Some("2025-12-08"),
            ),
            (
                "2026-10-06",
                "shall we set up a call with your cto next thursday?",
                Some("2026-10-15"),
            ),
            (
                "2026-05-19",
                "i have to present this to our vp on thursday.",
                Some("2026-05-21"),
            ),
            (
                "2026-06-16",
                "let's do a short demo for him on the 24th.",
                Some("2026-06-24"),
            ),
            (
                "2026-06-26",
                "let's do a short demo for him on the 24th.",
                Some("2026-07-24"),
            ),
            (
                "2026-07-29",
                "would a four-week pilot starting august 3rd work?",
                Some("2026-08-03"),
            ),
            (
                "2026-09-23",
                "give me a quote by friday and i'll decide next week.",
                Some("2026-09-25"),
            ),
            (
                "2026-11-11",
                "can you show me that next monday?",
                Some("2026-11-16"),
            ),
            (
                "2026-11-16",
                "can you show me that on monday?",
                Some("2026-11-23"),
            ),
            ("2026-11-11", "let's talk tomorrow.", Some("2026-11-12")),
            (
                "2026-11-11",
                "i can do it this afternoon.",
                Some("2026-11-11"),
            ),
            (
                "2026-11-11",
                "you'll have it by end of day tomorrow.",
                Some("2026-11-12"),
            ),
            ("2026-11-11", "how about march 3rd?", Some("2027-03-03")),
            (
                "2026-11-11",
                "how about the 3rd of december?",
                Some("2026-12-03"),
            ),
            ("2026-11-11", "send it by 2026-12-01.", Some("2026-12-01")),
            ("2026-11-11", "tuesday next week works.", Some("2026-11-17")),
            (
                "2026-08-03",
                "thursday afternoon next week.",
                Some("2026-08-13"),
            ),
            ("2026-12-10", "the eighth is fine", Some("2027-01-08")),
            (
                "2026-06-02",
                "can we get him on a call with you tuesday the ninth",
                Some("2026-06-09"),
            ),
            ("2026-03-02", "by the twenty first", Some("2026-03-21")),
            ("2026-03-02", "on march thirtieth", Some("2026-03-30")),
            ("2026-03-02", "the first thing we need", None),
            (
                "2026-05-06",
                "what sits in sap today, and i will email it to you tomorrow.",
                Some("2026-05-07"),
            ),
            ("2026-03-02", "the third option is cheaper", None),
            ("2026-11-11", "sometime soon, in a few weeks.", None),
            ("2026-11-11", "we may 2 things at once", None),
            (
                "2026-02-12",
                "thursday the 19th works for me.",
                Some("2026-02-19"),
            ),
            (
                "2026-09-24",
                "sent to bethany. by friday the second.",
                Some("2026-10-02"),
            ),
            ("2026-01-31", "the 31st", Some("2026-01-31")),
            (
                "2026-09-10",
                "we'll take the numbers you gave us today, the denial rate",
                None,
            ),
            ("2026-09-10", "what we discussed today, in writing", None),
            ("2026-09-10", "i'll send it over today", Some("2026-09-10")),
            (
                "2026-02-10",
                "sir i will send the roi sheet by evening",
                Some("2026-02-10"),
            ),
            ("2026-02-10", "you'll have it by eod", Some("2026-02-10")),
            ("2026-02-10", "before close of business", Some("2026-02-10")),
            (
                "2026-09-10",
                "if you sign today we can start monday",
                Some("2026-09-14"),
            ),
            ("2026-02-01", "the 30th", Some("2026-03-30")),
        ];
        for (call, text, want) in cases {
            let mut ctx = DateContext::default();
            let got = first_date(text, d(call), &mut ctx);
            assert_eq!(got, want.map(d), "call {call}, text {text:?}");
        }
    }

    #[test]
    fn weekday_answering_next_week_lands_in_the_following_week() {
        let mut ctx = DateContext::default();
        let call = d("2026-03-04"); // a Wednesday
        assert_eq!(first_date("can we meet next week?", call, &mut ctx), None);
        assert_eq!(
            first_date("sure, friday works.", call, &mut ctx),
            Some(d("2026-03-13"))
        );
    }

    #[test]
    fn a_bare_weekday_means_the_day_it_was_pinned_to() {
        // (call date, what was said before, what is said now, expected)
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "2026-04-01",
                "next tuesday, say?",
                "morning or afternoon on the tuesday?",
                "2026-04-07",
            ),
            (
                "2026-01-20",
                "could we do it thursday the 29th?",
                "see you thursday.",
                "2026-01-29",
            ),
            (
                "2026-04-01",
                "next tuesday, say?",
                "i'll send it by friday.",
                "2026-04-03",
            ),
        ];
        for (call, before, now, want) in cases {
            let mut ctx = DateContext::default();
            remember(before, d(call), &mut ctx);
            let got = first_date(now, d(call), &mut ctx);
            assert_eq!(got, Some(d(want)), "call {call}, {before:?} then {now:?}");
        }
    }
}
