//! The server against hostile and unlucky clients, in-process, on SQLite and PostgreSQL:
//! logins (forged form tokens, the lockout under parallel guessing, the per-address
//! limit), uploads retried with an `Idempotency-Key`, uploads whose job was never pushed,
//! API tokens that expire and are revoked, confirmation links of superseded steps and
//! links built from a forged `Host`, and text fields past their limits.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Method, StatusCode};
use chrono::Utc;
use nextstep_core::secrets::digest;
use nextstep_core::{
    DefinedBy, NewApiToken, NewNextStep, NewUpload, Scope, StepSource, Store, TeamStore,
};
use nextstep_server::MAX_LOGIN_ATTEMPTS;
use nextstep_server::ServerConfig;
use serde_json::{Value, json};
use support::{Fixture, Req, Resp, Who};

#[track_caller]
fn assert_code(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}: {}", r.what, r.text());
    let body: Value = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", r.what, r.text()));
    assert_eq!(body["error"]["code"], code, "{}: {body}", r.what);
}

// ---------------------------------------------------------------- logins

/// A login form's token and its cookie, as a browser holds them after `GET /login`.
async fn login_form(app: &axum::Router) -> (String, String) {
    let r = Req::new(Method::GET, "/login").send(app).await;
    r.expect(200);
    let html = r.text();
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a csrf field on the login form")
        + "name=\"csrf\" value=\"".len();
    let token = html[at..].split('"').next().unwrap().to_string();
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("nextstep_login_csrf="))
        .expect("the login cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    (token, cookie)
}

fn login_post(email: &str, password: &str, token: &str, cookie: &str) -> Req {
    let form = format!(
        "email={}&password={}&csrf={}",
        email.replace('@', "%40"),
        password.replace(' ', "+"),
        token
    );
    Req::new(Method::POST, "/login")
        .header("cookie", cookie)
        .body(form, "application/x-www-form-urlencoded")
}

async fn forged_login_tokens_are_refused(fx: &Fixture) {
    // A made-up pair that matches itself: the old check let it through.
    let forged = "0123456789abcdef0123456789abcdef";
    let r = fx
        .send(login_post(
            "ana@example.test",
            support::PASSWORD,
            forged,
            &format!("nextstep_login_csrf={forged}"),
        ))
        .await;
    r.expect(403);
    // A real token whose cookie is missing, and a real pair: refused, accepted.
    let (token, cookie) = login_form(&fx.app).await;
    let r = fx
        .send(login_post(
            "ana@example.test",
            support::PASSWORD,
            &token,
            "other=1",
        ))
        .await;
    r.expect(403);
    let r = fx
        .send(login_post(
            "ana@example.test",
            support::PASSWORD,
            &token,
            &cookie,
        ))
        .await;
    r.expect(303);
}

async fn parallel_guesses_cannot_pass_the_lockout(fx: &Fixture) {
    let (token, cookie) = login_form(&fx.app).await;
    // Twenty wrong passwords at once: at most five are ever checked.
    let guesses = (0..20).map(|i| {
        let app = fx.app.clone();
        let req = login_post("ana@example.test", &format!("guess {i}"), &token, &cookie);
        tokio::spawn(async move { req.send(&app).await.status.as_u16() })
    });
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= MAX_LOGIN_ATTEMPTS as usize,
        "{checked} of 20 parallel guesses had their password checked: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429 | 503)),
        "{statuses:?}"
    );
    // Now even the right password is refused until the window ends.
    let r = fx
        .send(login_post(
            "ana@example.test",
            support::PASSWORD,
            &token,
            &cookie,
        ))
        .await;
    r.expect(429);
    assert!(r.headers.contains_key("retry-after"));
    // Another account is not affected.
    let r = fx
        .send(login_post(
            "ben@example.test",
            support::PASSWORD,
            &token,
            &cookie,
        ))
        .await;
    r.expect(303);
}

