//! The team story suite: what the store promises the team server — users and their
//! managers, sessions, API tokens, what each [`Scope`] sees, prospect confirmation links
//! and the upload life cycle — told once and run against every backend.
//!
//! Like `story.rs`: each story runs on SQLite (a fresh file per test) and on PostgreSQL
//! when `NEXTSTEP_TEST_POSTGRES_URL` is set (a fresh schema per test, dropped at the end).
//! Without that variable the PostgreSQL half is skipped with a note — unless `CI` is set,
//! where a missing PostgreSQL is a failure.

use chrono::{Duration, NaiveDate, Utc};
use nextstep_core::{
    DealFilter, DefinedBy, LinkAnswer, LoginGate, NewApiToken, NewCall, NewConfirmLink, NewDeal,
    NewNextStep, NewSession, NewUpload, NewUser, Role, Scope, StepSource, StepStatus, Store,
    StoreError, TeamStore, UploadStatus, User,
};
use serde_json::json;

// ---------------------------------------------------------------- fixtures

/// Not a real argon2 hash: the store never looks inside, and hashing is slow.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$not-a-real-hash";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

fn new_user(email: &str, role: Role, rep: Option<&str>, manager: Option<&str>) -> NewUser {
    NewUser {
        email: email.to_string(),
        password_hash: HASH.to_string(),
        role,
        rep_name: rep.map(str::to_string),
        manager_email: manager.map(str::to_string),
    }
}

fn deal(ext: &str, owner: &str) -> NewDeal {
    NewDeal {
        external_id: ext.to_string(),
        name: format!("Deal {ext}"),
        account: Some(format!("Account {ext}")),
        owner: Some(owner.to_string()),
        stage: "Engaging".to_string(),
        amount: Some(100_000),
        currency: "USD".to_string(),
        expected_close: Some(date("2026-06-30")),
        created: Some(date("2026-01-15")),
        closed: None,
        outcome: None,
        loss_reason: None,
        product: None,
        crm_next_step: None,
    }
}

fn call(day: &str, who: &str) -> NewCall {
    NewCall {
        date: date(day),
        source: format!("calls/{who}-{day}.txt"),
        format: "plain".to_string(),
        transcript: format!("{who}: Where do we go from here?"),
        speakers: json!([{"name": who, "role": "seller", "confidence": 1.0}]),
        analysis: json!({"next_step": null, "bail_outs": []}),
        bail_out: false,
    }
}

fn step(action: &str, defined_by: DefinedBy) -> NewNextStep {
    NewNextStep {
        action: action.to_string(),
        kind: "demo".to_string(),
        owner: "seller".to_string(),
        due: Some(date("2026-05-01")),
        defined_by,
        confirmed_by_prospect: false,
        source: StepSource::Manual,
        call_id: None,
        evidence: json!([]),
    }
}

