//! Builds a large team's database for `scripts/bench-reports.sh`: the demo team's judged
//! calls (seeded by `nextstep demo` into `TEMPLATE_DB`) replicated to `N` calls over a
//! team of one rep per 2,500 calls (ten reps per manager), each copy stored through
//! `Store::add_call` — the store path `calls add`, the upload worker and the demo take,
//! facts and next step in the call's transaction — with its deal a copy of the template
//! call's deal.
//!
//! `cargo run --release -p nextstep-server --example scale_db -- TEMPLATE_DB TARGET_DB N`
//! (`TARGET_DB` a SQLite path or a `postgres://` URL of an empty database).

use std::collections::HashMap;
use std::time::Instant;

use nextstep_analyzer::Analysis;
use nextstep_core::ingest::step_from;
use nextstep_core::{DealFilter, NewCall, NewDeal, NewRep, Scope, Store};
use nextstep_store::Db;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, template, target, n] = args.as_slice() else {
        return Err("usage: scale_db TEMPLATE_DB TARGET_DB N".into());
    };
    let n: usize = n.parse()?;
    let src = Db::open(template).await?;
    let deals = src.list_deals(&DealFilter::default()).await?;
    let calls = src.all_calls(&Scope::All).await?;
    let mut texts = HashMap::new();
    for d in &deals {
        for c in src.calls_for_deal(d.id).await? {
            texts.insert(c.id, c.transcript);
        }
    }
    if calls.is_empty() {
        return Err("the template database has no calls: run `nextstep demo --db` first".into());
    }
    let copies = n.div_ceil(calls.len());
    let n_reps = (n / 2_500).max(6);
    let rep = |i: usize| format!("Rep {i:03}");
    let manager = |i: usize| format!("Manager {:02}", i / 10);
    let mut reps: Vec<NewRep> = (0..n_reps.div_ceil(10))
        .map(|m| NewRep {
            name: manager(m * 10),
            manager: None,
            team: None,
            email: None,
        })
        .collect();
    reps.extend((0..n_reps).map(|i| NewRep {
        name: rep(i),
        manager: Some(manager(i)),
        team: None,
        email: None,
    }));
    let db = Db::open(target).await?;
    db.upsert_reps(&reps).await?;
    // Template owners in a fixed order, so each copy keeps a rep's habits together.
    let mut owners: Vec<String> = deals.iter().filter_map(|d| d.owner.clone()).collect();
    owners.sort();
    owners.dedup();
    let owner_of = |copy: usize, owner: &Option<String>| {
        let k = owner
            .as_ref()
            .and_then(|o| owners.iter().position(|x| x == o))
            .unwrap_or(0);
        rep((copy * owners.len() + k) % n_reps)
    };
    let started = Instant::now();
    let mut new_deals = Vec::with_capacity(deals.len() * copies);
    for copy in 0..copies {
        for d in &deals {
            new_deals.push(NewDeal {
                external_id: format!(
                    "{}-{copy}",
                    d.external_id.clone().unwrap_or(d.id.to_string())
                ),
                name: d.name.clone(),
                account: None,
                owner: Some(owner_of(copy, &d.owner)),
                stage: d.stage.clone(),
                amount: d.amount,
                currency: d.currency.clone(),
                expected_close: d.expected_close,
                created: d.created,
                closed: d.closed,
                outcome: d.outcome,
                loss_reason: d.loss_reason.clone(),
                product: d.product.clone(),
                crm_next_step: None,
            });
        }
    }
    for chunk in new_deals.chunks(20_000) {
        db.import_deals(chunk).await?;
    }
    let ids: HashMap<String, i64> = db
        .list_deals(&DealFilter::default())
        .await?
        .into_iter()
        .filter_map(|d| d.external_id.map(|e| (e, d.id)))
        .collect();
    eprintln!("{} deals in {:.1?}", ids.len(), started.elapsed());
    let template_ext: HashMap<i64, String> = deals
        .iter()
        .map(|d| (d.id, d.external_id.clone().unwrap_or(d.id.to_string())))
        .collect();
    let judged: Vec<(Analysis, NewCall)> = calls
        .iter()
        .map(|c| {
            let a: Analysis = serde_json::from_value(c.analysis.clone())?;
            Ok((
                a,
                NewCall {
                    date: c.date,
                    source: c.source.clone(),
                    format: c.format.clone(),
                    transcript: texts.get(&c.id).cloned().unwrap_or_default(),
                    speakers: c.speakers.clone(),
                    analysis: c.analysis.clone(),
                    bail_out: c.bail_out,
                },
            ))
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let started = Instant::now();
    let mut stored = 0;
    'outer: for copy in 0..copies {
        for (c, (a, new)) in calls.iter().zip(&judged) {
            if stored == n {
                break 'outer;
            }
            let deal = ids[&format!("{}-{copy}", template_ext[&c.deal_id])];
            db.add_call(deal, new, step_from(a).as_ref()).await?;
            stored += 1;
            if stored % 10_000 == 0 {
                eprintln!("{stored} calls, {:.1?}", started.elapsed());
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "stored {stored} calls in {secs:.1} s ({:.2} ms per call) over {n_reps} reps",
        secs * 1000.0 / stored as f64
    );
    db.close().await;
    Ok(())
}
