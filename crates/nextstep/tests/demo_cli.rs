//! `nextstep demo` seeds a team whose scorecard ranks the rep who always asks best and
//! the one who bails out under pressure worst, and every report traces to call ids.

use assert_cmd::Command;
use serde_json::Value;

#[test]
fn the_demo_team_ranks_the_asker_best_and_the_bail_out_rep_worst() {
    let dir = std::env::temp_dir().join(format!("ns-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("demo.db");
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("nextstep")
            .unwrap()
            .env_remove("NEXTSTEP_DATABASE_URL")
            .arg("--db")
            .arg(&db)
            .args(args)
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let shown = run(&["demo", "--today", "2026-09-01"]);
    for section in ["Pipeline hygiene", "Team scorecard", "Forecast"] {
        assert!(
            shown.contains(section),
            "the demo prints the {section}: {shown}"
        );
    }
    let coach: Value = serde_json::from_str(&run(&["coach", "--json"])).unwrap();
    let ranking: Vec<&str> = coach["team"]["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(ranking.first(), Some(&"Priya Raman"), "{ranking:?}");
    assert_eq!(ranking.last(), Some(&"Jordan Pike"), "{ranking:?}");
    for rep in coach["reps"].as_array().unwrap() {
        let calls = rep["calls"].as_u64().unwrap() as usize;
        assert_eq!(
            rep["call_ids"].as_array().unwrap().len(),
            calls,
            "{}",
            rep["name"]
        );
        let parts: f64 = rep["parts"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p["contribution"].as_f64().unwrap_or(0.0))
            .sum();
        let index = rep["need_for_approval"].as_f64().unwrap();
        assert!(
            (parts - index).abs() < 1e-6,
            "{}: parts {parts} != index {index}",
            rep["name"]
        );
    }
    // Running it again on the same database shows the same team instead of doubling it.
    run(&["demo", "--today", "2026-09-01"]);
    let again: Value = serde_json::from_str(&run(&["coach", "--json"])).unwrap();
    assert_eq!(again["team"]["calls"], coach["team"]["calls"]);
    // The backtest runs on the demo data.
    let bt: Value = serde_json::from_str(&run(&["forecast", "backtest", "--json"])).unwrap();
    assert!(bt["n_test"].as_u64().unwrap() > 0);
    assert!(bt["model"]["brier"].as_f64().unwrap().is_finite());
}
