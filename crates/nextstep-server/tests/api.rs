//! The JSON API end to end, on SQLite and PostgreSQL: health, the OpenAPI document, the
//! error shape, every route with a bearer token, the upload → queue → worker → call
//! path (success and a transcript that cannot be read), cookie callers and CSRF, and
//! that transcript text never comes back as HTML.

mod support;

use std::time::{Duration, Instant};

use axum::http::Method;
use nextstep_core::secrets::digest;
use nextstep_core::{NewSession, Store, TeamStore};
use nextstep_server::SESSION_COOKIE;
use serde_json::{Value, json};
use support::{Fixture, Who};

/// How long an upload may take to reach `done` or `failed` (retries included).
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(20);

/// The external ids in a list of deals (or of pipeline rows), sorted.
fn ext_ids(items: &Value, pointer: &str) -> Vec<String> {
    let mut ids: Vec<String> = items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .map(|d| {
            d.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("no {pointer} in {d}"))
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

fn is_error_shape(body: &Value, code: &str) -> bool {
    body.pointer("/error/code").and_then(Value::as_str) == Some(code)
        && body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty())
        && body.as_object().is_some_and(|o| o.len() == 1)
}

// ---------------------------------------------------------------- basics

async fn health_and_openapi(fx: &Fixture) {
    let r = fx
        .send(fx.request(Who::Anon, Method::GET, "/healthz"))
        .await;
    r.expect(200);
    assert_eq!(r.text().trim(), "ok");

    let r = fx
        .send(fx.request(Who::Anon, Method::GET, "/api/v1/openapi.json"))
        .await;
    r.expect(200);
    assert!(
        r.content_type().starts_with("application/json"),
        "{}",
        r.content_type()
    );
    let doc = r.json();
    let paths = doc["paths"].as_object().expect("paths object");
    for p in [
        "/api/v1/deals",
        "/api/v1/deals/{id}",
        "/api/v1/deals/{id}/calls",
        "/api/v1/uploads/{id}",
        "/api/v1/calls/{id}",
        "/api/v1/pipeline",
        "/api/v1/import/deals",
    ] {
        assert!(
            paths.contains_key(p),
            "openapi.json lacks {p}: {:?}",
            paths.keys()
        );
    }
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with('3')));
    // Security headers on every response.
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert!(
        r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
}

async fn unauthenticated_is_401_in_the_error_shape(fx: &Fixture) {
    let cases = [
        ("no credentials", None),
        ("unknown token", Some("Bearer 0123456789abcdef".to_string())),
        ("not a bearer token", Some("Basic YWxpY2U6cHc=".to_string())),
        ("empty bearer", Some("Bearer ".to_string())),
    ];
    for (what, auth) in cases {
        let mut req = support::Req::new(Method::GET, "/api/v1/deals");
        if let Some(a) = &auth {
            req = req.header("authorization", a);
        }
        let r = fx.send(req).await;
        assert_eq!(r.status.as_u16(), 401, "{what}: {}", r.text());
        assert!(r.content_type().starts_with("application/json"), "{what}");
        let body = r.json();
        assert!(is_error_shape(&body, "unauthorized"), "{what}: {body}");
    }
    // A cookie for no session, and an expired session.
    let old = "expired-session-secret";
    fx.db
        .create_session(&NewSession {
            id_hash: digest(old),
            user_id: fx.person(Who::RepA).user.id,
            csrf: "c".into(),
            expires_at: chrono::Utc::now() - chrono::Duration::minutes(1),
        })
        .await
        .expect("session");
    for cookie in ["not-a-session", old] {
        let r = fx
            .send(
                support::Req::new(Method::GET, "/api/v1/deals")
                    .header("cookie", &format!("{SESSION_COOKIE}={cookie}")),
            )
            .await;
        r.expect(401);
        assert!(is_error_shape(&r.json(), "unauthorized"));
    }
    // Unknown API routes are JSON 404s too.
    let r = fx
        .send(fx.request(Who::Admin, Method::GET, "/api/v1/nope"))
        .await;
    r.expect(404);
    assert!(is_error_shape(&r.json(), "not_found"), "{}", r.text());
}

// ---------------------------------------------------------------- reads

