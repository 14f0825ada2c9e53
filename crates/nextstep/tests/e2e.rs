//! The browser end-to-end suite: starts `nextstep serve --demo` on a fresh SQLite file,
//! then runs `tests/e2e/run.mjs` (playwright-core driving Debian's chromium): log in,
//! upload a transcript, see the bail-out highlighted, confirm the next step through the
//! prospect's link in a fresh browser, see the badge change, flip a speaker's side on
//! the call page and see it stored. Screenshots are kept in
//! `target/e2e-artifacts/`.
//!
//! Needs node, `tests/e2e/node_modules` (`npm ci --prefix tests/e2e`) and
//! /usr/bin/chromium, which `.ci/run` installs. Without them the test says so and
//! passes — except under CI, where a missing piece fails it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why the suite cannot run here, if it cannot.
fn missing_tools(root: &Path) -> Option<String> {
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    if !root.join("tests/e2e/node_modules/playwright-core").is_dir() {
        return Some("tests/e2e/node_modules is missing (npm ci --prefix tests/e2e)".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing (apt-get install chromium)"));
    }
    None
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ns(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nextstep"));
    c.arg("--db").arg(db);
    c
}

#[test]
fn browser_suite() {
    let root = repo_root();
    if let Some(why) = missing_tools(&root) {
        if std::env::var_os("CI").is_some() {
            panic!("the browser suite must run under CI, but {why}");
        }
        eprintln!("skipping the browser suite: {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("nextstep-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("e2e.db");

    let mut child = ns(&db)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--workers", "1"])
        .env("NEXTSTEP_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nextstep serve");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);

    // The server prints its address, then the demo login.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut base = None;
    let mut password = None;
    let deadline = Instant::now() + Duration::from_secs(240);
    while base.is_none() || password.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .expect("the server printed its address and login in time");
        if let Some(rest) = line.strip_prefix("nextstep server listening on ") {
            base = rest
                .split_whitespace()
                .next()
                .map(|u| u.trim_end_matches('/').to_string());
        }
        if let Some(rest) = line.strip_prefix("Log in as admin@demo.nextstep with password ") {
            password = Some(rest.trim().to_string());
        }
    }
    let (base, password) = (base.unwrap(), password.unwrap());

    // An open deal of a rep's, through the CLI on the same database.
    let out = ns(&db)
        .args([
            "deals",
            "list",
            "--owner",
            "Priya Raman",
            "--open",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deals: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let deal = deals[0]["id"]
        .as_i64()
        .expect("Priya Raman has an open deal");

    // The bail-out call, dated today as a rep uploading today's call would have it: the
    // newest call's step becomes the deal's open step (an older one only joins history).
    let today = chrono::Local::now().date_naive().to_string();
    let example = root.join("examples/calls/02-zoom-bail-out-2026-04-15.vtt");
    let text = std::fs::read_to_string(&example).unwrap();
    let transcript = dir.join(format!("bail-out-{today}.vtt"));
    std::fs::write(&transcript, text.replace("2026-04-15", &today)).unwrap();

    let artifacts = root.join("target/e2e-artifacts");
    let status = Command::new("node")
        .arg(root.join("tests/e2e/run.mjs"))
        .current_dir(root.join("tests/e2e"))
        .env("NEXTSTEP_E2E_BASE", &base)
        .env("NEXTSTEP_E2E_EMAIL", "priya.raman@demo.nextstep")
        .env("NEXTSTEP_E2E_PASSWORD", &password)
        .env("NEXTSTEP_E2E_DEAL", deal.to_string())
        .env("NEXTSTEP_E2E_TRANSCRIPT", &transcript)
        .env("NEXTSTEP_E2E_ARTIFACTS", &artifacts)
        .status()
        .expect("run node");
    drop(server);
    assert!(
        status.success(),
        "the browser suite failed; screenshots in {}",
        artifacts.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
