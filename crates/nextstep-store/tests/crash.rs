//! A process killed in the middle of an import leaves the SQLite file exactly as before.
//!
//! The test re-runs its own binary as a child (`child_import`, which does nothing unless
//! `NEXTSTEP_CRASH_CHILD_DB` names a file), waits until the child has started a large
//! import, kills it with SIGKILL and compares the reopened database with what it held.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use nextstep_core::{Deal, DealFilter, Store};
use nextstep_store::SqliteStore;

#[path = "../benches/support/maven.rs"]
#[allow(dead_code)]
mod maven;

const CHILD_ENV: &str = "NEXTSTEP_CRASH_CHILD_DB";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Everything the import could have touched.
async fn snapshot(db: &Path) -> (Vec<Deal>, usize, usize) {
    let store = SqliteStore::open(db).await.expect("reopen");
    let deals = store
        .list_deals(&DealFilter::default())
        .await
        .expect("deals");
    let mut history = 0;
    for d in &deals {
        history += store.stage_history(d.id).await.expect("history").len();
    }
    let reps = store.list_reps().await.expect("reps").len();
    store.close().await;
    (deals, history, reps)
}

#[test]
fn killed_import_leaves_the_database_as_before() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir =
        TempDir(std::env::temp_dir().join(format!("nextstep-store-crash-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let db = dir.0.join("nextstep.db");
    let rt = runtime();
    rt.block_on(async {
        let store = SqliteStore::open(&db).await.expect("open");
        store
            .import_deals(&maven::deals(500, 1))
            .await
            .expect("seed");
        store.close().await;
    });
    let before = rt.block_on(snapshot(&db));

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "child_import", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    // libtest prints `test child_import ... ` before the child's own words, on their line.
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let started = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.ends_with("importing"));
    assert!(started, "the child never started importing");
    std::thread::sleep(Duration::from_millis(500));
    child.kill().expect("kill");
    child.wait().expect("wait");
    let finished = lines.map_while(Result::ok).any(|l| l.ends_with("imported"));
    assert!(
        !finished,
        "the child finished before it was killed: make its import bigger"
    );

    let after = rt.block_on(snapshot(&db));
    assert_eq!(after.0.len(), before.0.len(), "deal count");
    assert_eq!(after, before);
}

/// A folder removed when the test ends, passed or failed.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The child's side: a 300,000-deal import (new deals and changes to the seeded ones)
/// that the parent kills half-way.
#[test]
fn child_import() {
    let Some(db) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut deals = maven::deals(300_000, 2);
    for d in maven::deals(500, 1).iter_mut() {
        d.stage = "Lost".into();
        deals.push(d.clone());
    }
    runtime().block_on(async {
        let store = SqliteStore::open(&db).await.expect("open");
        println!("importing");
        store.import_deals(&deals).await.expect("import");
        println!("imported");
    });
}