fn upload(deal_id: i64, name: &str) -> NewUpload {
    static JOBS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    NewUpload {
        deal_id,
        user_id: None,
        file_name: name.to_string(),
        content: format!("Ana Rep: transcript {name}").into_bytes(),
        call_date: Some(date("2026-04-14")),
        job_id: format!(
            "job-{}",
            JOBS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
        idempotency_key: None,
        sellers: Vec::new(),
    }
}

fn token(user_id: i64, name: &str, hash: &str, expires_in: Option<Duration>) -> NewApiToken {
    NewApiToken {
        user_id,
        name: name.to_string(),
        token_hash: hash.to_string(),
        expires_at: expires_in.map(|d| Utc::now() + d),
    }
}

/// The team every story starts from.
struct Team {
    admin: User,
    manager: User,
    /// Reports to `manager`.
    ana: User,
    /// Reports to `manager`.
    ben: User,
    /// Reports to nobody.
    cal: User,
    /// Deal ids by external id.
    deals: Vec<(String, i64)>,
}

impl Team {
    fn deal(&self, ext: &str) -> i64 {
        self.deals
            .iter()
            .find(|(e, _)| e == ext)
            .unwrap_or_else(|| panic!("no fixture deal {ext}"))
            .1
    }
}

/// An admin, a manager with two reps (Ana, Ben), a rep with no manager (Cal), and six
/// deals: A1, A2 (Ana), B1 (Ben), C1, C2 (Cal), M1 (the manager's own).
async fn team<S: Store + TeamStore>(s: &S) -> Team {
    let admin = s
        .create_user(&new_user("admin@example.test", Role::Admin, None, None))
        .await
        .expect("admin");
    let manager = s
        .create_user(&new_user(
            "mia@example.test",
            Role::Manager,
            Some("Mia Manager"),
            None,
        ))
        .await
        .expect("manager");
    let ana = s
        .create_user(&new_user(
            "ana@example.test",
            Role::Rep,
            Some("Ana Rep"),
            Some("mia@example.test"),
        ))
        .await
        .expect("ana");
    let ben = s
        .create_user(&new_user(
            "Ben@Example.test ",
            Role::Rep,
            Some("Ben Rep"),
            Some(" MIA@example.test"),
        ))
        .await
        .expect("ben");
    let cal = s
        .create_user(&new_user(
            "cal@example.test",
            Role::Rep,
            Some("Cal Rep"),
            None,
        ))
        .await
        .expect("cal");
    let fixture = [
        deal("A1", "Ana Rep"),
        deal("A2", "Ana Rep"),
        deal("B1", "Ben Rep"),
        deal("C1", "Cal Rep"),
        deal("C2", "Cal Rep"),
        deal("M1", "Mia Manager"),
    ];
    let stats = s.import_deals(&fixture).await.expect("import");
    assert_eq!(stats.imported, 6);
    let deals = s
        .list_deals(&DealFilter::default())
        .await
        .expect("list")
        .into_iter()
        .map(|d| (d.external_id.expect("external id"), d.id))
        .collect();
    Team {
        admin,
        manager,
        ana,
        ben,
        cal,
        deals,
    }
}

fn ext_ids(deals: impl IntoIterator<Item = nextstep_core::Deal>) -> Vec<String> {
    let mut ids: Vec<String> = deals
        .into_iter()
        .map(|d| d.external_id.unwrap_or_default())
        .collect();
    ids.sort();
    ids
}

// ---------------------------------------------------------------- stories

/// Users: roles, reps, managers; duplicates and unknown managers are conflicts.
async fn story_users<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    assert_eq!(t.admin.role, Role::Admin);
    assert_eq!(t.admin.rep_id, None, "an admin without rep_name has no rep");
    assert_eq!(t.admin.scope(), Scope::All);
    assert_eq!(t.ana.role, Role::Rep);
    assert_eq!(t.ana.rep_name.as_deref(), Some("Ana Rep"));
    assert_eq!(
        t.ana.scope(),
        Scope::Owner(t.ana.rep_id.expect("ana's rep"))
    );
    assert_eq!(
        t.manager.scope(),
        Scope::Team(t.manager.rep_id.expect("mia's rep"))
    );
    assert_eq!(
        t.ben.email, "ben@example.test",
        "emails are trimmed and lower-cased"
    );
    assert_ne!(t.ana.rep_id, t.ben.rep_id);

    // Reps report to the manager's rep; Cal to nobody.
    let reps = s.list_reps().await.expect("reps");
    let manager_of = |name: &str| {
        reps.iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("rep {name} missing from {reps:?}"))
            .manager
            .clone()
    };
    assert_eq!(manager_of("Ana Rep").as_deref(), Some("Mia Manager"));
    assert_eq!(manager_of("Ben Rep").as_deref(), Some("Mia Manager"));
    assert_eq!(manager_of("Cal Rep"), None);
    assert_eq!(manager_of("Mia Manager"), None);
    // The import found the users' reps by name instead of creating new ones.
    assert_eq!(reps.len(), 4, "{reps:?}");

    // Conflicts, and none of them wrote anything.
    let before = s.list_users().await.expect("users");
    assert_eq!(before.len(), 5);
    let conflicts = [
        (
            "duplicate email (other case, spaces)",
            new_user(" ANA@example.test", Role::Rep, Some("Another Ana"), None),
        ),
        (
            "unknown manager",
            new_user(
                "dan@example.test",
                Role::Rep,
                Some("Dan Rep"),
                Some("nobody@example.test"),
            ),
        ),
        (
            "manager without a rep (an admin)",
            new_user(
                "eve@example.test",
                Role::Rep,
                Some("Eve Rep"),
                Some("admin@example.test"),
            ),
        ),
        (
            "empty email",
            new_user("  ", Role::Rep, Some("Nobody"), None),
        ),
    ];
    for (what, user) in conflicts {
        match s.create_user(&user).await {
            Err(StoreError::Conflict(_)) => {}
            other => panic!("{what}: expected Conflict, got {other:?}"),
        }
    }
    assert_eq!(s.list_users().await.expect("users"), before);
    assert_eq!(
        s.list_reps().await.expect("reps").len(),
        4,
        "a refused user creates no rep"
    );
    let emails: Vec<_> = before.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "admin@example.test",
            "ana@example.test",
            "ben@example.test",
            "cal@example.test",
            "mia@example.test"
        ]
    );
}

