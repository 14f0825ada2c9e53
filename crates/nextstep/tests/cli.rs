//! The command-line contract: exit codes, the JSON shapes of `parse` and `analyze`, and
//! one clear stderr line per bad file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn nextstep() -> Command {
    Command::cargo_bin("nextstep").unwrap()
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/calls")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nextstep-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const CALL: &str = "Alex Rivera: Hi Jamie, thanks for making the time today.\n\
Jamie Cho: Of course.\n\
Alex Rivera: What would you like to do from here?\n\
Jamie Cho: Let's get a proposal for the support team, thirty agents.\n\
Alex Rivera: I'll have it to you by Wednesday.\n\
Jamie Cho: Great.\n";

#[test]
fn parse_json_has_one_entry_per_cue_in_file_order() {
    let dir = temp_dir("parse");
    let file = dir.join("call.vtt");
    std::fs::write(
        &file,
        "WEBVTT\n\nabc/1-0\n00:00:01.000 --> 00:00:02.500\n<v Jos&#233; Ruiz>Hello there\n\n\
abc/1-1\n00:00:02.600 --> 00:00:04.000\n<v Jos&#233; Ruiz>and welcome.</v>\n\n\
00:00:05.000 --> 00:00:06.000\nno voice\n",
    )
    .unwrap();
    let out = nextstep()
        .args(["parse", "--json"])
        .arg(&file)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["format"], "webvtt");
    let u = v["utterances"].as_array().unwrap();
    assert_eq!(u.len(), 3, "no merging in parse");
    assert_eq!(u[0]["id"], "abc/1-0");
    assert_eq!(u[0]["start"], 1.0);
    assert_eq!(u[0]["end"], 2.5);
    assert_eq!(u[0]["speaker"], "José Ruiz");
    assert_eq!(u[1]["text"], "and welcome.");
    assert_eq!(u[2]["id"], Value::Null);
    assert_eq!(u[2]["speaker"], Value::Null);
}

#[test]
fn analyze_json_is_one_object_per_file_with_the_contract_fields() {
    let dir = temp_dir("json");
    std::fs::write(dir.join("a.txt"), CALL).unwrap();
    std::fs::write(dir.join("b.txt"), CALL).unwrap();
    let out = nextstep()
        .args([
            "analyze",
            "--json",
            "--date",
            "2026-02-02",
            "--seller",
            "Alex Rivera",
        ])
        .arg(&dir)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let v: Value = serde_json::from_str(lines[0]).unwrap();
    assert!(v["source"].as_str().unwrap().ends_with("a.txt"));
    assert_eq!(v["format"], "plain");
    assert_eq!(v["speakers"][0]["name"], "Alex Rivera");
    assert_eq!(v["speakers"][0]["role"], "seller");
    assert_eq!(v["speakers"][0]["inferred"], false);
    let step = &v["next_step"];
    assert_eq!(step["kind"], "proposal");
    assert_eq!(step["defined_by"], "prospect");
    assert_eq!(step["confirmed_by_prospect"], true);
    assert_eq!(step["owner"], "seller");
    assert_eq!(step["due"], "2026-02-04");
    assert_eq!(v["asked_next_step"], true);
    let ask = &v["asks"][0];
    for key in ["speaker", "start", "text", "why"] {
        assert!(ask.get(key).is_some(), "moment lacks {key}");
    }
    for key in [
        "volunteered",
        "bail_outs",
        "confrontations",
        "negative_signals",
        "coaching",
    ] {
        assert!(v[key].is_array(), "{key} is not a list");
    }
}

