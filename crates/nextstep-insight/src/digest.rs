//! Weekly digests: one page per rep (and one per manager) that a person actually reads.
//!
//! A digest sets the week's numbers against the rep's own trend (the [`TREND_WEEKS`]
//! weeks before it), gives **one** tip built from the rep's own calls — the most
//! instructive moment of the week (else of the trend), quoted with its timestamp and the
//! question they could have asked instead — and draws the trend as inline SVG.
//!
//! Each digest comes as Markdown and as one self-contained HTML5 file: inline CSS, inline
//! SVG, no scripts, no external resources, so it opens offline and survives mail
//! clients. The HTML is also well-formed XML (void elements self-closed), so it can be
//! checked with an XML parser. All transcript text is escaped in both forms: a quote
//! containing `<script>` renders as text, never as markup.
//!
//! Pure like the rest of the crate: the caller picks the week and writes or mails the
//! files.

use std::fmt::Write;

use chrono::{Duration, NaiveDate};
use nextstep_analyzer::AskInstead;

use crate::charts::{bar_svg, escape, line_svg};
use crate::coach::{
    CoachFilter, CoachMoment, MomentKind, RepScorecard, Tally, instructive_moments, scorecards,
    timestamp,
};
pub use crate::period::{IsoWeek, WeekError, parse_iso_week};
use nextstep_core::dataset::{CallRecord, Dataset};

/// How many weeks before the digest's week make up "your trend".
pub const TREND_WEEKS: u32 = 8;

/// One digest in both forms, ready to write to disk or mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// A one-line title (the HTML `<title>`, a mail subject).
    pub title: String,
    /// The Markdown form.
    pub markdown: String,
    /// One self-contained HTML5 document.
    pub html: String,
}

/// A file-name-safe form of a name (`Anna Kowalska` → `anna-kowalska`), so the caller can
/// name one file per rep and per manager.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "unnamed".to_string()
    } else {
        out
    }
}

/// Escapes text for Markdown: ASCII punctuation that could start markup (emphasis, links,
/// raw HTML, table cells, entities) is backslash-escaped and line breaks become spaces.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

// ----------------------------------------------------------------------------------------
// Numbers

/// Which way is better for a metric.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Better {
    Higher,
    Lower,
}

#[derive(Clone, Copy)]
enum Unit {
    /// 0–1 shown as a percentage; differences in percentage points.
    Share,
    /// A plain number with one decimal.
    Number,
    /// The 0–100 index, no decimals.
    Index,
}

struct Metric {
    name: &'static str,
    unit: Unit,
    better: Better,
    value: fn(&RepScorecard) -> Option<f64>,
}

const METRICS: [Metric; 7] = [
    Metric {
        name: "Need-for-approval index (0–100, lower is better)",
        unit: Unit::Index,
        better: Better::Lower,
        value: |r| Some(r.need_for_approval),
    },
    Metric {
        name: "Asked what the next step should be",
        unit: Unit::Share,
        better: Better::Higher,
        value: |r| Some(r.ask_rate),
    },
    Metric {
        name: "Steps the prospect defined",
        unit: Unit::Share,
        better: Better::Higher,
        value: |r| r.prospect_defined_share,
    },
    Metric {
        name: "Steps the prospect confirmed",
        unit: Unit::Share,
        better: Better::Higher,
        value: |r| r.prospect_confirmed_share,
    },
    Metric {
        name: "Volunteered items per call",
        unit: Unit::Number,
        better: Better::Lower,
        value: |r| Some(r.volunteered_per_call),
    },
    Metric {
        name: "Bail-out rate (of calls with a negative signal)",
        unit: Unit::Share,
        better: Better::Lower,
        value: |r| r.bail_out_rate,
    },
    Metric {
        name: "Named the problem (of calls with a negative signal)",
        unit: Unit::Share,
        better: Better::Higher,
        value: |r| r.confront_rate,
    },
];

fn show(unit: Unit, v: Option<f64>) -> String {
    match v {
        None => "—".to_string(),
        Some(v) => match unit {
            Unit::Share => format!("{:.0}%", v * 100.0),
            Unit::Number => format!("{v:.1}"),
            Unit::Index => format!("{v:.0}"),
        },
    }
}

