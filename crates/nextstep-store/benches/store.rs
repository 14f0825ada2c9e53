//! The store's two performance promises, measured on 100,000 generated Maven-shaped deals:
//! importing them into a fresh database (target < 5 s on SQLite) and the pipeline report
//! over them once warm (target < 50 ms). SQLite always; PostgreSQL too when
//! `NEXTSTEP_TEST_POSTGRES_URL` is set (a fresh schema per import, dropped at the end).
//!
//! `cargo bench -p nextstep-store --bench store`

use std::cell::RefCell;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use nextstep_core::{DefinedBy, NewCall, NewDeal, NewNextStep, StepSource, Store};
use nextstep_store::{PgStore, SqliteStore};
use tokio::runtime::Runtime;

#[path = "support/maven.rs"]
mod maven;

const DEALS: usize = 100_000;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Gives the open deals some history for the report's joins to find: a call on every 8th
/// (every other one with a bail-out), a step from that call on every 16th, and a manual
/// step on every 16th from the 8th on — 3,000 calls and 3,000 open steps at 100,000 deals.
async fn add_activity<S: Store>(store: &S) {
    let rows = store
        .pipeline(&nextstep_core::Scope::All, None)
        .await
        .expect("pipeline");
    let step = |source| NewNextStep {
        action: "Send a quote for twelve seats".into(),
        kind: "quote".into(),
        owner: "seller".into(),
        due: chrono::NaiveDate::from_ymd_opt(2017, 12, 8),
        defined_by: DefinedBy::Prospect,
        confirmed_by_prospect: true,
        source,
        call_id: None,
        evidence: serde_json::json!([{"speaker": "Ana", "text": "Send me a quote"}]),
    };
    for (i, row) in rows.iter().enumerate() {
        if i % 8 == 0 {
            let call = NewCall {
                date: chrono::NaiveDate::from_ymd_opt(2017, 12, 1).expect("date"),
                source: format!("call-{i}.vtt"),
                format: "webvtt".into(),
                transcript: "WEBVTT".into(),
                speakers: serde_json::json!([]),
                analysis: serde_json::json!({"next_step": null}),
                bail_out: i % 16 == 8,
            };
            let from_call = (i % 16 == 0).then(|| step(StepSource::Call));
            store
                .add_call(row.deal.id, &call, from_call.as_ref())
                .await
                .expect("add call");
        } else if i % 16 == 9 {
            store
                .set_next_step(row.deal.id, &step(StepSource::Manual))
                .await
                .expect("set step");
        }
    }
}

fn bench_sqlite(c: &mut Criterion) {
    let rt = runtime();
    let deals = maven::deals(DEALS, 42);
    let dir = std::env::temp_dir().join(format!("nextstep-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        let path: PathBuf = dir.join(format!("import-{n}.db"));
        rt.block_on(SqliteStore::open(path)).expect("open sqlite")
    };

    let mut group = c.benchmark_group("sqlite");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("import_100k_deals", |b| {
        b.iter_batched(
            &mut fresh,
            |store| {
                let stats = rt.block_on(store.import_deals(&deals)).expect("import");
                assert_eq!(stats.imported, DEALS as u64);
                store
            },
            BatchSize::PerIteration,
        )
    });

    let store = fresh();
    rt.block_on(async {
        store.import_deals(&deals).await.expect("import");
        add_activity(&store).await;
    });
    bench_pipeline(&mut group, &rt, &store, &deals);
    group.finish();
    rt.block_on(store.close());
    let _ = std::fs::remove_dir_all(&dir);
}

fn bench_pipeline<S: Store, M: criterion::measurement::Measurement>(
    group: &mut criterion::BenchmarkGroup<'_, M>,
    rt: &Runtime,
    store: &S,
    deals: &[NewDeal],
) {
    let open = deals.iter().filter(|d| d.outcome.is_none()).count();
    let owner = deals[0].owner.clone().expect("owner");
    // Warm: the first run reads the pages in.
    assert_eq!(
        rt.block_on(store.pipeline(&nextstep_core::Scope::All, None))
            .expect("pipeline")
            .len(),
        open
    );
    group.bench_function("pipeline_100k_deals", |b| {
        b.iter(|| {
            rt.block_on(store.pipeline(&nextstep_core::Scope::All, None))
                .expect("pipeline")
        })
    });
    group.bench_function("pipeline_100k_deals_one_owner", |b| {
        b.iter(|| {
            rt.block_on(store.pipeline(&nextstep_core::Scope::All, Some(&owner)))
                .expect("pipeline")
        })
    });
}

fn bench_postgres(c: &mut Criterion) {
    let Some(url) = nextstep_synth::harness::postgres_url("the PostgreSQL benchmarks") else {
        return;
    };
    let rt = runtime();
    let deals = maven::deals(DEALS, 42);
    let stores = RefCell::new(Vec::new());
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        let schema = format!("bench_{}_{n}", std::process::id());
        let store = rt
            .block_on(PgStore::connect_in_schema(&url, &schema))
            .expect("connect");
        stores.borrow_mut().push(store.clone());
        store
    };

    let mut group = c.benchmark_group("postgres");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("import_100k_deals", |b| {
        b.iter_batched(
            &mut fresh,
            |store| {
                let stats = rt.block_on(store.import_deals(&deals)).expect("import");
                assert_eq!(stats.imported, DEALS as u64);
                store
            },
            BatchSize::PerIteration,
        )
    });

    let store = fresh();
    rt.block_on(async {
        store.import_deals(&deals).await.expect("import");
        add_activity(&store).await;
    });
    bench_pipeline(&mut group, &rt, &store, &deals);
    group.finish();
    for store in stores.into_inner() {
        rt.block_on(store.drop_schema()).expect("drop schema");
    }
}

criterion_group!(benches, bench_sqlite, bench_postgres);
criterion_main!(benches);
