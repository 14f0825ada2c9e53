//! The story suite: what the store promises, told once and run against every backend.
//!
//! Each story is an `async fn story_…<S: Store>(s: &S)` on an empty store. `stories!`
//! (nextstep-synth's harness) runs every one on SQLite (a fresh file per test) and on PostgreSQL when
//! `NEXTSTEP_TEST_POSTGRES_URL` is set (a fresh schema per test, dropped at the end; a
//! failing test leaves its schema behind to look at).

use chrono::NaiveDate;
use nextstep_core::{
    DealFilter, DefinedBy, ImportStats, NewAccount, NewCall, NewContact, NewDeal, NewNextStep,
    NewRep, Outcome, StepSource, StepStatus, Store, StoreError,
};
use serde_json::json;

#[path = "../benches/support/maven.rs"]
#[allow(dead_code)]
mod maven;

// ---------------------------------------------------------------- fixtures

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

fn deal(ext: &str, owner: &str, account: &str, stage: &str, dollars: i64) -> NewDeal {
    let outcome = match stage {
        "Won" => Some(Outcome::Won),
        "Lost" => Some(Outcome::Lost),
        _ => None,
    };
    NewDeal {
        external_id: ext.to_string(),
        name: format!("{account} {ext}"),
        account: Some(account.to_string()),
        owner: Some(owner.to_string()),
        stage: stage.to_string(),
        amount: Some(dollars * 100),
        currency: "USD".to_string(),
        expected_close: Some(date("2026-06-30")),
        created: Some(date("2026-01-15")),
        closed: outcome.map(|_| date("2026-03-01")),
        outcome,
        loss_reason: (stage == "Lost").then(|| "price".to_string()),
        product: Some("GTX Pro".to_string()),
        crm_next_step: None,
    }
}

/// Three reps' worth of deals: open, won and lost ones with distinct amounts.
fn pipeline_fixture() -> Vec<NewDeal> {
    vec![
        deal("OPP-1", "Priya Nair", "Acme", "Engaging", 5_000),
        deal("OPP-2", "Priya Nair", "Acme", "Won", 9_000),
        deal("OPP-3", "Tom Weller", "Globex", "Prospecting", 12_000),
        deal("OPP-4", "Tom Weller", "Initech", "Engaging", 800),
        deal("OPP-5", "Dana Ruiz", "Globex", "Lost", 3_000),
        deal("OPP-6", "Dana Ruiz", "Umbrella", "Engaging", 5_000),
    ]
}

fn call(day: &str, bail_out: bool) -> NewCall {
    NewCall {
        date: date(day),
        source: format!("calls/{day}.vtt"),
        format: "webvtt".to_string(),
        transcript: "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Priya>Where do we go from here?"
            .to_string(),
        speakers: json!([{"name": "Priya", "role": "seller", "confidence": 1.0}]),
        analysis: json!({
            "next_step": null,
            "bail_outs": if bail_out { json!([{"text": "maybe not a fit"}]) } else { json!([]) },
        }),
        bail_out,
    }
}

fn step(action: &str, defined_by: DefinedBy, due: Option<&str>) -> NewNextStep {
    NewNextStep {
        action: action.to_string(),
        kind: "demo".to_string(),
        owner: "seller".to_string(),
        due: due.map(date),
        defined_by,
        confirmed_by_prospect: defined_by == DefinedBy::Prospect,
        source: StepSource::Call,
        call_id: None,
        evidence: json!([{"speaker": "Ana", "text": action, "why": "request"}]),
    }
}

fn manual(action: &str) -> NewNextStep {
    NewNextStep {
        source: StepSource::Manual,
        evidence: json!([]),
        ..step(action, DefinedBy::Seller, Some("2026-05-01"))
    }
}

/// Every stage-history row of every deal: what an import must not touch when it changes
/// nothing.
async fn history_rows<S: Store>(s: &S) -> usize {
    let mut n = 0;
    for d in s.list_deals(&DealFilter::default()).await.expect("list") {
        n += s.stage_history(d.id).await.expect("history").len();
    }
    n
}