async fn reads_with_a_token(fx: &Fixture) {
    // /me
    let r = fx
        .send(fx.request(Who::RepA, Method::GET, "/api/v1/me"))
        .await;
    r.expect(200);
    let me = r.json();
    assert_eq!(me["user"]["email"], "ana@example.test");
    assert_eq!(me["user"]["role"], "rep");

    // Deal lists per role.
    let lists = [
        (Who::RepA, vec!["A1", "A2"]),
        (Who::RepB, vec!["B1"]),
        (Who::RepC, vec!["C1", "C2"]),
        (Who::Manager, vec!["A1", "A2", "B1", "M1"]),
        (Who::Admin, vec!["A1", "A2", "B1", "C1", "C2", "M1"]),
    ];
    for (who, expected) in lists {
        let r = fx.send(fx.request(who, Method::GET, "/api/v1/deals")).await;
        r.expect(200);
        assert_eq!(ext_ids(&r.json(), "/external_id"), expected, "{who:?}");
    }
    let r = fx
        .send(fx.request(
            Who::Manager,
            Method::GET,
            "/api/v1/deals?owner=Ana%20Rep&open=true",
        ))
        .await;
    r.expect(200);
    assert_eq!(ext_ids(&r.json(), "/external_id"), ["A1", "A2"]);
    let r = fx
        .send(fx.request(Who::Manager, Method::GET, "/api/v1/deals?owner=Cal%20Rep"))
        .await;
    r.expect(200);
    assert_eq!(
        r.json(),
        json!([]),
        "an owner filter never widens the scope"
    );

    // One deal, by id and by external id.
    for key in [fx.a.deal.to_string(), "A1".to_string()] {
        let r = fx
            .send(fx.request(Who::RepA, Method::GET, &format!("/api/v1/deals/{key}")))
            .await;
        r.expect(200);
        let d = r.json();
        assert_eq!(d["deal"]["id"], fx.a.deal);
        assert_eq!(d["deal"]["name"], "Deal A1");
        assert_eq!(d["calls"][0]["id"], fx.a.call, "{d}");
        assert_eq!(d["calls"][0]["date"], "2026-04-14");
        assert!(
            d["calls"][0].get("transcript").is_none(),
            "the deal lists calls without text"
        );
        // The call's step (prospect-defined demo) is the deal's step.
        let steps = d["next_steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 1, "{d}");
        assert_eq!(steps[0]["defined_by"], "prospect");
        assert_eq!(steps[0]["call_id"], fx.a.call);
        assert!(d["stage_history"].as_array().is_some_and(|h| !h.is_empty()));
        assert_eq!(d["confirm_links"], json!([]));
    }
    let r = fx
        .send(fx.request(Who::RepA, Method::GET, "/api/v1/deals/no-such-deal"))
        .await;
    r.expect(404);
    assert!(is_error_shape(&r.json(), "not_found"));

    // One call, with its transcript and analysis.
    let r = fx
        .send(fx.request(
            Who::RepA,
            Method::GET,
            &format!("/api/v1/calls/{}", fx.a.call),
        ))
        .await;
    r.expect(200);
    let call = r.json();
    assert_eq!(call["deal_id"], fx.a.deal);
    assert_eq!(call["format"], "webvtt");
    assert!(
        call["transcript"]
            .as_str()
            .unwrap()
            .contains("Daniel Brooks")
    );
    assert_eq!(
        call["analysis"]["next_step"]["defined_by"], "prospect",
        "{call}"
    );
    assert_eq!(call["analysis"]["asked_next_step"], true);

    // Uploads.
    let r = fx
        .send(fx.request(Who::Manager, Method::GET, "/api/v1/uploads"))
        .await;
    r.expect(200);
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        [fx.b.upload, fx.a.upload],
        "newest first, the manager's team only"
    );
    let r = fx
        .send(fx.request(
            Who::RepC,
            Method::GET,
            &format!("/api/v1/uploads/{}", fx.c.upload),
        ))
        .await;
    r.expect(200);
    let u = r.json();
    assert_eq!(u["status"], "queued");
    assert_eq!(u["deal_id"], fx.c.deal);
    assert!(
        u.get("content").is_none(),
        "an upload's bytes are never served: {u}"
    );
}

