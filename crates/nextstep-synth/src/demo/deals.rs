//! Deals over two quarters: who owns each, how it goes, its calls, and how it ends.
//!
//! A deal's hidden facts (fit, buyer warmth) and its owner's habits shape its calls; the
//! calls' labels then shape the outcome, so next-step discipline and winning are linked
//! the way the product claims they are.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use nextstep_analyzer::{Kind, Side};
use nextstep_core::{NewDeal, Outcome};

use super::calls::{self, CallSpec, Ctx, Generated, Warmth};
use super::market::{self, Account, BOSS_ROLES, FIRST_NAMES, INDUSTRIES, LAST_NAMES, ProductLine};
use super::team::{self, DemoRep, MANAGER, REPS, VENDOR};
use super::{DEAL_COUNT, DemoCall, DemoData, Intended};
use crate::render::{self, Utt};
use crate::rng::Rng;
use crate::style::Style;

/// How many accounts the deals are spread over.
const ACCOUNT_COUNT: usize = 90;
/// How far back the oldest deal starts: two quarters.
const HISTORY_DAYS: i64 = 182;
/// How many deals are still open by date (a few of them close early as disqualified, so
/// about a third of the pipeline ends up open).
const OPEN_BY_DATE: usize = 78;

/// A deal before it gets its id: the record, its calls' lines and labels.
struct Draft {
    deal: NewDeal,
    calls: Vec<(NaiveDate, Vec<String>, Generated)>,
}

/// Builds the whole demo data set.
pub fn generate(seed: u64, today: NaiveDate) -> DemoData {
    let root = Rng::new(seed);
    let accounts = market::accounts(&mut root.fork(1), ACCOUNT_COUNT);
    let mut order_rng = root.fork(2);
    let mut account_order: Vec<usize> = (0..accounts.len()).collect();
    shuffle(&mut order_rng, &mut account_order);
    let mut open: Vec<bool> = (0..DEAL_COUNT).map(|i| i < OPEN_BY_DATE).collect();
    shuffle(&mut order_rng, &mut open);
    let mut owners: Vec<usize> = Vec::with_capacity(DEAL_COUNT);
    while owners.len() < DEAL_COUNT {
        let mut block: Vec<usize> = (0..REPS.len()).collect();
        shuffle(&mut order_rng, &mut block);
        owners.extend(block);
    }

    let mut drafts: Vec<Draft> = (0..DEAL_COUNT)
        .map(|i| {
            let mut r = root.fork(1000 + i as u64);
            let account = if i < account_order.len() {
                &accounts[account_order[i]]
            } else {
                &accounts[r.below(accounts.len())]
            };
            let repeat = i >= account_order.len();
            draft_deal(&mut r, today, &REPS[owners[i]], account, repeat, open[i])
        })
        .collect();
    drafts.sort_by(|a, b| {
        a.deal
            .created
            .cmp(&b.deal.created)
            .then_with(|| a.deal.name.cmp(&b.deal.name))
    });

    let mut deals = Vec::with_capacity(drafts.len());
    let mut calls = Vec::new();
    for (i, draft) in drafts.into_iter().enumerate() {
        let id = format!("DEMO-{:04}", i + 1);
        for (date, sellers, generated) in draft.calls {
            let n = calls.len();
            let style = Style::ALL[n % Style::ALL.len()];
            let mut r = root.fork(10_000_000 + n as u64);
            let utts = timed(&generated.lines, &mut r);
            let text = render::render(style, &utts, date, &mut r);
            calls.push(DemoCall {
                deal_external_id: id.clone(),
                date,
                file_name: format!("{id}-{date}.{}", style.extension()),
                format: style.format(),
                style,
                text,
                sellers,
                intended: generated.intended,
            });
        }
        let mut deal = draft.deal;
        deal.external_id = id;
        deals.push(deal);
    }
    DemoData {
        reps: team::reps(),
        accounts: accounts.into_iter().map(|a| a.record).collect(),
        deals,
        calls,
    }
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
}