fn stats(imported: u64, updated: u64, unchanged: u64) -> ImportStats {
    ImportStats {
        imported,
        updated,
        unchanged,
    }
}

// ---------------------------------------------------------------- stories

/// Import, then the same file again: the second run is all `unchanged` and writes nothing.
async fn story_import_then_reimport<S: Store>(s: &S) {
    let deals = pipeline_fixture();
    assert_eq!(
        s.import_deals(&deals).await.expect("import"),
        stats(6, 0, 0)
    );
    let before = s.list_deals(&DealFilter::default()).await.expect("list");
    assert_eq!(before.len(), 6);
    assert_eq!(history_rows(s).await, 6, "one stage row per new deal");

    assert_eq!(
        s.import_deals(&deals).await.expect("reimport"),
        stats(0, 0, 6)
    );
    assert_eq!(
        s.list_deals(&DealFilter::default()).await.expect("list"),
        before
    );
    assert_eq!(history_rows(s).await, 6, "a re-import appends no history");

    // Owners and accounts were created by name, once.
    let reps: Vec<String> = s
        .list_reps()
        .await
        .expect("reps")
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(reps, ["Dana Ruiz", "Priya Nair", "Tom Weller"]);
    let d = s
        .find_deal(&nextstep_core::Scope::All, "OPP-3")
        .await
        .expect("OPP-3");
    assert_eq!(
        (
            d.account.as_deref(),
            d.owner.as_deref(),
            d.amount,
            d.outcome
        ),
        (Some("Globex"), Some("Tom Weller"), Some(1_200_000), None)
    );
    assert_eq!(
        s.import_deals(&[]).await.expect("empty"),
        ImportStats::default()
    );
}

/// Each field, changed alone, makes exactly one update and the stored deal follows it.
async fn story_update_one_field<S: Store>(s: &S) {
    let base = pipeline_fixture();
    s.import_deals(&base).await.expect("import");
    type Change = fn(&mut NewDeal);
    let changes: [(&str, Change); 10] = [
        ("name", |d| d.name = "Renamed".into()),
        ("account", |d| d.account = Some("Hooli".into())),
        ("no account", |d| d.account = None),
        ("owner", |d| d.owner = Some("Dana Ruiz".into())),
        ("amount", |d| d.amount = Some(1)),
        ("currency", |d| d.currency = "EUR".into()),
        ("expected close", |d| {
            d.expected_close = Some(date("2027-01-01"))
        }),
        ("outcome", |d| {
            d.outcome = Some(Outcome::Disqualified);
            d.closed = Some(date("2026-04-01"));
        }),
        ("loss reason", |d| d.loss_reason = Some("timing".into())),
        ("crm next step", |d| {
            d.crm_next_step = Some("Send pricing".into())
        }),
    ];
    let mut current = base.clone();
    for (what, change) in changes {
        change(&mut current[0]);
        assert_eq!(
            s.import_deals(&current).await.expect(what),
            stats(0, 1, 5),
            "changing {what}"
        );
        let stored = s
            .find_deal(&nextstep_core::Scope::All, "OPP-1")
            .await
            .expect("OPP-1");
        let want = &current[0];
        assert_eq!(
            (
                &stored.name,
                &stored.account,
                &stored.owner,
                stored.amount,
                &stored.currency,
                stored.expected_close,
                stored.outcome,
                stored.closed,
                &stored.loss_reason,
                &stored.crm_next_step,
            ),
            (
                &want.name,
                &want.account,
                &want.owner,
                want.amount,
                &want.currency,
                want.expected_close,
                want.outcome,
                want.closed,
                &want.loss_reason,
                &want.crm_next_step,
            ),
            "after changing {what}"
        );
    }
    assert_eq!(
        history_rows(s).await,
        6,
        "no stage changed, no history appended"
    );
}