async fn one_address_cannot_keep_guessing(fx: &Fixture) {
    let addr: SocketAddr = "127.0.0.7:40000".parse().unwrap();
    let app = fx.app.clone().layer(MockConnectInfo(addr));
    let (token, cookie) = login_form(&app).await;
    let mut statuses = Vec::new();
    for i in 0..nextstep_server::ADDRESS_BURST + 2 {
        // A different account each time: only the address ties them together.
        let email = format!("nobody{i}@example.test");
        let r = login_post(&email, "guess", &token, &cookie)
            .send(&app)
            .await;
        statuses.push(r.status.as_u16());
    }
    let burst = nextstep_server::ADDRESS_BURST as usize;
    assert!(statuses[..burst].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(&statuses[burst..], [429, 429], "{statuses:?}");
    // Another address is not limited by this one.
    let other = fx.app.clone().layer(MockConnectInfo(
        "127.0.0.8:40000".parse::<SocketAddr>().unwrap(),
    ));
    let r = login_post("ana@example.test", support::PASSWORD, &token, &cookie)
        .send(&other)
        .await;
    r.expect(303);
}

// ---------------------------------------------------------------- uploads

fn upload_req(fx: &Fixture, key: Option<&str>, body: &str) -> Req {
    let mut req = fx
        .request(
            Who::RepA,
            Method::POST,
            &format!("/api/v1/deals/{}/calls?file_name=retry.txt", fx.a.deal),
        )
        .body(body.to_string(), "text/plain");
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    req
}

async fn retried_uploads_store_one_upload(fx: &Fixture) {
    let body = "Ana Rep: What should happen next?\nBo Buyer: Send me a quote by Friday.\n";
    let first = fx.send(upload_req(fx, Some("upload-0001"), body)).await;
    first.expect(202);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = fx.send(upload_req(fx, Some("upload-0001"), body)).await;
    again.expect(202);
    assert_eq!(again.json()["upload_id"], first.json()["upload_id"]);
    assert_eq!(again.json()["job_id"], first.json()["job_id"]);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // The same key for another transcript is a mistake, not a replay.
    let other = fx
        .send(upload_req(
            fx,
            Some("upload-0001"),
            "Ana Rep: another call\n",
        ))
        .await;
    assert_code(&other, 422, "idempotency_key_reused");
    for bad in ["has space", &"k".repeat(256)] {
        let r = fx.send(upload_req(fx, Some(bad), body)).await;
        assert_code(&r, 400, "bad_request");
    }
    // Without a key, a retry is a second upload (as before).
    let a = fx.send(upload_req(fx, None, body)).await.json();
    let b = fx.send(upload_req(fx, None, body)).await.json();
    assert_ne!(a["upload_id"], b["upload_id"]);
    let keyed = fx
        .db
        .list_uploads(&Scope::All, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.id == first.json()["upload_id"].as_i64().unwrap())
        .count();
    assert_eq!(keyed, 1);
}

async fn uploads_whose_job_was_never_pushed_are_swept(fx: &Fixture) {
    let queue = fx.state.queue();
    // Stored, and the process died before pushing (what `enqueue` does first).
    let lost = fx
        .db
        .create_upload(
            &Scope::All,
            &NewUpload {
                deal_id: fx.b.deal,
                user_id: None,
                file_name: "lost.txt".into(),
                content: b"Ben Rep: Where do we go from here?\n".to_vec(),
                call_date: None,
                job_id: nextstep_server::jobs::Queue::new_job_id(),
                idempotency_key: None,
                sellers: Vec::new(),
            },
        )
        .await
        .unwrap()
        .upload;
    // Stored and pushed, and the process died before marking it.
    let pushed = fx
        .db
        .create_upload(
            &Scope::All,
            &NewUpload {
                deal_id: fx.b.deal,
                user_id: None,
                file_name: "pushed.txt".into(),
                content: b"Ben Rep: Shall we book the demo?\n".to_vec(),
                call_date: None,
                job_id: nextstep_server::jobs::Queue::new_job_id(),
                idempotency_key: None,
                sellers: Vec::new(),
            },
        )
        .await
        .unwrap()
        .upload;
    let pushed_job = pushed.job_id.clone().unwrap();
    queue
        .push_as(
            &pushed_job,
            nextstep_server::jobs::AnalyzeUpload {
                upload_id: pushed.id,
            },
        )
        .await
        .unwrap();
    let lost_job = lost.job_id.clone().unwrap();
    assert!(queue.status(&lost_job).await.unwrap().is_none());
    // Younger than the grace period: the request that stored them may still push.
    tokio::time::sleep(nextstep_server::outbox::SWEEP_GRACE + Duration::from_millis(200)).await;
    // (The fixture's own uploads, stored straight into the store, are swept too.)
    let swept = nextstep_server::outbox::sweep(&fx.state).await.unwrap();
    assert!(swept >= 2, "swept {swept}");
    assert!(
        queue.status(&lost_job).await.unwrap().is_some(),
        "the lost upload's job is in the queue now"
    );
    assert!(
        queue
            .push_as(
                &pushed_job,
                nextstep_server::jobs::AnalyzeUpload {
                    upload_id: pushed.id
                }
            )
            .await
            .is_err(),
        "the pushed upload still has exactly one job"
    );
    assert_eq!(
        nextstep_server::outbox::sweep(&fx.state).await.unwrap(),
        0,
        "nothing is left to sweep"
    );
}

// ---------------------------------------------------------------- tokens

async fn tokens_expire_and_are_revoked(fx: &Fixture) {
    let r = fx
        .send(
            fx.request(Who::RepA, Method::POST, "/api/v1/tokens")
                .json(json!({"name": "laptop", "expires_in_days": 30})),
        )
        .await;
    r.expect(201);
    let created = r.json();
    let token = created["token"].as_str().unwrap().to_string();
    let id = created["id"].as_i64().unwrap();
    assert!(created["expires_at"].is_string(), "{created}");
    let bearer = |t: &str| {
        Req::new(Method::GET, "/api/v1/me").header("authorization", &format!("Bearer {t}"))
    };
    fx.send(bearer(&token)).await.expect(200);

    // Listed without secrets; only one's own (an admin sees all).
    let r = fx
        .send(fx.request(Who::RepA, Method::GET, "/api/v1/tokens"))
        .await;
    r.expect(200);
    let listed = r.text();
    assert!(!listed.contains(&token) && !listed.contains(&digest(&token)));
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&id));
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["email"] == "ana@example.test")
    );
    let all = fx
        .send(fx.request(Who::Admin, Method::GET, "/api/v1/tokens"))
        .await
        .json();
    assert!(all.as_array().unwrap().len() > ids.len());

    // Someone else's token is a 404 to a rep; the owner revokes it; it stops working.
    let r = fx
        .send(fx.request(Who::RepB, Method::DELETE, &format!("/api/v1/tokens/{id}")))
        .await;
    assert_code(&r, 404, "not_found");
    fx.send(bearer(&token)).await.expect(200);
    let r = fx
        .send(fx.request(Who::RepA, Method::DELETE, &format!("/api/v1/tokens/{id}")))
        .await;
    r.expect(204);
    assert_code(&fx.send(bearer(&token)).await, 401, "unauthorized");

    // An expired token opens nothing.
    fx.db
        .create_api_token(&NewApiToken {
            user_id: fx.person(Who::RepA).user.id,
            name: "old".into(),
            token_hash: digest("expired-token"),
            expires_at: Some(Utc::now() - chrono::Duration::minutes(1)),
        })
        .await
        .unwrap();
    assert_code(&fx.send(bearer("expired-token")).await, 401, "unauthorized");

    // Bad requests.
    for body in [
        json!({"name": ""}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "ci", "expires_in_days": 0}),
        json!({"name": "ci", "expires_in_days": 100_000}),
    ] {
        let r = fx
            .send(
                fx.request(Who::RepA, Method::POST, "/api/v1/tokens")
                    .json(body),
            )
            .await;
        assert_code(&r, 400, "bad_request");
    }
}

