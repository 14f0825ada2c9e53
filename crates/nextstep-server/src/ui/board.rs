//! The pipeline board: open deals in columns by stage, each card badged with the state of
//! its next step — who defined it, whether the prospect confirmed it, whether it is late.
//!
//! Built to stay fast on 100,000 deals: one store read, one pass to filter and group
//! (a map keyed by stage), and at most [`CARDS_PER_COLUMN`] cards rendered per column;
//! the rest are counted and summed, never formatted.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::NaiveDate;
use nextstep_core::{Cents, DefinedBy, NextStepRecord};
use nextstep_insight::hygiene::{Flag, Row};
use serde::Deserialize;

use super::{Chrome, UiResult, date, group, money, page_caller, render};
use crate::api::{parse_flag, pipeline_report};
use crate::cache::flag_bit;
use crate::state::AppState;

/// Cards shown per column; the rest are summarised as "N more".
pub const CARDS_PER_COLUMN: usize = 50;

/// The badge a card (and the deal page) carries for its next step: who defined it and
/// whether the prospect stands behind it. Lateness is a second badge ([`overdue`]), so
/// a late step still says who defined it, and confirming it visibly changes the badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    /// No open next step (red).
    None,
    /// The seller defined the step and the prospect never agreed (amber).
    SellerUnconfirmed,
    /// The seller defined the step and the prospect confirmed it (green).
    Confirmed,
    /// The prospect defined the step (green).
    Prospect,
}

impl Badge {
    /// The badge of a deal's open step (`None`: no open step).
    pub fn for_step(step: Option<&NextStepRecord>) -> Badge {
        match step.map(|s| (s.defined_by, s.confirmed_by_prospect)) {
            None => Badge::None,
            Some((DefinedBy::Prospect, _)) => Badge::Prospect,
            Some((DefinedBy::Seller, false)) => Badge::SellerUnconfirmed,
            Some((DefinedBy::Seller, true)) => Badge::Confirmed,
        }
    }

    /// The badge of a board row.
    pub fn of(row: &Row) -> Badge {
        Badge::for_step(row.pipeline.next_step.as_ref())
    }

    /// The stable CSS class (`badge-prospect`, `badge-seller-unconfirmed`, `badge-none`,
    /// `badge-confirmed`) browser tests select on; the overdue badge is `badge-overdue`.
    pub fn class(self) -> &'static str {
        match self {
            Badge::None => "badge-none",
            Badge::SellerUnconfirmed => "badge-seller-unconfirmed",
            Badge::Confirmed => "badge-confirmed",
            Badge::Prospect => "badge-prospect",
        }
    }

    /// The words on the badge.
    pub fn label(self) -> &'static str {
        match self {
            Badge::None => "none",
            Badge::SellerUnconfirmed => "seller-defined, unconfirmed",
            Badge::Confirmed => "seller-defined, confirmed",
            Badge::Prospect => "prospect-defined",
        }
    }
}

/// Whether an open step is late: its due date is before `today`.
pub fn overdue(step: Option<&NextStepRecord>, today: NaiveDate) -> bool {
    step.and_then(|s| s.due).is_some_and(|d| d < today)
}

/// Where a stage sits left to right: CRM stage names differ, so the usual funnel words
/// are recognised and anything else follows, alphabetically.
pub fn stage_rank(stage: &str) -> u8 {
    let s = stage.to_lowercase();
    const ORDER: [(&str, u8); 14] = [
        ("lead", 0),
        ("prospect", 1),
        ("qualif", 2),
        ("engag", 3),
        ("discover", 3),
        ("needs", 3),
        ("demo", 4),
        ("value", 4),
        ("solution", 4),
        ("propos", 5),
        ("quote", 5),
        ("negotia", 6),
        ("contract", 7),
        ("commit", 7),
    ];
    ORDER
        .iter()
        .find(|(word, _)| s.contains(word))
        .map_or(20, |(_, rank)| *rank)
}