/// A stage change appends one history row; the stages read back oldest first.
async fn story_stage_change_appends_history<S: Store>(s: &S) {
    let mut deals = pipeline_fixture();
    s.import_deals(&deals).await.expect("import");
    let id = s
        .find_deal(&nextstep_core::Scope::All, "OPP-3")
        .await
        .expect("OPP-3")
        .id;
    for (stage, outcome) in [("Engaging", None), ("Won", Some(Outcome::Won))] {
        deals[2].stage = stage.into();
        deals[2].outcome = outcome;
        assert_eq!(s.import_deals(&deals).await.expect(stage), stats(0, 1, 5));
    }
    let stages: Vec<String> = s
        .stage_history(id)
        .await
        .expect("history")
        .into_iter()
        .map(|c| c.stage)
        .collect();
    assert_eq!(stages, ["Prospecting", "Engaging", "Won"]);
    let history = s.stage_history(id).await.expect("history");
    assert!(history.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(history_rows(s).await, 8);
    assert!(
        !s.find_deal(&nextstep_core::Scope::All, "OPP-3")
            .await
            .expect("OPP-3")
            .is_open()
    );
}

/// Reps with managers: the managers become reps too, and a re-import changes nothing.
async fn story_reps_with_managers<S: Store>(s: &S) {
    let rep = |name: &str, manager: Option<&str>, team: &str| NewRep {
        name: name.into(),
        manager: manager.map(Into::into),
        team: Some(team.into()),
        email: None,
    };
    // A deal import first creates an owner with nothing but a name.
    s.import_deals(&[deal("OPP-1", "Anna Snelling", "Acme", "Engaging", 10)])
        .await
        .expect("deal");
    let reps = [
        rep("Anna Snelling", Some("Dustin Brinkmann"), "Central"),
        rep("Cecily Lampkin", Some("Dustin Brinkmann"), "Central"),
        rep("Boris Faz", Some("Rocco Neubert"), "East"),
    ];
    assert_eq!(s.upsert_reps(&reps).await.expect("reps"), stats(4, 1, 0));
    let stored = s.list_reps().await.expect("list");
    let view: Vec<(&str, Option<&str>, Option<&str>)> = stored
        .iter()
        .map(|r| (r.name.as_str(), r.manager.as_deref(), r.team.as_deref()))
        .collect();
    assert_eq!(
        view,
        [
            ("Anna Snelling", Some("Dustin Brinkmann"), Some("Central")),
            ("Boris Faz", Some("Rocco Neubert"), Some("East")),
            ("Cecily Lampkin", Some("Dustin Brinkmann"), Some("Central")),
            ("Dustin Brinkmann", None, None),
            ("Rocco Neubert", None, None),
        ]
    );
    assert_eq!(s.upsert_reps(&reps).await.expect("again"), stats(0, 0, 3));
    let moved = [rep("Boris Faz", Some("Dustin Brinkmann"), "Central")];
    assert_eq!(s.upsert_reps(&moved).await.expect("move"), stats(0, 1, 0));
    let boris = s.list_reps().await.expect("list");
    let boris = boris.iter().find(|r| r.name == "Boris Faz").expect("Boris");
    assert_eq!(boris.manager.as_deref(), Some("Dustin Brinkmann"));
    // The owner of the deal is the same rep, not a second one.
    assert_eq!(
        s.find_deal(&nextstep_core::Scope::All, "OPP-1")
            .await
            .expect("deal")
            .owner
            .as_deref(),
        Some("Anna Snelling")
    );
    let dup = [rep("X", None, "A"), rep("X", None, "B")];
    assert!(matches!(
        s.upsert_reps(&dup).await,
        Err(StoreError::Query(_))
    ));
}

/// Accounts and contacts upsert by name (and account).
async fn story_accounts_and_contacts<S: Store>(s: &S) {
    let acme = NewAccount {
        name: "Acme Corporation".into(),
        sector: Some("technolgy".into()),
        year_established: Some(1996),
        revenue_millions: Some(1100.04),
        employees: Some(2822),
        location: Some("United States".into()),
        parent: None,
    };
    let beta = NewAccount {
        name: "Betatech".into(),
        parent: Some("Acme Corporation".into()),
        ..acme.clone()
    };
    assert_eq!(
        s.upsert_accounts(&[acme.clone(), beta.clone()])
            .await
            .expect("accounts"),
        stats(2, 0, 0)
    );
    assert_eq!(
        s.upsert_accounts(&[acme.clone(), beta.clone()])
            .await
            .expect("again"),
        stats(0, 0, 2)
    );
    let grown = NewAccount {
        employees: Some(3000),
        ..acme.clone()
    };
    assert_eq!(
        s.upsert_accounts(&[grown]).await.expect("grown"),
        stats(0, 1, 0)
    );

    let contact = |account: &str, name: &str, title: &str| NewContact {
        account: account.into(),
        name: name.into(),
        email: Some(format!(
            "{}@example.com",
            name.to_lowercase().replace(' ', ".")
        )),
        title: Some(title.into()),
    };
    let contacts = [
        contact("Acme Corporation", "Ana Lima", "CFO"),
        contact("Betatech", "Ana Lima", "CTO"),
        contact("Newco", "Raj Patel", "VP Sales"),
    ];
    assert_eq!(
        s.upsert_contacts(&contacts).await.expect("contacts"),
        stats(3, 0, 0)
    );
    assert_eq!(
        s.upsert_contacts(&contacts).await.expect("again"),
        stats(0, 0, 3)
    );
    let promoted = [contact("Betatech", "Ana Lima", "CEO")];
    assert_eq!(
        s.upsert_contacts(&promoted).await.expect("promoted"),
        stats(0, 1, 0)
    );
    // The contact's account was created by name; a deal on it reuses it.
    s.import_deals(&[deal("OPP-9", "Priya Nair", "Newco", "Engaging", 1)])
        .await
        .expect("deal");
    assert_eq!(
        s.find_deal(&nextstep_core::Scope::All, "OPP-9")
            .await
            .expect("deal")
            .account
            .as_deref(),
        Some("Newco")
    );
}

/// A deal is found by nextstep id or CRM external id; digits try the id first.
async fn story_find_deal<S: Store>(s: &S) {
    let mut deals = pipeline_fixture();
    deals.push(deal("77", "Priya Nair", "Acme", "Engaging", 1));
    s.import_deals(&deals).await.expect("import");
    let by_ext = s
        .find_deal(&nextstep_core::Scope::All, "OPP-4")
        .await
        .expect("by external id");
    assert_eq!(by_ext.external_id.as_deref(), Some("OPP-4"));
    let by_id = s
        .find_deal(&nextstep_core::Scope::All, &by_ext.id.to_string())
        .await
        .expect("by id");
    assert_eq!(by_id, by_ext);
    // "77" is no nextstep id here (there are 7 deals), so it is the external id 77.
    assert_eq!(
        s.find_deal(&nextstep_core::Scope::All, "77")
            .await
            .expect("digits")
            .external_id
            .as_deref(),
        Some("77")
    );
    for missing in ["OPP-404", "999999", "99999999999999999999999", ""] {
        match s.find_deal(&nextstep_core::Scope::All, missing).await {
            Err(StoreError::DealNotFound(key)) => assert_eq!(key, missing),
            other => panic!("{missing:?}: {other:?}"),
        }
    }
    let open = s
        .list_deals(&DealFilter {
            owner: Some("Priya Nair".into()),
            open_only: true,
            ..Default::default()
        })
        .await
        .expect("list");
    let ids: Vec<_> = open.iter().map(|d| d.external_id.as_deref()).collect();
    assert_eq!(ids, [Some("OPP-1"), Some("77")]);
}

/// A call with a step, then another: both kept, the first superseded, one open.
async fn story_calls_supersede_steps<S: Store>(s: &S) {
    s.import_deals(&pipeline_fixture()).await.expect("import");
    let deal = s
        .find_deal(&nextstep_core::Scope::All, "OPP-1")
        .await
        .expect("deal")
        .id;

    let first = step(
        "Send a quote for twelve seats",
        DefinedBy::Prospect,
        Some("2026-04-20"),
    );
    let (c1, s1) = s
        .add_call(deal, &call("2026-04-14", false), Some(&first))
        .await
        .expect("first call");
    let s1 = s1.expect("first step");
    assert_eq!(
        (c1.deal_id, s1.call_id, s1.status),
        (deal, Some(c1.id), StepStatus::Open)
    );
    assert_eq!(s1.evidence, first.evidence);
    assert_eq!(c1.speakers, call("2026-04-14", false).speakers);

    let (c2, s2) = s
        .add_call(
            deal,
            &call("2026-04-21", true),
            Some(&step("Demo for the support team", DefinedBy::Seller, None)),
        )
        .await
        .expect("second call");
    let s2 = s2.expect("second step");
    assert!(c2.bail_out);

    let history = s.next_step_history(deal).await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].id, s1.id);
    assert_eq!(history[0].status, StepStatus::Superseded);
    assert!(history[0].updated_at >= history[0].created_at);
    assert_eq!(history[1], s2);
    assert_eq!(
        history
            .iter()
            .filter(|h| h.status == StepStatus::Open)
            .count(),
        1
    );

    // A call without a step leaves the open step alone.
    let (c3, none) = s
        .add_call(deal, &call("2026-04-22", false), None)
        .await
        .expect("third");
    assert!(none.is_none());
    let calls = s.calls_for_deal(deal).await.expect("calls");
    assert_eq!(
        calls.iter().map(|c| c.id).collect::<Vec<_>>(),
        [c1.id, c2.id, c3.id]
    );
    assert_eq!(calls[0], c1);
    assert_eq!(s.next_step_history(deal).await.expect("history").len(), 2);

    // An older recording uploaded late: its step joins the history, already superseded
    // by the open step from the later call, which stays open.
    let (_, late) = s
        .add_call(
            deal,
            &call("2026-04-10", false),
            Some(&step("Intro call with IT", DefinedBy::Seller, None)),
        )
        .await
        .expect("late call");
    let late = late.expect("late step");
    assert_eq!(late.status, StepStatus::Superseded);
    let history = s.next_step_history(deal).await.expect("history");
    let open: Vec<_> = history
        .iter()
        .filter(|h| h.status == StepStatus::Open)
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(
        open[0].id, s2.id,
        "the later call's step stays the open one"
    );

    assert!(matches!(
        s.add_call(123_456, &call("2026-04-22", false), None).await,
        Err(StoreError::DealNotFound(_))
    ));
}

