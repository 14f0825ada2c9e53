//! The reports built from the per-call facts equal the reports built from whole analyses
//! (the reference kept here: `coach::scorecards`, `outcomes`, `forecast_with_history` and
//! the backtest over a loaded `Dataset`) on the demo team — every scorecard, trend, moment,
//! median, outcome, forecast category (also from a fit stored as JSON and read back) and
//! backtest figure — on SQLite, and on PostgreSQL
//! when `NEXTSTEP_TEST_POSTGRES_URL` is set; and they stay equal after a call is judged
//! again (its facts are rewritten in the same transaction), and when rebuilt after a
//! day's writes from only what the store's change log says changed.

use assert_cmd::Command;
use chrono::NaiveDate;
use nextstep_analyzer::AskInstead;
use nextstep_core::dataset;
use nextstep_core::facts::FactStore;
use nextstep_core::{NewCall, Scope, Store};
use nextstep_insight::backtest::{backtest_with_history, default_cutoff};
use nextstep_insight::coach::{CoachFilter, scorecards};
use nextstep_insight::digest::{calls_read, manager_digest, parse_iso_week, rep_digest};
use nextstep_insight::forecast::{
    Fit, StageBaseline, fit, forecast_open, forecast_with_fit, forecast_with_history,
};
use nextstep_insight::outcomes::outcomes;
use nextstep_insight::stored_reports as reports;
use nextstep_store::Db;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The filters the pages, the API and `nextstep coach` ask for.
fn filters(reps: &[String], managers: &[String]) -> Vec<CoachFilter> {
    let mut out = vec![
        CoachFilter::default(),
        CoachFilter {
            since: Some(date("2026-06-01")),
            ..CoachFilter::default()
        },
        CoachFilter {
            since: Some(date("2026-05-04")),
            until: Some(date("2026-07-12")),
            ..CoachFilter::default()
        },
        CoachFilter {
            rep: Some("Nobody At All".into()),
            ..CoachFilter::default()
        },
    ];
    for r in reps {
        out.push(CoachFilter {
            rep: Some(r.clone()),
            ..CoachFilter::default()
        });
        out.push(CoachFilter {
            rep: Some(r.clone()),
            until: Some(date("2026-06-30")),
            ..CoachFilter::default()
        });
    }
    for m in managers {
        out.push(CoachFilter {
            team_manager: Some(m.clone()),
            ..CoachFilter::default()
        });
    }
    out
}

async fn compare(db: &Db, what: &str) {
    let instead = AskInstead::shipped();
    let today = date("2026-09-01");
    let reps = db.list_reps().await.unwrap();
    let names: Vec<String> = reps.iter().map(|r| r.name.clone()).collect();
    let mut managers: Vec<String> = reps.iter().filter_map(|r| r.manager.clone()).collect();
    managers.sort();
    managers.dedup();
    let mut scopes = vec![Scope::All];
    for (i, _) in reps.iter().enumerate().take(3) {
        scopes.push(Scope::Owner(i as i64 + 1));
        scopes.push(Scope::Team(i as i64 + 1));
    }
    for scope in scopes {
        let old = dataset::load(db, &scope).await.unwrap();
        for filter in filters(&names, &managers) {
            let want = scorecards(&old, &filter, instead);
            let got = reports::coach_report(db, &scope, &filter, instead)
                .await
                .unwrap();
            assert_eq!(got, want, "{what}: coach report, {scope:?}, {filter:?}");
        }
        let light = reports::facts_dataset(db, &scope).await.unwrap();
        assert_eq!(
            outcomes(&light),
            outcomes(&old),
            "{what}: outcomes, {scope:?}"
        );
        let history = dataset::stage_history(db, &scope).await.unwrap();
        let want = forecast_with_history(&old, &history, None, today);
        assert_eq!(
            forecast_with_history(&light, &history, None, today),
            want,
            "{what}: forecast, {scope:?}"
        );
        // Fitted off the request path and stored as JSON, the model scores the same.
        let stored_json = fit(&light, &history, today).to_json();
        let stored = Fit::from_json(&stored_json).unwrap();
        assert_eq!(
            forecast_with_fit(&light, &history, stored, None, today),
            want,
            "{what}: forecast from a stored fit, {scope:?}"
        );
        // So does the open pipeline alone, with the fit and the baseline stored.
        let open = db.open_forecast_inputs(&scope, today, None).await.unwrap();
        assert!(
            open.deals.len() < light.deals.len() || scope != Scope::All,
            "{what}: open deals only"
        );
        let baseline: Option<StageBaseline> = serde_json::from_value(
            serde_json::to_value(StageBaseline::fit(&light, &history, today)).unwrap(),
        )
        .unwrap();
        assert_eq!(
            forecast_open(
                open,
                Fit::from_json(&stored_json).unwrap(),
                baseline,
                None,
                today
            ),
            want,
            "{what}: forecast of the open deals from a stored fit and baseline, {scope:?}"
        );
        if let Some(cutoff) = default_cutoff(&old) {
            assert_eq!(default_cutoff(&light), Some(cutoff));
            assert_eq!(
                backtest_with_history(&light, &history, cutoff),
                backtest_with_history(&old, &history, cutoff),
                "{what}: backtest, {scope:?}"
            );
        }
    }
}

