//! A team teaches the analyzer its own wording: twenty labelled sentences of a phrasing
//! nothing in the shipped corpus or rules knows ("a ride-along with our early crew"),
//! `nextstep train --add`, and the same call is judged differently, with `--explain` and
//! the evidence naming the classifier.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/own-model")
        .join(name)
}

fn nextstep(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nextstep"))
        .args(args)
        .output()
        .expect("run nextstep");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn analyze(model: Option<&str>) -> serde_json::Value {
    let call = fixture("ride-along-call.txt");
    let mut args = vec![
        "analyze",
        "--json",
        "--date",
        "2026-03-02",
        "--seller",
        "Sam Reed",
        call.to_str().unwrap(),
    ];
    if let Some(m) = model {
        args.extend(["--model", m]);
    }
    let (ok, out, err) = nextstep(&args);
    assert!(ok, "{err}");
    serde_json::from_str(out.lines().next().unwrap()).unwrap()
}

#[test]
fn twenty_labelled_sentences_teach_a_new_step() {
    let before = analyze(None);
    assert!(
        before["next_step"].is_null(),
        "the shipped analyzer already reads a step: {}",
        before["next_step"]
    );

    let dir = std::env::temp_dir().join(format!("nextstep-own-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("team.model");
    let sentences = fixture("ride-alongs.jsonl");
    let (ok, out, err) = nextstep(&[
        "train",
        "--add",
        sentences.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("20 of yours"), "{out}");

    let after = analyze(Some(model.to_str().unwrap()));
    let step = &after["next_step"];
    assert_eq!(step["defined_by"], "prospect", "{after}");
    assert_eq!(step["kind"], "demo", "{after}");
    let why = step["evidence"][0]["why"].as_str().unwrap();
    assert!(why.contains("classifier: request_step"), "{why}");

    let call = fixture("ride-along-call.txt");
    let (ok, out, err) = nextstep(&[
        "analyze",
        "--explain",
        "--date",
        "2026-03-02",
        "--seller",
        "Sam Reed",
        "--model",
        model.to_str().unwrap(),
        call.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let line = out
        .lines()
        .skip_while(|l| !l.contains("ride-along with our early crew"))
        .nth(1)
        .unwrap_or("");
    assert!(line.contains("classifier: request_step"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_line_in_a_team_file_is_named() {
    let dir = std::env::temp_dir().join(format!("nextstep-bad-acts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"side\": \"prospect\", \"text\": \"Send it.\", \"acts\": [\"request_step\"], \"kind\": \"quote\"}\n{\"side\": \"prospect\", \"text\": \"x\", \"acts\": [\"request_step\"]}\n",
    )
    .unwrap();
    let (ok, _, err) = nextstep(&[
        "train",
        "--add",
        bad.to_str().unwrap(),
        "--out",
        dir.join("m").to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("bad.jsonl: line 2: field `kind` is missing"),
        "{err}"
    );
    assert!(
        !dir.join("m").exists(),
        "no model is written from a bad file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