/// A call judged again (a speaker's side flipped): the call's record changes and the
/// deal's step follows — replaced, reopened, or left alone once the deal moved on.
async fn story_rejudged_calls_move_the_step<S: Store>(s: &S) {
    s.import_deals(&pipeline_fixture()).await.expect("import");
    let deal = s
        .find_deal(&nextstep_core::Scope::All, "OPP-1")
        .await
        .expect("deal")
        .id;
    let before = s.data_version().await.expect("version");
    let manual_step = s
        .set_next_step(deal, &manual("Send the deck"))
        .await
        .expect("manual");
    let seller_step = step("I'll send a proposal", DefinedBy::Seller, None);
    let (c1, s1) = s
        .add_call(deal, &call("2026-04-14", false), Some(&seller_step))
        .await
        .expect("call");
    let s1 = s1.expect("step");
    let open = |h: &[nextstep_core::NextStepRecord]| {
        h.iter()
            .filter(|x| x.status == StepStatus::Open)
            .map(|x| x.action.clone())
            .collect::<Vec<_>>()
    };

    // Judged again with another step: it replaces the call's step, which stays in the
    // history.
    let mut rejudged = call("2026-04-14", true);
    rejudged.speakers = json!([{"name": "Priya", "role": "prospect", "basis": "user"}]);
    let prospect_step = step("Send a quote for twelve seats", DefinedBy::Prospect, None);
    let (c1b, s1b) = s
        .rejudge_call(c1.id, &rejudged, Some(&prospect_step))
        .await
        .expect("rejudge");
    assert_eq!((c1b.id, c1b.bail_out), (c1.id, true));
    assert_eq!(c1b.speakers, rejudged.speakers);
    assert_eq!(c1b.transcript, c1.transcript, "the text stays");
    let s1b = s1b.expect("new step");
    assert_eq!(
        (s1b.call_id, s1b.defined_by),
        (Some(c1.id), DefinedBy::Prospect)
    );
    let history = s.next_step_history(deal).await.expect("history");
    assert_eq!(open(&history), ["Send a quote for twelve seats"]);
    assert!(
        history
            .iter()
            .any(|h| h.id == s1.id && h.status == StepStatus::Superseded)
    );
    assert!(s.data_version().await.expect("version") > before);

    // Judged again without a step: the step the call had superseded is open again.
    s.rejudge_call(c1.id, &call("2026-04-14", false), None)
        .await
        .expect("no step");
    let history = s.next_step_history(deal).await.expect("history");
    assert_eq!(open(&history), [manual_step.action.as_str()]);

    // A call without a step that now has one records it as a new call would.
    let (_, again) = s
        .rejudge_call(c1.id, &call("2026-04-14", false), Some(&seller_step))
        .await
        .expect("step again");
    assert_eq!(again.expect("recorded").status, StepStatus::Open);
    assert_eq!(
        open(&s.next_step_history(deal).await.unwrap()),
        ["I'll send a proposal"]
    );

    // Once the deal moved on (the step closed), a new judgement leaves the history alone.
    s.close_next_step(deal, StepStatus::Done)
        .await
        .expect("close");
    let (_, untouched) = s
        .rejudge_call(c1.id, &call("2026-04-14", false), Some(&prospect_step))
        .await
        .expect("after close");
    assert!(untouched.is_none());
    assert!(open(&s.next_step_history(deal).await.unwrap()).is_empty());

    assert!(matches!(
        s.rejudge_call(987_654, &call("2026-04-14", false), None)
            .await,
        Err(StoreError::NotFound { what: "call", .. })
    ));
}