async fn pipeline_coach_forecast(fx: &Fixture) {
    let r = fx
        .send(fx.request(Who::Manager, Method::GET, "/api/v1/pipeline"))
        .await;
    r.expect(200);
    let report = r.json();
    assert_eq!(
        ext_ids(&report["rows"], "/deal/external_id"),
        ["A1", "A2", "B1", "M1"],
        "{report}"
    );
    assert!(report["summary"].is_object());

    let r = fx
        .send(fx.request(
            Who::Manager,
            Method::GET,
            "/api/v1/pipeline?owner=Ben%20Rep",
        ))
        .await;
    r.expect(200);
    assert_eq!(ext_ids(&r.json()["rows"], "/deal/external_id"), ["B1"]);

    // Only A2 and M1 have no step (A1 and B1 got theirs from their calls).
    for flag in ["NO_NEXT_STEP", "no_next_step"] {
        let r = fx
            .send(fx.request(
                Who::Manager,
                Method::GET,
                &format!("/api/v1/pipeline?flag={flag}"),
            ))
            .await;
        r.expect(200);
        let rows = &r.json()["rows"];
        assert_eq!(
            ext_ids(rows, "/deal/external_id"),
            ["A2", "M1"],
            "flag={flag}"
        );
        assert!(rows.as_array().unwrap().iter().all(|row| {
            row["flags"]
                .as_array()
                .unwrap()
                .contains(&json!("NO_NEXT_STEP"))
        }));
    }
    let r = fx
        .send(fx.request(Who::Manager, Method::GET, "/api/v1/pipeline?flag=SHINY"))
        .await;
    r.expect(400);
    let body = r.json();
    assert!(is_error_shape(&body, "bad_request"), "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("flag") && msg.contains("NO_NEXT_STEP"),
        "{msg}"
    );

    for route in ["/api/v1/coach", "/api/v1/forecast"] {
        for who in [Who::RepA, Who::Manager, Who::Admin] {
            let r = fx.send(fx.request(who, Method::GET, route)).await;
            r.expect(200);
            assert!(r.content_type().starts_with("application/json"));
            assert!(r.json().is_object(), "{route} as {who:?}");
            if route.ends_with("forecast") {
                // The model (or its refusal) was fitted off the request path and stored;
                // the report says when, and on which data version.
                let model = &r.json()["model"];
                assert!(model["fitted_at"].is_string(), "{model}");
                assert!(model["data_version"].is_i64(), "{model}");
            }
        }
    }

    // The forecast pages its deals; the totals and the count stay the whole report's.
    let whole = fx
        .send(fx.request(Who::Admin, Method::GET, "/api/v1/forecast"))
        .await
        .json();
    let total = whole["total_deals"].as_u64().unwrap() as usize;
    assert!(total >= 2, "{whole}");
    assert_eq!(whole["deals"].as_array().unwrap().len(), total.min(100));
    let r = fx
        .send(fx.request(Who::Admin, Method::GET, "/api/v1/forecast?offset=1&limit=1"))
        .await;
    r.expect(200);
    let page = r.json();
    assert_eq!(page["deals"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["deals"][0], whole["deals"][1]);
    assert_eq!(page["totals"], whole["totals"]);
    assert_eq!(page["total_deals"], whole["total_deals"]);
    let past_end = format!("/api/v1/forecast?offset={}", total + 5);
    let r = fx
        .send(fx.request(Who::Admin, Method::GET, &past_end))
        .await;
    r.expect(200);
    assert!(r.json()["deals"].as_array().unwrap().is_empty());
    let r = fx
        .send(fx.request(Who::Admin, Method::GET, "/api/v1/forecast?limit=many"))
        .await;
    r.expect(400);
    assert!(is_error_shape(&r.json(), "bad_request"), "{}", r.json());
}

// ---------------------------------------------------------------- writes

async fn next_steps_and_confirm_links(fx: &Fixture) {
    let a2 = format!("/api/v1/deals/{}", fx.deals["A2"]);
    // No open step yet: closing or linking is a conflict.
    let r = fx
        .send(
            fx.request(Who::RepA, Method::POST, &format!("{a2}/next-step/close"))
                .json(json!({"status": "done"})),
        )
        .await;
    r.expect(409);
    assert!(is_error_shape(&r.json(), "no_open_step"), "{}", r.text());
    let r = fx
        .send(fx.request(Who::RepA, Method::POST, &format!("{a2}/confirm-links")))
        .await;
    r.expect(409);

    // Set one.
    let r = fx
        .send(
            fx.request(Who::RepA, Method::POST, &format!("{a2}/next-step"))
                .json(json!({
                    "action": "  Security review with IT  ",
                    "defined_by": "prospect",
                    "due": "2026-05-05",
                    "kind": "meeting"
                })),
        )
        .await;
    r.expect(201);
    let step = r.json();
    assert_eq!(step["action"], "Security review with IT");
    assert_eq!(step["defined_by"], "prospect");
    assert_eq!(step["source"], "manual");
    assert_eq!(step["status"], "open");
    assert_eq!(step["due"], "2026-05-05");
    assert_eq!(step["owner"], "seller", "the default owner");
    assert_eq!(step["deal_id"], fx.deals["A2"]);
    let first_id = step["id"].as_i64().unwrap();

    // A blank action is refused, naming the field.
    let r = fx
        .send(
            fx.request(Who::RepA, Method::POST, &format!("{a2}/next-step"))
                .json(json!({"action": "   ", "defined_by": "seller"})),
        )
        .await;
    r.expect(400);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("action")
    );

    // A confirmation link for it.
    let r = fx
        .send(fx.request(Who::RepA, Method::POST, &format!("{a2}/confirm-links")))
        .await;
    r.expect(201);
    let link = r.json();
    let url = link["url"].as_str().expect("url");
    let token = url
        .split_once("/confirm/")
        .unwrap_or_else(|| panic!("no /confirm/ in {url}"))
        .1;
    assert!(
        url.starts_with(&format!("{}/confirm/", support::PUBLIC_URL)),
        "the link is built from --public-url, not the request's Host: {url}"
    );
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "the token must be 32 hex digits: {token:?}"
    );
    assert_eq!(link["step_id"], first_id);
    let stored = fx
        .db
        .confirm_link(&digest(token))
        .await
        .expect("lookup")
        .expect("the URL's token opens the stored link");
    assert_eq!(stored.step.id, first_id);
    let r = fx.send(fx.request(Who::RepA, Method::GET, &a2)).await;
    assert_eq!(r.json()["confirm_links"].as_array().unwrap().len(), 1);

    // Close it; a second close is a conflict.
    let r = fx
        .send(
            fx.request(Who::Manager, Method::POST, &format!("{a2}/next-step/close"))
                .json(json!({"status": "done"})),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["status"], "done");
    assert_eq!(r.json()["id"], first_id);
    let r = fx
        .send(
            fx.request(Who::RepA, Method::POST, &format!("{a2}/next-step/close"))
                .json(json!({"status": "missed"})),
        )
        .await;
    r.expect(409);
}