/// Login lookup returns the hash; passwords can be replaced.
async fn story_login_lookup<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    let (user, hash) = s
        .login_lookup("  Ana@Example.TEST ")
        .await
        .expect("lookup")
        .expect("ana exists");
    assert_eq!(user, t.ana);
    assert_eq!(hash, HASH);
    assert!(
        s.login_lookup("nobody@example.test")
            .await
            .expect("lookup")
            .is_none()
    );
    s.set_password("ANA@example.test", "$argon2id$new")
        .await
        .expect("set password");
    let (_, hash) = s
        .login_lookup("ana@example.test")
        .await
        .expect("lookup")
        .expect("ana");
    assert_eq!(hash, "$argon2id$new");
    assert!(matches!(
        s.set_password("nobody@example.test", "x").await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Sessions: found until they expire, gone after log-out.
async fn story_sessions<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    let now = Utc::now();
    let live = NewSession {
        id_hash: "live-digest".into(),
        user_id: t.ben.id,
        csrf: "csrf-live".into(),
        expires_at: now + Duration::days(14),
    };
    let expired = NewSession {
        id_hash: "expired-digest".into(),
        user_id: t.ana.id,
        csrf: "csrf-old".into(),
        expires_at: now - Duration::minutes(1),
    };
    s.create_session(&live).await.expect("live");
    s.create_session(&expired).await.expect("expired");

    let (user, csrf) = s
        .session("live-digest", now)
        .await
        .expect("session")
        .expect("a live session");
    assert_eq!(user, t.ben);
    assert_eq!(csrf, "csrf-live");
    assert_eq!(
        s.session("expired-digest", now).await.expect("session"),
        None
    );
    assert_eq!(s.session("unknown", now).await.expect("session"), None);
    // A new session purges expired ones, never live ones.
    let another = NewSession {
        id_hash: "another-digest".into(),
        ..live.clone()
    };
    s.create_session(&another).await.expect("another");
    assert!(
        s.session("live-digest", now)
            .await
            .expect("session")
            .is_some()
    );
    assert!(
        s.session("another-digest", now)
            .await
            .expect("session")
            .is_some()
    );
    // The live one expires too, when its time comes.
    assert_eq!(
        s.session("live-digest", now + Duration::days(15))
            .await
            .expect("session"),
        None
    );
    s.delete_session("live-digest").await.expect("log out");
    assert_eq!(s.session("live-digest", now).await.expect("session"), None);
    s.delete_session("live-digest")
        .await
        .expect("logging out twice is fine");
}

/// API tokens: a token digest names its user until it expires or is revoked; listings
/// never show the digest.
async fn story_api_tokens<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    let now = Utc::now();
    let a = s
        .create_api_token(&token(t.cal.id, "laptop", "digest-a", None))
        .await
        .expect("token a");
    let b = s
        .create_api_token(&token(t.cal.id, "ci", "digest-b", Some(Duration::days(30))))
        .await
        .expect("token b");
    let m = s
        .create_api_token(&token(t.manager.id, "laptop", "digest-m", None))
        .await
        .expect("token m");
    assert!(a.id != b.id && b.id != m.id && a.id != m.id);
    assert_eq!(
        (a.name.as_str(), a.email.as_str()),
        ("laptop", "cal@example.test")
    );
    assert_eq!(a.expires_at, None);
    assert!(b.expires_at.is_some_and(|e| e > now + Duration::days(29)));
    assert_eq!(
        s.token_user("digest-a", now).await.expect("a"),
        Some(t.cal.clone())
    );
    assert_eq!(
        s.token_user("digest-b", now).await.expect("b"),
        Some(t.cal.clone())
    );
    assert_eq!(
        s.token_user("digest-m", now).await.expect("m"),
        Some(t.manager.clone())
    );
    assert_eq!(s.token_user("digest-x", now).await.expect("x"), None);
    assert!(
        s.create_api_token(&token(t.ana.id, "dup", "digest-a", None))
            .await
            .is_err(),
        "a token digest is unique"
    );

    // Expiry: past its time a token opens nothing.
    assert_eq!(
        s.token_user("digest-b", now + Duration::days(31))
            .await
            .expect("b later"),
        None,
        "an expired token authenticates no one"
    );
    let expired = s
        .create_api_token(&token(
            t.ana.id,
            "old",
            "digest-old",
            Some(Duration::seconds(-1)),
        ))
        .await
        .expect("an expired token can be stored");
    assert_eq!(
        s.token_user("digest-old", Utc::now()).await.expect("old"),
        None
    );

    // Listings: one user's or everyone's, oldest first.
    let cal: Vec<i64> = s
        .list_api_tokens(Some(t.cal.id))
        .await
        .expect("cal's")
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(cal, [a.id, b.id]);
    let all: Vec<i64> = s
        .list_api_tokens(None)
        .await
        .expect("all")
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(all, [a.id, b.id, m.id, expired.id]);

    // Revocation: only the owner's own (when an owner is given), and at once.
    assert!(
        matches!(
            s.revoke_api_token(m.id, Some(t.cal.id)).await,
            Err(StoreError::NotFound { .. })
        ),
        "cal cannot revoke the manager's token"
    );
    assert_eq!(
        s.token_user("digest-m", now).await.expect("m"),
        Some(t.manager)
    );
    s.revoke_api_token(a.id, Some(t.cal.id)).await.expect("own");
    assert_eq!(s.token_user("digest-a", now).await.expect("a"), None);
    s.revoke_api_token(m.id, None)
        .await
        .expect("admin revokes any");
    assert_eq!(s.token_user("digest-m", now).await.expect("m"), None);
    assert!(
        matches!(
            s.revoke_api_token(a.id, None).await,
            Err(StoreError::NotFound { .. })
        ),
        "revoking twice"
    );
    let left: Vec<i64> = s
        .list_api_tokens(None)
        .await
        .expect("left")
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(left, [b.id, expired.id]);
}

