//! The pipeline from the command line, end to end: import a CRM file, attach calls, set
//! and close steps, read the hygiene report, export. Runs on SQLite always and on
//! PostgreSQL when `NEXTSTEP_TEST_POSTGRES_URL` is set (a fresh database per test;
//! nextstep-synth's harness reads it, and fails the test under `CI` without it).

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde_json::Value;

const TEAMS: &str = "sales_agent,manager,regional_office\n\
Moses Frase,Dustin Brinkmann,Central\n\
Darcel Schlecht,Melvin Marxen,Central\n";

const ACCOUNTS: &str = "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n\
Cancity,retail,2001,718.62,2448,United States,\n\
Isdom,medical,2002,3178.24,4540,United States,\n";

const DEALS: &str = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n\
1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054\n\
Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Won,2016-10-25,2017-03-11,4514\n\
EC4QE1BX,Darcel Schlecht,MG Special,Cancity,Engaging,2016-10-25,,\n\
MV1LWRNH,Moses Frase,GTX Basic,,Prospecting,,,\n\
PE84CX4O,Moses Frase,GTX Plus Pro,Isdom,Lost,2016-10-26,2017-03-07,0\n";

const CALL: &str = "WEBVTT\n\nNOTE call date 2026-04-14\n\n\
1\n00:00:01.000 --> 00:00:04.000\nMoses Frase: Thanks for making the time today.\n\n\
2\n00:00:05.000 --> 00:00:08.000\nAnn Buyer: Happy to. Honestly I'm not following how the pricing works.\n\n\
3\n00:00:09.000 --> 00:00:12.000\nMoses Frase: No problem, why don't I send you a pricing sheet after the call?\n\n\
4\n00:00:13.000 --> 00:00:14.000\nAnn Buyer: Okay.\n";

const CALL_PROSPECT_STEP: &str = "Moses Frase: What would you like to do from here?\n\
Ann Buyer: Let's do a demo for my team next Tuesday.\n\
Moses Frase: Great, I'll send the invite.\n";

/// A database for one test: a SQLite file, or a fresh PostgreSQL database (dropped with
/// this value).
struct TestDb {
    url: String,
    _pg: Option<nextstep_synth::harness::PgDatabase>,
}