// ---------------------------------------------------------------- links

async fn open_step(fx: &Fixture, deal: i64, action: &str) {
    fx.db
        .set_next_step(
            deal,
            &NewNextStep {
                action: action.into(),
                kind: "demo".into(),
                owner: "seller".into(),
                due: None,
                defined_by: DefinedBy::Seller,
                confirmed_by_prospect: false,
                source: StepSource::Manual,
                call_id: None,
                evidence: json!([]),
            },
        )
        .await
        .unwrap();
}

async fn links_of_superseded_steps_are_gone(fx: &Fixture) {
    let a2 = fx.deals["A2"];
    open_step(fx, a2, "Demo on Thursday").await;
    let r = fx
        .send(fx.request(
            Who::RepA,
            Method::POST,
            &format!("/api/v1/deals/{a2}/confirm-links"),
        ))
        .await;
    r.expect(201);
    let url = r.json()["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/confirm/").unwrap()..];
    let r = fx.send(Req::new(Method::GET, path)).await;
    r.expect(200);
    // A newer step supersedes the one the link asks about.
    open_step(fx, a2, "Pricing call on Monday").await;
    let r = fx.send(Req::new(Method::GET, path)).await;
    r.expect(410);
    assert!(r.text().contains("confirm-superseded"), "{}", r.text());
    let r = fx
        .send(Req::new(Method::POST, path).body(
            "answer=yes&csrf=whatever",
            "application/x-www-form-urlencoded",
        ))
        .await;
    r.expect(410);
    let history = fx.db.next_step_history(a2).await.unwrap();
    assert!(history.iter().all(|s| !s.confirmed_by_prospect));
}