/// One deal with its calls and outcome.
fn draft_deal(
    r: &mut Rng,
    today: NaiveDate,
    rep: &DemoRep,
    account: &Account,
    repeat: bool,
    open_by_date: bool,
) -> Draft {
    let industry = &INDUSTRIES[account.industry];
    let product = industry.product;
    // Open deals were created recently enough that their planned close is still ahead;
    // closed ones planned to close (at least) a few days ago.
    let (age, cycle) = if open_by_date {
        let age = r.range(5, 120);
        (age, r.range(age.max(35), 130))
    } else {
        let age = r.range(40, HISTORY_DAYS);
        (age, r.range(35.min(age - 3), age - 3))
    };
    let created = today - Days::new(age as u64);
    let planned_close = created + Days::new(cycle as u64);
    let fit = r.chance(0.8);
    let warmth = [Warmth::Hot, Warmth::Warm, Warmth::Cool][r.weighted(&[0.25, 0.5, 0.25])];

    let mut units = r.range(industry.units.0, industry.units.1);
    if units > 1000 {
        units = units / 100 * 100;
    } else if units > 100 {
        units = units / 10 * 10;
    }
    if !fit {
        units = (units / 3).max(industry.units.0 / 2).max(4);
    }
    let amount = product.annual_price(units);
    let nsites = r.range(2, 9);
    let (sites, site) = *r.pick(industry.sites);
    let (workers, worker) = *r.pick(industry.workers);

    // People.
    let prospect = person(r);
    let boss = loop {
        let b = *r.pick(&FIRST_NAMES);
        if !prospect.starts_with(b) {
            break b;
        }
    };
    let colleague = r.chance(0.3).then(|| person(r));

    let mut ctx = Ctx::default();
    ctx.set("s", team::first_name(rep.name));
    ctx.set("p", team::first_name(&prospect));
    ctx.set("company", account.short.clone());
    ctx.set("vendor", VENDOR);
    ctx.set("product", product.name());
    ctx.set("workers", workers);
    ctx.set("worker", worker);
    ctx.set("sites", sites);
    ctx.set("site", site);
    ctx.set("nsites", words(nsites));
    ctx.set("n", words(units));
    ctx.set("volume", volume(units));
    ctx.set(
        "scope",
        match product {
            ProductLine::Dispatch => format!("{} {workers}", words(units)),
            ProductLine::Payables => format!("{} invoices a month", volume(units)),
            ProductLine::Learn | ProductLine::Shifts => format!("{} people", words(units)),
        },
    );
    ctx.set("system", *r.pick(industry.systems));
    ctx.set("boss", boss);
    ctx.set("bossrole", *r.pick(&BOSS_ROLES));
    ctx.set("team", *r.pick(industry.teams));
    ctx.set("city", account.city);
    ctx.set("season", *r.pick(industry.seasons));
    ctx.set("feature", *r.pick(industry.features));
    ctx.set("plural", industry.plural);
    ctx.set(
        "price",
        format!("{} thousand", words((amount + 500) / 1000)),
    );
    ctx.set("mgr", team::first_name(MANAGER));
    if let Some(c) = &colleague {
        ctx.set("col", team::first_name(c));
    }

    // Calls, spread over the deal's life.
    let planned_calls = 1 + r.weighted(&[0.2, 0.35, 0.3, 0.15]);
    let first_day = created + Days::new(1);
    let last_day = if open_by_date {
        today - Days::new(1)
    } else {
        planned_close
    };
    let span = (last_day - first_day).num_days().max(0) + 1;
    let count = planned_calls.min((span / 4).max(1) as usize);
    let mut calls: Vec<(NaiveDate, Vec<String>, Generated)> = Vec::new();
    let mut disqualified_on = None;
    let mut previous: Option<NaiveDate> = None;
    for k in 0..count {
        let lo = first_day + Days::new((span * k as i64 / count as i64) as u64);
        let hi = first_day + Days::new((span * (k as i64 + 1) / count as i64 - 1).max(0) as u64);
        let mut date = weekday_in(r, lo, hi.max(lo));
        if previous.is_some_and(|p| date <= p) {
            date = previous.map_or(date, |p| p + Days::new(1));
        }
        if date > last_day.max(first_day) {
            break;
        }
        previous = Some(date);
        let mut call_ctx = ctx.clone();
        set_dates(r, &mut call_ctx);
        let manager = r.chance(0.1).then_some(MANAGER);
        let colleague_here = colleague.as_deref().filter(|_| r.chance(0.5));
        let spec = CallSpec {
            habit: &rep.habit,
            seller: rep.name,
            manager,
            prospect: &prospect,
            colleague: colleague_here,
            product,
            fit,
            warmth,
            stage: k.min(3),
            ctx: &call_ctx,
        };
        let generated = calls::generate(&spec, r);
        let mut sellers = vec![rep.name.to_string()];
        if let Some(m) = manager {
            sellers.push(m.to_string());
        }
        let disqualified = generated.intended.disqualified;
        calls.push((date, sellers, generated));
        if disqualified {
            disqualified_on = Some(date);
            break;
        }
    }

    // How it ends.
    let labels: Vec<&Intended> = calls.iter().map(|(_, _, g)| &g.intended).collect();
    let (stage, outcome, closed, loss_reason) = if let Some(day) = disqualified_on {
        let closed = (day + Days::new(r.range(0, 3) as u64)).min(today);
        (
            "Disqualified".to_string(),
            Some(Outcome::Disqualified),
            Some(closed),
            Some(format!("Not a fit for {}", product.name())),
        )
    } else if open_by_date {
        (open_stage(&labels), None, None, None)
    } else {
        let p = win_probability(&labels, fit, warmth);
        if r.chance(p) {
            (
                "Closed Won".to_string(),
                Some(Outcome::Won),
                Some(planned_close),
                None,
            )
        } else {
            let reason = loss_reason(r, &labels);
            (
                "Closed Lost".to_string(),
                Some(Outcome::Lost),
                Some(planned_close),
                Some(reason.to_string()),
            )
        }
    };

    let short = product.name().trim_start_matches("Halyard ");
    let name = if repeat {
        format!("{} - {short} expansion", account.record.name)
    } else {
        format!("{} - {short} for {nsites} {sites}", account.record.name)
    };
    Draft {
        deal: NewDeal {
            external_id: String::new(),
            name,
            account: Some(account.record.name.clone()),
            owner: Some(rep.name.to_string()),
            stage,
            amount: Some(amount * 100),
            currency: "USD".to_string(),
            expected_close: Some(planned_close),
            created: Some(created),
            closed,
            outcome,
            loss_reason,
            product: Some(product.name().to_string()),
            crm_next_step: None,
        },
        calls,
    }
}