/// The change from the trend, and whether it is better, worse or level.
fn change(m: &Metric, now: Option<f64>, trend: Option<f64>) -> (String, &'static str) {
    let (Some(now), Some(trend)) = (now, trend) else {
        return ("—".to_string(), "level");
    };
    let (delta, text) = match m.unit {
        Unit::Share => {
            let d = ((now - trend) * 100.0).round();
            (d, format!("{d:+.0} pts"))
        }
        Unit::Number => {
            let d = ((now - trend) * 10.0).round() / 10.0;
            (d, format!("{d:+.1}"))
        }
        Unit::Index => {
            let d = (now - trend).round();
            (d, format!("{d:+.0}"))
        }
    };
    if delta == 0.0 {
        return ("level".to_string(), "level");
    }
    let good = (delta > 0.0) == (m.better == Better::Higher);
    let word = if good { "better" } else { "worse" };
    (format!("{text} ({word})"), word)
}

fn ids(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "none".to_string();
    }
    ids.iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ----------------------------------------------------------------------------------------
// Windows

/// The days whose calls a digest of `week` reads: the trend weeks before it and the week
/// itself, both ends included. A caller may load only these calls
/// (`nextstep_core::dataset::load_between`); the digest comes out the same.
pub fn calls_read(week: IsoWeek) -> (NaiveDate, NaiveDate) {
    let w = Window::new(week);
    (w.trend_first.monday(), w.week.sunday())
}

struct Window {
    week: IsoWeek,
    trend_first: IsoWeek,
}

impl Window {
    fn new(week: IsoWeek) -> Window {
        Window {
            week,
            trend_first: week.minus_weeks(TREND_WEEKS),
        }
    }

    fn this_week(&self, base: CoachFilter) -> CoachFilter {
        CoachFilter {
            since: Some(self.week.monday()),
            until: Some(self.week.sunday()),
            ..base
        }
    }

    fn trend(&self, base: CoachFilter) -> CoachFilter {
        CoachFilter {
            since: Some(self.trend_first.monday()),
            until: Some(self.week.monday() - Duration::days(1)),
            ..base
        }
    }

    /// The trend weeks and the digest's week, oldest first.
    fn weeks(&self) -> Vec<IsoWeek> {
        (0..=TREND_WEEKS)
            .rev()
            .map(|k| self.week.minus_weeks(k))
            .collect()
    }

    fn range(&self) -> String {
        format!(
            "{} – {}",
            self.week.monday().format("%Y-%m-%d"),
            self.week.sunday().format("%Y-%m-%d")
        )
    }
}

fn calls_in<'a>(
    data: &'a Dataset,
    reps: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<&'a CallRecord> {
    let mut calls: Vec<&CallRecord> = data
        .calls
        .iter()
        .filter(|c| {
            c.date >= from && c.date <= to && c.rep.as_deref().is_some_and(|r| reps.contains(&r))
        })
        .collect();
    calls.sort_by_key(|c| (c.date, c.call_id));
    calls
}

/// Index points per week over the pooled calls of the given reps (None = no calls).
fn weekly_index(data: &Dataset, reps: &[&str], w: &Window) -> Vec<(String, Option<f64>, f64)> {
    w.weeks()
        .into_iter()
        .map(|wk| {
            let calls = calls_in(data, reps, wk.monday(), wk.sunday());
            let t = Tally::of(calls.iter().copied());
            let index = (t.n() > 0).then(|| t.parts().total());
            (wk.to_string(), index, t.ask_rate())
        })
        .collect()
}

// ----------------------------------------------------------------------------------------
// The tip

struct Tip {
    heading: String,
    moment: Option<CoachMoment>,
    text: String,
}

/// What the moment shows, said to the rep ("You …") or to the manager ("Bo …").
fn moment_intro(kind: MomentKind, who: &str) -> String {
    match kind {
        MomentKind::BailOut => format!(
            "{who} offered work right after the prospect pushed back, instead of naming what \
             was wrong"
        ),
        MomentKind::ToldUnconfirmed => {
            format!("{who} told the prospect the next step, and the prospect never agreed to it")
        }
        MomentKind::Told => format!("{who} told the prospect the next step instead of asking"),
        MomentKind::Volunteered => format!("{who} offered work nobody asked for"),
    }
}