/// Manual steps: set, supersede, close; closing with nothing open is `NoOpenStep`.
async fn story_set_and_close_steps<S: Store>(s: &S) {
    s.import_deals(&pipeline_fixture()).await.expect("import");
    let deal = s
        .find_deal(&nextstep_core::Scope::All, "OPP-6")
        .await
        .expect("deal")
        .id;
    assert!(matches!(
        s.close_next_step(deal, StepStatus::Done).await,
        Err(StoreError::NoOpenStep(d)) if d == deal
    ));
    for (i, status) in [StepStatus::Done, StepStatus::Missed, StepStatus::Cancelled]
        .into_iter()
        .enumerate()
    {
        let set = s
            .set_next_step(deal, &manual(&format!("Step {i}")))
            .await
            .expect("set");
        assert_eq!(
            (set.status, set.source, set.call_id),
            (StepStatus::Open, StepSource::Manual, None)
        );
        let closed = s.close_next_step(deal, status).await.expect("close");
        assert_eq!((closed.id, closed.status), (set.id, status));
        assert!(matches!(
            s.close_next_step(deal, status).await,
            Err(StoreError::NoOpenStep(_))
        ));
    }
    let a = s.set_next_step(deal, &manual("A")).await.expect("A");
    let b = s.set_next_step(deal, &manual("B")).await.expect("B");
    let statuses: Vec<_> = s
        .next_step_history(deal)
        .await
        .expect("history")
        .into_iter()
        .map(|h| (h.action, h.status))
        .collect();
    assert_eq!(
        statuses[3..],
        [
            ("A".to_string(), StepStatus::Superseded),
            ("B".to_string(), StepStatus::Open)
        ]
    );
    assert_ne!(a.id, b.id);
    assert!(matches!(
        s.close_next_step(deal, StepStatus::Open).await,
        Err(StoreError::Query(_))
    ));
    assert!(matches!(
        s.set_next_step(987_654, &manual("nowhere")).await,
        Err(StoreError::DealNotFound(_))
    ));
    assert!(matches!(
        s.close_next_step(987_654, StepStatus::Done).await,
        Err(StoreError::DealNotFound(_))
    ));
}

