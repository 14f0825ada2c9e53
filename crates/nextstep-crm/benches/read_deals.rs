//! Reading a 100,000-row deals file in the Maven shape (the import benchmark is
//! this plus the store's transaction). Run: `cargo bench -p nextstep-crm`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nextstep_crm::read_deals;

/// 100,000 Maven-shaped rows, every stage, GTXPro included.
fn generate(rows: usize) -> Vec<u8> {
    let mut out = String::from(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n",
    );
    let stages = ["Prospecting", "Engaging", "Won", "Lost"];
    for i in 0..rows {
        let stage = stages[i % 4];
        let (engaged, closed, value) = match stage {
            "Prospecting" => ("", "", String::new()),
            "Engaging" => ("2017-01-02", "", String::new()),
            "Won" => ("2017-01-02", "2017-05-06", (i % 5000).to_string()),
            _ => ("2017-01-02", "2017-05-06", "0".to_owned()),
        };
        let account = if i % 6 == 0 {
            String::new()
        } else {
            format!("Account {}", i % 85)
        };
        out.push_str(&format!(
            "ID{i:08},Agent {},GTXPro,{account},{stage},{engaged},{closed},{value}\n",
            i % 35
        ));
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let data = generate(100_000);
    let mut group = c.benchmark_group("read_deals");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    group.bench_function("maven_100k_rows", |b| {
        b.iter(|| {
            let file = read_deals(&data[..], None, None).unwrap();
            assert_eq!(file.deals.len(), 100_000);
            file
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