async fn malformed_input_uses_the_error_shape(fx: &Fixture) {
    let a1 = format!("/api/v1/deals/{}", fx.a.deal);
    let cases = [
        (
            "next step: unknown defined_by",
            fx.request(Who::RepA, Method::POST, &format!("{a1}/next-step"))
                .json(json!({"action": "x", "defined_by": "nobody"})),
        ),
        (
            "next step: not JSON",
            fx.request(Who::RepA, Method::POST, &format!("{a1}/next-step"))
                .body("action=x", "application/json"),
        ),
        (
            "close: unknown status",
            fx.request(Who::RepA, Method::POST, &format!("{a1}/next-step/close"))
                .json(json!({"status": "maybe"})),
        ),
        (
            "close: as open (not a closing status)",
            fx.request(Who::RepA, Method::POST, &format!("{a1}/next-step/close"))
                .json(json!({"status": "open"})),
        ),
        (
            "close: as superseded (not a closing status)",
            fx.request(Who::RepA, Method::POST, &format!("{a1}/next-step/close"))
                .json(json!({"status": "superseded"})),
        ),
        (
            "upload: bad date",
            fx.request(Who::RepA, Method::POST, &format!("{a1}/calls?date=someday"))
                .body("Ana: hi", "text/plain"),
        ),
        (
            "upload: empty body",
            fx.request(Who::RepA, Method::POST, &format!("{a1}/calls"))
                .body("", "text/plain"),
        ),
    ];
    let mut failures = Vec::new();
    for (what, req) in cases {
        let r = fx.send(req).await;
        let shaped = serde_json::from_slice::<Value>(&r.body)
            .ok()
            .filter(|b| is_error_shape(b, "bad_request"));
        if r.status.as_u16() != 400 || shaped.is_none() {
            failures.push(format!(
                "{what}: {} {} {:?}",
                r.status,
                r.content_type(),
                r.text()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "malformed input must answer 400 {{\"error\":{{\"code\":\"bad_request\",…}}}}:\n{}",
        failures.join("\n")
    );
}

async fn import_csv_as_admin(fx: &Fixture) {
    let csv = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n\
               NEW-1,Cal Rep,GTX Pro,Hooli,Engaging,2026-02-01,,\n\
               NEW-2,Ben Rep,GTX Pro,Hooli,Won,2026-02-01,2026-03-01,1200\n";
    let r = fx
        .send(
            fx.request(Who::Admin, Method::POST, "/api/v1/import/deals")
                .body(csv, "text/csv"),
        )
        .await;
    r.expect(200);
    let body = r.json();
    assert_eq!(body["preset"], "maven", "{body}");
    assert_eq!(body["imported"], 2);
    assert_eq!(body["rejected"], json!([]));
    let r = fx
        .send(fx.request(Who::RepC, Method::GET, "/api/v1/deals/NEW-1"))
        .await;
    r.expect(200);
    let r = fx
        .send(
            fx.request(Who::Manager, Method::POST, "/api/v1/import/deals")
                .body(csv, "text/csv"),
        )
        .await;
    r.expect(403);
    assert!(is_error_shape(&r.json(), "forbidden"));
}

// ---------------------------------------------------------------- uploads and workers

/// Runs the analysis workers until the returned sender fires (or is dropped).
fn start_workers(
    fx: &Fixture,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), nextstep_server::jobs::JobError>>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = fx.state.clone();
    let handle = tokio::spawn(async move {
        nextstep_server::run_workers(&state, 2, "api-tests", async move {
            let _ = stopped.await;
        })
        .await
    });
    (stop, handle)
}

/// Polls an upload until it is done or failed.
async fn wait_for_upload(fx: &Fixture, who: Who, id: i64) -> Value {
    let start = Instant::now();
    loop {
        let r = fx
            .send(fx.request(who, Method::GET, &format!("/api/v1/uploads/{id}")))
            .await;
        r.expect(200);
        let u = r.json();
        if u["status"] == "done" || u["status"] == "failed" {
            return u;
        }
        assert!(
            start.elapsed() < UPLOAD_TIMEOUT,
            "upload {id} still {} after {UPLOAD_TIMEOUT:?}: {u}",
            u["status"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn stop_workers(
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<Result<(), nextstep_server::jobs::JobError>>,
) {
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(15), handle)
        .await
        .expect("the workers stop within 15 s of the shutdown signal")
        .expect("worker task")
        .expect("workers");
}

async fn upload_is_analysed_by_the_workers(fx: &Fixture) {
    let b1 = fx.b.deal;
    let r = fx
        .send(
            fx.request(
                Who::RepB,
                Method::POST,
                &format!("/api/v1/deals/{b1}/calls?file_name=04-plain-2026-04-20.txt"),
            )
            .body(support::CALL_PLAIN, "text/plain"),
        )
        .await;
    r.expect(202);
    let accepted = r.json();
    let upload_id = accepted["upload_id"].as_i64().expect("upload_id");
    let job_id = accepted["job_id"].as_str().expect("job_id");
    assert!(!job_id.is_empty(), "{accepted}");
    assert_eq!(accepted["status"], "queued");
    assert_eq!(
        accepted["status_url"],
        format!("/api/v1/uploads/{upload_id}")
    );
    // Queued, not analysed in the request.
    let r = fx
        .send(fx.request(
            Who::RepB,
            Method::GET,
            &format!("/api/v1/uploads/{upload_id}"),
        ))
        .await;
    r.expect(200);
    assert_eq!(r.json()["status"], "queued");
    assert_eq!(r.json()["job_id"], job_id);
    let calls_before = fx.db.calls_for_deal(b1).await.expect("calls").len();

    let (stop, handle) = start_workers(fx);
    let done = wait_for_upload(fx, Who::RepB, upload_id).await;
    stop_workers(stop, handle).await;

    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["error"], Value::Null, "{done}");
    assert_eq!(done["attempts"], 1, "{done}");
    let call_id = done["call_id"].as_i64().expect("call_id");
    let r = fx
        .send(fx.request(
            Who::Manager,
            Method::GET,
            &format!("/api/v1/calls/{call_id}"),
        ))
        .await;
    r.expect(200);
    let call = r.json();
    assert_eq!(call["deal_id"], b1);
    assert_eq!(call["source"], "04-plain-2026-04-20.txt");
    assert_eq!(call["format"], "plain", "{}", call["format"]);
    assert_eq!(call["date"], "2026-04-20", "the date in the file name");
    assert!(
        call["analysis"]["speakers"]
            .as_array()
            .is_some_and(|s| s.len() >= 2)
    );
    assert!(call["analysis"].get("next_step").is_some());
    assert_eq!(
        fx.db.calls_for_deal(b1).await.expect("calls").len(),
        calls_before + 1,
        "exactly one call"
    );
    // The uploads seeded into the store directly were never queued: untouched.
    let r = fx
        .send(fx.request(
            Who::Admin,
            Method::GET,
            &format!("/api/v1/uploads/{}", fx.a.upload),
        ))
        .await;
    assert_eq!(r.json()["status"], "queued");
}

/// A three-person call on Ben's deal: Ben (as the recorder spells him), a colleague the
/// uploader names, and the prospect.
const CALL_THREE: &str = "Ben R.: Thanks for joining, Dana. Tell me about your rollout?\n\
Dana Cole: Our team uses spreadsheets today, and it hurts every month end.\n\
Sam Ortiz: I'll send you a proposal for the support team by Friday.\n\
Dana Cole: Sure, that works.\n";

async fn sides_come_from_the_roster_the_upload_and_a_flip(fx: &Fixture) {
    let b1 = fx.b.deal;
    let r = fx
        .send(
            fx.request(
                Who::RepB,
                Method::POST,
                &format!(
                    "/api/v1/deals/{b1}/calls?file_name=three-2026-04-22.txt&sellers=sam%20ortiz"
                ),
            )
            .body(CALL_THREE, "text/plain"),
        )
        .await;
    r.expect(202);
    let upload_id = r.json()["upload_id"].as_i64().expect("upload_id");
    let (stop, handle) = start_workers(fx);
    let done = wait_for_upload(fx, Who::RepB, upload_id).await;
    stop_workers(stop, handle).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["sellers"], serde_json::json!(["sam ortiz"]));
    let call_id = done["call_id"].as_i64().expect("call_id");
    let call = fx
        .send(fx.request(Who::RepB, Method::GET, &format!("/api/v1/calls/{call_id}")))
        .await
        .json();
    let sides: Vec<(String, String, String)> = call["analysis"]["speakers"]
        .as_array()
        .expect("speakers")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["role"].as_str().unwrap().to_string(),
                s["basis"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("Ben R.", "seller", "owner"),
        ("Dana Cole", "prospect", "unmatched"),
        ("Sam Ortiz", "seller", "named"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(sides, want);
    assert_eq!(call["analysis"]["inferred_sellers"], serde_json::json!([]));
    let step = |fx_deal: Value| {
        fx_deal["next_steps"].as_array().and_then(|h| {
            h.iter().find(|s| s["status"] == "open").map(|s| {
                (
                    s["defined_by"].as_str().unwrap_or("").to_string(),
                    s["call_id"].clone(),
                )
            })
        })
    };
    let deal = fx
        .send(fx.request(Who::RepB, Method::GET, &format!("/api/v1/deals/{b1}")))
        .await
        .json();
    assert_eq!(
        step(deal),
        Some(("seller".to_string(), Value::from(call_id)))
    );

    // Sam is the prospect's colleague after all: flipped, the call is judged again and
    // the deal's step follows.
    let r = fx
        .send(
            fx.request(
                Who::RepB,
                Method::POST,
                &format!("/api/v1/calls/{call_id}/sides"),
            )
            .json(serde_json::json!({"speaker": "Sam Ortiz", "side": "prospect"})),
        )
        .await;
    r.expect(200);
    let changed = r.json();
    let sam = changed["call"]["analysis"]["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Sam Ortiz")
        .cloned()
        .unwrap();
    assert_eq!(
        (sam["role"].as_str(), sam["basis"].as_str()),
        (Some("prospect"), Some("user"))
    );
    assert_eq!(sam["reason"], "set by hand");
    let deal = fx
        .send(fx.request(Who::RepB, Method::GET, &format!("/api/v1/deals/{b1}")))
        .await
        .json();
    let after = step(deal);
    assert_eq!(
        after.as_ref().map(|s| s.0.as_str()),
        Some("prospect"),
        "{after:?}"
    );
    assert_eq!(changed["next_step"]["defined_by"], "prospect");

    // Bad requests name what is wrong; someone else's call is a 404.
    let cases = [
        (
            Who::RepB,
            serde_json::json!({"speaker": "Nobody", "side": "seller"}),
            400,
        ),
        (
            Who::RepB,
            serde_json::json!({"speaker": "Dana Cole", "side": "both"}),
            400,
        ),
        (
            Who::RepA,
            serde_json::json!({"speaker": "Dana Cole", "side": "seller"}),
            404,
        ),
        (
            Who::Manager,
            serde_json::json!({"speaker": "Dana Cole", "side": "prospect"}),
            200,
        ),
    ];
    for (who, body, status) in cases {
        let r = fx
            .send(
                fx.request(who, Method::POST, &format!("/api/v1/calls/{call_id}/sides"))
                    .json(body.clone()),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{who:?} {body}: {}", r.text());
    }
    // Too many sellers on an upload is a 400 naming the field.
    let many: Vec<String> = (0..25).map(|i| format!("S{i}")).collect();
    let r = fx
        .send(
            fx.request(
                Who::RepB,
                Method::POST,
                &format!("/api/v1/deals/{b1}/calls?sellers={}", many.join(",")),
            )
            .body(CALL_THREE, "text/plain"),
        )
        .await;
    r.expect(400);
    assert!(r.text().contains("sellers"), "{}", r.text());
}

async fn a_docx_upload_becomes_a_call_with_its_turns(fx: &Fixture) {
    let b1 = fx.b.deal;
    let doc = nextstep_transcript::docx::build_docx(&[
        "Renewal (2026-04-23 10:00 GMT+1) - Transcript",
        "Attendees",
        "Speaker 1, Speaker 2",
        "Transcript",
        "00:00:00",
        "Speaker 1: Thanks for making the time. Tell me about your setup?",
        "Speaker 2: Our team uses spreadsheets. Could you send me a quote by Friday?",
        "Speaker 1: Sure, I'll send it.",
    ]);
    let bad = b"PK\x03\x04 this is no zip".to_vec();
    let mut ids = Vec::new();
    for (name, bytes) in [("meet-2026-04-23.docx", doc), ("broken.docx", bad)] {
        let r = fx
            .send(
                fx.request(
                    Who::RepB,
                    Method::POST,
                    &format!("/api/v1/deals/{b1}/calls?file_name={name}"),
                )
                .body(
                    bytes,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
            )
            .await;
        r.expect(202);
        ids.push(r.json()["upload_id"].as_i64().unwrap());
    }
    let (stop, handle) = start_workers(fx);
    let done = wait_for_upload(fx, Who::RepB, ids[0]).await;
    let failed = wait_for_upload(fx, Who::RepB, ids[1]).await;
    stop_workers(stop, handle).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(failed["status"], "failed", "{failed}");
    let error = failed["error"].as_str().unwrap_or("");
    assert!(
        error.contains("broken.docx") && error.contains("not a readable .docx"),
        "{error}"
    );
    let call_id = done["call_id"].as_i64().unwrap();
    let call = fx
        .send(fx.request(Who::RepB, Method::GET, &format!("/api/v1/calls/{call_id}")))
        .await
        .json();
    assert_eq!(call["format"], "docx");
    assert_eq!(call["date"], "2026-04-23");
    let inferred = &call["analysis"]["inferred_sellers"];
    assert_eq!(inferred[0]["name"], "Speaker 1", "{inferred}");
    // The page shows the turns read back from the stored text, and a flip re-reads it.
    let page = fx
        .send(fx.browser(Who::RepB, Method::GET, &format!("/calls/{call_id}")))
        .await;
    page.expect(200);
    assert!(
        page.text().contains("Our team uses spreadsheets."),
        "{}",
        page.text()
    );
    let r = fx
        .send(
            fx.request(
                Who::RepB,
                Method::POST,
                &format!("/api/v1/calls/{call_id}/sides"),
            )
            .json(serde_json::json!({"speaker": "Speaker 2", "side": "seller"})),
        )
        .await;
    r.expect(200);
}

async fn unreadable_upload_fails_after_retries(fx: &Fixture) {
    let garbage: &[u8] = b"\x00\x01\x02\xff\xfe\x00\x00garbage\x00\xc3\x28\x00";
    let rules = nextstep_analyzer::Rules::defaults();
    assert!(
        nextstep_core::ingest::judge(
            garbage,
            "junk.bin",
            None,
            None,
            chrono::Utc::now().date_naive(),
            &nextstep_core::ingest::KnownSides::default(),
            &rules
        )
        .is_err(),
        "precondition: these bytes must not judge"
    );
    let r = fx
        .send(
            fx.request(
                Who::RepC,
                Method::POST,
                &format!("/api/v1/deals/{}/calls?file_name=junk.bin", fx.c.deal),
            )
            .body(garbage.to_vec(), "application/octet-stream"),
        )
        .await;
    r.expect(202);
    let upload_id = r.json()["upload_id"].as_i64().expect("upload_id");
    let calls_before = fx.db.calls_for_deal(fx.c.deal).await.expect("calls").len();

    let (stop, handle) = start_workers(fx);
    let failed = wait_for_upload(fx, Who::RepC, upload_id).await;
    stop_workers(stop, handle).await;

    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(
        failed["attempts"],
        nextstep_server::jobs::MAX_ATTEMPTS,
        "tried MAX_ATTEMPTS times: {failed}"
    );
    let error = failed["error"].as_str().expect("an error message");
    assert!(
        error.contains("junk.bin"),
        "the error names the file: {error}"
    );
    assert_eq!(failed["call_id"], Value::Null);
    assert_eq!(
        fx.db.calls_for_deal(fx.c.deal).await.expect("calls").len(),
        calls_before
    );
}

// ---------------------------------------------------------------- cookies and CSRF

async fn cookie_writes_need_the_csrf_header(fx: &Fixture) {
    let ana = fx.person(Who::RepA).clone();
    let a2 = format!("/api/v1/deals/{}", fx.deals["A2"]);
    let step = json!({"action": "Send the pilot plan", "defined_by": "seller"});
    // Reads need no CSRF token.
    let r = fx
        .send(fx.browser(Who::RepA, Method::GET, "/api/v1/deals"))
        .await;
    r.expect(200);
    assert_eq!(ext_ids(&r.json(), "/external_id"), ["A1", "A2"]);

    let writes = [
        (
            "POST next-step",
            Method::POST,
            format!("{a2}/next-step"),
            Some(step.clone()),
        ),
        (
            "POST confirm-links",
            Method::POST,
            format!("{a2}/confirm-links"),
            None,
        ),
        (
            "POST close",
            Method::POST,
            format!("{a2}/next-step/close"),
            Some(json!({"status": "done"})),
        ),
        ("POST calls", Method::POST, format!("{a2}/calls"), None),
        (
            "POST import",
            Method::POST,
            "/api/v1/import/deals".to_string(),
            None,
        ),
    ];
    let mut failures = Vec::new();
    for csrf in [
        None,
        Some("wrong-token".to_string()),
        Some(ana.csrf[1..].to_string()),
    ] {
        for (what, method, uri, body) in &writes {
            let mut req = fx.browser(Who::RepA, method.clone(), uri);
            if let Some(c) = &csrf {
                req = req.header("x-csrf-token", c);
            }
            req = match body {
                Some(b) => req.json(b.clone()),
                None => req.body("Ana Rep: hello", "text/plain"),
            };
            let r = fx.send(req).await;
            let ok = r.status.as_u16() == 403
                && serde_json::from_slice::<Value>(&r.body)
                    .is_ok_and(|b| is_error_shape(&b, "forbidden"));
            if !ok {
                failures.push(format!(
                    "{what} with csrf {csrf:?}: {} {}",
                    r.status,
                    r.text()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "cookie writes without the right CSRF token:\n{}",
        failures.join("\n")
    );
    assert!(
        fx.db
            .next_step_history(fx.deals["A2"])
            .await
            .expect("steps")
            .is_empty(),
        "a refused write wrote nothing"
    );

    // With the session's token it works.
    let r = fx
        .send(
            fx.browser(Who::RepA, Method::POST, &format!("{a2}/next-step"))
                .header("x-csrf-token", &ana.csrf)
                .json(step),
        )
        .await;
    r.expect(201);
    // A bearer token needs no CSRF header even when a cookie is also sent.
    let r = fx
        .send(
            fx.request(Who::RepA, Method::POST, &format!("{a2}/next-step/close"))
                .header("cookie", &format!("{SESSION_COOKIE}={}", ana.session))
                .json(json!({"status": "cancelled"})),
        )
        .await;
    r.expect(200);
}

// ---------------------------------------------------------------- XSS inertness

pub const XSS_TRANSCRIPT: &str = "[00:00:01] Ana Rep: Hi Bo, <script>alert(1)</script> thanks for joining.\n\
[00:00:05] Bo Prospect: \"><img src=x onerror=alert(1)> Happy to. We are unhappy with our current tool.\n\
[00:00:12] Ana Rep: What would you like to do from here?\n\
[00:00:18] Bo Prospect: Could you do a demo for my team next Tuesday? <script>alert(1)</script>\n\
[00:00:25] Ana Rep: Yes, I'll send the invite.\n";

async fn transcript_html_comes_back_as_json(fx: &Fixture) {
    let call = support::add_judged_call(
        &fx.db,
        fx.a.deal,
        XSS_TRANSCRIPT,
        "<script>alert(1)</script>.txt",
        "2026-04-14",
    )
    .await;
    let routes = [
        format!("/api/v1/calls/{call}"),
        format!("/api/v1/deals/{}", fx.a.deal),
        "/api/v1/deals".to_string(),
        "/api/v1/pipeline".to_string(),
        "/api/v1/coach".to_string(),
        "/api/v1/forecast".to_string(),
        "/api/v1/deals/%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/api/v1/calls/%3Cimg%20src=x%20onerror=alert(1)%3E".to_string(),
        "/api/v1/pipeline?flag=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
    ];
    let mut failures = Vec::new();
    let mut seen_payload = false;
    for route in &routes {
        let r = fx.send(fx.request(Who::RepA, Method::GET, route)).await;
        let ct = r.content_type().to_string();
        if !ct.starts_with("application/json") {
            failures.push(format!("{route}: {} content-type {ct:?}", r.status));
        }
        if r.headers
            .get("x-content-type-options")
            .map(|v| v.as_bytes())
            != Some(b"nosniff")
        {
            failures.push(format!("{route}: no X-Content-Type-Options: nosniff"));
        }
        if serde_json::from_slice::<Value>(&r.body).is_err() {
            failures.push(format!("{route}: body is not JSON: {}", r.text()));
        }
        seen_payload |= r.text().contains("<script>alert(1)</script>");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        seen_payload,
        "the transcript text is served as data, unchanged"
    );
    let r = fx
        .send(fx.request(Who::RepA, Method::GET, &format!("/api/v1/calls/{call}")))
        .await;
    let body = r.json();
    assert!(
        body["transcript"]
            .as_str()
            .unwrap()
            .contains("\"><img src=x onerror=alert(1)>")
    );
}

/// The pages showing that call (when the UI has them) escape it.
async fn transcript_html_is_escaped_in_pages(fx: &Fixture) {
    let call = support::add_judged_call(
        &fx.db,
        fx.a.deal,
        XSS_TRANSCRIPT,
        "<script>alert(1)</script>.txt",
        "2026-04-14",
    )
    .await;
    let pages = [
        format!("/deals/{}", fx.a.deal),
        format!("/calls/{call}"),
        "/".to_string(),
    ];
    let mut checked = 0;
    for page in &pages {
        let r = fx.send(fx.browser(Who::Admin, Method::GET, page)).await;
        if r.status.as_u16() == 404 {
            eprintln!(
                "note: page {page} does not exist yet (404 for the admin): XSS check skipped"
            );
            continue;
        }
        r.expect(200);
        let html = r.text();
        for raw in [
            "<script>alert(1)</script>",
            "<img src=x onerror",
            "<script>alert",
        ] {
            assert!(
                !html.contains(raw),
                "{page} contains unescaped {raw:?}:\n{}",
                html.lines()
                    .filter(|l| l.contains(raw))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        // The call page shows the transcript, so the payload must be there, escaped.
        if page.starts_with("/calls/") {
            let escaped = [
                "&lt;script&gt;alert(1)&lt;/script&gt;",
                "&#60;script&#62;alert(1)&#60;/script&#62;",
            ];
            assert!(
                escaped.iter().any(|e| html.contains(e)),
                "{page} should show the transcript's <script> escaped; it shows neither {escaped:?}"
            );
            assert!(
                html.contains("onerror=alert(1)"),
                "{page} should show the transcript's img text (escaped)"
            );
        }
        checked += 1;
    }
    eprintln!(
        "XSS page check: {checked} of {} pages exist and escape the transcript",
        pages.len()
    );
}

both! {
    health_and_openapi => super::health_and_openapi,
    unauthenticated_is_401_in_the_error_shape => super::unauthenticated_is_401_in_the_error_shape,
    reads_with_a_token => super::reads_with_a_token,
    pipeline_coach_forecast => super::pipeline_coach_forecast,
    next_steps_and_confirm_links => super::next_steps_and_confirm_links,
    malformed_input_uses_the_error_shape => super::malformed_input_uses_the_error_shape,
    import_csv_as_admin => super::import_csv_as_admin,
    upload_is_analysed_by_the_workers => super::upload_is_analysed_by_the_workers,
    unreadable_upload_fails_after_retries => super::unreadable_upload_fails_after_retries,
    sides_come_from_the_roster_the_upload_and_a_flip => super::sides_come_from_the_roster_the_upload_and_a_flip,
    a_docx_upload_becomes_a_call_with_its_turns => super::a_docx_upload_becomes_a_call_with_its_turns,
    cookie_writes_need_the_csrf_header => super::cookie_writes_need_the_csrf_header,
    transcript_html_comes_back_as_json => super::transcript_html_comes_back_as_json,
    transcript_html_is_escaped_in_pages => super::transcript_html_is_escaped_in_pages,
}