/// A digest made from only the weeks it reads (`load_between` over `calls_read`) equals
/// the digest made from every call, for every rep and manager, in a busy week and a week
/// with no calls at all.
async fn compare_digests(db: &Db, what: &str) {
    let instead = AskInstead::shipped();
    let whole = dataset::load(db, &Scope::All).await.unwrap();
    let reps = db.list_reps().await.unwrap();
    let mut managers: Vec<String> = reps.iter().filter_map(|r| r.manager.clone()).collect();
    managers.sort();
    managers.dedup();
    for week in ["2026-W35", "2026-W30", "2025-W01"] {
        let week = parse_iso_week(week).unwrap();
        let (since, until) = calls_read(week);
        let window = dataset::load_between(db, &Scope::All, since, until)
            .await
            .unwrap();
        assert!(
            window.calls.len() < whole.calls.len(),
            "{what}: {week} reads a window ({} calls), not all {}",
            window.calls.len(),
            whole.calls.len()
        );
        for rep in &reps {
            assert_eq!(
                rep_digest(&window, &rep.name, week, instead),
                rep_digest(&whole, &rep.name, week, instead),
                "{what}: {}'s digest of {week}",
                rep.name
            );
        }
        for m in &managers {
            assert_eq!(
                manager_digest(&window, m, week, instead),
                manager_digest(&whole, m, week, instead),
                "{what}: {m}'s team digest of {week}"
            );
        }
    }
}

/// Judges a few calls again with their moments changed, as a side flip would.
async fn rejudge_some(db: &Db) {
    let calls = db.all_calls(&Scope::All).await.unwrap();
    assert!(calls.len() > 100, "the demo has calls: {}", calls.len());
    for (i, call) in calls.iter().step_by(37).enumerate() {
        let mut analysis = call.analysis.clone();
        let a = analysis.as_object_mut().unwrap();
        match i % 3 {
            0 => {
                a.insert("bail_outs".into(), serde_json::json!([]));
                a.insert("asked_next_step".into(), serde_json::json!(true));
            }
            1 => {
                a.insert("next_step".into(), serde_json::Value::Null);
            }
            _ => {
                let v = a["volunteered"].clone();
                a.insert("bail_outs".into(), v);
                a.insert("asks".into(), serde_json::json!([]));
                a.insert("asked_next_step".into(), serde_json::json!(false));
            }
        }
        let bail_out = !a["bail_outs"].as_array().unwrap().is_empty();
        rejudge(db, call, analysis, bail_out).await;
    }
}

/// Judges `call` again with `analysis`.
async fn rejudge(db: &Db, call: &nextstep_core::Call, analysis: serde_json::Value, bail_out: bool) {
    let new = NewCall {
        date: call.date,
        source: call.source.clone(),
        format: call.format.clone(),
        transcript: String::new(),
        speakers: call.speakers.clone(),
        analysis,
        bail_out,
    };
    db.rejudge_call(call.id, &new, None).await.unwrap();
}

/// Appends words to every sentence an analysis quotes (every `text` and `quote`).
fn reword(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    serde_json::Value::String(text) if key == "text" || key == "quote" => {
                        text.push_str(" (as heard again)");
                    }
                    _ => reword(value),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(reword),
        _ => {}
    }
}

/// A deal as an import would write it again.
fn as_new(d: &nextstep_core::Deal) -> nextstep_core::NewDeal {
    nextstep_core::NewDeal {
        external_id: d.external_id.clone().unwrap(),
        name: d.name.clone(),
        account: d.account.clone(),
        owner: d.owner.clone(),
        stage: d.stage.clone(),
        amount: d.amount,
        currency: d.currency.clone(),
        expected_close: d.expected_close,
        created: d.created,
        closed: d.closed,
        outcome: d.outcome,
        loss_reason: d.loss_reason.clone(),
        product: d.product.clone(),
        crm_next_step: d.crm_next_step.clone(),
    }
}