async fn links_never_come_from_the_host_header(fx: &Fixture) {
    let a2 = fx.deals["A2"];
    open_step(fx, a2, "Security review").await;
    let link = |app: axum::Router| {
        let req = fx
            .request(
                Who::RepA,
                Method::POST,
                &format!("/api/v1/deals/{a2}/confirm-links"),
            )
            .header("host", "evil.example");
        async move { req.send(&app).await }
    };
    // With --public-url: that, whatever the Host says.
    let r = link(fx.app.clone()).await;
    r.expect(201);
    let url = r.json()["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(support::PUBLIC_URL), "{url}");
    assert!(!url.contains("evil"), "{url}");
    // Without it (and not listening on loopback): no link rather than a forged one.
    let r = link(fx.app_with(ServerConfig::default())).await;
    assert_code(&r, 409, "no_public_url");
}

// ---------------------------------------------------------------- text limits

async fn text_fields_have_limits(fx: &Fixture) {
    let a1 = fx.a.deal;
    let step = |body: Value| {
        fx.request(
            Who::RepA,
            Method::POST,
            &format!("/api/v1/deals/{a1}/next-step"),
        )
        .json(body)
    };
    let cases = [
        (
            "a 1,001-character action",
            step(json!({"action": "a".repeat(1001), "defined_by": "seller"})),
        ),
        (
            "an action with a control character",
            step(json!({"action": "Demo\u{0007}", "defined_by": "seller"})),
        ),
        (
            "an unknown owner",
            step(json!({"action": "Demo", "defined_by": "seller", "owner": "nobody"})),
        ),
        (
            "an unknown kind",
            step(json!({"action": "Demo", "defined_by": "seller", "kind": "<b>x</b>"})),
        ),
        (
            "a file name with a line break",
            fx.request(
                Who::RepA,
                Method::POST,
                &format!("/api/v1/deals/{a1}/calls?file_name=a%0Ab.txt"),
            )
            .body("Ana Rep: hi", "text/plain"),
        ),
        (
            "a 256-character file name",
            fx.request(
                Who::RepA,
                Method::POST,
                &format!("/api/v1/deals/{a1}/calls?file_name={}", "f".repeat(256)),
            )
            .body("Ana Rep: hi", "text/plain"),
        ),
        (
            "a 201-character owner filter",
            fx.request(
                Who::RepA,
                Method::GET,
                &format!("/api/v1/pipeline?owner={}", "o".repeat(201)),
            ),
        ),
    ];
    for (what, req) in cases {
        let r = fx.send(req).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.text());
        assert_code(&r, 400, "bad_request");
    }
    // At the limit, typed values: fine.
    let r = fx
        .send(step(json!({
            "action": "a".repeat(1000), "defined_by": "seller", "owner": "both", "kind": "follow_up"
        })))
        .await;
    r.expect(201);
    assert_eq!(r.json()["owner"], "both");
    assert_eq!(r.json()["kind"], "follow_up");
}

both! {
    forged_login_tokens_are_refused => super::forged_login_tokens_are_refused,
    parallel_guesses_cannot_pass_the_lockout => super::parallel_guesses_cannot_pass_the_lockout,
    one_address_cannot_keep_guessing => super::one_address_cannot_keep_guessing,
    retried_uploads_store_one_upload => super::retried_uploads_store_one_upload,
    uploads_whose_job_was_never_pushed_are_swept => super::uploads_whose_job_was_never_pushed_are_swept,
    tokens_expire_and_are_revoked => super::tokens_expire_and_are_revoked,
    links_of_superseded_steps_are_gone => super::links_of_superseded_steps_are_gone,
    links_never_come_from_the_host_header => super::links_never_come_from_the_host_header,
    text_fields_have_limits => super::text_fields_have_limits,
}
