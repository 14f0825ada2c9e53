//! What the server's integration tests share: a seeded team on SQLite or PostgreSQL
//! behind the real router, callers with API tokens and session cookies, and a request
//! helper for `tower::ServiceExt::oneshot`.
//!
//! The fixture: an admin; a manager (Mia) with two reps (Ana = "rep A", Ben = "rep B");
//! a rep with no manager (Cal = "rep C"); six deals (A1, A2 Ana's; B1 Ben's; C1, C2
//! Cal's; M1 Mia's own); one judged call on A1, B1 and C1; an upload (queued, not in
//! the queue) on A1, B1 and C1. PostgreSQL runs when `NEXTSTEP_TEST_POSTGRES_URL` is
//! set; without it the PostgreSQL half is skipped with a note, unless `CI` is set
//! (nextstep-synth's `harness`, shared with the store's and the CLI's suites).
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{Duration, NaiveDate, Utc};
use http_body_util::BodyExt;
use nextstep_core::secrets::{digest, hash_password, random_hex};
use nextstep_core::{
    NewApiToken, NewDeal, NewSession, NewUpload, NewUser, Role, Scope, Store, TeamStore, User,
};
use nextstep_server::SESSION_COOKIE;
use nextstep_server::jobs::Queue;
use nextstep_server::{AppState, ServerConfig};
use nextstep_store::{Db, PgStore, SqliteStore};
use nextstep_synth::harness::{self, TempDir};

/// The example transcripts (in the repository), by name.
pub const CALL_VTT: &str =
    include_str!("../../../../examples/calls/01-teams-prospect-led-2026-04-14.vtt");
pub const CALL_ZOOM: &str =
    include_str!("../../../../examples/calls/02-zoom-bail-out-2026-04-15.vtt");
pub const CALL_SRT: &str =
    include_str!("../../../../examples/calls/03-srt-confronted-2026-04-16.srt");
pub const CALL_PLAIN: &str =
    include_str!("../../../../examples/calls/04-plain-disqualified-2026-04-20.txt");

/// Where the fixture's server says prospects reach it (confirmation links).
pub const PUBLIC_URL: &str = "https://nextstep.example";

/// The fixture's settings: the defaults with a public URL.
pub fn config() -> ServerConfig {
    ServerConfig {
        public_url: Some(PUBLIC_URL.to_string()),
        ..ServerConfig::default()
    }
}

/// The password every fixture user has (hashed once per test binary).
pub const PASSWORD: &str = "correct horse battery staple";

/// One argon2 hash for every user: hashing is slow in debug builds.
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).expect("hash"))
}

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    /// Ana, a rep reporting to Mia.
    RepA,
    /// Ben, a rep reporting to Mia.
    RepB,
    /// Cal, a rep reporting to nobody.
    RepC,
    /// Mia, manager of Ana and Ben.
    Manager,
    /// The admin.
    Admin,
    /// No credentials.
    Anon,
}

impl Who {
    pub fn name(self) -> &'static str {
        match self {
            Who::RepA => "repA",
            Who::RepB => "repB",
            Who::RepC => "repC",
            Who::Manager => "manager",
            Who::Admin => "admin",
            Who::Anon => "anon",
        }
    }
}

/// A fixture user's record and credentials.
#[derive(Debug, Clone)]
pub struct Person {
    pub user: User,
    /// A bearer API token.
    pub token: String,
    /// A session cookie value and its CSRF token.
    pub session: String,
    pub csrf: String,
}

/// Ids of one owner's records.
#[derive(Debug, Clone, Copy)]
pub struct Owned {
    /// The first deal (A1, B1, C1).
    pub deal: i64,
    /// Its external id.
    pub deal_ext: &'static str,
    /// A call on it.
    pub call: i64,
    /// An upload on it (queued; never pushed to the queue).
    pub upload: i64,
}

/// Where a fixture's database lives, for clean-up.
enum Place {
    Sqlite(TempDir),
    Postgres(PgStore),
}