/// The writes a team makes in a day, each kind once: calls judged again, a new call, a
/// step set by hand, a deal moved to another rep, a deal closed, a stage moved.
async fn write_a_day(db: &Db) {
    rejudge_some(db).await;
    let open = db
        .list_deals(&nextstep_core::DealFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.outcome.is_none())
        .collect::<Vec<_>>();
    assert!(open.len() > 10, "open deals: {}", open.len());
    let call = db.all_calls(&Scope::All).await.unwrap().remove(3);
    let new = NewCall {
        date: date("2026-08-27"),
        source: "incremental.txt".into(),
        format: call.format.clone(),
        transcript: "Seller: Hi.".into(),
        speakers: call.speakers.clone(),
        analysis: call.analysis.clone(),
        bail_out: call.bail_out,
    };
    db.add_call(open[0].id, &new, None).await.unwrap();
    db.set_next_step(
        open[1].id,
        &nextstep_core::NewNextStep {
            action: "Security review with IT".into(),
            kind: "meeting".into(),
            owner: "both".into(),
            due: Some(date("2026-09-08")),
            defined_by: nextstep_core::DefinedBy::Prospect,
            confirmed_by_prospect: true,
            source: nextstep_core::StepSource::Manual,
            call_id: None,
            evidence: serde_json::Value::Null,
        },
    )
    .await
    .unwrap();
    let other_rep = open
        .iter()
        .find(|d| d.owner != open[2].owner)
        .and_then(|d| d.owner.clone());
    let moved = nextstep_core::NewDeal {
        owner: other_rep,
        ..as_new(&open[2])
    };
    let closed = nextstep_core::NewDeal {
        outcome: Some(nextstep_core::Outcome::Lost),
        closed: Some(date("2026-08-28")),
        ..as_new(&open[3])
    };
    let staged = nextstep_core::NewDeal {
        stage: "Negotiation".into(),
        ..as_new(&open[4])
    };
    db.import_deals(&[moved, closed, staged]).await.unwrap();
}

/// Reports rebuilt from the store's change log after a day's writes — the coaching
/// report re-aggregating only the weeks the writes touched, the forecast's open pipeline
/// re-reading only the deals — equal reports built from scratch; and a roster change
/// says "everything".
async fn compare_incremental(db: &Db, what: &str) {
    let instead = AskInstead::shipped();
    let today = date("2026-09-01");
    let reps = db.list_reps().await.unwrap();
    let names: Vec<String> = reps.iter().map(|r| r.name.clone()).collect();
    let filters = filters(&names[..1], &[]);
    let scopes = [Scope::All, Scope::Owner(1), Scope::Team(1)];
    let at = db.report_position().await.unwrap();
    let mut before = Vec::new();
    for scope in &scopes {
        for filter in &filters {
            before.push(
                reports::coach_build(db, scope, filter, instead, None)
                    .await
                    .unwrap(),
            );
        }
    }
    let kept = db
        .open_forecast_inputs(&Scope::All, today, None)
        .await
        .unwrap();
    write_a_day(db).await;
    let now = db.report_position().await.unwrap();
    assert!(
        now.version > at.version && now.seq > at.seq,
        "{what}: {at:?} → {now:?}"
    );
    let changes = db
        .report_changes(at.seq, 5_000)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{what}: a day's writes are listed"));
    assert!(
        !changes.weeks.is_empty() && changes.deals.len() >= 5,
        "{what}: {changes:?}"
    );
    assert_eq!(
        db.report_changes(now.seq, 5_000).await.unwrap(),
        Some(Default::default())
    );
    assert_eq!(
        db.report_changes(at.seq, 2).await.unwrap(),
        None,
        "{what}: over the limit"
    );
    let mut builds = before.iter();
    for scope in &scopes {
        for filter in &filters {
            let previous = builds.next().unwrap().clone();
            let updated =
                reports::coach_build(db, scope, filter, instead, Some((previous, &changes)))
                    .await
                    .unwrap();
            let whole = reports::coach_build(db, scope, filter, instead, None)
                .await
                .unwrap();
            assert_eq!(
                updated.weeks, whole.weeks,
                "{what}: weeks, {scope:?}, {filter:?}"
            );
            assert_eq!(
                updated.report, whole.report,
                "{what}: coach, {scope:?}, {filter:?}"
            );
        }
    }
    let mut merged = kept;
    let newer = db
        .open_forecast_inputs(&Scope::All, today, Some(&changes.deals))
        .await
        .unwrap();
    merged.merge(newer, &changes.deals);
    let whole = db
        .open_forecast_inputs(&Scope::All, today, None)
        .await
        .unwrap();
    assert_eq!(merged, whole, "{what}: open forecast inputs merged");
    // A quoted call judged again with the same counts in other words: only its quotes
    // change, which the rows per rep and week cannot show.
    let all = CoachFilter::default();
    let base = reports::coach_build(db, &Scope::All, &all, instead, None)
        .await
        .unwrap();
    let at = db.report_position().await.unwrap();
    let quoted = base
        .report
        .reps
        .iter()
        .flat_map(|c| &c.moments)
        .next()
        .unwrap();
    let call = db.find_call(&Scope::All, quoted.call_id).await.unwrap();
    let mut analysis = call.analysis.clone();
    reword(&mut analysis);
    rejudge(db, &call, analysis, call.bail_out).await;
    let changes = db.report_changes(at.seq, 5_000).await.unwrap().unwrap();
    assert_eq!(changes.calls, vec![call.id], "{what}: {changes:?}");
    let updated = reports::coach_build(db, &Scope::All, &all, instead, Some((base, &changes)))
        .await
        .unwrap();
    let whole = reports::coach_build(db, &Scope::All, &all, instead, None)
        .await
        .unwrap();
    assert!(
        whole
            .report
            .reps
            .iter()
            .flat_map(|c| &c.moments)
            .any(|m| m.quote.ends_with("(as heard again)")),
        "{what}: the new words are quoted"
    );
    assert_eq!(
        updated.report, whole.report,
        "{what}: coach after new words"
    );
    let now = db.report_position().await.unwrap();
    // A manager change can move deals between teams' scopes: everything.
    let rep = &reps[0];
    let other = reps.iter().find(|r| r.name != rep.name).unwrap();
    db.upsert_reps(&[nextstep_core::NewRep {
        name: rep.name.clone(),
        manager: Some(other.name.clone()),
        team: rep.team.clone(),
        email: rep.email.clone(),
    }])
    .await
    .unwrap();
    assert_eq!(
        db.report_changes(now.seq, 5_000).await.unwrap(),
        None,
        "{what}: roster"
    );
}