/// The pipeline: only open deals, biggest first, with step, last call and its bail-out.
async fn story_pipeline<S: Store>(s: &S) {
    let mut deals = pipeline_fixture();
    let mut no_amount = deal("OPP-7", "Priya Nair", "Acme", "Prospecting", 0);
    no_amount.amount = None;
    deals.push(no_amount);
    s.import_deals(&deals).await.expect("import");
    let id = |ext: &'static str| async move {
        s.find_deal(&nextstep_core::Scope::All, ext)
            .await
            .expect(ext)
            .id
    };
    let (opp1, opp6) = (id("OPP-1").await, id("OPP-6").await);

    // OPP-1: two calls, the latest (by date, not by insertion) without a bail-out.
    s.add_call(
        opp1,
        &call("2026-04-21", false),
        Some(&step("Demo", DefinedBy::Prospect, Some("2026-04-28"))),
    )
    .await
    .expect("call");
    s.add_call(opp1, &call("2026-04-14", true), None)
        .await
        .expect("older call");
    // OPP-6: one call with a bail-out, then a manual step.
    s.add_call(opp6, &call("2026-04-10", true), None)
        .await
        .expect("call");
    s.set_next_step(opp6, &manual("Send pricing"))
        .await
        .expect("step");
    // OPP-2 is won: its calls and steps never show.
    let opp2 = id("OPP-2").await;
    s.add_call(
        opp2,
        &call("2026-04-30", true),
        Some(&step("Kickoff", DefinedBy::Seller, None)),
    )
    .await
    .expect("won call");

    let rows = s
        .pipeline(&nextstep_core::Scope::All, None)
        .await
        .expect("pipeline");
    let view: Vec<(&str, Option<&str>, Option<NaiveDate>, bool)> = rows
        .iter()
        .map(|r| {
            (
                r.deal.external_id.as_deref().unwrap_or(""),
                r.next_step.as_ref().map(|n| n.action.as_str()),
                r.last_call,
                r.last_call_bail_out,
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            ("OPP-3", None, None, false),
            ("OPP-1", Some("Demo"), Some(date("2026-04-21")), false),
            (
                "OPP-6",
                Some("Send pricing"),
                Some(date("2026-04-10")),
                true
            ),
            ("OPP-4", None, None, false),
            ("OPP-7", None, None, false),
        ]
    );
    assert!(rows.iter().all(|r| r.deal.is_open()));
    let step = rows[1].next_step.as_ref().expect("step");
    assert_eq!(
        step,
        s.next_step_history(opp1)
            .await
            .expect("history")
            .last()
            .expect("one")
    );

    let tom: Vec<_> = s
        .pipeline(&nextstep_core::Scope::All, Some("Tom Weller"))
        .await
        .expect("owner")
        .into_iter()
        .map(|r| r.deal.external_id)
        .collect();
    assert_eq!(tom, [Some("OPP-3".to_string()), Some("OPP-4".to_string())]);
    assert!(
        s.pipeline(&nextstep_core::Scope::All, Some("Nobody"))
            .await
            .expect("nobody")
            .is_empty()
    );

    // Closing a step or winning a deal takes it out of the step column / the report.
    s.close_next_step(opp6, StepStatus::Done)
        .await
        .expect("done");
    let mut won = deals.clone();
    won[0].stage = "Won".into();
    won[0].outcome = Some(Outcome::Won);
    s.import_deals(&won).await.expect("won");
    let rows = s
        .pipeline(&nextstep_core::Scope::All, None)
        .await
        .expect("pipeline");
    assert_eq!(rows.len(), 4);
    let opp6_row = rows.iter().find(|r| r.deal.id == opp6).expect("OPP-6");
    assert!(opp6_row.next_step.is_none());
}

