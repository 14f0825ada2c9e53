//! The pages through the real router on a fresh SQLite file: sign-in, visibility,
//! CSRF, escaping of hostile transcript text, the confirmation link round trip.

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{Duration, NaiveDate, Utc};
use http_body_util::BodyExt;
use nextstep_core::{NewConfirmLink, NewDeal, NewSession, NewUser, Role, Scope, Store, TeamStore};
use nextstep_store::{Db, SqliteStore};
use tower::ServiceExt;

use crate::auth::SESSION_COOKIE;
use crate::jobs::Queue;
use crate::{AppState, ServerConfig};
use nextstep_core::secrets::{digest, hash_password, random_hex};

const PASSWORD: &str = "correct horse battery staple";
const XSS_SCRIPT: &str = "<script>alert(1)</script>";
const XSS_IMG: &str = "\"><img src=x onerror=alert(1)>";

fn hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap())
}

struct Fx {
    app: Router,
    db: Db,
    _dir: TempDir,
    ann: (String, String),
    admin: (String, String),
    d1: i64,
    d2: i64,
    call: i64,
    plain_call: i64,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn deal(ext: &str, name: &str, owner: &str, stage: &str) -> NewDeal {
    NewDeal {
        external_id: ext.into(),
        name: name.into(),
        account: Some(format!("Account {XSS_IMG}")),
        owner: Some(owner.into()),
        stage: stage.into(),
        amount: Some(1_234_500),
        currency: "USD".into(),
        expected_close: None,
        created: NaiveDate::from_ymd_opt(2026, 1, 5),
        closed: None,
        outcome: None,
        loss_reason: None,
        product: None,
        crm_next_step: None,
    }
}

async fn session(db: &Db, user_id: i64) -> (String, String) {
    let secret = random_hex(32).unwrap();
    let csrf = random_hex(16).unwrap();
    db.create_session(&NewSession {
        id_hash: digest(&secret),
        user_id,
        csrf: csrf.clone(),
        expires_at: Utc::now() + Duration::days(1),
    })
    .await
    .unwrap();
    (secret, csrf)
}

async fn fixture(name: &str) -> Fx {
    let dir = std::env::temp_dir().join(format!("nextstep-ui-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::Sqlite(SqliteStore::open(dir.join("ui.db")).await.unwrap());
    let mut ids = Vec::new();
    for (email, role, rep) in [
        ("admin@example.test", Role::Admin, None),
        ("ann@example.test", Role::Rep, Some("Ann Rep")),
        ("bo@example.test", Role::Rep, Some("Bo Rep")),
    ] {
        let u = db
            .create_user(&NewUser {
                email: email.into(),
                password_hash: hash().into(),
                role,
                rep_name: rep.map(str::to_string),
                manager_email: None,
            })
            .await
            .unwrap();
        ids.push(u.id);
    }
    db.import_deals(&[
        deal(
            "D1",
            &format!("Hostile {XSS_SCRIPT} deal"),
            "Ann Rep",
            "Engaging",
        ),
        deal("D2", "Bo's secret deal", "Bo Rep", "Prospecting"),
    ])
    .await
    .unwrap();
    let d1 = db.find_deal(&Scope::All, "D1").await.unwrap().id;
    let d2 = db.find_deal(&Scope::All, "D2").await.unwrap().id;
    let text = include_str!("../../../../examples/calls/02-zoom-bail-out-2026-04-15.vtt").replace(
        "Hmm. Twenty-four.",
        &format!("Hmm {XSS_SCRIPT} {XSS_IMG}. Twenty-four."),
    );
    let rules = nextstep_analyzer::Rules::defaults();
    let judged = nextstep_core::ingest::judge(
        text.as_bytes(),
        "bail.vtt",
        None,
        NaiveDate::from_ymd_opt(2026, 4, 15),
        Utc::now().date_naive(),
        &nextstep_core::ingest::KnownSides::default(),
        &rules,
    )
    .unwrap();
    assert!(judged.call.bail_out, "the fixture call has a bail-out");
    let (call, _) = db
        .add_call(d1, &judged.call, judged.step.as_ref())
        .await
        .unwrap();
    let plain = format!(
        "Ann Rep: Hi Tom {XSS_SCRIPT}, thanks for the time.\n\
         Tom Becker: {XSS_IMG} Honestly I'm lost, I don't follow any of this.\n\
         Ann Rep: No problem, I'll send you a proposal by Friday.\n"
    );
    let judged = nextstep_core::ingest::judge(
        plain.as_bytes(),
        "plain.txt",
        None,
        NaiveDate::from_ymd_opt(2026, 4, 16),
        Utc::now().date_naive(),
        &nextstep_core::ingest::KnownSides::named(&["Ann Rep".to_string()]),
        &rules,
    )
    .unwrap();
    let (plain_call, _) = db
        .add_call(d1, &judged.call, judged.step.as_ref())
        .await
        .unwrap();
    // An upload whose file name is hostile, failed with a hostile error: the uploads page
    // and the deal page show both.
    let upload = db
        .create_upload(
            &nextstep_core::Scope::All,
            &nextstep_core::NewUpload {
                deal_id: d1,
                user_id: None,
                file_name: format!("{XSS_IMG}.vtt"),
                content: b"garbage".to_vec(),
                call_date: None,
                job_id: Queue::new_job_id(),
                idempotency_key: None,
                sellers: Vec::new(),
            },
        )
        .await
        .unwrap()
        .upload;
    db.fail_upload(upload.id, &format!("cannot read {XSS_SCRIPT}"), true)
        .await
        .unwrap();
    let queue = Queue::connect(&db, &format!("ui-{name}")).await.unwrap();
    let config = ServerConfig {
        public_url: Some("https://nextstep.example".into()),
        ..ServerConfig::default()
    };
    let state = AppState::new(db.clone(), queue, rules, None, config);
    Fx {
        app: crate::router(state),
        admin: session(&db, ids[0]).await,
        ann: session(&db, ids[1]).await,
        db,
        _dir: TempDir(dir),
        d1,
        d2,
        call: call.id,
        plain_call: plain_call.id,
    }
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Resp {
    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of `name="…" value="…"` in the page.
    fn field(&self, name: &str) -> String {
        let key = format!("name=\"{name}\" value=\"");
        let at = self
            .body
            .find(&key)
            .unwrap_or_else(|| panic!("no field {name}"))
            + key.len();
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "nextstep.test");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn as_cookie(s: &(String, String)) -> String {
    format!("{SESSION_COOKIE}={}", s.0)
}

fn assert_inert(page: &Resp) {
    assert!(!page.body.contains(XSS_SCRIPT), "raw <script> on the page");
    assert!(!page.body.contains("<img src=x"), "raw <img> on the page");
}

#[tokio::test]
async fn signing_in_and_out() {
    let fx = fixture("login").await;
    let r = send(&fx.app, Method::GET, "/", None, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");

    let form = send(&fx.app, Method::GET, "/login", None, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"login-submit\""));
    let token = form.field("csrf");
    let cookie = format!("{}={token}", super::session::LOGIN_CSRF_COOKIE);
    assert!(
        form.cookies()
            .iter()
            .any(|c| c.contains("SameSite=Strict") && c.contains(&token))
    );

    // No double-submit cookie: refused.
    let body = format!("email=ann%40example.test&password=x&csrf={token}");
    let r = send(&fx.app, Method::POST, "/login", None, Some(&body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = send(&fx.app, Method::POST, "/login", Some(&cookie), Some(&body)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("wrong email or password"));

    let body = format!(
        "email=Ann%40example.test&password={}&csrf={token}",
        PASSWORD.replace(' ', "+")
    );
    let r = send(&fx.app, Method::POST, "/login", Some(&cookie), Some(&body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/");
    let session = r
        .cookies()
        .into_iter()
        .find(|c| c.starts_with(SESSION_COOKIE))
        .unwrap();
    let session = session.split(';').next().unwrap().to_string();
    let board = send(&fx.app, Method::GET, "/", Some(&session), None).await;
    assert_eq!(board.status, StatusCode::OK);
    let csrf = board.field("csrf");

    let r = send(
        &fx.app,
        Method::POST,
        "/logout",
        Some(&session),
        Some("csrf=nope"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &fx.app,
        Method::POST,
        "/logout",
        Some(&session),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.cookies().iter().any(|c| c.contains("Max-Age=0")));
    let r = send(&fx.app, Method::GET, "/", Some(&session), None).await;
    assert_eq!(r.location(), "/login");
}

#[tokio::test]
async fn pages_show_only_what_the_caller_sees_and_escape_everything() {
    let fx = fixture("pages").await;
    let ann = as_cookie(&fx.ann);

    let board = send(&fx.app, Method::GET, "/", Some(&ann), None).await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains(&format!("data-deal-id=\"{}\"", fx.d1)));
    assert!(!board.body.contains("Bo&#39;s secret deal") && !board.body.contains("Bo Rep"));
    assert!(board.body.contains("class=\"board\""));
    assert!(board.body.contains("&#60;script&#62;"));
    assert_inert(&board);
    assert_eq!(
        board.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );

    let filtered = send(
        &fx.app,
        Method::GET,
        "/?flag=NO_NEXT_STEP&owner=Ann+Rep",
        Some(&ann),
        None,
    )
    .await;
    assert_eq!(filtered.status, StatusCode::OK);
    let bad = send(&fx.app, Method::GET, "/?flag=BOGUS", Some(&ann), None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let deal = send(
        &fx.app,
        Method::GET,
        &format!("/deals/{}", fx.d1),
        Some(&ann),
        None,
    )
    .await;
    assert_eq!(deal.status, StatusCode::OK);
    assert!(deal.body.contains("id=\"dropzone\""));
    assert!(deal.body.contains("id=\"next-step-badge\""));
    assert!(deal.body.contains(&format!("href=\"/calls/{}\"", fx.call)));
    assert_inert(&deal);

    let hidden = send(
        &fx.app,
        Method::GET,
        &format!("/deals/{}", fx.d2),
        Some(&ann),
        None,
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(hidden.body.contains("id=\"error-page\""));
    assert!(!hidden.body.contains("Bo&#39;s secret deal"));

    let call = send(
        &fx.app,
        Method::GET,
        &format!("/calls/{}", fx.call),
        Some(&ann),
        None,
    )
    .await;
    assert_eq!(call.status, StatusCode::OK);
    assert!(call.body.contains("moment-bail-out"), "no bail-out marked");
    assert!(call.body.contains("moment-negative"));
    // WebVTT drops tags as cue markup; what is left of the attack is escaped.
    assert!(
        call.body.contains("Hmm alert(1) &#34;&#62;."),
        "{}",
        call.body
    );
    assert_inert(&call);

    let plain = send(
        &fx.app,
        Method::GET,
        &format!("/calls/{}", fx.plain_call),
        Some(&ann),
        None,
    )
    .await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(
        plain
            .body
            .contains("Hi Tom &#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        plain.body
    );
    assert!(
        plain
            .body
            .contains("&#34;&#62;&#60;img src=x onerror=alert(1)&#62;")
    );
    assert_inert(&plain);

    for path in ["/coach", "/team", "/forecast", "/uploads"] {
        let r = send(&fx.app, Method::GET, path, Some(&ann), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert_inert(&r);
        if path == "/uploads" {
            // The hostile upload is listed (so the check above had something to check),
            // its name and error escaped.
            assert!(
                r.body
                    .contains("&#34;&#62;&#60;img src=x onerror=alert(1)&#62;.vtt"),
                "{}",
                r.body
            );
            assert!(
                r.body.contains("cannot read &#60;script&#62;"),
                "{}",
                r.body
            );
        }
    }
    let import = send(&fx.app, Method::GET, "/import", Some(&ann), None).await;
    assert_eq!(import.status, StatusCode::FORBIDDEN);
    let admin = as_cookie(&fx.admin);
    let import = send(&fx.app, Method::GET, "/import", Some(&admin), None).await;
    assert_eq!(import.status, StatusCode::OK);
    assert!(import.body.contains("id=\"import-progress\""));
    let board = send(&fx.app, Method::GET, "/", Some(&admin), None).await;
    assert!(board.body.contains("Bo Rep"), "the admin sees every owner");

    let missing = send(&fx.app, Method::GET, "/no/such/page", Some(&ann), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("<html"));

    let css = send(&fx.app, Method::GET, "/static/app.css", None, None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let js = send(&fx.app, Method::GET, "/static/app.js", None, None).await;
    assert!(
        js.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[tokio::test]
async fn the_confirmation_link_round_trip() {
    let fx = fixture("confirm").await;
    let ann = as_cookie(&fx.ann);
    let uri = format!("/deals/{}/confirm-link", fx.d1);
    let r = send(&fx.app, Method::POST, &uri, Some(&ann), Some("csrf=wrong")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &fx.app,
        Method::POST,
        &uri,
        Some(&ann),
        Some(&format!("csrf={}", fx.ann.1)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let at = r
        .body
        .find("id=\"confirm-link-url\" readonly value=\"")
        .unwrap();
    let url = r.body[at..]
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let path = &url[url.find("/confirm/").unwrap()..];
    assert_eq!(path.len(), "/confirm/".len() + 32);

    // The public page: the step only, none of the deal's other data.
    let page = send(&fx.app, Method::GET, path, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Is this our agreed next step?"));
    for secret in [
        "Hostile",
        "Ann Rep",
        "ann@example.test",
        "Account",
        "SELLER_DEFINED",
        "nav",
    ] {
        assert!(
            !page.body.contains(secret),
            "the public page shows {secret}"
        );
    }
    assert!(
        page.body.contains("id=\"confirm-yes\"") && page.body.contains("id=\"confirm-not-quite\"")
    );
    let token = page.field("csrf");
    let cookie = page
        .cookies()
        .into_iter()
        .find(|c| c.starts_with(super::confirm::CONFIRM_CSRF_COOKIE))
        .unwrap();
    assert!(cookie.contains("Path=/confirm") && cookie.contains("SameSite=Strict"));
    let cookie = cookie.split(';').next().unwrap().to_string();

    let r = send(
        &fx.app,
        Method::POST,
        path,
        None,
        Some(&format!("answer=yes&csrf={token}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &fx.app,
        Method::POST,
        path,
        Some(&cookie),
        Some(&format!(
            "answer=not_quite&correction=Next+week+{}&csrf={token}",
            "%3Cb%3E"
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"confirm-thanks\""));
    let deal = send(
        &fx.app,
        Method::GET,
        &format!("/deals/{}", fx.d1),
        Some(&ann),
        None,
    )
    .await;
    assert!(
        deal.body
            .contains("Prospect said not quite: Next week &#60;b&#62;"),
        "{}",
        deal.body
    );

    let r = send(
        &fx.app,
        Method::POST,
        path,
        Some(&cookie),
        Some(&format!("answer=yes&csrf={token}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let deal = send(
        &fx.app,
        Method::GET,
        &format!("/deals/{}", fx.d1),
        Some(&ann),
        None,
    )
    .await;
    assert!(deal.body.contains("Prospect confirmed on"));
    assert!(
        deal.body
            .contains("badge badge-confirmed\" id=\"next-step-badge\"")
            || deal
                .body
                .contains("badge badge-prospect\" id=\"next-step-badge\"")
    );

    let unknown = send(
        &fx.app,
        Method::GET,
        &format!("/confirm/{}", "ab".repeat(16)),
        None,
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let junk = send(&fx.app, Method::GET, "/confirm/..%2F..", None, None).await;
    assert_eq!(junk.status, StatusCode::NOT_FOUND);

    // An expired link: 410 on both methods.
    let step = fx.db.next_step_history(fx.d1).await.unwrap().pop().unwrap();
    let old = random_hex(16).unwrap();
    fx.db
        .create_confirm_link(
            &Scope::All,
            &NewConfirmLink {
                token_hash: digest(&old),
                deal_id: fx.d1,
                step_id: step.id,
                created_by: None,
                expires_at: Utc::now() - Duration::days(1),
            },
        )
        .await
        .unwrap();
    let gone = send(&fx.app, Method::GET, &format!("/confirm/{old}"), None, None).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("expired"));
    let gone = send(
        &fx.app,
        Method::POST,
        &format!("/confirm/{old}"),
        Some(&cookie),
        Some(&format!("answer=yes&csrf={token}")),
    )
    .await;
    assert_eq!(gone.status, StatusCode::GONE);
}

#[tokio::test]
async fn long_transcripts_are_paged() {
    let fx = fixture("paged").await;
    // A 1 MB transcript: about 12,000 turns.
    let mut text = String::new();
    let mut n: usize = 0;
    while text.len() < 1024 * 1024 {
        let who = if n % 2 == 0 { "Ann Rep" } else { "Tom Becker" };
        text.push_str(&format!(
            "{who}: Turn {n} of a very long call about budgets, timelines and {XSS_SCRIPT}.\n"
        ));
        n += 1;
    }
    let judged = nextstep_core::ingest::judge(
        text.as_bytes(),
        "long.txt",
        None,
        NaiveDate::from_ymd_opt(2026, 4, 16),
        Utc::now().date_naive(),
        &nextstep_core::ingest::KnownSides::named(&["Ann Rep".to_string()]),
        &nextstep_analyzer::Rules::defaults(),
    )
    .unwrap();
    let (call, _) = fx
        .db
        .add_call(fx.d1, &judged.call, judged.step.as_ref())
        .await
        .unwrap();
    let ann = as_cookie(&fx.ann);
    let page = |p: &str| {
        let uri = format!("/calls/{}{p}", call.id);
        let app = fx.app.clone();
        let ann = ann.clone();
        async move { send(&app, Method::GET, &uri, Some(&ann), None).await }
    };
    let first = page("").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.body.len() < 512 * 1024,
        "the first page of a 1 MB call is {} bytes",
        first.body.len()
    );
    let turns = first.body.matches("<li class=\"turn").count();
    assert_eq!(turns, super::call::TURNS_PER_PAGE);
    assert!(first.body.contains("id=\"turn-pager\""));
    assert!(first.body.contains("Turn 0 of"));
    assert!(
        !first
            .body
            .contains(&format!("Turn {} of", super::call::TURNS_PER_PAGE))
    );
    assert_inert(&first);

    let second = page("?page=2").await;
    assert!(
        second
            .body
            .contains(&format!("Turn {} of", super::call::TURNS_PER_PAGE))
    );
    assert!(second.body.contains("id=\"pager-prev\""));
    let last = n.div_ceil(super::call::TURNS_PER_PAGE);
    for beyond in ["?page=999999", &format!("?page={last}")] {
        let r = page(beyond).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(&format!("Turn {} of", n - 1)), "{beyond}");
        assert!(!r.body.contains("id=\"pager-next\""));
    }
    let junk = page("?page=abc").await;
    assert_eq!(
        junk.status,
        StatusCode::OK,
        "a bad page number shows the first page"
    );
    assert!(junk.body.contains("Turn 0 of"));
}

#[tokio::test]
async fn the_call_page_shows_each_side_and_flips_one() {
    let fx = fixture("sides").await;
    let ann = as_cookie(&fx.ann);
    let page = format!("/calls/{}", fx.plain_call);
    let r = send(&fx.app, Method::GET, &page, Some(&ann), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"speakers\""), "{}", r.body);
    assert!(r.body.contains("named at upload"), "Ann was named");
    assert!(r.body.contains("id=\"flip-2\""), "a button per speaker");
    let uri = format!("/calls/{}/sides", fx.plain_call);
    // (form, expected status): no token, a bad side, an unknown speaker, then the flip.
    let cases = [
        (
            "speaker=Tom+Becker&side=seller".to_string(),
            StatusCode::FORBIDDEN,
        ),
        (
            format!("speaker=Tom+Becker&side=both&csrf={}", fx.ann.1),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("speaker=Nobody&side=seller&csrf={}", fx.ann.1),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("speaker=Tom+Becker&side=seller&csrf={}", fx.ann.1),
            StatusCode::SEE_OTHER,
        ),
    ];
    for (form, want) in cases {
        let r = send(&fx.app, Method::POST, &uri, Some(&ann), Some(&form)).await;
        assert_eq!(r.status, want, "{form}: {}", r.body);
    }
    let r = send(&fx.app, Method::GET, &page, Some(&ann), None).await;
    let tom = r.body.split("data-speaker=\"Tom Becker\"").nth(1).unwrap();
    assert!(tom.starts_with(" data-side=\"seller\""), "{tom}");
    assert!(tom.contains("set by hand"));
    // Bo cannot see Ann's call, so cannot flip it either.
    let call = fx.db.find_call(&Scope::All, fx.plain_call).await.unwrap();
    assert!(call.analysis["speakers"].to_string().contains("user"));
}