/// The tip: the most instructive moment of the week, else of the trend, else a quoted
/// ask to keep doing. `team_view` names the rep instead of saying "You".
fn pick_tip(
    data: &Dataset,
    reps: &[&str],
    w: &Window,
    team_view: bool,
    instead: &AskInstead,
) -> Tip {
    let week_calls = calls_in(data, reps, w.week.monday(), w.week.sunday());
    let trend_calls = calls_in(
        data,
        reps,
        w.trend_first.monday(),
        w.week.monday() - Duration::days(1),
    );
    let who = |call_id: i64| -> String {
        if !team_view {
            return "You".into();
        }
        data.calls
            .iter()
            .find(|c| c.call_id == call_id)
            .and_then(|c| c.rep.clone())
            .unwrap_or_else(|| "The rep".into())
    };
    let found = instructive_moments(week_calls.iter().copied(), 1, instead)
        .pop()
        .map(|m| ("From this week's calls", m))
        .or_else(|| {
            instructive_moments(trend_calls.iter().copied(), 1, instead)
                .pop()
                .map(|m| ("From the weeks before (this week gave nothing to fix)", m))
        });
    if let Some((heading, m)) = found {
        return Tip {
            heading: heading.into(),
            text: moment_intro(m.kind, &who(m.call_id)),
            moment: Some(m),
        };
    }
    let asked = week_calls
        .iter()
        .chain(trend_calls.iter())
        .rev()
        .find_map(|c| c.analysis.asks.first().map(|a| (c, a)));
    match asked {
        Some((c, a)) => Tip {
            heading: "Keep doing this".into(),
            text: format!(
                "{} asked the prospect to name the next step — keep asking",
                who(c.call_id)
            ),
            moment: Some(CoachMoment {
                kind: MomentKind::Told,
                call_id: c.call_id,
                deal_id: c.deal_id,
                date: c.date,
                speaker: a.speaker.clone(),
                start: a.start,
                timestamp: timestamp(a.start),
                quote: a.text.clone(),
                why: a.why.clone(),
                signal: None,
                signal_quote: None,
                instead: String::new(),
            }),
        },
        None if week_calls.is_empty() && trend_calls.is_empty() => Tip {
            heading: "No calls".into(),
            text: "No analysed calls this week or in the weeks before".into(),
            moment: None,
        },
        None => Tip {
            heading: "Nothing to fix".into(),
            text: "No bail-outs, told steps or volunteered work in these calls".into(),
            moment: None,
        },
    }
}

