//! The backtest metrics on hand-computed inputs: Brier score, clipped log loss, ROC AUC
//! with ties, and the calibration bins; plus AUC against a brute-force pair count.

use nextstep_insight::backtest::{
    CALIBRATION_BINS, LOG_LOSS_EPS, Metrics, brier_score, calibration, log_loss, roc_auc,
};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn y(bits: &[u8]) -> Vec<bool> {
    bits.iter().map(|b| *b == 1).collect()
}

#[test]
fn brier_table() {
    let table: &[(&[f64], &[u8], f64)] = &[
        (&[1.0, 0.0], &[1, 0], 0.0),
        (&[0.0, 1.0], &[1, 0], 1.0),
        (&[0.5, 0.5, 0.5, 0.5], &[1, 0, 1, 0], 0.25),
        // (0.1² + 0.2²) / 2
        (&[0.9, 0.2], &[1, 0], 0.025),
        // (0.3² + 0.6² + 0.4²) / 3 = (0.09 + 0.36 + 0.16) / 3
        (&[0.7, 0.6, 0.6], &[1, 0, 1], 0.61 / 3.0),
    ];
    for (p, won, want) in table {
        let got = brier_score(p, &y(won));
        assert!(close(got, *want), "brier {p:?} {won:?}: {got} != {want}");
    }
    assert!(brier_score(&[], &[]).is_nan());
}

#[test]
fn log_loss_table() {
    let clipped = -(LOG_LOSS_EPS.ln());
    let table: &[(&[f64], &[u8], f64)] = &[
        (&[0.5], &[1], std::f64::consts::LN_2),
        (&[0.5], &[0], std::f64::consts::LN_2),
        // -(ln 0.8 + ln 0.7) / 2
        (
            &[0.8, 0.3],
            &[1, 0],
            (0.223_143_551_314_209_7 + 0.356_674_943_938_732_4) / 2.0,
        ),
        // A certain miss is clipped, not infinite: -ln(1e-15) ≈ 34.54.
        (&[0.0], &[1], clipped),
        (&[1.0], &[0], clipped),
        (&[0.0, 1.0], &[1, 1], clipped / 2.0),
        // A certain hit costs (almost) nothing.
        (&[1.0, 0.0], &[1, 0], 0.0),
    ];
    for (p, won, want) in table {
        let got = log_loss(p, &y(won));
        assert!(got.is_finite());
        assert!(
            (got - want).abs() < 1e-6,
            "log loss {p:?} {won:?}: {got} != {want}"
        );
    }
    assert!(close(clipped, 34.538_776_394_910_684));
}

#[test]
fn auc_table_with_ties() {
    let table: &[(&[f64], &[u8], Option<f64>)] = &[
        // scikit-learn's documented example.
        (&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1], Some(0.75)),
        (&[0.1, 0.2, 0.8, 0.9], &[0, 0, 1, 1], Some(1.0)),
        (&[0.9, 0.8, 0.2, 0.1], &[0, 0, 1, 1], Some(0.0)),
        // A win and a loss tied: one half.
        (&[0.5, 0.5], &[1, 0], Some(0.5)),
        // Every score tied: chance, whatever the order.
        (&[0.3, 0.3, 0.3, 0.3, 0.3], &[1, 0, 0, 1, 0], Some(0.5)),
        // Pairs (win, loss): (0.5, 0.2) 1, (0.5, 0.5) ½, (0.9, 0.2) 1, (0.9, 0.5) 1 → 3.5 / 4.
        (&[0.2, 0.5, 0.5, 0.9], &[0, 1, 0, 1], Some(0.875)),
        // Ties between wins do not matter: each 0.7 beats the 0.1 and loses to the 0.8 → 2 / 4.
        (&[0.7, 0.7, 0.1, 0.8], &[1, 1, 0, 0], Some(0.5)),
        // One outcome only: undefined.
        (&[0.2, 0.9], &[1, 1], None),
        (&[0.2, 0.9], &[0, 0], None),
        (&[], &[], None),
    ];
    for (p, won, want) in table {
        let got = roc_auc(p, &y(won));
        match (got, want) {
            (Some(g), Some(w)) => assert!(close(g, *w), "auc {p:?} {won:?}: {g} != {w}"),
            (None, None) => {}
            _ => panic!("auc {p:?} {won:?}: {got:?} != {want:?}"),
        }
    }
}

/// AUC equals the share of (win, loss) pairs ordered right, ties counting ½, on
/// pseudo-random scores with many ties.
#[test]
fn auc_matches_pair_count() {
    let mut state: u64 = 7;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    for round in 0..50 {
        let n = 5 + round % 40;
        let p: Vec<f64> = (0..n).map(|_| f64::from(next() % 7) / 6.0).collect();
        let won: Vec<bool> = (0..n).map(|_| next() % 3 == 0).collect();
        let mut pairs = 0.0;
        let mut good = 0.0;
        for i in 0..n {
            for j in 0..n {
                if won[i] && !won[j] {
                    pairs += 1.0;
                    good += match p[i].partial_cmp(&p[j]).unwrap() {
                        std::cmp::Ordering::Greater => 1.0,
                        std::cmp::Ordering::Equal => 0.5,
                        std::cmp::Ordering::Less => 0.0,
                    };
                }
            }
        }
        let want = (pairs > 0.0).then(|| good / pairs);
        match (roc_auc(&p, &won), want) {
            (Some(g), Some(w)) => assert!(close(g, w), "round {round}: {g} != {w}"),
            (None, None) => {}
            (g, w) => panic!("round {round}: {g:?} != {w:?}"),
        }
    }
}

#[test]
fn calibration_bins_table() {
    let p = [0.05, 0.15, 0.12, 0.95, 1.0, 0.1, 0.0];
    let won = y(&[0, 1, 0, 1, 1, 0, 0]);
    let bins = calibration(&p, &won);
    assert_eq!(bins.len(), CALIBRATION_BINS);
    // (bin, mean predicted, observed rate, count)
    let want: &[(usize, f64, f64, usize)] = &[
        (0, 0.025, 0.0, 2),            // 0.05, 0.0
        (1, 0.37 / 3.0, 1.0 / 3.0, 3), // 0.15, 0.12, 0.10 (a lower edge is in its bin)
        (9, 0.975, 1.0, 2),            // 0.95, 1.0 (1.0 is in the last bin)
    ];
    for (i, b) in bins.iter().enumerate() {
        assert!(close(b.lower, i as f64 / 10.0) && close(b.upper, (i + 1) as f64 / 10.0));
        match want.iter().find(|w| w.0 == i) {
            Some((_, mp, obs, n)) => {
                assert_eq!(b.count, *n, "bin {i}");
                assert!(close(b.mean_predicted.unwrap(), *mp), "bin {i}: {b:?}");
                assert!(close(b.observed_rate.unwrap(), *obs), "bin {i}: {b:?}");
            }
            None => {
                assert_eq!(b.count, 0, "bin {i}");
                assert_eq!((b.mean_predicted, b.observed_rate), (None, None));
            }
        }
    }
}

#[test]
fn metrics_serialise_in_the_backtest_shape() {
    let m = Metrics::compute(&[0.2, 0.8], &y(&[0, 1]));
    let v = serde_json::to_value(&m).unwrap();
    for key in ["brier", "log_loss", "auc", "calibration"] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["calibration"].as_array().unwrap().len(), 10);
    assert_eq!(v["auc"], 1.0);
    let one_sided = serde_json::to_value(Metrics::compute(&[0.2], &y(&[1]))).unwrap();
    assert!(one_sided["auc"].is_null());
}