/// A failing import leaves the database exactly as it was, even after partial writes.
async fn story_failed_import_changes_nothing<S: Store>(s: &S) {
    s.import_deals(&pipeline_fixture()).await.expect("import");
    let deals_before = s.list_deals(&DealFilter::default()).await.expect("list");
    let reps_before = s.list_reps().await.expect("reps");
    let history_before = history_rows(s).await;

    // Many new deals (new accounts and owners, several insert chunks), a changed stage on
    // an existing one, and, last, one the schema rejects (an empty upsert key).
    let mut bad = maven::deals(5_000, 7);
    bad.extend(pipeline_fixture());
    bad.last_mut().expect("one").stage = "Won".into();
    bad.push(deal("", "New Owner", "New Account", "Engaging", 1));
    let err = s.import_deals(&bad).await.expect_err("must fail");
    assert!(matches!(err, StoreError::Query(_)), "{err:?}");

    // A duplicate external id inside one slice is refused too.
    let mut dup = maven::deals(10, 8);
    dup.push(dup[3].clone());
    assert!(
        matches!(s.import_deals(&dup).await, Err(StoreError::Query(m)) if m.contains("duplicate"))
    );

    assert_eq!(
        s.list_deals(&DealFilter::default()).await.expect("list"),
        deals_before
    );
    assert_eq!(s.list_reps().await.expect("reps"), reps_before);
    assert_eq!(history_rows(s).await, history_before);
    // The store still works afterwards.
    assert_eq!(
        s.import_deals(&pipeline_fixture()).await.expect("again"),
        stats(0, 0, 6)
    );
}

