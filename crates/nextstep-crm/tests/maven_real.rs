//! The real Maven CRM data set, when the project's shared data is beside the checkout
//! (`../shared/data/crm-sales-opportunities/`, as on CI). Users' clones do not have it, so
//! each test prints a note and passes when it is absent; `fixtures/maven_*` keep the Maven
//! preset covered either way.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::path::PathBuf;

use nextstep_core::model::Outcome;
use nextstep_crm::{Preset, read_accounts, read_deals, read_reps};

fn shared(name: &str) -> Option<File> {
    let dir = std::env::var_os("NEXTSTEP_MAVEN_DIR").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/crm-sales-opportunities")
        },
        PathBuf::from,
    );
    let path = dir.join(name);
    match File::open(&path) {
        Ok(file) => Some(file),
        Err(_) => {
            eprintln!(
                "note: {} not found; skipping the real-data test",
                path.display()
            );
            None
        }
    }
}

#[test]
fn real_sales_pipeline_reads_whole() {
    let Some(file) = shared("sales_pipeline.csv") else {
        return;
    };
    let file = read_deals(file, None, None).unwrap();
    assert_eq!(file.preset, Some(Preset::Maven));
    assert!(
        file.rejects.is_empty(),
        "{:#?}",
        &file.rejects[..file.rejects.len().min(5)]
    );
    assert_eq!(file.deals.len(), 8800);
    let count = |o: Option<Outcome>| file.deals.iter().filter(|d| d.outcome == o).count();
    assert_eq!(count(None), 2089);
    assert_eq!(count(Some(Outcome::Won)), 4238);
    assert_eq!(count(Some(Outcome::Lost)), 2473);
    let mut stages: BTreeMap<&str, usize> = BTreeMap::new();
    for deal in &file.deals {
        *stages.entry(deal.stage.as_str()).or_default() += 1;
    }
    assert_eq!(
        stages.into_iter().collect::<Vec<_>>(),
        [
            ("Engaging", 1589),
            ("Lost", 2473),
            ("Prospecting", 500),
            ("Won", 4238)
        ]
    );
    // Open deals: no amount, no closed date; 1,425 have no account.
    let open: Vec<_> = file.deals.iter().filter(|d| d.outcome.is_none()).collect();
    assert!(
        open.iter()
            .all(|d| d.amount.is_none() && d.closed.is_none())
    );
    assert_eq!(open.iter().filter(|d| d.account.is_none()).count(), 1425);
    assert_eq!(
        file.deals.iter().filter(|d| d.account.is_none()).count(),
        1425
    );
    assert!(
        open.iter()
            .filter(|d| d.account.is_none())
            .all(|d| d.name.ends_with(" – no account"))
    );
    // Closed deals: a closed date, an amount (0 for lost ones).
    for deal in file.deals.iter().filter(|d| d.outcome.is_some()) {
        assert!(deal.closed.is_some() && deal.created.is_some(), "{deal:?}");
        match deal.outcome {
            Some(Outcome::Lost) => assert_eq!(deal.amount, Some(0), "{deal:?}"),
            _ => assert!(deal.amount.unwrap() > 0, "{deal:?}"),
        }
    }
    assert!(
        file.deals
            .iter()
            .all(|d| d.product.as_deref() != Some("GTXPro"))
    );
    assert_eq!(
        file.deals
            .iter()
            .filter(|d| d.product.as_deref() == Some("GTX Pro"))
            .count(),
        1480
    );
    assert!(file.deals.iter().all(|d| d.currency == "USD"));
    let ids: HashSet<&str> = file.deals.iter().map(|d| d.external_id.as_str()).collect();
    assert_eq!(ids.len(), 8800);
    let owners: HashSet<&str> = file
        .deals
        .iter()
        .filter_map(|d| d.owner.as_deref())
        .collect();
    assert_eq!(owners.len(), 30, "30 of the 35 agents have deals");
    let accounts: HashSet<&str> = file
        .deals
        .iter()
        .filter_map(|d| d.account.as_deref())
        .collect();
    assert_eq!(accounts.len(), 85);
    let first = file.deals.iter().filter_map(|d| d.created).min().unwrap();
    let last = file.deals.iter().filter_map(|d| d.closed).max().unwrap();
    assert_eq!(
        (first.to_string(), last.to_string()),
        ("2016-10-20".into(), "2017-12-31".into())
    );

    // Every owner and account is in the side tables.
    if let (Some(teams), Some(accounts_file)) = (shared("sales_teams.csv"), shared("accounts.csv"))
    {
        let reps = read_reps(teams).unwrap();
        let names: HashSet<&str> = reps.reps.iter().map(|r| r.name.as_str()).collect();
        assert!(owners.iter().all(|o| names.contains(o)));
        let known = read_accounts(accounts_file).unwrap();
        let names: HashSet<&str> = known.accounts.iter().map(|a| a.name.as_str()).collect();
        assert!(accounts.iter().all(|a| names.contains(a)));
    }
}

#[test]
fn real_side_tables_match_the_fixture_copies() {
    let (Some(accounts), Some(teams)) = (shared("accounts.csv"), shared("sales_teams.csv")) else {
        return;
    };
    let fixture = |name: &str| {
        File::open(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
        .unwrap()
    };
    let real = read_accounts(accounts).unwrap();
    assert_eq!(real.accounts.len(), 85);
    assert!(real.rejects.is_empty());
    assert_eq!(real, read_accounts(fixture("maven_accounts.csv")).unwrap());
    let real = read_reps(teams).unwrap();
    assert_eq!(real.reps.len(), 35);
    assert!(real.rejects.is_empty());
    assert_eq!(real, read_reps(fixture("maven_sales_teams.csv")).unwrap());
}
