//! The forecast backtest on the real Maven "CRM Sales Opportunities" data set, when the
//! project's shared data is beside the checkout (`../shared/data/`, as on CI). Users'
//! clones do not have it, so the test then prints a note and passes.
//!
//! The Maven set has outcomes, owners, products, engage and close dates, but no calls, no
//! next steps, no expected close and no stage history; its lost deals carry a close value
//! of 0. Only sanity is asserted; the figures are printed for the README.

use std::fs::File;
use std::path::PathBuf;

use chrono::NaiveDate;
use nextstep_core::Deal;
use nextstep_core::dataset::Dataset;
use nextstep_insight::backtest::{backtest, reliability_svg};
use nextstep_insight::forecast::forecast;

fn maven_file() -> Option<File> {
    let candidates = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/crm-sales-opportunities/sales_pipeline.csv"),
        PathBuf::from("/work/shared/data/crm-sales-opportunities/sales_pipeline.csv"),
    ];
    candidates.iter().find_map(|p| File::open(p).ok())
}

fn maven_dataset(file: File) -> Dataset {
    let read = nextstep_crm::read_deals(file, None, None).expect("the Maven file reads");
    assert!(
        read.rejects.is_empty(),
        "Maven rows rejected: {:?}",
        read.rejects.len()
    );
    let deals = read
        .deals
        .into_iter()
        .enumerate()
        .map(|(i, d)| Deal {
            id: i as i64 + 1,
            external_id: Some(d.external_id),
            name: d.name,
            account: d.account,
            owner: d.owner,
            stage: d.stage,
            amount: d.amount,
            currency: d.currency,
            expected_close: d.expected_close,
            created: d.created,
            closed: d.closed,
            outcome: d.outcome,
            loss_reason: d.loss_reason,
            product: d.product,
            crm_next_step: d.crm_next_step,
        })
        .collect();
    Dataset {
        deals,
        ..Dataset::default()
    }
}

#[test]
fn maven_backtest_runs_and_is_sane() {
    let Some(file) = maven_file() else {
        println!("note: Maven data set not found beside the checkout; skipping the Maven backtest");
        return;
    };
    let data = maven_dataset(file);
    let mut closed: Vec<NaiveDate> = data
        .deals
        .iter()
        .filter(|d| d.outcome.is_some())
        .filter_map(|d| d.closed)
        .collect();
    closed.sort();
    // 70 % of the closed deals close before the cutoff (ties on the cutoff day go to test).
    let cutoff = closed[closed.len() * 7 / 10];
    let report = backtest(&data, cutoff).expect("the Maven set has plenty of closed deals");

    println!(
        "Maven backtest, cutoff {cutoff}: n_train {} n_test {}",
        report.n_train, report.n_test
    );
    for (name, m) in [("model", &report.model), ("baseline", &report.baseline)] {
        println!(
            "  {name:8} Brier {:.4}  log loss {:.4}  AUC {}",
            m.brier,
            m.log_loss,
            m.auc.map_or("n/a".into(), |a| format!("{a:.4}"))
        );
        for b in &m.calibration {
            if b.count > 0 {
                println!(
                    "    [{:.1}, {:.1}) predicted {:.3} observed {:.3} n {}",
                    b.lower,
                    b.upper,
                    b.mean_predicted.unwrap(),
                    b.observed_rate.unwrap(),
                    b.count
                );
            }
        }
    }

    assert_eq!(report.n_train + report.n_test, closed.len());
    for m in [&report.model, &report.baseline] {
        assert!(m.brier.is_finite() && (0.0..=1.0).contains(&m.brier));
        assert!(m.log_loss.is_finite() && m.log_loss >= 0.0);
        let auc = m.auc.expect("both outcomes after the cutoff");
        assert!((0.0..=1.0).contains(&auc));
        let binned: usize = m.calibration.iter().map(|b| b.count).sum();
        assert_eq!(binned, report.n_test);
    }
    let svg = reliability_svg(&report);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));

    // The forecast of the deals still open at the end of the data runs too.
    let last = *closed.last().unwrap();
    let f = forecast(&data, None, last);
    assert!(f.model.available);
    let open = data.deals.iter().filter(|d| d.is_open()).count();
    assert_eq!(f.deals.len(), open);
    assert_eq!(f.without_expected_close.len(), open);
    let overall = f.totals.last().unwrap();
    println!(
        "Maven forecast as of {last}: {} open deals, model {:?} vs baseline {:?} deals per category",
        f.deals.len(),
        f.totals
            .iter()
            .map(|t| (t.category.clone(), t.model.as_ref().map(|m| m.deals)))
            .collect::<Vec<_>>(),
        f.totals
            .iter()
            .map(|t| (t.category.clone(), t.baseline.as_ref().map(|m| m.deals)))
            .collect::<Vec<_>>(),
    );
    assert_eq!(overall.model.as_ref().unwrap().deals, open);
}