/// The lockout: attempts are counted before the password is checked, atomically, so of
/// sixty attempts at once exactly five are let through; the window ends the lock; a
/// success (clear) starts afresh; emails are counted apart.
async fn story_login_lockout<S: Store + TeamStore + Sync>(s: &S) {
    let now = Utc::now();
    let window = Duration::minutes(15);
    let attempts = (0..60).map(|_| s.count_login_attempt("Ana@Example.test ", now, 5, window));
    let gates = futures::future::join_all(attempts).await;
    let mut open: Vec<u32> = gates
        .iter()
        .filter_map(|g| match g {
            Ok(LoginGate::Open { attempt }) => Some(*attempt),
            _ => None,
        })
        .collect();
    open.sort();
    assert_eq!(open, [1, 2, 3, 4, 5], "{gates:?}");
    for g in &gates {
        match g {
            Ok(LoginGate::Open { .. }) => {}
            // (PostgreSQL keeps microseconds.)
            Ok(LoginGate::Locked { until }) => {
                assert!(
                    (*until - (now + window)).num_milliseconds().abs() < 1,
                    "{until}"
                )
            }
            Err(e) => panic!("counting an attempt failed: {e}"),
        }
    }
    // The same email however written; another email is counted apart.
    assert!(matches!(
        s.count_login_attempt("ana@example.test", now, 5, window)
            .await
            .expect("again"),
        LoginGate::Locked { .. }
    ));
    assert_eq!(
        s.count_login_attempt("ben@example.test", now, 5, window)
            .await
            .expect("ben"),
        LoginGate::Open { attempt: 1 }
    );
    // After the window, a fresh count.
    let later = now + window + Duration::seconds(1);
    assert_eq!(
        s.count_login_attempt("ana@example.test", later, 5, window)
            .await
            .expect("later"),
        LoginGate::Open { attempt: 1 }
    );
    // A success clears.
    for _ in 0..4 {
        s.count_login_attempt("ana@example.test", later, 5, window)
            .await
            .expect("more");
    }
    assert!(matches!(
        s.count_login_attempt("ana@example.test", later, 5, window)
            .await
            .expect("locked"),
        LoginGate::Locked { .. }
    ));
    s.clear_login_attempts("ANA@example.test")
        .await
        .expect("clear");
    assert_eq!(
        s.count_login_attempt("ana@example.test", later, 5, window)
            .await
            .expect("cleared"),
        LoginGate::Open { attempt: 1 }
    );
}

/// Server keys: the first candidate stored wins, every later caller gets it.
async fn story_server_keys<S: Store + TeamStore>(s: &S) {
    let first = s.server_key("form", &[1u8; 32]).await.expect("first");
    assert_eq!(first, vec![1u8; 32]);
    let second = s.server_key("form", &[2u8; 32]).await.expect("second");
    assert_eq!(second, first, "a second server gets the first key");
    assert_eq!(
        s.server_key("other", &[3u8; 16]).await.expect("other"),
        vec![3u8; 16]
    );
}