/// A prospect's full name.
fn person(r: &mut Rng) -> String {
    format!("{} {}", r.pick(&FIRST_NAMES), r.pick(&LAST_NAMES))
}

/// A weekday between `lo` and `hi` (inclusive), or `lo` when the range has none.
fn weekday_in(r: &mut Rng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    let span = (hi - lo).num_days();
    for _ in 0..8 {
        let d = lo + Days::new(r.range(0, span) as u64);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return d;
        }
    }
    lo
}

/// The per-call date words: `{when}`, `{day}`, `{nth}`.
fn set_dates(r: &mut Rng, ctx: &mut Ctx) {
    let day = *r.pick(&["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
    let nth = *r.pick(&["3rd", "7th", "12th", "15th", "21st", "28th"]);
    let when = match r.below(8) {
        0 => format!("next {day}"),
        1 => format!("on {day}"),
        2 => format!("this {day}"),
        3 => "early next week".to_string(),
        4 => format!("on the {nth}"),
        5 => format!("{day} afternoon"),
        6 => "next week".to_string(),
        _ => format!("on {day} morning"),
    };
    ctx.set("day", day);
    ctx.set("nth", nth);
    ctx.set("when", when);
}

/// Gives each utterance a start and end, at a speaking pace with pauses between turns.
fn timed(lines: &[(String, String)], r: &mut Rng) -> Vec<Utt> {
    let mut t = 1.0 + r.unit() * 3.0;
    lines
        .iter()
        .map(|(speaker, text)| {
            let words = text.split_whitespace().count() as f64;
            let start = (t * 1000.0).round() / 1000.0;
            let end = start + 0.6 + words * (0.3 + r.unit() * 0.1);
            let end = (end * 1000.0).round() / 1000.0;
            t = end + 0.2 + r.unit() * 2.5;
            Utt {
                speaker: speaker.clone(),
                text: text.clone(),
                start,
                end,
            }
        })
        .collect()
}

/// The chance a closed deal was won, from its calls: what the forecast should learn.
fn win_probability(labels: &[&Intended], fit: bool, warmth: Warmth) -> f64 {
    let mut p = if fit { 0.42 } else { 0.08 };
    if let Some(last) = labels.last() {
        p += match (last.defined_by, last.confirmed) {
            (Some(Side::Prospect), _) => 0.25,
            (Some(Side::Seller), Some(true)) => 0.1,
            (Some(Side::Seller), _) => -0.18,
            (None, _) => -0.2,
        };
    }
    let bail_outs = labels.iter().filter(|l| l.bail_out).count().min(2) as f64;
    p -= 0.16 * bail_outs;
    let asked = labels.iter().filter(|l| l.asked).count() as f64 / labels.len().max(1) as f64;
    p += 0.1 * asked;
    p += match warmth {
        Warmth::Hot => 0.15,
        Warmth::Warm => 0.0,
        Warmth::Cool => -0.15,
    };
    p.clamp(0.03, 0.93)
}

/// Why a deal was lost, in a CRM's words, from what happened on its calls.
fn loss_reason(r: &mut Rng, labels: &[&Intended]) -> &'static str {
    let bailed = labels.iter().any(|l| l.bail_out);
    let no_step = labels.last().is_some_and(|l| l.defined_by.is_none());
    if bailed && r.chance(0.6) {
        const AFTER_BAIL_OUT: [&str; 3] = [
            "Went dark after we sent the proposal",
            "Chose a cheaper competitor",
            "Never replied to the quote",
        ];
        AFTER_BAIL_OUT[r.below(AFTER_BAIL_OUT.len())]
    } else if no_step && r.chance(0.6) {
        "No decision"
    } else {
        const OTHER: [&str; 5] = [
            "Budget cut",
            "Chose a competitor",
            "Timing",
            "No decision",
            "Stayed with current process",
        ];
        OTHER[r.below(OTHER.len())]
    }
}

/// An open deal's stage, from how far its calls got.
fn open_stage(labels: &[&Intended]) -> String {
    let by_count = match labels.len() {
        0 | 1 => "Discovery",
        2 => "Demo",
        3 => "Proposal",
        _ => "Negotiation",
    };
    let by_step = match labels.last().and_then(|l| l.kind) {
        Some(Kind::Contract) => Some("Negotiation"),
        Some(Kind::Proposal | Kind::Quote) => Some("Proposal"),
        Some(Kind::Demo | Kind::Trial) if labels.len() <= 2 => Some("Demo"),
        _ => None,
    };
    by_step.unwrap_or(by_count).to_string()
}

/// `n` in words, as people say numbers on calls ("sixty-five", "a hundred and eighty",
/// "fifteen hundred").
pub fn words(n: i64) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let n = n.max(0);
    if n < 20 {
        ONES[n as usize].to_string()
    } else if n < 100 {
        let tens = TENS[(n / 10) as usize];
        if n % 10 == 0 {
            tens.to_string()
        } else {
            format!("{tens}-{}", ONES[(n % 10) as usize])
        }
    } else if n < 1000 {
        let head = if n / 100 == 1 {
            "a hundred".to_string()
        } else {
            format!("{} hundred", ONES[(n / 100) as usize])
        };
        if n % 100 == 0 {
            head
        } else {
            format!("{head} and {}", words(n % 100))
        }
    } else if n % 1000 == 0 {
        format!("{} thousand", words(n / 1000))
    } else if n < 10_000 && n % 100 == 0 {
        format!("{} hundred", words(n / 100))
    } else {
        format!("{} thousand {}", words(n / 1000), words(n % 1000))
    }
}

/// Monthly invoice volume for `units` (hundreds of invoices) in words.
fn volume(units: i64) -> String {
    words(units * 100)
}