/// A seeded team behind the real router.
pub struct Fixture {
    pub backend: &'static str,
    pub state: AppState,
    pub app: Router,
    pub db: Db,
    pub people: HashMap<Who, Person>,
    /// Ana's, Ben's and Cal's records.
    pub a: Owned,
    pub b: Owned,
    pub c: Owned,
    /// Every fixture deal id by external id.
    pub deals: HashMap<&'static str, i64>,
    place: Place,
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

fn deal(ext: &str, owner: &str, stage: &str, dollars: i64) -> NewDeal {
    NewDeal {
        external_id: ext.to_string(),
        name: format!("Deal {ext}"),
        account: Some(format!("Account {ext}")),
        owner: Some(owner.to_string()),
        stage: stage.to_string(),
        amount: Some(dollars * 100),
        currency: "USD".to_string(),
        expected_close: Some(Utc::now().date_naive() + Duration::days(30)),
        created: Some(date("2026-01-15")),
        closed: None,
        outcome: None,
        loss_reason: None,
        product: Some("GTX Pro".to_string()),
        crm_next_step: None,
    }
}

/// Judges `text` as the analysis worker would and stores it as a call on `deal_id`.
pub async fn add_judged_call(db: &Db, deal_id: i64, text: &str, name: &str, day: &str) -> i64 {
    let rules = nextstep_analyzer::Rules::defaults();
    let judged = nextstep_core::ingest::judge(
        text.as_bytes(),
        name,
        None,
        Some(date(day)),
        Utc::now().date_naive(),
        &nextstep_core::ingest::KnownSides::default(),
        &rules,
    )
    .unwrap_or_else(|e| panic!("fixture transcript {name} does not judge: {e}"));
    let (call, _) = db
        .add_call(deal_id, &judged.call, judged.step.as_ref())
        .await
        .expect("add call");
    call.id
}

impl Fixture {
    /// A fixture on SQLite (a fresh file).
    pub async fn sqlite(test: &str) -> Fixture {
        let dir = TempDir::created("server", test);
        let store = SqliteStore::open(dir.path().join("nextstep.db"))
            .await
            .expect("open sqlite");
        Fixture::seed("sqlite", test, Db::Sqlite(store), Place::Sqlite(dir)).await
    }

    /// A fixture on PostgreSQL (a fresh schema), or `None` when none is configured.
    pub async fn postgres(test: &str) -> Option<Fixture> {
        let store = harness::postgres("server", test).await?;
        Some(
            Fixture::seed(
                "postgres",
                test,
                Db::Postgres(store.clone()),
                Place::Postgres(store),
            )
            .await,
        )
    }

    async fn seed(backend: &'static str, test: &str, db: Db, place: Place) -> Fixture {
        let hash = password_hash();
        let users = [
            (Who::Admin, "admin@example.test", Role::Admin, None, None),
            (
                Who::Manager,
                "mia@example.test",
                Role::Manager,
                Some("Mia Manager"),
                None,
            ),
            (
                Who::RepA,
                "ana@example.test",
                Role::Rep,
                Some("Ana Rep"),
                Some("mia@example.test"),
            ),
            (
                Who::RepB,
                "ben@example.test",
                Role::Rep,
                Some("Ben Rep"),
                Some("mia@example.test"),
            ),
            (
                Who::RepC,
                "cal@example.test",
                Role::Rep,
                Some("Cal Rep"),
                None,
            ),
        ];
        let mut people = HashMap::new();
        for (who, email, role, rep, manager) in users {
            let user = db
                .create_user(&NewUser {
                    email: email.to_string(),
                    password_hash: hash.to_string(),
                    role,
                    rep_name: rep.map(str::to_string),
                    manager_email: manager.map(str::to_string),
                })
                .await
                .unwrap_or_else(|e| panic!("user {email}: {e}"));
            let token = random_hex(32).expect("token");
            db.create_api_token(&NewApiToken {
                user_id: user.id,
                name: "tests".into(),
                token_hash: digest(&token),
                expires_at: None,
            })
            .await
            .expect("token");
            let session = random_hex(32).expect("session");
            let csrf = random_hex(16).expect("csrf");
            db.create_session(&NewSession {
                id_hash: digest(&session),
                user_id: user.id,
                csrf: csrf.clone(),
                expires_at: Utc::now() + Duration::days(1),
            })
            .await
            .expect("session");
            people.insert(
                who,
                Person {
                    user,
                    token,
                    session,
                    csrf,
                },
            );
        }
        db.import_deals(&[
            deal("A1", "Ana Rep", "Engaging", 50_000),
            deal("A2", "Ana Rep", "Prospecting", 8_000),
            deal("B1", "Ben Rep", "Engaging", 20_000),
            deal("C1", "Cal Rep", "Engaging", 30_000),
            deal("C2", "Cal Rep", "Prospecting", 4_000),
            deal("M1", "Mia Manager", "Engaging", 12_000),
        ])
        .await
        .expect("import deals");
        let mut deals = HashMap::new();
        for ext in ["A1", "A2", "B1", "C1", "C2", "M1"] {
            let d = db.find_deal(&Scope::All, ext).await.expect("deal");
            deals.insert(ext, d.id);
        }
        let owned = async |ext: &'static str, text: &str, name: &str, day: &str| {
            let deal = deals[ext];
            let call = add_judged_call(&db, deal, text, name, day).await;
            let upload = db
                .create_upload(
                    &Scope::All,
                    &NewUpload {
                        deal_id: deal,
                        user_id: None,
                        file_name: format!("{ext}.vtt"),
                        content: text.as_bytes().to_vec(),
                        call_date: Some(date(day)),
                        job_id: Queue::new_job_id(),
                        idempotency_key: None,
                        sellers: Vec::new(),
                    },
                )
                .await
                .expect("upload")
                .upload;
            Owned {
                deal,
                deal_ext: ext,
                call,
                upload: upload.id,
            }
        };
        let a = owned("A1", CALL_VTT, "01-teams.vtt", "2026-04-14").await;
        let b = owned("B1", CALL_ZOOM, "02-zoom.vtt", "2026-04-15").await;
        let c = owned("C1", CALL_SRT, "03-srt.srt", "2026-04-16").await;