/// Every scoped read returns exactly what each scope sees.
async fn story_scope_visibility<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    // A call, a step and an upload on every deal.
    let mut calls = Vec::new();
    let mut uploads = Vec::new();
    for (ext, id) in &t.deals {
        let (c, _) = s
            .add_call(
                *id,
                &call("2026-04-14", ext),
                Some(&step(ext, DefinedBy::Seller)),
            )
            .await
            .expect("call");
        calls.push((ext.clone(), c.id));
        let u = s
            .create_upload(&Scope::All, &upload(*id, ext))
            .await
            .expect("upload")
            .upload;
        uploads.push((ext.clone(), u.id));
    }

    let scopes = [
        ("ana (rep)", t.ana.scope(), vec!["A1", "A2"]),
        ("ben (rep)", t.ben.scope(), vec!["B1"]),
        ("cal (unmanaged rep)", t.cal.scope(), vec!["C1", "C2"]),
        (
            "mia (manager of ana, ben)",
            t.manager.scope(),
            vec!["A1", "A2", "B1", "M1"],
        ),
        (
            "admin",
            t.admin.scope(),
            vec!["A1", "A2", "B1", "C1", "C2", "M1"],
        ),
        ("Scope::Owner(unknown rep)", Scope::Owner(-1), vec![]),
    ];
    let mut failures = Vec::new();
    for (who, scope, expected) in &scopes {
        let sees = |ext: &str| expected.contains(&ext);
        let deal_ext = |deal_id: i64| {
            t.deals
                .iter()
                .find(|(_, id)| *id == deal_id)
                .map(|(e, _)| e.clone())
                .unwrap_or_else(|| format!("#{deal_id}"))
        };
        let check = |failures: &mut Vec<String>, what: &str, mut got: Vec<String>| {
            got.sort();
            if got != *expected {
                failures.push(format!(
                    "{who}: {what} returned {got:?}, expected {expected:?}"
                ));
            }
        };

        let listed = s
            .list_deals(&DealFilter {
                scope: *scope,
                ..DealFilter::default()
            })
            .await
            .expect("list_deals");
        check(&mut failures, "list_deals", ext_ids(listed));
        let pipeline = s.pipeline(scope, None).await.expect("pipeline");
        check(
            &mut failures,
            "pipeline",
            ext_ids(pipeline.into_iter().map(|r| r.deal)),
        );
        let all_calls = s.all_calls(scope).await.expect("all_calls");
        check(
            &mut failures,
            "all_calls",
            all_calls.iter().map(|c| deal_ext(c.deal_id)).collect(),
        );
        let between = s
            .calls_between(scope, date("1900-01-01"), date("2999-12-31"))
            .await
            .expect("calls_between");
        check(
            &mut failures,
            "calls_between",
            between.iter().map(|c| deal_ext(c.deal_id)).collect(),
        );
        // A window keeps the calls dated inside it, both ends included, and no others.
        for day in all_calls.iter().map(|c| c.date).take(2) {
            let got: Vec<i64> = s
                .calls_between(scope, day, day)
                .await
                .expect("calls_between a day")
                .iter()
                .map(|c| c.id)
                .collect();
            let want: Vec<i64> = all_calls
                .iter()
                .filter(|c| c.date == day)
                .map(|c| c.id)
                .collect();
            assert_eq!(got, want, "{who}: calls_between({day}, {day})");
        }
        let steps = s.all_next_steps(scope).await.expect("all_next_steps");
        check(
            &mut failures,
            "all_next_steps",
            steps.iter().map(|st| deal_ext(st.deal_id)).collect(),
        );
        let listed_uploads = s.list_uploads(scope, 100).await.expect("list_uploads");
        check(
            &mut failures,
            "list_uploads",
            listed_uploads.iter().map(|u| deal_ext(u.deal_id)).collect(),
        );
        assert!(
            listed_uploads.iter().all(|u| u.content.is_empty()),
            "listings carry no bytes"
        );
        let history = s.all_stage_history(scope).await.expect("stage history");
        let mut history_deals: Vec<String> = history.iter().map(|(d, _)| deal_ext(*d)).collect();
        history_deals.dedup();
        check(&mut failures, "all_stage_history", history_deals);

        // Point reads, by id and by external id: visible ones found, others NotFound.
        let mut found = Vec::new();
        for (ext, id) in &t.deals {
            let by_id = s.find_deal(scope, &id.to_string()).await;
            let by_ext = s.find_deal(scope, ext).await;
            match (&by_id, &by_ext, sees(ext)) {
                (Ok(a), Ok(b), true) if a.id == *id && b.id == *id => found.push(ext.clone()),
                (Err(StoreError::DealNotFound(_)), Err(StoreError::DealNotFound(_)), false) => {}
                _ => failures.push(format!(
                    "{who}: find_deal {ext}: by id {by_id:?}, by external id {by_ext:?}"
                )),
            }
        }
        check(&mut failures, "find_deal", found);
        let mut found = Vec::new();
        for (ext, id) in &calls {
            match (s.find_call(scope, *id).await, sees(ext)) {
                (Ok(c), true) if c.id == *id => found.push(ext.clone()),
                (Err(StoreError::NotFound { what: "call", .. }), false) => {}
                (other, _) => failures.push(format!("{who}: find_call on {ext}: {other:?}")),
            }
        }
        check(&mut failures, "find_call", found);
        let mut found = Vec::new();
        for (ext, id) in &uploads {
            match (s.find_upload(scope, *id).await, sees(ext)) {
                (Ok(u), true) if u.id == *id && !u.content.is_empty() => found.push(ext.clone()),
                (Err(StoreError::NotFound { what: "upload", .. }), false) => {}
                (other, _) => failures.push(format!("{who}: find_upload on {ext}: {other:?}")),
            }
        }
        check(&mut failures, "find_upload", found);
    }
    // Writes through a scope (after every read, which they would change): uploads only
    // on visible deals.
    for (who, scope, expected) in &scopes {
        let mut created = Vec::new();
        for (ext, id) in &t.deals {
            match (
                s.create_upload(scope, &upload(*id, "again")).await,
                expected.contains(&ext.as_str()),
            ) {
                (Ok(_), true) => created.push(ext.clone()),
                (Err(StoreError::DealNotFound(_)), false) => {}
                (other, _) => failures.push(format!("{who}: create_upload on {ext}: {other:?}")),
            }
        }
        created.sort();
        if created != *expected {
            failures.push(format!(
                "{who}: create_upload succeeded on {created:?}, expected {expected:?}"
            ));
        }
    }
    // The owner filter narrows within the scope, never widens it.
    let cal_for_ana = s
        .list_deals(&DealFilter {
            owner: Some("Cal Rep".into()),
            open_only: false,
            scope: t.ana.scope(),
        })
        .await
        .expect("filtered");
    if !cal_for_ana.is_empty() {
        failures.push(format!("ana filtering by owner Cal sees {cal_for_ana:?}"));
    }
    let cal_pipeline = s
        .pipeline(&t.manager.scope(), Some("Cal Rep"))
        .await
        .expect("pipeline");
    if !cal_pipeline.is_empty() {
        failures.push(format!(
            "the manager's pipeline filtered to Cal shows {:?}",
            cal_pipeline
                .iter()
                .map(|r| &r.deal.external_id)
                .collect::<Vec<_>>()
        ));
    }
    assert!(
        failures.is_empty(),
        "visibility failures:\n{}",
        failures.join("\n")
    );
}