/// Thousands of deals: the chunked insert, lookup and bulk update paths.
async fn story_bulk_import<S: Store>(s: &S) {
    let mut deals = maven::deals(6_000, 1);
    assert_eq!(
        s.import_deals(&deals).await.expect("import"),
        stats(6_000, 0, 0)
    );
    assert_eq!(
        s.import_deals(&deals).await.expect("again"),
        stats(0, 0, 6_000)
    );
    for d in deals.iter_mut().step_by(2) {
        d.stage = "Lost".into();
        d.outcome = Some(Outcome::Lost);
    }
    let changed = deals.iter().step_by(2).count() as u64;
    let before_lost = maven::deals(6_000, 1)
        .iter()
        .step_by(2)
        .filter(|d| d.stage == "Lost")
        .count() as u64;
    let updated = changed - before_lost;
    assert_eq!(
        s.import_deals(&deals).await.expect("update"),
        stats(0, updated, 6_000 - updated)
    );
    let all = s.list_deals(&DealFilter::default()).await.expect("list");
    assert_eq!(all.len(), 6_000);
    let open = s
        .pipeline(&nextstep_core::Scope::All, None)
        .await
        .expect("pipeline");
    assert_eq!(
        open.len(),
        deals.iter().filter(|d| d.outcome.is_none()).count()
    );
    assert!(
        open.windows(2)
            .all(|w| w[0].deal.amount >= w[1].deal.amount)
    );
    assert_eq!(s.list_reps().await.expect("reps").len(), 35);
}

nextstep_synth::stories!(
    "story";
    story_import_then_reimport,
    story_update_one_field,
    story_stage_change_appends_history,
    story_reps_with_managers,
    story_accounts_and_contacts,
    story_find_deal,
    story_calls_supersede_steps,
    story_rejudged_calls_move_the_step,
    story_set_and_close_steps,
    story_pipeline,
    story_failed_import_changes_nothing,
    story_bulk_import,
);
