//! The both-databases test harness (the `harness` feature): what every suite that runs on
//! SQLite and PostgreSQL shares — a temporary folder, the one reading of
//! `NEXTSTEP_TEST_POSTGRES_URL`, a fresh PostgreSQL schema per story, and [`stories!`],
//! which runs each story on both backends.
//!
//! Why one harness: the store's, the server's and the CLI's suites each read the variable
//! and decided what its absence means; now they all skip with a note when it is unset,
//! and fail under `CI`, which must run both halves.
//!
//! [`stories!`]: crate::stories

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use nextstep_store::PgStore;

/// The variable naming the PostgreSQL server tests run against.
pub const POSTGRES_URL_VAR: &str = "NEXTSTEP_TEST_POSTGRES_URL";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other call in this process gets: `{prefix}_{pid}_{n}_{name}` (schema
/// names, file names), so parallel tests never share a database.
pub fn unique(prefix: &str, name: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}_{}_{n}_{name}", std::process::id())
}

/// A folder removed on drop (not created: a store creates its own folders).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, absent folder named after the suite and the test.
    pub fn new(suite: &str, name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("nextstep-{}", unique(suite, name)));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    /// Like [`TempDir::new`], with the folder created.
    pub fn created(suite: &str, name: &str) -> Self {
        let dir = TempDir::new(suite, name);
        std::fs::create_dir_all(dir.path()).expect("create the temporary folder");
        dir
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL URL tests run against, or `None` with a note that `test` is skipped.
/// Panics when `CI` is set without it: CI runs both halves of every suite.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but {POSTGRES_URL_VAR} is not: PostgreSQL test {test} cannot run")
        }
        Err(_) => {
            eprintln!("{POSTGRES_URL_VAR} is not set: PostgreSQL test {test} skipped");
            None
        }
    }
}

/// A store in `schema` (created and migrated if new; two calls with one name share it),
/// or `None` when no PostgreSQL is configured. Panics when one is configured but cannot
/// be reached.
pub async fn postgres_in(schema: &str) -> Option<PgStore> {
    let url = postgres_url(schema)?;
    Some(
        PgStore::connect_in_schema(&url, schema)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is set but: {e}")),
    )
}

/// A store in a fresh schema named after the suite and the test, or `None` when no
/// PostgreSQL is configured. Drop it with `PgStore::drop_schema` when the test passed.
pub async fn postgres(suite: &str, test: &str) -> Option<PgStore> {
    postgres_in(&unique(suite, test)).await
}

/// A whole PostgreSQL database of its own, created with `psql` and dropped (`WITH
/// (FORCE)`) on drop: for tests that run the `nextstep` binary or the server against a
/// URL, where a schema cannot be chosen per connection.
#[derive(Debug)]
pub struct PgDatabase {
    server: String,
    base: String,
    name: String,
}

impl PgDatabase {
    /// A fresh database named after the suite and the test, or `None` (with a note, and a
    /// panic under `CI`) when no PostgreSQL is configured. Panics when `psql` cannot
    /// create it.
    pub fn create(suite: &str, test: &str) -> Option<Self> {
        let base = postgres_url(test)?;
        let name = unique(suite, test).to_lowercase().replace('-', "_");
        let Some((server, _)) = base.rsplit_once('/') else {
            panic!("{POSTGRES_URL_VAR} has no database part: {base}");
        };
        let created = psql(&base, &format!("CREATE DATABASE {name}"));
        assert!(created.0, "psql cannot create {name}: {}", created.1);
        Some(PgDatabase {
            server: server.to_string(),
            base,
            name,
        })
    }

    /// The database's URL.
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = psql(
            &self.base,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Runs one statement with `psql` on `url`: whether it succeeded, and its error output.
fn psql(url: &str, sql: &str) -> (bool, String) {
    match std::process::Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
    {
        Ok(out) => (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        Err(e) => (false, format!("psql does not run: {e}")),
    }
}

/// `stories!("suite"; story_a, story_b)`: a `sqlite` and a `postgres` test module, one
/// test per story (`async fn story(store: &S)`), each on a fresh store (SQLite in a
/// nested folder the store creates; PostgreSQL in a fresh schema, dropped when the story
/// passed). The calling crate needs `tokio` and `nextstep-store`.
#[macro_export]
macro_rules! stories {
    ($suite:literal; $($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let dir = $crate::harness::TempDir::new($suite, stringify!($story));
                    let store =
                        nextstep_store::SqliteStore::open(dir.path().join("data/nextstep.db"))
                            .await
                            .expect("open sqlite");
                    super::$story(&store).await;
                    store.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    let Some(store) =
                        $crate::harness::postgres($suite, stringify!($story)).await
                    else {
                        return;
                    };
                    super::$story(&store).await;
                    store.drop_schema().await.expect("drop schema");
                }
            )*
        }
    };
}