#[test]
fn without_seller_the_seller_is_inferred_and_says_how_sure() {
    let dir = temp_dir("infer");
    std::fs::write(dir.join("call.txt"), CALL).unwrap();
    let out = nextstep()
        .args(["analyze", "--json", "--date", "2026-02-02"])
        .arg(dir.join("call.txt"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let speakers = v["speakers"].as_array().unwrap();
    let alex = speakers
        .iter()
        .find(|s| s["name"] == "Alex Rivera")
        .unwrap();
    assert_eq!(alex["role"], "seller");
    assert_eq!(alex["inferred"], true);
    assert!(alex["confidence"].as_f64().unwrap() > 0.5);
}

#[test]
fn exit_codes_distinguish_all_ok_some_failed_and_nothing_readable() {
    let dir = temp_dir("exit");
    std::fs::write(dir.join("good.txt"), CALL).unwrap();
    std::fs::write(
        dir.join("bad.srt"),
        "1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n2\n00:00:05 -> 00:00:07\nB: hello\n",
    )
    .unwrap();
    // Table: (paths, expected exit code, a fragment stderr must contain).
    let cases: Vec<(Vec<PathBuf>, i32, &str)> = vec![
        (vec![dir.join("good.txt")], 0, ""),
        (vec![dir.clone()], 1, "bad.srt: line 6"),
        (vec![dir.join("bad.srt")], 2, "bad.srt: line 6"),
        (
            vec![dir.join("missing.vtt")],
            2,
            "missing.vtt: no such file",
        ),
    ];
    for (paths, code, fragment) in cases {
        let out = nextstep()
            .args([
                "analyze",
                "--json",
                "--seller",
                "Alex Rivera",
                "--date",
                "2026-02-02",
            ])
            .args(&paths)
            .assert()
            .code(code);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(stderr.contains(fragment), "{paths:?}: stderr {stderr:?}");
        if code == 1 {
            // the good file is still reported
            assert_eq!(
                String::from_utf8_lossy(&out.get_output().stdout)
                    .lines()
                    .count(),
                1
            );
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    nextstep().args(["analyze"]).assert().code(2);
    nextstep()
        .args(["analyze", "--date", "14/04/2026", "x.vtt"])
        .assert()
        .code(2);
    nextstep()
        .args(["parse", "--format", "docx", "x.vtt"])
        .assert()
        .code(2);
}

#[test]
fn a_seller_name_that_never_speaks_is_a_clear_error() {
    let dir = temp_dir("noseller");
    std::fs::write(dir.join("call.txt"), CALL).unwrap();
    let out = nextstep()
        .args(["analyze", "--seller", "Priya Nair"])
        .arg(dir.join("call.txt"))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("Priya Nair") && stderr.contains("Alex Rivera"),
        "{stderr}"
    );
}

#[test]
fn arbitrary_bytes_never_crash_the_binary() {
    let dir = temp_dir("garbage");
    let inputs: [&[u8]; 5] = [
        b"\xff\xfe\x00garbage",
        b"WEBVTT\n\n00:00:01.000 --> \n",
        b"[{\"speaker\": 3}]",
        b"",
        b"\n\n\n",
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let file = dir.join(format!("{i}.txt"));
        std::fs::write(&file, bytes).unwrap();
        let out = nextstep().arg("analyze").arg(&file).assert();
        let code = out.get_output().status.code();
        assert_eq!(code, Some(2), "input {i}: {:?}", out.get_output());
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(stderr.contains(&format!("{i}.txt")), "input {i}: {stderr}");
        assert!(!stderr.contains("panicked"), "input {i}: {stderr}");
    }
}

#[test]
fn a_rules_file_extends_the_lexicon_without_recompiling() {
    let dir = temp_dir("rules");
    let call = "Sam: What would you like to do from here?\n\
Kim: Let's start a proof of value next week.\n";
    std::fs::write(dir.join("call.txt"), call).unwrap();
    std::fs::write(
        dir.join("team.toml"),
        "[kinds]\ntrial = [\"proof of value\"]\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = nextstep()
            .args([
                "analyze",
                "--json",
                "--seller",
                "Sam",
                "--date",
                "2026-02-02",
            ])
            .args(extra)
            .arg(dir.join("call.txt"))
            .assert()
            .success();
        serde_json::from_slice::<Value>(&out.get_output().stdout).unwrap()
    };
    // The lexicon alone: the act model may well read this step by itself, which is the
    // point of it, but this test is about the rules file.
    assert_eq!(run(&["--model", "none"])["next_step"], Value::Null);
    let rules = dir.join("team.toml");
    let with = run(&["--model", "none", "--rules", rules.to_str().unwrap()]);
    assert_eq!(with["next_step"]["kind"], "trial");
    assert_eq!(with["next_step"]["defined_by"], "prospect");

    std::fs::write(dir.join("bad.toml"), "[kinds]\nteleport = [\"beam me\"]\n").unwrap();
    let out = nextstep()
        .args(["analyze", "--rules"])
        .arg(dir.join("bad.toml"))
        .arg(dir.join("call.txt"))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("bad.toml") && stderr.contains("teleport"),
        "{stderr}"
    );
}

#[test]
fn the_bundled_examples_all_analyse() {
    let out = nextstep()
        .args(["analyze", "--json"])
        .arg(examples())
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 6);
}

#[test]
fn the_report_names_who_defined_the_step_with_evidence() {
    let dir = temp_dir("report");
    std::fs::write(dir.join("call.txt"), CALL).unwrap();
    let out = nextstep()
        .args(["analyze", "--seller", "Alex Rivera", "--date", "2026-02-02"])
        .arg(dir.join("call.txt"))
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let report = text.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
    insta::assert_snapshot!("plain_call_report", report);
}

#[test]
fn unnamed_speakers_get_inferred_sides_and_the_json_says_so() {
    let dir = temp_dir("unnamed");
    let call = "Speaker 1: Thanks for making the time. Tell me about your setup?\n\
Speaker 2: Our team uses spreadsheets and we use a ticket tool.\n\
Speaker 3: Our platform integrates with your ticket tool out of the box, and our pricing is per seat.\n\
Speaker 2: Could you send me the pricing?\n\
Speaker 1: Sure, I'll send it today.\n";
    std::fs::write(dir.join("call.txt"), call).unwrap();
    let out = nextstep()
        .args(["analyze", "--json", "--date", "2026-02-02"])
        .arg(dir.join("call.txt"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let sellers: Vec<&str> = v["inferred_sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sellers, ["Speaker 1", "Speaker 3"], "{v}");
    assert!(v["inferred_sellers"][0]["confidence"].as_f64().unwrap() > 0.5);
    let speaker2 = &v["speakers"][1];
    assert_eq!(speaker2["role"], "prospect");
    assert_eq!(speaker2["basis"], "inferred");
    assert!(
        speaker2["reason"]
            .as_str()
            .unwrap()
            .starts_with("inferred, ")
    );
    // The report says the same in words.
    let out = nextstep()
        .args(["analyze", "--date", "2026-02-02"])
        .arg(dir.join("call.txt"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("Seller's side inferred: Speaker 1 ("),
        "{text}"
    );
    // Named forgivingly, the inference steps aside.
    let out = nextstep()
        .args([
            "analyze",
            "--json",
            "--date",
            "2026-02-02",
            "--seller",
            "speaker 1",
        ])
        .arg(dir.join("call.txt"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["inferred_sellers"], serde_json::json!([]));
    assert_eq!(v["speakers"][0]["basis"], "named");
    assert_eq!(v["speakers"][2]["role"], "prospect");
}

/// A Teams transcript download, as the paragraphs of a Word document.
fn teams_docx() -> Vec<u8> {
    nextstep_transcript::docx::build_docx(&[
        "Transcript",
        "February 2, 2026, 3:00PM",
        "Alex Rivera\t0:03",
        "Thanks for joining, Jamie. What would you like to do from here?",
        "Jamie Cho\t0:09",
        "Let's get a proposal for the support team by Wednesday.",
    ])
}

#[test]
fn a_docx_flows_through_parse_and_analyze_and_bad_ones_are_named() {
    let dir = temp_dir("docx");
    std::fs::write(dir.join("teams.docx"), teams_docx()).unwrap();
    std::fs::write(dir.join("broken.docx"), b"PK\x03\x04not really a zip").unwrap();
    let out = nextstep()
        .args(["parse", "--json"])
        .arg(dir.join("teams.docx"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["format"], "docx");
    assert_eq!(v["utterances"][1]["speaker"], "Jamie Cho");
    assert_eq!(v["utterances"][1]["start"], 9.0);
    // A folder walk picks up .docx; the broken one fails alone, named.
    let out = nextstep()
        .args(["analyze", "--json", "--date", "2026-02-02"])
        .arg(&dir)
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["format"], "docx");
    assert_eq!(v["next_step"]["defined_by"], "prospect");
    assert_eq!(v["speakers"][0]["role"], "seller");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("broken.docx: line 1: not a readable .docx Word document"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // --format still forces a reader.
    let out = nextstep()
        .args(["parse", "--format", "plain"])
        .arg(dir.join("teams.docx"))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("teams.docx"), "{stderr}");
}