/// One deal card, already formatted.
#[derive(Debug, Clone)]
pub struct Card {
    /// Deal id (the card's `data-deal-id`).
    pub id: i64,
    /// Deal name.
    pub name: String,
    /// Account, or empty.
    pub account: String,
    /// Owner, or empty.
    pub owner: String,
    /// Amount with currency.
    pub amount: String,
    /// The open step's action, or empty.
    pub action: String,
    /// Its due date, or empty.
    pub due: String,
    /// The badge's class.
    pub badge_class: &'static str,
    /// The badge's words.
    pub badge_label: &'static str,
    /// Whether the step is overdue (a second, red badge).
    pub overdue: bool,
    /// Other flags worth a chip (stale, bail-out on the last call).
    pub chips: Vec<&'static str>,
}

impl Card {
    fn of(row: &Row) -> Card {
        let d = &row.pipeline.deal;
        let badge = Badge::of(row);
        let step = row.pipeline.next_step.as_ref();
        Card {
            id: d.id,
            name: d.name.clone(),
            account: d.account.clone().unwrap_or_default(),
            owner: d.owner.clone().unwrap_or_default(),
            amount: money(d.amount, &d.currency),
            action: step.map(|s| s.action.clone()).unwrap_or_default(),
            due: step
                .and_then(|s| s.due)
                .map(|d| date(Some(d)))
                .unwrap_or_default(),
            badge_class: badge.class(),
            badge_label: badge.label(),
            overdue: row.flags.contains(&Flag::Overdue),
            chips: row
                .flags
                .iter()
                .filter_map(|f| match f {
                    Flag::Stale => Some("stale"),
                    Flag::BailOutLastCall => Some("bail-out on last call"),
                    _ => None,
                })
                .collect(),
        }
    }
}

/// One stage's column: its totals over every matching deal, and the first cards.
#[derive(Debug, Clone)]
pub struct Column {
    /// The stage name.
    pub stage: String,
    /// Deals in the column (all of them, not just the shown cards).
    pub count: usize,
    /// Their total amount, formatted (amounts summed across currencies, in units).
    pub total: String,
    /// The largest deals first, at most [`CARDS_PER_COLUMN`].
    pub cards: Vec<Card>,
    /// How many more are not shown.
    pub more: usize,
}

struct Acc {
    rank: u8,
    count: usize,
    cents: Cents,
    cards: Vec<Card>,
}

/// Groups report rows (already largest first), each with its stage's index in `stages`,
/// into columns in one pass: `O(n)` with no hashing or string comparison, then a sort
/// of the few distinct stages; only the first `cap` cards of a column are built.
pub fn columns<'a>(
    rows: impl IntoIterator<Item = (&'a Row, u32, Cents)>,
    stages: &[String],
    cap: usize,
) -> Vec<Column> {
    let mut accs: Vec<Option<Acc>> = (0..stages.len()).map(|_| None).collect();
    for (row, stage, amount) in rows {
        let (Some(slot), Some(name)) = (accs.get_mut(stage as usize), stages.get(stage as usize))
        else {
            continue;
        };
        let acc = slot.get_or_insert_with(|| Acc {
            rank: stage_rank(name),
            count: 0,
            cents: 0,
            cards: Vec::new(),
        });
        acc.count += 1;
        acc.cents = acc.cents.saturating_add(amount);
        if acc.cards.len() < cap {
            acc.cards.push(Card::of(row));
        }
    }
    let mut cols: Vec<(u8, &str, Acc)> = accs
        .into_iter()
        .zip(stages)
        .filter_map(|(acc, stage)| acc.map(|a| (a.rank, stage.as_str(), a)))
        .collect();
    cols.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    cols.into_iter()
        .map(|(_, stage, acc)| Column {
            stage: stage.to_string(),
            count: acc.count,
            total: units(acc.cents),
            more: acc.count - acc.cards.len(),
            cards: acc.cards,
        })
        .collect()
}

/// Cents as whole units with separators (totals mix currencies, so no code is shown).
fn units(cents: Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}", group(cents.unsigned_abs() / 100))
}

/// The board's filters, from the query string (empty means all).
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    /// Owner (rep name).
    pub owner: Option<String>,
    /// Flag name (`NO_NEXT_STEP`, …).
    pub flag: Option<String>,
}

/// A flag's entry in the filter bar.
struct FlagOption {
    name: &'static str,
    label: &'static str,
    count: u64,
    selected: bool,
}

