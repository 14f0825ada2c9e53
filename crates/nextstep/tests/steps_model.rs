//! The shipped step chooser is data rebuilt by one command: `scripts/train-steps.sh`
//! trains it on the repository's labelled calls, and a fresh run of `nextstep
//! train-steps` on the same sets gives the shipped weights. A change to the analyzer, the
//! labelled calls or the trainer that is not followed by a retrain fails here.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn nextstep(args: &[String]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nextstep"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("run nextstep");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn shipped() -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join("crates/nextstep-analyzer/model/steps.json"))
        .expect("the shipped chooser");
    serde_json::from_str(&text).expect("the shipped chooser is JSON")
}

#[test]
fn a_fresh_training_run_rebuilds_the_shipped_chooser() {
    let shipped = shipped();
    let out = std::env::temp_dir().join(format!("nextstep-steps-{}.json", std::process::id()));
    let mut args = vec!["train-steps".to_string()];
    for set in shipped["trained_on"].as_array().expect("trained_on") {
        let set = set.as_str().expect("a labels path");
        let calls = if set.starts_with("tests/corpus/") {
            format!("{set}:tests/corpus/calls")
        } else {
            set.to_string()
        };
        args.extend(["--calls".to_string(), calls]);
    }
    args.extend(["--out".to_string(), out.display().to_string()]);
    let (ok, stdout, stderr) = nextstep(&args);
    assert!(ok, "train-steps failed: {stderr}");
    assert!(stdout.contains("trained on"), "{stdout}");
    let fresh: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    std::fs::remove_file(&out).ok();
    assert_eq!(fresh["calls"], shipped["calls"]);
    let (a, b) = (
        fresh["weights"].as_array().unwrap(),
        shipped["weights"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
        assert!(
            (x - y).abs() < 1e-3,
            "weight {} ({}) is {y} shipped but {x} from a fresh run; run scripts/train-steps.sh",
            i,
            shipped["features"][i]
        );
    }
}

#[test]
fn the_shipped_chooser_never_trained_on_a_set_awaiting_its_first_run() {
    // Every fresh set is listed in tests/fresh/README.md with its first run; a set may be
    // trained on only once that row exists.
    let readme = std::fs::read_to_string(repo().join("tests/fresh/README.md")).unwrap();
    for set in shipped()["trained_on"].as_array().unwrap() {
        let set = set.as_str().unwrap();
        if let Some(name) = set
            .strip_prefix("tests/fresh/")
            .and_then(|s| s.strip_suffix("/labels.jsonl"))
        {
            assert!(
                readme.contains(&format!("| `{name}/` |")),
                "{set} is trained on but has no first-run row in tests/fresh/README.md"
            );
        }
    }
}

#[test]
fn a_bad_label_line_is_named_by_file_and_line() {
    let dir = std::env::temp_dir().join(format!("nextstep-steps-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let labels = dir.join("labels.jsonl");
    std::fs::write(
        &labels,
        "{\"file\": \"a.txt\", \"date\": \"2026-01-05\", \"seller\": [\"A\"], \"defined_by\": \"seller\", \"kind\": [\"quote\"]}\n{\"file\": \"b.txt\", \"date\": \"2026-01-05\", \"seller\": [\"A\"], \"defined_by\": \"maybe\", \"kind\": null}\n",
    )
    .unwrap();
    let (ok, _, stderr) = nextstep(&[
        "train-steps".into(),
        "--calls".into(),
        labels.display().to_string(),
        "--out".into(),
        dir.join("out.json").display().to_string(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(!ok);
    assert!(stderr.contains("labels.jsonl:2"), "{stderr}");
    assert!(stderr.contains("defined_by"), "{stderr}");
}

#[test]
fn steps_none_keeps_the_rules_pick_and_a_bad_file_is_named() {
    let call = repo().join("tests/corpus/calls/a01.vtt");
    let base = |extra: &[&str]| {
        let mut a: Vec<String> = [
            "analyze",
            "--json",
            "--date",
            "2025-03-11",
            "--seller",
            "Priya Raman",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a.push(call.display().to_string());
        a
    };
    let (ok, out, err) = nextstep(&base(&["--steps", "none"]));
    assert!(ok, "{err}");
    assert!(out.contains("\"next_step\""), "{out}");
    let bad = std::env::temp_dir().join(format!(
        "nextstep-steps-badfile-{}.json",
        std::process::id()
    ));
    std::fs::write(&bad, "{\"format\": \"nextstep-steps/0\"}").unwrap();
    let (ok, _, err) = nextstep(&base(&["--steps", bad.to_str().unwrap()]));
    std::fs::remove_file(&bad).ok();
    assert!(!ok);
    assert!(err.contains(bad.to_str().unwrap()), "{err}");
}