/// Confirmation links: created only through a scope that sees the deal; answers set or
/// clear the step's `confirmed_by_prospect`; expired links refuse answers.
async fn story_confirm_links<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    let a1 = t.deal("A1");
    let c1 = t.deal("C1");
    let step_a = s
        .set_next_step(a1, &step("Demo for the ops team", DefinedBy::Seller))
        .await
        .expect("step");
    let step_c = s
        .set_next_step(c1, &step("Pricing call", DefinedBy::Seller))
        .await
        .expect("step c");
    let link = |hash: &str, deal_id: i64, step_id: i64, days: i64| NewConfirmLink {
        token_hash: hash.to_string(),
        deal_id,
        step_id,
        created_by: Some(t.ana.id),
        expires_at: Utc::now() + Duration::days(days),
    };

    // Who may create one.
    for (who, scope, ok) in [
        ("ana", t.ana.scope(), true),
        ("mia", t.manager.scope(), true),
        ("admin", Scope::All, true),
        ("ben", t.ben.scope(), false),
        ("cal", t.cal.scope(), false),
    ] {
        let made = s
            .create_confirm_link(&scope, &link(&format!("h-{who}"), a1, step_a.id, 14))
            .await;
        match (made, ok) {
            (Ok(l), true) => {
                assert_eq!(l.deal_id, a1);
                assert_eq!(l.deal_name, "Deal A1");
                assert_eq!(l.step.id, step_a.id);
                assert_eq!(l.answer, None);
            }
            (Err(StoreError::DealNotFound(_)), false) => {}
            (other, _) => panic!("{who} creating a link on A1: {other:?}"),
        }
    }
    // A step of another deal is refused.
    assert!(
        matches!(
            s.create_confirm_link(&Scope::All, &link("h-cross", a1, step_c.id, 14))
                .await,
            Err(StoreError::NotFound { .. })
        ),
        "a link must ask about a step of its own deal"
    );
    assert!(s.confirm_link("h-ben").await.expect("lookup").is_none());
    assert!(s.confirm_link("h-cross").await.expect("lookup").is_none());
    let links = s.confirm_links_for_deal(a1).await.expect("links");
    assert_eq!(links.len(), 3, "{links:?}");
    assert!(links.windows(2).all(|w| w[0].id > w[1].id), "newest first");

    // Yes confirms the step.
    let now = Utc::now();
    let yes = s
        .answer_confirm_link("h-ana", LinkAnswer::Yes, None, now)
        .await
        .expect("yes");
    assert_eq!(yes.answer, Some(LinkAnswer::Yes));
    assert!(yes.answered_at.is_some());
    assert!(yes.step.confirmed_by_prospect);
    let history = s.next_step_history(a1).await.expect("history");
    assert!(history.last().expect("step").confirmed_by_prospect);
    let looked_up = s
        .confirm_link("h-ana")
        .await
        .expect("lookup")
        .expect("link");
    assert_eq!(looked_up.answer, Some(LinkAnswer::Yes));

    // Not quite, with a correction, clears it and keeps the correction.
    let nq = s
        .answer_confirm_link(
            "h-mia",
            LinkAnswer::NotQuite,
            Some("  Demo is on Friday, not Thursday  "),
            now,
        )
        .await
        .expect("not quite");
    assert_eq!(nq.answer, Some(LinkAnswer::NotQuite));
    assert_eq!(
        nq.correction.as_deref(),
        Some("Demo is on Friday, not Thursday")
    );
    assert!(!nq.step.confirmed_by_prospect);
    let history = s.next_step_history(a1).await.expect("history");
    assert!(!history.last().expect("step").confirmed_by_prospect);
    assert_eq!(
        s.confirm_link("h-mia")
            .await
            .expect("lookup")
            .expect("link")
            .correction
            .as_deref(),
        Some("Demo is on Friday, not Thursday")
    );

    // Expired: refused, and nothing changes.
    s.create_confirm_link(&Scope::All, &link("h-old", a1, step_a.id, -1))
        .await
        .expect("an expired link can be stored");
    match s
        .answer_confirm_link("h-old", LinkAnswer::Yes, None, Utc::now())
        .await
    {
        Err(StoreError::LinkExpired(_)) => {}
        other => panic!("answering an expired link: {other:?}"),
    }
    let old = s
        .confirm_link("h-old")
        .await
        .expect("lookup")
        .expect("link");
    assert_eq!(old.answer, None);
    assert!(
        !old.step.confirmed_by_prospect,
        "an expired yes changed the step"
    );
    // Unknown token.
    assert!(matches!(
        s.answer_confirm_link("h-none", LinkAnswer::Yes, None, now)
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Uploads: queued → running → queued (retry) → failed; and queued → running → done,
/// with a second finish still making exactly one call.
async fn story_uploads<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    let a1 = t.deal("A1");
    let b1 = t.deal("B1");

    let mut new = upload(a1, "call-2026-04-14.txt");
    new.user_id = Some(t.ana.id);
    let stored = s.create_upload(&t.ana.scope(), &new).await.expect("create");
    assert!(!stored.replayed);
    let u = stored.upload;
    assert_eq!(u.status, UploadStatus::Queued);
    assert_eq!(u.attempts, 0);
    assert_eq!(u.error, None);
    assert_eq!(u.call_id, None);
    assert_eq!(u.deal_id, a1);
    assert_eq!(u.user_id, Some(t.ana.id));
    assert_eq!(u.file_name, "call-2026-04-14.txt");
    assert_eq!(u.call_date, Some(date("2026-04-14")));
    assert_eq!(
        u.job_id.as_deref(),
        Some(new.job_id.as_str()),
        "the job id is stored with it"
    );
    let found = s.find_upload(&Scope::All, u.id).await.expect("find");
    assert_eq!(found.content, new.content, "the bytes are kept");

    // A failing analysis: retried, then failed for good.
    let started = s.start_upload(u.id).await.expect("start");
    assert_eq!(
        (started.status, started.attempts),
        (UploadStatus::Running, 1)
    );
    assert_eq!(started.content, new.content, "a worker gets the bytes");
    s.fail_upload(u.id, "cannot parse", false)
        .await
        .expect("fail 1");
    let retry = s.find_upload(&Scope::All, u.id).await.expect("find");
    assert_eq!(retry.status, UploadStatus::Queued);
    assert_eq!(retry.error.as_deref(), Some("cannot parse"));
    assert_eq!(retry.attempts, 1);
    let again = s.start_upload(u.id).await.expect("start 2");
    assert_eq!((again.status, again.attempts), (UploadStatus::Running, 2));
    s.fail_upload(u.id, "still cannot parse", true)
        .await
        .expect("fail last");
    let failed = s.find_upload(&Scope::All, u.id).await.expect("find");
    assert_eq!(failed.status, UploadStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("still cannot parse"));
    assert_eq!(failed.call_id, None);
    assert!(s.calls_for_deal(a1).await.expect("calls").is_empty());

    // A good one: done, with its call (and step), once.
    let v = s
        .create_upload(&t.manager.scope(), &upload(b1, "good.txt"))
        .await
        .expect("create")
        .upload;
    let started = s.start_upload(v.id).await.expect("start");
    assert_eq!(
        (started.status, started.attempts),
        (UploadStatus::Running, 1)
    );
    let made = s
        .finish_upload(
            v.id,
            &call("2026-04-15", "Ben Rep"),
            Some(&step("Send the proposal", DefinedBy::Prospect)),
        )
        .await
        .expect("finish");
    assert_eq!(made.deal_id, b1);
    let done = s.find_upload(&t.ben.scope(), v.id).await.expect("find");
    assert_eq!(done.status, UploadStatus::Done);
    assert_eq!(done.call_id, Some(made.id));
    assert_eq!(done.error, None);
    let steps = s.next_step_history(b1).await.expect("steps");
    assert_eq!(steps.len(), 1);
    assert_eq!(
        steps[0].call_id,
        Some(made.id),
        "the step points at its call"
    );
    assert_eq!(steps[0].status, StepStatus::Open);

    // The job runs again (a retry after a crash): nothing new.
    let twice = s
        .finish_upload(
            v.id,
            &call("2026-04-15", "Ben Rep"),
            Some(&step("Send the proposal", DefinedBy::Prospect)),
        )
        .await
        .expect("finish twice");
    assert_eq!(twice.id, made.id, "a second finish returns the first call");
    assert_eq!(s.calls_for_deal(b1).await.expect("calls").len(), 1);
    assert_eq!(s.next_step_history(b1).await.expect("steps").len(), 1);
    let restarted = s.start_upload(v.id).await.expect("start done");
    assert_eq!(
        (restarted.status, restarted.attempts),
        (UploadStatus::Done, 1),
        "starting a done upload leaves it alone"
    );
    s.fail_upload(v.id, "late failure", true)
        .await
        .expect("fail done");
    let still = s.find_upload(&Scope::All, v.id).await.expect("find");
    assert_eq!(
        (still.status, still.error),
        (UploadStatus::Done, None),
        "a late failure cannot undo a done upload"
    );

    // Listings: newest first, no bytes, scoped.
    let listed = s.list_uploads(&Scope::All, 10).await.expect("list");
    assert_eq!(
        listed.iter().map(|u| u.id).collect::<Vec<_>>(),
        [v.id, u.id]
    );
    assert_eq!(
        s.list_uploads(&Scope::All, 1).await.expect("limit").len(),
        1
    );
    assert_eq!(
        s.list_uploads(&t.cal.scope(), 10).await.expect("cal").len(),
        0
    );
    assert!(matches!(
        s.start_upload(999_999).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// The outbox: a stored upload waits to be enqueued until marked; the sweep finds those
/// older than its cut-off, oldest first; one without a job id (stored before job ids were
/// chosen up front) gets one once; uploads that are done or marked are not pending.
async fn story_upload_outbox<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    let a1 = t.deal("A1");
    let first = s
        .create_upload(&Scope::All, &upload(a1, "one.txt"))
        .await
        .expect("one")
        .upload;
    let second = s
        .create_upload(&Scope::All, &upload(a1, "two.txt"))
        .await
        .expect("two")
        .upload;
    let cut = Utc::now() + Duration::seconds(1);
    let pending = s.pending_uploads(cut, 10).await.expect("pending");
    assert_eq!(
        pending,
        [
            (first.id, first.job_id.clone()),
            (second.id, second.job_id.clone())
        ]
    );
    assert!(
        s.pending_uploads(first.created_at, 10)
            .await
            .expect("none")
            .is_empty(),
        "uploads younger than the cut-off wait for the request that stored them"
    );
    assert_eq!(s.pending_uploads(cut, 1).await.expect("limit").len(), 1);
    s.mark_upload_enqueued(first.id).await.expect("mark");
    s.mark_upload_enqueued(first.id)
        .await
        .expect("marking twice is fine");
    assert_eq!(
        s.pending_uploads(cut, 10).await.expect("pending"),
        [(second.id, second.job_id.clone())]
    );
    // Done without ever being marked (the job ran, the marker died): not pending.
    s.start_upload(second.id).await.expect("start");
    s.finish_upload(second.id, &call("2026-04-14", "Ana Rep"), None)
        .await
        .expect("finish");
    assert!(
        s.pending_uploads(cut, 10)
            .await
            .expect("pending")
            .is_empty()
    );
    // A job id is assigned once; a second assignment returns the first.
    let job = s
        .assign_upload_job(first.id, "other")
        .await
        .expect("assign");
    assert_eq!(Some(job), first.job_id, "an upload keeps its job id");
    assert!(matches!(
        s.assign_upload_job(999_999, "x").await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Idempotency keys: the same user repeating a request with the same key gets the first
/// upload back and nothing new is stored; a different request under the key is refused;
/// keys of different users are independent.
async fn story_upload_idempotency<S: Store + TeamStore + Sync>(s: &S) {
    let t = team(s).await;
    let a1 = t.deal("A1");
    let keyed = |name: &str, key: &str, user: &User| {
        let mut u = upload(a1, name);
        u.user_id = Some(user.id);
        u.idempotency_key = Some(key.to_string());
        u
    };
    let first = s
        .create_upload(&Scope::All, &keyed("call.txt", "k-1", &t.ana))
        .await
        .expect("first");
    assert!(!first.replayed);
    // A retry: another job id (the client's retry is a new request), same everything else.
    let retry = s
        .create_upload(&Scope::All, &keyed("call.txt", "k-1", &t.ana))
        .await
        .expect("retry");
    assert!(retry.replayed);
    assert_eq!(retry.upload.id, first.upload.id);
    assert_eq!(retry.upload.job_id, first.upload.job_id, "the first job id");
    assert!(retry.upload.content.is_empty(), "no bytes in the answer");
    // Ten at once: still one upload.
    let same = keyed("burst.txt", "k-2", &t.ana);
    let burst = (0..10).map(|_| s.create_upload(&Scope::All, &same));
    let burst = futures::future::join_all(burst).await;
    let ids: std::collections::BTreeSet<i64> = burst
        .iter()
        .map(|r| r.as_ref().expect("burst upload").upload.id)
        .collect();
    assert_eq!(ids.len(), 1, "{burst:?}");
    assert_eq!(
        burst
            .iter()
            .filter(|r| !r.as_ref().unwrap().replayed)
            .count(),
        1
    );
    // The same key for a different request.
    match s
        .create_upload(&Scope::All, &keyed("other.txt", "k-1", &t.ana))
        .await
    {
        Err(StoreError::IdempotencyKeyReused(k)) => assert_eq!(k, "k-1"),
        other => panic!("a reused key with another file: {other:?}"),
    }
    // Another user's key space.
    let ben = s
        .create_upload(&Scope::All, &keyed("call.txt", "k-1", &t.ben))
        .await
        .expect("ben");
    assert!(!ben.replayed);
    assert_ne!(ben.upload.id, first.upload.id);
    let uploads = s.list_uploads(&Scope::All, 100).await.expect("list");
    assert_eq!(uploads.len(), 3, "{uploads:?}");
}

/// A link whose step was superseded or closed takes no answer and changes nothing.
async fn story_superseded_links<S: Store + TeamStore>(s: &S) {
    let t = team(s).await;
    let a1 = t.deal("A1");
    let old = s
        .set_next_step(a1, &step("Demo on Thursday", DefinedBy::Seller))
        .await
        .expect("step");
    for hash in ["h-stale", "h-closed"] {
        s.create_confirm_link(
            &Scope::All,
            &NewConfirmLink {
                token_hash: hash.to_string(),
                deal_id: a1,
                step_id: old.id,
                created_by: None,
                expires_at: Utc::now() + Duration::days(14),
            },
        )
        .await
        .expect("link");
    }
    let newer = s
        .set_next_step(a1, &step("Pricing call on Monday", DefinedBy::Prospect))
        .await
        .expect("newer step");
    let link = s
        .confirm_link("h-stale")
        .await
        .expect("lookup")
        .expect("link");
    assert_eq!(link.step.status, StepStatus::Superseded);
    match s
        .answer_confirm_link("h-stale", LinkAnswer::Yes, None, Utc::now())
        .await
    {
        Err(StoreError::LinkSuperseded) => {}
        other => panic!("answering a superseded step's link: {other:?}"),
    }
    let history = s.next_step_history(a1).await.expect("history");
    assert!(
        history.iter().all(|s| !s.confirmed_by_prospect),
        "{history:?}"
    );
    assert_eq!(
        s.confirm_link("h-stale")
            .await
            .expect("lookup")
            .expect("link")
            .answer,
        None
    );
    // A link to the open step works; once that step is closed, it does not.
    s.create_confirm_link(
        &Scope::All,
        &NewConfirmLink {
            token_hash: "h-open".into(),
            deal_id: a1,
            step_id: newer.id,
            created_by: None,
            expires_at: Utc::now() + Duration::days(14),
        },
    )
    .await
    .expect("link");
    s.close_next_step(a1, StepStatus::Done)
        .await
        .expect("close");
    assert!(matches!(
        s.answer_confirm_link("h-open", LinkAnswer::Yes, None, Utc::now())
            .await,
        Err(StoreError::LinkSuperseded)
    ));
}

nextstep_synth::stories!(
    "team";
    story_users,
    story_login_lookup,
    story_sessions,
    story_api_tokens,
    story_login_lockout,
    story_server_keys,
    story_scope_visibility,
    story_confirm_links,
    story_superseded_links,
    story_uploads,
    story_upload_outbox,
    story_upload_idempotency,
);