/// Empties `call_facts` and runs the migration's backfill statement again, so the SQL
/// that fills existing databases is held to the same reports as the Rust that fills new
/// calls.
async fn refill_by_migration(url: &str) {
    let backend = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let file = format!(
        "{}/../nextstep-store/migrations/{backend}/0008_call_facts.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("INSERT INTO call_facts").expect("a backfill");
    let end = start + text[start..].find("FROM calls c;").unwrap() + "FROM calls c".len();
    let backfill = text[start..end].to_string();
    let run = |sql: String| sqlx::AssertSqlSafe(sql);
    if backend == "postgres" {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query("DELETE FROM call_facts")
            .execute(&pool)
            .await
            .unwrap();
        let n = sqlx::query(run(backfill)).execute(&pool).await.unwrap();
        assert!(n.rows_affected() > 100);
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query("DELETE FROM call_facts")
            .execute(&pool)
            .await
            .unwrap();
        let n = sqlx::query(run(backfill)).execute(&pool).await.unwrap();
        assert!(n.rows_affected() > 100);
        pool.close().await;
    }
}

fn seed_and_compare(url: &str, what: &str) {
    Command::cargo_bin("nextstep")
        .unwrap()
        .env_remove("NEXTSTEP_DATABASE_URL")
        .args(["--db", url, "demo", "--today", "2026-09-01"])
        .assert()
        .success();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = Db::open(url).await.unwrap();
        compare(&db, what).await;
        compare_digests(&db, what).await;
        compare_incremental(&db, what).await;
        refill_by_migration(url).await;
        compare(&db, &format!("{what}, facts refilled by the migration")).await;
        rejudge_some(&db).await;
        compare(&db, &format!("{what}, after calls were judged again")).await;
        db.close().await;
    });
}

#[test]
fn reports_from_facts_equal_reports_from_analyses_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("ns-facts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    seed_and_compare(&dir.join("demo.db").display().to_string(), "sqlite");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reports_from_facts_equal_reports_from_analyses_on_postgres() {
    let Some(db) = nextstep_synth::harness::PgDatabase::create("nextstep_facts", "reports") else {
        return;
    };
    seed_and_compare(&db.url(), "postgres");
}