fn tip_markdown(out: &mut String, tip: &Tip) {
    let _ = writeln!(out, "## Tip: {}\n", escape_markdown(&tip.heading));
    let _ = writeln!(out, "{}.\n", escape_markdown(&tip.text));
    let Some(m) = &tip.moment else {
        return;
    };
    if let Some(sq) = &m.signal_quote {
        let signal = m.signal.as_deref().unwrap_or("a negative signal");
        let _ = writeln!(
            out,
            "The prospect said ({}): “{}”\n",
            escape_markdown(signal),
            escape_markdown(sq)
        );
    }
    let stamp = m
        .timestamp
        .as_deref()
        .map(|t| format!("[{t}] "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "> {stamp}**{}:** “{}”\n>\n> — call #{}, {}\n",
        escape_markdown(&m.speaker),
        escape_markdown(&m.quote),
        m.call_id,
        m.date
    );
    if !m.instead.is_empty() {
        let _ = writeln!(out, "**Ask instead:** “{}”\n", escape_markdown(&m.instead));
    }
    let _ = writeln!(out, "*Why flagged: {}*\n", escape_markdown(&m.why));
}

fn tip_html(out: &mut String, tip: &Tip) {
    let _ = write!(
        out,
        "<section class=\"tip\"><h2>Tip: {}</h2><p>{}.</p>",
        escape(&tip.heading),
        escape(&tip.text)
    );
    if let Some(m) = &tip.moment {
        if let Some(sq) = &m.signal_quote {
            let signal = m.signal.as_deref().unwrap_or("a negative signal");
            let _ = write!(
                out,
                "<p class=\"signal\">The prospect said ({}): “{}”</p>",
                escape(signal),
                escape(sq)
            );
        }
        out.push_str("<blockquote><p>");
        if let Some(t) = &m.timestamp {
            let _ = write!(out, "<span class=\"ts\">[{}]</span> ", escape(t));
        }
        let _ = write!(
            out,
            "<strong>{}:</strong> “{}”</p><footer>call #{}, {}</footer></blockquote>",
            escape(&m.speaker),
            escape(&m.quote),
            m.call_id,
            m.date
        );
        if !m.instead.is_empty() {
            let _ = write!(
                out,
                "<p class=\"instead\"><strong>Ask instead:</strong> “{}”</p>",
                escape(&m.instead)
            );
        }
        let _ = write!(out, "<p class=\"why\">Why flagged: {}</p>", escape(&m.why));
    }
    out.push_str("</section>");
}

// ----------------------------------------------------------------------------------------
// Documents

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2933;\
background:#f5f7fa;margin:0;padding:24px;line-height:1.45}\
main{max-width:720px;margin:0 auto;background:#fff;padding:24px 32px;border-radius:8px;\
box-shadow:0 1px 3px rgba(0,0,0,.08)}\
h1{font-size:1.4em;margin:0 0 4px}h2{font-size:1.1em;margin:24px 0 8px}\
.sub{color:#7b8794;margin:0 0 16px}\
table{border-collapse:collapse;width:100%;font-size:.92em}\
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7eb}\
td.n,th.n{text-align:right;white-space:nowrap}\
.better{color:#15803d}.worse{color:#dc2626}.level{color:#7b8794}\
td.better,td.worse,td.level{white-space:nowrap}\
.tip{background:#fffbeb;border-left:4px solid #f59e0b;padding:8px 16px;margin:16px 0}\
blockquote{margin:8px 0;padding:8px 12px;background:#fff;border-left:3px solid #cbd2d9}\
blockquote p{margin:0}blockquote footer{color:#7b8794;font-size:.85em;margin-top:4px}\
.ts{color:#7b8794;font-variant-numeric:tabular-nums}.why{color:#7b8794;font-size:.85em}\
.instead{font-size:1.05em}svg{max-width:100%;height:auto;display:block;margin:8px 0}\
.ids{color:#7b8794;font-size:.85em}";

fn html_open(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>{}</title><style>{CSS}</style></head><body><main>",
        escape(title)
    );
}

fn html_close(out: &mut String) {
    out.push_str(
        "<p class=\"ids\">Made by nextstep from the analysed calls; numbers cite call ids.</p>\
         </main></body></html>\n",
    );
}

fn metrics_markdown(out: &mut String, week: Option<&RepScorecard>, trend: Option<&RepScorecard>) {
    out.push_str("| | this week | your trend | change |\n|---|---:|---:|---|\n");
    for m in &METRICS {
        let now = week.and_then(m.value);
        let before = trend.and_then(m.value);
        let (c, _) = change(m, now, before);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            m.name,
            show(m.unit, now),
            show(m.unit, before),
            c
        );
    }
    out.push('\n');
}

fn metrics_html(out: &mut String, week: Option<&RepScorecard>, trend: Option<&RepScorecard>) {
    out.push_str(
        "<table><thead><tr><th></th><th class=\"n\">this week</th><th class=\"n\">your trend</th>\
         <th>change</th></tr></thead><tbody>",
    );
    for m in &METRICS {
        let now = week.and_then(m.value);
        let before = trend.and_then(m.value);
        let (c, class) = change(m, now, before);
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"{class}\">{}</td></tr>",
            escape(m.name),
            escape(&show(m.unit, now)),
            escape(&show(m.unit, before)),
            escape(&c)
        );
    }
    out.push_str("</tbody></table>");
}

/// One rep's digest for one ISO week: the week's numbers against the rep's own trend
/// (the [`TREND_WEEKS`] weeks before), one tip quoted from their own calls, and the
/// weekly index and ask rate drawn as SVG (HTML) or tabled (Markdown).
pub fn rep_digest(data: &Dataset, rep: &str, week: IsoWeek, instead: &AskInstead) -> Digest {
    let w = Window::new(week);
    let base = CoachFilter {
        rep: Some(rep.to_string()),
        ..CoachFilter::default()
    };
    let now = scorecards(data, &w.this_week(base.clone()), instead)
        .reps
        .pop();
    let trend = scorecards(data, &w.trend(base), instead).reps.pop();
    let reps = [rep];
    let points = weekly_index(data, &reps, &w);
    let tip = pick_tip(data, &reps, &w, false, instead);
    let title = format!("{rep} — next-step digest, {week}");
    let n_now = now.as_ref().map_or(0, |r| r.calls);
    let n_trend = trend.as_ref().map_or(0, |r| r.calls);
    let now_ids = now.as_ref().map(|r| r.call_ids.clone()).unwrap_or_default();

    // Markdown.
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", escape_markdown(&title));
    let _ = writeln!(
        md,
        "{} ({}). This week: {} calls ({}). Your trend: {} calls in the {} weeks before.\n",
        week,
        w.range(),
        n_now,
        ids(&now_ids),
        n_trend,
        TREND_WEEKS
    );
    md.push_str("## This week against your trend\n\n");
    metrics_markdown(&mut md, now.as_ref(), trend.as_ref());
    tip_markdown(&mut md, &tip);
    md.push_str("## Week by week\n\n| week | calls | asked | bail-outs | index |\n|---|---:|---:|---:|---:|\n");
    for wk in w.weeks() {
        let calls = calls_in(data, &reps, wk.monday(), wk.sunday());
        let t = Tally::of(calls.iter().copied());
        let mark = if wk == week { " (this week)" } else { "" };
        let _ = writeln!(
            md,
            "| {wk}{mark} | {} | {} | {} | {} |",
            t.n(),
            show(Unit::Share, (t.n() > 0).then(|| t.ask_rate())),
            t.trace.bail_out_items,
            show(Unit::Index, (t.n() > 0).then(|| t.parts().total())),
        );
    }
    md.push('\n');

    // HTML.
    let mut html = String::new();
    html_open(&mut html, &title);
    let _ = write!(
        html,
        "<h1>{}</h1><p class=\"sub\">{} ({}). This week: {} calls. Your trend: {} calls in \
         the {} weeks before.</p>",
        escape(rep),
        week,
        escape(&w.range()),
        n_now,
        n_trend,
        TREND_WEEKS
    );
    html.push_str("<h2>This week against your trend</h2>");
    metrics_html(&mut html, now.as_ref(), trend.as_ref());
    tip_html(&mut html, &tip);
    html.push_str("<h2>Your trend</h2>");
    let idx: Vec<(String, Option<f64>)> = points.iter().map(|(k, v, _)| (k.clone(), *v)).collect();
    let ask: Vec<(String, Option<f64>)> = points
        .iter()
        .map(|(k, v, a)| (k.clone(), v.map(|_| a * 100.0)))
        .collect();
    let last = Some(points.len().saturating_sub(1));
    html.push_str(&line_svg(
        "Need-for-approval index by week (lower is better)",
        &idx,
        100.0,
        last,
    ));
    html.push_str(&line_svg(
        "Calls where you asked for the next step (%)",
        &ask,
        100.0,
        last,
    ));
    let _ = write!(
        html,
        "<p class=\"ids\">Calls this week: {}.</p>",
        escape(&ids(&now_ids))
    );
    html_close(&mut html);

    Digest {
        title,
        markdown: md,
        html,
    }
}

/// A manager's digest for one ISO week: every rep who reports to them with the week's
/// index against their own trend, the team's pooled index by week, a bar chart of the
/// reps, and the one moment most worth coaching this week (naming the rep).
pub fn manager_digest(
    data: &Dataset,
    manager: &str,
    week: IsoWeek,
    instead: &AskInstead,
) -> Digest {
    let w = Window::new(week);
    let base = CoachFilter {
        team_manager: Some(manager.to_string()),
        ..CoachFilter::default()
    };
    let now = scorecards(data, &w.this_week(base.clone()), instead);
    let trend = scorecards(data, &w.trend(base), instead);
    let mut team: Vec<&str> = data
        .reps
        .iter()
        .filter(|r| r.manager.as_deref() == Some(manager))
        .map(|r| r.name.as_str())
        .collect();
    team.sort_unstable();
    team.dedup();
    // Ranked: this week's scorecards best first, then reps with no calls this week.
    let mut order: Vec<&str> = now.reps.iter().map(|r| r.name.as_str()).collect();
    order.extend(
        team.iter()
            .filter(|n| !order.contains(n))
            .collect::<Vec<_>>(),
    );
    let find = |cards: &[RepScorecard], name: &str| cards.iter().find(|r| r.name == name).cloned();
    let rows: Vec<(&str, Option<RepScorecard>, Option<RepScorecard>)> = order
        .iter()
        .map(|n| (*n, find(&now.reps, n), find(&trend.reps, n)))
        .collect();
    let points = weekly_index(data, &team, &w);
    let tip = pick_tip(data, &team, &w, true, instead);
    let title = format!("Team of {manager} — next-step digest, {week}");
    let index = &METRICS[0];

    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", escape_markdown(&title));
    let _ = writeln!(
        md,
        "{} ({}). {} reps, {} calls this week; {} calls in the {} weeks before.\n",
        week,
        w.range(),
        team.len(),
        now.team.calls,
        trend.team.calls,
        TREND_WEEKS
    );
    let _ = writeln!(
        md,
        "Team median index: {} this week, {} over the trend.\n",
        show(Unit::Index, now.team.medians.need_for_approval),
        show(Unit::Index, trend.team.medians.need_for_approval)
    );
    md.push_str("## Reps, best first\n\n| rep | calls | asked | bail-out rate | index | trend | change | call ids |\n|---|---:|---:|---:|---:|---:|---|---|\n");
    for (name, n, t) in &rows {
        let now_i = n.as_ref().map(|r| r.need_for_approval);
        let trend_i = t.as_ref().map(|r| r.need_for_approval);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            escape_markdown(name),
            n.as_ref().map_or(0, |r| r.calls),
            show(Unit::Share, n.as_ref().map(|r| r.ask_rate)),
            show(Unit::Share, n.as_ref().and_then(|r| r.bail_out_rate)),
            show(Unit::Index, now_i),
            show(Unit::Index, trend_i),
            change(index, now_i, trend_i).0,
            ids(n.as_ref().map(|r| r.call_ids.as_slice()).unwrap_or(&[]))
        );
    }
    md.push('\n');
    tip_markdown(&mut md, &tip);
    md.push_str(
        "## Team index by week (pooled over the team's calls)\n\n| week | index |\n|---|---:|\n",
    );
    for (wk, v, _) in &points {
        let _ = writeln!(md, "| {wk} | {} |", show(Unit::Index, *v));
    }
    md.push('\n');

    let mut html = String::new();
    html_open(&mut html, &title);
    let _ = write!(
        html,
        "<h1>{}</h1><p class=\"sub\">{} ({}). {} reps, {} calls this week; {} calls in the {} \
         weeks before. Team median index: {} this week, {} over the trend.</p>",
        escape(&format!("Team of {manager}")),
        week,
        escape(&w.range()),
        team.len(),
        now.team.calls,
        trend.team.calls,
        TREND_WEEKS,
        escape(&show(Unit::Index, now.team.medians.need_for_approval)),
        escape(&show(Unit::Index, trend.team.medians.need_for_approval)),
    );
    html.push_str(
        "<h2>Reps, best first</h2><table><thead><tr><th>rep</th><th class=\"n\">calls</th>\
         <th class=\"n\">asked</th><th class=\"n\">bail-out rate</th><th class=\"n\">index</th>\
         <th class=\"n\">trend</th><th>change</th></tr></thead><tbody>",
    );
    for (name, n, t) in &rows {
        let now_i = n.as_ref().map(|r| r.need_for_approval);
        let trend_i = t.as_ref().map(|r| r.need_for_approval);
        let (c, class) = change(index, now_i, trend_i);
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"{class}\">{}</td></tr>",
            escape(name),
            n.as_ref().map_or(0, |r| r.calls),
            escape(&show(Unit::Share, n.as_ref().map(|r| r.ask_rate))),
            escape(&show(Unit::Share, n.as_ref().and_then(|r| r.bail_out_rate))),
            escape(&show(Unit::Index, now_i)),
            escape(&show(Unit::Index, trend_i)),
            escape(&c)
        );
    }
    html.push_str("</tbody></table>");
    let bars: Vec<(String, f64)> = now
        .reps
        .iter()
        .map(|r| (r.name.clone(), r.need_for_approval))
        .collect();
    html.push_str(&bar_svg(
        &format!("Need-for-approval index, {week} (lower is better)"),
        &bars,
        100.0,
        None,
    ));
    tip_html(&mut html, &tip);
    html.push_str("<h2>Team trend</h2>");
    let idx: Vec<(String, Option<f64>)> = points.iter().map(|(k, v, _)| (k.clone(), *v)).collect();
    html.push_str(&line_svg(
        "Team index by week, pooled over the team's calls (lower is better)",
        &idx,
        100.0,
        Some(idx.len().saturating_sub(1)),
    ));
    html_close(&mut html);

    Digest {
        title,
        markdown: md,
        html,
    }
}
