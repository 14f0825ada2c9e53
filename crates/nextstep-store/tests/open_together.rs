//! Processes that open one new SQLite file at the same moment (a server and its workers
//! started together) all migrate it: none fails on another's half-applied migration.

use nextstep_core::Store;
use nextstep_store::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_opened_together_on_a_new_file_all_open() {
    for round in 0..12 {
        let dir = std::env::temp_dir().join(format!(
            "nextstep-open-together-{}-{round}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("nextstep.db");
        let opens = (0..3).map(|_| SqliteStore::open(&path));
        let stores: Vec<SqliteStore> = futures::future::join_all(opens)
            .await
            .into_iter()
            .map(|r| r.expect("every process opens and migrates the new file"))
            .collect();
        for s in &stores {
            assert_eq!(s.list_reps().await.expect("the schema is there").len(), 0);
            s.close().await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