fn flag_label(f: Flag) -> &'static str {
    match f {
        Flag::NoNextStep => "No next step",
        Flag::Overdue => "Overdue",
        Flag::SellerDefinedUnconfirmed => "Seller-defined, unconfirmed",
        Flag::Stale => "Stale",
        Flag::BailOutLastCall => "Bail-out on last call",
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    owners: Vec<(String, bool)>,
    flags: Vec<FlagOption>,
    owner: String,
    flag: String,
    columns: Vec<Column>,
    deals: usize,
    amount: String,
    healthy: usize,
    cap: usize,
}

/// `GET /`: the board, filtered by owner and flag.
pub async fn board(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<BoardQuery>,
) -> UiResult {
    let caller = page_caller(&state, &headers).await?;
    let owner = q.owner.unwrap_or_default().trim().to_string();
    let flag_name = q.flag.unwrap_or_default().trim().to_string();
    let flag = if flag_name.is_empty() {
        None
    } else {
        Some(parse_flag(&flag_name)?)
    };
    // One read of everything visible (cached, with owners and stages indexed): the owner
    // list comes from it too, so a rep never sees the names of owners outside their scope.
    let view = pipeline_report(&state, &caller).await?;
    // The loop reads only the cache's per-row arrays; a row itself is touched only when
    // it becomes one of a column's first cards.
    let wanted_bits = flag.map_or(0, flag_bit);
    let mut flag_counts = [0u64; Flag::ALL.len()];
    let mut healthy = 0;
    let mut shown: Vec<(&Row, u32, Cents)> = Vec::new();
    let mut cents: Cents = 0;
    let owned = view.select(Some(owner.as_str()).filter(|o| !o.is_empty()), None);
    for i in owned {
        let bits = view.flags_of[i];
        if bits == 0 {
            healthy += 1;
        }
        for (k, count) in flag_counts.iter_mut().enumerate() {
            *count += u64::from(bits >> k & 1);
        }
        if bits & wanted_bits == wanted_bits {
            let amount = view.amount_of[i];
            cents = cents.saturating_add(amount);
            shown.push((&view.report.rows[i], view.stage_of[i], amount));
        }
    }
    let count = shown.len();
    let page = BoardPage {
        chrome: Chrome::new(&caller, "pipeline"),
        owners: view
            .owners
            .iter()
            .map(|o| (o.clone(), *o == owner))
            .collect(),
        flags: Flag::ALL
            .into_iter()
            .map(|f| FlagOption {
                name: f.as_str(),
                label: flag_label(f),
                count: flag_counts[Flag::ALL.iter().position(|g| *g == f).unwrap_or(0)],
                selected: Some(f) == flag,
            })
            .collect(),
        owner,
        flag: flag.map(|f| f.as_str().to_string()).unwrap_or_default(),
        columns: columns(shown, &view.stages, CARDS_PER_COLUMN),
        deals: count,
        amount: units(cents),
        healthy,
        cap: CARDS_PER_COLUMN,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use nextstep_core::{Deal, NextStepRecord, PipelineRow, StepSource, StepStatus};

    fn row(
        id: i64,
        stage: &str,
        amount: i64,
        step: Option<(DefinedBy, bool)>,
        flags: Vec<Flag>,
    ) -> Row {
        Row {
            pipeline: PipelineRow {
                deal: Deal {
                    id,
                    external_id: None,
                    name: format!("Deal {id}"),
                    account: Some("Acme".into()),
                    owner: Some("Ann".into()),
                    stage: stage.into(),
                    amount: Some(amount),
                    currency: "USD".into(),
                    expected_close: None,
                    created: None,
                    closed: None,
                    outcome: None,
                    loss_reason: None,
                    product: None,
                    crm_next_step: None,
                },
                next_step: step.map(|(by, confirmed)| NextStepRecord {
                    id,
                    deal_id: id,
                    action: "Demo".into(),
                    kind: "demo".into(),
                    owner: "both".into(),
                    due: None,
                    defined_by: by,
                    confirmed_by_prospect: confirmed,
                    source: StepSource::Call,
                    call_id: None,
                    evidence: serde_json::json!([]),
                    status: StepStatus::Open,
                    created_at: Utc::now(),
                    updated_at: Utc::now(),
                }),
                last_call: None,
                last_call_bail_out: false,
            },
            flags,
        }
    }

    #[test]
    fn badges_say_who_defined_the_step_and_lateness_is_apart() {
        use Badge::{Confirmed, Prospect, SellerUnconfirmed};
        assert_eq!(
            Badge::of(&row(1, "a", 1, None, vec![Flag::NoNextStep])),
            Badge::None
        );
        assert_eq!(
            Badge::of(&row(
                1,
                "a",
                1,
                Some((DefinedBy::Prospect, true)),
                vec![Flag::Overdue]
            )),
            Prospect
        );
        assert_eq!(
            Badge::of(&row(
                1,
                "a",
                1,
                Some((DefinedBy::Seller, false)),
                vec![Flag::SellerDefinedUnconfirmed]
            )),
            SellerUnconfirmed
        );
        assert_eq!(
            Badge::of(&row(1, "a", 1, Some((DefinedBy::Seller, true)), vec![])),
            Confirmed
        );
        assert_eq!(Prospect.class(), "badge-prospect");
        assert_eq!(SellerUnconfirmed.class(), "badge-seller-unconfirmed");
        assert_eq!(Badge::None.class(), "badge-none");
        assert_eq!(Confirmed.class(), "badge-confirmed");
        let mut r = row(1, "a", 1, Some((DefinedBy::Seller, false)), vec![]);
        let today = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert!(!overdue(r.pipeline.next_step.as_ref(), today));
        if let Some(s) = r.pipeline.next_step.as_mut() {
            s.due = NaiveDate::from_ymd_opt(2026, 4, 30);
        }
        assert!(overdue(r.pipeline.next_step.as_ref(), today));
        assert!(!overdue(None, today));
    }

    fn stage_index(stages: &[String], r: &Row) -> u32 {
        stages
            .iter()
            .position(|s| *s == r.pipeline.deal.stage)
            .unwrap() as u32
    }

    #[test]
    fn columns_follow_the_funnel_and_cap_their_cards() {
        let rows: Vec<Row> = (0..120)
            .map(|i| {
                let stage = match i % 3 {
                    0 => "Negotiation",
                    1 => "Prospecting",
                    _ => "Zebra",
                };
                row(i, stage, 100 * (200 - i), None, vec![])
            })
            .collect();
        let stages = vec![
            "Negotiation".to_string(),
            "Prospecting".into(),
            "Zebra".into(),
        ];
        let cols = columns(
            rows.iter().map(|r| {
                (
                    r,
                    stage_index(&stages, r),
                    r.pipeline.deal.amount.unwrap_or(0),
                )
            }),
            &stages,
            10,
        );
        let names: Vec<&str> = cols.iter().map(|c| c.stage.as_str()).collect();
        assert_eq!(names, ["Prospecting", "Negotiation", "Zebra"]);
        assert_eq!(cols[0].count, 40);
        assert_eq!(cols[0].cards.len(), 10);
        assert_eq!(cols[0].more, 30);
        // Rows arrive largest first, so the cards keep that order.
        assert_eq!(cols[0].cards[0].id, 1);
        assert_eq!(cols[0].cards[1].id, 4);
    }

    #[test]
    fn grouping_counts_every_row_of_a_large_board() {
        let rows: Vec<Row> = (0..100_000)
            .map(|i| {
                row(
                    i,
                    ["Qualify", "Demo", "Proposal"][i as usize % 3],
                    i,
                    None,
                    vec![],
                )
            })
            .collect();
        let stages = vec!["Qualify".to_string(), "Demo".into(), "Proposal".into()];
        let cols = columns(
            rows.iter().map(|r| {
                (
                    r,
                    stage_index(&stages, r),
                    r.pipeline.deal.amount.unwrap_or(0),
                )
            }),
            &stages,
            CARDS_PER_COLUMN,
        );
        assert_eq!(cols.iter().map(|c| c.count).sum::<usize>(), 100_000);
        assert!(cols.iter().all(|c| c.cards.len() == CARDS_PER_COLUMN));
        assert!(cols.iter().all(|c| c.more == c.count - CARDS_PER_COLUMN));
    }
}
