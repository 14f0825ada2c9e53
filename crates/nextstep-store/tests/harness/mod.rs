//! What every story suite needs: a temporary folder for SQLite, a fresh PostgreSQL schema
//! per story, and `stories!`, which runs each story on both backends.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use nextstep_store::PgStore;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A folder removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh folder named after the suite and the story.
    pub fn new(suite: &str, name: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "nextstep-{suite}-{}-{n}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
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

/// A store in a fresh schema, or `None` when no PostgreSQL is configured (a failure
/// under CI, which must run both halves).
pub async fn postgres(suite: &str, test: &str) -> Option<PgStore> {
    let Ok(url) = std::env::var("NEXTSTEP_TEST_POSTGRES_URL") else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but NEXTSTEP_TEST_POSTGRES_URL is not: PostgreSQL story {test} cannot run"
            );
        }
        eprintln!("NEXTSTEP_TEST_POSTGRES_URL is not set: PostgreSQL story {test} skipped");
        return None;
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let schema = format!("{suite}_{}_{n}_{test}", std::process::id());
    Some(
        PgStore::connect_in_schema(&url, &schema)
            .await
            .unwrap_or_else(|e| panic!("NEXTSTEP_TEST_POSTGRES_URL is set but: {e}")),
    )
}

/// `stories!("suite"; story_a, story_b)`: a `sqlite` and a `postgres` test module, one
/// test per story, each on a fresh store (SQLite in a nested folder the store creates).
macro_rules! stories {
    ($suite:literal; $($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let dir = crate::harness::TempDir::new($suite, stringify!($story));
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
                    let Some(store) = crate::harness::postgres($suite, stringify!($story)).await
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

pub(crate) use stories;