        // Unique per test and process: on PostgreSQL every store shares apalis' tables.
        let namespace = harness::unique(&format!("test-{backend}"), test);
        let queue = Queue::connect(&db, &namespace).await.expect("queue");
        let state = AppState::new(
            db.clone(),
            queue,
            nextstep_analyzer::Rules::defaults(),
            None,
            config(),
        );
        Fixture {
            backend,
            app: nextstep_server::router(state.clone()),
            state,
            db,
            people,
            a,
            b,
            c,
            deals,
            place,
        }
    }

    /// Drops the PostgreSQL schema (a failed test leaves it to look at).
    pub async fn finish(self) {
        let Fixture {
            place,
            db,
            state,
            app,
            ..
        } = self;
        drop(app);
        drop(state);
        match place {
            Place::Sqlite(_dir) => db.close().await,
            // `db` shares the store's pool: dropping the schema needs it open.
            Place::Postgres(store) => store.drop_schema().await.expect("drop schema"),
        }
    }

    /// The same team and queue behind a router with other settings (body limit,
    /// timeout, public URL…).
    pub fn app_with(&self, config: ServerConfig) -> Router {
        let state = AppState::new(
            self.db.clone(),
            self.state.queue().clone(),
            nextstep_analyzer::Rules::defaults(),
            None,
            config,
        );
        nextstep_server::router(state)
    }

    pub fn person(&self, who: Who) -> &Person {
        self.people
            .get(&who)
            .unwrap_or_else(|| panic!("{who:?} has no credentials"))
    }

    /// A request from `who` with a bearer token (none for `Anon`).
    pub fn request(&self, who: Who, method: Method, uri: &str) -> Req {
        let mut req = Req::new(method, uri);
        if who != Who::Anon {
            req = req.header(
                header::AUTHORIZATION.as_str(),
                &format!("Bearer {}", self.person(who).token),
            );
        }
        req
    }

    /// A request from `who` with their session cookie (no CSRF header); none for `Anon`.
    pub fn browser(&self, who: Who, method: Method, uri: &str) -> Req {
        let mut req = Req::new(method, uri);
        if who != Who::Anon {
            req = req.header(
                header::COOKIE.as_str(),
                &format!("{SESSION_COOKIE}={}", self.person(who).session),
            );
        }
        req
    }

    pub async fn send(&self, req: Req) -> Resp {
        req.send(&self.app).await
    }
}

/// A request being built.
pub struct Req {
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    pub fn new(method: Method, uri: &str) -> Req {
        Req {
            method,
            uri: uri.to_string(),
            headers: vec![("host".into(), "nextstep.test".into())],
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn json(self, value: serde_json::Value) -> Req {
        let mut r = self.header("content-type", "application/json");
        r.body = value.to_string().into_bytes();
        r
    }

    pub fn body(mut self, bytes: impl Into<Vec<u8>>, content_type: &str) -> Req {
        self = self.header("content-type", content_type);
        self.body = bytes.into();
        self
    }

    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.uri)
    }

    pub async fn send(self, app: &Router) -> Resp {
        use tower::ServiceExt;
        let what = self.describe();
        let mut builder = Request::builder().method(self.method).uri(&self.uri);
        for (k, v) in &self.headers {
            builder = builder.header(k, v);
        }
        let req = builder.body(Body::from(self.body)).expect("request");
        let res = app
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{what}: body: {e}"))
            .to_bytes()
            .to_vec();
        Resp {
            what,
            status,
            headers,
            body,
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub what: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{}: body is not JSON ({e}): {}", self.what, self.text()))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{} → {}: {}",
            self.what,
            self.status,
            self.text()
        );
        self
    }
}

/// Runs a test body on SQLite and, when configured, PostgreSQL: `both!(name => body)`
/// makes `sqlite::name` and `postgres::name` tests calling `body(Fixture)`.
#[macro_export]
macro_rules! both {
    ($($name:ident => $body:path),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let fx = $crate::support::Fixture::sqlite(stringify!($name)).await;
                    $body(&fx).await;
                    fx.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(fx) = $crate::support::Fixture::postgres(stringify!($name)).await
                    else {
                        return;
                    };
                    $body(&fx).await;
                    fx.finish().await;
                }
            )*
        }
    };
}