fn databases(dir: &Path) -> Vec<TestDb> {
    let mut out = vec![TestDb {
        url: dir.join("nextstep.db").display().to_string(),
        _pg: None,
    }];
    let test = dir.file_name().unwrap().to_string_lossy().to_string();
    if let Some(pg) = nextstep_synth::harness::PgDatabase::create("nextstep_cli", &test) {
        out.push(TestDb {
            url: pg.url(),
            _pg: Some(pg),
        });
    }
    out
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ns-pipe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ns(db: &TestDb) -> Command {
    let mut c = Command::cargo_bin("nextstep").unwrap();
    c.env_remove("NEXTSTEP_DATABASE_URL")
        .args(["--db", &db.url]);
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn pipeline_json(db: &TestDb) -> Value {
    let text = stdout(ns(db).args(["pipeline", "--json", "--today", "2026-04-20"]));
    serde_json::from_str(&text).unwrap()
}

fn deal_in<'a>(report: &'a Value, external: &str) -> &'a Value {
    report["deals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["external_id"] == external)
        .unwrap_or_else(|| panic!("{external} not in the report"))
}

#[test]
fn a_pipeline_story_from_crm_file_to_calendar() {
    let dir = temp_dir("story");
    std::fs::write(dir.join("teams.csv"), TEAMS).unwrap();
    std::fs::write(dir.join("accounts.csv"), ACCOUNTS).unwrap();
    std::fs::write(dir.join("deals.csv"), DEALS).unwrap();
    std::fs::write(dir.join("bail.vtt"), CALL).unwrap();
    std::fs::write(dir.join("asked.txt"), CALL_PROSPECT_STEP).unwrap();
    for db in databases(&dir) {
        let at = |name: &str| dir.join(name).display().to_string();
        stdout(ns(&db).args(["db", "migrate"]));
        let reps = stdout(ns(&db).args(["import", "reps", &at("teams.csv")]));
        assert!(
            reps.contains("imported 4"),
            "two agents and two managers: {reps}"
        );
        stdout(ns(&db).args(["import", "accounts", &at("accounts.csv")]));
        let first = stdout(ns(&db).args(["import", "deals", &at("deals.csv")]));
        assert!(
            first.contains("imported 5, updated 0, rejected 0"),
            "{first}"
        );
        let again = stdout(ns(&db).args(["import", "deals", &at("deals.csv")]));
        assert!(
            again.contains("imported 0, updated 0, rejected 0 (5 unchanged)"),
            "{again}"
        );

        // Every open deal starts without a next step.
        let report = pipeline_json(&db);
        assert_eq!(report["summary"]["open_deals"], 2);
        assert_eq!(report["summary"]["flags"]["NO_NEXT_STEP"]["deals"], 2);

        // A call with a bail-out: the seller defined the step, the prospect said okay.
        let added = stdout(ns(&db).args([
            "calls",
            "add",
            "--deal",
            "EC4QE1BX",
            "--seller",
            "Moses Frase",
            &at("bail.vtt"),
        ]));
        assert!(added.contains("bail-out"), "{added}");
        let report = pipeline_json(&db);
        let deal = deal_in(&report, "EC4QE1BX");
        let flags: Vec<&str> = deal["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(flags, ["BAIL_OUT_LAST_CALL"], "{deal}");
        assert_eq!(deal["next_step"]["defined_by"], "seller");
        assert_eq!(report["summary"]["flags"]["NO_NEXT_STEP"]["deals"], 1);

        // A second call: the prospect defines a dated demo; the first step is superseded.
        stdout(ns(&db).args([
            "calls",
            "add",
            "--deal",
            "EC4QE1BX",
            "--seller",
            "Moses Frase",
            "--date",
            "2026-04-16",
            &at("asked.txt"),
        ]));
        let report = pipeline_json(&db);
        let deal = deal_in(&report, "EC4QE1BX");
        assert_eq!(deal["next_step"]["defined_by"], "prospect");
        assert_eq!(deal["next_step"]["due"], "2026-04-21");
        assert!(deal["flags"].as_array().unwrap().is_empty(), "{deal}");

        // A step agreed by phone: the user must say who defined it.
        stdout(ns(&db).args([
            "next-step",
            "set",
            "MV1LWRNH",
            "--action",
            "Send the security questionnaire",
            "--defined-by",
            "seller",
            "--kind",
            "information",
            "--due",
            "2026-04-10",
        ]));
        let report = pipeline_json(&db);
        let flags = &deal_in(&report, "MV1LWRNH")["flags"];
        assert!(
            flags
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "SELLER_DEFINED_UNCONFIRMED")
        );
        assert!(flags.as_array().unwrap().iter().any(|f| f == "OVERDUE"));

        // History is kept: the deal shows both call steps, the first superseded.
        let show: Value = serde_json::from_str(&stdout(
            ns(&db).args(["deals", "show", "EC4QE1BX", "--json"]),
        ))
        .unwrap();
        let statuses: Vec<&str> = show["next_steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["superseded", "open"]);
        assert_eq!(show["calls"].as_array().unwrap().len(), 2);

        // Calendar: the dated open steps, with stable UIDs and who defined them.
        let ics = stdout(ns(&db).args(["export", "ics"]));
        assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
        assert!(ics.contains("DTSTART;VALUE=DATE:20260421"), "{ics}");
        assert_eq!(
            ics,
            stdout(ns(&db).args(["export", "ics"])).replace(
                &dtstamp(&stdout(ns(&db).args(["export", "ics"]))),
                &dtstamp(&ics)
            ),
            "stable apart from DTSTAMP"
        );

        // Closing the step; the deal then has no next step again.
        stdout(ns(&db).args(["next-step", "done", "MV1LWRNH"]));
        let report = pipeline_json(&db);
        assert!(
            deal_in(&report, "MV1LWRNH")["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "NO_NEXT_STEP")
        );
        ns(&db)
            .args(["next-step", "done", "MV1LWRNH"])
            .assert()
            .failure();

        // Back to Salesforce: all five deals, the open step with its provenance.
        let csv = stdout(ns(&db).args(["export", "deals", "--preset", "salesforce"]));
        assert_eq!(csv.lines().count(), 6, "{csv}");
        assert!(
            csv.contains("Let's do a demo for my team next Tuesday."),
            "{csv}"
        );

        // Owner filter and unknown deals.
        let mine: Value = serde_json::from_str(&stdout(ns(&db).args([
            "pipeline",
            "--json",
            "--owner",
            "Darcel Schlecht",
        ])))
        .unwrap();
        assert_eq!(mine["deals"].as_array().unwrap().len(), 1);
        let out = ns(&db).args(["deals", "show", "NOPE"]).assert().failure();
        assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("NOPE"));
    }
}

fn dtstamp(ics: &str) -> String {
    ics.lines()
        .find(|l| l.starts_with("DTSTAMP"))
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_bad_row_fails_the_whole_import_unless_rejects_are_asked_for() {
    let dir = temp_dir("bad");
    let bad = format!(
        "{DEALS}X1,Moses Frase,GTX Basic,Cancity,Won,2016-11-01,2017-01-01,12x\n\
X2,Moses Frase,GTX Basic,Cancity,Negotiating,2016-11-01,,\n\
1C1I7A6R,Moses Frase,GTX Basic,Cancity,Won,2016-11-01,2017-01-01,10\n"
    );
    std::fs::write(dir.join("bad.csv"), bad).unwrap();
    for db in databases(&dir) {
        let file = dir.join("bad.csv").display().to_string();
        let out = ns(&db).args(["import", "deals", &file]).assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        for want in [
            "line 7 (row 6), column close_value",
            "line 8 (row 7), column deal_stage",
            "line 9",
        ] {
            assert!(stderr.contains(want), "missing {want:?} in {stderr}");
        }
        let listed: Value =
            serde_json::from_str(&stdout(ns(&db).args(["deals", "list", "--json"]))).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 0, "nothing imported");

        let rejects = dir.join("rejects.csv");
        let out = stdout(ns(&db).args([
            "import",
            "deals",
            "--skip-invalid",
            rejects.to_str().unwrap(),
            &file,
        ]));
        assert!(out.contains("rejected"), "{out}");
        let text = std::fs::read_to_string(&rejects).unwrap();
        assert!(
            text.lines().next().unwrap().ends_with("nextstep_error"),
            "{text}"
        );
        assert!(text.contains("X1") && text.contains("X2"), "{text}");
    }
}

#[test]
fn a_killed_import_leaves_the_database_as_it_was() {
    let dir = temp_dir("kill");
    std::fs::write(dir.join("small.csv"), DEALS).unwrap();
    let mut big = String::from(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n",
    );
    for i in 0..300_000 {
        big.push_str(&format!(
            "K{i:07},Rep {},GTX Basic,Acct {},Won,2016-11-01,2017-01-01,{}\n",
            i % 35,
            i % 85,
            i % 5000
        ));
    }
    std::fs::write(dir.join("big.csv"), big).unwrap();
    for db in databases(&dir) {
        stdout(ns(&db).args(["import", "deals", dir.join("small.csv").to_str().unwrap()]));
        let bin = assert_cmd::cargo::cargo_bin("nextstep");
        let mut child = StdCommand::new(bin)
            .env_remove("NEXTSTEP_DATABASE_URL")
            .args([
                "--db",
                &db.url,
                "import",
                "deals",
                dir.join("big.csv").to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until it is inside the transaction, give it a moment to write, then kill -9.
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        use std::io::BufRead;
        while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("in one transaction") {
            line.clear();
        }
        assert!(
            line.contains("in one transaction"),
            "the import never started: {line}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        let finished_early = child.try_wait().unwrap().is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            !finished_early,
            "the import finished before it could be killed; make the file bigger"
        );
        let listed: Value =
            serde_json::from_str(&stdout(ns(&db).args(["deals", "list", "--json"]))).unwrap();
        assert_eq!(
            listed.as_array().unwrap().len(),
            5,
            "exactly the deals from before"
        );
    }
}
